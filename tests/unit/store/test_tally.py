"""A full read says when it rests on part of the folder (issue 10's last gap): `Tally`
compares the ratings each month yields with the manifest's count of them, read with the
snapshot. A month emptied, deleted or missing a part of its split is counted; a healthy
folder, a read stopped early and a transaction a crash interrupted are not."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import STATUSES, Rating
from rating_tui.store import Store, Tally, fileio, journal, shards, transaction
from rating_tui.store.layout import RATINGS_TABLE


def _fill(store: Store, make: Callable[..., Rating], instrument: Instrument) -> list[Rating]:
    batch = [
        make(day=f"2025-0{3 + n % 3}-{1 + n % 28:02d}", number=n + 1, status="final")
        for n in range(24)
    ]
    store.import_ratings(batch, {instrument.ref: instrument})
    draft = store.save_draft(make(day="2025-04-09", number=99), instrument)
    return [*batch, draft]


def _read_all(store: Store, tally: Tally) -> int:
    return sum(1 for _ in store.iter_records(lambda r: r, statuses=STATUSES, tally=tally))


def _held(path: Path) -> int:
    return len(json.loads(path.read_bytes()).get(RATINGS_TABLE, {}))


def test_a_healthy_folder_misses_nothing_on_either_reader(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    stored = _fill(store, make_rating, instrument)
    records, ratings = Tally(), Tally()
    assert _read_all(store, records) == len(stored)
    assert len(list(store.iter_all(statuses=("final",), tally=ratings))) == len(stored) - 1
    for tally in (records, ratings):
        assert tally.complete and tally.unchecked is None
        assert tally.missing() == {} and tally.warning("data") is None
        assert sum(tally.read.values()) == len(stored)  # every status is counted


def test_an_emptied_month_is_counted_as_missing(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    _fill(store, make_rating, instrument)
    april = data_dir / "ratings" / "2025-04.json"
    lost = _held(april)
    april.write_text("{}")
    tally = Tally()
    _read_all(store, tally)
    assert tally.missing() == {"2025-04": lost}
    warning = tally.warning("data")
    assert warning is not None
    assert f"{lost} rating(s) the index lists were not found" in warning
    assert "2025-04: " in warning and "rating-tui doctor" in warning


def test_a_deleted_month_is_missing_once_the_read_is_complete(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    _fill(store, make_rating, instrument)
    march = data_dir / "ratings" / "2025-03.json"
    lost = _held(march)
    march.unlink()
    tally = Tally()
    _read_all(store, tally)
    assert tally.missing() == {"2025-03": lost}


def test_a_read_stopped_early_names_only_what_it_reached(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    _fill(store, make_rating, instrument)
    (data_dir / "ratings" / "2025-05.json").unlink()  # the newest month, read last
    tally = Tally()
    next(iter(store.iter_records(lambda r: r, statuses=STATUSES, tally=tally)))
    assert not tally.complete and tally.missing() == {}


def test_a_removed_part_of_a_split_month_is_counted(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shards, "SHARD_LIMIT", 4)
    _fill(store, make_rating, instrument)
    part = data_dir / "ratings" / "2025-03.p1.json"  # the month continued past its first file
    lost = _held(part)
    assert lost
    part.unlink()
    tally = Tally()
    _read_all(store, tally)
    assert tally.missing() == {"2025-03": lost}


def test_a_removed_part_of_a_month_split_by_id_is_counted(tmp_path: Path) -> None:
    """A format-2 folder (months split by id, written by the earlier store) counts the same."""
    folder = tmp_path / "format2"
    shutil.copytree(Path(__file__).parent / "data" / "format2", folder)
    part = max((folder / "ratings").glob("2025-03.*.json"), key=_held)
    lost = _held(part)
    part.unlink()
    tally = Tally()
    _read_all(Store.open(folder), tally)
    assert tally.missing() == {"2025-03": lost}


def test_a_transaction_a_crash_interrupted_is_never_called_missing(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Killed after the journal with only the manifest renamed: the manifest counts ratings
    the months do not hold yet. The read's lock completes the change before counting."""
    stored = _fill(store, make_rating, instrument)

    def crash(layout: Any, txn: str, paths: list[Path], lines: Any = None, *_: Any) -> None:
        manifest = data_dir / "manifest.json"
        assert manifest in paths
        fileio.replace_raw(journal.staged_path(manifest, txn), manifest)
        raise KeyboardInterrupt

    monkeypatch.setattr(transaction, "apply", crash)
    monkeypatch.setattr(journal, "CARRY_LIMIT", 0)  # (staged files, as a big import's)
    batch = [make_rating(day="2025-04-20", number=150 + n) for n in range(3)]
    with pytest.raises(KeyboardInterrupt):
        store.import_ratings(batch, {instrument.ref: instrument})
    monkeypatch.undo()
    assert (data_dir / "journal.json").exists()
    counted = json.loads((data_dir / "manifest.json").read_bytes())["shards"]["2025-04"]["n"]
    assert counted == _held(data_dir / "ratings" / "2025-04.json") + 3  # ahead of the month
    tally = Tally()
    assert _read_all(store, tally) == len(stored) + 3
    assert tally.missing() == {} and tally.unchecked is None


def test_a_read_only_folder_with_a_pending_journal_says_it_could_not_count(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fill(store, make_rating, instrument)
    (data_dir / "journal.json").write_text(json.dumps({"transaction": "ab" * 8, "files": []}))
    monkeypatch.setattr(store._engine, "read_only", True)
    tally = Tally()
    _read_all(store, tally)
    assert tally.missing() == {}
    warning = tally.warning("data")
    assert warning is not None and "could not be counted" in warning


def test_a_dyad_list_without_a_tally_parses_only_the_files_naming_the_dyad(
    store: Store,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rating form's checks list one dyad's ratings: at 100k demo-data that parsed every
    month file (1.1 s a call, several calls on Enter in the dyad field). A file whose text
    names no rating of the dyad is now skipped; with a tally every file is still parsed, so
    a month that lost a part is never skipped unseen. Same ratings either way."""
    batch = [
        make_rating(dyad="D001" if n % 4 == 0 else "D002", day=f"2025-0{1 + n % 6}-1{n % 9}",
                    number=n + 1, status="final")
        for n in range(36)
    ]  # fmt: skip
    store.import_ratings(batch, {instrument.ref: instrument})
    engine = store._engine
    parsed: list[str] = []
    real = engine.shard_records

    def counting(shard: str) -> Any:
        parsed.append(shard)
        return real(shard)

    monkeypatch.setattr(engine, "shard_records", counting)
    quick = store.list(dyad="D001", limit=None)
    quick_parses = len(parsed)
    parsed.clear()
    checked = store.list(dyad="D001", limit=None, tally=Tally())
    assert [r.id for r in quick] == [r.id for r in checked] and len(quick) == 9
    assert len(parsed) == len(engine.layout.shard_names()) > quick_parses
    months_of_d001 = {r.session["session_date"][:7] for r in quick}
    assert quick_parses == len(months_of_d001)
