"""Build templates/word/default.docx, the Word template the docx renderer fills, from this script alone.

The template is generated rather than drawn in Word so that every style, placeholder and field is reviewable here and
the file is byte-for-byte reproducible: `uv run python scripts/make_word_template.py` (or `--check` in CI to see that
the committed file matches). python-docx supplies the package skeleton (parts, theme, latent styles); the styles,
numbering and body are replaced with our own small, explicit definitions so that an organisation opening the file in
Word sees a tidy style list to restyle.

Colours and the font are the core defaults; the renderer swaps them for the profile's branding only when this default
template is used (a house template's own colours and fonts always win).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from lxml import etree

from toolkit.load.assets import bundled_font
from toolkit.render._word.package import font_table_entry
from toolkit.render._word.spec import BODY_FONT, PRIMARY, TABLE_STYLE, TEXT
from toolkit.render.ooxml import DEFAULT_TEMPLATE, repack

SECONDARY = "505A5F"  # headers, footers, cover details: 7:1 on white
BORDER = "B1B4B6"
BUILT = datetime(2026, 1, 1, tzinfo=UTC)  # the template's own dates; the renderer overwrites them in every output
TEXT_WIDTH = 11906 - 2 * 1417  # A4 width minus 2.5 cm margins, in twips
W = nsdecls("w")


# Styles ------------------------------------------------------------------------------------------------------------


def _style(
    kind: str,
    style_id: str,
    name: str,
    body: str,
    *,
    based_on: str | None = "Normal",
    custom: bool = False,
    default: bool = False,
    extra: str = "",
) -> str:
    """One `w:style` element: built-in names keep Word's internal (lower-case) names so Word treats them as its own."""
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    custom_attr = ' w:customStyle="1"' if custom else ""
    custom_attr += ' w:default="1"' if default else ""
    return (
        f'<w:style {W} w:type="{kind}" w:styleId="{style_id}"{custom_attr}><w:name w:val="{name}"/>{based}'
        f"{extra}<w:qFormat/>{body}</w:style>"
    )


def _heading(level: int, size: int, colour: str, before: int, after: int, italic: bool = False) -> str:
    rpr = f'<w:b/><w:bCs/>{"<w:i/>" if italic else ""}<w:color w:val="{colour}"/><w:sz w:val="{size}"/>'
    ppr = (
        f'<w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="{after}" w:line="240" '
        f'w:lineRule="auto"/><w:outlineLvl w:val="{level - 1}"/>'
    )
    extra = '<w:next w:val="Normal"/><w:uiPriority w:val="9"/>'
    return _style(
        "paragraph", f"Heading{level}", f"heading {level}", f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr>", extra=extra
    )


def _list_style(style_id: str, name: str, num_id: int | None, left: int, hanging: int = 0) -> str:
    numbering = f'<w:numPr><w:numId w:val="{num_id}"/></w:numPr>' if num_id else ""
    indent = f'<w:ind w:left="{left}" w:hanging="{hanging}"/>' if hanging else f'<w:ind w:left="{left}"/>'
    return _style(
        "paragraph",
        style_id,
        name,
        f'<w:pPr>{numbering}<w:spacing w:after="80"/>{indent}</w:pPr>',
        extra='<w:uiPriority w:val="99"/>',
    )


def _toc(level: int, indent: int, before: int, bold: bool) -> str:
    """Contents entries: compact (two levels of a long policy), page numbers right-aligned once Word fills them."""
    ppr = (
        f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        f'<w:spacing w:before="{before}" w:after="20" w:line="228" w:lineRule="auto"/>'
        f'<w:ind w:left="{indent}" w:right="567"/>'
    )
    rpr = ("<w:b/><w:bCs/>" if bold else "") + '<w:sz w:val="22"/><w:szCs w:val="22"/>'
    return _style(
        "paragraph",
        f"TOC{level}",
        f"toc {level}",
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr>",
        extra='<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>',
    )


def _header_footer(style_id: str, name: str) -> str:
    tabs = (
        f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
    )
    return _style(
        "paragraph",
        style_id,
        name,
        f'<w:pPr>{tabs}<w:spacing w:after="0"/></w:pPr>'
        f'<w:rPr><w:color w:val="{SECONDARY}"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>',
        extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>',
    )


