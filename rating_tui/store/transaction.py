"""All or nothing: a change that touches several files (a new rating and its index entry, a
month move, an import, a merge, an index rebuild) is applied as one unit.

Under the store lock, a `Transaction` collects the new content of every file it changes, in
memory. `commit` then:

1. writes each file's new bytes to a staged file beside it (`.<name>.<id>.staged`), fsynced,
   and fsyncs their folders; a failure here (a full disk, a damaged file found when reading
   it) deletes the staged files: nothing changed, and no journal exists that could replay it;
2. writes `journal.json` atomically: `{"transaction": id, "files": [relative paths]}`. Once it
   is on disk the change is decided;
3. renames each staged file over its target (and appends the audit entry, below);
4. leaves the journal until the process's next transaction, which fsyncs these folders with
   its own staged files' before its journal replaces this one (`Unsynced`); a big journal is
   finished at once (folders fsynced, journal removed).

`recover` runs whenever a process takes the lock: a journal left by a crash, or by another
process's last change, is rolled forward (the staged files still there are renamed; renaming
is idempotent; the folders are fsynced; the journal removed), then stray staged files of
transactions that never committed are deleted (rolled back). The journal is validated on
read: it may only name this folder's data files (`Layout.from_journal`), never a path outside.

A change of ratings also appends an entry to the audit log (`audit`): the entry is part of
the journal (`"audit": [lines]`) and is appended (and fsynced) after the renames, while the
journal is there, so recovery appends it too. A transaction of one file that changes no
rating (the registry, an index file) skips the journal: one atomic replace is already all
or nothing. Designed for any number of files: an import that starts new parts of months
(see `shards`) or splits index files is one transaction of all of them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rating_tui.store import audit, fileio
from rating_tui.store.errors import StoreCorruptError, StoreError, StoreWriteError
from rating_tui.store.files import Files, Records
from rating_tui.store.layout import RATINGS_TABLE, SHARD_COUNTS, Layout
from rating_tui.store.storage import SafeStorage, Tables

_ID_LENGTH = 16
RATINGS = RATINGS_TABLE


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

    def tables(self, path: Path) -> Tables:
        """The content of `path` as this transaction would leave it (read-only)."""
        if path in self._pending:
            return self._pending[path]
        if path not in self._read:
            self._read[path] = self._storage(path).read() or {}
        return self._read[path]

    def reread(self) -> None:
        """Forget what was read (after files were changed outside this transaction)."""
        self._read.clear()
        self._storages = {p: s for p, s in self._storages.items() if p in self._pending}

    def records(self, path: Path, table: str) -> Records:
        return self.tables(path).get(table, {})

    def text(self, path: Path) -> bytes | None:
        """`Files.text` of `path` when this transaction has not changed it (None otherwise:
        the caller reads its records)."""
        return None if path in self._pending else self.files.text(path)

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
        return path in self._pending or path in self._blobs or path.exists()

    def has_file(self, path: Path) -> bool:
        """Whether `put_file` was called for `path`."""
        return path in self._blobs

    @property
    def paths(self) -> list[Path]:
        return [*self._pending, *self._blobs]

    def commit(self) -> None:
        """Apply every change, all or nothing (see the module docstring)."""
        paths = self.paths
        if not paths:
            return
        change = self._audited()
        if len(paths) == 1 and not self._blobs and change is None:
            path = paths[0]
            self._storage(path).write(self._pending[path])
            return
        txn = secrets.token_hex(_ID_LENGTH // 2)
        earlier = self.files.unsynced
        staged: list[tuple[Path, Path]] = []
        payloads: dict[Path, bytes] = {}
        lines: list[str] = []
        try:
            for path in paths:
                if path in self._blobs:
                    payload = self._blobs[path]
                else:
                    payload = self._storage(path).prepare(self._pending[path])
                payloads[path] = payload
                fileio.make_private_dir(path.parent)
                target = staged_path(path, txn)
                fileio.write_new(target, payload)
                staged.append((target, path))
            # One fsync per folder: this change's staged files, and the renames of the
            # previous change, whose journal this one's replaces (see `Unsynced`).
            folders = _folders(paths)
            for folder in folders:
                fileio.fsync_dir(folder)
            for folder in earlier.folders if earlier else ():
                if folder not in folders:  # (one removed since has taken its renames along)
                    fileio.fsync_dir(folder, missing_ok=True)
            self.files.unsynced = None
            names = [str(p.relative_to(self.layout.root).as_posix()) for p in paths]
            entry: dict[str, Any] = {"transaction": txn, "files": names}
            if change is not None:
                for path in self._pending:
                    if RATINGS in self._pending[path]:
                        change.files[self._name(path)] = hashlib.sha256(payloads[path]).hexdigest()
                body = change.entry_body()
                lines = audit.plan_lines(
                    self.layout.root, txn, body, self.files.codec, self._stored_before
                )
                entry["audit"] = lines
            journal = write_journal(self.layout.journal, entry)
        except BaseException:
            for target, _ in staged:
                fileio.discard(target)
            for path in paths:
                self._forget(path)
            raise
        keep = len(journal) <= KEEP_JOURNAL_BYTES
        try:
            apply(self.layout, txn, paths, lines, not keep)
        except StoreWriteError as exc:
            for path in paths:
                self._forget(path)
            error = StoreWriteError(
                f"The change was recorded in {self.layout.journal} but could not be completed "
                f"({exc}). It is completed the next time the data folder is opened; nothing "
                "is lost.",
                exc.path,
                exc.errno,
            )
            error.committed = True
            raise error from None
        if keep:
            self.files.unsynced = Unsynced(txn, journal, tuple(_folders(paths)))
        for path in self._pending:
            self._storage(path).written(payloads[path], self._pending[path])

    def _audited(self) -> audit.Change | None:
        """The ratings this transaction changes, for the audit log (None: it writes no
        rating file). A rating file rewritten with the same ratings (a restore that re-merges
        everything) is logged too, with no rating: its new bytes must be on record, or doctor
        would take it for a file replaced by something else."""
        change = audit.Change()
        before = {p: self._read.get(p, {}).get(RATINGS, {}) for p in self._pending}
        previous: dict[str, Any] = {}
        for records in before.values():
            previous.update(records)
        for path, tables in self._pending.items():
            if RATINGS not in tables and not before[path]:
                continue
            name = self._name(path)
            for rating_id, record, old in audit.diff(
                before[path], tables.get(RATINGS, {}), previous
            ):
                if record is None and rating_id in change.ratings:
                    continue  # moved: the new file's record is what counts
                change.ratings[rating_id] = (record, name, old)
        written = any(RATINGS in tables for tables in self._pending.values())
        return change if change.ratings or written else None

    def _stored_before(self) -> int | None:
        """How many ratings the manifest counted before this change (None: unknown)."""
        try:
            counts = self.files.records(self.layout.manifest, SHARD_COUNTS)
        except StoreError:
            return None
        if not counts:
            return None if self.layout.shard_names() else 0
        numbers = [e.get("n") for e in counts.values() if isinstance(e, dict)]
        return sum(n for n in numbers if isinstance(n, int))

    def _name(self, path: Path) -> str:
        return str(path.relative_to(self.layout.root).as_posix())

    def _storage(self, path: Path) -> SafeStorage:
        storage = self._storages.get(path)
        if storage is None:
            storage = self._storages[path] = self.files.storage(path)
        return storage

    def _forget(self, path: Path) -> None:
        self.files.cache.forget(path)


def staged_path(path: Path, txn: str) -> Path:
    return path.with_name(f".{path.name}.{txn}{fileio.STAGED_SUFFIX}")


@dataclass(frozen=True)
class Unsynced:
    """This process's last transaction, applied (renamed, its audit lines appended and
    fsynced) but with its journal still on disk, because its renames are not yet durable: the
    folders they were made in have not been fsynced. A power cut brings back at most the
    staged files, which the journal (durable) then renames again. The next transaction fsyncs
    these folders with its own, before its journal replaces this one; a read or a write of
    this process skips the journal (it is known applied); any other process, or the next
    `Store.open`, rolls it forward as after a crash, fsyncing the folders, and removes it."""

    txn: str
    journal: bytes
    """The journal's bytes as written (equal bytes on disk: this transaction's journal)."""
    folders: tuple[Path, ...]


KEEP_JOURNAL_BYTES = 64 * 1024
"""A bigger journal (an import's audit entry) is finished at once: it would be read again
by every lock of this process until the next change."""


def write_journal(journal: Path, entry: dict[str, Any]) -> bytes:
    """Write the journal, returning its bytes; on any failure make sure none is left that
    could replay later."""
    data = json.dumps(entry).encode()
    try:
        fileio.write_atomic(journal, data)
    except BaseException:
        try:
            fileio.remove(journal, "remove the unfinished journal")
        except StoreWriteError as exc:
            raise StoreWriteError(
                f"{exc} The change may be completed the next time the folder is opened.",
                journal,
                exc.errno,
            ) from None
        raise
    return data


def apply(
    layout: Layout,
    txn: str,
    paths: list[Path],
    lines: list[str] | None = None,
    finish: bool = True,
) -> None:
    """Steps 3 and 4: rename the staged files that are still there, append the audit entry
    (unless there already), and with `finish` fsync the folders and remove the journal
    (without, the caller keeps an `Unsynced`)."""
    for path in paths:
        source = staged_path(path, txn)
        try:
            fileio.replace_raw(source, path)
        except FileNotFoundError:
            continue  # renamed before a crash
        except OSError as exc:
            raise fileio.write_error(exc, path, "complete the transaction on") from None
    if finish:
        for folder in _folders(paths):
            fileio.fsync_dir(folder, missing_ok=True)  # (a journal kept while it was removed)
    if lines:
        audit.append(layout.root, txn, lines)
    if not finish:
        return
    # Not fsynced: a finished journal that comes back after a power cut is rolled forward
    # again to the same result (its staged files are gone, its audit lines are there), and
    # the next journal replaces it only after its own folder fsync (see docs/storage.md).
    fileio.remove(layout.journal, "remove the finished journal", durable=False)


def recover(
    layout: Layout, move: Callable[[str, str, str], None], unsynced: Unsynced | None = None
) -> bool:
    """Roll a journal left by a crash forward; True when there was one. `move` finishes a
    move recorded by the earlier journal format ({"id", "from", "to"}). The journal of
    `unsynced` (this process's last change, applied) is left for the next change."""
    raw = fileio.read_bytes(layout.journal)
    if raw is None or (unsynced is not None and raw == unsynced.journal):
        return False
    found = read_journal(layout, raw)
    if found is None:
        return False
    if isinstance(found, tuple):
        move(*found)
        fileio.remove(layout.journal, "finish the interrupted move recorded in")
    else:
        apply(layout, found.txn, found.paths, found.audit)
    return True


@dataclass(frozen=True)
class Journal:
    """A committed transaction not yet completely applied."""

    txn: str
    paths: list[Path]
    audit: list[str] = field(default_factory=list)
    """The audit log lines of the change, appended when it is applied."""


def unfinished(
    layout: Layout, unsynced: Unsynced | None = None
) -> Journal | tuple[str, str, str] | None:
    """`read_journal`, but None for a journal whose change is applied: `unsynced`'s, or one
    whose staged files are all renamed and whose audit lines are in the log. Only its
    folders' fsync and its removal are left; the files hold the change complete."""
    raw = fileio.read_bytes(layout.journal)
    if raw is None or (unsynced is not None and raw == unsynced.journal):
        return None
    found = read_journal(layout, raw)
    if isinstance(found, Journal) and applied(layout, found):
        return None
    return found


def applied(layout: Layout, journal: Journal) -> bool:
    if any(staged_path(p, journal.txn).exists() for p in journal.paths):
        return False
    if not journal.audit:
        return True
    last, _ = audit.last_line(audit.log_path(layout.root))
    return last is not None and audit.txn_of(last) == journal.txn


def read_journal(layout: Layout, raw: bytes | None = None) -> Journal | tuple[str, str, str] | None:
    """The journal, validated: a `Journal`, an old-style move (id, from, to), or None when
    there is none. Anything else raises `StoreCorruptError` naming the journal and the entry,
    before any file is touched. `raw`: its bytes, already read."""
    journal = layout.journal
    if raw is None:
        raw = fileio.read_bytes(journal)  # the audit entry of a big import can pass 1 MB
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
    except ValueError:
        entry = None
    if isinstance(entry, dict) and set(entry) == {"id", "from", "to"}:
        rating_id, source, target = entry["id"], entry["from"], entry["to"]
        if all(isinstance(v, str) for v in (rating_id, source, target)) and all(
            layout.from_journal(f"ratings/{s}.json") for s in (source, target)
        ):
            return (rating_id, source, target)
        raise _bad_journal(journal, "it names a file that is not a month file of this folder")
    if not isinstance(entry, dict) or set(entry) - {"audit"} != {"transaction", "files"}:
        raise _bad_journal(journal, 'expected {"transaction": ..., "files": [...]}')
    lines = entry.get("audit", [])
    if not isinstance(lines, list) or not all(isinstance(x, str) and "\n" not in x for x in lines):
        raise _bad_journal(journal, "its audit entry is not a list of lines")
    txn, names = entry["transaction"], entry["files"]
    if not isinstance(txn, str) or len(txn) != _ID_LENGTH or not _hex(txn):
        raise _bad_journal(journal, f"the transaction id {txn!r} is not {_ID_LENGTH} hex digits")
    if not isinstance(names, list) or not names:
        raise _bad_journal(journal, "its file list is empty or not a list")
    paths = []
    for name in names:
        path = layout.from_journal(name)
        if path is None:
            raise _bad_journal(journal, f"{name!r} is not a data file of this folder")
        paths.append(path)
    return Journal(txn, paths, lines)


def _bad_journal(journal: Path, why: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"{journal} is not a valid transaction journal ({why}); nothing was done with it. It "
        "was not written by rating-tui: move it aside, then run `rating-tui doctor`.",
        journal,
    )


def _hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _folders(paths: list[Path]) -> list[Path]:
    return list(dict.fromkeys(p.parent for p in paths))
