"""Shared fixtures and helpers: the sample profiles (resolved once per test session), profile text to a resolved
policy (`resolve_text`), the command line in-process (`cli`), and LibreOffice, bounded and explained when it fails."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from toolkit.model import Policy
from toolkit.resolve.policy import resolve_profile

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"
SECTORS = ROOT / "toolkit" / "sectors"  # the bundled sector profiles
LAYOUT_CASES = ROOT / "tests" / "fixtures" / "layout"  # profiles, not samples, whose PDF pages once came out wrong


def record_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Path]:
    """Replace `owner.name` for the test by a wrapper that notes the path it is called with (its first argument)."""
    calls: list[Path] = []
    original = getattr(owner, name)

    def recording(path, *args, **kwargs):
        calls.append(Path(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


def write_profile(folder: Path, *texts: str, name: str = "test-org") -> Path:
    """`folder/NAME.yaml` made of the given YAML texts, each dedented (so a test may indent them), joined in order."""
    path = folder / f"{name}.yaml"
    path.write_text("".join(textwrap.dedent(text) for text in texts), encoding="utf-8")
    return path


def resolve_text(folder: Path, *texts: str, name: str = "test-org") -> Policy:
    """Profile text to resolved policy: written as `write_profile` does and resolved beside the sample profiles,
    so it may extend a sector or a sample organisation."""
    return resolve_profile(write_profile(folder, *texts, name=name), PROFILES)


@cache
def _resolved(name: str) -> Policy:
    matches = [*PROFILES.rglob(f"{name}.yaml"), *SECTORS.glob(f"{name}.yaml")]
    assert matches, f"no sample profile {name}"
    return resolve_profile(matches[0], PROFILES)


@cache
def layout_case(name: str) -> Policy:
    """A profile of tests/fixtures/layout/, resolved beside the others there (a unit there extends its body)."""
    return resolve_profile(LAYOUT_CASES / f"{name}.yaml", LAYOUT_CASES)


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
    path = shutil.which(program)
    if path:
        return path
    message = f"{program} is not installed (Debian package {package}); `make test` installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# LibreOffice -------------------------------------------------------------------------------------------------------
# Each test worker (pytest-xdist process) prepares its own LibreOffice user profile once, so two workers never share
# one and no conversion pays for, or trips over, LibreOffice's first start in a fresh profile (it restarts itself
# once there). Every LibreOffice run is bounded and, when it fails, the test prints what LibreOffice itself said.

LIBREOFFICE_TIMEOUT = 120  # seconds for one start or conversion, far above the 3-10 s they take on a busy machine


@dataclass(frozen=True)
class Ran:
    """A finished (or stopped) command: its exit code (None when stopped at its time limit) and what it printed."""

    command: list[str]
    code: int | None
    stdout: str
    stderr: str
    seconds: float

    def report(self, what: str, **details: object) -> str:
        ended = "was stopped at its time limit" if self.code is None else f"exited {self.code}"
        lines = [f"{what}: {ended} after {self.seconds:.1f} s", f"command: {' '.join(self.command)}"]
        shown = {**details, "stdout": self.stdout.strip() or "(nothing)", "stderr": self.stderr.strip() or "(nothing)"}
        for name, value in shown.items():
            text = str(value)
            lines.append(f"{name}:\n{text}" if "\n" in text or name in ("stdout", "stderr") else f"{name}: {text}")
        return "\n".join(lines)


def run_bounded(command: list[str], timeout: float = LIBREOFFICE_TIMEOUT) -> Ran:
    """Run a command in a process group of its own; at the time limit the whole group is killed, since
    LibreOffice's `soffice.bin` would outlive the launcher the test started."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        code = None
    return Ran(command, code, stdout, stderr, time.monotonic() - started)


@dataclass(frozen=True)
class LibreOffice:
    program: str
    profile: str  # this worker's own -env:UserInstallation, as a file: URI
    startup: Ran  # the run that prepared the profile

    def details(self) -> dict[str, str]:
        return {"profile": self.profile, "profile start-up": f"{self.startup.seconds:.1f} s"}


def libreoffice() -> LibreOffice:
    """LibreOffice with this worker's prepared profile; skipped (failed in CI) when LibreOffice is missing."""
    return _prepared(require_program("soffice", "libreoffice-writer-nogui"))


_LIBREOFFICE_FOLDERS: list[Path] = []  # this worker's profiles, removed when its session ends
# The tests' own cache folder (remembered results, compiled templates, font subsets): a test run neither reads the
# user's cache nor leaves records of its temporary profiles in it. Set before any test runs; removed at the end.
_CACHE = Path(tempfile.mkdtemp(prefix=f"policy-toolkit-cache-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-"))
os.environ["XDG_CACHE_HOME"] = str(_CACHE)


def pytest_sessionfinish(session, exitstatus):
    """Each worker removes its own LibreOffice profile and cache folder once its tests are done."""
    for folder in [*_LIBREOFFICE_FOLDERS, _CACHE]:
        shutil.rmtree(folder, ignore_errors=True)


@cache
def _prepared(program: str) -> LibreOffice:
    folder = Path(tempfile.mkdtemp(prefix=f"policy-toolkit-lo-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-"))
    _LIBREOFFICE_FOLDERS.append(folder)
    profile = folder.as_uri()
    startup = run_bounded(
        [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--terminate_after_init"]
    )
    if startup.code != 0 or not (folder / "user").is_dir():
        pytest.fail(startup.report("LibreOffice could not prepare its profile"), pytrace=False)
    return LibreOffice(program, profile, startup)


def libreoffice_convert(source: Path, target: str) -> Path:
    """Convert as a reviewer without Word would open the file (`pdf`, `txt:Text`); returns the converted file."""
    office = libreoffice()
    result = source.with_suffix("." + target.split(":")[0])
    ran = run_bounded(
        [
            office.program,
            f"-env:UserInstallation={office.profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(source.parent),
            str(source),
        ]
    )
    if ran.code != 0 or not result.is_file():
        pytest.fail(
            ran.report(f"LibreOffice did not convert {source.name} to {target}", **office.details()), pytrace=False
        )
    return result


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
