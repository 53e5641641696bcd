"""The work behind `diff` and `check`: choosing inputs and where reports go, so the CLI stays a few lines each."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from toolkit.errors import Problem, ToolkitError
from toolkit.inputs import Inputs, look_once_in_this_worker, merged_inputs, profile_inputs
from toolkit.load.finding import all_profiles, profile_path
from toolkit.output import publish
from toolkit.remembered import Remembered

if TYPE_CHECKING:
    from toolkit.diff.matrix import Column
    from toolkit.resolve.core import Core

DIFFS_DIR = Path("output") / "diffs"
# What the workers of `diff --all` and `check` import: once, in the fork server they start from.
OVERVIEW_MODULES = [
    "toolkit.cli.commands",
    "toolkit.resolve.policy",
    "toolkit.diff.matrix",
    "toolkit.translations.workflow",
]
CHECK_MODULES = [
    "toolkit.cli.commands",
    "toolkit.checks.drift",
    "toolkit.translations.workflow",
    "toolkit.diff.formats.terminal",
]


def wants_colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


@dataclass(frozen=True)
class DiffOutcome:
    """What the CLI's exit code depends on."""

    differences: bool
    text_differences: bool


def diff(
    profile: Path,
    against: Path | None,
    report: str,
    out: Path | None,
    profiles_dir: Path,
    core_dir: Path | None = None,
    language: str | None = None,
) -> DiffOutcome:
    """Write or print one comparison (of one language's documents).

    A report printed to the terminal or as JSON is remembered with what it was made from (`toolkit.remembered`),
    so asking again while nothing changed prints it without resolving either side."""
    other = (
        profile_path(against, profiles_dir, beside=profile.parent, option="--against") if against is not None else None
    )
    subject = (profile, other) if other is not None else (profile,)
    remembered = _remembered_diffs(report, out, profiles_dir, core_dir, language)
    recalled = remembered.recall(*subject) if remembered else None
    if isinstance(recalled, dict) and isinstance(recalled.get("content"), str):
        _deliver(recalled["content"], out, report, Path())
        return DiffOutcome(bool(recalled.get("differences")), bool(recalled.get("text_differences")))
    from toolkit.diff import compare, compare_with_core, reporter
    from toolkit.resolve.core import load_core
    from toolkit.resolve.policy import resolve_with_chain

    _check_report(report)
    core = load_core(core_dir) if core_dir is not None else None
    new, chain = resolve_with_chain(profile, profiles_dir, core, language)
    inputs = [profile_inputs([layer.path for layer in chain], sorted(new.branding.assets, key=str), profiles_dir)]
    if other is not None:
        old, old_chain = resolve_with_chain(other, profiles_dir, core, language)
        inputs.append(profile_inputs([layer.path for layer in old_chain], [], profiles_dir))
        result = compare(old, new)
    else:
        result = compare_with_core(new)
    module = reporter(report)
    if report == "terminal":
        content = module.report(result, colour=wants_colour())
    else:
        content = module.report(result, branding=new.branding)  # the reviewed guidance's font, colour and logo
    outcome = DiffOutcome(result.has_differences, result.has_text_differences)
    if remembered is not None and isinstance(content, str):
        record = {
            "content": content,
            **{"differences": outcome.differences, "text_differences": outcome.text_differences},
        }
        remembered.remember(subject, merged_inputs(inputs), record)
    _deliver(content, out, report, DIFFS_DIR / f"{new.profile}-vs-{result.old.profile}{module.SUFFIX}")
    return outcome


def _remembered_diffs(
    report: str, out: Path | None, profiles_dir: Path, core_dir: Path | None, language: str | None
) -> Remembered | None:
    """Reports printed to standard output are remembered; files are written afresh each time."""
    if report not in ("terminal", "json") or (out is not None and str(out) != "-"):
        return None
    colour = report == "terminal" and wants_colour()
    return Remembered("diffs", core_dir, (str(profiles_dir.resolve()), report, str(colour), language or ""))


def _check_report(report: str) -> None:
    from toolkit.diff import report_formats

    if report not in report_formats():
        raise ToolkitError(
            Problem(f"unknown report format `{report}`; choose from " + ", ".join(report_formats()), field="--format")
        )


