"""The CSV fast path (stored records, `export.records`) writes the very bytes of the Rating
path (`export.tables`), and a damaged record stops it with the store's error, not a traceback."""

from __future__ import annotations

import gc
import io
import json
import random
import uuid
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rating_tui.export.job import ExportRequest, ExportSummary, run
from rating_tui.export.plan import Plan
from rating_tui.export.records import RECORD_KEYS, _plain_time, wide_rows
from rating_tui.export.select import Instruments, Selection
from rating_tui.export.sources import StoreSource
from rating_tui.export.tables import wide_row
from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating
from rating_tui.ratings.model import STATUSES, Status
from rating_tui.store import Store, StoreCorruptError
from tests.unit.export.conftest import HOSTILE

Make = Callable[..., Rating]
Record = dict[str, Any]


class RatingsOnly:
    """A data folder seen through Ratings only: `run` takes the Rating path for it."""

    def __init__(self, source: StoreSource) -> None:
        self.source = source
        self.name = source.name

    def ratings(self, statuses: Collection[Status]) -> Iterable[Rating]:
        return self.source.ratings(statuses)

    def refs(self, selection: Selection) -> set[str]:
        return self.source.refs(selection)


def export(
    source: object, instruments: list[Instrument], request: ExportRequest
) -> tuple[bytes, bytes, ExportSummary]:
    main, moments = io.BytesIO(), io.BytesIO()
    summary = run(request, [source], Instruments(instruments), main, moments)  # type: ignore[list-item]
    return main.getvalue(), moments.getvalue(), summary


def both(
    data_dir: Path, instruments: list[Instrument], request: ExportRequest
) -> tuple[tuple[bytes, bytes, ExportSummary], tuple[bytes, bytes, ExportSummary]]:
    fast = StoreSource(Store.open(data_dir))
    return export(fast, instruments, request), export(RatingsOnly(fast), instruments, request)


def add_records(store: Store, instrument: Instrument, records: list[Record]) -> None:
    """Store records as they are (valid for the Rating model, but not all of them what the
    app would save), the way store_bench builds its folders."""
    engine = store._engine
    with engine.locked(write=True):
        txn = engine.transaction()
        roles = engine.admit(txn, instrument, content_hash(instrument))
        key = roles["session_date"] or ""
        from rating_tui.store.layout import shard_name

        engine.add_many(txn, [(shard_name(r["session"].get(key)), r) for r in records])
        txn.commit()


def odd_record(instrument: Instrument, n: int, **parts: Any) -> Record:
    """A rating valid for the model that the app would not save (values of unusual types)."""
    moment = datetime(2025, 2, 1, 9, tzinfo=UTC) + timedelta(hours=n)
    rating = Rating.new(instrument, "AB", now=moment)
    record = rating.model_dump(mode="json")
    record["id"] = str(uuid.UUID(int=n + 1, version=4))
    record["status"] = "final"
    record["session"] |= {"dyad": f"D0{n}", "session_date": f"2025-02-{n + 1:02d}"}
    record.update(parts)
    return record


