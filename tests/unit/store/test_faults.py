"""Damaged files, leftovers of crashes, full disks, read-only folders, a busy lock: each gives
a clear StoreError and leaves every earlier rating intact."""

from __future__ import annotations

import errno
import json
import os
import shlex
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from filelock import FileLock

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import (
    PLAIN,
    Store,
    StoreCorruptError,
    StoreFormatError,
    StoreLockedError,
    StoreWriteError,
    fileio,
    transaction,
)
from rating_tui.store.backups import Backups
from rating_tui.store.crypto import PassphraseError

# --- damaged files --------------------------------------------------------------------------


def _two_months(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> list[str]:
    march = store.finalise(make_rating(day="2025-03-04"), instrument)
    april = store.finalise(make_rating(day="2025-04-04"), instrument)
    return [march.id, april.id]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: b"", id="emptied"),
        pytest.param(lambda raw: raw[:100] + b"\x00\xff garbage" + raw[100:], id="corrupted"),
        pytest.param(lambda raw: b'["not", "tables"]', id="not-tinydb"),
    ],
)
def test_a_damaged_month_is_named_never_overwritten_and_the_rest_still_works(
    damage, store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    march_id, april_id = _two_months(store, make_rating, instrument)
    march = data_dir / "ratings" / "2025-03.json"
    broken = damage(march.read_bytes())
    march.write_bytes(broken)

    with pytest.raises(StoreCorruptError) as caught:
        store.get(march_id)
    message = str(caught.value)
    assert str(march) in message and "damaged" in message and "mv " in message
    for attempt in (
        lambda: store.finalise(make_rating(day="2025-03-20"), instrument),
        lambda: store.void(march_id, by="AB", reason="x"),
        lambda: store.list(),
        lambda: list(store.iter_all()),
    ):
        with pytest.raises(StoreCorruptError):
            attempt()
    assert march.read_bytes() == broken  # never overwritten
    assert store.get(april_id).id == april_id
    store.finalise(make_rating(day="2025-05-01"), instrument)  # other months go on
    assert len(store.list(date_from=date(2025, 4, 1))) == 2


def test_the_message_for_a_damaged_month_restores_it_from_the_newest_backup(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    first = store.finalise(make_rating(day="2025-03-04"), instrument)
    store.finalise(make_rating(day="2025-03-05"), instrument)  # backs up the file with `first`
    march = data_dir / "ratings" / "2025-03.json"
    damaged = march.read_bytes()[:-10]
    march.write_bytes(damaged)
    with pytest.raises(StoreCorruptError) as caught:
        store.get(first.id)
    command = next(line for line in str(caught.value).splitlines() if " restore " in line)
    words = shlex.split(command)
    assert words[:2] == ["rating-tui", "restore"]
    subprocess.run(  # the advice, followed to the letter (and answered)
        [sys.executable, "-m", "rating_tui", *words[1:], "--yes", "--no-remerge"],
        check=True,
        capture_output=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).parents[3])},
    )
    assert store.get(first.id) == first
    [kept] = (data_dir / "backups" / "ratings" / "2025-03").glob("before-restore-*.json")
    assert kept.read_bytes() == damaged  # the damaged file is kept


def test_a_damaged_index_file_is_not_trusted_and_the_next_write_rebuilds_it(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(), instrument)
    bucket = data_dir / "index" / f"{rating.id[:2]}.json"
    bucket.write_bytes(b"{")
    assert store.get(rating.id) == rating  # read from the month files instead
    assert bucket.read_bytes() == b"{"
    changed = rating.replace(notes="later")
    new = store.update(changed, instrument, by="AB", reason="x")  # rebuilds the index first
    (aside,) = bucket.parent.glob(f"{bucket.name}.damaged-*")
    assert aside.read_bytes() == b"{"
    assert store.get(rating.id) == new
    assert not [f for f in store.check() if f.level == "error"]


