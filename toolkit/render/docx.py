"""Word (.docx) renderer: the organisation's Word template, filled in, with the guidance written into it.

Two steps, each doing what it is good at:

1. docxtpl fills the template's few placeholders (`{{ title }}`, `{{ organisation }}`, ...; see PLACEHOLDERS and
   templates/word/README.md) in the cover, header and footer. A house template is code, so it runs in a jinja
   `SandboxedEnvironment` with autoescaping: profile values are data and appear literally (`<`, `&`, `{{ 7*7 }}`).
2. The guidance itself is *inserted directly* with python-docx at the `{{ body }}` paragraph, and the contents
   field at `{{ contents }}`, after docxtpl has finished. We chose this over a docxtpl Subdoc because a Subdoc is a
   separate python-docx document built on python-docx's own default template: its style ids, numbering definitions
   and list restarts live in another package and have to be merged (docxtpl issues #425, #500, #580), while writing
   into the rendered document itself uses the template's own styles, numbering part and relationships, so a house
   template's restyled headings, lists, table style and hyperlink style simply apply. It also means no profile
   text ever passes through jinja at all.

Afterwards we set what docxtpl would otherwise template or leave stale: core properties, language, logo alt text,
`w:updateFields`; then the zip is re-packed with fixed timestamps so equal inputs give equal bytes.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Twips
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from toolkit.core import TEMPLATES_DIR
from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.model import (
    Block,
    Code,
    Emphasis,
    Font,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Logo,
    Paragraph,
    Policy,
    Section,
    Strong,
    Table,
    Term,
    Text,
    plain_text,
)
from toolkit.notes import based_on, sections_around_appendix, tailoring_notes
from toolkit.render import EPOCH_FLOOR, RenderOptions

SUFFIX = ".docx"

DEFAULT_TEMPLATE = TEMPLATES_DIR / "word" / "default.docx"
BODY_FONT = "Noto Sans"  # the default template's font; replaced by the profile's only in the default template
PRIMARY = "1D4F91"  # the default template's brand colour (core default), likewise replaced
TEXT = "1B1B1B"
TABLE_STYLE = "Policy Table"
CONTENTS_LEVELS = 2  # headings 1-2 are listed in the contents
KEEP_TOGETHER_ROWS = 12  # tables up to this many rows are not split across pages
LOGO_HEIGHT, LOGO_MAX_WIDTH = Mm(22), Mm(100)

PLACEHOLDERS: dict[str, str] = {
    "title": "the guidance's title",
    "subtitle": "its subtitle (who it is for)",
    "organisation": "the organisation's full name",
    "version": "the document version",
    "approved_on": "the approval date, as 14 October 2026",
    "classification": "the security classification (for example OFFICIAL), or nothing",
    "logo": "the organisation's logo, 22 mm high (nothing if the profile has none)",
    "contents": "the contents list: alone in its paragraph",
    "body": "the guidance itself: alone in its paragraph",
}
REQUIRED_PLACEHOLDERS = ("title", "organisation", "contents", "body")
BLOCK_PLACEHOLDERS = ("contents", "body", "logo")  # replaced by whole paragraphs or a picture
MARKERS = {name: f"\u27e6policy-toolkit:{name}\u27e7" for name in BLOCK_PLACEHOLDERS}

# The styles the renderer writes with: (kind, why), checked by `check_template`.
REQUIRED_STYLES: dict[str, tuple[str, str]] = {
    "Normal": ("paragraph", "body text"),
    "Heading 1": ("paragraph", "section titles"),
    "Heading 2": ("paragraph", "clause titles"),
    "Heading 3": ("paragraph", "sub-headings inside clauses"),
    "List Bullet": ("paragraph", "bulleted lists"),
    "List Bullet 2": ("paragraph", "bulleted lists inside lists"),
    "List Number": ("paragraph", "numbered lists"),
    "List Number 2": ("paragraph", "numbered lists inside lists"),
    "TOC 1": ("paragraph", "contents entries for sections"),
    "TOC 2": ("paragraph", "contents entries for clauses"),
    "Hyperlink": ("character", "links"),
    TABLE_STYLE: ("table", "tables (its header row style is used for the first row)"),
}
LIST_STYLES = ("List Bullet", "List Bullet 2", "List Number", "List Number 2")
CONTINUE_STYLES = ("List Continue", "List Continue 2")  # optional: more paragraphs of one list item
MONTHS = "January February March April May June July August September October November December".split()  # noqa: SIM905
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
HINT = "see templates/word/README.md; `validate` lists every problem with a house template"


def render(policy: Policy, options: RenderOptions) -> bytes:
    """The .docx bytes of one policy; equal inputs and `options.timestamp` give equal bytes."""
    template_path = policy.branding.word_template
    template = DocxTemplate(BytesIO(template_path.read_bytes()))
    _fill(template, _context(policy, template), template_path)
    document = template.docx
    styles = _Styles.of(document, template_path)
    writer = _BodyWriter(document, styles, _marker_paragraph(document, "body", template_path))
    writer.write(policy)
    _write_contents(document, styles, writer.contents, _marker_paragraph(document, "contents", template_path))
    _finish_logo(document, policy.branding.logo)
    if template_path.resolve() == DEFAULT_TEMPLATE.resolve():
        _apply_branding(document, policy)
        _embed_font(document, policy.branding.font)
    _set_language(document, policy.language)
    _update_fields_on_open(document)
    _set_properties(document, policy, options)
    buffer = BytesIO()
    document.save(buffer)
    return repack(buffer.getvalue(), options.timestamp)


# Filling the template ----------------------------------------------------------------------------------------------


@cache
def _environment() -> SandboxedEnvironment:
    """Sandboxed (a house template is code) and autoescaped (values are XML text), strict about misspelt names."""
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _context(policy: Policy, template: DocxTemplate) -> dict[str, object]:
    document = policy.document
    return {
        "title": policy.title,
        "subtitle": policy.subtitle,
        "organisation": policy.organisation.name,
        "version": document.version,
        "approved_on": long_date(document.approved_on),
        "classification": document.classification or "",
        "logo": _logo_image(template, policy.branding.logo) or MARKERS["logo"],
        "contents": MARKERS["contents"],
        "body": MARKERS["body"],
    }


def long_date(day: date) -> str:
    """GOV.UK style ("14 October 2026"), independent of the machine's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _logo_image(template: DocxTemplate, logo: Logo | None) -> InlineImage | None:
    """The logo at a fixed height, narrowed for very wide logos so that it never runs off the page."""
    if logo is None:
        return None
    data = logo.png.read_bytes()
    width_px, height_px = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    width = int(LOGO_HEIGHT * width_px / max(height_px, 1))
    if width > LOGO_MAX_WIDTH:
        return InlineImage(
            template, BytesIO(data), width=LOGO_MAX_WIDTH, height=Mm(LOGO_MAX_WIDTH.mm * height_px / width_px)
        )
    return InlineImage(template, BytesIO(data), height=LOGO_HEIGHT)


