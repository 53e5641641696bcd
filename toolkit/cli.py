"""The `policy-toolkit` command: typer glue over the library, nothing more.

Heavy modules are imported inside commands so that `--help` stays quick. Every user mistake arrives here as a
ToolkitError and leaves as one message per problem and exit code 2, with a traceback only under `--debug`.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from toolkit.errors import Problem, ToolkitError

app = typer.Typer(
    name="policy-toolkit",
    help="Tailor the core social media guidance to an organisation, as HTML, Word and PDF.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PROFILES_DIR = Path("profiles")
OUT_DIR = Path("output")

ProfilesOption = Annotated[Path, typer.Option("--profiles", help="The folder of profiles (to find parents).")]
_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        from toolkit.core import load_core

        typer.echo(f"policy-toolkit {version('policy-toolkit')} (core guidance {load_core().version})")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    core: Annotated[
        Path | None,
        typer.Option("--core", envvar="POLICY_TOOLKIT_CORE", help="Use another copy of the core guidance folder."),
    ] = None,
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    _state["debug"] = debug
    if core is not None:
        os.environ["POLICY_TOOLKIT_CORE"] = str(core)


@app.command()
def build(
    profiles: Annotated[list[Path] | None, typer.Argument(help="Profile files to build.", show_default=False)] = None,
    all_profiles: Annotated[bool, typer.Option("--all", help="Build every profile in the profiles folder.")] = False,
    formats: Annotated[str, typer.Option("--format", "-f", help="Comma-separated: html, docx, pdf.")] = "html,docx,pdf",
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the documents.")] = OUT_DIR,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Build the tailored guidance for one or more profiles (or --all) into the output folder."""
    from toolkit import build as builder
    from toolkit.terminal import progress_reporter

    chosen = builder.check_formats(formats.split(","))
    paths = _chosen_profiles(profiles, all_profiles, profiles_dir)
    with progress_reporter(len(paths)) as report:
        results, failures = builder.build_many(paths, chosen, out, profiles_dir, on_done=report)
    for failure in failures:
        _print_error(failure.error)
        if _state["debug"]:
            traceback.print_exception(failure.error)
    if failures:
        typer.echo(
            f"{len(results)} built, {len(failures)} failed; the failed profiles' old outputs are unchanged.", err=True
        )
        raise typer.Exit(max(failure.error.exit_code for failure in failures))


def _chosen_profiles(profiles: list[Path] | None, all_profiles: bool, profiles_dir: Path) -> list[Path]:
    from toolkit.profiles import find_profiles

    if all_profiles and profiles:
        raise ToolkitError(Problem("give profile files or --all, not both", field="--all"))
    if all_profiles:
        return list(find_profiles(profiles_dir).values())
    if not profiles:
        raise ToolkitError(
            Problem(
                "name a profile file to build, or use --all",
                field="PROFILES",
                hint="e.g. policy-toolkit build profiles/riverside-borough-council.yaml",
            )
        )
    return profiles


@app.command("list")
def list_profiles(
    clauses: Annotated[bool, typer.Option("--clauses", help="List the core guidance's clause IDs instead.")] = False,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """List the profiles and what each extends (or, with --clauses, the core clauses)."""
    from toolkit import listing

    typer.echo(listing.clause_table() if clauses else listing.profile_table(profiles_dir))


@app.command()
def validate(
    profiles: Annotated[
        list[Path] | None, typer.Argument(help="Profile files (default: all).", show_default=False)
    ] = None,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Check profiles (and their Word templates) without building anything."""
    from toolkit.validate import validate_profiles

    paths = profiles or _chosen_profiles(None, True, profiles_dir)
    failures = 0
    for path, error in validate_profiles(paths, profiles_dir):
        if error is None:
            typer.echo(f"ok    {path}")
        else:
            failures += 1
            _print_error(error)
    if failures:
        typer.echo(f"{failures} of {len(paths)} profiles need fixing.", err=True)
        raise typer.Exit(2)


@app.command()
def show(
    profile: Annotated[Path, typer.Argument(help="The profile file.")],
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Print the resolved document model as JSON: what every renderer and the differ read."""
    from toolkit.resolve import resolve_profile

    typer.echo(resolve_profile(profile, profiles_dir).model_dump_json(indent=2))


@app.command()
def diff(
    profile: Annotated[Path | None, typer.Argument(help="The profile to compare.", show_default=False)] = None,
    against: Annotated[
        Path | None, typer.Option("--against", help="Compare with this profile instead of the core guidance.")
    ] = None,
    all_profiles: Annotated[
        bool, typer.Option("--all", help="One overview of every profile against the core (a clause matrix).")
    ] = False,
    report: Annotated[str, typer.Option("--format", "-f", help="terminal, html, json or docx.")] = "terminal",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (html and docx default to output/diffs/).")
    ] = None,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when there are differences (for CI).")] = False,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Show how a profile's guidance departs from the core guidance (or from another profile), clause by clause."""
    from toolkit import commands

    if all_profiles:
        commands.matrix(profiles_dir, report, out)
        return
    if profile is None:
        raise ToolkitError(Problem("name a profile to compare, or use --all", field="PROFILE"))
    differs = commands.diff(profile, against, report, out, profiles_dir)
    if exit_code and differs:
        raise typer.Exit(1)


@app.command()
def review(
    profiles: Annotated[list[Path] | None, typer.Argument(help="Profile files.", show_default=False)] = None,
    all_profiles: Annotated[bool, typer.Option("--all", help="Review every profile.")] = False,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Record that a profile has been reviewed against the current core (writes NAME.lock.yaml beside it)."""
    from toolkit.drift import review as record

    for path in _chosen_profiles(profiles, all_profiles, profiles_dir):
        typer.echo(f"reviewed  {path} -> {record(path, profiles_dir)}")


@app.command()
def check(
    profiles: Annotated[
        list[Path] | None, typer.Argument(help="Profile files (default: all).", show_default=False)
    ] = None,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """List what changed in the core (or a parent profile) since each profile's review; exit 1 if any needs review."""
    from toolkit import commands

    paths = profiles or _chosen_profiles(None, True, profiles_dir)
    if commands.check(paths, profiles_dir):
        raise typer.Exit(1)


def _print_error(error: ToolkitError) -> None:
    for problem in error.problems:
        typer.echo(f"error: {problem.render()}", err=True)


def main() -> None:
    """Entry point: one place where errors become messages and exit codes (typer handles usage errors)."""
    previous_core = os.environ.get("POLICY_TOOLKIT_CORE")
    try:
        app()
    except ToolkitError as error:
        _print_error(error)
        _traceback_if_debugging()
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        typer.echo("Interrupted; outputs already there are unchanged.", err=True)
        sys.exit(130)
    except Exception as error:
        typer.echo(f"error: {type(error).__name__}: {error} (run with --debug for the traceback)", err=True)
        _traceback_if_debugging()
        sys.exit(1)
    finally:
        _restore_environment("POLICY_TOOLKIT_CORE", previous_core)


def _restore_environment(name: str, value: str | None) -> None:
    """`--core` is for this run only, also when the entry point is called in-process (tests, other programs)."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _traceback_if_debugging() -> None:
    if _state["debug"] or "--debug" in sys.argv:
        traceback.print_exc()
