"""A folder written by the format-2 store (months and index files split by the id: a trie),
kept in `data/format2` (see its README), opens, reads and accepts every kind of write with
the fill-order layout: ratings already in a split month stay where they are and are edited
in place; new ones go to the month's parts; the folder is marked format 3 when its first part
starts, and doctor, rebuild and restore keep working on it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import STATUSES, Rating
from rating_tui.store import Store
from rating_tui.store.layout import RATINGS_TABLE, SPLIT_TABLE
from tests.unit.store.powerloss import Recorder

DATA = Path(__file__).parent / "data"


@pytest.fixture
def old(tmp_path: Path) -> Path:
    folder = tmp_path / "format2"
    shutil.copytree(DATA / "format2", folder)
    for path in [folder, *folder.rglob("*")]:  # as the store made them (git keeps 644)
        path.chmod(0o700 if path.is_dir() else 0o600)
    return folder


def _errors(store: Store) -> list[str]:
    return [f"{f.path}: {f.message}" for f in store.check() if f.level == "error"]


def test_a_format_2_folder_reads_as_it_was(old: Path) -> None:
    expected = json.loads((DATA / "format2-expected.json").read_text())
    store = Store.open(old)
    assert json.loads((old / "store.json").read_text())["format"] == 2  # opening changes nothing
    assert _errors(store) == []
    every = {r.id: r.status for r in store.iter_all(statuses=STATUSES)}
    assert every == expected["ratings"]
    assert all(store.get(i).status == status for i, status in every.items())
    assert store.get(expected["edited"]).notes == "edited in format 2"
    assert store.get(expected["moved"]).session["session_date"] == "2025-04-09"
    assert store.rebuild_index().files_written == 0  # entries naming months stay as they are
    # The rebuild read every month: it wrote their summaries of dyads, and marked format 6.
    assert json.loads((old / "store.json").read_text())["format"] == 6
    assert sorted(p.name for p in (old / "dyads").iterdir()) == sorted(
        f"{m}.json" for m in {s.partition(".")[0] for s in store._engine.layout.shard_names()}
    )


def test_a_format_2_folder_takes_saves_edits_moves_and_imports(
    old: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    expected = json.loads((DATA / "format2-expected.json").read_text())
    store = Store.open(old)
    march = json.loads((old / "ratings" / "2025-03.json").read_text())
    assert set(march) == {SPLIT_TABLE}  # split by the id
    # A new rating of the split month goes to its first part; the trie's files stay as they are.
    trie = {p.name: p.read_bytes() for p in (old / "ratings").glob("2025-03.*.json")}
    saved = store.finalise(make_rating(day="2025-03-21", number=150), instrument)
    assert json.loads((old / "ratings" / "2025-03.p1.json").read_text())[RATINGS_TABLE].keys() == {
        saved.id
    }
    assert {
        p.name: p.read_bytes() for p in (old / "ratings").glob("2025-03.*.json") if p.name in trie
    } == trie
    assert json.loads((old / "store.json").read_text()) == {"format": 3, "codec": "plain"}
    # An edit of a rating in a part of the trie rewrites that part only.
    edited = store.get(expected["edited"])
    recorder = Recorder(old)
    with recorder.recording():
        again = store.update(
            edited.replace(notes="edited in format 3"), instrument, by="AB", reason="x"
        )
    rating_files = {
        op[1].name.split(".json.")[0].removeprefix(".")
        for op in recorder.log
        if op[0] == "write" and op[1].parts[0] == "ratings"
    }
    assert len(rating_files) == 1 and rating_files <= {n.removesuffix(".json") for n in trie}
    assert store.get(edited.id) == again
    # A move out of the trie, a void, an import into both months, a move back in.
    finals = [i for i, s in expected["ratings"].items() if s == "final" and i != edited.id]
    moving = store.get(finals[0])
    store.update(moving.with_field("session_date", "2025-05-01"), instrument, by="AB", reason="d")
    store.void(finals[1], by="AB", reason="duplicate", based_on=store.get(finals[1]).updated)
    batch = [make_rating(day=f"2025-0{3 + n % 2}-1{n % 10}", number=180 + n) for n in range(12)]
    store.import_ratings(batch, {instrument.ref: instrument})
    back = store.get(expected["moved"])
    store.update(back.with_field("session_date", "2025-03-30"), instrument, by="AB", reason="d")
    reopened = Store.open(old)
    every = {r.id: r for r in reopened.iter_all(statuses=STATUSES)}
    assert set(every) == set(expected["ratings"]) | {saved.id} | {r.id for r in batch}
    assert every[moving.id].session["session_date"] == "2025-05-01"
    assert every[finals[1]].status == "voided"
    assert every[back.id].session["session_date"] == "2025-03-30"
    assert _errors(reopened) == []
    # The import's entries may be in index delta files (format 4); a rebuild moves them into
    # the index files and finds nothing else to change; a second one writes nothing.
    assert reopened.rebuild_index().kept_missing == 0
    assert reopened.rebuild_index().files_written == 0
    assert not list((old / "index").glob("*.d*.json"))
    log = reopened.audit_log()
    assert log is not None and log.problems == []


def test_parts_restore_from_their_backups(
    old: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    """A part of the trie and a fill-order part, each damaged, come back from their own
    backups; doctor then names exactly the ratings saved after the backup (lost with the
    damaged file), by the part their index entry names."""
    from rating_tui.store.restore import RestoreRefusedError

    store = Store.open(old)
    with pytest.raises(RestoreRefusedError, match="has split into 16 parts"):
        store.restore_plan("2025-03.2")  # a backup from before that part split again
    first = store.finalise(make_rating(day="2025-03-22", number=160), instrument)
    later = store.finalise(make_rating(day="2025-03-23", number=161), instrument)  # backs p1 up
    for part, count in (("2025-03.7", 3), ("2025-03.p1", 1)):
        path = old / "ratings" / f"{part}.json"
        held = set(json.loads(path.read_text())[RATINGS_TABLE])
        path.write_text("{")  # damaged
        assert any(part in e for e in _errors(store))
        shown = store.restore_plan(part)
        assert len(shown.restored) == count, part
        store.restore(shown, remerge=True)
        now = set(json.loads(path.read_text())[RATINGS_TABLE])
        errors = _errors(Store.open(old))
        named = "2025-03.json" if part == "2025-03.7" else "2025-03.p1.json"  # by the entry
        error = next(e for e in errors if e.split(": ")[0].endswith(named))
        assert f"{len(held - now)} rating(s) stored" in error and all(
            i in error for i in held - now
        )
        if part == "2025-03.p1":
            assert now == {first.id} and later.id in error and len(errors) == 2
