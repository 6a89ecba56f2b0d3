"""Uniting the ratings of several data folders (several clinicians' laptops) by rating id.

For each id: identical copies collapse (duplicates); a copy whose every version already lies
in another copy's history is an older copy of it (superseded); copies that diverged are a
conflict: the most recently updated one wins and every version of the others that it lacks
is added to its history as a revision, so nothing is ever dropped. The result does not depend
on the order of the folders, and merging a merged folder again changes nothing.

Two passes keep memory small: the first reads each folder's ids and counts the copies of
every id through sorted runs on disk (`Copies`); the second streams the folders together in
`key` order, learns each id's count as its copy comes (in each folder's own order, from runs
on disk too) and holds only the copies of an id whose other copies have not come yet.
"""

from __future__ import annotations

import hashlib
import heapq
from array import array
from bisect import bisect_left
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from rating_tui.ratings.model import Rating, Revision
from rating_tui.store.spill import Key, SortedRuns

MERGE_AUTHOR = "rating-tui merge"
SortKey = Callable[[Rating], tuple[int, str, str]]


@dataclass
class Conflict:
    rating_id: str
    sources: list[str]
    kept: str
    """The source whose copy won (the most recently updated)."""


@dataclass
class MergeReport:
    """What a merge did; nothing is dropped without being counted here."""

    read: int = 0
    merged: int = 0
    duplicates: int = 0
    superseded: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"read {self.read}, merged {self.merged}, duplicates {self.duplicates}, "
            f"older copies {self.superseded}, conflicts {len(self.conflicts)}"
        )


@dataclass(frozen=True)
class Source:
    """A named, re-readable stream of ratings (a data folder, a JSON Lines file...)."""

    name: str
    read: Callable[[], Iterable[Rating]]
    ids: Callable[[], Iterable[str]] | None = None
    """The ids `read` would give, in any order, if there is a quicker way to list them (a
    data folder's records, without building a Rating each); None: `read` is used."""
    sealed: bool = False
    """True when the source is encrypted at rest: what the merge writes to disk of it while
    counting (its ids, in runs) is sealed too (`spill.SortedRuns`)."""


def _digest(rating: Rating) -> bytes:
    return hashlib.blake2b(rating.model_dump_json().encode(), digest_size=16).digest()


def merge(sources: Sequence[Source], key: SortKey, report: MergeReport) -> Iterator[Rating]:
    """Every rating of `sources` once, in `key` order, counting into `report` as it goes."""
    for rating, _ in merge_origins(sources, key, report):
        yield rating


def merge_origins(
    sources: Sequence[Source], key: SortKey, report: MergeReport
) -> Generator[tuple[Rating, Rating | None], None, None]:
    """`merge`, each result with the copy of its id that `sources[0]` holds (None: it holds
    none), so a caller merging into `sources[0]` tells new ratings and changed ones apart
    without keeping that folder's ratings aside."""
    if len(sources) == 1:
        for rating in sources[0].read():
            report.read += 1
            report.merged += 1
            yield rating, rating
        return
    copies = Copies.of(sources, report)
    try:
        streams = [_keyed(s, n, key) for n, s in enumerate(sources)]
        pending: dict[str, list[tuple[int, Rating]]] = {}
        for _, n, place, rating in heapq.merge(*streams, key=lambda t: t[0]):
            wanted = copies.count(n, place, rating.id)
            if wanted == 1:
                report.merged += 1
                yield rating, (rating if n == 0 else None)
                continue
            waiting = pending.setdefault(rating.id, [])
            waiting.append((n, rating))
            if len(waiting) == wanted:
                yield _settled(pending.pop(rating.id), sources, report)
        for group in pending.values():  # a folder changed between the passes
            yield _settled(group, sources, report)
    finally:
        copies.close()


RUN = 32_768
"""Ids held while `Copies` counts before they are written out as a sorted run (about 8 MB
of Python objects). Longer runs are fewer, and merging them back holds a block of
`spill.BLOCK` ids per run: 2M ids read make 62 runs, about 5 MB of blocks."""

Place = tuple[int, str, int]
"""(place of a copy in its source's stream, its id, how many copies the id has)."""


