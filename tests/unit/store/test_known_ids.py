"""The ids a process indexed, remembered between its batches (`known_ids`): a batch into a
folder only this process wrote is answered without reading the index; ids enter the memory
only once their transaction committed; any other write (another `Store`, a save, an index
file or delta added or removed) sends the next batch back to the index; the signature's cost
does not follow the number of index files; a filter full of collisions still answers
exactly."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, known_ids, presence, transaction
from rating_tui.store.errors import RatingConflictError, StoreWriteError
from rating_tui.store.known_ids import KnownIds

Make = Callable[..., Rating]


@pytest.fixture
def consulted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many ids each call of `presence.absent` (the path that reads the index) got."""
    calls: list[int] = []
    real = presence.absent

    def counting(reader: presence.TextReader, layout: object, ids: list[str]) -> set[str]:
        ids = list(ids)
        calls.append(len(ids))
        return real(reader, layout, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(presence, "absent", counting)
    return calls


def _batch(make_rating: Make, start: int, count: int = 20) -> list[Rating]:
    return [
        make_rating(day=f"2025-0{1 + n % 4}-1{n % 10}", number=1 + n % 200)
        for n in range(start, start + count)
    ]


def _import(store: Store, ratings: list[Rating], instrument: Instrument) -> tuple[int, int]:
    result = store.import_ratings(ratings, {instrument.ref: instrument})
    return result.added, result.unchanged


def _healthy(data_dir: Path, ratings: list[Rating]) -> None:
    reopened = Store.open(data_dir)
    assert all(reopened.get(r.id) == r for r in ratings)
    assert [f for f in reopened.check() if f.level != "info"] == []


def test_batches_into_a_new_folder_read_no_index(
    store: Store, make_rating: Make, instrument: Instrument, consulted: list[int]
) -> None:
    first, second = _batch(make_rating, 0), _batch(make_rating, 100)
    assert _import(store, first, instrument) == (20, 0)
    assert _import(store, second, instrument) == (20, 0)
    known = store._engine.known
    assert consulted == []
    assert (known.active, known.answered, known.added) == (True, 40, 40)
    assert _import(store, first[:5], instrument) == (0, 5)  # indexed ids: the exact path
    assert consulted == [5]
    assert known.answered == 40
    _healthy(store.data_dir, [*first, *second])


def test_ids_are_added_only_once_their_commit_returned(
    store: Store, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = store._engine.known
    seen: list[int] = []
    real = transaction.Transaction.commit

    def commit(self: transaction.Transaction) -> None:
        seen.append(known.added)  # what the memory holds while the batch is written
        real(self)
        seen.append(known.added)

    monkeypatch.setattr(transaction.Transaction, "commit", commit)
    _import(store, _batch(make_rating, 0), instrument)
    _import(store, _batch(make_rating, 100), instrument)
    assert seen == [0, 0, 20, 20]  # (each pair: before, then after `commit`'s own work)
    assert known.added == 40


def test_a_failed_batch_leaves_the_memory_as_it_was(
    store: Store,
    make_rating: Make,
    instrument: Instrument,
    consulted: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = _batch(make_rating, 0)
    _import(store, first, instrument)
    known = store._engine.known
    failing = _batch(make_rating, 100)

    def full_disk(self: transaction.Transaction) -> None:
        raise StoreWriteError("no space left on the device (simulated)", self.layout.root)

    with monkeypatch.context() as patch:
        patch.setattr(transaction.Transaction, "commit", full_disk)
        with pytest.raises(StoreWriteError):
            _import(store, failing, instrument)
    assert (known.active, known.added) == (True, 20)
    conflicting = [*failing[:3], first[0].replace(notes="other content")]
    with pytest.raises(RatingConflictError):
        _import(store, conflicting, instrument)
    assert (known.active, known.added) == (True, 20)
    # The failed ids were not added: told absent again, without reading the index.
    assert _import(store, failing, instrument) == (20, 0)
    assert consulted == [1]  # (only the conflicting id, which the memory may hold)
    assert known.added == 40
    _healthy(store.data_dir, [*first, *failing])


def test_a_write_by_another_store_sends_the_next_batch_to_the_index(
    store: Store,
    data_dir: Path,
    make_rating: Make,
    instrument: Instrument,
    consulted: list[int],
) -> None:
    first = _batch(make_rating, 0)
    _import(store, first, instrument)
    other = Store.open(data_dir)  # another window or process
    theirs = _batch(make_rating, 200, 3)
    assert _import(other, theirs, instrument) == (3, 0)
    consulted.clear()
    second = [*theirs, *_batch(make_rating, 100)]
    assert _import(store, second, instrument) == (20, 3)  # theirs: found, unchanged
    assert consulted == [23]
    known = store._engine.known
    assert not known.active  # dropped for good in this process
    _import(store, _batch(make_rating, 300), instrument)
    assert consulted == [23, 20]
    _healthy(data_dir, [*first, *second])


def test_a_save_or_a_delta_file_another_process_wrote_drops_the_memory(
    store: Store,
    make_rating: Make,
    instrument: Instrument,
    consulted: list[int],
) -> None:
    first = _batch(make_rating, 0)
    _import(store, first, instrument)
    known = store._engine.known
    store.finalise(make_rating(number=99), instrument)  # a commit it did not check
    assert not known.active
    _import(store, _batch(make_rating, 100), instrument)
    assert consulted == [20]

    other = Store.open(store.data_dir.parent / "second")
    _import(other, first, instrument)
    assert other._engine.known.active
    stray = other.data_dir / "index" / "f.d999.json"  # a delta another process's batch wrote
    stray.write_bytes(b'{"ids":{}}')
    consulted.clear()
    _import(other, _batch(make_rating, 100), instrument)
    assert consulted == [20]
    assert not other._engine.known.active


def test_the_signature_does_not_stat_each_index_file(
    store: Store, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its cost must not follow the folder: an earlier signature took every index file's
    identity, twice a batch, which at 1M was 4,236 stat calls a batch."""
    _import(store, _batch(make_rating, 0, 60), instrument)
    files = len(list((store.data_dir / "index").iterdir()))
    assert files > 10
    stats: list[str] = []
    real_stat = Path.stat

    def counting_stat(self: Path, *args: object, **kwargs: object) -> object:
        stats.append(self.name)
        return real_stat(self, *args, **kwargs)  # type: ignore[arg-type]

    def refused(*args: object, **kwargs: object) -> object:
        raise AssertionError("the signature lists a folder")

    monkeypatch.setattr(Path, "stat", counting_stat)
    monkeypatch.setattr(os, "scandir", refused)
    monkeypatch.setattr(os, "listdir", refused)
    known_ids.signature(store._engine.layout)
    assert len(stats) == 3, stats  # the manifest, the index folder, the ratings folder


def test_a_folder_with_ratings_starts_no_memory(
    store: Store,
    data_dir: Path,
    make_rating: Make,
    instrument: Instrument,
    consulted: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _import(store, _batch(make_rating, 0), instrument)
    reopened = Store.open(data_dir)  # another process: its index is not known to it
    signatures: list[object] = []
    real = known_ids.signature
    monkeypatch.setattr(known_ids, "signature", lambda layout: signatures.append(1) or real(layout))
    _import(reopened, _batch(make_rating, 100), instrument)
    _import(reopened, _batch(make_rating, 200), instrument)
    assert consulted == [20, 20]
    assert not reopened._engine.known.active
    assert signatures == []  # nothing to keep: the index folder is not even listed


@pytest.mark.parametrize("bits", [8, 64])
def test_a_filter_full_of_collisions_still_answers_exactly(
    store: Store,
    make_rating: Make,
    instrument: Instrument,
    consulted: list[int],
    bits: int,
) -> None:
    store._engine.known = KnownIds(store._engine.layout, bits=bits)
    first = _batch(make_rating, 0, 40)
    assert _import(store, first, instrument) == (40, 0)
    mixed = [*first[::2], *_batch(make_rating, 100, 30)]
    assert _import(store, mixed, instrument) == (30, 20)  # stored ones: unchanged, exactly
    known = store._engine.known
    assert known.active
    assert len(consulted) == 1
    assert known.answered + consulted[0] == 40 + len(mixed)  # each id answered once
    clash = first[1].replace(notes="other content")  # a stored id with other content
    with pytest.raises(RatingConflictError):
        _import(store, [*_batch(make_rating, 200, 5), clash], instrument)
    _healthy(store.data_dir, [*first, *mixed])
