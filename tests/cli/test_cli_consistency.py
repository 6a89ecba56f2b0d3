"""The command line at its edges: `--instruments` after a command (as `--data` is taken),
`demo-data` without `--count`, and `instruments list` at 80 columns (no id cut, no title
hidden)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rating_tui.cli import app, hoist_instruments
from rating_tui.store import Store
from tests.conftest import REPO

LONG_ID = "mother-infant-process-study-with-a-very-long-identifier-v2"


def _folder(tmp_path: Path, instrument_id: str = "study") -> Path:
    folder = tmp_path / "ins"
    folder.mkdir()
    text = (REPO / "tests" / "data" / "branching_study.toml").read_text()
    (folder / "s.toml").write_text(text.replace('id = "study"', f'id = "{instrument_id}"', 1))
    return folder


def test_instruments_after_the_command_is_moved_before_it() -> None:
    assert hoist_instruments(["ratings", "list", "--instruments", "x", "--data", "d"]) == [
        "--instruments", "x", "ratings", "list", "--data", "d"
    ]  # fmt: skip
    assert hoist_instruments(["--data", "d", "export", "--instruments=x"]) == [
        "--data", "d", "--instruments=x", "export"
    ]  # fmt: skip
    assert hoist_instruments(["export", "--", "--instruments"]) == ["export", "--", "--instruments"]
    assert hoist_instruments(["--instruments", "a", "doctor"]) == ["--instruments", "a", "doctor"]


@pytest.mark.parametrize(
    "argv",
    [
        ["instruments", "list"],
        ["ratings", "list", "--data", "DATA"],
        ["dyads", "list", "--data", "DATA"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_instruments_is_taken_after_a_command(tmp_path: Path, argv: list[str]) -> None:
    folder = _folder(tmp_path)
    data = tmp_path / "data"
    Store.open(data)
    args = [a.replace("DATA", str(data)) for a in argv]
    result = subprocess.run(
        [sys.executable, "-m", "rating_tui", *args, "--instruments", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "No such option" not in result.stderr
    if argv[0] == "instruments":
        assert "study" in result.stdout


def test_demo_data_has_a_default_count(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo-data", "--data", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert "Stored 600 demo rating(s)" in result.stdout
    help_text = CliRunner().invoke(app, ["demo-data", "--help"]).stdout
    assert "default 600" in help_text


def test_instruments_list_at_80_columns_keeps_ids_and_titles_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    folder = _folder(tmp_path, LONG_ID)
    result = CliRunner().invoke(app, ["--instruments", str(folder), "instruments", "list"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert any(line.startswith(f"{LONG_ID} 1.0.0") for line in lines)
    assert sum("paris-2009-seven-concepts 0." in line for line in lines) == 2
    assert "Seven concepts of therapeutic change (Paris, Spielman & Bolton, 2009)" in result.stdout
    assert "Branching study" in result.stdout


def test_instruments_list_keeps_its_table_when_it_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, ["instruments", "list"])
    assert "│ paris-2009-seven-concepts │ 0.1.0" in result.stdout
