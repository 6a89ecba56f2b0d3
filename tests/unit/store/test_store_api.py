"""The Store API: drafts, finalising, edits with revisions, voiding, listing, integrity."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, InstrumentRef, Missing, Rating
from rating_tui.store import (
    ImportResult,
    InstrumentChangedError,
    RatingConflictError,
    RatingInvalidError,
    RatingNotFoundError,
    RatingStateError,
    ReasonRequiredError,
    Store,
)
from tests.unit.store.conftest import unfinished_journal

# --- drafts and finalising ------------------------------------------------------------------


def test_a_draft_is_saved_incomplete_and_kept_out_of_lists(
    store: Store, instrument: Instrument
) -> None:
    draft = store.save_draft(Rating.new(instrument, "AB").with_field("dyad", "D001"), instrument)
    assert store.get(draft.id).status == "draft"
    assert store.list() == []
    assert list(store.iter_all()) == []
    assert [r.id for r in store.list(statuses=("draft",))] == [draft.id]
    assert [r.id for r in store.iter_all(statuses=("draft",))] == [draft.id]


def test_saving_a_draft_again_replaces_it_and_keeps_its_creation_time(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    first = store.save_draft(make_rating(notes="one"), instrument)
    second = store.save_draft(first.replace(notes="two"), instrument)
    stored = store.get(first.id)
    assert stored.notes == "two"
    assert stored.created == first.created
    assert stored.updated >= first.updated
    assert stored.revisions == []  # drafts are work in progress: no history kept
    assert second == stored


def test_a_draft_still_has_to_fit_the_instrument(store: Store, instrument: Instrument) -> None:
    bad = Rating.new(instrument, "AB").with_answer("narration", Answered(value=9))
    with pytest.raises(RatingInvalidError) as caught:
        store.save_draft(bad, instrument)
    assert "items.narration" in str(caught.value)
    assert store.list(statuses=("draft",)) == []


def test_finalise_refuses_an_incomplete_rating_and_names_each_item(
    store: Store, instrument: Instrument
) -> None:
    draft = store.save_draft(Rating.new(instrument, "AB"), instrument)
    with pytest.raises(RatingInvalidError) as caught:
        store.finalise(draft, instrument)
    paths = {p.path for p in caught.value.problems}
    assert {"items.narration", "items.processing", "fields.dyad", "fields.session_date"} <= paths
    assert store.get(draft.id).status == "draft"


def test_finalising_turns_the_draft_into_a_final_rating(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    draft = store.save_draft(make_rating(), instrument)
    final = store.finalise(draft, instrument)
    assert final.status == "final"
    assert store.get(draft.id).status == "final"
    assert [r.id for r in store.list()] == [draft.id]
    with pytest.raises(RatingStateError, match="update"):
        store.save_draft(final, instrument)
    with pytest.raises(RatingStateError):
        store.finalise(final, instrument)


# --- edits, voiding, history ----------------------------------------------------------------


def test_editing_a_final_rating_needs_a_reason_and_keeps_the_previous_version(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    final = store.finalise(make_rating(), instrument)
    changed = final.with_answer("narration", Answered(value=1))
    for reason in (None, "", "   "):
        with pytest.raises(ReasonRequiredError):
            store.update(changed, instrument, by="CD", reason=reason)
    with pytest.raises(ReasonRequiredError, match="who"):
        store.update(changed, instrument, by=" ", reason="typo")
    assert store.get(final.id) == final

    edited = store.update(changed, instrument, by="CD", reason="mis-keyed")
    assert edited.answers["narration"] == Answered(value=1)
    assert edited.status == "final"
    [revision] = edited.revisions
    assert (revision.by, revision.reason, revision.action) == ("CD", "mis-keyed", "update")
    assert revision.previous == final.content()
    assert store.get(final.id) == edited

    history = store.history(final.id)
    assert [h.content.answers["narration"] for h in history] == [
        Answered(value=3),
        Answered(value=1),
    ]
    assert [h.reason for h in history] == ["", "mis-keyed"]
    assert history[1].by == "CD" and history[1].current and not history[0].current


def test_an_edit_that_changes_nothing_adds_no_revision(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    final = store.finalise(make_rating(), instrument)
    assert store.update(final, instrument, by="AB", reason="no change") == final
    assert store.get(final.id).revisions == []


def test_an_edit_must_leave_the_rating_complete(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    final = store.finalise(make_rating(), instrument)
    with pytest.raises(RatingInvalidError, match=r"items\.narration"):
        store.update(final.with_answer("narration", None), instrument, by="AB", reason="x")
    assert store.get(final.id) == final


def test_update_of_a_draft_is_a_plain_save(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    draft = store.save_draft(make_rating(), instrument)
    saved = store.update(draft.replace(notes="more"), instrument, by="AB")
    assert saved.status == "draft" and saved.notes == "more" and saved.revisions == []


def test_voiding_keeps_the_rating_with_its_reason_and_history(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    final = store.finalise(make_rating(), instrument)
    with pytest.raises(ReasonRequiredError):
        store.void(final.id, by="AB", reason=" ")
    voided = store.void(final.id, by="AB", reason="rated the wrong session")
    assert voided.status == "voided"
    assert voided.void_reason == "rated the wrong session"
    assert store.list() == []
    assert [r.id for r in store.list(statuses=("voided",))] == [final.id]
    assert [r.id for r in store.iter_all(statuses=("final", "voided"))] == [final.id]
    assert [h.content.status for h in store.history(final.id)] == ["final", "voided"]
    with pytest.raises(RatingStateError):
        store.void(final.id, by="AB", reason="again")
    with pytest.raises(RatingStateError):
        store.update(final, instrument, by="AB", reason="un-void")


def test_a_draft_can_be_voided_too(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    draft = store.save_draft(make_rating(), instrument)
    assert store.void(draft.id, by="AB", reason="started by mistake").status == "voided"


def test_unknown_ids_are_reported(store: Store, make_rating: Callable[..., Rating]) -> None:
    missing = make_rating().id
    with pytest.raises(RatingNotFoundError, match=missing):
        store.get(missing)
    with pytest.raises(RatingNotFoundError):
        store.void(missing, by="AB", reason="x")


# --- months, listing, iteration -------------------------------------------------------------


def test_a_rating_moves_to_the_month_of_its_new_session_date(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    final = store.finalise(make_rating(day="2025-03-04"), instrument)
    moved = final.with_field("session_date", "2025-07-01")
    store.update(moved, instrument, by="AB", reason="wrong date")

    def ids_in(month: str) -> set[str]:
        return set(json.loads((data_dir / "ratings" / f"{month}.json").read_bytes())["ratings"])

    assert ids_in("2025-03") == set()
    assert ids_in("2025-07") == {final.id}
    assert not unfinished_journal(data_dir)
    assert store.get(final.id).session["session_date"] == "2025-07-01"


def test_list_is_newest_first_filtered_and_limited(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    days = ["2024-12-30", "2025-01-05", "2025-01-20", "2025-02-01", "2025-03-15"]
    saved = [
        store.finalise(
            make_rating(day=d, dyad=f"D00{n % 2}", rater="AB" if n < 3 else "CD", number=n + 1),
            instrument,
        )
        for n, d in enumerate(days)
    ]
    store.save_draft(make_rating(day="2025-04-01"), instrument)

    def days_of(ratings: list[Rating]) -> list[object]:
        return [r.session["session_date"] for r in ratings]

    assert days_of(store.list()) == sorted(days, reverse=True)
    assert days_of(store.list(limit=2)) == ["2025-03-15", "2025-02-01"]
    assert days_of(store.list(dyad="D001")) == ["2025-02-01", "2025-01-05"]
    assert days_of(store.list(rater="CD")) == ["2025-03-15", "2025-02-01"]
    assert days_of(store.list(date_from=date(2025, 1, 6), date_to=date(2025, 2, 1))) == [
        "2025-02-01",
        "2025-01-20",
    ]
    assert len(store.list(instrument="sample-process")) == 5
    assert len(store.list(instrument="sample-process@1.0.0")) == 5
    assert store.list(instrument="sample-process@2.0.0") == []
    assert store.list(instrument="other") == []
    assert len(store.list(statuses=("draft", "final"))) == 6
    assert [r.id for r in store.iter_all()] == [r.id for r in saved]  # oldest first


def test_iteration_reads_a_snapshot_while_saving_goes_on(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument, data_dir: Path
) -> None:
    first = store.finalise(make_rating(day="2025-01-01"), instrument)
    second = store.finalise(make_rating(day="2025-02-01"), instrument)
    stream = store.iter_all()
    assert next(stream).id == first.id
    late = store.finalise(make_rating(day="2025-02-02"), instrument)  # the lock is free
    assert [r.id for r in stream] == [second.id]  # the snapshot predates `late`
    assert late.id in {r.id for r in store.iter_all()}
    assert not any((data_dir / ".snapshots").iterdir())


# --- instrument integrity -------------------------------------------------------------------


def test_changed_content_under_a_used_version_is_refused(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store.finalise(make_rating(), instrument)
    changed = instrument.model_copy(update={"title": "Renamed without a new version"})
    with pytest.raises(InstrumentChangedError) as caught:
        store.finalise(make_rating(instrument=InstrumentRef.of(changed)), changed)
    message = str(caught.value)
    assert "sample-process@1.0.0" in message and 'version = "1.0.1"' in message
    assert len(store.list()) == 1

    bumped = changed.model_copy(update={"version": "1.0.1"})
    store.finalise(make_rating(instrument=InstrumentRef.of(bumped)), bumped)
    assert set(store.instruments_used()) == {"sample-process@1.0.0", "sample-process@1.0.1"}
    assert store.instruments_used()["sample-process@1.0.0"] == InstrumentRef.of(instrument).hash


def test_a_rating_made_with_other_content_is_refused(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = make_rating()
    forged = rating.replace(instrument=rating.instrument.model_copy(update={"hash": "a" * 64}))
    with pytest.raises(RatingInvalidError, match=r"instrument\.hash"):
        store.finalise(forged, instrument)


# --- import ---------------------------------------------------------------------------------


def test_import_is_all_or_nothing_and_repeatable(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    instruments = {instrument.ref: instrument}
    batch = [make_rating(day=f"2025-0{m}-10", status="final") for m in range(1, 6)]
    assert store.import_ratings(batch, instruments).added == 5
    again = store.import_ratings(batch, instruments)
    assert (again.added, again.unchanged) == (0, 5)

    new = make_rating()
    bad = make_rating().with_answer("narration", Missing(missing="not_applicable"))
    with pytest.raises(RatingInvalidError, match="not_applicable"):
        store.import_ratings([new, bad], instruments)
    with pytest.raises(RatingConflictError):
        store.import_ratings([new, batch[0].replace(notes="edited elsewhere")], instruments)
    with pytest.raises(RatingConflictError):
        store.import_ratings([new, new.replace(notes="twice, differently")], instruments)
    assert store.import_ratings([new, new], instruments) == ImportResult(added=1, unchanged=1)
    store.void(new.id, by="AB", reason="imported by mistake")
    new = make_rating(status="final")
    with pytest.raises(RatingNotFoundError):
        store.get(new.id)  # nothing from a refused import was stored
    assert len(store.list(limit=None)) == 5


def test_ids_can_be_given_by_their_start_and_bad_ids_are_refused(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    first = store.finalise(make_rating(id="3f2a9c1e-0000-4000-8000-000000000001"), instrument)
    store.finalise(make_rating(id="3f2a9c1e-0000-4000-8000-000000000002"), instrument)
    assert store.resolve_id("3F2A9C1E-0000-4000-8000-000000000001") == first.id
    with pytest.raises(RatingNotFoundError, match="2 ratings"):
        store.resolve_id("3f2a")
    with pytest.raises(RatingNotFoundError, match="no rating"):
        store.resolve_id("ffff")
    for bad in ("../../etc/passwd", "/etc/passwd"):
        with pytest.raises(RatingNotFoundError, match="not a rating id"):
            store.resolve_id(bad)
    with pytest.raises(RatingNotFoundError, match="'3f' is too short: give at least 4"):
        store.resolve_id("3f")  # it may start an id: too short, not "not a rating id"
    for bad in ("/etc/passwd", "3F2A9C1E-0000-4000-8000-000000000001", ""):
        with pytest.raises(RatingNotFoundError, match="not a rating id"):
            store.get(bad)


def test_of_dyads_validates_only_the_ratings_of_its_dyads(
    store: Store,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An import's pre-store checks look at the stored ratings of its dyads: one pass over
    the folder that builds a Rating only for theirs (not one per stored rating)."""
    known = {instrument.ref: instrument}
    store.import_ratings(
        [make_rating(dyad=f"D{n % 10:03d}", number=n + 1, status="final") for n in range(40)],
        known,
    )
    draft = store.save_draft(make_rating(dyad="D001", notes="draft"), instrument)
    built: list[str] = []
    validate = Store._rating

    def counting(self: Store, record: dict[str, Any], shard: str) -> Rating:
        built.append(str(record["id"]))
        return validate(self, record, shard)

    monkeypatch.setattr(Store, "_rating", counting)
    found = list(store.of_dyads({"D001", "D002"}, statuses=("final", "draft")))
    assert sorted(r.session["dyad"] for r in found) == ["D001"] * 5 + ["D002"] * 4
    assert draft.id in {r.id for r in found}
    assert sorted(built) == sorted(r.id for r in found)
    assert len(list(store.of_dyads({"D001"}))) == 4  # final ratings only, unless asked


