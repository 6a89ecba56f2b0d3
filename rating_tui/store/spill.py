"""A month's read results in sorted order, with a bounded amount of them in memory.

An export gives a month's ratings sorted, so it holds the month's results (a CSV row's text,
a JSON line: about 0.3 to 0.8 kB each) until the month is read. A busy month of a
million-rating folder holds 40,000 of them, 33 MiB of JSON lines, and the export's memory
would follow the month. `SortedRuns` keeps at most `BUDGET` bytes (estimated) of results: past
it, the results held are sorted and written as one run to an unnamed temporary file, in
blocks of about `BLOCK` bytes, and the month is merged back from the runs a block per run at
a time (an external merge sort). A month under the budget never touches a file, so a
clinician's folder and a 100,000-rating folder read as before.

The runs hold ratings in the clear only where the folder does: for an encrypted folder each
block is sealed with a key made for this one read and never stored, so what reaches the disk
cannot be read after the process ends. The file has no name (the system's unnamed temporary
file where it has one) and is gone when closed, or when the process dies.

Equal keys keep the order they were added in (a sequence number breaks the tie), as the
stable sort of an unspilled month does.
"""

from __future__ import annotations

import heapq
import marshal
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any, Generic, TypeVar

_T = TypeVar("_T")
Key = tuple[str, str, str]
Entry = tuple[Key, int, Any]

BUDGET = 8 * 2**20
"""Bytes of results (estimated) held before they are written out as a run."""
BLOCK = 256 * 2**10
"""Bytes of a run read back at a time, per run, during the merge."""
OVERHEAD = 320
"""Bytes a held result costs beyond its text: its key (three short texts), the entry."""


def size_of(result: object) -> int:
    """Estimated bytes held for `result`: its text, or the text heading a tuple."""
    if type(result) is tuple and result:
        result = result[0]
    return OVERHEAD + (len(result) if isinstance(result, str | bytes) else 0)


class SortedRuns(Generic[_T]):
    """Results added with their sort keys, given back in key order by `drain`."""

    def __init__(self, sealed: bool = False, budget: int | None = None) -> None:
        self._sealed = sealed
        self._budget = BUDGET if budget is None else budget
        self._held: list[Entry] = []
        self._bytes = 0
        self._seq = 0
        self._file: IO[bytes] | None = None
        self._runs: list[tuple[int, int]] = []
        """(offset, length) of each run in the file."""
        self._seal: Callable[[bytes], bytes] = _same
        self._open: Callable[[bytes], bytes] = _same
        self.spilled = 0
        """Runs written so far (counted by the tests)."""

    def add(self, key: Key, result: _T) -> None:
        self._held.append((key, self._seq, result))
        self._seq += 1
        self._bytes += size_of(result)
        if self._bytes > self._budget:
            self._spill()

    def drain(self) -> Iterator[_T]:
        """Every result added, in key order; the held ones and the file are let go."""
        held, self._held = self._held, []
        held.sort(key=_entry_key)
        if not self._runs:
            for entry in held:
                yield entry[2]
            return
        try:
            runs = [self._read_run(offset, length) for offset, length in self._runs]
            for entry in heapq.merge(*runs, held, key=_entry_key):
                yield entry[2]
        finally:
            self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._runs = []

    def _spill(self) -> None:
        held, self._held = self._held, []
        self._bytes = 0
        held.sort(key=_entry_key)
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by drain or close)
            if self._sealed:
                from rating_tui.store.crypto import SealedCodec

                codec = SealedCodec(os.urandom(32))
                self._seal, self._open = codec.encode, codec.decode
        out = self._file
        start = out.seek(0, os.SEEK_END)
        block: list[Entry] = []
        size = 0
        for entry in held:
            block.append(entry)
            size += size_of(entry[2])
            if size >= BLOCK:
                self._write_block(out, block)
                block, size = [], 0
        if block:
            self._write_block(out, block)
        self._runs.append((start, out.tell() - start))
        self.spilled += 1

    def _write_block(self, out: IO[bytes], block: list[Entry]) -> None:
        data = self._seal(marshal.dumps(block))
        out.write(len(data).to_bytes(8, "little"))
        out.write(data)

    def _read_run(self, offset: int, length: int) -> Iterator[Entry]:
        end = offset + length
        while offset < end:
            file = self._file
            assert file is not None
            file.seek(offset)  # runs are read in turns: each block from its own place
            size = int.from_bytes(file.read(8), "little")
            data = file.read(size)
            offset += 8 + size
            yield from marshal.loads(self._open(data))


def _same(data: bytes) -> bytes:
    return data


def _entry_key(entry: Entry) -> tuple[Key, int]:
    return entry[0], entry[1]
