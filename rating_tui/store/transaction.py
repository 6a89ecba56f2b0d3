"""All or nothing: a change that touches several files (a new rating and its index entry, a
month move, an import, a merge, an index rebuild) is applied as one unit.

Under the store lock, a `Transaction` collects the new content of every file it changes, in
memory. `commit` then:

1. computes each file's new bytes. A change of at most `journal.CARRY_LIMIT` bytes (a save)
   carries them in its journal; a bigger one (an import) writes them to staged files beside
   their targets (`.<name>.<id>.staged`), fsynced, and fsyncs their folders. A failure here
   (a full disk, a damaged file found when reading it) deletes the staged files: nothing
   changed, and no journal exists that could replay it;
2. makes the previous change of this process durable except what this journal carries anew
   (`journal.settle`), then writes `journal.json` atomically: `{"transaction": id, "files":
   [relative paths], "audit": [...]}`, plus the carried files' sizes, digests and bytes. Once
   it is on disk the change is decided;
3. renames each staged file over its target, or writes each carried file (without fsyncs),
   and appends the audit entry (below);
4. leaves the journal until the process's next transaction, which makes this one durable
   before its journal replaces it (`Unsynced`); a big journal of staged files is finished at
   once (folders fsynced, journal removed).

`journal.recover` runs whenever a process takes the lock: a journal left by a crash, or by another
process's last change, is rolled forward (the staged files still there are renamed, or the
carried files written where they hold an older version; the folders are fsynced; the journal
removed), then stray staged files of transactions that never committed are deleted (rolled
back). The journal is validated on read: it may only name this folder's data files
(`Layout.from_journal`), never a path outside, and carried bytes must match their digests.

A change of ratings also appends an entry to the audit log (`audit`): the entry is part of
the journal (`"audit": [lines]`) and is appended (and fsynced) after the renames, while the
journal is there, so recovery appends it too. A transaction of one file that changes no
rating (the registry, an index file) skips the journal: one atomic replace is already all
or nothing (a kept carried journal is settled first, so it never writes over it). Designed
for any number of files: an import that starts new parts of months (see `shards`) or splits
index files is one transaction of all of them. An import given a batch at a time writes what
each batch changed to its staged files before the next (`spill`, see `spilled`), so it holds
one batch in memory; its commit is then the staged kind, with the audit lines in a file.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from rating_tui.store import audit, fileio, journal
from rating_tui.store.errors import StoreError, StoreWriteError
from rating_tui.store.files import Files, Records
from rating_tui.store.journal import (
    ID_LENGTH,
    KEEP_JOURNAL_BYTES,
    Unsynced,
    apply,
    before,
    folders_of,
    pending,
    settle,
    settle_all,
    staged_path,
    still_renamed,
    unsynced_identity,
    write_carried,
    write_journal,
)
from rating_tui.store.layout import RATINGS_TABLE, SHARD_COUNTS, Layout
from rating_tui.store.spilled import Spill, committed
from rating_tui.store.storage import SafeStorage, Tables

RATINGS = RATINGS_TABLE
TEXTS_KEPT = 16
"""Decoded file texts a transaction keeps (`Transaction.text`): more than a digit's deltas."""


