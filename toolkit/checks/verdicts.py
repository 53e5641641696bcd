"""`validate`'s verdicts, remembered between runs: a profile that passed, and whose inputs have not changed since,
passes again with the same warnings, without resolving anything or importing the resolver.

Resolving a profile costs tens of milliseconds and importing what resolves it a few hundred, while checking that
nothing changed costs a few file hashes (`toolkit.inputs`). Only a pass is remembered: a profile with errors is
checked afresh every time, since someone is fixing it. The record is JSON in the user's cache folder, keyed by the
profile, the profiles folder, the core, the toolkit and the day (review dates are judged against today). A record
that cannot be read, or is not in the expected form, is ignored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from toolkit.inputs import Inputs, core_fingerprint, profile_inputs, toolkit_fingerprint, unchanged
from toolkit.usercache import cache_dir, store

RECORD_VERSION = 1


@dataclass(frozen=True)
class Verdicts:
    """The verdicts of one `validate` run's setting: the profiles folder, the core (None: the bundled one) and
    the day."""

    profiles_dir: Path | None
    core_dir: Path | None
    today: date

    def recall(self, path: Path) -> list[str] | None:
        """The warnings (as printed) of the last pass of this profile, if nothing it depends on has changed."""
        try:
            record = json.loads(self._record_path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
            return None
        inputs, warnings = Inputs.from_json(record.get("inputs")), record.get("warnings")
        if inputs is None or not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
            return None
        return warnings if unchanged(inputs) else None

    def remember(self, path: Path, chain: list[Path], assets: list[Path], warnings: list[str]) -> None:
        inputs = profile_inputs(chain, assets, self.profiles_dir)
        record = {"version": RECORD_VERSION, "inputs": inputs.as_json(), "warnings": warnings}
        store(self._record_path(path), json.dumps(record).encode("utf-8"))

    def _record_path(self, path: Path) -> Path:
        subject = "\0".join((str(Path(path).resolve()), self._setting))
        name = hashlib.sha256(subject.encode("utf-8", "surrogateescape")).hexdigest()
        return cache_dir("verdicts") / f"{name}.json"

    @cached_property
    def _setting(self) -> str:
        return "\0".join(
            (
                str(Path(self.profiles_dir).resolve()) if self.profiles_dir else "",
                core_fingerprint(self.core_dir),
                toolkit_fingerprint(),
                self.today.isoformat(),
            )
        )
