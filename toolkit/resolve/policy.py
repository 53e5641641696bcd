"""Profiles applied to the core guidance: the only producer of `Policy`.

Settings are merged (`settings.py`), clause operations applied to an outline of the core (`operations.py`), and the
outline rendered into model blocks here, once, so every clause of the result can say where it came from and why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from toolkit.errors import Problem, ToolkitError
from toolkit.load.profiles import Layer, load_chain
from toolkit.model import CORE, Clause, CoreInfo, Policy, Provenance, Section, Settings, TermForms
from toolkit.resolve.core import Core, fingerprint, load_core
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

# Rendering the outline -------------------------------------------------------------------------------------------


def resolve_profile(path: Path, profiles_dir: Path | None = None, core: Core | None = None) -> Policy:
    """The tailored guidance for the profile at `path`, ready for any renderer or the differ."""
    return resolve_with_chain(path, profiles_dir, core)[0]


def resolve_with_chain(
    path: Path, profiles_dir: Path | None = None, core: Core | None = None
) -> tuple[Policy, list[Layer]]:
    """The policy and the profile files it was made from, for checks that need both (`validate`'s warnings)."""
    path = Path(path)
    profiles_dir = Path(profiles_dir) if profiles_dir else default_profiles_dir(path)
    core = core or load_core()
    chain = load_chain(path, profiles_dir)
    problems: list[Problem] = []
    try:
        settings = merge_settings(chain, core, project_root=profiles_dir.resolve().parent)
    except ToolkitError as error:  # go on to the clause operations, so one run reports both kinds of problem
        problems, settings = error.problems, None
    sector, nation = _latest(chain, "sector"), _latest(chain, "nation")
    outline = Outline.from_core(core, sector or "", nation or "")
    try:
        apply_layers(outline, chain)
    except ToolkitError as error:
        problems = [*problems, *error.problems]
    if problems or settings is None:
        raise ToolkitError(problems)
    vocabulary = _vocabulary(settings, core)
    sections = _render(outline, vocabulary, chain[-1])
    return _policy(chain, settings, core, sections), chain


def core_baseline(policy: Policy, core: Core | None = None) -> Policy:
    """The core guidance as it would read for this organisation with no profile changes and the core's own terms.

    Comparing a policy with this shows exactly what its profiles departed from: clause operations and terminology,
    not the details every organisation fills in (its name, contacts, code of conduct).
    """
    core = core or load_core(policy.core.folder)
    terms = {key: TermForms(singular=spec.singular, plural=spec.plural) for key, spec in core.terms.items()}
    settings = policy.settings.model_copy(update={"title": core.title, "terms": terms})
    outline = Outline.from_core(core, policy.organisation.sector, policy.organisation.nation)
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
        settings.channels,
        settings.code_of_conduct,
        settings.document,
        core.version,
    )


def _render(outline: Outline, vocabulary: Vocabulary, leaf: Layer | None) -> list[Section]:
    problems: list[Problem] = []
    sections = []
    for draft in outline.sections:
        clauses = []
        for clause in draft.clauses:
            try:
                clauses.append(_render_clause(clause, vocabulary))
            except VocabularyError as error:
                problems += [Problem(message, **_text_where(clause, leaf, message)) for message in error.messages]
            except MarkdownError as error:
                problems.append(Problem(str(error), **_text_where(clause, leaf, str(error))))
            except ToolkitError:
                if clause.present:
                    raise
                clauses.append(_render_clause(clause, vocabulary, text_failed=True))
        if draft.core is not None:
            title = render_core_title(draft.core, vocabulary)
        else:
            title = render_profile_title(draft.title or "", vocabulary)
        sections.append(Section(id=draft.id, title=title, clauses=clauses, origin=draft.origin))
    if problems:
        raise ToolkitError(problems)
    return sections


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


def _render_clause(clause: DraftClause, vocabulary: Vocabulary, text_failed: bool = False) -> Clause:
    """A removed clause whose text cannot render for this organisation is kept with its reason and no text."""
    core_title, blocks = None, []
    if clause.core is not None and not text_failed:
        core_title, blocks = render_core_clause(clause.core, vocabulary)
    source = clause.core.source if clause.core is not None else ""
    if clause.text is not None:
        blocks = render_profile_text(clause.text, vocabulary)
        source = clause.text
    title = render_profile_title(clause.title, vocabulary) if clause.title else core_title
    provenance = Provenance(
        origin=clause.origin,
        status=clause.status,
        changed_by=clause.changed_by,
        reason=clause.reason,
        moved=clause.moved,
        history=clause.history,
        core_fingerprint=clause.core.fingerprint if clause.core else None,
        source_fingerprint=fingerprint(source),
    )
    return Clause(id=clause.id, title=title, blocks=blocks, source=source, provenance=provenance)


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
