"""The package works once installed from its wheel, in a folder that is not this clone (issue: installable anywhere).

Builds the wheel, installs it into a fresh virtual environment outside the checkout, and builds a user's own
profile that extends a bundled sector profile there, plus a sample, all through the installed `policy-toolkit`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from .conftest import PROFILES, ROOT

USER_PROFILE = """\
extends: local-council
name: Ashworth Parish Council
contacts:
  press: {name: the clerk, email: clerk@ashworth.example}
  social_media: {name: the clerk, email: clerk@ashworth.example}
  data_protection: {name: the data protection lead, email: dp@ashworth.example}
  it_security: {name: the IT supplier, phone: 01632 960 333}
  hr: {name: the personnel committee, email: personnel@ashworth.example}
document:
  owner: Parish Clerk
  version: "1.0"
  approved_by: Full Council
  approved_on: 2026-11-01
  review_by: 2027-11-01
"""


def _uv() -> str:
    return subprocess.run([ROOT / "scripts" / "ensure-uv"], capture_output=True, text=True, check=True).stdout.strip()


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "POLICY_TOOLKIT_CORE", "PYTHONPATH")}
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `policy-toolkit` command of a clean environment that has only the wheel (and its dependencies)."""
    work = tmp_path_factory.mktemp("wheel")
    uv = _uv()
    _run([uv, "build", "--wheel", "--out-dir", work / "dist", "--quiet", ROOT], cwd=work)
    (wheel,) = (work / "dist").glob("*.whl")
    _run([uv, "venv", "--quiet", work / "venv"], cwd=work)
    _run([uv, "pip", "install", "--quiet", "--python", work / "venv" / "bin" / "python", wheel], cwd=work)
    return work / "venv" / "bin" / "policy-toolkit"


def test_the_wheel_ships_the_core_templates_fonts_and_sector_profiles(installed):
    (wheel,) = (installed.parent.parent.parent / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "toolkit/templates/core/core.yaml",
        "toolkit/templates/word/default.docx",
        "toolkit/templates/html/page.html.j2",
        "toolkit/templates/fonts/noto-sans/NotoSans-Regular.ttf",
        "toolkit/sectors/local-council.yaml",
    ):
        assert needed in names


def test_an_installed_toolkit_builds_a_users_profile_that_extends_a_bundled_sector(installed, tmp_path):
    folder = tmp_path / "our-policies"
    (folder / "profiles").mkdir(parents=True)
    (folder / "profiles" / "ashworth-parish-council.yaml").write_text(USER_PROFILE, encoding="utf-8")
    assert "local-council" in _run([installed, "list"], cwd=folder).stdout
    _run([installed, "validate"], cwd=folder)
    _run([installed, "build", "profiles/ashworth-parish-council.yaml"], cwd=folder)
    built = sorted(p.name for p in (folder / "output").iterdir() if not p.name.startswith("."))
    assert built == [f"ashworth-parish-council.{suffix}" for suffix in ("docx", "html", "pdf")]
    assert "Ashworth Parish Council" in (folder / "output" / "ashworth-parish-council.html").read_text("utf-8")


def test_an_installed_toolkit_builds_a_sample_copied_out_of_the_clone(installed, tmp_path):
    shutil.copytree(PROFILES, tmp_path / "profiles")
    _run([installed, "build", "profiles/greenvale-hospitals.yaml", "--format", "html,docx"], cwd=tmp_path)
    assert (tmp_path / "output" / "greenvale-hospitals.docx").stat().st_size > 10_000
