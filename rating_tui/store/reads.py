"""Reading a data folder: one rating, lists newest first, and every rating streamed from a
snapshot for exports and analyses. `Store` (api.py) adds saving to these; this half never
writes, and the lists and streams say through a `Tally` when the folder lost ratings."""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Collection, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from rating_tui.ratings.model import FINAL_ONLY, UUID_PATTERN, HistoryEntry, Rating, Status
from rating_tui.store import dyads as dyad_months
from rating_tui.store import fileio, snapshots, streaming
from rating_tui.store.engine import Engine
from rating_tui.store.errors import RatingNotFoundError, StoreError
from rating_tui.store.layout import by_month, newest_first
from rating_tui.store.query import Query, sort_key
from rating_tui.store.records import to_rating
from rating_tui.store.shapes import check_statuses
from rating_tui.store.tally import Tally
from rating_tui.store.transaction import Transaction

_T = TypeVar("_T")
LOCKED_READ = 64
"""Shard files at most that `of_dyads` reads under the lock, without a snapshot."""


class Reads:
    """The reading half of `Store`, over one folder's engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def data_dir(self) -> Path:
        return self._engine.layout.root

    def get(self, rating_id: str) -> Rating:
        """The rating with this id, whatever its status; `RatingNotFoundError` otherwise."""
        with self._engine.locked(write=False):
            return self._stored(rating_id)[1]

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one rating whose id starts with `prefix` (at least 4 characters,
        as shown in lists), for commands like `ratings show 3f2a9c`."""
        wanted = prefix.strip().lower()
        if not re.fullmatch(r"[0-9a-f-]+", wanted):
            raise RatingNotFoundError(f"{prefix!r} is not a rating id or the start of one")
        if len(wanted) < 4:  # it may well start an id: say what is missing, not that it is wrong
            raise RatingNotFoundError(
                f"{prefix!r} is too short: give at least 4 characters of the rating id"
            )
        with self._engine.locked(write=False):
            ids = [i for i in self._engine.index_ids(wanted[:2]) if i.startswith(wanted)]
        if len(ids) != 1:
            what = "no rating" if not ids else f"{len(ids)} ratings"
            raise RatingNotFoundError(f"{what} in {self.data_dir} with an id starting {prefix!r}")
        return ids[0]

    def history(self, rating_id: str) -> list[HistoryEntry]:
        """Every version of a rating, oldest first, with who saved it, when and why."""
        return self.get(rating_id).history()

    def list(
        self,
        *,
        dyad: str | None = None,
        rater: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        instrument: str | None = None,
        statuses: Collection[Status] = FINAL_ONLY,
        limit: int | None = 50,
        tally: Tally | None = None,
        fold_case: bool = False,
    ) -> list[Rating]:
        """Ratings matching every given filter, newest session first (then newest created).
        Reads months newest first and stops once `limit` are found. `tally` (if given) says
        afterwards whether the months read lacked ratings the manifest counts; it checks the
        months the read reached, and every month only when none was skipped. `fold_case`
        matches dyad and rater codes whatever their case (`Query.fold_case`)."""
        query = Query(dyad, rater, date_from, date_to, instrument, statuses, fold_case)
        found: list[tuple[str, dict[str, Any]]] = []
        seen: set[str] = set()  # a move the disk was too full to finish leaves two copies
        with self._engine.locked(write=False):
            if tally is not None:
                tally.freeze(self._engine)
            roles = self._engine.roles()
            # One dyad's ratings, unchecked (the rating form's checks): a file whose text names
            # no rating of the dyad is not parsed (a dyad has a few dozen ratings among
            # 100,000). With a tally every file is parsed and counted: a month that lost a
            # part must not pass unseen because its other parts hold none of the dyad.
            field = None
            if dyad is not None and not fold_case and tally is None:
                field = streaming.dyad_field(roles)
            whole = True
            for month, parts in by_month(self._engine.layout.shard_names()):
                if not query.month_may_match(month):
                    whole = False
                    continue
                hits: builtins.list[tuple[str, dict[str, Any]]] = []
                for shard in parts:  # the parts of a month that has split
                    if field is not None and self._names_none(shard, field, str(dyad)):
                        continue  # (no tally then: see `field`)
                    records = self._engine.shard_records(shard)
                    check_statuses(self._engine.layout, shard, records)
                    if tally is not None:
                        tally.add(shard, len(records))
                    hits += [
                        (shard, r)
                        for r in records.values()
                        if query.matches(r, roles) and r.get("id") not in seen
                    ]
                seen.update(str(r.get("id")) for _, r in hits)
                hits.sort(key=lambda hit: sort_key(hit[1], roles), reverse=True)
                found += hits
                if limit is not None and len(found) >= limit:
                    whole = False
                    break
            if tally is not None:
                tally.complete = whole
        return [self._rating(r, shard) for shard, r in found[:limit]]

    def iter_all(
        self, *, statuses: Collection[Status] = FINAL_ONLY, tally: Tally | None = None
    ) -> Iterator[Rating]:
        """Every rating with one of `statuses`, oldest month first, one month in memory at a
        time. It reads a consistent snapshot, so saves go on while an export runs. `tally`
        (if given) says afterwards whether ratings the folder counts were not found."""
        with snapshots.frozen_shards(self._engine, tally) as (folder, names):
            roles = self._engine.roles()
            for _, parts in reversed(by_month(newest_first(names))):
                yield from streaming.month_ratings(
                    self._engine, self._rating, folder, parts, roles, statuses, tally
                )
            if tally is not None:
                tally.complete = True

    def of_dyads(
        self, dyads: Collection[str], *, statuses: Collection[Status] = FINAL_ONLY
    ) -> Iterator[Rating]:
        """Every rating of `dyads` with one of `statuses`, in no particular order; only theirs
        are validated. Only the months whose summary names one of `dyads` are read, and every
        month without a summary (`dyads`); a few files are read under the lock, more from a
        snapshot as `iter_all` reads (saves go on meanwhile)."""
        engine, wanted = self._engine, frozenset(dyads)
        with engine.locked(write=False):
            names = dyad_months.to_read(
                engine.files, engine.layout, engine.layout.shard_names(), wanted
            )
            if len(names) <= LOCKED_READ:
                yield from streaming.dyad_ratings(
                    engine,
                    self._rating,
                    engine.layout.ratings,
                    names,
                    engine.roles(),
                    wanted,
                    statuses,
                )
                return
        with snapshots.frozen_shards(engine) as (folder, linked):
            # Summaries read after the snapshot was taken: they only grow, so never less.
            names = dyad_months.to_read(engine.files, engine.layout, linked, wanted)
            yield from streaming.dyad_ratings(
                engine, self._rating, folder, names, engine.roles(), wanted, statuses
            )

    def iter_records(
        self,
        read: Callable[[dict[str, Any]], _T | None],
        *,
        statuses: Collection[Status] = FINAL_ONLY,
        tally: Tally | None = None,
        read_in_file_order: bool = False,
    ) -> Iterator[_T]:
        """`read(record)` for every rating `iter_all` would yield, in the same order and from
        the same kind of snapshot, where `record` is the stored dict rather than a validated
        Rating: the fast path of exports, which skips building a model per rating.

        Records are validated before they are written, so a record normally has exactly the
        form `Rating.model_dump(mode="json")` gives, and `read` may take it as such, checking
        cheaply only what it uses. If it finds anything else, it returns None and the store
        validates that record as `iter_all` does: a damaged one raises `StoreCorruptError`
        naming its file and id; a valid one in another form (a hand edit) is given to `read`
        again as its Rating's dump, which `read` must take. `read` must not keep or change
        the dict it is given. `tally` as for `iter_all`. With `read_in_file_order`, `read` is
        called in the order of the month's files, as each is parsed, and only its results are
        kept until the month is sorted (less memory; see `streaming.read_month`)."""
        with snapshots.frozen_shards(self._engine, tally) as (folder, names):
            roles = self._engine.roles()
            quick_key = streaming.stored_sort_key(roles)
            for _, parts in reversed(by_month(newest_first(names))):
                # One month at a time, gone before the next is parsed (memory stays warm).
                yield from streaming.read_month(
                    self._engine,
                    self._rating,
                    folder,
                    parts,
                    roles,
                    quick_key,
                    read,
                    statuses,
                    tally,
                    read_in_file_order,
                )
            if tally is not None:
                tally.complete = True

    def instruments_used(self) -> dict[str, str]:
        """id@version -> content hash of every instrument version ratings were saved with."""
        with self._engine.locked(write=False):
            return {ref: str(e.get("hash")) for ref, e in self._engine.registry().items()}

    # --- internals ----------------------------------------------------------------------------

    def _names_none(self, shard: str, field: re.Pattern[bytes], dyad: str) -> bool:
        """True when the text of shard file `shard` surely holds no rating of `dyad`
        (`streaming.names_any`; a file that cannot be read or decoded is parsed instead)."""
        try:
            raw = fileio.read_bytes(self._engine.layout.shard(shard))
        except StoreError:
            return False
        return raw is not None and not streaming.names_any(self._engine, raw, field, {dyad})

    def _stored(self, rating_id: str, txn: Transaction | None = None) -> tuple[str, Rating]:
        if not re.fullmatch(UUID_PATTERN, rating_id):
            raise RatingNotFoundError(
                f"{rating_id!r} is not a rating id (expected a UUID like "
                "3f2a9c1e-8b7d-4e2f-9a61-0c5d3e7f1b24)"
            )
        found = self._engine.locate(rating_id, txn)
        if found is None:
            raise RatingNotFoundError(f"no rating with id {rating_id} in {self.data_dir}")
        return found[0], self._rating(found[1], found[0])

    def _rating(self, record: dict[str, Any], shard: str) -> Rating:
        return to_rating(record, self._engine.layout, shard)
