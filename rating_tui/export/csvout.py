"""Rows to CSV text, a few hundred rows at a time, so a caller can stream to a file or pipe.

RFC 4180 CSV (comma, CRLF, quotes only where needed): R's read.csv, pandas, SPSS, Stata and
spreadsheets all read it. `bom=True` starts the text with a UTF-8 byte order mark, which Excel
needs to show accents and non-Latin scripts correctly; other tools skip it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import BinaryIO

BOM = "\ufeff"
LINE_END = "\r\n"


class _Lines(list[str]):
    """Where a `csv.writer` puts each line it writes, to be taken right away."""

    write = list.append


_LINES = _Lines()
_PAIR = csv.writer(_LINES, lineterminator=LINE_END).writerow


def csv_field(text: str) -> str:
    """`text` as `csv.writer` (comma, minimal quoting, CRLF) writes it among the cells of a
    row, so that `",".join` of such fields and `LINE_END` is the line the writer writes.

    A text without a comma, quote or line break is written as it is (the common case,
    without a call into the writer); any other is written by the writer itself, in a row
    of two (a row of one empty cell is the one that differs: `""`)."""
    if "," not in text and '"' not in text and "\n" not in text and "\r" not in text:
        return text
    _PAIR(("", text))
    return _LINES.pop()[1 : -len(LINE_END)]


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
    pending = iter(rows)
    while True:
        rows_now = list(islice(pending, batch))
        writer.writerows(rows_now)
        if len(rows_now) < batch:
            break
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


class CsvWriter:
    """CSV into a binary file, the same text as `csv_chunks`: `writer` (a `csv.writer`)
    writes rows into a buffer that `flush` encodes into the file."""

    def __init__(self, sink: BinaryIO, header: Sequence[str] | None, *, bom: bool = False):
        self._sink = sink
        self._buffer = io.StringIO()
        self.writer = csv.writer(self._buffer, lineterminator="\r\n")
        if bom:
            self._buffer.write(BOM)
        if header is not None:
            self.writer.writerow(header)

    def write_text(self, text: str) -> None:
        """Text already in CSV form (rows written by another `csv.writer` like `writer`)."""
        self._buffer.write(text)

    def flush(self) -> None:
        text = self._buffer.getvalue()
        if text:
            self._sink.write(text.encode("utf-8"))
            self._buffer.seek(0)
            self._buffer.truncate()
