"""The layers under the API: atomic writes, the TinyDB storage, the codec hook."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tinydb import TinyDB

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import CodecError, Store, StoreCorruptError, StoreWriteError, fileio
from rating_tui.store.cache import FileCache
from rating_tui.store.codec import to_json
from rating_tui.store.files import open_tinydb
from rating_tui.store.storage import SafeStorage


def test_write_atomic_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    fileio.write_atomic(target, b"x" * 10_000)
    fileio.write_atomic(target, b"short")
    assert target.read_bytes() == b"short"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.json"
    fileio.write_atomic(target, b"old")
    calls = []

    def write_half_then_fail(fd: int, data: memoryview) -> int:
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return fileio.os.write(fd, data[: len(data) // 2])

    monkeypatch.setattr(fileio, "_write", write_half_then_fail)
    with pytest.raises(StoreWriteError, match="disk is full"):
        fileio.write_atomic(target, b"new content that does not fit")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_path_that_is_a_file_is_not_taken_for_a_folder(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("I am a file")
    with pytest.raises(StoreWriteError, match="not a folder"):
        Store.open(tmp_path / "data")


def test_safe_storage_works_as_a_tinydb_storage(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=SafeStorage)
    db.insert({"a": 1})
    db.insert({"a": 2})
    db.close()
    assert sorted(d["a"] for d in TinyDB(path, storage=SafeStorage).all()) == [1, 2]
    assert json.loads(path.read_bytes()) == {"_default": {"1": {"a": 1}, "2": {"a": 2}}}


def test_safe_storage_refuses_to_overwrite_a_file_that_does_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(b'{"_default": {"1": {"a": 1}')  # truncated
    db = TinyDB(path, storage=SafeStorage)
    with pytest.raises(StoreCorruptError, match=r"db\.json"):
        db.insert({"a": 2})
    with pytest.raises(StoreCorruptError):
        db.drop_tables()  # TinyDB writes without reading first here: still refused
    assert path.read_bytes() == b'{"_default": {"1": {"a": 1}'


def test_data_files_can_be_queried_with_tinydb(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(day="2025-03-04", dyad="D042"), instrument)
    db = open_tinydb(data_dir / "ratings" / "2025-03.json")
    [found] = db.table("ratings").search(lambda r: r["session"]["dyad"] == "D042")
    assert found.doc_id == rating.id


class Scrambler:
    """A stand-in for an encrypting codec: a header, then every byte inverted."""

    name = "scramble-v1"

    def encode(self, data: bytes) -> bytes:
        return b"SCR1" + bytes(255 - b for b in data)

    def decode(self, data: bytes) -> bytes:
        if not data.startswith(b"SCR1"):
            raise CodecError("not written with scramble-v1")
        return bytes(255 - b for b in data[4:])


def test_a_codec_layer_changes_every_file_without_changing_callers(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store = Store.open(data_dir, codec=Scrambler())
    rating = store.finalise(make_rating(day="2025-03-04", notes="private words"), instrument)
    store.update(rating.replace(notes="other private words"), instrument, by="AB", reason="x")
    assert store.get(rating.id).notes == "other private words"
    assert [r.id for r in store.iter_all()] == [rating.id]
    data_files = [p for p in data_dir.rglob("*.json") if p.name != "store.json"]
    assert any("backups" in p.parts for p in data_files)
    for path in data_files:
        raw = path.read_bytes()
        if path.name == "journal.json":  # the last change's (`Unsynced`): names, sealed
            assert b"private" not in raw  # lines, and the files' stored (encoded) bytes
            continue
        assert raw.startswith(b"SCR1") and b"private" not in raw, path
    assert json.loads((data_dir / "store.json").read_bytes())["codec"] == "scramble-v1"

    march = data_dir / "ratings" / "2025-03.json"
    march.write_bytes(b"plain text")
    with pytest.raises(StoreCorruptError, match="cannot be decoded"):
        Store.open(data_dir, codec=Scrambler()).get(rating.id)


# --- the per-process file cache -------------------------------------------------------------

records_strategy = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.dictionaries(
        st.text(max_size=5),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=4,
    ),
    max_size=6,
)


@given(first=records_strategy, second=records_strategy)
def test_cached_serialisation_is_exactly_plain_json(
    first: dict[str, dict[str, object]], second: dict[str, dict[str, object]]
) -> None:
    cache, path = FileCache(), Path("x.json")
    tables: dict[str, dict[str, object]] = {"ratings": dict(first)}
    assert cache.serialise(path, tables) == to_json(tables)  # type: ignore[arg-type]
    tables["ratings"].update(second)  # replaced and new records, as the store changes them
    assert cache.serialise(path, tables) == to_json(tables)  # type: ignore[arg-type]
    assert json.loads(cache.serialise(path, tables)) == json.loads(to_json(tables))


def test_a_change_by_another_process_is_never_hidden_by_the_cache(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    mine, theirs = Store.open(data_dir), Store.open(data_dir)  # two processes, two caches
    rating = mine.finalise(make_rating(notes="a"), instrument)
    assert mine.get(rating.id).notes == "a"  # now cached by `mine`
    theirs.update(rating.replace(notes="b"), instrument, by="CD", reason="same size edit")
    assert mine.get(rating.id).notes == "b"
    other = mine.finalise(make_rating(day="2025-03-09"), instrument)  # same month file
    assert theirs.get(rating.id).notes == "b"
    assert theirs.get(other.id) == other

    march = data_dir / "ratings" / "2025-03.json"
    before = march.read_bytes()
    mine.void(other.id, by="AB", reason="x")
    march.write_bytes(before)  # restored by hand from a copy
    assert mine.get(other.id).status == "final"
