"""The JSON Lines fast path (stored records, `export.jsonl_records`) writes the very bytes of
the Rating path (`jsonl_line` of every Rating), builds no model for a record in the stored
form, and stops at a damaged record with the store's error."""

from __future__ import annotations

import json
import random
import struct
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui.export.errors import ExportError
from rating_tui.export.job import ExportRequest
from rating_tui.export.jsonl import jsonl_line
from rating_tui.export.jsonl_records import (
    CONTENT_KEYS,
    RATING_KEYS,
    REVISION_KEYS,
    is_stored_form,
    stored_line,
)
from rating_tui.export.select import Selection
from rating_tui.export.sources import StoreSource
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating
from rating_tui.ratings.model import STATUSES, RatingContent, Revision
from rating_tui.store import Store, StoreCorruptError
from tests.unit.export.conftest import HOSTILE
from tests.unit.export.test_records import (  # noqa: F401  (data_dir is a fixture)
    DAMAGE,
    RatingsOnly,
    add_records,
    both,
    data_dir,
    export,
    odd_record,
)

Make = Callable[..., Rating]

JSONL_REQUESTS = [
    ExportRequest(format="jsonl"),
    ExportRequest(format="jsonl", selection=Selection(statuses=STATUSES), excel=True),
    ExportRequest(format="jsonl", selection=Selection(dyad="-D3", statuses=("final", "draft"))),
    ExportRequest(format="jsonl", selection=Selection(rater="CD")),
    ExportRequest(format="jsonl", selection=Selection(instrument="export-sample@3.0.0")),
]


