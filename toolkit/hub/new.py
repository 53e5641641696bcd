"""`new`: a commented starting profile that validates and builds at once.

Every field the new profile leaves out is written as a comment with the words the README's field table uses (both
come from the profile models' descriptions), so the file itself says what else it may hold.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
import unicodedata
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.load.finding import known_profiles
from toolkit.load.profiles import load_chain
from toolkit.load.schema import ProfileFile, default_kind, field_rows, json_schema
from toolkit.output import publish

SCHEMA_FILE = "profile.schema.json"
WIDTH = 100
SET_FIELDS = ("extends", "name")


def slug(name: str) -> str:
    """`Millbrook District Council` -> `millbrook-district-council`: the file name, and so the profile's name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")  # ŵ -> w
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not words:
        raise ToolkitError(Problem("the name needs some letters or digits", field="NAME"))
    return words


def new_profile(name: str, extends: str, profiles_dir: Path) -> list[Path]:
    """Write `profiles/<slug>.yaml` (and the JSON Schema beside it when missing); refuse to overwrite a profile.

    Returns the files written, the profile first, so the command can say what it made.
    """
    known = known_profiles(profiles_dir)
    if extends not in known:
        raise ToolkitError(
            Problem(f"no profile called `{extends}` to extend", field="--extends", hint=did_you_mean(extends, known))
        )
    target = profiles_dir / f"{slug(name)}.yaml"
    if target.exists() or slug(name) in known:
        raise ToolkitError(
            Problem(f"a profile called `{slug(name)}` already exists", file=known.get(slug(name), target))
        )
    kind = inherited_kind(known[extends], profiles_dir)
    files = {target: profile_text(name, extends, target, kind).encode("utf-8")}
    schema = profiles_dir / SCHEMA_FILE
    if not schema.exists():
        files[schema] = schema_text().encode("utf-8")
    publish(files, profiles_dir, locked=False)  # no build writes here: no lock file left in the user's folder
    return list(files)


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def inherited_kind(parent: Path, profiles_dir: Path) -> str | None:
    """The kind of body the parent profile is, as the new profile's example (`kind: council` under a council);
    None when the parent cannot be read (validating it will say why)."""
    try:
        chain = load_chain(parent, profiles_dir)
    except ToolkitError:
        return None
    kind = next((layer.spec.kind for layer in reversed(chain) if layer.spec.kind), None)
    sector = next((layer.spec.sector for layer in reversed(chain) if layer.spec.sector), None)
    return kind or (default_kind(sector) if sector else None)


def profile_text(name: str, extends: str, path: Path | None = None, kind: str | None = None) -> str:
    """The profile: the two fields it sets, then every other field as an explained, commented-out example; `kind`
    is shown as the parent's (an example of another sector's kind would mislead)."""
    lines = [
        f"# yaml-language-server: $schema={SCHEMA_FILE}",
        f"# {name}: a profile made with `policy-toolkit new`. It inherits everything it does not say from",
        f"# `{extends}`. Uncomment and change what is different about your organisation, then run",
        f"# `policy-toolkit validate {(path or Path('profiles') / f'{slug(name)}.yaml').as_posix()}`.",
        "",
        f"extends: {_scalar(extends)}",
        f"name: {_scalar(name)}",
    ]
    described = dict(field_rows())
    for field, info in ProfileFile.model_fields.items():
        if field in SET_FIELDS:
            continue
        lines += ["", *_comment(described.get(field, info.description or ""))]
        example = kind if field == "kind" else (info.examples or [None])[0]
        lines += ["# " + line if line else "#" for line in _example_yaml(field, example).splitlines()]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    plain = text.replace("`", "")
    return ["# " + line for line in textwrap.wrap(plain, WIDTH - 2)]


def _example_yaml(field: str, example: Any) -> str:
    if example is None:
        nested = ProfileFile.model_fields[field].annotation
        fields = getattr(nested, "model_fields", None)
        if fields:  # e.g. branding: one commented line per sub-field, with its own example
            inner = {sub: (info.examples or ["..."])[0] for sub, info in fields.items()}
            return _dump({field: inner})
        return f"{field}: ..."
    return _dump({field: example})


def _dump(data: dict[str, Any]) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = WIDTH
    stream = io.StringIO()
    yaml.dump(data, stream)
    return re.sub(r"'(\d{4}-\d{2}-\d{2})'", r"\1", stream.getvalue())  # dates read as dates


def _scalar(text: str) -> str:
    """One YAML scalar, quoted when plain would be misread (a colon, a leading symbol, a number)."""
    return _dump({"v": text}).split(": ", 1)[1].strip()
