"""Restoring a month from a backup says what it brings back and what it would lose, offers to
re-merge the newer ratings, writes all or nothing, and refuses bad backups touching nothing."""

from __future__ import annotations

import errno
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import STATUSES, Rating
from rating_tui.store import Store, StoreError, StoreWriteError, fileio
from rating_tui.store.restore import RestoreRefusedError
from tests.unit.store.powerloss import Recorder, materialise

MONTH = "2025-03"
DAY = "2025-03-20"


def _files(data_dir: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in data_dir.rglob("*") if p.is_file() and p.name != ".lock"}


def _errors(store: Store) -> list[str]:
    return [f"{f.path}: {f.message}" for f in store.check() if f.level == "error"]


def _take_backup(data_dir: Path) -> Path:
    """The month as it is now, kept as its backup of DAY (as the daily backup would)."""
    folder = data_dir / "backups" / "ratings" / MONTH
    for made in (folder.parent.parent, folder.parent, folder):
        made.mkdir(exist_ok=True, mode=0o700)
    target = folder / f"{DAY}.json"
    shutil.copyfile(data_dir / "ratings" / f"{MONTH}.json", target)
    target.chmod(0o600)
    return target


@pytest.fixture
def history(
    store: Store, data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument
) -> dict[str, Rating]:
    """A backup holding kept and edited; after it, edited was changed and added was saved."""
    kept = store.finalise(make_rating(dyad="D001", number=1), instrument)
    edited = store.finalise(make_rating(dyad="D002", number=2), instrument)
    _take_backup(data_dir)
    newer = store.update(edited.replace(notes="second look"), instrument, by="AB", reason="x")
    added = store.finalise(make_rating(dyad="D003", number=3, rater="CD"), instrument)
    return {"kept": kept, "edited": edited, "newer": newer, "added": added}


def test_the_plan_lists_what_would_be_lost_and_changes_nothing(
    store: Store, data_dir: Path, history: dict[str, Rating]
) -> None:
    before = _files(data_dir)
    plan = store.restore_plan(f"{MONTH}/{DAY}")
    assert [e.id for e in plan.added_since] == [history["added"].id]
    assert [e.id for e in plan.newer_now] == [history["edited"].id]
    assert plan.restored == [] and plan.unchanged == 1
    added = plan.added_since[0]
    assert (added.dyad, added.rater, added.session) == ("D003", "CD", "2025-03-04 #3")
    assert _files(data_dir) == before


def test_restoring_without_remerge_loses_exactly_what_it_said(
    store: Store, data_dir: Path, history: dict[str, Rating]
) -> None:
    plan = store.restore_plan(f"{MONTH}/{DAY}")
    result = store.restore(plan, remerge=False)
    assert (result.restored, result.remerged, result.lost, result.unchanged) == (0, 0, 2, 1)
    reopened = Store.open(data_dir)
    assert reopened.get(history["edited"].id) == history["edited"]  # the backup's version
    with pytest.raises(StoreError):
        reopened.get(history["added"].id)
    assert _errors(reopened) == []
    assert result.kept is not None and history["added"].id in result.kept.read_text()


def test_restoring_with_remerge_keeps_the_newer_ratings(
    store: Store, data_dir: Path, history: dict[str, Rating]
) -> None:
    month = data_dir / "ratings" / f"{MONTH}.json"
    month.write_text("{}")  # emptied: the two ratings of the backup are missing now
    missing = _errors(store)
    assert any("missing" in e for e in missing)
    plan = store.restore_plan(f"{MONTH}/{DAY}")
    assert {e.id for e in plan.restored} == {history["kept"].id, history["edited"].id}
    assert plan.still_missing == [history["added"].id]  # not in this backup either
    result = store.restore(plan, remerge=True)
    assert (result.restored, result.remerged, result.lost) == (2, 0, 0)
    reopened = Store.open(data_dir)
    assert reopened.get(history["kept"].id) == history["kept"]
    errors = _errors(reopened)
    assert len(errors) == 1 and history["added"].id in errors[0]  # still said, never hidden


def test_remerge_after_an_edit_and_an_addition_loses_nothing(
    store: Store, data_dir: Path, history: dict[str, Rating]
) -> None:
    result = store.restore(store.restore_plan(f"{MONTH}/{DAY}"), remerge=True)
    assert (result.restored, result.remerged, result.lost) == (0, 2, 0)
    reopened = Store.open(data_dir)
    assert reopened.get(history["edited"].id) == history["newer"]
    assert reopened.get(history["added"].id) == history["added"]
    assert _errors(reopened) == []


