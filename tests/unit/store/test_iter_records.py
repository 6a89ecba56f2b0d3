"""`Store.iter_records`: the stored dicts, in `iter_all`'s order, validated only when the
reader cannot take one, and damage named by file and rating id."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating
from rating_tui.ratings.model import STATUSES
from rating_tui.store import Store, StoreCorruptError

Make = Callable[..., Rating]
Record = dict[str, Any]


def same(record: Record) -> Record:
    return record


def fill(store: Store, instrument: Instrument, make_rating: Make) -> list[Rating]:
    """Finals over three months (one edited, one voided), a draft and an undated draft."""
    saved = [
        store.finalise(make_rating(dyad="D002", day="2025-03-09"), instrument),
        store.finalise(make_rating(dyad="D001", day="2025-03-02", notes="=1+1"), instrument),
        store.finalise(make_rating(day="2025-01-20", rater="CD"), instrument),
        store.finalise(make_rating(day="2024-12-31", number=2), instrument),
    ]
    store.update(
        saved[0].with_answer("narration", Answered(value=4)), instrument, by="AB", reason="typo"
    )
    store.void(saved[2].id, by="CD", reason="wrong session")
    moments = [NowMoment(text="a, b\nc", tags=[]), NowMoment(text="-x", tags=["narration"])]
    draft = make_rating(day="2025-03-05").replace(now_moments=moments)
    store.save_draft(draft.with_answer("processing", Missing(missing="not_observed")), instrument)
    undated = make_rating().with_field("session_date", None)
    store.save_draft(undated, instrument)
    return saved


def edit_record(data_dir: Path, month: str, rating_id: str, edit: Callable[[Record], Any]) -> Path:
    """Change one stored record by hand, as a careless editor would."""
    path = data_dir / "ratings" / f"{month}.json"
    tables = json.loads(path.read_text())
    result = edit(tables["ratings"][rating_id])
    if result is not None:
        tables["ratings"][rating_id] = result
    path.write_text(json.dumps(tables))
    return path


def test_records_are_the_dumps_of_iter_all_in_the_same_order(
    store: Store, instrument: Instrument, make_rating: Make
) -> None:
    fill(store, instrument, make_rating)
    for statuses in (("final",), STATUSES, ("draft", "voided")):
        expected = [r.model_dump(mode="json") for r in store.iter_all(statuses=statuses)]
        assert list(store.iter_records(same, statuses=statuses)) == expected
    assert [r["status"] for r in store.iter_records(same)] == ["final"] * 3


def test_what_read_returns_is_what_is_yielded(
    store: Store, instrument: Instrument, make_rating: Make
) -> None:
    fill(store, instrument, make_rating)
    ids = list(store.iter_records(lambda r: r["id"][:8]))
    assert ids == [r.id[:8] for r in store.iter_all()]


def test_a_record_read_cannot_take_is_validated_and_damage_is_named(
    store: Store, data_dir: Path, instrument: Instrument, make_rating: Make
) -> None:
    saved = fill(store, instrument, make_rating)
    target = saved[1]

    def bool_answer(record: Record) -> None:
        record["answers"]["narration"] = {"value": True}

    path = edit_record(data_dir, "2025-03", target.id, bool_answer)
    seen: list[Record] = []

    def picky(record: Record) -> str | None:
        seen.append(record)
        return None if record["answers"]["narration"].get("value") is True else record["id"]

    with pytest.raises(StoreCorruptError) as caught:
        list(Store.open(data_dir).iter_records(picky))
    message = str(caught.value)
    assert str(path) in message and target.id in message
    assert "answers.narration" in message and "nothing was changed" in message
    # the ratings before it were read as they are; the damaged one was not read twice
    assert [r["id"] for r in seen][-1] == target.id
    assert len(seen) == len({r["id"] for r in seen})


def test_a_valid_record_in_another_form_is_read_again_as_its_rating_dump(
    store: Store, data_dir: Path, instrument: Instrument, make_rating: Make
) -> None:
    saved = fill(store, instrument, make_rating)
    target = saved[1]
    original = json.loads((data_dir / "ratings" / "2025-03.json").read_text())["ratings"][target.id]

    def by_hand(record: Record) -> None:
        record["created"] = record["created"].replace(".000000+00:00", "Z")
        record["created"] = record["created"].replace("+00:00", "Z")
        del record["notes"]  # has a default

    edit_record(data_dir, "2025-03", target.id, by_hand)
    given: dict[str, list[Record]] = {}

    def strict(record: Record) -> Record | None:
        given.setdefault(record["id"], []).append(record)
        return record if record.keys() == original.keys() and "Z" not in record["created"] else None

    records = {r["id"]: r for r in Store.open(data_dir).iter_records(strict)}
    assert len(given[target.id]) == 2  # the stored form, then the Rating's dump
    assert records[target.id]["created"] == original["created"]
    assert records[target.id]["notes"] == ""  # the default, as iter_all gives it
    assert records[target.id] == Store.open(data_dir).get(target.id).model_dump(mode="json")


@pytest.mark.parametrize(
    ("damage", "found"),
    [
        (lambda r: [r["id"]], "expected an object, found list"),
        (lambda r: r | {"instrument": "sample-process"}, "instrument"),
        (lambda r: r | {"session": ["D001"]}, "session"),
    ],
)
def test_damaged_records_are_named_with_file_and_id(
    store: Store,
    data_dir: Path,
    instrument: Instrument,
    make_rating: Make,
    damage: Callable[[Record], Any],
    found: str,
) -> None:
    saved = fill(store, instrument, make_rating)
    path = edit_record(data_dir, "2025-01", saved[2].id, damage)

    def checking(record: Record) -> Record | None:
        """A reader that refuses what it cannot use, as the export's reader does."""
        parts_are_tables = all(isinstance(record.get(k), dict) for k in ("instrument", "session"))
        return record if parts_are_tables else None

    with pytest.raises(StoreCorruptError) as caught:
        list(Store.open(data_dir).iter_records(checking, statuses=STATUSES))
    message = str(caught.value)
    assert str(path) in message and saved[2].id in message and found in message


