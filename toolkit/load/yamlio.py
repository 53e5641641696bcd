"""Safe YAML with line marks: the only way the toolkit reads YAML.

ruamel.yaml's round-trip loader refuses duplicate keys and remembers where every key and item came from, so a
validation error can name the line. Anchors, aliases and tags are refused before anything is built: they are how
small files expand into huge ones, and no profile needs them.

ruamel's reader is pure Python and was the largest cost of the everyday commands, so a file is first read with
libyaml (PyYAML's C parser), in one of two ways, and only what neither takes on goes to ruamel's own reader:

- the marked reader builds libyaml's events straight into dicts and lists that carry ruamel's line marks
  (`MarkedMap`, `MarkedSeq`); a scalar's type is decided by ruamel's own resolver patterns (YAML 1.2), and numbers
  and true/false are made by ruamel's constructor. It leaves to the next reader whatever it does not take on as it
  is: a key that is not text, a duplicate key, an escape or a character no document may hold.
- the node reader turns the events into ruamel nodes, tagged by ruamel's resolver and built by ruamel's
  constructor, so the data, types, line marks and duplicate-key check are ruamel's.

Either leaves to ruamel's reader a parse error, an anchor, alias or tag, deep nesting, a directive, or characters
YAML 1.1 and 1.2 read differently; ruamel's result or message is then the answer, exactly as before. The tests
read every shipped file, the hostile catalogue and generated documents all three ways and compare data and marks.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, LineCol
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, StreamMark, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, MappingStartEvent, NodeEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.resolver import BaseResolver

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
    """The file's data as dicts and lists that know where each key, value and item starts: `MarkedMap` and
    `MarkedSeq` from the fast reader, ruamel's Commented* objects from the others; `locate` reads either."""
    text = read_text(path)
    if not text.strip():
        raise ToolkitError(Problem("the file is empty", file=path, hint="a profile needs at least `name:`"))
    try:
        data = _marked_from_events(text)
    except _FallBack:
        try:
            data = _fast_load(text)
        except _FallBack:
            data = _full_load(text, path)
    if data is None:
        raise ToolkitError(Problem("the file has no fields, only comments", file=path))
    if not isinstance(data, MarkedMap | MarkedSeq):  # the marked reader takes only text keys; ruamel takes any
        refuse_keys_that_are_not_text(data, path)
    if "\\" in text or has_forbidden_characters(text):  # else no value can hold one: only escapes make them
        join_surrogate_pairs(data)
        refuse_forbidden_characters(data, path)
    return data


def load_plain(path: Path) -> Any:
    """The file's data as plain dicts, lists and scalars, equal to `plain(load_yaml(path))`, with no line marks (and
    text as `str`, where ruamel gives its subclass for a `|` block).

    Built straight from libyaml's events when every value is text or null, as in the files the toolkit writes
    itself (lock files, tens of kilobytes of clause text each): a fraction of the time of building ruamel's objects.
    Anything else, including every mistake, is read by `load_yaml`, so its messages are the same."""
    text = read_text(path)
    try:
        data = _plain_from_events(text)
    except _FallBack:
        data = None
    return data if data is not None else plain(load_yaml(path))


def _plain_from_events(text: str) -> Any:
    return _built_from_events(text, _PlainBuilder)


def _marked_from_events(text: str) -> Any:
    return _built_from_events(text, _MarkedBuilder)


def _built_from_events(text: str, builder: type[_PlainBuilder]) -> Any:
    """The data built straight from libyaml's events; `_FallBack` for a text with an escape or a forbidden
    character (whose values `load_yaml` goes on to check) and for anything else the builder leaves to the others."""
    libyaml = _libyaml()
    if libyaml is None or _for_the_full_reader(text) or "\\" in text or has_forbidden_characters(text):
        raise _FallBack
    parser = libyaml._yaml.CParser(text)
    try:
        return builder(parser, libyaml.events, text).document()
    except libyaml.YAMLError:
        raise _FallBack from None
    finally:
        parser.dispose()


