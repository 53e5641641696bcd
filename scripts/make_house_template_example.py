"""Build `profiles/assets/greenvale-house-style.docx`: an example of an organisation's own Word template.

It is the default template restyled the way a communications team would do it in Word (Home > Styles > Modify):
green headings with italic clause titles, a rule under section titles, a smaller body size and narrower margins.
The placeholders are left as they are. Run `uv run python scripts/make_house_template_example.py` after changing
this script.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.render.ooxml import DEFAULT_TEMPLATE, package  # noqa: E402

TARGET = ROOT / "profiles" / "assets" / "greenvale-house-style.docx"
GREEN = RGBColor(0x1E, 0x6B, 0x3A)
# The elements that follow w:pBdr inside w:pPr (ECMA-376 CT_PPrBase).
PPR_AFTER_BORDER = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def restyle(document: Document) -> None:
    styles = document.styles
    styles["Normal"].font.size = Pt(10.5)
    for name, size in (("Title", 30), ("Heading 1", 17), ("Heading 2", 13), ("Heading 3", 11.5)):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = GREEN
    styles["Heading 2"].font.italic = True
    _rule_under(styles["Heading 1"])
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2)


def _rule_under(style: object) -> None:
    """A green rule under each section title: the house style's signature."""
    properties = style.element.get_or_add_pPr()  # type: ignore[attr-defined]
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "4"), ("w:color", "1E6B3A")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.insert_element_before(borders, *PPR_AFTER_BORDER)  # schema order, or Word may refuse the file


def main() -> None:
    document = Document(str(DEFAULT_TEMPLATE))
    restyle(document)
    TARGET.write_bytes(package(document, datetime(2026, 1, 1, tzinfo=UTC)))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
