"""Profiles applied to the core guidance: the only producer of `Policy`.

Settings are merged (`settings.py`), clause operations applied to an outline of the core (`operations.py`), and the
outline rendered into model blocks here, once, so every clause of the result can say where it came from and why.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import ENGLISH, Labels, catalogue, language_tag
from toolkit.load.profiles import Layer, load_chain
from toolkit.load.schema import default_kind
from toolkit.model import (
    CORE,
    Clause,
    CoreInfo,
    Inline,
    Policy,
    Provenance,
    Section,
    Settings,
    TermForms,
    plain_text,
)
from toolkit.resolve.core import Core, fingerprint, load_core
from toolkit.resolve.languages import check_language, is_localised, localise_chain, profile_languages, source_language
from toolkit.resolve.markdown import MarkdownError
from toolkit.resolve.operations import DraftClause, Outline, apply_layers
from toolkit.resolve.settings import merge_settings
from toolkit.resolve.text import (
    render_core_clause,
    render_core_title,
    render_profile_text,
    render_profile_title,
)
from toolkit.resolve.vocabulary import Vocabulary, VocabularyError
from toolkit.translations.catalogue import Translations, load_translations


class Translator:
    """A profile's translations into one language, noting every unit it could not translate (missing or stale)."""

    def __init__(self, translations: Translations) -> None:
        self.translations = translations
        self.untranslated: dict[str, str] = {}  # unit -> "missing" or "stale"
        self.asked: dict[str, str] = {}  # every unit the document needs -> its English now

    def __call__(self, unit: str, english: str) -> str | None:
        self.asked[unit] = english
        found = self.translations.lookup(unit, english)
        if found.text is None:
            self.untranslated[unit] = found.status
        return found.text


# Rendering the outline -------------------------------------------------------------------------------------------


def resolve_profile(
    path: Path, profiles_dir: Path | None = None, core: Core | None = None, language: str | None = None
) -> Policy:
    """The tailored guidance for the profile at `path`, ready for any renderer or the differ, in one of its
    languages (English, or its first language, unless `language` says which)."""
    return resolve_with_chain(path, profiles_dir, core, language)[0]


def resolve_languages(path: Path, profiles_dir: Path | None = None, core: Core | None = None) -> list[Policy]:
    """The guidance in every language the profile publishes in, in its display order."""
    chain = load_chain(Path(path), Path(profiles_dir) if profiles_dir else default_profiles_dir(Path(path)))
    return [resolve_profile(path, profiles_dir, core, language) for language in profile_languages(chain)]


def resolve_with_chain(
    path: Path,
    profiles_dir: Path | None = None,
    core: Core | None = None,
    language: str | None = None,
    translator: Translator | None = None,
    core_text: bool = True,
) -> tuple[Policy, list[Layer]]:
    """The policy and the profile files it was made from, for checks that need both (`validate`'s warnings).

    `core_text=False` leaves the core's clause texts and section titles unrendered (no blocks, no title): what an
    overview of many profiles or a drift check reads is each clause's provenance, and rendering the core's
    templates is most of the cost of resolving. The profile's own texts are still rendered, so their mistakes
    are still found."""
    path = Path(path)
    profiles_dir = Path(profiles_dir) if profiles_dir else default_profiles_dir(path)
    core = core or load_core()
    source_chain = load_chain(path, profiles_dir)
    languages = profile_languages(source_chain)
    language = check_language(language, languages, source_chain[-1]) if language else source_language(languages)
    chain = localise_chain(source_chain, language)
    problems: list[Problem] = []
    try:
        settings = merge_settings(chain, core, project_root=profiles_dir.resolve().parent)
    except ToolkitError as error:  # go on to the clause operations, so one run reports both kinds of problem
        problems, settings = error.problems, None
    sector, nation = _latest(chain, "sector"), _latest(chain, "nation")
    kind = _latest(chain, "kind") or (default_kind(sector) if sector else "")
    outline = Outline.from_core(core, sector or "", nation or "", kind)
    try:
        apply_layers(outline, chain)
    except ToolkitError as error:
        problems = [*problems, *error.problems]
    if problems or settings is None:
        raise ToolkitError(problems)
    english = None
    if language == ENGLISH:
        translator = None
    else:
        translator = translator or Translator(load_translations(path, language))
        english = _vocabulary(_english_settings(source_chain, core, profiles_dir) or settings, core)
        settings = _translated_settings(settings, core, source_chain, translator)
    if len(languages) > 1 or language != ENGLISH:
        settings = settings.model_copy(update={"language": language_tag(language)})
    vocabulary = _vocabulary(settings, core)
    sections = _render(outline, vocabulary, chain[-1], translator, english, core_text)
    policy = _policy(chain, settings, core, sections)
    extra: dict[str, Any] = {"languages": [language_tag(code) for code in languages]}
    if translator is not None:
        extra["labels"] = _translated_labels(translator)
        extra["subtitle"] = Labels(language, extra["labels"])("subtitle")
        extra["missing_translations"] = translator.untranslated
    return policy.model_copy(update=extra), chain


