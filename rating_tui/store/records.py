"""Small rules shared by the Store API: stored record <-> Rating, which month a rating goes
in, required reasons, validation before any write, the instrument hash cache."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Rating, RatingContent, utc_now
from rating_tui.ratings.validate import validate_rating
from rating_tui.store.backups import restore_hint
from rating_tui.store.errors import (
    RatingConflictError,
    RatingInvalidError,
    ReasonRequiredError,
    StoreCorruptError,
)
from rating_tui.store.layout import Layout, shard_name


def to_rating(record: dict[str, Any], layout: Layout, shard: str) -> Rating:
    """A stored record of shard `shard` as a Rating; a record that is not one (a bad hand
    edit) is damage. The file's path and backups are worked out only for that message: on
    the way of every rating of an export, they would cost as much as the validation."""
    try:
        return Rating.model_validate(record)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        path = layout.shard(shard)
        backups = layout.backups_of(path)
        raise StoreCorruptError(
            f"{path}: rating {record.get('id')!r} is damaged ({where}: {first['msg']}); nothing "
            f"was changed.\n{restore_hint(path, backups)}",
            path,
        ) from None


def next_time(stored: Rating) -> datetime:
    """The `updated` time of the next version of `stored`: now, but always later than the
    stored one (a clock set back must not give two versions the same time), so that
    `updated` identifies a version of a rating and can serve as its revision tag."""
    return max(utc_now(), stored.updated + timedelta(microseconds=1))


def check_base(rating_id: str, based_on: datetime, stored: Rating) -> None:
    """Refuse a change based on another version than the stored one (optimistic
    concurrency): `based_on` is the `updated` time of the version the change started from."""
    if based_on == stored.updated:
        return
    last = stored.revisions[-1] if stored.revisions else None
    who = last.by if last is not None and last.at == stored.updated else stored.rater
    what = {"voided": "voided", "final": "changed"}.get(stored.status, "saved")
    raise RatingConflictError(
        f"rating {rating_id} was {what} by {who} at {_when(stored.updated)}, after the "
        f"version you started from ({_when(based_on)}). Your change was not saved, so "
        "nothing of theirs is overwritten: reload the rating to see their version, then make "
        "your change again.",
        who=who,
        at=stored.updated,
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def target_shard(rating: Rating, roles: Mapping[str, str | None]) -> str:
    """The month file a rating belongs in: the month of its session date, or "undated"."""
    key = roles.get("session_date")
    return shard_name(rating.session.get(key) if key else None)


def require_reason(reason: str | None, by: str, what: str) -> str:
    """The stripped reason for a change that is kept in the history, which also needs `by`."""
    if reason is None or not reason.strip():
        raise ReasonRequiredError(f"{what} needs a reason (it is kept in the rating's history)")
    if not by.strip():
        raise ReasonRequiredError(f"{what} needs the name of who makes the change")
    return reason.strip()


def check_rating(
    rating: RatingContent, rating_id: str, instrument: Instrument, instrument_hash: str
) -> None:
    """Refuse, before anything is written, a rating that does not fit its instrument."""
    problems = validate_rating(rating, instrument, instrument_hash=instrument_hash)
    if problems:
        raise RatingInvalidError(rating_id, problems)


class HashCache:
    """Content hashes of the instrument objects seen (the app saves on every keystroke)."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Instrument, str]] = {}

    def __call__(self, instrument: Instrument) -> str:
        cached = self._seen.get(id(instrument))
        if cached is None or cached[0] is not instrument:
            cached = (instrument, content_hash(instrument))
            self._seen[id(instrument)] = cached
        return cached[1]
