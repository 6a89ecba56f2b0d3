"""Durable, private file primitives: the only place the store touches the file system.

A write goes to a temp file beside the target, is flushed and fsynced, `os.replace`d over the
target, and the folder is fsynced: a crash at any moment leaves the old file or the new one,
never half of one, and a returned write survives a power cut. Files are created 0600 and
folders 0700 by the call that creates them (never chmod-ed afterwards), so clinical data is
not readable by other users even for an instant. OS errors become `StoreError`s that say what
happened in words; a failed write leaves the previous file intact (or, written in place, a
file its journal writes again).

`_open`, `_write`, `_pwrite`, `_ftruncate`, `_fsync`, `_replace`, `_exchange` and `_unlink`
are module-level aliases through which every change to a data folder goes, so tests can inject
faults (a full disk, a read-only folder) and record every operation (the power-loss
simulation) without patching the `os` module for the whole process. A write is atomic
(above) except `write_in_place`, for the files a journal holds and recovery writes whatever
they hold (`journal.in_place`).

Reads are bounded (`read_bytes`, `MAX_FILE_BYTES`: in `reading`, re-exported here); the
exchange of two names is Linux's `renameat2` (`renameat`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from rating_tui.store.errors import StoreWriteError
from rating_tui.store.reading import MAX_FILE_BYTES as MAX_FILE_BYTES
from rating_tui.store.reading import read_bytes as read_bytes
from rating_tui.store.renameat import NO_EXCHANGE, exchange_names

TEMP_SUFFIX = ".tmp"
STAGED_SUFFIX = ".staged"
"""Files written by a transaction before its journal commits it (see `transaction`)."""
FILE_MODE = 0o600
DIR_MODE = 0o700

_open = os.open
_write = os.write
_pwrite = getattr(os, "pwrite", None)
_ftruncate = os.ftruncate
_fsync = os.fsync
_replace = os.replace
_unlink = os.unlink

_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
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


def _write_all(fd: int, data: bytes, *, fsync: bool = True) -> None:
    """Write every byte of `data` to `fd`, fsync it (unless told not to) and close it
    (through the aliases)."""
    try:
        view = memoryview(data)
        while view:
            view = view[_write(fd, view) :]
        if fsync:
            _fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Create `path` (it must not exist) with `data`, fsynced, mode 0600, without renaming
    it anywhere: a transaction's staged file. The folder is not fsynced here. `durable=False`:
    not fsynced either (a spilled transaction's, fsynced once at its commit, `spilled`)."""
    try:
        fd = _open(path, _FLAGS, FILE_MODE)
    except OSError as exc:
        raise write_error(exc, path) from None
    try:
        _write_all(fd, data, fsync=durable)
    except OSError as exc:
        discard(path)
        raise write_error(exc, path) from None
    except BaseException:
        discard(path)
        raise


