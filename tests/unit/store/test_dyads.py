"""The months' summaries of dyads (`store/dyads.py`, format 6): an import's checks read only
the months that hold a rating of its dyads; every change that puts a rating in a month names
its dyad in the same transaction; months without a summary (older folders) are read as
before. Events are counted (files read), never seconds. (That no dyad code is readable in an
encrypted folder, summaries included: test_encryption.py.)"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, fileio
from rating_tui.store.dyads import summary
from rating_tui.store.layout import Layout

MakeRating = Callable[..., Rating]


def _months(store: Store, make_rating: MakeRating, instrument: Instrument) -> list[Rating]:
    """Six months, two dyads a month (D0m1, D0m2), three sessions each."""
    ratings = [
        make_rating(dyad=f"D0{m}{d}", day=f"2025-0{m}-{n + 10}", number=n + 1, status="final")
        for m in range(1, 7)
        for d in (1, 2)
        for n in range(3)
    ]
    store.import_ratings(ratings, {instrument.ref: instrument})
    return ratings


def _shard_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the rating files read from now on (summaries and index files left out)."""
    read: list[str] = []
    real = fileio.read_bytes

    def counting(path: Path, *args: Any, **kwargs: Any) -> bytes | None:
        if path.parent.name not in ("dyads", "index") and path.name[:2] == "20":
            read.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(fileio, "read_bytes", counting)
    return read


def _settled(data_dir: Path) -> None:
    """Another open rolls the last change's kept journal forward (it would write its files
    again), before files are changed by hand here."""
    Store.open(data_dir)


def _codes(data_dir: Path, month: str) -> set[str] | None:
    store = Store.open(data_dir)
    return summary(store._engine.files, Layout(data_dir).dyads_of(month))