def test_a_damaged_month_is_restored_and_kept_aside(
    store: Store, data_dir: Path, history: dict[str, Rating]
) -> None:
    month = data_dir / "ratings" / f"{MONTH}.json"
    damaged = month.read_bytes()[:80]
    month.write_bytes(damaged)
    plan = store.restore_plan(MONTH)  # the newest backup: today's, taken before the edit
    assert plan.unreadable is not None and "damaged" in plan.unreadable
    result = store.restore(plan, remerge=True)
    assert result.kept is not None and result.kept.read_bytes() == damaged
    reopened = Store.open(data_dir)
    assert reopened.get(history["kept"].id) == history["kept"]
    [error] = _errors(reopened)  # what today's backup lacks stays an error, never hidden
    assert history["edited"].id in error and history["added"].id in error


def test_a_rating_moved_since_the_backup_stays_where_it_is(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
) -> None:
    rating = store.finalise(make_rating(), instrument)
    _take_backup(data_dir)
    moved = store.update(
        rating.with_field("session_date", "2025-04-02"), instrument, by="AB", reason="date"
    )
    plan = store.restore_plan(f"{MONTH}/{DAY}")
    assert [e.id for e in plan.elsewhere] == [rating.id] and plan.restored == []
    store.restore(plan, remerge=False)
    reopened = Store.open(data_dir)
    assert reopened.get(rating.id) == moved
    assert _errors(reopened) == []


@pytest.mark.parametrize(
    "damage",
    ["truncated", "empty", "not a rating", "other id", "unknown backup", "outside", "link"],
)
def test_a_bad_backup_is_refused_touching_nothing(
    store: Store, data_dir: Path, history: dict[str, Rating], tmp_path: Path, damage: str
) -> None:
    backup = data_dir / "backups" / "ratings" / MONTH / f"{DAY}.json"
    wanted: str | Path = backup
    if damage == "truncated":
        backup.write_bytes(backup.read_bytes()[:60])
    elif damage == "empty":
        backup.write_bytes(b"")
    elif damage in ("not a rating", "other id"):
        data = json.loads(backup.read_bytes())
        record = data["ratings"][history["kept"].id]
        if damage == "not a rating":
            record["answers"] = 5
        else:
            record["id"] = history["added"].id
        backup.write_text(json.dumps(data))
    elif damage == "unknown backup":
        wanted = f"{MONTH}/2020-01-01"
    elif damage == "outside":
        wanted = tmp_path / "2025-03-20.json"
        shutil.copyfile(backup, wanted)
    else:
        backup.unlink()
        backup.symlink_to("/dev/zero")
    before = _files(data_dir)
    with pytest.raises(RestoreRefusedError) as raised:
        store.restore_plan(wanted)
    assert "nothing was changed" in str(raised.value).lower()
    assert _files(data_dir) == before


def test_a_save_between_the_plan_and_the_restore_is_not_overwritten(
    store: Store,
    data_dir: Path,
    history: dict[str, Rating],
    make_rating: Callable[..., Rating],
    instrument: Instrument,
) -> None:
    plan = store.restore_plan(f"{MONTH}/{DAY}")
    late = Store.open(data_dir).finalise(make_rating(dyad="D009", number=9), instrument)
    Store.open(data_dir)  # the other process has closed: its finished journal is removed
    before = _files(data_dir)
    with pytest.raises(RestoreRefusedError, match="changed since"):
        store.restore(plan, remerge=False)
    assert _files(data_dir) == before
    assert store.get(late.id) == late


@pytest.mark.parametrize("case", ["drop the newer", "emptied month, remerge"])
def test_a_power_cut_during_a_restore_leaves_all_of_it_or_none(
    store: Store, data_dir: Path, history: dict[str, Rating], tmp_path: Path, case: str
) -> None:
    """Every prefix of the restore's file operations, as a power cut leaves it (see
    `powerloss`): the folder opens with the month as before the restore or as after it."""
    if case != "drop the newer":
        (data_dir / "ratings" / f"{MONTH}.json").write_text("{}")
    plan = store.restore_plan(f"{MONTH}/{DAY}")

    def state(folder: Path) -> tuple[dict[str, Any], set[str]]:
        opened = Store.open(folder)
        ratings = opened.list(statuses=STATUSES, limit=None)
        content = {r.id: r.model_dump(mode="json") for r in ratings}
        errors = {e.replace(str(folder), "DATA") for e in _errors(opened)}
        return content, errors

    before = state(data_dir)
    recorder = Recorder(data_dir)
    with recorder.recording():
        store.restore(plan, remerge=case != "drop the newer")
    after = state(data_dir)
    assert after != before and len(recorder.log) > 10
    for n in range(len(recorder.log) + 1):
        files, _ = recorder.crash_state(n)
        folder = materialise(files, recorder.folders, tmp_path / f"cut{n}")
        assert state(folder) in (before, after), n
        assert not (folder / "journal.json").exists()


