"""The `policy-toolkit` command: typer glue over the library, nothing more.

Heavy modules are imported inside commands so that `--help` stays quick. Every user mistake arrives here as a
ToolkitError and leaves as one message per problem and exit code 2, with a traceback only under `--debug`.
"""

import contextlib
import os
import shlex
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from toolkit.errors import Problem, ToolkitError


class Interrupted(Exception):
    """Ctrl-C inside a command. typer would turn KeyboardInterrupt into a silent exit 130; `main` says what happened."""


# Commands that read each file once and finish: inside them, each file and folder is hashed once however many
# remembered results name it (`toolkit.inputs.looked_at_once`). Not `serve`, which watches files change for hours.
LOOK_ONCE = frozenset({"build", "list", "validate", "diff", "check"})


def _command_name(ctx: Any) -> str | None:
    """The command about to run: the first of the arguments the group has not read."""
    pending = [*getattr(ctx, "_protected_args", []), *ctx.args]
    return pending[0] if pending else None


class _Commands(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        from toolkit.inputs import looked_at_once

        try:
            with looked_at_once() if _command_name(ctx) in LOOK_ONCE else contextlib.nullcontext():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted from None


app = typer.Typer(
    cls=_Commands,
    name="policy-toolkit",
    help="Tailor the core social media guidance to an organisation, as HTML, Word and PDF.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PROFILES_DIR = Path("profiles")
OUT_DIR = Path("output")

SomeProfiles = Annotated[
    list[Path] | None,
    typer.Argument(help="Profile files (default: all).", show_default=False, metavar="[PROFILE.yaml...]"),
]
ProfilesOption = Annotated[
    Path, typer.Option("--profiles", help="The folder of profiles (to find parents).", metavar="FOLDER")
]
_state: dict[str, Any] = {"debug": False, "core": None}
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today", help="Judge review dates as if today were this date (YYYY-MM-DD), e.g. in tests.", metavar="DATE"
    ),
]


def _today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ToolkitError(Problem(f"`{value}` is not a date; write it as 2026-12-01", field="--today")) from None


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        from toolkit.resolve.core import load_core

        typer.echo(f"policy-toolkit {version('policy-toolkit')} (core guidance {load_core().version})")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    core: Annotated[
        Path | None,
        typer.Option(
            "--core",
            envvar="POLICY_TOOLKIT_CORE",
            help="Use another copy of the core guidance folder.",
            metavar="FOLDER",
        ),
    ] = None,
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    _state["debug"] = debug
    _state["core"] = core


LanguageOption = Annotated[
    str | None, typer.Option("--lang", help="Which of the profile's languages (e.g. cy).", metavar="LANG")
]
JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="Worker processes (default: one per core).", metavar="N", min=1),
]


@app.command(short_help="Build HTML, Word and PDF guidance for profiles.")
def build(
    profiles: Annotated[
        list[Path] | None, typer.Argument(help="Profile files to build.", show_default=False, metavar="PROFILE.yaml...")
    ] = None,
    all_profiles: Annotated[bool, typer.Option("--all", help="Build every profile in the profiles folder.")] = False,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: html, docx, pdf.", metavar="FORMATS")
    ] = "html,docx,pdf",
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the documents.", metavar="FOLDER")] = OUT_DIR,
    profiles_dir: ProfilesOption = PROFILES_DIR,
    jobs: JobsOption = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild every output, even those up to date.")] = False,
    shard: Annotated[
        str | None,
        typer.Option("--shard", help="Build only part i of n of the profiles (a CI matrix), e.g. 2/4.", metavar="I/N"),
    ] = None,
    pdf_engine: Annotated[
        str, typer.Option("--pdf-engine", help="weasyprint (default) or typst (faster).", metavar="ENGINE")
    ] = "weasyprint",
    allow_untranslated: Annotated[
        bool,
        typer.Option(
            "--allow-untranslated", help="Build even with stale or missing translations, marking each such clause."
        ),
    ] = False,
) -> None:
    """Build the tailored guidance for one or more profiles (or --all) into the output folder, in each language
    the profile publishes in.

    Outputs already up to date are kept as they are; --force rebuilds them.
    """
    from toolkit.cli.terminal import progress_reporter
    from toolkit.render import build as builder

    chosen = builder.check_formats(formats.split(","))
    options = builder.render.RenderOptions(pdf_engine=builder.check_pdf_engine(pdf_engine))
    paths = _chosen_profiles(profiles, all_profiles, profiles_dir)
    if shard is not None:
        paths = builder.shard(paths, *_shard(shard))
    with progress_reporter(len(paths)) as report:
        results, failures = builder.build_many(
            paths,
            chosen,
            out,
            profiles_dir,
            on_done=report,
            core=_core(),
            jobs=jobs,
            force=force,
            options=options,
            allow_untranslated=allow_untranslated,
        )
    for failure in failures:
        _print_error(failure.error)
        if _state["debug"]:
            traceback.print_exception(failure.error)
    if failures:
        counts = _build_counts(results, len(failures))
        typer.echo(f"{counts}; the failed profiles' old outputs are unchanged.", err=True)
        raise typer.Exit(max(failure.error.exit_code for failure in failures))