def _table_style() -> str:
    edge = f'w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"'
    borders = "".join(f"<w:{side} {edge}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    margins = (
        '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="113" w:type="dxa"/>'
        '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="113" w:type="dxa"/></w:tblCellMar>'
    )
    header = (
        f'<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>'
        f"<w:tblPr/><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{PRIMARY}"/></w:tcPr></w:tblStylePr>'
    )
    body = (
        f'<w:pPr><w:spacing w:before="40" w:after="40" w:line="252" w:lineRule="auto"/></w:pPr>'
        f'<w:rPr><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>'
        f"<w:tblPr><w:tblBorders>{borders}</w:tblBorders>{margins}</w:tblPr>{header}"
    )
    return _style(
        "table",
        TABLE_STYLE.replace(" ", ""),
        TABLE_STYLE,
        body,
        based_on="TableNormal",
        custom=True,
        extra='<w:uiPriority w:val="59"/>',
    )


def _styles() -> list[str]:
    return [
        _style("paragraph", "Normal", "Normal", "", based_on=None, default=True),
        _style(
            "paragraph",
            "Title",
            "Title",
            f'<w:pPr><w:pBdr><w:bottom w:val="single" w:sz="24" w:space="8" w:color="{PRIMARY}"/></w:pBdr>'
            f'<w:spacing w:before="0" w:after="360" w:line="240" w:lineRule="auto"/></w:pPr>'
            f'<w:rPr><w:b/><w:bCs/><w:color w:val="{PRIMARY}"/><w:kern w:val="28"/>'
            f'<w:sz w:val="64"/><w:szCs w:val="64"/></w:rPr>',
            extra='<w:next w:val="Normal"/><w:uiPriority w:val="10"/>',
        ),
        _style(
            "paragraph",
            "Subtitle",
            "Subtitle",
            '<w:pPr><w:spacing w:after="720"/></w:pPr><w:rPr><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr>',
            extra='<w:next w:val="Normal"/><w:uiPriority w:val="11"/>',
        ),
        _heading(1, 40, PRIMARY, 480, 160),
        _heading(2, 30, PRIMARY, 360, 120),
        _heading(3, 26, TEXT, 240, 80),
        _heading(4, 24, TEXT, 240, 80, italic=True),
        _list_style("ListBullet", "List Bullet", 1, 425, 283),
        _list_style("ListBullet2", "List Bullet 2", 2, 851, 283),
        _list_style("ListNumber", "List Number", 3, 425, 425),
        _list_style("ListNumber2", "List Number 2", 4, 851, 426),
        _list_style("ListContinue", "List Continue", None, 425),
        _list_style("ListContinue2", "List Continue 2", None, 851),
        _style(
            "paragraph",
            "TOCHeading",
            "TOC Heading",
            '<w:pPr><w:outlineLvl w:val="9"/></w:pPr>',
            based_on="Heading1",
            extra='<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>',
        ),
        _toc(1, 0, 80, bold=True),
        _toc(2, 284, 0, bold=False),
        _header_footer("Header", "header"),
        _header_footer("Footer", "footer"),
        _style(
            "character",
            "Hyperlink",
            "Hyperlink",
            f'<w:rPr><w:color w:val="{PRIMARY}"/><w:u w:val="single"/></w:rPr>',
            based_on="DefaultParagraphFont",
            extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>',
        ),
        _table_style(),
    ]


KEPT_STYLES = {"DefaultParagraphFont", "TableNormal", "NoList"}


def _write_styles(document: DocumentObject) -> None:
    """Replace python-docx's 160 sample styles with the few the renderer and a house-template editor need.

    Font, size, colour and spacing of body text sit in the document defaults, not in Normal: Word ranks a paragraph
    style above a table style, so a colour set on Normal would stop the table style's white header text.
    """
    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEPT_STYLES:
            styles.remove(style)
    for xml in _styles():
        styles.append(parse_xml(xml))
    defaults = styles.find(qn("w:docDefaults"))
    styles.replace(
        defaults,
        parse_xml(
            f"<w:docDefaults {W}><w:rPrDefault><w:rPr>"
            f'<w:rFonts w:ascii="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:eastAsia="{BODY_FONT}" w:cs="{BODY_FONT}"/>'
            f'<w:color w:val="{TEXT}"/><w:sz w:val="24"/><w:szCs w:val="24"/>'
            '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>'
            f'</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="264" w:lineRule="auto"/>'
            f"</w:pPr></w:pPrDefault></w:docDefaults>"
        ),
    )


