"""Languages: the words every renderer prints around the guidance, and dates, in the document's own language.

Labels come from a catalogue per language (`templates/i18n/LANG.yaml`), which a profile's translation file may
override; dates and month names come from Babel's CLDR data, so Welsh months are Welsh without a list of ours.
A label's `{name}` slots are filled here by plain substitution, never by `str.format`, so a translated label can
never reach a Python attribute.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from babel.dates import format_date as babel_format_date

from toolkit.load.yamlio import load_yaml, plain
from toolkit.paths import TEMPLATES_DIR

if TYPE_CHECKING:
    from toolkit.model import Policy

I18N_DIR = TEMPLATES_DIR / "i18n"
ENGLISH = "en"
LANGUAGE_TAGS = {"en": "en-GB", "cy": "cy-GB"}  # the languages the toolkit has labels for, as BCP 47 tags
SLOT = re.compile(r"\{([a-z_]+)\}")


def base_language(tag: str) -> str:
    """`cy-GB` -> `cy`: the catalogue and Babel locale a language tag uses."""
    return tag.split("-", 1)[0].lower()


def language_tag(code: str) -> str:
    """`cy` -> `cy-GB`: what documents declare (HTML `lang`, Word `w:lang`, PDF `/Lang`)."""
    return LANGUAGE_TAGS.get(base_language(code), code)


def known_languages() -> list[str]:
    return sorted(path.stem for path in I18N_DIR.glob("*.yaml"))


@cache
def catalogue(language: str) -> dict[str, str]:
    """The bundled labels of one language; English fills any key the language lacks."""
    code = base_language(language)
    english = own_catalogue(ENGLISH)
    return english if code == ENGLISH or code not in known_languages() else {**english, **own_catalogue(code)}


@cache
def own_catalogue(code: str) -> dict[str, str]:
    return {str(key): str(value) for key, value in plain(load_yaml(I18N_DIR / f"{code}.yaml")).items()}


def fill(template: str, **values: object) -> str:
    """A label with its `{name}` slots filled; unknown slots stay as written."""
    return SLOT.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def format_date(value: date, language: str = ENGLISH) -> str:
    """`1 September 2026`, `1 Medi 2026`: day, month name and year, whatever the machine's locale."""
    return babel_format_date(value, "d MMMM y", locale=base_language(language))


class Labels:
    """The labels one document uses: the bundled catalogue for its language with the profile's own translations."""

    def __init__(self, language: str, overrides: dict[str, str] | None = None) -> None:
        self.language = language
        self._labels = {**catalogue(language), **(overrides or {})}

    def __call__(self, key: str, **values: object) -> str:
        return fill(self._labels[key], **values)

    def date(self, value: date) -> str:
        return format_date(value, self.language)

    def action(self, action: str) -> str:
        return self(f"action_{action}")

    def untranslated(self, status: str) -> str:
        """The note on a clause shown in English: its translation is missing, or stale."""
        return self("stale" if status == "stale" else "untranslated")

    def role(self, role: str, default: str) -> str:
        return self._labels.get(f"role_{role}", default)


def labels_of(policy: Policy) -> Labels:
    """What a renderer prints around the guidance of `policy`, in its language."""
    return Labels(policy.language, policy.labels)
