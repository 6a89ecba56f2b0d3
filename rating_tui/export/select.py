"""Which ratings an export takes (filters), and the instrument each rating was made with.

Filters name roles, not field keys (the dyad field may be called `dyad` in one instrument and
`family` in another), so they need the rating's instrument; `Instruments` finds it by
id@version and refuses a file whose content differs from the one the rating was made with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from rating_tui.export.errors import ExportError
from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import FINAL_ONLY, STATUSES, InstrumentRef, Rating, Status

Record = Mapping[str, Any]
"""A stored rating as `Store.iter_records` gives it."""


class Instruments:
    """The instrument versions known to an export, by id@version, with their content hashes."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._by_ref = {i.ref: (i, content_hash(i)) for i in instruments}
        self._kept: dict[str, Instrument] = {}
        """Copies kept in data folders, by content hash (`add_kept`)."""

    def add_kept(self, instruments: Iterable[Instrument]) -> None:
        """Add the instrument copies a data folder keeps (`Store.stored_instruments`). They
        are exactly what its ratings were made with, so they take the place of a file of the
        same version with other content (edited without a new version; doctor reports it)
        and stand in for a file that is lost."""
        for instrument in instruments:
            hash_ = content_hash(instrument)
            self._kept[hash_] = instrument
            self._by_ref[instrument.ref] = (instrument, hash_)

    def get(self, ref: InstrumentRef) -> Instrument | None:
        """The instrument a rating was made with; None when unknown; `ExportError` when a
        file of that version exists with other content."""
        return self.get_ref(ref.ref, ref.hash)

    def get_ref(self, ref: str, hash_: str) -> Instrument | None:
        """`get` from the parts of an instrument reference: id@version and content hash."""
        found = self._by_ref.get(ref)
        if found is None:
            return None
        if found[1] != hash_ and hash_ in self._kept:
            return self._kept[hash_]
        if found[1] != hash_:
            raise ExportError(
                f"ratings were made with other content of {ref} (hash {hash_[:12]}...) "
                f"than the instrument file found ({found[1][:12]}...); put the exact version "
                "they were made with in an instruments folder (--instruments DIR)"
            )
        return found[0]

    def find(self, ref: InstrumentRef) -> Instrument | None:
        """Like `get`, but None for other content too (for sorting, which must not fail)."""
        found = self._by_ref.get(ref.ref)
        if found is not None and found[1] != ref.hash:
            return self._kept.get(ref.hash)
        return found[0] if found is not None else None

    def require(self, ref: InstrumentRef) -> Instrument:
        found = self.get(ref)
        if found is None:
            raise ExportError(
                f"ratings were made with {ref.ref}, which no instruments folder holds; add the "
                "folder with its file (--instruments DIR)"
            )
        return found

    def versions_of(self, instrument_id: str) -> list[Instrument]:
        return [i for i, _ in self._by_ref.values() if i.id == instrument_id]


def parse_instrument_option(value: str) -> tuple[str, str | None]:
    """`ID` or `ID@VERSION` -> (id, version or None)."""
    wanted_id, at, version = value.partition("@")
    if not wanted_id or (at and not version):
        raise ExportError(f"--instrument {value!r}: expected ID or ID@VERSION")
    if value != value.strip() or wanted_id != wanted_id.strip() or version != version.strip():
        plain = "@".join(p.strip() for p in value.split("@"))  # no id or version has a space
        raise ExportError(
            f"--instrument {value!r} has a space beside its id or version, which none has; "
            f"did you mean --instrument {plain}?"
        )
    return wanted_id, version or None