def _full_load(text: str, path: Path) -> Any:
    """ruamel's own reader: the slower path, and the one whose messages the user sees."""
    try:
        return _parser().load(text)
    except _UnsafeConstruct as unsafe:
        raise ToolkitError(Problem(unsafe.message, file=path, line=unsafe.line, column=unsafe.column)) from None
    except MarkedYAMLError as error:
        raise ToolkitError(_marked_problem(error, path, text)) from None
    except YAMLError as error:
        raise ToolkitError(Problem(f"not valid YAML: {error}", file=path)) from None
    except TypeError:  # ruamel cannot use a mapping or a list (`? {a: 1}: x`) as a key
        line, column = _complex_key(text)
        message = "a field's name here is a list or a group of fields; a name must be text"
        raise ToolkitError(Problem(message, file=path, line=line, column=column)) from None


def refuse_keys_that_are_not_text(data: Any, path: Path) -> None:
    """Every field's name is text: a number, true/false, a list or a group of fields as a name is a mistake."""
    for mapping, key in _keys(data):
        if not isinstance(key, str):
            line, column = _one_based(mapping.lc.key(key))
            message = "a field's name here is a list or a group of fields; a name must be text"
            if key is None or isinstance(key, int | float):  # true and false are ints too
                message = f"a field's name must be text, not `{key}`; put it in quotes if it is meant as a name"
            raise ToolkitError(Problem(message, file=path, line=line, column=column))