def write_in_place(path: Path, data: bytes) -> bool:
    """Overwrite the existing file `path` with `data` where it is, without an fsync: written
    from the start, then cut to the new size (never truncated to zero first: on ext4 that,
    like a rename over an existing file, makes the kernel write the file's data at once, about
    the cost of an fsync). Only for a file whose content a durable journal holds and whose
    recovery writes it whatever it holds (`journal.in_place`): a power cut can leave any mix of
    its old and new bytes. False, with nothing written, when it is not there as a regular file
    with a single link (missing, a link, another link to it elsewhere, or no `pwrite` on this
    system): the caller replaces it instead."""
    if _pwrite is None:
        return False
    flags = os.O_WRONLY | _CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = _open(path, flags)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENXIO, errno.EISDIR):
            return False
        raise write_error(exc, path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            return False
        view = memoryview(data)
        offset = 0
        while offset < len(data):
            offset += _pwrite(fd, view[offset:], offset)
        if info.st_size > len(data):
            _ftruncate(fd, len(data))
    except OSError as exc:  # (the file may now hold part of `data`: its journal has it all)
        raise StoreWriteError(
            f"Could not write {path} in place ({exc.strerror or exc}).", path, exc.errno
        ) from None
    finally:
        os.close(fd)
    return True


def replace_raw(source: Path, target: Path) -> None:
    """`os.replace` through the module alias (the caller fsyncs the folder)."""
    _replace(source, target)


def write_atomic(
    path: Path, data: bytes, temp_dir: Path | None = None, *, durable: bool = True
) -> None:
    """Replace `path` with `data` atomically and durably; a new file gets mode 0600.

    The temp file goes beside `path`, or in `temp_dir` (same file system) when the folder of
    `path` is one that start-up clean-up does not visit. `durable=False` neither fsyncs the
    file nor its folder: only for a file whose content a durable journal holds (see
    `journal`), which writes it again after a power cut; such a file is put in place of the
    previous one by exchanging their names (`_swap`), which costs less than a rename over it
    while the previous one is not durable either."""
    tmp = (temp_dir or path.parent) / f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
    try:
        fd = _open(tmp, _FLAGS, FILE_MODE)
    except OSError as exc:
        raise write_error(exc, path) from None
    try:
        _write_all(fd, data, fsync=durable)
        swapped = not durable and temp_dir is None and _swap(tmp, path)
        if not swapped:
            _replace(tmp, path)
    except OSError as exc:
        discard(tmp)
        raise write_error(exc, path) from None
    except BaseException:
        discard(tmp)
        raise
    if swapped:
        discard(tmp)  # (the old file, now under the temp name; else start-up clean-up)
    if durable:
        fsync_dir(path.parent)


def _swap(tmp: Path, path: Path) -> bool:
    """Put `tmp` in place of the regular file `path` by exchanging their names (one atomic
    step, as `os.replace`: a reader or a power cut sees the old file or the new one), leaving
    the old file under the temp name for the caller to remove. False, with nothing done, when
    `path` is not a regular file (missing: a plain rename gives the new name) or names cannot
    be exchanged here. Why: on ext4 a rename over an existing file costs about an fsync
    (measured, with the files' data not fsynced: 0.13 ms at the median and 3-4 ms in one
    rename of 20 on a lightly loaded disk, 3.7 ms at the median on a busy one, against 0.02 ms
    for the exchange and the removal of the old file). Only for files written without an
    fsync (`write_atomic(durable=False)`): removing an old file whose data was fsynced cost
    as much as the rename over it (2-4 ms on the busy disk)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
    except FileNotFoundError:
        return False
    try:
        _exchange(tmp, path)
    except OSError as exc:
        if exc.errno in NO_EXCHANGE:
            return False
        raise
    return True


_exchange: Callable[[Path, Path], None] = exchange_names
"""Exchanges two names (through this alias, as `_replace`: the power-loss simulation records
it; `renameat.exchange_names`)."""


def fsync_file(path: Path, *, missing_ok: bool = True) -> None:
    """Make the data of an existing file durable (written before without an fsync); a file
    removed since is skipped (its removal is what a later folder fsync makes durable), or,
    without `missing_ok`, an error (a staged file a journal is about to name)."""
    try:
        fd = _open(path, (os.O_RDWR if os.name == "nt" else os.O_RDONLY) | _CLOEXEC)
    except FileNotFoundError as exc:
        if missing_ok:
            return
        raise write_error(exc, path, "make durable") from None
    except OSError as exc:
        raise write_error(exc, path, "make durable") from None
    try:
        _fsync(fd)
    except OSError as exc:
        raise write_error(exc, path, "make durable") from None
    finally:
        os.close(fd)


def fsync_dir(folder: Path, *, missing_ok: bool = False) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be fsynced).
    `missing_ok`: a folder removed since the rename is skipped (its renames went with it)."""
    if os.name == "nt":
        return
    try:
        fd = _open(folder, os.O_RDONLY)
        try:
            _fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno in _UNSUPPORTED or (missing_ok and exc.errno == errno.ENOENT):
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
        names = os.listdir(folder)  # noqa: PTH208  (names, not Paths: thousands of files)
    except FileNotFoundError:
        return []
    for name in names:
        if name.startswith(".") and name.endswith((TEMP_SUFFIX, STAGED_SUFFIX)):
            stale = folder / name
            try:
                _unlink(stale)
            except OSError as exc:
                raise write_error(exc, stale, "remove the leftover temp file") from None
            removed.append(stale)
    return removed


def remove(path: Path, action: str = "remove", *, durable: bool = True) -> None:
    """Delete `path` (a missing file is fine), durably unless `durable=False` (the folder is
    then not fsynced: for a file whose coming back after a power cut does no harm, as a
    finished journal, which is rolled forward again to the same result); errors become
    `StoreWriteError`."""
    try:
        _unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise write_error(exc, path, action) from None
    if durable:
        fsync_dir(path.parent)


def rename(source: Path, target: Path) -> None:
    """Rename within one folder, durably; errors become `StoreWriteError`."""
    try:
        _replace(source, target)
    except OSError as exc:
        raise write_error(exc, source, "rename") from None
    fsync_dir(target.parent)


def discard(tmp: Path) -> None:
    # Best effort: a temp file that cannot be removed now is removed by the next open.
    with contextlib.suppress(OSError):
        _unlink(tmp)


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