class Copies:
    """How many sources hold each id, told to the second pass in each source's own order.

    The first pass gives every id read, with its source and its place (how many ratings the
    source gave before it), to sorted runs on disk keyed by the id (`spill.SortedRuns`):
    merged back, the copies of an id come together and are counted. Each copy of an id held
    more than once goes, with the count, to runs of its own source keyed by its place, which
    the second pass reads back in the order it reads that source (`count`). Memory holds at
    most `RUN` ids at a time, and a block of each run while the runs are read back (one run
    per `RUN` ids: about 5 MB for 2M ids read, 0.6 MB for 200,000), where a count held in
    memory took 8 bytes per id read and 12 per id shared (30 MB for 1M ratings merged into a
    copy of their folder). The disk takes about 100 bytes per id read, in the clear only where
    no source is encrypted (`Source.sealed`); the runs' files are let go when the merge ends
    (`close`), and have no name (gone with the process).

    Each count is checked against the id the second pass reads at that place: if a folder
    changed between the passes (a rating saved in it meanwhile), the copies are counted again
    by their ids' hashes in memory (`Hashed`), so nothing is lost."""

    def __init__(self, sources: Sequence[Source], shared: list[Iterator[Place]]) -> None:
        self._sources = sources
        self._shared = shared
        self._heads = [next(places, None) for places in shared]
        self.hashed: Hashed | None = None
        """The counts of the way of earlier versions, once a folder was seen changed."""

    @classmethod
    def of(cls, sources: Sequence[Source], report: MergeReport) -> Copies:
        sealed = any(source.sealed for source in sources)
        by_id: SortedRuns[tuple[str, int, int]] = SortedRuns(sealed)
        places: list[SortedRuns[Place]] = [SortedRuns(sealed) for _ in sources]
        try:
            return cls(sources, cls._counted(sources, report, by_id, places))
        except BaseException:  # refused or interrupted while counting: no file kept open
            by_id.close()
            for runs in places:
                runs.close()
            raise

    @staticmethod
    def _counted(
        sources: Sequence[Source],
        report: MergeReport,
        by_id: SortedRuns[tuple[str, int, int]],
        places: list[SortedRuns[Place]],
    ) -> list[Iterator[Place]]:
        """Each source's shared ids with their counts, in its order (the first pass)."""
        keys: list[Key] = []
        held: list[tuple[str, int, int]] = []
        for n, source in enumerate(sources):
            for place, rating_id in enumerate(_ids(source)):
                report.read += 1
                keys.append((rating_id, "", ""))
                held.append((rating_id, n, place))
                if len(held) >= RUN:
                    by_id.spill(keys, held)
        place_keys: list[list[Key]] = [[] for _ in sources]
        place_held: list[list[Place]] = [[] for _ in sources]
        waiting = 0
        for rating_id, group in groupby(by_id.drain(keys, held), key=itemgetter(0)):
            copies = list(group)
            if len(copies) == 1:
                continue
            for _, n, place in copies:
                place_keys[n].append((f"{place:012d}", "", ""))
                place_held[n].append((place, rating_id, len(copies)))
            waiting += len(copies)
            if waiting >= RUN:
                for runs, n_keys, n_held in zip(places, place_keys, place_held, strict=True):
                    if n_held:
                        runs.spill(n_keys, n_held)
                waiting = 0
        del keys, held
        return [
            runs.drain(n_keys, n_held)
            for runs, n_keys, n_held in zip(places, place_keys, place_held, strict=True)
        ]

    def count(self, n: int, place: int, rating_id: str) -> int:
        """How many sources held `rating_id` in the first pass, for its copy at `place` of
        `sources[n]` in the second (1: one, or none then)."""
        if self.hashed is not None:
            return self.hashed.count(rating_id)
        head = self._heads[n]
        if head is None or (head[0] > place and head[1] != rating_id):
            return 1
        if head[0] == place and head[1] == rating_id:
            self._heads[n] = next(self._shared[n], None)
            return head[2]
        self.close()  # `sources[n]` changed between the passes: count them again, by hash
        self.hashed = Hashed.of(self._sources, MergeReport())
        return self.hashed.count(rating_id)

    def close(self) -> None:
        """Let the runs' files go (their drains' `finally`)."""
        for places in self._shared:
            if isinstance(places, Generator):
                places.close()
        self._heads = [None for _ in self._heads]


HASHED_RUN = 65_536
"""Hashes sorted at a time while `Hashed` counts (a list of Python ints: about 2.6 MB)."""


