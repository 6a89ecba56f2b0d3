"""Which reader a file goes to, and how its bytes are read: the one place that touches the
import's input files (a seam for bounded reading and for checks made before storing)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal

from rating_tui.imports.batch import Batch, Known, check
from rating_tui.imports.jsonl import jsonl_records
from rating_tui.imports.wide_csv import wide_records
from rating_tui.inputs import bounded_lines, open_regular, read_bounded
from rating_tui.ratings import limits

MAX_TABLE_BYTES = 512_000_000
"""Bytes of a CSV table read whole (a million ratings of the built-in instrument is ~150 MB)."""

Format = Literal["jsonl", "csv", "redcap"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "redcap")


def guess_format(path: Path) -> Format:
    """csv for a .csv file, JSON Lines otherwise (REDCap records are named with --format)."""
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


class Witness:
    """What one reading saw of each file it read: the file's identity (device, inode, size,
    modification time) when it was read to its end, and a digest of every byte read. The two
    passes of an import each keep one; they must be equal for the second to be stored."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[tuple[int, int, int, int], bytes]] = {}

    def saw(self, key: str, handle: BinaryIO, digest: bytes) -> None:
        st = os.fstat(handle.fileno())
        self.files[key] = ((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns), digest)

    def same_file(self, path: Path) -> bool:
        """Whether `path` is still the file this reading saw, by its identity (not its bytes)."""
        try:
            st = path.stat()
        except OSError:
            return False
        seen = self.files.get(str(path))
        return seen is not None and seen[0] == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Witness) and other.files == self.files

    __hash__ = None  # type: ignore[assignment]


class _Hashing:
    """A binary handle whose every byte read goes into a digest."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.blake2b(digest_size=32)

    def readline(self, size: int = -1) -> bytes:
        line = self.handle.readline(size)
        self.digest.update(line)
        return line


def lines_of(
    path: Path, witness: Witness | None = None, name: str | None = None
) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of each line of `path`, None for a line over the size limit.
    Only a regular file is opened (see `rating_tui.inputs`); `witness` keeps what was read."""
    with open_regular(path, "a JSON Lines file (one rating per line)", name) as handle:
        hashing = _Hashing(handle)
        yield from bounded_lines(hashing, limits.MAX_LINE_BYTES)  # type: ignore[arg-type]
        if witness is not None:
            witness.saw(str(path), handle, hashing.digest.digest())


def text_of(
    path: Path,
    what: str = "a CSV file",
    witness: Witness | None = None,
    name: str | None = None,
) -> str:
    """The whole UTF-8 text of `path`, or a ValueError in words."""
    data = read_bounded(path, MAX_TABLE_BYTES, what="a table to import", expected=what, name=name)
    if witness is not None:
        with open_regular(path, what, name) as handle:
            witness.saw(str(path), handle, hashlib.blake2b(data, digest_size=32).digest())
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{name or path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from None


def read_ratings(
    path: Path,
    fmt: Format,
    known: Known,
    *,
    moments: Path | None = None,
    instrument: str | None = None,
    batch: Batch | None = None,
    witness: Witness | None = None,
    name: str | None = None,
) -> Batch:
    """Every rating of the file in `fmt`, checked, with every problem by line, into `batch`
    when given (`Batch(keep=False)`: only compact keys of each rating). `witness` keeps what
    was read of each file; `name` is the file as the user named it (`-`: stdin, spooled)."""
    batch = Batch() if batch is None else batch
    for line, data in records_of(path, fmt, known, batch, moments, instrument, witness, name):
        check(batch, line, data, known)
    return batch


def records_of(
    path: Path,
    fmt: Format,
    known: Known,
    batch: Batch,
    moments: Path | None = None,
    instrument: str | None = None,
    witness: Witness | None = None,
    name: str | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record in `Rating`'s JSON form) of each record of the file that can be read as
    one, not checked yet; the problems of the others go to `batch`. A JSON Lines file is read
    a line at a time, a table whole."""
    if moments is not None and fmt != "csv":
        raise ValueError("--moments goes with a wide CSV file (--format csv)")
    if instrument is not None and fmt != "redcap":  # it was passed over without a word
        raise ValueError(
            f"--instrument goes with --format redcap; a {fmt} file names each rating's "
            "instrument itself"
        )
    if fmt == "jsonl":
        return jsonl_records(lines_of(path, witness, name), batch)
    if fmt == "csv":
        extra = (
            text_of(moments, "a now-moments CSV table", witness) if moments is not None else None
        )
        return wide_records(text_of(path, witness=witness, name=name), known, extra, batch)
    from rating_tui.imports.redcap_records import redcap_records

    if instrument is None:
        raise ValueError("--format redcap needs --instrument ID@VERSION (the records' form)")
    return redcap_records(text_of(path, witness=witness, name=name), known, instrument, batch)
