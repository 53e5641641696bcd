"""Incremental builds: an output is rendered again only when something that reaches its bytes has changed.

Two levels, as make and ninja keep a log of what each output depended on. The first is cheap: the record also
lists what the last build of a profile was made from (`toolkit.inputs`: its chain of profile files, the translation
files beside them, its logo, fonts and Word template, each by content, and the profile files where `extends:`
looks, so a new local copy of a sector profile counts) and a key of everything else (formats, options, build date,
core guidance, the toolkit's files, the installed packages). When none of it has changed, the profile is up to date
without being resolved. Otherwise
the second level decides output by output, from the resolved model: the key of one output is a hash of the
resolved model (as JSON), the files it names (fonts, logo, Word template), the renderer's code and templates, the
engine versions, the options and the build date (`SOURCE_DATE_EPOCH` when set, otherwise the day), so a change to
one core clause renders again only the outputs whose text it changed. Each profile's record lives in
`.build-cache/PROFILE.json` inside the output folder, written with the outputs in one atomic publish, so two builds
into one folder never leave a key that does not match its file. A missing, unreadable or corrupt record only means
"rebuild": it is never trusted and never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.inputs import (
    Inputs,
    core_fingerprint,
    profile_inputs,
    toolkit_fingerprint,
    unchanged,
)
from toolkit.paths import PACKAGE_DIR

if TYPE_CHECKING:
    from toolkit.model import Policy

CACHE_FOLDER = ".build-cache"
RECORD_VERSION = 1
ENGINES = (
    "policy-toolkit",
    "weasyprint",
    "pydyf",
    "fonttools",
    "docxtpl",
    "python-docx",
    "lxml",
    "jinja2",
    "markdown-it-py",
    "pydantic",
    "typst",
)
# What the renderers are made of besides the model: their code and their templates (the core and the sector
# profiles reach the outputs only through the model, and fonts and logos are hashed as the files a policy names).
CODE_FOLDERS = ("render", "templates/html", "templates/word", "templates/typst")


@dataclass(frozen=True)
class Record:
    """What the last build wrote for one profile: per output file name, its key and the sha256 of its bytes."""

    outputs: dict[str, dict[str, str]]
    warning: str | None = None  # set when the record on disk was unreadable and so ignored
    inputs: dict[str, Any] | None = None  # what the outputs were made from (see `Inputs`), None when unknown

    def unchanged(self, target: Path, key: str) -> bool:
        """True when `target` was built with `key` and is still, byte for byte, what was built."""
        entry = self.outputs.get(target.name)
        if not entry or entry.get("key") != key:
            return False
        try:
            return hashlib.sha256(target.read_bytes()).hexdigest() == entry.get("sha256")
        except OSError:
            return False


def record_path(out_dir: Path, profile: str) -> Path:
    return out_dir / CACHE_FOLDER / f"{profile}.json"


def read_record(out_dir: Path, profile: str) -> Record:
    """The record of the last build, or an empty one (with a warning when a record was there but unusable)."""
    path = record_path(out_dir, profile)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Record({})
    except (OSError, ValueError) as error:
        return Record({}, f"ignored the unreadable build cache {path} ({type(error).__name__}); rebuilding")
    outputs = data.get("outputs") if isinstance(data, dict) and data.get("version") == RECORD_VERSION else None
    if not isinstance(outputs, dict) or not all(
        isinstance(entry, dict) and all(isinstance(value, str) for value in entry.values())
        for entry in outputs.values()
    ):
        return Record({}, f"ignored the build cache {path}: not in the expected form; rebuilding")
    inputs = data.get("inputs")
    return Record(outputs, inputs=inputs if _inputs_in_form(inputs) else None)


def _inputs_in_form(inputs: object) -> bool:
    return (
        isinstance(inputs, dict)
        and all(isinstance(inputs.get(name), str) for name in ("key", "profile", "profiles"))
        and Inputs.from_json(inputs) is not None
    )


def output_entry(data: bytes, key: str) -> dict[str, str]:
    """An output's line in the record (hashed where it was rendered, so the publishing parent does not)."""
    return {"key": key, "sha256": hashlib.sha256(data).hexdigest()}


def record_bytes(
    outputs: dict[Path, dict[str, str] | None], previous: Record, inputs: dict[str, Any] | None = None
) -> bytes:
    """The new record: each output's key and the hash of its bytes (None: unchanged, keeping its entry), and what
    the outputs were made from."""
    entries = {target.name: entry or previous.outputs[target.name] for target, entry in outputs.items()}
    record: dict[str, Any] = {"version": RECORD_VERSION, "outputs": entries}
    if inputs is not None:
        record["inputs"] = inputs
    return json.dumps(record, indent=1, sort_keys=True).encode()


