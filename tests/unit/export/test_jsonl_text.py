"""JSON Lines from the stored text: a record the store wrote is written as its file holds it
(`streaming.ratings_with_texts`, `jsonl_records.is_dumped`), without a `json.dumps`, and any
text that `json.dumps` would write otherwise (white space, a key given twice, a float or an
integer written another way, an escape) is dumped again: the bytes stay those of the model."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui.export import jsonl_records
from rating_tui.export.job import ExportRequest
from rating_tui.export.jsonl import jsonl_line
from rating_tui.export.jsonl_records import (
    CONTENT_KEYS,
    is_dumped,
    stored_line,
    stored_members,
    stored_text_line,
)
from rating_tui.export.select import Selection
from rating_tui.export.sources import StoreSource
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.ratings.model import STATUSES, RatingContent, Revision
from rating_tui.store import Store
from rating_tui.store.streaming import ratings_with_texts
from tests.unit.export.test_records import RatingsOnly, export

Make = Callable[..., Rating]


def _record(make_rating: Make, **changes: Any) -> dict[str, Any]:
    """A record in the stored form with a float, a zero, a list, a moment and a revision."""
    rating = make_rating(notes="plain: words, then more", **changes)
    record = rating.model_dump(mode="json")
    record["session"]["infant_age"] = 3.8
    record["answers"]["alliance"] = {"value": 0.30000000000000004}
    record["answers"]["focus"] = {"value": 0}
    record["answers"]["techniques"] = {"value": ["b", "a"]}
    previous = RatingContent.model_validate(rating.model_dump(include=set(CONTENT_KEYS)))
    revision = Revision(
        at=rating.created, by="AB", reason="typo", action="update", previous=previous
    )
    record["revisions"] = [revision.model_dump(mode="json")]
    return record


def _dumped(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


OTHER_WAYS: list[tuple[str, Callable[[str], str]]] = [
    ("a space after a colon", lambda t: t.replace('"rater":', '"rater": ', 1)),
    ("a line break between members", lambda t: t.replace(',"notes"', ',\n"notes"', 1)),
    ("a tab before the end", lambda t: t[:-1] + "\t}"),
    ("a carriage return in a list", lambda t: t.replace('["b",', '["b",\r', 1)),
    ("a session key given twice", lambda t: t.replace('"session":{', '"session":{"dyad":"X",', 1)),
    ("a rating key given twice", lambda t: t.replace(',"status"', ',"notes":"x","status"', 1)),
    ("a longer float", lambda t: t.replace(":3.8}", ":3.80}", 1)),
    ("a float with an exponent", lambda t: t.replace(":3.8}", ":38e-1}", 1)),
    ("a float with a capital exponent", lambda t: t.replace(":3.8}", ":0.38E1}", 1)),
    (
        "other digits, the same float",
        lambda t: t.replace("0.30000000000000004", "0.30000000000000005"),
    ),
    ("minus zero", lambda t: t.replace('{"value":0}', '{"value":-0}', 1)),
    ("an escaped letter", lambda t: t.replace('"dyad":"D', '"dyad":"\\u0044', 1)),
    ("an escaped slash", lambda t: t.replace('"notes":"plain', '"notes":"\\/plain', 1)),
]


def test_the_text_the_store_writes_is_the_line(make_rating: Make) -> None:
    record = _record(make_rating)
    text = _dumped(record)
    members = stored_members(record)
    assert members and is_dumped(text, members)
    assert stored_text_line(json.loads(text), text) == stored_line(record) == (text + "\n").encode()
    assert not is_dumped(text, members + 1)  # one member fewer parsed than written


@pytest.mark.parametrize(("what", "change"), OTHER_WAYS, ids=[w for w, _ in OTHER_WAYS])
def test_text_written_another_way_is_dumped_again(
    make_rating: Make, what: str, change: Callable[[str], str]
) -> None:
    canonical = _dumped(_record(make_rating))
    text = change(canonical)
    assert text != canonical, what
    record = json.loads(text)
    members = stored_members(record)
    assert members, what  # still the stored form: only the text differs
    assert not is_dumped(text, members), what
    line = stored_text_line(record, text)
    assert line == stored_line(record) == (_dumped(record) + "\n").encode(), what
    assert line != (text + "\n").encode()


def test_a_record_not_in_the_stored_form_is_refused_with_its_text(make_rating: Make) -> None:
    record = _record(make_rating)
    record["session"]["dyad"] = True
    text = _dumped(record)
    assert stored_members(record) == 0 and stored_text_line(record, text) is None


def test_a_shard_file_is_cut_into_records_as_json_parses_it(tmp_path: Path) -> None:
    engine = Store.open(tmp_path / "data")._engine
    one, two = '{"a":1,"b":[1.5,"x"]}', '{"c":{"d":"e: f, g"}}'
    text = '{"ratings":{"i1":' + one + ',"i2":' + two + ',"i1":' + two + "}}"
    found = ratings_with_texts(engine, text.encode())
    assert found is not None
    assert {k: v[0] for k, v in found.items()} == json.loads(text)["ratings"]
    assert list(found) == ["i1", "i2"] and found["i1"][1] == two and found["i2"][1] == two
    assert ratings_with_texts(engine, b'{"ratings":{}}') == {}
    for other in [
        b'{"ratings": {"i1":{}}}',  # white space between the parts
        b'{"_default":{},"ratings":{}}',  # another table
        b'{"ratings":{"i1":{"a":1}}}}',  # one brace too many
        b'{"ratings":{"i1":{"a":1},}}',  # a comma too many
        b'{"ratings":{"i1":{"a":1]}}',  # damaged
        b'{"ratings":{"i1":{"a":"\x01"}}}',  # a control character in a text
        b'\xef\xbb\xbf{"ratings":{}}',  # a byte-order mark
        b'{"ratings":{"i1":{"a":"\xff"}}}',  # not UTF-8
        b"",
    ]:
        assert ratings_with_texts(engine, other) is None, other


@pytest.fixture
def folder(tmp_path: Path, instrument: Instrument, make_rating: Make) -> Path:
    store = Store.open(tmp_path / "data")
    for n in range(12):
        rating = make_rating(
            dyad=f"D{n % 3}",
            day=f"2025-03-{n + 1:02d}",
            notes=["", "plain: words, then more", 'says "no"', "line\nbreak"][n % 4],
            answers={
                "narration": Answered(value=n % 5),
                "processing": Missing(missing="not_observed"),
                "alliance": Answered(value=(n % 20) * 0.5),
            },
        )
        store.finalise(rating, instrument) if n % 5 else store.save_draft(rating, instrument)
    return tmp_path / "data"


def test_a_folder_as_the_store_writes_it_needs_no_dump(
    folder: Path, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    dumped: list[object] = []
    real = jsonl_records._dumps

    def counted(record: Any) -> str:
        dumped.append(record["id"])
        return real(record)

    monkeypatch.setattr(jsonl_records, "_dumps", counted)
    request = ExportRequest(format="jsonl", selection=Selection(statuses=STATUSES))
    main, _, summary = export(StoreSource(Store.open(folder)), [instrument], request)
    expected = b"".join(
        jsonl_line(r).encode() for r in Store.open(folder).iter_all(statuses=STATUSES)
    )
    assert main == expected and summary.ratings == 12
    assert len(dumped) == 6  # the texts with a quote or a line break hold a backslash


@pytest.mark.parametrize("runs_on_disk", [False, True], ids=["in-memory", "runs"])
def test_a_file_written_another_way_gives_the_bytes_of_the_model(
    folder: Path, instrument: Instrument, runs_on_disk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if runs_on_disk:
        from rating_tui.store import spill

        monkeypatch.setattr(spill, "RUN", 1)
    path = folder / "ratings" / "2025-03.json"
    records = json.loads(path.read_text(encoding="utf-8"))["ratings"]
    texts = []
    changed = 0
    for n, (rating_id, record) in enumerate(records.items()):
        text = _dumped(record)
        if n % 2:
            text = OTHER_WAYS[n // 2 % 3][1](text)  # a space, a line break, a tab
            text = re.sub(r'("alliance":\{"value":-?\d+\.\d+)', r"\g<1>0", text)  # 1.50
            changed += text != _dumped(record)
        texts.append(json.dumps(rating_id) + ":" + text)
    assert changed >= 3
    path.write_text('{"ratings":{' + ",".join(texts) + "}}", encoding="utf-8")
    for request in (
        ExportRequest(format="jsonl"),
        ExportRequest(format="jsonl", selection=Selection(dyad="D1", statuses=STATUSES)),
    ):
        fast = export(StoreSource(Store.open(folder)), [instrument], request)
        slow = export(RatingsOnly(StoreSource(Store.open(folder))), [instrument], request)
        assert fast == slow and fast[2].ratings > 0
