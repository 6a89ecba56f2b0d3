"""Where in a month a rating lives, and adding ratings to a month in fill order.

A month starts as one file. New ratings go to the month's open part: the last of its file and
its parts `.p1`, `.p2`, ... (numbered without gaps). When the open part holds `SHARD_LIMIT`
ratings the next part is started, in the same transaction. A full part is rewritten only when
one of its own ratings is edited, moved away or voided. So a save rewrites at most
`SHARD_LIMIT` ratings, and a batch (an import, demo-data) rewrites the open part of each month
it touches plus the parts it starts, whatever the size of the folder: ids are random, and
placing ratings by id (format 2's trie) spread every batch over every part of every month.

Index entries of ratings in a part name the part. Months split by the id in format 2 (the
month's file is a node naming 16 children) are still walked to the part holding an id; their
parts are edited in place and never grow: new ratings of such a month go to `.p1`, ...
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from rating_tui.store import fileio
from rating_tui.store.errors import RatingConflictError
from rating_tui.store.files import Records
from rating_tui.store.layout import (
    PART_FORMAT,
    RATINGS_TABLE,
    SHARD_LIMIT,
    SPLIT_TABLE,
    Layout,
    entry_name,
    is_part,
    part_name,
    sub_shard,
)
from rating_tui.store.transaction import Transaction

MAX_DEPTH = 6
"""Hex digits of the id a format-2 month can have split by."""


class Reader(Protocol):
    def records(self, path: Any, table: str) -> Records: ...


def leaf(reader: Reader, layout: Layout, name: str, rating_id: str) -> str:
    """The shard holding `rating_id`, from what its index entry names: a part is the file
    itself; a month is its own file, or, once split by the id (format 2), the part of it
    whose digits start the id."""
    if is_part(name):
        return name
    for _ in range(MAX_DEPTH):
        if not reader.records(layout.shard(name), SPLIT_TABLE):
            return name
        name = sub_shard(name, rating_id)
    return name


def last_part(txn: Transaction, month: str) -> int:
    """The number of `month`'s last part (0: it has none), found by probing names (parts are
    numbered without gaps): a few `stat`s even for a month of 100 parts."""

    def exists(number: int) -> bool:
        return txn.will_exist(txn.layout.shard(part_name(month, number)))

    if not exists(1):
        return 0
    low, high = 1, 2
    while exists(high):
        low, high = high, high * 2
    while high - low > 1:  # exists(low), not exists(high)
        middle = (low + high) // 2
        if exists(middle):
            low = middle
        else:
            high = middle
    return low


def add(txn: Transaction, month: str, records: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Add new `records` to `month` in `txn`: the open part is filled up to `SHARD_LIMIT`,
    then new parts are started. Returns rating id -> what its index entry names. A rating id
    already in the part it goes to is refused: adding never overwrites (the caller has looked
    every id up in the index, which covers the month's other parts)."""
    layout = txn.layout
    pending = list(records.items())
    placed: dict[str, str] = {}
    number = last_part(txn, month)
    open_name = part_name(month, number) if number else month
    path = layout.shard(open_name)
    room = 0
    if number or not txn.records(path, SPLIT_TABLE):  # a month split by the id takes no more
        present = txn.records(path, RATINGS_TABLE)
        clash = next((i for i, _ in pending if i in present), None)
        if clash is not None:
            raise RatingConflictError(
                f"rating {clash} is already stored in {path}; nothing was saved"
            )
        room = max(0, SHARD_LIMIT - len(present))
    if room:
        taken = dict(pending[:room])
        txn.change(path, RATINGS_TABLE, _adding(taken))
        placed |= dict.fromkeys(taken, entry_name(open_name))
        pending = pending[room:]
    if pending:
        mark_format(txn, PART_FORMAT)
    while pending:
        number += 1
        name = part_name(month, number)
        chunk = dict(pending[:SHARD_LIMIT])
        txn.put_tables(layout.shard(name), {RATINGS_TABLE: chunk})
        placed |= dict.fromkeys(chunk, name)
        pending = pending[SHARD_LIMIT:]
    return placed


def _adding(new: dict[str, dict[str, Any]]) -> Callable[[Records], None]:
    def edit(records: Records) -> None:
        records.update(new)

    return edit


def mark_format(txn: Transaction, needed: int) -> None:
    """A folder of an older format is marked `needed` before the first change that needs it is
    committed (a split index file: 2; a month's part: 3), so that an older rating-tui, which
    would not see the new files, refuses the folder rather than show it half. The marker is
    written first, on its own (it is no data file, and never in a journal): if the change then
    fails, the folder is marked newer and unchanged, which reads the same."""
    marker: Path = txn.layout.marker
    raw = fileio.read_bytes(marker)
    try:
        mark = json.loads(raw) if raw else None
    except ValueError:
        mark = None
    if isinstance(mark, dict) and isinstance(mark.get("format"), int) and mark["format"] < needed:
        fileio.write_atomic(marker, json.dumps({**mark, "format": needed}).encode())