def _build_counts(results: list[Any], failed: int) -> str:
    """`3 built, 12 up to date, 1 failed`: a profile whose outputs were all up to date was not built."""
    built = sum(1 for result in results if result.files)
    parts = [f"{built} built", f"{len(results) - built} up to date" if len(results) > built else "", f"{failed} failed"]
    return ", ".join(part for part in parts if part)


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.strip().isdigit() and count.strip().isdigit()):
        raise ToolkitError(Problem(f"`{text}` is not a shard; write i/n, such as 1/4", field="--shard"))
    return int(index), int(count)


def _chosen_profiles(profiles: list[Path] | None, all_profiles: bool, profiles_dir: Path) -> list[Path]:
    from toolkit.load import finding as found

    if all_profiles and profiles:
        raise ToolkitError(Problem("give profile files or --all, not both", field="--all"))
    if all_profiles:
        return list(found.all_profiles(profiles_dir).values())
    if not profiles:
        raise ToolkitError(
            Problem(
                "name a profile file to build, or use --all",
                field="PROFILES",
                hint="e.g. policy-toolkit build profiles/riverside-borough-council.yaml",
            )
        )
    return profiles


@app.command("list", short_help="List the profiles, or the core clauses.")
def list_profiles(
    clauses: Annotated[bool, typer.Option("--clauses", help="List the core guidance's clause IDs instead.")] = False,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """List the profiles and what each extends (or, with --clauses, the core clauses)."""
    from toolkit.cli import listing

    typer.echo(listing.clause_table(_core()) if clauses else listing.remembered_profile_table(profiles_dir))


@app.command(short_help="Check profiles without building; show warnings.")
def validate(
    profiles: SomeProfiles = None,
    profiles_dir: ProfilesOption = PROFILES_DIR,
    today: TodayOption = None,
) -> None:
    """Check profiles (and their Word templates) without building anything."""
    from toolkit.checks.verdicts import Verdicts

    paths = profiles or _chosen_profiles(None, True, profiles_dir)
    verdicts = Verdicts(profiles_dir, _state["core"], _today(today) or date.today())
    failures = 0
    for path in paths:
        outcome = verdicts.recall(path)
        if outcome is None:
            from toolkit.checks.validate import validate_remembering

            outcome = validate_remembering(path, verdicts, _core())
        if isinstance(outcome, ToolkitError):
            failures += 1
            _print_error(outcome)
            continue
        typer.echo(f"ok    {path}" + (f" ({len(outcome)} warning{'s' * (len(outcome) != 1)})" if outcome else ""))
        for warning in outcome:
            typer.echo(f"  warning: {warning}")
    if failures:
        typer.echo(f"{failures} of {len(paths)} profiles need fixing.", err=True)
        raise typer.Exit(2)


@app.command(short_help="Print one clause as a profile has it (or all, as JSON).")
def show(
    profile: Annotated[Path, typer.Argument(help="The profile file.", metavar="PROFILE.yaml")],
    clause: Annotated[
        str | None,
        typer.Option("--clause", help="Print this clause's wording as the profile has it.", metavar="CLAUSE-ID"),
    ] = None,
    profiles_dir: ProfilesOption = PROFILES_DIR,
    lang: LanguageOption = None,
) -> None:
    """Print one clause as the profile has it, or the whole resolved document as JSON (for programs)."""
    from toolkit.resolve.policy import resolve_profile

    policy = resolve_profile(profile, profiles_dir, _core(), lang)
    if clause:
        from toolkit.cli.listing import clause_text

        typer.echo(clause_text(policy, clause), nl=False)
    else:
        typer.echo(policy.model_dump_json(indent=2))


@app.command(short_help="Compare a profile with the core or another profile.")
def diff(
    profile: Annotated[
        Path | None, typer.Argument(help="The profile to compare.", show_default=False, metavar="PROFILE.yaml")
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="Compare with this profile (a file, or a name such as nhs-trust) instead of the core.",
            metavar="PROFILE.yaml",
        ),
    ] = None,
    all_profiles: Annotated[
        bool, typer.Option("--all", help="One overview of every profile against the core (a clause matrix).")
    ] = False,
    report: Annotated[
        str, typer.Option("--format", "-f", help="terminal, html, json or docx.", metavar="REPORT")
    ] = "terminal",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File to write (html and docx default to output/diffs/; - for standard output).",
            metavar="FILE",
        ),
    ] = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when there is any difference (for CI).")
    ] = False,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 only for this kind of difference: `text` (a clause's wording; not names, terms or "
            "contacts) or `any`.",
            metavar="KIND",
        ),
    ] = None,
    profiles_dir: ProfilesOption = PROFILES_DIR,
    jobs: JobsOption = None,
    lang: LanguageOption = None,
) -> None:
    """Show how a profile's guidance departs from the core guidance (or from another profile), clause by clause."""
    from toolkit.cli import commands

    if fail_on not in (None, "text", "any"):
        raise ToolkitError(Problem(f"unknown kind `{fail_on}`; choose text or any", field="--fail-on"))
    if all_profiles:
        commands.matrix(profiles_dir, report, out, _state["core"], jobs)
        return
    if profile is None:
        raise ToolkitError(Problem("name a profile to compare, or use --all", field="PROFILE"))
    result = commands.diff(profile, against, report, out, profiles_dir, _state["core"], lang)
    failing = result.text_differences if fail_on == "text" else result.differences
    if (exit_code or fail_on) and failing:
        raise typer.Exit(1)


