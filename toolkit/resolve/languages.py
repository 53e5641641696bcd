"""A profile's languages, and its words in one of them.

Names, terms, contacts and channels may give one form per language (`name: {cy: Tîm cyfathrebu, en: Communications
team}`). Before settings are merged, each profile layer is turned into the layer as one language reads it, so the
merging and everything after it see plain words and each language's sentences use its own.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel

from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import ENGLISH, base_language
from toolkit.inputs import once
from toolkit.load.profiles import Layer
from toolkit.load.schema import LANGUAGES


def profile_languages(chain: list[Layer]) -> list[str]:
    """The languages the profile publishes in, in display order: `languages:`, else its one `language:`."""
    for layer in reversed(chain):
        if layer.spec.languages:
            return list(dict.fromkeys(layer.spec.languages))
    for layer in reversed(chain):
        if layer.spec.language:
            return [base_language(layer.spec.language)]
    return [ENGLISH]


def source_language(languages: list[str]) -> str:
    """The language commands use unless told otherwise: English, the language the core guidance is written in."""
    return ENGLISH if ENGLISH in languages else languages[0]


def allows_untranslated(chain: list[Layer]) -> bool:
    return next(
        (layer.spec.allow_untranslated for layer in reversed(chain) if layer.spec.allow_untranslated is not None), False
    )


def check_language(language: str, languages: list[str], layer: Layer) -> str:
    code = base_language(language)
    if code not in languages:
        declared = ", ".join(languages)
        raise ToolkitError(
            Problem(
                f"the profile does not publish in `{code}` (its languages: {declared})",
                field="languages",
                hint="add it to `languages:` in the profile",
                **layer.where("languages"),
            )
        )
    return code


def localise_chain(chain: list[Layer], language: str) -> list[Layer]:
    """Every layer with each per-language value replaced by its form in `language`; a missing form is a problem."""
    problems: list[Problem] = []
    localised = []
    for layer in chain:
        found, spec = _localised_layer(layer, language)
        problems += found
        localised.append(dataclasses.replace(layer, spec=spec))
    if problems:
        raise ToolkitError(problems)
    return localised


def _localised_layer(layer: Layer, language: str) -> tuple[list[Problem], Any]:
    """One layer's forms in `language`, worked out once per command for a layer many profiles share (a sector)."""

    def localise() -> tuple[list[Problem], Any]:
        problems: list[Problem] = []
        return problems, _localise(layer.spec, language, layer, (), problems)

    return once("localised", f"{layer.path}\0{language}", localise)


def is_localised(value: Any) -> bool:
    return (
        isinstance(value, dict) and bool(value) and all(k in LANGUAGES and isinstance(v, str) for k, v in value.items())
    )


def _localise(value: Any, language: str, layer: Layer, loc: tuple[Any, ...], problems: list[Problem]) -> Any:
    if is_localised(value):
        if language in value:
            return value[language]
        problems.append(
            Problem(
                f"has no `{language}:` form, and the profile publishes in {language}",
                field=".".join(str(part) for part in loc),
                hint="give one form per language, e.g. `{cy: ..., en: ...}`",
                **layer.where(*loc),
            )
        )
        return next(iter(value.values()))
    if isinstance(value, BaseModel):
        update = {
            name: _localise(getattr(value, name), language, layer, (*loc, name), problems)
            for name in value.model_fields_set
        }
        return value.model_copy(update=update)
    if isinstance(value, list):
        return [_localise(item, language, layer, (*loc, index), problems) for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: _localise(item, language, layer, (*loc, key), problems) for key, item in value.items()}
    return value
