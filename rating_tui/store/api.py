"""The Store API that the TUI, the CLI and the exporters use; nothing else touches the files.

    store = Store.open(paths.data_dir(option))
    draft = store.save_draft(Rating.new(instrument, "AB"), instrument)  # on every change
    final = store.finalise(draft, instrument)
    store.update(final.with_answer("holding", Answered(value=2)), instrument,
                 by="AB", reason="mis-keyed")
    store.void(final.id, by="AB", reason="rated the wrong session")
    store.list(dyad="D017", limit=50)      # newest first, final ratings unless asked
    for rating in store.iter_all(): ...    # everything, streamed, for exports (reads.py)

Every call that returns has made its change durable. Every refusal is a `StoreError` whose
message can be shown as is; a refused or failed call changes nothing.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import (
    Rating,
    Revision,
    Status,
    utc_now,
)
from rating_tui.ratings.validate import RatingProblem
from rating_tui.store import audit, bulk, crypto, doctor, journal, restore
from rating_tui.store.codec import Codec
from rating_tui.store.engine import Engine
from rating_tui.store.errors import (
    RatingInvalidError,
    RatingStateError,
)
from rating_tui.store.index import IndexReport
from rating_tui.store.layout import Layout
from rating_tui.store.reads import Reads
from rating_tui.store.records import (
    HashCache,
    check_base,
    check_rating,
    next_time,
    require_reason,
    target_shard,
)
from rating_tui.store.transaction import Transaction

DEFAULT_LOCK_TIMEOUT = 10.0
DEFAULT_KEEP_BACKUPS = 7
_T = TypeVar("_T")


@dataclass(frozen=True)
class ImportResult:
    added: int
    unchanged: int


class Store(Reads):
    """One data folder of ratings. Safe to use from several processes at once. Reading is
    `Reads` (reads.py); saving, importing, merging and the doctor's calls are here."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
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
        return self.import_batches([list(ratings)], instruments)

    def import_batches(
        self, batches: Iterable[Sequence[Rating]], instruments: Mapping[str, Instrument]
    ) -> ImportResult:
        """`import_ratings` of every batch, as one transaction: all of them or none. Batches
        are taken one at a time, and the transaction holds one batch in memory (what each
        batch changed is written to staged files before the next is taken: `spilled`). See
        `merge_batches` for what the caller must guarantee."""
        added, unchanged, _ = self.merge_batches(((b, ()) for b in batches), instruments)
        return ImportResult(added=added, unchanged=unchanged)

    def merge_batches(
        self,
        batches: Iterable[tuple[Sequence[Rating], Sequence[Rating]]],
        instruments: Mapping[str, Instrument],
    ) -> tuple[int, int, int]:
        """`merge_ratings(new, merged)` of every (new, merged) batch, as one transaction: all
        of it is stored, or (on any refusal in any batch, a full disk, an interrupt, a crash)
        none of it. Returns (added, already present unchanged, replaced), summed.

        Each batch is checked (`check_rating`), planned against what is stored and what the
        earlier batches added (`bulk.plan`: a conflict raises), and added; when another
        batch follows, what it changed is spilled to staged files first (`Transaction.spill`),
        so memory follows one batch, not the whole. The folder's lock is held from the first
        batch to the commit, while `batches` is iterated: the caller's reading happens under
        it. One batch behaves exactly as `merge_ratings` did (a small one is carried in its
        journal). The caller keeps ids from repeating across batches (an id repeated with the
        same content counts as unchanged, with other content it is refused, as within a
        batch, but finding it costs a lookup); an exception raised by `batches` itself
        abandons everything too."""
        source = iter(batches)
        first = next(source, None)
        new, merged = ([], []) if first is None else (list(first[0]), list(first[1]))
        first = None
        self._check_batch(new, merged, instruments)
        totals = [0, 0, 0]
        with self._engine.locked(write=True):
            txn = self._engine.transaction()
            try:
                while True:
                    counts = self._merge_batch(txn, new, merged, instruments)
                    totals = [t + c for t, c in zip(totals, counts, strict=True)]
                    new = merged = []  # (let go before the caller makes the next batch)
                    following = next(source, None)
                    if following is None:
                        break
                    txn.spill()
                    new, merged = list(following[0]), list(following[1])
                    following = None
                    self._check_batch(new, merged, instruments)
                txn.commit()
            except BaseException:
                txn.abandon()
                raise
        return totals[0], totals[1], totals[2]

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
        present unchanged, replaced). The one-batch case of `merge_batches`."""
        return self.merge_batches([(list(new), list(merged))], instruments)

    def _check_batch(
        self, new: list[Rating], merged: list[Rating], instruments: Mapping[str, Instrument]
    ) -> None:
        """`check_rating` of every rating of a batch against its instrument."""
        for rating in [*new, *merged]:
            instrument = instruments.get(rating.instrument.ref)
            if instrument is None:
                problem = RatingProblem("instrument", f"{rating.instrument.ref} is not known")
                raise RatingInvalidError(rating.id, [problem])
            check_rating(rating, rating.id, instrument, self._hash(instrument))

    def _merge_batch(
        self,
        txn: Transaction,
        batch: list[Rating],
        replacing: list[Rating],
        instruments: Mapping[str, Instrument],
    ) -> tuple[int, int, int]:
        """Plan one batch (every refusal happens here) and add it to `txn`."""
        added, placed, unindexed = bulk.plan(
            self._engine, txn, batch, replacing, instruments, self._hash, self._rating
        )
        records = [(s, r.model_dump(mode="json")) for r, s in added]
        self._engine.add_many(txn, records, unindexed)
        for rating, shard in placed:
            instrument = instruments[rating.instrument.ref]
            roles = self._engine.admit(txn, instrument, self._hash(instrument))
            self._put(txn, rating, roles, shard)
        return len(added), len(batch) - len(added), len(placed)

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
            journal.settle_all(self._engine.files)  # (a month is replaced without one)
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
