"""Results remembered between runs with what they were made from, and recalled while none of it has changed.

A result (`validate`'s warnings for a profile, a `diff` report) is stored as JSON in the user's cache folder under
a hash of its subject (the profile files it is about) and its setting (the options, the day, the core and the
toolkit). Beside it are its inputs (`toolkit.inputs`): the hashes of every file it was made from. Recalling it
checks those hashes again, which costs a few file reads and imports nothing heavy, instead of resolving profiles.
A record that cannot be read, or is not in the expected form, is ignored: the work is simply done again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from toolkit.inputs import Inputs, core_fingerprint, toolkit_fingerprint, unchanged
from toolkit.usercache import cache_dir, store

RECORD_VERSION = 1


@dataclass(frozen=True)
class Remembered:
    """One kind of result (`kind` names its cache folder) made with one setting."""

    kind: str
    core_dir: Path | None  # None: the bundled core
    setting: tuple[str, ...]  # everything else the results depend on besides files: the options
    day: str = ""  # the day a result is good for, when it depends on it (review dates): kept in the record, not
    # the key, so each subject has one record, replaced the next day, and the folder does not grow day by day

    def recall(self, *subject: Path) -> object | None:
        """The result last remembered for `subject`, if nothing it was made from has changed."""
        try:
            record = json.loads(self._record_path(subject).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("version") != RECORD_VERSION or "result" not in record:
            return None
        if record.get("day", "") != self.day:
            return None
        inputs = Inputs.from_json(record.get("inputs"))
        return record["result"] if inputs is not None and unchanged(inputs) else None

    def remember(self, subject: tuple[Path, ...], inputs: Inputs, result: object) -> None:
        _prune_once(cache_dir(self.kind))
        record = {"version": RECORD_VERSION, "day": self.day, "inputs": inputs.as_json(), "result": result}
        store(self._record_path(subject), json.dumps(record).encode("utf-8"))

    def _record_path(self, subject: tuple[Path, ...]) -> Path:
        parts = (*(str(Path(path).resolve()) for path in subject), "", *self._setting_parts)
        name = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
        return cache_dir(self.kind) / f"{name}.json"

    @cached_property
    def _setting_parts(self) -> tuple[str, ...]:
        return (core_fingerprint(self.core_dir), toolkit_fingerprint(), *self.setting)


MAX_RECORDS = 5000  # per kind: a few thousand profiles' results, some megabytes at most


@cache
def _prune_once(folder: Path) -> None:
    """Once per run and kind, the oldest records go when there are more than `MAX_RECORDS` (results of
    profiles since deleted or moved, of temporary folders, of options used once): the cache stays bounded."""
    with contextlib.suppress(OSError):
        entries = [(entry.stat().st_mtime, entry.path) for entry in os.scandir(folder) if entry.name.endswith(".json")]
        if len(entries) > MAX_RECORDS:
            for _, path in sorted(entries)[: len(entries) - MAX_RECORDS // 2]:
                with contextlib.suppress(OSError):
                    os.unlink(path)
