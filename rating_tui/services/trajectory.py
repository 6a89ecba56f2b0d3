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
from datetime import date
from statistics import fmean
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from rating_tui.instruments.alerts import scale_range
from rating_tui.instruments.model import Instrument, LikertScale, NumericScale, YesNoScale
from rating_tui.instruments.scores import compute, score_items
from rating_tui.ratings.model import Answered, Missing, Rating, Status
from rating_tui.services.choice_words import chosen_of
from rating_tui.store.api import Store
from rating_tui.store.tally import Tally

if TYPE_CHECKING:
    from rating_tui.services.course import Course


class Observation(NamedTuple):
    """One rating, reduced to what a trajectory needs (built from a Rating or a raw record).
    Named tuples, here and below: made by the hundred thousand, they cost a fraction of a
    frozen dataclass."""

    date: str
    number: int | None
    rater: str
    answers: Mapping[str, float | str]
    """Item key -> numeric value, or the missing code given instead of a value."""
    moments: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Now moments: (text, tags)."""
    notes: str = ""
    chosen: tuple[tuple[str, str], ...] = ()
    """(item key, answer in words) of each answered choice item (`choice_words.chosen_of`):
    no chart has them, the report's table of values shows them."""


class Session(NamedTuple):
    """One rated session of the dyad (every rating with this date and number)."""

    date: str
    number: int | None
    raters: tuple[str, ...]

    @property
    def label(self) -> str:
        """`#12` when the session has a number, else its date."""
        return f"#{self.number}" if self.number is not None else self.date


def dated(sessions: Iterable[Session]) -> bool:
    """Whether every session's date can be read, so that a chart can space them by date (the
    dyad view's and the report's alike); otherwise they are spaced by order."""
    try:
        for s in sessions:
            date.fromisoformat(s.date)
    except ValueError:
        return False
    return True


class Cell(NamedTuple):
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
    def shared_sessions(self) -> int:
        """Sessions rated by more than one rater (their values are the raters' mean)."""
        return sum(1 for s in self.sessions if len(s.raters) > 1)

    @property
    def scale_note(self) -> str:
        """How a session's value was made, with how many sessions are means."""
        if not self.sessions:
            return "no sessions"
        if self.several_raters:
            return (
                f"{self.shared_sessions} of {len(self.sessions)} sessions were rated by several "
                "raters and show their mean"
            )
        return "one rater per session"


def numeric_items(instrument: Instrument) -> list[str]:
    """Keys of the items that have a number for a value, in the instrument's order."""
    numeric = LikertScale | NumericScale | YesNoScale
    return [i.key for i in instrument.items if isinstance(instrument.scale_of(i), numeric)]


ItemLayout = list[tuple[str, str, float, float]]
"""(key, label, low, high) of every numeric item, in order: computed once per instrument."""


def item_layout(instrument: Instrument, *, scores: bool = False) -> ItemLayout:
    """Every numeric item; with `scores`, the instrument's scores after them, each on the
    range its items allow (a mean on their common range, a sum from the sum of the lows to the
    sum of the highs)."""
    labels = {i.key: i.label for i in instrument.items}
    out = [(k, labels[k], *scale_range(instrument, k)) for k in numeric_items(instrument)]
    for score in instrument.scores if scores else []:
        ranges = [scale_range(instrument, k) for k in score_items(instrument, score)]
        if not ranges:
            continue
        lows, highs = [r[0] for r in ranges], [r[1] for r in ranges]
        if score.method == "sum":
            out.append((score.key, score.label, sum(lows), sum(highs)))
        else:
            out.append((score.key, score.label, min(lows), max(highs)))
    return out


_NO_VALUE = Cell(None)