def test_a_folder_of_a_newer_version_or_another_codec_is_refused(data_dir: Path) -> None:
    Store.open(data_dir)
    marker = data_dir / "store.json"
    marker.write_text(json.dumps({"format": 99, "codec": "plain"}))
    with pytest.raises(StoreFormatError, match="newer"):
        Store.open(data_dir)
    marker.write_text(json.dumps({"format": 1, "codec": "aesgcm-v1"}))
    with pytest.raises(StoreFormatError, match="aesgcm-v1"):
        Store.open(data_dir, codec=PLAIN)
    with pytest.raises(PassphraseError):  # opened as it says it is stored (issue 16)
        Store.open(data_dir)


# --- leftovers of crashes -------------------------------------------------------------------


def test_stale_temp_files_are_removed_on_open_and_data_is_kept(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(), instrument)
    stale = [
        data_dir / "ratings" / ".2025-03.json.0badc0ffee00.tmp",
        data_dir / "index" / f".{rating.id[:2]}.json.123456789abc.tmp",
        data_dir / ".instruments.json.aaaaaaaaaaaa.tmp",
    ]
    for path in stale:
        path.write_bytes(b'{"ratings": {"half a wri')
    reopened = Store.open(data_dir)
    assert not any(p.exists() for p in stale)
    assert reopened.get(rating.id) == rating


def test_a_move_cut_short_by_a_crash_is_finished_by_the_next_process(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch,
) -> None:
    final = store.finalise(make_rating(day="2025-03-04"), instrument)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies once the journal is written

    monkeypatch.setattr(transaction, "apply", crash)  # (a big change: staged files)
    monkeypatch.setattr(transaction, "write_carried", crash)  # (a save: carried files)
    with pytest.raises(KeyboardInterrupt):
        store.update(
            final.with_field("session_date", "2025-06-01"), instrument, by="AB", reason="date"
        )
    monkeypatch.undo()
    assert (data_dir / "journal.json").exists()

    reopened = Store.open(data_dir)
    assert not (data_dir / "journal.json").exists()
    assert reopened.get(final.id).session["session_date"] == "2025-06-01"
    assert [r.id for r in reopened.list()] == [final.id]  # in one month only


# --- full disk, read-only folder, busy lock -------------------------------------------------


def _no_space(*args: object) -> int:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("call", ["_write", "_fsync"])
def test_a_full_disk_is_reported_and_the_previous_data_is_intact(
    call: str,
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch,
) -> None:
    first = store.finalise(make_rating(day="2025-03-04"), instrument)
    before = {p: p.read_bytes() for p in data_dir.rglob("*.json")}
    monkeypatch.setattr(fileio, call, _no_space)
    for attempt in (
        lambda: store.finalise(make_rating(day="2025-03-05"), instrument),
        lambda: store.update(first.replace(notes="more"), instrument, by="AB", reason="x"),
        lambda: store.void(first.id, by="AB", reason="x"),
    ):
        with pytest.raises(StoreWriteError, match="disk is full") as caught:
            attempt()
        assert "Nothing was changed" in str(caught.value)
    monkeypatch.undo()
    assert not list(data_dir.rglob("*.tmp"))
    after = {p: p.read_bytes() for p in data_dir.rglob("*.json")}
    # An index entry for a rating that never reached its month may remain; it reads as absent.
    assert {p: b for p, b in after.items() if "index" not in p.parts} == {
        p: b for p, b in before.items() if "index" not in p.parts
    }
    assert store.get(first.id) == first
    assert [r.id for r in store.list()] == [first.id]
    store.finalise(make_rating(day="2025-03-06"), instrument)  # space again: saving works
    assert len(store.list()) == 2


