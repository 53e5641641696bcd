"""Finding profile files by name: listing a folder, and the lookup `extends:` makes.

Kept apart from reading and validating profiles (`toolkit.load.profiles`), so a command that only needs to know
which files there are (a cached `validate`, `list`) imports nothing heavy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.paths import BUNDLED_PROFILES_DIR

PROFILE_SUFFIXES = (".yaml", ".yml")


def profile_name(path: Path) -> str:
    return path.stem


def find_profiles(directory: Path) -> dict[str, Path]:
    """Every profile under `directory` by name (file name without .yaml); names must be unique."""
    if not directory.is_dir():
        raise ToolkitError(Problem("no profiles folder here", file=directory, hint="run from the project folder"))
    found: dict[str, Path] = {}
    for path in sorted(p for p in directory.rglob("*") if p.suffix in PROFILE_SUFFIXES and p.is_file()):
        if path.name.endswith(".lock.yaml"):
            continue
        name = profile_name(path)
        if name in found:
            raise ToolkitError(
                Problem(
                    f"two profiles are called `{name}` (the other is {found[name]})",
                    file=path,
                    hint="profile names are file names and must be unique",
                )
            )
        found[name] = path
    return found


@cache
def _bundled_profiles() -> dict[str, Path]:
    """The bundled profiles: package data, which does not change while the toolkit runs."""
    return find_profiles(BUNDLED_PROFILES_DIR)


def find_in_folder(name: str, directory: Path) -> Path | None:
    """The profile called `name` anywhere under `directory`, as `find_profiles` would find it, without building the
    whole listing: the folder is walked in C (`os.scandir`), and inside `folders_indexed()` only once, however many
    chains look in it (a folder of hundreds of organisations, each extending a sector).

    Two files of that name (`a.yaml` and `sub/a.yml`) are left to `find_profiles`, which says so.
    """
    if _indexes is None:
        matches = _walk(directory, {f"{name}{suffix}" for suffix in PROFILE_SUFFIXES})
    else:
        if str(directory) not in _indexes:
            _indexes[str(directory)] = _index(_walk(directory, None))
        matches = _indexes[str(directory)].get(name, [])
    if len(matches) > 1:
        return find_profiles(directory).get(name)
    return Path(matches[0]) if matches else None


_indexes: dict[str, dict[str, list[str]]] | None = None  # set inside `folders_indexed()`


@contextmanager
def folders_indexed() -> Iterator[None]:
    """Inside this block each profiles folder is walked once and its names remembered (see `find_in_folder`): for a
    command that reads its files once and finishes, not for a process that watches them change."""
    global _indexes
    previous, _indexes = _indexes, {}
    try:
        yield
    finally:
        _indexes = previous


def index_folders_from_now() -> None:
    """`folders_indexed()` for the rest of a worker process that serves one command."""
    global _indexes
    if _indexes is None:
        _indexes = {}


def _walk(directory: Path, wanted: set[str] | None) -> list[str]:
    """The paths of the profile files under `directory` (only those named in `wanted`, when given)."""
    found: list[str] = []
    folders, seen = [str(directory)], set()
    while folders:
        folder = folders.pop()
        real = os.path.realpath(folder)
        if real in seen:  # a link back up the tree
            continue
        seen.add(real)
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir():
                        folders.append(entry.path)
                    elif (entry.name in wanted if wanted is not None else _is_profile_name(entry.name)) and (
                        entry.is_file()
                    ):
                        found.append(entry.path)
        except OSError:
            continue
    return found


def _is_profile_name(name: str) -> bool:
    return name.endswith(PROFILE_SUFFIXES) and not name.endswith(".lock.yaml") and Path(name).suffix in PROFILE_SUFFIXES


def _index(paths: list[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for path in paths:
        index.setdefault(Path(path).stem, []).append(path)
    return index


def known_profiles(profiles_dir: Path | None) -> dict[str, Path]:
    """Every profile a chain may extend by name: the bundled sector profiles, then the user's folder (which wins)."""
    known = dict(_bundled_profiles())
    if profiles_dir is not None and profiles_dir.is_dir():
        known.update(find_profiles(profiles_dir))
    return known


def all_profiles(profiles_dir: Path) -> dict[str, Path]:
    """What `--all` means: every profile in the folder, and the bundled sector profiles it does not replace."""
    return {**_bundled_profiles(), **find_profiles(profiles_dir)}


def profile_path(given: Path, profiles_dir: Path | None, beside: Path | None = None, option: str = "PROFILE") -> Path:
    """A profile named on the command line: a file, or a profile's name (`nhs-trust`) found where `extends:` finds
    one: beside `beside` (the folder of the profile it goes with), then in the profiles folder, then among the
    bundled profiles. A miss names the `option` it was given to, a near name and the places looked in."""
    if given.exists() or given.suffix in PROFILE_SUFFIXES or len(given.parts) > 1:
        return given
    name = str(given)
    if beside is not None:
        for candidate in (beside / f"{name}{suffix}" for suffix in PROFILE_SUFFIXES):
            if candidate.is_file():
                return candidate
    known = known_profiles(profiles_dir)
    if name in known:
        return known[name]
    nearby = _profiles_beside(beside) if beside is not None else {}
    places = [f"beside the profile in {beside}/"] if beside is not None else []
    if profiles_dir is not None and profiles_dir.is_dir():
        places.append(f"in the profiles folder {profiles_dir}/")
    places.append("among the bundled profiles")
    looked = "looked " + ", ".join(places[:-1]) + (" and " if len(places) > 1 else "") + places[-1]
    near = did_you_mean(name, {*known, *nearby})
    hint = f"{near} {looked[0].upper()}{looked[1:]}" if near else looked
    raise ToolkitError(Problem(f"no profile called `{name}`", field=option, hint=hint))


def _profiles_beside(folder: Path) -> dict[str, Path]:
    """The profiles directly in `folder` (where `extends:` looks first), for suggestions."""
    try:
        return {path.stem: path for path in folder.iterdir() if _is_profile_name(path.name) and path.is_file()}
    except OSError:
        return {}
