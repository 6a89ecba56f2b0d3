"""Parts of the months' summaries of dyads (`store/dyads.py`, format 7): a save of a dyad new
to a month rewrites one part of at most `DYADS_LIMIT` codes whatever the month holds; readers
take the union of a month's parts, and a lost or damaged part makes the month read in full;
doctor names it and a rebuild writes the parts again; format-6 summaries read and grow as
before (a big one counts as full); in an encrypted folder the parts are sealed like the rest.
Events are counted (bytes and files written, files read), never seconds."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rating_tui import passphrase
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, crypto, dyads, fileio
from rating_tui.store.convert import encrypt_folder
from rating_tui.store.layout import DYADS_LIMIT, Layout
from rating_tui.store.storage import SafeStorage

MakeRating = Callable[..., Rating]
LIMIT = 16
"""A small limit of codes per part, so that a test month holds many parts."""


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dyads, "DYADS_LIMIT", LIMIT)


def _month(store: Store, make_rating: MakeRating, instrument: Instrument, codes: int) -> None:
    """`codes` dyads rated once each in March 2025, imported in one batch."""
    ratings = [
        make_rating(dyad=f"D{n:03d}", day=f"2025-03-{1 + n % 28:02d}", number=1, status="final")
        for n in range(codes)
    ]
    store.import_ratings(ratings, {instrument.ref: instrument})


def _summary_writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(name, bytes) of every summary file a change prepares from now on."""
    written: list[tuple[str, int]] = []
    prepare = SafeStorage.prepare

    def preparing(self: SafeStorage, data: Any) -> bytes:
        out = prepare(self, data)
        if self.path.parent.name == "dyads":
            written.append((self.path.name, len(out)))
        return out

    monkeypatch.setattr(SafeStorage, "prepare", preparing)
    return written


def _shard_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = fileio.read_bytes

    def counting(path: Path, *args: Any, **kwargs: Any) -> bytes | None:
        if path.parent.name == "ratings":
            read.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(fileio, "read_bytes", counting)
    return read


def _codes(data_dir: Path, month: str) -> set[str] | None:
    store = Store.open(data_dir)
    return dyads.held(store._engine.files, Layout(data_dir), month)


@pytest.mark.parametrize("codes", [2 * LIMIT, 30 * LIMIT])
def test_a_save_of_a_dyad_new_to_a_month_writes_one_part_whatever_the_month_holds(
    store: Store,
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    small_parts: None,
    codes: int,
) -> None:
    """The month's summary holds 2 or 30 parts' worth of codes; the save rewrites one part of
    at most `LIMIT` codes (or starts one), never the month's summary whole (which the
    format-6 code did: 30 x the bytes here)."""
    _month(store, make_rating, instrument, codes)
    whole = sum(len(p.read_bytes()) for p in (data_dir / "dyads").glob("2025-03*.json"))
    written = _summary_writes(monkeypatch)
    store.finalise(make_rating(dyad="D999", day="2025-03-20"), instrument)
    assert len(written) == 1
    bound = LIMIT * len('"D000":{},') + len('{"dyads":{}}')
    assert written[0][1] <= bound < whole
    assert "D999" in (_codes(data_dir, "2025-03") or set())
    # A save of a dyad the month has writes no summary at all.
    store.finalise(make_rating(dyad="D003", day="2025-03-21", number=2), instrument)
    assert len(written) == 1


