"""The diff for other programs: the `PolicyDiff` model as JSON, with a schema version and stable key order."""

from __future__ import annotations

from toolkit.diff.model import PolicyDiff

SUFFIX = ".json"


def report(diff: PolicyDiff, **_: object) -> str:
    return diff.model_dump_json(indent=2) + "\n"
