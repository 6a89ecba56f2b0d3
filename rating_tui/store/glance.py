"""A quick look at a plain data folder's newest records, without the Store API: no lock, no
pydantic, no models, only `json` and the folder's layout. The app's Home draws its lists from
it on a cold start (no preview kept, `tui/home_cache.py`) while the store and the instruments
load; the store's answer then replaces them. It never feeds a decision or a write.

It answers only when the folder reads plainly, and None otherwise, so that Home waits for the
store, which names any problem as it always does:
- the format marker must say this format (or format 4, whose months and index deltas read
  the same: opening never upgrades it) and the plain codec (an encrypted folder is never
  read here, nor an older format that opening would upgrade);
- a journal is accepted only when its change is applied (none of its staged files is left):
  a change not yet rolled forward is something only opening the store finishes;
- every record read must have the shape the store writes (a dict with a known status and an
  instrument, an id); anything else, or a file that cannot be read or parsed, is None.

The filters mirror `Reads.list` (`store/reads.py`) for what Home asks: months newest first,
skipped when they cannot match the dates, newest session first within a month, the first copy
of an id kept; `tests/unit/store/test_glance.py` checks that both give the same ratings.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rating_tui.store import fileio
from rating_tui.store.errors import StoreError
from rating_tui.store.layout import (
    DELTA_FORMAT,
    FORMAT,
    RATINGS_TABLE,
    SHARD_COUNTS,
    Layout,
    by_month,
    month_in_range,
)

STATUSES = ("draft", "final", "voided")
_MARKERS = [{"format": f, "codec": "plain"} for f in range(DELTA_FORMAT, FORMAT + 1)]
"""The statuses a stored record may have (`ratings.model.STATUSES`, not imported: pydantic)."""

Record = dict[str, Any]


class Unclear(Exception):
    """The folder does not read plainly: leave it to the store."""


@dataclass
class Glance:
    """One plain folder, read as it is on disk: its instrument roles and kept instrument
    copies, and its month files (each parsed once)."""

    layout: Layout
    roles: Mapping[str, Mapping[str, str | None]]
    _shards: dict[str, dict[str, Record]] = field(default_factory=dict)
    _names: list[str] | None = None

    def records(
        self,
        *,
        statuses: Collection[str],
        date_from: date | None = None,
        limit: int,
    ) -> list[Record]:
        """The records `Store.list(statuses=..., date_from=..., limit=...)` returns, as stored
        (`Unclear` when a file does not read plainly)."""
        if self._names is None:
            self._names = self.layout.shard_names()
        found: list[Record] = []
        seen: set[str] = set()
        for month, parts in by_month(self._names):
            if not month_in_range(month, date_from, None):
                continue
            hits = [
                r
                for shard in parts
                for r in self._shard(shard).values()
                if self._matches(r, statuses, date_from) and r["id"] not in seen
            ]
            seen.update(r["id"] for r in hits)
            hits.sort(key=self._sort_key, reverse=True)
            found += hits
            if len(found) >= limit:
                break
        return found[:limit]

    def held(self) -> int | None:
        """The ratings of any status the manifest counts (0 in a folder not made yet; None
        when its counts do not read plainly)."""
        if not self.layout.manifest.exists():
            return 0 if not self.roles else None
        try:
            counts = _read(self.layout.manifest).get(SHARD_COUNTS, {})
            numbers = [entry["n"] for entry in counts.values()]
        except (Unclear, AttributeError, KeyError, TypeError):
            return None
        held = 0
        for n in numbers:
            if type(n) is not int or n < 0:
                return None
            held += n
        return held

    def instrument(self, record: Record) -> Record:
        """The store's copy of the instrument version `record` was made with (as validated
        when it was kept)."""
        content_hash = record["instrument"].get("hash")
        if not isinstance(content_hash, str) or not content_hash.isalnum():
            raise Unclear("no instrument hash")
        copy = _read(self.layout.instrument_copy(content_hash))
        if not isinstance(copy, dict):
            raise Unclear("no kept instrument")
        return copy

    def role_value(self, record: Record, role: str) -> object:
        """The value of the session field with `role` (`query.role_value`)."""
        ins = record["instrument"]
        key = self.roles.get(f"{ins.get('id')}@{ins.get('version')}", {}).get(role)
        session = record.get("session")
        if not key or not isinstance(session, dict):
            return None
        return session.get(key)

    def _matches(self, record: Record, statuses: Collection[str], date_from: date | None) -> bool:
        if record["status"] not in statuses:
            return False
        if date_from is None:
            return True
        day = self.role_value(record, "session_date")
        return isinstance(day, str) and day >= date_from.isoformat()

    def _sort_key(self, record: Record) -> tuple[str, str, str]:
        day = self.role_value(record, "session_date")
        return (day if isinstance(day, str) else "", str(record.get("created", "")), record["id"])

    def _shard(self, name: str) -> dict[str, Record]:
        if name not in self._shards:
            data = _read(self.layout.shard(name))
            table = data.get(RATINGS_TABLE) if isinstance(data, dict) else None
            if not isinstance(table, dict):
                raise Unclear(f"month file {name}")
            for rating_id, record in table.items():
                if not (
                    isinstance(record, dict)
                    and record.get("id") == rating_id
                    and record.get("status") in STATUSES
                    and isinstance(record.get("instrument"), dict)
                ):
                    raise Unclear(f"a record of {name}")
            self._shards[name] = table
        return self._shards[name]


def glance(root: Path) -> Glance | None:
    """A plain look at the data folder `root`, or None when it does not read plainly (see the
    module's docstring): then only the store can say what is in it."""
    layout = Layout(root)
    try:
        if _new(root):
            return Glance(layout, {})  # the store makes it on opening: no ratings yet
        marker = _read(layout.marker)
        if not isinstance(marker, dict) or marker not in _MARKERS:
            return None
        if not _journal_applied(layout):
            return None
        registry = _read(layout.registry) if layout.registry.exists() else {"instruments": {}}
        entries = registry.get("instruments") if isinstance(registry, dict) else None
        if not isinstance(entries, dict):
            return None
        roles = {}
        for ref, entry in entries.items():
            found = entry.get("roles") if isinstance(entry, dict) else None
            if not isinstance(found, dict):
                return None
            roles[ref] = found
        return Glance(layout, roles)
    except (OSError, Unclear):
        return None


def _new(root: Path) -> bool:
    """A folder that is not there yet, or empty: what `Store.open` starts a store in."""
    try:
        with os.scandir(root) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return not root.is_symlink()  # (a dangling link: the store's to judge)


def _journal_applied(layout: Layout) -> bool:
    """No journal, or one whose change the data files hold complete: its staged files all
    renamed, or, for a journal that carries its files' bytes (a save's, kept until the next
    change: `journal.write_carried`), each file holding the very bytes carried (size and
    sha256 of its header). What is left is then its audit line and fsyncs, nothing a read
    sees. Any other journal (an older form, damaged, a change cut short) is the store's to
    judge."""
    try:
        raw = fileio.read_bytes(layout.journal)
    except (StoreError, OSError):
        return False
    if raw is None:
        return True
    end = raw.find(b"\n")
    try:
        entry = json.loads(raw if end < 0 else raw[:end])
    except ValueError:
        return False
    if not isinstance(entry, dict):
        return False
    txn, names = entry.get("transaction"), entry.get("files")
    if not isinstance(txn, str) or not txn.isalnum() or not isinstance(names, list):
        return False
    paths = [layout.from_journal(name) if isinstance(name, str) else None for name in names]
    if end >= 0:
        return _carried_applied(paths, entry.get("carried"))
    for path in paths:
        if path is None:
            return False
        if path.with_name(f".{path.name}.{txn}{fileio.STAGED_SUFFIX}").exists():
            return False  # (`journal.staged_path`)
    return True


def _carried_applied(paths: list[Path | None], carried: object) -> bool:
    """Each file holds the bytes the journal carries for it ([size, sha256, [...]] each)."""
    if not isinstance(carried, list) or len(carried) != len(paths):
        return False
    for path, item in zip(paths, carried, strict=True):
        if path is None or not isinstance(item, list) or len(item) != 3:
            return False
        try:
            data = fileio.read_bytes(path)
        except (StoreError, OSError):
            return False
        if data is None or len(data) != item[0] or hashlib.sha256(data).hexdigest() != item[1]:
            return False
    return True


def _read(path: Path) -> Any:
    """The file's JSON (`Unclear` when it is missing, not a regular file, too big, or not
    JSON: the store names each of these when it opens)."""
    try:
        raw = fileio.read_bytes(path)
        if raw is None:
            raise Unclear(f"{path.name} is missing")
        return json.loads(raw)
    except (StoreError, ValueError, RecursionError) as exc:
        raise Unclear(str(exc)) from None
