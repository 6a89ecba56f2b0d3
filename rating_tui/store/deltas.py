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
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from rating_tui.store import fileio
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
    is_entry_name,
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
_MAX_PREFIX = 8
"""Hex digits a delta file's prefix may have (the first 8 of an id are hex)."""


class Reader(Protocol):
    def records(self, path: Path, table: str) -> Records: ...


def listed(reader: Reader, layout: Layout) -> dict[str, int]:
    """The deltas the manifest lists: name -> entries (-1 for a count that is not one, which
    no file matches, so the index is not trusted)."""
    out: dict[str, int] = {}
    for name, entry in reader.records(layout.manifest, DELTA_TABLE).items():
        number = entry.get("n") if isinstance(entry, dict) else None
        out[str(name)] = number if isinstance(number, int) and is_delta_name(name) else -1
    return out


def entry_shard(entry: object) -> str | None:
    """The month or part an index entry names, or None when the entry is not one (damaged)."""
    if isinstance(entry, dict):
        shard = entry.get("shard")
        if isinstance(shard, str) and is_entry_name(shard):
            return shard
    return None


def of_digit(names: Iterable[str], digit: str) -> list[str]:
    """The deltas of ids starting with `digit`, oldest first."""
    return sorted((n for n in names if n[:1] == digit), key=_number)


def _number(name: str) -> int:
    number = name.partition(".d")[2]
    return int(number) if number.isdigit() else -1


def root_of(name: str) -> str:
    """The delta a delta file belongs to ("3a0.d7" -> "3.d7")."""
    return name[:1] + name[name.find(".") :]


def _is_node(reader: Reader, layout: Layout, name: str) -> bool:
    text_of = getattr(reader, "text", None)
    text = text_of(layout.delta(name)) if text_of is not None else None
    if text is not None:
        return bool(text.startswith(b'{"split":'))
    return bool(reader.records(layout.delta(name), SPLIT_TABLE))


def part_of(
    reader: Reader,
    layout: Layout,
    name: str,
    expected: int,
    rating_id: str,
) -> tuple[str, int] | None:
    """(the file of delta `name` that would hold `rating_id`'s entry, the entries counted for
    it), walking its nodes; None when a node's counts do not add up to its own count. (A
    transaction keeps the texts read on the way: `lacks` asking about the same file reads
    nothing again, `Transaction.text`.)"""
    while expected >= 0:
        if not _is_node(reader, layout, name):
            return name, expected
        prefix, dot, rest = name.partition(".")
        split = reader.records(layout.delta(name), SPLIT_TABLE)
        if len(prefix) >= _MAX_PREFIX or sum(_count(c) for c in split.values()) != expected:
            return None
        child = rating_id[: len(prefix) + 1]
        entry = split.get(child)
        expected = _count(entry) if isinstance(entry, dict) else -1
        name = child + dot + rest
    return None


def parts(reader: Reader, layout: Layout, name: str) -> list[tuple[str, int]]:
    """Every file of delta `name` that holds entries, with the count its node gives it (the
    delta's own file alone: -1, checked against the manifest by the caller)."""
    out: list[tuple[str, int]] = []
    pending = [(name, -1)]
    while pending:
        file, counted = pending.pop()
        split = reader.records(layout.delta(file), SPLIT_TABLE)
        prefix, dot, rest = file.partition(".")
        if not split or len(prefix) >= _MAX_PREFIX:
            out.append((file, counted))
            continue
        for child, entry in split.items():
            ok = isinstance(child, str) and len(child) == len(prefix) + 1 and child[-1] in HEX
            if ok and child.startswith(prefix):
                pending.append((child + dot + rest, _count(entry)))
    return out


def entries(reader: Reader, layout: Layout, name: str, expected: int) -> Records | None:
    """The entries of delta file `name` if it holds as many entries as counted, all of ids of
    its prefix (a name that is not a delta file's is never read: None). Entries are checked
    where used (`index.lookup`), and all of them by doctor."""
    if expected < 0 or not is_delta_file(name):
        return None
    found = reader.records(layout.delta(name), INDEX_TABLE)
    prefix = name.partition(".")[0]
    if len(found) != expected or any(not i.startswith(prefix) for i in found):
        return None
    return found


def run_entries(reader: Reader, layout: Layout, name: str, expected: int) -> Records | None:
    """Every entry of delta `name` (all its files), or None when a file does not hold the
    count its node, or the manifest, gives it."""
    out: Records = {}
    total = 0
    for file, counted in parts(reader, layout, name):
        held = entries(reader, layout, file, expected if file == name else counted)
        if held is None:
            return None
        total += len(held)
        out |= held
    return out if total == expected else None


def everything(reader: Reader, layout: Layout, name: str) -> Records:
    """Every entry of delta `name`, as they are (a merge or compaction carries them)."""
    out: Records = {}
    for file, _ in parts(reader, layout, name):
        out |= reader.records(layout.delta(file), INDEX_TABLE)
    return out


TEXT_SEARCHES = 8
"""Ids at most that `holding` looks for in a delta's text before parsing it instead."""


def lacks(
    reader: Reader,
    layout: Layout,
    name: str,
    expected: int,
    ids: Iterable[str],
) -> bool:
    """True when delta file `name` surely holds none of `ids`, told from its text without
    parsing it (a save of a new rating asks this of the file of each delta of its id's digit
    that would hold it, each of up to `DELTA_MAX` entries): the file is whole as the store
    writes it, holds as many entries as counted, and none of the ids appears in it. False
    means "parse it to know" (an id appears, the file was changed in this transaction, or
    anything else)."""
    text_of = getattr(reader, "text", None)
    if text_of is None or expected < 0 or not is_delta_file(name):
        return False
    text = text_of(layout.delta(name))
    if text is None or not (text.startswith(b'{"ids":') and text.endswith(b"}}")):
        return False
    if text.count(b'{"shard":') != expected:
        return False
    return not any(f'"{i}"'.encode() in text for i in ids)


def holding(reader: Reader, layout: Layout, ids: Iterable[str]) -> dict[str, str]:
    """rating id -> the file of a listed delta holding its entry, for the ids in one."""
    names = listed(reader, layout)
    wanted = list(ids)
    by_file: dict[tuple[str, int], list[str]] = {}
    for rating_id in wanted:
        for name in of_digit(names, rating_id[:1]):
            found = part_of(reader, layout, name, names[name], rating_id)
            if found is not None:
                by_file.setdefault(found, []).append(rating_id)
    out: dict[str, str] = {}
    for (file, counted), mine in by_file.items():
        if len(mine) <= TEXT_SEARCHES and lacks(reader, layout, file, counted, mine):
            continue  # (a batch's many ids: one parse costs less than many searches)
        held = reader.records(layout.delta(file), INDEX_TABLE)
        out |= {i: file for i in mine if i in held}
    return out


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
        records[child] = {"n": _count(records.get(child)) + change}

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
        under = sum(_count(v) for k, v in base.items() if k[:1] == digit)
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
        number = max((_number(n) for n in present if n[0] == digit), default=0) + 1
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
    if len(run) <= DELTA_MAX or len(prefix) >= _MAX_PREFIX:
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


def _count(entry: object) -> int:
    number = entry.get("n") if isinstance(entry, dict) else 0
    return number if isinstance(number, int) else 0


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
