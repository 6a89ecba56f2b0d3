"""What a process's last transaction left to make durable (`Unsynced`), and making it so
(`settle`) before the next journal replaces its own, or before a write without a journal.
See `journal` and docs/storage.md, "Fewer fsyncs per save"."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rating_tui.store import audit, fileio
from rating_tui.store.layout import Layout


@dataclass(frozen=True)
class Unsynced:
    """This process's last transaction, applied (renamed or written, its audit lines appended
    and fsynced) but with its journal still on disk, because what it did is not yet durable:
    the renames of its staged files (`folders`, not fsynced), or the files it carries, written
    without an fsync (`written`). A power cut brings back at most the staged files, which the
    journal (durable) renames again, or the files' older bytes, which it writes again. The next
    transaction makes these durable (`settle`) before its journal replaces this one, except
    the files its own journal carries anew; a read or a write of this process skips the
    journal (it is known applied); any other process, or the next `Store.open`, rolls it
    forward as after a crash, durably, and removes it."""

    txn: str
    identity: tuple[int, int, int]
    """(inode, size, mtime) of the journal as written: this transaction's journal."""
    folders: tuple[Path, ...]
    written: dict[Path, tuple[str, ...]] = field(default_factory=dict)
    """Each file written without an fsync -> the sha256 of every version it may hold after a
    power cut (since it was last durable: "" for none), its new one last."""
    audit: tuple[str, ...] = ()
    """The audit log's lines appended without an fsync since it was last fsynced (this
    transaction's and, carried by its journal, earlier ones'): a power cut may lose them, and
    the journal appends them again. The next carried journal carries them anew (`pending`);
    anything else fsyncs the log first (`settle`)."""
    renamed: frozenset[Path] = frozenset()
    """The files of `written` given their name by a rename (a new file, or a month replaced
    whole) since their folder was last fsynced: their name is not durable yet. The others
    were written in place (`journal.in_place`) under a durable name, so an fsync of the file
    alone makes them durable."""

    def owns(self, layout: Layout) -> bool:
        """Whether the journal on disk is this transaction's (False: none, or another's)."""
        return _identity(layout.journal) == self.identity


def unsynced_identity(layout: Layout) -> tuple[int, int, int] | None:
    """The identity `Unsynced` keeps of the journal just written (None: it is gone)."""
    return _identity(layout.journal)


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def settle(
    layout: Layout,
    earlier: Unsynced | None,
    carried: Collection[Path] = (),
    synced: Collection[Path] = (),
    lines: bool = False,
) -> None:
    """Make `earlier` (this process's last transaction) durable before a journal replaces
    its own or a file it wrote is changed without one: fsync the files it wrote without an
    fsync, the folders of those and of its renames, and the audit log; not the files in
    `carried` (the next journal holds their newer bytes, so it writes them again after a
    power cut), not the folders in `synced` (fsynced by the caller after this), and not the
    log when `lines` (the next journal carries its lines not yet durable: `pending`)."""
    if earlier is None:
        return
    if earlier.audit and not lines:
        fileio.fsync_file(audit.log_path(layout.root))
    folders = dict.fromkeys(earlier.folders)
    for path in earlier.written:
        if path not in carried and path in earlier.renamed:
            folders[path.parent] = None
    for path in earlier.written:
        fresh = path in earlier.renamed and (path.parent in folders or path.parent in synced)
        if path not in carried or fresh:
            fileio.fsync_file(path)  # (a folder fsync makes its new name durable too)
    for folder in folders:
        if folder not in synced:
            fileio.fsync_dir(folder, missing_ok=True)


CHAIN_MAX = 32
"""Versions a carried file may have since it was last durable before it is fsynced anyway
(a month saved into again and again): the journal lists them all (see `before`), 66 bytes
each. The save that reaches it makes up to 4 more fsyncs (the part and the manifest, each
with its folder): at 8 that was one save in 8, which set the 95th percentile of save
latency; at 32 it is one in 32, for at most 2 kB more per carried file in a journal."""


def before(earlier: Unsynced | None, path: Path, raw: bytes | None) -> tuple[str, ...]:
    """The sha256 of every version of `path` a power cut may leave on disk before the
    journal that carries its new bytes is durable: its bytes now (`raw`; "" for no file),
    and, when the previous change wrote it without an fsync, every version since it was last
    durable. Recovery writes a carried file only over one of these (or over nothing, or an
    empty file): never over a file changed since by something else (a restore by hand)."""
    if earlier is not None and path in earlier.written:
        versions = earlier.written[path]
        if len(versions) < CHAIN_MAX:
            return versions
        fileio.fsync_file(path)
        if path in earlier.renamed:
            fileio.fsync_dir(path.parent)
        return versions[-1:]
    return (hashlib.sha256(raw).hexdigest() if raw is not None else "",)


def still_renamed(earlier: Unsynced | None, versions: dict[Path, tuple[str, ...]]) -> set[Path]:
    """The files a new journal carries anew (`versions`, from `before`) whose name `earlier`
    gave by a rename and no folder fsync has made durable since: `before` made a file durable
    only when it cut its chain to one version (a chain it continues lists at least two: the
    durable version and the earlier's new one)."""
    if earlier is None:
        return set()
    return {p for p in earlier.renamed if p in versions and len(versions[p]) > 1}


def pending(earlier: Unsynced | None, layout: Layout) -> tuple[str, ...]:
    """The audit lines `earlier` appended without an fsync, which the next carried journal
    carries anew (see `Unsynced.audit`); after `CHAIN_MAX` of them the log is fsynced
    instead, so a journal carries at most that many more lines (about 0.5 kB each)."""
    if earlier is None or not earlier.audit:
        return ()
    if len(earlier.audit) < CHAIN_MAX:
        return earlier.audit
    fileio.fsync_file(audit.log_path(layout.root))
    return ()


def settle_all(files: Any) -> None:
    """Before a file is changed without a journal (a single-file write, a rebuild, a repair,
    a restore): make this process's kept carried journal durable and remove it, durably, so
    that it can never be rolled forward over the newer file. (A kept journal of staged files
    is harmless: rolled forward again it renames nothing.)"""
    earlier: Unsynced | None = files.unsynced
    if earlier is None or not earlier.written:
        return
    layout: Layout = files.layout
    settle(layout, earlier)
    if earlier.owns(layout):
        fileio.remove(layout.journal, "remove the finished journal")
    files.unsynced = None