@pytest.mark.parametrize("runs_on_disk", [False, True], ids=["in-memory", "runs"])
@pytest.mark.parametrize("request_", JSONL_REQUESTS, ids=range(len(JSONL_REQUESTS)))
def test_the_fast_path_writes_the_bytes_of_the_rating_path(
    data_dir: Path,  # noqa: F811
    instrument: Instrument,
    instrument_v3: Instrument,
    request_: ExportRequest,
    runs_on_disk: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if runs_on_disk:  # every result through a sorted run on disk (a huge month)
        from rating_tui.store import spill

        monkeypatch.setattr(spill, "RUN", 1)
    (main, moments, summary), (slow_main, slow_moments, slow_summary) = both(
        data_dir, [instrument, instrument_v3], request_
    )
    assert main == slow_main
    assert moments == slow_moments
    assert summary == slow_summary
    assert summary.ratings > 0 and main.count(b"\n") == summary.ratings


def test_a_rating_in_the_stored_form_is_written_without_a_model(
    tmp_path: Path,
    instrument: Instrument,
    make_rating: Make,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store.open(tmp_path / "data")
    texts = [*[h for h in HOSTILE if "\r" not in h], "ünïcode ✓ 𝄞", 'a "quote" \\ /', "a\u2028b"]
    for n, text in enumerate(texts):
        rating = make_rating(
            notes=text,
            dyad=f"D{n}",
            answers={
                "narration": Answered(value=n % 5),
                "processing": Missing(missing="not_observed"),
                "summary": Answered(value=text),
                "techniques": Answered(value=["b", "a"]),
            },
            now_moments=[NowMoment(text=text or "x", tags=["narration"])],
        )
        store.finalise(rating, instrument)
    first = next(iter(store.iter_all()))
    store.update(
        first.with_answer("mood_shift", Answered(value=-1)), instrument, by="AB", reason="x"
    )
    built: list[object] = []
    real = Store._rating

    def counted(self: Store, record: dict[str, Any], shard: str) -> Rating:
        built.append(record.get("id"))
        return real(self, record, shard)

    monkeypatch.setattr(Store, "_rating", counted)
    source = StoreSource(Store.open(tmp_path / "data"))
    main, _, summary = export(source, [instrument], ExportRequest(format="jsonl"))
    assert built == [] and summary.ratings == len(texts)
    expected = b"".join(jsonl_line(r).encode() for r in Store.open(tmp_path / "data").iter_all())
    assert main == expected


def test_a_stored_line_is_the_model_line(instrument: Instrument, make_rating: Make) -> None:
    rating = make_rating(
        notes="x\u0001\u001f\u007f\b\f\n\t", answers={"summary": Answered(value="é")}
    )
    revised = rating.model_copy(
        update={
            "revisions": [
                Revision(
                    at=rating.created,
                    by="AB",
                    reason="typo",
                    action="update",
                    previous=RatingContent.model_validate(
                        rating.model_dump(include=set(CONTENT_KEYS))
                    ),
                )
            ]
        }
    )
    for r in (rating, revised):
        record = r.model_dump(mode="json")
        assert stored_line(record) == jsonl_line(r).encode()


def test_anything_else_is_left_to_the_model(instrument: Instrument, make_rating: Make) -> None:
    record = make_rating().model_dump(mode="json")
    assert is_stored_form(record)
    others: list[Callable[[dict[str, Any]], Any]] = [
        lambda r: r["answers"].update(narration={"value": 1e-7}),  # written as 1e-07 by Python
        lambda r: r["session"].update(dyad=True),
        lambda r: r.update(created=r["created"].replace("+00:00", "Z")),
        lambda r: r.update(notes=None),
        lambda r: r["instrument"].update(hash="ABC"),
        lambda r: r.update(revisions=[{"at": r["created"]}]),
        lambda r: r["now_moments"].append({"tags": [], "text": "reordered"}),
        lambda r: r.update(id="not-a-uuid"),
        lambda r: r.update(status="gone"),
        lambda r: r["answers"].update(narration={"missing": "Not Seen"}),
    ]
    for change in others:
        copy = json.loads(json.dumps(record))
        change(copy)
        assert not is_stored_form(copy), copy
    reordered = {k: record[k] for k in reversed(record)}
    assert not is_stored_form(reordered)
    assert stored_line(record | {"notes": "\ud800"}) is None  # a lone surrogate


def test_the_key_orders_are_the_model_fields() -> None:
    assert tuple(Rating.model_fields) == RATING_KEYS
    assert tuple(RatingContent.model_fields) == CONTENT_KEYS
    assert tuple(Revision.model_fields) == REVISION_KEYS


def test_a_record_of_another_form_is_written_as_the_model_writes_it(
    tmp_path: Path, instrument: Instrument, make_rating: Make
) -> None:
    store = Store.open(tmp_path / "data")
    store.finalise(make_rating(day="2025-02-01"), instrument)
    add_records(
        store,
        instrument,
        [
            odd_record(instrument, 1, answers={"alliance": {"value": 1e-7}}),
            odd_record(instrument, 2, answers={"alliance": {"value": 7.0}}),
        ],
    )
    path = tmp_path / "data" / "ratings" / "2025-02.json"
    tables = json.loads(path.read_text())
    for record in tables["ratings"].values():
        record["created"] = record["created"].replace("+00:00", "Z")
    path.write_text(json.dumps(tables, indent=2))
    fast, slow = both(tmp_path / "data", [instrument], ExportRequest(format="jsonl"))
    assert fast == slow
    assert b'"value":1e-7' in fast[0] and str(uuid.UUID(int=2, version=4)).encode() in fast[0]


@pytest.mark.parametrize(("what", "damage"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_a_damaged_record_stops_the_export_naming_its_file_and_id(
    tmp_path: Path,
    instrument: Instrument,
    make_rating: Make,
    what: str,
    damage: Callable[[dict[str, Any]], Any],
) -> None:
    store = Store.open(tmp_path / "data")
    ratings = [store.finalise(make_rating(day=f"2025-03-0{n + 1}"), instrument) for n in range(3)]
    path = tmp_path / "data" / "ratings" / "2025-03.json"
    tables = json.loads(path.read_text())
    record = tables["ratings"][ratings[1].id]
    damage(record)
    path.write_text(json.dumps(tables))
    request = ExportRequest(format="jsonl")
    with pytest.raises(StoreCorruptError) as caught:
        export(StoreSource(Store.open(tmp_path / "data")), [instrument], request)
    message = str(caught.value)
    assert str(path) in message and str(record["id"]) in message and "damaged" in message
    with pytest.raises(StoreCorruptError) as slow:
        export(RatingsOnly(StoreSource(Store.open(tmp_path / "data"))), [instrument], request)
    assert str(slow.value) == message


def test_a_lone_surrogate_stops_the_export_in_words_naming_the_rating(
    tmp_path: Path, instrument: Instrument, make_rating: Make
) -> None:
    """A `\\ud800` escape put into a month file by hand: UTF-8 cannot write it, and the
    export ended in a traceback, on both paths."""
    store = Store.open(tmp_path / "data")
    ratings = [store.finalise(make_rating(day=f"2025-04-0{n + 1}"), instrument) for n in range(3)]
    path = tmp_path / "data" / "ratings" / "2025-04.json"
    tables = json.loads(path.read_text())
    tables["ratings"][ratings[1].id]["notes"] = "\ud800 typed by hand"
    path.write_text(json.dumps(tables))  # ASCII: the surrogate as its escape
    request = ExportRequest(format="jsonl")
    fast = StoreSource(Store.open(tmp_path / "data"))
    for source in (fast, RatingsOnly(fast)):  # the record path and the Rating path
        with pytest.raises(ExportError) as caught:
            export(source, [instrument], request)
        assert ratings[1].id in str(caught.value) and "lone surrogate" in str(caught.value)


def test_the_floats_taken_as_stored_are_written_as_the_model_writes_them() -> None:
    from pydantic_core import to_json

    from rating_tui.export.jsonl_records import _plain_float

    rng = random.Random(1)
    taken = 0
    for n in range(300_000):
        if n % 3 == 0:
            value = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        elif n % 3 == 1:
            value = rng.uniform(-1, 1) * 10 ** rng.randint(-10, 20)
        else:
            value = round(rng.uniform(0, 100), rng.randint(0, 4))
        if _plain_float(value):
            taken += 1
            assert json.dumps(value) == to_json(value).decode(), value
    assert taken > 150_000
    assert not _plain_float(1e-7) and not _plain_float(float("nan"))
    assert not _plain_float(float("inf")) and not _plain_float(1e16)


def test_to_json_writes_what_json_dumps_writes(instrument: Instrument, make_rating: Make) -> None:
    """The line is pydantic-core's `to_json` of the record: for every value the stored form
    admits it is the text of `json.dumps` (compact, not ASCII-escaped), which is the model's."""
    from pydantic_core import to_json

    def dumps(value: object) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    texts = [*HOSTILE, "ünïcode ✓ 𝄞", 'a "quote" \\ /', "a\u2028b", "\x00\x1f\x7f", "\ufeff"]
    records: list[Any] = [
        make_rating(notes=text, answers={"summary": Answered(value=text)}).model_dump(mode="json")
        for text in texts
    ]
    records += [{"a": [1, -2, 0.1 + 0.2, 1e15, -0.0, 0.0001, 2**70, -(2**63), "x"]}, [], {}]
    every = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]  # no lone surrogate
    records += ["".join(map(chr, every[at : at + 4096])) for at in range(0, len(every), 4096)]
    records.append({"".join(map(chr, range(n, n + 64))): n for n in range(0, 0xD800, 64)})
    for record in records:
        assert to_json(record) == dumps(record)
    assert len(records) > 270
