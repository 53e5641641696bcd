"""Export, import and the state of a profile's translations: the library behind `translations` and `check`.

The units a document needs are exactly those the resolver asks for while building it in the target language
(section titles, clauses, profile clause titles, terms the profile gave in English only), plus the labels. So an
export never lists a clause the document leaves out, and an import refuses an ID the document does not have.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.i18n import ENGLISH, catalogue, known_languages, own_catalogue
from toolkit.load.profiles import load_chain
from toolkit.output import publish
from toolkit.resolve.core import Core
from toolkit.resolve.languages import profile_languages
from toolkit.resolve.policy import Translator, default_profiles_dir, resolve_with_chain
from toolkit.translations.catalogue import (
    Translation,
    Translations,
    add_unit,
    load_translations,
    new_po,
    po_bytes,
    read_po,
    translations_path,
    unit_problem,
)

NOT_LABELS = ("language_name",)


@dataclass
class UnitState:
    unit: str
    english: str
    status: str  # "translated", "missing" or "stale"
    translation: Translation | None = None


@dataclass
class TranslationReport:
    profile: str
    language: str
    units: list[UnitState] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for unit in self.units if unit.status == status)

    @property
    def complete(self) -> bool:
        return all(unit.status == "translated" for unit in self.units)


def translation_languages(path: Path, profiles_dir: Path | None = None) -> list[str]:
    """The profile's languages other than English: the ones that need translations."""
    chain = load_chain(Path(path), _profiles_dir(path, profiles_dir))
    return [language for language in profile_languages(chain) if language != ENGLISH]


def translation_report(
    path: Path, language: str, profiles_dir: Path | None = None, core: Core | None = None, core_text: bool = True
) -> TranslationReport:
    """Every unit the document in `language` needs, and whether it has a current translation.

    A unit's English is its source (the core's template, the profile's text), not its rendered wording, so the
    states alone (`core_text=False`: overviews and `check`, over hundreds of profiles) need no core text rendered."""
    translations = load_translations(Path(path), language)
    translator = Translator(translations)
    profiles = _profiles_dir(path, profiles_dir)
    policy, _ = resolve_with_chain(Path(path), profiles, core, language, translator, core_text=core_text)
    report = TranslationReport(policy.profile, language)
    bundled = bundled_labels(language)
    for unit, english in {**translator.asked, **label_units()}.items():
        found = translations.lookup(unit, english)
        status = found.status
        if status == "missing" and unit in bundled:
            status = "translated"  # the toolkit's own catalogue has it
        report.units.append(UnitState(unit, english, status, found.translation))
    return report


def bundled_labels(language: str) -> dict[str, str]:
    """The toolkit's own translations of the labels into `language`, by unit ID."""
    if language not in known_languages():
        return {}
    own = own_catalogue(language)
    return {f"label:{key}": text for key, text in own.items() if key not in NOT_LABELS}


def translation_summary(path: Path, profiles_dir: Path | None = None, core: Core | None = None) -> str:
    """One line per organisation for the matrix: each translation's state, or "" for a profile in English only."""
    parts = []
    for language in translation_languages(path, profiles_dir):
        report = translation_report(path, language, profiles_dir, core, core_text=False)
        parts.append(
            f"{language}: {report.count('translated')} of {len(report.units)} translated, "
            f"{report.count('stale')} stale, {report.count('missing')} missing"
        )
    return "; ".join(parts)


def label_units() -> dict[str, str]:
    return {f"label:{key}": text for key, text in catalogue(ENGLISH).items() if key not in NOT_LABELS}


def _profiles_dir(path: Path, profiles_dir: Path | None) -> Path:
    return Path(profiles_dir) if profiles_dir else default_profiles_dir(Path(path))


# Export ------------------------------------------------------------------------------------------------------------


def export_po(path: Path, language: str, profiles_dir: Path | None = None, core: Core | None = None) -> bytes:
    """A PO file of every unit: current translations filled in, stale ones marked fuzzy with the English they were
    made from (CAT tools show the change), labels filled in from the toolkit's own catalogue for the language."""
    _check_declared(path, language, profiles_dir, None)
    report = translation_report(path, language, profiles_dir, core)
    bundled = catalogue(language) if language in known_languages() else {}
    po = new_po(language, f"policy-toolkit {version('policy-toolkit')}: {report.profile}")
    for state in report.units:
        text = state.translation.text if state.translation else ""
        if not text and state.unit.startswith("label:"):
            text = bundled.get(state.unit.split(":", 1)[1], "")
        previous = state.translation if state.status == "stale" else None
        add_unit(po, state.unit, state.english, text, _note(state.unit), previous)
    return po_bytes(po)


