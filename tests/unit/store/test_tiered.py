"""Index deltas merged among themselves (format 5): a batch's delta takes in the newest deltas
of its digit that are no bigger than it, a delta of more than `DELTA_MAX` entries is a node
split by the id, a lookup reads one file per delta, a move edits one file of a delta (and the
counts above it), and the digit's leaves are rewritten only when its deltas outgrow them."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, deltas, storage
from rating_tui.store.errors import RatingConflictError
from rating_tui.store.layout import FORMAT, is_delta_file

Make = Callable[..., Rating]
DIGIT = "7"


def _batch(make: Make, count: int, start: int, day: str = "2025-03-04") -> list[Rating]:
    """`count` new ratings whose ids all start with DIGIT (one digit's deltas)."""
    return [
        make(day=day, number=start + n).replace(id=DIGIT + str(uuid.uuid4())[1:])
        for n in range(count)
    ]


def _mine(store: Store) -> dict[str, int]:
    engine = store._engine
    return {n: c for n, c in deltas.listed(engine.files, engine.layout).items() if n[0] == DIGIT}


def _files(store: Store) -> dict[str, bytes]:
    folder = store.data_dir / "index"
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def tiered(
    store: Store, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> list[Rating]:
    """A digit with index entries, then five batches of 3 merged as they come (deltas of at
    most 4 entries: bigger ones are nodes)."""
    base = _batch(make_rating, 6, 1, "2025-01-02")
    store.import_ratings(base, {instrument.ref: instrument})  # its leaves
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    monkeypatch.setattr(deltas, "DELTA_MAX", 4)
    sizes = []
    added = list(base)
    for turn in range(5):
        batch = _batch(make_rating, 3, 10 + 3 * turn)
        store.import_ratings(batch, {instrument.ref: instrument})
        added += batch
        sizes.append(sorted(_mine(store).values(), reverse=True))
    # like a binary counter: a new delta takes in the newest while it is no bigger
    assert sizes == [[3], [6], [6, 3], [12], [12, 3]]
    return added


def test_merged_deltas_are_nodes_and_every_rating_is_found(
    store: Store, tiered: list[Rating], make_rating: Make, instrument: Instrument
) -> None:
    names = sorted(_files(store))
    parts = [n.removesuffix(".json") for n in names if n[1] != "." and ".d" in n]
    assert parts and all(is_delta_file(n) and n.startswith(DIGIT) for n in parts)
    big = max(_mine(store), key=lambda n: _mine(store)[n])
    node = json.loads((store.data_dir / "index" / f"{big}.json").read_text())
    assert sum(c["n"] for c in node["split"].values()) == 12
    assert json.loads((store.data_dir / "store.json").read_text())["format"] == FORMAT
    assert all(store.get(r.id) == r for r in tiered)
    assert [f for f in store.check() if f.level not in ("info",)] == []
    reopened = Store.open(store.data_dir)  # removes the files of merged deltas
    engine = reopened._engine
    assert not deltas.unlisted(engine.files, engine.layout)
    assert all(reopened.get(r.id) == r for r in tiered)
    again = reopened.import_ratings(tiered[-4:], {instrument.ref: instrument})
    assert (again.added, again.unchanged) == (0, 4)
    with pytest.raises(RatingConflictError):
        reopened.import_ratings([tiered[-1].replace(notes="other")], {instrument.ref: instrument})


def test_a_save_parses_no_delta_and_a_move_edits_one_file_of_a_node(
    store: Store,
    tiered: list[Rating],
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    real = storage.SafeStorage.parse

    def counting(self: storage.SafeStorage, raw: bytes) -> storage.Tables:
        if ".d" in self.path.name:
            parsed.append(self.path.name)
        return real(self, raw)

    monkeypatch.setattr(storage.SafeStorage, "parse", counting)
    fresh = make_rating(day="2025-03-05", number=90).replace(id=DIGIT + str(uuid.uuid4())[1:])
    store.finalise(fresh, instrument)
    assert all('"split"' in (store.data_dir / "index" / n).read_text() for n in parsed)
    big = max(_mine(store), key=lambda n: _mine(store)[n])
    in_node = next(
        r
        for r in tiered
        if r.id[:2] + big[1:] + ".json" in _files(store)
        and r.id in (store.data_dir / "index" / f"{r.id[:2]}{big[1:]}.json").read_text()
    )
    before = _files(store)
    moving = store.get(in_node.id)
    store.update(moving.with_field("session_date", "2025-08-01"), instrument, by="AB", reason="d")
    after = _files(store)
    changed = {n for n in after if before.get(n) != after[n]}
    assert changed == {f"{in_node.id[:2]}{big[1:]}.json"}  # its file (its count is the same)
    assert store.get(in_node.id).session["session_date"] == "2025-08-01"
    assert [f for f in store.check() if f.level != "info"] == []
    store.rebuild_index()
    assert not _mine(store)
    assert all(store.get(r.id) is not None for r in tiered)
    assert [f for f in store.check() if f.level != "info"] == []


def test_doctor_names_a_part_that_lost_entries(
    store: Store, tiered: list[Rating], make_rating: Make, instrument: Instrument
) -> None:
    index = store.data_dir / "index"
    path: Path = next(
        p for p in sorted(index.glob(f"{DIGIT}?.d*.json")) if json.loads(p.read_text()).get("ids")
    )
    content = json.loads(path.read_text())
    content["ids"].pop(next(iter(content["ids"])))
    path.write_text(json.dumps(content, separators=(",", ":")))
    errors = [f for f in store.check() if f.level == "error"]
    assert any(f.path == path and "its node says" in f.message for f in errors), errors
    assert all(store.get(r.id) == r for r in tiered)  # the shards are consulted instead
    prefix = path.name.partition(".")[0]  # a new id under the damaged file: distrusted
    new = make_rating(day="2025-03-06", number=95).replace(
        id=prefix + str(uuid.uuid4())[len(prefix) :]
    )
    # (the import of another process: the one that built this folder remembers the ids it
    # indexed, which a file damaged by hand while it runs cannot make untrue: `known_ids`)
    other = Store.open(store.data_dir)
    assert other.import_ratings([new], {instrument.ref: instrument}).added == 1
    assert [f for f in store.check() if f.level == "error"] == []  # the import rebuilt it first
    assert all(store.get(r.id) == r for r in [*tiered, new])


def test_deltas_are_compacted_once_they_outgrow_the_leaves(
    store: Store, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_ratings(_batch(make_rating, 8, 1, "2025-01-02"), {instrument.ref: instrument})
    monkeypatch.setattr(deltas, "DELTA_MAX", 4)
    share = deltas.DELTA_SHARE + int(DIGIT, 16) / 16  # 8 leaf entries: compacted at 11.5
    counts = []
    for turn in range(4):
        store.import_ratings(_batch(make_rating, 3, 20 + 3 * turn), {instrument.ref: instrument})
        counts.append(sum(_mine(store).values()))
    assert share * 8 == 11.5 and counts == [3, 6, 9, 0]  # the fourth batch: 9 + 3 >= 11.5
    assert [f for f in store.check() if f.level not in ("info",)] == []
