"""Writing the index and its manifest again from the month files (`rebuild`): what a write
does first when the index cannot be trusted, and what `doctor --repair` runs. It writes every
month's summary of dyads too (`dyads`), which gives an older folder's months theirs. A damaged file
is set aside, never deleted, and entries of ratings missing from every shard are kept as
evidence (see `index`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rating_tui.store import deltas, dyads, fileio, journal
from rating_tui.store.errors import StoreError
from rating_tui.store.files import Files, Records
from rating_tui.store.index import IndexReport, entry_shard, scan, write_bucket
from rating_tui.store.layout import (
    BUCKET_COUNTS,
    DELTA_TABLE,
    INDEX_TABLE,
    SHARD_COUNTS,
    SPLIT_TABLE,
    entry_name,
    month_of,
)
from rating_tui.store.transaction import Transaction


def rebuild(files: Files) -> IndexReport:
    """Write the index and its manifest again from the shards, in one transaction. A damaged
    index file is set aside (renamed, never deleted); entries of readable index files whose
    rating is missing from every shard are kept, so the loss stays visible to `doctor`.
    Index files that have split stay split; any that now hold too many entries split."""
    layout = files.layout
    journal.settle_all(files)  # (it sets files aside: a kept journal must not bring them back)
    report = IndexReport()
    codes: dict[str, set[str]] = {}
    roles = dyads.roles_in(files)

    def seen(shard: str, records: Records) -> None:
        if roles is not None:
            codes.setdefault(month_of(shard), set()).update(dyads.codes(records.values(), roles))

    located = scan(layout, files, seen=seen)
    report.ratings = len(located)
    wanted: dict[str, Records] = {}
    for rating_id, shard in located.items():
        wanted.setdefault(rating_id[:2], {})[rating_id] = {"shard": entry_name(shard)}
    txn = Transaction(files)
    nodes: set[str] = set()
    tops: set[str] = set()
    for path in layout.buckets():
        tops.add(path.stem[:2])
        tables = _read_or_set_aside(files, path, report)
        if tables is None:
            continue
        if tables.get(SPLIT_TABLE):
            nodes.add(path.stem)
        _keep_missing(tables.get(INDEX_TABLE, {}), located, wanted, report)
    for path in _deltas_for_rebuild(files):
        held = _read_or_set_aside(files, path, report)
        if held is not None:
            _keep_missing(held.get(INDEX_TABLE, {}), located, wanted, report)
    shard_counts: dict[str, int] = {}
    bucket_counts: dict[str, int] = {}
    for top in sorted(tops | set(wanted)):
        entries = wanted.get(top, {})
        for entry in entries.values():
            name = month_of(str(entry["shard"]))
            shard_counts[name] = shard_counts.get(name, 0) + 1
        bucket_counts[top] = len(entries)
        write_bucket(txn, top, entries, nodes)
    report.files_written = len(txn.paths)  # (index files: the summaries are not counted)
    dyads.rewrite(txn, codes, report.set_aside)  # every month read: exact summaries
    counts = {
        SHARD_COUNTS: {k: {"n": v} for k, v in shard_counts.items()},
        BUCKET_COUNTS: {k: {"n": v} for k, v in bucket_counts.items()},
    }
    try:
        current_counts = files.storage(layout.manifest).read() or {}
    except StoreError:
        current_counts = None
    if current_counts and current_counts.get(DELTA_TABLE):
        counts[DELTA_TABLE] = {}  # every entry is in the index files now
    if current_counts != counts:
        if current_counts is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            aside = layout.manifest.with_name(f"manifest.json.damaged-{stamp}")
            fileio.rename(layout.manifest, aside)
            report.set_aside.append(aside)
        for table, records in counts.items():
            txn.change(layout.manifest, table, _replace_with(records))
    txn.commit()
    deltas.drop_unlisted(files, layout)
    return report


def _deltas_for_rebuild(files: Files) -> list[Path]:
    """The delta files whose entries a rebuild keeps as evidence: those the manifest lists,
    or every one present when the manifest cannot be read."""
    layout = files.layout
    present = layout.delta_files()  # (a delta that is a node: its parts too)
    try:
        names = deltas.listed(files, layout)
        present = [n for n in present if deltas.root_of(n) in names]
    except StoreError:
        pass
    return [layout.delta(n) for n in present if layout.delta(n).exists()]


def _replace_with(entries: dict[str, Any]) -> Any:
    def replace(records: Records) -> None:
        records.clear()
        records.update(entries)

    return replace


def _read_or_set_aside(files: Files, path: Path, report: IndexReport) -> dict[str, Any] | None:
    """The tables of index file `path`, or None once a damaged one is renamed aside."""
    try:
        return files.storage(path).read() or {}
    except StoreError:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = path.with_name(f"{path.name}.damaged-{stamp}")
        fileio.rename(path, aside)
        report.set_aside.append(aside)
        return None


def _keep_missing(
    entries: Records, located: dict[str, str], wanted: dict[str, Records], report: IndexReport
) -> None:
    """Keep the entries of ratings missing from every shard, as evidence for doctor."""
    for rating_id, entry in entries.items():
        kept = entry_shard(entry)
        into = wanted.setdefault(str(rating_id)[:2], {})
        if rating_id not in located and kept is not None and rating_id not in into:
            into[rating_id] = {"shard": kept}
            report.kept_missing += 1
