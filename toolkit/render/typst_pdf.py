"""The PDF handbook by Typst (`--pdf-engine typst`): the same model, branding and structure as the WeasyPrint PDF,
laid out about ten times faster.

Profile text never becomes Typst markup or code. This module turns the model into plain JSON data; a fixed template
(`templates/typst/handbook.typ`) reads it with `json()` and places every string as text, which Typst prints as
typed (`#import`, `]`, `$`, `*`, `<x>` and backslashes included). Typst compiles in a private folder holding only
the template, the data and the logo, and reads fonts only from the bundled fonts folder (system fonts ignored), so
nothing outside reaches the document and the bytes do not depend on the machine's fonts.

This is an option of the `pdf` format, not a format of its own: `toolkit.render.formats.pdf` calls it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.i18n import labels_of
from toolkit.model import (
    Block,
    Code,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Policy,
    Section,
    Strong,
    Table,
    Term,
    Text,
    plain_text,
)
from toolkit.paths import FONTS_DIR, TEMPLATES_DIR
from toolkit.render import RenderOptions
from toolkit.render.formats.html import (
    LINK_SCHEMES,
    TAILORING_ID,
    document_facts,
    printed_address,
    version_mark,
)
from toolkit.resolve.notes import based_on, sections_around_appendix, tailoring_intro, tailoring_notes

if TYPE_CHECKING:
    import typst

TEMPLATE = TEMPLATES_DIR / "typst" / "handbook.typ"
PDF_STANDARD = "ua-1"  # tagged PDF with language, title and structure, checked by Typst as it writes


def render(policy: Policy, options: RenderOptions) -> bytes:
    """The handbook as PDF bytes; the same policy and build time give the same bytes."""
    import typst

    with tempfile.TemporaryDirectory(prefix="policy-toolkit-typst-") as folder:
        root = Path(folder)
        shutil.copyfile(TEMPLATE, root / "main.typ")
        data = document_data(policy, options)
        logo = policy.branding.logo
        if logo is not None:
            source = logo.svg or logo.png
            data["logo"] = {"file": f"logo{source.suffix.lower()}", "alt": logo.alt}
            shutil.copyfile(source, root / data["logo"]["file"])
        (root / "model.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        arguments = {
            "root": str(root),
            "format": "pdf",
            "font_paths": bundled_fonts(),
            "ignore_system_fonts": True,
            "pdf_standards": PDF_STANDARD,
            "timestamp": int(options.timestamp.timestamp()),
        }
        if _single_threaded():
            return _compile_in_child(str(root / "main.typ"), arguments)
        return typst.compile(str(root / "main.typ"), **arguments)


def _single_threaded() -> bool:
    """True where a compile can run in a forked child: a POSIX process with one thread (a build worker), which has
    not compiled here itself (Typst starts threads of its own when it does)."""
    try:
        return hasattr(os, "fork") and len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: not Linux, so compile here
        return False


def _compile_in_child(main: str, arguments: dict[str, Any]) -> bytes:
    """Typst's compile in a forked child process, which hands back the PDF and exits.

    Typst keeps what it laid out for the last ten compiles, which in a build of many organisations is never used
    again: about 20 MiB a 30-page handbook, 85 MiB a 120-page one, so a worker would grow by up to ten times that.
    A child's memory goes when it exits; it costs a fork (some milliseconds). Same bytes as compiling here.
    """
    import typst

    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        os.close(reading)
        try:
            payload = b"1" + typst.compile(main, **arguments)
        except BaseException as error:  # whatever stops it, the parent raises it
            payload = b"0" + f"{type(error).__name__}: {error}".encode("utf-8", "replace")
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        payload = pipe.read()
    os.waitpid(child, 0)
    if payload[:1] == b"1":
        return payload[1:]
    reason = payload[1:].decode("utf-8", "replace") or "it stopped before it finished"
    raise RuntimeError(f"Typst could not lay out the handbook: {reason}")


@cache
def bundled_fonts() -> typst.Fonts:
    """The bundled fonts, found and read once per process: given as a folder, every compile would scan it again."""
    import typst

    return typst.Fonts(include_system_fonts=False, font_paths=[str(FONTS_DIR)])


def document_data(policy: Policy, options: RenderOptions) -> dict[str, Any]:
    """Everything the template prints, as JSON-ready data: strings, numbers, lists and mappings only."""
    before, after = sections_around_appendix(policy)
    language, _, region = policy.language.partition("-")
    moment = options.timestamp
    branding = policy.branding
    return {
        "lang": language.lower(),
        "labels": {key: labels_of(policy)(key) for key in ("page", "of", "contents")},
        "region": region.upper() or None,
        "title": policy.full_title,
        "description": f"{policy.subtitle}, {policy.organisation.name}. {based_on(policy)}",
        "date": [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second],
        "organisation": policy.organisation.name,
        "heading": policy.title,
        "subtitle": policy.subtitle,
        "facts": [list(fact) for fact in document_facts(policy)],
        "version_mark": version_mark(policy),
        "font": branding.font.name,
        "colours": {"primary": branding.primary_colour, "text": branding.text_colour, "bg": branding.background_colour},
        "logo": None,
        "sections": [
            *(_section(section, policy) for section in before),
            _tailoring(policy),
            *(_section(section, policy) for section in after),
        ],
    }


def _section(section: Section, policy: Policy) -> dict[str, Any]:
    labels = labels_of(policy)
    return {
        "id": section.id,
        "title": _inlines(section.title),
        "clauses": [
            {
                "id": clause.id,
                "title": _inlines(clause.title) if clause.title else None,
                "blocks": ([_paragraph(labels.untranslated(clause.untranslated))] if clause.untranslated else [])
                + _blocks(clause.blocks, plain_text(clause.title) or plain_text(section.title)),
            }
            for clause in section.visible_clauses
        ],
    }


def _tailoring(policy: Policy) -> dict[str, Any]:
    notes, labels = tailoring_notes(policy), labels_of(policy)
    blocks: list[dict[str, Any]] = [_paragraph(based_on(policy)), _paragraph(tailoring_intro(policy, notes))]
    if notes:
        rows = [
            [[_text(note.title)], [_text(note.change_in_words)], [_text(note.reason or labels("no_reason"))]]
            for note in notes
        ]
        blocks.append(
            {
                "k": "table",
                "caption": labels("tailoring_caption"),
                "hidden_caption": False,
                "widths": [4, 2, 4],  # shares of the width, as base.css gives the columns on the page
                "header": [[_text(labels(name))] for name in ("column_part", "column_change", "column_why")],
                "rows": rows,
            }
        )
    title = [_text(labels("how_tailored"))]
    return {"id": TAILORING_ID, "title": title, "clauses": [{"title": None, "blocks": blocks}]}


def _blocks(blocks: list[Block], caption: str) -> list[dict[str, Any]]:
    return [_block(block, caption) for block in blocks]


def _block(block: Block, caption: str) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"k": "p", "i": _inlines(block.inlines)}
    if isinstance(block, Heading):
        return {"k": "h", "i": _inlines(block.inlines)}
    if isinstance(block, ListBlock):
        return {"k": "list", "ordered": block.ordered, "items": [_blocks(item.blocks, caption) for item in block.items]}
    assert isinstance(block, Table)
    return {
        "k": "table",
        "caption": caption,
        "hidden_caption": True,  # as on the page: the clause's heading already says what the table is
        "header": [_inlines(cell) for cell in block.header],
        "rows": [[_inlines(cell) for cell in row] for row in block.rows],
    }


def _inlines(nodes: list[Inline] | None) -> list[dict[str, Any]]:
    return [_inline(node) for node in nodes or []]


def _inline(node: Inline) -> dict[str, Any]:
    if isinstance(node, Text | Term):
        return _text(node.text)
    if isinstance(node, Code):
        return {"k": "code", "v": node.text}
    if isinstance(node, LineBreak):
        return {"k": "br"}
    if isinstance(node, Emphasis):
        return {"k": "em", "c": _inlines(node.children)}
    if isinstance(node, Strong):
        return {"k": "strong", "c": _inlines(node.children)}
    assert isinstance(node, Link)
    if not node.url.lower().startswith(LINK_SCHEMES):
        return {"k": "span", "c": _inlines(node.children)}
    return {
        "k": "link",
        "url": node.url,
        "shown": printed_address(node.url, plain_text(node.children)),
        "c": _inlines(node.children),
    }


def _text(value: str) -> dict[str, Any]:
    return {"k": "text", "v": value}


def _paragraph(value: str) -> dict[str, Any]:
    return {"k": "p", "i": [_text(value)]}