def test_a_read_only_folder_is_reported_and_reading_still_works(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch,
) -> None:
    # Tests run as root, whom chmod does not stop: the read-only file system is simulated at
    # the one place the store creates files.
    rating = store.finalise(make_rating(), instrument)

    def read_only(*args: object) -> int:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(fileio, "_open", read_only)
    with pytest.raises(StoreWriteError, match="read-only") as caught:
        store.finalise(make_rating(), instrument)
    assert "--data" in str(caught.value)
    assert [r.id for r in store.list()] == [rating.id]

    # On a really read-only file system even the lock file cannot be opened: the store then
    # opens read-only, reads without the lock (nobody can write) and refuses every write.
    monkeypatch.setattr(FileLock, "acquire", read_only)
    reopened = Store.open(data_dir)
    assert reopened.read_only
    assert reopened.get(rating.id) == rating
    assert [r.id for r in reopened.iter_all()] == [rating.id]
    with pytest.raises(StoreWriteError, match="read-only"):
        reopened.void(rating.id, by="AB", reason="x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root is not stopped by folder permissions")
def test_a_folder_without_write_permission_opens_read_only(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(), instrument)
    data_dir.chmod(0o500)
    try:
        reopened = Store.open(data_dir)
        assert reopened.read_only and reopened.get(rating.id) == rating
        with pytest.raises(StoreWriteError):
            reopened.finalise(make_rating(), instrument)
    finally:
        data_dir.chmod(0o700)


def test_a_busy_lock_times_out_with_a_clear_message(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store = Store.open(data_dir, lock_timeout=0.3)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, fcntl; f = open(sys.argv[1], 'a'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)",
            str(data_dir / ".lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreLockedError, match="busy") as caught:
            store.finalise(make_rating(), instrument)
        # The holder keeps the lock for 30 s and is still running: the store gave up on its own
        # rather than waiting for the lock to be released (an event, not a duration).
        assert holder.poll() is None
        assert str(data_dir) in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
    store.finalise(make_rating(), instrument)  # free again


# --- private files and backups --------------------------------------------------------------


def test_files_are_0600_and_folders_0700_even_with_a_permissive_umask(
    tmp_path: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    old = os.umask(0)
    try:
        data = tmp_path / "new" / "data"
        store = Store.open(data)
        rating = store.finalise(make_rating(day="2025-03-04"), instrument)
        store.update(rating.replace(notes="x"), instrument, by="AB", reason="y")  # + backup
    finally:
        os.umask(old)
    paths = [data.parent, *data.rglob("*"), data]
    assert any("backups" in p.parts for p in paths)
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


def test_one_backup_per_day_is_kept_for_the_last_n_days(tmp_path: Path) -> None:
    backups = Backups(tmp_path / "b", keep=3)
    start = date(2025, 1, 1)
    for n in range(5):
        day = start + timedelta(days=n)
        assert backups.snapshot(f"v{n}".encode(), today=day) is not None
        assert backups.snapshot(b"later the same day", today=day) is None
    kept = backups.existing()
    assert [p.name for p in kept] == ["2025-01-05.json", "2025-01-04.json", "2025-01-03.json"]
    assert kept[0].read_bytes() == b"v4"


def _mount(*args: str) -> bool:
    result = subprocess.run(["mount", *args], capture_output=True, check=False)
    return result.returncode == 0


def test_a_really_read_only_file_system(
    tmp_path: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    """The same on a real read-only mount (needs root and mount rights, else skipped)."""
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mountpoint)):
        pytest.skip("cannot mount a file system here (needs root and CAP_SYS_ADMIN)")
    try:
        store = Store.open(mountpoint / "data")
        rating = store.finalise(make_rating(), instrument)
        assert _mount("-o", "remount,ro", str(mountpoint))
        reopened = Store.open(mountpoint / "data")
        assert reopened.read_only
        assert reopened.get(rating.id) == rating
        assert [r.id for r in reopened.iter_all()] == [rating.id]
        with pytest.raises(StoreWriteError, match="read-only file system"):
            reopened.finalise(make_rating(), instrument)
        with pytest.raises(StoreWriteError, match="read-only file system"):
            Store.open(mountpoint / "elsewhere")
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)
