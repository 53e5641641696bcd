"""Word files (OOXML) as every Word output of the toolkit writes them: the policy (`render/formats/docx.py`) and the
diff report (`diff/formats/docx.py`) both fill the project's Word template, put settings in the order Word demands,
set the language and pack reproducible bytes through this module, so the two cannot drift apart.

Reproducible means: the same inputs and the same moment (`SOURCE_DATE_EPOCH`, see `render.build_timestamp`) give
the same bytes, because the zip is re-packed with that moment as every entry's date, in a fixed entry order.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import Part
from docx.oxml.ns import NamespacePrefixedTag
from docx.oxml.ns import qn as _qn
from docx.oxml.parser import oxml_parser
from docxtpl import DocxTemplate
from jinja2 import BaseLoader, StrictUndefined, Template, TemplateError, TemplateNotFound
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import ENGLISH, Labels
from toolkit.paths import WORD_DIR
from toolkit.render import EPOCH_FLOOR

# Elements ----------------------------------------------------------------------------------------------------------


@cache
def qn(tag: str) -> str:
    """python-docx's `qn` (`w:p` in Clark notation), each tag worked out once: a Word file asks tens of thousands."""
    return _qn(tag)


@cache
def _clark_and_namespace(tag: str) -> tuple[str, dict[str, str]]:
    prefixed = NamespacePrefixedTag(tag)
    return prefixed.clark_name, prefixed.nsmap


def new_element(tag: str) -> etree._Element:
    """python-docx's `new_element(tag)` (its element class for the tag, its namespace declared), with the tag's
    namespace worked out once instead of for each of the thousands of elements a Word file holds."""
    clark, namespace = _clark_and_namespace(tag)
    return oxml_parser.makeelement(clark, nsmap=namespace)


# The project's Word template ---------------------------------------------------------------------------------------

DEFAULT_TEMPLATE = WORD_DIR / "default.docx"
TEMPLATE_HINT = "see templates/word/README.md; `validate` lists every problem with a house template"
PLACEHOLDERS: dict[str, str] = {
    "title": "the guidance's title",
    "subtitle": "its subtitle (who it is for)",
    "organisation": "the organisation's full name",
    "version": "the document version",
    "approved_on": "the approval date, as 14 October 2026",
    "classification": "the security classification (for example OFFICIAL), or nothing",
    "label_version": "the word Version in the document's language",
    "label_approved": "the word Approved in the document's language",
    "label_contents": "the word Contents in the document's language",
    "label_page": "the word Page (of Page 3 of 12) in the document's language",
    "label_of": "the word of (of Page 3 of 12) in the document's language",
    "logo": "the organisation's logo, 22 mm high (nothing if the profile has none)",
    "contents": "the contents list: alone in its paragraph",
    "body": "the guidance itself: alone in its paragraph",
}


MAX_LOOP = 1000  # range() in a house template: a cover page needs a handful
COMPILED_PARTS = 256  # Word template parts kept compiled: a few templates' worth
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
        self._compiled: dict[str, Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        """Each part of a Word template compiled once per process: every profile built with one template fills
        the same parts (compiling them was about a sixth of writing a Word file). Filling never changes them."""
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            if len(self._compiled) >= COMPILED_PARTS:
                self._compiled.clear()
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]

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


def english_labels() -> dict[str, str]:
    """The template's label placeholders in English, for documents that do not give their own (the diff report)."""
    labels = Labels(ENGLISH)
    names = {"version": "version", "approved": "approved", "contents": "contents", "page": "page", "of": "of"}
    return {f"label_{name}": labels(key) for name, key in names.items()}


@cache
def environment() -> SandboxedEnvironment:
    """Sandboxed (a house template is code) and autoescaped (values are XML text), strict about misspelt names."""
    return HouseTemplateEnvironment()


def fill_template(template: DocxTemplate, values: dict[str, object], path: Path) -> None:
    """docxtpl fills the template's placeholders (those not given are left empty, labels in English); a template
    that cannot be filled is the user's mistake, reported against its file."""
    try:
        template.render({**dict.fromkeys(PLACEHOLDERS, ""), **english_labels(), **values}, jinja_env=environment())
    except TemplateError as error:
        raise ToolkitError(
            Problem(f"the Word template could not be filled in: {error.message}", file=path, hint=TEMPLATE_HINT)
        ) from None
    except (ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError, etree.XMLSyntaxError) as error:
        raise ToolkitError(
            Problem(
                f"the Word template cannot be opened as a Word document (.docx): {error}",
                file=path,
                hint=TEMPLATE_HINT,
            )
        ) from None


def story_parts(document: DocumentObject) -> list[Part]:
    """The main document part and its headers and footers: where text and pictures live."""
    related = [
        rel.target_part
        for rel in document.part.rels.values()
        if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)
    ]
    return [document.part, *sorted(related, key=lambda part: str(part.partname))]


def val(tag: str, value: str) -> etree._Element:
    """An element whose whole content is its `w:val`, as most Word properties are."""
    element = new_element(tag)
    element.set(qn("w:val"), value)
    return element


# Settings ----------------------------------------------------------------------------------------------------------

