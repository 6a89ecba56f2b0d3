"""Reading files we did not write: instrument files, JSON Lines and CSV imports, REDCap
dictionaries. One discipline for all of them, because each is a way in.

A path is looked at with `stat` (following symlinks) before it is opened, and anything but a
regular file is refused: a link to /dev/zero or /dev/urandom would otherwise be read until
memory runs out, and a FIFO would hang the command. The file is opened without blocking and
checked again on the open descriptor (it may have been swapped meanwhile), then at most the
limit plus one byte is read, so a file that grows, or lies about its size, cannot exceed the
limit either. Every refusal is an `InputRefused` whose `reason` says in words what was found
and what is expected; the caller adds the file's name.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


class InputRefused(ValueError):
    """A file we will not read, with the reason in words (without the file's name)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_kind(name: str, mode: int, expected: str) -> InputRefused:
    kind = _kind(mode)
    if stat.S_ISDIR(mode):
        return InputRefused(name, f"is a folder; expected {expected}")
    return InputRefused(name, f"is {kind}, not a regular file; expected {expected}")


@contextmanager
def open_regular(path: Path, expected: str, name: str | None = None) -> Iterator[BinaryIO]:
    """`path` opened for binary reading, only when it is a regular file (links followed)."""
    shown = name or str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputRefused(shown, "no such file") from None
    except OSError as exc:
        raise InputRefused(shown, f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise _refuse_kind(shown, mode, expected)
    try:  # O_NONBLOCK: a FIFO swapped in after the stat cannot hang the open
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputRefused(shown, f"cannot be read: {exc.strerror or exc}") from None
    handle = os.fdopen(fd, "rb")
    with handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _refuse_kind(shown, mode, expected)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        yield handle


def read_bounded(
    path: Path, limit: int, *, what: str, expected: str, name: str | None = None
) -> bytes:
    """The bytes of regular file `path`, at most `limit` of them, else `InputRefused`.

    `what` names the kind of file in the size message ("an instrument file is at most 1000
    kB"), `expected` in the others ("expected an instrument file (.toml)").
    """
    shown = name or str(path)
    with open_regular(path, expected, shown) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise InputRefused(shown, f"is {_size(size)}; {what} is at most {_limit(limit)}")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise InputRefused(shown, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:  # grew after the stat
        raise InputRefused(shown, f"is over {_limit(limit)}; {what} is at most {_limit(limit)}")
    return data


def decode_text(data: bytes, name: str, expected: str) -> str:
    """UTF-8 text without a leading byte order mark, or `InputRefused` naming the bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputRefused(
            name,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"expected {expected} saved as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def bounded_lines(handle: BinaryIO, max_line: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of each line of `handle`, holding at most `max_line` + 1 bytes at
    a time; a line longer than `max_line` bytes comes as None (and is skipped to its end)."""
    number = 0
    while True:
        line = handle.readline(max_line + 1)
        if not line:
            return
        number += 1
        if len(line) <= max_line or (line.endswith(b"\n") and len(line) == max_line + 1):
            yield number, line
            continue
        while line and not line.endswith(b"\n"):  # skip the rest without holding it
            line = handle.readline(1 << 16)
        yield number, None


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1000:
        return f"{n // 1000} kB"
    return f"{n} bytes"


def _limit(n: int) -> str:
    """A limit in round units: 1000 kB, 16 MB."""
    return (
        f"{n // 1_000_000} MB" if n >= 10_000_000 else _size(n) if n < 1000 else f"{n // 1000} kB"
    )
