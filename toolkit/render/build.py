"""Building documents: resolve a profile once, render each format from the same model, publish them together."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit import render
from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import base_language
from toolkit.load.profiles import load_chain
from toolkit.model import Policy
from toolkit.output import publish
from toolkit.resolve.core import Core
from toolkit.resolve.languages import allows_untranslated
from toolkit.resolve.policy import default_profiles_dir, resolve_languages


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


def build_profile(
    path: Path,
    formats: list[str],
    out_dir: Path,
    profiles_dir: Path | None = None,
    options: render.RenderOptions | None = None,
    core: Core | None = None,
    allow_untranslated: bool = False,
) -> BuildResult:
    """Every requested format of one profile, in each of its languages, written only if all of them rendered.

    A profile in one language gives `NAME.html`; one in several gives `NAME.cy.html`, `NAME.en.html`, ... Stale or
    missing translations stop the build unless allowed (by the option or the profile's `allow_untranslated`)."""
    started = time.perf_counter()
    policies = resolve_languages(path, profiles_dir, core)
    chain = load_chain(Path(path), Path(profiles_dir) if profiles_dir else default_profiles_dir(Path(path)))
    if not (allow_untranslated or allows_untranslated(chain)):
        refuse_untranslated(policies, Path(path))
    options = options or render.RenderOptions()
    files = {
        out_dir / output_name(policy, len(policies) > 1, render.renderer(name).SUFFIX): render.render(
            policy, name, options
        )
        for policy in policies
        for name in formats
    }
    publish(files, out_dir)
    return BuildResult(policies[0].profile, list(files), time.perf_counter() - started)


def output_name(policy: Policy, several_languages: bool, suffix: str) -> str:
    language = f".{base_language(policy.language)}" if several_languages else ""
    return f"{policy.profile}{language}{suffix}"


def refuse_untranslated(policies: list[Policy], path: Path) -> None:
    """A translated document is published only when every unit has a current translation."""
    problems = []
    for policy in policies:
        if policy.missing_translations:
            units = policy.missing_translations
            stale = sorted(unit for unit, status in units.items() if status == "stale")
            missing = sorted(unit for unit, status in units.items() if status == "missing")
            parts = [f"{len(stale)} stale ({', '.join(stale[:3])}{', …' if len(stale) > 3 else ''})" if stale else ""]
            parts.append(
                f"{len(missing)} missing ({', '.join(missing[:3])}{', …' if len(missing) > 3 else ''})"
                if missing
                else ""
            )
            problems.append(
                Problem(
                    f"the {base_language(policy.language)} translation is not complete: "
                    + "; ".join(part for part in parts if part),
                    file=path,
                    field="languages",
                    hint="`policy-toolkit check` lists them; translate them (`translations export`), or build a draft "
                    "with --allow-untranslated, which marks each clause still in English",
                )
            )
    if problems:
        raise ToolkitError(problems)


def build_many(
    paths: list[Path],
    formats: list[str],
    out_dir: Path,
    profiles_dir: Path | None = None,
    on_done: Callable[[Path, BuildResult | BuildFailure], None] | None = None,
    core: Core | None = None,
    allow_untranslated: bool = False,
) -> tuple[list[BuildResult], list[BuildFailure]]:
    """Build each profile; one broken profile does not stop the others, and its old outputs stay as they were."""
    options = render.RenderOptions()
    results, failures = [], []
    for path in paths:
        outcome: BuildResult | BuildFailure
        try:
            outcome = build_profile(path, formats, out_dir, profiles_dir, options, core, allow_untranslated)
            results.append(outcome)
        except ToolkitError as error:
            outcome = BuildFailure(path, error)
            failures.append(outcome)
        if on_done:
            on_done(path, outcome)
    return results, failures
