"""Checking profiles without building: everything a build would refuse, found before anyone waits for a PDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from toolkit.errors import Problem, ToolkitError
from toolkit.resolve import resolve_profile


def validate_profile(path: Path, profiles_dir: Path | None = None) -> None:
    """Raise ToolkitError for anything wrong with the profile, its parents or its Word template."""
    policy = resolve_profile(path, profiles_dir)
    from toolkit.render import docx

    problems = docx.check_template(policy.branding.word_template)
    if problems:
        raise ToolkitError(
            [Problem(text, file=policy.branding.word_template, field="branding.word_template") for text in problems]
        )


def validate_profiles(
    paths: list[Path], profiles_dir: Path | None = None
) -> Iterator[tuple[Path, ToolkitError | None]]:
    for path in paths:
        try:
            validate_profile(path, profiles_dir)
            yield path, None
        except ToolkitError as error:
            yield path, error