def test_the_checks_of_new_dyads_read_no_month_file(
    store: Store, make_rating: MakeRating, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import of dyads the folder has never seen (as in the benchmark's import into a
    full folder) reads none of the folder's month files; the code before summaries read
    every one of them (their text, for the dyad fields), so its reads followed the folder."""
    _months(store, make_rating, instrument)
    read = _shard_reads(monkeypatch)
    assert list(store.of_dyads({"ZZ0001", "ZZ0002"}, statuses=("draft", "final", "voided"))) == []
    assert read == []


def test_the_checks_read_only_the_months_of_their_dyads(
    store: Store, make_rating: MakeRating, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    _months(store, make_rating, instrument)
    read = _shard_reads(monkeypatch)
    found = list(store.of_dyads({"D022", "D051"}))
    assert sorted(r.session["dyad"] for r in found) == ["D022"] * 3 + ["D051"] * 3
    assert sorted(read) == ["2025-02.json", "2025-05.json"]


def test_a_month_without_a_summary_is_read_as_before(
    store: Store,
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A month of an older folder (no summary), or whose summary is lost or damaged, is read;
    a save into it does not start a summary (it would lack the older ratings' dyads)."""
    _months(store, make_rating, instrument)
    _settled(data_dir)
    (data_dir / "dyads" / "2025-03.json").unlink()
    (data_dir / "dyads" / "2025-04.json").write_text('{"dyads": {"D041": []}}')
    store.finalise(make_rating(dyad="D777", day="2025-03-28", number=9), instrument)
    assert not (data_dir / "dyads" / "2025-03.json").exists()
    store.finalise(make_rating(dyad="D778", day="2025-04-28", number=9), instrument)
    assert (data_dir / "dyads" / "2025-04.json").read_text() == '{"dyads": {"D041": []}}'
    read = _shard_reads(monkeypatch)
    found = list(store.of_dyads({"D777", "D778"}))
    assert sorted(r.session["dyad"] for r in found) == ["D777", "D778"]
    assert sorted(read) == ["2025-03.json", "2025-04.json"]


def test_every_change_that_puts_a_rating_in_a_month_names_its_dyad(
    store: Store, data_dir: Path, make_rating: MakeRating, instrument: Instrument
) -> None:
    first = store.finalise(make_rating(dyad="D100", day="2025-01-05"), instrument)
    assert _codes(data_dir, "2025-01") == {"D100"}
    draft = store.save_draft(make_rating(dyad="D200", day="2025-01-06"), instrument)
    assert _codes(data_dir, "2025-01") == {"D100", "D200"}
    # An edit in place that changes the dyad, and a move to another month.
    edited = store.update(
        first.replace(session={**first.session, "dyad": "D101"}), instrument, by="AB", reason="x"
    )
    assert _codes(data_dir, "2025-01") == {"D100", "D101", "D200"}  # (only grows)
    store.save_draft(
        draft.replace(session={**draft.session, "session_date": "2025-02-01"}), instrument
    )
    assert _codes(data_dir, "2025-02") == {"D200"}
    assert [r.id for r in store.of_dyads({"D101"})] == [edited.id]
    assert [r.id for r in store.of_dyads({"D200"}, statuses=("draft",))] == [draft.id]


def test_the_first_summary_marks_an_older_folder_format_6(
    store: Store, data_dir: Path, make_rating: MakeRating, instrument: Instrument
) -> None:
    """An older rating-tui would add ratings without naming their dyads: the folder is marked
    before the first summary is committed, so it refuses the folder instead."""
    store.finalise(make_rating(day="2025-01-05"), instrument)
    _settled(data_dir)
    shutil.rmtree(data_dir / "dyads")
    marker = data_dir / "store.json"
    marker.write_text('{"format": 5, "codec": "plain"}')
    older = Store.open(data_dir)
    older.finalise(make_rating(day="2025-01-06"), instrument)  # a month without a summary
    assert json.loads(marker.read_text())["format"] == 5
    older.finalise(make_rating(day="2025-02-06"), instrument)  # a new month
    assert json.loads(marker.read_text())["format"] == 6
    assert _codes(data_dir, "2025-02") == {"D001"}


def test_doctor_names_a_summary_that_lacks_a_dyad_of_its_month(
    store: Store, data_dir: Path, make_rating: MakeRating, instrument: Instrument
) -> None:
    _months(store, make_rating, instrument)
    assert not [f for f in store.check() if "summary of dyads" in f.message]
    _settled(data_dir)
    (data_dir / "dyads" / "2025-02.json").write_text('{"dyads": {"D021": {}}}')  # by hand
    (data_dir / "dyads" / "2025-03.json").write_text('{"dyads": ')
    found = {f.path.name: f for f in store.check() if "summary of dyads" in f.message}
    assert set(found) == {"2025-02.json", "2025-03.json"}
    assert found["2025-02.json"].level == "warning" and "D022" in found["2025-02.json"].message
    assert "cannot be read" in found["2025-03.json"].message


def test_a_rebuild_gives_an_older_folders_months_their_summaries(
    store: Store,
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`doctor --repair` (`rebuild_index`) reads every month: it writes each one's summary,
    exact, setting a damaged one aside; the folder is then read like a new one."""
    _months(store, make_rating, instrument)
    _settled(data_dir)
    shutil.rmtree(data_dir / "dyads")
    marker = data_dir / "store.json"
    marker.write_text('{"format": 5, "codec": "plain"}')
    older = Store.open(data_dir)
    read = _shard_reads(monkeypatch)
    assert list(older.of_dyads({"ZZ0001"})) == []
    assert len(read) == 6  # every month, as before
    monkeypatch.undo()
    (data_dir / "dyads").mkdir()
    (data_dir / "dyads" / "2025-02.json").write_text('{"dyads": ')
    report = older.rebuild_index()
    assert [p.name[:21] for p in report.set_aside] == ["2025-02.json.damaged-"]
    assert json.loads(marker.read_text())["format"] == 6
    assert _codes(data_dir, "2025-02") == {"D021", "D022"}
    read = _shard_reads(monkeypatch)
    assert list(older.of_dyads({"ZZ0001"})) == []
    assert read == []


def test_a_save_of_a_dyad_its_month_names_neither_parses_nor_writes_the_summary(
    store: Store,
    data_dir: Path,
    make_rating: MakeRating,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app's saves: the summary's text is searched for the one code, not parsed, and
    only a dyad new to the month rewrites it."""
    from rating_tui.store.storage import SafeStorage

    _months(store, make_rating, instrument)
    parsed: list[str] = []
    written: list[str] = []
    parse, write = SafeStorage.parse, SafeStorage.prepare

    def parsing(self: SafeStorage, raw: bytes) -> Any:
        parsed.append(self.path.parent.name)
        return parse(self, raw)

    def preparing(self: SafeStorage, data: Any) -> bytes:
        written.append(self.path.parent.name)
        return write(self, data)

    monkeypatch.setattr(SafeStorage, "parse", parsing)
    monkeypatch.setattr(SafeStorage, "prepare", preparing)
    store.finalise(make_rating(dyad="D031", day="2025-03-20", number=9), instrument)
    assert "dyads" not in parsed + written
    store.finalise(make_rating(dyad="D039", day="2025-03-21", number=1), instrument)
    assert written.count("dyads") == 1
    assert _codes(data_dir, "2025-03") == {"D031", "D032", "D039"}


def test_a_restore_names_the_dyads_of_the_ratings_it_brings_back(
    store: Store, data_dir: Path, make_rating: MakeRating, instrument: Instrument
) -> None:
    """A backup from before a summary was rebuilt may hold a dyad the month's summary no
    longer names (here: a rating whose dyad was corrected since); restoring it names it."""
    first = store.finalise(make_rating(dyad="D501", day="2025-03-04"), instrument)
    _settled(data_dir)
    folder = data_dir / "backups" / "ratings" / "2025-03"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_dir / "ratings" / "2025-03.json", folder / "2025-03-20.json")
    store.update(
        first.replace(session={**first.session, "dyad": "D502"}), instrument, by="AB", reason="x"
    )
    store.rebuild_index()  # exact again: D501 is gone from the month
    assert _codes(data_dir, "2025-03") == {"D502"}
    store.restore(store.restore_plan("2025-03/2025-03-20"), remerge=False)
    assert _codes(data_dir, "2025-03") == {"D501", "D502"}
    assert [r.id for r in store.of_dyads({"D501"})] == [first.id]