def _fill(template: DocxTemplate, context: dict[str, object], path: Path) -> None:
    try:
        template.render(context, jinja_env=_environment())
    except TemplateError as error:
        raise ToolkitError(
            Problem(f"the Word template could not be filled in: {error.message}", file=path, hint=HINT)
        ) from None
    except (ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError, etree.XMLSyntaxError) as error:
        raise ToolkitError(
            Problem(f"the Word template cannot be opened as a Word document (.docx): {error}", file=path, hint=HINT)
        ) from None


def _marker_paragraph(document: DocumentObject, name: str, path: Path) -> etree._Element:
    for paragraph in document.element.body.iter(qn("w:p")):
        if MARKERS[name] in _text(paragraph):
            return paragraph
    raise ToolkitError(
        Problem(f"the Word template has no `{{{{ {name} }}}}` placeholder ({PLACEHOLDERS[name]})", file=path, hint=HINT)
    )


def _text(element: etree._Element) -> str:
    return "".join(node.text or "" for node in element.iter(qn("w:t")))


def _retire_marker(paragraph: etree._Element, name: str, keep: bool = False) -> None:
    """Take the marker out; drop its paragraph when nothing else is in it, unless asked to keep it."""
    for node in paragraph.iter(qn("w:t")):
        if node.text and MARKERS[name] in node.text:
            node.text = node.text.replace(MARKERS[name], "")
    if not keep and not _text(paragraph).strip() and not paragraph.findall(f".//{qn('w:drawing')}"):
        paragraph.getparent().remove(paragraph)


# Styles ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    """Style ids of the template, looked up by name as Word shows it (built-in names are case-insensitive)."""

    ids: dict[str, str]
    numbering: dict[str, tuple[str, str]]  # list style name -> (numId, ilvl) found along its basedOn chain
    gap: str  # the space after a body paragraph (twips), which also ends lists and follows tables

    @classmethod
    def of(cls, document: DocumentObject, path: Path) -> _Styles:
        found = _style_index(document)
        missing = [name for name in REQUIRED_STYLES if name.lower() not in found]
        if missing:
            raise ToolkitError(
                Problem(f"the Word template lacks the style(s) {', '.join(missing)}", file=path, hint=HINT)
            )
        ids = {name: style_id for name, (style_id, _) in found.items()}
        numbering = {name: _style_numbering(document, found[name.lower()][0]) for name in LIST_STYLES}
        return cls(ids, {name: value for name, value in numbering.items() if value}, _paragraph_gap(document))

    def id(self, name: str) -> str:
        return self.ids[name.lower()]

    def optional(self, name: str) -> str | None:
        return self.ids.get(name.lower())


def _paragraph_gap(document: DocumentObject) -> str:
    styles = document.styles.element
    for path in (
        f"{qn('w:style')}[@{qn('w:styleId')}='Normal']/{qn('w:pPr')}/{qn('w:spacing')}",
        f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}",
    ):
        spacing = styles.find(path)
        if spacing is not None and spacing.get(qn("w:after")):
            return spacing.get(qn("w:after"))
    return "160"


def _style_index(document: DocumentObject) -> dict[str, tuple[str, str]]:
    """Lower-cased style name -> (style id, kind)."""
    index = {}
    for style in document.styles.element.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        if name is not None:
            index[name.get(qn("w:val")).lower()] = (style.get(qn("w:styleId")), style.get(qn("w:type")))
    return index


def _style_numbering(document: DocumentObject, style_id: str) -> tuple[str, str] | None:
    styles = {style.get(qn("w:styleId")): style for style in document.styles.element.findall(qn("w:style"))}
    seen: set[str] = set()
    while style_id in styles and style_id not in seen:
        seen.add(style_id)
        num = styles[style_id].find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num is not None and num.find(qn("w:numId")) is not None:
            level = num.find(qn("w:ilvl"))
            return num.find(qn("w:numId")).get(qn("w:val")), "0" if level is None else level.get(qn("w:val"))
        based = styles[style_id].find(qn("w:basedOn"))
        style_id = based.get(qn("w:val")) if based is not None else ""
    return None