def test_a_reader_that_refuses_a_valid_rating_is_a_bug_not_damage(
    store: Store, instrument: Instrument, make_rating: Make
) -> None:
    fill(store, instrument, make_rating)
    with pytest.raises(ValueError, match="is valid, but the reader refused even its validated"):
        list(store.iter_records(lambda r: None))


def test_records_come_from_a_snapshot_while_saving_goes_on(
    store: Store, instrument: Instrument, make_rating: Make
) -> None:
    fill(store, instrument, make_rating)
    stream = store.iter_records(same)
    first = next(stream)
    store.finalise(make_rating(day="2025-03-20"), instrument)
    assert [first, *stream] == [r.model_dump(mode="json") for r in store.iter_all()][:3]


def test_read_in_file_order_gives_the_same_results_calling_read_as_the_files_hold_them(
    store: Store,
    data_dir: Path,
    instrument: Instrument,
    make_rating: Make,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rating_tui.store import shards

    monkeypatch.setattr(shards, "SHARD_LIMIT", 2)
    for day in range(9, 0, -1):  # the month's first file holds its last sessions
        store.finalise(make_rating(day=f"2025-03-0{day}"), instrument)
    files = sorted(
        (data_dir / "ratings").glob("2025-03*.json"), key=lambda p: (len(p.name), p.name)
    )
    in_files = [i for p in files for i in json.loads(p.read_text())["ratings"]]
    assert len(files) == 5
    calls: list[str] = []

    def remember(record: Record) -> str:
        calls.append(record["id"])
        return str(record["id"])

    for in_file_order in (False, True):
        calls.clear()
        given = list(store.iter_records(remember, read_in_file_order=in_file_order))
        assert given == [r.id for r in store.iter_all()]
        assert calls == (in_files if in_file_order else given)
        assert calls != given or not in_file_order


def test_a_month_past_a_run_is_read_back_from_sorted_runs_in_the_same_order(
    store: Store,
    instrument: Instrument,
    make_rating: Make,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rating_tui.store import spill, streaming

    fill(store, instrument, make_rating)
    for day in range(9, 0, -1):
        store.finalise(make_rating(day=f"2025-03-0{day}", rater="EF"), instrument)
    expected = [r.model_dump(mode="json") for r in store.iter_all(statuses=STATUSES)]
    made: list[spill.SortedRuns[Any]] = []

    class Counted(spill.SortedRuns[Any]):
        def __init__(self, sealed: bool = False) -> None:
            super().__init__(sealed)
            made.append(self)

    monkeypatch.setattr(streaming, "SortedRuns", Counted)
    monkeypatch.setattr(spill, "RUN", 1)  # every result goes to a run of its own
    given = list(store.iter_records(same, statuses=STATUSES, read_in_file_order=True))
    assert given == expected
    assert sum(runs.spilled for runs in made) == len(expected)
