"""Reading the index deltas (see `deltas` for what they are): which deltas the manifest
lists, the file of a delta that would hold an id (walking its nodes), a file's entries checked
against the count its node or the manifest gives it, and, for a save's few ids, telling from
a delta's text without parsing it that an id is not there (`lacks`, `holding`). Nothing here
writes; `deltas` re-exports these names, which is where callers and tests use them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from rating_tui.store.files import Records
from rating_tui.store.layout import (
    DELTA_TABLE,
    HEX,
    INDEX_TABLE,
    SPLIT_TABLE,
    Layout,
    is_delta_file,
    is_delta_name,
    is_entry_name,
)

MAX_PREFIX = 8
"""Hex digits a delta file's prefix may have (the first 8 of an id are hex)."""


class Reader(Protocol):
    def records(self, path: Path, table: str) -> Records: ...


def listed(reader: Reader, layout: Layout) -> dict[str, int]:
    """The deltas the manifest lists: name -> entries (-1 for a count that is not one, which
    no file matches, so the index is not trusted)."""
    table = reader.records(layout.manifest, DELTA_TABLE)
    if _listed and _listed[0] == table:  # (the last table seen, compared whole: no parse)
        return dict(_listed[1])
    out: dict[str, int] = {}
    for name, entry in table.items():
        number = entry.get("n") if isinstance(entry, dict) else None
        out[str(name)] = number if isinstance(number, int) and is_delta_name(name) else -1
    _listed[:] = [copy.deepcopy(table), dict(out)]
    return out


_listed: list[Any] = []
"""The last manifest table of deltas `listed` read (a copy) and its answer: a save reads
the same table as the previous save, and checking each name costs more than comparing."""


def entry_shard(entry: object) -> str | None:
    """The month or part an index entry names, or None when the entry is not one (damaged)."""
    if isinstance(entry, dict):
        shard = entry.get("shard")
        if isinstance(shard, str) and is_entry_name(shard):
            return shard
    return None


def of_digit(names: Iterable[str], digit: str) -> list[str]:
    """The deltas of ids starting with `digit`, oldest first."""
    return sorted((n for n in names if n[:1] == digit), key=number_of)


def number_of(name: str) -> int:
    number = name.partition(".d")[2]
    return int(number) if number.isdigit() else -1


def root_of(name: str) -> str:
    """The delta a delta file belongs to ("3a0.d7" -> "3.d7")."""
    return name[:1] + name[name.find(".") :]


def is_node(reader: Reader, layout: Layout, name: str) -> bool:
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
        if not is_node(reader, layout, name):
            return name, expected
        prefix, dot, rest = name.partition(".")
        split = reader.records(layout.delta(name), SPLIT_TABLE)
        if len(prefix) >= MAX_PREFIX or sum(count_of(c) for c in split.values()) != expected:
            return None
        child = rating_id[: len(prefix) + 1]
        entry = split.get(child)
        expected = count_of(entry) if isinstance(entry, dict) else -1
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
        if not split or len(prefix) >= MAX_PREFIX:
            out.append((file, counted))
            continue
        for child, entry in split.items():
            ok = isinstance(child, str) and len(child) == len(prefix) + 1 and child[-1] in HEX
            if ok and child.startswith(prefix):
                pending.append((child + dot + rest, count_of(entry)))
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
    """rating id -> the file of a listed delta holding its entry, for the ids in one. A
    save's ids that its lookup looked for in every delta of their digit in this transaction
    (`remember`) are answered from that, without reading the deltas again."""
    wanted = list(ids)
    known = _remembered(reader, layout, wanted)
    if known is not None:
        return {i: file for i, file in known.items() if file is not None}
    names = listed(reader, layout)
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


def count_of(entry: object) -> int:
    number = entry.get("n") if isinstance(entry, dict) else 0
    return number if isinstance(number, int) else 0


_seen: WeakKeyDictionary[object, tuple[Records, dict[str, str | None]]] = WeakKeyDictionary()
"""Per transaction (weakly: gone with it), what `index.lookup` found of a save's ids in the
deltas of their digit, with the manifest's table of deltas it read then."""


def remember(reader: Reader, layout: Layout, seen: dict[str, str | None]) -> None:
    """Keep, for `holding` in the same transaction, where `index.lookup` found ids it looked
    for in every listed delta of their digit, each checked against its count (the delta file
    holding each, None: none holds it). Only a transaction's answers are kept."""
    if hasattr(reader, "paths"):  # (a `Transaction`; `Files` reads what is on disk now)
        table = reader.records(layout.manifest, DELTA_TABLE)
        _seen.setdefault(reader, (table, {}))
        if _seen[reader][0] is table:
            _seen[reader][1].update(seen)
        else:
            _seen[reader] = (table, dict(seen))


def _remembered(reader: Reader, layout: Layout, ids: list[str]) -> dict[str, str | None] | None:
    """`remember`'s answers for `ids`, while they still hold: the transaction has changed
    neither the manifest's table of deltas (a change makes a new table) nor a delta file."""
    try:
        table, seen = _seen[reader]
    except (KeyError, TypeError):
        return None
    if not ids or any(i not in seen for i in ids):
        return None
    if reader.records(layout.manifest, DELTA_TABLE) is not table:
        return None
    changed = [p.name.removesuffix(".json") for p in getattr(reader, "paths", ())]
    if any(is_delta_file(name) for name in changed):  # (a delta's file, in the index folder)
        return None
    return {i: seen[i] for i in ids}