@pytest.mark.parametrize("searches", [8, 0])
def test_of_dyads_parses_only_the_files_that_name_its_dyads(
    store: Store,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    searches: int,
) -> None:
    """A month file whose text names none of the dyads under a dyad field is not parsed: an
    import into a folder of 100,000 ratings reads them, but parses only its dyads' months.
    Told by a plain search for each code (few codes), or by one pass over the dyad fields
    (`searches` = 0: as for an import's hundreds of codes)."""
    from rating_tui.store import streaming
    from rating_tui.store.storage import SafeStorage

    monkeypatch.setattr(streaming, "CODE_SEARCHES", searches)

    known = {instrument.ref: instrument}
    ratings = [
        make_rating(dyad=f"D00{m}", day=f"2025-0{m}-0{n + 1}", number=n + 1, status="final")
        for m in range(1, 7)
        for n in range(3)
    ]
    store.import_ratings(ratings, known)
    parsed: list[str] = []
    parse = SafeStorage.parse

    def counting(self: SafeStorage, raw: bytes) -> Any:
        parsed.append(self.path.name)
        return parse(self, raw)

    monkeypatch.setattr(SafeStorage, "parse", counting)
    found = list(store.of_dyads({"D002", "D005"}))
    assert sorted(r.session["dyad"] for r in found) == ["D002"] * 3 + ["D005"] * 3
    assert sorted(n for n in parsed if n.startswith("20")) == ["2025-02.json", "2025-05.json"]


