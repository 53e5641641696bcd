"""What a reader of the tailored guidance should know about how it departs from the core: the same for every format."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.model import CORE, Clause, Policy, Section, plain_text

STATUS_WORDS = {
    "replaced": "Reworded",
    "added": "Added",
    "removed": "Removed",
    "excluded": "Left out",
    "included": "Included",
    "moved": "Moved",
}


@dataclass(frozen=True)
class TailoringNote:
    clause_id: str
    title: str  # the clause's title, or its section's when it has none
    change: str  # "Reworded", "Added", ...
    by: str  # the profile that made the change
    reason: str | None


def tailoring_notes(policy: Policy) -> list[TailoringNote]:
    """Every clause a profile changed, in document order, with the recorded reason."""
    return [
        TailoringNote(
            clause.id,
            _title(section, clause),
            STATUS_WORDS[clause.provenance.status],
            clause.provenance.changed_by or CORE,
            clause.provenance.reason,
        )
        for section in policy.sections
        for clause in section.clauses
        if clause.provenance.status in STATUS_WORDS
    ]


DOCUMENT_CONTROL = "document-control"


def sections_around_appendix(policy: Policy) -> tuple[list[Section], list[Section]]:
    """The visible sections before the tailoring appendix, and after it: every format ends with the appendix and
    then document control, wherever a profile put other sections."""
    visible = policy.visible_sections
    return [s for s in visible if s.id != DOCUMENT_CONTROL], [s for s in visible if s.id == DOCUMENT_CONTROL]


def _title(section: Section, clause: Clause) -> str:
    return plain_text(clause.title) if clause.title else plain_text(section.title)


def based_on(policy: Policy) -> str:
    """One sentence for the document control block and the metadata."""
    chain = ", then ".join(policy.chain)  # words, not an arrow: the bundled fonts have no arrows
    return f"Tailored from the core guidance version {policy.core_version} by the profile chain {chain}."
