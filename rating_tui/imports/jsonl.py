"""JSON Lines: one rating per line, as `export --format jsonl` writes it (`Rating`'s JSON).

The instrument's `hash` may be left out (ratings typed or converted by hand): the version
named by id@version must then be known, and its hash is recorded. A hash that is given must
match the known content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from rating_tui.imports.batch import Batch, Known, check
from rating_tui.ratings import limits
from rating_tui.ratings.limits import NumberTooLong, parse_int


def read_jsonl(
    lines: Iterable[tuple[int, bytes | None]], known: Known, batch: Batch | None = None
) -> Batch:
    """Every rating of the lines, or the problems of each bad line (None: a line over the
    size limit, which was not read). `batch` (e.g. one that keeps no rating) is filled in."""
    batch = Batch() if batch is None else batch
    for number, data in jsonl_records(lines, batch):
        check(batch, number, data, known)
    return batch


def jsonl_records(
    lines: Iterable[tuple[int, bytes | None]], batch: Batch
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, JSON object) of each line that holds one; the problems of the others go to
    `batch`, blank lines are skipped."""
    for number, raw in lines:
        data = parse_line(number, raw)
        if data is None:
            continue
        if isinstance(data, str):
            batch.records += 1
            batch.refuse(number, [data])
            continue
        yield number, data


def parse_line(number: int, raw: bytes | None) -> dict[str, Any] | str | None:
    """The JSON object of one line, the problem in words, or None for a blank line."""
    if raw is None:
        limit = limits.MAX_LINE_BYTES // 1_000_000
        return f"line is over {limit} MB; a rating line is at most that"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
    text = text.removeprefix("\ufeff") if number == 1 else text
    if not text.strip():
        return None
    try:
        data = json.loads(text, parse_int=parse_int)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return "not a rating: JSON nested far too deeply"
    except NumberTooLong as exc:
        return f"not a rating: {exc}"
    if not isinstance(data, dict):
        return f"expected a JSON object (one rating), found {type(data).__name__}"
    return data
