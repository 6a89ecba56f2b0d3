"""Bounded files (issue 11): a month fills in order, its file then parts `.p1`, `.p2`, ... of
at most `SHARD_LIMIT` ratings, started in the transaction of the save that needs them, and an
index file past its limit splits into 16 by the id. So a save rewrites a bounded amount
whatever the monthly volume, and a batch rewrites only the open parts of its months and the
parts it starts, whatever the folder's size; an old folder keeps opening and is marked format
3 when its first part starts. Counted in ratings and entries per written file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import STATUSES, Rating
from rating_tui.store import Store, index, journal, shards
from rating_tui.store.layout import INDEX_TABLE, RATINGS_TABLE
from tests.unit.store.powerloss import Recorder

SHARD = 4
BUCKET = 2


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits small enough for a test to pass them with a few dozen ratings."""
    monkeypatch.setattr(shards, "SHARD_LIMIT", SHARD)
    monkeypatch.setattr(index, "BUCKET_LIMIT", BUCKET)


def _written(recorder: Recorder) -> dict[Path, bytes]:
    """Relative path -> bytes of every staged or temp file the recorded change wrote."""
    out: dict[Path, bytes] = {}
    for op in recorder.log:
        if op[0] == "write":
            out[op[1]] = out.get(op[1], b"") + op[2]
    return out


def _sizes(written: dict[Path, bytes]) -> list[tuple[str, int]]:
    """(folder, records in it) for each data file written (ratings or index entries)."""
    out = []
    for path, data in written.items():
        if path.parts[0] in ("ratings", "index") and data:
            tables = json.loads(data)
            table = RATINGS_TABLE if path.parts[0] == "ratings" else INDEX_TABLE
            out.append((path.parts[0], len(tables.get(table, {}))))
    return out


