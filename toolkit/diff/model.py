"""The result of comparing two policies: what every diff report (terminal, HTML, JSON, Word) reads.

Its JSON form is a published interface for other programs: `SCHEMA_VERSION` changes whenever a field changes
meaning or disappears.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = 1

SegmentOp = Literal["equal", "insert", "delete"]
LineKind = Literal["title", "paragraph", "heading", "item", "row"]
ClauseChange = Literal["added", "removed", "replaced", "moved", "unchanged"]


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Segment(_Node):
    """A run of words that is the same on both sides, only in the new one, or only in the old one."""

    op: SegmentOp
    text: str


class LineDiff(_Node):
    """One paragraph, list item, table row or title, compared word by word."""

    kind: LineKind
    op: Literal["equal", "insert", "delete", "replace"]
    segments: list[Segment]

    @property
    def old_text(self) -> str:
        return "".join(s.text for s in self.segments if s.op != "insert")

    @property
    def new_text(self) -> str:
        return "".join(s.text for s in self.segments if s.op != "delete")


class ChangeRecord(_Node):
    """One operation a profile recorded on the clause, oldest first."""

    by: str
    action: str
    reason: str | None = None


class ClauseDiff(_Node):
    id: str
    title: str
    section: str  # the section it is in on the new side (the old side's, when removed)
    section_title: str = ""
    change: ClauseChange
    moved: bool = False  # also true for a reworded clause that moved
    old_section: str | None = None
    old_section_title: str | None = None
    by: str | None = None  # the profile whose operation made the difference, or "core"
    reason: str | None = None
    history: list[ChangeRecord] = []  # every operation on the clause on the compared side
    lines: list[LineDiff] = []  # empty when unchanged


class Substitution(_Node):
    """A word or detail that differs everywhere it is used: listed once, not as text changes."""

    key: str  # e.g. "term.staff", "org.name"
    label: str
    old: str | None
    new: str | None
    places: int  # how often the new side uses it (the old side's count when it is gone)


class Side(_Node):
    profile: str
    name: str
    chain: list[str]
    core_version: str


class Summary(_Node):
    added: int
    removed: int
    replaced: int
    moved: int
    unchanged: int
    substitutions: int

    @property
    def changed(self) -> int:
        return self.added + self.removed + self.replaced + self.moved


class PolicyDiff(_Node):
    schema_version: int = SCHEMA_VERSION
    old: Side
    new: Side
    summary: Summary
    substitutions: list[Substitution]
    clauses: list[ClauseDiff]

    @property
    def has_differences(self) -> bool:
        return bool(self.summary.changed or self.summary.substitutions)

    @property
    def changed_clauses(self) -> list[ClauseDiff]:
        return [clause for clause in self.clauses if clause.change != "unchanged" or clause.moved]
