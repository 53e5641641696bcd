"""The template's styles as the body writer uses them: ids by name, list numbering, paragraph spacing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.oxml.ns import qn

from toolkit.errors import Problem, ToolkitError
from toolkit.render._word.spec import LIST_STYLES, REQUIRED_STYLES
from toolkit.render.ooxml import TEMPLATE_HINT

# Styles ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """Style ids of the template, looked up by name as Word shows it (built-in names are case-insensitive)."""

    ids: dict[str, str]
    numbering: dict[str, tuple[str, str]]  # list style name -> (numId, ilvl) found along its basedOn chain
    gap: str  # the space after a body paragraph (twips), which also ends lists and follows tables

    @classmethod
    def of(cls, document: DocumentObject, path: Path) -> Styles:
        found = style_index(document)
        missing = [name for name in REQUIRED_STYLES if name.lower() not in found]
        if missing:
            raise ToolkitError(
                Problem(f"the Word template lacks the style(s) {', '.join(missing)}", file=path, hint=TEMPLATE_HINT)
            )
        ids = {name: style_id for name, (style_id, _) in found.items()}
        numbering = {name: style_numbering(document, found[name.lower()][0]) for name in LIST_STYLES}
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


def style_index(document: DocumentObject) -> dict[str, tuple[str, str]]:
    """Lower-cased style name -> (style id, kind)."""
    index = {}
    for style in document.styles.element.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        if name is not None:
            index[name.get(qn("w:val")).lower()] = (style.get(qn("w:styleId")), style.get(qn("w:type")))
    return index


def style_numbering(document: DocumentObject, style_id: str) -> tuple[str, str] | None:
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
