"""Finding profile files by name: listing a folder, and the lookup `extends:` makes.

Kept apart from reading and validating profiles (`toolkit.load.profiles`), so a command that only needs to know
which files there are (a cached `validate`, `list`) imports nothing heavy.
"""

from __future__ import annotations

import os
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
    whole listing: a folder of hundreds of organisations is searched once per chain, in C (`os.scandir`).

    Two files of that name (`a.yaml` and `sub/a.yml`) are left to `find_profiles`, which says so.
    """
    wanted = {f"{name}{suffix}" for suffix in PROFILE_SUFFIXES}
    matches: list[str] = []
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
                    elif entry.name in wanted and entry.is_file():
                        matches.append(entry.path)
        except OSError:
            continue
    if len(matches) > 1:
        return find_profiles(directory).get(name)
    return Path(matches[0]) if matches else None


def known_profiles(profiles_dir: Path | None) -> dict[str, Path]:
    """Every profile a chain may extend by name: the bundled sector profiles, then the user's folder (which wins)."""
    known = dict(_bundled_profiles())
    if profiles_dir is not None and profiles_dir.is_dir():
        known.update(find_profiles(profiles_dir))
    return known


def all_profiles(profiles_dir: Path) -> dict[str, Path]:
    """What `--all` means: every profile in the folder, and the bundled sector profiles it does not replace."""
    return {**_bundled_profiles(), **find_profiles(profiles_dir)}


def profile_path(given: Path, profiles_dir: Path | None) -> Path:
    """A profile named on the command line: a file, or a profile's name (`nhs-trust`) found as `extends:` finds it."""
    if given.exists() or given.suffix in PROFILE_SUFFIXES or len(given.parts) > 1:
        return given
    known = known_profiles(profiles_dir)
    if str(given) in known:
        return known[str(given)]
    raise ToolkitError(Problem(f"no profile called `{given}`", field="PROFILE", hint=did_you_mean(str(given), known)))
