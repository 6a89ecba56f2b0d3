"""A dyad's course across sessions, item by item and score by score: what the dyad view
draws."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from rating_tui.instruments.model import Instrument, LikertScale, NumericScale, YesNoScale
from rating_tui.instruments.scores import compute
from rating_tui.ratings.model import Answered
from rating_tui.store.api import Store


@dataclass
class Line:
    """One item's values, one per session (None: no numeric value that session)."""

    key: str
    label: str
    values: list[float | None] = field(default_factory=list)

    def numbers(self) -> str:
        """The last few values as text, so the trend does not rest on the drawing alone."""
        shown = ["·" if v is None else f"{v:g}" for v in self.values[-8:]]
        return " ".join(shown)


@dataclass
class Trajectory:
    sessions: list[str]
    """Session dates (or numbers), oldest first."""
    lines: list[Line]
    scale_note: str


def dyad_trajectory(store: Store, instrument: Instrument, dyad: str) -> Trajectory:
    """Final ratings of `dyad` with any version of the instrument, grouped by session."""
    date_key = instrument.key_for("session_date")
    number_key = instrument.key_for("session_number")
    by_session: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
    numeric = [i for i in instrument.items if _is_numeric(instrument, i.key)]
    for rating in store.list(dyad=dyad, instrument=instrument.id, limit=None):
        when = str(rating.session.get(date_key, "")) if date_key else ""
        number = str(rating.session.get(number_key, "")) if number_key else ""
        values = {
            k: float(a.value)
            for k, a in rating.answers.items()
            if isinstance(a, Answered) and isinstance(a.value, int | float)
        }
        for score in instrument.scores:  # computed from the answers, as everywhere else
            value, _ = compute(instrument, score, values)
            if value is not None:
                values[score.key] = float(value)
        by_session[(when, number)].append(values)
    sessions = sorted(by_session)
    lines = []
    rows = [(i.key, i.label) for i in numeric] + [(s.key, s.label) for s in instrument.scores]
    for key, label in rows:
        line = Line(key, label)
        for session in sessions:
            found = [v[key] for v in by_session[session] if key in v]
            line.values.append(fmean(found) if found else None)
        lines.append(line)
    several = any(len(v) > 1 for v in by_session.values())
    note = "sessions with several raters show their mean" if several else "one rater per session"
    return Trajectory([s[0] or f"#{s[1]}" for s in sessions], lines, note)


def _is_numeric(instrument: Instrument, key: str) -> bool:
    item = next(i for i in instrument.items if i.key == key)
    return isinstance(instrument.scale_of(item), LikertScale | NumericScale | YesNoScale)
