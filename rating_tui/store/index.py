"""Which shard holds each rating: the index, its manifest, and what to do when they are damaged.

The index (`index/<2 hex>.json`, rating id -> {"shard": name}, where name is the month, or
the part of the month holding the rating: see `shards`) is written in the same
transaction as the shards, so an entry whose rating is not in its shard is a rating that went
missing, not a save cut short. `manifest.json` counts the entries of each index file and of
each shard, and is written in that transaction too: an index file that is missing, damaged or
shorter than the manifest says is noticed before anyone relies on it. A batch's new entries
go to deltas beside the index files (`deltas`), listed and counted in the manifest too;
a lookup reads the id's leaf and, in each delta of its digit, the file that would hold it.

An index that cannot be trusted is never used to decide where a rating is: reads consult the
shards themselves, and writes first rebuild the index from the shards (`reindex.rebuild`),
keeping the entries of ratings that are missing from their shard, as evidence for `doctor`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rating_tui.store import deltas
from rating_tui.store.deltas import entry_shard as entry_shard
from rating_tui.store.errors import StoreError
from rating_tui.store.files import Records
from rating_tui.store.layout import (
    BUCKET_COUNTS,
    BUCKET_LIMIT,
    HEX,
    INDEX_TABLE,
    RATINGS_TABLE,
    SHARD_COUNTS,
    SPLIT_FORMAT,
    SPLIT_TABLE,
    Layout,
    is_delta_name,
    month_of,
    sub_bucket,
)
from rating_tui.store.shards import mark_format
from rating_tui.store.transaction import Transaction

_MAX_NAME = 8
"""Hex digits an index file name may have (the first 8 of an id are hex)."""


class Reader(Protocol):
    def records(self, path: Path, table: str) -> Records: ...


@dataclass
class IndexReport:
    """What `rebuild` did."""

    ratings: int = 0
    files_written: int = 0
    set_aside: list[Path] = field(default_factory=list)
    """Damaged index files renamed to *.damaged-<time> (kept, never deleted)."""
    kept_missing: int = 0
    """Entries kept for ratings missing from their shard (doctor reports them)."""
    removed: list[str] = field(default_factory=list)
    """Links or special files found where data files belong, removed (they hold no data)."""


def leaf(reader: Reader, layout: Layout, rating_id: str) -> tuple[str, list[str]]:
    """(the index file holding `rating_id`'s entry, the nodes above it, top first). An index
    file past `BUCKET_LIMIT` entries has split into 16 by the next hex digit (see `layout`)."""
    name, nodes = rating_id[:2], []
    while len(name) < _MAX_NAME and reader.records(layout.index_file(name), SPLIT_TABLE):
        nodes.append(name)
        name = sub_bucket(name, rating_id)
    return name, nodes


def lookup(layout: Layout, reader: Reader, rating_ids: Iterable[str]) -> dict[str, str] | None:
    """rating id -> the month or part its entry names, for the ids the index holds, or None
    when the index files they need cannot be relied on: each must parse and have as many
    entries as counted for it (by the manifest for a top-level file, by its node below), and
    the entries of `rating_ids` must be well formed (checking every entry of every file a
    batch of random ids touches was a pass over the whole index per batch; doctor checks
    them all)."""
    try:
        counts = reader.records(layout.manifest, BUCKET_COUNTS)
        if not counts:
            return None if layout.shard_names() else {}  # nothing stored, nothing to find
        checked: dict[str, Records | None] = {}
        found: dict[str, str] = {}
        listed = deltas.listed(reader, layout)
        wanted = list(rating_ids)
        few = len(wanted) <= deltas.TEXT_SEARCHES  # a save's: told from the deltas' text
        seen: dict[str, str | None] = {}  # (a save's ids not in their leaf: the delta file
        # holding each, or None; `deltas.holding` asks the same when it places the entry)
        for rating_id in wanted:
            name, nodes = leaf(reader, layout, rating_id)
            if name not in checked:
                checked[name] = _checked(layout, reader, counts, name, nodes)
            entries = checked[name]
            if entries is None:
                return None
            entry = entries.get(rating_id)
            in_leaf, holder = entry is not None, None
            for delta in deltas.of_digit(listed, rating_id[:1]) if entry is None else ():
                part = deltas.part_of(reader, layout, delta, listed[delta], rating_id)
                if part is None:
                    return None
                file, counted = part
                if (
                    few
                    and file not in checked
                    and deltas.lacks(reader, layout, file, counted, [rating_id])
                ):
                    continue  # told from its text: no need to parse it
                if file not in checked:
                    checked[file] = deltas.entries(reader, layout, file, counted)
                held = checked[file]
                if held is None:
                    return None
                holder = file if rating_id in held else holder
                entry = held.get(rating_id) if entry is None else entry
            if few and not in_leaf:
                seen[rating_id] = holder
            if entry is not None:
                month = entry_shard(entry)
                if month is None:  # the id's own entry is damaged: nobody can say where it is
                    return None
                found[rating_id] = month
    except StoreError:
        return None
    if seen:
        deltas.remember(reader, layout, seen)
    return found


def _checked(
    layout: Layout, reader: Reader, counts: Records, name: str, nodes: list[str]
) -> Records | None:
    """The entries of index file `name` if every count from the manifest down to it holds."""
    expected = _number(counts.get((nodes or [name])[0]))
    for depth, node in enumerate(nodes):
        split = reader.records(layout.index_file(node), SPLIT_TABLE)
        if sum(_number(c) for c in split.values()) != expected:
            return None
        expected = _number(split.get(([*nodes, name])[depth + 1]))
    entries = reader.records(layout.index_file(name), INDEX_TABLE)
    return entries if len(entries) == expected else None


def _number(entry: object) -> int:
    number = entry.get("n") if isinstance(entry, dict) else 0
    return number if isinstance(number, int) else -1


def ids_under(layout: Layout, reader: Reader, top: str) -> list[str] | None:
    """Every id the index holds under the top-level file `top`, or None when they cannot be
    relied on."""
    try:
        counts = reader.records(layout.manifest, BUCKET_COUNTS)
        out: list[str] = []
        pending = [top]
        while pending:
            name = pending.pop()
            split = reader.records(layout.index_file(name), SPLIT_TABLE)
            if split:
                pending += [c for c in split if isinstance(c, str) and _bucket_ok(c, name)]
            else:
                out += reader.records(layout.index_file(name), INDEX_TABLE)
        if not counts:
            return None if layout.shard_names() else []
        if len(out) != _number(counts.get(top)):
            return None
        listed = deltas.listed(reader, layout)
        for delta in deltas.of_digit(listed, top[:1]):
            held = deltas.run_entries(reader, layout, delta, listed[delta])
            if held is None:
                return None
            out += [i for i in held if i.startswith(top)]
        return out
    except StoreError:
        return None


def _bucket_ok(child: str, parent: str) -> bool:
    return len(child) == len(parent) + 1 and child.startswith(parent) and child[-1] in HEX


def scan(
    layout: Layout,
    reader: Reader,
    *,
    strict: bool = True,
    seen: Callable[[str, Records], None] | None = None,
) -> dict[str, str]:
    """rating id -> shard (a month, or part of a split one), from the shards themselves (the
    first shard, newest first, when a rating is in two). When a shard cannot be read, `strict`
    (writes) raises: nobody can say where a rating is, and a write must not guess; otherwise
    (reads) it is skipped, and its ratings are not found, as when the index works. `seen`
    gets each shard's name and records as they are read (a rebuild's summaries of dyads)."""
    found: dict[str, str] = {}
    for shard in layout.shard_names():
        try:
            records = reader.records(layout.shard(shard), RATINGS_TABLE)
        except StoreError:
            if strict:
                raise
            continue
        if seen is not None:
            seen(shard, records)
        for rating_id in records:
            found.setdefault(rating_id, shard)
    return found


def set_entries(
    txn: Transaction,
    changes: dict[str, str | None],
    *,
    batch: bool = False,
    unindexed: AbstractSet[str] = frozenset(),
) -> None:
    """Point each rating id at a month or part (None: remove it), in the file that holds its
    entry (a delta, or its index leaf), splitting an index file that would pass
    `BUCKET_LIMIT`, and update the counts above it: in its nodes, and the manifest's (per
    top-level file, per delta, and per month). With `batch` (an import, a merge), the entries
    of ids not in the index yet go to delta files (see `deltas`), or compact them; ids of
    `unindexed` (found in no index file nor delta by this transaction) are not looked for."""
    layout = txn.layout
    shard_delta: dict[str, int] = {}
    fresh: dict[str, str] = {}
    if batch and unindexed:
        fresh = {i: m for i, m in changes.items() if m is not None and i in unindexed}
        changes = {i: m for i, m in changes.items() if i not in fresh}
        for shard in fresh.values():
            shard_delta[month_of(shard)] = shard_delta.get(month_of(shard), 0) + 1
    in_delta = deltas.holding(txn, layout, changes)
    by_delta: dict[str, dict[str, str | None]] = {}
    for rating_id, name in in_delta.items():
        by_delta.setdefault(name, {})[rating_id] = changes[rating_id]
    for name, wanted in by_delta.items():
        deltas.edit(txn, name, wanted, shard_delta)
    by_leaf: dict[str, dict[str, str | None]] = {}
    above: dict[str, list[str]] = {}
    for rating_id, month in changes.items():
        if rating_id not in in_delta:
            name, nodes = leaf(txn, layout, rating_id)
            by_leaf.setdefault(name, {})[rating_id] = month
            above[name] = nodes
    carried: dict[str, Records] = {}  # leaf -> entries compacted into it (as they were)
    if batch:
        new: dict[str, str] = dict(fresh)
        for name, wanted in by_leaf.items():
            current = txn.records(layout.index_file(name), INDEX_TABLE)
            for rating_id, month in list(wanted.items()):
                if month is not None and rating_id not in current:
                    new[rating_id] = month
                    shard_delta[month_of(month)] = shard_delta.get(month_of(month), 0) + 1
                    del wanted[rating_id]
        for rating_id, entry in deltas.add(txn, new).items():
            name, nodes = leaf(txn, layout, rating_id)
            carried.setdefault(name, {})[rating_id] = entry
            by_leaf.setdefault(name, {})
            above[name] = nodes
    counted: dict[tuple[str, str], None] = {}  # (node, child) whose count changes
    tops: set[str] = set()
    for name, wanted in by_leaf.items():
        current = txn.records(layout.index_file(name), INDEX_TABLE)
        entries = deltas.pointed(current, wanted, shard_delta)
        entries |= carried.get(name, {})
        if not wanted and name not in carried:
            continue  # its new ids went to deltas
        write_bucket(txn, name, entries)
        path = [*above[name], name]
        tops.add(path[0])
        counted.update(dict.fromkeys(itertools.pairwise(path)))
    for node, child in sorted(counted, key=lambda pair: -len(pair[0])):  # deepest first
        number = count(txn, layout, child)
        txn.change(layout.index_file(node), SPLIT_TABLE, _counting(child, number))
    _count(txn, {top: count(txn, layout, top) for top in tops}, shard_delta)


def _counting(child: str, number: int) -> Any:
    def edit(records: Records) -> None:
        records[child] = {"n": number}

    return edit


def count(reader: Reader, layout: Layout, name: str) -> int:
    """Entries under index file `name`: its own, or the sum its node records."""
    split = reader.records(layout.index_file(name), SPLIT_TABLE)
    if split:
        return sum(_number(c) for c in split.values())
    return len(reader.records(layout.index_file(name), INDEX_TABLE))


def write_bucket(
    txn: Transaction, name: str, entries: Records, nodes: Collection[str] = ()
) -> None:
    """Make `entries` the content of index file `name`, splitting it into 16 (a node with
    the count of each child) while it holds more than `BUCKET_LIMIT` (or is in `nodes`)."""
    layout = txn.layout
    path = layout.index_file(name)
    if (len(entries) <= BUCKET_LIMIT and name not in nodes) or len(name) >= _MAX_NAME:
        if entries != txn.records(path, INDEX_TABLE) or txn.records(path, SPLIT_TABLE):
            txn.put_tables(path, {INDEX_TABLE: entries})
        return
    mark_format(txn, SPLIT_FORMAT)
    children: dict[str, Records] = {name + digit: {} for digit in HEX}
    for rating_id, entry in entries.items():
        children[sub_bucket(name, rating_id)][rating_id] = entry
    for child, held in children.items():
        write_bucket(txn, child, held, nodes)
    counts = {child: {"n": count(txn, layout, child)} for child in children}
    if counts != txn.records(path, SPLIT_TABLE) or txn.records(path, INDEX_TABLE):
        txn.put_tables(path, {SPLIT_TABLE: counts})


def _count(txn: Transaction, bucket_sizes: dict[str, int], shard_delta: dict[str, int]) -> None:
    manifest = txn.layout.manifest

    def buckets(records: Records) -> None:
        for name, size in bucket_sizes.items():
            records[name] = {"n": size}

    def shards(records: Records) -> None:
        for name, delta in shard_delta.items():
            old = records.get(name)
            number = old.get("n") if isinstance(old, dict) else 0
            records[name] = {"n": (number if isinstance(number, int) else 0) + delta}

    txn.change(manifest, BUCKET_COUNTS, buckets)
    if any(shard_delta.values()):
        txn.change(manifest, SHARD_COUNTS, shards)


def index_files(layout: Layout, reader: Reader) -> list[Path]:
    """Every index file present (nodes, leaves) and every file of the deltas the manifest
    lists."""
    try:
        listed = deltas.listed(reader, layout)
    except StoreError:
        listed = {}
    files = [n for n in layout.delta_files() if deltas.root_of(n) in listed]
    return [*layout.buckets(), *(layout.delta(n) for n in files)]


def walk(
    layout: Layout, reader: Reader, tops: Iterable[str]
) -> tuple[Records, list[tuple[Path, StoreError]]]:
    """rating id -> entry for every entry in the index files reachable from the top-level
    files `tops` (files left over under a file that is no node are not read), and the files
    that could not be read."""
    entries: Records = {}
    unreadable: list[tuple[Path, StoreError]] = []
    pending = list(tops)
    while pending:
        name = pending.pop()
        path = layout.index_file(name)
        try:
            split = reader.records(path, SPLIT_TABLE)
            if split:
                pending += [c for c in split if isinstance(c, str) and _bucket_ok(c, name)]
            else:
                entries.update(reader.records(path, INDEX_TABLE))
        except StoreError as exc:
            unreadable.append((path, exc))
    digits = {t[:1] for t in tops}
    try:
        listed = deltas.listed(reader, layout)
    except StoreError:
        listed = {}
    for name in sorted(listed):
        if name[:1] in digits and is_delta_name(name):
            try:
                files = [file for file, _ in deltas.parts(reader, layout, name)]
            except StoreError as exc:
                unreadable.append((layout.delta(name), exc))
                continue
            for file in files:
                path = layout.delta(file)
                try:
                    entries.update(reader.records(path, INDEX_TABLE))
                except StoreError as exc:
                    unreadable.append((path, exc))
    return entries, unreadable
