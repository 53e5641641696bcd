"""Markdown to model blocks, once, while resolving: renderers never parse text.

CommonMark with GFM tables, raw HTML off (tags appear as typed), and links limited to https:, mailto: and tel:.
Slot markers left by `toolkit.resolve.vocabulary` are swapped back for their nodes here.
"""

from __future__ import annotations

from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel

from toolkit.load.schema import LINK_SCHEMES
from toolkit.model import (
    Block,
    Code,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Paragraph,
    Strong,
    Table,
    Text,
)
from toolkit.resolve.vocabulary import SLOT, Slots

MAX_TABLE_COLUMNS = 20  # what fits across a portrait page in Word and PDF and still reads


class MarkdownError(Exception):
    """Text uses something the documents cannot carry (an image, a javascript: link, a misplaced heading)."""


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    parser.validateLink = lambda url: True  # checked below, so that a refused link is an error, not silent text
    return parser


def parse(text: str, slots: Slots, *, title_level: int | None = 3) -> tuple[list[Inline] | None, list[Block]]:
    """The optional leading title (a heading of `title_level`) and the blocks of a clause.

    Many profiles share a clause's wording, so the result is kept per text and slot nodes (the nodes are frozen).
    """
    key = (text, title_level, tuple(map(_node_key, slots.nodes)))
    if key not in _parsed:
        if len(_parsed) >= PARSED_CACHE_SIZE:
            _parsed.clear()
        _parsed[key] = _parse(text, slots, title_level)
    title, blocks = _parsed[key]
    return (list(title) if title is not None else None), list(blocks)


PARSED_CACHE_SIZE = 20_000
_parsed: dict[tuple[str, int | None, tuple[object, ...]], tuple[list[Inline] | None, list[Block]]] = {}


def _node_key(node: object) -> object:
    """A slot node as a hashable value: its kind and fields (the nodes hold lists, so they are not hashable).

    Cheaper than the node's repr, which is what makes the cache worth having across hundreds of profiles."""
    if isinstance(node, BaseModel):
        return (type(node).__name__, *map(_node_key, node.__dict__.values()))
    if isinstance(node, list):
        return tuple(map(_node_key, node))
    return node


def _parse(text: str, slots: Slots, title_level: int | None) -> tuple[list[Inline] | None, list[Block]]:
    blocks = _Reader(_tokens(text), slots).blocks()
    title = None
    if title_level and blocks and isinstance(blocks[0], Heading) and blocks[0].level == title_level:
        title, blocks = blocks[0].inlines, blocks[1:]
    for block in blocks:
        if isinstance(block, Heading) and block.level != 4:
            where = "first line" if title_level else "text"
            raise MarkdownError(
                f"heading level {block.level} is not allowed here: a clause's title is its {where} "
                f"(`{'#' * (title_level or 3)} `), sub-headings use `#### `"
            )
    return title, blocks


@lru_cache(maxsize=8192)
def _tokens(text: str) -> list[Token]:
    """markdown-it's tokens for a text; read, never changed, by `_Reader`."""
    return _parser().parse(text)


def parse_inline(text: str, slots: Slots) -> list[Inline]:
    """A one-line title or label."""
    tokens = _parser().parseInline(text)
    return _Reader([], slots).inlines(tokens[0].children or []) if tokens else []


class _Reader:
    def __init__(self, tokens: list[Token], slots: Slots) -> None:
        self.tokens, self.position, self.slots = tokens, 0, slots

    def next(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def blocks(self, until: str | None = None) -> list[Block]:
        blocks: list[Block] = []
        while self.position < len(self.tokens):
            token = self.next()
            if token.type == until:
                break
            block = self.block(token)
            if isinstance(block, list):
                blocks.extend(block)
            elif block is not None:
                blocks.append(block)
        return blocks

    def block(self, token: Token) -> Block | list[Block] | None:
        kind = token.type
        if kind == "paragraph_open":
            return self.paragraph()
        if kind == "heading_open":
            inlines = self.inlines(self.next().children or [])
            self.next()
            return Heading(level=int(token.tag[1]), inlines=inlines)
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list_block(ordered=kind == "ordered_list_open")
        if kind == "table_open":
            return self.table()
        if kind == "blockquote_open":
            return self.blocks(until="blockquote_close")
        if kind in ("code_block", "fence"):
            # Usually text indented by accident in YAML: keep the words, as typed.
            return Paragraph(inlines=self.split_slots(token.content.strip()))
        if kind == "hr":
            return None
        raise MarkdownError(f"`{kind}` is not supported in guidance text")

    def paragraph(self) -> Paragraph:
        inlines = self.inlines(self.next().children or [])
        self.next()
        return Paragraph(inlines=inlines)

    def list_block(self, ordered: bool) -> ListBlock:
        closing = "ordered_list_close" if ordered else "bullet_list_close"
        items: list[ListItem] = []
        while (token := self.next()).type != closing:
            if token.type == "list_item_open":
                items.append(ListItem(blocks=self.blocks(until="list_item_close")))
        for item in items:
            for block in item.blocks:
                if isinstance(block, ListBlock) and any(
                    isinstance(b, ListBlock) for i in block.items for b in i.blocks
                ):
                    raise MarkdownError("lists may be nested one level deep at most")
        return ListBlock(ordered=ordered, items=items)

    def table(self) -> Table:
        rows: list[list[list[Inline]]] = []
        while (token := self.next()).type != "table_close":
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline":
                rows[-1].append(self.inlines(token.children or []))
        if len(rows[0]) > MAX_TABLE_COLUMNS:
            raise MarkdownError(
                f"a table has {len(rows[0])} columns; at most {MAX_TABLE_COLUMNS} fit across a page (split it in two)"
            )
        return Table(header=rows[0], rows=rows[1:])

    def inlines(self, children: list[Token]) -> list[Inline]:
        result: list[Inline] = []
        stack: list[tuple[Token, list[Inline]]] = []
        current = result
        for token in children:
            kind = token.type
            if kind == "text":
                current.extend(self.split_slots(token.content))
            elif kind == "softbreak":
                current.append(Text(text=" "))
            elif kind == "hardbreak":
                current.append(LineBreak())
            elif kind == "code_inline":
                current.append(Code(text=token.content))
            elif kind in ("em_open", "strong_open", "link_open"):
                stack.append((token, current))
                current = []
            elif kind in ("em_close", "strong_close", "link_close"):
                opener, parent = stack.pop()
                parent.append(self.wrap(opener, _merge_text(current)))
                current = parent
            elif kind == "image":
                raise MarkdownError("images are not supported in guidance text; the logo goes under `branding`")
            else:
                current.extend(self.split_slots(token.content))
        return _merge_text(result)

    def wrap(self, opener: Token, children: list[Inline]) -> Inline:
        if opener.type == "em_open":
            return Emphasis(children=children)
        if opener.type == "strong_open":
            return Strong(children=children)
        url = str(opener.attrs.get("href", ""))
        if not url.startswith(LINK_SCHEMES):
            raise MarkdownError(f"link `{url}` is not allowed: links must start with https://, mailto: or tel:")
        return Link(url=url, children=children)

    def split_slots(self, text: str) -> list[Inline]:
        parts = SLOT.split(text)
        nodes: list[Inline] = []
        for index, part in enumerate(parts):
            if index % 2:
                nodes.append(self.slots.nodes[int(part)])
            elif part:
                nodes.append(Text(text=part))
        return nodes


def _merge_text(nodes: list[Inline]) -> list[Inline]:
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(text=merged[-1].text + node.text)
        else:
            merged.append(node)
    return merged
