"""Translation files: gettext PO, one unit per clause, section title, term or label, read and written with polib.

A unit is keyed by its ID in `msgctxt` (`clause:principles.credible`, `term:staff`, `label:contents`); `msgid` is the
English it was translated from and an extracted comment records that English's fingerprint, so a later change to
the English shows the translation as stale, with the old English kept for a redline.

Translation files come from outside (a translator, a CAT tool), so they are untrusted: size-capped, checked line by
line before polib reads them (polib quietly drops some malformed entries), and every translation must keep the
placeholders and template tags of its English exactly, so a translation can add words but never code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polib

from toolkit.errors import Problem, ToolkitError
from toolkit.resolve.core import fingerprint

MAX_BYTES = 4 * 1024 * 1024
FINGERPRINT = re.compile(r"^fingerprint: ([0-9a-f]{16})$", re.MULTILINE)
PO_LINE = re.compile(r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*$')
# `{{ … }}`, `{% … %}`, `{# … #}` in core templates; `{org.name}` in profile text; `{who}` in labels.
TOKEN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{[a-z_]+(?:\.[a-z0-9_]+)*\}", re.DOTALL)
STRAY = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
UNIT_KINDS = ("clause", "title", "section", "term", "label")


@dataclass(frozen=True)
class Translation:
    unit: str  # `clause:principles.credible`
    english: str  # the English it was made from
    text: str
    fingerprint: str  # of that English
    line: int


@dataclass(frozen=True)
class Lookup:
    text: str | None
    status: str  # "translated", "missing" or "stale"
    translation: Translation | None = None


@dataclass
class Translations:
    """One profile's translations into one language."""

    language: str
    path: Path | None
    units: dict[str, Translation]

    def lookup(self, unit: str, english: str) -> Lookup:
        found = self.units.get(unit)
        if found is None:
            return Lookup(None, "missing")
        if found.fingerprint != fingerprint(english) or unit_problem(unit, english, found.text):
            return Lookup(None, "stale", found)
        return Lookup(found.text, "translated", found)


def translations_path(profile: Path, language: str) -> Path:
    """Where a profile's translations live: `translations/NAME.LANG.po` beside the profile."""
    return profile.parent / "translations" / f"{profile.stem}.{language}.po"


def load_translations(profile: Path, language: str) -> Translations:
    path = translations_path(profile, language)
    if not path.is_file():
        return Translations(language, None, {})
    return read_po(path, language)


def read_po(path: Path, language: str | None = None) -> Translations:
    """A PO file checked and read; any problem refuses the whole file, naming the line."""
    po = parse_po(path)
    found = (po.metadata.get("Language") or "").strip().replace("_", "-").split("-")[0].lower()
    if language is not None and found and found != language:
        raise ToolkitError(
            Problem(f"is a `{found}` translation, not `{language}`", file=path, line=1, field="Language")
        )
    units: dict[str, Translation] = {}
    problems: list[Problem] = []
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgstr.strip():
            continue
        where = {"file": path, "line": entry.linenum, "field": entry.msgctxt or "msgctxt"}
        problem = unit_problem(entry.msgctxt, entry.msgid, entry.msgstr)
        if problem:
            problems.append(Problem(problem, **where))
            continue
        recorded = FINGERPRINT.search(entry.comment or "")
        units[entry.msgctxt] = Translation(
            entry.msgctxt,
            entry.msgid,
            entry.msgstr,
            recorded.group(1) if recorded else fingerprint(entry.msgid),
            entry.linenum,
        )
    if problems:
        raise ToolkitError(problems)
    return Translations(language or found, path, units)


def parse_po(path: Path) -> polib.POFile:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ToolkitError(Problem(f"is larger than {MAX_BYTES // 1024 // 1024} MiB", file=path))
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ToolkitError(Problem(f"is not UTF-8 text ({error.reason})", file=path)) from None
    except OSError as error:
        raise ToolkitError(Problem(f"cannot be read: {error.strerror}", file=path)) from None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not PO_LINE.match(stripped):
            raise ToolkitError(
                Problem("is not a valid PO line (a keyword and a quoted string)", file=path, line=number)
            )
    try:
        return polib.pofile(text, encoding="utf-8", check_for_duplicates=True)
    except (OSError, ValueError) as error:
        line = re.search(r"line (\d+)", str(error))
        raise ToolkitError(
            Problem(f"is not a valid PO file: {error}", file=path, line=int(line.group(1)) if line else None)
        ) from None


def unit_problem(unit: str | None, english: str, text: str) -> str | None:
    """Why a translation cannot be used, or None: a malformed ID, or placeholders that did not survive.

    Template logic (`{% if %}`, `{% for %}`) must come through exactly, in order. Each value the English prints
    (`{{ term.staff }}`, `{org.name}`) must be printed by the translation too, but its form may change
    (`{{ term.staff.plural.cap }}`) and it may appear more or fewer times, as the language's grammar needs; a
    translation may print nothing the English does not."""
    if not unit or ":" not in unit or unit.split(":", 1)[0] not in UNIT_KINDS:
        return "each entry needs a `msgctxt` with its unit ID, such as `clause:principles.credible`"
    wanted, given = TOKEN.findall(english), TOKEN.findall(text)
    logic_wanted, logic_given = _logic(wanted), _logic(given)
    if logic_wanted != logic_given:
        return f"template logic must stay exactly as in the English: {' '.join(logic_wanted) or '(none)'}"
    unsafe = [token for token in given if token.startswith("{{") and token not in wanted and not SIMPLE.match(token)]
    if unsafe:
        return f"`{unsafe[0]}` is not in the English; a translation may only print the English's values"
    names_wanted, names_given = _values(wanted), _values(given)
    if names_wanted != names_given:
        lost, added = sorted(names_wanted - names_given), sorted(names_given - names_wanted)
        parts = [f"lost {', '.join(lost)}" if lost else "", f"added {', '.join(added)}" if added else ""]
        return "placeholders must survive translation: " + "; ".join(part for part in parts if part)
    if STRAY.search(TOKEN.sub("", text)):
        return "has a broken placeholder (a stray `{{`, `{%` or `}}`)"
    return None


SIMPLE = re.compile(r"^\{\{\s*[a-z][a-z_]*(?:\.[a-z0-9][a-z0-9_]*)*\s*\}\}$")
FORMS = (".cap", ".plural")


def _logic(tokens: list[str]) -> list[str]:
    return [" ".join(token.split()) for token in tokens if token.startswith(("{%", "{#"))]


def _values(tokens: list[str]) -> set[str]:
    """What each printing token names, without its form: `{{ term.staff.plural.cap }}` -> `term.staff`."""
    names = set()
    for token in tokens:
        if token.startswith(("{%", "{#")):
            continue
        name = token.strip("{}% ").strip()
        while name.endswith(FORMS):
            name = name.rsplit(".", 1)[0]
        names.add(name)
    return names


# Writing -----------------------------------------------------------------------------------------------------------


def new_po(language: str, project: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": project,
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    return po


def add_unit(
    po: polib.POFile, unit: str, english: str, text: str = "", note: str = "", previous: Translation | None = None
) -> None:
    """One unit; a stale translation keeps its text, marked fuzzy, with the English it was made from."""
    comment = f"fingerprint: {fingerprint(english)}" + (f"\n{note}" if note else "")
    entry = polib.POEntry(msgctxt=unit, msgid=english, msgstr=text, comment=comment)
    if previous is not None:
        entry.flags.append("fuzzy")
        entry.previous_msgid = previous.english
    po.append(entry)


def po_bytes(po: polib.POFile) -> bytes:
    return str(po).encode("utf-8")
