"""Tamper evidence: the audit log, written in the same transaction as the ratings it records.

`<data>/audit.jsonl` gets one line per committed change of ratings. Each entry records, for
every rating the change wrote, a sha256 of its stored record (canonical JSON), what happened
(created, draft saved, finalised, update, void, moved), who and why (from the rating and its
newest revision), and the file it now lives in; plus a sha256 of each rating file's new bytes.
Entries are numbered and chained: each holds the hash of the previous entry, so a removed or
edited line breaks the chain.

The entry is computed when a transaction commits and goes into its journal, so a change that
touches ratings always has a journal; the line is appended after the files are renamed and
before the journal is removed, and recovery appends it if a crash came first (a line already
there is recognised by its transaction id). One append and one fsync per save: the log is
never rewritten.

Doctor compares the ratings on disk with the newest hash the log holds for each (`findings`):
a value changed by hand, a rating removed, or a month file replaced is named with the rating
and the file. The hashes are per rating, so they do not depend on which file a rating lives
in. In a plain folder anyone who recomputes the hashes and rewrites the log could hide an
edit; in an encrypted folder each line is sealed with the folder's key (AES-GCM), so they
cannot. A folder from before the log says where the log starts; ratings saved before it are
covered from their next save.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rating_tui.ratings.model import utc_now
from rating_tui.store import fileio
from rating_tui.store.audit_tail import LOG_NAME as LOG_NAME
from rating_tui.store.audit_tail import append as append
from rating_tui.store.audit_tail import append_staged as append_staged
from rating_tui.store.audit_tail import last_line as last_line
from rating_tui.store.audit_tail import line_digest as line_digest
from rating_tui.store.audit_tail import log_path as log_path
from rating_tui.store.codec import Codec, CodecError


def canonical(value: object) -> str:
    """Sorted-key compact JSON: the same text for the same content, whatever the key order."""
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    )


def rating_hash(record: Mapping[str, Any]) -> str:
    """sha256 of a stored rating record (canonical JSON)."""
    return hashlib.sha256(canonical(record).encode("utf-8")).hexdigest()


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(entry).encode("utf-8")).hexdigest()


# --- describing a change ---------------------------------------------------------------------


def describe(
    record: Mapping[str, Any] | None, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What happened to one rating (action, who, why), from its new and previous record."""
    if record is None:
        return {"action": "removed", "by": None, "reason": None, "status": None}
    status = record.get("status")
    revisions = record.get("revisions") or []
    before = (previous or {}).get("revisions") or []
    if isinstance(revisions, list) and len(revisions) > len(before) and revisions:
        last = revisions[-1] if isinstance(revisions[-1], dict) else {}
        return {
            "action": str(last.get("action", "update")),
            "by": last.get("by"),
            "reason": last.get("reason"),
            "status": status,
        }
    if previous is None:
        action = "created"
    elif previous.get("status") == "draft" and status == "final":
        action = "finalised"
    elif rating_hash(previous) == rating_hash(record):
        action = "moved"
    else:
        action = "draft saved" if status == "draft" else "replaced"
    return {"action": action, "by": record.get("rater"), "reason": None, "status": status}


@dataclass
class Change:
    """The ratings one transaction writes: id -> (new record or None, file, previous)."""

    ratings: dict[str, tuple[Mapping[str, Any] | None, str, Mapping[str, Any] | None]] = field(
        default_factory=dict
    )
    files: dict[str, str] = field(default_factory=dict)
    """Relative path of each rating file written -> sha256 of its new stored bytes."""

    def entry_body(self) -> dict[str, Any]:
        rows = []
        for rating_id, (record, where, previous) in sorted(self.ratings.items()):
            row = {"id": rating_id, "hash": None if record is None else rating_hash(record)}
            row |= {"file": where} | describe(record, previous)
            rows.append(row)
        return {"ratings": rows, "files": dict(sorted(self.files.items()))}


def diff(
    before: Mapping[str, Mapping[str, Any]],
    after: Mapping[str, Mapping[str, Any]],
    previous: Mapping[str, Mapping[str, Any]],
) -> Iterator[tuple[str, Mapping[str, Any] | None, Mapping[str, Any] | None]]:
    """(id, new record or None when dropped, previous record) for each rating of one file
    that a transaction changes. Unchanged records are the same objects (never copied), so
    the comparison is by identity first."""
    for rating_id, record in after.items():
        old = before.get(rating_id)
        if old is record:
            continue
        if old is not None and rating_hash(old) == rating_hash(record):
            continue
        yield rating_id, record, old if old is not None else previous.get(rating_id)
    for rating_id in before:
        if rating_id not in after:
            yield rating_id, None, before[rating_id]


# --- the log file ----------------------------------------------------------------------------


def seal(txn: str, entry: Mapping[str, Any], codec: Codec) -> str:
    """The stored line of an entry: readable JSON in a plain folder, sealed otherwise."""
    if codec.name == "plain":
        return canonical({"txn": txn, "entry": entry})
    sealed = codec.encode(canonical(entry).encode("utf-8"))
    return canonical({"txn": txn, "sealed": base64.b64encode(sealed).decode("ascii")})


