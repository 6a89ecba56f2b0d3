"""`demo-data` and `doctor` through Typer's runner: deterministic demo folders, the refusal to
mix demo data into a folder with ratings, and a doctor that reports damage in words (even when
the store cannot be opened), exits 1 on it, and repairs the index."""

from __future__ import annotations

import os
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from rating_tui.ratings import STATUSES, Missing, Rating
from rating_tui.store import Store
from tests.cli.invoke import run


def everything(folder: Path) -> list[Rating]:
    return list(Store.open(folder).iter_all(statuses=STATUSES))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 demo ratings made through the command; tests copy it before changing anything."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    code, out, _ = run("demo-data", "--count", "250", "--seed", "9", "--data", str(folder))
    assert code == 0 and "Stored 250 demo rating(s)" in out, out
    return folder


@pytest.fixture
def copy(demo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(demo, target)
    return target


# --- demo-data --------------------------------------------------------------------------------


def test_same_seed_same_ratings_other_seed_other_ratings(demo: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    assert run("demo-data", "-n", "250", "--seed", "9", "--data", str(again))[0] == 0
    assert run("demo-data", "-n", "250", "--seed", "10", "--data", str(other))[0] == 0
    dump = [r.model_dump_json() for r in everything(demo)]
    assert dump == [r.model_dump_json() for r in everything(again)]
    assert dump != [r.model_dump_json() for r in everything(other)]


def test_demo_folder_has_what_the_app_and_statistics_need(demo: Path) -> None:
    ratings = everything(demo)
    assert len(ratings) == 250
    raters: dict[tuple[object, object], set[str]] = defaultdict(set)
    for r in ratings:
        raters[(r.session["dyad"], r.session["session_number"])].add(r.rater)
    assert sum(len(v) > 1 for v in raters.values()) >= 10  # sessions with several raters
    assert len({r.rater for r in ratings}) >= 3 and len({r.session["dyad"] for r in ratings}) >= 5
    assert any(r.status == "draft" for r in ratings)
    assert any(r.status == "voided" and r.void_reason for r in ratings)
    assert any(v.action == "update" and v.reason for r in ratings for v in r.revisions)
    assert any(isinstance(a, Missing) for r in ratings for a in r.answers.values())
    assert any(m.tags for r in ratings for m in r.now_moments)
    assert all(re.fullmatch(r"[A-Z]{2}\d{4}", str(r.session["dyad"])) for r in ratings)
    assert Store.open(demo).check() == []


def test_the_summary_says_what_was_made(tmp_path: Path) -> None:
    code, out, _ = run("demo-data", "--count", "120", "--data", str(tmp_path / "d"))
    assert code == 0
    flat = " ".join(out.split())
    assert re.search(r"\d+ dyads, \d+ raters, \d+ sessions from 2023-\d\d-\d\d to", flat)
    assert re.search(r"\(\d+ rated by two or more\)", flat)
    assert re.search(r"1 draft\(s\), 2 edited, 1 voided", flat)
    assert "seed 0" in flat


def test_refuses_a_folder_with_ratings_unless_forced(copy: Path) -> None:
    before = everything(copy)
    code, out, err = run("demo-data", "--count", "10", "--data", str(copy))
    assert code == 1 and "already holds ratings" in err and "--force" in err
    assert everything(copy) == before
    code, out, _ = run("demo-data", "--count", "250", "--seed", "9", "--data", str(copy), "--force")
    assert code == 0 and "Stored 0 demo rating(s)" in out and "250 were already there" in out
    code, out, _ = run("demo-data", "--count", "30", "--data", str(copy), "--force")
    assert code == 0 and len(everything(copy)) == 280


@pytest.mark.parametrize("count", ["0", "-5", "2000000"])
def test_impossible_counts_are_refused(tmp_path: Path, count: str) -> None:
    code, _, err = run("demo-data", "--count", count, "--data", str(tmp_path / "d"))
    assert code == 1 and "--count must be from 1 to 1,000,000" in err


def test_five_thousand_are_made(tmp_path: Path) -> None:
    """Its speed is measured by benchmarks, not asserted here (a busy machine is no bug)."""
    code, _, _ = run("demo-data", "--count", "5000", "--data", str(tmp_path / "d"))
    assert code == 0
    assert len(Store.open(tmp_path / "d").list(statuses=STATUSES, limit=None)) == 5000


def test_demo_data_into_an_unwritable_place_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run("demo-data", "--count", "5", "--data", str(blocker / "data"))
    assert code == 1 and str(blocker) in err and len(err.strip().splitlines()) == 1
    code, _, err = run("demo-data", "--count", "5", "--data", str(tmp_path))
    assert code == 1 and "is not a rating-tui data folder" in err
    assert [p.name for p in tmp_path.iterdir()] == ["file"]  # nothing written beside it


# --- doctor -----------------------------------------------------------------------------------


def test_doctor_on_a_healthy_folder(demo: Path) -> None:
    code, out, _ = run("doctor", "--data", str(demo))
    assert code == 0 and f"Data folder: {demo}" in out and "Healthy" in out


def test_doctor_without_a_folder_creates_nothing(tmp_path: Path) -> None:
    code, out, _ = run("doctor", "--data", str(tmp_path / "none"))
    assert code == 0 and "nothing to check" in out and not (tmp_path / "none").exists()
    (tmp_path / "file").write_text("")
    code, _, err = run("doctor", "--data", str(tmp_path / "file"))
    assert code == 1 and "is not a rating-tui data folder (a file, not a folder" in err
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "letter.txt").write_text("")
    code, _, err = run("doctor", "--data", str(tmp_path / "docs"))
    assert code == 1 and "without store.json" in err
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["letter.txt"]  # untouched


def test_doctor_names_a_truncated_month_file_and_changes_nothing(copy: Path) -> None:
    month = sorted((copy / "ratings").glob("20*.json"))[1]
    month.write_bytes(month.read_bytes()[:200])
    before = {p: p.read_bytes() for p in copy.rglob("*.json")}
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and "Not healthy: 1 error(s)" in out
    assert f"error: {month}: " in out and "is damaged (not valid JSON" in out and "mv " in out
    assert {p: p.read_bytes() for p in copy.rglob("*.json")} == before


def test_doctor_reports_and_clears_a_stale_temp_file(copy: Path) -> None:
    temp = copy / "ratings" / ".2024-03.json.x1y2.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT, 0o600)  # as a crashed save leaves it
    os.write(fd, b'{"ratings": {')
    os.close(fd)
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 0 and f"info: {temp}: temp file left by a crash" in out
    assert "removed now" in out and not temp.exists()


def test_doctor_reports_loose_permissions(copy: Path) -> None:
    month = sorted((copy / "ratings").glob("20*.json"))[0]
    month.chmod(0o644)
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and f"warning: {month}: other users may read it" in out
    assert "chmod 600" in out


def test_doctor_works_when_the_store_cannot_open(copy: Path) -> None:
    (copy / "store.json").write_text("{oops")
    month = sorted((copy / "ratings").glob("20*.json"))[0]
    month.write_bytes(b"")
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1
    assert "the folder cannot be opened" in out and "store.json is damaged" in out
    assert f"error: {month}: " in out and "the file is empty" in out  # still checked
    code, out, err = run("doctor", "--data", str(copy), "--repair")
    assert code == 1 and "nothing was repaired" in err and "store.json is damaged" in out


def test_repair_rebuilds_a_lost_or_damaged_index(copy: Path) -> None:
    buckets = sorted((copy / "index").glob("*.json"))
    buckets[0].unlink()
    buckets[1].write_text('{"ids": {')
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and "rebuild the index" in out
    code, out, _ = run("doctor", "--data", str(copy), "--repair")
    assert code == 0 and "Rebuilt the index from 250 rating(s)" in out and "Healthy" in out
    assert f"damaged index file kept as {buckets[1]}.damaged-" in out
    store = Store.open(copy)
    assert all(store.get(r.id) == r for r in everything(copy))
    assert run("doctor", "--data", str(copy))[0] == 0


def test_repair_with_a_damaged_month_file_says_why_it_cannot(copy: Path) -> None:
    month = sorted((copy / "ratings").glob("20*.json"))[0]
    month.write_bytes(b"{")
    code, _, err = run("doctor", "--data", str(copy), "--repair")
    assert code == 1 and "the index was not rebuilt" in err and str(month) in err


def test_a_failure_midway_says_how_far_it_got_and_force_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rating_tui.services import demo
    from rating_tui.store import StoreWriteError

    real = Store.import_ratings
    calls: list[int] = []

    def full_disk_on_second_batch(self: Store, *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise StoreWriteError("the disk is full; nothing was saved", tmp_path)
        return real(self, *args)

    monkeypatch.setattr(demo, "BATCH", 40)
    monkeypatch.setattr(Store, "import_ratings", full_disk_on_second_batch)
    folder = tmp_path / "d"
    code, _, err = run("demo-data", "-n", "100", "--data", str(folder))
    assert code == 1 and "the disk is full" in err
    assert "40 of 100 demo ratings were stored before this" in err and "--force" in err
    monkeypatch.setattr(Store, "import_ratings", real)
    code, out, _ = run("demo-data", "-n", "100", "--data", str(folder), "--force")
    assert code == 0 and "Stored 60 demo rating(s)" in out and "40 were already there" in out
    assert len(everything(folder)) == 100


def test_doctor_that_could_read_nothing_says_not_checked_not_unhealthy(
    demo: Path, tmp_path: Path
) -> None:
    """Before: "Not healthy: 1 error(s)" of a folder none of whose files was read (its lock
    could not be taken: a read-only mount, here a folder in the lock file's place)."""
    folder = tmp_path / "data"
    shutil.copytree(demo, folder)
    (folder / ".lock").unlink(missing_ok=True)
    (folder / ".lock").mkdir()
    code, out, _ = run("doctor", "--data", str(folder))
    assert code == 1 and "the folder cannot be checked" in out
    assert "Not checked: no file of the folder could be read, so its health is unknown." in out
    assert "Not healthy" not in out
