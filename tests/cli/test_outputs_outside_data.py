"""No output lands inside a ratings data folder: before, `export -o DATA/ratings/<month>.json`
replaced a month of stored ratings with a CSV (said "exported ... (it replaced the file that
was there)"; doctor then found the month damaged), and `ratings import --errors
DATA/audit.jsonl` emptied the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.invoke import run


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 12, seed=5)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "command",
    [
        ("export", "-o", "{month}"),
        ("export", "-o", "{data}/ratings.csv"),
        ("export", "-o", "out.csv", "--moments", "{data}/index/moments.csv"),
        ("ratings", "import", "{jsonl}", "--check", "--errors", "{data}/audit.jsonl"),
        ("instruments", "schema", "-o", "{data}/store.json"),
    ],
)
def test_an_output_inside_the_data_folder_is_refused_and_the_folder_left_as_it_was(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    jsonl = tmp_path / "all.jsonl"
    code, _, err = run("export", "-f", "jsonl", "--data", str(demo), "-o", str(jsonl))
    assert code == 0, err
    month = sorted((demo / "ratings").glob("*.json"))[0]
    before = _files(demo)
    args = [a.format(data=demo, month=month, jsonl=jsonl) for a in command]
    if args[0] == "export":
        args += ["--data", str(demo)]
    code, _, err = run(*args)
    assert code == 1
    assert f"is inside the ratings data folder {demo.resolve()}" in err
    assert "choose a file outside it" in err
    assert _files(demo) == before
    assert not (tmp_path / "out.csv").exists()
    code, out, err = run("doctor", "--data", str(demo))
    assert code == 0, out + err