# The guidance ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Format:
    bold: bool = False
    italic: bool = False
    link: bool = False


@dataclass(frozen=True)
class ContentsEntry:
    level: int
    text: str
    bookmark: str


class _BodyWriter:
    """Writes the policy as Word paragraphs and tables just before the `{{ body }}` paragraph."""

    def __init__(self, document: DocumentObject, styles: _Styles, anchor: etree._Element) -> None:
        self.document, self.styles, self.anchor = document, styles, anchor
        self.part = document.part
        self.contents: list[ContentsEntry] = []
        self._next_bookmark = 1 + max(
            (int(b.get(qn("w:id"), "0")) for b in document.element.body.iter(qn("w:bookmarkStart"))), default=0
        )
        self._first: etree._Element | None = None
        self._last: etree._Element | None = None

    def write(self, policy: Policy) -> None:
        before, after = sections_around_appendix(policy)
        for section in before:
            self.section(section)
        self.tailoring(policy)
        for section in after:
            self.section(section)
        if not after:
            self.document_control(policy)
        self._carry_page_break()
        ends_in_table = self._last is not None and self._last.tag == qn("w:tbl")
        if ends_in_table:  # Word wants a paragraph after a final table; keep the emptied placeholder's
            self.anchor.get_or_add_pPr().pageBreakBefore_val = None
        _retire_marker(self.anchor, "body", keep=ends_in_table)

    def section(self, section: Section) -> None:
        self.heading(1, section.title)
        for clause in section.visible_clauses:
            if clause.title:
                self.heading(2, clause.title)
            self.blocks(clause.blocks, 3 if clause.title else 2, caption=plain_text(clause.title or section.title))

    # blocks

    def blocks(self, blocks: list[Block], sub_level: int, depth: int = 0, caption: str = "") -> None:
        for block in blocks:
            if isinstance(block, Paragraph) or (isinstance(block, Heading) and depth):
                self.paragraph(self._continue_style(depth), block.inlines)
            elif isinstance(block, Heading):
                self.heading(sub_level, block.inlines)
            elif isinstance(block, ListBlock):
                self.list_block(block, depth + 1, sub_level)
            elif isinstance(block, Table):
                self.table(block.header, block.rows, caption)

    def _continue_style(self, depth: int) -> str | None:
        if not depth:
            return None
        name = CONTINUE_STYLES[min(depth, 2) - 1]
        return self.styles.optional(name) or self.styles.optional("List Paragraph")

    def list_block(self, block: ListBlock, depth: int, sub_level: int) -> None:
        """Lists use the template's list styles; every numbered list restarts at 1 with a `w:num` of its own."""
        name = ("List Number" if block.ordered else "List Bullet") + (" 2" if depth > 1 else "")
        numbering = self._restart(name) if block.ordered else None
        for item in block.items:
            first = item.blocks[0] if item.blocks and isinstance(item.blocks[0], Paragraph) else None
            self.paragraph(self.styles.id(name), first.inlines if first else [], numbering)
            self.blocks(item.blocks[1:] if first else item.blocks, sub_level, depth)
        if depth == 1 and self._last is not None and self._last.tag == qn("w:p"):
            _space(self._last, after=self.styles.gap)  # list items sit close; the list ends like a paragraph

    def _restart(self, name: str) -> tuple[str, str] | None:
        if name not in self.styles.numbering:
            return None
        num_id, level = self.styles.numbering[name]
        numbering = self.part.numbering_part.element
        try:
            current = numbering.num_having_numId(int(num_id))
        except KeyError:  # the style names a list the template does not define: leave numbering to Word
            return None
        restarted = numbering.add_num(current.abstractNumId.val)
        restarted.add_lvlOverride(ilvl=int(level)).add_startOverride(1)
        return str(restarted.numId), level

    def heading(self, level: int, inlines: list[Inline]) -> None:
        paragraph = self.paragraph(self.styles.id(f"Heading {level}"), inlines)
        if level > CONTENTS_LEVELS:
            return
        bookmark, number = f"_Toc{self._next_bookmark:08d}", str(self._next_bookmark)
        self._next_bookmark += 1
        start = parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{number}" w:name="{bookmark}"/>')
        paragraph.find(qn("w:pPr")).addnext(start)
        paragraph.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{number}"/>'))
        self.contents.append(ContentsEntry(level, plain_text(inlines).replace("\n", " "), bookmark))

    def paragraph(
        self, style_id: str | None, inlines: list[Inline], numbering: tuple[str, str] | None = None
    ) -> etree._Element:
        paragraph = _new_paragraph(style_id, numbering)
        if self._last is not None and self._last.tag == qn("w:tbl"):
            _space(paragraph, before=self.styles.gap)
        self._insert(paragraph)
        self.inlines(paragraph, inlines, _Format())
        return paragraph

    def _insert(self, element: etree._Element) -> None:
        self.anchor.addprevious(element)
        self._first = self._first if self._first is not None else element
        self._last = element

    def _carry_page_break(self) -> None:
        """A house template says "start the guidance on a new page" by setting that on the `{{ body }}` paragraph."""
        if self.anchor.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is None or self._first is None:
            return
        if self._first.tag == qn("w:p"):
            self._first.get_or_add_pPr().pageBreakBefore_val = True

    # inlines

    def inlines(self, container: etree._Element, nodes: list[Inline], style: _Format) -> None:
        for node in nodes:
            if isinstance(node, Text | Term | Code):
                container.append(self._run(node.text, style))
            elif isinstance(node, LineBreak):
                container.append(self._run("\n", style))
            elif isinstance(node, Emphasis):
                self.inlines(container, node.children, replace(style, italic=True))
            elif isinstance(node, Strong):
                self.inlines(container, node.children, replace(style, bold=True))
            elif isinstance(node, Link):
                self._link(container, node, style)

    def _link(self, container: etree._Element, link: Link, style: _Format) -> None:
        if style.link:  # links do not nest in Word
            self.inlines(container, link.children, style)
            return
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), self.part.relate_to(link.url, RT.HYPERLINK, is_external=True))
        hyperlink.set(qn("w:history"), "1")
        container.append(hyperlink)
        self.inlines(hyperlink, link.children, replace(style, link=True))

    def _run(self, text: str, style: _Format) -> etree._Element:
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        if style.link:
            properties.append(_val("w:rStyle", self.styles.id("Hyperlink")))
        for flag, names in ((style.bold, ("w:b", "w:bCs")), (style.italic, ("w:i", "w:iCs"))):
            if flag:
                properties.extend(OxmlElement(name) for name in names)
        if len(properties):
            run.append(properties)
        for piece in re.split(r"(\n|\t)", text):
            if piece == "\n":
                run.append(OxmlElement("w:br"))
            elif piece == "\t":
                run.append(OxmlElement("w:tab"))
            elif piece:
                run.append(_t(piece))
        return run

    # tables

    def table(
        self, header: list[list[Inline]], rows: list[list[list[Inline]]], caption: str, widths: list[int] | None = None
    ) -> None:
        """The template's table style; the first row is a header row that repeats on every page."""
        columns = max(len(header), *(len(row) for row in rows)) if rows else len(header)
        if self._last is not None and self._last.tag == qn("w:p"):
            self._last.get_or_add_pPr().keepNext_val = True  # an introduction stays with its table
        table = self.document.add_table(rows=1 + len(rows), cols=columns)
        self._insert(table._tbl)
        _table_properties(table._tbl, self.styles.id(TABLE_STYLE), caption)
        _column_widths(table._tbl, widths or [100 // columns] * columns, self.document)
        header_row = table._tbl.tr_lst[0].get_or_add_trPr()
        header_row.append(OxmlElement("w:cantSplit"))
        header_row.append(OxmlElement("w:tblHeader"))
        for row_element, cells in zip(table._tbl.tr_lst, [header, *rows], strict=True):
            for cell, inlines in zip(row_element.tc_lst, cells, strict=False):
                self.inlines(cell.p_lst[0], inlines, _Format())
        if len(rows) <= KEEP_TOGETHER_ROWS:
            _keep_together(table._tbl)

    # appendices

    def tailoring(self, policy: Policy) -> None:
        """Appendix: every clause the profiles changed, so a reader can see how this guidance departs from the core."""
        self.heading(1, [Text(text="How this guidance was tailored")])
        notes = tailoring_notes(policy)
        self.paragraph(None, [Text(text=based_on(policy))]).get_or_add_pPr().keepNext_val = bool(notes)
        if not notes:
            self.paragraph(None, [Text(text="No clause of the core guidance was changed, added or removed.")])
            return
        self.paragraph(None, [Text(text="Each clause that differs from the core guidance, who changed it and why:")])
        header = [[Text(text=label)] for label in ("Clause", "Change", "By", "Reason")]
        rows = [
            [
                [Text(text=note.title), LineBreak(), Emphasis(children=[Text(text=note.clause_id)])],
                [Text(text=note.change)],
                [Text(text=note.by)],
                [Text(text=note.reason or "Not recorded")],
            ]
            for note in notes
        ]
        self.table(header, rows, "How this guidance was tailored", widths=[36, 14, 20, 30])

    def document_control(self, policy: Policy) -> None:
        """Only when the profiles left the core's document control section out: every format ends with it."""
        control = policy.document
        details = [
            ("Owner", control.owner),
            ("Version", control.version),
            ("Approved by", control.approved_by),
            ("Approved on", long_date(control.approved_on)),
            ("Effective from", long_date(control.effective_from) if control.effective_from else None),
            ("Review by", long_date(control.review_by)),
            ("Classification", control.classification),
        ]
        self.heading(1, [Text(text="Document control")])
        rows = [[[Text(text=label)], [Text(text=value)]] for label, value in details if value]
        self.table([[Text(text="Item")], [Text(text="Details")]], rows, "Document control", widths=[35, 65])


def _space(paragraph: etree._Element, before: str | None = None, after: str | None = None) -> None:
    properties = paragraph.get_or_add_pPr()
    if before is not None:
        properties.spacing_before = Twips(int(before))
    if after is not None:
        properties.spacing_after = Twips(int(after))


def _val(tag: str, value: str) -> etree._Element:
    element = OxmlElement(tag)
    element.set(qn("w:val"), value)
    return element


def _t(text: str) -> etree._Element:
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    return node


def _new_paragraph(style_id: str | None, numbering: tuple[str, str] | None = None) -> etree._Element:
    paragraph = OxmlElement("w:p")
    properties = paragraph.get_or_add_pPr()
    if style_id:
        properties.append(_val("w:pStyle", style_id))
    if numbering:
        num = OxmlElement("w:numPr")
        num.append(_val("w:ilvl", numbering[1]))
        num.append(_val("w:numId", numbering[0]))
        properties.append(num)
    return paragraph


def _table_properties(table: etree._Element, style_id: str, caption: str) -> None:
    properties = table.tblPr
    properties.style = style_id
    width = properties.find(qn("w:tblW"))
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")
    look = properties.find(qn("w:tblLook"))
    look.set(qn("w:firstColumn"), "0")
    look.set(qn("w:val"), "0420")
    if caption:
        properties.append(_val("w:tblCaption", caption[:255]))


def _keep_together(table: etree._Element) -> None:
    """A short table stays on one page: every row but the last keeps with the next, as Word's own advice goes."""
    for row in table.tr_lst[:-1]:
        for paragraph in row.iter(qn("w:p")):
            paragraph.get_or_add_pPr().keepNext_val = True


def _column_widths(table: etree._Element, percents: list[int], document: DocumentObject) -> None:
    """Column widths as shares of the text width, in the grid and in every cell (Word and LibreOffice read both)."""
    section = document.sections[-1]
    text_width = Emu(
        int(section.page_width or Mm(210)) - int(section.left_margin or 0) - int(section.right_margin or 0)
    )
    twips = [int(text_width.twips * share / sum(percents)) for share in percents]
    for column, width in zip(table.tblGrid.gridCol_lst, twips, strict=False):
        column.w = Twips(width)
    for row in table.tr_lst:
        for cell, width in zip(row.tc_lst, twips, strict=False):
            cell.width = Twips(width)


# Contents ----------------------------------------------------------------------------------------------------------


def _write_contents(
    document: DocumentObject, styles: _Styles, entries: list[ContentsEntry], anchor: etree._Element
) -> None:
    """A TOC field whose cached result already lists the headings, linked to them.

    LibreOffice and Word before its field update show this cached result; `w:updateFields` makes Word rebuild the
    field with page numbers when the document is opened. Our cached entries carry no page numbers: we cannot know
    Word's page breaks.
    """
    paragraphs = [_contents_entry(styles, entry) for entry in entries] or [_new_paragraph(styles.id("TOC 1"))]
    begin = [_field_char("begin"), _instruction(f'TOC \\o "1-{CONTENTS_LEVELS}" \\h \\z \\u'), _field_char("separate")]
    properties = paragraphs[0].find(qn("w:pPr"))
    for run in reversed(begin):
        properties.addnext(run)
    paragraphs[-1].append(_field_char("end"))
    for paragraph in paragraphs:
        anchor.addprevious(paragraph)
    _retire_marker(anchor, "contents")


def _contents_entry(styles: _Styles, entry: ContentsEntry) -> etree._Element:
    paragraph = _new_paragraph(styles.id(f"TOC {entry.level}"))
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), entry.bookmark)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    run.append(_t(entry.text))
    link.append(run)
    paragraph.append(link)
    return paragraph


