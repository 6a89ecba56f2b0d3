"""A whole-file import in two passes, so that its memory does not grow with the file.

The first pass (`first_pass`) reads and checks every record as `read_ratings` does (the same
problems, by the same lines) but keeps no rating: only each rating's keys (its id, line,
session facts for the pre-store checks and a digest of its content for repeated records), in
sorted runs on disk (`keys.FileKeys`: a bounded number in memory), merged once the file is
read to find repeated ids (`Batch.settle`). `FirstPass.close` lets them go (the caller closes
it however the import ends; the runs are unnamed temporary files, gone with the process too).
The second pass (`second_pass`), run only when the first found nothing to refuse, reads the
file again and gives its ratings in batches, for `Store.import_batches` to store in one
transaction. What each pass read is witnessed (the file's identity and a digest of its
bytes); a file that is not the same in the second pass raises `FileChanged` inside the
transaction, which then stores nothing.

JSON Lines are read a line at a time in both passes. The wide CSV and REDCap tables are read
whole (at most `read.MAX_TABLE_BYTES`) and parsed into rows in each pass; their ratings are
then made and given a batch at a time too.

Standard input cannot be read twice: `spooled` copies it once to a private temporary file
(mode 0600), read twice and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from rating_tui.imports.batch import Batch, Known, rating_of
from rating_tui.imports.keys import checksum
from rating_tui.imports.read import Format, Witness, read_ratings, records_of
from rating_tui.ratings.model import Rating

BATCH_SIZE = 10_000
"""Ratings given to the store at a time."""


class FileChanged(Exception):
    """The file read again is not the one the first pass checked."""


@dataclass
class Source:
    """A file to import, as given: its path (a spooled copy of stdin for `-`), format and
    companions, and the name it is shown by."""

    path: Path
    fmt: Format
    name: str
    moments: Path | None = None
    instrument: str | None = None


@dataclass
class FirstPass:
    """What the first pass kept: problems, notes and compact keys (`Batch(keep=False)`),
    and what it read."""

    batch: Batch
    witness: Witness

    def close(self) -> None:
        self.batch.close()

    def __enter__(self) -> FirstPass:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def first_pass(source: Source, known: Known, shown: str | None = None) -> FirstPass:
    """Every record of the file checked, keeping no rating (`shown`: the file's name in
    messages about opening it)."""
    witness = Witness()
    batch = Batch(keep=False)
    try:
        read_ratings(
            source.path,
            source.fmt,
            known,
            moments=source.moments,
            instrument=source.instrument,
            batch=batch,
            witness=witness,
            name=shown,
        )
        batch.settle()
    except BaseException:
        batch.close()
        raise
    return FirstPass(batch, witness)


def second_pass(
    source: Source, known: Known, first: FirstPass, size: int | None = None
) -> Iterator[list[Rating]]:
    """The file's ratings to store (repeats of an earlier identical record left out) in
    batches of `size` (`BATCH_SIZE`), or `FileChanged` when the file is not what the first
    pass read."""
    size = size or BATCH_SIZE
    if not first.witness.same_file(source.path):  # refused before a byte is read again
        raise _changed(source)
    keys = first.batch.keys
    assert keys is not None  # (a first pass keeps its keys)
    repeats = iter(keys.repeat_lines)  # in line order, as the records come
    repeat = next(repeats, None)
    again, scratch = Witness(), Batch()
    batch: list[Rating] = []
    given = total = 0
    try:
        records = records_of(
            source.path, source.fmt, known, scratch, source.moments, source.instrument, again
        )
        if source.fmt != "jsonl" and again != first.witness:  # a table is read whole first
            raise _changed(source)
        for number, data in records:
            while repeat is not None and repeat < number:
                repeat = next(repeats, None)
            if number == repeat:
                continue
            rating = rating_of(data, known)
            if rating is None or scratch.problems:
                raise _changed(source)
            total += checksum(number, rating.id)  # the same (line, id) as the first pass's
            batch.append(rating)
            if len(batch) >= size:
                given += len(batch)
                yield batch
                batch = []
    except (OSError, ValueError) as exc:  # an input refused on opening is a ValueError
        raise FileChanged(
            f"{source.name} cannot be read again ({exc}); nothing was imported"
        ) from None
    count = given + len(batch)
    if again != first.witness or scratch.problems or (count, total) != (keys.count, keys.sum):
        raise _changed(source)
    if batch:
        yield batch


def _changed(source: Source) -> FileChanged:
    return FileChanged(f"{source.name} changed while it was imported; nothing was imported")


@contextmanager
def spooled(stdin: BinaryIO) -> Iterator[Path]:
    """Standard input copied to a private temporary file (0600), removed on the way out."""
    fd, name = tempfile.mkstemp(prefix="rating-tui-import-", suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(stdin, out, 1 << 20)
        yield path
    finally:
        path.unlink(missing_ok=True)
