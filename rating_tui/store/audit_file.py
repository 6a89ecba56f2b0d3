"""The audit lines of a spilled transaction (`spilled`), in a staged file beside the log.

A transaction that spills (an import or a merge of many batches) makes one audit entry per
batch (`audit.chained`): the lines of a million ratings would be hundreds of MB, too much to
hold, or to put in the journal. Each line is appended to `.audit.jsonl.<id>.staged` in the
data folder as it is made (`StagedLines`); the file is fsynced with the staged data files
before the journal is written, and the journal records its size, sha256 and the sha256 of
its last line (`"audit_file": [size, sha256, sha256]`) instead of the lines. Applying the
journal (`journal.apply`, by this process or by recovery) checks the file against that
record, appends the lines the log lacks (`audit.append_staged`), and removes the file after
the journal. A change that never commits leaves the file with its other staged files, and
the next open deletes it with them (`fileio.remove_stale_temps` of the data folder).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from rating_tui.store import audit, fileio
from rating_tui.store.errors import StoreError
from rating_tui.store.layout import Layout

_FLAGS = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)


def path(layout: Layout, txn: str) -> Path:
    """`.audit.jsonl.<id>.staged` beside the log (as `journal.staged_path` of the log)."""
    log = audit.log_path(layout.root)
    return log.with_name(f".{log.name}.{txn}{fileio.STAGED_SUFFIX}")


@dataclass(frozen=True)
class AuditFile:
    """What a journal records of its staged audit lines: the file's size and sha256, and
    the sha256 of its last line (`audit.line_digest`)."""

    size: int
    sha256: str
    last: str

    def to_json(self) -> list[object]:
        return [self.size, self.sha256, self.last]


def parse(item: object) -> AuditFile | str | None:
    """The journal's `"audit_file"` ([size, sha256, sha256]); None when it has none (an
    older journal, or a change that spilled nothing); a string says what is wrong."""
    if item is None:
        return None
    if not (
        isinstance(item, list)
        and len(item) == 3
        and isinstance(item[0], int)
        and item[0] > 0
        and all(isinstance(v, str) and len(v) == 64 and _hex(v) for v in item[1:])
    ):
        return "its audit file is not described by [size, sha256, sha256]"
    return AuditFile(item[0], item[1], item[2])


def problem(layout: Layout, txn: str, staged: AuditFile) -> str | None:
    """What is wrong with the staged audit lines of a journal, before it is applied: not
    the file it recorded, or missing while the log does not end with its last line (so
    not appended yet); None when it can be applied. Read a block at a time."""
    source = path(layout, txn)
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
                size += len(block)
    except FileNotFoundError:
        end, _ = audit.last_line(audit.log_path(layout.root))
        if end is not None and audit.line_digest(end) == staged.last:
            return None  # appended, then removed after the journal, whose removal a cut undid
        return f"its audit lines ({source.name}) are missing"
    except OSError as exc:
        raise fileio.write_error(exc, source, "read the audit lines of the change in") from None
    if size != staged.size or digest.hexdigest() != staged.sha256:
        return f"its audit lines ({source.name}) are damaged"
    return None


def lines(layout: Layout, txn: str) -> list[str]:
    """Every line of the staged file (read whole: for doctor, which reads the log whole)."""
    try:
        raw = fileio.read_bytes(path(layout, txn), limit=1 << 40)
    except StoreError:
        return []
    return [] if raw is None else raw.decode("utf-8", errors="replace").split("\n")[:-1]


class StagedLines:
    """The staged audit lines of one transaction, appended as they are made (through the
    `fileio` aliases, so the power-loss tests see them), with their record."""

    def __init__(self, layout: Layout, txn: str) -> None:
        self.path = path(layout, txn)
        self._digest = hashlib.sha256()
        self._size = 0
        self._last = ""
        self.count = 0
        """Lines written so far."""

    def add(self, lines: list[str]) -> None:
        if not lines:
            return
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        flags = _FLAGS | (os.O_CREAT | os.O_EXCL if not self._size else 0)
        try:
            fd = fileio._open(self.path, flags, fileio.FILE_MODE)
        except OSError as exc:
            raise fileio.write_error(exc, self.path) from None
        try:
            view = memoryview(data)
            while view:
                view = view[fileio._write(fd, view) :]
        except OSError as exc:
            raise fileio.write_error(exc, self.path) from None
        finally:
            os.close(fd)
        self._digest.update(data)
        self._size += len(data)
        self._last = audit.line_digest(lines[-1])
        self.count += len(lines)

    def sync(self) -> AuditFile | None:
        """Make the lines durable (before the journal); their record (None: no line)."""
        if not self._size:
            return None
        fileio.fsync_file(self.path)
        return AuditFile(self._size, self._digest.hexdigest(), self._last)

    def discard(self) -> None:
        fileio.discard(self.path)


def _hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)
