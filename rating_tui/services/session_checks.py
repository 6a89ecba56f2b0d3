"""The pre-store checks (`ratings.checks`) run against a data folder: for one rating about to
be stored by the app, and for every new rating of a file being imported."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date

from rating_tui.instruments.model import Instrument
from rating_tui.ratings.checks import (
    Finding,
    SessionFacts,
    check_session,
    facts,
    roster_finding,
)
from rating_tui.ratings.model import Rating, Status
from rating_tui.store.api import Store

CHECKED: tuple[Status, ...] = ("final", "draft")
"""Voided ratings are withdrawn: rating their session again is not a duplicate."""

InstrumentOf = Callable[[Rating], Instrument | None]


def check_rating(
    store: Store,
    instrument: Instrument,
    rating: Rating,
    today: date,
    instrument_of: InstrumentOf,
    roster: list[str] | None = None,
) -> list[Finding]:
    """Findings about `rating` (not yet stored with these session fields) against the dyad's
    stored ratings and the study roster (None: the study keeps none)."""
    new = facts(rating, instrument)
    if new.dyad is None:
        return check_session(new, [], today)
    stored = store.list(dyad=new.dyad, statuses=(*CHECKED, "voided"), limit=None)
    findings = check_session(new, [facts(r, instrument_of(r)) for r in stored], today)
    rated = any(r.id != rating.id for r in stored)
    unknown = None if rated else roster_finding(new.dyad, roster)
    return findings + ([unknown] if unknown else [])


def check_import(
    store: Store | None,
    new: Sequence[SessionFacts],
    today: date,
    instrument_of: InstrumentOf,
    roster: list[str] | None = None,
) -> dict[str, list[Finding]]:
    """Findings by rating id, for ratings of an import that are not stored yet, given by
    their session facts in file order (`facts(rating, its instrument)`: an import keeps these,
    not the ratings), against the stored ratings and the file's earlier ratings."""
    return dict(import_findings(store, new, today, instrument_of, roster))


def import_findings(
    store: Store | None,
    new: Sequence[SessionFacts],
    today: date,
    instrument_of: InstrumentOf,
    roster: list[str] | None = None,
) -> Iterator[tuple[str, list[Finding]]]:
    """`check_import`'s findings one rating at a time, in the order of `new` (the stored
    ratings are read before the first), so that an import with many findings does not hold
    them all."""
    stored_ids: set[str] = set()
    pool: dict[str, list[SessionFacts]] = {}
    dyads = {f.dyad for f in new if f.dyad is not None}
    if store is not None:
        for rating in stored_of(store, dyads):
            stored_ids.add(rating.id)
            found = facts(rating, instrument_of(rating))
            pool.setdefault(found.dyad or "", []).append(found)
    for found in new:
        if found.id in stored_ids:
            continue
        if found.status != "voided":
            findings = session_findings(found, pool.get(found.dyad or "", []), today, roster)
            if findings:
                yield found.id, findings
        pool.setdefault(found.dyad or "", []).append(found)


def session_findings(
    found: SessionFacts, earlier: list[SessionFacts], today: date, roster: list[str] | None
) -> list[Finding]:
    """The findings about one new rating of an import against `earlier`: the stored ratings
    of its dyad and the file's earlier lines of it, in that order (a pair within the file is
    reported once, at its second line); the roster's "new dyad" when there are none."""
    findings = check_session(found, earlier, today)
    unknown = None if earlier else roster_finding(found.dyad, roster)
    return findings + ([unknown] if unknown else [])


def stored_of(store: Store, dyads: set[str]) -> Iterable[Rating]:
    """The stored ratings of these dyads (every status: ids already present are not new).
    Every rule needs all of a dyad's ratings, whatever their date (a session number already
    rated, the same day, numbers out of order with the dates; the roster's "new dyad": any
    rating), so the dates in the file cannot narrow it; the months' summaries of dyads do:
    only the months that hold one of these dyads are read, and only their ratings are
    validated (`Store.of_dyads`)."""
    return store.of_dyads(dyads, statuses=("draft", "final", "voided"))
