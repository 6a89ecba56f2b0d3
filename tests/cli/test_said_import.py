"""`ratings import` says what it did with every option: a file replaced by --errors, an
--instrument that the format does not read, an empty now-moments table."""

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
    fill_demo_data(Store.open(folder), builtin_instrument(), 12, seed=7)
    return folder


@pytest.fixture
def jsonl(demo: Path, tmp_path: Path) -> Path:
    out = tmp_path / "all.jsonl"
    code, _, err = run("export", "-f", "jsonl", "--data", str(demo), "-o", str(out))
    assert code == 0, err
    return out


def test_errors_says_when_it_replaced_a_file(jsonl: Path, tmp_path: Path) -> None:
    """Before: a file given to --errors by mistake (--errors ratings.csv) was replaced by the
    problem list without a word."""
    mine = tmp_path / "notes.txt"
    mine.write_text("my own notes\n")
    code, _, err = run("ratings", "import", str(jsonl), "--check", "--errors", str(mine))
    assert code == 0, err
    assert f"--errors {mine}: it replaced the file that was there" in err
    assert mine.read_text() == ""  # no problem: the list is empty, never stale
    fresh = tmp_path / "fresh.txt"
    code, _, err = run("ratings", "import", str(jsonl), "--check", "--errors", str(fresh))
    assert code == 0 and "replaced" not in err


def test_an_instrument_the_format_does_not_read_is_refused(jsonl: Path, tmp_path: Path) -> None:
    """Before: --instrument with a JSON Lines (or CSV) file was passed over without a word."""
    target = tmp_path / "target"
    code, _, err = run(
        "ratings", "import", str(jsonl), "--data", str(target),
        "--instrument", "paris-2009-seven-concepts@0.1.0",
    )  # fmt: skip
    assert code == 1
    assert "--instrument goes with --format redcap; a jsonl file names each rating's" in err
    assert not target.exists()


def test_an_empty_moments_table_is_said_to_be_empty(demo: Path, tmp_path: Path) -> None:
    table = tmp_path / "ratings.csv"
    code, _, err = run("export", "--data", str(demo), "-o", str(table))
    assert code == 0, err
    empty = tmp_path / "moments.csv"
    empty.write_text("")
    code, _, err = run("ratings", "import", str(table), "--moments", str(empty), "--check")
    assert code == 1
    assert "now-moments table: it is empty; expected rating_id, moment, text, tags" in err


def test_errors_never_replaces_the_file_being_imported(jsonl: Path) -> None:
    """Before: `ratings import a.jsonl --errors a.jsonl` replaced the ratings file with the
    list of its problems (or with nothing), without a word."""
    before = jsonl.read_bytes()
    code, _, err = run("ratings", "import", str(jsonl), "--check", "--errors", str(jsonl))
    assert code == 1
    assert f"--errors {jsonl} is the file imported: the list of problems would replace it" in err
    assert jsonl.read_bytes() == before


def test_a_number_too_large_for_a_float_is_refused_as_typed(demo: Path, tmp_path: Path) -> None:
    """`1e400` in a CSV cell was read as a float, infinity, and refused as "found inf": a
    value the user never typed. It is now kept as the text typed, and refused as that."""
    import csv
    import uuid

    table = tmp_path / "all.csv"
    code, _, err = run("export", "--data", str(demo), "-o", str(table))
    assert code == 0, err
    rows = list(csv.reader(table.open(encoding="utf-8-sig")))
    head, row = rows[0], rows[1]
    row[head.index("rating_id")] = str(uuid.uuid4())
    row[head.index("infant_age_months")] = "1e400"
    with table.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([head, row])
    before = sorted(p.name for p in (demo / "ratings").iterdir())
    code, _, err = run("ratings", "import", str(table), "--data", str(demo))
    assert code == 1
    assert "infant_age_months: expected a number, found '1e400'" in err, err
    assert "inf" not in err.replace("'1e400'", "").replace("infant", "")
    assert sorted(p.name for p in (demo / "ratings").iterdir()) == before


def test_problems_of_the_moments_table_are_not_counted_as_bad_rows(
    demo: Path, tmp_path: Path
) -> None:
    """A now moment of a rating not in the file is a problem of the file, not of a row: three
    such moments beside 8 bad rows of 8 said '11 of 8 rating row(s) are invalid'."""
    import csv

    table, moments = tmp_path / "all.csv", tmp_path / "moments.csv"
    code, _, err = run("export", "--data", str(demo), "-o", str(table), "--moments", str(moments))
    assert code == 0, err
    rows = list(csv.reader(table.open(encoding="utf-8-sig")))
    head, body = rows[0], rows[1:]
    body[0][head.index("narration")] = "3,5"
    with table.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([head, *body])
    stray = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(3)]
    with moments.open("a", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([[rating_id, "1", "a stray moment", ""] for rating_id in stray])
    code, _, err = run("ratings", "import", str(table), "--moments", str(moments), "--check")
    assert code == 1
    assert (
        f"error: 1 of {len(body)} rating row(s) in {table} are invalid, and 3 problem(s) of the "
        "file as a whole; nothing was imported"
    ) in err, err
