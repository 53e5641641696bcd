"""The README's example profile is what a newcomer copies first: it must build exactly as printed."""

from __future__ import annotations

import re

from toolkit.model import block_text
from toolkit.resolve.policy import resolve_profile

from .conftest import PROFILES, ROOT


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(# profiles/millbrook-district-council\.yaml\n.*?)```", text, re.DOTALL)
    assert match, "the README's example profile is missing"
    return match.group(1)


def test_the_readme_example_profile_resolves_as_described(tmp_path):
    path = tmp_path / "millbrook-district-council.yaml"
    path.write_text(readme_example(), encoding="utf-8")
    policy = resolve_profile(path, PROFILES)
    clauses = {c.id: c for s in policy.sections for c in s.clauses}
    assert policy.organisation.name == "Millbrook District Council"
    assert clauses["principles.credible"].provenance.status == "replaced"
    assert "Millbrook Council's published source" in block_text(clauses["principles.credible"].blocks)
    assert clauses["official.millbrook-rota"].provenance.status == "added"
    assert not clauses["confidentiality.investigations"].visible


def test_the_readme_library_example_runs_as_written(monkeypatch, capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"### Use it from Python\n\n```python\n(.*?)```", text, re.DOTALL)
    assert match, "the README's library example is missing"
    monkeypatch.chdir(ROOT)
    exec(compile(match.group(1), "README.md", "exec"), {})
    assert capsys.readouterr().out.startswith("Riverside Borough Council True ")


def test_the_readme_diagram_names_every_stage_folder():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    diagram = re.search(r"## How it works\n\n```\n(.*?)```", text, re.DOTALL).group(1)
    folders = sorted(p.name for p in (ROOT / "toolkit").iterdir() if p.is_dir() and not p.name.startswith("_"))
    for folder in folders:
        assert f"{folder}/" in diagram or f"toolkit/{folder}/" in diagram, folder


def test_no_merge_conflict_markers_are_left_in_the_documents():
    documents = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for document in documents:
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
            assert not line.startswith(("<<<<<<< ", ">>>>>>> ")) and line != "=======", f"{document.name}:{number}"