def _english_settings(chain: list[Layer], core: Core, profiles_dir: Path) -> Settings | None:
    """The profile's words in English, for clauses still in English in another language's document."""
    try:
        settings = merge_settings(localise_chain(chain, ENGLISH), core, project_root=profiles_dir.resolve().parent)
    except ToolkitError:  # a profile without English forms: its own words, whatever their language
        return None
    return settings.model_copy(update={"language": language_tag(ENGLISH)})


def _translated_settings(settings: Settings, core: Core, chain: list[Layer], translate: Translator) -> Settings:
    """Words the profile gave in English only, in the translation: terms from the translation file, contact
    roles and the core title from the language's labels."""
    labels = Labels(translate.translations.language, _translated_labels(translate))
    localised = _localised_terms(chain)
    terms = {}
    for key, forms in settings.terms.items():
        if key in localised:
            terms[key] = forms
            continue
        singular = translate(f"term:{key}", forms.singular) or forms.singular
        plural = forms.plural and (translate(f"term:{key}.plural", forms.plural) or forms.plural)
        terms[key] = forms.model_copy(update={"singular": singular, "plural": plural})
    contacts = [
        contact.model_copy(update={"label": labels.role(contact.role, contact.label)}) for contact in settings.contacts
    ]
    title = labels("title") if settings.title == core.title else settings.title
    return settings.model_copy(update={"terms": terms, "contacts": contacts, "title": title})


def _localised_terms(chain: list[Layer]) -> set[str]:
    """Terms whose latest setting gives a form per language: they need no translation unit."""
    latest: dict[str, bool] = {}
    for layer in chain:
        for key, term in layer.spec.terminology.items():
            latest[key] = is_localised(term.singular)
    return {key for key, localised in latest.items() if localised}


def _translated_labels(translate: Translator) -> dict[str, str]:
    """The profile's own wording of labels, where it is current; the bundled catalogue gives the rest."""
    english = catalogue(ENGLISH)
    labels = {}
    for unit in translate.translations.units:
        key = unit.split(":", 1)[1]
        if unit.startswith("label:") and key in english:
            found = translate.translations.lookup(unit, english[key])
            if found.text is not None:
                labels[key] = found.text
    return labels


def core_baseline(policy: Policy, core: Core | None = None) -> Policy:
    """The core guidance as it would read for this organisation with no profile changes and the core's own terms.

    Comparing a policy with this shows exactly what its profiles departed from: clause operations and terminology,
    not the details every organisation fills in (its name, contacts, code of conduct).
    """
    core = core or load_core(policy.core.folder)
    terms = {key: TermForms(singular=spec.singular, plural=spec.plural) for key, spec in core.terms.items()}
    settings = policy.settings.model_copy(update={"title": core.title, "terms": terms})
    organisation = policy.organisation
    outline = Outline.from_core(core, organisation.sector, organisation.nation, organisation.kind)
    sections = _render(outline, _vocabulary(settings, core), None)
    baseline = _policy([], settings, core, sections)
    return baseline.model_copy(update={"profile": CORE, "chain": [CORE]})


def default_profiles_dir(path: Path) -> Path:
    for parent in path.resolve().parents:
        if parent.name == "profiles":
            return parent
    return Path.cwd() / "profiles"


def vocabulary_for(policy: Policy, core: Core) -> Vocabulary:
    """Everything the core's text can name, as this policy gives it: for rendering other versions of the core."""
    return _vocabulary(policy.settings, core)


def _vocabulary(settings: Settings, core: Core) -> Vocabulary:
    return Vocabulary(
        settings.organisation,
        settings.terms,
        settings.contacts,
        core.contact_roles,
        core.contact_words,
        settings.channels,
        settings.code_of_conduct,
        settings.document,
        core.version,
        settings.language,
    )


def _render(
    outline: Outline,
    vocabulary: Vocabulary,
    leaf: Layer | None,
    translate: Translator | None = None,
    english: Vocabulary | None = None,
    core_text: bool = True,
) -> list[Section]:
    """Model sections from the outline; in another language, what has no translation is rendered with the
    profile's English words (`english`), so no sentence mixes two languages."""
    problems: list[Problem] = []
    sections = []
    for draft in outline.sections:
        clauses = []
        for clause in draft.clauses:
            try:
                clauses.append(
                    _render_clause(clause, vocabulary, translate=translate, english=english, core_text=core_text)
                )
            except VocabularyError as error:
                problems += [Problem(message, **_text_where(clause, leaf, message)) for message in error.messages]
            except MarkdownError as error:
                problems.append(Problem(str(error), **_text_where(clause, leaf, str(error))))
            except ToolkitError:
                if clause.present:
                    raise
                clauses.append(_render_clause(clause, vocabulary, text_failed=True))
        asks = translate if any(c.present for c in draft.clauses) else None
        if core_text or draft.core is None:
            title = _section_title(draft, vocabulary, asks, english)
        else:  # no wording, but the same translation units asked (a translation report needs no rendering)
            title = []
            if asks is not None:
                asks(f"section:{draft.id}", draft.core.title_source)
        sections.append(Section(id=draft.id, title=title, clauses=clauses, origin=draft.origin))
    if problems:
        raise ToolkitError(problems)
    return sections


