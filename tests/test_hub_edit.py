"""Writing one clause change into a profile: only that operation's lines change, and the result is what was asked."""

from __future__ import annotations

import json

from ruamel.yaml import YAML

from toolkit.hub.edit import Form, markdown, updated_yaml
from toolkit.model import block_text
from toolkit.resolve.policy import resolve_profile

from .conftest import PROFILES

PROFILE = """\
# A profile with the things a round trip can lose.
name: Example Council   # the full name
contacts:
  hr:
    phone: null
    name: a long name that a writer would rejoin into one line if it were folded like this one
      is here
clauses:
  - replace: principles.credible
    text: Old words.   # about the old words
  # Our own clause follows.
  - add: official.own
    after: official.new-accounts
    title: Our own
    text: |
      Our text.
    reason: We need it.
"""


def _data(text: str) -> dict:
    return YAML(typ="safe").load(text)


def _changed_lines(before: str, after: str) -> list[str]:
    import difflib

    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_changing_an_operation_rewrites_only_its_lines():
    after = updated_yaml(PROFILE, "official.own", Form(title="Ours", text="New text.\r\nLine two.", reason="Why."))
    assert after.startswith("# A profile with the things a round trip can lose.\nname: Example Council   # the")
    assert "    phone: null\n" in after and "folded like this one\n      is here\n" in after
    assert "  # Our own clause follows.\n" in after
    op = _data(after)["clauses"][1]
    assert op == {"add": "official.own", "after": "official.new-accounts", "title": "Ours",
                  "text": "New text.\nLine two.\n", "reason": "Why."}  # fmt: skip
    assert all(line.startswith(("-    title", "+    title", "-      Our", "+      New", "+      Line", "-    reason",
                                "+    reason")) for line in _changed_lines(PROFILE, after))  # fmt: skip


def test_a_new_change_is_appended_and_a_removal_replaces_the_operation():
    added = updated_yaml(PROFILE, "code.public", Form(text="Public.", reason="Shorter."))
    assert _data(added)["clauses"][2] == {"replace": "code.public", "text": "Public.\n", "reason": "Shorter."}
    assert added.startswith(PROFILE)
    removed = updated_yaml(PROFILE, "principles.credible", Form(change="remove", reason="Not for us."))
    assert _data(removed)["clauses"][0] == {"remove": "principles.credible", "reason": "Not for us."}
    dropped = updated_yaml(PROFILE, "official.own", Form(change="remove", reason="x"))
    assert [op.get("add") for op in _data(dropped)["clauses"]] == [None]


def test_a_profile_without_clauses_gets_a_clauses_list():
    text = "name: Example Council\n"
    after = updated_yaml(text, "code.public", Form(text="Public.", reason="r"))
    assert after.startswith(text)
    assert _data(after)["clauses"] == [{"replace": "code.public", "text": "Public.\n", "reason": "r"}]


def test_the_form_offers_each_clause_as_markdown_that_reads_the_same(tmp_path):
    """Every clause's wording, written back as the form offers it, resolves to the same words and terms."""
    policy = resolve_profile(PROFILES / "riverside-borough-council.yaml", PROFILES)
    clauses = [c for s in policy.sections for c in s.visible_clauses if c.blocks]
    operations = [{"replace": c.id, "text": markdown(c.blocks)} for c in clauses]
    path = tmp_path / "riverside-again.yaml"
    path.write_text(json.dumps({"extends": "riverside-borough-council", "clauses": operations}), encoding="utf-8")
    again = {c.id: c for s in resolve_profile(path, PROFILES).sections for c in s.clauses}
    for clause in clauses:
        assert block_text(again[clause.id].blocks) == block_text(clause.blocks), clause.id
    terms = [
        node for c in again.values() for b in c.blocks for node in getattr(b, "inlines", []) if node.kind == "term"
    ]
    assert terms  # the organisation's words came back as placeholders, not frozen text
