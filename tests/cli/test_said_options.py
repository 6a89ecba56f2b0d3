"""Options that were taken in a way the user did not mean, and are now refused in words before
anything is read or written: an empty -o of `report` (read as ".", the current folder), the
gold rater named as a trainee of `calibrate`, and `export --excel` for a format that writes
no CSV file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.instruments.catalogue import Source, discover
from rating_tui.instruments.model import Instrument
from tests.cli.invoke import run
from tests.cli.test_alerts_cli import fill
from tests.conftest import BUILTIN_ID, REPO


@pytest.fixture(scope="module")
def builtin() -> Instrument:
    return discover([Source(REPO / "instruments", "built-in")]).get(BUILTIN_ID).instrument


@pytest.fixture
def data(tmp_path: Path, builtin: Instrument) -> Path:
    return fill(tmp_path / "data", builtin)


def one_error(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    for word in words:
        assert word in lines[0], err


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_report_output_is_refused_as_empty(
    tmp_path: Path, data: Path, empty: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    code, _, err = run("report", "--data", str(data), "--dyad", "EC0417", "-o", empty)
    assert code == 1
    one_error(err, "-o is empty", ".html")
    assert "-o ." not in err  # once read as the current folder
    assert sorted(tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "raters", [("RP",), ("AB", "RP")], ids=["the gold alone", "the gold among others"]
)
def test_the_gold_rater_as_a_trainee_is_refused_in_words(
    data: Path, raters: tuple[str, ...]
) -> None:
    args = [a for r in raters for a in ("--rater", r)]
    code, out, err = run("calibrate", "--data", str(data), "--gold", "RP", *args)
    assert code == 1 and out == ""
    one_error(err, "--rater RP is the gold rater", "cannot be compared with itself")


@pytest.mark.parametrize(
    ("fmt", "extra"),
    [("jsonl", ()), ("sav", ()), ("dta", ())],
)
def test_excel_for_a_format_without_csv_is_refused(
    tmp_path: Path, data: Path, fmt: str, extra: tuple[str, ...]
) -> None:
    out = tmp_path / f"out.{fmt}"
    code, _, err = run("export", "--data", str(data), "-f", fmt, "--excel", "-o", str(out), *extra)
    assert code == 1
    one_error(err, "--excel", f"--format {fmt} writes none")
    assert not out.exists()


def test_excel_with_jsonl_and_moments_starts_the_moments_csv_with_a_bom(
    tmp_path: Path, data: Path
) -> None:
    out, moments = tmp_path / "out.jsonl", tmp_path / "moments.csv"
    code, _, err = run(
        "export", "--data", str(data), "-f", "jsonl", "--excel", "-o", str(out),
        "--moments", str(moments),
    )  # fmt: skip
    assert code == 0, err
    assert moments.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("EC0417,TL0020", "holds a comma and was taken as one code"),
        ("EC0417;TL0020", "holds a semicolon and was taken as one code"),
        ("EC0417 TL0020", "holds a space and was taken as one code"),
        ("ＥＣ０４１７", "look-alike characters, taken as they are: did you mean --dyad EC0417?"),
    ],
)
def test_a_dyad_filter_that_is_a_list_or_full_width_says_why_it_matched_nothing(
    data: Path, typed: str, said: str
) -> None:
    """Each was "No ratings in ... match." alone, as if the dyads had no ratings."""
    code, out, _ = run("ratings", "list", "--data", str(data), "--dyad", typed)
    assert code == 0 and "No ratings in" in out and said in out
    code, _, err = run("alerts", "--data", str(data), "--dyad", typed)
    assert code == 1 and said in err


@pytest.mark.parametrize(
    "args",
    [
        ("--data", "", "demo-data", "--count", "5"),
        ("demo-data", "--count", "5", "--data", ""),
        ("--data", " ", "dyads", "add", "EC0001"),
        ("--instruments", "", "instruments", "list"),
    ],
    ids=["global --data", "command --data", "blank --data", "--instruments"],
)
def test_an_empty_folder_option_is_refused_not_read_as_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """`--data ''` was read as ".": demo-data filled the current folder with ratings."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*args)
    assert code == 1 and out == ""
    one_error(err, "is empty: give a folder (. for the current one)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("2026-03-02", "e.g. 2026-03/2026-03-02; nothing was changed"),
        ("2026-02-30", "e.g. 2026-02/2026-02-01 ('2026-02-30': February 2026 has 28 days)"),
    ],
)
def test_restore_of_a_day_says_a_backup_is_named_by_its_month(
    data: Path, day: str, said: str
) -> None:
    """It read the day as a file of the current folder: "./2026-03-02 is not a daily backup"."""
    before = sorted(p.relative_to(data) for p in data.rglob("*"))
    code, _, err = run("restore", "--data", str(data), day, "--yes")
    assert code == 1
    one_error(err, f"{day!r} is a day; a backup is named by its month", said)
    assert sorted(p.relative_to(data) for p in data.rglob("*")) == before