class Transaction:
    """The pending new content of the files one change touches (see the module docstring)."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.layout: Layout = files.layout
        self._storages: dict[Path, SafeStorage] = {}
        self._pending: dict[Path, Tables] = {}
        self._blobs: dict[Path, bytes] = {}
        self._read: dict[Path, Tables] = {}
        """Files read so far (under the lock nobody else changes them)."""
        self._texts: dict[Path, bytes | None] = {}
        """The last `TEXTS_KEPT` texts read (a save asks for its digit's deltas twice: to
        locate its id, then to place its entry); not more, as a batch reads every index
        file's text once (`presence`)."""
        self._spill: Spill | None = None
        """What `spill` has written to staged files (None: nothing yet)."""

    def tables(self, path: Path) -> Tables:
        """The content of `path` as this transaction would leave it (read-only)."""
        if path in self._pending:
            return self._pending[path]
        if path not in self._read:
            if self._spill is not None and path in self._spill.paths:
                self._read[path] = self._spill.read(self.files.storage(path))
            else:
                self._read[path] = self.storage(path).read() or {}
        return self._read[path]

    def reread(self) -> None:
        """Forget what was read (after files were changed outside this transaction)."""
        self._read.clear()
        self._texts.clear()
        self._storages = {p: s for p, s in self._storages.items() if p in self._pending}

    def records(self, path: Path, table: str) -> Records:
        return self.tables(path).get(table, {})

    def text(self, path: Path) -> bytes | None:
        """`Files.text` of `path` when this transaction has not changed it (None otherwise:
        the caller reads its records)."""
        if path in self._pending:
            return None
        if path not in self._texts:
            if len(self._texts) >= TEXTS_KEPT:
                del self._texts[next(iter(self._texts))]
            if self._spill is not None and path in self._spill.paths:
                self._texts[path] = self._spill.text(self.files, path)
            else:
                self._texts[path] = self.files.text(path)
        return self._texts[path]

    def change(self, path: Path, table: str, edit: Callable[[Records], None]) -> None:
        """Apply `edit` to a copy of `table` in `path`; written by `commit`. Records are
        replaced, never changed in place (the file cache shares them)."""
        current = self.tables(path)
        tables = {name: dict(records) for name, records in current.items()}
        edit(tables.setdefault(table, {}))
        self._pending[path] = tables

    def put_tables(self, path: Path, tables: Tables) -> None:
        """Replace the whole content of `path` (a file that splits becomes a node)."""
        self._pending[path] = tables

    def put_file(self, path: Path, data: bytes) -> None:
        """Write a file that is not a TinyDB file (an instrument copy) with the rest."""
        self._blobs[path] = data

    def will_exist(self, path: Path) -> bool:
        """Whether `path` exists, or is written by this transaction."""
        held = path in self._pending or path in self._blobs
        return held or path in self.spilled or path.exists()

    def has_file(self, path: Path) -> bool:
        """Whether `put_file` was called for `path`."""
        return path in self._blobs or path in self.spilled

    @property
    def paths(self) -> list[Path]:
        """Every file this transaction writes (spilled ones included)."""
        return [*self.held, *(p for p in self.spilled if p not in self._pending)]

    @property
    def held(self) -> list[Path]:
        """The files whose new content this transaction holds in memory (not spilled)."""
        return [*self._pending, *self._blobs]

    @property
    def spilled(self) -> Collection[Path]:
        """The files `spill` has written to staged files (read from there)."""
        return self._spill.paths.keys() if self._spill is not None else ()

    @property
    def spill_state(self) -> Spill | None:
        return self._spill

    def spill(self) -> None:
        """Write the new content of every file changed so far to its staged file and let it
        go, with everything read (see `spilled`): the transaction then holds one batch. Any
        failure deletes every staged file and raises: nothing changed."""
        if not self._pending and not self._blobs:
            return
        if self._spill is None:
            self._spill = Spill(self)
        try:
            self._spill.write(self, self._pending, self._blobs)
        except BaseException:
            self.abandon()
            raise
        self._pending, self._blobs, self._read, self._texts = {}, {}, {}, {}
        self._storages = {}

    def drop_new(self, path: Path) -> None:
        """Write nothing to `path` after all, when it is a file this transaction created
        (none is on disk): an index delta merged into a newer one by a later batch."""
        if path.exists():
            return
        self._pending.pop(path, None)
        self._read.pop(path, None)
        self._texts.pop(path, None)
        if self._spill is not None:
            self._spill.drop(path)

    def abandon(self) -> None:
        """Give up a transaction that will not commit (a refusal in a later batch, a
        failure, an interrupt): every staged file it spilled is deleted and nothing changed.
        Nothing is deleted once its journal is written (the change is decided)."""
        if self._spill is not None:
            self._spill.discard()
        for path in self.paths:
            self._forget(path)
        self._pending, self._blobs, self._read, self._texts = {}, {}, {}, {}
        self._storages = {}

    def commit(self) -> None:
        """Apply every change, all or nothing (see the module docstring)."""
        if self._spill is not None:
            self.spill()
            self._spill.commit(self.files)
            return
        paths = self.paths
        if not paths:
            return
        change = self.audited()
        if len(paths) == 1 and not self._blobs and change is None:
            path = paths[0]
            settle_all(self.files)  # (a kept journal must never write over this file)
            self.storage(path).write(self._pending[path])
            return
        txn = secrets.token_hex(ID_LENGTH // 2)
        earlier = self.files.unsynced
        if earlier is not None and not earlier.owns(self.layout):
            # Rolled forward (durably) by another process or `Store`, which may have written
            # these files since: what `earlier` knows of their versions no longer holds.
            earlier = self.files.unsynced = None
        staged: list[tuple[Path, Path]] = []
        payloads: dict[Path, bytes] = {}
        lines: list[str] = []
        try:
            for path in paths:
                if path in self._blobs:
                    payloads[path] = self._blobs[path]
                else:
                    payloads[path] = self.storage(path).prepare(self._pending[path])
            carry = sum(map(len, payloads.values())) <= journal.CARRY_LIMIT
            folders = folders_of(paths)
            for folder in folders:
                fileio.make_private_dir(folder)
            if carry and self._blobs:
                # An instrument copy (named by its content hash, harmless without the rest)
                # is written durably now rather than carried: a carried file missing after a
                # power cut is written again, so a copy deleted later would come back.
                for path in self._blobs:
                    fileio.write_atomic(path, payloads.pop(path))
                paths = [p for p in paths if p not in self._blobs]
                if not paths:
                    return
            if not carry:
                for path in paths:
                    target = staged_path(path, txn)
                    fileio.write_new(target, payloads[path])
                    staged.append((target, path))
            # What the previous change did is made durable before its journal is replaced,
            # but for the files this one carries anew (see `journal.settle`).
            # A carried journal carries anew the audit lines the previous change appended
            # without an fsync (`pending`), so the log needs no fsync before it.
            earlier_lines = pending(earlier, self.layout) if carry else ()
            settle(self.layout, earlier, paths if carry else (), () if carry else folders, carry)
            if not carry:
                # One fsync per folder: this change's staged files, and the renames of the
                # previous change, whose journal this one's replaces (see `Unsynced`).
                for folder in folders:
                    fileio.fsync_dir(folder)
            names = [self.name(p) for p in paths]
            entry: dict[str, Any] = {"transaction": txn, "files": names}
            digests: dict[Path, str] = {}
            if change is not None:
                for path in self._pending:
                    if RATINGS in self._pending[path]:
                        digests[path] = hashlib.sha256(payloads[path]).hexdigest()
                        change.files[self.name(path)] = digests[path]
                body = change.entry_body()
                lines = audit.plan_lines(
                    self.layout.root, txn, body, self.files.codec, self.stored_before
                )
            if earlier_lines or lines:
                entry["audit"] = [*earlier_lines, *lines]
            carried = [payloads[p] for p in paths] if carry else None
            versions: dict[Path, tuple[str, ...]] = {}
            if carried is not None:
                for path in paths:
                    digests[path] = digests.get(path) or hashlib.sha256(payloads[path]).hexdigest()
                    versions[path] = before(earlier, path, self._before(path))
                entry["carried"] = [
                    [len(payloads[p]), digests[p], list(versions[p])] for p in paths
                ]
            header = write_journal(
                self.layout.journal, entry, carried, lambda: settle(self.layout, earlier)
            )
            self.files.unsynced = None
        except BaseException:
            for target, _ in staged:
                fileio.discard(target)
            for path in paths:
                self._forget(path)
            raise
        keep = carry or len(header) <= KEEP_JOURNAL_BYTES
        renamed: set[Path] = set()
        try:
            if carry:
                renamed = write_carried(self.layout, txn, payloads, lines, False)
            else:
                apply(self.layout, txn, paths, lines, not keep)
        except StoreWriteError as exc:
            for path in paths:
                self._forget(path)
            raise committed(self.layout.journal, exc) from None
        if keep:
            identity = unsynced_identity(self.layout)
            if identity is not None:
                written = {p: (*versions[p], digests[p]) for p in versions}
                renamed |= still_renamed(earlier, versions)
                self.files.unsynced = Unsynced(
                    txn,
                    identity,
                    () if carry else tuple(folders),
                    written,
                    (*earlier_lines, *lines) if carry else (),
                    frozenset(renamed),
                )
        for path in self._pending:
            self.storage(path).written(payloads[path], self._pending[path])

    def _before(self, path: Path) -> bytes | None:
        """The bytes of `path` before this change (None: no file)."""
        if path in self._blobs:
            return fileio.read_bytes(path)  # (an instrument copy: written when missing)
        return self.storage(path).stored

    def audited(self) -> audit.Change | None:
        """The ratings this transaction changes, for the audit log (None: it writes no
        rating file). A rating file rewritten with the same ratings (a restore that re-merges
        everything) is logged too, with no rating: its new bytes must be on record, or doctor
        would take it for a file replaced by something else. For a spilled transaction:
        the ratings of the files changed since its last spill, against what it had staged."""
        change = audit.Change()
        before = {p: self._read.get(p, {}).get(RATINGS, {}) for p in self._pending}
        previous: dict[str, Any] = {}
        for records in before.values():
            previous.update(records)
        for path, tables in self._pending.items():
            if RATINGS not in tables and not before[path]:
                continue
            name = self.name(path)
            for rating_id, record, old in audit.diff(
                before[path], tables.get(RATINGS, {}), previous
            ):
                if record is None and rating_id in change.ratings:
                    continue  # moved: the new file's record is what counts
                change.ratings[rating_id] = (record, name, old)
        written = any(RATINGS in tables for tables in self._pending.values())
        return change if change.ratings or written else None

    def stored_before(self) -> int | None:
        """How many ratings the manifest counted before this change (None: unknown)."""
        try:
            counts = self.files.records(self.layout.manifest, SHARD_COUNTS)
        except StoreError:
            return None
        if not counts:
            return None if self.layout.shard_names() else 0
        numbers = [e.get("n") for e in counts.values() if isinstance(e, dict)]
        return sum(n for n in numbers if isinstance(n, int))

    def name(self, path: Path) -> str:
        return str(path.relative_to(self.layout.root).as_posix())

    def storage(self, path: Path) -> SafeStorage:
        storage = self._storages.get(path)
        if storage is None:
            storage = self._storages[path] = self.files.storage(path)
        return storage

    def _forget(self, path: Path) -> None:
        self.files.cache.forget(path)