@pytest.mark.usefixtures("small")
def test_a_save_into_a_busy_month_rewrites_at_most_the_limit(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store = Store.open(data_dir)
    batch = [make_rating(day=f"2025-03-{1 + n % 28:02d}", number=n + 1) for n in range(60)]
    store.import_ratings(batch, {instrument.ref: instrument})
    recorder = Recorder(data_dir)
    with recorder.recording():
        saved = store.finalise(make_rating(day="2025-03-15", notes="one more"), instrument)
    sizes = _sizes(_written(recorder))
    assert sizes and all(n <= SHARD for folder, n in sizes if folder == "ratings"), sizes
    assert all(n <= BUCKET for folder, n in sizes if folder == "index"), sizes
    # Everything is still found, listed and exported in date order; doctor is content.
    assert store.get(saved.id) == saved
    assert all(store.get(r.id).id == r.id for r in batch)
    every = list(store.iter_all(statuses=STATUSES))
    assert len(every) == 61
    days = [str(r.session["session_date"]) for r in every]
    assert days == sorted(days)
    listed = store.list(statuses=STATUSES, limit=5)
    assert [r.session["session_date"] for r in listed] == sorted(days, reverse=True)[:5]
    assert [f for f in store.check() if f.level == "error"] == []
    march = sorted((data_dir / "ratings").glob("2025-03*.json"))
    assert len(march) == 16  # 61 ratings: the month's file and 15 parts, the last not full
    held = [len(json.loads(p.read_text())[RATINGS_TABLE]) for p in march]
    assert sorted(held) == [1] + [SHARD] * 15, held
    (data_dir / "ratings" / "2025-03.p7.json").unlink()  # a part is deleted by hand
    errors = [f.message for f in store.check() if f.level == "error"]
    assert any("1 part(s) of 2025-03 are missing (2025-03.p7)" in m for m in errors), errors
    assert any(f"{SHARD} rating(s) stored in this month are missing" in m for m in errors)


@pytest.mark.usefixtures("small")
def test_a_batch_rewrites_only_the_open_parts_whatever_the_folder_holds(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    """Ids are random: placed by id, a batch would land in every part of its months (the
    format-2 layout rewrote nearly every file of the folder for an import of 10k into 100k).
    Placed in fill order, an import writes the open part of each month it touches, the parts
    it starts, and index files; never a full part."""
    store = Store.open(data_dir)
    known = {instrument.ref: instrument}
    for month in ("01", "02"):
        batch = [make_rating(day=f"2025-{month}-{1 + n % 28:02d}", number=n + 1) for n in range(42)]
        store.import_ratings(batch, known)  # 42: the month's file, 9 full parts, p10 holds 2
    full = {p.name: p.read_bytes() for p in (data_dir / "ratings").glob("2025-0[12]*.json")}
    recorder = Recorder(data_dir)
    with recorder.recording():
        store.import_ratings(
            [make_rating(day=f"2025-0{1 + n % 2}-20", number=100 + n) for n in range(14)], known
        )
    written = sorted(  # the files staged (.<name>.<transaction>.staged)
        f"ratings/{p.name.split('.json.')[0].removeprefix('.')}.json"
        for p in _written(recorder)
        if p.parts[0] == "ratings"
    )
    assert written == [  # 7 a month: 2 fill p10, 4 fill a new p11, 1 starts p12
        f"ratings/2025-{m}.{p}.json" for m in ("01", "02") for p in ("p10", "p11", "p12")
    ], written
    after = {p.name: p.read_bytes() for p in (data_dir / "ratings").glob("2025-0[12]*.json")}
    changed = sorted(name for name in full if after[name] != full[name])
    assert changed == ["2025-01.p10.json", "2025-02.p10.json"], changed
    assert len(list(store.iter_all(statuses=STATUSES))) == 98
    assert [f.message for f in store.check() if f.level == "error"] == []


@pytest.mark.usefixtures("small")
def test_moves_edits_and_rebuilds_work_across_split_files(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store = Store.open(data_dir)
    ratings = [
        store.finalise(make_rating(day=f"2025-04-{1 + n:02d}", number=n + 1), instrument)
        for n in range(20)
    ]
    moved = store.update(
        ratings[3].with_field("session_date", "2025-09-09"), instrument, by="AB", reason="date"
    )
    assert store.get(moved.id).session["session_date"] == "2025-09-09"
    edited = store.update(ratings[4].replace(notes="edited"), instrument, by="AB", reason="x")
    assert store.get(edited.id).notes == "edited"
    assert store.resolve_id(ratings[5].id[:8]) == ratings[5].id
    report = store.rebuild_index()
    assert report.files_written == 0  # the index was right, split files and all
    assert [f for f in store.check() if f.level == "error"] == []
    for path in (data_dir / "index").glob("*.json"):  # an index file loses an entry
        tables = json.loads(path.read_text())
        if tables.get(INDEX_TABLE):
            tables[INDEX_TABLE].popitem()
            path.write_text(json.dumps(tables))
            break
    errors = [f.message for f in store.check() if f.level == "error"]
    assert any("part of the index is lost" in m for m in errors), errors
    store.rebuild_index()
    assert [f for f in store.check() if f.level == "error"] == []
    assert all(store.get(r.id).id == r.id for r in ratings)


def test_an_old_folder_keeps_opening_and_becomes_format_3_when_its_first_part_starts(
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store.open(data_dir)
    first = [
        store.finalise(make_rating(day="2025-05-05", number=n + 1), instrument) for n in range(6)
    ]
    marker = data_dir / "store.json"
    marker.write_text(json.dumps({"format": 1, "codec": "plain"}))  # as version 1 left it
    old = Store.open(data_dir)
    assert all(old.get(r.id) == r for r in first)
    assert json.loads(marker.read_text())["format"] == 1  # opening changes nothing
    monkeypatch.setattr(shards, "SHARD_LIMIT", SHARD)
    recorder = Recorder(data_dir)
    with recorder.recording():
        old.finalise(make_rating(day="2025-05-06", number=9), instrument)
    assert json.loads(marker.read_text()) == {"format": 3, "codec": "plain"}
    assert (data_dir / "ratings" / "2025-05.p1.json").exists()
    # The marker is raised (renamed into place) before the journal of the save that starts
    # the part exists, so a crash can never leave parts in a folder marked format 1; the
    # journal never names it.
    events = [(op[0], str(op[-1])) for op in recorder.log if op[0] in ("rename", "create")]
    raised = events.index(("rename", "store.json"))
    assert raised < min(i for i, e in enumerate(events) if "journal.json" in e[1])
    assert all(old.get(r.id) == r for r in first)
    assert [f for f in old.check() if f.level == "error"] == []


@pytest.mark.usefixtures("small")
def test_an_import_writes_each_file_once(
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(journal, "CARRY_LIMIT", 0)  # staged files, as a big import's
    store = Store.open(data_dir)
    store.import_ratings(
        [make_rating(day=f"2025-0{1 + n % 3}-02", number=n + 1) for n in range(40)],
        {instrument.ref: instrument},
    )
    recorder = Recorder(data_dir)
    with recorder.recording():
        store.import_ratings(
            [make_rating(day=f"2025-0{1 + n % 4}-03", number=n + 1) for n in range(80)],
            {instrument.ref: instrument},
        )
    created = [op[1] for op in recorder.log if op[0] == "create" and op[1].suffix != ""]
    staged = [p for p in created if p.name.endswith(".staged")]
    targets = [p.parent / p.name.split(".json.")[0].removeprefix(".") for p in staged]
    assert staged and len(targets) == len(set(targets)), sorted(map(str, targets))


@pytest.mark.usefixtures("small")
@pytest.mark.parametrize("sealed", [False, True], ids=["plain", "encrypted"])
def test_new_parts_are_audited_so_doctor_stays_content(
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    sealed: bool,
) -> None:
    """An import that starts parts of a month and splits an index file, then saves that fill
    the open part and start the next: each is one audit entry holding every rating it placed,
    with the file it went to; no stored rating moves; doctor finds nothing changed outside
    rating-tui."""
    from rating_tui import passphrase
    from rating_tui.store import crypto
    from rating_tui.store.convert import encrypt_folder

    store = Store.open(data_dir)
    first = store.finalise(make_rating(day="2025-03-01"), instrument)
    if sealed:
        monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
        encrypt_folder(data_dir, "correct horse")
        monkeypatch.setenv(passphrase.ENV, "correct horse")
        crypto.forget_keys()
        store = Store.open(data_dir)
    batch = [make_rating(day=f"2025-03-{1 + n % 28:02d}", number=n + 2) for n in range(60)]
    batch[:5] = [r.replace(id="ab" + r.id[2:]) for r in batch[:5]]  # index file ab splits
    store.import_ratings(batch, {instrument.ref: instrument})
    ratings = data_dir / "ratings"
    assert len(list(ratings.glob("2025-03.p*.json"))) == 15  # 61: the file and 15 parts
    assert list((data_dir / "index").glob("ab?.json"))  # and the index file "ab" split
    log = store.audit_log()
    assert log is not None and log.problems == []
    rows = {row["id"]: row for row in log.entries[-1]["ratings"]}
    assert set(rows) == {r.id for r in batch}  # the stored rating stays where it was
    assert first.id not in rows and store.get(first.id) == first
    assert all(row["file"].startswith("ratings/2025-03") for row in rows.values())
    assert [f"{f.path}: {f.message}" for f in store.check() if f.level == "error"] == []
    for n in range(4):  # the open part (3 ratings) is filled, then p16 starts
        store.finalise(make_rating(day="2025-03-15", number=100 + n), instrument)
    assert (ratings / "2025-03.p16.json").exists()
    rows = {row["id"]: row for row in store.audit_log().entries[-1]["ratings"]}  # type: ignore[union-attr]
    assert [row["file"] for row in rows.values()] == ["ratings/2025-03.p16.json"]
    reopened = Store.open(data_dir)
    assert len(list(reopened.iter_all(statuses=STATUSES))) == 65
    assert [f"{f.path}: {f.message}" for f in reopened.check() if f.level == "error"] == []
    if sealed:
        crypto.forget_keys()
        monkeypatch.delenv(passphrase.ENV)
