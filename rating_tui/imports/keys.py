"""The first pass's keys of every rating, in sorted runs on disk, so that checking a file of
any size holds a bounded number of them (issue #11).

The first pass of a whole-file import (`passes.first_pass`, `Batch(keep=False)`) leaves, for
each valid record, its rating id, line, a digest of its content and its session facts. Held
in memory they were about 320 bytes a rating (628 MiB peak for a million). Here they go to
sorted runs (`store.spill.SortedRuns`, the pattern the exports use: unnamed temporary files,
gone when closed or when the process ends, whatever way it ends), `RUN` at a time:

- `FileKeys.settle`, after the first pass, merges the runs by (id, line): a later line of an
  id is a repeat when its digest is the first line's, else a conflict (said as a problem of
  that line, as before). The first line of every id is written, in id order, to one more
  unnamed file (`_ids`: the stored ids are matched against it, and a conflict refused by the
  store is given its line), and its session facts to runs by (dyad, line) for the pre-store
  checks (`prestore`), which take one dyad at a time.
- The repeated lines are kept as two arrays of 8-byte integers (line, first line), 16 bytes a
  repeat: a file with no repeat holds none; the second pass skips them in line order.

`most_held` counts the keys held in memory at once (the tests bound it).
"""

from __future__ import annotations

import hashlib
import marshal
import tempfile
from array import array
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from rating_tui.ratings.checks import SessionFacts
from rating_tui.store.spill import Key, SortedRuns

RUN = 16_384
"""Keys held before they are written out as a sorted run (a few MiB)."""
BLOCK = 1024
"""(id, line) pairs of the id file written or read at a time."""

Facts = tuple[str, str, str | None, int | None, int | None, str, str]
"""SessionFacts as a tuple (the day as its ordinal), for marshal."""


def pack_facts(found: SessionFacts) -> Facts:
    day = found.day.toordinal() if found.day is not None else None
    return (found.id, found.instrument_id, found.dyad, found.number, day, found.rater, found.status)


def unpack_facts(packed: Facts) -> SessionFacts:
    ident, instrument_id, dyad, number, day, rater, status = packed
    when = date.fromordinal(day) if day is not None else None
    return SessionFacts(ident, instrument_id, dyad, number, when, rater, status)


def line_key(line: int) -> str:
    """A line as a key that sorts as the number does."""
    return f"{line:012d}"


class Held:
    """Keys held for one `SortedRuns`, written out as a run every `RUN`."""

    def __init__(self, counter: FileKeys, sealed: bool = False) -> None:
        self.runs: SortedRuns[Any] = SortedRuns(sealed)
        self.keys: list[Key] = []
        self.results: list[Any] = []
        self._counter = counter

    def add(self, key: Key, result: Any) -> None:
        self.keys.append(key)
        self.results.append(result)
        self._counter.held(1)
        if len(self.keys) >= RUN:
            self._counter.held(-len(self.keys))
            self.runs.spill(self.keys, self.results)

    def drain(self) -> Iterator[Any]:
        """Every result in key order; the held ones are let go."""
        self._counter.held(-len(self.keys))
        yield from self.runs.drain(self.keys, self.results)

    def close(self) -> None:
        self.keys.clear()
        self.results.clear()
        self.runs.close()


