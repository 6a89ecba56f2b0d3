"""Names of files and folders to read taken as typed or refused in words: an empty name was
read as "." (Path("") is the current folder), so `instruments validate ''` checked the
current folder, `merge DATA --into ''` merged into it and `ratings import ''` said ".: is a
folder", a name the user never typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.invoke import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with 20 demo ratings; read only."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 20, seed=5)
    return folder


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["ratings", "import", ""], "FILE is empty"),
        (["ratings", "import", "x.csv", "--moments", " "], "--moments is empty"),
        (["dyads", "import", ""], "FILE is empty"),
        (["instruments", "validate", ""], "a path to check is empty"),
        (["instruments", "import-redcap", " "], "DICTIONARY is empty"),
        (["instruments", "new", ""], "PATH is empty"),
        (["merge", "", "--into", "new"], "a folder to read is empty"),
        (["merge", "DEMO", "--into", ""], "--into is empty"),
        (["restore", ""], "BACKUP is empty"),
    ],
    ids=["import", "moments", "dyads", "validate", "redcap", "new", "merge", "into", "restore"],
)
def test_an_empty_name_to_read_is_refused_as_empty(
    tmp_path: Path, demo: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("rating_id\n", encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    given = [str(demo) if a == "DEMO" else a for a in args]
    if given[0] in ("ratings", "dyads", "restore"):
        given += ["--data", str(tmp_path / "data")]
    code, out, err = run(*given)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {said}"), err
    assert ": give " in lines[0]
    assert "./" not in err and ". is" not in err and ".:" not in err  # "." was never typed
    assert sorted(tmp_path.iterdir()) == before  # nothing made, nothing merged


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: p.write_bytes(b"EC0001\nEC000\xe9\n"), "is not UTF-8 text (byte 0xe9"),
        (lambda p: p.mkdir(), "is a folder; expected a text file of dyad codes"),
        (lambda p: p.symlink_to("/dev/zero"), "is a character device, not a regular file"),
    ],
    ids=["latin-1", "folder", "endless device"],
)
def test_a_list_of_dyad_codes_is_read_as_an_input_or_refused(
    tmp_path: Path, make: Callable[[Path], object], said: str
) -> None:
    """`dyads import` read its file whole with read_text: a link to /dev/zero (or a FIFO) was
    read without end, and a byte not UTF-8 was said in Python's words, without the file."""
    codes = tmp_path / "codes.txt"
    make(codes)
    code, out, err = run("dyads", "import", str(codes), "--data", str(tmp_path / "data"))
    assert code == 1 and out == ""
    assert f"error: cannot read {codes}: {said}" in err and "nothing was added" in err
    assert not (tmp_path / "data").exists()


def test_a_list_of_dyad_codes_with_a_byte_order_mark_and_crlf_is_read(tmp_path: Path) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_bytes(b"\xef\xbb\xbfEC0001\r\nEC0002\r\n")
    code, out, _ = run("dyads", "import", str(codes), "--data", str(tmp_path / "data"))
    assert code == 0 and "2 added" in out
    assert run("dyads", "list", "--data", str(tmp_path / "data"))[1].split() == [
        "EC0001",
        "EC0002",
    ]


def test_a_data_folder_variable_of_spaces_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RATING_TUI_DATA='   ' was taken as a folder named three spaces ("No ratings:    does
    not exist yet"), where --data '   ' is refused; an empty one still means unset."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RATING_TUI_DATA", "   ")
    for command in (["ratings", "list"], ["dyads", "add", "EC0001"], ["doctor"]):
        code, out, err = run(*command)
        assert code == 1 and out == "", command
        assert "error: RATING_TUI_DATA is only spaces ('   '): give it a folder" in err
    assert list(tmp_path.iterdir()) == []
    code, out, _ = run("--data", str(tmp_path / "data"), "ratings", "list")
    assert code == 0 and "does not exist yet" in out  # not read: the folder is given
    monkeypatch.setenv("RATING_TUI_DATA", "")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    code, out, _ = run("ratings", "list")
    assert code == 0 and str(tmp_path / "xdg") in out
