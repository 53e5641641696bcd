"""Incremental builds: an output is rendered again only when something that reaches its bytes has changed.

The key of one output is a hash of the resolved model (as JSON), the files it names (fonts, logo, Word template),
the renderer's code and templates, the engine versions, the options and the build date (`SOURCE_DATE_EPOCH` when
set, otherwise the day). Each profile's keys live in `.build-cache/PROFILE.json` inside the output folder, written
with the outputs in one atomic publish, so two builds into one folder never leave a key that does not match its
file. A missing, unreadable or corrupt record only means "rebuild": it is never trusted and never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from toolkit.model import Policy
from toolkit.paths import PACKAGE_DIR

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
    return Record(outputs)


def record_bytes(outputs: dict[Path, tuple[str, bytes | None]], previous: Record) -> bytes:
    """The new record: each output's key and the hash of its bytes (unchanged outputs keep their entry)."""
    entries: dict[str, dict[str, str]] = {}
    for target, (key, data) in outputs.items():
        if data is None:
            entries[target.name] = previous.outputs[target.name]
        else:
            entries[target.name] = {"key": key, "sha256": hashlib.sha256(data).hexdigest()}
    return json.dumps({"version": RECORD_VERSION, "outputs": entries}, indent=1, sort_keys=True).encode()


def output_key(policy: Policy, format_name: str, options: object) -> str:
    """The hash of everything that reaches the bytes of `policy` rendered as `format_name` with `options`."""
    digest = hashlib.sha256()
    for part in (
        format_name,
        policy.model_dump_json(),
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