def _field_char(kind: str) -> etree._Element:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _instruction(text: str) -> etree._Element:
    run = OxmlElement("w:r")
    instruction = OxmlElement("w:instrText")
    instruction.text = f" {text} "
    instruction.set(qn("xml:space"), "preserve")
    run.append(instruction)
    return run


# After rendering ---------------------------------------------------------------------------------------------------


def _story_parts(document: DocumentObject) -> list[Part]:
    """The main document part and its headers and footers: where text and pictures live."""
    related = [
        rel.target_part
        for rel in document.part.rels.values()
        if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)
    ]
    return [document.part, *sorted(related, key=lambda part: str(part.partname))]


def _finish_logo(document: DocumentObject, logo: Logo | None) -> None:
    """Alt text lives in `wp:docPr/@descr`, which docxtpl's InlineImage cannot set; a decorative logo is marked so."""
    if logo is None:
        for part in _story_parts(document):
            for paragraph in list(part.element.iter(qn("w:p"))):
                if MARKERS["logo"] in _text(paragraph):
                    _retire_marker(paragraph, "logo", keep=True)  # its spacing still shapes the cover
        return
    data = logo.png.read_bytes()
    for part in _story_parts(document):
        for holder in part.element.iter(qn("wp:inline"), qn("wp:anchor")):
            blip = holder.find(f".//{qn('a:blip')}")
            target = part.related_parts.get(blip.get(qn("r:embed"))) if blip is not None else None
            if target is not None and target.blob == data:
                _describe(holder, logo.alt)