def _note(unit: str) -> str:
    kind = unit.split(":", 1)[0]
    return {
        "clause": "Markdown. Keep every {{ … }}, {% … %} and {placeholder} exactly as it is.",
        "section": "A section heading.",
        "title": "A clause heading.",
        "term": "A term the guidance uses in running text; it may follow a preposition, so give its radical form.",
        "label": "Printed by the documents around the guidance. Keep every {name}.",
    }[kind]


# Import ------------------------------------------------------------------------------------------------------------


def import_po(path: Path, source: Path, profiles_dir: Path | None = None, core: Core | None = None) -> tuple[Path, int]:
    """Check a translated PO file against the profile and store it as the profile's translations; all or nothing.

    Refused, naming file, line and unit: an undeclared language, an unknown unit ID, a placeholder lost or added,
    a malformed file."""
    incoming = read_po(Path(source))
    language = incoming.language
    _check_declared(path, language, profiles_dir, Path(source))
    report = translation_report(path, language, profiles_dir, core)
    current = {state.unit: state.english for state in report.units}
    problems = []
    for unit, translation in incoming.units.items():
        where = {"file": Path(source), "line": translation.line, "field": unit}
        if unit not in current:
            hint = did_you_mean(unit, list(current)) or "export again to see the units this profile has"
            problems.append(Problem(f"`{unit}` is not a unit of this profile's guidance", hint=hint, **where))
        elif translation.fingerprint == _fingerprint(current[unit]) and (
            problem := unit_problem(unit, current[unit], translation.text)
        ):
            problems.append(Problem(problem, **where))
    if problems:
        raise ToolkitError(problems)
    stored = load_translations(Path(path), language)
    bundled = bundled_labels(language)
    own = {unit: t for unit, t in incoming.units.items() if bundled.get(unit) != t.text}  # only real overrides
    merged = Translations(language, None, {**stored.units, **own})
    target = translations_path(Path(path), language)
    po = new_po(language, f"policy-toolkit {version('policy-toolkit')}: {report.profile}")
    for unit in sorted(merged.units, key=_unit_order(list(current))):
        translation = merged.units[unit]
        if unit in current:
            po.append(_entry(translation))
    publish({target: po_bytes(po)}, target.parent)
    return target, len(incoming.units)


def _entry(translation: Translation):  # type: ignore[no-untyped-def]
    import polib

    return polib.POEntry(
        msgctxt=translation.unit,
        msgid=translation.english,
        msgstr=translation.text,
        comment=f"fingerprint: {translation.fingerprint}",
    )


def _unit_order(units: list[str]):  # type: ignore[no-untyped-def]
    position = {unit: index for index, unit in enumerate(units)}
    return lambda unit: position.get(unit, len(position))


def _fingerprint(text: str) -> str:
    from toolkit.resolve.core import fingerprint

    return fingerprint(text)


def _check_declared(path: Path, language: str, profiles_dir: Path | None, source: Path | None) -> None:
    declared = translation_languages(path, profiles_dir)
    if language not in declared:
        where = {"file": source, "line": 1, "field": "Language"} if source else {"field": "--lang"}
        listed = ", ".join(declared) or "none besides English"
        raise ToolkitError(
            Problem(
                f"`{language or '(none)'}` is not a language the profile translates into (its languages: {listed})",
                hint="add it to the profile's `languages:`, or set the file's Language header",
                **where,
            )
        )


# Redlines ----------------------------------------------------------------------------------------------------------


def redline(old: str, new: str) -> str:
    """The English change word by word: `[-removed-]{+added+}`, as `git diff --word-diff` shows it."""
    before, after = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    pieces = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append("".join(before[i1:i2]))
            continue
        if i2 > i1:
            pieces.append("[-" + "".join(before[i1:i2]) + "-]")
        if j2 > j1:
            pieces.append("{+" + "".join(after[j1:j2]) + "+}")
    return "".join(pieces)