class FileKeys:
    """The keys of a file's valid records, in sorted runs; `settle` once the file is read."""

    def __init__(self) -> None:
        self._now = 0
        self.most_held = 0
        """The most keys held in memory at once (the tests bound it)."""
        self._by_id = Held(self)
        self.by_dyad = Held(self)
        """Session facts of each rating to store, by (dyad, line) (`prestore`)."""
        self._ids: IO[bytes] | None = None
        self.count = 0
        """Ratings to store (repeats left out), known once settled."""
        self.dyads: set[str] = set()
        """The dyads named by the ratings (what the pre-store checks read of the store)."""
        self.repeat_lines = array("q")
        self.repeat_firsts = array("q")
        self.last_line = 0
        self.sum = 0
        """A sum of a digest of every (line, id) to store: the second pass must see the same."""

    def held(self, change: int) -> None:
        self._now += change
        self.most_held = max(self.most_held, self._now)

    def add(self, line: int, rating_id: str, digest: bytes, found: SessionFacts) -> None:
        """One valid record's keys."""
        self._by_id.add((rating_id, line_key(line), ""), (line, digest, pack_facts(found)))
        self.last_line = max(self.last_line, line)
        if found.dyad is not None:
            self.dyads.add(found.dyad)

    def settle(self) -> list[tuple[int, int, str]]:
        """Merge the runs by id: the repeats kept, the first line of each id written to the
        id file and its facts to the runs by dyad. Returns the conflicts (line, first line,
        id) in line order: a later line of an id with other content."""
        conflicts: list[tuple[int, int, str]] = []
        repeats: list[tuple[int, int]] = []
        ids: list[tuple[str, int]] = []
        out = self._ids = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close)
        current: str | None = None
        first_line, first_digest = 0, b""
        for line, digest, facts in self._by_id.drain():
            rating_id = facts[0]
            if rating_id == current:
                if digest == first_digest:
                    repeats.append((line, first_line))
                else:
                    conflicts.append((line, first_line, rating_id))
                continue
            current, first_line, first_digest = rating_id, line, digest
            self.count += 1
            self.sum += checksum(line, rating_id)
            group = facts[2] or ""
            self.by_dyad.add((group, line_key(line), ""), (group, line, facts))
            ids.append((rating_id, line))
            if len(ids) >= BLOCK:
                _write_block(out, ids)
        _write_block(out, ids)
        self._by_id.close()
        repeats.sort()
        self.repeat_lines.extend(line for line, _ in repeats)
        self.repeat_firsts.extend(first for _, first in repeats)
        conflicts.sort()
        return conflicts

    def ids(self) -> Iterator[tuple[str, int]]:
        """(rating id, its first line) of every rating to store, in id order."""
        if self._ids is None:
            return
        file = self._ids
        file.seek(0)
        while header := file.read(8):
            yield from marshal.loads(file.read(int.from_bytes(header, "little")))

    def stored_lines(self, stored_ids: Held) -> Lines:
        """The lines of the file's ratings whose id is among `stored_ids` (runs of ids,
        merged against the id file); the runs are let go."""
        found = Lines(self.last_line)
        ours = self.ids()
        mine = next(ours, None)
        try:
            for rating_id in stored_ids.drain():
                while mine is not None and mine[0] < rating_id:
                    mine = next(ours, None)
                if mine is not None and mine[0] == rating_id:
                    found.add(mine[1])
        finally:
            stored_ids.close()
        return found

    def close(self) -> None:
        """Let every run and file go (also on a refusal or an interrupt)."""
        self._by_id.close()
        self.by_dyad.close()
        if self._ids is not None:
            self._ids.close()
            self._ids = None

    def repeats(self) -> Iterator[tuple[int, int]]:
        """(line, earlier line) of every repeated record, in line order."""
        return zip(self.repeat_lines, self.repeat_firsts, strict=True)


class Lines:
    """A set of line numbers as one bit each (a file's every line: 125 KB a million)."""

    def __init__(self, last: int) -> None:
        self._bits = bytearray(last // 8 + 1)
        self.count = 0

    def add(self, line: int) -> None:
        if line not in self:
            self._bits[line >> 3] |= 1 << (line & 7)
            self.count += 1

    def __contains__(self, line: int) -> bool:
        return 0 <= line >> 3 < len(self._bits) and bool(self._bits[line >> 3] & (1 << (line & 7)))


def checksum(line: int, rating_id: str) -> int:
    """A digest of one (line, id) as a number (summed: the order does not count)."""
    data = f"{line}:{rating_id}".encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=16).digest(), "little")


def _write_block(out: IO[bytes], ids: list[tuple[str, int]]) -> None:
    if ids:
        data = marshal.dumps(ids)
        out.write(len(data).to_bytes(8, "little"))
        out.write(data)
        ids.clear()
