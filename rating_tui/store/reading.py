"""Bounded reads of the store's files (`fileio` re-exports them: callers and tests use
`fileio.read_bytes`, which is where a test patches it).

`read_bytes` opens only regular files (a symlink to a device, a FIFO or a folder is refused by
its type, without reading) and refuses files larger than `MAX_FILE_BYTES`, so a damaged or
hostile data folder cannot hang a read or exhaust memory.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from rating_tui.store.errors import StoreReadError

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest data file read (a month of 400 ratings is about 0.5 MB)."""


def read_bytes(path: Path, limit: int | None = None) -> bytes | None:
    """The file's bytes, or None when it does not exist. Only a regular file is read, and
    only up to `limit` bytes (default `MAX_FILE_BYTES`): anything else is a `StoreReadError`
    naming the file and what it is, raised without reading from it."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise StoreReadError(f"{path} is a folder, not a data file; move it aside") from None
        raise StoreReadError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StoreReadError(
                f"{path} is {_kind(info.st_mode)}, not a data file: it was not read. Move it "
                "aside (a data file is always a regular file)."
            )
        if info.st_size > limit:
            raise StoreReadError(
                f"{path} is {info.st_size:,} bytes, more than the {limit:,} a data file may "
                "hold: it was not read. Move it aside and restore it from a backup."
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(info.st_size + 1)  # (a bigger size would be allocated)
            if len(data) > info.st_size:
                data += handle.read(limit + 1 - len(data))
        if len(data) > limit:
            raise StoreReadError(f"{path} grew past {limit:,} bytes while being read")
        return data
    except OSError as exc:
        raise StoreReadError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
