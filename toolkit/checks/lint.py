"""Warnings: things a profile may do on purpose but usually does by mistake. `validate` shows them; nothing fails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.errors import Problem
from toolkit.load.profiles import Layer
from toolkit.model import CORE, Block, Clause, Inline, ListBlock, Policy, Table, Term, Text, block_text, plain_text
from toolkit.paths import BUNDLED_PROFILES_DIR
from toolkit.resolve.vocabulary import format_date, running_name

DOUBLED_ARTICLE = re.compile(r"\b(the|a|an) (the|a|an)\b ?\S*", re.IGNORECASE)
DOCUMENT_FIELDS = ("version", "approved_by", "approved_on", "review_by")
CONTACT_TERM = re.compile(r"^contact\.([a-z_]+)\.name$")


def warnings(policy: Policy, chain: list[Layer], today: date | None = None) -> list[Problem]:
    leaf = chain[-1]
    return [
        *_doubled_articles(policy, leaf.path),
        *_inherited_document(chain),
        *_inherited_approval(chain),
        *_not_approved(policy, leaf),
        *_effective_before_approval(policy, leaf),
        *_review_dates(policy, chain, today or date.today()),
        *_unreachable_contacts(policy, leaf),
        *_roles_without_contacts(policy, leaf),
        *_names_repeating_roles(policy, chain),
        *_one_team_two_addresses(policy, chain),
        *_inherited_body_words(policy, chain),
        *_changes_without_reasons(policy, leaf),
    ]


def _setter(chain: list[Layer], *loc: str) -> dict[str, Any]:
    """Where the latest profile in the chain that sets `loc` sets it: file, line, column and field."""
    for layer in reversed(chain):
        node = layer.data
        for part in loc:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            return {**layer.where(*loc), "field": ".".join(loc)}
    return {"file": chain[-1].path, "field": ".".join(loc)}


def review_overdue(policy: Policy, today: date) -> str | None:
    """Why a policy is past its review date, or None: `validate` warns and `check` fails on it."""
    review_by = policy.document.review_by
    if review_by >= today:
        return None
    return f"the review date ({format_date(review_by)}) has passed (today is {format_date(today)})"


def _review_dates(policy: Policy, chain: list[Layer], today: date) -> list[Problem]:
    document, found = policy.document, []
    overdue = review_overdue(policy, today)
    if overdue:
        found.append(Problem(overdue, **_setter(chain, "document", "review_by"), hint="review it, then set a new date"))
    if document.effective_from and document.effective_from > document.review_by:
        found.append(
            Problem(
                f"takes effect ({format_date(document.effective_from)}) after its review date "
                f"({format_date(document.review_by)})",
                **_setter(chain, "document", "effective_from"),
            )
        )
    return found


def _inherited_approval(chain: list[Layer]) -> list[Problem]:
    """Approval is one unit: a profile that sets part of it would otherwise print its parent's rest."""
    leaf = chain[-1]
    own = set(DOCUMENT_FIELDS) & leaf.spec.document.model_fields_set
    if len(chain) < 2 or not own or own == set(DOCUMENT_FIELDS):
        return []
    inherited = [name for name in DOCUMENT_FIELDS if name not in own and _set_in(chain[:-1], name)]
    if not inherited:
        return []
    return [
        Problem(
            "sets part of its approval and inherits the rest from the profile it extends: "
            + ", ".join(f"`{name}`" for name in inherited),
            **leaf.where("document"),
            field="document",
            hint="give this profile's own version, approved_by, approved_on and review_by together",
        )
    ]


def _set_in(chain: list[Layer], name: str) -> bool:
    return any(name in layer.spec.document.model_fields_set for layer in chain)


def _not_approved(policy: Policy, leaf: Layer) -> list[Problem]:
    """The bundled models are never approved; an organisation's own document usually should be."""
    if policy.document.approved_on is not None or leaf.path.resolve().is_relative_to(BUNDLED_PROFILES_DIR.resolve()):
        return []
    return [
        Problem(
            "is not yet approved: the document will say so",
            file=leaf.path,
            field="document.approved_by",
            hint="set `approved_by:` and `approved_on:` once it is approved",
        )
    ]


def _effective_before_approval(policy: Policy, leaf: Layer) -> list[Problem]:
    """Usually an `effective_from` inherited from a parent whose own approval came earlier."""
    document = policy.document
    if document.effective_from is None or document.approved_on is None:
        return []
    if document.effective_from >= document.approved_on:
        return []
    return [
        Problem(
            f"takes effect ({document.effective_from}) before it was approved ({document.approved_on})",
            file=leaf.path,
            field="document.effective_from",
            hint="set this organisation's own `effective_from:`, or remove an inherited one with null",
        )
    ]


