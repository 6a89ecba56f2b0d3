"""Delta files of the index: what a batch adds, written beside the index rather than into it.

Ids are random, so a batch of 10,000 new ratings touches every one of the 256 top-level index
files; rewriting them all per batch costs the size of the whole index each time (N²/batch for
a folder built in batches). A batch (an import, a merge, demo-data) therefore writes the
entries of its new ids into a **delta**, one per first hex digit of the id that the batch
touches (`index/3.d7.json`), and lists it in the manifest (`"deltas": {"3.d7": {"n": 40}}`, in
the same transaction). A lookup reads the id's index leaf and, in each listed delta of its
digit, the one file that would hold it (each checked against its count, like the leaves).

Deltas are **merged among themselves** (size-tiered, format 5): the batch's new delta takes in
the newest deltas of its digit as long as the newest holds at most as many entries as it
(`MERGE_RATIO`), so a digit keeps deltas of roughly doubling sizes, about log2 of its entries
over the batch's, and an entry is rewritten about once per doubling. A delta of more than
`DELTA_MAX` entries is a **node**, split by the next hex digit of the id like an index file
(`3.d7` = `{"split": {"30": {"n": 130}, ...}}`, its parts `30.d7` ... `3f.d7`, split again
while bigger), so no file a lookup or a save reads or rewrites holds more than `DELTA_MAX`.

A digit's deltas are **compacted** into the index (its 16 top-level files, split as usual) only
when they would hold as many entries as its index files times `share` (between 1 and 2, by the
digit, so that the digits of a folder built in equal batches do not all compact in the same
batch), when they would be more than `DELTA_LIMIT`, or when the digit has no index entries yet
(a new or small folder writes its index directly). Each compaction at least doubles the
digit's index, so over a build its leaves are rewritten about twice in all (geometric), not
once every few batches. The compacted and merged deltas are dropped from the manifest in that
transaction; their files, no longer listed, are removed afterwards (`drop_unlisted`, at the
next batch or open): a file whose delta the manifest does not list is never read.

An id is in one place only: its leaf or one delta. Any other change of an entry (a save, a
move, a restore) edits the file that holds it: a delta's file (at most `DELTA_MAX` entries,
and the counts of the nodes above it) or its leaf, so a single save still writes a bounded
amount of index.

Reading them (which are listed, the file that would hold an id, entries checked against their
counts, a save's text search) is `delta_reads`, re-exported here; this module writes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rating_tui.store import fileio
from rating_tui.store.delta_reads import MAX_PREFIX, Reader, count_of, number_of
from rating_tui.store.delta_reads import TEXT_SEARCHES as TEXT_SEARCHES
from rating_tui.store.delta_reads import entries as entries
from rating_tui.store.delta_reads import entry_shard as entry_shard
from rating_tui.store.delta_reads import everything as everything
from rating_tui.store.delta_reads import holding as holding
from rating_tui.store.delta_reads import lacks as lacks
from rating_tui.store.delta_reads import listed as listed
from rating_tui.store.delta_reads import of_digit as of_digit
from rating_tui.store.delta_reads import part_of as part_of
from rating_tui.store.delta_reads import parts as parts
from rating_tui.store.delta_reads import remember as remember
from rating_tui.store.delta_reads import root_of as root_of
from rating_tui.store.delta_reads import run_entries as run_entries
from rating_tui.store.files import Records
from rating_tui.store.layout import (
    BUCKET_COUNTS,
    BUCKET_LIMIT,
    DELTA_FORMAT,
    DELTA_TABLE,
    HEX,
    INDEX_TABLE,
    SPLIT_TABLE,
    Layout,
    is_delta_file,
    is_delta_name,
    month_of,
)
from rating_tui.store.shards import mark_format
from rating_tui.store.transaction import Transaction

DELTA_LIMIT = 12
"""Deltas a digit may have; the batch that would make one more compacts them (merging keeps
them near log2 of the digit's delta entries over a batch's: 7 for a 1M folder built in
batches of 10,000)."""
DELTA_SHARE = 1.0
"""A digit's deltas are compacted once they would hold this share of its index entries, plus
a sixteenth per value of the digit (digit f: 1.94), so digits compact in different batches."""
DELTA_MAX = BUCKET_LIMIT
"""Entries a delta file holds at most; a delta of more is a node split by the id."""
MERGE_RATIO = 1.0
"""A batch's delta takes in the newest delta of its digit while that holds at most this many
times its entries (1: sizes about double from one delta to the next older)."""


def pointed(
    current: Records, wanted: dict[str, str | None], shard_delta: dict[str, int]
) -> Records:
    """A copy of index entries `current` with each id of `wanted` pointed at its month or
    part (None: removed), counting the change of each month's entries in `shard_delta`."""
    new = dict(current)
    for rating_id, shard in wanted.items():
        old = entry_shard(current.get(rating_id))
        if old is not None:
            shard_delta[month_of(old)] = shard_delta.get(month_of(old), 0) - 1
        if shard is None:
            new.pop(rating_id, None)
        else:
            new[rating_id] = {"shard": shard}
            shard_delta[month_of(shard)] = shard_delta.get(month_of(shard), 0) + 1
    return new


