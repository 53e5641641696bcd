"""Writing outputs so that nothing already there is lost: stage every file, then swap them in.

A failed or interrupted build leaves the previous outputs as they were; a build running at the same time waits for
the folder's lock instead of interleaving its files with ours.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from pathlib import Path

from filelock import FileLock, Timeout

from toolkit.errors import OutputError, Problem

LOCK_TIMEOUT_SECONDS = 300


def publish(files: dict[Path, bytes], out_dir: Path) -> list[Path]:
    """Write every file atomically into `out_dir`; all of them or, on failure, none of them."""
    prepare_folder(out_dir)
    try:
        with FileLock(lock_file(out_dir), timeout=LOCK_TIMEOUT_SECONDS):
            staged = _stage(files, out_dir)
            for temporary, target in staged:
                os.replace(temporary, target)
    except Timeout:
        raise OutputError(
            Problem(
                f"another build has been writing to this folder for {LOCK_TIMEOUT_SECONDS} s; "
                "try again when it has finished",
                file=out_dir,
            )
        ) from None
    except OSError as error:
        raise OutputError(Problem(f"cannot write here: {_reason(error)}", file=out_dir)) from None
    return list(files)


def lock_file(out_dir: Path) -> Path:
    """One lock per output folder, kept in the temporary folder so that it never clutters the user's folders."""
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"policy-toolkit-{key}.lock"


def prepare_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(Problem("the output folder is a file, not a folder", file=out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(Problem(f"cannot create the output folder: {_reason(error)}", file=out_dir)) from None


def _stage(files: dict[Path, bytes], out_dir: Path) -> list[tuple[Path, Path]]:
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            staged.append((_write_temporary(data, out_dir, target.name), target))
    except BaseException:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise
    return staged


def _write_temporary(data: bytes, out_dir: Path, name: str) -> Path:
    descriptor, temporary_name = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".partial")
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(0o666 & ~_umask())
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return temporary


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (the folder is read-only)"
    return error.strerror or str(error)
