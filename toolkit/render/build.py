"""Building documents: resolve a profile once, render each format from the same model, publish them together.

Many profiles are built by worker processes (`jobs`), each rendering only the outputs whose cache key changed
(`toolkit.render.cache`); the parent alone publishes, in the order the profiles were given, so the files written
and the lines printed do not depend on the number of workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import render
from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import base_language
from toolkit.load.finding import profile_name
from toolkit.load.profiles import load_chain
from toolkit.model import Policy
from toolkit.output import prepare_folder, publish
from toolkit.render import cache
from toolkit.resolve.core import Core
from toolkit.resolve.languages import allows_untranslated
from toolkit.resolve.policy import default_profiles_dir, resolve_languages

# What the fork server imports once for every worker: resolving and the cache check. The renderers (WeasyPrint
# above all) are imported by a worker only when it has something to render, so a build with nothing to do stays
# quick; a fresh worker pays that import again, once per MAX_TASKS_PER_WORKER profiles.
PRELOAD = ["toolkit.render.build", "toolkit.render.cache"]


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
    """One profile's new outputs (None: unchanged) with their keys, rendered in a worker, published by the parent."""

    profile: str
    outputs: dict[Path, tuple[str, bytes | None]]
    record: cache.Record
    seconds: float


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
) -> Rendered:
    """Resolve one profile in each of its languages and render the formats whose cache key changed (all of them
    with `force`). A profile in one language gives `NAME.html`; one in several gives `NAME.cy.html`,
    `NAME.en.html`, ... Stale or missing translations stop the build unless allowed (by the option or the
    profile's `allow_untranslated`)."""
    started = time.perf_counter()
    policies = resolve_languages(path, profiles_dir, core)
    chain = load_chain(Path(path), Path(profiles_dir) if profiles_dir else default_profiles_dir(Path(path)))
    if not (allow_untranslated or allows_untranslated(chain)):
        refuse_untranslated(policies, Path(path))
    options = options or render.RenderOptions()
    profile = policies[0].profile
    record = cache.read_record(out_dir, profile)
    outputs: dict[Path, tuple[str, bytes | None]] = {}
    for policy in policies:
        for name in formats:
            target = out_dir / output_name(policy, len(policies) > 1, render.renderer(name).SUFFIX)
            key = cache.output_key(policy, name, options)
            fresh = force or not record.unchanged(target, key)
            outputs[target] = (key, render.render(policy, name, options) if fresh else None)
    return Rendered(profile, outputs, record, time.perf_counter() - started)


def output_name(policy: Policy, several_languages: bool, suffix: str) -> str:
    language = f".{base_language(policy.language)}" if several_languages else ""
    return f"{policy.profile}{language}{suffix}"


def refuse_untranslated(policies: list[Policy], path: Path) -> None:
    """A translated document is published only when every unit has a current translation."""
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
    """Write the new outputs and the profile's cache record together: all of them or none."""
    files = {target: data for target, (_, data) in rendered.outputs.items() if data is not None}
    if files:
        prepare_folder(out_dir)
        prepare_folder(out_dir / cache.CACHE_FOLDER)
        record = cache.record_bytes(rendered.outputs, rendered.record)
        publish({**files, cache.record_path(out_dir, rendered.profile): record}, out_dir)
    unchanged = [target for target, (_, data) in rendered.outputs.items() if data is None]
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
    rendered = render_profile(path, formats, out_dir, profiles_dir, options, core, force, allow_untranslated)
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
    """Build each profile; one broken profile does not stop the others, and its old outputs stay as they were."""
    from toolkit.parallel import ordered_map

    paths = unique_outputs(paths)
    options = options or render.RenderOptions()
    results: list[BuildResult] = []
    failures: list[BuildFailure] = []
    tasks = [_Task(Path(path), formats, out_dir, profiles_dir, options, force, allow_untranslated) for path in paths]
    for task, future in ordered_map(_render_task, tasks, jobs, PRELOAD, _set_worker_core, (core,)):
        outcome: BuildResult | BuildFailure
        try:
            outcome = publish_rendered(future.result(), out_dir)
            results.append(outcome)
        except ToolkitError as error:
            outcome = BuildFailure(task.path, error)
            failures.append(outcome)
        if on_done:
            on_done(task.path, outcome)
    return results, failures


@dataclass(frozen=True)
class _Task:
    path: Path
    formats: list[str]
    out_dir: Path
    profiles_dir: Path | None
    options: render.RenderOptions
    force: bool
    allow_untranslated: bool = False


_worker_core: list[Core | None] = [None]


def _set_worker_core(core: Core | None) -> None:
    _worker_core[0] = core


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
    )