@pytest.fixture
def data_dir(
    tmp_path: Path, instrument: Instrument, instrument_v3: Instrument, make_rating: Make
) -> Path:
    """Ratings like the demo's: every scale, missing codes, hostile and multi-line text,
    negative numbers, unanswered items, drafts, a voided and an edited rating, two versions."""
    store = Store.open(tmp_path / "data")
    rng = random.Random(5)
    storable = [h for h in HOSTILE if "\r" not in h]  # the store refuses CR (a control)
    texts = [*storable, 'says "no", then, laughs\nnew line', "ünïcode ✓", "", "plain"]
    for n in range(40):
        answers: dict[str, Answered | Missing] = {
            "narration": rng.choice(
                [Answered(value=rng.randrange(5)), Missing(missing="not_observed")]
            ),
            "processing": rng.choice(
                [
                    Answered(value=2),
                    Missing(missing="not_observed"),
                    Missing(missing="not_applicable"),
                ]
            ),
            "mood_shift": Answered(value=rng.randrange(-3, 4)),
        }
        if n % 3:
            answers["alliance"] = rng.choice(
                [Answered(value=rng.randrange(21) / 2), Missing(missing="refused")]
            )
        if n % 4:
            answers["techniques"] = Answered(value=rng.sample(["a", "b"], rng.randrange(1, 3)))
        if n % 5:
            answers["summary"] = Answered(value=rng.choice(texts))
        if n % 2:
            answers["baby_present"] = Answered(value=n % 4 // 2)
            answers["focus"] = Answered(value=rng.randrange(1, 4))
        rater = rng.choice(["AB", "CD"])
        rating = make_rating(
            rater=rater,
            notes=rng.choice(texts),
            answers=answers,
            now_moments=[
                NowMoment(
                    text=rng.choice(texts) or "x", tags=rng.sample(["narration", "processing"], k)
                )
                for k in range(n % 3)
            ],
            session={
                "dyad": rng.choice(["D001", "D002", "-D3", "=D4"]),
                "session_date": f"2025-0{1 + n % 3}-{1 + n % 28:02d}",
                "session_number": 1 + n,
                "rater": rater,
                "setting": 1 + n % 2,
                "present": ["infant", "mother"][: n % 3],
                "infant_age": n / 4 - 1,
            },
        )
        if n % 7 == 0:
            store.save_draft(rating.replace(status="draft"), instrument)
        else:
            store.finalise(rating, instrument)
    first = next(iter(store.iter_all()))
    store.update(
        first.with_answer("mood_shift", Answered(value=-1)), instrument, by="AB", reason="x"
    )
    store.void(first.id, by="AB", reason="wrong session")
    for n in range(6):
        store.finalise(make_rating(of=instrument_v3, day=f"2025-03-{10 + n}"), instrument_v3)
    add_records(
        store,
        instrument,
        [
            odd_record(
                instrument, 1, answers={"alliance": {"value": 7}, "mood_shift": {"value": 2.0}}
            ),
            odd_record(
                instrument, 2, answers={"alliance": {"value": 7.0}, "focus": {"value": "2"}}
            ),
            odd_record(
                instrument, 3, answers={"alliance": {"value": -0.0}, "summary": {"value": [1, "x"]}}
            ),
            odd_record(
                instrument, 4, answers={"techniques": {"value": []}, "narration": {"value": 1.5}}
            ),
            odd_record(
                instrument, 5, answers={"techniques": {"value": "b"}, "mood_shift": {"value": 0.0}}
            ),
            odd_record(instrument, 6, answers={"processing": {"missing": "refused"}}),
            odd_record(instrument, 8, session={"rater": "AB", "dyad": 17, "present": "infant"}),
            odd_record(instrument, 9, session={"rater": "AB", "setting": "1", "infant_age": "-3"}),
            odd_record(instrument, 10, answers={"techniques": {"value": ["c", "b", 1]}}),
        ],
    )
    return tmp_path / "data"


REQUESTS = [
    ExportRequest(),
    ExportRequest(layout="long"),
    ExportRequest(values="labels"),
    ExportRequest(layout="long", values="labels", excel=True),
    ExportRequest(selection=Selection(statuses=STATUSES), excel=True),
    ExportRequest(selection=Selection(dyad="-D3", statuses=("final", "draft"))),
    ExportRequest(selection=Selection(rater="CD", instrument="export-sample@2.0.0")),
    ExportRequest(
        layout="long",
        selection=Selection(
            date_from=datetime(2025, 2, 1).date(), date_to=datetime(2025, 2, 14).date()
        ),
    ),
    ExportRequest(all_versions=True, values="labels"),
    ExportRequest(layout="long", all_versions=True, selection=Selection(statuses=STATUSES)),
]


@pytest.mark.parametrize("runs_on_disk", [False, True], ids=["in-memory", "runs"])
@pytest.mark.parametrize("request_", REQUESTS, ids=range(len(REQUESTS)))
def test_the_fast_path_writes_the_bytes_of_the_rating_path(
    data_dir: Path,
    instrument: Instrument,
    instrument_v3: Instrument,
    request_: ExportRequest,
    runs_on_disk: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if runs_on_disk:  # every result through a sorted run on disk (a huge month)
        from rating_tui.store import spill

        monkeypatch.setattr(spill, "RUN", 1)
    instruments = [instrument, instrument_v3] if request_.all_versions else [instrument]
    if not request_.all_versions and request_.selection.instrument is None:
        request_ = ExportRequest(
            request_.format,
            request_.layout,
            request_.values,
            Selection(
                "export-sample@2.0.0",
                request_.selection.date_from,
                request_.selection.date_to,
                request_.selection.dyad,
                request_.selection.rater,
                request_.selection.statuses,
            ),
            request_.all_versions,
            request_.excel,
        )
    (main, moments, summary), (slow_main, slow_moments, slow_summary) = both(
        data_dir, instruments, request_
    )
    assert main == slow_main
    assert moments == slow_moments
    assert summary == slow_summary
    assert summary.ratings > 0 and main.count(b"\r\n") > summary.ratings // 2


def test_odd_values_are_written_as_the_rating_path_writes_them(
    data_dir: Path, instrument: Instrument
) -> None:
    request = ExportRequest(selection=Selection("export-sample@2.0.0"))
    (main, _, _), _ = both(data_dir, [instrument], request)
    text = main.decode()
    assert ",7,7.0," not in text  # 7 and 7.0 stay apart: they are in different rows
    rows = {line.split(",")[0]: line for line in text.split("\r\n")[1:] if line}
    assert ",7," in rows[str(uuid.UUID(int=2, version=4))]
    assert ",7.0," in rows[str(uuid.UUID(int=3, version=4))]
    assert ",-0.0," in rows[str(uuid.UUID(int=4, version=4))]


def test_rows_from_dumps_equal_rows_from_ratings(instrument: Instrument, make_rating: Make) -> None:
    ratings = [
        make_rating(notes=h, dyad=h, answers={"summary": Answered(value=h)}) for h in HOSTILE
    ]
    for values in ("codes", "labels"):
        plan = Plan([instrument], values)  # type: ignore[arg-type]
        fast = list(wide_rows(plan, [r.model_dump(mode="json") for r in ratings]))
        assert fast == [wide_row(plan, r) for r in ratings]


DAMAGE: list[tuple[str, Callable[[Record], Any]]] = [
    ("a JSON true for a number", lambda r: r["answers"].update(narration={"value": True})),
    ("null for a session value", lambda r: r["session"].update(dyad=None)),
    ("an answer with two keys", lambda r: r["answers"].update(narration={"value": 1, "x": 2})),
    ("an answer of neither kind", lambda r: r["answers"].update(narration={"valeu": 1})),
    ("a malformed missing code", lambda r: r["answers"].update(narration={"missing": "Not Seen"})),
    ("a list in a list", lambda r: r["answers"].update(techniques={"value": [["a"]]})),
    ("a time that is not one", lambda r: r.update(created="2025-02-30T10:00:00.000000+00:00")),
    ("an id that is not one", lambda r: r.update(id="=HYPERLINK(x)")),
    ("an unknown key", lambda r: r.update(colour="red")),
    ("notes that are not text", lambda r: r.update(notes=["a"])),
    ("an empty rater", lambda r: r.update(rater="")),
    ("a moment without text", lambda r: r["now_moments"].append({"tags": []})),
    ("an instrument without a hash", lambda r: r["instrument"].pop("hash")),
]


@pytest.mark.parametrize(("what", "damage"), DAMAGE, ids=[d[0] for d in DAMAGE])
@pytest.mark.parametrize("layout", ["wide", "long"])
def test_a_damaged_record_stops_the_export_naming_its_file_and_id(
    tmp_path: Path,
    instrument: Instrument,
    make_rating: Make,
    what: str,
    damage: Callable[[Record], Any],
    layout: str,
) -> None:
    store = Store.open(tmp_path / "data")
    ratings = [store.finalise(make_rating(day=f"2025-03-0{n + 1}"), instrument) for n in range(3)]
    path = tmp_path / "data" / "ratings" / "2025-03.json"
    tables = json.loads(path.read_text())
    record = tables["ratings"][ratings[1].id]
    damage(record)
    path.write_text(json.dumps(tables))
    request = ExportRequest(layout=layout)  # type: ignore[arg-type]
    with pytest.raises(StoreCorruptError) as caught:
        export(StoreSource(Store.open(tmp_path / "data")), [instrument], request)
    message = str(caught.value)
    assert str(path) in message and str(record["id"]) in message and "damaged" in message
    if what == "a moment without text":  # only the moments table reads moments
        return
    # the Rating path stops at the same rating with the same message
    with pytest.raises(StoreCorruptError) as slow:
        export(RatingsOnly(StoreSource(Store.open(tmp_path / "data"))), [instrument], request)
    assert str(slow.value) == message


def test_a_valid_record_written_by_hand_is_exported_as_a_rating(
    tmp_path: Path, instrument: Instrument, make_rating: Make
) -> None:
    store = Store.open(tmp_path / "data")
    for n in range(3):
        store.finalise(make_rating(day=f"2025-03-0{n + 1}", notes="n"), instrument)
    path = tmp_path / "data" / "ratings" / "2025-03.json"
    tables = json.loads(path.read_text())
    for record in tables["ratings"].values():
        record["created"] = record["created"].replace("+00:00", "Z")
        record["updated"] = "2025-03-04T20:00:00.000000+02:00"
        del record["revisions"]  # it has a default
    path.write_text(json.dumps(tables, indent=2))
    for layout in ("long", "wide"):
        request = ExportRequest(layout=layout)  # type: ignore[arg-type]
        fast, slow = both(tmp_path / "data", [instrument], request)
        assert fast == slow
    assert b",2025-03-04T18:01:00.000000+00:00,2025-03-04T18:00:00.000000+00:00," in fast[0]


def test_the_record_keys_are_the_rating_fields() -> None:
    assert set(Rating.model_fields) == RECORD_KEYS


def test_a_time_is_plain_exactly_when_a_rating_writes_it_so() -> None:
    rng = random.Random(3)
    alphabet = "0123456789-:T.+Z ,W_" + "٣"
    base = "2025-03-04T18:05:09.123456+00:00"
    for _ in range(20_000):
        text = list(base)
        for _ in range(rng.randrange(1, 3)):
            text[rng.randrange(len(text))] = rng.choice(alphabet)
        candidate = "".join(text)
        try:
            moment = datetime.fromisoformat(candidate)
            canonical = moment.utcoffset() == timedelta(0) and (
                moment.astimezone(UTC).isoformat(timespec="microseconds") == candidate
            )
        except ValueError:
            canonical = False
        assert _plain_time(candidate) is canonical, candidate


def test_the_collector_is_paused_during_the_export_and_restored_after(
    tmp_path: Path, instrument: Instrument, make_rating: Make
) -> None:
    store = Store.open(tmp_path / "data")
    store.finalise(make_rating(), instrument)
    states: list[bool] = []
    source = StoreSource(store)
    records = source.records

    def spy(read: Callable[[Record], Any], statuses: Collection[Status]) -> Iterable[Any]:
        states.append(gc.isenabled())
        return records(read, statuses)

    source.records = spy  # type: ignore[method-assign]
    export(source, [instrument], ExportRequest())
    assert gc.isenabled() and states
    gc.disable()
    try:
        export(source, [instrument], ExportRequest())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_record_the_filters_cannot_read_is_named_too(
    tmp_path: Path, instrument: Instrument, make_rating: Make
) -> None:
    store = Store.open(tmp_path / "data")
    rating = store.finalise(make_rating(day="2025-03-01"), instrument)
    path = tmp_path / "data" / "ratings" / "2025-03.json"
    tables = json.loads(path.read_text())
    tables["ratings"][rating.id]["session"] = "D001"
    path.write_text(json.dumps(tables))
    request = ExportRequest(selection=Selection(dyad="D001"))
    source = StoreSource(Store.open(tmp_path / "data"))
    plan = Plan([instrument])  # given: choosing versions goes through Store.list, not this
    with pytest.raises(StoreCorruptError, match=rf"2025-03\.json: rating '{rating.id}'.*session"):
        run(request, [source], Instruments([instrument]), io.BytesIO(), plan=plan)