def _describe(holder: etree._Element, alt: str | None) -> None:
    for properties in (holder.find(qn("wp:docPr")), holder.find(f".//{qn('pic:cNvPr')}")):
        if properties is not None:
            properties.set("descr", alt or "")
    if alt is None:
        extensions = parse_xml(
            f'<a:extLst {nsdecls("a")}><a:ext uri="{DECORATIVE_URI}"><adec:decorative '
            f'xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative" val="1"/></a:ext></a:extLst>'
        )
        holder.find(qn("wp:docPr")).append(extensions)


def _apply_branding(document: DocumentObject, policy: Policy) -> None:
    """Only for the default template: the profile's colours and font replace the template's placeholders for them."""
    colours = {
        PRIMARY: policy.branding.primary_colour.lstrip("#").upper(),
        TEXT: policy.branding.text_colour.lstrip("#").upper(),
    }
    styles = document.styles.element
    for element in styles.iter():
        names = [qn("w:color"), qn("w:fill")] + ([qn("w:val")] if element.tag == qn("w:color") else [])
        for name in names:
            if element.get(name, "").upper() in colours:
                element.set(name, colours[element.get(name).upper()])
    for fonts in styles.iter(qn("w:rFonts")):
        for name in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            if fonts.get(qn(name)) == BODY_FONT:
                fonts.set(qn(name), policy.branding.font.name)
    theme = document.part.part_related_by(RT.THEME)
    typeface = f'typeface="{policy.branding.font.name}"'.encode()
    theme._blob = theme.blob.replace(f'typeface="{BODY_FONT}"'.encode(), typeface)


