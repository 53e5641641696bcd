"""Writing outputs so that nothing already there is lost: stage every file, then swap them in.

A failed or interrupted build leaves the previous outputs as they were; a build running at the same time waits for
the folder's lock (`.policy-toolkit.lock` in the output folder) instead of interleaving its files with ours. Before
anything is staged, every target is checked: a folder, symbolic link, device or pipe where an output file should be
is refused, so a profile's files are published all together or not at all. Staged files a killed build left behind
(`.NAME.xxxxxxxx.partial`) are removed by the next build into the folder, while it holds the lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from pathlib import Path

from filelock import FileLock, Timeout

from toolkit.errors import OutputError, Problem

LOCK_TIMEOUT_SECONDS = 300
LOCK_NAME = ".policy-toolkit.lock"
PARTIAL_SUFFIX = ".partial"
# What `_write_temporary` names a staged file: `.` + the target's name + `.` + mkstemp's 8 characters + `.partial`.
STALE_PARTIAL = re.compile(r"^\..+\.[a-z0-9_]{8}\.partial$")


def publish(files: dict[Path, bytes], out_dir: Path, *, locked: bool = True) -> list[Path]:
    """Write every file atomically into `out_dir`; all of them or, on failure, none of them.

    Several files published together (a build's formats) take the folder's lock, so that two builds never mix
    their files; one file alone (a report, a lock file beside a profile) is atomic by itself and leaves no lock
    file in the user's folder, nor do files that no build writes (`locked=False`: a new profile and its schema).
    """
    prepare_folder(out_dir)
    lock = lock_file(out_dir)
    try:
        if len(files) == 1 or not locked:
            _write_all(files, out_dir)
        else:
            with FileLock(lock, timeout=LOCK_TIMEOUT_SECONDS):
                remove_stale_partials(out_dir)
                _write_all(files, out_dir)
    except Timeout:
        raise OutputError(
            Problem(
                f"another build has held this folder's lock ({lock.name}) for {LOCK_TIMEOUT_SECONDS} s; "
                "try again when it has finished, or delete the lock file if no build is running",
                file=lock,
            )
        ) from None
    except OSError as error:
        where = lock if error.filename is not None and str(error.filename) == str(lock) else out_dir
        what = "cannot take the output folder's lock" if where == lock else "cannot write here"
        raise OutputError(Problem(f"{what}: {_reason(error)}", file=where)) from None
    return list(files)


def _write_all(files: dict[Path, bytes], out_dir: Path) -> None:
    for target in files:
        check_target(target)
    _swap_in(_stage(files, out_dir))


def lock_file(out_dir: Path) -> Path:
    """One lock per output folder, inside it: no path another user can predict or plant a link at."""
    return out_dir / LOCK_NAME


def check_target(target: Path) -> None:
    """Refuse to replace anything but a regular file: a folder, a symbolic link, a device or a pipe."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISLNK(mode):
        kind = "a symbolic link"
    else:
        kind = "a device, pipe or socket"
    raise OutputError(
        Problem(
            f"{kind} is in the way of this output file; nothing was written",
            file=target,
            hint="move it away or write somewhere else; a report can go to standard output with `-o -`",
        )
    )


def remove_stale_partials(out_dir: Path) -> list[Path]:
    """Staged files of builds that were killed before they could clean up; only our own names, only files."""
    removed = []
    for entry in os.scandir(out_dir):
        if STALE_PARTIAL.match(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _swap_in(staged: list[tuple[Path, Path]]) -> None:
    """Replace the targets; if one fails, remove what is still staged and say which files were already replaced."""
    done: list[Path] = []
    try:
        for temporary, target in staged:
            os.replace(temporary, target)
            done.append(target)
    except OSError as error:
        for temporary, target in staged:
            if target not in done:
                with contextlib.suppress(OSError):
                    temporary.unlink()
        if done:
            replaced = ", ".join(path.name for path in done)
            raise OutputError(
                Problem(f"only {replaced} replaced before: {_reason(error)}", file=staged[0][1].parent)
            ) from None
        raise


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
