"""An option that takes one value, given twice, is refused in words before anything is read
or written: the last was taken without a word (`export --dyad A --dyad B` exported B alone,
`merge X --into A --into B` merged into B), and so was a command's --data over the global
one. Options meant to repeat still do."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.invoke import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with 30 demo ratings; read only."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 30, seed=5)
    return folder


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["export", "--data", "DEMO", "--dyad", "A1", "--dyad", "B2", "-o", "x.csv"], "--dyad"),
        (["export", "--data", "DEMO", "-o", "x.csv", "--output=y.csv"], "-o/--output"),
        (["export", "--data", "DEMO", "-f", "csv", "--format", "jsonl", "-o", "x"], "--format"),
        (["merge", "DEMO", "--into", "a", "--into", "b"], "--into"),
        (["ratings", "list", "--data", "DEMO", "--limit", "1", "--limit=2"], "--limit"),
        (["--data", "DEMO", "restore", "2023-01", "--remerge", "--no-remerge"], "--no-remerge"),
        (["--data", "DEMO", "--data", "DEMO", "doctor"], "--data"),
        (["instruments", "new", "x.toml", "--id", "a", "--id", "b"], "--id"),
    ],
    ids=["dyad", "output", "format", "into", "limit", "remerge", "global data", "id"],
)
def test_an_option_of_one_value_given_twice_is_refused(
    tmp_path: Path, demo: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], names: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*[str(demo) if a == "DEMO" else a for a in args])
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert names in lines[0] and "is given more than once" in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing merged


def test_a_command_data_folder_beside_another_global_one_is_refused(
    tmp_path: Path, demo: Path
) -> None:
    other = tmp_path / "other"
    for command in (["ratings", "list"], ["export", "-o", "-"], ["agreement"]):
        code, out, err = run("--data", str(other), *command, "--data", str(demo))
        assert code == 1 and out == "", command
        assert f"--data {other} is given before the command and --data {demo} after" in err
    assert not other.exists()
    code, out, _ = run("--data", str(demo), "ratings", "list", "--data", f"{demo}/")
    assert code == 0 and "rating(s)" in out  # the same folder twice is that folder


def test_options_meant_to_repeat_still_repeat(demo: Path) -> None:
    code, out, _ = run(
        "ratings", "list", "--data", str(demo), "--status", "final", "--status", "draft"
    )
    assert code == 0 and "draft" in out and "final" in out
    code, _, err = run("export", "--data", str(demo), "--status", "final", "--status", "voided")
    assert code == 0 and "exported" in err
    code, _, err = run("--instruments", str(demo), "--instruments", str(demo), "doctor")
    assert "is given more than once" not in err