FONT_EMBEDS = {
    "regular": "w:embedRegular",
    "bold": "w:embedBold",
    "italic": "w:embedItalic",
    "bold_italic": "w:embedBoldItalic",
}
FONT_FAMILIES = {"serif": "roman", "sans-serif": "swiss", "monospace": "modern"}
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"


def _embed_font(document: DocumentObject, font: Font) -> None:
    """Only for the default template: the profile's font travels in the file, as Word's "Embed fonts" does.

    Noto is not installed with Windows, macOS or most LibreOffice set-ups, and without it Word silently substitutes.
    Fonts whose licence forbids embedding (OS/2 `fsType`) are only named, with their family, so that Word picks a
    similar font.
    """
    table = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(table.blob)
    for old in root.findall(qn("w:font")):
        if old.get(qn("w:name")) == font.name:
            root.remove(old)
    regular = font.files["regular"].read_bytes()
    entry = font_table_entry(font.name, font.generic, regular)
    root.append(entry)
    if _embeddable(regular):
        for style, tag in FONT_EMBEDS.items():
            if style == "regular" or font.files[style] != font.files["regular"]:
                entry.append(_embedded(document, table, font, style, tag))
        settings = document.settings.element
        if settings.find(qn("w:embedTrueTypeFonts")) is None:
            settings.insert_element_before(
                OxmlElement("w:embedTrueTypeFonts"), *_settings_after("w:embedTrueTypeFonts")
            )
    table._blob = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)


def font_table_entry(name: str, generic: str, data: bytes) -> etree._Element:
    """A `w:font` naming the family and its PANOSE class, which Word uses to choose a stand-in."""
    os2 = _os2_table(data)
    panose = os2[32:42].hex().upper() if len(os2) >= 42 else "00000000000000000000"
    return parse_xml(
        f'<w:font {nsdecls("w")} w:name="{name}"><w:panose1 w:val="{panose}"/><w:charset w:val="00"/>'
        f'<w:family w:val="{FONT_FAMILIES.get(generic, "auto")}"/><w:pitch w:val="variable"/></w:font>'
    )


def _embedded(document: DocumentObject, table: Part, font: Font, style: str, tag: str) -> etree._Element:
    data = font.files[style].read_bytes()
    key = uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])
    slug = re.sub(r"[^a-z0-9]+", "-", font.name.lower()).strip("-")
    part = Part(
        PackURI(f"/word/fonts/{slug}-{style.replace('_', '-')}.odttf"),
        OBFUSCATED_FONT,
        _obfuscate(data, key),
        document.part.package,
    )
    element = OxmlElement(tag)
    element.set(qn("r:id"), table.relate_to(part, RT.FONT))
    element.set(qn("w:fontKey"), "{" + str(key).upper() + "}")
    return element


def _obfuscate(data: bytes, key: uuid.UUID) -> bytes:
    """ECMA-376 font obfuscation: the first 32 bytes XORed with the key's bytes in reverse order."""
    mask = bytes.fromhex(key.hex)[::-1]
    return bytes(byte ^ mask[index % 16] for index, byte in enumerate(data[:32])) + data[32:]


def _os2_table(data: bytes) -> bytes:
    count = int.from_bytes(data[4:6], "big")
    for index in range(count):
        record = data[12 + 16 * index : 28 + 16 * index]
        if record[:4] == b"OS/2":
            offset, length = int.from_bytes(record[8:12], "big"), int.from_bytes(record[12:16], "big")
            return data[offset : offset + length]
    return b""


def _embeddable(data: bytes) -> bool:
    """OS/2 fsType: 0x0002 means restricted-licence embedding (not allowed); bitmap-only fonts are not worth it."""
    os2 = _os2_table(data)
    if len(os2) < 10:
        return False
    fs_type = int.from_bytes(os2[8:10], "big")
    return fs_type & 0x000F != 0x0002 and not fs_type & 0x0200


def _set_language(document: DocumentObject, language: str) -> None:
    """The policy's language everywhere Word records one: default run properties, styles and the text itself."""
    roots = [document.styles.element, *(part.element for part in _story_parts(document))]
    for root in roots:
        for lang in root.iter(qn("w:lang")):
            lang.set(qn("w:val"), language)
    properties = _default_run_properties(document.styles.element)
    if properties.find(qn("w:lang")) is None:
        properties.append(_val("w:lang", language))
    settings = document.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is None:
        theme = settings.insert_element_before(OxmlElement("w:themeFontLang"), *_settings_after("w:themeFontLang"))
    theme.set(qn("w:val"), language)


