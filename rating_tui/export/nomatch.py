"""Why an export matched nothing, in words: which filter matched nothing on its own, and what
the data folders hold instead (the instrument versions, the raters, the dyads near the code
typed, the session dates, the ratings of each status).

An export that matches nothing is refused, whatever the format and whichever filter it was:
`--instrument X` of a known instrument wrote an empty table and exited 0 while `--dyad ZZ9`
exited 1, and a researcher's script read the empty table as "no ratings yet". A typo is the
usual cause, so the refusal names the filter and what exists.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rating_tui.export.errors import ExportError
from rating_tui.export.select import Instruments, Selection

FILTERS = ("instrument", "dyad", "rater", "date")
SHOWN = 8
"""Values listed at most (raters, instrument versions, dyads near the code typed)."""


class NoMatch(ExportError):
    """No rating matches the export's filters: nothing is written, in any format."""


def asked(selection: Selection) -> str:
    """The filters as they were typed, e.g. `--dyad ZZ9 --from 2026-01-01 (status: final)`."""
    parts = [
        f"{option} {value}"
        for option, value in (
            ("--instrument", selection.instrument),
            ("--dyad", selection.dyad),
            ("--rater", selection.rater),
            ("--from", selection.date_from),
            ("--to", selection.date_to),
        )
        if value is not None
    ]
    return " ".join([*parts, f"(status: {', '.join(selection.statuses)})"])


def given(selection: Selection) -> list[str]:
    """The filters of `FILTERS` that were given."""
    values = {
        "instrument": selection.instrument,
        "dyad": selection.dyad,
        "rater": selection.rater,
        "date": selection.date_from or selection.date_to,
    }
    return [f for f in FILTERS if values[f] is not None]


