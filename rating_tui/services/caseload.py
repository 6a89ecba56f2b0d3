"""Alerts across every dyad of a data folder: what `rating-tui alerts`, Home and the caseload
page show.

Each dyad is judged by the rules of the newest version of its instrument id found among the
instruments (ratings of older versions with the same items join the same course). Ratings of
an instrument id that no instruments folder holds are counted and left out, never dropped
silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rating_tui.instruments.model import Instrument
from rating_tui.services.alerts import Alert, current, evaluate
from rating_tui.services.trajectory import Caseload, Trajectory, build, read_caseload
from rating_tui.store.api import Store


@dataclass
class DyadStatus:
    """One dyad: its course and the alerts chosen (current ones, or those since a date)."""

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
) -> CaseloadAlerts:
    """Evaluate every dyad of `caseload`. Without `since`, keep current alerts (the latest
    session's, and gaps up to `today`); with it, every alert raised on or after that date."""
    newest = newest_versions(instruments)
    out = CaseloadAlerts(ratings=caseload.ratings, unknown=dict(caseload.unknown))
    for (ins_id, code), observations in caseload.dyads.items():
        if dyad is not None and code != dyad:
            continue
        ins = newest[ins_id]
        if not ins.alerts and ins.ref not in out.without_rules:
            out.without_rules.append(ins.ref)
        trajectory = build(code, ins, observations)
        raised = evaluate(trajectory, today=today)
        chosen = current(raised) if since is None else _since(raised, since)
        out.dyads.append(DyadStatus(trajectory, chosen))
    out.dyads.sort(key=lambda d: (d.last_date, d.trajectory.dyad), reverse=True)
    return out


def caseload_alerts(
    store: Store,
    instruments: Iterable[Instrument],
    *,
    today: date | None,
    rater: str | None = None,
    since: date | None = None,
    dyad: str | None = None,
) -> CaseloadAlerts:
    """Read the store's final ratings (only `rater`'s when given) and judge every dyad."""
    chosen = list(instruments)
    return judge(read_caseload(store, chosen, rater), chosen, today=today, since=since, dyad=dyad)


def _since(alerts: list[Alert], since: date) -> list[Alert]:
    first = since.isoformat()
    return [a for a in alerts if a.date >= first]
