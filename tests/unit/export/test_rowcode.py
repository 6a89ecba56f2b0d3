"""The wide row written out per instrument version (`export.rowcode`) gives what the loop
form (`RecordTables.loop_row`) gives, cells and refusals alike; and a month split in parts
whose file order is not the export's order is exported, now moments too, in the export's
order while the store reads it one file at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui.export.job import ExportRequest
from rating_tui.export.plan import Plan
from rating_tui.export.records import RecordTables
from rating_tui.export.sources import StoreSource
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating
from rating_tui.store import Store, shards
from tests.unit.export.conftest import HOSTILE
from tests.unit.export.test_records import DAMAGE, RatingsOnly, both, export

Make = Callable[..., Rating]
Record = dict[str, Any]

MORE_DAMAGE: list[tuple[str, Callable[[Record], Any]]] = [
    ("an answer that is a list", lambda r: r["answers"].update(narration=[1])),
    ("a list for a missing code", lambda r: r["answers"].update(narration={"missing": ["x"]})),
    ("a session that is a list", lambda r: r.update(session=[])),
    ("answers that are a list", lambda r: r.update(answers=[])),
    ("a status not known", lambda r: r.update(status="done")),
    ("an updated time in another zone", lambda r: r.update(updated=r["created"][:-6] + "+02:00")),
    ("no revisions", lambda r: r.pop("revisions")),
    ("an instrument with a fourth key", lambda r: r["instrument"].update(extra=1)),
    ("a float in a list", lambda r: r["answers"].update(techniques={"value": [1.5]})),
    ("a bool session value", lambda r: r["session"].update(dyad=True)),
]


def records(make_rating: Make) -> list[Record]:
    """Dumps of ratings with every kind of value: codes, missing codes, hostile text, lists,
    floats, moments, answers left out."""
    found = []
    for n, text in enumerate(["", "plain", *HOSTILE]):
        answers: dict[str, Answered | Missing] = {
            "narration": Answered(value=n % 4),
            "processing": Missing(missing="not_observed"),
            "summary": Answered(value=text),
        }
        if n % 2:
            answers["alliance"] = Answered(value=n / 2)
        rating = make_rating(notes=text, dyad=text or "D1", rater=text or "AB", answers=answers)
        if n % 3:
            rating = rating.model_copy(update={"now_moments": [NowMoment(text=text, tags=[])]})
        found.append(rating.model_dump(mode="json"))
    return found


@pytest.mark.parametrize("values", ["codes", "labels"])
def test_the_written_out_row_is_the_loop_row(
    instrument: Instrument, make_rating: Make, values: str
) -> None:
    tables = RecordTables(Plan([instrument], values))  # type: ignore[arg-type]
    given = records(make_rating)
    rows = [tables.wide_row(r) for r in given]
    assert None not in rows
    assert rows == [tables.loop_row(r) for r in given]
    assert len({tuple(r) for r in rows}) == len(given)  # the cases differ


@pytest.mark.parametrize(
    ("what", "damage"), DAMAGE + MORE_DAMAGE, ids=[d[0] for d in DAMAGE + MORE_DAMAGE]
)
def test_the_written_out_row_refuses_what_the_loop_row_refuses(
    instrument: Instrument, make_rating: Make, what: str, damage: Callable[[Record], Any]
) -> None:
    tables = RecordTables(Plan([instrument], "codes"))
    record = records(make_rating)[1]
    assert tables.wide_row(record) is not None  # the version's row is written out first
    damaged = copy.deepcopy(record)
    damage(damaged)
    loop = tables.loop_row(damaged)
    if what != "a moment without text":  # only the moments table reads moments
        assert loop is None
    assert tables.wide_row(damaged) == loop


def test_a_month_split_out_of_order_is_exported_in_order_moments_too(
    tmp_path: Path, instrument: Instrument, make_rating: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shards, "SHARD_LIMIT", 3)
    store = Store.open(tmp_path / "data")
    # saved latest day first: the month's first file holds its last sessions
    for day in range(9, 0, -1):
        rating = make_rating(day=f"2025-03-0{day}", notes=f"day {day}")
        moment = NowMoment(text=f"moment of day {day}", tags=[])
        store.finalise(rating.model_copy(update={"now_moments": [moment]}), instrument)
    assert len(list((tmp_path / "data" / "ratings").glob("2025-03*.json"))) == 3
    for layout in ("wide", "long"):
        for kind in ("csv", "jsonl"):
            request = ExportRequest(format=kind, layout=layout)  # type: ignore[arg-type]
            fast, slow = both(tmp_path / "data", [instrument], request)
            assert fast[:2] == slow[:2]
    main, moments, summary = export(
        StoreSource(Store.open(tmp_path / "data")), [instrument], ExportRequest()
    )
    days = [line.rsplit(",", 1)[1] for line in main.decode().splitlines()[1:]]
    assert days == [f"day {d}" for d in range(1, 10)]
    texts = [line.split(",")[2] for line in moments.decode().splitlines()[1:]]
    assert texts == [f"moment of day {d}" for d in range(1, 10)]
    assert summary.moments == 9
    # the Rating path agrees (the bytes above were compared with it)
    assert (
        export(
            RatingsOnly(StoreSource(Store.open(tmp_path / "data"))), [instrument], ExportRequest()
        )[0]
        == main
    )
