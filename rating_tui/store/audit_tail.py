"""The end of the audit log (`audit.jsonl`): its last line, and appending lines after it
(a transaction's, or a spilled one's from its staged file), through the `fileio` aliases so
that the power-loss tests see every write. `audit` re-exports these names, which is where
callers and tests use them (`audit.append`, `audit.last_line`, ...).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from rating_tui.store import fileio

LOG_NAME = "audit.jsonl"
_BLOCK = 1 << 20
"""Bytes of lines written to the log at a time (a spilled import's lines are read from a
staged file and written a block at a time, never all at once)."""
_TAIL = 4 * 1024
"""Bytes read from the end of the log first (a save's line is about 500); doubled until the
last line is whole (an import's can pass 1 MB)."""


def log_path(root: Path) -> Path:
    return root / LOG_NAME


def last_line(path: Path) -> tuple[str | None, bool]:
    """(the last complete line, whether a torn fragment follows it)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None, False
    chunk = b""
    with path.open("rb") as handle:
        pos, tail = size, _TAIL
        while pos > 0:
            step = min(tail, pos)
            pos, tail = pos - step, tail * 2
            handle.seek(pos)
            chunk = handle.read(step) + chunk
            body = chunk[: chunk.rfind(b"\n")] if b"\n" in chunk else b""
            if b"\n" in body or (pos == 0 and chunk.rfind(b"\n") >= 0):
                break
    torn = not chunk.endswith(b"\n") and size > 0
    end = chunk.rfind(b"\n")
    if end < 0:
        return None, torn
    start = chunk.rfind(b"\n", 0, end) + 1
    return chunk[start:end].decode("utf-8"), torn


def line_digest(line: str) -> str:
    """sha256 of a stored line (a journal names the last line of its staged lines so)."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def append(root: Path, txn: str, lines: list[str], durable: bool = True) -> None:
    """Append a transaction's lines unless the log already ends with them (recovery after a
    crash), fsynced unless `durable` is False (a save's, whose journal holds them until the
    log is fsynced: `settle.Unsynced.audit`). `lines` may begin with earlier transactions'
    lines, appended without an fsync and carried by this journal: only those the log lacks
    are appended (after the last one it ends with). A torn fragment a crash left at the end
    is cut off first. Through the `fileio` aliases, so the power-loss tests see it."""
    path = log_path(root)
    last, torn = last_line(path)
    if last is not None and last in lines:
        lines = lines[lines.index(last) + 1 :]
    if not lines:
        if durable and last is not None:
            fileio.fsync_file(path)  # (there, maybe appended without an fsync)
        return
    _write_lines(root, [line + "\n" for line in lines], torn, durable)


def append_staged(root: Path, source: Path, last: str) -> None:
    """Append the lines of a staged file of audit lines (a spilled transaction's, one per
    batch: `spilled`) that the log lacks, read and written a block at a time, then fsync
    the log. `last` is the sha256 of the source's last line (`line_digest`): a log that
    already ends with it has them all. A log that ends with another of them (an append cut
    short) gets those after it; any other, all of them."""
    path = log_path(root)
    end, torn = last_line(path)
    if end is not None and line_digest(end) == last:
        fileio.fsync_file(path)  # (there, maybe not yet durable)
        return
    skip = 0
    if end is not None:
        for number, line in enumerate(_staged_lines(source), 1):
            if line == end:
                skip = number
                break
    lines = (line + "\n" for n, line in enumerate(_staged_lines(source), 1) if n > skip)
    _write_lines(root, lines, torn, True)


def _staged_lines(source: Path) -> Iterator[str]:
    try:
        with source.open("rb") as handle:
            for raw in handle:
                if raw.endswith(b"\n"):
                    yield raw[:-1].decode("utf-8")
    except OSError as exc:
        raise fileio.write_error(exc, source, "read the audit lines of the change in") from None


def _write_lines(root: Path, lines: Iterable[str], torn: bool, durable: bool) -> None:
    """Append `lines` (each ending with a newline) to the log, a block at a time, after
    cutting off a torn fragment; fsynced when `durable`."""
    path = log_path(root)
    created = not path.exists()
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = fileio._open(path, flags | (os.O_CREAT | os.O_EXCL if created else 0), 0o600)
    except OSError as exc:
        raise fileio.write_error(exc, path, "append to the audit log") from None
    try:
        if torn:
            with path.open("rb") as handle:
                data = handle.read()
            keep = data.rfind(b"\n") + 1
            os.ftruncate(fd, keep)
        block: list[str] = []
        size = 0
        for line in lines:
            block.append(line)
            size += len(line)
            if size >= _BLOCK:
                _write_all(fd, "".join(block).encode("utf-8"))
                block, size = [], 0
        if block:
            _write_all(fd, "".join(block).encode("utf-8"))
        if durable:
            fileio._fsync(fd)
    except OSError as exc:
        raise fileio.write_error(exc, path, "append to the audit log") from None
    finally:
        os.close(fd)
    if created:
        fileio.fsync_dir(root)  # (a new log: made durable now, its lines at the next settle)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[fileio._write(fd, view) :]
