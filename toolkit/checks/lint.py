"""Warnings: things a profile may do on purpose but usually does by mistake. `validate` shows them; nothing fails."""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.errors import Problem
from toolkit.load.profiles import Layer
from toolkit.model import Policy, block_text, plain_text

DOUBLED_ARTICLE = re.compile(r"\b(the|a|an) (the|a|an)\b ?\S*", re.IGNORECASE)
DOCUMENT_FIELDS = ("version", "approved_by", "approved_on", "review_by")


def warnings(policy: Policy, chain: list[Layer]) -> list[Problem]:
    leaf = chain[-1]
    return [
        *_doubled_articles(policy, leaf.path),
        *_inherited_document(chain),
        *_effective_before_approval(policy, leaf),
        *_unreachable_contacts(policy, leaf),
    ]


def _effective_before_approval(policy: Policy, leaf: Layer) -> list[Problem]:
    """Usually an `effective_from` inherited from a parent whose own approval came earlier."""
    document = policy.document
    if document.effective_from is None or document.effective_from >= document.approved_on:
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
