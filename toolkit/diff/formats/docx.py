"""The diff as a Word document whose differences are real tracked changes, for reviewers who work in Word.

Each changed clause's text is written with the new side's wording as insertions (`w:ins`) and the old side's as
deletions (`w:del`, text in `w:delText`), authored by the new side's organisation at one fixed time. Accepting every
change gives the new side's wording, rejecting every change the old side's. A paragraph that exists on one side only
also has its paragraph mark tracked (`w:pPr/w:rPr/w:ins` or `w:del`), so rejecting an added clause removes its
paragraphs entirely instead of leaving empty ones. The summary, terms list and headings are ordinary text.

python-docx has no tracked-changes API (python-docx #340), so the revision markup is written as OOXML here.
The same diff, timestamp and template always give the same bytes: fixed core properties, and the zip packed by
`render/ooxml.py` as the Word renderer packs its own, which also fills the template and sets settings and language.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from lxml.etree import _Element

from toolkit.diff.formats._wording import (
    attribution,
    baseline_sentence,
    brought_in_sentence,
    change_words,
    filled_in_intro,
    location,
    plural,
    reason_text,
    report_title,
    set_by_words,
    summary_sentence,
    term_label,
    term_sides,
)
from toolkit.diff.model import ClauseDiff, LineDiff, PolicyDiff, Substitution
from toolkit.load.yamlio import FORBIDDEN_CHARACTERS
from toolkit.render import build_timestamp
from toolkit.render.ooxml import DEFAULT_TEMPLATE, fill_template, new_element, package, qn, set_language, setting

SUFFIX = ".docx"
LANGUAGE = "en-GB"
LINE_STYLES = {"title": "Heading 3", "heading": "Heading 4", "item": "List Bullet", "paragraph": None, "row": None}


# Tracked changes ---------------------------------------------------------------------------------------------------


@dataclass
class Revisions:
    """Writes runs, insertions and deletions for one author and time, numbering every revision uniquely."""

    author: str
    date: str
    next_id: int = field(default=1)

    def _attributes(self, element: _Element) -> _Element:
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        self.next_id += 1
        return element

    def run(self, text: str, *, deleted: bool = False) -> _Element:
        run = new_element("w:r")
        text_element = new_element("w:delText" if deleted else "w:t")
        text_element.set(qn("xml:space"), "preserve")
        text_element.text = xml_text(text)
        run.append(text_element)
        return run

    def change(self, op: str, text: str) -> _Element:
        """`w:ins` or `w:del` around one run: the element a reviewer accepts or rejects."""
        wrapper = self._attributes(new_element("w:ins" if op == "insert" else "w:del"))
        wrapper.append(self.run(text, deleted=op == "delete"))
        return wrapper

    def mark_paragraph(self, paragraph: Paragraph, op: str) -> None:
        """Track the paragraph mark itself, so accepting or rejecting removes the whole paragraph, not just its text."""
        properties = paragraph._p.get_or_add_pPr()
        run_properties = properties.find(qn("w:rPr"))
        if run_properties is None:
            run_properties = new_element("w:rPr")
            properties.append(run_properties)  # last child: python-docx only ever wrote w:pStyle here
        run_properties.append(self._attributes(new_element("w:ins" if op == "insert" else "w:del")))

    def write_line(self, paragraph: Paragraph, line: LineDiff) -> None:
        """The line's segments as runs; an item of a numbered list starts with its number, written as text (Word's
        own numbering would run on from one clause's list into the next), tracked with the line when it is only
        on one side."""
        if line.number is not None:
            number = f"{line.number}. "
            element = self.change(line.op, number) if line.op in ("insert", "delete") else self.run(number)
            paragraph._p.append(element)
        for segment in line.segments:
            element = self.run(segment.text) if segment.op == "equal" else self.change(segment.op, segment.text)
            paragraph._p.append(element)
        if line.op in ("insert", "delete"):
            self.mark_paragraph(paragraph, line.op)


def xml_text(text: str) -> str:
    """Characters XML 1.0 forbids would make lxml raise; a report should still be written, so drop them."""
    return FORBIDDEN_CHARACTERS.sub("", text)


def sentence(text: str) -> str:
    """End with a full stop unless the text (a recorded reason) already ends a sentence."""
    return text if text.rstrip().endswith((".", "!", "?", "…")) else f"{text}."


def iso_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The document ------------------------------------------------------------------------------------------------------


def _open(template: Path | None, values: dict[str, str]) -> DocumentObject:
    """The project's Word template, its placeholders filled as the renderer fills them and its body emptied
    (styles, page set-up, headers and footers kept); python-docx's own document without a template."""
    path = template if template is not None else (DEFAULT_TEMPLATE if DEFAULT_TEMPLATE.is_file() else None)
    if path is None:
        return Document()
    filled = DocxTemplate(str(path))
    fill_template(filled, values, path)
    buffer = BytesIO()
    filled.save(buffer)
    document = Document(buffer)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def _style(document: DocumentObject, name: str | None) -> str | None:
    """The style if the template has it; a house template without "List Bullet" still gets a readable report."""
    if name is None:
        return None
    try:
        document.styles[name]
    except KeyError:
        return None
    return name


