"""What an import or a merge would change, decided before anything is written: new ratings
and where they go, and merged copies that replace stored ones. Every refusal happens here,
so the transaction that follows writes all of it or (on a refusal) nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Rating
from rating_tui.store.engine import Engine
from rating_tui.store.errors import RatingConflictError, RatingNotFoundError
from rating_tui.store.records import target_shard
from rating_tui.store.transaction import Transaction

ToRating = Callable[[dict[str, Any], str], Rating]


def plan(
    engine: Engine,
    txn: Transaction,
    new: list[Rating],
    merged: list[Rating],
    instruments: Mapping[str, Instrument],
    hash_of: Callable[[Instrument], str],
    to_rating: ToRating,
) -> tuple[list[tuple[Rating, str]], list[tuple[Rating, str]], set[str]]:
    """([(new rating, its shard)], [(merged copy, the shard of the stored one)], the ids the
    index holds no entry for (for `Engine.add_many`)). A new
    rating already stored with other content, or a merged copy that does not keep the stored
    version in its history, is refused (`RatingConflictError`). Ids are looked up in the
    shards themselves when the index cannot be trusted (`Engine.locate_batch`)."""
    found, unindexed = engine.locate_batch([r.id for r in [*new, *merged]], txn)
    added: dict[str, tuple[Rating, str]] = {}
    admitted: dict[str, dict[str, str | None]] = {}
    for rating in new:
        ref = rating.instrument.ref
        roles = admitted.get(ref)
        if roles is None:  # once per instrument version, not per rating
            instrument = instruments[ref]
            roles = admitted[ref] = engine.admit(txn, instrument, hash_of(instrument))
        if rating.id in found:
            earlier = to_rating(found[rating.id][1], found[rating.id][0])
        elif rating.id in added:
            earlier = added[rating.id][0]
        else:
            added[rating.id] = (rating, target_shard(rating, roles))
            continue
        if earlier != rating:
            raise RatingConflictError(
                f"rating {rating.id} is already stored or imported with other content; "
                "nothing from this import was saved"
            )
    placed = []
    for rating in merged:
        if rating.id not in found:
            raise RatingNotFoundError(f"no rating with id {rating.id} in {engine.layout.root}")
        shard, record = found[rating.id]
        stored = to_rating(record, shard)
        kept = [rating.content(), *(r.previous for r in rating.revisions)]
        if stored.content() not in kept:
            raise RatingConflictError(
                f"rating {rating.id}: the merged copy does not keep the stored version in its "
                "history; nothing was replaced"
            )
        if rating != stored:
            placed.append((rating, shard))
    return list(added.values()), placed, unindexed
