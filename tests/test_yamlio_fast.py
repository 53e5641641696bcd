"""The fast YAML reader (libyaml events built by ruamel's constructor) against ruamel's own reader.

Whenever the fast reader returns data it must be exactly what ruamel's reader returns: the same values, the same
types (ruamel's str subclasses, int, float, bool, None), the same line and column for every key and item. Whatever it
does not read that way it leaves to ruamel's reader, so every message stays ruamel's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from toolkit.errors import ToolkitError
from toolkit.load import yamlio
from toolkit.load.yamlio import MAX_NESTING, MarkedMap, MarkedSeq, load_yaml, read_text

from .conftest import PROFILES, ROOT, SECTORS
from .test_bad_input import CASES

TEMPLATES = ROOT / "toolkit" / "templates"
BUNDLED = sorted(
    {
        *PROFILES.rglob("*.yaml"),
        *SECTORS.glob("*.yaml"),
        TEMPLATES / "core" / "core.yaml",
        *TEMPLATES.rglob("*.yaml"),
    }
)


def shape(data: Any, loc: tuple[Any, ...] = (), any_text: bool = False) -> list[Any]:
    """Every value with its type and repr, and every key and item with its line and column, in order. With
    `any_text`, ruamel's str subclasses (a `|` block) count as str: the marked reader gives plain str."""
    if isinstance(data, CommentedMap | MarkedMap):
        rows: list[Any] = [(loc, "map", data.lc.line, data.lc.col)]
        for key, value in data.items():
            rows.append((loc, type(key), repr(key), (data.lc.data or {}).get(key)))  # none for keys merged in by `<<`
            rows += shape(value, (*loc, key), any_text)
        return rows
    if isinstance(data, CommentedSeq | MarkedSeq):
        rows = [(loc, "seq", data.lc.line, data.lc.col)]
        for index, value in enumerate(data):
            rows.append((loc, index, data.lc.item(index)))
            rows += shape(value, (*loc, index), any_text)
        return rows
    if isinstance(data, float) and math.isnan(data):
        return [(loc, type(data), "nan")]
    if any_text and isinstance(data, str):
        return [(loc, str, repr(str(data)))]
    return [(loc, type(data), repr(data))]


def full_read(text: str, any_text: bool = False) -> Any:
    """ruamel's reader: the data, or the problems it reports."""
    try:
        return shape(yamlio._full_load(text, Path("x.yaml")), any_text=any_text)
    except ToolkitError as error:
        return error.problems


def fast_read(text: str) -> Any:
    """The fast reader's data, or None when it leaves the text to ruamel's reader."""
    try:
        return shape(yamlio._fast_load(text))
    except yamlio._FallBack:
        return None


def marked_read(text: str) -> Any:
    """The marked reader's data (values and marks straight from the events), or None when it leaves the text."""
    if "\\" in text or yamlio.has_forbidden_characters(text):
        return None  # left to the others, which check the values such texts can hold
    try:
        return shape(yamlio._marked_from_events(text), any_text=True)
    except yamlio._FallBack:
        return None


def assert_same_when_fast(text: str) -> bool:
    """Each fast reader's data equals ruamel's whenever it reads the text; True when the node reader did."""
    marked = marked_read(text)
    if marked is not None:
        assert marked == full_read(text, any_text=True), text
    fast = fast_read(text)
    if fast is None:
        return False
    assert fast == full_read(text), text
    return True


def load_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """`load_yaml` as it is, then with the fast reader switched off: data shapes, or the problems reported."""

    def outcome() -> Any:
        try:
            return shape(load_yaml(path), any_text=True)
        except ToolkitError as error:
            return [(p.message, p.line, p.column, p.field, p.hint) for p in error.problems]

    with_fast = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_fast_load", _always_fall_back)
        patch.setattr(yamlio, "_marked_from_events", _always_fall_back)
        without = outcome()
    return with_fast, without


def _always_fall_back(text: str) -> Any:
    raise yamlio._FallBack


# Every YAML file the toolkit ships ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=[str(p.relative_to(ROOT)) for p in BUNDLED])
def test_every_bundled_file_is_read_by_the_fast_reader_exactly_as_ruamel_reads_it(path):
    text = read_text(path)
    fast = fast_read(text)
    assert fast is not None, f"{path.name} fell back to ruamel's reader"
    assert fast == full_read(text)
    marked = marked_read(text)
    assert marked is not None, f"{path.name} fell back from the marked reader"
    assert marked == full_read(text, any_text=True)


