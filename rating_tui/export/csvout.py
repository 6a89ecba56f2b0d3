"""Rows to CSV text, a few hundred rows at a time, so a caller can stream to a file or pipe.

RFC 4180 CSV (comma, CRLF, quotes only where needed): R's read.csv, pandas, SPSS, Stata and
spreadsheets all read it. `bom=True` starts the text with a UTF-8 byte order mark, which Excel
needs to show accents and non-Latin scripts correctly; other tools skip it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

BOM = "\ufeff"


def csv_chunks(
    header: Sequence[str] | None,
    rows: Iterable[Sequence[str]],
    *,
    bom: bool = False,
    batch: int = 500,
) -> Iterator[str]:
    """The CSV text of `header` (None: no header line) and `rows`, in pieces of `batch` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    if header is not None:
        writer.writerow(header)
    pending = 0
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending >= batch:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()
