"""Checking profiles without building: everything a build would refuse, found before anyone waits for a PDF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from toolkit.checks.lint import warnings
from toolkit.errors import Problem, ToolkitError
from toolkit.resolve.core import Core
from toolkit.resolve.policy import resolve_with_chain


def validate_profile(
    path: Path, profiles_dir: Path | None = None, core: Core | None = None, today: date | None = None
) -> list[Problem]:
    """Raise ToolkitError for anything wrong with the profile, its parents or its Word template; return warnings."""
    policy, chain = resolve_with_chain(path, profiles_dir, core)
    from toolkit.render.formats import docx

    problems = docx.check_template(policy.branding.word_template)
    if problems:
        raise ToolkitError(
            [Problem(text, file=policy.branding.word_template, field="branding.word_template") for text in problems]
        )
    return warnings(policy, chain, today)


def validate_profiles(
    paths: list[Path], profiles_dir: Path | None = None, core: Core | None = None, today: date | None = None
) -> Iterator[tuple[Path, ToolkitError | list[Problem]]]:
    """Each profile with its error, or with its (possibly empty) list of warnings."""
    for path in paths:
        try:
            yield path, validate_profile(path, profiles_dir, core, today)
        except ToolkitError as error:
            yield path, error
