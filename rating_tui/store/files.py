"""The TinyDB files of one data folder, each read and changed through `SafeStorage`.

A change is one read, one in-memory edit and one atomic write of a single file: exactly what
TinyDB's Table does on insert, without the second read its `upsert` makes. Files keep TinyDB's
layout ({table: {document id: record}}) with rating ids as document ids, so `open_tinydb`
gives researchers and `doctor` ordinary TinyDB queries over any of them.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.table import Table

from rating_tui.store import fileio
from rating_tui.store.cache import FileCache
from rating_tui.store.codec import PLAIN, Codec, CodecError, check_open
from rating_tui.store.errors import StoreError
from rating_tui.store.layout import Layout
from rating_tui.store.storage import SafeStorage

if TYPE_CHECKING:
    from rating_tui.store.journal import Unsynced

Records = dict[str, dict[str, Any]]


class Files:
    """Opens each file of `layout` with the folder's codec, backups and restore advice."""

    def __init__(self, layout: Layout, codec: Codec) -> None:
        self.layout = layout
        self.codec = codec
        self.cache = FileCache()
        self.unsynced: Unsynced | None = None
        """This process's last transaction, applied, whose journal is kept until the next
        one (`journal.Unsynced`)."""

    def storage(self, path: Path) -> SafeStorage:
        if path.parent in (self.layout.index, self.layout.dyads):  # derived: no backups
            hint = _index_hint if path.parent == self.layout.index else _dyads_hint
            return SafeStorage(path, codec=self.codec, hint=hint, cache=self.cache, fragments=False)
        backups = self.layout.backups_of  # built only when needed (see SafeStorage.backups)
        return SafeStorage(path, codec=self.codec, backups=backups, cache=self.cache)

    def text(self, path: Path) -> bytes | None:
        """The decoded bytes of `path` as stored, unparsed; None when it does not exist or
        cannot be decoded (the caller then parses it, which names the damage)."""
        check_open(self.codec)
        try:
            raw = fileio.read_bytes(path)
            return None if raw is None else self.codec.decode(raw)
        except (StoreError, CodecError):
            return None

    def records(self, path: Path, table: str) -> Records:
        """The records of `table` in `path` ({} when the file does not exist yet). They may be
        shared with the cache: read them, never change them in place."""
        tables = self.storage(path).read() or {}
        return tables.get(table, {})

    def change(self, path: Path, table: str, edit: Callable[[Records], None]) -> None:
        """Read `path`, apply `edit` to `table`'s records, write it back atomically."""
        storage = self.storage(path)
        tables = storage.read() or {}
        try:
            edit(tables.setdefault(table, {}))
            fileio.make_private_dir(path.parent)
            storage.write(tables)
        except BaseException:
            self.cache.forget(path)  # the cached content may be edited but not written
            raise


def _index_hint(path: Path) -> str:
    return (
        "It is part of the index of rating ids, which can be rebuilt from the ratings: move it "
        f"aside (mv {shlex.quote(str(path))} {shlex.quote(f'{path}.damaged')}) and rebuild "
        "the index (`rating-tui doctor --repair`, or Store.rebuild_index() in Python)."
    )


def _dyads_hint(path: Path) -> str:
    return (
        "It is (a part of) a month's summary of dyads, which is not used while damaged (the "
        "month's files are read instead): `rating-tui doctor --repair` writes it again, "
        f"setting this file aside; or move it aside (mv {shlex.quote(str(path))} "
        f"{shlex.quote(f'{path}.damaged')})."
    )


class _TextIdTable(Table):
    document_id_class = str  # type: ignore[assignment]  # rating ids are uuids, not ints


class _TextIdTinyDB(TinyDB):
    table_class = _TextIdTable


def open_tinydb(path: Path, codec: Codec = PLAIN) -> TinyDB:
    """A read-write TinyDB over one data file, for ad-hoc queries (hold `Store.locked()`
    around writes). Tables: "ratings" in shards, "ids" in index files, "instruments"."""
    return _TextIdTinyDB(path, storage=SafeStorage, codec=codec)
