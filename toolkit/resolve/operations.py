"""The outline of a policy while profiles change it: clause operations applied layer by layer, by clause ID.

Every operation is recorded on the clauses it touches (who, what, why, where in the file), which is the provenance
the renderers' notes, the differ and the drift check read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.load.profiles import Layer
from toolkit.load.schema import (
    AddClause,
    AddSection,
    ClauseOperation,
    ExcludeClause,
    IncludeClause,
    MoveClause,
    RemoveClause,
    ReplaceClause,
)
from toolkit.model import CORE, CORE_TITLE, Change, ClauseStatus
from toolkit.resolve.core import Core, CoreClause, CoreSection, fingerprint

# The outline: clauses before rendering ---------------------------------------------------------------------------


@dataclass
class DraftClause:
    id: str
    core: CoreClause | None  # None for clauses a profile added
    origin: str
    status: ClauseStatus = "unchanged"
    title: str | None = None  # profile text, when a profile replaced or added the clause
    text: str | None = None
    changed_by: str | None = None
    reason: str | None = None
    moved: bool = False
    history: list[Change] = field(default_factory=list)
    where: dict[str, Any] = field(default_factory=dict)  # the profile lines that set the text
    title_from: str = CORE  # who wrote the title and the text a reader sees: the core or a profile
    text_from: str = CORE
    shown_before_last: frozenset[str] = frozenset()  # `shown()` before the last profile's operations

    @property
    def present(self) -> bool:
        return self.status not in ("removed", "excluded")

    def shown(self) -> frozenset[str]:
        """Whose words a reader of the clause sees (the core, or only the core's title; profiles): nobody's when it
        is left out."""
        if not self.present:
            return frozenset()
        title = CORE_TITLE if self.title_from == CORE and self.text_from != CORE else self.title_from
        return frozenset({title, self.text_from})

    def relied_on(self) -> list[str]:
        """What the last profile relies on for this clause, so `check` asks it to look again only when one of these
        changes: the words it showed the profile before its own operations and the words it shows now, and every
        operation that is not a rewording (an addition, a removal, a move). A parent's rewording hides the core's
        text from the profiles that extend it; where the parent kept the core's title, only the title reaches them
        (`CORE_TITLE`)."""
        rewordings = {change.layer for change in self.history if change.action == "replace"}
        others = {change.layer for change in self.history if change.layer not in rewordings}
        relied = self.shown_before_last | self.shown() | others
        return sorted(relied - {CORE_TITLE} if CORE in relied else relied)


@dataclass
class DraftSection:
    id: str
    core: CoreSection | None
    origin: str
    title: str | None = None
    clauses: list[DraftClause] = field(default_factory=list)


@dataclass
class Outline:
    """The policy's structure while operations apply; knows every clause the core has, applicable or not."""

    core: Core
    sections: list[DraftSection]
    dormant: dict[str, DraftClause]  # core clauses not (yet) part of this policy: optional or another sector's

    @classmethod
    def from_core(cls, core: Core, sector: str, nation: str, kind: str = "") -> Outline:
        sections, dormant = [], {}
        for core_section in core.sections:
            section = DraftSection(core_section.id, core_section, CORE)
            for core_clause in core_section.clauses:
                draft = DraftClause(core_clause.id, core_clause, CORE)
                if core_clause.applicability.applies_to(sector, nation, kind):
                    section.clauses.append(draft)
                else:
                    dormant[core_clause.id] = draft
            sections.append(section)
        return cls(core, sections, dormant)

    def find(self, clause_id: str) -> tuple[DraftSection, int] | None:
        for section in self.sections:
            for index, clause in enumerate(section.clauses):
                if clause.id == clause_id:
                    return section, index
        return None

    def section(self, section_id: str) -> DraftSection | None:
        return next((section for section in self.sections if section.id == section_id), None)

    def clause_ids(self) -> list[str]:
        return [clause.id for section in self.sections for clause in section.clauses]

    def every_clause(self) -> list[DraftClause]:
        return [clause for section in self.sections for clause in section.clauses] + list(self.dormant.values())

    def all_ids(self) -> set[str]:
        return {*self.clause_ids(), *self.dormant, *(s.id for s in self.sections)}


# Operations ------------------------------------------------------------------------------------------------------


class Applier:
    def __init__(self, outline: Outline, layer: Layer) -> None:
        self.outline, self.layer = outline, layer
        self.problems: list[Problem] = []

    def apply_all(self) -> None:
        seen: dict[str, int] = {}
        for index, operation in enumerate(self.layer.spec.clauses):
            targets = operation.targets()
            repeated = [target for target in targets if target in seen]
            if repeated:
                self.fail(
                    index,
                    f"a second operation on `{repeated[0]}` in this profile (the first is "
                    f"clauses[{seen[repeated[0]]}]); combine them into one",
                )
                continue
            seen.update(dict.fromkeys(targets, index))
            try:
                self.apply(index, operation)
            except _OperationError as error:
                self.fail(index, str(error), error.hint, error.field)
        if self.problems:
            raise ToolkitError(self.problems)

    def fail(self, index: int, message: str, hint: str | None = None, field_name: str | None = None) -> None:
        loc: tuple[str | int, ...] = ("clauses", index, field_name) if field_name else ("clauses", index)
        self.problems.append(Problem(message, field=self.layer.field(*loc), hint=hint, **self.layer.where(*loc)))

    def change(self, index: int, action: str, reason: str | None, part: Any = None) -> Change:
        """`part`: the one clause of a multi-clause operation (a new section) this change records, so editing one
        of its clauses changes that clause's fingerprint only."""
        line = self.layer.where("clauses", index)["line"]
        operation = self.layer.spec.clauses[index].model_dump_json()
        if part is not None:
            operation = f"{reason}\n{part.model_dump_json()}"
        return Change(
            layer=self.layer.name,
            action=action,  # type: ignore[arg-type]
            reason=reason,
            file=self.layer.path.name,  # not the full path: the model must not depend on where the project lives
            line=line,
            fingerprint=fingerprint(operation),
        )

    def apply(self, index: int, operation: ClauseOperation) -> None:
        OPERATION_TABLE[operation.action].apply(self, index, operation)

    def existing(self, clause_id: str, field_name: str) -> tuple[DraftSection, int]:
        found = self.outline.find(clause_id)
        if found is None:
            if clause_id in self.outline.dormant:
                when = self.outline.dormant[clause_id].core.applicability.describe()  # type: ignore[union-attr]
                if field_name in ("remove", "exclude"):
                    raise _OperationError(
                        f"clause `{clause_id}` is not part of this policy ({when}), so there is nothing to leave out",
                        "delete this item",
                        field_name,
                    )
                raise _OperationError(
                    f"clause `{clause_id}` is not part of this policy ({when})",
                    f"use `include: {clause_id}` first",
                    field_name,
                )
            raise self.unknown(clause_id, field_name)
        return found

    def unknown(self, identifier: str, field_name: str) -> _OperationError:
        retired = self.outline.core.retired_clauses.get(identifier)
        if retired:
            return _OperationError(
                f"clause `{identifier}` is no longer in the core guidance: {retired}", None, field_name
            )
        hint = did_you_mean(identifier, self.outline.all_ids()) or "`policy-toolkit list --clauses` shows them"
        kind = "section" if "." not in identifier else "clause"
        return _OperationError(f"unknown {kind} `{identifier}`", hint, field_name)

    def replace(self, index: int, op: ReplaceClause) -> None:
        section, position = self.existing(op.replace, "replace")
        clause = section.clauses[position]
        if not clause.present:
            raise _OperationError(
                f"clause `{op.replace}` was {clause.status} by `{clause.changed_by}`",
                f"use `include: {op.replace}` to bring it back",
                "replace",
            )
        if op.title is not None or clause.core is not None:
            clause.title = op.title  # None keeps the core's own title
        clause.text = op.text
        clause.text_from = self.layer.name
        if op.title is not None:
            clause.title_from = self.layer.name
        elif clause.core is not None:
            clause.title_from = CORE if _has_title(clause.core) else self.layer.name
        clause.where = self.layer.where("clauses", index, "text")
        self.decide(clause, "replaced", op.reason)  # a clause a parent added is still reworded, not added, here
        clause.history.append(self.change(index, op.action, op.reason))

    def decide(self, clause: DraftClause, status: ClauseStatus, reason: str | None) -> None:
        clause.status, clause.changed_by, clause.reason = status, self.layer.name, reason

    def remove(self, index: int, op: RemoveClause | ExcludeClause) -> None:
        target, action = op.targets()[0], op.action
        status: ClauseStatus = "removed" if isinstance(op, RemoveClause) else "excluded"
        section = self.outline.section(target) if "." not in target else None
        clauses = [c for c in section.clauses if c.present] if section else [self._present(target, action)]
        if section is not None and not clauses:
            raise _OperationError(f"section `{target}` has nothing left to {action}", None, action)
        for clause in clauses:
            self.decide(clause, status, op.reason)
            clause.history.append(self.change(index, action, op.reason))

    def _present(self, clause_id: str, action: str) -> DraftClause:
        if "." not in clause_id:
            raise self.unknown(clause_id, action)
        section, position = self.existing(clause_id, action)
        clause = section.clauses[position]
        if not clause.present:
            raise _OperationError(
                f"clause `{clause_id}` was already {clause.status} by `{clause.changed_by}`", None, action
            )
        return clause

    def include(self, index: int, op: IncludeClause) -> None:
        target = op.include
        if "." not in target:
            self.include_section(index, op)
            return
        if target in self.outline.dormant:
            clause = self.outline.dormant.pop(target)
            self.place_core_clause(clause)
            self.decide(clause, "included", op.reason)
        else:
            section, position = self.existing(target, "include")
            clause = section.clauses[position]
            if clause.present:
                raise _OperationError(f"clause `{target}` is already part of this policy", None, "include")
            self.decide(clause, "unchanged" if not clause.history else "included", op.reason)
        clause.history.append(self.change(index, op.action, op.reason))

    def include_section(self, index: int, op: IncludeClause) -> None:
        section = self.outline.section(op.include)
        if section is None:
            raise self.unknown(op.include, "include")
        waiting = [c for c in self.outline.dormant.values() if c.core and c.core.section == section.id]
        waiting += [c for c in section.clauses if not c.present]
        if not waiting:
            raise _OperationError(f"section `{op.include}` is already wholly part of this policy", None, "include")
        for clause in waiting:
            if clause.id in self.outline.dormant:
                self.place_core_clause(self.outline.dormant.pop(clause.id))
            self.decide(clause, "included", op.reason)
            clause.history.append(self.change(index, op.action, op.reason))

    def place_core_clause(self, clause: DraftClause) -> None:
        """Put a dormant core clause back where the core has it, after its nearest present predecessor."""
        assert clause.core is not None
        section = self.outline.section(clause.core.section)
        assert section is not None
        order = [c.id for c in section.core.clauses] if section.core else []
        before = set(order[: order.index(clause.id)])
        position = max((i + 1 for i, c in enumerate(section.clauses) if c.id in before), default=0)
        section.clauses.insert(position, clause)

    def add(self, index: int, op: AddClause) -> None:
        self.check_new_id(op.add, "add")
        clause = DraftClause(
            op.add,
            None,
            self.layer.name,
            "added",
            op.title,
            op.text,
            self.layer.name,
            op.reason,
            where=self.layer.where("clauses", index, "text"),
        )
        clause.title_from = clause.text_from = self.layer.name
        clause.history.append(self.change(index, op.action, op.reason))
        self.insert(clause, op.before, op.after, op.section)

    def check_new_id(self, clause_id: str, field_name: str) -> None:
        if clause_id in self.outline.all_ids():
            raise _OperationError(
                f"`{clause_id}` already exists", "choose a new ID, e.g. with your short name in it", field_name
            )

    def insert(self, clause: DraftClause, before: str | None, after: str | None, section_id: str | None) -> None:
        given = [name for name, value in (("before", before), ("after", after), ("section", section_id)) if value]
        if len(given) != 1:
            raise _OperationError("say where, with exactly one of `before:`, `after:` or `section:`", None, None)
        if section_id:
            section = self.outline.section(section_id)
            if section is None:
                raise self.unknown(section_id, "section")
            section.clauses.append(clause)
            return
        anchor = before or after
        assert anchor is not None
        if anchor == clause.id:
            raise _OperationError("a clause cannot be placed next to itself", None, given[0])
        section, position = self.existing(anchor, given[0])
        section.clauses.insert(position if before else position + 1, clause)

    def add_section(self, index: int, op: AddSection) -> None:
        self.check_new_id(op.add_section, "add_section")
        ids = [clause.id for clause in op.clauses]
        for number, clause_id in enumerate(ids):
            if clause_id in ids[:number]:
                raise _OperationError(f"clause `{clause_id}` appears twice", None, f"clauses[{number}].id")
            self.check_new_id(clause_id, f"clauses[{number}].id")
        section = DraftSection(op.add_section, None, self.layer.name, title=op.title)
        for number, new in enumerate(op.clauses):
            clause = DraftClause(
                new.id,
                None,
                self.layer.name,
                "added",
                new.title,
                new.text,
                self.layer.name,
                op.reason,
                where=self.layer.where("clauses", index, "clauses", number, "text"),
            )
            clause.title_from = clause.text_from = self.layer.name
            clause.history.append(self.change(index, op.action, op.reason, part=new))
            section.clauses.append(clause)
        given = [value for value in (op.before, op.after) if value]
        if len(given) != 1:
            raise _OperationError("say where, with exactly one of `before:` or `after:` (a section ID)", None, None)
        anchor = self.outline.section(given[0])
        if anchor is None:
            raise self.unknown(given[0], "before" if op.before else "after")
        position = self.outline.sections.index(anchor)
        self.outline.sections.insert(position if op.before else position + 1, section)

    def move(self, index: int, op: MoveClause) -> None:
        section, position = self.existing(op.move, "move")
        clause = section.clauses.pop(position)
        try:
            self.insert(clause, op.before, op.after, op.section)
        except _OperationError:
            section.clauses.insert(position, clause)
            raise
        clause.moved = True
        if clause.status == "unchanged":
            self.decide(clause, "moved", op.reason)
        clause.history.append(self.change(index, op.action, op.reason))


class _OperationError(Exception):
    def __init__(self, message: str, hint: str | None, field_name: str | None) -> None:
        super().__init__(message)
        self.hint, self.field = hint, field_name


def apply_layers(outline: Outline, layers: list[Layer]) -> Outline:
    """Each profile's operations in turn, the most general profile first."""
    for layer in layers:
        for clause in outline.every_clause():
            clause.shown_before_last = clause.shown()
        Applier(outline, layer).apply_all()
    return outline


def _has_title(clause: CoreClause) -> bool:
    return clause.source.lstrip().startswith("#")


# The table: one row per operation ----------------------------------------------------------------------------------

DiffChange = Literal["added", "removed", "reworded", "moved"]


@dataclass(frozen=True)
class OperationEntry:
    """Everything the toolkit says and does for one clause operation. Adding an operation takes a schema class (in
    `load/schema.py`), an `Applier` method and a row here; the notes, the differ and drift read the words from it."""

    schema: type[ClauseOperation]
    apply: Callable[[Applier, int, Any], None]
    note: str  # the tailoring notes' word for it: "Reworded"
    explains: DiffChange  # the difference between two policies that it accounts for in a diff
    yours: str  # `check` on a profile's own change: "you replaced this clause"


OPERATION_TABLE: dict[str, OperationEntry] = {
    entry.schema.action: entry
    for entry in (
        OperationEntry(ReplaceClause, Applier.replace, "Reworded", "reworded", "replaced"),
        OperationEntry(RemoveClause, Applier.remove, "Removed", "removed", "removed"),
        OperationEntry(AddClause, Applier.add, "Added", "added", "added"),
        OperationEntry(AddSection, Applier.add_section, "Added", "added", "added"),
        OperationEntry(MoveClause, Applier.move, "Moved", "moved", "moved"),
        OperationEntry(IncludeClause, Applier.include, "Included", "added", "included"),
        OperationEntry(ExcludeClause, Applier.remove, "Left out", "removed", "left out"),
    )
}
