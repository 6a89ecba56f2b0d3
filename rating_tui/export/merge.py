"""Uniting the ratings of several data folders (several clinicians' laptops) by rating id.

For each id: identical copies collapse (duplicates); a copy whose every version already lies
in another copy's history is an older copy of it (superseded); copies that diverged are a
conflict: the most recently updated one wins and every version of the others that it lacks
is added to its history as a revision, so nothing is ever dropped. The result does not depend
on the order of the folders, and merging a merged folder again changes nothing.

Two passes keep memory small: the first reads each folder to fingerprint every id; the second
streams the folders together in session-date order and holds only ids with several copies.
"""

from __future__ import annotations

import hashlib
import heapq
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


def _digest(rating: Rating) -> bytes:
    return hashlib.blake2b(rating.model_dump_json().encode(), digest_size=16).digest()


def merge(sources: Sequence[Source], key: SortKey, report: MergeReport) -> Iterator[Rating]:
    """Every rating of `sources` once, in `key` order, counting into `report` as it goes."""
    if len(sources) == 1:
        for rating in sources[0].read():
            report.read += 1
            report.merged += 1
            yield rating
        return
    copies: dict[str, int] = {}
    for source in sources:
        for rating in source.read():
            report.read += 1
            copies[rating.id] = copies.get(rating.id, 0) + 1
    streams = [_keyed(s, n, key) for n, s in enumerate(sources)]
    pending: dict[str, list[tuple[str, Rating]]] = {}
    for _, n, rating in heapq.merge(*streams, key=lambda t: t[0]):
        if copies.get(rating.id, 1) == 1:
            report.merged += 1
            yield rating
            continue
        waiting = pending.setdefault(rating.id, [])
        waiting.append((sources[n].name, rating))
        if len(waiting) == copies[rating.id]:
            yield _settle(pending.pop(rating.id), report)
    for group in pending.values():  # a folder changed between the passes
        yield _settle(group, report)


def _keyed(
    source: Source, n: int, key: SortKey
) -> Iterator[tuple[tuple[int, str, str], int, Rating]]:
    for rating in source.read():
        yield key(rating), n, rating


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
