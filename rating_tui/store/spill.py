"""A month's read results in sorted order, with a bounded amount of them in memory.

An export gives a month's ratings sorted, so it holds the month's results (a CSV row's text,
a JSON line: about 0.3 to 0.8 kB each) until the month is read. A busy month of a
million-rating folder holds 40,000 of them, 33 MiB of JSON lines, and the export's memory
would follow the month. Past `RUN` results, those held are sorted and written as one run to
an unnamed temporary file (`SortedRuns.spill`), in blocks of `BLOCK` results, and the month is
merged back from its runs a block per run at a time (an external merge sort). A month under
`RUN` never touches a file and is sorted as before, so a clinician's folder and a
100,000-rating folder read as they did.

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
from typing import IO, Generic, TypeVar

_T = TypeVar("_T")
Key = tuple[str, str, str]

RUN = 8192
"""Results held before they are written out as a run: 2.5 to 7 MiB of CSV rows or JSON lines
with their keys. A month of a 100,000-rating `demo-data` folder (at most 4,400) never spills."""
BLOCK = 256
"""Results of a run read back at a time, per run, during the merge."""


class SortedRuns(Generic[_T]):
    """A month's results beyond `RUN`, in sorted runs on disk. The caller keeps the results
    it holds in two lists (keys, results): the usual month never leaves them and is sorted
    as before, by position, in C."""

    def __init__(self, sealed: bool = False) -> None:
        self._sealed = sealed
        self._file: IO[bytes] | None = None
        self._runs: list[tuple[int, int]] = []
        """(offset, length) of each run in the file."""
        self._seq = 0
        """Results written so far: the sequence number of the next one (ties keep order)."""
        self._seal: Callable[[bytes], bytes] = _same
        self._open: Callable[[bytes], bytes] = _same
        self.spilled = 0
        """Runs written so far (counted by the tests)."""

    def spill(self, keys: list[Key], results: list[_T]) -> None:
        """Write the held results as one sorted run, and empty both lists."""
        entries = self._entries(keys, results)
        keys.clear()
        results.clear()
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by drain or close)
            if self._sealed:
                from rating_tui.store.crypto import SealedCodec

                codec = SealedCodec(os.urandom(32))
                self._seal, self._open = codec.encode, codec.decode
        out = self._file
        start = out.seek(0, os.SEEK_END)
        for at in range(0, len(entries), BLOCK):
            data = self._seal(marshal.dumps(entries[at : at + BLOCK]))
            out.write(len(data).to_bytes(8, "little"))
            out.write(data)
        self._runs.append((start, out.tell() - start))
        out.flush()  # a run leaves the process whole (and its memory with it)
        self.spilled += 1

    def drain(self, keys: list[Key], results: list[_T]) -> Iterator[_T]:
        """Every result, the runs' and the held ones, in key order (equal keys in the order
        they came); the file is let go at the end."""
        if not self._runs:
            # A stable sort of the positions: equal keys (a rating in two files) keep order.
            for index in sorted(range(len(keys)), key=keys.__getitem__):
                yield results[index]
            return
        try:
            held = self._entries(keys, results)
            runs = [self._read_run(offset, length) for offset, length in self._runs]
            # (key, sequence number, result): the numbers differ, so results are never compared.
            for entry in heapq.merge(*runs, held):
                yield entry[2]
        finally:
            self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._runs = []

    def _entries(self, keys: list[Key], results: list[_T]) -> list[tuple[Key, int, _T]]:
        first = self._seq
        self._seq += len(keys)
        pairs = enumerate(zip(keys, results, strict=True))
        entries = [(key, first + n, result) for n, (key, result) in pairs]
        entries.sort()
        return entries

    def _read_run(self, offset: int, length: int) -> Iterator[tuple[Key, int, _T]]:
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