def _default_run_properties(styles: etree._Element) -> etree._Element:
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    return properties


def _settings_after(tag: str) -> tuple[str, ...]:
    """The elements that must follow `tag` in settings.xml: Word refuses a file whose settings are out of order."""
    return _SETTINGS_SEQUENCE[_SETTINGS_SEQUENCE.index(tag) + 1 :]


# The order CT_Settings requires, from embedTrueTypeFonts on (python-docx keeps it private).
_SETTINGS_SEQUENCE = (  # noqa: SIM905
    "w:embedTrueTypeFonts w:embedSystemFonts w:saveSubsetFonts w:saveFormsData w:mirrorMargins "
    "w:alignBordersAndEdges w:bordersDoNotSurroundHeader w:bordersDoNotSurroundFooter w:gutterAtTop "
    "w:hideSpellingErrors w:hideGrammaticalErrors w:activeWritingStyle w:proofState w:formsDesign "
    "w:attachedTemplate w:linkStyles w:stylePaneFormatFilter w:stylePaneSortMethod w:documentType "
    "w:mailMerge w:revisionView w:trackRevisions w:doNotTrackMoves w:doNotTrackFormatting "
    "w:documentProtection w:autoFormatOverride w:styleLockTheme w:styleLockQFSet w:defaultTabStop "
    "w:autoHyphenation w:consecutiveHyphenLimit w:hyphenationZone w:doNotHyphenateCaps w:showEnvelope "
    "w:summaryLength w:clickAndTypeStyle w:defaultTableStyle w:evenAndOddHeaders w:bookFoldRevPrinting "
    "w:bookFoldPrinting w:bookFoldPrintingSheets w:drawingGridHorizontalSpacing "
    "w:drawingGridVerticalSpacing w:displayHorizontalDrawingGridEvery w:displayVerticalDrawingGridEvery "
    "w:doNotUseMarginsForDrawingGridOrigin w:drawingGridHorizontalOrigin w:drawingGridVerticalOrigin "
    "w:doNotShadeFormData w:noPunctuationKerning w:characterSpacingControl w:printTwoOnOne "
    "w:strictFirstAndLastChars w:noLineBreaksAfter w:noLineBreaksBefore w:savePreviewPicture "
    "w:doNotValidateAgainstSchema w:saveInvalidXml w:ignoreMixedContent w:alwaysShowPlaceholderText "
    "w:doNotDemarcateInvalidXml w:saveXmlDataOnly w:useXSLTWhenSaving w:saveThroughXslt w:showXMLTags "
    "w:alwaysMergeEmptyNamespace w:updateFields w:hdrShapeDefaults w:footnotePr w:endnotePr w:compat "
    "w:docVars w:rsids m:mathPr w:attachedSchema w:themeFontLang w:clrSchemeMapping "
    "w:doNotIncludeSubdocsInStats w:doNotAutoCompressPictures w:forceUpgrade w:captions "
    "w:readModeInkLockDown w:smartTagType sl:schemaLibrary w:shapeDefaults w:doNotEmbedSmartTags "
    "w:decimalSymbol w:listSeparator "
).split()


def _update_fields_on_open(document: DocumentObject) -> None:
    """Word fills in the contents' page numbers (and asks the reader's permission) when the file is opened."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        settings.insert_element_before(_val("w:updateFields", "true"), *_settings_after("w:updateFields"))


def _set_properties(document: DocumentObject, policy: Policy, options: RenderOptions) -> None:
    """After rendering, because docxtpl renders the template's core properties as jinja templates."""
    properties = document.core_properties
    properties.title = policy.full_title
    properties.subject = policy.subtitle
    properties.author = policy.organisation.name
    properties.language = policy.language
    properties.keywords = f"social media; social web; guidance; policy; {policy.organisation.short_name}"
    properties.category = "Policy and guidance"
    properties.comments = based_on(policy)
    properties.identifier = policy.profile
    properties.version = policy.document.version
    moment = max(options.timestamp, EPOCH_FLOOR).astimezone(UTC).replace(tzinfo=None)
    properties.created = properties.modified = moment
    properties.last_modified_by = options.generator
    properties.revision = 1


def repack(data: bytes, moment: datetime) -> bytes:
    """The same zip with fixed entry dates, a stable entry order and fixed attributes: reproducible bytes."""
    stamp = max(moment, EPOCH_FLOOR).astimezone(UTC).timetuple()[:6]
    output = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for name in sorted(source.namelist(), key=_entry_order):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=6)
    return output.getvalue()


def _entry_order(name: str) -> tuple[int, str]:
    """[Content_Types].xml and the package relationships first, as Word writes them; then by name."""
    return ({"[Content_Types].xml": 0, "_rels/.rels": 1}.get(name, 2), name)


# Checking a house template -----------------------------------------------------------------------------------------


def check_template(path: Path) -> list[str]:
    """What is wrong with a Word template, in words its editor can act on; an empty list when it is usable.

    docxtpl 0.20.2 itself merges a placeholder that Word split across runs, so beyond reading every placeholder we
    fill the template once with sample values and look for what still shows as a placeholder afterwards.
    """
    try:
        data = path.read_bytes()
        template = DocxTemplate(BytesIO(data))
        document = template.get_docx()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError, etree.XMLSyntaxError) as error:
        return [f"{path.name} cannot be opened as a Word document (.docx): {error}"]
    found, unreadable = _read_placeholders(template, document)
    problems = _style_problems(document) + unreadable
    if any("cannot be read" in problem for problem in unreadable):
        return problems
    problems += _placement_problems(found, document)
    if unreadable:  # an unknown name would only fail the trial again
        return problems
    return problems + _trial_problems(data, found.get("the main text", set()))