def _section_title(
    draft: Any, vocabulary: Vocabulary, translate: Translator | None, english_words: Vocabulary | None
) -> list[Inline]:
    english = draft.core.title_source if draft.core is not None else draft.title or ""
    translated = translate(f"section:{draft.id}", english) if translate else None
    if translate and translated is None and english_words is not None:
        vocabulary = english_words
    if draft.core is not None:
        core = dataclasses.replace(draft.core, title_source=translated) if translated else draft.core
        return render_core_title(core, vocabulary)
    return render_profile_title(translated or english, vocabulary)


def _text_where(clause: DraftClause, leaf: Layer | None, message: str = "") -> dict[str, Any]:
    """Where in the file the problem is: the line inside the clause's text that holds what the message quotes."""
    where = dict(clause.where or {"file": leaf.path if leaf else None})
    quoted = re.search(r"`([^`]+)`", message)
    if quoted and clause.text and where.get("line") and quoted.group(1) in clause.text:
        where["line"] = _first_text_line(where["file"], where["line"]) + clause.text[
            : clause.text.index(quoted.group(1))
        ].count("\n")
        where["column"] = None
    return {**where, "field": f"text of clause `{clause.id}`"}


def _first_text_line(file: Path, line: int) -> int:
    """A `text: |` block starts on the next line; a one-line value on the same one."""
    lines = Path(file).read_text(encoding="utf-8-sig").splitlines()
    here = lines[line - 1].rstrip() if 0 < line <= len(lines) else ""
    return line + 1 if re.search(r"[|>][-+0-9]*$", here) else line


def _render_clause(
    clause: DraftClause,
    vocabulary: Vocabulary,
    text_failed: bool = False,
    translate: Translator | None = None,
    english: Vocabulary | None = None,
    core_text: bool = True,
) -> Clause:
    """A removed clause whose text cannot render for this organisation is kept with its reason and no text.

    In another language, a clause's translation replaces its English source; without a current translation the
    clause stays in English and says so (`untranslated`)."""
    source_text = clause.text if clause.text is not None else clause.core.source if clause.core is not None else ""
    translated = translate(f"clause:{clause.id}", source_text) if translate and clause.present else None
    untranslated = translate.untranslated.get(f"clause:{clause.id}") if translate and clause.present else None
    if translate is not None and translated is None and english is not None:
        vocabulary = english
    core_title, blocks = None, []
    retitled = bool(translate and clause.present and clause.text is not None and not clause.title)
    if clause.core is not None and not text_failed and (core_text or retitled):  # a reworded core title is a unit
        core = (
            clause.core
            if translated is None or clause.text is not None
            else dataclasses.replace(clause.core, source=translated)
        )
        core_title, blocks = render_core_clause(core, vocabulary)
    source = clause.core.source if clause.core is not None else ""
    if clause.text is not None:
        blocks = render_profile_text(translated or clause.text, vocabulary)
        source = clause.text
    title_text = clause.title
    if clause.title and translate and clause.present:
        title_text = translate(f"title:{clause.id}", clause.title) or clause.title
    title = render_profile_title(title_text, vocabulary) if title_text else core_title
    if retitled and core_title:
        translated_title = translate(f"title:{clause.id}", plain_text(core_title))  # the core's title, reworded
        title = render_profile_title(translated_title, vocabulary) if translated_title else core_title
    provenance = Provenance(
        origin=clause.origin,
        status=clause.status,
        changed_by=clause.changed_by,
        reason=clause.reason,
        moved=clause.moved,
        history=clause.history,
        core_fingerprint=clause.core.fingerprint if clause.core else None,
        source_fingerprint=fingerprint(source),
        relies_on=clause.relied_on(),
    )
    return Clause(
        id=clause.id, title=title, blocks=blocks, source=source, provenance=provenance, untranslated=untranslated
    )


def _latest(chain: list[Layer], name: str) -> str | None:
    """A value as the most specific profile that sets it gives it."""
    return next((getattr(layer.spec, name) for layer in reversed(chain) if getattr(layer.spec, name)), None)


def _chain_names(chain: list[Layer]) -> dict[str, str]:
    names: dict[str, str] = {}
    current = None
    for layer in chain:
        current = layer.spec.name or current
        names[layer.name] = current or layer.name
    return names


def _policy(chain: list[Layer], settings: Settings, core: Core, sections: list[Section]) -> Policy:
    return Policy(
        profile=chain[-1].name if chain else CORE,
        chain=[layer.name for layer in chain] or [CORE],
        chain_names=_chain_names(chain),
        subtitle=core.subtitle,
        core=core_info(core),
        sections=sections,
        **dict(settings),
    )


def core_info(core: Core) -> CoreInfo:
    """The facts of the core that travel with every policy resolved against it."""
    return CoreInfo(
        version=core.version,
        folder=core.directory,
        order=[clause.id for section in core.sections for clause in section.clauses],
        term_labels={key: spec.label or spec.description for key, spec in core.terms.items()},
        rules={
            clause_id: clause.applicability.describe()
            for clause_id, clause in core.clauses.items()
            if clause.applicability.describe() != "always"
        },
    )