# The order CT_Settings requires (ECMA-376 Part 1, 17.15.1.78): Word refuses a file whose settings are out of order.
SETTINGS_ORDER = (  # noqa: SIM905
    "w:writeProtection w:view w:zoom w:removePersonalInformation w:removeDateAndTime w:doNotDisplayPageBoundaries "
    "w:displayBackgroundShape w:printPostScriptOverText w:printFractionalCharacterWidth w:printFormsData "
    "w:embedTrueTypeFonts w:embedSystemFonts w:saveSubsetFonts w:saveFormsData w:mirrorMargins "
    "w:alignBordersAndEdges w:bordersDoNotSurroundHeader w:bordersDoNotSurroundFooter w:gutterAtTop "
    "w:hideSpellingErrors w:hideGrammaticalErrors w:activeWritingStyle w:proofState w:formsDesign "
    "w:attachedTemplate w:linkStyles w:stylePaneFormatFilter w:stylePaneSortMethod w:documentType "
    "w:mailMerge w:revisionView w:trackRevisions w:doNotTrackMoves w:doNotTrackFormatting "
    "w:documentProtection w:autoFormatOverride w:styleLockTheme w:styleLockQFSet w:defaultTabStop "
    "w:autoHyphenation w:consecutiveHyphenLimit w:hyphenationZone w:doNotHyphenateCaps w:showEnvelope "
    "w:summaryLength w:clickAndTypeStyle w:defaultTableStyle w:evenAndOddHeaders w:bookFoldRevPrinting "
    "w:bookFoldPrinting w:bookFoldPrintingSheets w:drawingGridHorizontalSpacing "
    "w:drawingGridVerticalSpacing w:displayHorizontalDrawingGridEvery w:displayVerticalDrawingGridEvery "
    "w:doNotUseMarginsForDrawingGridOrigin w:drawingGridHorizontalOrigin w:drawingGridVerticalOrigin "
    "w:doNotShadeFormData w:noPunctuationKerning w:characterSpacingControl w:printTwoOnOne "
    "w:strictFirstAndLastChars w:noLineBreaksAfter w:noLineBreaksBefore w:savePreviewPicture "
    "w:doNotValidateAgainstSchema w:saveInvalidXml w:ignoreMixedContent w:alwaysShowPlaceholderText "
    "w:doNotDemarcateInvalidXml w:saveXmlDataOnly w:useXSLTWhenSaving w:saveThroughXslt w:showXMLTags "
    "w:alwaysMergeEmptyNamespace w:updateFields w:hdrShapeDefaults w:footnotePr w:endnotePr w:compat "
    "w:docVars w:rsids m:mathPr w:attachedSchema w:themeFontLang w:clrSchemeMapping "
    "w:doNotIncludeSubdocsInStats w:doNotAutoCompressPictures w:forceUpgrade w:captions "
    "w:readModeInkLockDown w:smartTagType sl:schemaLibrary w:shapeDefaults w:doNotEmbedSmartTags "
    "w:decimalSymbol w:listSeparator "
).split()


def setting(document: DocumentObject, tag: str, value: str | None = None) -> etree._Element:
    """The document's `tag` setting, added in its place in the schema's order when the document has none yet;
    a `value` given is set as its `w:val` only when it is added (an existing setting is the template's choice)."""
    settings = document.settings.element
    found = settings.find(qn(tag))
    if found is not None:
        return found
    new = new_element(tag) if value is None else val(tag, value)
    return settings.insert_element_before(new, *SETTINGS_ORDER[SETTINGS_ORDER.index(tag) + 1 :])


def set_language(document: DocumentObject, language: str) -> None:
    """The language everywhere Word records one: default run properties, styles, the text itself and the theme's
    fonts; Word's spelling, hyphenation and screen readers follow it."""
    roots = [document.styles.element, *(part.element for part in story_parts(document))]
    for root in roots:
        for lang in root.iter(qn("w:lang")):
            lang.set(qn("w:val"), language)
    properties = _default_run_properties(document.styles.element)
    if properties.find(qn("w:lang")) is None:
        properties.append(val("w:lang", language))
    setting(document, "w:themeFontLang").set(qn("w:val"), language)


def _default_run_properties(styles: etree._Element) -> etree._Element:
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = new_element("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = new_element("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = new_element("w:rPr")
        run_defaults.append(properties)
    return properties


# Packaging ---------------------------------------------------------------------------------------------------------


def package(document: DocumentObject, moment: datetime) -> bytes:
    """The document's .docx bytes, reproducible for a given moment: its parts zipped once, as `repack` orders and
    dates them (saving with python-docx and then repacking would compress everything twice)."""
    from docx.opc.pkgwriter import PackageWriter

    opc = document.part.package
    parts = list(opc.iter_parts())
    for part in parts:
        part.before_marshal()
    collected = _Collected()
    PackageWriter._write_content_types_stream(collected, parts)
    PackageWriter._write_pkg_rels(collected, opc.rels)
    PackageWriter._write_parts(collected, parts)  # type: ignore[arg-type]
    return _zip(collected.entries, moment)


class _Collected:
    """Stands for python-docx's zip writer: keeps each entry's bytes by name instead."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.entries[pack_uri.membername] = blob


def repack(data: bytes, moment: datetime) -> bytes:
    """The same zip with fixed entry dates, a stable entry order and fixed attributes: reproducible bytes."""
    with zipfile.ZipFile(BytesIO(data)) as source:
        return _zip({name: source.read(name) for name in source.namelist()}, moment)


def _zip(entries: dict[str, bytes], moment: datetime) -> bytes:
    stamp = max(moment, EPOCH_FLOOR).astimezone(UTC).timetuple()[:6]
    output = BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in sorted(entries, key=_entry_order):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compresslevel=_compress_level(name))
    return output.getvalue()


def _compress_level(name: str) -> int:
    """Embedded fonts (four copies of about 165 KB, scrambled as Word requires) are compressed lightly: 6 % larger,
    and 17 ms less for every Word file; the XML parts, which shrink most, as usual."""
    return 1 if name.startswith("word/fonts/") else 6


def _entry_order(name: str) -> tuple[int, str]:
    """[Content_Types].xml and the package relationships first, as Word writes them; then by name."""
    return ({"[Content_Types].xml": 0, "_rels/.rels": 1}.get(name, 2), name)
