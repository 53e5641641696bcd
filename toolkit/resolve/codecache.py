"""Compiled core clause templates kept between runs, so a command does not compile 100-odd templates each time.

Compiling the core's Jinja templates was about a fifth of a short command's time. The compiled code is kept in
the user's cache folder under a hash of the template's source, its name and file, and the Jinja and Python
versions; only the toolkit writes there, and an entry that cannot be read is compiled again (never an error).
Core templates are the toolkit's own files (or a maintainer's `--core`), never profile text.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from types import CodeType

from toolkit.usercache import cache_dir, store


def compiled_code(source: str, name: str, filename: str, compile_it: Callable[[], CodeType]) -> CodeType:
    key = hashlib.sha256(
        "\0".join((source, name, filename, version("jinja2"), sys.version)).encode("utf-8", "surrogatepass")
    ).hexdigest()
    path = _cache_dir() / f"{key}.code"
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        code = marshal.loads(path.read_bytes())
        if isinstance(code, CodeType):
            return code
    code = compile_it()
    store(path, marshal.dumps(code))
    return code


def _cache_dir() -> Path:
    return cache_dir("templates")