def test_the_default_part_is_a_few_kilobytes(
    store: Store,
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the real limit: a month of 999 codes (two parts) written in parts, and a save of
    a new dyad into it rewrites at most `DYADS_LIMIT` codes' worth (11 kB whole, 6 kB a part)."""
    _month(store, make_rating, instrument, 999)
    files = sorted(p.name for p in (data_dir / "dyads").iterdir())
    assert files == ["2025-03.json", "2025-03.p1.json"]
    written = _summary_writes(monkeypatch)
    store.finalise(make_rating(dyad="D999", day="2025-03-20"), instrument)
    assert [name for name, _ in written] == ["2025-03.p1.json"]
    assert written[0][1] <= DYADS_LIMIT * len('"D000":{},') + len('{"dyads":{}}')


def test_readers_take_the_union_of_a_months_parts(
    store: Store,
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    small_parts: None,
) -> None:
    _month(store, make_rating, instrument, 3 * LIMIT + 5)
    store.finalise(make_rating(dyad="D990", day="2025-04-02"), instrument)
    assert len(list((data_dir / "dyads").glob("2025-03.p*.json"))) == 3
    read = _shard_reads(monkeypatch)
    assert [r.session["dyad"] for r in store.of_dyads({"D050", "D998"})] == ["D050"]
    assert read and {name[:7] for name in read} == {"2025-03"}
    read.clear()
    assert list(store.of_dyads({"D997", "D998"})) == []
    assert read == []


def test_a_lost_or_damaged_part_is_read_around_named_by_doctor_and_rebuilt(
    store: Store,
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    small_parts: None,
) -> None:
    """A gap in the parts (one lost) or a part that cannot be read: the month's summary is
    not used, so its files are read (never a rating hidden); a save does not write into it;
    doctor warns naming the file; `rebuild_index` (doctor --repair) writes the parts again."""
    _month(store, make_rating, instrument, 3 * LIMIT)
    Store.open(data_dir)  # (the kept journal rolled forward before files change by hand)
    folder = data_dir / "dyads"
    (folder / "2025-03.p1.json").unlink()
    read = _shard_reads(monkeypatch)
    assert list(store.of_dyads({"D998"})) == []
    assert read  # the month is read
    found = {f.path.name: f for f in store.check() if "summary of dyads" in f.message}
    assert set(found) == {"2025-03.p1.json"} and "is missing" in found["2025-03.p1.json"].message
    (folder / "2025-03.p2.json").write_text('{"dyads": ')
    written = _summary_writes(monkeypatch)
    store.finalise(make_rating(dyad="D999", day="2025-03-20"), instrument)
    assert written == []  # damage never written over
    found = {f.path.name: f for f in store.check() if "summary of dyads" in f.message}
    assert "cannot be read" in found["2025-03.p2.json"].message
    report = store.rebuild_index()
    assert [p.name[:24] for p in report.set_aside] == ["2025-03.p2.json.damaged-"]
    assert _codes(data_dir, "2025-03") == {f"D{n:03d}" for n in range(3 * LIMIT)} | {"D999"}
    assert not [f for f in store.check() if "summary of dyads" in f.message]
    read.clear()
    assert list(store.of_dyads({"D998"})) == []
    assert read == []


def test_a_format_6_summary_grows_as_before_and_a_full_one_starts_a_part(
    store: Store,
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    small_parts: None,
) -> None:
    """A format-6 folder: its summaries are first files of any size. One with room takes a
    new code in place and the folder stays format 6; one past the limit counts as full: the
    next new code starts a part, and the folder is marked format 7 before that commits (a
    format-6 rating-tui would read the first file only)."""
    for month in ("2025-03", "2025-04"):
        store.finalise(make_rating(dyad="D901", day=f"{month}-02"), instrument)
    Store.open(data_dir)
    marker = data_dir / "store.json"
    marker.write_text('{"format": 6, "codec": "plain"}')
    big = {f"D{n:03d}": {} for n in range(3 * LIMIT)} | {"D901": {}}
    (data_dir / "dyads" / "2025-03.json").write_text(json.dumps({"dyads": big}))
    older = Store.open(data_dir)
    older.finalise(make_rating(dyad="D902", day="2025-04-03"), instrument)
    assert json.loads(marker.read_text())["format"] == 6
    assert not list((data_dir / "dyads").glob("*.p*.json"))
    assert _codes(data_dir, "2025-04") == {"D901", "D902"}
    written = _summary_writes(monkeypatch)
    older.finalise(make_rating(dyad="D903", day="2025-03-03"), instrument)
    assert json.loads(marker.read_text())["format"] == 7
    assert [name for name, _ in written] == ["2025-03.p1.json"]
    assert _codes(data_dir, "2025-03") == set(big) | {"D903"}


def test_an_encrypted_folders_parts_are_sealed_and_read(
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    small_parts: None,
) -> None:
    monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    monkeypatch.setenv(passphrase.ENV, "pw")
    passphrase.set_reader(None)
    crypto.forget_keys()
    try:
        store = Store.open(data_dir)
        _month(store, make_rating, instrument, 2 * LIMIT)
        encrypt_folder(data_dir, "pw")
        store = Store.open(data_dir)
        store.finalise(make_rating(dyad="D999", day="2025-03-20"), instrument)
        parts = sorted((data_dir / "dyads").iterdir())
        assert [p.name for p in parts] == ["2025-03.json", "2025-03.p1.json", "2025-03.p2.json"]
        assert all(crypto.is_sealed(p.read_bytes()) for p in parts)
        assert not any(b"D00" in p.read_bytes() or b"D999" in p.read_bytes() for p in parts)
        read = _shard_reads(monkeypatch)
        assert [r.session["dyad"] for r in store.of_dyads({"D999"})] == ["D999"]
        read.clear()
        assert list(store.of_dyads({"D998"})) == [] and read == []
    finally:
        crypto.forget_keys()


def test_a_restore_into_a_month_with_parts_names_its_dyads(
    store: Store, data_dir: Path, make_rating: MakeRating, instrument: Instrument, small_parts: None
) -> None:
    """A backup holding a dyad the month's summary no longer names (corrected since, and the
    summary rebuilt): restoring it adds the code to the open part."""
    _month(store, make_rating, instrument, LIMIT + 3)
    first = store.finalise(make_rating(dyad="D801", day="2025-05-04"), instrument)
    Store.open(data_dir)
    folder = data_dir / "backups" / "ratings" / "2025-05"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_dir / "ratings" / "2025-05.json", folder / "2025-05-20.json")
    store.update(
        first.replace(session={**first.session, "dyad": "D802"}), instrument, by="AB", reason="x"
    )
    store.rebuild_index()
    assert _codes(data_dir, "2025-05") == {"D802"}
    store.restore(store.restore_plan("2025-05/2025-05-20"), remerge=False)
    assert _codes(data_dir, "2025-05") == {"D801", "D802"}
    assert len(_codes(data_dir, "2025-03") or ()) == LIMIT + 3
    assert (data_dir / "dyads" / "2025-03.p1.json").exists()


