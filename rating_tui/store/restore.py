"""Restoring a shard from one of its daily backups, saying first what it would lose.

A backup is the shard as it was before its first change of a day (one first saved that day:
as its first save wrote it). Copying it over the shard (a damage message's commands) drops
every rating saved there since, and reverts every later edit. `plan` compares the backup with
what is stored now and lists, by id, dyad, session and rater: the ratings the restore brings
back, those stored now but absent from the backup, and those whose stored version is newer.
`apply` writes the shard and the index in one transaction, after keeping the shard as it was
beside the backups; with `remerge` the newer ratings are put back in that same transaction,
so nothing is lost.

A backup is checked whole before anything is written: it must be a snapshot of this folder,
parse, and hold valid ratings made with the registered instrument content. Ratings of the
backup that have since moved to another shard stay where they are now (restoring them would
put one rating in two shards). Nothing here assumes months: shards come from `Layout`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rating_tui.ratings.model import Rating
from rating_tui.store import dyads, fileio, index, reindex
from rating_tui.store.backups import SUFFIX
from rating_tui.store.engine import Engine
from rating_tui.store.errors import StoreError
from rating_tui.store.files import Records
from rating_tui.store.layout import (
    INDEX_TABLE,
    RATINGS_TABLE,
    SPLIT_TABLE,
    UNDATED,
    Layout,
    entry_name,
    is_part,
    is_shard_name,
    month_of,
    parent_shard,
)
from rating_tui.store.shapes import check_record

KEPT_PREFIX = "before-restore-"
"""The shard as it was before a restore is kept as backups/<shard>/before-restore-<time>.json
(not a daily snapshot, so never pruned)."""


class RestoreRefusedError(StoreError):
    """A backup that cannot be restored (unknown, not of this folder, damaged), or a shard
    that changed since the plan was shown. Nothing was changed."""


@dataclass(frozen=True)
class Listed:
    """One rating as a restore lists it."""

    id: str
    dyad: str
    session: str
    rater: str
    updated: str

    def __str__(self) -> str:
        return f"{self.id}  dyad {self.dyad}  session {self.session}  rater {self.rater}"


@dataclass(frozen=True)
class RestorePlan:
    """What restoring `backup` over `shard` would do, decided before anything is written."""

    backup: Path
    shard: str
    restored: list[Listed]
    """In the backup and missing now (or older now): the restore brings them back."""
    unchanged: int
    """The same version now and in the backup."""
    added_since: list[Listed]
    """Stored in the shard now, absent from the backup: lost unless re-merged."""
    newer_now: list[Listed]
    """Stored now in a newer version than the backup's: reverted unless re-merged."""
    elsewhere: list[Listed] = field(default_factory=list)
    """In the backup, but stored in another shard now (moved since): left where they are."""
    still_missing: list[str] = field(default_factory=list)
    """Ids the index says are stored here, in neither the shard nor the backup."""
    unreadable: str | None = None
    """Why the shard cannot be read now (damaged), or None."""

    @property
    def at_risk(self) -> list[Listed]:
        """What the restore loses unless it re-merges: later ratings and later versions."""
        return [*self.added_since, *self.newer_now]

    @property
    def day(self) -> str:
        return self.backup.name.removesuffix(SUFFIX)


@dataclass(frozen=True)
class RestoreResult:
    restored: int
    remerged: int
    lost: int
    unchanged: int
    kept: Path | None
    """Where the shard as it was before the restore is kept (None when there was none)."""


def resolve(layout: Layout, wanted: str | Path) -> Path:
    """The backup file `wanted` names: its path, or `SHARD` (its newest backup) or
    `SHARD/DATE`. Anything that is not a daily backup of this folder's shards is refused."""
    text = str(wanted)
    shard, _, day = text.partition("/")
    if is_shard_name(shard) and (not day or _is_day(day.removesuffix(SUFFIX))):
        folder = layout.backups_of(layout.shard(shard)).folder
        if not day:
            existing = layout.backups_of(layout.shard(shard)).existing()
            if not existing:
                raise RestoreRefusedError(
                    f"there is no backup of {shard} in {folder}; nothing was changed"
                )
            return existing[0].parent.resolve() / existing[0].name
        path = folder / (day.removesuffix(SUFFIX) + SUFFIX)
    else:
        path = Path(wanted)
    path = path.parent.resolve() / path.name  # the file itself is not followed if a link
    shard = _shard_of(layout, path)
    if not path.exists():
        raise RestoreRefusedError(
            f"there is no backup {path}; nothing was changed. {_available(layout, shard)}"
        )
    return path


def _shard_of(layout: Layout, path: Path) -> str:
    """The shard `path` is a backup of; refused when it is not one of this folder's."""
    ratings = layout.backups_of(layout.shard(UNDATED)).folder.parent.resolve()
    try:
        relative = (path.parent.resolve() / path.name).relative_to(ratings)
    except ValueError:
        relative = None
    if (
        relative is None
        or len(relative.parts) != 2
        or not is_shard_name(relative.parts[0])
        or not path.name.endswith(SUFFIX)
        or not _is_day(path.name.removesuffix(SUFFIX))
    ):
        raise RestoreRefusedError(
            f"{path} is not a daily backup of a month file of {layout.root} (they are "
            f"{ratings}/<month>/<date>.json); nothing was changed"
        )
    return relative.parts[0]


