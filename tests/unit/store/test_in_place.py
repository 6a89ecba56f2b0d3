"""A save writes its index file and the manifest in place (`fileio.write_in_place`) and puts
its month in place of the previous version by exchanging names (`fileio._swap`): what
recovery does with a file torn by an in-place write, a write cut short by a full disk after
the commit point, and the files an in-place write refuses. The power cuts themselves are in
test_power_loss."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, StoreWriteError, fileio, journal, journal_spare
from rating_tui.store.layout import Layout


def _errors(store: Store) -> list[object]:
    return [f for f in store.check() if f.level == "error"]


def test_a_torn_manifest_is_written_again_but_a_month_changed_by_hand_is_left(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    """The process's kept journal carries the month, its index file and the manifest. A
    power cut leaves the manifest and the index file a mix of two versions (neither listed
    in the journal): recovery writes them. A month holding bytes the journal does not list
    (put back by hand) is left as it is, as before."""
    store = Store.open(data_dir)
    store.finalise(make_rating(day="2025-03-04", notes="first"), instrument)
    second = store.finalise(make_rating(day="2025-03-05", notes="second"), instrument)
    layout = Layout(data_dir)
    found = journal.read_journal(layout)
    assert isinstance(found, journal.Journal) and found.carried is not None
    torn = [p for p in found.carried if journal.in_place(layout, p)]
    assert layout.manifest in torn and any(p.parent == layout.index for p in torn)
    for path in torn:
        data = found.carried[path]
        path.write_bytes(data[: len(data) // 2] + b"\0" * 100)  # torn: no version listed
    assert not journal.applied(layout, found)
    reopened = Store.open(data_dir)
    assert {p: p.read_bytes() for p in torn} == {p: found.carried[p] for p in torn}
    assert reopened.get(second.id).notes == "second"
    assert _errors(reopened) == []


def test_a_full_disk_in_an_in_place_write_after_the_commit_is_completed_on_the_next_lock(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The journal is durable (the change is decided) when the manifest's in-place write
    fails half way: the save says it is recorded and completed later, and the next operation
    of the same process rolls the journal forward (the manifest written whole again)."""
    store.finalise(make_rating(day="2025-03-04"), instrument)
    real = fileio._pwrite
    assert real is not None

    def half_then_full(fd: int, data: bytes, offset: int) -> int:
        if os.fstat(fd).st_size > 0 and len(data) > 8:
            real(fd, bytes(data[: len(data) // 2]), offset)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data, offset)

    monkeypatch.setattr(fileio, "_pwrite", half_then_full)
    rating = make_rating(day="2025-03-05", number=2)
    with pytest.raises(StoreWriteError, match="completed the next time") as caught:
        store.finalise(rating, instrument)
    assert caught.value.committed
    monkeypatch.undo()
    assert store.get(rating.id).status == "final"  # rolled forward under the lock
    assert not (data_dir / "journal.json").exists()
    assert _errors(store) == []
    assert _errors(Store.open(data_dir)) == []


def test_a_file_that_is_not_alone_is_replaced_not_written_in_place(tmp_path: Path) -> None:
    """Written in place, a file with another link (a copy made with `cp -l`) or a symbolic
    link would change the other name's content too: such a file is refused (False), and the
    caller replaces it."""
    target = tmp_path / "manifest.json"
    target.write_bytes(b'{"old": 1}')
    other = tmp_path / "linked.json"
    os.link(target, other)
    assert not fileio.write_in_place(target, b'{"new": 2}')
    assert other.read_bytes() == b'{"old": 1}'
    other.unlink()
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert not fileio.write_in_place(link, b'{"new": 2}')
    assert not fileio.write_in_place(tmp_path / "missing.json", b"{}")
    assert fileio.write_in_place(target, b"{}")
    assert json.loads(target.read_bytes()) == {}


def test_a_month_is_exchanged_for_its_new_version_and_the_old_file_removed(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The month's previous version is swapped out under the temp name and removed; a link
    to it (as an export's snapshot holds) keeps the old bytes."""
    first = store.finalise(make_rating(day="2025-03-04"), instrument)
    march = data_dir / "ratings" / "2025-03.json"
    snapshot = data_dir / "held.json"
    os.link(march, snapshot)
    before = snapshot.read_bytes()
    exchanged: list[str] = []
    real = fileio._exchange
    if real is None:
        pytest.skip("names cannot be exchanged on this system")

    def exchange(source: Path, target: Path) -> None:
        exchanged.append(Path(target).name)
        assert real is not None
        real(source, target)

    monkeypatch.setattr(fileio, "_exchange", exchange)
    second = store.finalise(make_rating(day="2025-03-05", number=2), instrument)
    assert exchanged == ["journal.json", "2025-03.json"]  # (the journal: `write_exchanging`)
    assert snapshot.read_bytes() == before
    assert not list(march.parent.glob(".*.tmp"))
    assert {r.id for r in store.list()} == {first.id, second.id}


def test_the_journal_is_written_over_the_spare_and_exchanged_never_made_again(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    """From the second save on, the journal is written over the spare (the journal before
    the previous one) and exchanged with the previous one (`journal_spare.write_exchanging`): the
    two files take turns, so no save makes or frees a journal file (the inodes stay two)."""
    if fileio._pwrite is None:
        pytest.skip("no pwrite on this system")
    journal_path = data_dir / "journal.json"
    spare = journal_spare.spare_of(journal_path)
    inodes: set[int] = set()
    for n in range(5):
        store.finalise(make_rating(day="2025-03-04", number=n + 1), instrument)
        inodes.add(journal_path.stat().st_ino)
        if n:
            inodes.add(spare.stat().st_ino)
            assert spare.stat().st_mode & 0o777 == 0o600
    assert len(inodes) == 2
    assert isinstance(journal.read_journal(Layout(data_dir)), journal.Journal)
    assert [f for f in store.check() if f.level != "info"] == []
    Store.open(data_dir)  # (another process: the kept journal rolled forward, the spare removed)
    assert not journal_path.exists() and not spare.exists()


@pytest.mark.parametrize("kind", ["link", "loose", "linked twice"])
def test_a_spare_that_is_not_a_private_single_file_is_not_written_through(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    kind: str,
) -> None:
    """A spare that is a symbolic link, readable by others, or a second link to a file is
    never written through: its name is removed and a new private spare made."""
    store.finalise(make_rating(day="2025-03-04", number=1), instrument)
    outside = data_dir.parent / "outside.bin"
    outside.write_bytes(b"kept")
    spare = journal_spare.spare_of(data_dir / "journal.json")
    if kind == "link":
        spare.symlink_to(outside)
    elif kind == "loose":
        spare.write_bytes(b"old")
        spare.chmod(0o644)
    else:
        os.link(outside, spare)
    store.finalise(make_rating(day="2025-03-05", number=2), instrument)
    assert outside.read_bytes() == b"kept"
    assert not spare.is_symlink() and spare.stat().st_mode & 0o777 == 0o600
    assert spare.stat().st_nlink == 1


def test_a_full_disk_while_the_journal_is_written_over_the_spare_leaves_the_journal(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write of the spare that fails (a full disk) changes nothing the folder reads: the
    save is refused, the spare removed, and the ratings saved before are all there."""
    saved = [
        store.finalise(make_rating(day="2025-03-04", number=n + 1), instrument) for n in (0, 1)
    ]
    spare = journal_spare.spare_of(data_dir / "journal.json")
    assert spare.exists()
    real = fileio._pwrite
    assert real is not None

    def full(fd: int, data: memoryview, offset: int) -> int:
        if Path(f"/proc/self/fd/{fd}").readlink().name == spare.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data, offset)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc to name a descriptor's file")
    monkeypatch.setattr(fileio, "_pwrite", full)
    with pytest.raises(StoreWriteError, match="disk is full"):
        store.finalise(make_rating(day="2025-03-05", number=3), instrument)
    monkeypatch.undo()
    assert not spare.exists()
    reopened = Store.open(data_dir)
    assert {r.id for r in reopened.list()} == {r.id for r in saved}
    assert _errors(reopened) == []