def test_a_move_and_an_edit_into_a_month_with_full_parts_start_a_part(
    store: Store, data_dir: Path, make_rating: MakeRating, instrument: Instrument, small_parts: None
) -> None:
    _month(store, make_rating, instrument, 2 * LIMIT)  # March: two full files
    moved = store.finalise(make_rating(dyad="D901", day="2025-04-02"), instrument)
    store.update(moved.with_field("session_date", "2025-03-05"), instrument, by="AB", reason="d")
    assert (data_dir / "dyads" / "2025-03.p2.json").exists()
    edited = store.get(moved.id)
    store.update(
        edited.replace(session={**edited.session, "dyad": "D902"}), instrument, by="AB", reason="x"
    )
    assert _codes(data_dir, "2025-03") == {f"D{n:03d}" for n in range(2 * LIMIT)} | {
        "D901",
        "D902",
    }
    assert [r.id for r in store.of_dyads({"D902"})] == [moved.id]


def test_a_temp_file_a_crash_left_among_the_summaries_is_removed_on_open(
    store: Store, data_dir: Path, make_rating: MakeRating, instrument: Instrument
) -> None:
    """(test_crash.py kills writers at random: one was killed while a summary's temp file
    existed, which the next open left there.)"""
    store.finalise(make_rating(dyad="D001", day="2025-03-02"), instrument)
    left = data_dir / "dyads" / f".2025-03.json.0123456789ab{fileio.TEMP_SUFFIX}"
    left.write_bytes(b'{"dyads":{')
    Store.open(data_dir)
    assert not left.exists()


@pytest.fixture(autouse=True)
def _no_key_left() -> Iterator[None]:
    yield
    crypto.forget_keys()