def test_the_bundled_files_include_profiles_sectors_locks_and_the_core():
    names = {p.name for p in BUNDLED}
    assert "core.yaml" in names and "local-council.yaml" in names
    assert any(name.endswith(".lock.yaml") for name in names)
    assert len(BUNDLED) >= 25


def test_load_yaml_uses_the_fast_reader(monkeypatch):
    """Fails if the fast reader silently always fell back: here ruamel's reader is made unusable."""

    def no_full_reader(text: str, path: Path) -> Any:
        raise AssertionError("ruamel's reader was used")

    monkeypatch.setattr(yamlio, "_full_load", no_full_reader)
    monkeypatch.setattr(yamlio, "_fast_load", no_full_reader)
    data = load_yaml(PROFILES / "riverside-borough-council.yaml")
    assert isinstance(data, MarkedMap) and data["name"] and data.lc.key("name")[0] >= 0


# The catalogue of broken and hostile profiles --------------------------------------------------------------------


YAML_CASES = [
    (f"{case.id}/{name}", data)
    for case in CASES
    for name, data in [("profile", case.profile), *case.files.items()]
    if name == "profile" or name.endswith(".yaml") or name.endswith("_yaml")
]


@pytest.mark.parametrize("name,data", YAML_CASES, ids=[name for name, _ in YAML_CASES])
def test_every_hostile_catalogue_file_gives_the_same_data_or_message_both_ways(name, data, tmp_path, monkeypatch):
    path = tmp_path / "test-org.yaml"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    with_fast, without = load_both_ways(path, monkeypatch)
    assert with_fast == without


# Refused constructs keep their message, line and column -----------------------------------------------------------

DEEP = "a:" + "".join(f"\n{'  ' * i}b{i}:" for i in range(1, MAX_NESTING + 1)) + " x\n"
REFUSED = [
    ("anchor", "name: &a x\n", "YAML anchors (`&a`) are not allowed in profiles; write the value out", 1, 7),
    ("alias", "a: x\nb: *a\n", "YAML aliases (`*a`) are not allowed in profiles; write the value out", 2, 4),
    ("tag", "name: !!str x\n", "YAML tags (`tag:yaml.org,2002:str`) are not allowed in profiles", 1, 7),
    ("deep-block", DEEP, f"nested more than {MAX_NESTING} levels deep", 25, 49),
    ("deep-flow", "a: " + "[" * 30 + "]" * 30 + "\n", f"nested more than {MAX_NESTING} levels deep", 1, 27),
    (
        "duplicate-key",
        "name: a\nextends: b\nname: c\n",
        "`name` appears twice (first defined on line 1); a field may appear only once",
        3,
        1,
    ),
    ("tab", "a:\n\tb: 1\n", "a tab character is used for indentation; YAML needs spaces", 2, 1),
    ("indentation", "a:\n    b: 1\n  c: 2\n", "this line is not indented like the lines around it", 3, 3),
    ("colon", "name: a: b\n", "not valid YAML: a `:` where it cannot be", 1, 8),
    ("no-colon", "a: 1\nb\nc: 2\n", "a line here has no `name: value` form", 3, 1),
    (
        "two-documents",
        "a: 1\n---\nb: 2\n",
        "not valid YAML: expected a single document in the stream but found another document",
        2,
        1,
    ),
    (
        "unclosed-quote",
        'name: "abc\n',
        "not valid YAML: while scanning a quoted scalar found unexpected end of stream",
        2,
        1,
    ),
    (
        "long-number",
        "version: " + "1" * 5000 + "\n",
        "not valid YAML: this number has too many digits to read; put it in quotes if it is meant as text",
        1,
        10,
    ),
    (
        "spaces-then-deeper-block",
        "a: |\n  \n    text\n",
        "not valid YAML: more indented follow up line than first in a block scalar",
        3,
        5,
    ),
]