@app.command(short_help="Record that a profile was reviewed (writes a lock file).")
def review(
    profiles: Annotated[
        list[Path] | None, typer.Argument(help="Profile files.", show_default=False, metavar="PROFILE.yaml...")
    ] = None,
    all_profiles: Annotated[bool, typer.Option("--all", help="Review every profile.")] = False,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Record that a profile has been reviewed against the current core (writes NAME.lock.yaml beside it)."""
    from toolkit.checks.drift import review as record

    for path in _chosen_profiles(profiles, all_profiles, profiles_dir):
        typer.echo(f"reviewed  {path} -> {record(path, profiles_dir, _core())}")


@app.command(short_help="List core changes since each profile's review.")
def check(
    profiles: SomeProfiles = None,
    show_diff: Annotated[
        bool, typer.Option("--diff", help="Show each core change since the review, word by word.")
    ] = False,
    profiles_dir: ProfilesOption = PROFILES_DIR,
    today: TodayOption = None,
    jobs: JobsOption = None,
) -> None:
    """List what changed in the core (or a parent profile) since each profile's review, and review dates that have
    passed; exit 1 if any needs review."""
    from toolkit.cli import commands

    paths = profiles or _chosen_profiles(None, True, profiles_dir)
    if commands.check(paths, profiles_dir, _state["core"], jobs, redlines=show_diff, today=_today(today)):
        raise typer.Exit(1)


translations_app = typer.Typer(
    help="Translate a profile's guidance: export strings for translators, import their work.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(translations_app, name="translations", short_help="Export and import translations (PO files).")


@translations_app.command("export", short_help="Write a PO file of everything to translate.")
def translations_export(
    profile: Annotated[Path, typer.Argument(help="The profile file.", metavar="PROFILE.yaml")],
    lang: Annotated[str, typer.Option("--lang", help="The language to translate into, e.g. cy.", metavar="LANG")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write (default output/translations/NAME.LANG.po).", metavar="FILE"),
    ] = None,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Write every string the profile's guidance needs in LANG (clauses, headings, terms, labels) as a gettext PO
    file, one unit per clause keyed by its ID, with current translations filled in and stale ones marked fuzzy."""
    from toolkit.output import publish
    from toolkit.translations.workflow import export_po

    data = export_po(profile, lang, profiles_dir, _core())
    target = out or OUT_DIR / "translations" / f"{profile.stem}.{lang}.po"
    publish({target: data}, target.parent)
    typer.echo(f"wrote {target}")


@translations_app.command("import", short_help="Check a translated PO file and store it with the profile.")
def translations_import(
    profile: Annotated[Path, typer.Argument(help="The profile file.", metavar="PROFILE.yaml")],
    source: Annotated[Path, typer.Argument(help="The translated PO file.", metavar="FILE.po")],
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Check FILE.po (its language, unit IDs, placeholders) and store it as translations/NAME.LANG.po beside the
    profile. Nothing is stored when anything is wrong."""
    from toolkit.translations.workflow import import_po

    target, count = import_po(profile, source, profiles_dir, _core())
    typer.echo(f"imported {count} translations into {target}")


@app.command(short_help="Start a new profile, commented, that builds at once.")
def new(
    name: Annotated[str, typer.Argument(help="The organisation's full name.", metavar="NAME")],
    extends: Annotated[
        str, typer.Option("--extends", help="The profile it builds on, e.g. local-council.", metavar="PROFILE")
    ],
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Write profiles/NAME.yaml: the name and what it extends, and every other field explained in a comment."""
    from toolkit.hub.new import new_profile

    profile, *others = new_profile(name, extends, profiles_dir)
    typer.echo(f"wrote  {profile}")
    for other in others:
        typer.echo(f"wrote  {other} (the profile fields, for editors that complete and check YAML)")
    typer.echo(f"next:  {shlex.quote(os.environ.get('POLICY_TOOLKIT_RUN_AS') or 'policy-toolkit')} validate {profile}")


@app.command(short_help="Write the profiles' JSON Schema (for editors).")
def schema(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write (default: profile.schema.json in the profiles folder).", metavar="FILE"
        ),
    ] = None,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Write a JSON Schema of profile files, so an editor completes and checks fields as `validate` does."""
    from toolkit.hub.new import SCHEMA_FILE, schema_text
    from toolkit.output import publish

    target = out or profiles_dir / SCHEMA_FILE
    publish({target: schema_text().encode("utf-8")}, target.parent)
    typer.echo(f"wrote  {target}")


@app.command(short_help="Open the guidance hub: browse, compare and edit in a browser.")
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Listen here; anything but 127.0.0.1 needs the printed token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="The port to listen on.")] = 8014,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Serve every organisation's version, clause comparisons, diffs and the matrix; reload as files change."""
    from toolkit.hub.app import serve as run

    run(profiles_dir, _state["core"], host, port, open_browser=not no_browser)


@app.command(short_help="Export the guidance hub as a static site.")
def site(
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write.", metavar="FOLDER")] = Path("site"),
    edit_url: Annotated[
        str | None,
        typer.Option(
            "--edit-url",
            help='Where "propose a change" goes; {path} is the profile\'s path in the repository, '
            "e.g. https://git.example/guidance/edit/main/{path}.",
            metavar="URL",
        ),
    ] = None,
    base_url: Annotated[str, typer.Option("--base-url", help="The site's path on its host.", metavar="PATH")] = "/",
    profiles_dir: ProfilesOption = PROFILES_DIR,
) -> None:
    """Write every hub page as static files, with offline search, for any static host (no server needed)."""
    from toolkit.hub.site import export

    pages = export(profiles_dir, _state["core"], out, edit_url=edit_url, base=base_url)
    typer.echo(f"wrote  {pages} pages to {out}")


def _core() -> Any:
    """The core guidance this run uses: `--core` (or $POLICY_TOOLKIT_CORE) when given, otherwise the bundled one.

    The one place the environment is read; every library function takes the core as an argument. The bundled
    core is None here (each function loads it when it needs it), so a run with nothing to do imports no resolver.
    """
    if _state["core"] is None:
        return None
    from toolkit.resolve.core import load_core

    return load_core(_state["core"])


def _print_error(error: ToolkitError) -> None:
    for problem in error.problems:
        typer.echo(f"error: {problem.render()}", err=True)


def main() -> None:
    """Entry point: one place where errors become messages and exit codes (typer handles usage errors)."""
    _state.update(debug=False, core=None)
    try:
        app()
    except ToolkitError as error:
        _print_error(error)
        _traceback_if_debugging()
        sys.exit(error.exit_code)
    except (KeyboardInterrupt, Interrupted):
        typer.echo("Interrupted; outputs unchanged.", err=True)
        sys.exit(130)
    except Exception as error:
        typer.echo(f"error: {type(error).__name__}: {error} (run with --debug for the traceback)", err=True)
        _traceback_if_debugging()
        sys.exit(1)


def _traceback_if_debugging() -> None:
    if _state["debug"] or "--debug" in sys.argv:
        traceback.print_exc()
