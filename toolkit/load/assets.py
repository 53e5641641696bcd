"""Files a build reads because a profile named them (logo, fonts, Word template), checked before anything renders.

A profile may only point at files inside the project or its own folder, and never at a URL: rendering fetches
nothing. Colours must be readable: WCAG AA asks for 4.5:1 for text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from lxml import etree

from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.inputs import once
from toolkit.load.yamlio import load_yaml, plain
from toolkit.model import Font
from toolkit.paths import FONTS_DIR

MIN_CONTRAST = 4.5
FONT_STYLES = ("regular", "italic", "bold", "bold_italic")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def once_per_file(check: Callable[..., object]) -> Callable[..., object]:
    """A check of a file done once per command for all the profiles that share the file (a sector's logo), as
    `toolkit.inputs.once` allows; a refusal is not kept, so each profile reports it at its own line."""

    @functools.wraps(check)
    def checked(path: Path, **where: object) -> object:
        return once(check.__name__, str(path), lambda: check(path, **where))

    return checked


def safe_path(value: str, base: Path, roots: list[Path], suffixes: tuple[str, ...], **where: object) -> Path:
    """The real path of a file a profile names, refused if it is a URL, outside `roots` or not there."""
    key = "\0".join([value, str(base), *(str(root) for root in roots), *suffixes])
    return once("safe_path", key, lambda: _safe_path(value, base, roots, suffixes, **where))


def _safe_path(value: str, base: Path, roots: list[Path], suffixes: tuple[str, ...], **where: object) -> Path:
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) and not re.match(r"^[a-zA-Z]:[\\/]", value):
        raise ToolkitError(
            Problem(f"`{value}` is a URL; give a file in the project instead (nothing is fetched)", **where)
        )  # type: ignore[arg-type]
    path = (base / value).resolve()
    if not any(path.is_relative_to(root.resolve()) for root in roots):
        allowed = " or ".join(str(root) for root in roots)
        raise ToolkitError(Problem(f"`{value}` is outside the project; files must be inside {allowed}", **where))  # type: ignore[arg-type]
    if not path.is_file():
        raise ToolkitError(Problem(f"file `{value}` does not exist (looked for {path})", **where))  # type: ignore[arg-type]
    if suffixes and path.suffix.lower() not in suffixes:
        raise ToolkitError(Problem(f"`{value}` should be a {' or '.join(suffixes)} file", **where))  # type: ignore[arg-type]
    return path


@once_per_file
def check_svg(path: Path, **where: object) -> None:
    """Refuse SVG that could fetch, include or run anything: entities, scripts, handlers, outside references."""
    check_size(path, MAX_LOGO_BYTES, "5 MiB", "a logo", **where)
    text = path.read_bytes()
    reason = _svg_danger(text)
    if reason:
        raise ToolkitError(Problem(f"SVG logo `{path.name}` is refused: {reason}", **where))  # type: ignore[arg-type]


def _svg_danger(data: bytes) -> str | None:
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        return "it declares a DOCTYPE or entities"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return f"it is not well-formed XML ({error})"
    if etree.QName(root).localname != "svg":
        return "it is not an SVG image"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname.lower()
        if name in ("script", "foreignobject", "iframe"):
            return f"it contains a <{name}> element"
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname.lower()
            if local.startswith("on"):
                return f"it has an event handler ({local})"
            if local == "href" and not value.startswith("#"):
                return f"it refers to another file or address ({value[:60]})"
            if "url(" in value and not re.fullmatch(r"[^()]*url\(#[^)]*\)[^()]*", value):
                return "it refers to an outside address in a style"
        if name == "style" and re.search(r"@import|url\((?!#)", element.text or ""):
            return "its style sheet imports or fetches something"
    return None


# Colours ---------------------------------------------------------------------------------------------------------


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def nearest_passing(colour: str, background: str) -> str:
    """The same hue, darkened (on a light background) or lightened (on a dark one) just enough to pass AA."""
    target = (0, 0, 0) if _luminance(background) > 0.18 else (255, 255, 255)
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for step in range(1, 101):
        mixed = "#" + "".join(f"{round(c + (t - c) * step / 100):02x}" for c, t in zip(channels, target, strict=True))
        if contrast_ratio(mixed, background) >= MIN_CONTRAST:
            return mixed
    return "#000000" if target == (0, 0, 0) else "#ffffff"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def check_contrast(foreground: str, background: str, what: str, **where: object) -> None:
    ratio = contrast_ratio(foreground, background)
    if ratio < MIN_CONTRAST:
        raise ToolkitError(
            Problem(
                f"{what}: {foreground} on {background} has a contrast ratio of {ratio:.2f}:1; "
                f"WCAG AA needs at least {MIN_CONTRAST}:1",
                hint=f"the nearest shade that passes is {nearest_passing(foreground, background)}",
                **where,  # type: ignore[arg-type]
            )
        )


# Fonts -----------------------------------------------------------------------------------------------------------


@cache
def bundled_fonts() -> dict[str, Font]:
    catalogue = plain(load_yaml(FONTS_DIR / "fonts.yaml"))
    return {
        family["name"]: Font(
            name=family["name"],
            generic=family.get("generic", "sans-serif"),
            files={style: FONTS_DIR / path for style, path in family["files"].items()},
            web={style: FONTS_DIR / path for style, path in family.get("web", {}).items()},
        )
        for family in catalogue["families"]
    }


def bundled_font(name: str, **where: object) -> Font:
    fonts = bundled_fonts()
    if name not in fonts:
        hint = did_you_mean(name, fonts) or "bundled: " + ", ".join(fonts)
        raise ToolkitError(
            Problem(
                f"font `{name}` is not bundled; give its files (regular, bold, ...) or pick a bundled one",
                hint=hint,
                **where,  # type: ignore[arg-type]
            )
        )
    return fonts[name]


# Logos -----------------------------------------------------------------------------------------------------------

MAX_LOGO_BYTES = 5 * 1024 * 1024  # 5 MiB
MAX_LOGO_PIXELS = 4000  # on either side: far more than a 22 mm logo needs, and a bounded amount of memory


MAX_FONT_BYTES = 20 * 1024 * 1024  # a font file of your own; the bundled Noto files are well under 1 MiB


def check_size(path: Path, limit: int, limit_words: str, what: str, **where: object) -> Path:
    size = path.stat().st_size
    if size > limit:
        raise ToolkitError(
            Problem(f"`{path.name}` is {size:,} bytes; {what} may be at most {limit:,} ({limit_words})", **where)  # type: ignore[arg-type]
        )
    return path


@once_per_file
def check_png_image(path: Path, **where: object) -> None:
    """A PNG with a readable header, of a size a document can hold: refuses image bombs before anything decodes it."""
    check_size(path, MAX_LOGO_BYTES, "5 MiB", "a logo", **where)
    with path.open("rb") as handle:
        head = handle.read(33)
    if head[:8] != PNG_SIGNATURE:
        raise ToolkitError(Problem(f"`{path.name}` is not a PNG image", **where))  # type: ignore[arg-type]
    if len(head) < 33 or head[12:16] != b"IHDR":
        raise ToolkitError(Problem(f"`{path.name}` is not a complete PNG image (it has no image header)", **where))  # type: ignore[arg-type]
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if not (0 < width <= MAX_LOGO_PIXELS and 0 < height <= MAX_LOGO_PIXELS):
        raise ToolkitError(
            Problem(
                f"`{path.name}` is {width}×{height} pixels; a logo may be at most "
                f"{MAX_LOGO_PIXELS}×{MAX_LOGO_PIXELS} (and not empty)",
                **where,  # type: ignore[arg-type]
            )
        )


# House Word templates --------------------------------------------------------------------------------------------

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024  # the .docx file as stored: 20 MiB
MAX_TEMPLATE_UNPACKED = 100 * 1024 * 1024  # all its parts unpacked: 100 MiB
MAX_TEMPLATE_PARTS = 1000  # a Word document has a few dozen parts
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
MACRO_CONTENT = re.compile(rb"macroEnabled|vbaProject|vbaData|activeX", re.IGNORECASE)


def check_word_package(path: Path, **where: object) -> Path:
    """Refuse a house template that is too big, holds macros, or makes Word fetch anything when the output is opened.

    A template's parts travel into every document built with it, so an `attachedTemplate` on a web server, a remote
    image or a linked OLE object would be fetched by every reader's Word. Links (hyperlinks) are fine: nothing is
    fetched until someone follows one.
    """
    import zipfile

    def refuse(reason: str) -> ToolkitError:
        return ToolkitError(Problem(f"Word template `{path.name}` is refused: {reason}", **where))  # type: ignore[arg-type]

    size = path.stat().st_size
    if size > MAX_TEMPLATE_BYTES:
        raise refuse(f"it is {size:,} bytes; the limit is {MAX_TEMPLATE_BYTES:,} (20 MiB)")
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            if len(entries) > MAX_TEMPLATE_PARTS:
                raise refuse(f"it has {len(entries):,} parts; the limit is {MAX_TEMPLATE_PARTS:,}")
            unpacked = sum(entry.file_size for entry in entries)
            if unpacked > MAX_TEMPLATE_UNPACKED:
                raise refuse(f"it unpacks to {unpacked:,} bytes; the limit is {MAX_TEMPLATE_UNPACKED:,} (100 MiB)")
            for entry in entries:
                reason = _part_danger(entry.filename, package.read(entry) if _inspected(entry.filename) else b"")
                if reason:
                    raise refuse(reason)
    except zipfile.BadZipFile as error:
        raise refuse(f"it cannot be opened as a Word document (.docx): {error}") from None
    return path


def _inspected(name: str) -> bool:
    return name.endswith(".rels") or name == "[Content_Types].xml"


def _part_danger(name: str, data: bytes) -> str | None:
    lowered = name.lower()
    if lowered.endswith("vbaproject.bin") or lowered.endswith("vbadata.xml") or "/activex/" in lowered:
        return f"it contains macros or ActiveX controls ({name}); save it as a Word Document (.docx), not .docm"
    if name == "[Content_Types].xml" and MACRO_CONTENT.search(data):
        return "it is a macro-enabled document (.docm); save it as a Word Document (.docx)"
    if not name.endswith(".rels"):
        return None
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        return f"{name} declares a DOCTYPE or entities"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return f"{name} is not well-formed XML ({error})"
    for relationship in root:
        if relationship.get("TargetMode") == "External" and relationship.get("Type") != HYPERLINK:
            kind = (relationship.get("Type") or "").rsplit("/", 1)[-1] or "a part"
            target = (relationship.get("Target") or "")[:80]
            return (
                f"{name} makes Word fetch {kind} from {target} when a document is opened; remove it "
                "(for an attached template: Developer ▸ Document Template, and clear it)"
            )
    return None
