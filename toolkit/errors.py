"""One error type for everything a user can fix, so one place turns it into a message and an exit code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as the input allows."""

    message: str
    file: Path | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    field: str | None = None  # dotted path, e.g. "clauses[2].reason"
    hint: str | None = None

    def render(self, base: Path | None = None) -> str:
        where = _where(self.file, self.line, self.column, base)
        what = f"{self.field}: {self.message}" if self.field else self.message
        text = f"{where}: {what}" if where else what
        return f"{text} ({self.hint})" if self.hint else text


def _where(file: Path | None, line: int | None, column: int | None, base: Path | None) -> str:
    if file is None:
        return ""
    shown = _relative(file, base)
    if line is None:
        return shown
    return f"{shown}:{line}" + (f":{column}" if column is not None else "")


def _relative(file: Path, base: Path | None) -> str:
    base = base or Path.cwd()
    try:
        return str(file.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(file)


def _reading_order(problem: Problem) -> tuple[str, int, int]:
    """File by file, top to bottom, as a person fixes them."""
    return (str(problem.file or ""), problem.line or 0, problem.column or 0)


class ToolkitError(Exception):
    """A mistake in the user's input: bad profile, template, argument. Exit code 2."""

    exit_code = 2

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        listed = [problems] if isinstance(problems, Problem) else list(problems)
        self.problems = sorted(listed, key=_reading_order)  # stable: equal places keep their order
        super().__init__("\n".join(p.render() for p in self.problems))

    def __reduce__(self) -> tuple[type[ToolkitError], tuple[list[Problem]]]:
        """Pickled with its problems, so an error raised in a build worker reaches the parent intact."""
        return (type(self), (self.problems,))


class CoreTemplateError(ToolkitError):
    """A mistake in the core guidance templates: a maintainer's error, reported the same way."""


class OutputError(ToolkitError):
    """The output folder cannot be written (read-only, full, locked, or a file in the way). Exit code 1."""

    exit_code = 1


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A suggestion for a near-miss, or None; kept here so every message suggests the same way."""
    import difflib

    options = sorted(set(choices))
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not matches:  # `press_office` for `press`: one name inside the other
        matches = [option for option in options if len(option) > 2 and (option in word or word in option)][:1]
    return f"did you mean `{matches[0]}`?" if matches else None
