"""`rating-tui restore`: lists what a backup brings back and what it would lose (ids, dyad,
session, rater), asks, re-merges the newer ratings when told, counts restored / re-merged /
lost, and refuses bad input in one message touching nothing."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from rating_tui.ratings import STATUSES
from rating_tui.ratings.model import Answered
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.demo_folders import copy_of, demo_folder
from tests.cli.test_ratings_cli import run

DAY = "2025-01-15"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory, 120, seed=4)


@pytest.fixture
def copy(demo: Path, tmp_path: Path) -> Path:
    return copy_of(demo, tmp_path)


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name != ".lock"}


def _count(folder: Path) -> int:
    return sum(1 for _ in Store.open(folder).iter_all(statuses=STATUSES))


@pytest.fixture
def backup(copy: Path) -> tuple[Path, str, str, str]:
    """A backup of the busiest month that lacks one rating saved since and holds an older
    version of another: (backup, month, the added id, the edited id)."""
    months = sorted((copy / "ratings").glob("20*.json"), key=lambda p: -len(p.read_bytes()))
    month = months[0]
    data = json.loads(month.read_bytes())
    added, edited = sorted(data["ratings"])[:2]
    del data["ratings"][added]
    record = data["ratings"][edited]
    record["updated"] = "2000-01-01T00:00:00+00:00"
    record["notes"] = "before the edit"
    folder = copy / "backups" / "ratings" / month.stem
    for made in (folder.parent.parent, folder.parent, folder):
        made.mkdir(exist_ok=True, mode=0o700)
    target = folder / f"{DAY}.json"
    target.write_text(json.dumps(data))
    target.chmod(0o600)
    return target, month.stem, added, edited


def test_a_dry_run_lists_what_would_be_lost_and_changes_nothing(
    copy: Path, backup: tuple[Path, str, str, str]
) -> None:
    _path, month, added, edited = backup
    before = _files(copy)
    code, out, _ = run("restore", f"{month}/{DAY}", "--dry-run", "--data", str(copy))
    assert code == 0 and "Dry run: nothing was changed." in out
    assert "Stored now but not in the backup: lost unless re-merged: 1" in out
    assert "Newer now than in the backup: reverted unless re-merged: 1" in out
    [line] = [x for x in out.splitlines() if added in x]
    assert re.search(r"dyad \S+ +session 20\d\d-\d\d-\d\d #\d+ +rater \S+", line)
    assert edited in out
    assert _files(copy) == before


def test_answering_no_to_remerge_loses_what_was_listed(
    copy: Path, backup: tuple[Path, str, str, str]
) -> None:
    _, month, added, _ = backup
    total = _count(copy)
    code, out, _ = run("restore", f"{month}/{DAY}", "--data", str(copy), stdin="n\ny\n")
    assert code == 0
    assert "0 rating(s) restored, 0 re-merged, 2 lost" in out
    assert _count(copy) == total - 1
    kept = re.search(r"kept in (\S+)\.$", out, re.M)
    assert kept and added in Path(kept.group(1)).read_text()
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 0, out


def test_remerge_keeps_every_rating(copy: Path, backup: tuple[Path, str, str, str]) -> None:
    path, _, _, _edited = backup
    before = {r.id: r for r in Store.open(copy).iter_all(statuses=STATUSES)}
    code, out, _ = run("restore", str(path), "--remerge", "--yes", "--data", str(copy))
    assert code == 0 and "0 rating(s) restored, 2 re-merged, 0 lost" in out
    after = {r.id: r for r in Store.open(copy).iter_all(statuses=STATUSES)}
    assert after == before
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 0, out


def test_the_restore_command_doctor_gives_brings_the_missing_ratings_back(
    copy: Path, backup: tuple[Path, str, str, str]
) -> None:
    _, month, added, _ = backup
    (copy / "ratings" / f"{month}.json").write_text("{}")
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and "missing" in out and "harmless" not in out
    given = re.search(r"`rating-tui (restore [^`]+)`", out)
    assert given, out
    code, out, _ = run(*shlex.split(given.group(1)), "--yes")
    assert code == 0 and "re-merged, 0 lost" in out
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and "1 error(s)" in out  # the one rating the backup lacks stays an error
    assert "1 rating(s) stored in this month are missing" in out and added in out


def test_no_answer_restores_nothing(copy: Path, backup: tuple[Path, str, str, str]) -> None:
    _, month, _, _ = backup
    before = _files(copy)
    code, _, err = run("restore", f"{month}/{DAY}", "--data", str(copy), stdin="")
    assert code == 1 and "nothing was restored" in err
    assert _files(copy) == before


@pytest.mark.parametrize("case", ["unknown date", "unknown month", "damaged", "not a backup"])
def test_bad_input_is_one_message_touching_nothing(
    copy: Path, backup: tuple[Path, str, str, str], tmp_path: Path, case: str
) -> None:
    path, month, _, _ = backup
    wanted = {
        "unknown date": f"{month}/2019-01-01",
        "unknown month": "1999-01",
        "damaged": str(path),
        "not a backup": str(copy / "ratings" / f"{month}.json"),
    }[case]
    if case == "damaged":
        path.write_bytes(path.read_bytes()[:100])
    before = _files(copy)
    code, _out, err = run("restore", wanted, "--yes", "--remerge", "--data", str(copy))
    assert code == 1 and "nothing was changed" in err.lower() and err.count("error:") == 1
    assert _files(copy) == before


def test_an_empty_folder_has_no_backups(tmp_path: Path) -> None:
    code, _, err = run("restore", "2025-01", "--yes", "--data", str(tmp_path / "none"))
    assert code == 1 and "no backups" in err and not (tmp_path / "none").exists()


def test_a_damaged_month_names_the_restore_command_and_it_works(
    copy: Path, backup: tuple[Path, str, str, str]
) -> None:
    _, month, _, edited = backup
    path = copy / "ratings" / f"{month}.json"
    damaged = path.read_bytes()[:200]
    path.write_bytes(damaged)
    code, _, err = run("ratings", "show", edited, "--data", str(copy))
    given = re.search(r"^  rating-tui (restore .+)$", err, re.M)
    assert code == 1 and given, err
    code, out, _ = run(*shlex.split(given.group(1)), "--yes", "--no-remerge")
    assert code == 0 and "The month cannot be read now" in out
    kept = re.search(r"kept in (\S+)\.$", out, re.M)
    assert kept and Path(kept.group(1)).read_bytes() == damaged
    assert run("ratings", "show", edited, "--data", str(copy))[0] == 0


def test_relative_paths_name_the_same_backup(
    copy: Path, backup: tuple[Path, str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _, added, _ = backup
    monkeypatch.chdir(copy.parent)
    relative = path.relative_to(copy.parent)
    code, out, err = run("restore", str(relative), "--dry-run", "--data", copy.name)
    assert code == 0 and added in out, err


def test_a_month_with_parts_restores_a_part_from_its_own_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(A backup of a format-2 month from before it split by the id is refused: the unit
    tests do that on a folder the format-2 code wrote.)"""
    from rating_tui.store import index, shards

    monkeypatch.setattr(shards, "SHARD_LIMIT", 4)
    monkeypatch.setattr(index, "BUCKET_LIMIT", 2)
    folder = tmp_path / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 60, seed=3)
    part = sorted((folder / "ratings").glob("20*.p*.json"))[0]
    month = part.stem.partition(".")[0]
    target = folder / "backups" / "ratings" / part.stem / f"{DAY}.json"
    for made in (target.parent.parent.parent, target.parent.parent, target.parent):
        made.mkdir(exist_ok=True, mode=0o700)
    shutil.copyfile(part, target)
    target.chmod(0o600)
    code, out, _ = run("restore", part.stem, "--yes", "--data", str(folder))
    assert (
        code == 0
        and f"the part {part.stem} of {month} before its first change" in out
        and "0 lost" in out
    ), out
    code, out, _ = run("doctor", "--data", str(folder))
    assert code == 0, out


def test_the_backup_of_a_month_new_that_day_is_not_called_the_start_of_the_day(
    tmp_path: Path,
) -> None:
    """The first save of a month has nothing to back up; the second one keeps what the first
    wrote (here a draft). The restore called that "the month at the start of the day", when
    the month did not exist then."""
    from datetime import date

    from rating_tui.ratings import Rating

    instrument = builtin_instrument()
    store = Store.open(tmp_path / "data")
    draft = Rating.new(instrument, "RP").replace(
        session={"dyad": "EC0417", "session_date": "2026-02-02", "rater": "RP"}
    )
    store.finalise(store.save_draft(draft, instrument).replace(
        session={**draft.session, "session_number": 1, "setting": "home",
                 "present": ["mother", "infant"], "basis": "live"},
        answers={i.key: Answered(value=1) for i in instrument.items},
    ), instrument)  # fmt: skip
    code, out, _ = run("restore", "2026-02", "--dry-run", "--data", str(tmp_path / "data"))
    today = date.today().isoformat()
    assert code == 0 and "at the start of" not in out
    assert f"before its first change of {today}; if it was first saved that day, as that" in out
    assert "Newer now than in the backup: reverted unless re-merged: 1" in out
