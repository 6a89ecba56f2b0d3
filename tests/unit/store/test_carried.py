"""A save's journal carries its files' bytes (issue 11): the fsyncs a save makes, and what
recovery does with a carried journal whose files were changed since, or whose bytes are
damaged. The power cuts themselves are in test_power_loss."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, StoreCorruptError, fileio, journal
from rating_tui.store.layout import Layout


def _fsyncs(monkeypatch: pytest.MonkeyPatch, change: Callable[[], object]) -> list[str]:
    """The names of what `change` fsyncs (files and folders), in order."""
    real_open, real_fsync = fileio._open, fileio._fsync
    names: dict[int, str] = {}
    synced: list[str] = []

    def open_(path: object, flags: int, mode: int = 0o777) -> int:
        fd = real_open(path, flags, mode)  # type: ignore[arg-type]
        names[fd] = Path(str(path)).name
        return fd

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(names.get(fd, "?"))

    monkeypatch.setattr(fileio, "_open", open_)
    monkeypatch.setattr(fileio, "_fsync", fsync)
    change()
    monkeypatch.setattr(fileio, "_open", real_open)
    monkeypatch.setattr(fileio, "_fsync", real_fsync)
    return synced


def test_a_save_makes_four_fsyncs_the_journal_its_folder_and_the_last_index_file_and_folder(
    store: Store,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(3):  # the day's backups taken, the month written before by this process
        rating = make_rating(day="2025-03-04", number=n + 1)
        store.finalise(rating.replace(id=f"a{n}" + rating.id[2:]), instrument)
    rating = make_rating(day="2025-03-05", number=9)
    rating = rating.replace(id="b0" + rating.id[2:])  # (another index file than the last's)
    synced = _fsyncs(monkeypatch, lambda: store.finalise(rating, instrument))
    # The previous save's index file (another id's, new: its folder too, for its name),
    # then the journal and the data folder after its rename; never the month, the manifest
    # or the audit log, whose bytes and lines this journal carries again.
    assert len(synced) == 4, synced
    assert synced[1:] == ["index", synced[2], store.data_dir.name], synced
    assert synced[2].startswith(".journal.json.")
    assert synced[0] == "a2.json"
    assert store.get(rating.id).notes == rating.notes


def test_a_kept_journal_never_writes_over_a_file_changed_after_its_process_ended(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store = Store.open(data_dir)
    kept = store.finalise(make_rating(day="2025-03-04", notes="kept"), instrument)
    later = store.finalise(make_rating(day="2025-03-05", notes="later"), instrument)
    assert (data_dir / "journal.json").exists()  # the last save's, kept (its files unsynced)
    # The process ends; someone puts back a March holding only the first rating (as a copy
    # from their own backups), which is neither the month before the last save nor after it.
    march = data_dir / "ratings" / "2025-03.json"
    tables = json.loads(march.read_bytes())
    del tables["ratings"][later.id]
    tables["ratings"][kept.id] = {**tables["ratings"][kept.id], "notes": "put back by hand"}
    march.write_bytes(json.dumps(tables).encode())
    found = journal.read_journal(Layout(data_dir))
    assert isinstance(found, journal.Journal) and found.carried is not None
    assert journal.applied(Layout(data_dir), found)  # nothing left to do: not reported

    reopened = Store.open(data_dir)  # rolls the journal forward: March is left as it is
    assert not (data_dir / "journal.json").exists()
    assert json.loads(march.read_bytes()) == tables
    assert reopened.get(kept.id).notes == "put back by hand"


def test_a_kept_journal_writes_a_file_a_power_cut_took_back_to_an_older_version(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store = Store.open(data_dir)
    store.finalise(make_rating(day="2025-03-04", notes="first"), instrument)
    march = data_dir / "ratings" / "2025-03.json"
    before = march.read_bytes()
    second = store.finalise(make_rating(day="2025-03-05", notes="second"), instrument)
    march.write_bytes(before)  # as a power cut leaves a file written without an fsync
    found = journal.read_journal(Layout(data_dir))
    assert isinstance(found, journal.Journal)
    assert not journal.applied(Layout(data_dir), found)
    reopened = Store.open(data_dir)
    assert reopened.get(second.id).notes == "second"
    assert [f for f in reopened.check() if f.level == "error"] == []


def test_a_carried_journal_whose_bytes_are_damaged_is_refused_before_anything_is_written(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store = Store.open(data_dir)
    store.finalise(make_rating(day="2025-03-04"), instrument)
    path = data_dir / "journal.json"
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0x20  # a byte of the last carried file
    path.write_bytes(bytes(raw))
    files = {p: p.read_bytes() for p in data_dir.rglob("*.json") if p != path}
    with pytest.raises(StoreCorruptError, match="are damaged"):
        Store.open(data_dir)
    assert {p: p.read_bytes() for p in data_dir.rglob("*.json") if p != path} == files
    assert path.exists()  # (left for doctor to report)


def test_a_journal_another_store_rolled_forward_is_no_guide_to_the_files_versions(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    """Two stores on one folder (two windows): B rolls A's kept journal forward and saves
    into the same month; A's next save must list B's month as a version March may hold, or a
    power cut losing A's write would leave March without A's rating, for good."""
    first = Store.open(data_dir)
    first.finalise(make_rating(day="2025-03-04", notes="A"), instrument)
    second = Store.open(data_dir)
    second.finalise(make_rating(day="2025-03-05", notes="B"), instrument)
    march = data_dir / "ratings" / "2025-03.json"
    after_second = march.read_bytes()
    last = first.finalise(make_rating(day="2025-03-06", notes="A again"), instrument)
    march.write_bytes(after_second)  # a power cut took back A's write (made without fsync)
    reopened = Store.open(data_dir)
    assert reopened.get(last.id).notes == "A again"
    assert [f for f in reopened.check() if f.level == "error"] == []


def test_a_kept_journal_never_brings_back_a_file_deleted_after_its_process_ended(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store = Store.open(data_dir)
    store.finalise(make_rating(day="2025-03-04"), instrument)  # March made
    store.finalise(make_rating(day="2025-04-04"), instrument)  # March made durable
    store.finalise(make_rating(day="2025-03-05"), instrument)  # March existed before it
    march = data_dir / "ratings" / "2025-03.json"
    march.unlink()  # by hand, once the process ended (its journal kept)
    found = journal.read_journal(Layout(data_dir))
    assert isinstance(found, journal.Journal) and found.carried is not None
    assert march in found.carried and "" not in found.versions[march]
    Store.open(data_dir)
    assert not march.exists()  # left deleted: doctor names the ratings it held
    assert not (data_dir / "journal.json").exists()
