"""Optimistic concurrency (issue 10): an edit names the stored version it is based on
(`Rating.updated`), and one based on a version changed since is refused with a
`RatingConflictError` that says who changed it and when. On the old code the last writer won."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Rating
from rating_tui.services.draft_session import DraftSession
from rating_tui.store import RatingConflictError, Store


def test_two_windows_on_one_draft_the_stale_one_is_refused_with_who_and_when(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    left, right = Store.open(data_dir), Store.open(data_dir)
    draft = left.save_draft(make_rating(rater="AB"), instrument)
    mine = right.get(draft.id)
    theirs = left.save_draft(draft.replace(notes="theirs"), instrument)
    with pytest.raises(RatingConflictError, match="saved by AB at") as caught:
        right.save_draft(mine.replace(notes="mine"), instrument)
    assert caught.value.who == "AB" and caught.value.at == theirs.updated
    with pytest.raises(RatingConflictError):
        right.finalise(mine, instrument)
    assert left.get(draft.id).notes == "theirs"


def test_a_stale_update_or_void_of_a_final_rating_is_refused(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    final = store.finalise(make_rating(), instrument)
    changed = store.update(final.replace(notes="first"), instrument, by="CD", reason="typo")
    with pytest.raises(RatingConflictError, match="changed by CD at") as caught:
        store.update(final.replace(notes="second"), instrument, by="AB", reason="other")
    assert "nothing of theirs is overwritten" in str(caught.value)
    with pytest.raises(RatingConflictError, match="changed by CD"):
        store.void(final.id, by="AB", reason="wrong", based_on=final.updated)
    assert store.get(final.id) == changed
    voided = store.void(final.id, by="AB", reason="wrong", based_on=changed.updated)
    assert voided.status == "voided"


def test_versions_get_distinct_times_even_when_the_clock_goes_back(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument, monkeypatch
) -> None:
    from rating_tui.store import records

    draft = store.save_draft(make_rating(), instrument)
    earlier = draft.updated - timedelta(hours=1)
    monkeypatch.setattr(records, "utc_now", lambda: earlier)
    second = store.save_draft(draft.replace(notes="x"), instrument)
    assert second.updated > draft.updated
    with pytest.raises(RatingConflictError):
        store.save_draft(draft.replace(notes="y"), instrument)


def test_a_draft_session_keeps_what_the_rater_typed_and_can_reload(
    data_dir: Path, instrument: Instrument, make_rating: Callable[..., Rating]
) -> None:
    left, right = Store.open(data_dir), Store.open(data_dir)
    draft = left.save_draft(make_rating(), instrument)
    session = DraftSession.resume(right, instrument, right.get(draft.id))
    left.save_draft(draft.replace(notes="from the other window"), instrument)
    item = next(i for i in instrument.items if i.key == "narration")
    with pytest.raises(RatingConflictError):
        session.answer(item, Answered(value=0))
    assert session.conflict is not None
    assert session.rating.answers["narration"] == Answered(value=0)  # still on screen
    assert "narration: 0" in session.unsaved_changes()
    assert session.reload().notes == "from the other window"
    session.answer(item, Answered(value=0))  # based on the stored version now: saved
    assert left.get(draft.id).answers["narration"] == Answered(value=0)
    assert left.get(draft.id).notes == "from the other window"


UPDATES = 60


def test_two_processes_doing_get_then_update_lose_no_update(
    tmp_path: Path,
    writer_command: list[str],
    make_rating: Callable[..., Rating],
    instrument: Instrument,
) -> None:
    data = tmp_path / "data"
    final = Store.open(data).finalise(make_rating(notes="start"), instrument)
    writers = [
        subprocess.Popen(
            [*writer_command, str(data), "bump", final.id, str(UPDATES), tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("L", "R")
    ]
    outputs = [w.communicate(timeout=300) for w in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
    acked = [line for out, _ in outputs for line in out.splitlines() if line.startswith("ok ")]
    assert len(acked) == 2 * UPDATES
    stored = Store.open(data).get(final.id)
    words = stored.notes.split()
    assert words[0] == "start"
    expected = {f"{tag}{n}" for tag in "LR" for n in range(UPDATES)}
    assert set(words[1:]) == expected and len(words) == 1 + 2 * UPDATES  # none undone
    assert len(stored.revisions) == 2 * UPDATES
