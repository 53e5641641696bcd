"""Shared fixtures: the sample profiles, resolved once per test session."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from toolkit.model import Policy
from toolkit.resolve.policy import resolve_profile

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"
SECTORS = ROOT / "toolkit" / "sectors"  # the bundled sector profiles


@cache
def _resolved(name: str) -> Policy:
    matches = [*PROFILES.rglob(f"{name}.yaml"), *SECTORS.glob(f"{name}.yaml")]
    assert matches, f"no sample profile {name}"
    return resolve_profile(matches[0], PROFILES)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current outputs")


@pytest.fixture
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def sample_policy():
    """Call with a profile name (e.g. "riverside-borough-council") to get its resolved Policy."""
    return _resolved


@pytest.fixture(autouse=True)
def _fixed_build_time(monkeypatch):
    """Every test builds as if at one moment, so outputs can be compared byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    monkeypatch.delenv("POLICY_TOOLKIT_CORE", raising=False)  # a developer's own setting must not reach the tests


def require_program(program: str, package: str) -> str:
    """The program's path; outside CI a missing program skips the test, in CI it fails it (CI must install it)."""
    import os
    import shutil

    path = shutil.which(program)
    if path:
        return path
    message = f"{program} is not installed (Debian package {package}); `make test` installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def libreoffice_convert(source: Path, target: str) -> Path:
    """Convert with LibreOffice as a reviewer without Word would open the file (`pdf`, `txt:Text`); returns the result.

    Each call gets its own LibreOffice profile beside the file, so tests running in parallel do not share one.
    """
    import subprocess

    soffice = require_program("soffice", "libreoffice-writer-nogui")
    profile = (source.parent / f"lo-profile-{source.stem}").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(source.parent),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return source.with_suffix("." + target.split(":")[0])


@pytest.fixture
def cli(monkeypatch):
    """Run the real entry point in-process: `cli("build", ...)` returns (exit code, stdout, stderr)."""
    import io
    import sys

    from toolkit.cli import app as entry

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "argv", ["policy-toolkit", *map(str, args)])
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        with pytest.raises(SystemExit) as exited:
            entry.main()
        return int(exited.value.code or 0), out.getvalue(), err.getvalue()

    return run