def _add(document: DocumentObject, text: str = "", style: str | None = None) -> Paragraph:
    paragraph = document.add_paragraph(style=_style(document, style))
    if text:
        paragraph.add_run(xml_text(text))
    return paragraph


def _write_intro(document: DocumentObject, diff: PolicyDiff) -> None:
    _add(document, report_title(diff), "Title")
    _add(
        document,
        f"How the policy for {diff.new.name} differs from {diff.old.name}, clause by clause. The clause text below "
        f"is shown as tracked changes by {diff.new.name}: accept them all to read {diff.new.name}'s wording, "
        f"reject them all to read the wording of {diff.old.name}.",
    )
    _add(document, baseline_sentence(diff))
    _add(document, "Summary", "Heading 1")
    _add(document, summary_sentence(diff))
    brought = brought_in_sentence(diff)
    if brought:
        _add(document, brought)


def _write_terms(document: DocumentObject, diff: PolicyDiff) -> None:
    _add(document, "Terms and details that differ", "Heading 1")
    if not diff.substitutions:
        _add(document, "No terms or details differ.")
    else:
        _add(
            document,
            "These words or details differ everywhere the policy uses them. They are listed once here and are not "
            "shown as changes in the clause text.",
        )
    for substitution in diff.substitutions:
        _write_term(document, diff, substitution)
    if diff.filled_in:
        _add(document, "Details the profiles fill in", "Heading 1")
        _add(document, filled_in_intro(diff))
        for item in diff.filled_in:
            paragraph = _add(document, style="List Bullet")
            paragraph.add_run(xml_text(term_label(item.label))).bold = True
            paragraph.add_run(xml_text(f" ({item.key}): {item.value}. Set by {set_by_words(diff, item.set_by)}."))


def _write_term(document: DocumentObject, diff: PolicyDiff, s: Substitution) -> None:
    """One list item: the label in bold, then each side's words on a line of their own, with the layer that set them."""
    paragraph = _add(document, style="List Bullet")
    paragraph.add_run(xml_text(term_label(s.label))).bold = True
    paragraph.add_run(xml_text(f" ({s.key}, {plural(s.places, 'place')})"))
    labels = term_sides(diff, s.old_set_by, s.set_by)
    for label, words in zip(labels, (s.old, s.new), strict=True):
        paragraph.add_run().add_break()
        paragraph.add_run(xml_text(f"{label}: {words if words is not None else '(none)'}"))


def _write_clause(document: DocumentObject, diff: PolicyDiff, clause: ClauseDiff, revisions: Revisions) -> None:
    _add(document, f"{change_words(clause)}: {clause.title} ({clause.id})", "Heading 2")
    _add(document, sentence(f"{attribution(diff, clause)}: {reason_text(clause)}"))
    _add(document, f"Clause {clause.id}, {location(clause)}.")
    if not clause.lines:
        _add(document, "The wording is the same; only its place in the policy differs.")
    for line in clause.lines:
        style = "List Continue" if line.number is not None else LINE_STYLES[line.kind]
        revisions.write_line(_add(document, style=style), line)


