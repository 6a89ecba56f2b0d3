"""Writes that touch several files are all or nothing (issue 10): an import beside a damaged
month, a full disk at every write of an import, a move refused on a full disk, a crafted
journal, an import with the index gone. Each of these left part of the change on the old code."""

from __future__ import annotations

import errno
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.ratings.model import Revision
from rating_tui.store import (
    RatingConflictError,
    Store,
    StoreCorruptError,
    StoreError,
    StoreWriteError,
    fileio,
    journal,
)
from tests.unit.store.conftest import unfinished_journal

MONTHS = ["2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10", "2025-05-10"]


def _batch(make_rating: Callable[..., Rating], count: int) -> list[Rating]:
    return [
        make_rating(dyad=f"D{n:03d}", day=MONTHS[n % len(MONTHS)], number=n + 1)
        for n in range(count)
    ]


def _stored_ids(data_dir: Path) -> set[str]:
    ids: set[str] = set()
    for shard in (data_dir / "ratings").glob("*.json"):
        try:
            ids |= set(json.loads(shard.read_bytes())["ratings"])
        except ValueError:
            continue  # the damaged month of a test
    return ids


def _leftovers(data_dir: Path) -> list[Path]:
    """Staged and temp files, and a journal of a change not completely applied (the
    journal of the last change, applied, may stay until the next: `journal.Unsynced`)."""
    return [
        p
        for p in data_dir.rglob("*")
        if (p.name == "journal.json" and unfinished_journal(data_dir))
        or p.name.endswith((".staged", ".tmp"))
    ]


