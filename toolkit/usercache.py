"""The per-user cache (`$XDG_CACHE_HOME/policy-toolkit`, else `~/.cache/policy-toolkit`): one place for its folder
and for writing into it, shared by the font subsets, the compiled core templates and the Word template checks.

Everything here is best effort: a cache that cannot be read or written only means doing the work again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def cache_dir(kind: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policy-toolkit" / kind


def store(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically (a reader never sees half a file); failures are ignored."""
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, suffix=".partial")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            raise