def _write_clauses(document: DocumentObject, diff: PolicyDiff, revisions: Revisions) -> None:
    _add(document, "Clauses that differ", "Heading 1")
    changed = diff.changed_clauses
    if not changed:
        _add(document, "No clause differs.")
    for clause in changed:
        _write_clause(document, diff, clause, revisions)
    changed_ids = {clause.id for clause in changed}
    unchanged = [clause for clause in diff.clauses if clause.id not in changed_ids]
    _add(document, "Unchanged clauses", "Heading 1")
    if not unchanged:
        _add(document, "Every clause differs.")
        return
    are = "is" if len(unchanged) == 1 else "are"
    _add(document, f"{plural(len(unchanged), 'clause')} {are} the same in both, by section:")
    _unchanged_table(document, unchanged)


def _unchanged_table(document: DocumentObject, unchanged: list[ClauseDiff]) -> None:
    """One row per section (its title, then its unchanged clauses by title): compact, and read as a table."""
    sections: dict[str, list[ClauseDiff]] = {}
    for clause in unchanged:
        sections.setdefault(clause.section_title or clause.section, []).append(clause)
    table = document.add_table(rows=1, cols=2)
    style = _style(document, "Policy Table") or _style(document, "Table Grid")
    if style:
        table.style = style
    header = table.rows[0]
    for cell, text in zip(header.cells, ("Section", "Unchanged clauses"), strict=True):
        cell.text = text
    _repeat_as_header(header)
    for section, clauses in sections.items():
        row = table.add_row()
        row.cells[0].text = xml_text(section)
        row.cells[1].text = xml_text("; ".join(f"{clause.title} ({clause.id})" for clause in clauses))
    # A document may not end with a table: Word and LibreOffice would add a paragraph themselves, which with
    # tracking on becomes a tracked change by an unknown author.
    _add(document, "End of the comparison report.")


def _repeat_as_header(row: object) -> None:
    """Mark the first row as the table's header row, so screen readers and page breaks treat it as one."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = new_element("w:tblHeader")
    properties.append(header)


def _footer_on_one_line(document: DocumentObject) -> None:
    """The template's footer puts the title at the left and "Page 2 of 3" after two tabs (centre, then right): a
    title longer than half the line pushes the page number onto a line of its own. One tab to the right stop."""
    for section in document.sections:
        for footer in (section.footer, section.first_page_footer):
            for paragraph in footer.paragraphs:
                runs = paragraph._p.findall(qn("w:r"))
                tabs = [run for run in runs if len(run) == 1 and run[0].tag == qn("w:tab")]
                for first, second in itertools.pairwise(tabs):
                    if first.getnext() is second:
                        paragraph._p.remove(first)
                        break


# Package details ---------------------------------------------------------------------------------------------------


def _settings(document: DocumentObject) -> None:
    """Keep tracking on, so a reviewer's own edits are tracked too; British English for spelling and hyphenation."""
    setting(document, "w:trackRevisions")
    set_language(document, LANGUAGE)


def _properties(document: DocumentObject, diff: PolicyDiff, moment: datetime) -> None:
    """Fixed core properties: the same inputs give the same bytes, and no python-docx boilerplate is left."""
    properties = document.core_properties
    properties.title = report_title(diff)
    properties.subject = f"How {diff.new.name}'s social media policy differs from {diff.old.name}"
    properties.author = properties.last_modified_by = diff.new.name
    properties.language = LANGUAGE
    properties.comments = properties.keywords = properties.category = ""
    properties.created = properties.modified = moment
    properties.revision = 1
    for rel_id, rel in list(document.part.package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # python-docx's sample thumbnail would misrepresent this document
            del document.part.package.rels[rel_id]


def report(diff: PolicyDiff, *, timestamp: datetime | None = None, template: Path | None = None, **_: object) -> bytes:
    """The .docx bytes. `timestamp` dates every tracked change and the file; `template` overrides the Word template."""
    moment = (timestamp or build_timestamp()).astimezone(UTC).replace(microsecond=0)
    document = _open(template, {"title": "Comparison report", "organisation": diff.new.name, "subtitle": ""})
    revisions = Revisions(author=xml_text(diff.new.name), date=iso_date(moment))
    _write_intro(document, diff)
    _write_terms(document, diff)
    _write_clauses(document, diff, revisions)
    _footer_on_one_line(document)
    _settings(document)
    _properties(document, diff, moment)
    return package(document, moment)
