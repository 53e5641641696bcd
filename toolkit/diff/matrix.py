"""One overview of many policies against the core: a table of clauses by organisation.

Each cell says what that organisation's profile chain did to the clause (inherited, replaced, removed, added...)
and whether the organisation itself did it or inherited the change from a profile it extends.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from toolkit.model import Clause, Policy, plain_text
from toolkit.render.templates import html_environment

CELL_WORDS = {
    "unchanged": "inherited",
    "replaced": "reworded",
    "added": "added",
    "removed": "removed",
    "excluded": "removed",
    "included": "included",
    "moved": "moved",
}
CELL_CODES = {"inherited": "·", "reworded": "R", "added": "A", "removed": "X", "included": "I", "moved": "M", "": " "}


@dataclass(frozen=True)
class Cell:
    word: str  # "" when the clause does not apply to that organisation
    by: str | None = None  # the profile that decided it
    own: bool = False  # the organisation's own profile made the change
    reason: str | None = None


@dataclass(frozen=True)
class Row:
    clause_id: str
    section: str
    title: str
    cells: tuple[Cell, ...]

    @property
    def changed(self) -> bool:
        """Some organisation's profiles did something to this clause."""
        return any(cell.word not in ("inherited", "") for cell in self.cells)


@dataclass(frozen=True)
class Matrix:
    profiles: tuple[str, ...]
    names: tuple[str, ...]
    rows: tuple[Row, ...]
    translations: tuple[str, ...] = ()  # each organisation's translation state: "cy: 105 of 165 translated, ..."

    def count(self, word: str) -> list[int]:
        return [sum(1 for row in self.rows if row.cells[i].word == word) for i in range(len(self.profiles))]


def build_matrix(policies: list[Policy]) -> Matrix:
    """Rows in document order: every core clause in the core's order, each added clause after the one it follows."""
    order = list(dict.fromkeys(clause_id for policy in policies for clause_id in policy.core.order))
    placed: dict[str, tuple[str, str]] = {}
    for policy in policies:
        previous: str | None = None
        for section in policy.sections:
            for clause in section.clauses:
                if clause.id not in order:
                    order.insert(order.index(previous) + 1 if previous else 0, clause.id)
                placed.setdefault(clause.id, (section.id, _title(clause)))
                previous = clause.id
    lookup = [{c.id: c for s in policy.sections for c in s.clauses} for policy in policies]
    rows = tuple(
        Row(
            clause_id,
            *placed[clause_id],
            tuple(_cell(found.get(clause_id), policy) for found, policy in zip(lookup, policies, strict=True)),
        )
        for clause_id in order
        if clause_id in placed
    )
    return Matrix(tuple(p.profile for p in policies), tuple(p.organisation.name for p in policies), rows)


def _title(clause: Clause) -> str:
    return plain_text(clause.title) if clause.title else ""


def _cell(clause: Clause | None, policy: Policy) -> Cell:
    if clause is None:
        return Cell("")
    provenance = clause.provenance
    return Cell(
        CELL_WORDS[provenance.status], provenance.changed_by, provenance.changed_by == policy.profile, provenance.reason
    )


# Reports ---------------------------------------------------------------------------------------------------------


def terminal_report(matrix: Matrix, *, colour: bool = False) -> str:
    """Organisations as numbered columns (named in a key below), so clause IDs print in full."""
    table = Table(title="Clauses by organisation, against the core guidance", title_justify="left")
    table.add_column("Clause", no_wrap=True)
    for number in range(1, len(matrix.profiles) + 1):
        table.add_column(str(number), justify="center", no_wrap=True)
    for row in matrix.rows:
        table.add_row(row.clause_id, *(_code(cell) for cell in row.cells))
    console = Console(
        file=io.StringIO(),
        force_terminal=colour,
        color_system="standard" if colour else None,
        width=200,
        highlight=False,
    )
    console.print(table)
    translations = matrix.translations or ("",) * len(matrix.profiles)
    for number, (profile, name, state) in enumerate(
        zip(matrix.profiles, matrix.names, translations, strict=True), start=1
    ):
        console.print(
            f"{number:>3}  {profile} ({name})" + (f"; translations: {state}" if state else ""), soft_wrap=True
        )
    console.print(
        "· inherited unchanged   R reworded   A added   X removed   I included (optional)   M moved   "
        "blank: does not apply. Lower case: changed by a profile it extends.",
        soft_wrap=True,
    )
    return console.file.getvalue()  # type: ignore[attr-defined]


def _code(cell: Cell) -> str:
    code = CELL_CODES[cell.word]
    return code if cell.own or cell.word in ("inherited", "") else code.lower()


def html_report(matrix: Matrix) -> str:
    template = html_environment().get_template("matrix.html.j2")
    totals = {word: matrix.count(word) for word in ("reworded", "added", "removed", "included", "moved")}
    changed = [row for row in matrix.rows if row.changed]
    inherited = [row for row in matrix.rows if not row.changed]
    return template.render(matrix=matrix, totals=totals, changed=changed, inherited=inherited)
