"""One export run: which instrument versions, which ratings, which rows, into which sinks.

The CLI gathers options into an `ExportRequest` and hands over the sources (data folders) and
the known instruments; `run` streams ratings once, feeding the main table and the now-moments
table together. It does no printing: progress goes to a callback, the summary is returned.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, Protocol, TypeVar, runtime_checkable

from rating_tui.export.errors import ExportError
from rating_tui.export.merge import MergeReport, Source, merge
from rating_tui.export.nomatch import NoMatch, asked
from rating_tui.export.output import write_text_chunks
from rating_tui.export.select import Instruments, Selection, session_date
from rating_tui.instruments.catalogue import semver_key
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import STATUSES, Rating, Status

if TYPE_CHECKING:  # the tables' machinery is imported where it is used: JSON Lines needs none
    from rating_tui.export.columns import ValuesMode
    from rating_tui.export.plan import Plan
    from rating_tui.export.tables import Row

Format = Literal["csv", "jsonl", "redcap", "sav", "dta"]
TableLayout = Literal["wide", "long"]
Progress = Callable[[int], None]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "redcap", "sav", "dta")
LAYOUTS: tuple[TableLayout, ...] = ("wide", "long")
VALUES: tuple[ValuesMode, ...] = ("codes", "labels")
T = TypeVar("T")


class RatingSource(Protocol):
    """A data folder as the export sees it (`Store` adapted by `StoreSource`)."""

    name: str

    def ratings(self, statuses: Collection[Status]) -> Iterable[Rating]: ...

    def refs(self, selection: Selection) -> set[str]:
        """id@version of every instrument version with at least one matching rating."""
        ...


@runtime_checkable
class RecordSource(RatingSource, Protocol):
    """A source that can also give its ratings as stored records, the fast path of the CSV
    tables (`StoreSource`, from `Store.iter_records`)."""

    def records(
        self, read: Callable[[dict[str, Any]], T | None], statuses: Collection[Status]
    ) -> Iterable[T]:
        """`read(record)` of each rating `ratings` gives, in the same order, with the stored
        record (a dict) instead of the Rating; see `Store.iter_records`. The calls to `read`
        may come in another order (a month's file order): `read` must not depend on it."""
        ...


@dataclass(frozen=True)
class ExportRequest:
    format: Format = "csv"
    layout: TableLayout = "wide"
    values: ValuesMode = "codes"
    selection: Selection = field(default_factory=Selection)
    all_versions: bool = False
    excel: bool = False


@dataclass
class ExportSummary:
    ratings: int = 0
    rows: int = 0
    moments: int = 0
    merge: MergeReport = field(default_factory=MergeReport)
    left_out: dict[str, int] = field(default_factory=dict)
    """status -> ratings the statuses left out of an export of several folders (the other
    filters keep them); one folder's are counted by its `Tally`."""


def choose_versions(
    request: ExportRequest, sources: Sequence[RatingSource], instruments: Instruments
) -> list[Instrument]:
    """The instrument versions one table will hold; an `ExportError` says what to choose
    (`NoMatch` when no rating matches: no format writes an empty table)."""
    refs = matching_refs(request, sources)
    ids = sorted({r.partition("@")[0] for r in refs})
    if len(ids) > 1:
        raise ExportError(
            "the ratings found were made with several instruments ("
            + ", ".join(ids)
            + "); a table holds one: export each with --instrument ID"
        )
    versions = sorted((r.partition("@")[2] for r in refs), key=semver_key)
    if len(versions) > 1 and not request.all_versions:
        raise ExportError(
            f"the ratings found were made with several versions of {ids[0]}: "
            f"{', '.join(versions)}. Export one with --instrument {ids[0]}@{versions[-1]}, or "
            "all in one table with --all-versions (union of their columns; the "
            "instrument_version column tells them apart)"
        )
    found = []
    for version in versions:
        instrument = next(
            (i for i in instruments.versions_of(ids[0]) if i.version == version), None
        )
        if instrument is None:
            raise ExportError(
                f"ratings were made with {ids[0]}@{version}, which no instruments folder holds; "
                "add the folder with its file (--instruments DIR)"
            )
        found.append(instrument)
    return found


def matching_refs(request: ExportRequest, sources: Sequence[RatingSource]) -> set[str]:
    """id@version of the instrument versions with a rating that matches `request`;
    `NoMatch` when there is none, whatever the format: an export that matches nothing is
    almost always a typo, and an empty file read as "no ratings yet"."""
    refs: set[str] = set()
    for source in sources:
        refs |= source.refs(request.selection)
    if not refs:
        raise NoMatch(f"no ratings match {asked(request.selection)}; nothing was written")
    return refs


def rating_stream(
    request: ExportRequest,
    sources: Sequence[RatingSource],
    instruments: Instruments,
    report: MergeReport,
    left_out: dict[str, int] | None = None,
) -> Iterator[Rating]:
    """The selected ratings of all sources, merged by id, in session-date order. Of several
    folders, the ratings the statuses left out are counted in `left_out` (`Selection.apply`);
    one folder's, by its tally."""
    selection = request.selection
    # One folder: let the store filter by status. Several: merge every copy first, since the
    # newest copy of a rating decides its status.
    statuses = selection.statuses if len(sources) == 1 else STATUSES
    merged = merge(
        [Source(s.name, _reader(s, statuses), sealed=_encrypted(s)) for s in sources],
        lambda r: _date_key(r, instruments),
        report,
    )
    return selection.apply(merged, instruments, left_out if len(sources) > 1 else None)


def _encrypted(source: RatingSource) -> bool:
    """Whether the folder is encrypted, so that what the merge counts on disk (its ids) is
    sealed too; a source that does not say (a test's list) is taken as plain."""
    return bool(getattr(source, "encrypted", False))


def _reader(source: RatingSource, statuses: Collection[Status]) -> Callable[[], Iterable[Rating]]:
    return lambda: source.ratings(statuses)


def _date_key(rating: Rating, instruments: Instruments) -> tuple[int, str, str]:
    day = session_date(rating, instruments.find(rating.instrument))
    return (0 if day else 1, day, rating.created.isoformat())


def run(
    request: ExportRequest,
    sources: Sequence[RatingSource],
    instruments: Instruments,
    main: BinaryIO,
    moments: BinaryIO | None = None,
    progress: Progress | None = None,
    plan: Plan | None = None,
) -> ExportSummary:
    """Write the export of `request` to `main` (and the now moments to `moments`)."""
    summary = ExportSummary()
    if request.format in ("sav", "dta"):
        raise ExportError("sav and dta are written by `export.stats`, not streamed")
    if request.format == "jsonl" and len(sources) == 1 and isinstance(sources[0], RecordSource):
        from rating_tui.export.jsonl_records import run_records

        return run_records(request, sources[0], instruments, main, moments, progress)
    from rating_tui.export.csvout import csv_chunks
    from rating_tui.export.plan import Plan
    from rating_tui.export.tables import moment_rows_of

    if plan is None and request.format != "jsonl":
        plan = Plan(choose_versions(request, sources, instruments), request.values)
    if plan is not None and request.format == "csv" and len(sources) == 1:
        source = sources[0]
        if isinstance(source, RecordSource):
            from rating_tui.export.csv_records import run_csv_records

            return run_csv_records(request, source, instruments, plan, main, moments, progress)
    ratings = _counted(
        rating_stream(request, sources, instruments, summary.merge, summary.left_out), summary
    )
    if request.format == "jsonl":
        from rating_tui.export.jsonl import jsonl_chunks

        ratings = _also_moments(
            ratings, lambda r: moment_rows_of(None, r), moments, summary, request.excel
        )
        write_text_chunks(main, _progress(jsonl_chunks(ratings), summary, progress))
        summary.rows = summary.ratings
        return summary
    assert plan is not None
    header, rows = _table(
        request,
        plan,
        _also_moments(ratings, lambda r: moment_rows_of(plan, r), moments, summary, request.excel),
    )
    counted = _count_rows(rows, summary, progress)
    write_text_chunks(main, csv_chunks(header, counted, bom=request.excel))
    return summary


class MomentBatches:
    """The now-moment rows of the ratings read so far (`rows`), written to the moments table
    at each `flush` and counted in the summary: the two record paths of the export (CSV here,
    JSON Lines in `jsonl_records`) gather them while they read. No table: `flush` does nothing."""

    def __init__(self, sink: BinaryIO | None, excel: bool, summary: ExportSummary) -> None:
        self.rows: list[Row] = []
        self._summary = summary
        self._out = None
        if sink is not None:
            from rating_tui.export.csvout import CsvWriter
            from rating_tui.export.tables import MOMENT_COLUMNS

            self._out = CsvWriter(sink, [c.name for c in MOMENT_COLUMNS], bom=excel)

    def flush(self) -> None:
        if self._out is None:
            return
        self._out.writer.writerows(self.rows)
        self._out.flush()
        self._summary.moments += len(self.rows)
        self.rows.clear()


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (as Mercurial does around bulk parsing).

    Parsing a month of records and making its rows allocates hundreds of thousands of
    containers, and every few hundred of them the collector walks the young ones again
    (about 15% of an export's time, benchmarks/export_bench.py). Nothing here makes a
    reference cycle: records and rows are trees, freed by reference counting as soon as
    they are written, so memory stays what it was. The previous state is restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _table(
    request: ExportRequest, plan: Plan, ratings: Iterable[Rating]
) -> tuple[Row, Iterator[Row]]:
    if request.format == "redcap":
        from rating_tui.redcap.records import records_header, records_rows

        return records_header(plan), records_rows(plan, ratings)
    from rating_tui.export.tables import long_header, long_rows_of, wide_header, wide_row

    if request.layout == "long":
        return long_header(plan), (row for r in ratings for row in long_rows_of(plan, r))
    return wide_header(plan), (wide_row(plan, r) for r in ratings)


def _counted(ratings: Iterator[T], summary: ExportSummary) -> Iterator[T]:
    for rating in ratings:
        summary.ratings += 1
        yield rating


def _count_rows(
    rows: Iterator[Row], summary: ExportSummary, progress: Progress | None
) -> Iterator[Row]:
    for row in rows:
        summary.rows += 1
        if progress is not None and summary.rows % 1000 == 0:
            progress(summary.rows)
        yield row


def _progress(
    chunks: Iterator[str], summary: ExportSummary, progress: Progress | None
) -> Iterator[str]:
    for chunk in chunks:
        if progress is not None:
            progress(summary.ratings)
        yield chunk


def _also_moments(
    ratings: Iterator[T],
    rows_of: Callable[[T], list[Row]],
    sink: BinaryIO | None,
    summary: ExportSummary,
    bom: bool,
) -> Iterator[T]:
    """Pass `ratings` through, writing their now moments to `sink` on the way (one pass)."""
    if sink is None:
        yield from ratings
        return
    from rating_tui.export.csvout import csv_chunks
    from rating_tui.export.tables import MOMENT_COLUMNS

    pending: list[Row] = []
    header: Sequence[str] = [c.name for c in MOMENT_COLUMNS]
    first = True
    for rating in ratings:
        pending += rows_of(rating)
        if len(pending) >= 500:
            summary.moments += len(pending)
            write_text_chunks(
                sink, csv_chunks(header if first else None, pending, bom=bom and first)
            )
            first, pending = False, []
        yield rating
    summary.moments += len(pending)
    write_text_chunks(sink, csv_chunks(header if first else None, pending, bom=bom and first))
