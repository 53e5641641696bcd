"""Building documents: resolve a profile once, render each format from the same model, publish them together.

Before anything is resolved, the parent skips every profile whose recorded inputs are unchanged
(`toolkit.render.cache`, first level). The rest are built by worker processes (`jobs`), the costliest first so the
workers finish together, each rendering only the outputs whose model-level key changed; the parent alone publishes
each profile's files as they arrive, and reports the profiles in the order they were given, so the files written
and the lines printed do not depend on the number of workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit import render
from toolkit.errors import Problem, ToolkitError
from toolkit.inputs import looked_at_once, translation_files
from toolkit.load.finding import profile_name
from toolkit.output import prepare_folder, publish
from toolkit.paths import CORE_DIR
from toolkit.render import cache

if TYPE_CHECKING:
    from toolkit.model import Policy
    from toolkit.resolve.core import Core

# What the fork server imports once, before it starts the workers: resolving, the cache and (see `_preload`) the
# renderers a build uses, so that a worker started afresh every TASKS_PER_WORKER profiles pays no import, and
# workers share those modules' memory. The parent imports none of it to find what is up to date, and starts no
# workers when nothing is to be built, so a build with nothing to do starts quickly.
PRELOAD = ["toolkit.render.build", "toolkit.render.cache", "toolkit.resolve.policy"]
# How many profiles a worker builds before it is replaced, so that its memory stays under 250 MiB with a 110-page
# handbook (`benchmarks/run.py`, "Memory of one worker"). WeasyPrint keeps about 4 MiB of every such handbook it
# lays out, starting from about 230 MiB; Typst compiles in a child process that takes its memory with it
# (`toolkit.render.typst_pdf`), and the worker itself, its cache of parsed clause texts kept small, grows about
# 1.4 MiB a handbook in three formats from about 215 MiB (244 MiB was measured after 20, 256 after 30). Each
# replacement costs a new worker about 0.1 s of setting up, so fewer is quicker: 600 organisations replace
# workers 30 times at 20 a worker, 75 times at 8.
WEASYPRINT_TASKS_PER_WORKER = 4
TASKS_PER_WORKER = 20
WORKER_PARSED_CACHE_SIZE = 2_000
ENGINE_MODULES = {
    "html": ["fontTools.subset", "fontTools.ttLib"],
    "docx": ["docx", "docxtpl"],
    "weasyprint": ["weasyprint", "weasyprint.pdf", "pydyf"],
    "typst": ["typst", "toolkit.render.typst_pdf"],
}


@dataclass(frozen=True)
class BuildResult:
    profile: str
    files: list[Path]
    seconds: float
    unchanged: list[Path] = field(default_factory=list)  # up to date already, so not rendered again
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BuildFailure:
    profile: Path
    error: ToolkitError


@dataclass(frozen=True)
class Rendered:
    """One profile's new outputs (None: unchanged) with their record entries, rendered in a worker, published by
    the parent: bytes and small dictionaries only, so little is pickled back."""

    profile: str
    outputs: dict[Path, tuple[dict[str, str], bytes] | None]
    record: cache.Record
    seconds: float
    inputs: dict | None = None  # the files the outputs were made from, for the record's first level


def check_formats(names: Iterable[str]) -> list[str]:
    known = render.formats()
    chosen = [name.strip().lower() for name in names if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise ToolkitError(
            Problem(
                f"unknown format `{', '.join(unknown) or '(none)'}`; choose from " + ", ".join(known), field="--format"
            )
        )
    return sorted(set(chosen), key=chosen.index)


def unique_outputs(paths: list[Path]) -> list[Path]:
    """The profiles once each; two different files with one name would write the same output files: refused."""
    chosen: dict[str, Path] = {}
    for path in paths:
        name = profile_name(path)
        if name in chosen and chosen[name].resolve() != path.resolve():
            raise ToolkitError(
                Problem(
                    f"two profiles called `{name}` in one build ({chosen[name]} and {path}) would write the same files",
                    file=path,
                    hint="build them one at a time, each into its own output folder with --out",
                )
            )
        chosen.setdefault(name, path)
    return list(chosen.values())


def check_pdf_engine(name: str) -> str:
    chosen = name.strip().lower()
    if chosen not in render.PDF_ENGINES:
        raise ToolkitError(
            Problem(f"unknown PDF engine `{name}`; choose from " + ", ".join(render.PDF_ENGINES), field="--pdf-engine")
        )
    return chosen


def shard(paths: list[Path], index: int, count: int) -> list[Path]:
    """Part `index` (1-based) of `count`: every count-th profile by name, so parts are even and deterministic."""
    if count < 1 or not 1 <= index <= count:
        raise ToolkitError(
            Problem(f"a shard is `i/n` with 1 ≤ i ≤ n, such as 1/4; got {index}/{count}", field="--shard")
        )
    ordered = sorted(paths, key=lambda path: (path.stem, str(path)))
    return ordered[index - 1 :: count]


def render_profile(
    path: Path,
    formats: list[str],
    out_dir: Path,
    profiles_dir: Path | None = None,
    options: render.RenderOptions | None = None,
    core: Core | None = None,
    force: bool = False,
    allow_untranslated: bool = False,
    build_key: str | None = None,
) -> Rendered:
    """Resolve one profile in each of its languages and render the formats whose cache key changed (all of them
    with `force`). A profile in one language gives `NAME.html`; one in several gives `NAME.cy.html`,
    `NAME.en.html`, ... Stale or missing translations stop the build unless allowed (by the option or the
    profile's `allow_untranslated`). With `build_key` (see `cache.build_key`), the files read are recorded."""
    from toolkit.load.profiles import load_chain
    from toolkit.resolve.languages import allows_untranslated
    from toolkit.resolve.policy import resolve_languages

    started = time.perf_counter()
    path = Path(path)
    folder = _profiles_folder(path, profiles_dir)
    chain = load_chain(path, folder)
    inputs = None
    if build_key is not None:  # hashed before resolving reads them: a file edited meanwhile differs next time
        inputs = cache.inputs_of(build_key, path, folder, [layer.path for layer in chain])
    policies = resolve_languages(path, profiles_dir, core)
    if not (allow_untranslated or allows_untranslated(chain)):
        refuse_untranslated(policies, path)
    if inputs is not None:
        inputs = cache.with_assets(inputs, sorted({file for policy in policies for file in cache.policy_files(policy)}))
    options = options or render.RenderOptions()
    profile = policies[0].profile
    record = cache.read_record(out_dir, profile)
    outputs: dict[Path, tuple[dict[str, str], bytes] | None] = {}
    for policy in policies:
        model_json = policy.model_dump_json()  # the largest part of each format's key: made once
        for name in formats:
            target = out_dir / output_name(policy, len(policies) > 1, render.renderer(name).SUFFIX)
            key = cache.output_key(policy, name, options, model_json)
            if force or not record.unchanged(target, key):
                data = render.render(policy, name, options)
                outputs[target] = (cache.output_entry(data, key), data)
            else:
                outputs[target] = None
    return Rendered(profile, outputs, record, time.perf_counter() - started, inputs)


def output_name(policy: Policy, several_languages: bool, suffix: str) -> str:
    from toolkit.i18n import base_language

    language = f".{base_language(policy.language)}" if several_languages else ""
    return f"{policy.profile}{language}{suffix}"


def refuse_untranslated(policies: list[Policy], path: Path) -> None:
    """A translated document is published only when every unit has a current translation."""
    from toolkit.i18n import base_language

    problems = []
    for policy in policies:
        units = policy.missing_translations
        if not units:
            continue
        parts = []
        for status in ("stale", "missing"):
            found = sorted(unit for unit, state in units.items() if state == status)
            if found:
                parts.append(f"{len(found)} {status} ({', '.join(found[:3])}{', …' if len(found) > 3 else ''})")
        problems.append(
            Problem(
                f"the {base_language(policy.language)} translation is not complete: " + "; ".join(parts),
                file=path,
                field="languages",
                hint="`policy-toolkit check` lists them; translate them (`translations export`), or build a draft "
                "with --allow-untranslated, which marks each clause still in English",
            )
        )
    if problems:
        raise ToolkitError(problems)


def publish_rendered(rendered: Rendered, out_dir: Path) -> BuildResult:
    """Write the new outputs and the profile's cache record together: all of them or none. The record alone is
    written when only its list of inputs changed (a profile edited in a way no output shows)."""
    files = {target: made[1] for target, made in rendered.outputs.items() if made is not None}
    if files or (rendered.inputs is not None and rendered.inputs != rendered.record.inputs):
        prepare_folder(out_dir)
        prepare_folder(out_dir / cache.CACHE_FOLDER)
        entries = {target: made and made[0] for target, made in rendered.outputs.items()}
        record = cache.record_bytes(entries, rendered.record, rendered.inputs)
        publish({**files, cache.record_path(out_dir, rendered.profile): record}, out_dir)
    unchanged = [target for target, made in rendered.outputs.items() if made is None]
    warnings = [rendered.record.warning] if rendered.record.warning else []
    return BuildResult(rendered.profile, list(files), rendered.seconds, unchanged, warnings)


def build_profile(
    path: Path,
    formats: list[str],
    out_dir: Path,
    profiles_dir: Path | None = None,
    options: render.RenderOptions | None = None,
    core: Core | None = None,
    force: bool = False,
    allow_untranslated: bool = False,
) -> BuildResult:
    """Every requested format of one profile, in each of its languages, written only if all of them rendered."""
    options = options or render.RenderOptions()
    key = cache.build_key(formats, options, allow_untranslated, _core_dir(core))
    skipped = None if force else _skip_if_up_to_date(Path(path), out_dir, profiles_dir, key)
    if skipped is not None:
        return skipped
    rendered = render_profile(path, formats, out_dir, profiles_dir, options, core, force, allow_untranslated, key)
    return publish_rendered(rendered, out_dir)


def build_many(
    paths: list[Path],
    formats: list[str],
    out_dir: Path,
    profiles_dir: Path | None = None,
    on_done: Callable[[Path, BuildResult | BuildFailure], None] | None = None,
    core: Core | None = None,
    jobs: int | None = None,
    force: bool = False,
    options: render.RenderOptions | None = None,
    allow_untranslated: bool = False,
) -> tuple[list[BuildResult], list[BuildFailure]]:
    """Build each profile; one broken profile does not stop the others, and its old outputs stay as they were.

    Profiles whose recorded inputs are unchanged are skipped here, unresolved; each of the others is published as
    soon as it is rendered, and all are reported (`on_done`) and returned in the order given."""
    from toolkit.parallel import completed_map

    paths = [Path(path) for path in unique_outputs(paths)]
    options = options or render.RenderOptions()
    key = cache.build_key(formats, options, allow_untranslated, _core_dir(core))
    outcomes: dict[int, BuildResult | BuildFailure] = {}
    stale: list[tuple[int, _Task]] = []
    with looked_at_once():  # a sector profile, a shared logo, the profiles folder: hashed once for every profile
        for index, path in enumerate(paths):
            skipped = None if force else _skip_if_up_to_date(path, out_dir, profiles_dir, key)
            if skipped is not None:
                outcomes[index] = skipped
            else:
                task = _Task(path, formats, out_dir, profiles_dir, options, force, allow_untranslated, key)
                stale.append((index, task))
    reported = 0

    def report_in_order() -> None:
        nonlocal reported
        while reported in outcomes:
            if on_done:
                on_done(paths[reported], outcomes[reported])
            reported += 1

    report_in_order()
    tasks = [task for _, task in stale]
    preload = _preload(formats, options)
    weasyprint = "pdf" in formats and options.pdf_engine == "weasyprint"
    per_worker = WEASYPRINT_TASKS_PER_WORKER if weasyprint else TASKS_PER_WORKER
    for number, future in completed_map(
        _render_task, tasks, jobs, preload, start_build_worker, (core,), _cost, per_worker
    ):
        index = stale[number][0]
        try:
            outcomes[index] = publish_rendered(future.result(), out_dir)
        except ToolkitError as error:
            outcomes[index] = BuildFailure(paths[index], error)
        report_in_order()
    ordered = [outcomes[index] for index in range(len(paths))]
    return (
        [outcome for outcome in ordered if isinstance(outcome, BuildResult)],
        [outcome for outcome in ordered if isinstance(outcome, BuildFailure)],
    )


def _preload(formats: list[str], options: render.RenderOptions) -> list[str]:
    """The modules the workers of this build will need: resolving, and the renderers of its formats and engine."""
    modules = [*PRELOAD, *(f"{render.formats_package.__name__}.{name}" for name in formats)]
    for name in formats:
        modules += ENGINE_MODULES.get(options.pdf_engine if name == "pdf" else name, [])
    return modules


def _profiles_folder(path: Path, profiles_dir: Path | None) -> Path:
    if profiles_dir:
        return Path(profiles_dir)
    from toolkit.resolve.policy import default_profiles_dir

    return default_profiles_dir(path)


def _core_dir(core: Core | None) -> Path | None:
    """The core guidance's folder, or None for the bundled one (part of the toolkit's own files)."""
    if core is None or Path(core.directory).resolve() == CORE_DIR.resolve():
        return None
    return Path(core.directory)


def _skip_if_up_to_date(path: Path, out_dir: Path, profiles_dir: Path | None, key: str) -> BuildResult | None:
    """The result of a profile whose recorded inputs are all unchanged (nothing resolved, nothing written), or None
    when it must go to a worker: changed, never built, or its record unusable (the worker then says why)."""
    record = cache.read_record(out_dir, profile_name(path))
    if not cache.up_to_date(record, path, out_dir, _profiles_folder(path, profiles_dir), key):
        return None
    return BuildResult(profile_name(path), [], 0.0, [out_dir / name for name in sorted(record.outputs)])


def _cost(task: _Task) -> float:
    """What a profile costs to build, roughly: its languages (a translation file beside it adds one) by formats."""
    return (1 + len(translation_files(task.path))) * len(task.formats)


@dataclass(frozen=True)
class _Task:
    path: Path
    formats: list[str]
    out_dir: Path
    profiles_dir: Path | None
    options: render.RenderOptions
    force: bool
    allow_untranslated: bool = False
    build_key: str | None = None


_worker_core: list[Core | None] = [None]


def start_build_worker(core: Core | None) -> None:
    """A build worker's start: the core it renders against, and a smaller cache of parsed clause texts. Across a
    build's organisations a clause's words differ with each one's names, so few parses are met again; kept to the
    default's size, the cache was most of the 4 MiB a worker grew by each handbook."""
    from toolkit.resolve import markdown

    _worker_core[0] = core
    markdown.PARSED_CACHE_SIZE = WORKER_PARSED_CACHE_SIZE


def _render_task(task: _Task) -> Rendered:
    return render_profile(
        task.path,
        task.formats,
        task.out_dir,
        task.profiles_dir,
        task.options,
        _worker_core[0],
        task.force,
        task.allow_untranslated,
        task.build_key,
    )
