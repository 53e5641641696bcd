"""The differ is complete and says nothing it cannot show: a property test over generated profile edits.

For any change to a profile field or any clause operation, the clauses whose rendered text differs between the two
resolved policies are exactly the clauses the diff reports as added, removed, reworded or changed by settings, plus
those it says differ by a listed term or detail; every listed term or detail shows up in some clause. "Rendered
text" is read from the model independently of the differ: the words, link addresses, formatting and list numbering a
renderer prints.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.diff import compare, compare_with_core
from toolkit.errors import ToolkitError
from toolkit.model import Clause, Policy
from toolkit.paths import TEMPLATES_DIR
from toolkit.resolve.core import load_core
from toolkit.resolve.policy import resolve_profile

from .conftest import PROFILES

BASE = {
    "extends": "local-council",
    "name": "Fernbrook Borough Council",
    "short_name": "Fernbrook Council",
    "terminology": {"staff": {"singular": "council officer", "plural": "council officers"}},
    "contacts": {"press": {"name": "Fernbrook press team", "email": "press@fernbrook.example"}},
    "channels": [{"name": "Fernbrook news", "platform": "Blog", "url": "https://news.fernbrook.example"}],
    "clauses": [],
}
WORDS = ["officer", "team", "the board", "residents", "Élan", "the office"]
SENTENCES = [
    "Plain words here.",
    "Ask your {term.manager} first.",
    "Email {contact.press.email} or call {contact.press}.",
    "**Bold** words and *quiet* ones.",
    "- one bullet\n- two bullets\n- three bullets",
    "- one bullet\n- three bullets",
    "1. first step\n2. second step",
    "| Item | Details |\n| --- | --- |\n| A | {org.name} |",
    "Read [the rules](https://rules.example) today.",
]
VALUES = [{"name": n, "meaning": m} for n in ("Integrity", "Honesty") for m in ("be fair.", "tell the truth.")]


@cache
def _core_clause_ids() -> tuple[list[str], list[str]]:
    policy = _resolve_dict(json.dumps(BASE), None)
    present = [c.id for s in policy.sections for c in s.clauses if c.visible]
    optional = [clause_id for clause_id, rule in policy.core.rules.items() if rule == "optional"]
    return present, optional


_cache: dict[tuple[str, str | None], Policy] = {}


def _resolve_dict(text: str, core_folder: str | None) -> Policy:
    """Profiles are written as JSON (which is YAML) into a folder of their own, each version under its own name (a
    file rewritten in place within one clock tick could keep its modification time and size)."""
    key = (text, core_folder)
    if key not in _cache:
        folder = Path(_workdir()) / "profiles"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"fernbrook-{hashlib.sha256(text.encode()).hexdigest()[:12]}.yaml"
        path.write_text(text, encoding="utf-8")
        core = load_core(Path(core_folder)) if core_folder else None
        _cache[key] = resolve_profile(path, folder, core)
    return _cache[key]


@cache
def _workdir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="diff-complete-")


# What a reader gets, independently of the differ ------------------------------------------------------------------


def _runs(nodes: list, context: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    runs: list[tuple[tuple[str, ...], str]] = []
    for node in nodes or []:
        kind = node["kind"]
        if kind in ("text", "term"):
            runs.append((context, node["text"]))
        elif kind == "code":
            runs.append(((*context, "code"), node["text"]))
        elif kind == "break":
            runs.append((context, "\n"))
        else:
            inner = f"link:{node['url']}" if kind == "link" else kind
            runs += _runs(node["children"], (*context, inner))
    merged: list[tuple[tuple[str, ...], str]] = []
    for ctx, text in runs:  # a term beside plain words reads as one run of words
        if merged and merged[-1][0] == ctx:
            merged[-1] = (ctx, merged[-1][1] + text)
        elif text:
            merged.append((ctx, text))
    return merged


def _block(block: dict) -> object:
    if block["kind"] in ("paragraph", "heading"):
        return (block["kind"], _runs(block["inlines"]))
    if block["kind"] == "list":
        return ("list", block["ordered"], [[_block(inner) for inner in item["blocks"]] for item in block["items"]])
    return ("table", [[_runs(cell) for cell in row] for row in [block["header"], *block["rows"]]])


def rendered(clause: Clause) -> object:
    data = clause.model_dump(include={"title", "blocks"})
    return (_runs(data["title"] or []), [_block(block) for block in data["blocks"]])


def shown(policy: Policy) -> dict[str, object]:
    return {c.id: rendered(c) for s in policy.sections for c in s.clauses if c.visible}


def assert_complete(old: Policy, new: Policy) -> None:
    diff = compare(old, new)
    before, after = shown(old), shown(new)
    differs = {cid for cid in before.keys() | after.keys() if before.get(cid) != after.get(cid)}
    reported = {c.id for c in diff.clauses if c.change in ("added", "removed", "reworded", "settings") or c.details}
    assert differs == reported, f"text differs: {sorted(differs)}; reported: {sorted(reported)}"
    for clause in diff.clauses:
        if clause.change in ("reworded", "settings"):
            assert any(line.op != "equal" for line in clause.lines) or before[clause.id] != after[clause.id]
    listed = {s.key for s in diff.substitutions}
    used = {key for clause in diff.clauses for key in clause.details}
    assert listed == used, f"listed {sorted(listed)}, shown in clauses {sorted(used)}"
    assert diff.has_text_differences == bool(diff.summary.text_changed)


# Generated edits --------------------------------------------------------------------------------------------------

TERMS = ["staff", "organisation", "manager", "leadership", "code", "public", "press_office"]
PLURAL_TERMS = {"staff", "manager"}


def _term(key: str) -> st.SearchStrategy:
    words = st.sampled_from(WORDS)
    if key in PLURAL_TERMS:
        return st.builds(lambda s, p: {"singular": s, "plural": p + "s"}, words, words)
    return words


settings_edits = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["Fernbrook Borough Council", "Fernbrook City Council"]),
        "short_name": st.sampled_from(["Fernbrook Council", "Fernbrook"]),
        "terminology": st.lists(st.sampled_from(TERMS), unique=True, max_size=3).flatmap(
            lambda keys: st.fixed_dictionaries({key: _term(key) for key in keys})
        ),
        "contacts": st.fixed_dictionaries(
            {},
            optional={
                role: st.fixed_dictionaries(
                    {},
                    optional={
                        "name": st.sampled_from(["Press desk", "Fernbrook press team", "IT help"]),
                        "email": st.sampled_from(["a@fernbrook.example", "press@fernbrook.example"]),
                        "phone": st.sampled_from(["01632 960 111", "01632 960 222"]),
                        "url": st.just("https://help.fernbrook.example"),
                    },
                )
                for role in ("press", "hr", "it_security", "foi")
            },
        ),
        "code_of_conduct": st.fixed_dictionaries(
            {
                "name": st.sampled_from(["the Fernbrook code", "the Nolan principles"]),
                "values": st.lists(st.sampled_from(VALUES), min_size=1, max_size=3),
            },
            optional={"url": st.just("https://code.fernbrook.example")},
        ),
        "channels": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["Fernbrook news", "@Fernbrook"]),
                    "platform": st.sampled_from(["Blog", "Bluesky"]),
                    "url": st.sampled_from(["https://news.fernbrook.example", "https://bsky.example/fernbrook"]),
                }
            ),
            max_size=3,
        ),
        "document": st.fixed_dictionaries(
            {},
            optional={
                "owner": st.sampled_from(["Head of Communications", "Chief Executive"]),
                "version": st.sampled_from(["1.0", "2.0"]),
                "classification": st.just("OFFICIAL"),
            },
        ),
    },
)


@st.composite
def operations(draw) -> list[dict]:
    present, optional = _core_clause_ids()
    targets = draw(st.lists(st.sampled_from(present), unique=True, max_size=4))
    ops: list[dict] = []
    used = set(targets)
    text = st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3).map("\n\n".join)
    for target in targets:
        kind = draw(st.sampled_from(["replace", "remove", "add", "move"]))
        if kind == "replace":
            ops.append({"replace": target, "text": draw(text), "reason": "Local words."})
        elif kind == "remove":
            ops.append({"remove": target, "reason": "Not for us."})
        elif kind == "add":
            ops.append(
                {"add": f"fern.{target.replace('.', '-')}", "after": target, "text": draw(text), "reason": "Ours."}
            )
        else:
            anchor = draw(st.sampled_from([p for p in present if p not in used] or present))
            if anchor in used:
                continue
            used.add(anchor)
            ops.append({"move": target, "after": anchor, "reason": "Reads better."})
    for clause_id in draw(st.lists(st.sampled_from(optional), unique=True, max_size=2)):
        ops.append({"include": clause_id, "reason": "We need it."})
    return ops


def _variant(edits: dict, ops: list[dict]) -> str:
    profile = {**BASE, **edits, "clauses": ops}
    if "contacts" in edits:
        profile["contacts"] = {**BASE["contacts"], **edits["contacts"]}
    return json.dumps(profile)


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(edits=settings_edits, ops=operations())
def test_every_text_difference_is_reported_and_nothing_else(edits, ops):
    base = _resolve_dict(json.dumps(BASE), None)
    try:
        variant = _resolve_dict(_variant(edits, ops), None)
    except ToolkitError:
        return  # an edit `validate` refuses (e.g. moving a clause next to one just removed) has no diff to check
    assert_complete(base, variant)
    assert_complete(variant, base)


# The examples the property test grew from ---------------------------------------------------------------------------


def test_new_meanings_of_the_code_values_are_a_detail_difference():
    values = [{"name": "Selflessness", "meaning": "put the public first."}]
    old = _resolve_dict(json.dumps(BASE), None)
    new = _resolve_dict(_variant({"code_of_conduct": {"name": "the Nolan principles", "values": values}}, []), None)
    diff = compare(old, new)
    applies = next(c for c in diff.clauses if c.id == "code.applies-online")
    assert applies.change == "reworded" or "code.values" in applies.details
    assert_complete(old, new)


def test_deleting_one_bullet_shows_one_deletion():
    three = {"replace": "code.law", "text": "- alpha one\n- beta two\n- gamma three\n- delta four", "reason": "x"}
    two = {**three, "text": "- alpha one\n- gamma three\n- delta four"}
    diff = compare(_resolve_dict(_variant({}, [three]), None), _resolve_dict(_variant({}, [two]), None))
    clause = next(c for c in diff.clauses if c.id == "code.law")
    assert [(line.op, line.kind) for line in clause.lines if line.kind == "item"] == [
        ("equal", "item"),
        ("delete", "item"),
        ("equal", "item"),
        ("equal", "item"),
    ]


def test_numbered_items_keep_their_numbers():
    steps = {"replace": "code.law", "text": "1. first step\n2. second step\n3. third step", "reason": "x"}
    fewer = {**steps, "text": "1. first step\n2. third step"}
    diff = compare(_resolve_dict(_variant({}, [steps]), None), _resolve_dict(_variant({}, [fewer]), None))
    clause = next(c for c in diff.clauses if c.id == "code.law")
    assert [(line.op, line.number) for line in clause.lines if line.kind == "item"] == [
        ("equal", 1),
        ("delete", 2),
        ("equal", 2),
    ]


def _modified_core(tmp_path: Path) -> Path:
    folder = tmp_path / "core"
    shutil.copytree(TEMPLATES_DIR / "core", folder)
    code = folder / "sections" / "03-code.md.j2"
    code.write_text(code.read_text(encoding="utf-8").replace("Being open builds trust.", "Openness builds trust."))
    return folder


def test_an_explicit_core_invents_no_change(tmp_path):
    """Resolving against a modified core passed explicitly: the diff against that core shows the profile's own
    changes only, exactly as with the bundled core."""
    folder = _modified_core(tmp_path)
    riverside = PROFILES / "riverside-borough-council.yaml"
    bundled = compare_with_core(resolve_profile(riverside, PROFILES))
    explicit = compare_with_core(resolve_profile(riverside, PROFILES, load_core(folder)))
    changes = {c.id: c.change for c in explicit.changed_clauses}
    assert changes == {c.id: c.change for c in bundled.changed_clauses} == {"official.riverside-approval": "added"}
    assert explicit.substitutions == bundled.substitutions
    old = _resolve_dict(json.dumps(BASE), str(folder))
    new = _resolve_dict(_variant({"name": "Fernbrook City Council"}, []), str(folder))
    assert_complete(old, new)
    assert {c.id for c in compare(old, new).changed_clauses} == set()
