"""Alerts across every dyad of a data folder: what `rating-tui alerts`, Home and the caseload
page show.

Each dyad is judged by the rules of the newest version of its instrument id found among the
instruments (ratings of older versions with the same items join the same course). Ratings of
an instrument id that no instruments folder holds are counted and left out, never dropped
silently.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from rating_tui.instruments.model import Instrument
from rating_tui.services.alerts import Alert, current, evaluate
from rating_tui.services.course import Course
from rating_tui.services.trajectory import (
    Caseload,
    ItemLayout,
    Trajectory,
    build,
    item_layout,
    read_caseload,
)
from rating_tui.store.api import Store
from rating_tui.store.tally import Tally


@dataclass
class DyadStatus:
    """One dyad: its course and the alerts chosen (current ones, or those since a date). The
    course holds no observations, and judged with `full=False` only its latest session."""

    trajectory: Trajectory
    alerts: list[Alert]

    @property
    def last_date(self) -> str:
        return self.trajectory.sessions[-1].date if self.trajectory.sessions else ""


@dataclass
class CaseloadAlerts:
    dyads: list[DyadStatus] = field(default_factory=list)
    """Every dyad read, newest last session first."""
    ratings: int = 0
    unknown: dict[str, int] = field(default_factory=dict)
    """id@version -> ratings left out (no instruments folder holds that id)."""
    without_rules: list[str] = field(default_factory=list)
    """id@version of instruments that define no alert rules (their dyads get none)."""
    tally: Tally = field(default_factory=Tally)
    """Whether the read found every rating the folder counts (`Tally.warning`)."""
    other_raters: set[str] = field(default_factory=set)
    """Raters of the final ratings a rater filter left out."""
    others: dict[tuple[str, str], int] = field(default_factory=dict)
    """(instrument id, dyad) -> final ratings by other raters a rater filter left out."""

    def left_out(self, status: DyadStatus) -> int:
        """Final ratings of this dyad by other raters that a rater filter left out."""
        t = status.trajectory
        return self.others.get((t.instrument.id, t.dyad), 0)

    def others_line(self, rater: str) -> str | None:
        """What a rater filter left out of the dyads shown, in words with counts (None:
        nothing): every session, trend and alert of the page is the rater's own."""
        count = sum(self.left_out(d) for d in self.dyads)
        if not count:
            return None
        shown = sum(1 for d in self.dyads if self.left_out(d))
        return (
            f"{rater}'s ratings only: {count} final rating(s) of {shown} of these dyad(s) by "
            f"other raters are left out, so each session, trend and alert is {rater}'s own "
            f"(a drop 'since the previous session' compares {rater}'s previous session)"
        )

    @property
    def alerts(self) -> list[tuple[Instrument, Alert]]:
        """Every chosen alert, newest first (then by dyad)."""
        out = [(d.trajectory.instrument, a) for d in self.dyads for a in d.alerts]
        out.sort(key=lambda pair: (pair[1].date, pair[1].dyad), reverse=True)
        return out

    @property
    def flagged(self) -> list[DyadStatus]:
        """Dyads with at least one chosen alert, newest alert first."""
        hit = [d for d in self.dyads if d.alerts]
        hit.sort(key=lambda d: max(a.date for a in d.alerts), reverse=True)
        return hit


def newest_versions(instruments: Iterable[Instrument]) -> dict[str, Instrument]:
    from rating_tui.instruments.catalogue import semver_key

    newest: dict[str, Instrument] = {}
    for ins in instruments:
        if ins.id not in newest or semver_key(ins.version) > semver_key(newest[ins.id].version):
            newest[ins.id] = ins
    return newest


