"""The guidance written into the document with python-docx: headings, paragraphs, lists, tables, links, contents."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Emu, Mm, Twips
from lxml import etree

from toolkit.i18n import Labels, labels_of
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
from toolkit.render._word.spec import (
    CONTENTS_LEVELS,
    CONTINUE_STYLES,
    KEEP_TOGETHER_ROWS,
    KEEP_WHOLE_SECTIONS,
    TABLE_STYLE,
    retire_marker,
)
from toolkit.render._word.styles import Styles
from toolkit.render.ooxml import new_element, qn, val
from toolkit.resolve.notes import based_on, sections_around_appendix, tailoring_intro, tailoring_notes

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


class BodyWriter:
    """Writes the policy as Word paragraphs and tables just before the `{{ body }}` paragraph."""

    def __init__(self, document: DocumentObject, styles: Styles, anchor: etree._Element) -> None:
        self.document, self.styles, self.anchor = document, styles, anchor
        self.part = document.part
        self.contents: list[ContentsEntry] = []
        self._next_bookmark = 1 + max(
            (int(b.get(qn("w:id"), "0")) for b in document.element.body.iter(qn("w:bookmarkStart"))), default=0
        )
        self._first: etree._Element | None = None
        self._last: etree._Element | None = None
        self.labels = Labels("en")
        self.english: list[etree._Element] = []  # what is written in English in another language's document

    def write(self, policy: Policy) -> None:
        self.labels = labels_of(policy)
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
        retire_marker(self.anchor, "body", keep=ends_in_table)

    def section(self, section: Section) -> None:
        begun = self._last
        self.heading(1, section.title)
        for clause in section.visible_clauses:
            if clause.untranslated:
                self.paragraph(None, [Strong(children=[Text(text=self.labels.untranslated(clause.untranslated))])])
            start = self._last
            if clause.title:
                self.heading(2, clause.title)
            self.blocks(clause.blocks, 3 if clause.title else 2, caption=plain_text(clause.title or section.title))
            if clause.untranslated:
                self.english += self._written_since(start)
        if section.id in KEEP_WHOLE_SECTIONS:
            _keep_whole(self._written_since(begun))

    def _written_since(self, start: etree._Element | None) -> list[etree._Element]:
        """The paragraphs and tables inserted after `start`, in order."""
        written = []
        element = self.anchor.getprevious()
        while element is not None and element is not start:
            written.append(element)
            element = element.getprevious()
        return written[::-1]

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
        hyperlink = new_element("w:hyperlink")
        hyperlink.set(qn("r:id"), self.part.relate_to(link.url, RT.HYPERLINK, is_external=True))
        hyperlink.set(qn("w:history"), "1")
        container.append(hyperlink)
        self.inlines(hyperlink, link.children, replace(style, link=True))

    def _run(self, text: str, style: _Format) -> etree._Element:
        run = new_element("w:r")
        properties = new_element("w:rPr")
        if style.link:
            properties.append(val("w:rStyle", self.styles.id("Hyperlink")))
        for flag, names in ((style.bold, ("w:b", "w:bCs")), (style.italic, ("w:i", "w:iCs"))):
            if flag:
                properties.extend(new_element(name) for name in names)
        if len(properties):
            run.append(properties)
        for piece in re.split(r"(\n|\t)", text):
            if piece == "\n":
                run.append(new_element("w:br"))
            elif piece == "\t":
                run.append(new_element("w:tab"))
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
        _column_widths(table._tbl, widths or [max(100 // columns, 1)] * columns, self.document)
        header_row = table._tbl.tr_lst[0].get_or_add_trPr()
        header_row.append(new_element("w:cantSplit"))
        header_row.append(new_element("w:tblHeader"))
        for row_element, cells in zip(table._tbl.tr_lst, [header, *rows], strict=True):
            for cell, inlines in zip(row_element.tc_lst, cells, strict=False):
                self.inlines(cell.p_lst[0], inlines, _Format())
        if len(rows) <= KEEP_TOGETHER_ROWS:
            _keep_together(table._tbl)

    # appendices

    def tailoring(self, policy: Policy) -> None:
        """Appendix: every clause the profiles changed, so a reader can see how this guidance departs from the core."""
        labels = self.labels
        self.heading(1, [Text(text=labels("how_tailored"))])
        notes = tailoring_notes(policy)
        self.paragraph(None, [Text(text=based_on(policy))])
        self.paragraph(None, [Text(text=tailoring_intro(policy, notes))]).get_or_add_pPr().keepNext_val = bool(notes)
        if not notes:
            return
        header = [[Text(text=labels(column))] for column in ("column_part", "column_change", "column_why")]
        rows = [
            [
                [Text(text=note.title)],
                [Text(text=note.change_in_words)],
                [Text(text=note.reason or labels("not_recorded"))],
            ]
            for note in notes
        ]
        self.table(header, rows, labels("how_tailored"), widths=[38, 22, 40])

    def document_control(self, policy: Policy) -> None:
        """Only when the profiles left the core's document control section out: every format ends with it."""
        control, labels = policy.document, self.labels
        details = [
            (labels("owner"), control.owner),
            (labels("version"), control.version),
            (labels("approved_by"), control.approved_by or "Not yet approved"),
            (labels("approved_on"), labels.date(control.approved_on) if control.approved_on else None),
            (labels("effective_from"), labels.date(control.effective_from) if control.effective_from else None),
            (labels("review_by"), labels.date(control.review_by)),
            (labels("classification"), control.classification),
        ]
        self.heading(1, [Text(text=labels("document_control"))])
        rows = [[[Text(text=label)], [Text(text=value)]] for label, value in details if value]
        header = [[Text(text=labels("column_item"))], [Text(text=labels("column_details"))]]
        self.table(header, rows, labels("document_control"), widths=[35, 65])


