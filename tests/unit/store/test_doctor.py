"""`Store.check` reports what is wrong without changing anything; `rebuild_index` repairs
the one derived part of a folder, the id index."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store


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