def _deliver(content: str | bytes, out: Path | None, report: str, default: Path) -> None:
    """Terminal and JSON reports go to standard output unless --out says otherwise; documents go to files."""
    if (out is None and report in ("terminal", "json")) or str(out) == "-":
        _to_standard_output(content)
        return
    target = out or default
    publish({target: content.encode() if isinstance(content, str) else content}, target.parent)
    typer.echo(f"wrote {target}")


def _to_standard_output(content: str | bytes) -> None:
    """`-o -`: text as text; a Word report's bytes as they are, for a pipe."""
    if isinstance(content, str):
        typer.echo(content, nl=False)
        return
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        raise ToolkitError(Problem("standard output cannot take a binary report here", field="--out"))
    stream.write(content)
    stream.flush()


def matrix(
    profiles_dir: Path, report: str, out: Path | None, core_dir: Path | None = None, jobs: int | None = None
) -> None:
    """The overview of every profile. Each organisation's column is remembered with what it was made from, so
    only the profiles that changed since the last overview are resolved again (in worker processes).

    A profile with mistakes is left out of the overview, not the end of it: the others are shown, then what is
    wrong with it (and the command exits 2), as `build --all` and `check` carry on past a broken profile."""
    from toolkit.cli.terminal import quiet_progress
    from toolkit.diff.matrix import column_as_json, column_from_json, html_report, matrix_of, terminal_report
    from toolkit.parallel import ordered_map

    if report not in ("terminal", "html"):
        raise ToolkitError(Problem("the overview (--all) is available as terminal or html", field="--format"))
    paths = list(all_profiles(profiles_dir).values())
    remembered = Remembered("overview", core_dir, (str(profiles_dir.resolve()),))
    columns = {path: column_from_json(remembered.recall(path)) for path in paths}
    missing = [path for path, found in columns.items() if found is None]
    task = partial(overview_column, profiles_dir=profiles_dir, core_dir=core_dir)
    problems: list[Problem] = []
    left_out = 0
    with quiet_progress(len(missing), "Reading profiles") as advance:
        work = ordered_map(
            task, missing, jobs, OVERVIEW_MODULES, initializer=look_once_in_this_worker, tasks_per_worker=None
        )
        for path, future in work:
            advance()
            error = future.exception()
            if isinstance(error, ToolkitError):
                problems += [problem for problem in error.problems if problem not in problems]
                left_out += 1
                continue
            found, inputs = future.result()
            remembered.remember((path,), inputs, column_as_json(found))
            columns[path] = found
    from toolkit.resolve.core import clause_titles, load_core

    ordered = sorted((found for found in columns.values() if found is not None), key=lambda column: column.chain)
    table = matrix_of(ordered, clause_titles(load_core(core_dir)))  # each organisation after what it extends
    if report == "terminal":
        _deliver(terminal_report(table, colour=wants_colour()), out, report, Path())
    else:
        _deliver(html_report(table), out, report, DIFFS_DIR / "matrix.html")
    if left_out:
        summary = Problem(f"{left_out} profile{'s' * (left_out != 1)} left out of the overview; fix the above")
        raise ToolkitError([*problems, summary])


def overview_column(path: Path, profiles_dir: Path, core_dir: Path | None = None) -> tuple[Column, Inputs]:
    """One organisation's column of the overview and what it was made from, worked out where the profile is
    resolved (a worker process): the column, not the whole policy, travels back."""
    from toolkit.diff.matrix import column
    from toolkit.resolve.core import load_core
    from toolkit.resolve.policy import resolve_with_chain
    from toolkit.translations.workflow import translation_summary

    core = load_core(core_dir) if core_dir is not None else None
    policy, chain = resolve_with_chain(path, profiles_dir, core, core_text=False)  # provenance, not wording
    inputs = profile_inputs([layer.path for layer in chain], [], profiles_dir)
    return column(policy, translation_summary(path, profiles_dir, core)), inputs


