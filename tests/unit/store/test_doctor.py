"""`Store.check` reports what is wrong without changing anything; `rebuild_index` repairs
the one derived part of a folder, the id index."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, StoreCorruptError, StoreError, fileio


def _levels(store: Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in store.check():
        out.setdefault(finding.level, []).append(f"{finding.path}: {finding.message}")
    return out


def test_a_healthy_folder_has_nothing_to_report(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(day="2025-03-04"), instrument)
    store.update(rating.with_field("session_date", "2025-05-01"), instrument, by="AB", reason="x")
    assert _levels(store) == {}


def test_damage_is_reported_file_by_file(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    first = store.finalise(make_rating(day="2025-03-04"), instrument)
    store.finalise(make_rating(day="2025-04-04"), instrument)
    april = data_dir / "ratings" / "2025-04.json"
    april.write_bytes(april.read_bytes()[:50])
    march = data_dir / "ratings" / "2025-03.json"
    data = json.loads(march.read_bytes())
    data["ratings"][first.id]["instrument"]["hash"] = "f" * 64  # made with other content
    march.write_text(json.dumps(data))
    march.chmod(0o644)
    before = {p: p.read_bytes() for p in data_dir.rglob("*.json")}

    found = _levels(store)
    assert any(str(april) in e and "damaged" in e for e in found["error"])
    assert any(first.id in e and "ffffffffffff" in e for e in found["error"])
    assert any(str(march) in w and "chmod 600" in w for w in found["warning"])
    assert {p: p.read_bytes() for p in data_dir.rglob("*.json")} == before


def test_rebuild_index_sets_a_damaged_index_file_aside_and_restores_lookups(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    ratings = [
        store.finalise(
            make_rating(day=f"2025-0{m}-01", id=f"{c * 8}-0000-4000-8000-{m:012d}"), instrument
        )
        for m, c in ((1, "a"), (2, "b"), (3, "c"))
    ]  # ids in three different index files
    bucket = data_dir / "index" / f"{ratings[0].id[:2]}.json"
    bucket.write_bytes(b"garbage")
    (data_dir / "index" / f"{ratings[1].id[:2]}.json").unlink()

    report = store.rebuild_index()
    assert report.ratings == 3
    [aside] = report.set_aside
    assert aside.read_bytes() == b"garbage"  # kept, not overwritten
    for rating in ratings:
        assert store.get(rating.id) == rating
    assert "error" not in _levels(store)
    assert store.rebuild_index().files_written == 0  # nothing left to fix


# --- issue 10: a doctor that counts, shapes checked on read, special files -----------------


def test_a_month_emptied_by_hand_is_missing_ratings_not_a_harmless_leftover(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    ids = [store.finalise(make_rating(day="2025-03-04", number=n), instrument).id for n in (1, 2)]
    other = store.finalise(make_rating(day="2025-04-04"), instrument)
    march = data_dir / "ratings" / "2025-03.json"
    march.write_text("{}")  # as `echo '{}' > ratings/2025-03.json` leaves it
    errors = _levels(store)["error"]
    [lost] = [e for e in errors if str(march) in e]
    assert "2 rating(s) stored in this month are missing" in lost
    assert all(i in lost for i in ids)
    assert "backups/ratings/2025-03/" in lost and "holds 1 of them" in lost  # today's backup
    assert store.get(other.id) == other
    store.rebuild_index()  # repair does not erase the evidence
    assert any("missing" in e for e in _levels(store)["error"])


def test_an_index_file_lost_with_its_month_is_still_counted(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(day="2025-03-04"), instrument)
    (data_dir / "ratings" / "2025-03.json").write_text('{"ratings": {}}')
    (data_dir / "index" / f"{rating.id[:2]}.json").unlink()
    errors = " ".join(_levels(store)["error"])
    assert "the manifest says 1" in errors and "but 1 were stored in it" in errors


@pytest.mark.parametrize(
    ("file", "content", "key"),
    [
        ("instruments.json", {"instruments": {"x@1": 5}}, "'x@1'"),
        ("instruments.json", {"instruments": {"x@1": {"hash": 3, "roles": {}}}}, "'x@1'"),
    ],
)
def test_a_registry_entry_of_the_wrong_shape_is_named_never_a_traceback(
    file: str,
    content: object,
    key: str,
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
) -> None:
    store.finalise(make_rating(), instrument)
    path = data_dir / file
    data = json.loads(path.read_bytes())
    data["instruments"] |= content["instruments"]  # type: ignore[index]
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    for attempt in (
        lambda: Store.open(data_dir).list(),
        lambda: Store.open(data_dir).import_ratings([make_rating()], {instrument.ref: instrument}),
    ):
        with pytest.raises(StoreCorruptError, match=key) as caught:
            attempt()
        assert str(path) in str(caught.value)
    assert any(key in e for e in _levels(Store.open(data_dir))["error"])
    assert path.read_bytes() == before


def test_an_index_entry_that_is_a_string_is_named_and_repaired(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(), instrument)
    bucket = data_dir / "index" / f"{rating.id[:2]}.json"
    bucket.write_text(json.dumps({"ids": {rating.id: "2025-03"}}))
    assert store.get(rating.id) == rating  # read from the months instead
    errors = _levels(store)["error"]
    assert any(str(bucket) in e and rating.id in e and "found str" in e for e in errors)
    store.rebuild_index()
    assert _levels(store) == {}


def test_a_record_without_status_is_named_not_silently_left_out(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(day="2025-03-04"), instrument)
    march = data_dir / "ratings" / "2025-03.json"
    data = json.loads(march.read_bytes())
    del data["ratings"][rating.id]["status"]
    march.write_text(json.dumps(data))
    for attempt in (
        lambda: store.list(),
        lambda: list(store.iter_all()),
        lambda: list(store.iter_records(lambda r: r)),
    ):
        with pytest.raises(StoreCorruptError, match="no status"):
            attempt()
    assert any("no status" in e for e in _levels(store)["error"])


@pytest.mark.parametrize("kind", ["dev-zero-link", "fifo", "folder"])
def test_special_files_are_refused_by_type_without_reading(
    kind: str,
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
) -> None:
    store.finalise(make_rating(day="2025-04-04"), instrument)
    month = data_dir / "ratings" / "2025-03.json"
    if kind == "dev-zero-link":
        month.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(month, 0o600)
    else:
        month.mkdir(mode=0o700)
    with pytest.raises(StoreError, match=str(month)):
        store.list(limit=None)  # would hang on the FIFO, exhaust memory on /dev/zero
    assert any(str(month) in e for e in _levels(store)["error"])
    report = store.rebuild_index()
    gone = [p.name.split(".unreadable-")[0] for p in report.set_aside] + report.removed
    assert len(gone) == 1 and "2025-03.json" in gone[0]
    assert len(store.list(limit=None)) == 1
    assert _levels(store) == {}


def test_a_data_file_larger_than_the_bound_is_not_read(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store.finalise(make_rating(day="2025-03-04"), instrument)
    march = data_dir / "ratings" / "2025-03.json"
    with pytest.raises(StoreError, match="more than the 10 a data file may hold"):
        fileio.read_bytes(march, limit=10)
