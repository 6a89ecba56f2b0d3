"""Streaming an export into a file atomically: the file appears complete or not at all.

`fileio.atomic_write_bytes` wants the whole content in memory; an export of 100,000 ratings
streams instead, into a temp file beside the target that is fsynced and renamed over it only
when every row is written. Exports hold clinical data, so the file is private (0600).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PRIVATE = 0o600


@contextmanager
def atomic_output(path: Path, mode: int = PRIVATE) -> Iterator[BinaryIO]:
    """A binary file to write; on success it replaces `path`, on any error it vanishes."""
    folder = path.parent if str(path.parent) else Path()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # not every platform can fsync a folder
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_text_chunks(sink: BinaryIO, chunks: Iterable[str]) -> int:
    """Write UTF-8 encoded `chunks` to `sink`; return the number of bytes written."""
    total = 0
    for chunk in chunks:
        data = chunk.encode("utf-8")
        sink.write(data)
        total += len(data)
    return total
