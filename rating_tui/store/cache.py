"""Keep the last few files this process parsed, so a save does not parse and re-serialise a
whole month of ratings each time (the app saves a draft on every change).

Safety does not rest on timestamps: a cached parse is used only when the bytes now on disk are
exactly the bytes it was parsed from (or written as), compared in full, so a change by another
process, or a file restored by hand, is always seen. From a file's second write on,
serialising reuses the JSON text of every record object seen before and encodes only new ones
(a file written once, as by an import, is dumped in one call instead); the store replaces a
record object on every change and never edits one in place, which is what makes that reuse
correct.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rating_tui.store.codec import to_json

Tables = dict[str, dict[str, Any]]


Key = tuple[str, str]
"""(table name, document id)"""


@dataclass
class _Entry:
    raw: bytes | None
    """The bytes on disk the tables were parsed from or written as (None: not known)."""
    tables: Tables
    fragments: dict[Key, tuple[object, str]] | None = None
    """(table, id) -> (the record object, its `"id":{...}` JSON text), for records written or
    encoded before; None until the file has been written once by this process (see
    `serialise`)."""


class FileCache:
    """Parsed content and per-record JSON of the `size` files used last."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._entries: OrderedDict[Path, _Entry] = OrderedDict()

    def lookup(self, path: Path, raw: bytes) -> Tables | None:
        """The parsed content of `path` if `raw` (its bytes now) is what was cached."""
        entry = self._entries.get(path)
        if entry is None or entry.raw is None or entry.raw != raw:
            return None
        self._entries.move_to_end(path)
        return entry.tables

    def remember(self, path: Path, raw: bytes, tables: Tables) -> None:
        old = self._entries.pop(path, None)
        self._entries[path] = _Entry(raw, tables, old.fragments if old else None)
        self._trim()

    def forget(self, path: Path) -> None:
        """Drop `path` (after a failed write, or an edit that stopped half way)."""
        self._entries.pop(path, None)

    def serialise(self, path: Path, tables: Tables, *, fragments: bool = True) -> str:
        """JSON text of `tables`, equal to `to_json(tables)`. A file written for the first
        time (an import's months, an index file) is dumped in one call, which is several
        times faster than record by record; from its second write on (the app saving one
        month again and again), the text of every record is kept and reused, so only the
        changed record is encoded. `fragments=False` (index files, whose entries are too
        small for reuse to pay) always dumps in one call."""
        entry = self._entries.get(path)
        if not fragments or entry is None or entry.fragments is None:
            if fragments:  # the next write of this file keeps the records' text
                if entry is None:
                    entry = self._entries[path] = _Entry(None, {})
                    self._trim()
                entry.fragments = {}
            return to_json(tables)
        known = entry.fragments
        kept: dict[Key, tuple[object, str]] = {}
        parts = []
        get = known.get
        for name, documents in tables.items():
            items = []
            for doc_id, record in documents.items():  # (a save's hot loop: up to 64 records)
                cached = get((name, doc_id))
                if cached is None or cached[0] is not record:
                    cached = (record, f"{to_json(doc_id)}:{to_json(record)}")
                kept[name, doc_id] = cached
                items.append(cached[1])
            parts.append(f"{to_json(name)}:{{{','.join(items)}}}")
        entry.fragments = kept
        return "{" + ",".join(parts) + "}"

    def _trim(self) -> None:
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
