"""Checking profiles without building: everything a build would refuse, found before anyone waits for a PDF."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from importlib.metadata import version
from pathlib import Path

from toolkit.checks.lint import warnings
from toolkit.checks.verdicts import Verdicts
from toolkit.errors import Problem, ToolkitError
from toolkit.load.profiles import Layer
from toolkit.model import Policy
from toolkit.paths import PACKAGE_DIR
from toolkit.resolve.core import Core
from toolkit.resolve.policy import resolve_with_chain
from toolkit.usercache import cache_dir, store


def validate_profile(
    path: Path, profiles_dir: Path | None = None, core: Core | None = None, today: date | None = None
) -> list[Problem]:
    """Raise ToolkitError for anything wrong with the profile, its parents or its Word template; return warnings."""
    return _validated(path, profiles_dir, core, today)[0]


def validate_remembering(path: Path, verdicts: Verdicts, core: Core | None = None) -> ToolkitError | list[str]:
    """`validate_profile`'s outcome, its warnings as printed; a pass is remembered with what it depended on, so
    the next run can recall it (`Verdicts.recall`) while nothing has changed."""
    try:
        found, policy, chain = _validated(path, verdicts.profiles_dir, core, verdicts.today)
    except ToolkitError as error:
        return error
    printed = [warning.render() for warning in found]
    assets = sorted({*policy.branding.assets, policy.branding.word_template}, key=str)
    verdicts.remember(path, [layer.path for layer in chain], assets, printed)
    return printed


def _validated(
    path: Path, profiles_dir: Path | None, core: Core | None, today: date | None
) -> tuple[list[Problem], Policy, list[Layer]]:
    policy, chain = resolve_with_chain(path, profiles_dir, core)
    problems = check_word_template(policy.branding.word_template)
    if problems:
        raise ToolkitError(
            [Problem(text, file=policy.branding.word_template, field="branding.word_template") for text in problems]
        )
    return warnings(policy, chain, today) + _fonts_left_behind(policy), policy, chain


def _fonts_left_behind(policy: Policy) -> list[Problem]:
    template = policy.branding.word_template
    return [
        Problem(
            f"the Word template names the font “{name}”, which is not embedded in it: readers without that font "
            "will see another one",
            file=template,
            field="branding.word_template",
            hint="embed it in Word (File ▸ Options ▸ Save ▸ Embed fonts in the file), "
            f"or use {policy.branding.font.name}",
        )
        for name in _template_facts(template)["fonts"]
        if name != policy.branding.font.name  # the build embeds the profile's font
    ]


def validate_profiles(
    paths: list[Path], profiles_dir: Path | None = None, core: Core | None = None, today: date | None = None
) -> Iterator[tuple[Path, ToolkitError | list[Problem]]]:
    """Each profile with its error, or with its (possibly empty) list of warnings."""
    for path in paths:
        try:
            yield path, validate_profile(path, profiles_dir, core, today)
        except ToolkitError as error:
            yield path, error


# The Word template check, once per template --------------------------------------------------------------------

_checked: dict[str, dict[str, list[str]]] = {}


def check_word_template(path: Path) -> list[str]:
    """What is wrong with a Word template (see `_template_facts`)."""
    return list(_template_facts(path)["problems"])


def _template_facts(path: Path) -> dict[str, list[str]]:
    """What is wrong with a Word template, and the fonts it names without carrying them: checked once per
    distinct file and remembered between runs.

    The check fills the template with docxtpl (about 0.1 s, plus importing the Word libraries), and most profiles
    share one template; the result is kept under the hash of the template's bytes and of the checking code, so
    an edited template or a new toolkit is checked afresh.
    """
    try:
        key = _template_key(path)
    except OSError:
        key = None
    if key is not None and key in _checked:
        return _checked[key]
    remembered = _read_remembered(key) if key else None
    if remembered is not None:
        _checked[key] = remembered  # type: ignore[index]
        return remembered
    from toolkit.render._word.check import fonts_left_behind
    from toolkit.render.formats.docx import check_template

    problems = check_template(path)
    facts = {"problems": problems, "fonts": [] if problems else fonts_left_behind(path)}
    if key is not None:
        _checked[key] = facts
        _remember(key, facts)
    return facts


CHECK_CODE = (
    "render/_word/check.py",
    "render/_word/spec.py",
    "render/_word/styles.py",
    "render/_word/package.py",
    "render/ooxml.py",  # the placeholders and the sandbox the check fills the template with
)


def _template_key(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    digest.update(path.name.encode())
    digest.update(version("policy-toolkit").encode())
    for name in CHECK_CODE:
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()


def _cache_dir() -> Path:
    return cache_dir("word-templates")


def _read_remembered(key: str) -> dict[str, list[str]] | None:
    """A remembered result, or None when there is none or it cannot be read (never an error)."""
    try:
        facts = json.loads((_cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    lists = [facts.get(name) for name in ("problems", "fonts")] if isinstance(facts, dict) else [None]
    if all(isinstance(value, list) and all(isinstance(item, str) for item in value) for value in lists):
        return facts
    return None


def _remember(key: str, facts: dict[str, list[str]]) -> None:
    store(_cache_dir() / f"{key}.json", json.dumps(facts).encode("utf-8"))