def _check_split(layout: Layout, shard: str) -> None:
    """Refuse a backup that cannot go back as one file: of a month (or part) that has split
    since (its file now only names its parts, which hold its ratings: writing the backup over
    it would hide them), or of a part whose month is not split in this folder."""
    files = layout.shard_files()
    parts = [n for n in files if parent_shard(n) == shard]
    if parts:
        raise RestoreRefusedError(
            f"{shard} has split into {len(parts)} parts ({', '.join(parts[:3])}, ...) by "
            f"the first digits of the rating ids: {layout.shard(shard)} now only names them. "
            "Restoring a backup of the whole file over it would hide every rating in its "
            "parts, so it is not done; nothing was changed. A damaged part is restored from "
            f"its own backups (`rating-tui restore {parts[0]}`)."
        )
    parent = parent_shard(shard)
    if parent is not None and not any(parent_shard(n) == parent for n in files):
        raise RestoreRefusedError(
            f"{shard} is a part of {parent}, which is not split in this folder "
            f"({layout.shard(parent)} holds its ratings): restoring the part would store "
            f"ratings where nothing reads them; nothing was changed. {_available(layout, parent)}"
        )


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _available(layout: Layout, shard: str) -> str:
    found = layout.backups_of(layout.shard(shard)).existing()
    if not found:
        return f"{shard} has no backups."
    return f"Backups of {shard}: " + ", ".join(p.name.removesuffix(SUFFIX) for p in found) + "."


def plan(engine: Engine, backup: Path) -> RestorePlan:
    """Compare `backup` with what is stored now (the caller holds the lock); refuse a backup
    that cannot be restored with `RestoreRefusedError`, before anything is written."""
    layout = engine.layout
    shard = _shard_of(layout, backup)
    _check_split(layout, shard)
    path = layout.shard(shard)
    old = _read_backup(engine, backup, path, shard)
    unreadable: str | None = None
    try:
        now = dict(engine.files.records(path, RATINGS_TABLE))
    except StoreError as exc:
        unreadable, now = str(exc).splitlines()[0], {}
    indexed = _indexed_in(engine, shard)
    roles = engine.roles()
    moved = _located(engine, [i for i in old if i not in now])
    restored, added_since, newer_now, elsewhere = [], [], [], []
    unchanged = 0
    for rating_id, record in old.items():
        if rating_id in moved and moved[rating_id][0] != shard:
            elsewhere.append(_listed(rating_id, moved[rating_id][1], roles))
        elif rating_id not in now or _updated(record) > _updated(now[rating_id]):
            restored.append(_listed(rating_id, record, roles))
        elif _updated(now[rating_id]) > _updated(record):
            newer_now.append(_listed(rating_id, now[rating_id], roles))
        else:
            unchanged += 1
    for rating_id, record in now.items():
        if rating_id not in old:
            added_since.append(_listed(rating_id, record, roles))
    missing = sorted(i for i in indexed if i not in now and i not in old)
    return RestorePlan(
        backup, shard, restored, unchanged, added_since, newer_now, elsewhere, missing, unreadable
    )


def apply(engine: Engine, shown: RestorePlan, *, remerge: bool) -> RestoreResult:
    """Restore `shown.backup` (the caller holds the write lock), re-merging the ratings at
    risk when `remerge`. Refused if the plan is not what was shown (a save in between)."""
    layout = engine.layout
    current = plan(engine, shown.backup)
    if current != shown:
        raise RestoreRefusedError(
            f"{layout.shard(shown.shard)} changed since the list above was made (a rating was "
            "saved meanwhile); nothing was changed. Run the command again to see the new list."
        )
    path = layout.shard(current.shard)
    old = _read_backup(engine, current.backup, path, current.shard)
    content = {i: r for i, r in old.items() if i not in {e.id for e in current.elsewhere}}
    now = {} if current.unreadable else dict(engine.files.records(path, RATINGS_TABLE))
    lost_ids = [e.id for e in current.added_since]
    if remerge:
        content |= {e.id: now[e.id] for e in current.at_risk}
        lost_ids = []
    raw = fileio.read_bytes(path)
    kept = None
    if raw is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        kept = layout.backups_of(path).folder / f"{KEPT_PREFIX}{stamp}{SUFFIX}"
        fileio.make_private_dir(kept.parent)
        fileio.write_atomic(kept, raw, layout.backups)
    if current.unreadable:
        fileio.remove(path, "set aside the damaged month file (a copy is kept)")
    try:
        _commit(engine, path, current.shard, content, lost_ids)
    except StoreError as exc:
        if current.unreadable and raw is not None and not getattr(exc, "committed", False):
            fileio.write_atomic(path, raw)
        raise
    at_risk = len(current.at_risk)
    return RestoreResult(
        restored=len(current.restored),
        remerged=at_risk if remerge else 0,
        lost=0 if remerge else at_risk,
        unchanged=current.unchanged,
        kept=kept,
    )