def test_of_dyads_names_a_month_file_cut_short_even_without_its_dyads(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    """Skipping a file that names none of the dyads must not hide damage: a file cut short
    is parsed, and the error names it. (Here the month has no summary of its dyads, as in a
    folder of format 5 or older: a month whose summary does not name the dyads is not read
    at all, and its damage is doctor's to name: test_dyads.py.)"""
    from rating_tui.store import StoreCorruptError

    known = {instrument.ref: instrument}
    store.import_ratings(
        [make_rating(dyad=f"D00{m}", day=f"2025-0{m}-02", status="final") for m in (1, 2)], known
    )
    (data_dir / "dyads" / "2025-02.json").unlink()
    month = data_dir / "ratings" / "2025-02.json"
    month.write_bytes(month.read_bytes()[:60])  # no dyad field left in it
    with pytest.raises(StoreCorruptError, match=r"2025-02\.json"):
        list(store.of_dyads({"D001"}))


def test_of_dyads_tells_codes_from_text_with_escapes_and_other_alphabets(
    store: Store,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dyad fields' values are compared as bytes, in one pass, only in a file of plain
    ASCII without a backslash; a file with an escape (a quote in a note) or another alphabet
    (an accent in a note) is read value by value, escapes decoded, as before."""
    from rating_tui.store import streaming

    monkeypatch.setattr(streaming, "CODE_SEARCHES", 0)  # (an import's hundreds of codes)
    ratings = [
        make_rating(dyad="D007", day="2025-01-02", number=1, status="final", notes="café"),
        make_rating(dyad="D008", day="2025-02-02", number=1, status="final", notes='a "quote"'),
        make_rating(dyad="D009", day="2025-03-02", number=1, status="final"),
    ]
    store.import_ratings(ratings, {instrument.ref: instrument})
    for dyad in ("D007", "D008", "D009"):
        assert [r.session["dyad"] for r in store.of_dyads({dyad, "D999"})] == [dyad]
    assert list(store.of_dyads({"D999", "D070"})) == []
