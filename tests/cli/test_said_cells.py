"""A CSV cell refused by an import is quoted as it was written: `1e3` in a whole-number
field was refused as "found 1000.0", a value the user never typed."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest

from rating_tui.imports.cells import number
from rating_tui.ratings.value_checks import written_out
from tests.cli.demo_folders import copy_of, demo_folder
from tests.cli.invoke import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory, 40, seed=8)


def test_a_power_of_ten_stays_the_text_written_unless_the_export_writes_it_so() -> None:
    assert number("1e3") == "1e3" and number("2E0") == "2E0" and number("1.5e2") == "1.5e2"
    assert number("1e-05") == 1e-05 and number("1e+16") == 1e16  # as an export writes them
    assert number("2.50") == 2.5 and number("-3") == -3 and number("1e400") == "1e400"
    assert written_out("1e3") == " written out in digits (1000 for 1e3)"
    assert written_out("1e400") == "" and written_out("1000") == "" and written_out(3) == ""


def test_an_import_quotes_the_cells_it_refuses_as_written(demo: Path, tmp_path: Path) -> None:
    data = copy_of(demo, tmp_path)
    table = tmp_path / "all.csv"
    code, _, err = run("export", "--data", str(data), "-o", str(table))
    assert code == 0, err
    rows = list(csv.reader(table.open(encoding="utf-8-sig")))
    head = rows[0]
    row = next(r for r in rows[1:] if r[head.index("n_now_moments")] == "0")
    written = []
    for key, cell in [("session_number", "1e3"), ("infant_age_months", "1E3"),
                      ("narration", "2e0")]:  # fmt: skip
        bad = list(row)
        bad[head.index("rating_id")] = str(uuid.uuid4())
        bad[head.index(key)] = cell
        written.append(bad)
    with table.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([head, *written])
    before = sorted(p.name for p in (data / "ratings").iterdir())
    code, _, err = run("ratings", "import", str(table), "--data", str(data))
    assert code == 1
    assert "session_number: expected a whole number written out in digits (1000 for 1e3), " \
        "found '1e3'" in err, err  # fmt: skip
    assert "infant_age_months: expected a number written out in digits (1000 for 1E3)" in err
    assert "narration: expected one of the scale points 0, 1, 2, 3, 4, found '2e0'" in err
    assert "1000.0" not in err and "found 2.0" not in err
    assert sorted(p.name for p in (data / "ratings").iterdir()) == before
