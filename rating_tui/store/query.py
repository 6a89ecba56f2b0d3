"""Filtering and ordering stored records without building a Rating for each.

`list` looks at raw records (plain dicts) and builds Rating objects only for the few it
returns, so listing the newest 50 of a month of 500 ratings costs one JSON parse, not 500
model validations. Which session field holds the dyad code or the date depends on the
instrument version; the registry records those role keys at first use (`Roles`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rating_tui.ratings.model import FINAL_ONLY, Status
from rating_tui.store.layout import month_in_range

Roles = Mapping[str, Mapping[str, str | None]]
"""id@version -> role ("dyad", "session_date", "rater", ...) -> session field key."""


def ref_of(record: Mapping[str, Any]) -> str:
    instrument = record.get("instrument")
    if not isinstance(instrument, dict):
        return "?"  # damaged: matches no instrument filter
    return f"{instrument.get('id')}@{instrument.get('version')}"


def roles_of(registry: Mapping[str, Any]) -> dict[str, dict[str, str | None]]:
    """`Roles` from the registry's entries (id@version -> entry): each entry's `roles`, keys
    of another shape left out."""
    out: dict[str, dict[str, str | None]] = {}
    for ref, entry in registry.items():
        found = entry.get("roles") if isinstance(entry, dict) else None
        if isinstance(found, dict):
            out[ref] = {k: v for k, v in found.items() if isinstance(v, str) or v is None}
    return out


def role_value(record: Mapping[str, Any], roles: Roles, role: str) -> object:
    """The value of the session field that has `role` in the record's instrument."""
    key = roles.get(ref_of(record), {}).get(role)
    session = record.get("session")
    if not key or not isinstance(session, dict):
        return None  # a damaged record matches no filter; reading it fully names the damage
    return session.get(key)


def sort_key(record: Mapping[str, Any], roles: Roles) -> tuple[str, str, str]:
    """(session date, created, id): sorting by it in reverse gives newest first. The id makes
    the order total, so it never depends on which file of a month a rating is in."""
    day = role_value(record, roles, "session_date")
    created = str(record.get("created", ""))
    return (day if isinstance(day, str) else "", created, str(record.get("id", "")))


@dataclass(frozen=True)
class Query:
    """Filters of `Store.list` and `Store.iter_all`; every given filter must match."""

    dyad: str | None = None
    rater: str | None = None
    date_from: date | None = None
    """First session date included."""
    date_to: date | None = None
    """Last session date included."""
    instrument: str | None = None
    """An instrument id (any version) or id@version."""
    statuses: Collection[Status] = FINAL_ONLY
    fold_case: bool = False
    """Match the dyad and rater codes whatever their case (to tell a user who typed `ec0417`
    that `EC0417` exists: codes are otherwise matched exactly)."""

    def month_may_match(self, shard: str) -> bool:
        return month_in_range(shard, self.date_from, self.date_to)

    def matches(self, record: Mapping[str, Any], roles: Roles) -> bool:
        if record.get("status") not in self.statuses:
            return False
        if self.rater is not None and not self._same(record.get("rater"), self.rater):
            return False
        if self.instrument is not None:
            ref = ref_of(record)
            wanted = self.instrument if "@" in self.instrument else None
            if ref != wanted and ref.partition("@")[0] != self.instrument:
                return False
        if self.dyad is not None and not self._same(role_value(record, roles, "dyad"), self.dyad):
            return False
        if self.date_from is not None or self.date_to is not None:
            day = role_value(record, roles, "session_date")
            if not isinstance(day, str):
                return False
            if self.date_from is not None and day < self.date_from.isoformat():
                return False
            if self.date_to is not None and day > self.date_to.isoformat():
                return False
        return True

    def _same(self, stored: object, wanted: str) -> bool:
        if stored == wanted:
            return True
        return self.fold_case and isinstance(stored, str) and stored.casefold() == wanted.casefold()
