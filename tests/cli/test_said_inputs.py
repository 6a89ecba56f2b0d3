"""Inputs taken as meant or refused in words saying why: dates on the command line and in
an imported table (an impossible day is named as such, not as a wrong shape; a compact or
week date is not read as some day without a word)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.invoke import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with 40 demo ratings; read only."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 40, seed=3)
    return folder


@pytest.mark.parametrize(
    ("command", "option"),
    [(("export", "-o", "-"), "--from"), (("ratings", "list"), "--to"), (("alerts",), "--since")],
)
def test_an_impossible_day_is_named_as_such(
    demo: Path, command: tuple[str, ...], option: str
) -> None:
    code, out, err = run(*command, "--data", str(demo), option, "2026-02-30")
    assert code == 1 and out == ""
    assert f"{option} '2026-02-30': February 2026 has 28 days" in err


@pytest.mark.parametrize("text", ["20230131", "2023-W05-2", "2023-1-5"])
def test_a_date_in_another_form_is_refused_not_read_as_some_day(demo: Path, text: str) -> None:
    code, out, err = run("export", "-o", "-", "--data", str(demo), "--from", text)
    assert code == 1 and out == ""
    assert "--from '" in err and ("expected a date like 2026-01-31" in err or "write the" in err)


def test_an_impossible_session_date_in_an_imported_table_is_named_as_such(
    demo: Path, tmp_path: Path
) -> None:
    main = tmp_path / "e.csv"
    assert run("export", "--data", str(demo), "-o", str(main), "--rater", "clin_01")[0] == 0
    rows = list(csv.reader(io.StringIO(main.read_text(), newline="")))
    at, moments = rows[0].index("session_date"), rows[0].index("n_now_moments")
    row = next(r for r in rows[1:] if r[moments] == "0")
    row[at] = "2026-02-30"
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], row])
    main.write_text(out.getvalue())
    code, _, err = run("ratings", "import", str(main), "--data", str(tmp_path / "d"))
    assert code == 1
    assert "fields.session_date: '2026-02-30': February 2026 has 28 days" in err


@pytest.mark.parametrize(("separator", "said"), [(";", "';'"), ("\t", "'\\t'")])
def test_a_table_separated_by_semicolons_is_named_as_such(
    demo: Path, tmp_path: Path, separator: str, said: str
) -> None:
    main = tmp_path / "e.csv"
    assert run("export", "--data", str(demo), "-o", str(main), "--rater", "clin_01")[0] == 0
    rows = list(csv.reader(io.StringIO(main.read_text(), newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter=separator).writerows(rows)
    main.write_text(out.getvalue())
    code, _, err = run("ratings", "import", str(main), "--data", str(tmp_path / "d"))
    assert code == 1 and f"e.csv:1: the columns are separated by {said}" in err


def test_an_empty_table_is_named_as_such(tmp_path: Path) -> None:
    main = tmp_path / "e.csv"
    main.write_text("")
    code, _, err = run("ratings", "import", str(main), "--data", str(tmp_path / "d"))
    assert code == 1 and "e.csv:1: the file is empty" in err


def test_a_row_without_its_rating_id_says_so_in_words(demo: Path, tmp_path: Path) -> None:
    main = tmp_path / "e.csv"
    assert run("export", "--data", str(demo), "-o", str(main), "--rater", "clin_01")[0] == 0
    rows = list(csv.reader(io.StringIO(main.read_text(), newline="")))
    moments = rows[0].index("n_now_moments")
    row = next(r for r in rows[1:] if r[moments] == "0")
    row[0] = ""
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], row])
    main.write_text(out.getvalue())
    code, _, err = run("ratings", "import", str(main), "--data", str(tmp_path / "d"))
    assert code == 1 and "e.csv:2: rating_id is empty: each row needs its rating's id" in err
    assert "should match pattern" not in err


@pytest.mark.parametrize("command", [("alerts",), ("report", "-o", "out.html")])
def test_alerts_and_report_name_a_code_stored_in_another_case(
    demo: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    rater = next(iter({r.rater for r in Store.open(demo).list(limit=None)}))
    args = [c if c != "out.html" else str(tmp_path / c) for c in command]
    code, out, err = run(*args, "--data", str(demo), "--rater", rater.upper())
    assert code == 1 and out == ""
    assert "Codes match exactly, case included: " in err and f"--rater {rater})." in err
    assert not (tmp_path / "out.html").exists()


def test_a_decimal_comma_in_an_imported_number_says_to_write_a_point(
    demo: Path, tmp_path: Path
) -> None:
    main = tmp_path / "e.csv"
    assert run("export", "--data", str(demo), "-o", str(main), "--rater", "clin_01")[0] == 0
    rows = list(csv.reader(io.StringIO(main.read_text(), newline="")))
    at, moments = rows[0].index("infant_age_months"), rows[0].index("n_now_moments")
    row = next(r for r in rows[1:] if r[moments] == "0")
    row[at] = "1,5"
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], row])
    main.write_text(out.getvalue())
    code, _, err = run("ratings", "import", str(main), "--data", str(tmp_path / "d"))
    assert code == 1
    assert (
        "fields.infant_age_months: expected a number written with a decimal point (e.g. 1.5)" in err
    )


def test_a_report_written_over_a_file_says_so(demo: Path, tmp_path: Path) -> None:
    rater = next(iter({r.rater for r in Store.open(demo).list(limit=None)}))
    out = tmp_path / "r.html"
    code, _, err = run("report", "--data", str(demo), "--rater", rater, "-o", str(out))
    assert code == 0 and "replaced" not in err
    code, _, err = run("report", "--data", str(demo), "--rater", rater, "-o", str(out))
    assert code == 0 and err.rstrip().endswith(f"to {out} (it replaced the file that was there)")


def test_a_redcap_dictionary_written_over_a_file_says_so(tmp_path: Path) -> None:
    out = tmp_path / "dictionary.csv"
    ref = builtin_instrument().ref
    code, _, err = run("instruments", "export-redcap", ref, "-o", str(out))
    assert code == 0 and f"Wrote {out}\n" in err
    code, _, err = run("instruments", "export-redcap", ref, "-o", str(out))
    assert code == 0 and f"Wrote {out} (it replaced the file that was there)" in err


def test_a_choice_label_with_a_bar_is_refused_for_redcap_not_split_there(tmp_path: Path) -> None:
    """REDCap splits a choices cell at every '|': 'Absent | none' would have become a choice
    'none' there (the dictionary was written without a word)."""
    from tests.conftest import REPO

    folder = tmp_path / "instruments"
    folder.mkdir()
    text = (REPO / "instruments" / "paris-2009-seven-concepts.toml").read_text()
    assert 'label = "Absent"' in text
    text = text.replace('label = "Absent"', 'label = "Absent | none"', 1)
    text = text.replace('version = "0.2.0"', 'version = "9.0.0"', 1)
    (folder / "bar.toml").write_text(text)
    out = tmp_path / "dictionary.csv"
    ref = "paris-2009-seven-concepts@9.0.0"
    code, _, err = run("--instruments", str(folder), "instruments", "export-redcap", ref,
                       "-o", str(out))  # fmt: skip
    assert code == 1
    assert "the label of 0 ('Absent | none') holds '|' or a line break" in err
    assert "nothing was written" in err and not out.exists()


CODE_COMMANDS = [
    ("ratings", "list"),
    ("export", "-o", "-"),
    ("alerts",),
    ("agreement",),
    ("calibrate", "--gold", "clin_01"),
]


@pytest.mark.parametrize("command", CODE_COMMANDS)
@pytest.mark.parametrize("option", ["--dyad", "--rater"])
def test_a_code_with_a_space_at_an_end_is_refused_with_the_code_meant(
    demo: Path, command: tuple[str, ...], option: str
) -> None:
    """Before: "no ratings match" (or "nothing to analyse"), as if the rater had none."""
    code, out, err = run(*command, "--data", str(demo), option, " clin_02")
    assert code == 1 and out == ""
    assert f"{option} ' clin_02' has a space at its start or end, which no code has" in err
    assert f"did you mean {option} clin_02?" in err


@pytest.mark.parametrize("command", [*CODE_COMMANDS, ("report", "-o", "r.html")])
def test_an_empty_code_is_refused_not_matched(demo: Path, command: tuple[str, ...]) -> None:
    code, out, err = run(*command, "--data", str(demo), "--dyad", "")
    assert code == 1 and out == ""
    assert "--dyad is empty: give a code, or leave --dyad out for all of them" in err


def test_an_empty_gold_rater_is_refused(demo: Path) -> None:
    code, _, err = run("calibrate", "--data", str(demo), "--gold", "")
    assert code == 1 and "--gold is empty" in err


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (("ratings", "list"), "No instrument file has {wanted}: see rating-tui instruments list."),
        (("agreement",), "(and no instrument file has {wanted}: see rating-tui instruments list)"),
        (("calibrate", "--gold", "clin_01"), "(and no instrument file has {wanted}"),
    ],
)
@pytest.mark.parametrize("wanted", ["paris-2009-seven-concept", "paris-2009-seven-concepts@9.0"])
def test_an_instrument_no_file_has_is_named_beside_no_match(
    demo: Path, command: tuple[str, ...], said: str, wanted: str
) -> None:
    """Before: "No ratings match" / "nothing to analyse" alone, as if the instrument (a typo)
    had no ratings."""
    _, out, err = run(*command, "--data", str(demo), "--instrument", wanted)
    assert said.format(wanted=wanted) in out + err


def test_a_known_instrument_without_ratings_is_not_called_unknown(demo: Path) -> None:
    code, out, err = run(
        "ratings", "list", "--data", str(demo), "--instrument", "paris-2009-seven-concepts@0.1.0"
    )
    assert code == 0 and "No ratings in" in out and "No instrument file" not in out + err


def test_an_empty_output_name_is_refused_as_empty(demo: Path) -> None:
    """Before: "cannot write .: . is a folder", a name the user never typed."""
    code, _, err = run("export", "--data", str(demo), "-o", "")
    assert code == 1 and "-o is empty: give a file name to write, or - for standard output" in err