def build(
    dyad: str,
    instrument: Instrument,
    observations: Iterable[Observation],
    layout: ItemLayout | None = None,
    tail: int | None = None,
) -> Trajectory:
    """Group `observations` into sessions by (date, number) and lay every numeric item out on
    the same list of sessions. `layout` saves recomputing `item_layout` for many dyads; `tail`
    keeps only the latest sessions (enough to judge current alerts)."""
    grouped: dict[tuple[str, int], list[Observation]] = defaultdict(list)
    for obs in observations:
        grouped[(obs.date, -1 if obs.number is None else obs.number)].append(obs)
    order = sorted(grouped)
    if tail is not None:
        order = order[-tail:]
    items = item_layout(instrument) if layout is None else layout
    lines = [Line(key, label, low, high) for key, label, low, high in items]
    sessions = []
    ordered: list[Observation] = []
    single: dict[float | str | None, Cell] = {}  # one rater's answer -> its cell, made once
    for day, number_or_none in order:
        group = grouped[(day, number_or_none)]
        ordered += group
        number = None if number_or_none == -1 else number_or_none
        if len(group) == 1:
            answers = group[0].answers
            sessions.append(Session(day, number, (group[0].rater,)))
            for line in lines:
                a = answers.get(line.key)
                cell = single.get(a)
                if cell is None:
                    cell = single[a] = _cell([a])
                line.cells.append(cell)
            continue
        sessions.append(Session(day, number, tuple(sorted({o.rater for o in group}))))
        for line in lines:
            line.cells.append(_cell([o.answers.get(line.key) for o in group]))
    return Trajectory(dyad, instrument, sessions, lines, ordered)


def _cell(answers: list[float | str | None]) -> Cell:
    """One item in one session from every rater's answer (value, missing code or None)."""
    if len(answers) == 1:  # the common case, kept cheap
        a = answers[0]
        if a is None:
            return _NO_VALUE
        return Cell(None, (a,)) if isinstance(a, str) else Cell(float(a))
    values = [a for a in answers if a is not None and not isinstance(a, str)]
    codes = tuple(sorted({a for a in answers if isinstance(a, str)}))
    return Cell(fmean(values) if values else None, codes)


def dyad_trajectory(
    store: Store,
    instrument: Instrument,
    dyad: str,
    rater: str | None = None,
    tally: Tally | None = None,
) -> Trajectory:
    """Final ratings of `dyad` with any version of `instrument`'s id (optionally one rater's);
    `tally` (if given) says afterwards whether the folder lost ratings the read should hold."""
    ratings = store.list(dyad=dyad, rater=rater, instrument=instrument.id, limit=None, tally=tally)
    observations = (from_rating(r, instrument) for r in ratings)
    return build(dyad, instrument, observations, item_layout(instrument, scores=True))


def dyad_drafts(store: Store, instrument: Instrument, dyad: str, rater: str | None = None) -> int:
    """The drafts of `dyad` (of `rater`) with any version of `instrument`'s id: in no figure
    of its trajectory, so its report says how many."""
    drafts: tuple[Status, ...] = ("draft",)
    found = store.list(
        dyad=dyad, rater=rater, instrument=instrument.id, statuses=drafts, limit=None
    )
    return len(found)


def from_rating(rating: Rating, instrument: Instrument) -> Observation:
    date_key = instrument.key_for("session_date")
    number_key = instrument.key_for("session_number")
    answers: dict[str, float | str] = {}
    for key, answer in rating.answers.items():
        if isinstance(answer, Answered) and isinstance(answer.value, int | float):
            answers[key] = float(answer.value)
        elif isinstance(answer, Missing):
            answers[key] = answer.missing
    values = {k: a.value for k, a in rating.answers.items() if isinstance(a, Answered)}
    for score in instrument.scores:  # computed, never stored: shown after the items
        result, _ = compute(instrument, score, values)
        if result is not None:
            answers[score.key] = float(result)
    number = rating.session.get(number_key) if number_key else None
    return Observation(
        date=str(rating.session.get(date_key, "")) if date_key else "",
        number=number if isinstance(number, int) else None,
        rater=rating.rater,
        answers=answers,
        moments=tuple((m.text, tuple(m.tags)) for m in rating.now_moments),
        notes=rating.notes,
        chosen=chosen_of(rating, instrument),
    )


