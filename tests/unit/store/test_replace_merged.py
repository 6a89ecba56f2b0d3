"""Store.replace_merged: a merged copy replaces a stored rating only if it keeps it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Rating, Revision, utc_now
from rating_tui.store.api import Store
from rating_tui.store.errors import RatingConflictError


def test_a_copy_that_keeps_the_stored_version_replaces_it(
    store: Store, instrument: Instrument, make_rating: Callable[..., Rating]
) -> None:
    stored = store.finalise(make_rating(notes="office"), instrument)
    revision = Revision(
        at=utc_now(), by="AB", reason="laptop edit", action="update", previous=stored.content()
    )
    merged = stored.replace(notes="laptop", revisions=[revision])
    assert store.replace_merged([merged], {instrument.ref: instrument}) == 1
    assert store.get(stored.id) == merged
    assert store.replace_merged([merged], {instrument.ref: instrument}) == 0  # no change


def test_a_copy_that_would_lose_the_stored_version_is_refused(
    store: Store, instrument: Instrument, make_rating: Callable[..., Rating]
) -> None:
    stored = store.finalise(make_rating(notes="office"), instrument)
    other = stored.replace(notes="laptop")  # no revision keeps "office"
    with pytest.raises(RatingConflictError, match="does not keep the stored version"):
        store.replace_merged([other], {instrument.ref: instrument})
    assert store.get(stored.id) == stored