# The first level: the files a profile's outputs were made from ----------------------------------------------------


def build_key(formats: list[str], options: object, allow_untranslated: bool, core_dir: Path | None) -> str:
    """Everything but a profile's own files that reaches a build's outputs, hashed once per build: what to build
    and how, the build date, the core guidance (`core_dir`, None for the bundled one), the toolkit's own files and
    the installed packages with their versions."""
    digest = hashlib.sha256()
    for part in (
        f"record={RECORD_VERSION}",
        ",".join(formats),
        _options_text(options),
        f"allow_untranslated={allow_untranslated}",
        _build_moment(),
        toolkit_fingerprint(),  # the toolkit's files, Python and the installed packages
        core_fingerprint(core_dir),
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def inputs_of(key: str, path: Path, profiles_dir: Path, chain: Iterable[Path], assets: Iterable[Path] = ()) -> dict:
    """The record's list of what a profile's outputs are made from (`toolkit.inputs`), with the build's key.

    Taken before the files are used, so a file changed while the build reads it differs next time: rebuilt."""
    return {
        "key": key,
        "profile": str(Path(path).resolve()),
        "profiles": str(Path(profiles_dir).resolve()),
        **profile_inputs(chain, assets, profiles_dir).as_json(),
    }


def with_assets(inputs: dict, assets: Iterable[Path]) -> dict:
    """The inputs with the files the resolved profile named (logo, fonts, Word template) added."""
    return {**inputs, "files": {**inputs["files"], **profile_inputs([], assets, None).files}}


def up_to_date(record: Record, path: Path, out_dir: Path, profiles_dir: Path, key: str) -> bool:
    """True when the profile at `path` may be skipped without resolving it: its record was made from this file
    with `key`, none of its inputs has changed (files by content, folders by the profile files in them), and every
    output is still, byte for byte, what was built."""
    recorded = record.inputs
    if record.warning or recorded is None or not record.outputs or recorded["key"] != key:
        return False
    if recorded["profile"] != str(Path(path).resolve()) or recorded["profiles"] != str(Path(profiles_dir).resolve()):
        return False
    inputs = Inputs.from_json(recorded)
    if inputs is None:
        return False
    if not unchanged(inputs):  # inside `looked_at_once`, each shared file and folder is hashed once per build
        return False
    return all(_output_hash(out_dir, name) == entry.get("sha256") for name, entry in record.outputs.items())


def _output_hash(folder: Path, name: str) -> str | None:
    try:
        return hashlib.sha256((folder / name).read_bytes()).hexdigest()
    except OSError:
        return None


def output_key(policy: Policy, format_name: str, options: object, model_json: str | None = None) -> str:
    """The hash of everything that reaches the bytes of `policy` rendered as `format_name` with `options`
    (`model_json`: the policy as JSON, when the caller has it already, for one policy's several formats)."""
    digest = hashlib.sha256()
    for part in (
        format_name,
        model_json if model_json is not None else policy.model_dump_json(),
        _options_text(options),
        _build_moment(),
        _engine_versions(),
        _code_fingerprint(),
        *(_file_hash(path) for path in sorted(policy_files(policy))),
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def policy_files(policy: Policy) -> set[Path]:
    """Every file a policy names that a renderer reads: fonts, logo images and the Word template."""
    return {*policy.branding.assets, policy.branding.word_template}


def _options_text(options: object) -> str:
    fields = asdict(options) if hasattr(options, "__dataclass_fields__") else {}  # type: ignore[arg-type]
    fields.pop("timestamp", None)  # stands for the build moment, keyed by _build_moment
    return json.dumps(fields, sort_keys=True, default=str)


def _build_moment() -> str:
    """`SOURCE_DATE_EPOCH` when set; otherwise today's date, so that the "built on" date is at most a day old."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return f"epoch={epoch}" if epoch else f"day={datetime.now(UTC).date().isoformat()}"


@cache
def _engine_versions() -> str:
    found = []
    for name in ENGINES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=absent")
    return ";".join(found)


@cache
def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        base = PACKAGE_DIR / folder
        for path in sorted(base.rglob("*")) if base.is_dir() else ():
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


_file_hashes: dict[tuple[str, int, int], str] = {}


def _file_hash(path: Path) -> str:
    """A named file's content hash, once per process while it is unchanged; a missing file hashes as missing."""
    try:
        status = path.stat()
    except OSError:
        return f"{path}:missing"
    key = (str(path), status.st_mtime_ns, status.st_size)
    if key not in _file_hashes:
        _file_hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _file_hashes[key]
