"""What `rating-tui doctor` checks and repairs in a data folder.

`check` reads everything and changes nothing: every file is a regular file that parses and has
the expected shape, every rating is a valid record made with the instrument content registered
for its version, and the index agrees with the shards. Because the index and the manifest are
written in the same transaction as the shards, an index entry whose rating is not in its shard
is a rating that went missing (an error naming the ids and the backup that holds them), not a
save cut short: a crash leftover is a journal, which the next open completes. `repair` sets
aside what cannot be read as a data file and rebuilds the index. Both hold the lock
throughout, so they see one consistent state.
"""

from __future__ import annotations

import shlex
import stat
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rating_tui.instruments.model import Instrument
from rating_tui.store import (
    audit_check,
    deltas,
    dyads,
    fileio,
    index,
    journal,
    journal_spare,
    reindex,
)
from rating_tui.store import doctor_checks as checks
from rating_tui.store.doctor_checks import Finding as Finding
from rating_tui.store.doctor_checks import Level as Level
from rating_tui.store.engine import Engine
from rating_tui.store.errors import StoreError
from rating_tui.store.index import IndexReport
from rating_tui.store.layout import (
    BUCKET_COUNTS,
    INDEX_TABLE,
    RATINGS_TABLE,
    REGISTRY_TABLE,
    SHARD_COUNTS,
    SPLIT_TABLE,
    entry_name,
    is_delta_name,
    is_part,
    month_of,
    part_name,
)
from rating_tui.store.shapes import check_record, check_registry

_REBUILD = "rebuild the index (rating-tui doctor --repair)"
_SHOWN = 10


def check(engine: Engine, instruments: Iterable[Instrument] = ()) -> list[Finding]:
    """Every problem and notable fact about the folder, most serious first; `instruments`
    (instrument files found) are compared with the copies the folder keeps."""
    layout = engine.layout
    out = checks.permission_findings(layout.root)
    with engine.locked(write=False, recover=False):
        try:
            if journal.unfinished(layout, engine.files.unsynced) is not None:
                out.append(
                    Finding(
                        "warning",
                        layout.journal,
                        "a change was interrupted by a crash; it is completed when the folder "
                        "is next opened",
                    )
                )
        except StoreError as exc:
            out.append(Finding("error", layout.journal, str(exc)))
        for leftover in layout.root.rglob(".*"):
            if leftover == journal_spare.spare_of(layout.journal):
                continue  # (an earlier journal that the next save writes over: not a leftover)
            if leftover.name.endswith((fileio.TEMP_SUFFIX, fileio.STAGED_SUFFIX)):
                what = "temp file left by a crash" if leftover.suffix == ".tmp" else "staged file"
                out.append(Finding("info", leftover, f"{what}; removed on next open"))
        registry = _read(engine, layout.registry, REGISTRY_TABLE, out)
        for key, problem in check_registry(registry):
            out.append(Finding("error", layout.registry, f"entry {key!r}: {problem}"))
        located, counts, codes = _check_shards(engine, registry, out)
        out += [Finding(*found) for found in dyads.findings(engine.files, layout, codes)]
        _check_index(engine, located, counts, out)
        checks.instrument_findings(engine, registry, list(instruments), out)
        out += [Finding(*found) for found in audit_check.findings(engine)]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda f: order[f.level])


def repair(engine: Engine) -> IndexReport:
    """Make the folder readable again where that loses nothing, then rebuild the index:
    links, FIFOs and devices where a data file should be are removed (they hold no data),
    folders and a damaged manifest are set aside (renamed, never deleted)."""
    layout = engine.layout
    with engine.locked(write=True):
        journal.settle_all(engine.files)  # (files are set aside or removed without one)
        aside: list[Path] = []
        removed: list[str] = []
        candidates = [layout.registry, layout.manifest, *layout.buckets()]
        candidates += [layout.shard(s) for s in layout.shard_files()]
        for path in candidates:
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISDIR(mode) or (path == layout.manifest and _unreadable(engine, path)):
                aside.append(_set_aside(path))
            elif not stat.S_ISREG(mode):
                what = f"a link to {path.readlink()}" if stat.S_ISLNK(mode) else "a special file"
                fileio.remove(path, "remove the special file")
                removed.append(f"{path} ({what})")
        report = reindex.rebuild(engine.files)
        report.set_aside[:0] = aside
        report.removed = removed
        return report


def _unreadable(engine: Engine, path: Path) -> bool:
    try:
        engine.files.storage(path).read()
    except StoreError:
        return True
    return False


def _set_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.unreadable-{stamp}")
    fileio.rename(path, target)
    return target


