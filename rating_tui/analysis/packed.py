"""A block of bootstrap replicates' counts, packed for summing (`bootstrap.replicate_totals`).

A block's counts (replicates x sessions, 32-bit) are turned sessions x replicates with four
replicates' 16-bit counts in each 64-bit word (or two 32-bit ones), so that the counts of a
cell of a pair's table (or of a run of sessions with equal per-session sums) in every
replicate of the block are one gather of its sessions' words and one segmented sum of 64-bit
integers: exact, the same integers as summed one replicate at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
Rows = npt.NDArray[np.integer[Any]]

GATHERED = 1 << 18
"""Counts gathered at a time for the sums of cells or runs (`Packed.sums`; packed four or two
to a 64-bit word: 512 KiB or 1 MiB)."""


class Scratch:
    """The arrays of a block of replicates (counts, packed words, gathered rows), kept from
    one block to the next and written over: made anew each block, they were freed and
    allocated again a thousand times, and the C library's heap grew around them (5-6 MiB
    more resident memory than they hold at 100,000 ratings)."""

    def __init__(self) -> None:
        self.arrays: dict[str, npt.NDArray[Any]] = {}

    def array(self, name: str, shape: tuple[int, ...], dtype: type[Any]) -> npt.NDArray[Any]:
        """An array of `shape` (contents left over), in the space held under `name`."""
        size = math.prod(shape)
        found = self.arrays.get(name)
        if found is None or found.size < size or found.dtype != dtype:
            found = self.arrays[name] = np.empty(size, dtype)
        return found[:size].reshape(shape)


class Packed:
    """A block of replicate counts (replicates x sessions, 32-bit), turned sessions x
    replicates with several replicates' counts in each 64-bit word: 16-bit lanes (four
    replicates a word) while no sum can reach 2**16, else 32-bit ones. A sum of words is
    then the sum of each lane (no lane carries into the next), so a cell's counts in every
    replicate of the block are one gather of its sessions' words and one segmented sum, on
    a quarter of the numbers: exact integers, the same as summed one replicate at a time."""

    def __init__(self, counted: npt.NDArray[np.int32], scratch: Scratch | None = None) -> None:
        self.counted = counted
        self.top = int(counted.max()) if counted.size else 0
        self.words: dict[int, npt.NDArray[np.void]] = {}
        self.scratch = Scratch() if scratch is None else scratch

    def _words(self, bits: int) -> npt.NDArray[np.void]:
        """Each session's counts as one void item of its words (a 1-D gather of whole
        rows), made once a block for each lane width used."""
        found = self.words.get(bits)
        if found is None:
            replicates, sessions = self.counted.shape
            lanes = 64 // bits
            width = -(-replicates // lanes)
            dtype = np.uint16 if bits == 16 else np.uint32
            lane = self.scratch.array(f"lanes {bits}", (sessions, width * lanes), dtype)
            lane[:, :replicates] = self.counted.T
            lane[:, replicates:] = 0
            found = self.words[bits] = lane.view(np.uint64).view(f"V{8 * width}").reshape(-1)
        return found

    def sums(self, rows: Rows, plan: Plan) -> Matrix:
        """The counts of each group of `rows` (laid out by `plan`) summed, in each
        replicate (replicates x groups, float64)."""
        replicates = len(self.counted)
        if not len(rows) or not plan.groups:
            return np.zeros((replicates, plan.groups))
        bound = plan.longest * self.top
        if bound >= 1 << 32:  # a lane could overflow: plain 64-bit sums (not met in practice)
            wide = self.counted.T.astype(np.int64)
            summed = np.add.reduceat(wide[rows], plan.starts, axis=0)
            return np.ascontiguousarray(summed.T, np.float64)
        bits = 16 if bound < 1 << 16 else 32
        words = self._words(bits)
        width = words.itemsize // 8
        total = np.zeros((plan.groups, width), np.uint64)
        longest_chunk = max(end - begin for begin, end, _, _, _ in plan.chunks)
        index = self.scratch.array("index", (longest_chunk,), np.intp)
        into = self.scratch.array("gathered", (longest_chunk * width,), np.uint64).view(words.dtype)
        for begin, end, first, last, bounds in plan.chunks:
            n = end - begin
            # intp indices: numpy turns 16 and 32-bit ones into them anyway, more slowly
            np.copyto(index[:n], rows[begin:end])
            # into the same array each chunk; "clip" (the rows are in range): with "raise",
            # numpy gathers into a buffer of its own and copies it over
            np.take(words, index[:n], out=into[:n], mode="clip")
            gathered = into[:n].view(np.uint64).reshape(n, width)
            total[first:last] += np.add.reduceat(gathered, bounds, axis=0)
        lanes = total.view(np.uint16 if bits == 16 else np.uint32)[:, :replicates]
        return np.ascontiguousarray(lanes.T, dtype=np.float64)


@dataclass(frozen=True)
class Plan:
    """How the rows of groups (group j: rows `starts[j]` to `starts[j + 1]`) are gathered a
    chunk of `chunk` rows at a time: for each chunk its rows, the groups with rows in it and
    where each begins in it (a group may span chunks: its sums are added up), made once for
    every block of replicates."""

    starts: npt.NDArray[np.signedinteger[Any]]
    groups: int
    longest: int
    """The most rows of one group: a sum is at most this times the largest count."""
    chunks: list[tuple[int, int, int, int, npt.NDArray[np.signedinteger[Any]]]]

    @classmethod
    def of(cls, starts: npt.NDArray[np.signedinteger[Any]], rows: int, chunk: int) -> Plan:
        longest = int(np.diff(np.r_[starts, rows]).max()) if len(starts) else 0
        chunks = []
        for begin in range(0, rows if len(starts) else 0, chunk):
            end = min(begin + chunk, rows)
            first = int(np.searchsorted(starts, begin, side="right")) - 1
            last = int(np.searchsorted(starts, end))  # groups first..last-1 have rows here
            chunks.append((begin, end, first, last, np.maximum(starts[first:last], begin) - begin))
        return cls(starts, len(starts), longest, chunks)