def _commit(
    engine: Engine, path: Path, shard: str, content: dict[str, Any], lost: list[str]
) -> None:
    """The shard, its index entries and the manifest's counts in one transaction."""
    layout = engine.layout
    changes: dict[str, str | None] = dict.fromkeys(content, entry_name(shard))
    changes |= dict.fromkeys(lost, None)
    txn = engine.transaction()
    if index.lookup(layout, txn, changes) is None:  # as a write does: rebuild first
        reindex.rebuild(engine.files)
        txn.reread()

    def replace(records: Records) -> None:
        records.clear()
        records.update(content)

    dyads.note(txn, month_of(shard), content.values(), engine.roles(txn))
    txn.change(path, RATINGS_TABLE, replace)
    index.set_entries(txn, changes)
    txn.commit()


def _read_backup(engine: Engine, backup: Path, path: Path, shard: str) -> Records:
    """The ratings of a backup, every one checked; `RestoreRefusedError` otherwise."""
    older = _available(engine.layout, shard)
    try:
        raw = fileio.read_bytes(backup)
        if raw is None:
            raise RestoreRefusedError(f"there is no backup {backup}; nothing was changed")
        tables = engine.files.storage(path).parse(raw)
    except RestoreRefusedError:
        raise
    except StoreError as exc:
        why = str(exc).splitlines()[0].replace(str(path), str(backup))
        raise RestoreRefusedError(
            f"the backup cannot be restored: {why} Nothing was changed. {older}"
        ) from None
    if tables.get(SPLIT_TABLE):
        raise RestoreRefusedError(
            f"the backup {backup} is of a file that only named the parts of {shard} (it holds "
            f"no ratings); nothing was changed. {older}"
        )
    records = tables.get(RATINGS_TABLE, {})
    prefix = "" if is_part(shard) else shard.partition(".")[2]  # a part by the id: its digits
    stray = next((i for i in records if not i.startswith(prefix)), None)
    if stray is not None:
        raise RestoreRefusedError(
            f"the backup {backup} holds rating {stray!r}, which does not belong in {shard} "
            f"(its ids start with {prefix!r}); nothing was changed. {older}"
        )
    registry = engine.registry()
    for rating_id, record in records.items():
        problem = check_record(rating_id, record, registry)
        if problem:
            raise RestoreRefusedError(
                f"the backup {backup} is damaged: rating {rating_id!r}: {problem}. Nothing was "
                f"changed. {older}"
            )
    return records


def _located(engine: Engine, ids: list[str]) -> dict[str, tuple[str, Any]]:
    """Where `ids` are stored now; when a shard the index points at cannot be read (the
    damaged one being restored), the readable shards themselves are consulted."""
    try:
        return engine.locate_many(ids)
    except StoreError:
        where = index.scan(engine.layout, engine.files, strict=False)
    found = {}
    for rating_id in ids:
        if rating_id in where:
            records = engine.shard_records(where[rating_id])
            found[rating_id] = (where[rating_id], records[rating_id])
    return found


def _indexed_in(engine: Engine, shard: str) -> list[str]:
    """Ids the index files that can be read say are stored in `shard` (entries name a part
    of a month or the month; a part of a month split by the id holds the ids starting with
    its digits)."""
    named = entry_name(shard)
    prefix = "" if is_part(shard) else shard.partition(".")[2]
    found = []
    for bucket in index.index_files(engine.layout, engine.files):
        try:
            entries = engine.files.records(bucket, INDEX_TABLE)
        except StoreError:
            continue
        found += [
            i for i, e in entries.items() if index.entry_shard(e) == named and i.startswith(prefix)
        ]
    return found


def _updated(record: Any) -> datetime:
    """A stored record's version time; one that cannot be read counts as newest, so that the
    restore offers to keep it rather than silently replace it."""
    try:
        moment = datetime.fromisoformat(str(record["updated"]))
    except (KeyError, TypeError, ValueError):
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _listed(rating_id: str, record: Any, roles: dict[str, dict[str, str | None]]) -> Listed:
    try:
        rating = Rating.model_validate(record)
    except ValidationError:
        return Listed(rating_id, "?", "?", "?", str(_field(record, "updated")))
    keys = roles.get(rating.instrument.ref, {})

    def value(role: str) -> str:
        key = keys.get(role)
        found = rating.session.get(key) if key else None
        return "" if found is None else str(found)

    day, number = value("session_date"), value("session_number")
    session = " #".join(p for p in (day or "undated", number) if p)
    return Listed(
        rating_id, value("dyad") or "-", session, rating.rater, rating.updated.isoformat()
    )


def _field(record: Any, key: str) -> object:
    return record.get(key, "?") if isinstance(record, dict) else "?"
