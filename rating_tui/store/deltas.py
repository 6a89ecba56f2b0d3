"""Delta files of the index: what a batch adds, written beside the index rather than into it.

Ids are random, so a batch of 10,000 new ratings touches every one of the 256 top-level index
files; rewriting them all per batch costs the size of the whole index each time (N²/batch for
a folder built in batches). A batch (an import, a merge, demo-data) therefore writes the
entries of its new ids into **delta files**, one per first hex digit of the id that the batch
touches (`index/3.d7.json`: entries of that batch only, at most `DELTA_MAX`), and lists them
in the manifest (`"deltas": {"3.d7": {"n": 40}}`, in the same transaction). A lookup reads the
id's index leaf and the deltas of its digit (at most `DELTA_LIMIT`, each checked against the
count the manifest gives it, like the leaves).

A digit's deltas are **compacted** into the index (its 16 top-level files, split as usual)
when a batch would make more than `DELTA_LIMIT` of them, or when they would hold as many
entries as the index files under that digit (so a small folder writes its index directly),
or when the batch alone brings more than `DELTA_MAX`. The compacted deltas are dropped from
the manifest in that transaction; their files, no longer listed, are removed afterwards
(`drop_unlisted`, at the next batch or open): a file the manifest does not list is never read.

An id is in one place only: its leaf or one delta. Any other change of an entry (a save, a
move, a restore) edits the file that holds it: a delta (at most `DELTA_MAX` entries) or its
leaf, so a single save still writes a bounded amount of index.
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
    DELTA_TABLE,
    FORMAT,
    INDEX_TABLE,
    Layout,
    is_delta_name,
    is_entry_name,
    month_of,
)
from rating_tui.store.shards import mark_format
from rating_tui.store.transaction import Transaction

DELTA_LIMIT = 8
"""Delta files a digit may have; the batch that would make one more compacts them."""
DELTA_SHARE = 1.0
"""A digit's deltas are compacted once they would hold this share of its index entries."""
DELTA_MAX = BUCKET_LIMIT
"""Entries a delta file holds at most; a batch bringing more to a digit compacts it."""


class Reader(Protocol):
    def records(self, path: Path, table: str) -> Records: ...


def listed(reader: Reader, layout: Layout) -> dict[str, int]:
    """The delta files the manifest lists: name -> entries (-1 for a count that is not one,
    which no file matches, so the index is not trusted)."""
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


def entries(reader: Reader, layout: Layout, name: str, expected: int) -> Records | None:
    """The entries of delta `name` if it holds as many entries as listed, all of ids of its
    digit (a name that is not a delta's is never read: None). Entries are checked where used
    (`index.lookup`), and all of them by doctor."""
    if expected < 0 or not is_delta_name(name):
        return None
    found = reader.records(layout.delta(name), INDEX_TABLE)
    if len(found) != expected or any(i[:1] != name[0] for i in found):
        return None
    return found


TEXT_SEARCHES = 8
"""Ids at most that `holding` looks for in a delta's text before parsing it instead."""


def lacks(reader: Reader, layout: Layout, name: str, expected: int, ids: Iterable[str]) -> bool:
    """True when delta `name` surely holds none of `ids`, told from its text without
    parsing it (a save of a new rating asks this of the few deltas of its id's digit, each
    of up to `DELTA_MAX` entries): the file is whole as the store writes it, holds as many
    entries as the manifest lists, and none of the ids appears in it. False means "parse it
    to know" (an id appears, the file was changed in this transaction, or anything else)."""
    text_of = getattr(reader, "text", None)
    if text_of is None or expected < 0 or not is_delta_name(name):
        return False
    text = text_of(layout.delta(name))
    if text is None or not (text.startswith(b'{"') and text.endswith(b"}}")):
        return False
    if text.count(b'{"shard":') != expected:
        return False
    return not any(f'"{i}"'.encode() in text for i in ids)


def holding(reader: Reader, layout: Layout, ids: Iterable[str]) -> dict[str, str]:
    """rating id -> the listed delta holding its entry, for the ids in one."""
    names = listed(reader, layout)
    wanted = list(ids)
    digits = {i[:1] for i in wanted}
    out: dict[str, str] = {}
    for name, number in names.items():
        if name[:1] in digits and is_delta_name(name):
            mine = [i for i in wanted if i[:1] == name[:1]]
            if len(mine) <= TEXT_SEARCHES and lacks(reader, layout, name, number, mine):
                continue  # (a batch's many ids: one parse costs less than many searches)
            held = reader.records(layout.delta(name), INDEX_TABLE)
            out |= {i: name for i in wanted if i in held}
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
    txn: Transaction, name: str, wanted: dict[str, str | None], shard_delta: dict[str, int]
) -> None:
    """Point ids held in delta `name` elsewhere (None: remove them), in that file."""
    layout = txn.layout
    new = pointed(txn.records(layout.delta(name), INDEX_TABLE), wanted, shard_delta)
    txn.put_tables(layout.delta(name), {INDEX_TABLE: new})
    txn.change(layout.manifest, DELTA_TABLE, _setting({name: len(new)}, ()))


def add(txn: Transaction, new: dict[str, str]) -> Records:
    """Put the entries of new ids (in no index file nor delta) into new delta files, one per
    first digit, or compact that digit. Returns the entries the index files themselves must
    take: the new ones of compacted digits and the entries of their deltas (as they are: a
    damaged entry stays for doctor to name, as in an index file)."""
    layout = txn.layout
    names = listed(txn, layout)
    base = txn.records(layout.manifest, BUCKET_COUNTS)
    by_digit: dict[str, dict[str, str]] = {}
    for rating_id, shard in new.items():
        by_digit.setdefault(rating_id[:1], {})[rating_id] = shard
    carried: Records = {}
    written: dict[str, int] = {}
    dropped: list[str] = []
    present = [*layout.delta_files(), *(n for n in names if is_delta_name(n))]
    for digit, adding in sorted(by_digit.items()):
        mine = of_digit(names, digit)
        held = sum(names[n] for n in mine)
        under = sum(_count(v) for k, v in base.items() if k[:1] == digit)
        small = held + len(adding) >= under * DELTA_SHARE
        if len(mine) >= DELTA_LIMIT or len(adding) > DELTA_MAX or not under or small:
            for name in mine:
                carried |= txn.records(layout.delta(name), INDEX_TABLE)
            dropped += mine
            carried |= {i: {"shard": s} for i, s in adding.items()}
            continue
        number = max((_number(n) for n in present if n[0] == digit), default=0) + 1
        name = f"{digit}.d{number}"
        if not written:
            mark_format(txn, FORMAT)  # before the first delta (once per batch)
        txn.put_tables(
            layout.delta(name), {INDEX_TABLE: {i: {"shard": s} for i, s in adding.items()}}
        )
        written[name] = len(adding)
    if written or dropped:
        txn.change(layout.manifest, DELTA_TABLE, _setting(written, dropped))
    return carried


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
    """Delta files present that the manifest does not list (left by a compaction or a rebuild
    whose process ended before removing them): never read, safe to remove."""
    names = listed(reader, layout)
    return [n for n in layout.delta_files() if n not in names]


def drop_unlisted(reader: Reader, layout: Layout) -> None:
    """Remove the delta files the manifest does not list (call under the write lock, with no
    transaction pending: recovery has run)."""
    for name in unlisted(reader, layout):
        fileio.remove(layout.delta(name), "remove the compacted index delta")