def _space(paragraph: etree._Element, before: str | None = None, after: str | None = None) -> None:
    properties = paragraph.get_or_add_pPr()
    if before is not None:
        properties.spacing_before = Twips(int(before))
    if after is not None:
        properties.spacing_after = Twips(int(after))


def _t(text: str) -> etree._Element:
    node = new_element("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    return node


def _new_paragraph(style_id: str | None, numbering: tuple[str, str] | None = None) -> etree._Element:
    paragraph = new_element("w:p")
    properties = paragraph.get_or_add_pPr()
    if style_id:
        properties.append(val("w:pStyle", style_id))
    if numbering:
        num = new_element("w:numPr")
        num.append(val("w:ilvl", numbering[1]))
        num.append(val("w:numId", numbering[0]))
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
        properties.append(val("w:tblCaption", caption[:255]))


def _keep_together(table: etree._Element) -> None:
    """A short table stays on one page: every row but the last keeps with the next, as Word's own advice goes."""
    for row in table.tr_lst[:-1]:
        for paragraph in row.iter(qn("w:p")):
            paragraph.get_or_add_pPr().keepNext_val = True


def _keep_whole(elements: list[etree._Element]) -> None:
    """Every paragraph of `elements`, in tables too, keeps with the next but the last: they share one page."""
    paragraphs = [paragraph for element in elements for paragraph in element.iter(qn("w:p"))]
    for paragraph in paragraphs[:-1]:
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


def write_contents(
    document: DocumentObject, styles: Styles, entries: list[ContentsEntry], anchor: etree._Element
) -> None:
    """The contents as linked entries in the TOC styles, without page numbers and outside any field.

    A TOC field would show no page numbers until Word updates it, and `w:updateFields` makes Word ask every reader's
    permission on opening. Page numbers cannot be written here: only Word knows Word's page breaks (the PDF's are
    another layout). So the entries are plain links to the headings, which Word and LibreOffice show as they are;
    the PDF handbook carries page numbers.
    """
    paragraphs = [_contents_entry(styles, entry) for entry in entries] or [_new_paragraph(styles.id("TOC 1"))]
    for paragraph in paragraphs:
        anchor.addprevious(paragraph)
    retire_marker(anchor, "contents")


def _contents_entry(styles: Styles, entry: ContentsEntry) -> etree._Element:
    paragraph = _new_paragraph(styles.id(f"TOC {entry.level}"))
    link = new_element("w:hyperlink")
    link.set(qn("w:anchor"), entry.bookmark)
    link.set(qn("w:history"), "1")
    run = new_element("w:r")
    run.append(_t(entry.text))
    link.append(run)
    paragraph.append(link)
    return paragraph
