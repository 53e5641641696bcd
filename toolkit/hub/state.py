"""What the hub knows: every profile resolved once and kept until a file it depends on changes.

A profile's policy depends on its own file, every profile it extends, and the core; a change to one profile drops
only the policies whose chain contains it, so one edit rebuilds only what depends on it. A profile that does not
resolve is kept as its error, which the hub shows in the page instead of stopping.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import Problem, ToolkitError
from toolkit.load.finding import all_profiles, profile_name
from toolkit.model import Policy
from toolkit.resolve.core import Core, load_core
from toolkit.resolve.policy import core_baseline, resolve_with_chain

BASELINE_PROFILE = "central-government"  # the core is shown with the core's own words, as any sector would


@dataclass
class Outcome:
    """A profile's policy, or the problems that stop it resolving; `chain` names what it depends on."""

    path: Path
    policy: Policy | None = None
    problems: list[Problem] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)


class Hub:
    """The profiles folder and core the hub serves, with a cache of resolved policies."""

    def __init__(self, profiles_dir: Path, core_dir: Path | None = None) -> None:
        self.profiles_dir = profiles_dir.resolve()
        self.core_dir = core_dir
        self._lock = threading.RLock()
        self._core: Core | None = None
        self._outcomes: dict[str, Outcome] = {}
        self._baseline: Policy | None = None
        self._written: dict[Path, bytes] = {}  # what the hub itself last wrote, so its own save is not news twice
        self._paths: dict[str, Path] | None = None
        self.version = 0  # bumped on every change, for live reload

    # What there is ----------------------------------------------------------------------------------------------

    @property
    def core(self) -> Core:
        with self._lock:
            if self._core is None:
                self._core = load_core(self.core_dir) if self.core_dir else load_core()
            return self._core

    def paths(self) -> dict[str, Path]:
        """Every profile by name, the bundled sector profiles included (they are useful generic versions)."""
        with self._lock:
            if self._paths is None:
                self._paths = all_profiles(self.profiles_dir)
            return dict(self._paths)

    def has(self, name: str) -> bool:
        """Whether a profile exists, looking again on a miss (a file may be newer than the last look)."""
        if name in self.paths():
            return True
        with self._lock:
            self._paths = None
        return name in self.paths()

    def own_profiles(self) -> list[str]:
        """Profiles in the user's folder (the ones the hub may edit)."""
        return [name for name, path in self.paths().items() if self.is_editable(path)]

    def is_editable(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.profiles_dir)

    # Resolving ---------------------------------------------------------------------------------------------------

    def outcome(self, name: str) -> Outcome:
        with self._lock:
            cached = self._outcomes.get(name)
        if cached is not None:
            return cached
        path = self.paths().get(name)
        if path is None:
            raise KeyError(name)
        outcome = self._resolve(path)
        with self._lock:
            self._outcomes[name] = outcome
        return outcome

    def cached(self, name: str) -> Outcome | None:
        """What is known of a profile without resolving it (for pages that must not wait)."""
        with self._lock:
            return self._outcomes.get(name)

    def _resolve(self, path: Path) -> Outcome:
        try:
            policy, chain = resolve_with_chain(path, self.profiles_dir, self.core)
        except ToolkitError as error:
            return Outcome(path, problems=error.problems, chain=[profile_name(path)])
        return Outcome(path, policy=policy, chain=[layer.name for layer in chain])

    def policy(self, name: str) -> Policy | None:
        return self.outcome(name).policy

    def policies(self) -> list[Policy]:
        """Every profile that resolves, in name order (what the matrix and the clause pages compare)."""
        return [policy for name in self.paths() if (policy := self.policy(name)) is not None]

    def baseline(self) -> Policy:
        """The core guidance with the core's words, to show and to compare against (kept until the core changes)."""
        with self._lock:
            if self._baseline is not None:
                return self._baseline
        policy = self.policy(BASELINE_PROFILE)
        if policy is None:
            raise ToolkitError(Problem(f"the bundled `{BASELINE_PROFILE}` profile does not resolve"))
        baseline = core_baseline(policy, self.core)
        with self._lock:
            self._baseline = baseline
        return baseline

    # Changes -----------------------------------------------------------------------------------------------------

    def _is_own_write(self, path: Path) -> bool:
        with self._lock:
            written = self._written.pop(path, None)
        try:
            return written is not None and path.read_bytes() == written
        except OSError:
            return False

    def wrote(self, path: Path, data: bytes) -> None:
        """The hub saved this file (and has already taken the change in)."""
        with self._lock:
            self._written[path.resolve()] = data

    def changed(self, files: Iterable[Path]) -> bool:
        """Forget what the changed files affect; True when anything the hub shows may differ."""
        files = [f for f in (Path(f).resolve() for f in files) if not self._is_own_write(f)]
        relevant = False
        with self._lock:
            core_folder = self.core.directory.resolve()
            if any(f.is_relative_to(core_folder) for f in files):
                self._core, self._outcomes, self._baseline, relevant = None, {}, None, True
            names = {f.stem for f in files if f.suffix in (".yaml", ".yml") and not f.name.endswith(".lock.yaml")}
            if names:
                self._paths = None  # a profile may have been added, renamed or deleted
                stale = [n for n, outcome in self._outcomes.items() if names & {n, *outcome.chain}]
                for name in stale:
                    del self._outcomes[name]
                if BASELINE_PROFILE in names:
                    self._baseline = None
                relevant = True
            profiles = self.profiles_dir
            others = [f for f in files if f.is_relative_to(profiles) and f.suffix not in (".yaml", ".yml", ".json")]
            if others:  # a logo, font or Word template: any profile may use it
                self._outcomes, relevant = {}, True
            if relevant:
                self.version += 1
        return relevant