@pytest.mark.parametrize("id,text,message,line,column", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_constructs_keep_their_message_and_line(id, text, message, line, column, tmp_path, monkeypatch):
    path = tmp_path / "test-org.yaml"
    path.write_text(text, encoding="utf-8")
    with_fast, without = load_both_ways(path, monkeypatch)
    assert with_fast == without
    assert [(m, ln, col) for m, ln, col, _, _ in with_fast] == [(message, line, column)]


# Scalars YAML 1.1 and 1.2 read differently, and other tricky text ---------------------------------------------------

TRICKY = [
    *("no", "yes", "on", "off", "y", "n", "Yes", "NO", "true", "False", "TRUE"),
    *("~", "null", "Null", "", "0o17", "017", "0x1F", "0b101", "1_000", "1,000", "+12", "-0", "12:30", "1:20:30"),
    *(".inf", "-.inf", ".NaN", "1e3", "1.5e-3", "6.", ".5", "2026-13-01", "2026-12-01", "2026-12-01T10:00:00Z"),
    *("<<", "=", "é", "🙂", "naïve café", "ŵ ŷ", "a # not a comment", "x#y", "- dash", "? q", "@at", "%pct"),
    *("'single'", '"double"', "line1\nline2", "para\n\nnext", "trailing  ", "  leading", "\\back\\slash", "a, b"),
    *("[bracket]", "{brace}", "key: value", "http://example.org/a:b", "*star", "&amp", "!bang", "`tick`"),
]


def styled(value: str, style: str, indent: int) -> str:
    """A scalar written in one YAML style (the value part of `key: ...` or `- ...`), possibly not valid YAML."""
    pad = " " * (indent + 2)
    if style == "plain":
        return value
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(value, ensure_ascii=False)
    lines = value.split("\n")
    return style + "\n" + "\n".join(pad + line if line else "" for line in lines)


STYLES = st.sampled_from(["plain", "single", "double", "|", "|-", "|+", ">", ">-", ">+"])
SCALARS = st.tuples(st.one_of(st.sampled_from(TRICKY), st.text(max_size=12)), STYLES)
KEYS = st.one_of(
    st.sampled_from(["name", "extends", "a", "b-c", "d_e", "yes", "1", "é", "x y"]), st.sampled_from(TRICKY)
)
COMMENT = st.sampled_from(["", "", "", "# a comment", "#", "  # indented comment", "\n"])

TREES = st.recursive(
    SCALARS.map(lambda scalar: ("scalar", scalar)),
    lambda children: st.one_of(
        st.lists(st.tuples(KEYS, children, COMMENT), max_size=5).map(lambda pairs: ("map", pairs)),
        st.lists(st.tuples(children, COMMENT), max_size=5).map(lambda items: ("seq", items)),
        st.lists(SCALARS, max_size=3).map(lambda items: ("flow", items)),
    ),
    max_leaves=25,
)


def render(tree: Any, indent: int = 0) -> str:
    """A tree of mappings, lists and styled scalars as block YAML text (the value after `key:` or `-`)."""
    pad = " " * indent
    kind, content = tree
    if kind in ("map", "seq"):
        if not content:
            return "{}" if kind == "map" else "[]"
        lines = []
        for *entry, comment in content:
            if comment:
                lines.append(_comment_line(comment, pad))
            lead = f"{styled(entry[0], 'plain', indent)}:" if kind == "map" else "-"
            lines.append(f"{pad}{lead}{_after_colon(entry[-1], indent)}")
        return "\n" + "\n".join(lines)
    if kind == "flow":
        return "[" + ", ".join(styled(value, _flow_style(style), 0) for value, style in content) + "]"
    value, style = content  # a scalar
    return styled(value, style, indent - 2)


def _comment_line(comment: str, pad: str) -> str:
    """A blank line, a comment at the entries' indentation, or one indented its own way."""
    return "" if comment == "\n" else pad + comment if comment.startswith("#") else comment


def _flow_style(style: str) -> str:
    return style if style in ("single", "double") else "plain"


def _after_colon(value: Any, indent: int) -> str:
    text = render(value, indent + 2)
    return text if text.startswith("\n") or not text else " " + text


def document(tree: Any, crlf: bool) -> str:
    text = render(("map", tree[1]) if tree[0] == "map" else ("map", [("root", tree, "")])).lstrip("\n") + "\n"
    return text.replace("\n", "\r\n") if crlf else text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=TREES, crlf=st.booleans())