@pytest.mark.parametrize(
    ("backup", "said"),
    [
        ("2026-13", "'2026-13': there is no month 13; a backup is named by its month"),
        ("2026-3", "'2026-3': write the month as 2026-03"),
        (" 2026-03", "' 2026-03' has a space at an end, which no backup's name has (2026-03?)"),
        ("2026-03/2026-02-30", "'2026-02-30': February 2026 has 28 days; a backup is named"),
    ],
    ids=["month 13", "one digit", "space", "impossible day"],
)
def test_restore_of_a_month_written_otherwise_says_what_is_wrong(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backup: str, said: str
) -> None:
    """It was read as a file of the current folder and refused naming a path never typed
    ("/home/me/2026-3 is not a daily backup ..."), or as a month that has no backup."""
    monkeypatch.chdir(tmp_path)
    before = sorted(p.relative_to(data) for p in data.rglob("*"))
    code, _, err = run("restore", "--data", str(data), backup, "--yes")
    assert code == 1
    one_error(err, said, "; nothing was changed")
    assert str(tmp_path) not in err
    assert sorted(p.relative_to(data) for p in data.rglob("*")) == before


@pytest.mark.parametrize("name", ["study.txt", "study.TOML", "study"])
def test_a_starter_instrument_not_named_toml_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The app reads *.toml files only: `instruments new study.txt` wrote a file that,
    copied where it said, was passed over without a word."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run("instruments", "new", name)
    assert code == 1
    one_error(err, "instrument files end in .toml", "study.toml")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_instrument_filter_is_refused(data: Path) -> None:
    """It listed nothing and said "No instrument file has : see rating-tui instruments list"."""
    code, out, err = run("ratings", "list", "--data", str(data), "--instrument", "")
    assert code == 1 and out == ""
    one_error(err, "--instrument is empty")


def test_a_roster_line_of_several_codes_or_full_width_says_what_it_may_mean(
    tmp_path: Path,
) -> None:
    """`EC0502,EC0503` and `ＥＣ０５０５` were refused with the pattern alone."""
    data, codes = tmp_path / "data", tmp_path / "codes.txt"
    codes.write_text("EC0501\nEC0502,EC0503\nＥＣ０５０５\n", encoding="utf-8")
    code, _, err = run("dyads", "import", str(codes), "--data", str(data))
    assert code == 1 and "nothing was added" in err
    assert f"{codes}:2: 'EC0502,EC0503' is not a dyad code of your instruments (several " in err
    assert (
        f"{codes}:3: 'ＥＣ０５０５' is not a dyad code of your instruments (did you mean EC0505?)"
        in err
    )
    assert not (data / "dyads.txt").exists()


def test_a_codebook_that_cannot_be_written_names_the_export_already_written(
    tmp_path: Path, data: Path
) -> None:
    """The codebook is written after the table: when it fails, the table is there, whole,
    and the error says so (it once said only that the codebook could not be written)."""
    out, codebook = tmp_path / "out.csv", tmp_path / "no-such-folder" / "codebook.csv"
    code, _, err = run(
        "export", "--data", str(data), "-o", str(out), "--codebook", str(codebook)
    )  # fmt: skip
    assert code == 1
    one_error(err, f"cannot write {codebook}", "already written, complete", f"to {out}")
    assert out.read_text(encoding="utf-8").count("\n") > 1 and not codebook.exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["export", "-o", "out.csv", "--codebook", ""], "--codebook"),
        (["export", "-o", "out.csv", "--moments", " "], "--moments"),
        (["agreement", "--csv", ""], "--csv"),
        (["calibrate", "--gold", "RP", "--csv", ""], "--csv"),
        (["ratings", "import", "out.csv", "--errors", ""], "--errors"),
        (["instruments", "schema", "-o", ""], "-o"),
    ],
    ids=["codebook", "moments", "agreement", "calibrate", "import errors", "schema"],
)
def test_an_empty_file_to_write_is_refused_as_empty(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], option: str
) -> None:
    """An empty file name was read as "." (Path("") is the current folder), and the write
    then failed naming ".", or the table was written before the side file failed."""
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    given = [*args, "--data", str(data)] if args[0] != "instruments" else args
    code, _, err = run(*given)
    assert code == 1
    one_error(err, f"{option} is empty", "name of the file to write")
    assert sorted(tmp_path.iterdir()) == before
