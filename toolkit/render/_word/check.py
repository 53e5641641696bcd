"""Checking a house Word template before anyone renders with it: styles, placeholders, a trial fill."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import TemplateError, meta
from lxml import etree

from toolkit.errors import did_you_mean
from toolkit.render._word.spec import (
    BODY_FONT,
    LIST_STYLES,
    MARKERS,
    REQUIRED_PLACEHOLDERS,
    REQUIRED_STYLES,
    paragraph_text,
)
from toolkit.render._word.styles import style_index, style_numbering
from toolkit.render.ooxml import PLACEHOLDERS, environment, story_parts

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
    found = style_index(document)
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
        if name.lower() in found and not style_numbering(document, found[name.lower()][0]):
            problems.append(
                f"the style “{name}” has no bullets or numbering (Modify Style ▸ Format ▸ Numbering), "
                "so its lists would show as plain paragraphs"
            )
    return problems


def _stories(template: DocxTemplate, document: DocumentObject) -> list[tuple[str, str]]:
    """(where, XML) for the main text, then each header and footer, as docxtpl will see them."""
    stories = [("the main text", template.xml_to_string(document.element.body))]
    for part in story_parts(document)[1:]:
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
            parsed = environment().parse(patched)
            names = meta.find_undeclared_variables(parsed)
            others = [name or "a computed name" for name in meta.find_referenced_templates(parsed)]
        except TemplateError as error:
            problems.append(
                f"{where}: a placeholder cannot be read ({error.message}) near “{_near(patched, error)}”; "
                "delete it and type it again in one go, with plain spaces and straight quotes"
            )
            continue
        problems += [
            f"{where}: a Word template may not include, import or extend another file (`{other}`)" for other in others
        ]
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
        text = paragraph_text(paragraph)
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
        template.render(sample, jinja_env=environment())
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
    return "\n".join(paragraph_text(paragraph) for paragraph in root.iter(qn("w:p")))


# Fonts that will not travel ----------------------------------------------------------------------------------------


def fonts_left_behind(path: Path) -> list[str]:
    """Fonts a template names that it does not carry, besides the default's own font (the build embeds the
    profile's font in its place): on a machine without them, Word silently shows another font."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    from toolkit.render._word.package import fonts_named

    document = DocxTemplate(BytesIO(path.read_bytes())).get_docx()
    table = etree.fromstring(document.part.part_related_by(RT.FONT_TABLE).blob)
    carried = {
        font.get(qn("w:name")) for font in table.findall(qn("w:font")) if font.find(qn("w:embedRegular")) is not None
    }
    return sorted(fonts_named(document) - carried - {BODY_FONT})