def edit(
    txn: Transaction, file: str, wanted: dict[str, str | None], shard_delta: dict[str, int]
) -> None:
    """Point ids held in delta file `file` elsewhere (None: remove them), in that file, and
    count the change in the nodes above it and in the manifest."""
    layout = txn.layout
    old = txn.records(layout.delta(file), INDEX_TABLE)
    new = pointed(old, wanted, shard_delta)
    txn.put_tables(layout.delta(file), {INDEX_TABLE: new})
    change = len(new) - len(old)
    prefix, dot, rest = file.partition(".")
    for depth in range(len(prefix) - 1, 0, -1):  # the nodes above it, deepest first
        child = prefix[: depth + 1]
        txn.change(layout.delta(prefix[:depth] + dot + rest), SPLIT_TABLE, _adding(child, change))
    root = root_of(file)
    number = listed(txn, layout).get(root, 0) + change
    txn.change(layout.manifest, DELTA_TABLE, _setting({root: number}, ()))


def _adding(child: str, change: int) -> Any:
    def edit(records: Records) -> None:
        records[child] = {"n": count_of(records.get(child)) + change}

    return edit


def add(txn: Transaction, new: dict[str, str]) -> Records:
    """Put the entries of new ids (in no index file nor delta) into a new delta per first
    digit, merged with the newest deltas of that digit (see the module docstring), or compact
    that digit. Returns the entries the index files themselves must take: the new ones of
    compacted digits and the entries of their deltas (as they are: a damaged entry stays for
    doctor to name, as in an index file)."""
    layout = txn.layout
    names = listed(txn, layout)
    base = txn.records(layout.manifest, BUCKET_COUNTS)
    by_digit: dict[str, dict[str, str]] = {}
    for rating_id, shard in new.items():
        by_digit.setdefault(rating_id[:1], {})[rating_id] = shard
    carried: Records = {}
    written: dict[str, int] = {}
    dropped: list[str] = []
    mine = _written(txn, layout)
    present = [*layout.delta_files(), *(n for n in names if is_delta_name(n)), *mine]
    for digit, adding in sorted(by_digit.items()):
        kept = of_digit(names, digit)
        merged: list[str] = []
        size = len(adding)
        while kept and 0 <= names[kept[-1]] <= size * MERGE_RATIO:
            merged.append(kept.pop())
            size += names[merged[-1]]
        under = sum(count_of(v) for k, v in base.items() if k[:1] == digit)
        share = DELTA_SHARE + max(HEX.find(digit), 0) / 16
        held = size + sum(max(names[n], 0) for n in kept)
        if len(kept) >= DELTA_LIMIT or not under or held >= under * share:
            for name in [*kept, *merged]:
                carried |= everything(txn, layout, name)
            dropped += [*kept, *merged]
            carried |= {i: {"shard": s} for i, s in adding.items()}
            continue
        run: Records = {}
        for name in merged:
            run |= everything(txn, layout, name)
        run |= {i: {"shard": s} for i, s in adding.items()}
        number = max((number_of(n) for n in present if n[0] == digit), default=0) + 1
        name = f"{digit}.d{number}"
        if not written:
            mark_format(txn, DELTA_FORMAT)  # before the first delta (once per batch)
        _write(txn, name, run)
        written[name] = len(run)
        dropped += merged
    if written or dropped:
        txn.change(layout.manifest, DELTA_TABLE, _setting(written, dropped))
    gone = set(dropped)
    for name in mine:  # (a delta an earlier batch of this transaction wrote: never written)
        if root_of(name) in gone:
            txn.drop_new(layout.delta(name))
    return carried


def _written(txn: Transaction, layout: Layout) -> list[str]:
    """The delta files `txn` writes (a transaction of many batches writes deltas its later
    batches merge: their numbers are not given again, and those merged are not written)."""
    names = (p.name.removesuffix(".json") for p in txn.paths if p.parent == layout.index)
    return [n for n in names if is_delta_file(n)]


def _write(txn: Transaction, name: str, run: Records) -> None:
    """Make `run` the entries of delta file `name`, a node split by the next hex digit of the
    id while it holds more than `DELTA_MAX`."""
    prefix, dot, rest = name.partition(".")
    if len(run) <= DELTA_MAX or len(prefix) >= MAX_PREFIX:
        txn.put_tables(txn.layout.delta(name), {INDEX_TABLE: run})
        return
    mark_format(txn, DELTA_FORMAT + 1)  # (a delta that is a node: format 5)
    children: dict[str, Records] = {prefix + digit: {} for digit in HEX}
    for rating_id, entry in run.items():
        children[rating_id[: len(prefix) + 1]][rating_id] = entry
    for child, held in children.items():
        _write(txn, child + dot + rest, held)
    counts = {child: {"n": len(held)} for child, held in children.items()}
    txn.put_tables(txn.layout.delta(name), {SPLIT_TABLE: counts})


def _setting(counts: dict[str, int], dropped: Iterable[str]) -> Any:
    gone = list(dropped)

    def edit(records: Records) -> None:
        for name in gone:
            records.pop(name, None)
        for name, number in counts.items():
            records[name] = {"n": number}

    return edit


def unlisted(reader: Reader, layout: Layout) -> list[str]:
    """Delta files present whose delta the manifest does not list (left by a merge, a
    compaction or a rebuild whose process ended before removing them): never read, safe to
    remove."""
    names = listed(reader, layout)
    return [n for n in layout.delta_files() if root_of(n) not in names]


def drop_unlisted(reader: Reader, layout: Layout) -> None:
    """Remove the delta files the manifest does not list (call under the write lock, with no
    transaction pending: recovery has run). The folder is fsynced once after them, not after
    each (a merge leaves a delta's parts too): one that came back after a power cut would
    only be listed nowhere again, and removed again."""
    gone = unlisted(reader, layout)
    for name in gone:
        fileio.remove(layout.delta(name), "remove the compacted index delta", durable=False)
    if gone:
        fileio.fsync_dir(layout.index)
