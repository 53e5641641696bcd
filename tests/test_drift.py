"""Drift: a lock file records what a profile was reviewed against; `check` notices core and parent changes."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from toolkit.checks import drift
from toolkit.paths import CORE_DIR
from toolkit.resolve.core import Core, load_core

from .conftest import SECTORS


@pytest.fixture
def project(tmp_path):
    """A copy of the core templates and the local council profile, so tests can edit them freely."""
    core_dir = tmp_path / "templates" / "core"
    shutil.copytree(CORE_DIR, core_dir)
    profiles = tmp_path / "profiles"
    (profiles / "sectors").mkdir(parents=True)
    shutil.copy(SECTORS / "local-council.yaml", profiles / "sectors")
    (profiles / "test-council.yaml").write_text(
        textwrap.dedent("""\
        extends: local-council
        name: Testshire Council
        clauses:
          - replace: principles.credible
            text: Check facts.
            reason: Shorter.
    """),
        encoding="utf-8",
    )
    return tmp_path


def _core(project: Path) -> Core:
    """The project's editable copy of the core, passed explicitly as the CLI's --core would."""
    return load_core(project / "templates" / "core")


def edit_core_clause(project: Path, file_part: str, old: str, new: str) -> None:
    path = next((project / "templates" / "core" / "sections").glob(f"*{file_part}*.md.j2"))
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def kinds(report: drift.DriftReport) -> dict[str | None, str]:
    return {finding.clause_id: finding.kind for finding in report.findings}


def test_a_profile_without_a_lock_needs_review(project):
    report = drift.check(project / "profiles" / "test-council.yaml", project / "profiles", core=_core(project))
    assert report.needs_review and report.findings[0].kind == "unreviewed"


def test_after_review_nothing_needs_review(project):
    profile = project / "profiles" / "test-council.yaml"
    lock = drift.review(profile, project / "profiles", core=_core(project))
    assert lock.name == "test-council.lock.yaml" and "principles.credible" in lock.read_text()
    assert not drift.check(profile, project / "profiles", core=_core(project)).needs_review


def test_a_core_edit_flags_the_clause_and_stale_overrides(project):
    profile = project / "profiles" / "test-council.yaml"
    drift.review(profile, project / "profiles", core=_core(project))
    edit_core_clause(project, "principles", "Be accurate, fair, thorough and open.", "Be accurate and fair.")
    edit_core_clause(project, "principles", "Welcome constructive criticism", "Welcome fair criticism")
    found = kinds(drift.check(profile, project / "profiles", core=_core(project)))
    assert found["principles.credible"] == "stale"
    assert found["principles.consistent"] == "changed"
    assert len([k for k in found.values() if k in ("stale", "changed")]) == 2


def test_a_parent_profile_change_makes_overrides_stale(project):
    profiles = project / "profiles"
    profile = profiles / "test-council.yaml"
    sector = profiles / "sectors" / "local-council.yaml"
    sector.write_text(
        sector.read_text() + "clauses:\n  - replace: principles.credible\n    text: A.\n", encoding="utf-8"
    )
    drift.review(profile, profiles, core=_core(project))
    sector.write_text(sector.read_text().replace("text: A.", "text: B."), encoding="utf-8")
    report = drift.check(profile, profiles, core=_core(project))
    assert kinds(report)["principles.credible"] == "stale"
    assert "profile local-council" in report.findings[0].message


def _unit_of_test_council(project: Path, parent_operation: str, unit_operations: str = "") -> tuple[Path, Path]:
    """The test council with one more clause operation, and a unit extending it (with its own operations)."""
    profiles = project / "profiles"
    parent = profiles / "test-council.yaml"
    parent.write_text(parent.read_text(encoding="utf-8") + textwrap.indent(parent_operation, "  "), encoding="utf-8")
    unit = profiles / "test-unit.yaml"
    unit.write_text(f"extends: test-council\nname: Testshire Parks\n{unit_operations}", encoding="utf-8")
    for profile in (parent, unit):
        drift.review(profile, profiles, core=_core(project))
    return parent, unit


CONSISTENT_EDIT = ("Welcome constructive criticism", "Welcome fair criticism")


def test_a_core_change_a_parent_reworded_away_flags_the_parent_not_its_unit(project):
    parent, unit = _unit_of_test_council(
        project, "- replace: principles.consistent\n  title: Be steady\n  text: Say the same everywhere.\n"
    )
    edit_core_clause(project, "principles", *CONSISTENT_EDIT)
    assert kinds(drift.check(parent, project / "profiles", core=_core(project)))["principles.consistent"] == "stale"
    report = drift.check(unit, project / "profiles", core=_core(project))
    assert "principles.consistent" not in kinds(report), report.findings
    assert "principles.consistent" not in (unit.with_name("test-unit.lock.yaml")).read_text().split("core_texts:")[1]


def test_a_unit_relies_on_the_core_title_a_parent_kept_and_not_on_the_core_text(project):
    parent, unit = _unit_of_test_council(project, "- replace: principles.consistent\n  text: Say the same.\n")
    edit_core_clause(project, "principles", *CONSISTENT_EDIT)  # the core's text: the parent replaced it
    assert kinds(drift.check(parent, project / "profiles", core=_core(project)))["principles.consistent"] == "stale"
    assert "principles.consistent" not in kinds(drift.check(unit, project / "profiles", core=_core(project)))
    edit_core_clause(project, "principles", "### Be consistent", "### Be steady")  # the title the unit shows
    assert kinds(drift.check(unit, project / "profiles", core=_core(project)))["principles.consistent"] == "changed"


def test_a_unit_that_brings_back_a_clause_its_parent_removed_relies_on_the_core(project):
    parent, unit = _unit_of_test_council(
        project,
        "- remove: principles.consistent\n  reason: Not for us.\n",
        "clauses:\n  - include: principles.consistent\n    reason: We post on many channels.\n",
    )
    edit_core_clause(project, "principles", *CONSISTENT_EDIT)
    for profile in (parent, unit):
        assert (
            kinds(drift.check(profile, project / "profiles", core=_core(project)))["principles.consistent"] == "stale"
        )


def test_a_core_text_an_older_review_recorded_but_no_longer_relied_on_is_no_finding(project):
    _parent, unit = _unit_of_test_council(
        project, "- replace: principles.consistent\n  title: Be steady\n  text: Say the same everywhere.\n"
    )
    lock = unit.with_name("test-unit.lock.yaml")
    core_print = _core(project).clauses["principles.consistent"].fingerprint
    text = lock.read_text(encoding="utf-8")
    assert "  principles.consistent:\n    test-council:" in text
    lock.write_text(
        text.replace("  principles.consistent:\n", f"  principles.consistent:\n    core: {core_print}\n", 1),
        encoding="utf-8",
    )
    edit_core_clause(project, "principles", *CONSISTENT_EDIT)
    assert "principles.consistent" not in kinds(drift.check(unit, project / "profiles", core=_core(project)))


def test_a_new_core_clause_is_reported(project):
    profile = project / "profiles" / "test-council.yaml"
    drift.review(profile, project / "profiles", core=_core(project))
    edit_core_clause(
        project,
        "principles",
        "{# clause principles.consistent #}",
        "{# clause principles.test-new #}\nA new principle.\n\n{# clause principles.consistent #}",
    )
    assert kinds(drift.check(profile, project / "profiles", core=_core(project)))["principles.test-new"] == "new"


def test_editing_one_clause_of_a_parents_new_section_flags_only_that_clause(project):
    profiles = project / "profiles"
    sector = profiles / "sectors" / "local-council.yaml"
    sector.write_text(
        sector.read_text()
        + textwrap.dedent("""\
        clauses:
          - add_section: extra
            after: principles
            title: Extra
            reason: Ours.
            clauses:
              - {id: extra.one, title: One, text: First text.}
              - {id: extra.two, title: Two, text: Second text.}
              - {id: extra.three, title: Three, text: Third text.}
        """),
        encoding="utf-8",
    )
    profile = profiles / "test-council.yaml"
    drift.review(profile, profiles, core=_core(project))
    sector.write_text(sector.read_text().replace("Second text.", "Second text edited."), encoding="utf-8")
    found = kinds(drift.check(profile, profiles, core=_core(project)))
    assert {clause for clause, kind in found.items() if kind in ("changed", "stale")} == {"extra.two"}


def test_check_diff_shows_the_cores_change_in_the_organisations_words(project, cli):
    profiles = project / "profiles"
    profile = profiles / "test-council.yaml"
    drift.review(profile, profiles, core=_core(project))
    edit_core_clause(project, "principles", "Welcome constructive criticism", "Welcome fair criticism")
    report = drift.check(profile, profiles, core=_core(project), redlines=True)
    finding = next(f for f in report.findings if f.clause_id == "principles.consistent")
    changed = [line for line in finding.redline if line.op != "equal"]
    assert len(changed) == 1 and ("delete", "constructive") in [(s.op, s.text.strip()) for s in changed[0].segments]
    assert ("insert", "fair") in [(s.op, s.text.strip()) for s in changed[0].segments]
    core_folder = project / "templates" / "core"
    code, out, _ = cli("--core", core_folder, "check", "--diff", profile, "--profiles", profiles)
    assert code == 1 and "[-constructive-]{+fair+}" in out.replace(" ", "")
    assert "The core's text at your review, and now:" in out
