"""What the Word renderer needs of a template beyond its placeholders (`render/ooxml.py`): styles and markers,
shared by rendering and checking."""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

BODY_FONT = "Noto Sans"  # the default template's font; replaced by the profile's only in the default template
PRIMARY = "1D4F91"  # the default template's brand colour (core default), likewise replaced
TEXT = "1B1B1B"
TABLE_STYLE = "Policy Table"
CONTENTS_LEVELS = 2  # headings 1-2 are listed in the contents
KEEP_TOGETHER_ROWS = 12  # tables up to this many rows are not split across pages
KEEP_WHOLE_SECTIONS = ("document-control",)  # on one page, as in the PDFs: its closing line never ends it alone
LOGO_HEIGHT, LOGO_MAX_WIDTH = Mm(22), Mm(100)

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


def paragraph_text(element: etree._Element) -> str:
    return "".join(node.text or "" for node in element.iter(qn("w:t")))


def retire_marker(paragraph: etree._Element, name: str, keep: bool = False) -> None:
    """Take the marker out; drop its paragraph when nothing else is in it, unless asked to keep it."""
    for node in paragraph.iter(qn("w:t")):
        if node.text and MARKERS[name] in node.text:
            node.text = node.text.replace(MARKERS[name], "")
    if not keep and not paragraph_text(paragraph).strip() and not paragraph.findall(f".//{qn('w:drawing')}"):
        paragraph.getparent().remove(paragraph)
