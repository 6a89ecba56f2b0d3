"""`rating-tui dyads add/list/import`: the study roster, and `ratings import` asking about a
dyad code that is not in it."""

from __future__ import annotations

from pathlib import Path

from rating_tui.ratings.checks import nearest
from tests.cli.test_import_checks import rating
from tests.cli.test_ratings_cli import lines, run


def test_add_list_and_import_codes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, out, err = run("dyads", "list", "--data", str(data))
    assert code == 0 and out == "" and "No roster" in err
    code, out, _ = run("dyads", "add", "EC0417", "EC0418", "--data", str(data))
    assert code == 0 and "2 added, 0 already in the roster" in out
    codes = tmp_path / "codes.txt"
    codes.write_text("# site B\nMB0021\n\nEC0417  # seen twice\n")
    code, out, _ = run("dyads", "import", str(codes), "--data", str(data))
    assert code == 0 and "1 added, 1 already in the roster" in out
    code, out, err = run("dyads", "list", "--data", str(data))
    assert out.split() == ["EC0417", "EC0418", "MB0021"] and "3 dyad code(s)" in err
    assert (data / "dyads.txt").stat().st_mode & 0o077 == 0


def test_a_bad_code_is_refused_with_its_line_and_nothing_is_added(tmp_path: Path) -> None:
    data = tmp_path / "data"
    codes = tmp_path / "codes.txt"
    codes.write_text("EC0417\nJane Doe\n")
    code, _, err = run("dyads", "import", str(codes), "--data", str(data))
    assert code == 1 and f"{codes}:2: 'Jane Doe' is not a dyad code" in err
    assert not (data / "dyads.txt").exists()
    code, _, err = run("dyads", "add", "EC0417", "a b", "--data", str(data))
    assert code == 1 and "nothing was added" in err


def test_nearest_codes_count_a_swap_as_one_edit() -> None:
    assert nearest("EC0471", ["EC0417", "MB0021", "EC0470", "XX9999"]) == ["EC0417", "EC0470"]
    assert nearest("ec0417", ["EC0417"]) == ["EC0417"]


def test_import_asks_about_a_dyad_not_in_the_roster(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run("dyads", "add", "EC0417", "--data", str(data))
    source = tmp_path / "r.jsonl"
    source.write_text(lines(rating(1, "2026-01-08", dyad="EC0471")))
    code, _, err = run("ratings", "import", str(source), "--data", str(data))
    assert code == 1
    assert (
        f"{source}:1: warning: EC0471 is not in the study's dyad list and has no ratings yet: "
        "new dyad? Nearest codes: EC0417"
    ) in err


def test_a_code_no_instrument_takes_is_refused_with_its_line(tmp_path: Path) -> None:
    """`ec0501` (the app rates it as EC0501) and `EC0502;EC0503` (two codes on a line) were
    added as they were and never matched a rated dyad."""
    data = tmp_path / "data"
    codes = tmp_path / "codes.txt"
    codes.write_text("\ufeffEC0500\nec0501\nEC0502;EC0503\n")
    code, _, err = run("dyads", "import", str(codes), "--data", str(data))
    assert code == 1 and "2 bad line(s)" in err and "nothing was added" in err
    assert (
        f"{codes}:2: 'ec0501' is not a dyad code of your instruments (did you mean EC0501?)" in err
    )
    assert f"{codes}:3: 'EC0502;EC0503' is not a dyad code of your instruments" in err
    assert not (data / "dyads.txt").exists()
    code, _, err = run("dyads", "add", "EC0417", "ec0418", "--data", str(data))
    assert code == 1 and "'ec0418' is not a dyad code" in err and "nothing was added" in err
    assert not (data / "dyads.txt").exists()


def test_codes_given_twice_are_counted_once_and_said(tmp_path: Path) -> None:
    """3 codes given, one twice: it said '2 added, 0 already in the roster', which did not
    add up to what was given."""
    data = tmp_path / "data"
    code, out, err = run("dyads", "add", "--data", str(data), "EC0417", "EC0417", "EC0418")
    assert code == 0, err
    assert "2 added, 0 already in the roster. 1 repeated code(s) counted once: EC0417." in out
    listing = tmp_path / "codes.txt"
    listing.write_text("EC0419\n\nEC0419\nEC0417\n")
    code, out, err = run("dyads", "import", "--data", str(data), str(listing))
    assert code == 0, err
    assert "1 added, 1 already in the roster. 1 repeated code(s) counted once: EC0419." in out


def test_every_code_refused_by_add_is_named(tmp_path: Path) -> None:
    """`add` named the first code it refused alone: the others were refused without a word."""
    data = tmp_path / "data"
    code, _, err = run(
        "dyads", "add", "EC0417", "ec0418", "EC 19", "EC0420;EC0421", "--data", str(data)
    )
    assert code == 1
    assert "'ec0418' is not a dyad code of your instruments (did you mean EC0418?)" in err
    assert "'EC 19' is not a dyad code" in err
    assert "'EC0420;EC0421' is not a dyad code of your instruments (several codes?" in err
    assert "3 of the 4 codes are refused; nothing was added" in err
    assert ".;" not in err
    assert not (data / "dyads.txt").exists()
