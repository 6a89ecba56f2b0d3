"""The transaction journal (`journal.json`): writing it, reading and validating it, and
rolling a committed transaction forward (`apply`, `write_carried`), whether by its own
process, by the next one to take the lock (`recover`), or after a crash. `Transaction.commit`
(transaction.py) prepares the files and decides the change; everything here must work from
the files alone.

A journal either names staged files (a big change, an import: `{"transaction", "files",
"audit"}`, one JSON object), or **carries** the new bytes of its files itself (a change of at
most `CARRY_LIMIT` bytes, a save): the same JSON object with `"carried": [[size, sha256],
...]` on one line, then a newline, then the files' bytes one after the other. A carried
journal is checked whole (sizes and digests) before anything is written from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rating_tui.store import audit, audit_file, fileio, journal_spare
from rating_tui.store.errors import StoreCorruptError, StoreError, StoreWriteError
from rating_tui.store.layout import Layout
from rating_tui.store.settle import Unsynced as Unsynced
from rating_tui.store.settle import before as before
from rating_tui.store.settle import pending as pending
from rating_tui.store.settle import settle as settle
from rating_tui.store.settle import settle_all as settle_all
from rating_tui.store.settle import still_renamed as still_renamed
from rating_tui.store.settle import unsynced_identity as unsynced_identity

ID_LENGTH = 16
"""Hex digits of a transaction id."""


def staged_path(path: Path, txn: str) -> Path:
    return path.with_name(f".{path.name}.{txn}{fileio.STAGED_SUFFIX}")


KEEP_JOURNAL_BYTES = 64 * 1024
"""A bigger journal that names staged files (an import's audit entry) is finished at once."""
CARRY_LIMIT = 1024 * 1024
"""A change whose files' new bytes add up to at most this (a save, an edit, a small import)
carries them in its journal instead of staging them as files: one fsync (the journal's)
instead of one per file and one per folder (see docs/storage.md, "Fewer fsyncs")."""


def write_journal(
    journal: Path,
    entry: dict[str, Any],
    carried: list[bytes] | None = None,
    before_removal: Callable[[], None] | None = None,
) -> bytes:
    """Write the journal (with the bytes of the files it carries), returning its header;
    on any failure make sure none is left that could replay later (`before_removal` first
    makes the journal it may replace, this process's last, durable)."""
    data = json.dumps(entry).encode()
    try:
        payload = b"".join([data, b"\n", *carried]) if carried else data
        journal_spare.write_exchanging(journal, payload)  # (no file made or freed)
    except BaseException:
        try:
            if before_removal is not None:
                before_removal()
            fileio.remove(journal, "remove the unfinished journal")
        except StoreWriteError as exc:
            raise StoreWriteError(
                f"{exc} The change may be completed the next time the folder is opened.",
                journal,
                exc.errno,
            ) from None
        raise
    return data


def in_place(layout: Layout, path: Path) -> bool:
    """Whether a carried `path` is written in place (`fileio.write_in_place`) rather than
    replaced: an index file or the manifest. They are derived from the month files (an index
    rebuild writes them all again), snapshots never link them (exports link months only), and
    the one reader without the lock (`glance`) checks them against the journal's digests. So
    recovery writes such a file whatever it holds, a mix of its versions left by a power cut
    in the middle of an in-place write included (`_rewrite`). Month files, the registry and
    instrument copies are replaced whole, as before (snapshots link months, and a month may be
    put back by hand: recovery never writes over one changed since)."""
    return path == layout.manifest or path.parent == layout.index


def write_carried(
    layout: Layout,
    txn: str,
    carried: dict[Path, bytes],
    lines: list[str],
    finish: bool,
    versions: dict[Path, tuple[str, ...]] | None = None,
) -> set[Path]:
    """Apply a carried journal: write each file (atomically, or in place for an index file
    or the manifest that exists (`in_place`); durably only with `finish`, which then fsyncs
    their folders, appends the audit entry and removes the journal, durably: a carried
    journal rolled forward again would write its bytes over newer ones). With `finish`
    (recovery), a file that already holds its bytes is only fsynced, and one that holds none
    of the `versions` listed for it (changed since by something else, as a month restored by
    hand after the process ended) is left as it is, unless written in place (`_rewrite`).
    Returns the files given a new name by a rename (not written in place), whose folder
    must be fsynced before their name is durable."""
    renamed: set[Path] = set()
    for path, data in carried.items():
        if finish:
            try:
                current = fileio.read_bytes(path)
            except StoreError:
                current = None
            if current == data:
                fileio.fsync_file(path)
                continue
            kind = in_place(layout, path)
            if versions is not None and not _rewrite(current, versions.get(path, ()), kind):
                continue
        if finish:  # (a process's own change has made its folders)
            fileio.make_private_dir(path.parent)
        elif in_place(layout, path) and fileio.write_in_place(path, data):
            continue
        fileio.write_atomic(path, data, durable=False)
        renamed.add(path)
        if finish:
            fileio.fsync_file(path)
    if finish:
        for folder in folders_of(list(carried)):
            fileio.fsync_dir(folder)
    if lines:  # (a process's own change: fsynced by the next change, `Unsynced.audit`)
        audit.append(layout.root, txn, lines, finish)
    if finish:
        fileio.remove(layout.journal, "remove the finished journal")
    return renamed


def apply(
    layout: Layout,
    txn: str,
    paths: list[Path],
    lines: list[str] | None = None,
    finish: bool = True,
    staged: audit_file.AuditFile | None = None,
) -> None:
    """Steps 3 and 4: rename the staged files that are still there, append the audit entry
    (unless there already), and with `finish` fsync the folders and remove the journal
    (without, the caller keeps an `Unsynced`). `staged`: the journal's audit lines are in a
    staged file (a spilled transaction's, `spilled`), checked before anything is renamed,
    appended from it, and removed after the journal."""
    if staged is not None:
        problem = audit_file.problem(layout, txn, staged)
        if problem is not None:
            raise _bad_journal(layout.journal, problem)
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
    if staged is not None:
        audit.append_staged(layout.root, audit_file.path(layout, txn), staged.last)
    if not finish:
        return
    # Not fsynced: a finished journal that comes back after a power cut is rolled forward
    # again to the same result (its staged files are gone, its audit lines are there), and
    # the next journal replaces it only after its own folder fsync (see docs/storage.md).
    fileio.remove(layout.journal, "remove the finished journal", durable=False)
    if staged is not None:  # (after the journal: one that comes back finds its lines there)
        fileio.remove(audit_file.path(layout, txn), "remove the applied audit lines", durable=False)


def recover(
    layout: Layout, move: Callable[[str, str, str], None], unsynced: Unsynced | None = None
) -> bool:
    """Roll a journal left by a crash forward; True when there was one. `move` finishes a
    move recorded by the earlier journal format ({"id", "from", "to"}). The journal of
    `unsynced` (this process's last change, applied) is left for the next change."""
    found = _pending(layout, unsynced)
    if found is None:
        return False
    if isinstance(found, tuple):
        move(*found)
        fileio.remove(layout.journal, "finish the interrupted move recorded in")
    elif found.carried is not None:
        write_carried(layout, found.txn, found.carried, found.audit, True, found.versions)
    else:
        apply(layout, found.txn, found.paths, found.audit, staged=found.staged)
    return True


def _pending(layout: Layout, unsynced: Unsynced | None) -> Journal | tuple[str, str, str] | None:
    """The folder's journal (`read_journal`), unless it is `unsynced`'s: this process's last
    change, applied, which its next change makes durable."""
    if unsynced is not None and unsynced.owns(layout):
        return None
    return read_journal(layout)


@dataclass(frozen=True)
class Journal:
    """A committed transaction not yet completely applied."""

    txn: str
    paths: list[Path]
    audit: list[str] = field(default_factory=list)
    """The audit log lines of the change, appended when it is applied."""
    carried: dict[Path, bytes] | None = None
    """The new bytes of each file, when the journal carries them (else: staged files)."""
    versions: dict[Path, tuple[str, ...]] = field(default_factory=dict)
    """For a carried file, the sha256 of each version it may hold before (`before`)."""
    staged: audit_file.AuditFile | None = None
    """The audit lines are in a staged file instead (a spilled transaction's)."""


def unfinished(
    layout: Layout, unsynced: Unsynced | None = None
) -> Journal | tuple[str, str, str] | None:
    """`read_journal`, but None for a journal whose change is applied: `unsynced`'s, or one
    whose staged files are all renamed (or whose carried files all hold their bytes) and
    whose audit lines are in the log. Only making it durable and its removal are left."""
    found = _pending(layout, unsynced)
    if isinstance(found, Journal) and applied(layout, found):
        return None
    return found


def applied(layout: Layout, journal: Journal) -> bool:
    if journal.carried is not None:
        for path, data in journal.carried.items():
            current = _read(path)
            kind = in_place(layout, path)
            if current != data and _rewrite(current, journal.versions[path], kind):
                return False  # (a file changed since by something else is left as it is)
    elif any(staged_path(p, journal.txn).exists() for p in journal.paths):
        return False
    last, _ = audit.last_line(audit.log_path(layout.root))
    if journal.staged is not None:
        return last is not None and audit.line_digest(last) == journal.staged.last
    if not journal.audit:
        return True
    return last is not None and last == journal.audit[-1]


def _rewrite(current: bytes | None, versions: tuple[str, ...], anything: bool = False) -> bool:
    """Whether recovery writes a carried file that holds `current` (None: missing), not its
    new bytes: only over a version listed for it (`versions`, "" for none), or an empty file
    (a name made durable before its data), or, for a file written in place (`anything`: an
    index file or the manifest, `in_place`), over whatever it holds, as a power cut may leave
    any mix of its versions there. A file missing that existed before was deleted since (an
    in-place write never removes one), and a month holding other bytes was changed since:
    both are left as they are."""
    if current is None:
        return "" in versions
    return anything or not current or _digest(current) in versions


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return fileio.read_bytes(path)
    except StoreError:
        return None


def read_journal(layout: Layout, raw: bytes | None = None) -> Journal | tuple[str, str, str] | None:
    """The journal, validated: a `Journal`, an old-style move (id, from, to), or None when
    there is none. Anything else raises `StoreCorruptError` naming the journal and the entry,
    before any file is touched. `raw`: its bytes, already read."""
    journal = layout.journal
    if raw is None:
        raw = fileio.read_bytes(journal)  # the audit entry of a big import can pass 1 MB
    if raw is None:
        return None
    end = raw.find(b"\n")
    header, body = (raw, b"") if end < 0 else (raw[:end], raw[end + 1 :])
    try:
        entry = json.loads(header)
    except ValueError:
        entry = None
    if isinstance(entry, dict) and set(entry) == {"id", "from", "to"} and end < 0:
        rating_id, source, target = entry["id"], entry["from"], entry["to"]
        if all(isinstance(v, str) for v in (rating_id, source, target)) and all(
            layout.from_journal(f"ratings/{s}.json") for s in (source, target)
        ):
            return (rating_id, source, target)
        raise _bad_journal(journal, "it names a file that is not a month file of this folder")
    extra = {"audit", "carried"} if end >= 0 else {"audit", "audit_file"}
    if not isinstance(entry, dict) or set(entry) - extra != {"transaction", "files"}:
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
    if end < 0:
        staged = audit_file.parse(entry.get("audit_file"))
        if isinstance(staged, str):
            raise _bad_journal(journal, staged)
        return Journal(txn, paths, lines, staged=staged)
    carried, versions = _carried(journal, paths, entry.get("carried"), body)
    return Journal(txn, paths, lines, carried, versions)


def _carried(
    journal: Path, paths: list[Path], sizes: object, body: bytes
) -> tuple[dict[Path, bytes], dict[Path, tuple[str, ...]]]:
    """The files' bytes a journal carries, each checked against its size and sha256, and
    the versions each may hold before ([size, sha256, [sha256 before, ...]] per file)."""
    if not isinstance(sizes, list) or len(sizes) != len(paths):
        raise _bad_journal(journal, "its list of carried files does not match its file list")
    out: dict[Path, bytes] = {}
    versions: dict[Path, tuple[str, ...]] = {}
    start = 0
    for path, item in zip(paths, sizes, strict=True):
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], int)
            and isinstance(item[2], list)
            and all(isinstance(v, str) for v in item[2])
        ):
            raise _bad_journal(journal, "a carried file is not described by [size, sha256, [...]]")
        data = body[start : start + item[0]]
        if len(data) != item[0] or _digest(data) != item[1]:
            raise _bad_journal(journal, f"the bytes it carries for {path.name} are damaged")
        out[path] = data
        versions[path] = tuple(item[2])
        start += item[0]
    if start != len(body):
        raise _bad_journal(journal, "it carries more bytes than its files")
    return out, versions


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