@dataclass(frozen=True)
class Selection:
    """The filters of `rating-tui export`; each one given must match."""

    instrument: str | None = None
    """An instrument id (any version) or id@version."""
    date_from: date | None = None
    date_to: date | None = None
    dyad: str | None = None
    rater: str | None = None
    statuses: tuple[Status, ...] = FINAL_ONLY

    @property
    def needs_instrument(self) -> bool:
        """Whether matching needs the rating's instrument (role filters)."""
        return self.dyad is not None or self.date_from is not None or self.date_to is not None

    def wants(self, ref: InstrumentRef) -> bool:
        return self.wants_ref(ref.id, ref.version)

    def wants_ref(self, instrument_id: str, version: str) -> bool:
        if self.instrument is None:
            return True
        wanted_id, wanted_version = parse_instrument_option(self.instrument)
        return instrument_id == wanted_id and wanted_version in (None, version)

    def matches(self, rating: Rating, instrument: Instrument | None) -> bool:
        if rating.status not in self.statuses or not self.wants(rating.instrument):
            return False
        if self.rater is not None and rating.rater != self.rater:
            return False
        if not self.needs_instrument:
            return True
        if instrument is None:
            raise ExportError(
                f"cannot filter rating {rating.id} by dyad or date: its instrument "
                f"{rating.instrument.ref} is unknown (add its folder with --instruments DIR)"
            )
        return self._roles_match(rating.session, instrument)

    def apply(
        self,
        ratings: Iterable[Rating],
        instruments: Instruments,
        left_out: dict[str, int] | None = None,
    ) -> Iterator[Rating]:
        """The ratings that match, in the order given; those the statuses alone leave out
        (the other filters keep them) are counted by status in `left_out`."""
        every = replace(self, statuses=STATUSES)
        for rating in ratings:
            found = instruments.get(rating.instrument) if self.needs_instrument else None
            if self.matches(rating, found):
                yield rating
            elif left_out is not None and rating.status not in self.statuses:
                try:
                    kept = every.matches(rating, found)
                except ExportError:  # its instrument is unknown: counted (see `others`)
                    kept = True
                if kept:
                    left_out[rating.status] = left_out.get(rating.status, 0) + 1

    def others(self, instruments: Instruments) -> Callable[[Record], bool] | None:
        """Whether a stored record would be exported but for its status: the other filters
        keep it (`Tally.keeps`, for the count of what the statuses left out); None when no
        other filter is given. A rating whose instrument is unknown is counted, since its
        dyad and date cannot be read (the kept copies of a data folder make that rare)."""
        if self.instrument is None and self.rater is None and not self.needs_instrument:
            return None
        every = replace(self, statuses=STATUSES)

        def keeps(record: Record) -> bool:
            try:
                return every._matches_record(record, instruments)
            except ExportError:
                return True

        return keeps

    def record_filter(self, instruments: Instruments) -> Callable[[Record], bool] | None:
        """`matches` for stored records (`Store.iter_records`), or None when every record of
        `statuses` matches. A record not in the stored form may make it raise KeyError,
        TypeError or AttributeError."""
        if self.instrument is None and self.rater is None and not self.needs_instrument:
            return None
        return lambda record: self._matches_record(record, instruments)

    def _matches_record(self, record: Record, instruments: Instruments) -> bool:
        ref = record["instrument"]
        name = f"{ref['id']}@{ref['version']}"
        found = instruments.get_ref(name, ref["hash"]) if self.needs_instrument else None
        if record["status"] not in self.statuses or not self.wants_ref(ref["id"], ref["version"]):
            return False
        if self.rater is not None and record["rater"] != self.rater:
            return False
        if not self.needs_instrument:
            return True
        if found is None:
            raise ExportError(
                f"cannot filter rating {record['id']} by dyad or date: its instrument "
                f"{name} is unknown (add its folder with --instruments DIR)"
            )
        return self._roles_match(record["session"], found)

    def _roles_match(self, session: Mapping[str, object], instrument: Instrument) -> bool:
        """The dyad and date filters, on a rating's session fields."""
        if self.dyad is not None and _field(session, instrument, "dyad") != self.dyad:
            return False
        if self.date_from is not None or self.date_to is not None:
            day = _field(session, instrument, "session_date")
            if not isinstance(day, str) or not day:
                return False
            if self.date_from is not None and day < self.date_from.isoformat():
                return False
            if self.date_to is not None and day > self.date_to.isoformat():
                return False
        return True


def _role(rating: Rating, instrument: Instrument, role: str) -> object:
    return _field(rating.session, instrument, role)


def _field(session: Mapping[str, object], instrument: Instrument, role: str) -> object:
    field = next((f for f in instrument.fields if f.role == role), None)
    return session.get(field.key) if field is not None else None


def session_date(rating: Rating, instrument: Instrument | None) -> str:
    """The rating's session date (YYYY-MM-DD) or "" when it has none or it is unknown."""
    if instrument is None:
        return ""
    day = _role(rating, instrument, "session_date")
    return day if isinstance(day, str) else ""
