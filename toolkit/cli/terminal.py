"""Progress on the terminal: a bar when a person is watching, one line per profile when output is a log."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:  # the build's types; diff --all and check use the progress bar without importing the build
    from toolkit.render.build import BuildFailure, BuildResult


Reporter = Callable[[Path, "BuildResult | BuildFailure"], None]


@contextmanager
def progress_reporter(total: int) -> Iterator[Reporter]:
    console = Console(stderr=True)
    if not console.is_terminal or total < 2:
        yield _plain_line
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("Building", total=total)

        def advance(path: Path, outcome: BuildResult | BuildFailure) -> None:
            progress.console.print(_line(path, outcome), highlight=False, markup=False)
            progress.advance(task)

        yield advance


@contextmanager
def quiet_progress(total: int, description: str) -> Iterator[Callable[[], None]]:
    """A bar that disappears when done, shown only to a person at a terminal (logs get nothing)."""
    console = Console(stderr=True)
    if not console.is_terminal or total < 2:
        yield lambda: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)


def _plain_line(path: Path, outcome: BuildResult | BuildFailure) -> None:
    from toolkit.render.build import BuildFailure

    print(_line(path, outcome), file=sys.stderr if isinstance(outcome, BuildFailure) else sys.stdout)


def _line(path: Path, outcome: BuildResult | BuildFailure) -> str:
    from toolkit.render.build import BuildFailure

    if isinstance(outcome, BuildFailure):
        return f"failed {path}"
    warnings = "".join(f"\n  warning: {warning}" for warning in outcome.warnings)
    if not outcome.files:
        return f"up to date {outcome.profile}{warnings}"
    names = ", ".join(file.name for file in outcome.files)
    kept = f"; {len(outcome.unchanged)} up to date" if outcome.unchanged else ""
    return f"built  {outcome.profile}: {names}{kept} ({outcome.seconds:.1f} s){warnings}"
