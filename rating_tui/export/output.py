"""Streaming an export into a file atomically: the file appears complete or not at all.

An export of 100,000 ratings streams into `outputs.atomic_output` (a temp file beside the
target, fsynced and renamed over it only when every row is written). Exports hold clinical
data, so the file is private (0600).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from rating_tui import outputs

PRIVATE = 0o600


@contextmanager
def atomic_output(path: Path, mode: int = PRIVATE) -> Iterator[BinaryIO]:
    """`outputs.atomic_output`, private by default."""
    with outputs.atomic_output(path, mode) as handle:
        yield handle


def write_text_chunks(sink: BinaryIO, chunks: Iterable[str]) -> int:
    """Write UTF-8 encoded `chunks` to `sink`; return the number of bytes written."""
    total = 0
    for chunk in chunks:
        data = chunk.encode("utf-8")
        sink.write(data)
        total += len(data)
    return total
