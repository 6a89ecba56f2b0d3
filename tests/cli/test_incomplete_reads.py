"""Issue 10's last gap: a command whose result rests on the stored ratings says so when the
folder has lost some (a month emptied by `echo '{}' >`, a part of a split month removed),
with the count, and exits 3 (`cli.errors.INCOMPLETE`) after writing what it could; a healthy
folder says nothing of the kind. Before, export, merge, agreement, alerts and report left the
lost ratings out silently (only doctor noticed)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from rating_tui.cli.errors import INCOMPLETE
from rating_tui.store import shards
from rating_tui.tui.screens import export as export_screen
from tests.cli.demo_folders import copy_of, demo_folder
from tests.cli.test_ratings_cli import run

LOST = "rating(s) the index lists were not found in their month files"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory, 160, seed=11)


@pytest.fixture
def copy(demo: Path, tmp_path: Path) -> Path:
    return copy_of(demo, tmp_path)


def _records(path: Path) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = json.loads(path.read_bytes()).get("ratings", {})
    return found


def _empty_busiest_month(folder: Path) -> tuple[str, int, int]:
    """`echo '{}' >` the month with most ratings: (month, ratings lost, final ones lost)."""
    month = max((folder / "ratings").glob("20*.json"), key=lambda p: len(_records(p)))
    records = _records(month)
    month.write_text("{}\n")
    finals = sum(1 for r in records.values() if r.get("status") == "final")
    return month.stem, len(records), finals


def _finals(folder: Path) -> int:
    return sum(
        1
        for p in (folder / "ratings").glob("*.json")
        for r in _records(p).values()
        if r.get("status") == "final"
    )


def test_a_healthy_folder_exports_without_a_warning(copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, _, err = run("export", "--data", str(copy), "-o", str(out))
    assert code == 0, err
    assert "warning" not in err and LOST not in err
    assert f"exported {_finals(copy)} rating(s)" in err


@pytest.mark.parametrize(
    "options",
    [
        ["-o", "out.csv"],
        ["--layout", "long", "-o", "out.csv"],
        ["--format", "jsonl", "-o", "out.jsonl"],
        ["--format", "redcap", "-o", "out.csv"],
        ["--format", "sav", "-o", "out.sav"],
        ["--moments", "moments.csv", "-o", "-"],
    ],
)
def test_an_emptied_month_makes_every_export_warn_with_the_count(
    copy: Path, tmp_path: Path, options: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    finals = _finals(copy)
    month, lost, lost_finals = _empty_busiest_month(copy)
    code, _, err = run("export", "--data", str(copy), *options)
    assert code == INCOMPLETE, err
    assert f"{copy}: {lost} {LOST} ({month}: {lost})" in err
    assert "rating-tui doctor" in err
    assert f"exported {finals - lost_finals} rating(s)" in err  # the files are still written
    written = options[options.index("-o") + 1]
    assert written == "-" or (tmp_path / written).stat().st_size > 0


def test_the_exported_table_holds_what_remains(copy: Path, tmp_path: Path) -> None:
    _, _, lost_finals = _empty_busiest_month(copy)
    finals = _finals(copy)
    out = tmp_path / "out.csv"
    code, _, err = run("export", "--data", str(copy), "-o", str(out))
    assert code == INCOMPLETE and LOST in err
    with out.open(encoding="utf-8") as f:
        assert sum(1 for _ in csv.DictReader(f)) == finals
    assert lost_finals > 0


def test_a_removed_part_of_a_split_month_is_counted(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as small:
        small.setattr(shards, "SHARD_LIMIT", 6)
        folder = demo_folder(tmp_path_factory, 80, seed=12)
    parts = sorted((folder / "ratings").glob("20*.p1.json"))  # months filled past one file
    assert parts, "no month continued in parts"
    part = parts[0]
    month = part.name.split(".")[0]
    lost = len(_records(part))
    part.unlink()
    code, _, err = run("export", "--data", str(folder), "-o", str(tmp_path / "out.csv"))
    assert code == INCOMPLETE, err
    assert f"{lost} {LOST} ({month}: {lost})" in err


def test_merge_into_another_folder_warns_for_the_source_that_lost_ratings(
    copy: Path, tmp_path: Path
) -> None:
    _, lost, _ = _empty_busiest_month(copy)
    code, _, err = run("merge", str(copy), "--into", str(tmp_path / "merged"))
    assert code == INCOMPLETE, err
    assert f"{copy}: {lost} {LOST}" in err and "added or updated" in err


def test_agreement_and_calibrate_warn(copy: Path) -> None:
    code, _, err = run("agreement", "--data", str(copy))
    assert code == 0 and LOST not in err, err
    _, lost, _ = _empty_busiest_month(copy)
    code, out, err = run("agreement", "--data", str(copy))
    assert code == INCOMPLETE, err
    assert f"{lost} {LOST}" in err and "read " in err and out  # figures shown, then the warning
    code, _, err = run("calibrate", "--data", str(copy), "--gold", "clin_01")
    assert code == INCOMPLETE, err
    assert f"{lost} {LOST}" in err


def test_alerts_and_report_warn(copy: Path, tmp_path: Path) -> None:
    code, _, err = run("alerts", "--data", str(copy))
    assert code == 0 and LOST not in err, err
    _, lost, _ = _empty_busiest_month(copy)
    code, _, err = run("alerts", "--data", str(copy))
    assert code == INCOMPLETE, err
    assert f"{lost} {LOST}" in err
    code, _, err = run("alerts", "--json", "--data", str(copy))
    assert code == INCOMPLETE and f"{lost} {LOST}" in err
    code, _, err = run(
        "report", "--rater", "clin_01", "-o", str(tmp_path / "r.html"), "--data", str(copy)
    )
    assert code == INCOMPLETE, err
    assert f"{lost} {LOST}" in err and (tmp_path / "r.html").exists()


def test_the_app_and_the_command_agree_on_the_exit_status() -> None:
    assert export_screen.INCOMPLETE == INCOMPLETE


def test_no_matching_rating_says_first_that_the_folder_lost_ratings(copy: Path) -> None:
    """The refusal 'no ratings match' is untrue when they were lost: the warning comes before it."""
    month, lost, _ = _empty_busiest_month(copy)
    for other in (copy / "ratings").glob("20*.json"):
        other.write_text("{}\n")
    code, _, err = run("export", "--data", str(copy))
    assert code == 1 and "no ratings match" in err, err
    assert LOST in err and f"{month}: {lost}" in err
    assert err.index(LOST) < err.index("no ratings match")


def test_ratings_list_warns_when_a_month_it_read_lost_ratings(copy: Path) -> None:
    code, out, err = run("ratings", "list", "--data", str(copy), "--limit", "0")
    assert code == 0 and LOST not in err, err
    month, lost, _ = _empty_busiest_month(copy)
    code, out, err = run("ratings", "list", "--data", str(copy), "--limit", "0")
    assert code == INCOMPLETE, err
    assert f"{copy}: {lost} {LOST} ({month}: {lost})" in err
    assert "newest first" in out  # the list is still shown, then the warning


def test_ratings_list_of_the_newest_months_checks_the_months_it_read(copy: Path) -> None:
    """A list that stops at its limit rests on the newest months only: a loss in an older
    month it never read is not claimed; a loss in one it read is named, with its count."""
    months = sorted((copy / "ratings").glob("20*.json"), key=lambda p: p.name.split(".")[0])
    oldest, newest = months[0], months[-1]
    assert oldest.name.split(".")[0] != newest.name.split(".")[0]
    oldest.write_text("{}\n")
    code, out, err = run("ratings", "list", "--data", str(copy), "--limit", "1")
    assert code == 0 and LOST not in err and "1 rating(s)" in out, err
    lost = len(_records(newest))
    newest.write_text("{}\n")
    code, _, err = run("ratings", "list", "--data", str(copy), "--limit", "1")
    assert code == INCOMPLETE, err
    assert f"{lost} {LOST} ({newest.name.split('.')[0]}: {lost})" in err
