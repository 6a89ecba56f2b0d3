"""Which study design an item's ratings have, and the largest complete block of raters.

Designs (over the sessions with two or more values on the item):
- **fully crossed**: every rater rated every session; the two-way ICCs use all of them;
- **fixed team with gaps**: more than half of the sessions x raters cells hold a value (a team
  whose members missed some sessions); two-way ICCs need a complete block, a subset;
- **rotating raters**: fewer (each session by a few raters of a larger pool, as in a
  reliability subsample); only the one-way model fits all sessions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

CROSSED, GAPS, ROTATING = "fully crossed", "fixed team with gaps", "rotating raters"
TEAM_SHARE = 0.5
"""A design with more than this share of its sessions x raters cells filled is a fixed team."""
MAX_ENUMERATED = 12
"""Rater sets larger than this (a workshop where 20 trainees rate one video) are taken whole
as candidate blocks; smaller ones contribute every subset of two or more raters."""


@dataclass(frozen=True)
class Design:
    """How an item's sessions were rated."""

    kind: str
    sessions: int
    """Sessions with two or more values."""
    raters: int
    """Raters with a value in those sessions."""
    fewest: int
    most: int
    """Fewest and most values in one of those sessions."""
    block_sessions: int
    block_raters: tuple[str, ...]
    """The largest complete block (see `best_block`): its sessions and raters."""

    @property
    def per_session(self) -> str:
        """ "2" or "2–3": values per session."""
        return str(self.fewest) if self.fewest == self.most else f"{self.fewest}–{self.most}"

    def rated_by(self) -> str:
        """ "120 sessions rated by 2 of 8 raters"."""
        noun = "session" if self.sessions == 1 else "sessions"
        return f"{self.sessions:,} {noun} rated by {self.per_session} of {self.raters} raters"


def design_of(masks: Counter[int], names: list[str]) -> Design:
    """The design of the sessions whose rater sets (bit masks over `names`) are counted in
    `masks` (only sessions with two or more values)."""
    sessions = sum(masks.values())
    if not sessions:
        return Design(ROTATING, 0, 0, 0, 0, 0, ())
    everyone = 0
    for mask in masks:
        everyone |= mask
    raters = everyone.bit_count()
    sizes = [m.bit_count() for m in masks]
    values = sum(m.bit_count() * c for m, c in masks.items())
    block = best_block(masks, names)
    members = tuple(sorted(names[i] for i in range(len(names)) if block >> i & 1))
    inside = sum(c for m, c in masks.items() if block and m & block == block)
    if values == sessions * raters:
        kind = CROSSED
    elif values > TEAM_SHARE * sessions * raters:
        kind = GAPS
    else:
        kind = ROTATING
    return Design(kind, sessions, raters, min(sizes), max(sizes), inside, members)


def _subsets(mask: int) -> list[int]:
    """Every sub-mask of `mask` with at least two bits set."""
    found, sub = [], mask
    while sub:
        if sub.bit_count() >= 2:
            found.append(sub)
        sub = (sub - 1) & mask
    return found


def best_block(masks: Counter[int], names: list[str]) -> int:
    """The rater set (a bit mask over `names`) that covers the most values: sessions whose
    raters include the whole set, times its size; ties go to more sessions, then names."""
    # a plain dict and one pass per mask: a demo data set of a million ratings has some
    # 20,000 distinct rater sets per item, most of them pairs (their only subset: itself)
    coverage: dict[int, int] = {}
    get = coverage.get
    large = {m: c for m, c in masks.items() if m.bit_count() > MAX_ENUMERATED}
    for mask, count in masks.items():
        if mask in large:
            continue
        if mask.bit_count() == 2:
            coverage[mask] = get(mask, 0) + count
            continue
        for sub in _subsets(mask):
            coverage[sub] = get(sub, 0) + count
    if large:
        for mask in large:
            coverage.setdefault(mask, 0)
        for candidate in list(coverage):
            coverage[candidate] += sum(c for m, c in large.items() if m & candidate == candidate)
    if not coverage:
        return 0
    best = max((c * m.bit_count(), c) for m, c in coverage.items())
    ties = [m for m, c in coverage.items() if (c * m.bit_count(), c) == best]
    return min(ties, key=lambda m: [names[i] for i in range(len(names)) if m >> i & 1])