def test_a_full_disk_at_any_write_of_a_restore_changes_nothing(
    store: Store, data_dir: Path, history: dict[str, Rating], monkeypatch: pytest.MonkeyPatch
) -> None:
    month = data_dir / "ratings" / f"{MONTH}.json"
    month.write_bytes(month.read_bytes()[:80])  # damaged: set aside, then put back on failure
    real, overwrite = fileio._write, fileio._pwrite
    assert overwrite is not None
    calls = 0
    fail_at = 0

    def full(fd: int, data: memoryview) -> int:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    def full_over(fd: int, data: memoryview, offset: int) -> int:  # (the journal's writes)
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        return overwrite(fd, data, offset)

    Store.open(data_dir)  # a finished journal the saves above left is removed (`Unsynced`)
    monkeypatch.setattr(fileio, "_write", full)
    monkeypatch.setattr(fileio, "_pwrite", full_over)
    tried = 0
    while True:
        fail_at, calls = fail_at + 1, 0
        before = {p: b for p, b in _files(data_dir).items() if "backups" not in p.parts}
        plan = store.restore_plan(f"{MONTH}/{DAY}")
        try:
            store.restore(plan, remerge=True)
        except StoreWriteError as exc:
            if exc.committed:  # the audit log's line, after the commit point (issue 16)
                assert (data_dir / "journal.json").exists(), fail_at
                break  # completed when the folder is next opened
            assert "disk is full" in str(exc), fail_at
            after = {p: b for p, b in _files(data_dir).items() if "backups" not in p.parts}
            assert after == before, fail_at
            tried += 1
            continue
        break
    reopened = Store.open(data_dir)
    assert tried >= 2 and reopened.get(history["kept"].id) == history["kept"]  # backup, journal
    assert not (data_dir / "journal.json").exists()
    # The rating saved after the backup was only in the damaged file: missing, and said so
    # (once, about the month); the audit log holds the restore, so nothing else is reported.
    errors = _errors(reopened)
    assert len(errors) == 1 and "1 rating(s) stored in this month" in errors[0], errors


