"""Calibration: how each rater's ratings differ from a gold-standard rater's, item by item.

For a supervisor going over a trainee's ratings: on the sessions both rated, per item, the
mean signed difference (bias: trainee minus gold, so positive means the trainee rates higher),
the mean absolute difference, the share of exact agreement and of agreement within one scale
point (one likert point, one step of a numeric scale). An item counts only in sessions where
both gave a value; a not-observed code on either side leaves that session out for that item.

Plain Python, no numpy: the app shows calibration without the `stats` extra.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

from rating_tui.analysis.itemscale import ItemScale
from rating_tui.analysis.sessiontable import SessionTable

DIVERGENCE = 0.125
"""An item diverges when the mean absolute difference reaches this share of the scale's range
(half a point on a 0–4 scale)."""
TOP = 3
"""How many of the most divergent items are named per rater."""


class CalibrationError(ValueError):
    """Calibration cannot run as asked (unknown gold rater); the message says why."""


@dataclass(frozen=True)
class ItemCalibration:
    """One rater against the gold rater on one item."""

    item: ItemScale
    sessions: int
    bias: float | None
    mad: float | None
    exact: float | None
    """Share (0–1) of sessions with the same value."""
    within_one: float | None
    """Share (0–1) of sessions at most one scale point apart."""

    @property
    def divergent(self) -> bool:
        return self.mad is not None and self.mad >= DIVERGENCE * self.item.span

    def direction(self, gold: str = "") -> str:
        """Which way the rater differs: "higher", "lower", "both ways" or "no difference";
        with `gold`, as a phrase ("rates higher than RP")."""
        if self.bias is None or self.mad is None or self.mad == 0:
            return "no difference"
        if abs(self.bias) < self.mad / 2:
            return f"differs from {gold} both ways" if gold else "both ways"
        way = "higher" if self.bias > 0 else "lower"
        return f"rates {way} than {gold}" if gold else way


@dataclass(frozen=True)
class RaterCalibration:
    """One rater against the gold rater on every item."""

    rater: str
    gold: str
    sessions: int
    """Sessions both rated (with a value on at least one item)."""
    items: list[ItemCalibration]
    rated: int = 0
    """Sessions this rater rated: the comparison rests on `sessions` of them."""
    gold_rated: int = 0
    """Sessions the gold rater rated."""

    @property
    def coverage(self) -> str:
        """What the figures rest on, in words with counts ("8 of clin_02's 40 session(s)
        were rated by clin_01 too (clin_01 rated 50)")."""
        return (
            f"{self.sessions} of {self.rater}'s {self.rated} session(s) were rated by "
            f"{self.gold} too ({self.gold} rated {self.gold_rated})"
        )

    def verdict(self, label: Callable[[ItemScale], str] = lambda i: i.key) -> str:
        """The summary in words; never "close on every item" when nothing was compared."""
        if self.sessions == 0:
            return (
                f"Nothing to compare: {self.rater} rated no session that {self.gold} rated "
                f"({self.rater} rated {self.rated}, {self.gold} rated {self.gold_rated})."
            )
        top = self.most_divergent
        if not top:
            return (
                f"No item diverges: {self.rater} is close to {self.gold} on every item, over "
                f"the {self.sessions} session(s) both rated."
            )
        named = "; ".join(
            f"{label(i.item)} (mean abs. diff. {i.mad or 0:.2f}, {i.direction(self.gold)})"
            for i in top
        )
        return f"{self.rater} diverges most on: {named}."

    @property
    def most_divergent(self) -> list[ItemCalibration]:
        """Up to `TOP` divergent items, the largest difference (relative to the range) first."""
        found = [i for i in self.items if i.divergent]
        found.sort(key=lambda i: (-(i.mad or 0) / (i.item.span or 1), -abs(i.bias or 0)))
        return found[:TOP]

    def note(self, item: ItemCalibration) -> str:
        """The verdict on one item in words (not colour alone), for tables."""
        if item.sessions == 0:
            return "no shared sessions"
        if item in self.most_divergent:
            return f"diverges most ({item.direction()})"
        if item.divergent:
            return f"diverges ({item.direction()})"
        return "close"


def _item(item: ItemScale, pairs: list[tuple[float, float]]) -> ItemCalibration:
    """Figures of (gold, rater) value pairs."""
    n = len(pairs)
    if n == 0:
        return ItemCalibration(item, 0, None, None, None, None)
    diffs = [r - g for g, r in pairs]
    steps = [abs(item.position(r) - item.position(g)) for g, r in pairs]
    return ItemCalibration(
        item,
        n,
        bias=sum(diffs) / n,
        mad=sum(abs(d) for d in diffs) / n,
        exact=sum(1 for d in diffs if d == 0) / n,
        within_one=sum(1 for s in steps if s <= 1 + 1e-9) / n,
    )


def calibrate(
    table: SessionTable, gold: str, raters: Collection[str] | None = None
) -> list[RaterCalibration]:
    """Every other rater of `table` (or those in `raters`) against `gold`, by rater code; a
    rater who shares no session with `gold` is listed with 0 sessions."""
    if gold not in table.raters:
        known = ", ".join(sorted(table.raters)) or "none"
        raise CalibrationError(
            f"no final ratings of {table.instrument_id} by gold rater {gold!r}; raters: {known}"
        )
    gold_index = table.raters.index(gold)
    by_session: dict[int, list[int]] = {}
    for row, session in enumerate(table.row_session):
        by_session.setdefault(session, []).append(row)
    pairs: dict[int, list[tuple[int, int]]] = {}
    rated: dict[int, int] = {}
    for rows in by_session.values():
        for index in {table.row_rater[r] for r in rows}:
            rated[index] = rated.get(index, 0) + 1
        golds = [r for r in rows if table.row_rater[r] == gold_index]
        for other in rows if golds else []:
            if other != golds[0]:
                pairs.setdefault(table.row_rater[other], []).append((golds[0], other))
    result = []
    columns = list(table.values)  # each item's floats, made once for every rater
    for index, name in sorted(enumerate(table.raters), key=lambda p: p[1]):
        if index == gold_index or (raters is not None and name not in raters):
            continue
        shared = pairs.get(index, [])
        items, used = [], set()
        for column, item in enumerate(table.items):
            if item.kind in ("choice", "score"):  # no order / no scale points: not compared
                continue
            values, both = columns[column], []
            for g, r in shared:
                if not (math.isnan(values[g]) or math.isnan(values[r])):
                    both.append((values[g], values[r]))
                    used.add(g)
            items.append(_item(item, both))
        result.append(
            RaterCalibration(
                name, gold, len(used), items, rated.get(index, 0), rated.get(gold_index, 0)
            )
        )
    return result