def _doubled_articles(policy: Policy, path: Path) -> list[Problem]:
    """ "Ask the The Caldicott Guardian": a placeholder whose value starts with "The" after "the"."""
    found = []
    for section in policy.visible_sections:
        for clause in section.visible_clauses:
            text = f"{plain_text(clause.title)}\n{block_text(clause.blocks)}"
            for match in DOUBLED_ARTICLE.finditer(text):
                found.append(
                    Problem(
                        f"reads “{match.group(0)}”: check the words around a placeholder, or write the "
                        "contact's or term's value without its own “The”",
                        file=path,
                        field=f"clause `{clause.id}`",
                    )
                )
    return found


def _inherited_document(chain: list[Layer]) -> list[Problem]:
    """A directorate that sets its own name but not its document control would print its parent's approval."""
    leaf = chain[-1]
    if len(chain) < 2 or leaf.spec.name is None or set(DOCUMENT_FIELDS) & leaf.spec.document.model_fields_set:
        return []
    parent = next(
        (layer for layer in reversed(chain[:-1]) if set(DOCUMENT_FIELDS) & layer.spec.document.model_fields_set), None
    )
    if parent is None or parent.spec.name in (None, leaf.spec.name):
        return []
    return [
        Problem(
            f"document control (version, approval, review date) is inherited from {parent.name}, so this "
            f"document will say it was approved by {parent.spec.document.approved_by or 'them'}",
            file=leaf.path,
            field="document",
            hint="give this organisation its own `document:` fields",
        )
    ]


def _unreachable_contacts(policy: Policy, leaf: Layer) -> list[Problem]:
    """A named contact with no email, phone or web page, in a profile that gives details for others."""
    if not any(contact.email or contact.phone or contact.url for contact in policy.contacts):
        return []  # a model profile: contacts are placeholders for the roles
    return [
        Problem(
            f"gives no email, phone or web page for “{contact.name}”",
            file=leaf.path,
            field=f"contacts.{contact.role}",
            hint="readers need a way to reach them",
        )
        for contact in policy.contacts
        if not (contact.email or contact.phone or contact.url)
    ]


def _inlines(blocks: list[Block]) -> Iterator[Inline]:
    for block in blocks:
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from _inlines(item.blocks)
        elif isinstance(block, Table):
            for row in [block.header, *block.rows]:
                for cell in row:
                    yield from _walk(cell)
        else:
            yield from _walk(block.inlines)


def _walk(inlines: list[Inline]) -> Iterator[Inline]:
    for node in inlines:
        yield node
        yield from _walk(getattr(node, "children", None) or [])


def _roles_without_contacts(policy: Policy, leaf: Layer) -> list[Problem]:
    """Text that sends readers to a role ("ask the Welsh language officer") the profile gives no contact for."""
    given = {contact.role for contact in policy.contacts}
    found: dict[str, list[str]] = {}
    for section in policy.visible_sections:
        for clause in section.visible_clauses:
            for node in [*_walk(clause.title or []), *_inlines(clause.blocks)]:
                match = CONTACT_TERM.match(node.key) if isinstance(node, Term) else None
                if match and match.group(1) not in given:
                    found.setdefault(match.group(1), []).append(clause.id)
    return [
        Problem(
            f"the guidance sends readers to “{_words(policy, role, clauses)}” (clause "
            f"{', '.join(f'`{c}`' for c in dict.fromkeys(clauses))}), but this profile gives no such contact",
            file=leaf.path,
            field=f"contacts.{role}",
            hint="add the contact with a name and an email, phone or web page",
        )
        for role, clauses in found.items()
    ]


def _words(policy: Policy, role: str, clauses: list[str]) -> str:
    for section in policy.visible_sections:
        for clause in section.visible_clauses:
            for node in _inlines(clause.blocks):
                if isinstance(node, Term) and node.key == f"contact.{role}.name":
                    return node.text
    return role


def _bare(name: str) -> str:
    return re.sub(r"^(the|a|an) ", "", name.strip().lower())


def _names_repeating_roles(policy: Policy, chain: list[Layer]) -> list[Problem]:
    """ "Data protection officer: Data protection officer" says nothing: name the person or the team."""
    if not any(contact.email or contact.phone or contact.url for contact in policy.contacts):
        return []  # a model profile: contacts are placeholders for the roles
    return [
        Problem(
            f"the name “{contact.name}” repeats the role, so “Who to contact” reads “{contact.label}: {contact.name}”",
            **_setter(chain, "contacts", contact.role, "name"),
            hint="give the person's name or the team's (e.g. “the information governance team”)",
        )
        for contact in policy.contacts
        if _bare(contact.name) == _bare(contact.label)
    ]


def _one_team_two_addresses(policy: Policy, chain: list[Layer]) -> list[Problem]:
    """One team named for two roles must be reachable the same way in both, or readers get two addresses."""
    found, first = [], {}
    for contact in policy.contacts:
        name = _bare(running_name(contact.name))
        other = first.setdefault(name, contact)
        for detail in ("email", "phone", "url"):
            mine, theirs = getattr(contact, detail), getattr(other, detail)
            if other is not contact and mine and theirs and mine != theirs:
                found.append(
                    Problem(
                        f"“{contact.name}” is also the contact for `{other.role}`, with another {detail} "
                        f"({theirs}); one team, two addresses",
                        **_setter(chain, "contacts", contact.role, detail),
                        hint="give the same details for both roles, or name the teams differently",
                    )
                )
    return found