def _style_problems(document: DocumentObject) -> list[str]:
    found = _style_index(document)
    problems = []
    for name, (kind, purpose) in REQUIRED_STYLES.items():
        if name.lower() not in found:
            problems.append(
                f"the {kind} style “{name}” is missing (used for {purpose}); copy it from "
                f"templates/word/default.docx with Word's Organizer (Styles ▸ Manage Styles ▸ Import/Export)"
            )
        elif found[name.lower()][1] != kind:
            problems.append(f"the style “{name}” should be a {kind} style, not a {found[name.lower()][1]} style")
    for name in LIST_STYLES:
        if name.lower() in found and not _style_numbering(document, found[name.lower()][0]):
            problems.append(
                f"the style “{name}” has no bullets or numbering (Modify Style ▸ Format ▸ Numbering), "
                "so its lists would show as plain paragraphs"
            )
    return problems


def _stories(template: DocxTemplate, document: DocumentObject) -> list[tuple[str, str]]:
    """(where, XML) for the main text, then each header and footer, as docxtpl will see them."""
    stories = [("the main text", template.xml_to_string(document.element.body))]
    for part in _story_parts(document)[1:]:
        where = "a header" if part.partname.startswith("/word/header") else "a footer"
        stories.append((where, template.xml_to_string(part.element)))
    return stories


def _read_placeholders(template: DocxTemplate, document: DocumentObject) -> tuple[dict[str, set[str]], list[str]]:
    """The placeholder names each story uses, and the placeholders that cannot be read or are not ours."""
    problems: list[str] = []
    found: dict[str, set[str]] = {}
    for where, xml in _stories(template, document):
        patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", template.patch_xml(xml))  # one line a paragraph, as docxtpl
        try:
            names = meta.find_undeclared_variables(_environment().parse(patched))
        except TemplateError as error:
            problems.append(
                f"{where}: a placeholder cannot be read ({error.message}) near “{_near(patched, error)}”; "
                "delete it and type it again in one go, with plain spaces and straight quotes"
            )
            continue
        for name in sorted(names - PLACEHOLDERS.keys()):
            suggestion = did_you_mean(name, PLACEHOLDERS)
            problems.append(
                f"{where}: unknown placeholder {{{{ {name} }}}}" + (f"; {suggestion}" if suggestion else "")
            )
        found[where] = set(names)
    return found, problems


def _placement_problems(found: dict[str, set[str]], document: DocumentObject) -> list[str]:
    everywhere = set().union(*found.values())
    problems = [
        f"the placeholder {{{{ {name} }}}} is missing ({PLACEHOLDERS[name]})"
        for name in REQUIRED_PLACEHOLDERS
        if name not in everywhere
    ]
    for where, names in found.items():
        for name in sorted(names & {"contents", "body"}):
            if where != "the main text":
                problems.append(f"{where}: {{{{ {name} }}}} belongs in the main text, not in {where}")
    return problems + _lonely_problems(document)


def _lonely_problems(document: DocumentObject) -> list[str]:
    problems = []
    for paragraph in document.element.body.iter(qn("w:p")):
        text = _text(paragraph)
        for name in ("contents", "body"):
            tag = _tag(text, name)
            if tag and text.strip() != tag:
                problems.append(f"{{{{ {name} }}}} must be alone in its paragraph; it shares one with “{text[:60]}”")
    return problems


def _tag(text: str, name: str) -> str:
    match = re.search(r"\{\{\s*" + name + r"\s*\}\}", text)
    return match.group(0) if match else ""


def _near(xml: str, error: TemplateError) -> str:
    line = getattr(error, "lineno", None) or 1
    lines = xml.splitlines()
    text = re.sub(r"<[^>]+>", "", lines[min(line, len(lines)) - 1])
    return text.strip()[:80]


def _trial_problems(data: bytes, placed: set[str]) -> list[str]:
    """Fill the template with sample values and look for placeholders that came through as text or got lost."""
    template = DocxTemplate(BytesIO(data))
    sample = {name: f"\u27e6sample:{name}\u27e7" for name in PLACEHOLDERS} | MARKERS
    try:
        template.render(sample, jinja_env=_environment())
    except (TemplateError, ValueError, etree.XMLSyntaxError) as error:
        return [f"the template could not be filled in: {error}"]
    problems = []
    texts = {where: _visible_text(xml) for where, xml in _stories(template, template.docx)}
    for where, text in texts.items():
        for leftover in re.findall(r".{0,30}(?:\{\s*\{|\}\s*\}|\{\s*%|%\s*\}).{0,30}", text):
            problems.append(
                f"{where}: “{leftover.strip()}” looks like a placeholder but was not filled in (a brace split off, "
                "or a space or other character inside the braces); delete it and type it again in one go"
            )
    main = texts.get("the main text", "")
    for name in sorted(placed & {"contents", "body"}):
        if MARKERS[name] not in main:
            problems.append(f"{{{{ {name} }}}} did not survive filling in; type it again alone in its paragraph")
    return problems


def _visible_text(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    return "\n".join(_text(paragraph) for paragraph in root.iter(qn("w:p")))
