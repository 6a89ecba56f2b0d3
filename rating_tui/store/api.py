"""The Store API that the TUI, the CLI and the exporters use; nothing else touches the files.

    store = Store.open(paths.data_dir(option))
    draft = store.save_draft(Rating.new(instrument, "AB"), instrument)  # on every change
    final = store.finalise(draft, instrument)
    store.update(final.with_answer("holding", Answered(value=2)), instrument,
                 by="AB", reason="mis-keyed")
    store.void(final.id, by="AB", reason="rated the wrong session")
    store.list(dyad="D017", limit=50)      # newest first, final ratings unless asked
    for rating in store.iter_all(): ...    # everything, streamed, for exports

Every call that returns has made its change durable. Every refusal is a `StoreError` whose
message can be shown as is; a refused or failed call changes nothing.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import (
    FINAL_ONLY,
    UUID_PATTERN,
    HistoryEntry,
    Rating,
    Revision,
    Status,
    utc_now,
)
from rating_tui.ratings.validate import RatingProblem
from rating_tui.store import audit, bulk, crypto, doctor, restore, snapshots, streaming
from rating_tui.store.codec import Codec
from rating_tui.store.engine import Engine
from rating_tui.store.errors import (
    RatingInvalidError,
    RatingNotFoundError,
    RatingStateError,
)
from rating_tui.store.index import IndexReport
from rating_tui.store.layout import Layout, by_month, newest_first
from rating_tui.store.query import Query, sort_key
from rating_tui.store.records import (
    HashCache,
    check_base,
    check_rating,
    next_time,
    require_reason,
    target_shard,
    to_rating,
)
from rating_tui.store.shapes import check_statuses
from rating_tui.store.tally import Tally
from rating_tui.store.transaction import Transaction

DEFAULT_LOCK_TIMEOUT = 10.0
DEFAULT_KEEP_BACKUPS = 7
_T = TypeVar("_T")


@dataclass(frozen=True)
class ImportResult:
    added: int
    unchanged: int


class Store:
    """One data folder of ratings. Safe to use from several processes at once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._hash = HashCache()

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        codec: Codec | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        keep_backups: int = DEFAULT_KEEP_BACKUPS,
    ) -> Store:
        """Open (creating it 0700 if needed) the data folder `data_dir`; see `paths.data_dir`.
        Without `codec`, the folder's own: plain, or encrypted and unlocked by its passphrase
        (`crypto.codec_for`; `PassphraseError` when none or a wrong one is given)."""
        if codec is None:
            codec = crypto.codec_for(Path(data_dir))
        engine = Engine(Layout(Path(data_dir), keep_backups), codec, lock_timeout)
        engine.start()
        return cls(engine)

    @property
    def data_dir(self) -> Path:
        return self._engine.layout.root

    @property
    def encrypted(self) -> bool:
        """True when the folder's files are encrypted (its codec is not plain)."""
        return self._engine.codec.name != "plain"

    @property
    def read_only(self) -> bool:
        """True when the folder is not writable: reading works, saving raises."""
        return self._engine.read_only

    def locked(self) -> AbstractContextManager[None]:
        """Hold the data folder's lock, e.g. around `files.open_tinydb` writes by tools."""
        return self._engine.locked(write=True)

    # --- saving -------------------------------------------------------------------------------

    def save_draft(self, rating: Rating, instrument: Instrument) -> Rating:
        """Save work in progress (status becomes draft). Refused once the rating is final."""
        draft = rating.replace(status="draft")
        return self._save(draft, instrument, ("draft",), "saved as a draft")

    def finalise(self, rating: Rating, instrument: Instrument) -> Rating:
        """Save `rating` as final after checking it is complete; a stored draft becomes final."""
        final = rating.replace(status="final")
        return self._save(final, instrument, ("draft",), "finalised")

    def update(
        self, rating: Rating, instrument: Instrument, *, by: str, reason: str | None = None
    ) -> Rating:
        """Change a stored rating. A draft is simply saved again; a final rating needs a
        `reason`, and its previous content is kept as a revision with `by`, the time and the
        reason. Voided ratings cannot be edited. Saving unchanged content changes nothing.
        `rating.updated` says which stored version the change is based on: if the rating was
        changed since, `RatingConflictError` says by whom and when, and nothing is saved."""
        hash_ = self._hash(instrument)
        with self._engine.locked(write=True):
            txn = self._engine.transaction()
            shard, stored = self._stored(rating.id, txn)
            if stored.status == "draft":
                return self._save(
                    rating.replace(status="draft"), instrument, ("draft",), "saved as a draft"
                )
            if stored.status == "voided":
                raise RatingStateError(f"rating {rating.id} is voided and cannot be edited")
            check_base(rating.id, rating.updated, stored)
            why = require_reason(reason, by, f"editing final rating {rating.id}")
            content = rating.content().model_copy(update={"status": "final"})
            if content == stored.content():
                return stored
            check_rating(content, rating.id, instrument, hash_)
            roles = self._engine.admit(txn, instrument, hash_)
            revision = Revision(
                at=next_time(stored), by=by, reason=why, action="update", previous=stored.content()
            )
            new = stored.with_content(
                content, updated=revision.at, revisions=[*stored.revisions, revision]
            )
            self._put(txn, new, roles, shard)
            txn.commit()
            return new

    def void(
        self, rating_id: str, *, by: str, reason: str, based_on: datetime | None = None
    ) -> Rating:
        """Withdraw a rating (draft or final), keeping it and its history, with a reason.
        `based_on` is the `updated` time of the version the rater saw: if the rating was
        changed since, `RatingConflictError` says by whom and when, and nothing is saved."""
        why = require_reason(reason, by, f"voiding rating {rating_id}")
        with self._engine.locked(write=True):
            txn = self._engine.transaction()
            shard, stored = self._stored(rating_id, txn)
            if stored.status == "voided":
                raise RatingStateError(f"rating {rating_id} is already voided")
            if based_on is not None:
                check_base(rating_id, based_on, stored)
            revision = Revision(
                at=next_time(stored), by=by, reason=why, action="void", previous=stored.content()
            )
            new = stored.replace(
                status="voided", updated=revision.at, revisions=[*stored.revisions, revision]
            )
            roles = self._engine.roles().get(stored.instrument.ref, {})
            self._put(txn, new, roles, shard)
            txn.commit()
            return new

    def import_ratings(
        self, ratings: Iterable[Rating], instruments: Mapping[str, Instrument]
    ) -> ImportResult:
        """Add complete ratings (e.g. from JSON Lines), all or nothing: every rating is checked
        against `instruments` (keyed by id@version) and against what is stored before anything
        is written, and all of them are written in one transaction. A rating already stored
        with the same content is left as it is; one with the same id and other content is
        refused (`RatingConflictError`), also when the index is missing or damaged."""
        added, unchanged, _ = self.merge_ratings(ratings, [], instruments)
        return ImportResult(added=added, unchanged=unchanged)

    def replace_merged(
        self, ratings: Iterable[Rating], instruments: Mapping[str, Instrument]
    ) -> int:
        """Put merged copies in place of stored ratings (`merge --into` an existing folder).

        Each must be valid and must keep what is stored now, as its current content or as the
        `previous` of one of its revisions, so nothing stored is lost; otherwise nothing is
        written (`RatingConflictError`). Returns how many stored ratings were replaced."""
        return self.merge_ratings([], ratings, instruments)[2]

    def merge_ratings(
        self,
        new: Iterable[Rating],
        merged: Iterable[Rating],
        instruments: Mapping[str, Instrument],
    ) -> tuple[int, int, int]:
        """`import_ratings(new)` and `replace_merged(merged)` as one transaction: all of it is
        stored, or (on any refusal, a full disk, a crash) none of it. Returns (added, already
        present unchanged, replaced)."""
        batch, replacing = list(new), list(merged)
        for rating in [*batch, *replacing]:
            instrument = instruments.get(rating.instrument.ref)
            if instrument is None:
                problem = RatingProblem("instrument", f"{rating.instrument.ref} is not known")
                raise RatingInvalidError(rating.id, [problem])
            check_rating(rating, rating.id, instrument, self._hash(instrument))
        with self._engine.locked(write=True):
            txn = self._engine.transaction()
            added, placed = bulk.plan(
                self._engine, txn, batch, replacing, instruments, self._hash, self._rating
            )
            self._engine.add_many(txn, [(s, r.model_dump(mode="json")) for r, s in added])
            for rating, shard in placed:
                instrument = instruments[rating.instrument.ref]
                roles = self._engine.admit(txn, instrument, self._hash(instrument))
                self._put(txn, rating, roles, shard)
            txn.commit()
        return len(added), len(batch) - len(added), len(placed)

    # --- reading ------------------------------------------------------------------------------

    def get(self, rating_id: str) -> Rating:
        """The rating with this id, whatever its status; `RatingNotFoundError` otherwise."""
        with self._engine.locked(write=False):
            return self._stored(rating_id)[1]

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one rating whose id starts with `prefix` (at least 4 characters,
        as shown in lists), for commands like `ratings show 3f2a9c`."""
        wanted = prefix.strip().lower()
        if len(wanted) < 4 or not re.fullmatch(r"[0-9a-f-]+", wanted):
            raise RatingNotFoundError(f"{prefix!r} is not a rating id or the start of one")
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
            whole = True
            for month, parts in by_month(self._engine.layout.shard_names()):
                if not query.month_may_match(month):
                    whole = False
                    continue
                hits: builtins.list[tuple[str, dict[str, Any]]] = []
                for shard in parts:  # the parts of a month that has split
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
        """Every rating of `dyads` with one of `statuses`, in no particular order, from a
        snapshot as `iter_all` reads (saves go on meanwhile); only theirs are validated."""
        with snapshots.frozen_shards(self._engine) as (folder, names):
            roles = self._engine.roles()
            wanted = frozenset(dyads)
            yield from streaming.dyad_ratings(
                self._engine, self._rating, folder, names, roles, wanted, statuses
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

    # --- doctor -------------------------------------------------------------------------------

    def check(self, instruments: Iterable[Instrument] = ()) -> builtins.list[doctor.Finding]:
        """Everything `rating-tui doctor` reports (errors first); changes nothing.
        `instruments` (the instrument files found) are compared with the copies kept here."""
        return doctor.check(self._engine, instruments)

    def audit_log(self) -> audit.Log | None:
        """Every entry of the folder's audit log (chain checked), or None before the first
        save that kept one."""
        with self._engine.locked(write=False):
            return audit.read(self.data_dir, self._engine.codec)

    def kept_instrument(self, content_hash: str) -> Instrument | None:
        """The kept copy of the instrument with this content hash, if this folder has one."""
        return self._engine.kept_instrument(content_hash)

    def stored_instruments(self) -> builtins.list[Instrument]:
        """The instrument versions this folder holds ratings of, as kept in the folder on
        first use, so ratings can be read when an instrument file is lost or edited."""
        return self._engine.stored_instruments()[0]

    def rebuild_index(self) -> IndexReport:
        """Rebuild the id index from the month files (a damaged index file is set aside);
        files that are not regular files (a link to a device, a FIFO) are set aside first."""
        return doctor.repair(self._engine)

    def restore_plan(self, backup: str | Path) -> restore.RestorePlan:
        """What restoring a backup (path, MONTH or MONTH/DATE) brings back and loses."""
        with self._engine.locked(write=False):
            return restore.plan(self._engine, restore.resolve(self._engine.layout, backup))

    def restore(self, shown: restore.RestorePlan, *, remerge: bool) -> restore.RestoreResult:
        """Restore `shown.backup`, all or nothing; refused if the month changed since."""
        with self._engine.locked(write=True):
            return restore.apply(self._engine, shown, remerge=remerge)

    # --- internals ----------------------------------------------------------------------------

    def _save(
        self, rating: Rating, instrument: Instrument, allowed: tuple[Status, ...], verb: str
    ) -> Rating:
        hash_ = self._hash(instrument)
        check_rating(rating, rating.id, instrument, hash_)
        with self._engine.locked(write=True):
            txn = self._engine.transaction()
            roles = self._engine.admit(txn, instrument, hash_)
            found = self._engine.locate(rating.id, txn)
            shard, created, updated = None, rating.created, utc_now()
            if found is not None:
                shard, stored = found[0], self._rating(found[1], found[0])
                if stored.status not in allowed:
                    advice = "use update with a reason" if stored.status == "final" else ""
                    raise RatingStateError(
                        f"rating {rating.id} is {stored.status} and cannot be {verb}; {advice}"
                        if advice
                        else f"rating {rating.id} is {stored.status} and cannot be {verb}"
                    )
                check_base(rating.id, rating.updated, stored)
                created, updated = stored.created, next_time(stored)
            new = rating.replace(created=created, updated=updated, revisions=[])
            self._put(txn, new, roles, shard)
            txn.commit()
            return new

    def _put(
        self,
        txn: Transaction,
        rating: Rating,
        roles: Mapping[str, str | None],
        shard: str | None,
    ) -> None:
        self._engine.put(txn, rating.model_dump(mode="json"), target_shard(rating, roles), shard)

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