@dataclass
class Held:
    """What the data folders hold, gathered in one read (`add` for each rating)."""

    selection: Selection
    instruments: Instruments
    statuses: Counter[str] = field(default_factory=Counter)
    refs: Counter[str] = field(default_factory=Counter)
    raters: Counter[str] = field(default_factory=Counter)
    dyads: Counter[str] = field(default_factory=Counter)
    days: list[str] = field(default_factory=list)
    """The first and last session dates seen."""
    alone: dict[str, Counter[str]] = field(default_factory=dict)
    """filter -> status -> ratings that filter keeps on its own."""
    _roles: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)

    def add(
        self,
        status: str,
        instrument: tuple[str, str, str],
        rater: str,
        session: Mapping[str, Any],
    ) -> None:
        """One rating: its status, instrument (id, version, content hash), rater, session."""
        instrument_id, version, hash_ = instrument
        dyad_key, date_key = self._keys(instrument_id, version, hash_)
        dyad = session.get(dyad_key) if dyad_key else None
        day = session.get(date_key) if date_key else None
        day = day if isinstance(day, str) and day else None
        self.statuses[status] += 1
        self.refs[f"{instrument_id}@{version}"] += 1
        self.raters[rater] += 1
        if isinstance(dyad, str):
            self.dyads[dyad] += 1
        if day is not None:
            self.days = [min([day, *self.days[:1]]), max([day, *self.days[1:]])]
        wanted = self.selection
        kept = {
            "instrument": wanted.wants_ref(instrument_id, version),
            "dyad": dyad == wanted.dyad,
            "rater": rater == wanted.rater,
            "date": day is not None
            and (wanted.date_from is None or day >= wanted.date_from.isoformat())
            and (wanted.date_to is None or day <= wanted.date_to.isoformat()),
        }
        for name in given(wanted):
            if kept[name]:
                self.alone.setdefault(name, Counter())[status] += 1

    def _keys(self, instrument_id: str, version: str, hash_: str) -> tuple[str | None, str | None]:
        """The session keys of the dyad and the session date in this instrument version."""
        found = self._roles.get((instrument_id, version))
        if found is None:
            try:
                instrument = self.instruments.get_ref(f"{instrument_id}@{version}", hash_)
            except ExportError:
                instrument = None
            found = (None, None)
            if instrument is not None:
                found = (instrument.key_for("dyad"), instrument.key_for("session_date"))
            self._roles[(instrument_id, version)] = found
        return found

    def add_record(self, record: Mapping[str, Any]) -> int | None:
        """`add` of a stored record (`Store.iter_records`); None when it is not in the stored
        form (the store then gives its validated dump)."""
        try:
            ref = record["instrument"]
            instrument = (str(ref["id"]), str(ref["version"]), str(ref["hash"]))
            status, rater, session = record["status"], record["rater"], record["session"]
            if not isinstance(session, Mapping):
                return None
            self.add(str(status), instrument, str(rater), session)
        except (KeyError, TypeError, AttributeError):
            return None
        return 1

    def lines(self, instrument_files: Callable[[str], Iterable[str]]) -> list[str]:
        """Why nothing matched: each filter that keeps no rating of the statuses asked for on
        its own, with what the folders hold instead; or, when each keeps some, that together
        they keep none. `instrument_files(id)` lists the versions known of an instrument."""
        wanted = self.selection
        if not self.statuses:
            return ["the data folder holds no ratings at all"]
        lines: list[str] = []
        alone: dict[str, int] = {}
        for name in given(wanted):
            found = self.alone.get(name, Counter())
            alone[name] = sum(found[s] for s in wanted.statuses)
            if alone[name]:
                continue
            if found:  # the filter keeps ratings, none of the statuses asked for
                lines.append(
                    f"{_option(wanted, name)} matches {_counts(found)}, but none of status "
                    f"{', '.join(wanted.statuses)} (--status chooses which)"
                )
            else:
                lines.append(self._none(name, instrument_files))
        if lines:
            return lines
        in_status = sum(self.statuses[s] for s in wanted.statuses)
        if not in_status:
            return [
                f"the data folder holds no rating of status {', '.join(wanted.statuses)}; it "
                f"holds {_counts(self.statuses)} (--status chooses which)"
            ]
        each = ", ".join(f"{_option(wanted, n)}: {k} rating(s)" for n, k in alone.items())
        return [f"each filter matches ratings on its own ({each}), but no rating matches all"]

    def _none(self, name: str, instrument_files: Callable[[str], Iterable[str]]) -> str:
        """What the folders hold for a filter that matched no rating of any status."""
        wanted = self.selection
        option = _option(wanted, name)
        if name == "instrument":
            wanted_id, _, version = str(wanted.instrument).partition("@")
            known = any(version in ("", v) for v in instrument_files(wanted_id))
            held = _listed(sorted(self.refs))
            no_file = (
                "" if known else " and no instrument file match it (rating-tui instruments list)"
            )
            return f"{option}: no ratings{no_file}; the ratings were made with {held}"
        if name == "rater":
            return (
                f"{option}: no rating has this rater; the raters are {_listed(sorted(self.raters))}"
            )
        if name == "dyad":
            folded = {d.casefold(): d for d in sorted(self.dyads)}
            near = [
                folded[d]
                for d in difflib.get_close_matches(str(wanted.dyad).casefold(), folded, 3, 0.6)
            ]
            if near:
                return (
                    f"{option}: no rating has this dyad; {len(self.dyads)} dyad(s) have "
                    f"ratings, the nearest: {', '.join(near)}"
                )
            return f"{option}: no rating has this dyad; the dyads are {_listed(sorted(self.dyads))}"
        if not self.days:
            return f"{option}: no rating has a session date"
        return (
            f"{option}: no session in that range; the sessions run from {self.days[0]} to "
            f"{self.days[1]}"
        )


def _option(selection: Selection, name: str) -> str:
    if name == "date":
        ends = [("--from", selection.date_from), ("--to", selection.date_to)]
        return " ".join(f"{o} {d}" for o, d in ends if d is not None)
    return f"--{name} {getattr(selection, name)}"


def _counts(statuses: Counter[str]) -> str:
    kinds = {"draft": "draft(s)", "voided": "voided rating(s)", "final": "final rating(s)"}
    return " and ".join(
        f"{n} {kinds.get(s, f'rating(s) of status {s}')}" for s, n in sorted(statuses.items())
    )


def _listed(values: list[str]) -> str:
    if not values:
        return "none"
    more = f" and {len(values) - SHOWN} more" if len(values) > SHOWN else ""
    return ", ".join(values[:SHOWN]) + more
