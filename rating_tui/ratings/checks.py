"""Checks before a rating is stored, shared by the app and `ratings import`.

Validation (`validate.py`) says whether a rating is well formed. These checks look at it beside
the dyad's other ratings and today's date, for the mistakes made after a long home visit: the
same session rated twice, a date in the future, session numbers out of order with their dates.

A finding is an error or a warning. A warning can be confirmed (a second rater rating the same
session is legitimate); an error cannot: the rater opens the existing rating or changes the
session fields.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Rating

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What the checks compare: one rating's dyad, session number, date and rater."""

    id: str
    instrument_id: str
    dyad: str | None
    number: int | None
    day: date | None
    rater: str
    status: str


@dataclass(frozen=True)
class Finding:
    """One thing to tell the rater before storing; `other` is the rating it concerns."""

    severity: Severity
    kind: Literal["duplicate", "same_day", "future", "order", "new_dyad"]
    message: str
    other: str | None = None
    """The id of the rating already stored that the finding is about (to offer "open it")."""

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def facts(rating: Rating, instrument: Instrument | None) -> SessionFacts:
    """A rating's session facts, read through its instrument's roles (the role names
    themselves when the instrument is not at hand, as in the built-in instrument)."""

    def role(name: str) -> object:
        key = instrument.key_for(name) if instrument is not None else None  # type: ignore[arg-type]
        return rating.session.get(key or name)

    dyad, number, day = role("dyad"), role("session_number"), role("session_date")
    try:
        when = date.fromisoformat(day) if isinstance(day, str) else None
    except ValueError:
        when = None
    return SessionFacts(
        id=rating.id,
        instrument_id=rating.instrument.id,
        dyad=dyad if isinstance(dyad, str) else None,
        number=number if type(number) is int else None,
        day=when,
        rater=rating.rater,
        status=rating.status,
    )


def check_session(new: SessionFacts, others: Iterable[SessionFacts], today: date) -> list[Finding]:
    """Every finding about `new` against the dyad's other ratings (voided ones, the rating
    itself and other instruments' ratings are left out); errors first."""
    found: list[Finding] = []
    if new.day is not None and new.day > today:
        found.append(
            Finding(
                "warning",
                "future",
                f"the session date {new.day.isoformat()} is in the future "
                f"(today is {today.isoformat()})",
            )
        )
    if new.dyad is None:
        return found
    same_dyad = [
        o
        for o in others
        if o.id != new.id
        and o.status != "voided"
        and o.dyad == new.dyad
        and o.instrument_id == new.instrument_id
    ]
    kinds: set[str] = set()
    for other in sorted(same_dyad, key=lambda o: (o.day or date.min, o.number or 0)):
        finding = _compare(new, other)
        if finding is not None and (finding.kind == "duplicate" or finding.kind not in kinds):
            found.append(finding)  # one out-of-order warning is enough to look again
            kinds.add(finding.kind)
    found.sort(key=lambda f: f.severity != "error")
    return found


def _compare(new: SessionFacts, other: SessionFacts) -> Finding | None:
    same_rater = other.rater.casefold() == new.rater.casefold()
    when = other.day.isoformat() if other.day else "an unknown date"
    if new.number is not None and other.number == new.number:
        draft = " (a draft)" if other.status == "draft" else ""
        text = (
            f"{new.dyad} session {new.number} is already rated by {other.rater} on {when}{draft}: "
            "open it, or rate it as a second rater?"
        )
        # The same rater twice is an error: a second rater needs another rater code.
        return Finding("error" if same_rater else "warning", "duplicate", text, other.id)
    if new.day is not None and other.day == new.day and same_rater:
        return Finding(
            "warning",
            "same_day",
            f"{other.rater} already rated {new.dyad} on {when} as session {other.number}: "
            f"is session {new.number} another session on the same day?",
            other.id,
        )
    if None in (new.number, new.day, other.number, other.day):
        return None
    assert new.number is not None and other.number is not None
    assert new.day is not None and other.day is not None
    if (new.number > other.number and new.day < other.day) or (
        new.number < other.number and new.day > other.day
    ):
        return Finding(
            "warning",
            "order",
            f"session {new.number} of {new.dyad} is dated {new.day.isoformat()}, "
            f"{'before' if new.day < other.day else 'after'} session {other.number} "
            f"({when}): check the session number and the date",
            other.id,
        )
    return None


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def roster_finding(dyad: str | None, roster: Collection[str] | None) -> Finding | None:
    """A warning when the study keeps a roster and `dyad` (not yet rated) is not in it: a
    mistyped code must not silently start a new dyad. The caller leaves out rated dyads."""
    if dyad is None or roster is None or dyad in roster:
        return None
    near = nearest(dyad, roster)
    text = f"{dyad} is not in the study's dyad list and has no ratings yet: new dyad?"
    if near:
        text += f" Nearest codes: {', '.join(near)}"
    return Finding("warning", "new_dyad", text)


def nearest(code: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The known codes within two edits of `code` (a swap of two neighbours is one edit),
    nearest first."""
    scored = sorted((_distance(code.upper(), k.upper()), k) for k in set(known) if k != code)
    return [k for d, k in scored if d <= 2][:limit]


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    adjacent characters (EC0471 -> EC0417 is one)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = int(a[i - 1] != b[j - 1])
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