@pytest.fixture
def split_march(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> list[Rating]:
    """March holding 40 ratings, its file and parts (limits made small, as in test_split)."""
    from rating_tui.store import index, shards

    monkeypatch.setattr(shards, "SHARD_LIMIT", 4)
    monkeypatch.setattr(index, "BUCKET_LIMIT", 2)
    batch = [make_rating(day=f"2025-03-{1 + n % 28:02d}", number=n + 1) for n in range(40)]
    store.import_ratings(batch, {instrument.ref: instrument})
    assert len(list((data_dir / "ratings").glob(f"{MONTH}.p*.json"))) == 9
    return batch


def _parts_holding_ratings(data_dir: Path) -> list[str]:
    """The parts of March (all hold ratings)."""
    found = sorted((data_dir / "ratings").glob(f"{MONTH}.*.json"))
    return [p.stem for p in found if json.loads(p.read_text()).get("ratings")]


def _ids_in(data_dir: Path, part: str) -> set[str]:
    return set(json.loads((data_dir / "ratings" / f"{part}.json").read_text())["ratings"])


def _part_backup(data_dir: Path, part: str) -> Path:
    folder = data_dir / "backups" / "ratings" / part
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{DAY}.json"
    shutil.copyfile(data_dir / "ratings" / f"{part}.json", target)
    return target


def test_a_part_of_a_month_is_restored_from_its_own_backup(
    store: Store, data_dir: Path, split_march: list[Rating], instrument: Instrument
) -> None:
    part = _parts_holding_ratings(data_dir)[0]
    in_part = [r for r in split_march if r.id in _ids_in(data_dir, part)]
    _part_backup(data_dir, part)
    edited = store.update(in_part[0].replace(notes="later"), instrument, by="AB", reason="x")
    plan = store.restore_plan(part)
    assert (plan.shard, [e.id for e in plan.newer_now]) == (part, [edited.id])
    assert plan.unchanged == len(in_part) - 1 and plan.added_since == []
    result = store.restore(plan, remerge=False)
    assert (result.restored, result.lost) == (0, 1)
    reopened = Store.open(data_dir)
    assert reopened.get(edited.id) == in_part[0]  # the backup's version
    assert all(reopened.get(r.id).id == r.id for r in split_march)
    assert _errors(reopened) == []  # index, counts and audit log agree with the restore


def test_a_damaged_part_is_restored_and_doctor_is_content(
    store: Store, data_dir: Path, split_march: list[Rating]
) -> None:
    part = _parts_holding_ratings(data_dir)[-1]
    _part_backup(data_dir, part)
    damaged = data_dir / "ratings" / f"{part}.json"
    damaged.write_bytes(damaged.read_bytes()[:40])
    assert _errors(Store.open(data_dir))
    plan = store.restore_plan(part)
    assert plan.unreadable and plan.restored
    store.restore(plan, remerge=True)
    reopened = Store.open(data_dir)
    assert all(reopened.get(r.id).id == r.id for r in split_march)
    assert _errors(reopened) == []


def test_a_backup_of_a_month_from_before_it_had_parts_restores_its_own_file(
    store: Store,
    data_dir: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parts are the month file's siblings: restoring the month's file leaves them alone.
    (A backup of a format-2 month from before it split by the id is refused: test_format2.)"""
    from rating_tui.store import index, shards

    first = store.finalise(make_rating(dyad="D001"), instrument)
    _take_backup(data_dir)  # the month as one file, one rating
    monkeypatch.setattr(shards, "SHARD_LIMIT", 4)
    monkeypatch.setattr(index, "BUCKET_LIMIT", 2)
    batch = [make_rating(day="2025-03-05", number=n + 2) for n in range(20)]
    store.import_ratings(batch, {instrument.ref: instrument})
    parts = {p.name: p.read_bytes() for p in (data_dir / "ratings").glob(f"{MONTH}.p*.json")}
    assert len(parts) == 5  # 21 ratings: the month's file holds 4, p1-p4 4 each, p5 one
    in_month = _ids_in(data_dir, MONTH) - {first.id}
    plan = store.restore_plan(f"{MONTH}/{DAY}")
    assert {e.id for e in plan.added_since} == in_month and plan.unchanged == 1
    store.restore(plan, remerge=True)
    after = {p.name: p.read_bytes() for p in (data_dir / "ratings").glob(f"{MONTH}.p*.json")}
    assert after == parts
    reopened = Store.open(data_dir)
    assert {r.id for r in reopened.list(statuses=("draft", "final"), limit=None)} == {first.id} | {
        r.id for r in batch
    }
    assert _errors(reopened) == []


def test_a_restore_is_one_audit_entry_naming_what_it_put_back_and_removed(
    store: Store, data_dir: Path, history: dict[str, Rating]
) -> None:
    log = store.audit_log()
    assert log is not None
    before = len(log.entries)
    store.restore(store.restore_plan(f"{MONTH}/{DAY}"), remerge=False)
    reopened = Store.open(data_dir)
    log = reopened.audit_log()
    assert log is not None and log.problems == [] and len(log.entries) == before + 1
    rows = {row["id"]: row for row in log.entries[-1]["ratings"]}
    assert set(rows) == {history["edited"].id, history["added"].id}
    assert rows[history["added"].id]["hash"] is None  # lost, as the plan said
    assert rows[history["edited"].id]["file"] == f"ratings/{MONTH}.json"
    assert _errors(reopened) == []


def test_a_backup_naming_parts_or_of_a_part_of_an_unsplit_month_is_refused(
    store: Store, data_dir: Path, history: dict[str, Rating]
) -> None:
    folder = data_dir / "backups" / "ratings" / f"{MONTH}.a"
    folder.mkdir(mode=0o700)
    shutil.copyfile(_take_backup(data_dir), folder / f"{DAY}.json")
    before = _files(data_dir)
    with pytest.raises(RestoreRefusedError, match=f"a part of {MONTH}, which is not split"):
        store.restore_plan(f"{MONTH}.a/{DAY}")
    node = {"split": {f"{MONTH}.{d}": {} for d in "0123456789abcdef"}}
    (data_dir / "backups" / "ratings" / MONTH / f"{DAY}.json").write_text(json.dumps(node))
    with pytest.raises(RestoreRefusedError, match="only named the parts"):
        store.restore_plan(f"{MONTH}/{DAY}")
    assert {p: b for p, b in _files(data_dir).items() if "backups" not in p.parts} == {
        p: b for p, b in before.items() if "backups" not in p.parts
    }
