"""The store's mechanics beneath the API: lock, start-up clean-up, crash recovery, and where
each rating lives; the instrument registry is its base class (`instrument_registry`).

Every change is made under the lock through a `Transaction` (see `transaction`): a new rating
with its index entry and the manifest's counts, a move between shards, an import or a merge
is applied all or nothing. An edit that stays in its shard is one atomic file replace. Where
a rating lives is read from the index only when the index can be trusted (see `index`);
otherwise reads consult the shards and writes rebuild the index first.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager, suppress
from typing import Any

from filelock import FileLock, Timeout

from rating_tui.store import (
    deltas,
    dyads,
    fileio,
    index,
    journal,
    known_ids,
    presence,
    reindex,
    shards,
    snapshots,
)
from rating_tui.store.codec import Codec
from rating_tui.store.errors import (
    StoreCorruptError,
    StoreError,
    StoreFormatError,
    StoreLockedError,
    StoreWriteError,
)
from rating_tui.store.files import Files, Records
from rating_tui.store.instrument_registry import ROLES as ROLES
from rating_tui.store.instrument_registry import InstrumentRegistry, merging
from rating_tui.store.instrument_registry import bump as bump
from rating_tui.store.layout import (
    FORMAT,
    RATINGS_TABLE,
    Layout,
    month_of,
)
from rating_tui.store.transaction import Transaction

_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class Engine(InstrumentRegistry):
    """Everything below the Store API for one data folder."""

    def __init__(self, layout: Layout, codec: Codec, lock_timeout: float) -> None:
        super().__init__()
        self.layout = layout
        self.codec = codec
        self.files = Files(layout, codec)
        self.lock_timeout = lock_timeout
        self.read_only = False
        """True when the folder cannot be written: reads work, every write is refused."""
        self._lock = FileLock(str(layout.lock), timeout=lock_timeout, mode=fileio.FILE_MODE)
        self.known = known_ids.KnownIds(layout)
        """The ids this process indexed, while nobody else writes (see `known_ids`)."""

    # --- start-up and locking -----------------------------------------------------------------

    def start(self) -> None:
        """Create the folder (0700), check its format, clean up after crashed processes."""
        fileio.make_private_dir(self.layout.root)
        try:
            with self.locked(write=True):
                self._check_marker(create=True)
                layout = self.layout
                for folder in (
                    layout.root,
                    layout.ratings,
                    layout.index,
                    layout.dyads,
                    layout.backups,
                    layout.instrument_files,
                ):
                    fileio.remove_stale_temps(folder)
                snapshots.remove_dead(self.layout)
                with suppress(StoreError):
                    deltas.drop_unlisted(self.files, layout)
                if not layout.manifest.exists() and layout.shard_names():
                    # A folder from before the manifest existed. If a month is damaged, the
                    # index stays untrusted and the next write says why it cannot rebuild it.
                    with suppress(StoreError):
                        reindex.rebuild(self.files)
        except StoreWriteError as exc:
            if exc.errno not in _READ_ONLY or not self.layout.marker.exists():
                raise
            self.read_only = True
            self._check_marker(create=False)

    @contextmanager
    def locked(self, *, write: bool, recover: bool = True) -> Iterator[None]:
        """Hold the inter-process lock (reads too: they then never see a half-done move).
        `recover=False` (doctor) leaves a journal as it is, to be inspected."""
        if self.read_only:
            if write:
                raise fileio.write_error(OSError(errno.EROFS, "read-only"), self.layout.root)
            yield
            return
        try:
            self._lock.acquire()
        except Timeout:
            raise StoreLockedError(
                f"The data folder {self.layout.root} is busy: another rating-tui process (a "
                f"second window, an import or an export) has held its lock for more than "
                f"{self.lock_timeout:g} s. Nothing was changed; try again when it has finished."
            ) from None
        except OSError as exc:
            raise fileio.write_error(exc, self.layout.lock, "lock the data folder") from None
        try:
            try:
                if recover:
                    self._recover()
            except StoreWriteError:
                if write:
                    raise
                # A read goes on: the move is finished by the next write, when space allows.
            yield
        finally:
            self._lock.release()

    def _check_marker(self, *, create: bool) -> None:
        marker = self.layout.marker
        raw = fileio.read_bytes(marker)
        if raw is None:
            if create:
                mark = {"format": FORMAT, "codec": self.codec.name}
                fileio.write_atomic(marker, json.dumps(mark).encode())
            return
        try:
            data = json.loads(raw)
            found, codec = int(data["format"]), str(data["codec"])
        except (ValueError, KeyError, TypeError):
            raise StoreCorruptError(
                f"{marker} is damaged. It only records the folder's format: replace its content "
                f'with {{"format": {FORMAT}, "codec": "plain"}} (if the data is not encrypted).',
                marker,
            ) from None
        if found > FORMAT:
            raise StoreFormatError(
                f"{self.layout.root} was written by a newer rating-tui (data format {found}; "
                f"this version reads format {FORMAT}). Update rating-tui to open it."
            )
        if codec != self.codec.name:
            raise StoreFormatError(
                f"{self.layout.root} is stored with the {codec!r} codec, but was opened with "
                f"{self.codec.name!r}; open it with the same settings it was created with."
            )

    # --- crash recovery -----------------------------------------------------------------------

    def _recover(self) -> None:
        """Roll forward a transaction a crash interrupted, then delete staged files of ones
        that never committed (see `transaction`)."""
        if journal.recover(self.layout, self._finish_old_move, self.files.unsynced):
            layout = self.layout
            for folder in (layout.ratings, layout.index, layout.dyads, layout.instrument_files):
                fileio.remove_stale_temps(folder)

    def _finish_old_move(self, rating_id: str, source: str, target: str) -> None:
        """Recover a move journalled by an earlier version ({"id", "from", "to"})."""
        txn = Transaction(self.files)
        if rating_id in txn.records(self.layout.shard(target), RATINGS_TABLE):
            txn.change(self.layout.shard(source), RATINGS_TABLE, _drop(rating_id))
            index.set_entries(txn, {rating_id: target})
        else:
            index.set_entries(txn, {rating_id: source})
        txn.commit()

    # --- where ratings live -------------------------------------------------------------------

    def transaction(self) -> Transaction:
        """A new transaction over this folder's files; call `commit` under the write lock."""
        return known_ids.NotingTransaction(self.files, self.known)

    def locate(
        self, rating_id: str, txn: Transaction | None = None
    ) -> tuple[str, dict[str, Any]] | None:
        """(shard, stored record) of a rating, or None when it is not stored."""
        return self.locate_many([rating_id], txn).get(rating_id)

    def locate_many(
        self, rating_ids: Iterable[str], txn: Transaction | None = None
    ) -> dict[str, tuple[str, dict[str, Any]]]:
        """`locate` for many ids, reading each index file and shard once. With a transaction
        (a write), an index that cannot be trusted is rebuilt from the shards first; without
        (a read), the shards are consulted instead."""
        return self._locate(list(rating_ids), txn)[0]

    def locate_batch(
        self, rating_ids: Iterable[str], txn: Transaction
    ) -> tuple[dict[str, tuple[str, dict[str, Any]]], set[str]]:
        """`locate_many` for a batch (an import, a merge), and the ids the index holds no
        entry for (`add_many` puts those straight into deltas). Ids that the text of their
        index files shows are absent (`presence`), or that this process knows it never
        indexed (`known_ids`), are not looked up: parsing, then reading every index file per
        batch was the cost that grew with the folder."""
        return self._locate(list(rating_ids), txn, batch=True)

    def _locate(
        self, ids: list[str], txn: Transaction | None, batch: bool = False
    ) -> tuple[dict[str, tuple[str, dict[str, Any]]], set[str]]:
        reader = txn or self.files
        wanted: dict[str, list[str]] = {}
        known = self.known.absent(txn, ids) if batch and txn is not None else set()
        rest = [i for i in ids if i not in known] if known else ids
        absent = presence.absent(reader, self.layout, rest) if batch and rest else set()
        rest, absent = [i for i in rest if i not in absent], absent | known
        named = {} if known and not rest else index.lookup(self.layout, reader, rest)
        if named is not None:
            for rating_id, name in named.items():
                shard = shards.leaf(reader, self.layout, name, rating_id)
                wanted.setdefault(shard, []).append(rating_id)
            absent.update(i for i in rest if i not in named)
        elif txn is not None:
            if txn.spilled:  # (a rebuild writes the index on disk, under what it staged)
                raise StoreCorruptError(
                    f"The index of {self.layout.root}, as the earlier batches of this change "
                    "left it, does not add up; nothing was changed. Run `rating-tui doctor`.",
                    self.layout.index,
                )
            reindex.rebuild(self.files)
            txn.reread()
            return self._locate(ids, txn, batch)
        else:
            absent.clear()  # (a read: not asked)
            where = index.scan(self.layout, reader, strict=False)
            for rating_id in ids:
                if rating_id in where:
                    wanted.setdefault(where[rating_id], []).append(rating_id)
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for shard, shard_ids in wanted.items():
            records = reader.records(self.layout.shard(shard), RATINGS_TABLE)
            found |= {i: (shard, records[i]) for i in shard_ids if i in records}
        return found, absent

    def add_many(
        self,
        txn: Transaction,
        placed: list[tuple[str, dict[str, Any]]],
        unindexed: AbstractSet[str] = frozenset(),
    ) -> None:
        """Add new records given as (month, record) to the transaction, filling each month's
        open part and starting new ones (`shards.add`). A rating id already in the part it
        goes to is refused: adding never overwrites. The index entries of a batch go to
        delta files (`deltas`); delta files a compaction left are removed first. `unindexed`:
        ids this transaction found the index holds no entry for (`locate_batch`), whose
        entries are not looked for again."""
        with suppress(StoreError):
            deltas.drop_unlisted(self.files, self.layout)
        months: dict[str, dict[str, Any]] = {}
        for month, record in placed:
            months.setdefault(month, {})[str(record["id"])] = record
        entries: dict[str, str | None] = {}
        roles = self.roles(txn)
        for month, records in months.items():
            dyads.note(txn, month, records.values(), roles)  # (before the month's first file)
            entries |= shards.add(txn, month, records)
        known_ids.note(txn, entries)
        index.set_entries(txn, entries, batch=True, unindexed=unindexed)

    def index_ids(self, prefix: str) -> list[str]:
        """Ids of stored ratings starting with `prefix` (two hex digits)."""
        found = index.ids_under(self.layout, self.files, prefix)
        if found is not None:
            return found
        where = index.scan(self.layout, self.files, strict=False)
        return [i for i in where if i.startswith(prefix)]

    def shard_records(self, shard: str) -> Records:
        return self.files.records(self.layout.shard(shard), RATINGS_TABLE)

    def put(
        self, txn: Transaction, record: dict[str, Any], target: str, current: str | None
    ) -> None:
        """Store `record` in month `target`; `current` is the shard it is in now, if any."""
        rating_id = str(record["id"])
        dyads.note(txn, target, [record], self.roles(txn))  # (before the month's first file)
        if current is not None and month_of(current) == target:  # an edit: one file
            txn.change(self.layout.shard(current), RATINGS_TABLE, merging({rating_id: record}))
            return
        entries: dict[str, str | None] = {**shards.add(txn, target, {rating_id: record})}
        if current is not None:
            txn.change(self.layout.shard(current), RATINGS_TABLE, _drop(rating_id))
        known_ids.note(txn, entries)
        index.set_entries(txn, entries)


def _drop(rating_id: str) -> Callable[[Records], None]:
    def drop(records: Records) -> None:
        records.pop(rating_id, None)

    return drop
