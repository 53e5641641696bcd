"""Safe YAML with line marks: the only way the toolkit reads YAML.

ruamel.yaml's round-trip loader refuses duplicate keys and remembers where every key and item came from, so a
validation error can name the line. Anchors, aliases and tags are refused before anything is built: they are how
small files expand into huge ones, and no profile needs them.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from ruamel.yaml.parser import RoundTripParser

from toolkit.errors import Problem, ToolkitError
from toolkit.load.fields import field_name

MAX_BYTES = 1024 * 1024
MAX_NESTING = 24
_NONCHARACTERS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
# What neither Word's XML nor valid HTML may hold: C0 and C1 controls (tab and line breaks aside), surrogates and
# Unicode non-characters.
FORBIDDEN_CHARACTERS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")
SURROGATE = re.compile("[\ud800-\udfff]")

Location = tuple[int | None, int | None]


def load_yaml(path: Path) -> Any:
    """The file's data as ruamel Commented* objects (dicts and lists that know their lines)."""
    text = read_text(path)
    if not text.strip():
        raise ToolkitError(Problem("the file is empty", file=path, hint="a profile needs at least `name:`"))
    try:
        data = _parser().load(text)
    except _UnsafeConstruct as unsafe:
        raise ToolkitError(Problem(unsafe.message, file=path, line=unsafe.line, column=unsafe.column)) from None
    except MarkedYAMLError as error:
        raise ToolkitError(_marked_problem(error, path, text)) from None
    except YAMLError as error:
        raise ToolkitError(Problem(f"not valid YAML: {error}", file=path)) from None
    if data is None:
        raise ToolkitError(Problem("the file has no fields, only comments", file=path))
    join_surrogate_pairs(data)
    refuse_forbidden_characters(data, path)
    return data


def join_surrogate_pairs(data: Any) -> None:
    """`"\\ud83d\\ude42"` (how JSON tools escape an emoji) means 🙂: YAML decodes it as two halves; join them."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in list(items):
        if isinstance(value, str) and SURROGATE.search(value):
            data[key] = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        elif isinstance(value, dict | list):
            join_surrogate_pairs(value)


def read_text(path: Path) -> str:
    """UTF-8 text (a byte-order mark is fine), refusing huge or non-UTF-8 files with the line at fault."""
    try:
        raw = read_capped(path, MAX_BYTES, "1 MiB")
    except IsADirectoryError:
        raise ToolkitError(Problem("is a folder, not a file", file=path)) from None
    except FileNotFoundError:
        raise ToolkitError(Problem("no such file", file=path)) from None
    except OSError as error:
        raise ToolkitError(Problem(f"cannot read the file: {error.strerror}", file=path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise ToolkitError(
            Problem(
                f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x})",
                file=path,
                line=line,
                column=column,
                hint="save it as UTF-8 in your editor",
            )
        ) from None


def read_capped(path: Path, limit: int, limit_words: str) -> bytes:
    """A regular file's bytes, at most `limit` of them, read without ever blocking or reading forever.

    Opened without blocking and checked after opening, so a FIFO (which would wait for a writer) or a device such
    as /dev/zero (which never ends) is refused, even if it replaced a regular file since it was listed.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(status.st_mode):
            raise ToolkitError(Problem("is not a regular file (a pipe, device or socket); give a file", file=path))
        if status.st_size > limit:
            raise ToolkitError(
                Problem(f"the file is {status.st_size:,} bytes; the limit is {limit:,} ({limit_words})", file=path)
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ToolkitError(Problem(f"the file is over {limit:,} bytes; the limit is {limit_words}", file=path))
    return data


class _Constructor(RoundTripConstructor):
    """Dates stay text here, so that pydantic parses them and an impossible date is reported with its line."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


class _UnsafeConstruct(Exception):
    def __init__(self, message: str, where: Location) -> None:
        super().__init__(message)
        self.message, (self.line, self.column) = message, where


class _SafeParser(RoundTripParser):
    """Refuses anchors, aliases, tags and deep nesting as each parse event arrives, before any node or object is
    built from it: one pass over the file instead of a checking pass and a loading pass."""

    def get_event(self) -> Any:
        event = super().get_event()
        depth = getattr(self, "_depth", 0)
        problem = _unsafe_event_problem(event, depth)
        if problem:
            raise _UnsafeConstruct(problem, _mark(event))
        if isinstance(event, CollectionStartEvent):
            self._depth = depth + 1
        elif isinstance(event, CollectionEndEvent):
            self._depth = depth - 1
        return event


def _parser() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Parser = _SafeParser
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def _unsafe_event_problem(event: object, depth: int) -> str | None:
    if isinstance(event, AliasEvent):
        return f"YAML aliases (`*{event.anchor}`) are not allowed in profiles; write the value out"
    if isinstance(event, NodeEvent) and event.anchor:
        return f"YAML anchors (`&{event.anchor}`) are not allowed in profiles; write the value out"
    if isinstance(event, NodeEvent) and getattr(event, "tag", None):
        return f"YAML tags (`{event.tag}`) are not allowed in profiles"
    if isinstance(event, CollectionStartEvent) and depth >= MAX_NESTING:
        return f"nested more than {MAX_NESTING} levels deep"
    return None


def _mark(event: object) -> Location:
    mark = getattr(event, "start_mark", None)
    return (mark.line + 1, mark.column + 1) if mark else (None, None)


def _marked_problem(error: MarkedYAMLError, path: Path, text: str = "") -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    if isinstance(error, DuplicateKeyError) and line is not None:
        return _duplicate_key_problem(error, path, text, line, column)
    message = " ".join(part for part in (error.context, error.problem) if part) or "not valid YAML"
    message = re.sub(r"\s+", " ", message).strip()
    message, hint = _plain_yaml_message(message)
    return Problem(message, file=path, line=line, column=column, hint=hint)


def _plain_yaml_message(message: str) -> tuple[str, str | None]:
    """The parser's words, and what they usually mean for someone editing a profile."""
    if "'\\t'" in message or "\t" in message or "tab" in message.lower():
        return "a tab character is used for indentation; YAML needs spaces", "replace the tab with spaces"
    if "mapping values are not allowed" in message:
        return (
            "not valid YAML: a `:` where it cannot be",
            "usually a line indented further than the line above it, or a value with `: ` in it that needs quotes",
        )
    if "expected <block end>" in message or "could not find expected ':'" in message:
        return f"not valid YAML: {message}", "check that this line lines up with the lines around it"
    if "found unexpected end of stream" in message or "found unexpected end" in message:
        return f"not valid YAML: {message}", "a quote or bracket was opened and not closed"
    return f"not valid YAML: {message}", None


def _duplicate_key_problem(error: MarkedYAMLError, path: Path, text: str, line: int, column: int | None) -> Problem:
    key = re.search(r'duplicate key "([^"]*)"', error.problem or "")
    name = key.group(1) if key else "?"
    lines = text.splitlines()
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip()) if line <= len(lines) else 0
    pattern = re.compile(rf"^\s{{{indent}}}(- )?['\"]?{re.escape(name)}['\"]?\s*:")
    first = next((n + 1 for n in range(line - 2, -1, -1) if pattern.match(lines[n])), None)
    where = f" (first defined on line {first})" if first else ""
    return Problem(
        f"`{name}` appears twice{where}; a field may appear only once",
        file=path,
        line=line,
        column=column,
        field=name,
        hint="delete one of them",
    )


