"""Where in a month a rating lives, and splitting a shard that grows past its limit.

A month starts as one file. When adding ratings would take a shard past `SHARD_LIMIT`, it
splits: its records go to 16 children by the next hex digit of their id (splitting again any
child still past the limit) and the shard's own file becomes a node naming them, all in the
caller's transaction, so a crash leaves the month split or not, never half. A save therefore
rewrites at most `SHARD_LIMIT` ratings however busy the month; ids are random, so the parts of
a month fill evenly. Nodes are tiny and never rewritten once written (routing reads them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from rating_tui.store import fileio
from rating_tui.store.errors import RatingConflictError
from rating_tui.store.files import Records
from rating_tui.store.layout import (
    FORMAT,
    HEX,
    RATINGS_TABLE,
    SHARD_LIMIT,
    SPLIT_TABLE,
    Layout,
    shard_child,
    sub_shard,
)
from rating_tui.store.transaction import Transaction

MAX_DEPTH = 6
"""Hex digits of the id a month can split by (16 million files: never reached)."""


class Reader(Protocol):
    def records(self, path: Any, table: str) -> Records: ...


def leaf(reader: Reader, layout: Layout, month: str, rating_id: str) -> str:
    """The shard of `month` that holds (or would hold) `rating_id`."""
    name = month
    for _ in range(MAX_DEPTH):
        if not reader.records(layout.shard(name), SPLIT_TABLE):
            return name
        name = sub_shard(name, rating_id)
    return name


def add(txn: Transaction, month: str, records: dict[str, dict[str, Any]]) -> None:
    """Add new `records` to `month` in `txn`, splitting shards that would pass the limit.
    A rating id already in its shard is refused: adding never overwrites."""
    layout = txn.layout
    by_leaf: dict[str, dict[str, dict[str, Any]]] = {}
    for rating_id, record in records.items():
        by_leaf.setdefault(leaf(txn, layout, month, rating_id), {})[rating_id] = record
    for name, new in by_leaf.items():
        path = layout.shard(name)
        present = txn.records(path, RATINGS_TABLE)
        clash = next((i for i in new if i in present), None)
        if clash is not None:
            raise RatingConflictError(
                f"rating {clash} is already stored in {path}; nothing was saved"
            )
        if len(present) + len(new) <= SHARD_LIMIT:
            txn.change(path, RATINGS_TABLE, _adding(new))
        else:
            split(txn, name, {**present, **new})


def split(txn: Transaction, name: str, records: dict[str, dict[str, Any]]) -> None:
    """Make shard `name` a node and put `records` in its 16 children (any child file already
    present, left by a damaged earlier state, keeps its ratings)."""
    layout = txn.layout
    mark_format(txn)
    children: dict[str, dict[str, dict[str, Any]]] = {shard_child(name, digit): {} for digit in HEX}
    for rating_id, record in records.items():
        children[sub_shard(name, rating_id)][rating_id] = record
    txn.put_tables(layout.shard(name), {SPLIT_TABLE: {child: {} for child in children}})
    for child, held in children.items():
        path = layout.shard(child)
        held = {**txn.records(path, RATINGS_TABLE), **held}
        if len(held) > SHARD_LIMIT and len(child.partition(".")[2]) < MAX_DEPTH:
            split(txn, child, held)
        else:
            txn.put_tables(path, {RATINGS_TABLE: held})


def _adding(new: dict[str, dict[str, Any]]) -> Callable[[Records], None]:
    def edit(records: Records) -> None:
        records.update(new)

    return edit


def mark_format(txn: Transaction) -> None:
    """A folder of format 1 becomes format 2 before its first split is committed, so that an
    older rating-tui, which would not see the parts of a split file, refuses it rather than
    show it half. The marker is written first, on its own (it is no data file, and never in a
    journal): if the split then fails, the folder is format 2 and unsplit, which reads the
    same."""
    marker = txn.layout.marker
    raw = fileio.read_bytes(marker)
    try:
        mark = json.loads(raw) if raw else None
    except ValueError:
        mark = None
    if isinstance(mark, dict) and isinstance(mark.get("format"), int) and mark["format"] < FORMAT:
        fileio.write_atomic(marker, json.dumps({**mark, "format": FORMAT}).encode())