def _read(engine: Engine, path: Path, table: str, out: list[Finding]) -> dict[str, Any]:
    """`table` of a data file, or {} after reporting why it cannot be read."""
    try:
        return engine.files.storage(path).read_uncached().get(table, {})
    except StoreError as exc:
        out.append(Finding("error", path, str(exc)))
        return {}


def _check_shards(
    engine: Engine, registry: dict[str, Any], out: list[Finding]
) -> tuple[dict[str, list[str]], dict[str, int | None], dict[str, set[str]]]:
    """Check every rating; return rating id -> the shards holding it, month -> its number of
    ratings (None when a shard of it cannot be read), and month -> its ratings' dyads."""
    located: dict[str, list[str]] = {}
    counts: dict[str, int | None] = {}
    codes: dict[str, set[str]] = {}
    roles = dyads.roles_in(engine.files)  # (None: the registry is damaged, named above)
    for shard in engine.layout.shard_names():
        path = engine.layout.shard(shard)
        before = len(out)
        records = _read(engine, path, RATINGS_TABLE, out)
        month = month_of(shard)
        known = counts.get(month, 0)
        if len(out) > before or known is None:
            counts[month] = None
        else:
            counts[month] = known + len(records)
        if roles is not None:
            codes.setdefault(month, set()).update(dyads.codes(records.values(), roles))
        for rating_id, record in records.items():
            located.setdefault(rating_id, []).append(shard)
            problem = check_record(rating_id, record, registry)
            if problem:
                out.append(Finding("error", path, f"rating {rating_id}: {problem}"))
    leaves = set(engine.layout.shard_names())
    for node in engine.layout.shard_files():  # a month that has split: its parts must exist
        if node not in leaves:
            path = engine.layout.shard(node)
            split = _read(engine, path, SPLIT_TABLE, out)
            gone = sorted(str(c) for c in split if not engine.layout.shard(str(c)).exists())
            if gone:
                out.append(
                    Finding(
                        "error",
                        path,
                        f"this month has split, but {len(gone)} of its part(s) are missing "
                        f"({', '.join(gone[:3])}): the ratings in them are lost; restore them "
                        "from their backups (backups/ratings/<part>/)",
                    )
                )
    _check_parts(engine, out)
    for rating_id, shards in located.items():
        if len(shards) > 1:
            out.append(
                Finding("error", engine.layout.ratings, f"rating {rating_id} is in {shards}")
            )
    return located, counts, codes


def _check_parts(engine: Engine, out: list[Finding]) -> None:
    """A month's parts are numbered from 1 without gaps: a gap is a part file that was lost."""
    numbers: dict[str, set[int]] = {}
    for name in engine.layout.shard_files():
        if is_part(name):
            month, _, number = name.partition(".")
            numbers.setdefault(month, set()).add(int(number[1:]))
    for month, present in sorted(numbers.items()):
        gone = [part_name(month, n) for n in range(1, max(present) + 1) if n not in present]
        if gone:
            out.append(
                Finding(
                    "error",
                    engine.layout.shard(gone[0]),
                    f"{len(gone)} part(s) of {month} are missing ({', '.join(gone[:3])}): "
                    "the ratings in them are lost; restore them from their backups "
                    "(backups/ratings/<part>/)",
                )
            )


def _check_deltas(engine: Engine, out: list[Finding]) -> list[str]:
    """The ids in the index's delta files the manifest lists; each must hold as many entries
    as the manifest says. Delta files it does not list are left by a compaction."""
    layout = engine.layout
    try:
        listed = deltas.listed(engine.files, layout)
    except StoreError:
        return []  # the manifest's own error is reported with the index files
    ids: list[str] = []
    for name, number in sorted(listed.items()):
        if not is_delta_name(name):
            why = f"lists {name!r} as an index delta, which is not a delta's name"
            out.append(Finding("error", layout.manifest, f"{why}; {_REBUILD}"))
            continue
        try:
            files = deltas.parts(engine.files, layout, name)
        except StoreError:
            continue  # reported by the walk
        total = 0
        for file, counted in files:
            try:
                held = engine.files.records(layout.delta(file), INDEX_TABLE)
            except StoreError:
                continue  # reported by the walk
            ids += [str(i) for i in held]
            total += len(held)
            prefix = file.partition(".")[0]
            if (file != name and len(held) != counted) or any(
                not str(i).startswith(prefix) for i in held
            ):
                out.append(
                    Finding(
                        "error",
                        layout.delta(file),
                        f"holds {len(held)} index entr(y/ies), its node says {counted}: part "
                        f"of the index is lost; {_REBUILD}",
                    )
                )
        if total != number:
            out.append(
                Finding(
                    "error",
                    layout.delta(name),
                    f"holds {total} index entr(y/ies), the manifest says {number}: part of "
                    f"the index is lost; {_REBUILD}",
                )
            )
    for name in deltas.unlisted(engine.files, layout):
        out.append(
            Finding(
                "info",
                layout.delta(name),
                "an index delta already compacted (not listed in the manifest, never read); "
                "removed by the next import or open",
            )
        )
    return ids