# Numbering ---------------------------------------------------------------------------------------------------------


def _abstract(number: int, style_id: str, fmt: str, text: str, left: int, hanging: int) -> str:
    return (
        f'<w:abstractNum {W} w:abstractNumId="{number}"><w:nsid w:val="5A2D00{number:02X}"/>'
        f'<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="{fmt}"/><w:pStyle w:val="{style_id}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
        f"</w:abstractNum>"
    )


def _write_numbering(document: DocumentObject) -> None:
    """One single-level list per list style; the renderer restarts numbered lists with new `w:num` instances."""
    numbering = document.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    lists = [
        ("ListBullet", "bullet", "\u2022", 425, 283),
        ("ListBullet2", "bullet", "\u2013", 851, 283),
        ("ListNumber", "decimal", "%1.", 425, 425),
        ("ListNumber2", "lowerLetter", "%1)", 851, 426),
    ]
    for number, spec in enumerate(lists):
        numbering.append(parse_xml(_abstract(number, *spec)))
    for number in range(len(lists)):
        numbering.append(parse_xml(f'<w:num {W} w:numId="{number + 1}"><w:abstractNumId w:val="{number}"/></w:num>'))


# Body, header and footer -------------------------------------------------------------------------------------------


def _run(paragraph: Paragraph, text: str, **props: str) -> None:
    rpr = "".join(f'<w:{name} w:val="{value}"/>' if value else f"<w:{name}/>" for name, value in props.items())
    paragraph._p.append(
        parse_xml(
            f'<w:r {W}><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'
            if rpr
            else f'<w:r {W}><w:t xml:space="preserve">{text}</w:t></w:r>'
        )
    )


