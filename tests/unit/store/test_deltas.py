"""Index delta files (format 4): a batch writes the entries of its new ids to delta files
instead of rewriting the index files they fall in; a digit's deltas are compacted into the
index files; a single save writes one index leaf; doctor checks deltas against the manifest."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, deltas
from rating_tui.store.layout import FORMAT, is_delta_name

Make = Callable[..., Rating]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {n for n in after if before.get(n) != after[n]} | (set(before) - set(after))


def _like(ratings: list[Rating], make: Make, day: str, start: int) -> list[Rating]:
    """New ratings whose ids start with the same hex digit as `ratings`' (so their digit
    holds index entries already)."""
    return [
        make(day=day, number=start + n).replace(id=r.id[0] + str(uuid.uuid4())[1:])
        for n, r in enumerate(ratings)
    ]


@pytest.fixture
def filled(store: Store, make_rating: Make, instrument: Instrument) -> list[Rating]:
    """A folder of 48 ratings imported at once (into an empty folder: the index files)."""
    batch = [make_rating(day=f"2025-0{1 + n % 3}-1{n % 10}", number=n + 1) for n in range(48)]
    store.import_ratings(batch, {instrument.ref: instrument})
    assert not list((store.data_dir / "index").glob("*.d*.json"))
    return batch


def test_a_batch_writes_deltas_and_leaves_the_index_files(
    store: Store,
    filled: list[Rating],
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    index = store.data_dir / "index"
    before = _files(index)
    batch = _like(filled[:12], make_rating, "2025-04-02", 100)
    store.import_ratings(batch, {instrument.ref: instrument})
    changed = _changed(before, _files(index))
    assert changed and all(is_delta_name(n.removesuffix(".json")) for n in changed)
    held = {}
    for name in changed:
        held |= json.loads((index / name).read_text())["ids"]
    assert set(held) == {r.id for r in batch}
    manifest = json.loads((store.data_dir / "manifest.json").read_text())
    assert sum(e["n"] for e in manifest["deltas"].values()) == len(batch)
    assert json.loads((store.data_dir / "store.json").read_text())["format"] == FORMAT
    reopened = Store.open(store.data_dir)
    assert all(reopened.get(r.id) == r for r in [*filled, *batch])
    assert [f for f in reopened.check() if f.level != "info"] == []
    # A rebuild moves every entry into the index files; nothing is lost or kept as missing.
    report = reopened.rebuild_index()
    assert (report.ratings, report.kept_missing) == (60, 0)
    assert not list(index.glob("*.d*.json"))
    assert all(reopened.get(r.id) == r for r in batch)


def test_a_digit_with_too_many_deltas_is_compacted(
    store: Store,
    filled: list[Rating],
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    monkeypatch.setattr(deltas, "DELTA_LIMIT", 2)
    monkeypatch.setattr(deltas, "MERGE_RATIO", 0)  # (merging among themselves: test_tiered)
    engine = store._engine
    one = filled[:1]
    digit = one[0].id[0]
    added = []
    for turn in range(3):
        batch = _like(one, make_rating, "2025-05-02", 120 + turn)
        store.import_ratings(batch, {instrument.ref: instrument})
        added += batch
        mine = [n for n in deltas.listed(engine.files, engine.layout) if n[0] == digit]
        assert len(mine) == [1, 2, 0][turn]
    assert [n for n in deltas.unlisted(engine.files, engine.layout) if n[0] == digit]
    assert all(store.get(r.id) == r for r in added)
    assert [f for f in store.check() if f.level not in ("info",)] == []
    Store.open(store.data_dir)  # removes the compacted files
    assert not deltas.unlisted(engine.files, engine.layout)


def test_a_save_writes_one_leaf_and_a_move_edits_its_delta(
    store: Store,
    filled: list[Rating],
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    index = store.data_dir / "index"
    batch = _like(filled[:4], make_rating, "2025-04-03", 130)
    store.import_ratings(batch, {instrument.ref: instrument})
    before = _files(index)
    saved = store.finalise(make_rating(day="2025-04-04", number=140), instrument)
    assert _changed(before, _files(index)) == {f"{saved.id[:2]}.json"}  # one leaf
    before = _files(index)
    moving = store.get(batch[0].id)
    store.update(moving.with_field("session_date", "2025-07-01"), instrument, by="AB", reason="d")
    changed = _changed(before, _files(index))
    assert len(changed) == 1 and is_delta_name(changed.pop().removesuffix(".json"))
    assert store.get(batch[0].id).session["session_date"] == "2025-07-01"
    assert [f for f in store.check() if f.level != "info"] == []


def test_doctor_names_a_delta_that_lost_entries_and_repair_rebuilds(
    store: Store,
    filled: list[Rating],
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    batch = _like(filled[:6], make_rating, "2025-04-05", 150)
    store.import_ratings(batch, {instrument.ref: instrument})
    path = sorted((store.data_dir / "index").glob("*.d*.json"))[0]
    content = json.loads(path.read_text())
    content["ids"].pop(next(iter(content["ids"])))
    path.write_text(json.dumps(content))
    errors = [f for f in store.check() if f.level == "error"]
    assert any(f.path == path and "the manifest says" in f.message for f in errors), errors
    assert all(store.get(r.id) == r for r in batch)  # the shards are consulted instead
    store.rebuild_index()  # what doctor --repair runs
    assert [f for f in store.check() if f.level == "error"] == []
    assert all(store.get(r.id) == r for r in batch)


def test_a_manifest_naming_no_delta_is_not_followed(
    store: Store, filled: list[Rating], make_rating: Make, instrument: Instrument
) -> None:
    manifest = store.data_dir / "manifest.json"
    content = json.loads(manifest.read_text())
    content["deltas"] = {"../../x": {"n": 0}}
    manifest.write_text(json.dumps(content))
    errors = [f for f in store.check() if f.level == "error"]
    assert any("not a delta's name" in f.message for f in errors), errors
    assert store.get(filled[0].id) == filled[0]  # the shards are consulted instead
    content["deltas"] = {"3.dx": {"n": 0}, "3.d1": {"n": "many"}}  # a digit's: untrusted
    manifest.write_text(json.dumps(content))
    saved = store.finalise(
        make_rating(day="2025-04-06", number=160).replace(id="3" + str(uuid.uuid4())[1:]),
        instrument,
    )
    assert store.get(saved.id) == saved  # the save rebuilt the index first
    assert [f for f in store.check() if f.level == "error"] == []


def test_a_lookup_checks_the_entries_it_uses(
    store: Store, filled: list[Rating], make_rating: Make, instrument: Instrument
) -> None:
    engine = store._engine
    one, other = filled[0], next(r for r in filled[1:] if r.id[:2] != filled[0].id[:2])
    path = store.data_dir / "index" / f"{one.id[:2]}.json"
    content = json.loads(path.read_text())
    content["ids"][one.id] = {"shard": "not a month"}
    path.write_text(json.dumps(content))
    from rating_tui.store import index

    assert index.lookup(engine.layout, engine.files, [other.id]) == {
        other.id: other.session["session_date"][:7]
    }
    assert index.lookup(engine.layout, engine.files, [one.id]) is None  # its own entry
    assert store.get(one.id) == one  # the shards are consulted instead
    assert any("is not {'shard'" in f.message for f in store.check() if f.level == "error")


def test_a_new_id_is_told_absent_from_a_delta_by_its_text_and_anything_odd_is_parsed(
    store: Store,
    filled: list[Rating],
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A save of a new rating no longer parses the deltas of its id's digit (3 files of up to
    DELTA_MAX entries at 100k): their text says the id is not there. A delta whose text does
    not match its listed count, or that names the id, is parsed as before."""
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    batch = _like(filled[:6], make_rating, "2025-04-05", 170)
    store.import_ratings(batch, {instrument.ref: instrument})
    engine = store._engine
    listed = deltas.listed(engine.files, engine.layout)
    name, number = next(iter(listed.items()))
    held = list(engine.files.records(engine.layout.delta(name), "ids"))
    new_id = name[0] + str(uuid.uuid4())[1:]
    assert deltas.lacks(engine.files, engine.layout, name, number, [new_id])
    assert not deltas.lacks(engine.files, engine.layout, name, number, [held[0]])
    assert not deltas.lacks(engine.files, engine.layout, name, number + 1, [new_id])
    parsed: list[str] = []
    real = deltas.entries

    def counting(reader: object, layout: object, delta: str, expected: int) -> object:
        parsed.append(delta)
        return real(reader, layout, delta, expected)  # type: ignore[arg-type]

    monkeypatch.setattr(deltas, "entries", counting)
    saved = store.finalise(make_rating(day="2025-04-07", number=180).replace(id=new_id), instrument)
    assert parsed == []  # told from the text alone
    assert store.get(saved.id) == saved
    path = engine.layout.delta(name)
    content = json.loads(path.read_text())
    content["ids"].pop(held[-1])  # a delta short of its count: parsed, distrusted
    path.write_text(json.dumps(content, separators=(",", ":")))
    other = name[0] + str(uuid.uuid4())[1:]
    store.finalise(make_rating(day="2025-04-08", number=181).replace(id=other), instrument)
    assert name in parsed  # its text could not be trusted: it was read as before
    assert store.get(held[0]) is not None and store.get(other).id == other
