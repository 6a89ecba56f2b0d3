"""Where the report's charts put each session along x: by its date, as the dyad view does.

Sessions two weeks apart sit closer than sessions six months apart (pygal's line chart once
spaced them evenly by order, which made both look alike). Every chart of a report shares one
axis. Several sessions on one date are set side by side, a dot's width apart, in their order,
so that each is seen (one dot would hide the other) and their tick names every one of them.
When a date cannot be read the sessions are spaced by order, and `by_date` says so.

Pure arithmetic, without pygal: the x of each session and of each labelled tick is a day
number (`date.toordinal`), so the gap between two x values is the days between the sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from rating_tui.services.trajectory import Session, dated

PLOT_WIDTH = 580.0
"""About how many pixels of a 720-pixel chart the plot spans at least (y labels, margins and
slanted labels aside): what a day is worth on screen, to keep labels apart and to set
same-date sessions apart."""
DOT_GAP = 8.0
"""Pixels between sessions of one date (a dot is 6 wide)."""
MIN_VIEW = 14.0
"""Days shown at least: one session, or one date, is not stretched over the whole width."""
CHAR_WIDTH = 6.6
"""Pixels of one character of an 11-pixel label, about."""
ROTATED_GAP = 20.0
"""Pixels between ticks whose labels are slanted at 45°: a line of text and a little."""
ROTATION = 45


class Tick(NamedTuple):
    """A labelled place on the x axis: one date and the sessions on it."""

    x: float
    text: str


class Axis(NamedTuple):
    xs: list[float]
    """Each session's x, oldest first (a day number; by order: 1, 2, 3...)."""
    by_date: bool
    low: float
    high: float
    ticks: list[Tick]
    """The labels that fit, each clear of the next; the first and the latest always."""
    rotation: int
    """0, or 45 when the labels would not fit level."""


def session_axis(sessions: list[Session], plot_width: float = PLOT_WIDTH) -> Axis:
    """The shared x axis of one dyad's charts."""
    by_date = dated(sessions)
    if by_date:
        base = [float(date.fromisoformat(s.date).toordinal()) for s in sessions]
    else:
        base = [float(n + 1) for n in range(len(sessions))]
    if not base:
        return Axis([], by_date, 0.0, 1.0, [], 0)
    span = base[-1] - base[0]
    view = max(span, MIN_VIEW if by_date else 1.0)
    per_pixel = view / plot_width
    xs: list[float] = []
    for n, x in enumerate(base):
        if xs and by_date and sessions[n].date == sessions[n - 1].date:
            x = xs[-1] + DOT_GAP * per_pixel
        # a day after a set-apart cluster may fall inside it: never draw the line backwards
        xs.append(max(x, xs[-1]) if xs else x)
    margin = (view - span) / 2 + view * 0.04
    low, high = base[0] - margin, xs[-1] + margin
    groups = _groups(sessions, xs, by_date)
    ticks, rotation = _fit(groups, plot_width / (high - low))
    return Axis(xs, by_date, low, high, ticks, rotation)


def _groups(sessions: list[Session], xs: list[float], by_date: bool) -> list[Tick]:
    """One tick per date, at its first session, naming every session on it: `2026-03-09 #3
    #4`; by order, one per session."""
    ticks: list[Tick] = []
    for n, s in enumerate(sessions):
        number = f"#{s.number}" if s.number is not None else ""
        if by_date and n and s.date == sessions[n - 1].date:
            last = ticks[-1]
            ticks[-1] = Tick(last.x, f"{last.text} {number or '(no number)'}")
            continue
        ticks.append(Tick(xs[n], f"{s.date} {number}".strip() if s.date else s.label))
    return ticks


def _fit(groups: list[Tick], per_unit: float) -> tuple[list[Tick], int]:
    """The ticks that fit level, each a label's width and a space clear of the next; if that
    leaves any out, slanted labels, which need only a line's height between them."""

    def level(a: Tick, b: Tick) -> float:
        return (len(a.text) + len(b.text)) / 2 * CHAR_WIDTH + 8

    shown = _thinned(groups, per_unit, level)
    if len(shown) == len(groups):
        return shown, 0
    return _thinned(groups, per_unit, lambda a, b: ROTATED_GAP), ROTATION


def _thinned(
    groups: list[Tick], per_unit: float, need: Callable[[Tick, Tick], float]
) -> list[Tick]:
    """Walking back from the latest tick, each one that is clear of the last kept; then the
    first, in place of the kept tick nearest to it when that is too close (unless that is the
    latest: then the latest alone)."""
    picked: list[Tick] = []
    for tick in reversed(groups):
        if not picked or (picked[-1].x - tick.x) * per_unit >= need(tick, picked[-1]):
            picked.append(tick)
    picked.reverse()
    if not groups or picked[0] == groups[0]:
        return picked
    if (picked[0].x - groups[0].x) * per_unit < need(groups[0], picked[0]):
        if len(picked) == 1:
            return picked
        picked.pop(0)
    return [groups[0], *picked]
