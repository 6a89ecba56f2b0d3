"""A dyad's course across sessions, item by item: what the dyad view, the alerts and the report
read.

Every item keeps the three states of a rating apart, session by session: a value (the mean when
several raters rated the session), a missing code (not observed, not applicable) or nothing, so
that a chart can leave a marked gap instead of closing it, and all items line up on one list of
sessions. Each item carries its scale's fixed range: a steady 4 is drawn as a 4, not as the
lowest point of its own range.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from rating_tui.instruments.alerts import scale_range
from rating_tui.instruments.model import Instrument, LikertScale, NumericScale, YesNoScale
from rating_tui.ratings.model import Answered, Missing, Rating
from rating_tui.store.api import Store


@dataclass(frozen=True)
class Observation:
    """One rating, reduced to what a trajectory needs (built from a Rating or a raw record)."""

    date: str
    number: int | None
    rater: str
    answers: Mapping[str, float | str]
    """Item key -> numeric value, or the missing code given instead of a value."""
    moments: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Now moments: (text, tags)."""
    notes: str = ""


@dataclass(frozen=True)
class Session:
    """One rated session of the dyad (every rating with this date and number)."""

    date: str
    number: int | None
    raters: tuple[str, ...]

    @property
    def label(self) -> str:
        """`#12` when the session has a number, else its date."""
        return f"#{self.number}" if self.number is not None else self.date


@dataclass(frozen=True)
class Cell:
    """One item in one session: a value, or why there is none."""

    value: float | None
    """Mean of the raters' values; None when no rater gave one."""
    codes: tuple[str, ...] = ()
    """Missing codes given instead of a value (by any rater)."""

    @property
    def text(self) -> str:
        """The value as written in grids and reports: `3`, `2.5`, `n/o` (a code) or `·`."""
        if self.value is not None:
            return f"{self.value:.1f}".removesuffix(".0")
        if self.codes:
            return "n/a" if self.codes == ("not_applicable",) else "n/o"
        return "·"


@dataclass
class Line:
    """One numeric item over the dyad's sessions, on its scale's fixed range."""

    key: str
    label: str
    low: float
    high: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def values(self) -> list[float | None]:
        return [c.value for c in self.cells]


@dataclass
class Trajectory:
    """Everything the dyad view draws, oldest session first."""

    dyad: str
    instrument: Instrument
    sessions: list[Session]
    lines: list[Line]
    observations: list[Observation]
    """The ratings it was built from, in session order (now moments and notes live here)."""

    @property
    def several_raters(self) -> bool:
        return any(len(s.raters) > 1 for s in self.sessions)

    @property
    def scale_note(self) -> str:
        if not self.sessions:
            return "no sessions"
        if self.several_raters:
            return "sessions rated by several raters show their mean"
        return "one rater per session"


def numeric_items(instrument: Instrument) -> list[str]:
    """Keys of the items that have a number for a value, in the instrument's order."""
    numeric = LikertScale | NumericScale | YesNoScale
    return [i.key for i in instrument.items if isinstance(instrument.scale_of(i), numeric)]


def build(dyad: str, instrument: Instrument, observations: Iterable[Observation]) -> Trajectory:
    """Group `observations` into sessions by (date, number) and lay every numeric item out on
    the same list of sessions."""
    grouped: dict[tuple[str, int], list[Observation]] = defaultdict(list)
    for obs in observations:
        grouped[(obs.date, -1 if obs.number is None else obs.number)].append(obs)
    order = sorted(grouped)
    sessions = []
    for day, number_or_none in order:
        group = grouped[(day, number_or_none)]
        number = None if number_or_none == -1 else number_or_none
        raters = tuple(sorted({o.rater for o in group}))
        sessions.append(Session(day, number, raters))
    labels = {i.key: i.label for i in instrument.items}
    lines = []
    for key in numeric_items(instrument):
        low, high = scale_range(instrument, key)
        line = Line(key, labels[key], low, high)
        for session_key in order:
            answers = [o.answers.get(key) for o in grouped[session_key]]
            values = [a for a in answers if isinstance(a, float | int)]
            codes = tuple(sorted({a for a in answers if isinstance(a, str)}))
            line.cells.append(Cell(fmean(values) if values else None, codes))
        lines.append(line)
    ordered = [o for k in order for o in grouped[k]]
    return Trajectory(dyad, instrument, sessions, lines, ordered)


