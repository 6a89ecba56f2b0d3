"""Uniting the ratings of several data folders (several clinicians' laptops) by rating id.

For each id: identical copies collapse (duplicates); a copy whose every version already lies
in another copy's history is an older copy of it (superseded); copies that diverged are a
conflict: the most recently updated one wins and every version of the others that it lacks
is added to its history as a revision, so nothing is ever dropped. The result does not depend
on the order of the folders, and merging a merged folder again changes nothing.

Two passes keep memory small: the first reads each folder's ids to count the copies of every
id (`Copies`: only ids held more than once are kept, as 12 bytes each); the second streams the
folders together in `key` order and holds only the copies of an id whose other copies have not
come yet.
"""

from __future__ import annotations

import hashlib
import heapq
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from rating_tui.ratings.model import Rating, Revision

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


def _digest(rating: Rating) -> bytes:
    return hashlib.blake2b(rating.model_dump_json().encode(), digest_size=16).digest()


def merge(sources: Sequence[Source], key: SortKey, report: MergeReport) -> Iterator[Rating]:
    """Every rating of `sources` once, in `key` order, counting into `report` as it goes."""
    for rating, _ in merge_origins(sources, key, report):
        yield rating


def merge_origins(
    sources: Sequence[Source], key: SortKey, report: MergeReport
) -> Iterator[tuple[Rating, Rating | None]]:
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
    streams = [_keyed(s, n, key) for n, s in enumerate(sources)]
    pending: dict[str, list[tuple[int, Rating]]] = {}
    for _, n, rating in heapq.merge(*streams, key=lambda t: t[0]):
        wanted = copies.count(rating.id)
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


RUN = 65_536
"""Hashes sorted at a time while `Copies` counts (a list of Python ints: about 2.6 MB)."""


class Copies:
    """How many of the sources hold each id that more than one of them holds.

    An id is kept as its 64-bit `hash` (a str's hash is the same throughout a process): while
    counting, every id read takes 8 bytes (in sorted runs of `RUN`); afterwards only the ids
    held more than once stay, 12 bytes each (hash and count; 12 MB for 1M ratings merged into
    a copy of their folder, nothing for ids held once). Two ids that share a hash (about 3
    chances in 10^8 among 1M ids) only wait for a copy that does not come and are merged at the
    end, as ids of a folder that changed between the passes are: nothing is lost."""

    def __init__(self, hashes: array[int], counts: array[int]) -> None:
        self._hashes, self._counts = hashes, counts

    @classmethod
    def of(cls, sources: Sequence[Source], report: MergeReport) -> Copies:
        runs: list[array[int]] = []
        run: list[int] = []
        for source in sources:
            for rating_id in _ids(source):
                report.read += 1
                run.append(hash(rating_id))
                if len(run) == RUN:
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
) -> Iterator[tuple[tuple[int, str, str], int, Rating]]:
    for rating in source.read():
        yield key(rating), n, rating


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
