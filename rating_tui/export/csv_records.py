"""Wide and long CSV straight from stored records (`job.run` for one data folder): the rows
of `records.RecordTables`, as their CSV text, written in the store's order, with the now
moments table beside them. JSON Lines has its own loop (`jsonl_records.run_records`)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from rating_tui.export.csvout import CsvWriter
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
    rows_of: Callable[[dict[str, Any]], Any] = tables.long_rows if long else tables.wide_row
    moments_out = MomentBatches(moments, request.excel, summary)
    moment_batch = moments_out.rows
    # Rows become their CSV text as they are read: the store keeps what `read` returns until
    # the month is sorted, and one text (~300 bytes) is a third of a row's list of cells.
    texts = _Texts()
    to_text = csv.writer(texts, lineterminator="\r\n")
    put = to_text.writerows if long else to_text.writerow

    def read(record: dict[str, Any]) -> Any:
        """The rating's CSV text (wide, no moments table), else (text, rows, its now-moment
        rows or None); `_SKIPPED` for a rating the filters leave out; None for a record not
        in the stored form."""
        try:
            if keep is not None and not keep(record):
                return _SKIPPED
        except (KeyError, TypeError, AttributeError):  # a part not in the stored form
            return None
        rows = rows_of(record)
        if rows is None:
            return None
        found = None
        if moments is not None:
            found = tables.moment_rows(record)
            if found is None:
                return None
        put(rows)
        text = texts.pop() if len(texts) == 1 else "".join(texts)
        texts.clear()
        if long or found is not None:
            return (text, len(rows) if long else 1, found)
        return text

    out = CsvWriter(main, long_header(plan) if long else wide_header(plan), bom=request.excel)
    # Each month's rows are written as soon as it is sorted (as the floor of the benchmark
    # writes each row as it makes it): rows that wait in a list cost more than they save.
    write = out.write_text
    read_count = ratings = rows = 0
    with cycle_collection_paused():
        for found in source.records(read, request.selection.statuses):
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
