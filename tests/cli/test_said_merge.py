"""`merge --into` says what it did: a folder of other files is not made a data folder without
a word, and one folder read is not counted as two."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.invoke import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with 12 demo ratings; read only."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 12, seed=5)
    return folder


def test_into_a_folder_of_other_files_is_refused_and_left_as_it_was(
    demo: Path, tmp_path: Path
) -> None:
    """Before: `merge DATA --into ~/Documents` wrote store.json, ratings/, index/... among the
    user's files and said "added or updated 12 rating(s)"."""
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.txt").write_text("chapter 1\n")
    code, out, err = run("merge", str(demo), "--into", str(documents))
    assert code == 1 and out == ""
    assert f"{documents} is not a rating-tui data folder (no store.json) and is not empty" in err
    assert "it holds thesis.txt" in err and f"nothing was merged into {documents}" in err
    assert sorted(p.name for p in documents.iterdir()) == ["thesis.txt"]


@pytest.mark.parametrize("made", [False, True])
def test_into_a_new_or_empty_folder_reads_one_folder_and_says_one(
    demo: Path, tmp_path: Path, made: bool
) -> None:
    """Before: "merged 2 data folders: read 12, ..." for the one folder given."""
    into = tmp_path / "study"
    if made:
        into.mkdir()
    code, _, err = run("merge", str(demo), "--into", str(into))
    assert code == 0, err
    assert "merged 1 data folder: read 12, merged 12, duplicates 0" in err
    assert "merged 2 data folders" not in err
    assert "added or updated 12 rating(s)" in err


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("-o", "x.csv", "--moments", "x.csv"), "-o x.csv and --moments x.csv are the same file"),
        (
            ("-o", "x.csv", "--moments", "m.csv", "--codebook", "{tmp}/m.csv"),
            "--moments m.csv and --codebook {tmp}/m.csv are the same file",
        ),
    ],
)
def test_export_refuses_two_outputs_in_one_file(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], said: str
) -> None:
    """Before: `-o x.csv --moments x.csv` said "exported 12 rating(s) to x.csv" and "wrote N now
    moment(s) to x.csv", and x.csv held the ratings alone: the moments were lost."""
    monkeypatch.chdir(tmp_path)
    options = tuple(o.format(tmp=tmp_path) for o in options)
    code, _, err = run("export", "--data", str(demo), *options)
    assert code == 1 and said.format(tmp=tmp_path) in err and "Nothing was written" in err
    assert list(tmp_path.iterdir()) == []