def test_generated_documents_read_the_same_both_ways(tree, crlf):
    assert_same_when_fast(document(tree, crlf))


def test_a_document_of_every_tricky_scalar_in_every_style_is_read_fast_and_the_same():
    lines = ["# every tricky scalar", "items:"]
    for number, value in enumerate(TRICKY):
        for style in ["plain", "single", "double", "|", "|-", "|+", ">", ">-", ">+"]:
            if style == "plain" and fast_read(f"k: {value}\n") is None:
                continue  # not a plain scalar (e.g. `- dash`): no need to read it fast
            if style[0] in "|>" and value != value.strip():
                continue  # leading spaces need an indentation indicator
            lines += [f"  v{number}-{style}: {styled(value, style, 2)}", "  # a comment between items", ""]
    lines += ["list:", "  - one", "  # a comment between items", "  - 'two'", "  -", "  - [1, 2]", "empty:", "end: 1"]
    text = "\n".join(lines) + "\n"
    assert assert_same_when_fast(text), "the tricky document fell back to ruamel's reader"
    assert assert_same_when_fast(text.replace("\n", "\r\n")), "with CRLF line endings it fell back"
    items = yamlio._fast_load(text)["items"]

    def plain_value(value: str) -> Any:
        return items[f"v{TRICKY.index(value)}-plain"]

    assert [plain_value(v) for v in ("no", "yes", "on", "true", "~", "0o17", "0x1F", "1_000")] == [
        *("no", "yes", "on", True, None, 15, 31, 1000),
    ]
    assert plain_value(".inf") == math.inf and plain_value("2026-13-01") == "2026-13-01"  # dates stay text
    assert items[f"v{TRICKY.index('0o17')}-single"] == "0o17"
    assert type(items[f"v{TRICKY.index('para' + chr(10) + chr(10) + 'next')}-|"]).__name__ == "LiteralScalarString"


def test_a_byte_order_mark_and_crlf_file_reads_the_same(tmp_path, monkeypatch):
    path = tmp_path / "test-org.yaml"
    path.write_bytes("\ufeffname: Café 🙂\r\nlist:\r\n  - |\r\n    one\r\n    two\r\n  -\r\nb: 0o17\r\n".encode())
    with_fast, without = load_both_ways(path, monkeypatch)
    assert with_fast == without
    assert yamlio._fast_load(read_text(path))["list"][0] == "one\ntwo\n"