def dyad_trajectory(
    store: Store, instrument: Instrument, dyad: str, rater: str | None = None
) -> Trajectory:
    """Final ratings of `dyad` with any version of `instrument`'s id (optionally one rater's)."""
    ratings = store.list(dyad=dyad, rater=rater, instrument=instrument.id, limit=None)
    return build(dyad, instrument, (from_rating(r, instrument) for r in ratings))


def from_rating(rating: Rating, instrument: Instrument) -> Observation:
    date_key = instrument.key_for("session_date")
    number_key = instrument.key_for("session_number")
    answers: dict[str, float | str] = {}
    for key, answer in rating.answers.items():
        if isinstance(answer, Answered) and isinstance(answer.value, int | float):
            answers[key] = float(answer.value)
        elif isinstance(answer, Missing):
            answers[key] = answer.missing
    number = rating.session.get(number_key) if number_key else None
    return Observation(
        date=str(rating.session.get(date_key, "")) if date_key else "",
        number=number if isinstance(number, int) else None,
        rater=rating.rater,
        answers=answers,
        moments=tuple((m.text, tuple(m.tags)) for m in rating.now_moments),
        notes=rating.notes,
    )


@dataclass
class Caseload:
    """Every dyad's observations, by (instrument id, dyad), and what could not be used."""

    dyads: dict[tuple[str, str], list[Observation]] = field(default_factory=dict)
    ratings: int = 0
    """Final ratings read."""
    unknown: dict[str, int] = field(default_factory=dict)
    """id@version -> ratings left out because no instruments folder holds that id."""


def read_caseload(
    store: Store, instruments: Iterable[Instrument], rater: str | None = None
) -> Caseload:
    """Final ratings of every dyad (only `rater`'s when given), read from the stored records
    without building a Rating per record: the fast path of `rating-tui alerts`.

    Session-field keys (which field holds the dyad, the date, the number) come from the
    instrument version the rating was made with, else from the newest version of its id."""
    from rating_tui.instruments.catalogue import semver_key

    keys: dict[str, tuple[str, str, str]] = {}
    newest: dict[str, Instrument] = {}
    for ins in instruments:
        keys[ins.ref] = _role_keys(ins)
        if ins.id not in newest or semver_key(ins.version) > semver_key(newest[ins.id].version):
            newest[ins.id] = ins
    caseload = Caseload()
    found: dict[tuple[str, str], list[Observation]] = defaultdict(list)

    def read(record: dict[str, Any]) -> tuple[str, str, Observation | None] | None:
        """(id, dyad, observation); (id@version, "", None): left out, an unknown instrument;
        ("", "", None): another rater's."""
        ins = record.get("instrument")
        session = record.get("session")
        answers = record.get("answers")
        who = record.get("rater")
        if not (isinstance(ins, dict) and isinstance(session, dict) and isinstance(answers, dict)):
            return None
        ref = f"{ins.get('id')}@{ins.get('version')}"
        if rater is not None and who != rater:
            return "", "", None
        roles = keys.get(ref)
        if roles is None:
            latest = newest.get(str(ins.get("id")))
            if latest is None:
                return ref, "", None
            roles = keys[ref] = _role_keys(latest)
        dyad, day, number = (session.get(k) for k in roles)
        out: dict[str, float | str] = {}
        for key, answer in answers.items():
            if not isinstance(answer, dict):
                return None
            if "value" in answer:
                value = answer["value"]
                if isinstance(value, int | float) and not isinstance(value, bool):
                    out[key] = float(value)
            elif isinstance(answer.get("missing"), str):
                out[key] = answer["missing"]
        if not isinstance(dyad, str) or not isinstance(day, str) or not isinstance(who, str):
            return None  # the store validates it: a damaged record is named, not skipped
        obs = Observation(day, number if isinstance(number, int) else None, who, out)
        return str(ins.get("id")), dyad, obs

    for ins_id, dyad, obs in store.iter_records(read):
        if obs is None:
            if ins_id:
                caseload.unknown[ins_id] = caseload.unknown.get(ins_id, 0) + 1
            continue
        caseload.ratings += 1
        found[(ins_id, dyad)].append(obs)
    caseload.dyads = dict(found)
    return caseload


def _role_keys(ins: Instrument) -> tuple[str, str, str]:
    return (
        ins.key_for("dyad") or "",
        ins.key_for("session_date") or "",
        ins.key_for("session_number") or "",
    )
