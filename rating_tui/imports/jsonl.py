"""JSON Lines: one rating per line, as `export --format jsonl` writes it (`Rating`'s JSON).

The instrument's `hash` may be left out (ratings typed or converted by hand): the version
named by id@version must then be known, and its hash is recorded. A hash that is given must
match the known content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rating_tui.imports.batch import Batch, Known, check
from rating_tui.ratings import limits
from rating_tui.ratings.limits import NumberTooLong, parse_int


def read_jsonl(lines: Iterable[tuple[int, bytes | None]], known: Known) -> Batch:
    """Every rating of the lines, or the problems of each bad line (None: a line over the
    size limit, which was not read)."""
    batch = Batch()
    for number, raw in lines:
        if raw is None:
            batch.records += 1
            limit = limits.MAX_LINE_BYTES // 1_000_000
            batch.refuse(number, [f"line is over {limit} MB; a rating line is at most that"])
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            batch.records += 1
            message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
            batch.refuse(number, [message])
            continue
        text = text.removeprefix("\ufeff") if number == 1 else text
        if not text.strip():
            continue
        try:
            data = json.loads(text, parse_int=parse_int)
        except json.JSONDecodeError as exc:
            batch.records += 1
            batch.refuse(number, [f"not valid JSON: {exc.msg} at column {exc.colno}"])
            continue
        except RecursionError:
            batch.records += 1
            batch.refuse(number, ["not a rating: JSON nested far too deeply"])
            continue
        except NumberTooLong as exc:
            batch.records += 1
            batch.refuse(number, [f"not a rating: {exc}"])
            continue
        if not isinstance(data, dict):
            batch.records += 1
            batch.refuse(
                number, [f"expected a JSON object (one rating), found {type(data).__name__}"]
            )
            continue
        check(batch, number, data, known)
    return batch
