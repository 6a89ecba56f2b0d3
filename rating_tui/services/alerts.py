"""Alert evaluation: which of an instrument's `[[alerts]]` rules a dyad's course meets.

Pure: a trajectory and rules in, alerts out (no store, no terminal). A rule is checked at every
session, so `--since DATE` can list what fired since then; `current` keeps the alerts raised
by the dyad's latest session (and a gap as of today), which is what Home and the dyad view
show. Values compared are session means when several raters rated a session; a session where
an item has no value breaks a run ("low 3 sessions in a row" needs three values) and gives no
drop, since a fall cannot be measured against nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from rating_tui.instruments.alerts import AlertRule
from rating_tui.services.trajectory import Cell, Line, Trajectory


@dataclass(frozen=True)
class Alert:
    """One rule met by one dyad (on one item, except gaps)."""

    dyad: str
    kind: str
    item: str | None
    item_label: str | None
    date: str
    """The session date that raised it (for a gap as of today: today)."""
    sessions: tuple[str, ...]
    """Labels of the sessions it rests on (`#12`, or dates), oldest first."""
    values: tuple[float | str | None, ...]
    """The item's value in each of those sessions (a missing code as text, None: unanswered);
    for a gap, the days."""
    message: str
    rule: int
    """Index of the rule in the instrument's [[alerts]]."""
    latest: bool
    """Raised by the dyad's latest session (or as of today): a current alert."""

    def to_json(self, instrument: str) -> dict[str, Any]:
        return {
            "dyad": self.dyad,
            "instrument": instrument,
            "item": self.item,
            "kind": self.kind,
            "date": self.date,
            "sessions": list(self.sessions),
            "values": list(self.values),
            "message": self.message,
        }


def evaluate(
    trajectory: Trajectory,
    rules: Iterable[AlertRule] | None = None,
    today: date | None = None,
    *,
    latest_only: bool = False,
) -> list[Alert]:
    """Every alert the rules raise over the dyad's sessions, oldest first. `today` adds gaps
    that run up to today (None: only gaps between sessions). `latest_only` checks the latest
    session alone (and the gap up to today): the same as `current(evaluate(...))`, faster."""
    chosen = list(trajectory.instrument.alerts if rules is None else rules)
    out: list[Alert] = []
    for n, rule in enumerate(chosen):
        out += _check(trajectory, rule, n, today, latest_only)
    out.sort(key=lambda a: (a.date, a.rule))
    return out


def current(alerts: Iterable[Alert]) -> list[Alert]:
    """The alerts raised by the dyad's latest session or as of today."""
    return [a for a in alerts if a.latest]


def _check(
    t: Trajectory, rule: AlertRule, n: int, today: date | None, latest_only: bool
) -> Iterator[Alert]:
    if rule.kind == "gap":
        yield from _gaps(t, rule, n, today, latest_only)
        return
    watched = set(rule.items) if rule.items else None
    for line in t.lines:
        if watched is None or line.key in watched:
            yield from _item_alerts(t, line, rule, n, latest_only)


def _item_alerts(
    t: Trajectory, line: Line, rule: AlertRule, n: int, latest_only: bool
) -> Iterator[Alert]:
    last = len(t.sessions) - 1
    counts = _counted(rule)
    for i in range(last, last + 1) if latest_only else range(last + 1):
        cell = line.cells[i]
        span: list[int] = []
        detail = ""
        if rule.kind == "drop" and i > 0 and rule.points is not None:
            before = line.cells[i - 1].value
            if before is not None and cell.value is not None:
                fall = before - cell.value
                if fall >= rule.points - 1e-9:
                    span = [i - 1, i]
                    detail = f"fell {fall:g} point(s), {_v(before)} → {_v(cell.value)}"
        elif counts is not None and rule.sessions:
            run = _run_end(line.cells, i, counts)
            if _fires(run, rule.sessions, i == last):
                span = list(range(i - run + 1, i + 1))
                detail = (
                    f"at or below {rule.cutoff:g} for {run} sessions in a row"
                    if rule.kind == "low"
                    else f"no value ({', '.join(cell.codes)}) for {run} sessions in a row"
                )
        if not span:
            continue
        yield Alert(
            dyad=t.dyad,
            kind=rule.kind,
            item=line.key,
            item_label=line.label,
            date=t.sessions[i].date,
            sessions=tuple(t.sessions[j].label for j in span),
            values=tuple(_value(line.cells[j]) for j in span),
            message=_message(rule, f"{line.label}: {detail}"),
            rule=n,
            latest=i == last,
        )


def _counted(rule: AlertRule) -> Callable[[Cell], bool] | None:
    """For rules about runs of sessions: which sessions count towards the run."""
    if rule.kind == "low" and rule.cutoff is not None:
        cutoff = rule.cutoff
        return lambda c: c.value is not None and c.value <= cutoff
    if rule.kind == "not_observed":
        wanted = set(rule.codes or ())
        return lambda c: (
            c.value is None and bool(c.codes) and (not wanted or bool(wanted & set(c.codes)))
        )
    return None


def _gaps(
    t: Trajectory, rule: AlertRule, n: int, today: date | None, latest_only: bool
) -> Iterator[Alert]:
    assert rule.days is not None
    days = [_day(s.date) for s in t.sessions]
    for i in range(1, 0 if latest_only else len(days)):
        a, b = days[i - 1], days[i]
        if a is not None and b is not None and (b - a).days >= rule.days:
            yield _gap(t, rule, n, t.sessions[i].date, (i - 1, i), (b - a).days, False)
    last = days[-1] if days else None
    if today is not None and last is not None and (today - last).days >= rule.days:
        yield _gap(t, rule, n, today.isoformat(), (len(days) - 1,), (today - last).days, True)


def _gap(
    t: Trajectory, rule: AlertRule, n: int, when: str, span: tuple[int, ...], days: int, now: bool
) -> Alert:
    since = t.sessions[span[0]]
    detail = (
        f"no rated session for {days} days since {since.label} ({since.date})"
        if now
        else f"{days} days between {since.label} and {t.sessions[span[-1]].label}"
    )
    return Alert(
        dyad=t.dyad,
        kind="gap",
        item=None,
        item_label=None,
        date=when,
        sessions=tuple(t.sessions[j].label for j in span),
        values=(days,),
        message=_message(rule, detail),
        rule=n,
        latest=now,
    )


def _run_end(cells: list[Cell], i: int, ok: Callable[[Cell], bool]) -> int:
    """How many sessions in a row up to and including `i` satisfy `ok`."""
    run = 0
    while i - run >= 0 and ok(cells[i - run]):
        run += 1
    return run


def _fires(run: int, needed: int, latest: bool) -> bool:
    """Once when a run reaches its length, and again at the latest session while it lasts."""
    return run == needed or (latest and run > needed)


def _value(cell: Cell) -> float | str | None:
    if cell.value is not None:
        return cell.value
    return ",".join(cell.codes) or None


def _v(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _message(rule: AlertRule, detail: str) -> str:
    return f"{rule.message}: {detail}" if rule.message else detail