def _field(paragraph: Paragraph, instruction: str, cached: str) -> None:
    """A complex field (PAGE, NUMPAGES) with a cached result, which Word and LibreOffice recompute."""
    for xml in (
        '<w:fldChar w:fldCharType="begin"/>',
        f'<w:instrText xml:space="preserve"> {instruction} </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        f"<w:t>{cached}</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ):
        paragraph._p.append(parse_xml(f"<w:r {W}>{xml}</w:r>"))


def _paragraph(document: DocumentObject, style: str | None = None, text: str = "", **props: str) -> Paragraph:
    paragraph = document.add_paragraph(style=style)
    if text:
        _run(paragraph, text, **props)
    return paragraph


def _write_body(document: DocumentObject) -> None:
    """Cover, contents and the body placeholder: everything a house-template editor may move or restyle."""
    logo = _paragraph(document, text="{{ logo }}")
    logo.paragraph_format.space_after = Mm(30)
    _paragraph(document, "Title", "{{ title }}")
    _paragraph(document, "Subtitle", "{{ subtitle }}")
    _paragraph(document, text="{{ organisation }}", b="", sz="32", szCs="32")
    _paragraph(document, text="{{ label_version }} {{ version }}", color=SECONDARY)
    _paragraph(document, text="{{ label_approved }} {{ approved_on }}", color=SECONDARY)
    contents = _paragraph(document, "TOC Heading", "{{ label_contents }}")
    contents.paragraph_format.page_break_before = True
    _paragraph(document, text="{{ contents }}")
    body = _paragraph(document, text="{{ body }}")
    body.paragraph_format.page_break_before = True


def _rule(paragraph: Paragraph, side: str) -> None:
    """A thin line under the header or over the footer, part of the paragraph so it moves with it."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert_element_before(
        parse_xml(f'<w:pBdr {W}><w:{side} w:val="single" w:sz="4" w:space="4" w:color="{BORDER}"/></w:pBdr>'),
        "w:shd",
        "w:tabs",
        "w:spacing",
        "w:ind",
        "w:jc",
        "w:rPr",
    )


def _write_header_footer(document: DocumentObject) -> None:
    section = document.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    _run(header, "{{ organisation }}")
    header._p.append(parse_xml(f"<w:r {W}><w:tab/></w:r>"))
    header._p.append(parse_xml(f"<w:r {W}><w:tab/></w:r>"))
    _run(header, "{{ classification }}", b="")
    _rule(header, "bottom")
    first = section.first_page_header.paragraphs[0]
    first.style = document.styles["Header"]
    first.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT  # the classification marking on the cover too
    _run(first, "{{ classification }}", b="")
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    _run(footer, "{{ title }}")
    footer._p.append(parse_xml(f"<w:r {W}><w:tab/></w:r>"))
    footer._p.append(parse_xml(f"<w:r {W}><w:tab/></w:r>"))
    _run(footer, "{{ label_page }} ")
    _field(footer, "PAGE", "1")
    _run(footer, " {{ label_of }} ")
    _field(footer, "NUMPAGES", "1")
    _rule(footer, "top")
    section.first_page_footer.paragraphs[0].style = document.styles["Footer"]


def _page_setup(document: DocumentObject) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)
    section.header_distance = section.footer_distance = Mm(12.5)


# Package clean-up --------------------------------------------------------------------------------------------------


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>policy-toolkit</Application><DocSecurity>0</DocSecurity></Properties>"
)
DROPPED_RELS = (
    RT.THUMBNAIL,
    RT.CUSTOM_XML,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.WEB_SETTINGS,
)


def _clean_package(document: DocumentObject) -> None:
    """Drop python-docx's sample thumbnail, custom XML and Mac Word metadata: a house template should hold only ours."""
    for part in (document.part.package, document.part):
        for rel_id, rel in list(part.rels.items()):
            if rel.reltype in DROPPED_RELS:
                del part.rels[rel_id]
            elif rel.reltype == RT.EXTENDED_PROPERTIES:
                rel.target_part._blob = APP_XML.encode()
    settings = document.settings.element
    for name in ("w:rsids", "w:proofState", "w:attachedTemplate", "w:savePreviewPicture"):
        settings.remove_all(name)
    settings.find(qn("w:themeFontLang")).set(qn("w:val"), "en-GB")
    settings.find(qn("w:themeFontLang")).attrib.pop(qn("w:eastAsia"), None)
    for compat in settings.iter(qn("w:compatSetting")):
        if compat.get(qn("w:name")) == "compatibilityMode":
            compat.set(qn("w:val"), "15")  # Word 2013+ layout, so Word does not open it in compatibility mode
    properties = document.core_properties
    properties.title, properties.author, properties.comments = "Policy toolkit Word template", "policy-toolkit", ""
    properties.subject = properties.keywords = properties.category = properties.last_modified_by = ""
    properties.created = properties.modified = BUILT
    properties.revision = 1


def _write_fonts(document: DocumentObject) -> None:
    """Name only our font in the font table, and make it the theme's too, so Word's "+Body" and "+Headings" match."""
    font = bundled_font(BODY_FONT)
    table = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(table.blob)
    for entry in root.findall(qn("w:font")):
        root.remove(entry)
    root.append(font_table_entry(font.name, font.generic, font.files["regular"].read_bytes()))
    table._blob = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
    theme = document.part.part_related_by(RT.THEME)
    theme._blob = re.sub(rb'(<a:(?:latin) typeface=")[^"]*(")', rb"\g<1>" + font.name.encode() + rb"\g<2>", theme.blob)


def build() -> bytes:
    """The template's bytes: the same on every run."""
    document = Document()
    document.element.body.remove_all("w:p", "w:tbl")
    _write_styles(document)
    _write_numbering(document)
    _page_setup(document)
    _write_body(document)
    _write_header_footer(document)
    _write_fonts(document)
    _clean_package(document)
    buffer = BytesIO()
    document.save(buffer)
    return repack(buffer.getvalue(), BUILT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if the committed template differs from a fresh build"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_TEMPLATE)
    args = parser.parse_args()
    data = build()
    if args.check:
        same = args.output.is_file() and args.output.read_bytes() == data
        print(f"{args.output}: {'up to date' if same else 'differs from a fresh build; rerun this script'}")
        return 0 if same else 1
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
