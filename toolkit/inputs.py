"""What a profile's results depend on, written down as file hashes, so that a command can tell without resolving
anything that nothing it would read has changed since it last did the work (as make and ninja do with their
dependency logs).

A profile's result depends on:

- its chain of profile files and the translation files beside each of them;
- the files its branding names (logo, fonts, Word template);
- which profile files exist where `extends:` looks: a new local copy of a sector profile wins over the bundled
  one, so the names of the profile files in those folders count, not only the files the chain used;
- the core guidance, and the toolkit itself (its code, templates and bundled profiles).

`profile_inputs()` lists them after the work is done; `unchanged()` checks them again by hashing a few files and
listing a folder, importing nothing heavy. User files are compared by content; the toolkit's own files by size
and modification time, which installing another version or editing a clone changes.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from toolkit.load.finding import PROFILE_SUFFIXES, folders_indexed, index_folders_from_now
from toolkit.paths import PACKAGE_DIR

MISSING = "missing"
LOCK_SUFFIX = ".lock.yaml"
TRANSLATIONS = "translations"


@dataclass(frozen=True)
class Inputs:
    """File path → sha256 of its bytes (or "missing"); folder path → hash of the profile file names under it."""

    files: dict[str, str]
    folders: dict[str, str]

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"files": self.files, "folders": self.folders}

    @classmethod
    def from_json(cls, data: object) -> Inputs | None:
        """Inputs read back from a cache record, or None when the record is not in that form."""
        if not isinstance(data, dict):
            return None
        files, folders = data.get("files"), data.get("folders")
        if not (_string_map(files) and _string_map(folders)):
            return None
        return cls(dict(files), dict(folders))  # type: ignore[arg-type]


def profile_inputs(chain: Iterable[Path], assets: Iterable[Path], profiles_dir: Path | None) -> Inputs:
    """The inputs of a result made from the profile files `chain` (most general first) and the `assets` it named."""
    layers = [Path(path) for path in chain]
    files = [*layers, *(translation for layer in layers for translation in translation_files(layer)), *assets]
    folders = {layer.parent for layer in layers} | {layer.parent / TRANSLATIONS for layer in layers}
    recursive = {profiles_dir} if profiles_dir is not None else set()
    return Inputs(
        {str(path): file_hash(path) for path in sorted(set(files), key=str)},
        {
            **{str(folder): folder_hash(folder, recursive=False) for folder in sorted(folders, key=str)},
            **{str(folder): folder_hash(folder, recursive=True) for folder in recursive},
        },
    )


def merged_inputs(parts: Iterable[Inputs]) -> Inputs:
    """The inputs of a result made from several profiles (a comparison of two)."""
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    for part in parts:
        files.update(part.files)
        folders.update(part.folders)
    return Inputs(files, folders)


def unchanged(inputs: Inputs) -> bool:
    """True when every file and folder listed hashes as it did."""
    return all(file_hash(Path(path)) == digest for path, digest in inputs.files.items()) and all(
        folder_hash(Path(folder), recursive=_recursive(digest)) == digest for folder, digest in inputs.folders.items()
    )


def translation_files(profile: Path) -> list[Path]:
    """`translations/NAME.*.po` beside a profile file: what its translations are read from."""
    folder = profile.parent / TRANSLATIONS
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.is_file())
    except OSError:
        return []
    return [folder / name for name in names if name.startswith(f"{profile.stem}.") and name.endswith(".po")]


_looked: dict[tuple[str, str, bool], Any] | None = None  # set inside `looked_at_once()`
Done = TypeVar("Done")


@contextmanager
def looked_at_once() -> Iterator[None]:
    """Inside this block each file and folder is hashed once (and, through `once`, each profile file parsed and
    each branding file checked once): a command checking hundreds of remembered results that share parents,
    translations and one profiles folder would otherwise hash them hundreds of times. A file
    that changes during the block is seen as it was first: the safe way round, since its result is then worked
    out again next time."""
    global _looked
    previous, _looked = _looked, {}
    try:
        with folders_indexed():
            yield
    finally:
        _looked = previous


def once(kind: str, key: str, work: Callable[[], Done]) -> Done:
    """`work()` done once per `key` inside `looked_at_once` (a profile file parsed, a logo checked: the files are
    taken as they were first seen there), and every time outside it. A failure is not kept: each caller that
    meets it reports it with its own file and line."""
    if _looked is None:
        return work()
    memo = (kind, key, False)
    if memo not in _looked:
        _looked[memo] = work()
    return _looked[memo]


def look_once_in_this_worker() -> None:
    """`looked_at_once` for the whole life of a worker process that serves one command (`diff --all`, `check`)."""
    global _looked
    _looked = {}
    index_folders_from_now()


def file_hash(path: Path) -> str:
    key = ("file", str(path), False)
    if _looked is not None and key in _looked:
        return _looked[key]
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = MISSING
    if _looked is not None:
        _looked[key] = digest
    return digest


def folder_hash(folder: Path, *, recursive: bool) -> str:
    """A hash of the profile and translation file names in a folder (and, `recursive`, the folders under it):
    the names `extends:` and the translations are looked up by. Lock files are not profiles, and are hashed as
    files by the results that read them.

    Prefixed "r:" or "f:" so that a record says how it was taken and is checked the same way."""
    key = ("folder", str(folder), recursive)
    if _looked is not None and key in _looked:
        return _looked[key]
    digest = _folder_hash(folder, recursive)
    if _looked is not None:
        _looked[key] = digest
    return digest


def _folder_hash(folder: Path, recursive: bool) -> str:
    names: list[str] = []
    pending = [(str(folder), "")]
    seen: set[str] = set()
    while pending:
        current, prefix = pending.pop()
        real = os.path.realpath(current)
        if real in seen:
            continue
        seen.add(real)
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if recursive and entry.is_dir():
                        pending.append((entry.path, f"{prefix}{entry.name}/"))
                    elif entry.name.endswith((*PROFILE_SUFFIXES, ".po")) and not entry.name.endswith(LOCK_SUFFIX):
                        names.append(prefix + entry.name)
        except OSError:
            names.append(f"{prefix}<unreadable>")
    digest = hashlib.sha256("\n".join(sorted(names)).encode("utf-8", "surrogateescape")).hexdigest()
    return ("r:" if recursive else "f:") + digest


def _recursive(digest: str) -> bool:
    return digest.startswith("r:")


def _string_map(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


# The toolkit and the core ----------------------------------------------------------------------------------------


@cache
def toolkit_fingerprint() -> str:
    """The size and modification time of every file in the package (installing another version rewrites them),
    the Python version and every installed distribution with its version (an upgraded library may read or render
    differently)."""
    digest = hashlib.sha256(f"{sys.version}\n{_installed_packages()}\n".encode("utf-8", "surrogateescape"))
    for path, size, modified in _package_files():
        digest.update(f"{path}\0{size}\0{modified}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def core_fingerprint(core_dir: Path | None) -> str:
    """The bundled core is part of the toolkit; another core folder (`--core`) is hashed by content."""
    if core_dir is None:
        return "bundled"
    digest = hashlib.sha256()
    for path in sorted(Path(core_dir).rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(core_dir)).encode("utf-8", "surrogateescape"))
            digest.update(file_hash(path).encode())
    return digest.hexdigest()


def _installed_packages() -> str:
    """Every installed distribution with its version, as the site-packages folders name them (no file is read)."""
    names = []
    for folder in map(Path, sys.path):
        if folder.is_dir() and folder.name in ("site-packages", "dist-packages"):
            names.extend(f"{folder}/{entry.name}" for entry in os.scandir(folder) if entry.name.endswith("-info"))
    return ";".join(sorted(names))


def _package_files() -> list[tuple[str, int, int]]:
    found = []
    for folder, subfolders, names in os.walk(PACKAGE_DIR):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(names):
            path = os.path.join(folder, name)
            try:
                status = os.stat(path)
            except OSError:
                continue
            found.append((os.path.relpath(path, PACKAGE_DIR), status.st_size, status.st_mtime_ns))
    return found
