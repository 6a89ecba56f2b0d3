"""One item's course across a dyad's sessions, drawn by plotext on the item's fixed scale.

Every chart of a dyad shares the same x positions, one per rated session, labelled with its
number and spaced by its date (sessions two weeks apart sit closer than sessions six months
apart; they were once spaced by order, which made both look alike), and its item's full scale
on the y axis, so a steady 4 sits at the top and a steady 1
near the bottom, and a move from 0 to 1 looks as small as it is. A session without a value
breaks the line and puts a mark on the `n/o` row below the scale: × for a missing code (not
observed, not applicable), ? for no answer.
"""

from __future__ import annotations

from datetime import date

from textual_plotext import PlotextPlot

from rating_tui.services.trajectory import Line, Session, dated

GAP_ROW = 1.0
"""How far below the scale's lowest point the row of gap marks sits."""


class CourseChart(PlotextPlot):
    """A small multiple: one item, every session, the item's whole scale."""

    def __init__(self, line: Line, sessions: list[Session], *, id: str | None = None) -> None:
        super().__init__(id=id, classes="course-chart")
        self.line = line
        self.sessions = sessions

    def on_mount(self) -> None:
        self.draw()

    def on_resize(self) -> None:
        self.draw()  # the session labels that fit depend on the width

    def draw(self) -> None:
        plt, line = self.plt, self.line
        plt.clear_data()
        plt.clear_figure()
        xs = positions(self.sessions)
        for segment in _segments(line.values):
            px = [xs[i] for i in segment]
            py = [line.values[i] for i in segment]
            if len(segment) > 1:
                plt.plot(px, py, marker="braille", color="blue")
            plt.scatter(px, py, marker="●", color="blue")
        gap_row = line.low - GAP_ROW
        for mark, picked in (("×", True), ("?", False)):
            at = [
                xs[i]
                for i, c in enumerate(line.cells)
                if c.value is None and bool(c.codes) == picked
            ]
            if at:
                plt.scatter(at, [gap_row] * len(at), marker=mark, color="red")
        plt.title(f"{line.label} ({line.low:g}–{line.high:g})")
        plt.ylim(gap_row, line.high)
        ticks = _scale_ticks(line.low, line.high)
        plt.yticks([gap_row, *ticks], ["n/o", *(f"{t:g}" for t in ticks)])
        pad = max(1.0, (xs[-1] - xs[0]) * 0.04) if xs else 1.0
        low, high = (xs[0] - pad, xs[-1] + pad) if xs else (-pad, pad)
        plt.xlim(low, high)
        labels = [s.label for s in self.sessions]
        columns = max(1, self.size.width - 8)  # the plot's width, y axis aside
        shown = _thinned(xs, labels, columns / (high - low))
        plt.xticks([xs[i] for i in shown], [labels[i] for i in shown])
        self.refresh()


def positions(sessions: list[Session]) -> list[float]:
    """Each session's x: days since the first session (sessions come oldest first), so the
    spacing is the time between them; by order only if a date cannot be read."""
    if not dated(sessions):
        return [float(n) for n in range(len(sessions))]
    days = [date.fromisoformat(s.date) for s in sessions]
    return [float((d - days[0]).days) for d in days] if days else []


def _segments(values: list[float | None]) -> list[list[int]]:
    """Runs of consecutive sessions that have a value (a missing value breaks the line)."""
    out: list[list[int]] = []
    current: list[int] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                out.append(current)
            current = []
        else:
            current.append(i)
    if current:
        out.append(current)
    return out


def _scale_ticks(low: float, high: float) -> list[float]:
    """Every point of a small integer scale; five ticks on a wide one (0–100)."""
    if high - low <= 10 and float(low).is_integer():
        return [low + k for k in range(int(high - low) + 1)]
    return [low + (high - low) * k / 4 for k in range(5)]


def _thinned(xs: list[float], labels: list[str], per_unit: float) -> list[int]:
    """Indexes of the session labels to show: each a label's width and a space clear of the
    next one shown, always the latest session, walking back from it (sessions close in time
    share a place on the axis, and only one of them is named)."""
    picked: list[int] = []
    for i in range(len(xs) - 1, -1, -1):
        if not picked:
            picked.append(i)
            continue
        j = picked[-1]
        room = (xs[j] - xs[i]) * per_unit
        if room >= (len(labels[i]) + len(labels[j])) / 2 + 1:
            picked.append(i)
    return sorted(picked)
