"""Writing the journal over its spare (`write_exchanging`): the journal before the previous
one, kept beside it (`.journal.json.spare.tmp`), is written in place and exchanged with the
previous journal, so no save makes or frees a journal file (see docs/storage.md, "A journal
written over the spare"). Every operation goes through `fileio`'s aliases, looked up at each
call, so the fault and power-loss tests see and patch them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from rating_tui.store import fileio

SPARE_SUFFIX = ".spare" + fileio.TEMP_SUFFIX
"""The file `write_exchanging` writes a journal into (`.journal.json.spare.tmp`): the previous
journal, after the exchange; a temp file like any other (removed on open)."""


def spare_of(path: Path) -> Path:
    return path.with_name(f".{path.name}{SPARE_SUFFIX}")


def write_exchanging(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically and durably, as `write_atomic` does, without
    making a new file nor freeing the replaced one: `data` is written over the spare beside
    it (`spare_of`: the version before the one it replaces, or a new file the first time),
    from its start and cut to size, fsynced, then put in place of `path` by exchanging their
    names (`_swap`; a plain rename where `path` is missing or names cannot be exchanged), and
    the folder fsynced. The replaced version becomes the spare. For the journal, rewritten by
    every save: on ext4 a rename over a file whose data was fsynced (the previous journal,
    freed by the rename) cost about an fsync, and one in 20 several (see docs/storage.md, "A
    journal written over the spare"). A crash before the exchange leaves `path` as it was and
    a spare holding anything (a temp file: never read, removed on open); after it, `path`
    holds `data` (fsynced before), its name durable once the folder is fsynced, as with a
    rename. Without `pwrite`, or when the spare is not a private regular file with one link:
    `write_atomic`."""
    spare = spare_of(path)
    fd = _open_spare(spare)
    if fd is None:
        fileio.write_atomic(path, data)
        return
    try:
        try:
            view = memoryview(data)
            offset = 0
            while offset < len(data):
                offset += fileio._pwrite(fd, view[offset:], offset)  # type: ignore[misc]
            if os.fstat(fd).st_size > len(data):
                fileio._ftruncate(fd, len(data))
            fileio._fsync(fd)
        finally:
            os.close(fd)
        if not fileio._swap(spare, path):
            fileio._replace(spare, path)
    except OSError as exc:
        fileio.discard(spare)
        raise fileio.write_error(exc, path) from None
    except BaseException:
        fileio.discard(spare)
        raise
    fileio.fsync_dir(path.parent)


def _open_spare(spare: Path) -> int | None:
    """A descriptor to write the spare through: the one there (a private regular file with a
    single link, never followed if a link), else a new one; None when neither can be had."""
    if fileio._pwrite is None:
        return None
    flags = (
        os.O_WRONLY | fileio._CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    )
    try:
        fd = fileio._open(spare, flags)
    except FileNotFoundError:
        fd = -1
    except OSError:
        fileio.discard(spare)  # (a link, a folder, a FIFO...: its name only)
        fd = -1
    if fd >= 0:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and not info.st_mode & 0o077:
            return fd
        os.close(fd)
        fileio.discard(spare)
    try:
        return fileio._open(spare, fileio._FLAGS, fileio.FILE_MODE)
    except OSError:
        return None
