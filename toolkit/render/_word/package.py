"""After rendering: logo alt text, branding, embedded fonts, settings and properties (language and packaging are
in `render/ooxml.py`, shared with the Word diff report)."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC
from xml.sax.saxutils import quoteattr

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree

from toolkit.model import (
    Font,
    Logo,
    Policy,
)
from toolkit.render import EPOCH_FLOOR, RenderOptions
from toolkit.render._word.spec import BODY_FONT, DECORATIVE_URI, MARKERS, PRIMARY, TEXT, paragraph_text, retire_marker
from toolkit.render.ooxml import new_element, qn, setting, story_parts
from toolkit.resolve.notes import based_on

# After rendering ---------------------------------------------------------------------------------------------------


def finish_logo(document: DocumentObject, logo: Logo | None) -> None:
    """Alt text lives in `wp:docPr/@descr`, which docxtpl's InlineImage cannot set; a decorative logo is marked so."""
    if logo is None:
        for part in story_parts(document):
            for paragraph in list(part.element.iter(qn("w:p"))):
                if MARKERS["logo"] in paragraph_text(paragraph):
                    retire_marker(paragraph, "logo", keep=True)  # its spacing still shapes the cover
        return
    data = logo.png.read_bytes()
    for part in story_parts(document):
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


def apply_branding(document: DocumentObject, policy: Policy) -> None:
    """The profile's colours and font replace the default template's own ones wherever a template still has them.

    A house template made from the default keeps what its editor changed (a restyled heading stays as restyled);
    what it left alone, such as the rule under the cover title, takes the organisation's colour and font."""
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
    typeface = f"typeface={quoteattr(policy.branding.font.name)}".encode()  # escaped, whatever the name holds
    theme._blob = theme.blob.replace(f"typeface={quoteattr(BODY_FONT)}".encode(), typeface)


FONT_EMBEDS = {
    "regular": "w:embedRegular",
    "bold": "w:embedBold",
    "italic": "w:embedItalic",
    "bold_italic": "w:embedBoldItalic",
}
FONT_FAMILIES = {"serif": "roman", "sans-serif": "swiss", "monospace": "modern"}
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"


def fonts_named(document: DocumentObject) -> set[str]:
    """The fonts a template's styles and theme name: what a reader's machine needs to show it as designed."""
    names = {
        value
        for fonts in document.styles.element.iter(qn("w:rFonts"))
        for name in ("w:ascii", "w:hAnsi")
        if (value := fonts.get(qn(name)))
    }
    theme = document.part.part_related_by(RT.THEME)
    for tag in ("major", "minor"):
        match = re.search(rf"<a:{tag}Font>\s*<a:latin typeface=\"([^\"]+)\"".encode(), theme.blob)
        if match:
            names.add(match.group(1).decode())
    return names


def embed_font(document: DocumentObject, font: Font) -> None:
    """The profile's font travels in the file, as Word's "Embed fonts" does, whenever the template names it.

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
        setting(document, "w:embedTrueTypeFonts")
    table._blob = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)


def font_table_entry(name: str, generic: str, data: bytes) -> etree._Element:
    """A `w:font` naming the family and its PANOSE class, which Word uses to choose a stand-in."""
    os2 = _os2_table(data)
    panose = os2[32:42].hex().upper() if len(os2) >= 42 else "00000000000000000000"
    entry = parse_xml(
        f'<w:font {nsdecls("w")}><w:panose1 w:val="{panose}"/><w:charset w:val="00"/>'
        f'<w:family w:val="{FONT_FAMILIES.get(generic, "auto")}"/><w:pitch w:val="variable"/></w:font>'
    )
    entry.set(qn("w:name"), name)  # through lxml, so the name is escaped
    return entry


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
    element = new_element(tag)
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


def mark_language(elements: list[etree._Element], language: str) -> None:
    """Every run in `elements` declared as `language` (`w:lang`), so Word checks its spelling as that language."""
    for element in elements:
        for run in element.iter(qn("w:r")):
            properties = run.find(qn("w:rPr"))
            if properties is None:
                properties = new_element("w:rPr")
                run.insert(0, properties)
            lang = properties.find(qn("w:lang"))
            if lang is None:
                lang = new_element("w:lang")
                properties.append(lang)  # w:lang is last but for a few elements this renderer never writes
            lang.set(qn("w:val"), language)


def set_properties(document: DocumentObject, policy: Policy, options: RenderOptions) -> None:
    """After rendering, because docxtpl renders the template's core properties as jinja templates."""
    properties = document.core_properties
    properties.title = fit_property(policy.full_title)
    properties.subject = fit_property(policy.subtitle)
    properties.author = fit_property(policy.organisation.name)
    properties.language = policy.language
    properties.keywords = fit_property(f"social media; social web; guidance; policy; {policy.organisation.short_name}")
    properties.category = "Policy and guidance"
    properties.comments = fit_property(based_on(policy))
    properties.identifier = fit_property(policy.profile)
    properties.version = fit_property(policy.document.version)
    moment = max(options.timestamp, EPOCH_FLOOR).astimezone(UTC).replace(tzinfo=None)
    properties.created = properties.modified = moment
    properties.last_modified_by = options.generator
    properties.revision = 1


MAX_PROPERTY = 255  # python-docx (and Word) hold at most this many characters in a core property


def fit_property(text: str) -> str:
    """A property value Word can hold: values made of several profile fields are shortened, never refused.

    The profile's own fields are limited to the same length when loading, so this only trims combinations (a title
    with the organisation's name, the chain of profiles); the document itself keeps the full text.
    """
    return text if len(text) <= MAX_PROPERTY else text[: MAX_PROPERTY - 1].rstrip() + "…"