MUTATIONS = st.sampled_from([*":- \n\"'#[]{},|>?&*!%@`\\~", ": ", "- ", "\n  ", "  ", "|-\n", ">+\n", "\r\n", "é"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(BUNDLED),
    start=st.integers(min_value=0, max_value=400),
    length=st.integers(min_value=1, max_value=25),
    edits=st.lists(st.tuples(st.floats(0, 1), st.booleans(), MUTATIONS), min_size=1, max_size=3),
)
def test_damaged_pieces_of_real_files_read_the_same_or_fall_back(source, start, length, edits):
    lines = read_text(source).split("\n")
    text = "\n".join(lines[start % len(lines) :][:length])
    for where, insert, piece in edits:
        at = int(where * len(text))
        text = text[:at] + piece + text[at:] if insert else text[:at] + text[at + len(piece) :]
    assert_same_when_fast(text)


@pytest.mark.parametrize(
    "text",
    ["a:\nb: 1\n", "a:\n\n# c\nb: 1\n", "x:\n  a:\ny: 1\n", "x:\n  a:\n    # c\n\ny: 1\n", "- a:\n  b:\n", "a:\n"],
)
def test_an_empty_value_is_marked_where_ruamel_marks_it(text):
    """ruamel marks `key:` with no value at the next key (or the end of the mapping), not after the colon."""
    assert assert_same_when_fast(text), "fell back"


@pytest.mark.parametrize("text", ["a: # c\nb: 1\n", "a:", "{a: , b: }\n", "[a, , b]\n", "? a\n? b\n"])
def test_an_empty_value_ruamel_marks_its_own_way_falls_back(text):
    assert fast_read(text) is None


def test_without_libyaml_every_file_is_read_by_ruamel(monkeypatch):
    monkeypatch.setattr(yamlio, "_libyaml", lambda: None)
    text = read_text(PROFILES / "riverside-borough-council.yaml")
    assert fast_read(text) is None
    assert shape(load_yaml(PROFILES / "riverside-borough-council.yaml")) == full_read(text)


@pytest.mark.parametrize(
    "text,message",
    [
        ('name: "Test\\x07shire"\n', "contains a control character (U+0007)"),
        ("name: Test\ufdd0shire\n", "contains a non-character (U+FDD0)"),
        ('name: "Test\\ud800shire"\n', "contains half of a character (a lone surrogate) (U+D800)"),
    ],
)
def test_characters_documents_cannot_hold_are_refused_with_their_line(text, message, tmp_path, monkeypatch):
    path = tmp_path / "test-org.yaml"
    path.write_text("extends: local-council\n" + text, encoding="utf-8")
    with_fast, without = load_both_ways(path, monkeypatch)
    assert with_fast == without
    assert with_fast[0][0].startswith(message) and with_fast[0][1:4] == (2, 7, "name")


def test_an_escaped_emoji_is_one_character_both_ways(tmp_path, monkeypatch):
    path = tmp_path / "test-org.yaml"
    path.write_text('name: "Smile \\ud83d\\ude42"\n', encoding="utf-8")
    with_fast, without = load_both_ways(path, monkeypatch)
    assert with_fast == without
    assert load_yaml(path)["name"] == "Smile 🙂"


def test_a_comment_after_a_key_then_a_multi_line_value_is_read(tmp_path):
    """ruamel 0.19's round-trip reader stops with `NotImplementedError: overlap in comment` on this valid YAML (a
    comment after `key:`, then a plain value over lines with a blank line between); the fast reader reads it."""
    path = tmp_path / "test-org.yaml"
    path.write_text("a:     # note\n    These points apply.\n\n    These too.\n\nb: |+\n", encoding="utf-8")
    data = load_yaml(path)
    assert data["a"] == "These points apply.\nThese too." and data["b"] == ""
    assert tuple(data.lc.value("a")) == (1, 4)


# Plain data straight from the events (`load_plain`, for lock files) ------------------------------------------------


def typed(data: Any) -> Any:
    """Data with every value's exact type beside it, in order (so `1` and `True`, `"1"` and `1` differ)."""
    if isinstance(data, dict):
        return ("dict", [(typed(key), typed(value)) for key, value in data.items()])
    if isinstance(data, list):
        return ("list", [typed(value) for value in data])
    for kind in (bool, int, float, str):  # ruamel's str and int subclasses (a `|` block, say) are the same data
        if isinstance(data, kind):
            return (kind.__name__, repr(kind(data)))
    return (type(data).__name__, repr(data))


def plain_both_ways(path: Path) -> tuple[Any, Any]:
    results = []
    for read in (lambda: yamlio.plain(load_yaml(path)), lambda: yamlio.load_plain(path)):
        try:
            results.append(("data", typed(read())))
        except ToolkitError as error:
            results.append(("error", [problem.render() for problem in error.problems]))
    return results[0], results[1]


@pytest.mark.parametrize("path", BUNDLED, ids=[str(p.relative_to(ROOT)) for p in BUNDLED])
def test_plain_reading_gives_what_load_yaml_gives(path):
    full, fast = plain_both_ways(path)
    assert fast == full


def test_lock_files_are_read_plain_without_ruamel(monkeypatch):
    """Lock files hold only text: they take the short way (ruamel's reader and constructor made unusable here)."""
    monkeypatch.setattr(yamlio, "load_yaml", _always_fall_back)
    locks = sorted(PROFILES.glob("*.lock.yaml")) + sorted(SECTORS.glob("*.lock.yaml"))
    assert locks and all(isinstance(yamlio.load_plain(lock), dict) for lock in locks)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(tree=TREES, crlf=st.booleans())
def test_generated_documents_read_plain_the_same(tree, crlf, tmp_path):
    path = tmp_path / "file.yaml"
    path.write_text(document(tree, crlf), encoding="utf-8", newline="")
    full, fast = plain_both_ways(path)
    assert fast == full


@pytest.mark.parametrize("name,data", YAML_CASES, ids=[name for name, _ in YAML_CASES])
def test_hostile_files_read_plain_give_the_same_data_or_message(name, data, tmp_path):
    path = tmp_path / "file.yaml"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    full, fast = plain_both_ways(path)
    assert fast == full
