"""The differ: clause-level changes, substitutions kept apart from text changes, stable JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.diff import compare, compare_with_core, reporter
from toolkit.diff.compare import SAME_SOURCE
from toolkit.diff.matrix import build_matrix, html_report, terminal_report
from toolkit.diff.model import SCHEMA_VERSION, PolicyDiff

from .conftest import SECTORS, resolve_text

TESTSHIRE = "extends: local-council\nname: Testshire Council\n"


def changes(diff: PolicyDiff) -> dict[str, str]:
    return {clause.id: clause.change for clause in diff.changed_clauses}


def test_terminology_only_is_a_substitution_not_a_text_change(tmp_path):
    diff = compare_with_core(resolve_text(tmp_path, TESTSHIRE, ""))
    assert diff.summary.changed == 0
    staff = next(s for s in diff.substitutions if s.key == "term.staff")
    assert (staff.old, staff.new) == ("civil servant / civil servants", "council officer / council officers")
    organisation = next(s for s in diff.substitutions if s.key == "term.organisation")
    assert organisation.places > 20
    assert all(line.op == "equal" for clause in diff.clauses for line in clause.lines)


def test_added_removed_replaced_and_moved_clauses(tmp_path):
    policy = resolve_text(
        tmp_path,
        TESTSHIRE,
        """\
        clauses:
          - add: principles.test-kind
            after: principles.credible
            text: Be kind.
            reason: Our values.
          - remove: principles.responsive
            reason: Covered elsewhere.
          - replace: principles.consistent
            text: Welcome criticism and stay polite, always.
            reason: Shorter.
          - move: principles.integrated
            before: principles.intro
        """,
    )
    diff = compare_with_core(policy)
    assert changes(diff) == {
        "principles.integrated": "moved",
        "principles.test-kind": "added",
        "principles.responsive": "removed",
        "principles.consistent": "reworded",
    }
    removed = next(c for c in diff.clauses if c.id == "principles.responsive")
    assert (removed.by, removed.reason) == ("test-org", "Covered elsewhere.")
    replaced = next(c for c in diff.clauses if c.id == "principles.consistent")
    paragraph = next(line for line in replaced.lines if line.op == "replace")
    assert "Welcome" in paragraph.new_text and "always" in paragraph.new_text
    assert any(s.op == "delete" for s in paragraph.segments) and any(s.op == "insert" for s in paragraph.segments)
    assert diff.summary.added == diff.summary.removed == diff.summary.reworded == diff.summary.moved == 1


def test_replacing_a_clause_with_the_same_words_is_no_change(tmp_path):
    base = resolve_text(tmp_path, TESTSHIRE, "", name="test-base")
    same = resolve_text(
        tmp_path, TESTSHIRE, "clauses:\n  - replace: purpose.councillors\n    text: x\n", name="test-same"
    )
    again = resolve_text(
        tmp_path, TESTSHIRE, "clauses:\n  - replace: purpose.councillors\n    text: x\n", name="test-again"
    )
    assert changes(compare(same, again)) == {}
    assert changes(compare(base, same)) == {"purpose.councillors": "reworded"}


def test_two_organisations_differ_by_sector_clauses_and_details(sample_policy):
    diff = compare(sample_policy("riverside-borough-council"), sample_policy("greenvale-hospitals"))
    found = changes(diff)
    assert found["confidentiality.caldicott"] == "added"
    assert found["politics.restricted-posts"] == "removed"
    assert found["clinical-photography.rule"] == "added"
    keys = {s.key for s in diff.substitutions}
    assert {"org.name", "term.organisation", "code.values"} <= keys


def test_json_report_is_schema_stable(sample_policy):
    data = json.loads(reporter("json").report(compare_with_core(sample_policy("greenvale-hospitals"))))
    assert data["schema_version"] == SCHEMA_VERSION
    assert list(data) == ["schema_version", "old", "new", "summary", "substitutions", "filled_in", "clauses"]
    assert set(data["clauses"][0]) == {
        "id",
        "title",
        "section",
        "section_title",
        "change",
        "moved",
        "old_section",
        "old_section_title",
        "by",
        "reason",
        "history",
        "rule",
        "details",
        "lines",
    }
    assert set(data["substitutions"][0]) == {"key", "label", "old", "new", "places", "set_by", "old_set_by"}
    assert data["old"]["description"] == "the core guidance 2.0.0 as it applies to the NHS in England"
    assert PolicyDiff.model_validate(data) == compare_with_core(sample_policy("greenvale-hospitals"))


def test_terminal_report_plain_marks_changes_in_words(sample_policy):
    text = reporter("terminal").report(compare_with_core(sample_policy("greenvale-hospitals")), colour=False)
    assert "REMOVED: confidentiality.investigations" in text
    assert "The trust does not carry out online investigations" in text
    assert "{+" in text and "[-" in text
    assert "\x1b[" not in text
    coloured = reporter("terminal").report(compare_with_core(sample_policy("greenvale-hospitals")), colour=True)
    assert "\x1b[" in coloured


@pytest.mark.parametrize("name", ["riverside-borough-council", "coastal-survey-agency"])
def test_a_sample_against_its_parent_shows_only_its_own_changes(sample_policy, name):
    """Its own clause operations, plus the core clauses its own details make read differently (an email the parent
    did not give), and those said to be so, not blamed on anyone's operation."""
    policy = sample_policy(name)
    parent = sample_policy(policy.chain[-2])
    diff = compare(parent, policy)
    own = {
        clause.id
        for s in policy.sections
        for clause in s.clauses
        if any(change.layer == name for change in clause.provenance.history)
    }
    by_operation = {clause.id for clause in diff.changed_clauses if clause.by is not None}
    by_details = [clause for clause in diff.changed_clauses if clause.by is None]
    assert by_operation == own
    assert by_details and all(clause.reason == SAME_SOURCE and clause.id not in own for clause in by_details)


