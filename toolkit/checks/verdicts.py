"""`validate`'s verdicts, remembered between runs (`toolkit.remembered`): a profile that passed, and whose inputs
have not changed since, passes again with the same warnings, without resolving anything or importing the resolver.

Resolving a profile costs tens of milliseconds and importing what resolves it a few hundred. Only a pass is
remembered: a profile with errors is checked afresh every time, since someone is fixing it. A verdict depends on
the profiles folder and the day besides its files (review dates are judged against today).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from toolkit.inputs import profile_inputs
from toolkit.remembered import Remembered


@dataclass(frozen=True)
class Verdicts:
    profiles_dir: Path | None
    core_dir: Path | None  # None: the bundled core
    today: date
    _store: Remembered = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        folder = str(Path(self.profiles_dir).resolve()) if self.profiles_dir else ""
        store = Remembered("verdicts", self.core_dir, (folder,), day=self.today.isoformat())
        object.__setattr__(self, "_store", store)

    def recall(self, path: Path) -> list[str] | None:
        """The warnings (as printed) of the last pass of this profile, if nothing it depends on has changed."""
        warnings = self._store.recall(path)
        if isinstance(warnings, list) and all(isinstance(warning, str) for warning in warnings):
            return warnings
        return None

    def remember(self, path: Path, chain: list[Path], assets: list[Path], warnings: list[str]) -> None:
        self._store.remember((path,), profile_inputs(chain, assets, self.profiles_dir), warnings)
