"""Which reader a file goes to, and how its bytes are read: the one place that touches the
import's input files (a seam for bounded reading and for checks made before storing)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Literal

from rating_tui.imports.batch import Batch, Known
from rating_tui.imports.jsonl import read_jsonl
from rating_tui.imports.wide_csv import read_wide_csv
from rating_tui.inputs import bounded_lines, open_regular, read_bounded
from rating_tui.ratings import limits

MAX_TABLE_BYTES = 512_000_000
"""Bytes of a CSV table read whole (a million ratings of the built-in instrument is ~150 MB)."""

Format = Literal["jsonl", "csv", "redcap"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "redcap")


def guess_format(path: Path) -> Format:
    """csv for a .csv file, JSON Lines otherwise (REDCap records are named with --format)."""
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def lines_of(path: Path, stdin: BinaryIO | None = None) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of each line of `path` (`stdin` when the path is `-`), None for
    a line over the size limit. Only a regular file is opened (see `rating_tui.inputs`)."""
    if str(path) == "-" and stdin is not None:
        yield from bounded_lines(stdin, limits.MAX_LINE_BYTES)
        return
    with open_regular(path, "a JSON Lines file (one rating per line)") as handle:
        yield from bounded_lines(handle, limits.MAX_LINE_BYTES)


def text_of(path: Path, stdin: BinaryIO | None = None, what: str = "a CSV file") -> str:
    """The whole UTF-8 text of `path` (or of `stdin` for `-`), or a ValueError in words."""
    if str(path) == "-" and stdin is not None:
        data = stdin.read()
    else:
        data = read_bounded(path, MAX_TABLE_BYTES, what="a table to import", expected=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None


def read_ratings(
    path: Path,
    fmt: Format,
    known: Known,
    *,
    moments: Path | None = None,
    instrument: str | None = None,
    stdin: BinaryIO | None = None,
) -> Batch:
    """Every rating of the file in `fmt`, checked, with every problem by line."""
    if moments is not None and fmt != "csv":
        raise ValueError("--moments goes with a wide CSV file (--format csv)")
    if instrument is not None and fmt != "redcap":  # it was passed over without a word
        raise ValueError(
            f"--instrument goes with --format redcap; a {fmt} file names each rating's "
            "instrument itself"
        )
    if fmt == "jsonl":
        lines: Iterable[tuple[int, bytes | None]] = lines_of(path, stdin)
        return read_jsonl(lines, known)
    if fmt == "csv":
        extra = text_of(moments, what="a now-moments CSV table") if moments is not None else None
        return read_wide_csv(text_of(path, stdin), known, extra)
    from rating_tui.imports.redcap_records import read_redcap_records

    if instrument is None:
        raise ValueError("--format redcap needs --instrument ID@VERSION (the records' form)")
    return read_redcap_records(text_of(path, stdin), known, instrument)