def check(
    paths: list[Path],
    profiles_dir: Path,
    core_dir: Path | None = None,
    jobs: int | None = None,
    redlines: bool = False,
    today: date | None = None,
) -> bool:
    """Print each profile's drift, overdue review and translation state, in the order given (with `redlines`, the
    core's change to each clause); true when any profile needs review.

    Each profile's part of the report is remembered with what it was made from (its profile files, its lock file,
    its translations), so only the profiles that changed since the last check are worked out again."""
    from toolkit.parallel import ordered_map

    colour = wants_colour()
    day = today or date.today()
    folder = str(profiles_dir.resolve())
    remembered = Remembered("checks", core_dir, (folder, str(redlines), str(colour)), day=day.isoformat())
    reports = {path: _checked(remembered.recall(path)) for path in paths}
    missing = [path for path, found in reports.items() if found is None]
    task = partial(
        profile_check, profiles_dir=profiles_dir, core_dir=core_dir, redlines=redlines, today=day, colour=colour
    )
    work = ordered_map(task, missing, jobs, CHECK_MODULES, initializer=look_once_in_this_worker, tasks_per_worker=None)
    needs_review = False
    with contextlib.closing(work) as worked_out:  # the worker pool is shut down here, not when collected at exit
        for path in paths:
            if reports[path] is None:
                done, future = next(worked_out)
                text, review, inputs = future.result()
                remembered.remember((done,), inputs, {"text": text, "needs_review": review})
                reports[path] = (text, review)
            text, review = reports[path]  # type: ignore[misc]
            typer.echo(text, nl=False)
            needs_review |= review
    return needs_review


def _checked(recalled: object) -> tuple[str, bool] | None:
    if isinstance(recalled, dict) and isinstance(recalled.get("text"), str):
        return recalled["text"], bool(recalled.get("needs_review"))
    return None


def profile_check(
    path: Path, profiles_dir: Path, core_dir: Path | None, redlines: bool, today: date, colour: bool
) -> tuple[str, bool, Inputs]:
    """One profile's part of `check`'s report (drift, then each translation's state), whether it needs review,
    and what it was made from; worked out in a worker process."""
    from toolkit.checks.drift import check as drift_check
    from toolkit.checks.drift import lock_path
    from toolkit.diff.formats.terminal import redline_text
    from toolkit.load.profiles import load_chain
    from toolkit.resolve.core import load_core

    core = load_core(core_dir) if core_dir is not None else None
    report = drift_check(path, profiles_dir, core, redlines=redlines, today=today)
    lines = [f"{'REVIEW' if report.needs_review else 'ok':<7}{report.profile}\n"]
    for finding in report.findings:
        lines.append(f"  {finding.kind:<11}{finding.message}\n")
        if finding.redline:
            lines.append("    The core's text at your review, and now:\n")
            lines.append(redline_text(finding.redline, colour=colour))
    translations, stale = translation_states(path, profiles_dir, core)
    chain = [layer.path for layer in load_chain(path, profiles_dir)]
    inputs = profile_inputs([*chain, lock_path(path)], [], profiles_dir)
    return "".join(lines) + translations, report.needs_review or stale, inputs


def translation_states(path: Path, profiles_dir: Path, core: Core | None = None) -> tuple[str, bool]:
    """Each translation language's state, with each stale unit's English change as a redline; and true when a
    translation is stale, or missing from a profile that does not allow untranslated clauses (its build would fail)."""
    from toolkit.load.profiles import load_chain
    from toolkit.resolve.languages import allows_untranslated
    from toolkit.translations.workflow import redline, translation_languages, translation_report

    needs_review = False
    lines = []
    for language in translation_languages(path, profiles_dir):
        report = translation_report(path, language, profiles_dir, core, core_text=False)
        stale, missing = report.count("stale"), report.count("missing")
        draft = allows_untranslated(load_chain(path, profiles_dir))
        review = stale > 0 or (missing > 0 and not draft)
        needs_review |= review
        counts = f"{report.count('translated')} of {len(report.units)} translated, {stale} stale, {missing} missing"
        state = "REVIEW" if review else "draft" if missing else "ok"
        lines.append(f"{state:<7}{report.profile} ({language}): {counts}")
        for unit in report.units:
            if unit.status == "stale" and unit.translation is not None:
                lines.append(f"  stale      {unit.unit}: the English changed since it was translated:")
                lines.append("    " + redline(unit.translation.english, unit.english).replace("\n", "\n    "))
    return "".join(f"{line}\n" for line in lines), needs_review
