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

from io import BytesIO
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from lxml import etree

from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import labels_of, language_tag
from toolkit.model import (
    Logo,
    Policy,
)
from toolkit.render import RenderOptions
from toolkit.render._word.body import BodyWriter, write_contents
from toolkit.render._word.check import check_template
from toolkit.render._word.package import (
    apply_branding,
    embed_font,
    finish_logo,
    fonts_named,
    mark_language,
    set_properties,
)
from toolkit.render._word.spec import LOGO_HEIGHT, LOGO_MAX_WIDTH, MARKERS, paragraph_text
from toolkit.render._word.styles import Styles
from toolkit.render.ooxml import DEFAULT_TEMPLATE, PLACEHOLDERS, TEMPLATE_HINT, fill_template, package, set_language

SUFFIX = ".docx"
__all__ = ["DEFAULT_TEMPLATE", "SUFFIX", "check_template", "render"]


def render(policy: Policy, options: RenderOptions) -> bytes:
    """The .docx bytes of one policy; equal inputs and `options.timestamp` give equal bytes."""
    template_path = policy.branding.word_template
    template = DocxTemplate(BytesIO(template_path.read_bytes()))
    fill_template(template, _context(policy, template), template_path)
    document = template.docx
    styles = Styles.of(document, template_path)
    writer = BodyWriter(document, styles, _marker_paragraph(document, "body", template_path))
    writer.write(policy)
    write_contents(document, styles, writer.contents, _marker_paragraph(document, "contents", template_path))
    finish_logo(document, policy.branding.logo)
    apply_branding(document, policy)
    if policy.branding.font.name in fonts_named(document):
        embed_font(document, policy.branding.font)
    set_language(document, policy.language)
    mark_language(writer.english, language_tag("en"))
    set_properties(document, policy, options)
    return package(document, options.timestamp)


# Filling the template ----------------------------------------------------------------------------------------------


def _context(policy: Policy, template: DocxTemplate) -> dict[str, object]:
    document, labels = policy.document, labels_of(policy)
    return {
        "title": policy.title,
        "subtitle": policy.subtitle,
        "organisation": policy.organisation.name,
        "version": document.version,
        "approved_on": labels.date(document.approved_on),
        "label_version": labels("version"),
        "label_approved": labels("approved"),
        "label_contents": labels("contents"),
        "label_page": labels("page"),
        "label_of": labels("of"),
        "classification": document.classification or "",
        "logo": _logo_image(template, policy.branding.logo) or MARKERS["logo"],
        "contents": MARKERS["contents"],
        "body": MARKERS["body"],
    }


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


def _marker_paragraph(document: DocumentObject, name: str, path: Path) -> etree._Element:
    for paragraph in document.element.body.iter(qn("w:p")):
        if MARKERS[name] in paragraph_text(paragraph):
            return paragraph
    raise ToolkitError(
        Problem(
            f"the Word template has no `{{{{ {name} }}}}` placeholder ({PLACEHOLDERS[name]})",
            file=path,
            hint=TEMPLATE_HINT,
        )
    )