def _keys(data: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(data, MAPPINGS):
        for key, value in data.items():
            yield data, key
            yield from _keys(value)
    elif isinstance(data, SEQUENCES):
        for value in data:
            yield from _keys(value)


def _complex_key(text: str) -> Location:
    """Where the first key that is a mapping or a list starts (1-based), found in ruamel's parse events."""
    held: list[int | None] = []  # for each open collection: the nodes a mapping holds so far; None for a list
    try:
        for event in _parser().parse(text):
            if isinstance(event, CollectionEndEvent):
                held.pop()
            elif isinstance(event, NodeEvent):
                at_key = bool(held) and held[-1] is not None and held[-1] % 2 == 0
                if held and held[-1] is not None:
                    held[-1] += 1
                if isinstance(event, CollectionStartEvent):
                    if at_key:
                        return _mark(event)
                    held.append(0 if isinstance(event, MappingStartEvent) else None)
    except (YAMLError, _UnsafeConstruct):
        pass
    return (None, None)


def has_forbidden_characters(text: str) -> bool:
    """Whether `FORBIDDEN_CHARACTERS` finds anything. Searching tens of kilobytes with so large a class takes
    longer than parsing them, so the UTF-8 bytes are first sifted in C for the only bytes such characters begin
    with (controls, and the lead bytes of C1 controls, surrogates and non-characters); the few texts holding one
    (a `£` starts with the same byte as a C1 control) are searched by their distinct characters."""
    encoded = text.encode("utf-8", "surrogatepass")
    if not encoded.translate(None, _NEVER_STARTS_A_FORBIDDEN_CHARACTER):
        return False
    return FORBIDDEN_CHARACTERS.search("".join(set(text))) is not None


# Every byte but those a forbidden character's UTF-8 form can begin with: C0 controls (tab and line breaks aside)
# and DEL; 0xC2 (C1 controls); 0xED (surrogates); 0xEF (U+FDD0–FDEF, U+FFFE, U+FFFF); 0xF0–0xF4 (the planes above).
_NEVER_STARTS_A_FORBIDDEN_CHARACTER = bytes(
    byte
    for byte in range(256)
    if not (byte < 0x20 and byte not in b"\t\n\r") and byte not in (0x7F, 0xC2, 0xED, 0xEF, *range(0xF0, 0xF5))
)


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
    """Dates stay text here, so that pydantic parses them and an impossible date is reported with its line; so is a
    number too long to read."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        return self.construct_scalar(node)

    def construct_yaml_int(self, node: Any) -> Any:
        """Python refuses to read a whole number of more than 4,300 digits: say where it is, not `ValueError`."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            problem = "this number has too many digits to read; put it in quotes if it is meant as text"
            raise ConstructorError(None, None, problem, node.start_mark) from None


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


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


# The fast reader ---------------------------------------------------------------------------------------------------

# Tabs (where ruamel is stricter about them than libyaml), the line breaks only YAML 1.1 has (NEL, LS, PS) and a
# byte-order mark inside the text: rare in profiles, so such a file simply goes to ruamel's reader.
_FULL_READER_CHARACTERS_LIST = "\t\x85\u2028\u2029\ufeff"
# A document-end marker `...`: ruamel writes one after a last `|+` block (lock files end so); more than one, or
# anything but comments after it, and ruamel reads the text differently from libyaml.
_ONLY_COMMENTS = re.compile(r"(?:[ \r\n]|#[^\r\n]*)*")
# A block scalar's header: `|` or `>`, chomping and indentation indicators, then nothing or a comment after a space.
_BLOCK_HEADER = re.compile(r"[|>](?:[1-9][+-]?|[+-][1-9]?)?(?: +#.*| *)")


def _for_the_full_reader(text: str) -> bool:
    """Whether the text has what the fast reader leaves to ruamel's reader whatever else is in it. Substring tests
    first: a regular expression over tens of kilobytes costs more than a millisecond, `in` some microseconds."""
    if any(character in text for character in _FULL_READER_CHARACTERS_LIST):
        return True
    ends = _document_end(text)
    return ends is not None and not _ONLY_COMMENTS.fullmatch(text, ends)


def _document_end(text: str) -> int | None:
    """Where the first document-end marker `...` at the start of a line ends, if there is one."""
    if text.startswith("..."):
        return 3
    found = [index for index in (text.find("\n..."), text.find("\r...")) if index >= 0]
    return min(found) + 4 if found else None


class _FallBack(Exception):
    """Something the fast reader leaves to ruamel's reader, which reads it or words the error."""


@cache
def _libyaml() -> ModuleType | None:
    """PyYAML, when its C extension (libyaml) is there; imported on first use, as it costs tens of milliseconds."""
    try:
        import yaml
        from yaml import _yaml  # noqa: F401 (the C extension: without it there is no fast path)
    except ImportError:
        return None
    return yaml if getattr(yaml, "__with_libyaml__", False) else None


def _fast_load(text: str) -> Any:
    """The file's data built by ruamel's constructor from nodes composed of libyaml's events; `_FallBack` when
    anything is left to ruamel's reader."""
    libyaml = _libyaml()
    if libyaml is None or _for_the_full_reader(text):
        raise _FallBack
    yaml = _parser()
    parser = libyaml._yaml.CParser(text)
    try:
        node = _EventComposer(parser, yaml.resolver, libyaml.events, text).document()
    except libyaml.YAMLError:
        raise _FallBack from None
    finally:
        parser.dispose()
    if node is None:
        return None
    try:
        return yaml.constructor.construct_document(node)
    except YAMLError:  # a duplicate key, say: ruamel's reader words it, with its line
        raise _FallBack from None


class _EventComposer:
    """ruamel's Composer over libyaml's events: the same nodes, tags resolved by ruamel's resolver (YAML 1.2), the
    same line and column marks; anchors, aliases, tags, directives and deep nesting fall back instead."""

    def __init__(self, parser: Any, resolver: BaseResolver, events: ModuleType, text: str) -> None:
        self.parser, self.resolver, self.text = parser, resolver, text
        self.scalar, self.mapping, self.sequence = (
            events.ScalarEvent,
            events.MappingStartEvent,
            events.SequenceStartEvent,
        )
        self.mapping_end, self.sequence_end = events.MappingEndEvent, events.SequenceEndEvent
        self.stream_end = events.StreamEndEvent
        self.lines: list[str] | None = None

    def document(self) -> Node | None:
        """The one document's root node, or None for a stream with none (only comments)."""
        next_event = self.parser.get_event
        next_event()  # stream start
        start = next_event()
        if isinstance(start, self.stream_end):
            return None
        if start.version or start.tags:  # %YAML or %TAG: ruamel reads them its own way
            raise _FallBack
        root = next_event()
        if type(root) is self.scalar:  # not a profile; and a `|` block at the top may start in column 0 in YAML 1.2
            raise _FallBack
        node = self.node(root, 0, flow=False)
        next_event()  # document end
        if not isinstance(next_event(), self.stream_end):  # a second document: ruamel refuses it
            raise _FallBack
        return node

    def node(self, event: Any, depth: int, flow: bool) -> Node:
        kind = type(event)
        if kind is self.scalar:
            return self.scalar_node(event, flow)
        if kind is self.mapping or kind is self.sequence:
            if event.anchor is not None or event.tag is not None or depth >= MAX_NESTING:
                raise _FallBack
            flow = flow or bool(event.flow_style)
            if kind is self.mapping:
                return self.mapping_node(event, depth + 1, flow)
            return self.sequence_node(event, depth + 1, flow)
        raise _FallBack  # an alias

    def scalar_node(self, event: Any, flow: bool) -> ScalarNode:
        if event.anchor is not None or event.tag is not None:
            raise _FallBack
        value = event.value
        if flow and not value and not event.style:  # an empty entry in [...] or {...}: ruamel marks it its own way
            raise _FallBack
        if event.style in ("|", ">"):
            self.check_block_scalar(event.start_mark)
        return ScalarNode(
            self.resolver.resolve(ScalarNode, value, event.implicit),
            value,
            _ruamel_mark(event.start_mark),
            _ruamel_mark(event.end_mark),
            style=event.style or None,  # libyaml says '' for plain, ruamel None
        )

    def mapping_node(self, start: Any, depth: int, flow: bool) -> MappingNode:
        pairs: list[tuple[Node, Node]] = []
        node = MappingNode(
            self.resolver.resolve(MappingNode, None, start.implicit),
            pairs,
            _ruamel_mark(start.start_mark),
            None,
            flow_style=start.flow_style,
        )
        next_event = self.parser.get_event
        while not isinstance(event := next_event(), self.mapping_end):
            key = self.node(event, depth, flow)
            value_event = next_event()
            value = self.node(value_event, depth, flow)
            if type(value_event) is self.scalar and not value_event.value and not value_event.style:
                value.start_mark = self.empty_value_mark(value_event)
            pairs.append((key, value))
        node.end_mark = _ruamel_mark(event.end_mark)
        return node

    def empty_value_mark(self, event: Any) -> StreamMark:
        """Where ruamel marks a block mapping's empty value (`key:` and nothing): at the next key or where the
        mapping ends, not just after the `:` as libyaml does. ruamel marks it differently when a comment follows the
        `:`, when the file ends without a line break and when a `? key` has no `:`, so those fall back."""
        mark = event.start_mark
        lines = self.text_lines()
        line = lines[mark.line] if mark.line < len(lines) else ""
        if not 0 < mark.column <= len(line) or line[mark.column - 1] != ":" or "#" in line[mark.column :]:
            raise _FallBack
        if not self.text.endswith(("\n", "\r")):
            raise _FallBack
        return _ruamel_mark(self.parser.peek_event().start_mark)

    def check_block_scalar(self, mark: Any) -> None:
        """ruamel refuses a block whose first line is only spaces when the lines after it are indented further, and a
        header such as `|#` that libyaml takes: fall back to ruamel for both."""
        lines = self.text_lines()
        header = lines[mark.line][mark.column :] if mark.line < len(lines) else ""
        following = lines[mark.line + 1] if mark.line + 1 < len(lines) else ""
        if not _BLOCK_HEADER.fullmatch(header) or (following and not following.strip(" ")):
            raise _FallBack

    def text_lines(self) -> list[str]:
        if self.lines is None:
            self.lines = self.text.splitlines()
        return self.lines

    def sequence_node(self, start: Any, depth: int, flow: bool) -> SequenceNode:
        items: list[Node] = []
        node = SequenceNode(
            self.resolver.resolve(SequenceNode, None, start.implicit),
            items,
            _ruamel_mark(start.start_mark),
            None,
            flow_style=start.flow_style,
        )
        next_event = self.parser.get_event
        while not isinstance(event := next_event(), self.sequence_end):
            items.append(self.node(event, depth, flow))
        node.end_mark = _ruamel_mark(event.end_mark)
        return node


class _PlainBuilder(_EventComposer):
    """Plain values instead of nodes, from the same events and under the same rules. Text, dates (kept as text)
    and nulls are taken as they are; other scalars (numbers, true and false) are built by ruamel's constructor
    from a node of their own, so they are exactly what ruamel makes of them. A duplicate key, a key that is not
    text and any value ruamel would refuse are left to the other readers."""

    def __init__(self, parser: Any, events: ModuleType, text: str) -> None:
        super().__init__(parser, _shared_resolver(), events, text)
        self.yaml: YAML | None = None  # for the constructor, made when a number or a true/false first needs it

    def scalar_node(self, event: Any, flow: bool) -> Any:  # type: ignore[override]
        if event.anchor is not None or event.tag is not None or (flow and not event.value and not event.style):
            raise _FallBack
        if event.style in ("|", ">"):
            self.check_block_scalar(event.start_mark)
        value = event.value
        if event.style or (value and value[0] not in _typed_starts()):
            return value  # quoted, a block, or plain text that no other type starts with: the resolver says text
        tag = _plain_scalar_tag(value)
        if tag in (_STR, _TIMESTAMP):
            return event.value
        if tag == _NULL:
            return None
        if tag not in _CONSTRUCTED:  # `<<` or `=` as a value: ruamel's reader says what it makes of them
            raise _FallBack
        tag = self.resolver.resolve(ScalarNode, value, event.implicit)
        return self.constructed(ScalarNode(tag, value, _ruamel_mark(event.start_mark), _ruamel_mark(event.end_mark)))

    def constructed(self, node: ScalarNode) -> Any:
        self.yaml = self.yaml or _parser()
        try:
            return self.yaml.constructor.construct_object(node)
        except (YAMLError, ValueError):  # a number too long to read, say: ruamel's reader words it, with its line
            raise _FallBack from None

    def mapping_node(self, start: Any, depth: int, flow: bool) -> Any:  # type: ignore[override]
        mapping: dict[str, Any] = {}
        next_event = self.parser.get_event
        while not isinstance(event := next_event(), self.mapping_end):
            key = self.node(event, depth, flow)
            if not isinstance(key, str) or key in mapping:
                raise _FallBack
            mapping[key] = self.node(next_event(), depth, flow)
        return mapping

    def sequence_node(self, start: Any, depth: int, flow: bool) -> Any:  # type: ignore[override]
        items: list[Any] = []
        next_event = self.parser.get_event
        while not isinstance(event := next_event(), self.sequence_end):
            items.append(self.node(event, depth, flow))
        return items


class MarkedMap(dict):
    """A mapping from the fast reader that knows where it, each key and each value start, in the form of ruamel's
    CommentedMap (`lc`: 0-based lines and columns), so `locate` and the messages read both alike."""

    __slots__ = ("lc",)


class MarkedSeq(list):
    """A list from the fast reader that knows where it and each item start, as ruamel's CommentedSeq does."""

    __slots__ = ("lc",)


class _MarkedBuilder(_PlainBuilder):
    """`_PlainBuilder`'s values in mappings and lists marked as ruamel marks them: each key and value (or item) at
    the start of its event, and a block mapping's empty value where ruamel puts it (`empty_value_mark`)."""

    def mapping_node(self, start: Any, depth: int, flow: bool) -> Any:  # type: ignore[override]
        mapping, marks = MarkedMap(), _line_col(start)
        next_event = self.parser.get_event
        while not isinstance(event := next_event(), self.mapping_end):
            key = self.node(event, depth, flow)
            if not isinstance(key, str) or key in mapping:
                raise _FallBack
            value_event = next_event()
            mapping[key] = self.node(value_event, depth, flow)
            at = value_event.start_mark
            if type(value_event) is self.scalar and not value_event.value and not value_event.style:
                at = self.empty_value_mark(value_event)
            marks.data[key] = [event.start_mark.line, event.start_mark.column, at.line, at.column]
        mapping.lc = marks
        return mapping

    def sequence_node(self, start: Any, depth: int, flow: bool) -> Any:  # type: ignore[override]
        items, marks = MarkedSeq(), _line_col(start)
        next_event = self.parser.get_event
        while not isinstance(event := next_event(), self.sequence_end):
            marks.data[len(items)] = [event.start_mark.line, event.start_mark.column]
            items.append(self.node(event, depth, flow))
        items.lc = marks
        return items


def _line_col(start: Any) -> LineCol:
    marks = LineCol()
    marks.line, marks.col, marks.data = start.start_mark.line, start.start_mark.column, {}
    return marks


MAPPINGS, SEQUENCES = (CommentedMap, MarkedMap), (CommentedSeq, MarkedSeq)


_STR, _NULL, _TIMESTAMP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"
_CONSTRUCTED = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"})


@cache
def _shared_resolver() -> BaseResolver:
    """ruamel's resolver (YAML 1.2), made once: making a YAML object for each file cost a fifth of a millisecond."""
    return _parser().resolver


@cache
def _implicit_tags() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """ruamel's implicit resolvers for plain scalars, by first character (`""` for the empty scalar)."""
    table = _shared_resolver().versioned_resolver
    anywhere = tuple(table.get(None, ()))
    return {first: (*pairs, *anywhere) for first, pairs in table.items() if first is not None}


@cache
def _typed_starts() -> frozenset[str]:
    """The first characters of plain scalars the resolver might read as something other than text."""
    return frozenset(start for start in _implicit_tags() if start)


def _plain_scalar_tag(value: str) -> str:
    """The tag ruamel's resolver gives a plain scalar, found as it finds it (the first implicit resolver for the
    value's first character whose pattern matches; else text), without its per-call overhead."""
    for tag, pattern in _implicit_tags().get(value[:1], ()):
        if pattern.match(value):
            return str(tag)
    return _STR


def _ruamel_mark(mark: Any) -> StreamMark:
    return StreamMark("<unicode string>", mark.index, mark.line, mark.column)


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
    if "expected <block end>" in message:
        return (
            "this line is not indented like the lines around it",
            "fields of the same group start in the same column; a field inside another is indented by two more spaces",
        )
    if "could not find expected ':'" in message:
        return (
            "a line here has no `name: value` form",
            "check for a missing `:`, or text that should be on the line above",
        )
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
    if isinstance(data, MAPPINGS):
        for key, value in data.items():
            here = (*loc, key)
            if isinstance(key, str):
                yield field_name(here, root), key, _one_based(data.lc.key(key))
            if isinstance(value, str):
                yield field_name(here, root), value, _one_based(data.lc.value(key))
            else:
                yield from walk_strings(value, root, here)
    elif isinstance(data, SEQUENCES):
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
        if isinstance(node, MAPPINGS) and part in node:
            best = _one_based(node.lc.value(part) if not _is_collection(node[part]) else node.lc.key(part))
            node = node[part]
        elif isinstance(node, SEQUENCES) and isinstance(part, int) and 0 <= part < len(node):
            best = _one_based(node.lc.item(part))
            node = node[part]
        elif _is_collection(node) and best == (None, None):
            best = _one_based((node.lc.line, node.lc.col))
    if best == (None, None) and _is_collection(data):
        best = _one_based((data.lc.line, data.lc.col))
    return best


def locate_key(data: Any, loc: tuple[str | int, ...]) -> Location:
    """Where the name of the field at `loc` is written: for a field that should not be there, the name is the
    mistake (its value may be empty, or start on another line)."""
    parent = data
    for part in loc[:-1]:
        parent = parent[part] if _is_collection(parent) and _has_part(parent, part) else None
    if isinstance(parent, MAPPINGS) and loc and loc[-1] in parent:
        return _one_based(parent.lc.key(loc[-1]))
    return locate(data, loc)


def _has_part(node: Any, part: str | int) -> bool:
    if isinstance(node, MAPPINGS):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _is_collection(value: Any) -> bool:
    return isinstance(value, MAPPINGS + SEQUENCES)


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