def unseal(line: str, codec: Codec) -> tuple[str, dict[str, Any]]:
    """(transaction id, entry) of a stored line; `ValueError`/`CodecError` when it is not one
    this folder's codec wrote."""
    outer = json.loads(line)
    if not isinstance(outer, dict) or not isinstance(outer.get("txn"), str):
        raise ValueError('expected {"txn": ..., "entry" or "sealed": ...}')
    if "sealed" in outer:
        raw = codec.decode(base64.b64decode(str(outer["sealed"]), validate=True))
        entry = json.loads(raw.decode("utf-8"))
    elif "entry" in outer:
        entry = outer["entry"]
        codec.decode(canonical(entry).encode("utf-8"))  # refused when the folder is sealed
    else:
        raise ValueError("neither an entry nor a sealed entry")
    if not isinstance(entry, dict) or not isinstance(entry.get("n"), int):
        raise ValueError("the entry has no number")
    return outer["txn"], entry


Head = tuple[int, str]
"""(number, hash) of the entry the next one follows."""


def plan_lines(
    root: Path, txn: str, body: dict[str, Any], codec: Codec, before: Callable[[], int | None]
) -> list[str]:
    """The line(s) to append for a transaction: its entry, preceded by the log's start entry
    when the folder has no log yet (with `before()`, the number of ratings stored then)."""
    lines, head = start(root, txn, codec, before)
    line, ahead = chained(txn, body, codec, head)
    _heads[root, codec.name] = (line, ahead)  # (what the next entry follows: `start`)
    return [*lines, line]


_heads: dict[tuple[Path, str], tuple[str, Head]] = {}
"""Per folder and codec, the line `plan_lines` made last and the head it makes."""


def start(
    root: Path, txn: str, codec: Codec, before: Callable[[], int | None]
) -> tuple[list[str], Head]:
    """What a transaction's first entry follows: the log's last entry, or a start entry
    (returned as a line to append first) when the folder has no log yet."""
    line, _ = last_line(log_path(root))
    if line is None:
        first = {"n": 0, "prev": "", "at": utc_now().isoformat(), "start": True}
        first["before"] = before()
        return [seal(txn, first, codec)], (0, entry_hash(first))
    kept = _heads.get((root, codec.name))  # this process's last line, compared whole: its
    if kept is not None and kept[0] == line:  # head is known (anyone else's line differs)
        return [], kept[1]
    _, entry = unseal(line, codec)
    return [], (int(entry["n"]), entry_hash(entry))


def chained(txn: str, body: dict[str, Any], codec: Codec, head: Head) -> tuple[str, Head]:
    """The stored line of the entry that follows `head`, and the head it makes. A spilled
    transaction (`spilled`) chains one entry per batch this way, in the same transaction."""
    entry = {"n": head[0] + 1, "prev": head[1], "at": utc_now().isoformat(), **body}
    return seal(txn, entry, codec), (head[0] + 1, entry_hash(entry))


def txn_of(line: str) -> str | None:
    try:
        outer = json.loads(line)
    except ValueError:
        return None
    return outer.get("txn") if isinstance(outer, dict) else None


@dataclass
class Log:
    """The log as read back: entries in order, and what was wrong with it."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    torn: bool = False

    @property
    def since(self) -> str | None:
        return str(self.entries[0]["at"]) if self.entries else None


def read(root: Path, codec: Codec, pending: list[str] | None = None) -> Log | None:
    """Every entry, with the chain checked; None when the folder has no log. `pending` are
    the lines of a journal not yet applied (doctor looks before recovery)."""
    path = log_path(root)
    raw = fileio.read_bytes(path, limit=1 << 40)
    if raw is None and not pending:
        return None
    log = Log()
    text = (raw or b"").decode("utf-8", errors="replace")
    lines = text.split("\n")
    if lines and lines[-1]:
        log.torn = True
    lines = [line for line in lines[:-1]] if text else []
    seen = set(lines)  # (a line is known by its text: part of a spilled change's may be in)
    for line in pending or []:
        if line not in seen:
            lines.append(line)
    prev_hash, prev_n = "", -1
    for number, line in enumerate(lines, 1):
        try:
            _, entry = unseal(line, codec)
        except (ValueError, CodecError) as exc:
            log.problems.append(f"line {number} is not an entry rating-tui wrote ({exc})")
            prev_n = -2
            continue
        if prev_n != -2 and (entry["n"] != prev_n + 1 or entry.get("prev") != prev_hash):
            log.problems.append(
                f"line {number} (entry {entry['n']}) does not follow entry {prev_n}: lines "
                "were removed, changed or inserted"
            )
        prev_hash, prev_n = entry_hash(entry), int(entry["n"])
        log.entries.append(entry)
    return log


def rewrite_sealed(root: Path, codec: Codec) -> None:
    """Seal every line of a plain log with `codec` (turning a folder into an encrypted one);
    lines already sealed stay as they are. One atomic replace: all lines or none."""
    path = log_path(root)
    raw = fileio.read_bytes(path, limit=1 << 40)
    if raw is None:
        return
    out = []
    changed = False
    for line in raw.decode("utf-8").split("\n"):
        if not line:
            continue
        outer = json.loads(line)
        if isinstance(outer, dict) and "entry" in outer:
            out.append(seal(str(outer["txn"]), outer["entry"], codec))
            changed = True
        else:
            out.append(line)
    if changed:
        fileio.write_atomic(path, "".join(line + "\n" for line in out).encode("utf-8"))
