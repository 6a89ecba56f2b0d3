"""Durable, private file primitives: the only place the store touches the file system.

A write goes to a temp file beside the target, is flushed and fsynced, `os.replace`d over the
target, and the folder is fsynced: a crash at any moment leaves the old file or the new one,
never half of one, and a returned write survives a power cut. Files are created 0600 and
folders 0700 by the call that creates them (never chmod-ed afterwards), so clinical data is
not readable by other users even for an instant. OS errors become `StoreError`s that say what
happened in words; a failed write always leaves the previous file intact.

`_open`, `_write` and `_fsync` are module-level aliases so tests can inject faults (a full
disk, a read-only folder) without patching the `os` module for the whole process.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from rating_tui.store.errors import StoreReadError, StoreWriteError

TEMP_SUFFIX = ".tmp"
FILE_MODE = 0o600
DIR_MODE = 0o700

_open = os.open
_write = os.write
_fsync = os.fsync

_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)
_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EISDIR}


def make_private_dir(path: Path) -> None:
    """Create `path` and any missing parents with mode 0700 (existing folders are left as
    they are; `doctor` reports loose permissions rather than silently changing them)."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(DIR_MODE)
        except FileExistsError:
            continue
        except OSError as exc:
            raise write_error(exc, folder, "create the folder") from None
    if not path.is_dir():
        raise StoreWriteError(f"{path} exists but is not a folder", path)


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        with path.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreReadError(f"cannot read {path}: {exc.strerror or exc}") from None


def write_atomic(path: Path, data: bytes, temp_dir: Path | None = None) -> None:
    """Replace `path` with `data` atomically and durably; a new file gets mode 0600.

    The temp file goes beside `path`, or in `temp_dir` (same file system) when the folder of
    `path` is one that start-up clean-up does not visit."""
    tmp = (temp_dir or path.parent) / f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
    try:
        fd = _open(tmp, _FLAGS, FILE_MODE)
    except OSError as exc:
        raise write_error(exc, path) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[_write(fd, view) :]
            _fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(path)
    except OSError as exc:
        _discard(tmp)
        raise write_error(exc, path) from None
    except BaseException:
        _discard(tmp)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be fsynced)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            _fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            return
        raise StoreWriteError(
            f"The change to {folder} was made, but it could not be confirmed on disk "
            f"({exc.strerror or exc}): it may be lost if the computer loses power now. "
            "Check the disk, then save again.",
            folder,
            exc.errno,
        ) from None


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temp files a crashed write left in `folder`. Call only while holding the store
    lock: then no write is in progress, so every temp file is stale."""
    removed = []
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    for stale in entries:
        if stale.name.startswith(".") and stale.name.endswith(TEMP_SUFFIX):
            try:
                stale.unlink()
            except OSError as exc:
                raise write_error(exc, stale, "remove the leftover temp file") from None
            removed.append(stale)
    return removed


def remove(path: Path, action: str = "remove") -> None:
    """Delete `path` durably (a missing file is fine); errors become `StoreWriteError`."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise write_error(exc, path, action) from None
    fsync_dir(path.parent)


def rename(source: Path, target: Path) -> None:
    """Rename within one folder, durably; errors become `StoreWriteError`."""
    try:
        source.replace(target)
    except OSError as exc:
        raise write_error(exc, source, "rename") from None
    fsync_dir(target.parent)


def _discard(tmp: Path) -> None:
    # Best effort: a temp file that cannot be removed now is removed by the next open.
    with contextlib.suppress(OSError):
        tmp.unlink()


def write_error(exc: OSError, path: Path, action: str = "save to") -> StoreWriteError:
    """A `StoreWriteError` that says in words why `action path` failed."""
    code = exc.errno
    unchanged = "Nothing was changed: the previous data is intact."
    if code in (errno.ENOSPC, errno.EDQUOT):
        why = f"the disk is full. {unchanged} Free some space and try again."
    elif code == errno.EROFS:
        why = (
            f"the folder is on a read-only file system. {unchanged} "
            "Choose a writable data folder with --data or $RATING_TUI_DATA."
        )
    elif code in (errno.EACCES, errno.EPERM):
        why = f"permission denied (you cannot write in {path.parent}). {unchanged}"
    else:
        why = f"{exc.strerror or exc}. {unchanged}"
    return StoreWriteError(f"Could not {action} {path}: {why}", path, code)
