"""Wide and long CSV straight from stored records (`job.run` for one data folder): the rows
of `records.RecordTables`, as their CSV text, written in the store's order, with the now
moments table beside them. JSON Lines has its own loop (`jsonl_records.run_records`)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from rating_tui.export.csvout import LINE_END, CsvWriter
from rating_tui.export.records import RecordTables
from rating_tui.export.tables import Row, long_header, wide_header

if TYPE_CHECKING:
    from rating_tui.export.job import ExportRequest, ExportSummary, Progress, RecordSource
    from rating_tui.export.plan import Plan
    from rating_tui.export.select import Instruments


def run_csv_records(
    request: ExportRequest,
    source: RecordSource,
    instruments: Instruments,
    plan: Plan,
    main: BinaryIO,
    moments: BinaryIO | None,
    progress: Progress | None,
) -> ExportSummary:
    """`run` for CSV from one data folder, from stored records: the same bytes without a
    pydantic model per rating (and no merge to make). One loop does what the generators of
    `run` do, since at 100,000 ratings every step per rating counts."""
    from rating_tui.export.job import ExportSummary, MomentBatches, cycle_collection_paused

    summary = ExportSummary()
    keep = request.selection.record_filter(instruments)
    tables = RecordTables(plan)
    long = request.layout == "long"
    moments_out = MomentBatches(moments, request.excel, summary)
    moment_batch = moments_out.rows
    # Rows become their CSV text as they are read: the store keeps what `read` returns until
    # the month is sorted, and one text (~300 bytes) is a third of a row's list of cells. A
    # wide row is written out as its line (`RecordTables.wide_line`); long rows go through
    # a `csv.writer`.
    texts = _Texts()
    put = csv.writer(texts, lineterminator=LINE_END).writerows
    long_rows = tables.long_rows

    wide_line = tables.line_reader()

    def line_of(record: dict[str, Any]) -> tuple[str, int] | None:
        """The rating's CSV text and its number of rows; None: not in the stored form."""
        if not long:
            line = wide_line(record)
            return None if line is None else (line, 1)
        rows = long_rows(record)
        if rows is None:
            return None
        put(rows)
        text = "".join(texts)
        texts.clear()
        return text, len(rows)

    def read(record: dict[str, Any]) -> Any:
        """The rating's CSV text (wide, no moments table), else (text, rows, its now-moment
        rows or None); `_SKIPPED` for a rating the filters leave out; None for a record not
        in the stored form."""
        try:
            if keep is not None and not keep(record):
                return _SKIPPED
        except (KeyError, TypeError, AttributeError):  # a part not in the stored form
            return None
        if not long and moments is None:
            return wide_line(record)
        found = line_of(record)
        if found is None:
            return None
        moment_rows = None
        if moments is not None:
            moment_rows = tables.moment_rows(record)
            if moment_rows is None:
                return None
        return (*found, moment_rows)

    reader: Callable[[dict[str, Any]], Any] = read
    if keep is None and not long and moments is None:
        reader = wide_line  # every rating's line and nothing else: no step between

    out = CsvWriter(main, long_header(plan) if long else wide_header(plan), bom=request.excel)
    # Each month's rows are written as soon as it is sorted (as the floor of the benchmark
    # writes each row as it makes it): rows that wait in a list cost more than they save.
    write = out.write_text
    read_count = ratings = rows = 0
    with cycle_collection_paused():
        for found in source.records(reader, request.selection.statuses):
            read_count += 1
            if not found:  # _SKIPPED, or its copy read back from a spilled run
                continue
            if type(found) is str:
                write(found)
                rows += 1
            else:
                text, count, moment_rows = found
                write(text)
                rows += count
                if moment_rows:
                    moment_batch.extend(moment_rows)
            ratings += 1
            if not ratings % _FLUSH_EVERY:
                out.flush()
                if progress is not None:
                    progress(rows)
                moments_out.flush()
    out.flush()
    moments_out.flush()
    summary.ratings, summary.rows = ratings, rows
    summary.merge.read = summary.merge.merged = read_count
    return summary


class _Texts(list[str]):
    """Where a `csv.writer` puts the text of each row it writes, to be taken right away."""

    write = list.append


_FLUSH_EVERY = 64
"""Ratings between writes of the CSV text to the file (about 40 kB in wide)."""
_SKIPPED: list[Row] = []
"""What `read` gives for a rating the filters leave out."""
