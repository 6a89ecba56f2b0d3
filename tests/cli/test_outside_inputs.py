"""Odd inputs a new user tries, and what the commands said about them: each of these was
silent or misleading before (a filter that matched nothing taken as "no alerts", a rater typo
that left agreement computed on the other raters alone, a temp file named instead of the
missing folder, broken instrument files passed over, help text with its brackets eaten)."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

import pytest

from rating_tui import outputs
from tests.cli.demo_folders import demo_folder
from tests.cli.test_ratings_cli import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read only: no test here changes it."""
    return demo_folder(tmp_path_factory, 160, seed=13)


@pytest.mark.parametrize("option", ["-o", "--codebook", "--moments"])
def test_an_export_into_a_missing_folder_names_the_folder_not_a_temp_file(
    demo: Path, tmp_path: Path, option: str
) -> None:
    target = tmp_path / "not-made" / "x.csv"
    args = [option, str(target)] + (["-o", str(tmp_path / "ok.csv")] if option != "-o" else [])
    code, _, err = run("export", "--data", str(demo), *args)
    assert code == 1
    assert f"cannot write {target}: the folder {target.parent} does not exist" in err
    assert ".tmp" not in err
    assert not (tmp_path / "not-made").exists()


def test_a_folder_that_refuses_files_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(outputs.OutputRefused) as caught:
        outputs.atomic_write_text(tmp_path / "x.csv", "a\n")
    assert caught.value.filename == str(tmp_path / "x.csv")
    assert (
        str(caught.value) == f"the folder {tmp_path} is not writable by you; choose another folder"
    )


def test_alerts_for_a_rater_with_no_ratings_is_refused_naming_the_raters(demo: Path) -> None:
    code, out, err = run("alerts", "--rater", "CLIN_01", "--data", str(demo))
    assert code == 1 and "No alerts" not in out
    assert f"no final ratings by 'CLIN_01' in {demo}" in err
    assert "raters with final ratings there: clin_01, clin_02" in err
    code, _, err = run("alerts", "--rater", "clin_01", "--data", str(demo))
    assert code == 0, err


def test_report_for_a_rater_with_no_ratings_names_the_raters(demo: Path, tmp_path: Path) -> None:
    code, _, err = run(
        "report", "--rater", "nobody", "-o", str(tmp_path / "r.html"), "--data", str(demo)
    )
    assert code == 1 and "raters with final ratings there: clin_01" in err


def test_agreement_refuses_a_rater_that_matches_nothing(demo: Path) -> None:
    code, out, err = run(
        "agreement", "--rater", "CLIN_01", "--rater", "clin_02", "--data", str(demo)
    )
    assert code == 1 and "--rater 'CLIN_01': no usable final rating" in err
    assert "read " not in err and "Item" not in out  # nothing computed for clin_02 alone
    code, _, err = run("calibrate", "--gold", "clin_01", "--rater", "nobody", "--data", str(demo))
    assert code == 1 and "--rater 'nobody': no usable final rating" in err


def test_instrument_files_that_cannot_be_used_are_mentioned(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "broken.toml").write_text('id = "x"\n')
    code, _, err = run("--instruments", str(folder), "export", "--data", str(demo), "-o", "-")
    assert code == 0
    assert f"note: 1 instrument file(s) could not be used ({folder / 'broken.toml'})" in err
    code, _, err = run("--instruments", str(folder), "alerts", "--data", str(demo))
    assert code == 0 and "1 instrument file(s) could not be used" in err
    code, _, err = run("export", "--data", str(demo), "-o", "-")
    assert code == 0 and "could not be used" not in err


def test_the_alerts_help_keeps_its_brackets() -> None:
    code, out, _ = run("alerts", "--help")
    assert code == 0 and "by the [[alerts]] rules" in " ".join(out.split())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--format", "jsonl", "--codebook", "cb.csv"], "--codebook describes the columns"),
        (["--format", "redcap", "--values", "labels"], "--values labels does not apply"),
        (["--format", "jsonl", "--values", "labels"], "--values labels does not apply"),
        (["--format", "jsonl", "--layout", "long"], "--layout long applies to --format csv"),
        (["--format", "sav", "--layout", "long"], "--layout long applies to --format csv"),
        (["--format", "sav", "--moments", "m.csv"], "--moments is written with --format csv"),
        (["--format", "redcap", "--values", "bogus"], "--values 'bogus': expected one of"),
    ],
)
def test_an_option_the_format_does_not_use_is_refused_before_writing(
    demo: Path, tmp_path: Path, options: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each was passed over: no codebook, no moments file, codes instead of labels."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run("export", "--data", str(demo), *options, "-o", "out.x")
    assert code == 1 and message in err, err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_named_twice_is_refused(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It was read twice and reported as 'merged 2 data folders ... duplicates N'."""
    monkeypatch.chdir(demo.parent)
    same = Path(demo.name)
    code, _, err = run("export", "--data", str(demo), "--data", str(same), "-o", "-")
    assert code == 1 and f"{demo} and {same} are the same folder" in err
    code, _, err = run("agreement", "--data", str(demo), "--data", str(demo))
    assert code == 1 and f"{demo} is given twice" in err
    code, _, err = run("merge", str(demo), "--into", str(demo))
    assert code == 1 and "both a folder to read and the one to merge into" in err


@pytest.mark.parametrize(
    "command", [["export", "-o", "-"], ["agreement"], ["calibrate", "--gold", "clin_01"]]
)
def test_a_reversed_date_range_is_refused_not_reported_as_no_match(
    demo: Path, command: list[str]
) -> None:
    code, _, err = run(*command, "--from", "2023-05-01", "--to", "2023-01-01", "--data", str(demo))
    assert code == 1 and "--from 2023-05-01 is after --to 2023-01-01" in err
    assert "no ratings match" not in err and "no final ratings match" not in err


def test_ratings_list_names_the_stored_spelling_of_a_code_typed_in_another_case(
    tmp_path: Path,
) -> None:
    """Codes match exactly; `--dyad tl0003` said only "No ratings match" when TL0003 held
    ratings, as if the dyad had none."""
    folder = tmp_path / "d"
    assert run("demo-data", "-n", "200", "--data", str(folder))[0] == 0
    listed = run("ratings", "list", "--data", str(folder), "--limit", "1")[1]
    row = listed.splitlines()[-2].split()  # id, date, dyad, #, rater, status, done
    dyad, rater = row[2], row[4]
    assert dyad != dyad.lower() and rater != rater.upper()
    code, out, _ = run("ratings", "list", "--data", str(folder), "--dyad", dyad.lower())
    assert code == 0 and "No ratings in" in out
    assert f"rating(s) have dyad {dyad} (--dyad {dyad})" in out
    code, out, _ = run("ratings", "list", "--data", str(folder), "--rater", rater.upper())
    assert f"rating(s) have rater {rater} (--rater {rater})" in out
    code, out, _ = run("ratings", "list", "--data", str(folder), "--dyad", "ZZ9999")
    assert "No ratings in" in out and "case included" not in out
    code, _, err = run("export", "--data", str(folder), "--dyad", dyad.lower(), "-o", "-")
    assert code == 1 and "no ratings match" in err
    assert f"rating(s) have dyad {dyad} (--dyad {dyad})" in err
