"""Building documents: resolve a profile once, render each format from the same model, publish them together."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit import render
from toolkit.errors import Problem, ToolkitError
from toolkit.load.profiles import profile_name
from toolkit.output import publish
from toolkit.resolve.core import Core
from toolkit.resolve.policy import resolve_profile


@dataclass(frozen=True)
class BuildResult:
    profile: str
    files: list[Path]
    seconds: float


@dataclass(frozen=True)
class BuildFailure:
    profile: Path
    error: ToolkitError


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


def build_profile(
    path: Path,
    formats: list[str],
    out_dir: Path,
    profiles_dir: Path | None = None,
    options: render.RenderOptions | None = None,
    core: Core | None = None,
) -> BuildResult:
    """Every requested format of one profile, written only if all of them rendered."""
    started = time.perf_counter()
    policy = resolve_profile(path, profiles_dir, core)
    options = options or render.RenderOptions()
    files = {
        out_dir / f"{policy.profile}{render.renderer(name).SUFFIX}": render.render(policy, name, options)
        for name in formats
    }
    publish(files, out_dir)
    return BuildResult(policy.profile, list(files), time.perf_counter() - started)


def build_many(
    paths: list[Path],
    formats: list[str],
    out_dir: Path,
    profiles_dir: Path | None = None,
    on_done: Callable[[Path, BuildResult | BuildFailure], None] | None = None,
    core: Core | None = None,
) -> tuple[list[BuildResult], list[BuildFailure]]:
    """Build each profile; one broken profile does not stop the others, and its old outputs stay as they were."""
    paths = unique_outputs(paths)
    options = render.RenderOptions()
    results, failures = [], []
    for path in paths:
        outcome: BuildResult | BuildFailure
        try:
            outcome = build_profile(path, formats, out_dir, profiles_dir, options, core)
            results.append(outcome)
        except ToolkitError as error:
            outcome = BuildFailure(path, error)
            failures.append(outcome)
        if on_done:
            on_done(path, outcome)
    return results, failures
