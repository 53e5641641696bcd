"""One overview of many policies against the core: a table of clauses by organisation.

Each cell says what that organisation's profile chain did to the clause (inherited, replaced, removed, added...)
and whether the organisation itself did it or inherited the change from a profile it extends.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from toolkit.model import CORE, Clause, Policy, plain_text
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
    added_by: str | None = None  # a clause a profile added and a later one reworded: the one that added it


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


@dataclass(frozen=True)
class Column:
    """What the overview needs of one policy: small enough to send back from a worker process, so that the
    parent never holds hundreds of whole policies."""

    profile: str
    name: str
    chain: tuple[str, ...]
    core_order: tuple[str, ...]
    clauses: tuple[tuple[str, str, str, Cell], ...]  # clause ID, section ID, title, cell; in document order
    translations: str = ""


def column_as_json(column: Column) -> dict[str, object]:
    """A column as JSON, to be remembered between runs (written out by hand: `dataclasses.asdict` copies every
    tuple deeply, which costs more than working the column out)."""
    return {
        "profile": column.profile,
        "name": column.name,
        "chain": list(column.chain),
        "core_order": list(column.core_order),
        "clauses": [
            [
                clause_id,
                section,
                title,
                {"word": cell.word, "by": cell.by, "own": cell.own, "reason": cell.reason, "added_by": cell.added_by},
            ]
            for clause_id, section, title, cell in column.clauses
        ],
        "translations": column.translations,
    }


def column_from_json(data: object) -> Column | None:
    """A remembered column, or None when the data is not one."""
    try:
        clauses = tuple(
            (str(clause_id), str(section), str(title), Cell(**cell))
            for clause_id, section, title, cell in data["clauses"]  # type: ignore[index]
        )
        found = Column(
            str(data["profile"]),  # type: ignore[index]
            str(data["name"]),  # type: ignore[index]
            tuple(map(str, data["chain"])),  # type: ignore[index]
            tuple(map(str, data["core_order"])),  # type: ignore[index]
            clauses,
            str(data["translations"]),  # type: ignore[index]
        )
    except (KeyError, TypeError, ValueError):
        return None
    return found if all(cell.word in CELL_CODES for *_, cell in found.clauses) else None


def column(policy: Policy, translations: str = "") -> Column:
    clauses = tuple(
        (clause.id, section.id, _title(clause), _cell(clause, policy))
        for section in policy.sections
        for clause in section.clauses
    )
    return Column(
        policy.profile, policy.organisation.name, tuple(policy.chain), tuple(policy.core.order), clauses, translations
    )


def build_matrix(policies: list[Policy], titles: dict[str, str] | None = None) -> Matrix:
    """Rows in document order: every core clause in the core's order, each added clause after the one it follows.

    `titles` names core clauses in the core's own words (`resolve.core.clause_titles`); otherwise a clause is
    named as the first organisation that has it words it."""
    return matrix_of([column(policy) for policy in policies], titles)


def matrix_of(columns: list[Column], titles: dict[str, str] | None = None) -> Matrix:
    order = list(dict.fromkeys(clause_id for column in columns for clause_id in column.core_order))
    known = set(order)
    placed: dict[str, tuple[str, str]] = {}
    for column in columns:
        previous: str | None = None
        for clause_id, section_id, title, _ in column.clauses:
            if clause_id not in known:
                order.insert(order.index(previous) + 1 if previous else 0, clause_id)
                known.add(clause_id)
            placed.setdefault(clause_id, (section_id, (titles or {}).get(clause_id) or title))
            previous = clause_id
    lookup = [{clause_id: cell for clause_id, _, _, cell in column.clauses} for column in columns]
    rows = tuple(
        Row(clause_id, *placed[clause_id], tuple(found.get(clause_id, Cell("")) for found in lookup))
        for clause_id in order
        if clause_id in placed
    )
    translations = tuple(column.translations for column in columns)
    return Matrix(
        tuple(column.profile for column in columns),
        tuple(column.name for column in columns),
        rows,
        translations if any(translations) else (),
    )


def _title(clause: Clause) -> str:
    return plain_text(clause.title) if clause.title else ""


def _cell(clause: Clause, policy: Policy) -> Cell:
    provenance = clause.provenance
    word = CELL_WORDS[provenance.status]
    added_by = provenance.origin if word == "reworded" and provenance.origin != CORE else None
    return Cell(word, provenance.changed_by, provenance.changed_by == policy.profile, provenance.reason, added_by)


# Reports ---------------------------------------------------------------------------------------------------------


TABLE_COLUMNS = 14  # organisations a bordered table shows across 200 characters
GRID_COLUMNS = 50  # organisations per block of the compact grid
LEGEND = (
    "· inherited unchanged   R reworded   A added   X removed   I included (optional)   M moved   "
    "blank: does not apply. Lower case: changed by a profile it extends."
)


def terminal_report(matrix: Matrix, *, colour: bool = False) -> str:
    """Organisations as numbered columns (named in a key below), so clause IDs print in full.

    A few organisations get a bordered table; more get a compact grid, one character an organisation in blocks of
    fifty, listing only the clauses some organisation in the block changed (a table of hundreds of columns
    cannot be read in a terminal, and the HTML overview shows everything)."""
    body = _bordered(matrix, colour) if len(matrix.profiles) <= TABLE_COLUMNS else _grid(matrix)
    translations = matrix.translations or ("",) * len(matrix.profiles)
    key = [
        f"{number:>3}  {profile} ({name})" + (f"; translations: {state}" if state else "")
        for number, (profile, name, state) in enumerate(
            zip(matrix.profiles, matrix.names, translations, strict=True), start=1
        )
    ]
    return body + "\n".join([*key, LEGEND]) + "\n"


def _bordered(matrix: Matrix, colour: bool) -> str:
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
    return console.file.getvalue()  # type: ignore[attr-defined]


def _grid(matrix: Matrix) -> str:
    width = max([len("Organisation"), *(len(row.clause_id) for row in matrix.rows)])
    lines = ["Clauses by organisation, against the core guidance (only the clauses some organisation changed)"]
    for first in range(0, len(matrix.profiles), GRID_COLUMNS):
        numbers = range(first, min(first + GRID_COLUMNS, len(matrix.profiles)))
        header = _grid_header(numbers)
        lines += [
            "",
            *(f"{'Organisation' if at == len(header) - 1 else '':<{width}}  {row}" for at, row in enumerate(header)),
        ]
        shown = 0
        for row in matrix.rows:
            cells = [row.cells[number] for number in numbers]
            if any(cell.word not in ("inherited", "") for cell in cells):
                lines.append(f"{row.clause_id:<{width}}  {_grid_cells([_code(cell) for cell in cells])}")
                shown += 1
        others = len(matrix.rows) - shown
        lines.append(f"({others} other clauses: inherited unchanged, or not applying, for all of these)")
    return "\n".join(lines) + "\n\n"


def _grid_header(numbers: range) -> list[str]:
    """Each column's organisation number written downwards, one digit a line (`1` over `2` is 12)."""
    labels = [str(number + 1) for number in numbers]
    digits = max(map(len, labels))
    return [_grid_cells([label.rjust(digits)[place] for label in labels]) for place in range(digits)]


def _grid_cells(codes: list[str]) -> str:
    return " ".join("".join(codes[start : start + 10]) for start in range(0, len(codes), 10))


def _code(cell: Cell) -> str:
    code = CELL_CODES[cell.word]
    return code if cell.own or cell.word in ("inherited", "") else code.lower()


def html_report(matrix: Matrix) -> str:
    template = html_environment().get_template("matrix.html.j2")
    totals = {word: matrix.count(word) for word in ("reworded", "added", "removed", "included", "moved")}
    changed = [row for row in matrix.rows if row.changed]
    inherited = [row for row in matrix.rows if not row.changed]
    return template.render(matrix=matrix, totals=totals, changed=changed, inherited=inherited)