def test_matrix_shows_every_organisation_and_inherited_changes(sample_policy):
    names = ["central-government", "department-for-coastal-affairs", "coastal-survey-agency"]
    matrix = build_matrix([sample_policy(name) for name in names])
    row = next(r for r in matrix.rows if r.clause_id == "official.emergencies")
    assert [c.word for c in row.cells] == ["", "included", "included"]
    assert [c.own for c in row.cells] == [False, True, False]
    text = terminal_report(matrix)
    assert "official.emergencies" in text and "coastal-survey-agency" in text
    page = html_report(matrix)
    assert '<th scope="col">Coastal Survey Agency</th>' in page


def test_a_wide_overview_prints_a_grid_whose_columns_say_their_numbers():
    from toolkit.diff.matrix import Cell, Matrix, Row

    count = 23
    cells = tuple(Cell("reworded", "org", True) if n == 11 else Cell("inherited") for n in range(count))
    matrix = Matrix(
        tuple(f"org-{n}" for n in range(count)),
        tuple(f"Org {n}" for n in range(count)),
        (Row("a.changed", "a", "Changed", cells), Row("a.same", "a", "Same", (Cell("inherited"),) * count)),
    )
    lines = terminal_report(matrix).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Organisation"))
    tens, units = lines[at - 1], lines[at]
    column = next(line for line in lines if line.startswith("a.changed")).index("R")
    assert tens[column] + units[column] == "12"  # the 12th organisation reworded it
    assert not any(line.startswith("a.same") for line in lines) and "(1 other clauses" in "\n".join(lines)


def test_the_code_of_conduct_is_credited_to_the_profile_that_set_it(tmp_path):
    """The code of conduct is inherited field by field, and each field is credited to the profile that gave it."""
    from toolkit.resolve.policy import resolve_profile

    path = tmp_path / "northfell-icb.yaml"
    path.write_text(
        "extends: nhs-trust\nname: Northfell Integrated Care Board\n"
        "code_of_conduct:\n  name: the ICB's Standards of Business Conduct\n",
        encoding="utf-8",
    )
    policy = resolve_profile(path, tmp_path)
    filled = {item.key: item.set_by for item in compare_with_core(policy).filled_in}
    assert filled["code.name"] == "northfell-icb"
    assert filled.get("code.values") == "nhs-trust"  # not set here: inherited
    against = compare(resolve_profile(Path(SECTORS) / "nhs-trust.yaml", tmp_path), policy)
    names = [s for s in against.substitutions if s.key == "code.name"]
    assert names and names[0].set_by == "northfell-icb" and names[0].old_set_by == "nhs-trust"


def test_a_units_scope_against_its_organisation_redlines_only_the_words_that_changed(tmp_path):
    """The organisation's name is `org.name` on one side and `org.part_of` on the other: the same words, unmarked."""
    parent = resolve_text(tmp_path, TESTSHIRE, name="testshire-council")
    unit = resolve_text(tmp_path, "extends: testshire-council\nname: Testshire Planning\n", name="testshire-planning")
    scope = next(clause for clause in compare(parent, unit).clauses if clause.id == "purpose.scope")
    segments = [(s.op, s.text) for line in scope.lines for s in line.segments if s.op != "equal"]
    assert ("insert", "in or for Testshire Planning, part") in segments
    assert not any("Testshire Council" in text for _, text in segments)