class Hashed:
    """How many of the sources hold each id that more than one of them holds, by hash, in
    memory: what `Copies` falls back on when a folder changed between the passes.

    An id is kept as its 64-bit `hash` (a str's hash is the same throughout a process): while
    counting, every id read takes 8 bytes (in sorted runs of `HASHED_RUN`); afterwards only the ids
    held more than once stay, 12 bytes each (hash and count; 12 MB for 1M ratings merged into
    a copy of their folder, nothing for ids held once). Two ids that share a hash (about 3
    chances in 10^8 among 1M ids) only wait for a copy that does not come and are merged at the
    end, as ids of a folder that changed between the passes are: nothing is lost."""

    def __init__(self, hashes: array[int], counts: array[int]) -> None:
        self._hashes, self._counts = hashes, counts

    @classmethod
    def of(cls, sources: Sequence[Source], report: MergeReport) -> Hashed:
        runs: list[array[int]] = []
        run: list[int] = []
        for source in sources:
            for rating_id in _ids(source):
                report.read += 1
                run.append(hash(rating_id))
                if len(run) == HASHED_RUN:
                    runs.append(array("q", sorted(run)))
                    run = []
        runs.append(array("q", sorted(run)))
        del run
        hashes, counts = array("q"), array("I")
        last, seen = 0, 0
        for value in heapq.merge(*runs):
            if seen and value == last:
                seen += 1
                continue
            if seen > 1:
                hashes.append(last)
                counts.append(seen)
            last, seen = value, 1
        if seen > 1:
            hashes.append(last)
            counts.append(seen)
        return cls(hashes, counts)

    def count(self, rating_id: str) -> int:
        """The sources that held `rating_id` in the first pass (1: one, or none then)."""
        value = hash(rating_id)
        at = bisect_left(self._hashes, value)
        if at < len(self._hashes) and self._hashes[at] == value:
            return self._counts[at]
        return 1

    def __len__(self) -> int:
        return len(self._hashes)


def _ids(source: Source) -> Iterable[str]:
    if source.ids is not None:
        return source.ids()
    return (rating.id for rating in source.read())


def _keyed(
    source: Source, n: int, key: SortKey
) -> Iterator[tuple[tuple[int, str, str], int, int, Rating]]:
    for place, rating in enumerate(source.read()):
        yield key(rating), n, place, rating


def _settled(
    group: list[tuple[int, Rating]], sources: Sequence[Source], report: MergeReport
) -> tuple[Rating, Rating | None]:
    """The merged rating of the copies in `group` (source number, copy), with the copy of
    `sources[0]` (None: it held none)."""
    home = next((rating for n, rating in group if n == 0), None)
    return _settle([(sources[n].name, rating) for n, rating in group], report), home


def _settle(group: list[tuple[str, Rating]], report: MergeReport) -> Rating:
    report.merged += 1
    winner, kind, kept = resolve(group)
    distinct = {_digest(r) for _, r in group}
    report.duplicates += len(group) - len(distinct)
    if kind == "conflict":
        sources = sorted({name for name, _ in group})
        report.conflicts.append(Conflict(winner.id, sources, kept))
    else:
        report.superseded += len(distinct) - 1
    return winner


def _versions(rating: Rating) -> set[str]:
    return {e.content.model_dump_json() for e in rating.history()}


def _rank(rating: Rating) -> tuple[str, int, str]:
    return (rating.updated.isoformat(), len(rating.revisions), rating.model_dump_json())


def resolve(group: Sequence[tuple[str, Rating]]) -> tuple[Rating, str, str]:
    """The one rating that keeps everything of the copies in `group` (same id), how they
    related ("same", "superseded": one contains the others, or "conflict"), and the source
    whose copy it is (the first by name among equals)."""
    distinct: dict[str, tuple[str, Rating]] = {}
    for name, rating in sorted(group, key=lambda g: g[0]):
        distinct.setdefault(rating.model_dump_json(), (name, rating))
    if len(distinct) == 1:
        name, only = next(iter(distinct.values()))
        return only, "same", name
    candidates = sorted(distinct.values(), key=lambda c: _rank(c[1]), reverse=True)
    histories = [_versions(r) for _, r in candidates]
    alive = [
        (c, h)
        for n, (c, h) in enumerate(zip(candidates, histories, strict=True))
        if not any(h <= other for m, other in enumerate(histories) if m < n)
        and not any(h < other for other in histories)
    ]
    (winner_source, winner), winner_history = alive[0]
    if len(alive) == 1:
        return winner, "superseded", winner_source
    extra: list[Revision] = []
    known = set(winner_history)
    for (name, loser), _ in alive[1:]:
        for entry in loser.history():
            text = entry.content.model_dump_json()
            if text in known:
                continue
            known.add(text)
            saved = "current" if entry.current else f"version {entry.number}"
            extra.append(
                Revision(
                    at=loser.updated if entry.current else entry.since,
                    by=MERGE_AUTHOR,
                    reason=(
                        f"merge conflict: {saved} of the copy in {name} (updated "
                        f"{loser.updated.isoformat()}); the copy in {winner_source}, updated "
                        "later, was kept"
                    ),
                    action="update",
                    previous=entry.content,
                )
            )
    extra.sort(key=lambda r: r.at)
    return winner.replace(revisions=[*winner.revisions, *extra]), "conflict", winner_source
