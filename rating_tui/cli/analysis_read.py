"""What `rating-tui agreement` and `rating-tui calibrate` read: the selected final ratings of
every --data folder, once, into session tables (`analysis.pairing.Collected`).

One folder is read straight from its stored records (`analysis.stored.collect_folder`, as the
Calibration view reads its folder); several go through the export's merged stream and
`pairing.collect`. The options that select ratings are the export's, and so are their errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rating_tui.cli.errors import day_range, distinct_folders, fail, warn_incomplete
from rating_tui.cli.export_cmd import _instruments, _settings, open_sources
from rating_tui.cli.near_codes import no_such_instrument

if TYPE_CHECKING:
    from rating_tui.analysis.sessiontable import Collected
    from rating_tui.export.select import Instruments, Selection
    from rating_tui.export.sources import StoreSource
    from rating_tui.instruments.model import Instrument


@dataclass(frozen=True)
class Filters:
    """The options both commands share with `rating-tui export`."""

    instrument: str | None
    date_from: str | None
    date_to: str | None
    dyad: str | None
    data: list[Path] | None


def _collect(
    ctx: typer.Context, filters: Filters, raters: set[str] | None
) -> tuple[Collected, list[str | None]]:
    """Read the selected final ratings of every data folder once, into session tables; and
    what the read of each folder lacked (`StoreSource.warning`)."""
    from rating_tui.analysis.pairing import collect
    from rating_tui.export.job import ExportRequest, cycle_collection_paused, rating_stream
    from rating_tui.export.merge import MergeReport
    from rating_tui.export.select import Selection, parse_instrument_option
    from rating_tui.paths import data_dir
    from rating_tui.ratings.model import InstrumentRef

    if filters.instrument is not None:
        parse_instrument_option(filters.instrument)
    selection = Selection(
        filters.instrument,
        *day_range(filters.date_from, filters.date_to),
        filters.dyad,
    )
    folders = distinct_folders(filters.data or [data_dir(_settings(ctx)[0])])
    instruments = _instruments(ctx)
    sources = open_sources(folders, instruments)

    def instrument_of(instrument_id: str, version: str, hash_: str) -> Instrument:
        return instruments.require(InstrumentRef(id=instrument_id, version=version, hash=hash_))

    with cycle_collection_paused():  # as the export reads: records are trees, no cycles
        found = _one_folder(selection, sources, instruments, instrument_of, raters)
        if found is None:
            stream = rating_stream(
                ExportRequest(selection=selection), sources, instruments, MergeReport()
            )
            found = collect(stream, instrument_of, raters)
    warnings = [s.warning() for s in sources]
    if not found.tables:
        warn_incomplete(warnings, then=None)
        raise LookupError("no final ratings match; nothing to analyse")
    return found, warnings


def _one_folder(
    selection: Selection,
    sources: list[StoreSource],
    instruments: Instruments,
    instrument_of: Callable[[str, str, str], Instrument],
    raters: set[str] | None,
) -> Collected | None:
    """One folder's tables read straight from its stored records (`stored.collect_folder`,
    as the Calibration view reads them); None when there are several folders, which are
    merged by rating id as the export merges them (the newest copy decides its status)."""
    from rating_tui.analysis.stored import collect_folder
    from rating_tui.export.job import RecordSource

    source = sources[0]
    if len(sources) > 1 or not isinstance(source, RecordSource):
        return None
    return collect_folder(
        lambda read: source.records(read, selection.statuses),
        instrument_of,
        raters,
        selection.record_filter(instruments),
    )


def read_tables(
    ctx: typer.Context, filters: Filters, raters: set[str] | None
) -> tuple[Collected, list[str | None]]:
    from rating_tui.export.errors import ExportError
    from rating_tui.store import StoreError

    try:
        return _collect(ctx, filters, raters)
    except (ExportError, StoreError, LookupError) as exc:

        def versions(wanted_id: str) -> list[str]:
            return [i.version for i in _instruments(ctx).versions_of(wanted_id)]

        fail(str(exc) + no_such_instrument(filters.instrument, versions))


def check_raters(found: Collected, named: list[str] | None, warnings: list[str | None]) -> None:
    """Refuse a --rater that matched no usable final rating: the figures would silently be
    those of the other raters alone (a typo, or another case: codes match exactly)."""
    present = {r for table in found.tables.values() for r in table.raters}
    absent = sorted(set(named or ()) - present)
    if absent:
        warn_incomplete(warnings, then=None)
        listed = ", ".join(repr(r) for r in absent)
        fail(
            f"--rater {listed}: no usable final rating by that rater matches the filters "
            "(rater codes match exactly, case included); nothing was computed"
        )
