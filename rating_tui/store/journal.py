"""The transaction journal (`journal.json`): writing it, reading and validating it, and
rolling a committed transaction forward (`apply`), whether by its own process, by the next
one to take the lock (`recover`), or after a crash. `Transaction.commit` (transaction.py)
stages the files and decides the change; everything here must work from the files alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rating_tui.store import audit, fileio
from rating_tui.store.errors import StoreCorruptError, StoreWriteError
from rating_tui.store.layout import Layout

ID_LENGTH = 16
"""Hex digits of a transaction id."""


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
        for folder in folders_of(paths):
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
    if not isinstance(txn, str) or len(txn) != ID_LENGTH or not _hex(txn):
        raise _bad_journal(journal, f"the transaction id {txn!r} is not {ID_LENGTH} hex digits")
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


def folders_of(paths: list[Path]) -> list[Path]:
    return list(dict.fromkeys(p.parent for p in paths))