def _inherited_body_words(policy: Policy, chain: list[Layer]) -> list[Problem]:
    """Terms still naming the kind of body a profile extends (“the council's code”) after it renamed itself.

    A body outside every bundled kind tailors the nearest one; the words it inherits are easy to miss.
    """
    bundled = [layer for layer in chain if layer.path.is_relative_to(BUNDLED_PROFILES_DIR)]
    own = [layer for layer in chain if layer not in bundled]
    renamed = next((layer for layer in reversed(own) if "organisation" in layer.spec.terminology), None)
    inherited = next(
        (
            layer.spec.terminology["organisation"].singular
            for layer in reversed(bundled)
            if "organisation" in layer.spec.terminology
        ),
        None,
    )
    if renamed is None or not inherited or not own:
        return []
    word = re.sub(r"^(the|a|an)\s+", "", inherited, flags=re.IGNORECASE)
    if word.lower() in policy.terms["organisation"].singular.lower():
        return []
    pattern = re.compile(rf"\b{re.escape(word)}s?\b", re.IGNORECASE)
    return [*_stale_terms(policy, own, pattern), *_clauses_naming(policy, own, _body_noun(word), word)]


def _body_noun(word: str) -> re.Pattern[str]:
    """The word as the name of a kind of body in running text (“the trust”, “NHS trusts”, “a council's”, “council
    posts”), not as an everyday word: “Being open builds trust” does not speak of a trust."""
    word = re.escape(word)
    determiners = r"the|a|an|each|every|any|your|our|their|its|this|that|other|nhs|foundation|local|parish|town"
    things = r"posts|officers|staff|employees|members|meetings|board|boards|policy|policies|publicity|services|accounts"
    return re.compile(
        rf"\b(?:(?:{determiners})\s+{word}(?:s|'s|s')?|{word}(?:s|'s|s')|{word}\s+(?:{things}))\b", re.IGNORECASE
    )


def _stale_terms(policy: Policy, own: list[Layer], pattern: re.Pattern[str]) -> list[Problem]:
    return [
        Problem(
            f"`terminology.{key}` still reads “{forms.singular}” (inherited from {forms.set_by}), but this "
            f"profile calls the organisation “{policy.terms['organisation'].singular}”",
            **_first_line_of(own[-1], "terminology", "extends"),
            field=f"terminology.{key}",
            hint=f"give terminology.{key} in your own words",
        )
        for key, forms in sorted(policy.terms.items())
        if key != "organisation"
        and not any(key in layer.spec.terminology for layer in own)
        and any(pattern.search(text or "") for text in (forms.singular, forms.plural))
    ]


def _clauses_naming(policy: Policy, own: list[Layer], pattern: re.Pattern[str], word: str) -> list[Problem]:
    """Clauses of the extended kind of body that speak of it in the core's (or a bundled profile's) words: laws that
    bind only it. A clause the user's own profiles reworded is theirs, and may name councils on purpose."""
    yours = {layer.name for layer in own}
    named = [
        clause.id
        for section in policy.visible_sections
        for clause in section.visible_clauses
        if clause.provenance.origin == CORE
        and _worded_by(clause) not in yours
        and any(isinstance(node, Text) and pattern.search(node.text) for node in _inlines(clause.blocks))
    ]
    if not named:
        return []
    return [
        Problem(
            f"{len(named)} clause{'s' * (len(named) != 1)} still speak of a {word}: " + ", ".join(named),
            **_first_line_of(own[-1], "clauses", "extends"),
            field="clauses",
            hint=f"read them (`show --clause ID`); `exclude:` those that do not apply to {policy.organisation.name}, "
            "or `replace:` them",
        )
    ]


def _worded_by(clause: Clause) -> str:
    """The profile whose words a clause now has: the last that replaced it, or the core."""
    return next((change.layer for change in reversed(clause.provenance.history) if change.action == "replace"), CORE)


def _first_line_of(layer: Layer, *fields: str) -> dict[str, Any]:
    """Where a warning about the whole profile points: the first of `fields` the file has (a line to go to)."""
    present = next((name for name in fields if isinstance(layer.data, dict) and name in layer.data), None)
    return layer.where(present) if present else {"file": layer.path}


def _changes_without_reasons(policy: Policy, leaf: Layer) -> list[Problem]:
    """The tailoring appendix lists every change with its reason; one without prints "No reason recorded"."""
    lines = {
        change.line
        for section in policy.sections
        for clause in section.clauses
        for change in clause.provenance.history
        if change.layer == leaf.name and not change.reason
    }
    return [
        Problem(
            "has no `reason:`, so the published document says “No reason recorded” for this change",
            **leaf.where("clauses", index),
            field=leaf.field("clauses", index, "reason"),
            hint="add `reason:` in a sentence a reader will understand",
        )
        for index in range(len(leaf.spec.clauses))
        if leaf.where("clauses", index)["line"] in lines
    ]
