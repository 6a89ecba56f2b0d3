"""Which shard holds each rating: the index, its manifest, and what to do when they are damaged.

The index (`index/<2 hex>.json`, rating id -> {"shard": name}) is written in the same
transaction as the shards, so an entry whose rating is not in its shard is a rating that went
missing, not a save cut short. `manifest.json` counts the entries of each index file and of
each shard, and is written in that transaction too: an index file that is missing, damaged or
shorter than the manifest says is noticed before anyone relies on it.

An index that cannot be trusted is never used to decide where a rating is: reads consult the
shards themselves, and writes first rebuild the index from the shards (`rebuild`), keeping the
entries of ratings that are missing from their shard, as evidence for `doctor`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from rating_tui.store import fileio
from rating_tui.store.errors import StoreError
from rating_tui.store.files import Files, Records
from rating_tui.store.layout import (
    BUCKET_COUNTS,
    INDEX_TABLE,
    RATINGS_TABLE,
    SHARD_COUNTS,
    Layout,
    is_month_name,
    month_of,
)
from rating_tui.store.transaction import Transaction


class Reader(Protocol):
    def records(self, path: Path, table: str) -> Records: ...


@dataclass
class IndexReport:
    """What `rebuild` did."""

    ratings: int = 0
    files_written: int = 0
    set_aside: list[Path] = field(default_factory=list)
    """Damaged index files renamed to *.damaged-<time> (kept, never deleted)."""
    kept_missing: int = 0
    """Entries kept for ratings missing from their shard (doctor reports them)."""
    removed: list[str] = field(default_factory=list)
    """Links or special files found where data files belong, removed (they hold no data)."""


def entry_shard(entry: object) -> str | None:
    """The month an index entry names, or None when the entry is not one (damaged)."""
    if isinstance(entry, dict):
        shard = entry.get("shard")
        if isinstance(shard, str) and is_month_name(shard):
            return shard
    return None


def trusted(layout: Layout, reader: Reader, buckets: Iterable[Path]) -> bool:
    """Whether the index files `buckets` can be relied on: each parses, holds well-formed
    entries, and has as many entries as the manifest says."""
    try:
        counts = reader.records(layout.manifest, BUCKET_COUNTS)
        if not counts:
            return not layout.shard_names()  # nothing stored, nothing to find
        for bucket in buckets:
            entries = reader.records(bucket, INDEX_TABLE)
            expected = counts.get(bucket.stem)
            number = expected.get("n") if isinstance(expected, dict) else 0
            if len(entries) != number:
                return False
            if any(entry_shard(e) is None for e in entries.values()):
                return False
    except StoreError:
        return False
    return True


def scan(layout: Layout, reader: Reader, *, strict: bool = True) -> dict[str, str]:
    """rating id -> shard (a month, or part of a split one), from the shards themselves (the
    first shard, newest first, when a rating is in two). When a shard cannot be read, `strict`
    (writes) raises: nobody can say where a rating is, and a write must not guess; otherwise
    (reads) it is skipped, and its ratings are not found, as when the index works."""
    found: dict[str, str] = {}
    for shard in layout.shard_names():
        try:
            records = reader.records(layout.shard(shard), RATINGS_TABLE)
        except StoreError:
            if strict:
                raise
            continue
        for rating_id in records:
            found.setdefault(rating_id, shard)
    return found


def set_entries(txn: Transaction, changes: dict[str, str | None]) -> None:
    """Point each rating id at a shard (None: remove it), updating the manifest's counts."""
    layout = txn.layout
    by_bucket: dict[Path, dict[str, str | None]] = {}
    for rating_id, shard in changes.items():
        by_bucket.setdefault(layout.bucket(rating_id), {})[rating_id] = shard
    shard_delta: dict[str, int] = {}
    bucket_sizes: dict[str, int] = {}
    for bucket, wanted in by_bucket.items():
        current = txn.records(bucket, INDEX_TABLE)
        for rating_id, shard in wanted.items():
            old = entry_shard(current.get(rating_id))
            if old is not None:
                shard_delta[old] = shard_delta.get(old, 0) - 1
            if shard is not None:
                shard_delta[shard] = shard_delta.get(shard, 0) + 1

        def edit(records: Records, wanted: dict[str, str | None] = wanted) -> None:
            for rating_id, shard in wanted.items():
                if shard is None:
                    records.pop(rating_id, None)
                else:
                    records[rating_id] = {"shard": shard}

        txn.change(bucket, INDEX_TABLE, edit)
        bucket_sizes[bucket.stem] = len(txn.records(bucket, INDEX_TABLE))
    _count(txn, bucket_sizes, shard_delta)


def _count(txn: Transaction, bucket_sizes: dict[str, int], shard_delta: dict[str, int]) -> None:
    manifest = txn.layout.manifest

    def buckets(records: Records) -> None:
        for name, size in bucket_sizes.items():
            records[name] = {"n": size}

    def shards(records: Records) -> None:
        for name, delta in shard_delta.items():
            old = records.get(name)
            number = old.get("n") if isinstance(old, dict) else 0
            records[name] = {"n": (number if isinstance(number, int) else 0) + delta}

    txn.change(manifest, BUCKET_COUNTS, buckets)
    if any(shard_delta.values()):
        txn.change(manifest, SHARD_COUNTS, shards)


def rebuild(files: Files) -> IndexReport:
    """Write the index and its manifest again from the shards, in one transaction. A damaged
    index file is set aside (renamed, never deleted); entries of readable index files whose
    rating is missing from every shard are kept, so the loss stays visible to `doctor`."""
    layout = files.layout
    report = IndexReport()
    located = scan(layout, files)
    report.ratings = len(located)
    wanted: dict[Path, dict[str, Any]] = {}
    for rating_id, shard in located.items():
        wanted.setdefault(layout.bucket(rating_id), {})[rating_id] = {"shard": month_of(shard)}
    txn = Transaction(files)
    shard_counts: dict[str, int] = {}
    bucket_counts: dict[str, int] = {}
    for bucket in sorted(set(layout.buckets()) | set(wanted)):
        try:
            current = files.records(bucket, INDEX_TABLE)
        except StoreError:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            aside = bucket.with_name(f"{bucket.name}.damaged-{stamp}")
            fileio.rename(bucket, aside)
            report.set_aside.append(aside)
            current = {}
        entries = dict(wanted.get(bucket, {}))
        for rating_id, entry in current.items():
            kept = entry_shard(entry)
            if rating_id not in located and kept is not None:
                entries[rating_id] = {"shard": kept}
                report.kept_missing += 1
        for entry in entries.values():
            name = str(entry["shard"])
            shard_counts[name] = shard_counts.get(name, 0) + 1
        bucket_counts[bucket.stem] = len(entries)
        if entries != current:
            txn.change(bucket, INDEX_TABLE, _replace_with(entries))
            report.files_written += 1
    counts = {
        SHARD_COUNTS: {k: {"n": v} for k, v in shard_counts.items()},
        BUCKET_COUNTS: {k: {"n": v} for k, v in bucket_counts.items()},
    }
    try:
        current_counts = files.storage(layout.manifest).read() or {}
    except StoreError:
        current_counts = None
    if current_counts != counts:
        if current_counts is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            aside = layout.manifest.with_name(f"manifest.json.damaged-{stamp}")
            fileio.rename(layout.manifest, aside)
            report.set_aside.append(aside)
        for table, records in counts.items():
            txn.change(layout.manifest, table, _replace_with(records))
    txn.commit()
    return report


def _replace_with(entries: dict[str, Any]) -> Any:
    def replace(records: Records) -> None:
        records.clear()
        records.update(entries)

    return replace
