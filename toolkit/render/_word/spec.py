"""What the Word renderer needs of a template: placeholders and styles, shared by rendering and checking."""

from __future__ import annotations

from functools import cache
from typing import Any

from docx.oxml.ns import qn
from docx.shared import Mm
from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from toolkit.paths import WORD_DIR

DEFAULT_TEMPLATE = WORD_DIR / "default.docx"
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
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
HINT = "see templates/word/README.md; `validate` lists every problem with a house template"


MAX_LOOP = 1000  # range() in a house template: a cover page needs a handful
MAX_NUMBER_DIGITS = 30  # ** and * in a house template: numbers and repeated text stay small


class HouseTemplateEnvironment(SandboxedEnvironment):
    """Jinja for a house Word template: a sandbox that reads no other file and cannot be made to run for ever.

    Its loader refuses every name, so `{% include %}`, `{% import %}` and `{% extends %}` fail with a TemplateError
    (no read of `/etc/passwd`); `range()` is capped at MAX_LOOP; `**` and `*` refuse results that would be huge.
    """

    intercepted_binops = frozenset({"**", "*"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, loader=_NoFiles())
        self.globals["range"] = _small_range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_NUMBER_DIGITS:
            raise SecurityError(f"a Word template may raise a number to at most the power {MAX_NUMBER_DIGITS}")
        if (
            operator == "*"
            and any(isinstance(value, int) and abs(value) > MAX_LOOP for value in (left, right))
            and any(isinstance(value, str | list | tuple) for value in (left, right))
        ):
            raise SecurityError(f"a Word template may repeat text at most {MAX_LOOP} times")
        return super().call_binop(context, operator, left, right)


class _NoFiles(BaseLoader):
    def get_source(self, environment: Any, template: str) -> Any:
        raise TemplateNotFound(
            template, f"a Word template may not include, import or extend another file (`{template[:80]}`)"
        )


def _small_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_LOOP:
        raise SecurityError(f"range() in a Word template is limited to {MAX_LOOP:,} items")
    return numbers


@cache
def environment() -> SandboxedEnvironment:
    """Sandboxed (a house template is code) and autoescaped (values are XML text), strict about misspelt names."""
    return HouseTemplateEnvironment()


def paragraph_text(element: etree._Element) -> str:
    return "".join(node.text or "" for node in element.iter(qn("w:t")))


def retire_marker(paragraph: etree._Element, name: str, keep: bool = False) -> None:
    """Take the marker out; drop its paragraph when nothing else is in it, unless asked to keep it."""
    for node in paragraph.iter(qn("w:t")):
        if node.text and MARKERS[name] in node.text:
            node.text = node.text.replace(MARKERS[name], "")
    if not keep and not paragraph_text(paragraph).strip() and not paragraph.findall(f".//{qn('w:drawing')}"):
        paragraph.getparent().remove(paragraph)
