"""Same inputs and SOURCE_DATE_EPOCH give the same bytes; two builds into one folder do not corrupt each other."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from docx import Document
from pypdf import PdfReader

from toolkit.render.build import build_profile

from .conftest import PROFILES, ROOT

FORMATS = ["html", "docx", "pdf"]
PROFILE = PROFILES / "dyffryn-tawel-council.yaml"


def build_in_process(folder):
    build_profile(PROFILE, FORMATS, folder, PROFILES)
    return {path.name: path.read_bytes() for path in sorted(folder.glob("[!.]*"))}


def build_in_subprocess(folder, hash_seed: str, epoch: str = "1764000000") -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONHASHSEED": hash_seed}
    return subprocess.run(
        [sys.executable, "-m", "toolkit", "build", str(PROFILE), "--out", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:  # module-scoped: the per-test epoch fixture has not run yet
        patch.setenv("SOURCE_DATE_EPOCH", "1764000000")
        return build_in_process(tmp_path_factory.mktemp("first"))


def test_building_twice_gives_identical_bytes(first_build, tmp_path):
    assert set(first_build) == {f"dyffryn-tawel-council.{lang}.{suffix}" for suffix in FORMATS for lang in ("cy", "en")}
    assert build_in_process(tmp_path) == first_build


def test_a_fresh_process_with_another_hash_seed_gives_identical_bytes(first_build, tmp_path):
    result = build_in_subprocess(tmp_path, hash_seed="12345")
    assert result.returncode == 0, result.stderr
    assert {path.name: path.read_bytes() for path in sorted(tmp_path.glob("[!.]*"))} == first_build


def test_the_timestamp_comes_from_source_date_epoch(first_build):
    docx = zipfile.ZipFile(io.BytesIO(first_build["dyffryn-tawel-council.cy.docx"]))
    assert {info.date_time for info in docx.infolist()} == {(2025, 11, 24, 16, 0, 0)}
    properties = Document(io.BytesIO(first_build["dyffryn-tawel-council.cy.docx"])).core_properties
    assert properties.created.isoformat().startswith("2025-11-24T16:00:00")
    metadata = PdfReader(io.BytesIO(first_build["dyffryn-tawel-council.cy.pdf"])).metadata
    assert metadata["/CreationDate"].startswith("D:20251124160000")


def test_two_builds_into_one_folder_at_once_both_succeed(tmp_path):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
    command = [sys.executable, "-m", "toolkit", "build", str(PROFILE), "--format", "html,docx", "--out", str(tmp_path)]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes
    assert sorted(path.name for path in tmp_path.glob("[!.]*")) == [
        "dyffryn-tawel-council.cy.docx",
        "dyffryn-tawel-council.cy.html",
        "dyffryn-tawel-council.en.docx",
        "dyffryn-tawel-council.en.html",
    ]
    Document(str(tmp_path / "dyffryn-tawel-council.cy.docx"))
    assert (tmp_path / "dyffryn-tawel-council.en.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
