"""The result of comparing two policies: what every diff report (terminal, HTML, JSON, Word) reads.

Its JSON form is a published interface for other programs: `SCHEMA_VERSION` changes whenever a field changes
meaning or disappears.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = 3  # 2: "replaced" became "reworded"; lines carry list numbering; clauses their details
# 3: a clause whose wording is the same on both sides but reads differently through settings is "settings"
# (it was "reworded"), counted in `summary.settings`

SegmentOp = Literal["equal", "insert", "delete"]
LineKind = Literal["title", "paragraph", "heading", "item", "row"]
ClauseChange = Literal["added", "removed", "reworded", "settings", "moved", "unchanged"]


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
    number: int | None = None  # an item of a numbered list: its number (on the new side; the old side's if deleted)

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
    rule: str | None = None  # the core's rule when the clause applies only to some organisations ("only for nhs")
    details: list[str] = []  # keys of the listed terms and details whose words differ in this clause's text
    lines: list[LineDiff] = []  # empty when the wording is the same


class Substitution(_Node):
    """A word or detail that differs everywhere it is used: listed once, not as text changes."""

    key: str  # e.g. "term.staff", "org.name"
    label: str
    old: str | None
    new: str | None
    places: int  # how many places in clauses both sides have show the difference
    set_by: str | None = None  # the profile that set the new side's words ("core" for the core's own)
    old_set_by: str | None = None  # the profile that set the old side's words


class FilledIn(_Node):
    """A detail the profiles fill in where the core has no words of its own, and the profile that set it."""

    key: str
    label: str
    value: str
    set_by: str


class Side(_Node):
    profile: str
    name: str
    chain: list[str]
    core_version: str
    description: str = ""  # named exactly: "the core guidance 1.0.0 as it applies to local government in England"


class Summary(_Node):
    added: int
    removed: int
    reworded: int
    moved: int
    unchanged: int
    substitutions: int
    settings: int = 0  # clauses both sides word alike that read differently only through settings (contacts...)

    @property
    def changed(self) -> int:
        return self.added + self.removed + self.reworded + self.settings + self.moved

    @property
    def text_changed(self) -> int:
        """Clauses whose own wording differs (not counting a move, or a term, detail or setting they use)."""
        return self.added + self.removed + self.reworded


class PolicyDiff(_Node):
    schema_version: int = SCHEMA_VERSION
    old: Side
    new: Side
    summary: Summary
    substitutions: list[Substitution]
    filled_in: list[FilledIn] = []  # compared with the core: the details the profiles fill in, and who set them
    clauses: list[ClauseDiff]

    @property
    def has_differences(self) -> bool:
        return bool(self.summary.changed or self.summary.substitutions)

    @property
    def has_text_differences(self) -> bool:
        """True when some clause's wording differs: what `--fail-on text` fails on (names and contacts do not)."""
        return bool(self.summary.text_changed)

    @property
    def brought_by_rule(self) -> list[ClauseDiff]:
        """Clauses both sides have only because of a core rule (a sector's or a nation's own clauses)."""
        return [clause for clause in self.clauses if clause.rule and clause.change in ("unchanged", "moved")]

    @property
    def changed_clauses(self) -> list[ClauseDiff]:
        return [clause for clause in self.clauses if clause.change != "unchanged" or clause.moved]
