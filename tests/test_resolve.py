"""Resolution: inheritance, clause operations and the provenance every clause carries."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from toolkit.errors import ToolkitError
from toolkit.model import Clause, Policy, Term, block_text, plain_text
from toolkit.resolve.core import load_core
from toolkit.resolve.policy import resolve_profile

from .conftest import PROFILES, resolve_text, write_profile


def clause(policy: Policy, clause_id: str) -> Clause:
    return next(c for s in policy.sections for c in s.clauses if c.id == clause_id)


def clause_ids(policy: Policy) -> list[str]:
    return [c.id for s in policy.sections for c in s.visible_clauses]


def errors(folder: Path, text: str) -> str:
    with pytest.raises(ToolkitError) as caught:
        resolve_text(folder, text)
    return "\n".join(problem.render() for problem in caught.value.problems)


COUNCIL = """\
extends: local-council
name: Testshire District Council
"""


def test_a_child_inherits_everything_it_does_not_say(tmp_path):
    policy = resolve_text(tmp_path, COUNCIL)
    assert policy.chain == ["local-council", "test-org"]
    assert policy.organisation.name == "Testshire District Council"
    assert policy.organisation.sector == "local_government"
    assert policy.terms["staff"].singular == "council officer"
    assert policy.terms["staff"].set_by == "local-council"
    assert policy.document.owner == "Head of Communications"


def test_terms_stay_terms_in_the_model(tmp_path):
    policy = resolve_text(tmp_path, COUNCIL + "terminology:\n  staff: {singular: officer, plural: officers}\n")
    terms = [node for s in policy.sections for c in s.visible_clauses for node in _inlines(c) if isinstance(node, Term)]
    staff = [t for t in terms if t.key == "term.staff"]
    assert staff and {t.text.lower() for t in staff} <= {"officer", "officers"}
    assert any(t.key == "org.name" and t.text == "Testshire District Council" for t in terms)


def _inlines(clause: Clause) -> list:
    found: list = []

    def walk(nodes):
        for node in nodes:
            found.append(node)
            walk(getattr(node, "children", []))

    for block in clause.blocks:
        for nodes in _block_inlines(block):
            walk(nodes)
    return found


def _block_inlines(block) -> list:
    if hasattr(block, "inlines"):
        return [block.inlines]
    if hasattr(block, "items"):
        return [nodes for item in block.items for inner in item.blocks for nodes in _block_inlines(inner)]
    return [block.header, *[cell for row in block.rows for cell in row]]


def test_sector_clauses_follow_the_sector(sample_policy):
    council = clause_ids(sample_policy("local-council"))
    nhs = clause_ids(sample_policy("nhs-trust"))
    core = load_core()
    standard = [
        c
        for c in core.clauses.values()
        if not c.applicability.optional and c.applicability.kinds is None and c.applicability.nations is None
    ]
    council_only = [c.id for c in standard if c.applicability.sectors == {"local_government"}]
    nhs_only = [c.id for c in standard if c.applicability.sectors == {"nhs"}]
    assert council_only and nhs_only
    assert set(council_only) <= set(council) and not set(council_only) & set(nhs)
    assert set(nhs_only) <= set(nhs) and not set(nhs_only) & set(council)


def test_optional_clauses_need_including(tmp_path):
    optional = next(c for c in load_core().clauses.values() if c.applicability.optional)
    assert optional.id not in clause_ids(resolve_text(tmp_path, COUNCIL))
    policy = resolve_text(tmp_path, COUNCIL + f"clauses:\n  - include: {optional.id}\n    reason: we need it\n")
    assert optional.id in clause_ids(policy)
    included = clause(policy, optional.id).provenance
    assert (included.status, included.changed_by, included.reason) == ("included", "test-org", "we need it")


def test_replace_keeps_the_core_title_and_records_who_and_why(tmp_path):
    policy = resolve_text(
        tmp_path,
        COUNCIL
        + """\
        clauses:
          - replace: principles.credible
            text: Check your facts with {contact.press}, {org.short_name} style.
            reason: Shorter for our staff.
        """.replace("        ", ""),
    )
    replaced = clause(policy, "principles.credible")
    assert replaced.provenance.status == "replaced"
    assert replaced.provenance.changed_by == "test-org"
    assert replaced.provenance.reason == "Shorter for our staff."
    assert replaced.provenance.history[0].line == 4
    assert "Be credible" in plain_text(replaced.title)
    assert block_text(replaced.blocks) == "Check your facts with the communications team, the council style."
    assert replaced.provenance.core_fingerprint == load_core().clauses["principles.credible"].fingerprint


def test_remove_keeps_the_clause_in_the_model_with_its_reason(tmp_path):
    text = COUNCIL + "clauses:\n  - remove: principles.responsive\n    reason: Covered by our engagement strategy.\n"
    policy = resolve_text(tmp_path, text)
    removed = clause(policy, "principles.responsive")
    assert not removed.visible
    assert removed.provenance.reason == "Covered by our engagement strategy."
    assert "principles.responsive" not in clause_ids(policy)


def test_add_move_and_add_section_place_clauses_where_asked(tmp_path):
    policy = resolve_text(
        tmp_path,
        COUNCIL
        + textwrap.dedent("""\
        clauses:
          - add: principles.test-kindness
            after: principles.credible
            title: Be kind
            text: Be kind to {term.public}.
          - move: principles.integrated
            before: principles.credible
          - add_section: test-local
            after: principles
            title: Local rules
            clauses:
              - id: test-local.parking
                text: Do not post photos of the staff car park.
        """),
    )
    ids = clause_ids(policy)
    assert ids.index("principles.integrated") < ids.index("principles.credible") < ids.index("principles.test-kindness")
    sections = [s.id for s in policy.sections]
    assert sections[sections.index("principles") + 1] == "test-local"
    assert clause(policy, "principles.integrated").provenance.status == "moved"
    assert clause(policy, "principles.test-kindness").provenance.origin == "test-org"
    assert block_text(clause(policy, "principles.test-kindness").blocks) == "Be kind to residents and the public."


def test_a_grandchild_stacks_on_its_parent(tmp_path):
    write_profile(tmp_path, COUNCIL + "short_name: Testshire\n", name="test-parent")
    child = (
        "extends: test-parent\nname: Testshire Planning\nclauses:\n  - remove: principles.responsive\n    reason: x\n"
    )
    policy = resolve_text(tmp_path, child, name="test-child")
    assert policy.chain == ["local-council", "test-parent", "test-child"]
    assert policy.organisation.short_name == "Testshire"
    assert policy.organisation.name == "Testshire Planning"


def _scope(policy: Policy) -> str:
    return block_text(clause(policy, "purpose.scope").blocks).splitlines()[0]


AUTHORITY = """\
extends: local-council
name: Fellside Park Authority
terminology: {organisation: the Authority}
"""


@pytest.mark.parametrize(
    ("parent", "parent_text", "unit_text", "expected"),
    [
        (  # its own word for the organisation, which the unit keeps
            "test-authority",
            AUTHORITY,
            "",
            "works in or for Fellside Rangers, part of the Authority (Fellside Park Authority), including:",
        ),
        (  # the unit repeats its organisation's word: still the organisation's
            "test-authority",
            AUTHORITY,
            "terminology: {organisation: the Authority}\n",
            "works in or for Fellside Rangers, part of the Authority (Fellside Park Authority), including:",
        ),
        (  # a council's word comes from the sector profile: it still names the council, not the service
            "riverside-borough-council",
            None,
            "",
            "works in or for Fellside Rangers, part of the council (Riverside Borough Council), including:",
        ),
        ("department-for-coastal-affairs", None, "", "part of the department (Department for Coastal Affairs)"),
        ("westmarch-fire-and-rescue", None, "", "part of the service (Westmarch Fire and Rescue Service)"),
        ("hollowbrook-mental-health", None, "", "part of the trust (Hollowbrook Mental Health NHS Trust)"),
        (  # a part with its own word (an agency) is its own organisation
            "department-for-coastal-affairs",
            None,
            "terminology: {organisation: the agency}\n",
            "works for or on behalf of the agency (Fellside Rangers), including:",
        ),
    ],
)
def test_a_unit_is_part_of_its_organisation_not_named_as_it(tmp_path, parent, parent_text, unit_text, expected):
    if parent_text:
        write_profile(tmp_path, parent_text, name=parent)
    unit = resolve_text(tmp_path, f"extends: {parent}\nname: Fellside Rangers\n{unit_text}", name="test-unit")
    assert expected in _scope(unit)
    assert "(Fellside Rangers)" not in _scope(unit) or "agency" in unit_text


@pytest.mark.parametrize("text", [AUTHORITY, COUNCIL, "extends: parish-council\nname: Upper Ashby Parish Council\n"])
def test_an_organisation_names_itself_in_its_scope(tmp_path, text):
    policy = resolve_text(tmp_path, text)
    name = policy.organisation.name
    assert _scope(policy) == (
        f"This guidance applies to everyone who works for or on behalf of {policy.terms['organisation'].singular} "
        f"({name}), including:"
    )
    assert policy.organisation.part_of is None


def test_profile_text_is_never_a_template(tmp_path):
    text = COUNCIL + "clauses:\n  - replace: principles.credible\n    text: '{{ 7*7 }} {% if x %} <b>hi</b> &amp;'\n"
    policy = resolve_text(tmp_path, text)
    assert block_text(clause(policy, "principles.credible").blocks) == "{{ 7*7 }} {% if x %} <b>hi</b> &"


def test_resolution_is_deterministic(sample_policy):
    first = sample_policy("riverside-borough-council").model_dump_json()
    again = resolve_profile(PROFILES / "riverside-borough-council.yaml", PROFILES).model_dump_json()
    assert first == again


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        ("  - replace: principles.credable\n    text: x\n", "did you mean `principles.credible`?"),
        ("  - remove: principles.credible\n", "clauses #1 (remove: principles.credible), reason: is required here"),
        (
            "  - remove: principles.credible\n    reason: a\n  - replace: principles.credible\n    text: b\n",
            "a second operation on `principles.credible`",
        ),
        ("  - add: principles.credible\n    after: principles.consistent\n    text: x\n", "already exists"),
        ("  - add: test.new\n    text: x\n", "exactly one of `before:`, `after:` or `section:`"),
        ("  - replace: principles.credible\n    text: '{term.staf}'\n", "did you mean `{term.staff}`?"),
        ("  - replace: principles.credible\n    text: '[x](javascript:alert(1))'\n", "links must start with https://"),
        ("  - include: principles.credible\n", "already part of this policy"),
    ],
)
def test_operation_mistakes_name_the_line_and_suggest(tmp_path, operations, expected):
    message = errors(tmp_path, COUNCIL + "clauses:\n" + operations)
    assert "test-org.yaml:" in message
    assert expected in message


def test_missing_parent_suggests_a_name(tmp_path):
    message = errors(tmp_path, "extends: local-counci\nname: X\n")
    assert "test-org.yaml:1:10: extends:" in message and "did you mean `local-council`?" in message


def test_inheritance_cycles_are_refused(tmp_path):
    write_profile(tmp_path, "extends: test-b\nname: A\n", name="test-a")
    write_profile(tmp_path, "extends: test-a\nname: B\n", name="test-b")
    with pytest.raises(ToolkitError, match="in a circle: test-a → test-b → test-a"):
        resolve_profile(tmp_path / "test-a.yaml", PROFILES)


def test_contacts_inherit_detail_by_detail_and_null_drops_one(tmp_path):
    parent = COUNCIL + "contacts:\n  press: {name: Press team, email: p@x.example, phone: '01'}\n"
    write_profile(tmp_path, parent, name="test-parent")
    policy = resolve_text(
        tmp_path, "extends: test-parent\nname: Child\ncontacts:\n  press: {email: c@x.example, phone: null}\n"
    )
    press = next(contact for contact in policy.contacts if contact.role == "press")
    assert (press.name, press.email, press.phone) == ("Press team", "c@x.example", None)


def test_each_profile_in_a_chain_keeps_its_own_change_and_reason(tmp_path):
    from toolkit.resolve.notes import tailoring_notes

    write_profile(
        tmp_path,
        COUNCIL,
        "clauses:\n  - add: official.test-extra\n    after: official.posting\n    text: A.\n    reason: Parent's.\n",
        name="test-parent",
    )
    child = "extends: test-parent\nname: Child Directorate\nclauses:\n  - replace: official.test-extra\n"
    policy = resolve_text(tmp_path, child + "    text: B.\n    reason: Child's.\n", name="test-child")
    notes = [(n.change, n.by, n.reason) for n in tailoring_notes(policy) if n.clause_id == "official.test-extra"]
    assert notes == [
        ("Added", "Testshire District Council", "Parent's."),
        ("Reworded", "Child Directorate", "Child's."),
    ]
    assert policy.chain_names == {
        "local-council": "Model Council",
        "test-parent": "Testshire District Council",
        "test-child": "Child Directorate",
    }

    from toolkit.diff import compare_with_core

    added = next(c for c in compare_with_core(policy).clauses if c.id == "official.test-extra")
    assert (added.change, added.by, added.reason) == ("added", "test-parent", "Parent's.")
    assert [(h.by, h.action) for h in added.history] == [("test-parent", "add"), ("test-child", "replace")]


def test_a_removed_clause_without_a_title_is_named_as_one_clause_of_its_section(tmp_path):
    from toolkit.resolve.notes import tailoring_notes

    removed = "clauses:\n  - remove: code.social-workers\n    reason: We employ no social workers.\n"
    notes = {n.clause_id: n.title for n in tailoring_notes(resolve_text(tmp_path, COUNCIL + removed))}
    assert notes["code.social-workers"] == (
        "Your code of conduct online: one clause (“If you are a registered social…”)"
    )


def test_settings_and_clause_problems_are_reported_together_in_line_order(tmp_path):
    message = errors(
        tmp_path,
        COUNCIL + "terminology:\n  staf: x\nclauses:\n  - replace: principles.credable\n    text: y\n",
    )
    assert message.index(":4:") < message.index(":6:")
    assert "terminology.staf" in message and "principles.credable" in message


def test_a_placeholder_problem_names_its_own_line_inside_a_block(tmp_path):
    text = COUNCIL + "clauses:\n  - replace: principles.credible\n    text: |\n      Fine.\n      Ask {org.nam}.\n"
    message = errors(tmp_path, text)
    assert "test-org.yaml:7:" in message and "did you mean `{org.name}`?" in message


def test_a_pale_colour_gets_the_nearest_passing_shade(tmp_path):
    from toolkit.load.assets import MIN_CONTRAST, contrast_ratio, nearest_passing

    suggestion = nearest_passing("#d98cc0", "#ffffff")
    assert contrast_ratio(suggestion, "#ffffff") >= MIN_CONTRAST
    assert contrast_ratio(suggestion, "#ffffff") < MIN_CONTRAST + 0.3  # near the line, not black
    assert suggestion in errors(tmp_path, COUNCIL + "branding:\n  primary_colour: '#d98cc0'\n")


def test_kinds_switch_clauses_within_a_sector(sample_policy):
    foundation = clause_ids(sample_policy("nhs-foundation-trust"))
    trust = clause_ids(sample_policy("nhs-trust"))
    assert "purpose.governors" in foundation and "purpose.governors" not in trust
    parish, council = clause_ids(sample_policy("parish-council")), clause_ids(sample_policy("local-council"))
    assert "politics.restricted-posts" in council and "politics.restricted-posts" not in parish
    assert "purpose.parish" in parish and "purpose.parish" not in council
    assert sample_policy("police-force").organisation.kind == "police_force"


def test_a_kind_must_belong_to_the_sector(tmp_path):
    with pytest.raises(ToolkitError) as error:
        resolve_text(tmp_path, COUNCIL + "kind: foundation_trust\n")
    problem = error.value.problems[0]
    assert problem.field == "kind" and "`foundation_trust` is a kind of NHS body" in problem.message
    assert problem.line is not None


def test_code_of_conduct_inherits_field_by_field(tmp_path):
    policy = resolve_text(tmp_path, COUNCIL + "code_of_conduct:\n  values:\n    - {name: Care, meaning: we care.}\n")
    assert policy.code_of_conduct.name == "the Seven Principles of Public Life (the Nolan principles)"
    assert [value.name for value in policy.code_of_conduct.values] == ["Care"]


def test_retired_team_terms_point_to_the_contact(tmp_path):
    with pytest.raises(ToolkitError) as error:
        resolve_text(tmp_path, COUNCIL + "terminology:\n  comms_team: the web team\n")
    problem = error.value.problems[0]
    assert problem.field == "terminology.comms_team" and "contacts.social_media.name" in problem.message


def test_every_clause_operation_is_one_schema_class_one_method_and_one_row():
    """The schema, the applier, the tailoring notes, the differ and drift all read the same row."""
    from toolkit.load.schema import OPERATIONS
    from toolkit.resolve.operations import OPERATION_TABLE, Applier

    assert list(OPERATION_TABLE) == list(OPERATIONS)
    for action, entry in OPERATION_TABLE.items():
        assert entry.schema is OPERATIONS[action]
        assert getattr(Applier, entry.apply.__name__) is entry.apply
        assert entry.note and entry.yours and entry.explains in ("added", "removed", "reworded", "moved")


def test_a_clause_retired_from_the_core_says_what_became_of_it(tmp_path):
    """Clause IDs are never reused; a profile naming one the core took out is told where its content went."""
    with pytest.raises(ToolkitError) as caught:
        resolve_text(
            tmp_path,
            "extends: nhs-trust\nname: Test Trust\nclauses:\n"
            "  - replace: confidentiality.speak-up\n    text: Speak up.\n    reason: Ours.\n",
        )
    message = caught.value.problems[0].render()
    assert "no longer in the core guidance" in message and "personal.concerns" in message
    assert ":4:" in message


@pytest.mark.parametrize("name", sorted(path.stem for path in PROFILES.glob("*.yaml") if ".lock" not in path.name))
def test_without_core_text_every_clause_keeps_its_provenance(name):
    """What overviews and drift checks read is the same whether or not the core's wording is rendered."""
    from toolkit.resolve.policy import resolve_with_chain

    full, _ = resolve_with_chain(PROFILES / f"{name}.yaml", PROFILES)
    skeleton, _ = resolve_with_chain(PROFILES / f"{name}.yaml", PROFILES, core_text=False)
    assert skeleton.settings == full.settings
    pairs = [
        [(c.id, c.provenance, c.source) for s in policy.sections for c in s.clauses] for policy in (full, skeleton)
    ]
    assert pairs[0] == pairs[1]
    clauses = [[c for s in policy.sections for c in s.clauses] for policy in (full, skeleton)]
    for rendered, bare in zip(*clauses, strict=True):
        if rendered.provenance.core_fingerprint is None:  # the profile's own clause: still rendered
            assert bare.blocks == rendered.blocks and bare.title == rendered.title
        else:
            assert bare.blocks in ([], rendered.blocks)
    assert sum(bool(c.blocks) for c in clauses[1]) < sum(bool(c.blocks) for c in clauses[0])


def test_without_core_text_a_mistake_in_the_profiles_own_text_is_still_found(tmp_path):
    from toolkit.errors import ToolkitError
    from toolkit.resolve.policy import resolve_with_chain

    path = tmp_path / "test-org.yaml"
    path.write_text(
        "extends: local-council\nname: Testshire Council\nclauses:\n"
        "  - add: official.test\n    after: official.posting\n    text: |\n      ### A rule\n\n      Ask {org.nmae}.\n",
        encoding="utf-8",
    )
    with pytest.raises(ToolkitError, match=r"org\.nmae"):
        resolve_with_chain(path, tmp_path, core_text=False)