@dataclass
class Caseload:
    """Every dyad's ratings, by (instrument id, dyad), kept compactly (`course.Course`), and
    what could not be used."""

    dyads: dict[tuple[str, str], Course] = field(default_factory=dict)
    ratings: int = 0
    """Final ratings read."""
    unknown: dict[str, int] = field(default_factory=dict)
    """id@version -> ratings left out because no instruments folder holds that id."""
    tally: Tally = field(default_factory=Tally)
    """Whether the read found every rating the folder counts (`Tally.warning`)."""
    other_raters: set[str] = field(default_factory=set)
    """The raters of the final ratings a rater filter left out (to name them when it
    matched none)."""
    others: dict[tuple[str, str], int] = field(default_factory=dict)
    """(instrument id, dyad) -> final ratings by other raters that a rater filter left out:
    what the rater's sessions, trends and alerts do not rest on, said with them."""


def read_caseload(
    store: Store, instruments: Iterable[Instrument], rater: str | None = None
) -> Caseload:
    """Final ratings of every dyad (only `rater`'s when given), read from the stored records
    without building a Rating per record: the fast path of `rating-tui alerts`. Each rating
    keeps only its numeric items of the newest version of its id (what the trajectory lays
    out), in a `Course` per dyad: a few dozen bytes per rating, never an object of its own.

    Session-field keys (which field holds the dyad, the date, the number) come from the
    instrument version the rating was made with, else from the newest version of its id."""
    from rating_tui.instruments.catalogue import semver_key
    from rating_tui.services.course import Codes, Course

    keys: dict[tuple[str, str], tuple[str, str, str] | None] = {}
    newest: dict[str, Instrument] = {}
    for ins in instruments:
        keys[(ins.id, ins.version)] = _role_keys(ins)
        if ins.id not in newest or semver_key(ins.version) > semver_key(newest[ins.id].version):
            newest[ins.id] = ins
    items = {ins_id: numeric_items(ins) for ins_id, ins in newest.items()}
    caseload = Caseload()
    found: dict[tuple[str, str], Course] = {}
    codes = Codes()
    unknown, others = caseload.unknown, caseload.others

    def roles_of(key: tuple[str, str]) -> tuple[str, str, str] | None:
        latest = newest.get(key[0])
        keys[key] = roles = _role_keys(latest) if latest is not None else None
        return roles

    def read(record: dict[str, Any]) -> tuple[str, str] | Literal[False] | None:
        """Files the record's rating under its dyad and returns (instrument id, dyad); False:
        left out (another rater's, or an instrument no folder holds); None: not in the
        expected form."""
        try:
            ins = record["instrument"]
            key = (ins["id"], ins["version"])
            who = record["rater"]
            if rater is not None and who != rater:
                caseload.other_raters.add(who)
                roles = keys[key] if key in keys else roles_of(key)
                code = record["session"].get(roles[0]) if roles is not None else None
                if type(code) is str:
                    others[(key[0], code)] = others.get((key[0], code), 0) + 1
                return False
            roles = keys[key] if key in keys else roles_of(key)
            if roles is None:
                ref = f"{key[0]}@{key[1]}"
                unknown[ref] = unknown.get(ref, 0) + 1
                return False
            session = record["session"]
            dyad, day, number = session[roles[0]], session[roles[1]], session.get(roles[2])
            # numeric items hold numbers, a missing code is text; other items are never read
            out = {
                k: a["value"] if "value" in a else a["missing"]
                for k, a in record["answers"].items()
            }
        except (KeyError, TypeError, AttributeError):
            return None  # the store validates it: a damaged record is named, not skipped
        if type(dyad) is not str or type(day) is not str or type(who) is not str:
            return None
        where = (key[0], dyad)
        course = found.get(where)
        if course is None:
            course = found[where] = Course(items[key[0]], codes)
        if not course.add(day, number if type(number) is int else None, who, out):
            return None
        return where

    # Read as each file is parsed, so that a month's parsed records are never all held at
    # once; the dyads still come in the order of the ratings' first appearance in the store's
    # order (that of `iter_all`), as the order of their results gives it.
    first_seen: dict[tuple[str, str], None] = {}
    for where in store.iter_records(read, tally=caseload.tally, read_in_file_order=True):
        if isinstance(where, tuple):
            caseload.ratings += 1
            if where not in first_seen:
                first_seen[where] = None
    caseload.dyads = {where: found[where] for where in first_seen}
    return caseload


def _role_keys(ins: Instrument) -> tuple[str, str, str]:
    return (
        ins.key_for("dyad") or "",
        ins.key_for("session_date") or "",
        ins.key_for("session_number") or "",
    )
