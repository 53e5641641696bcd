"""What a reader of the tailored guidance should know about how it departs from the core: the same for every format."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.i18n import Labels, labels_of
from toolkit.model import CORE, Clause, Policy, Section, block_text, plain_text


@dataclass(frozen=True)
class TailoringNote:
    clause_id: str  # for links within the document; never shown to readers
    title: str  # the clause's title, or its section's when it has none
    change: str  # "Reworded", "Added", ...
    by: str  # the organisation whose profile made the change
    reason: str | None
    own: bool = True  # made by this organisation's own profile, not one it builds on
    by_words: str = ""  # "Added by Department for Coastal Affairs", in the document's language

    @property
    def change_in_words(self) -> str:
        """What a reader is told changed: "Added", or "Added by Department for Coastal Affairs" when the change
        came from an organisation this one builds on."""
        return self.change if self.own else self.by_words or f"{self.change} by {self.by}"


def tailoring_notes(policy: Policy) -> list[TailoringNote]:
    """Every change a profile made, in document order and, for one clause, in the order the profiles made them:
    a clause a council added and its directorate reworded shows both, each with its own reason."""
    labels = labels_of(policy)
    return [
        TailoringNote(
            clause.id,
            _title(section, clause, labels),
            labels.action(change.action),
            who(policy, change.layer, labels),
            change.reason,
            change.layer == policy.profile,
            labels("change_by", change=labels.action(change.action), who=who(policy, change.layer, labels)),
        )
        for section in policy.sections
        for clause in section.clauses
        for change in clause.provenance.history
    ]


def who(policy: Policy, profile: str, labels: Labels | None = None) -> str:
    """A profile as readers know it: the organisation's name."""
    if profile == CORE:
        return (labels or labels_of(policy))("core_guidance")
    return policy.chain_names.get(profile, profile)


DOCUMENT_CONTROL = "document-control"


def sections_around_appendix(policy: Policy) -> tuple[list[Section], list[Section]]:
    """The visible sections before the tailoring appendix, and after it: every format ends with the appendix and
    then document control, wherever a profile put other sections."""
    visible = policy.visible_sections
    return [s for s in visible if s.id != DOCUMENT_CONTROL], [s for s in visible if s.id == DOCUMENT_CONTROL]


def _title(section: Section, clause: Clause, labels: Labels) -> str:
    """The clause's title; a clause without one is named by its section and its first words, so that leaving it out
    does not read as leaving out the whole section."""
    if clause.title:
        return plain_text(clause.title)
    return labels("untitled_clause", section=plain_text(section.title), start=first_words(block_text(clause.blocks)))


def first_words(text: str, count: int = 6) -> str:
    """The start of a text, to tell a reader which clause is meant: "If you are a registered social…"."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def based_on(policy: Policy) -> str:
    """One sentence for readers and the metadata, in plain words: no profile files, no clause IDs (reviewers find
    those in `diff` and `show`)."""
    return labels_of(policy)("based_on", organisation=policy.organisation.name, version=policy.core_version)


def tailoring_intro(policy: Policy, notes: list[TailoringNote]) -> str:
    """What a reader is told before the list of changes."""
    labels = labels_of(policy)
    return labels("tailoring_some") if notes else labels("tailoring_none", organisation=policy.organisation.name)