def refuse_forbidden_characters(data: Any, path: Path) -> None:
    """Control characters cannot go into Word's XML; say where they are instead of failing later."""
    problems = [
        Problem(
            f"contains {_character_kind(match.group())} (U+{ord(match.group()):04X}) that documents cannot hold",
            file=path,
            line=where[0],
            column=where[1],
            field=field,
            hint="delete it; it is often pasted in invisibly from another program",
        )
        for field, text, where in walk_strings(data)
        if (match := FORBIDDEN_CHARACTERS.search(text))
    ]
    if problems:
        raise ToolkitError(problems)


def _character_kind(character: str) -> str:
    if SURROGATE.match(character):
        return "half of a character (a lone surrogate)"
    if character in _NONCHARACTERS or "\ufdd0" <= character <= "\ufdef":
        return "a non-character"
    return "a control character"


def walk_strings(data: Any, root: Any = None, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[str, str, Location]]:
    """Every string key and value with its field name and location."""
    root = data if root is None else root
    if isinstance(data, CommentedMap):
        for key, value in data.items():
            here = (*loc, key)
            if isinstance(key, str):
                yield field_name(here, root), key, _one_based(data.lc.key(key))
            if isinstance(value, str):
                yield field_name(here, root), value, _one_based(data.lc.value(key))
            else:
                yield from walk_strings(value, root, here)
    elif isinstance(data, CommentedSeq):
        for index, value in enumerate(data):
            here = (*loc, index)
            if isinstance(value, str):
                yield field_name(here, root), value, _one_based(data.lc.item(index))
            else:
                yield from walk_strings(value, root, here)


def locate(data: Any, loc: tuple[str | int, ...]) -> Location:
    """The line and column of the deepest part of `loc` present in `data` (1-based)."""
    best: Location = (None, None)
    node = data
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            best = _one_based(node.lc.value(part) if not _is_collection(node[part]) else node.lc.key(part))
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            best = _one_based(node.lc.item(part))
            node = node[part]
        elif isinstance(node, CommentedMap | CommentedSeq) and best == (None, None):
            best = _one_based((node.lc.line, node.lc.col))
    if best == (None, None) and isinstance(data, CommentedMap | CommentedSeq):
        best = _one_based((data.lc.line, data.lc.col))
    return best


def _is_collection(value: Any) -> bool:
    return isinstance(value, CommentedMap | CommentedSeq)


def _one_based(pair: Any) -> Location:
    if not pair or pair[0] is None:
        return (None, None)
    return (pair[0] + 1, pair[1] + 1)


def plain(data: Any) -> Any:
    """Commented* objects as plain dicts and lists, for pydantic."""
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data
