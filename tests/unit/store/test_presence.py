"""A batch's new ids told absent from the text of the index files (`presence`): an import of
new ids parses no index file, ids the index holds are never told absent, and a file whose
text cannot vouch for itself (an escaped key, a count that does not match, a node whose counts
do not add up) leaves its ids to the parsing lookup, which finds them or rebuilds the index."""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rating_tui import passphrase
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, crypto, deltas, index, presence, storage
from rating_tui.store.convert import encrypt_folder
from rating_tui.store.errors import RatingConflictError

Make = Callable[..., Rating]


@pytest.fixture
def filled(
    store: Store, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> list[Rating]:
    """48 ratings in the index files, then 12 more in deltas (deltas never compacted)."""
    first = [make_rating(day=f"2025-0{1 + n % 3}-1{n % 10}", number=n + 1) for n in range(48)]
    store.import_ratings(first, {instrument.ref: instrument})
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    monkeypatch.setattr(deltas, "MERGE_RATIO", 0)  # (a merge reads the deltas it merges)
    more = [make_rating(day="2025-04-02", number=100 + n) for n in range(12)]
    store.import_ratings(more, {instrument.ref: instrument})
    assert list((store.data_dir / "index").glob("*.d*.json"))
    return [*first, *more]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the index files (leaves, nodes, deltas) parsed from now on."""
    names: list[str] = []
    real = storage.SafeStorage.parse

    def counting(self: storage.SafeStorage, raw: bytes) -> storage.Tables:
        if self.path.parent.name == "index":
            names.append(self.path.name)
        return real(self, raw)

    monkeypatch.setattr(storage.SafeStorage, "parse", counting)
    return names


def _absent(store: Store, ids: list[str]) -> set[str]:
    engine = store._engine
    return presence.absent(engine.transaction(), engine.layout, ids)


def _new_ids(ratings: list[Rating]) -> list[str]:
    """New ids falling in the same index files and deltas as `ratings`."""
    return [r.id[:2] + str(uuid.uuid4())[2:] for r in ratings]


def test_an_import_of_new_ids_parses_no_index_file(
    store: Store, filled: list[Rating], make_rating: Make, instrument: Instrument, parsed: list
) -> None:
    fresh = _new_ids(filled[:20])
    assert _absent(store, fresh) == set(fresh)
    assert _absent(store, [r.id for r in filled]) == set()  # in a leaf or a delta: never absent
    batch = [
        make_rating(day="2025-05-03", number=150 + n).replace(id=i) for n, i in enumerate(fresh)
    ]
    assert store.import_ratings(batch, {instrument.ref: instrument}).added == 20
    assert parsed == []
    reopened = Store.open(store.data_dir)
    assert all(reopened.get(r.id) == r for r in [*filled, *batch])
    assert [f for f in reopened.check() if f.level != "info"] == []
    again = store.import_ratings([*batch, filled[0]], {instrument.ref: instrument})
    assert (again.added, again.unchanged) == (0, 21)
    with pytest.raises(RatingConflictError):
        store.import_ratings([batch[0].replace(notes="other")], {instrument.ref: instrument})


def _rewrite(path: Path, edit: Callable[[str], str]) -> None:
    path.write_text(edit(path.read_text()))


def test_a_leaf_with_an_escaped_key_is_left_to_the_lookup(
    store: Store, filled: list[Rating], instrument: Instrument
) -> None:
    """JSON may write an id's first character as \\u0030...: its text would not show the id,
    so a file holding any backslash vouches for nothing, and the id is found by parsing."""
    one = filled[0]
    leaf = store.data_dir / "index" / f"{one.id[:2]}.json"
    escaped = f"\\u{ord(one.id[0]):04x}{one.id[1:]}"
    _rewrite(leaf, lambda text: text.replace(f'"{one.id}"', f'"{escaped}"'))
    assert json.loads(leaf.read_text())["ids"][one.id]  # the same id to a parser
    assert _absent(store, [one.id, *_new_ids([one])]) == set()
    result = store.import_ratings([one], {instrument.ref: instrument})
    assert (result.added, result.unchanged) == (0, 1)  # not a second copy
    assert Store.open(store.data_dir).get(one.id) == one


def test_a_leaf_or_delta_short_of_its_count_is_left_to_the_lookup(
    store: Store, filled: list[Rating], make_rating: Make, instrument: Instrument
) -> None:
    engine = store._engine
    listed = deltas.listed(engine.files, engine.layout)
    name = next(iter(listed))
    delta = engine.layout.delta(name)
    held = list(json.loads(delta.read_text())["ids"])
    fresh = [name[0] + str(uuid.uuid4())[1:], *_new_ids(filled[:1])]
    assert _absent(store, fresh) == set(fresh)
    content = json.loads(delta.read_text())
    content["ids"].pop(held[0])  # lost an entry: its rating must not be taken for new
    delta.write_text(json.dumps(content, separators=(",", ":")))
    assert _absent(store, fresh) == {i for i in fresh if i[0] != name[0]}
    lost = next(r for r in filled if r.id == held[0])
    result = store.import_ratings([lost], {instrument.ref: instrument})
    assert (result.added, result.unchanged) == (0, 1)  # found after the rebuild
    leaf = engine.layout.index_file(filled[1].id[:2])
    content = json.loads(leaf.read_text())
    content["ids"].pop(filled[1].id)
    leaf.write_text(json.dumps(content, separators=(",", ":")))
    assert filled[1].id not in _absent(store, [filled[1].id])
    result = store.import_ratings([filled[1]], {instrument.ref: instrument})
    assert (result.added, result.unchanged) == (0, 1)
    assert [f for f in Store.open(store.data_dir).check() if f.level == "error"] == []


def test_a_leaf_changed_in_the_transaction_or_no_regular_file_is_left_to_the_lookup(
    store: Store, filled: list[Rating]
) -> None:
    """Texts are read by name from the index folder: a file this transaction changes is not
    read from the disk, and a named pipe is not waited on (nor anything but a regular file)."""
    engine = store._engine
    fresh = _new_ids(filled[:1])
    leaf = engine.layout.index_file(fresh[0][:2])
    txn = engine.transaction()
    txn.change(leaf, "ids", lambda records: None)
    assert presence.absent(txn, engine.layout, fresh) == set()
    assert _absent(store, fresh) == set(fresh)
    saved = leaf.read_bytes()
    leaf.unlink()
    os.mkfifo(leaf)
    assert _absent(store, fresh) == set()
    leaf.unlink()
    leaf.write_bytes(saved)
    assert _absent(store, fresh) == set(fresh)


def test_a_split_index_is_followed_down_its_nodes(
    store: Store, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "BUCKET_LIMIT", 2)
    batch = [
        make_rating(day="2025-03-04", number=n + 1).replace(id=f"ab{n:x}" + str(uuid.uuid4())[3:])
        for n in range(16)
    ]
    store.import_ratings(batch, {instrument.ref: instrument})
    top = store.data_dir / "index" / "ab.json"
    assert json.loads(top.read_text()).get("split")
    fresh = _new_ids(batch)
    assert _absent(store, [*fresh, *(r.id for r in batch)]) == set(fresh)
    content = json.loads(top.read_text())
    child = next(iter(content["split"]))
    content["split"][child]["n"] += 1  # the node's counts no longer add up to the manifest's
    top.write_text(json.dumps(content))
    assert _absent(store, fresh) == set()


@pytest.fixture
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    passphrase.set_reader(None)
    crypto.forget_keys()
    yield
    crypto.forget_keys()


@pytest.mark.usefixtures("_cheap_kdf")
def test_an_encrypted_index_is_told_from_its_decrypted_text(
    data_dir: Path,
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    parsed: list[str],
) -> None:
    store = Store.open(data_dir)
    first = [make_rating(day="2025-03-04", number=n + 1) for n in range(24)]
    store.import_ratings(first, {instrument.ref: instrument})
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    encrypt_folder(data_dir, "correct horse")
    monkeypatch.setenv(passphrase.ENV, "correct horse")
    crypto.forget_keys()
    store = Store.open(data_dir)
    assert not any(b'"ids"' in p.read_bytes() for p in (data_dir / "index").iterdir())
    fresh = _new_ids(first)
    assert _absent(store, [*fresh, *(r.id for r in first)]) == set(fresh)
    parsed.clear()
    batch = [
        make_rating(day="2025-03-05", number=120 + n).replace(id=i) for n, i in enumerate(fresh)
    ]
    assert store.import_ratings(batch, {instrument.ref: instrument}).added == 24
    assert parsed == []
    assert all(Store.open(data_dir).get(r.id) == r for r in [*first, *batch])


def test_an_id_not_of_the_uuid_form_is_left_to_the_lookup(
    store: Store, filled: list[Rating]
) -> None:
    """Quoted ids are collected by their form: an id of another form is never told absent."""
    odd = [filled[0].id.upper(), filled[1].id[:2] + "x"]
    fresh = _new_ids(filled[:3])
    assert _absent(store, [*odd, *fresh]) == set(fresh)
