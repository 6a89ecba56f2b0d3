"""Which ids of a batch the index surely does not hold, told from the text of its files.

A batch (an import, a merge, demo-data) of random new ids touches nearly every index file;
parsing them all to learn that its ids are new cost the size of the whole index per batch,
the term that grew with the folder (N²/batch in all). The store writes an index file or a
delta as compact JSON whose every string is an id or a month written as it is (ids are
lowercase uuids, months and parts need no escape), so when a file's decoded text

- has the form the store writes (`{"ids":{...}}`, no backslash, no `"split"`),
- holds as many entries (`{"shard":`) as counted for it (by the manifest for a top-level file
  or a delta, by its node below), as a lookup requires of a parsed file (`index.lookup`),

an id whose quoted text does not appear in it is not one of its entries. `absent` answers
from that text: it scans each file once (searching for the few ids of the batch that fall in
it, or collecting the quoted ids of a file that many of them fall in) and never builds its
entries. A node (a split file: 16 counts, an index file's or a merged delta's) is parsed, as
it is small. An id is answered only when its leaf and, in every listed delta of its digit, the
file that would hold it could be told from their text; every other
id (its file is damaged, changed in this transaction, of another form, counted otherwise, or
holds the id) is left to the parsing lookup, which trusts or rebuilds the index as before.
Nothing is written: the files the answer rests on are the index's own, in the same
transaction, so crash safety is theirs.

The texts are read by name through one descriptor of the index folder (`_Texts`): a batch into
a 1M folder reads about 4,300 of them, and a `Path`, a buffered file object and a codec check
per file cost more than the read itself. A file is read only when it is a regular file of at
most `fileio.MAX_FILE_BYTES` (as `fileio.read_bytes` reads it); anything else, and a file this
transaction changes, gives no text, and its ids are left to the parsing lookup.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Protocol

from rating_tui.store import deltas, fileio
from rating_tui.store.codec import Codec, CodecError, check_open
from rating_tui.store.errors import StoreError
from rating_tui.store.files import Files, Records
from rating_tui.store.layout import BUCKET_COUNTS, INDEX_TABLE, SPLIT_TABLE, Layout, sub_bucket
from rating_tui.store.transaction import Transaction

SEARCHES = 8
"""Ids of a batch at most that are searched for one by one in a file's text; a file that more
of them fall in has its quoted ids collected once instead."""
_MAX_NAME = 8
"""Hex digits an index file name may have (as `index.leaf`)."""
_ENTRY = b'{"shard":'
_QUOTED_ID = re.compile(rb'"([0-9a-f-]{36})"')
_ID = re.compile(r"[0-9a-f-]{36}")
"""The ids answered: those `_QUOTED_ID` can find (rating ids are lowercase uuids)."""


class TextReader(Protocol):
    def records(self, path: Path, table: str) -> Records: ...

    def text(self, path: Path) -> bytes | None: ...


def absent(reader: TextReader, layout: Layout, ids: Iterable[str]) -> set[str]:
    """The ids of `ids` that surely have no entry in the index (neither in their leaf nor in
    a listed delta of their digit), told from the files' text (see the module docstring).
    The others may or may not have one: ask `index.lookup`."""
    try:
        plain = [i for i in dict.fromkeys(ids) if _ID.fullmatch(i)]  # others: the lookup's
        with _Texts(reader, layout) as texts:
            return _absent(reader, texts, layout, plain)
    except StoreError:
        return set()


class _Texts:
    """The decoded text of index files and deltas by name (`Files.text`, without a `Path` or
    a file object per file: see the module docstring), None for a file this transaction
    changes (a file it spilled: its staged file's text). A reader that is neither `Files` nor a
    `Transaction` is asked by path."""

    def __init__(self, reader: TextReader, layout: Layout) -> None:
        self._reader, self._layout = reader, layout
        files = reader.files if isinstance(reader, Transaction) else reader
        self._codec: Codec | None = files.codec if isinstance(files, Files) else None
        self._changed: set[str] = set()
        self._spilled: set[str] = set()
        if isinstance(reader, Transaction):
            self._changed = {p.name for p in reader.held if p.parent == layout.index}
            self._spilled = {p.name for p in reader.spilled if p.parent == layout.index}
        self._folder = -1

    def __enter__(self) -> _Texts:
        if self._codec is not None:
            check_open(self._codec)
            flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
            try:
                self._folder = os.open(self._layout.index, flags)
            except OSError:
                self._codec = None  # (no folder, or not one: asked by path, which says so)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._folder >= 0:
            os.close(self._folder)

    def get(self, name: str) -> bytes | None:
        file = f"{name}.json"
        if self._codec is None:
            return self._reader.text(self._layout.index / file)
        if file in self._changed:
            return None
        if file in self._spilled:  # (its staged file's text: `Transaction.text`)
            return self._reader.text(self._layout.index / file)
        try:
            fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK, dir_fd=self._folder)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > fileio.MAX_FILE_BYTES:
                return None
            raw = os.read(fd, info.st_size + 1)
            if len(raw) != info.st_size:
                return None  # (changed while read: the lookup reads it again)
            return self._codec.decode(raw)
        except (OSError, CodecError):
            return None
        finally:
            os.close(fd)


def _absent(reader: TextReader, texts: _Texts, layout: Layout, wanted: list[str]) -> set[str]:
    counts = reader.records(layout.manifest, BUCKET_COUNTS)
    if not wanted or not counts:
        return set()
    listed = deltas.listed(reader, layout)
    by_top: dict[str, list[str]] = {}
    for rating_id in wanted:
        by_top.setdefault(rating_id[:2], []).append(rating_id)
    unsure = _in_deltas(reader, texts, layout, listed, wanted)
    out: set[str] = set()
    pending = [(top, _number(counts.get(top)), group) for top, group in by_top.items()]
    while pending:
        name, expected, group = pending.pop()
        text = texts.get(name)
        if text is None:
            if expected == 0 and _never_written(reader, layout.index_file(name)):
                out.update(i for i in group if i not in unsure)
            continue
        if text.startswith(b'{"split":'):
            pending += _children(reader, layout.index_file(name), name, expected, group)
            continue
        held = _held(text, expected, group)
        if held is None:
            continue
        out.update(i for i in group if i not in held and i not in unsure)
    return out


def _children(
    reader: TextReader, path: Path, name: str, expected: int, group: list[str]
) -> list[tuple[str, int, list[str]]]:
    """The children of node `name` that `group` falls in, with their counts, if the node's
    counts sum to what is counted for it (as `index.lookup` checks); [] otherwise."""
    split = reader.records(path, SPLIT_TABLE)
    if not split or len(name) >= _MAX_NAME or sum(_number(c) for c in split.values()) != expected:
        return []
    children: dict[str, list[str]] = {}
    for rating_id in group:
        children.setdefault(sub_bucket(name, rating_id), []).append(rating_id)
    return [(child, _number(split.get(child)), ids) for child, ids in children.items()]


def _never_written(reader: TextReader, path: Path) -> bool:
    """Whether index file `path` does not exist and this transaction writes none (an index
    file nobody wrote holds no entry, as the manifest's count of 0 says)."""
    return not path.exists() and not any(
        reader.records(path, t) for t in (INDEX_TABLE, SPLIT_TABLE)
    )


def _held(text: bytes, expected: int, group: list[str]) -> set[str] | None:
    """The ids of `group` whose quoted text appears in index file `text`, or None when the
    text is not of the form the store writes or does not hold `expected` entries."""
    if not _plain(text, expected):
        return None
    if len(group) <= SEARCHES:
        return {i for i in group if f'"{i}"'.encode() in text}
    quoted = set(_QUOTED_ID.findall(text))
    return {i for i in group if i.encode() in quoted}


def _in_deltas(
    reader: TextReader, texts: _Texts, layout: Layout, listed: dict[str, int], wanted: list[str]
) -> set[str]:
    """The ids of `wanted` that a listed delta holds, or may hold: those whose file in a delta
    of their digit (walking the nodes of a delta split by the id) names them or cannot be
    told from its text (then the lookup parses it). A delta's file is searched like a leaf,
    for the batch's ids that fall in it only: collecting every id of every delta (to check
    their prefixes) cost the size of the deltas per batch, which merged deltas make a share
    of the whole index; the lookup that parses a file checks its prefixes (doctor, all)."""
    by_digit: dict[str, list[str]] = {}
    for rating_id in wanted:
        by_digit.setdefault(rating_id[:1], []).append(rating_id)
    pending = [
        (name, listed[name], group)
        for digit, group in by_digit.items()
        for name in deltas.of_digit(listed, digit)
    ]
    unsure: set[str] = set()
    while pending:
        name, expected, group = pending.pop()
        text = texts.get(name) if expected >= 0 else None
        if text is not None and text.startswith(b'{"split":'):
            children = _delta_children(reader, name, expected, group, layout)
            if children is not None:
                pending += children
                continue
        held = None if text is None else _held(text, expected, group)
        unsure.update(group if held is None else held)  # (None: not as the store writes)
    return unsure


def _delta_children(
    reader: TextReader, name: str, expected: int, group: list[str], layout: Layout
) -> list[tuple[str, int, list[str]]] | None:
    """The files under delta node `name` that `group` falls in, with their counts, if the
    node's counts sum to `expected` (as `deltas.part_of` checks); None otherwise."""
    split = reader.records(layout.delta(name), SPLIT_TABLE)
    prefix, dot, rest = name.partition(".")
    if not split or len(prefix) >= _MAX_NAME or sum(_number(c) for c in split.values()) != expected:
        return None
    children: dict[str, list[str]] = {}
    for rating_id in group:
        children.setdefault(rating_id[: len(prefix) + 1], []).append(rating_id)
    return [(c + dot + rest, _number(split.get(c)), ids) for c, ids in children.items()]


def _plain(text: bytes, expected: int) -> bool:
    """Whether `text` is an index file or delta as the store writes it, with `expected`
    entries: compact, no escaped character (so every id in it is written as it is), not a
    node."""
    return (
        expected >= 0
        and text.startswith(b'{"ids":{')
        and text.endswith(b"}}")
        and b"\\" not in text
        and b'"split"' not in text
        and text.count(_ENTRY) == expected
    )


def _number(entry: object) -> int:
    number = entry.get("n") if isinstance(entry, dict) else 0
    return number if isinstance(number, int) else -1