def test_an_import_beside_a_damaged_month_stores_nothing(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    first = store.finalise(make_rating(day="2025-03-04"), instrument)
    march = data_dir / "ratings" / "2025-03.json"
    march.write_bytes(b'{"ratings": {')  # cut short: damaged
    batch = _batch(make_rating, 30)
    with pytest.raises(StoreError):
        store.import_ratings(batch, {instrument.ref: instrument})
    assert _stored_ids(data_dir) <= {first.id}
    assert not _leftovers(data_dir)
    assert march.read_bytes() == b'{"ratings": {'


def _writes_to_commit(monkeypatch: pytest.MonkeyPatch, change: Callable[[], object]) -> int:
    """How many writes (`_write`, `_pwrite`) `change` makes up to its commit point: the
    journal put in place, by a rename or by exchanging it with the previous one."""
    real, overwrite = fileio._write, fileio._pwrite
    rename, exchange = fileio._replace, fileio._exchange
    assert overwrite is not None
    calls, at = 0, 0

    def counting(fd: int, data: memoryview) -> int:
        nonlocal calls
        calls += 1
        return real(fd, data)

    def overwriting(fd: int, data: memoryview, offset: int) -> int:
        nonlocal calls
        calls += 1
        return overwrite(fd, data, offset)

    def renaming(source: Path, target: Path) -> None:
        nonlocal at
        rename(source, target)
        if Path(target).name == "journal.json":
            at = calls

    def exchanging(source: Path, target: Path) -> None:
        nonlocal at
        exchange(source, target)
        if Path(target).name == "journal.json":
            at = calls

    monkeypatch.setattr(fileio, "_write", counting)
    monkeypatch.setattr(fileio, "_pwrite", overwriting)
    monkeypatch.setattr(fileio, "_replace", renaming)
    monkeypatch.setattr(fileio, "_exchange", exchanging)
    change()
    monkeypatch.setattr(fileio, "_write", real)
    monkeypatch.setattr(fileio, "_pwrite", overwrite)
    monkeypatch.setattr(fileio, "_replace", rename)
    monkeypatch.setattr(fileio, "_exchange", exchange)
    assert at, "no journal was written"
    return at


def _full_disk(monkeypatch: pytest.MonkeyPatch, fail_at: int) -> None:
    """Make the `fail_at`-th write (`_write` or `_pwrite`, counted together) fail as on a
    full disk (undone by `monkeypatch.undo`, or by putting both back)."""
    real, overwrite = fileio._write, fileio._pwrite
    assert overwrite is not None
    calls = 0

    def counted() -> None:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")

    def full(fd: int, data: memoryview) -> int:
        counted()
        return real(fd, data)

    def full_over(fd: int, data: memoryview, offset: int) -> int:
        counted()
        return overwrite(fd, data, offset)

    monkeypatch.setattr(fileio, "_write", full)
    monkeypatch.setattr(fileio, "_pwrite", full_over)


@pytest.mark.parametrize("carried", [True, False], ids=["carried", "staged"])
def test_a_full_disk_at_any_write_of_an_import_stores_nothing_and_leaves_no_journal(
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    carried: bool,
) -> None:
    if not carried:
        monkeypatch.setattr(journal, "CARRY_LIMIT", 0)  # the way of a big import
    batch = _batch(make_rating, 12)
    real, real_pwrite = fileio._write, fileio._pwrite
    store = Store.open(data_dir)
    store.finalise(make_rating(day="2025-03-04", dyad="D999"), instrument)  # a folder in use
    known = {instrument.ref: instrument}
    per_import = _writes_to_commit(monkeypatch, lambda: store.import_ratings(batch, known))
    # months, index files, manifest, backups, journal (staged: one file each; carried: the
    # journal holds them, and is written in one)
    assert per_import > (2 if carried else 12)
    # Writes after the commit point (the carried files, the audit log's line) are completed
    # on the next open (test_audit and below), so they are not among these.
    for fail_at in range(1, per_import + 1):  # every write up to the commit point
        folder = data_dir.parent / f"d{fail_at}"
        store = Store.open(folder)
        store.finalise(make_rating(day="2025-03-04", dyad="D999"), instrument)
        before = {p: p.read_bytes() for p in folder.rglob("*.json") if p.name != "journal.json"}
        _full_disk(monkeypatch, fail_at)
        with pytest.raises(StoreWriteError, match="disk is full") as caught:
            store.import_ratings(batch, {instrument.ref: instrument})
        monkeypatch.setattr(fileio, "_write", real)  # (CARRY_LIMIT stays)
        monkeypatch.setattr(fileio, "_pwrite", real_pwrite)
        assert "Nothing was changed" in str(caught.value)
        assert not unfinished_journal(folder), fail_at
        reopened = Store.open(folder)
        assert not (folder / "journal.json").exists(), fail_at
        after = {p: p.read_bytes() for p in folder.rglob("*.json") if "backups" not in p.parts}
        assert after == {p: b for p, b in before.items() if "backups" not in p.parts}, fail_at
        assert len(reopened.list(limit=None)) == 1
        assert not _leftovers(folder)


def test_a_move_refused_on_a_full_disk_is_never_applied_later(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    final = store.finalise(make_rating(day="2025-03-04", notes="acknowledged"), instrument)
    refused = 0
    for fail_at in range(1, 9):  # every write up to the commit point (the journal's)
        _full_disk(monkeypatch, fail_at)
        moved = final.replace(notes="never acknowledged").with_field("session_date", "2025-07-01")
        with pytest.raises(StoreWriteError) as caught:
            store.update(moved, instrument, by="AB", reason="date")
        monkeypatch.undo()
        if caught.value.committed:  # a file written after the journal: completed on open
            break
        assert "Nothing was changed" in str(caught.value)
        refused += 1
        assert not unfinished_journal(data_dir)
        reopened = Store.open(data_dir)  # space is back: nothing is replayed
        assert reopened.get(final.id) == final
        assert [r.id for r in reopened.list(limit=None)] == [final.id]
    assert refused >= 2  # (the backup of March, the journal)


@pytest.mark.parametrize(
    "files",
    [
        ["../outside/evil.json"],
        ["ratings/../../outside/evil.json"],
        ["/tmp/evil.json"],
        ["ratings/2025-13x.json"],
        ["store.json"],
        "ratings/2025-03.json",
    ],
)
def test_a_crafted_journal_is_refused_and_touches_nothing_outside(
    files: object, store: Store, data_dir: Path
) -> None:
    outside = data_dir.parent / "outside"
    outside.mkdir()
    (outside / ".evil.json.0123456789abcdef.staged").write_text("{}")
    journal = {"transaction": "0123456789abcdef", "files": files}
    (data_dir / "journal.json").write_text(json.dumps(journal))
    with pytest.raises(StoreCorruptError, match="not a valid transaction journal"):
        Store.open(data_dir)
    assert not (outside / "evil.json").exists()
    errors = [f for f in Store(store._engine).check() if f.level == "error"]
    assert any("journal" in f.message for f in errors), errors


def test_an_old_style_move_journal_pointing_outside_is_refused(
    store: Store, data_dir: Path
) -> None:
    move = {"id": "x", "from": "../../outside/evil", "to": "2025-03"}
    (data_dir / "journal.json").write_text(json.dumps(move))
    with pytest.raises(StoreCorruptError):
        Store.open(data_dir)
    assert not (data_dir.parent / "outside").exists()


def test_with_the_index_gone_an_import_never_overwrites_a_stored_rating(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    stored = store.finalise(make_rating(day="2025-03-04", notes="original"), instrument)
    other = stored.replace(notes="other notes")
    for damage in ("delete", "garble"):
        for bucket in (data_dir / "index").glob("*.json"):
            if damage == "delete":
                bucket.unlink()
            else:
                bucket.write_bytes(b"{")
        with pytest.raises(RatingConflictError):
            store.import_ratings([other], {instrument.ref: instrument})
        moved = other.with_field("session_date", "2025-08-01")  # another month as well
        with pytest.raises(RatingConflictError):
            store.import_ratings([moved], {instrument.ref: instrument})
        assert store.get(stored.id) == stored
        assert _stored_ids(data_dir) == {stored.id}
    (data_dir / "manifest.json").unlink()  # and the manifest too
    for bucket in (data_dir / "index").glob("*.json"):
        bucket.unlink()
    with pytest.raises(RatingConflictError):
        Store.open(data_dir).import_ratings([other], {instrument.ref: instrument})
    assert store.get(stored.id) == stored


def test_a_merge_into_a_folder_is_one_transaction(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = store.finalise(make_rating(day="2025-03-04"), instrument)
    change = Revision(
        at=first.updated, by="CD", reason="x", action="update", previous=first.content()
    )
    newer = first.replace(notes="changed elsewhere", revisions=[change])
    batch = _batch(make_rating, 10)
    before = _stored_ids(data_dir)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # killed after the journal, before any rename

    from rating_tui.store import transaction

    monkeypatch.setattr(transaction, "apply", crash)  # (a big change: staged files)
    monkeypatch.setattr(transaction, "write_carried", crash)  # (a small one: carried)
    with pytest.raises(KeyboardInterrupt):
        store.merge_ratings(batch, [newer], {instrument.ref: instrument})
    assert _stored_ids(data_dir) == before  # nothing visible yet
    monkeypatch.undo()
    reopened = Store.open(data_dir)  # the journal is rolled forward: all of it
    assert _stored_ids(data_dir) == before | {r.id for r in batch}
    assert reopened.get(first.id).notes == "changed elsewhere"


def test_a_folder_from_before_the_manifest_is_upgraded_on_open_even_with_a_damaged_month(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store.finalise(make_rating(day="2025-03-04"), instrument)
    april = store.finalise(make_rating(day="2025-04-04"), instrument)
    (data_dir / "manifest.json").unlink()
    reopened = Store.open(data_dir)
    assert (data_dir / "manifest.json").exists()
    assert not [f for f in reopened.check() if f.level == "error"]
    (data_dir / "manifest.json").unlink()
    (data_dir / "ratings" / "2025-03.json").write_bytes(b"{")
    damaged = Store.open(data_dir)  # still opens; the other month still reads
    assert damaged.get(april.id) == april
    with pytest.raises(StoreCorruptError, match="2025-03"):
        damaged.update(april.replace(notes="x"), instrument, by="AB", reason="x")


def test_a_folder_removed_after_a_change_does_not_stop_the_next(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    """The journal kept after a change names a folder removed since (here the instrument
    copies, written with the first rating): another process's open fsyncs the folders it
    names that are still there, removes it, and this process's next change goes on."""
    store.finalise(make_rating(day="2025-03-04"), instrument)
    assert store.data_dir.joinpath("journal.json").exists()  # kept (`Unsynced`)
    shutil.rmtree(data_dir / "instrument-files")
    Store.open(data_dir)  # another process rolls it forward, its folder gone
    assert not store.data_dir.joinpath("journal.json").exists()
    store.finalise(make_rating(day="2025-03-05", number=2), instrument)
    assert len(store.list(limit=None)) == 2
