# The README's commands. Each installs what it needs first (uv, the locked Python packages, Debian packages).
UV := $(shell scripts/ensure-uv)
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS := $(RUNTIME_DEBS) libreoffice-writer-nogui python3-uno chromium poppler-utils default-jre-headless

.PHONY: samples test lint bench clean

## Build every sample profile into output/ (HTML, Word and PDF).
samples:
	@scripts/ensure-debian-packages $(RUNTIME_DEBS)
	@$(UV) sync --locked --quiet
	@$(UV) run policy-toolkit build --all

## Run the tests (and the linter), installing what they need.
test:
	@scripts/ensure-debian-packages $(TEST_DEBS)
	@$(UV) sync --locked --quiet
	@$(UV) run ruff check .
	@$(UV) run ruff format --check .
	@$(UV) run pytest -n auto

lint:
	@$(UV) run ruff check . && $(UV) run ruff format --check .

## Measure speed and memory against the raw engines, and the hub with 600 profiles.
bench:
	@$(UV) sync --locked --quiet
	@$(UV) run python benchmarks/run.py
	@$(UV) run python benchmarks/hub.py

clean:
	rm -rf output .pytest_cache .ruff_cache
