"""What a reader of the tailored guidance should know about how it departs from the core: the same for every format."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.model import CORE, Clause, Policy, Section, plain_text
from toolkit.resolve.operations import OPERATION_TABLE


@dataclass(frozen=True)
class TailoringNote:
    clause_id: str  # for links within the document; never shown to readers
    title: str  # the clause's title, or its section's when it has none
    change: str  # "Reworded", "Added", ...
    by: str  # the organisation whose profile made the change
    reason: str | None
    own: bool = True  # made by this organisation's own profile, not one it builds on

    @property
    def change_in_words(self) -> str:
        """What a reader is told changed: "Added", or "Added by Department for Coastal Affairs" when the change
        came from an organisation this one builds on."""
        return self.change if self.own else f"{self.change} by {self.by}"


def tailoring_notes(policy: Policy) -> list[TailoringNote]:
    """Every change a profile made, in document order and, for one clause, in the order the profiles made them:
    a clause a council added and its directorate reworded shows both, each with its own reason."""
    return [
        TailoringNote(
            clause.id,
            _title(section, clause),
            OPERATION_TABLE[change.action].note,
            who(policy, change.layer),
            change.reason,
            change.layer == policy.profile,
        )
        for section in policy.sections
        for clause in section.clauses
        for change in clause.provenance.history
    ]


def who(policy: Policy, profile: str) -> str:
    """A profile as readers know it: the organisation's name."""
    return "the core guidance" if profile == CORE else policy.chain_names.get(profile, profile)


DOCUMENT_CONTROL = "document-control"


def sections_around_appendix(policy: Policy) -> tuple[list[Section], list[Section]]:
    """The visible sections before the tailoring appendix, and after it: every format ends with the appendix and
    then document control, wherever a profile put other sections."""
    visible = policy.visible_sections
    return [s for s in visible if s.id != DOCUMENT_CONTROL], [s for s in visible if s.id == DOCUMENT_CONTROL]


def _title(section: Section, clause: Clause) -> str:
    return plain_text(clause.title) if clause.title else plain_text(section.title)


def based_on(policy: Policy) -> str:
    """One sentence for readers and the metadata, in plain words: no profile files, no clause IDs (reviewers find
    those in `diff` and `show`)."""
    return (
        f"This is {policy.organisation.name}'s version of the core guidance on using social media "
        f"(core version {policy.core_version}), shared by public bodies."
    )


def tailoring_intro(policy: Policy, notes: list[TailoringNote]) -> str:
    """What a reader is told before the list of changes."""
    if not notes:
        return f"{policy.organisation.name} uses the core guidance as it stands, without changing any part of it."
    return "These parts differ from the core guidance, for the reasons given."