def judge(
    caseload: Caseload,
    instruments: Iterable[Instrument],
    *,
    today: date | None,
    since: date | None = None,
    dyad: str | None = None,
    full: bool = True,
) -> CaseloadAlerts:
    """Evaluate every dyad of `caseload`. Without `since`, keep current alerts (the latest
    session's, and gaps up to `today`); with it, every alert raised on or after that date.
    `full=False` (current alerts only) builds each course from its latest sessions alone, the
    few the rules look at, and the whole course only where a run of sessions fills them. With
    `full=False` (with or without `since`), each dyad's trajectory then keeps its latest session
    alone, without lines (what lists of dyads show: its instrument, code and last session), so
    that a large caseload is not held in memory session by session."""
    newest = newest_versions(instruments)
    layouts = {ins_id: item_layout(ins) for ins_id, ins in newest.items()}
    out = CaseloadAlerts(  # with `dyad`, the ratings of that dyad: it said the folder's
        ratings=caseload.ratings
        if dyad is None
        else sum(len(course) for (_, code), course in caseload.dyads.items() if code == dyad),
        unknown=dict(caseload.unknown),
        tally=caseload.tally,
        other_raters=caseload.other_raters,
        others=caseload.others,
    )
    for (ins_id, code), course in caseload.dyads.items():
        if dyad is not None and code != dyad:
            continue
        ins = newest[ins_id]
        if not ins.alerts and ins.ref not in out.without_rules:
            out.without_rules.append(ins.ref)
        if since is not None:
            trajectory = _built(code, ins, course, layouts[ins_id])
            chosen = _since(evaluate(trajectory, today=today), since)
            out.dyads.append(DyadStatus(_latest(trajectory) if not full else trajectory, chosen))
            continue
        tail = None if full else _sessions_needed(ins)
        trajectory = _built(code, ins, course, layouts[ins_id], tail)
        chosen = current(evaluate(trajectory, today=today, latest_only=True))
        if tail is not None and any(a.kind in _RUNS and len(a.sessions) >= tail for a in chosen):
            trajectory = _built(code, ins, course, layouts[ins_id])  # a run fills the tail
            chosen = current(evaluate(trajectory, today=today, latest_only=True))
        out.dyads.append(DyadStatus(_latest(trajectory) if not full else trajectory, chosen))
    out.dyads.sort(key=lambda d: (d.last_date, d.trajectory.dyad), reverse=True)
    return out


_RUNS = ("low", "not_observed")


def _latest(t: Trajectory) -> Trajectory:
    """A judged dyad's course as lists of dyads read it: its latest session alone."""
    return Trajectory(t.dyad, t.instrument, t.sessions[-1:], [], [])


def _built(
    code: str, ins: Instrument, course: Course, layout: ItemLayout, tail: int | None = None
) -> Trajectory:
    """The dyad's trajectory from its latest `tail` sessions (all when None), made from those
    sessions' ratings alone. It keeps no observations: the caseload read keeps no now moments
    or notes (`dyad_trajectory` reads them), and a caseload's trajectories are kept together."""
    sessions = course.sessions()
    latest = sorted(sessions) if tail is None else sorted(sessions)[-tail:]
    observations = course.observations(i for key in latest for i in sessions[key])
    trajectory = build(code, ins, observations, layout)
    trajectory.observations = []
    return trajectory


def _sessions_needed(ins: Instrument) -> int:
    """Latest sessions that decide every current alert: the longest run a rule asks for, plus
    one to see whether a run is longer (a drop needs two)."""
    return max([2, *(r.sessions + 1 for r in ins.alerts if r.sessions)])


def caseload_alerts(
    store: Store,
    instruments: Iterable[Instrument],
    *,
    today: date | None,
    rater: str | None = None,
    since: date | None = None,
    dyad: str | None = None,
    full: bool = True,
) -> CaseloadAlerts:
    """Read the store's final ratings (only `rater`'s when given) and judge every dyad."""
    chosen = list(instruments)
    with _collector_paused():
        caseload = read_caseload(store, chosen, rater)
        return judge(caseload, chosen, today=today, since=since, dyad=dyad, full=full)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: it would rescan the dicts and lists parsed for every
    rating over and over (about a fifth of the CPU time at 100k ratings). Nothing made here
    holds a reference cycle, so nothing is left for it to find (5 objects at 100k)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _since(alerts: list[Alert], since: date) -> list[Alert]:
    first = since.isoformat()
    return [a for a in alerts if a.date >= first]
