"""What doctor finds by comparing the ratings on disk with the audit log (`audit`).

Each rating must have the hash of the newest entry the log holds for it; a rating the log
says rating-tui wrote must still be in some rating file; a rating file must have the bytes the
log last recorded for it, unless a rating in it already explains the difference. A folder
from before the log is not an error: doctor says where the log starts and how many ratings
it does not cover yet.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from rating_tui.store import audit, audit_file, fileio, index, journal
from rating_tui.store.engine import Engine
from rating_tui.store.errors import StoreError
from rating_tui.store.layout import INDEX_TABLE, RATINGS_TABLE

Found = tuple[Literal["error", "warning", "info"], Path, str]
"""(level, path, message), turned into doctor's `Finding`s by the caller."""
_SHOWN = 10


def findings(engine: Engine) -> list[Found]:
    """Everything the audit log says about the folder (read under the caller's lock)."""
    layout = engine.layout
    root = layout.root
    out: list[Found] = []
    pending: list[str] = []
    try:
        found = journal.unfinished(layout, engine.files.unsynced)
        if isinstance(found, journal.Journal):
            staged = found.staged
            pending = found.audit if staged is None else audit_file.lines(layout, found.txn)
    except StoreError:
        pass  # doctor reports the journal itself
    try:
        log = audit.read(root, engine.codec, pending)
    except (StoreError, UnicodeDecodeError) as exc:
        return [("error", audit.log_path(root), f"the audit log cannot be read: {exc}")]
    unreadable: set[Path] = set()
    stored = _stored(engine, unreadable)
    if getattr(engine.codec, "accept_plain", False):
        out.append(
            (
                "warning",
                layout.marker,
                "encrypting this folder was interrupted: some files are still plain; run "
                "`rating-tui encrypt` again to finish it",
            )
        )
    if log is None:
        if stored:
            out.append(
                (
                    "info",
                    audit.log_path(root),
                    f"no audit log yet: the {len(stored)} rating(s) here were saved before "
                    "tamper evidence existed; the log starts at the next save",
                )
            )
        return out
    path = audit.log_path(root)
    for problem in log.problems:
        out.append(("error", path, f"{problem}; the log was changed outside rating-tui"))
    if log.torn:
        out.append(("info", path, "ends with a line cut short by a crash; cut off at next save"))
    latest: dict[str, dict[str, Any]] = {}
    digests: dict[str, str] = {}
    for entry in log.entries:
        for row in entry.get("ratings", []):
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                latest[row["id"]] = row | {"at": entry.get("at")}
        files = entry.get("files", {})
        if isinstance(files, dict):
            digests.update({str(k): str(v) for k, v in files.items()})
    since = _time(log.since)
    flagged: set[Path] = set()
    uncovered = 0
    for rating_id, (where, record) in sorted(stored.items()):
        row = latest.get(rating_id)
        if row is None:
            updated = _time(record.get("updated"))
            if since is not None and (updated is None or updated >= since):
                out.append(
                    (
                        "error",
                        where,
                        f"rating {rating_id} was not written by rating-tui: it is not in the "
                        f"audit log, which starts {log.since}, though it was saved after",
                    )
                )
                flagged.add(where)
            else:
                uncovered += 1
        elif row.get("hash") != audit.rating_hash(record):
            out.append(
                (
                    "error",
                    where,
                    f"rating {rating_id} was changed outside rating-tui: it is not what "
                    f"rating-tui last wrote ({row.get('action')}, {row.get('at')}, in "
                    f"{row.get('file')})",
                )
            )
            flagged.add(where)
    indexed = _indexed(engine)  # doctor's index check already names those
    for rating_id, row in sorted(latest.items()):
        if rating_id not in stored and rating_id not in indexed and row.get("hash") is not None:
            where = root / str(row.get("file"))
            out.append(
                (
                    "error",
                    where,
                    f"rating {rating_id} is missing: rating-tui last wrote it to "
                    f"{row.get('file')} ({row.get('action')}, {row.get('at')}); the file was "
                    "replaced or edited, or the rating removed",
                )
            )
            flagged.add(where)
    for name, digest in sorted(digests.items()):
        where = root / name
        raw = _raw(where)
        if raw is not None and where not in flagged and hashlib.sha256(raw).hexdigest() != digest:
            said = (
                "cannot be read, so its ratings could not be compared with the log"
                if where in unreadable
                else "every rating in it is as logged: it was rewritten by something else"
            )
            out.append(("warning", where, f"is not the file rating-tui last wrote ({said})"))
    before = log.entries[0].get("before") if log.entries else None
    if isinstance(before, int) and uncovered > before:
        out.append(
            (
                "error",
                layout.ratings,
                f"{uncovered} rating(s) are not in the audit log, but only {before} were stored "
                f"when it started ({log.since}): {uncovered - before} were added outside "
                "rating-tui",
            )
        )
    if uncovered:
        out.append(
            (
                "info",
                path,
                f"audit log: {len(log.entries)} entries since {log.since}; "
                f"{len(stored) - uncovered} rating(s) checked, {uncovered} saved before the log "
                "started are not covered until their next save",
            )
        )
    return out


def _stored(engine: Engine, unreadable: set[Path]) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every readable rating: id -> (its file, record); the files that cannot be read go
    into `unreadable` (doctor reports what is wrong with them; here they are only not
    compared). A rating in two files is doctor's to report too (the first is kept here)."""
    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    for shard in engine.layout.shard_names():
        where = engine.layout.shard(shard)
        try:
            records = engine.files.storage(where).read_uncached().get(RATINGS_TABLE, {})
        except StoreError:
            unreadable.add(where)
            continue
        for rating_id, record in records.items():
            if isinstance(record, dict):
                found.setdefault(rating_id, (where, record))
    return found


def _indexed(engine: Engine) -> set[str]:
    ids: set[str] = set()
    for bucket in index.index_files(engine.layout, engine.files):
        try:
            ids.update(engine.files.storage(bucket).read_uncached().get(INDEX_TABLE, {}))
        except StoreError:
            continue
    return ids


def _raw(path: Path) -> bytes | None:
    try:
        return fileio.read_bytes(path)
    except StoreError:
        return None


def _time(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None