def _check_index(
    engine: Engine,
    located: dict[str, list[str]],
    counts: dict[str, int | None],
    out: list[Finding],
) -> None:
    layout = engine.layout
    indexed: dict[str, str] = {}
    manifest = _read(engine, layout.manifest, BUCKET_COUNTS, out)
    tops = sorted(set(manifest) | {b.stem[:2] for b in layout.buckets()})
    entries, unreadable = index.walk(layout, engine.files, tops)
    out += [Finding("error", path, str(exc)) for path, exc in unreadable]
    for rating_id, entry in entries.items():
        shard = index.entry_shard(entry)
        if shard is None:
            found = type(entry).__name__
            out.append(
                Finding(
                    "error",
                    layout.index_file(rating_id[:2]),
                    f"entry {rating_id!r} is not {{'shard': <month>}} (found {found}); "
                    "rebuild the index (rating-tui doctor --repair)",
                )
            )
        else:
            indexed[rating_id] = shard
    per_top: dict[str, int] = {}
    for rating_id in indexed:
        per_top[rating_id[:2]] = per_top.get(rating_id[:2], 0) + 1
    for rating_id in _check_deltas(engine, out):  # the manifest counts them per delta
        per_top[rating_id[:2]] = per_top.get(rating_id[:2], 0) - 1
    for name in tops:
        expected = manifest.get(name, {})
        number = expected.get("n") if isinstance(expected, dict) else None
        have = per_top.get(name, 0)
        if manifest and number is not None and number != have:
            out.append(
                Finding(
                    "error",
                    layout.index / f"{name}.json",
                    f"holds {have} index entr(y/ies), the manifest says {number}: part of the "
                    "index is lost; rebuild the index (rating-tui doctor --repair)",
                )
            )
    unindexed = [
        i for i, shards in located.items() if indexed.get(i) not in {entry_name(s) for s in shards}
    ]
    if unindexed:
        out.append(
            Finding(
                "error",
                layout.index,
                f"{len(unindexed)} rating(s) missing from the index or pointing at the wrong "
                f"month or part (e.g. {unindexed[0]}); rebuild the index (rating-tui doctor "
                "--repair)",
            )
        )
    missing: dict[str, list[str]] = {}
    for rating_id, shard in indexed.items():
        if rating_id not in located and counts.get(month_of(shard), 0) is not None:
            missing.setdefault(shard, []).append(rating_id)
    for shard, ids in sorted(missing.items()):
        out.append(Finding("error", layout.shard(shard), _missing(engine, shard, ids)))
    shard_counts = _read(engine, layout.manifest, SHARD_COUNTS, []) if manifest else {}
    for shard, entry in sorted(shard_counts.items()):
        stored = entry.get("n") if isinstance(entry, dict) else None
        count = counts.get(shard, 0)
        if (
            isinstance(stored, int)
            and count is not None
            and count < stored
            and shard not in {month_of(m) for m in missing}
        ):
            out.append(
                Finding(
                    "error",
                    layout.shard(shard),
                    f"holds {count} rating(s), but {stored} were stored in it: "
                    f"{stored - count} are missing (their ids were in the lost part of the "
                    "index); restore the month from a backup",
                )
            )


def _missing(engine: Engine, shard: str, ids: list[str]) -> str:
    """The message for ratings missing from month `shard`, naming the backup that holds them
    (of the month's file, or of its parts once it has split)."""
    path = engine.layout.shard(shard)
    parts = [p for p in engine.layout.shard_files() if month_of(p) == shard] or [shard]
    shown = ", ".join(sorted(ids)[:_SHOWN]) + (" ..." if len(ids) > _SHOWN else "")
    text = (
        f"{len(ids)} rating(s) stored in this month are missing from it ({shown}): they were "
        "lost after they were saved (the file was replaced, emptied or restored from an "
        "older backup). "
    )
    backups = [
        b for p in parts for b in engine.layout.backups_of(engine.layout.shard(p)).existing()
    ]
    for backup in backups:
        try:
            records = engine.files.storage(path).parse(backup.read_bytes()).get(RATINGS_TABLE, {})
        except (StoreError, OSError):
            continue
        held = [i for i in ids if i in records]
        if held:
            command = shlex.join(
                ["rating-tui", "restore", str(backup), "--remerge", "--data", str(path.parents[1])]
            )
            return text + (
                f"The backup {backup} holds {len(held)} of them. Restore them with `{command}`: "
                "it lists what the backup brings back and lacks, and --remerge keeps the "
                "ratings saved since the backup."
            )
    return text + "No backup of this month holds them: restore them from your own backups."
