"""A transaction that holds one batch in memory: what it has changed so far is written to its
staged files (`Transaction.spill`), still all or nothing.

An import or a merge of a whole file or folder is one transaction (a write that touches
several files is all or nothing), given a batch at a time (`Store.import_batches`). Holding
the new content of every file it changes until `commit` would hold the whole import. After
each batch but the last, `spill` does for the files changed so far what `commit` does first
for a big change: each file's new bytes (`SafeStorage.prepare`: the file on disk checked to
parse, the first time) are written to the staged file commit would have written
(`.<name>.<id>.staged`, the transaction's id chosen at its first spill; not fsynced yet), and
the pending tables are let go, with what the transaction had read. From then on the transaction
reads a spilled file from its staged file (`Transaction.tables`, `.text`, `.will_exist`): a
later batch that changes it again reads it there, and the next spill writes the staged file
anew. Nothing is renamed and no journal exists, so nothing has changed yet.

Each spill also makes the audit entry of its batch (the ratings it changed, and the sha256 of
each rating file's bytes as staged), chained to the previous one (`audit.chained`), and
appends its line to a staged file of audit lines (`audit_file`); a file rewritten by a later
batch gets its newer sha256 in that batch's entry, so the log's last word on every file is
its final bytes. `commit` spills the last batch, then does what commit does for staged files
(`Spill.commit`): the daily backups of the files replaced (taken now, so a refused import
leaves none), each staged file fsynced once, the folders fsynced, then the journal written,
naming every staged file and the audit file, then the renames and the append
(`journal.apply`). Any failure or refusal
before the journal is on disk (a conflict in batch 50, a full disk, an interrupt: the caller
calls `Transaction.abandon`) deletes every staged file, the audit lines' too: nothing changed.
A crash leaves them to the next open, which deletes staged files of transactions that never
committed; a crash after the journal is rolled forward as any staged journal.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from rating_tui.store import audit, audit_file, fileio
from rating_tui.store.errors import StoreWriteError
from rating_tui.store.journal import ID_LENGTH, apply, folders_of, settle, staged_path
from rating_tui.store.journal import write_journal as _write_journal
from rating_tui.store.layout import RATINGS_TABLE
from rating_tui.store.storage import SafeStorage, Tables

if TYPE_CHECKING:
    from rating_tui.store.files import Files
    from rating_tui.store.transaction import Transaction


class Spill:
    """The files a transaction has written to staged files, and its audit lines so far."""

    def __init__(self, txn: Transaction) -> None:
        self.id = secrets.token_hex(ID_LENGTH // 2)
        self.layout = txn.layout
        self.paths: dict[Path, None] = {}
        """Every file staged so far (an ordered set)."""
        self.lines = audit_file.StagedLines(self.layout, self.id)
        self.originals: dict[Path, None] = {}
        """The staged files whose target exists (checked to parse by the first spill), whose
        daily backups the commit takes: a change refused in a later batch leaves none."""
        self._head: audit.Head | None = None
        self.decided = False
        """True once the journal is written: the staged files are then the change's."""
        self.held: list[tuple[int, int]] = []
        """(files, ratings in them) each spill wrote, as the transaction held them (the
        tests count them: a transaction holds one batch's)."""

    def staged(self, path: Path) -> Path:
        return staged_path(path, self.id)

    def read(self, storage: SafeStorage) -> Tables:
        """The content of a spilled file, from its staged file."""
        return storage.parse(self._raw(storage.path))

    def text(self, files: Files, path: Path) -> bytes | None:
        """The decoded text of a spilled file's staged file (as `Files.text`)."""
        return files.text(self.staged(path)) if path in self.paths else None

    def write(
        self, txn: Transaction, pending: dict[Path, Tables], blobs: dict[Path, bytes]
    ) -> None:
        """Stage `pending` and `blobs` (the batch's changes, `Transaction.spill`), and append
        the batch's audit entry."""
        change = txn.audited()
        digests: dict[str, str] = {}
        for folder in folders_of([*pending, *blobs]):
            fileio.make_private_dir(folder)
        for path, data in blobs.items():  # (an instrument copy: written once)
            self._stage(path, data)
        ratings = 0
        for path, tables in pending.items():
            if path in self.paths:  # (checked by its first spill)
                payload = txn.files.storage(path).encode(tables)
            else:
                storage = txn.storage(path)
                payload = storage.prepare(tables, backup=False)
                if storage.stored is not None:
                    self.originals[path] = None
            txn.files.cache.forget(path)  # (the cache holds files as they are on disk)
            self._stage(path, payload)
            if RATINGS_TABLE in tables:
                digests[txn.name(path)] = hashlib.sha256(payload).hexdigest()
                ratings += len(tables[RATINGS_TABLE])
        self.held.append((len(pending) + len(blobs), ratings))
        if change is None:
            return
        change.files.update(digests)
        lines: list[str] = []
        if self._head is None:
            lines, self._head = audit.start(
                self.layout.root, self.id, txn.files.codec, txn.stored_before
            )
        line, self._head = audit.chained(self.id, change.entry_body(), txn.files.codec, self._head)
        self.lines.add([*lines, line])

    def drop(self, path: Path) -> None:
        """Forget a staged file the transaction no longer writes (a file it created)."""
        if path in self.paths:
            del self.paths[path]
            self.originals.pop(path, None)
            fileio.discard(self.staged(path))

    def commit(self, files: Files) -> None:
        """Steps 2 to 4 of a commit of staged files (everything spilled, `Transaction.commit`):
        fsyncs, the journal, the renames and the audit lines; then the journal is removed."""
        layout = self.layout
        paths = list(self.paths)
        earlier = files.unsynced
        if earlier is not None and not earlier.owns(layout):
            earlier = files.unsynced = None  # (see `Transaction.commit`)
        try:
            for path in self.originals:  # (as they are still: the lock is held)
                files.storage(path).snapshot(fileio.read_bytes(path))
            for path in paths:  # each staged file once, however often a batch rewrote it
                fileio.fsync_file(self.staged(path), missing_ok=False)
            record = self.lines.sync()
            folders = folders_of(paths)
            if record is not None and layout.root not in folders:
                folders.append(layout.root)
            settle(layout, earlier, (), folders, False)
            for folder in folders:  # the staged files' names, and the previous renames
                fileio.fsync_dir(folder)
            entry: dict[str, object] = {
                "transaction": self.id,
                "files": [str(p.relative_to(layout.root).as_posix()) for p in paths],
            }
            if record is not None:
                entry["audit_file"] = record.to_json()
            _write_journal(layout.journal, entry, None, lambda: settle(layout, earlier))
            files.unsynced = None
            self.decided = True
        except BaseException:
            self.discard()
            raise
        try:
            apply(layout, self.id, paths, None, True, record)
        except StoreWriteError as exc:
            raise committed(layout.journal, exc) from None
        finally:
            for path in paths:
                files.cache.forget(path)

    def discard(self) -> None:
        """Delete every staged file (before the journal: nothing changed)."""
        if self.decided:
            return
        for path in self.paths:
            fileio.discard(self.staged(path))
        self.lines.discard()

    def _stage(self, path: Path, data: bytes) -> None:
        target = self.staged(path)
        if path in self.paths:
            fileio.discard(target)  # (written again: no journal names it yet)
        fileio.write_new(target, data, durable=False)  # (fsynced once, by the commit)
        self.paths[path] = None

    def _raw(self, path: Path) -> bytes:
        target = self.staged(path)
        raw = fileio.read_bytes(target)
        if raw is None:
            raise StoreWriteError(
                f"{target}, written by this change before its last batch, is gone (removed "
                "by something else while the data folder was locked). Nothing was changed.",
                target,
            )
        return raw


def committed(journal: Path, exc: StoreWriteError) -> StoreWriteError:
    """The error of a change decided (its journal written) but not completely applied."""
    error = StoreWriteError(
        f"The change was recorded in {journal} but could not be completed ({exc}). It is "
        "completed the next time the data folder is opened; nothing is lost.",
        exc.path,
        exc.errno,
    )
    error.committed = True
    return error
