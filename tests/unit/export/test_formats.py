"""Files as other programs read them: pandas dtypes, SPSS/Stata labels, CSV quoting, JSONL."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.export.codebook import codebook_csv, codebook_markdown, entries
from rating_tui.export.csvout import csv_chunks
from rating_tui.export.errors import ExportError
from rating_tui.export.jsonl import jsonl_chunks, read_jsonl
from rating_tui.export.output import atomic_output, write_text_chunks
from rating_tui.export.plan import Plan
from rating_tui.export.stats import INSTALL_HINT, write_stats
from rating_tui.export.tables import wide_header, wide_rows
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating

Make = Callable[..., Rating]


def sample(make_rating: Make) -> list[Rating]:
    return [
        make_rating(
            dyad="-D1",
            notes='said "no", then =laughed\nnew line',
            answers={
                "narration": Answered(value=4),
                "processing": Missing(missing="not_observed"),
                "mood_shift": Answered(value=-3),
                "alliance": Answered(value=7.5),
                "focus": Answered(value=2),
            },
        ),
        make_rating(
            day="2025-03-05",
            answers={"narration": Answered(value=0), "processing": Answered(value=1)},
        ),
    ]


def wide_csv(instrument: Instrument, ratings: list[Rating], **kw: bool) -> str:
    plan = Plan([instrument])
    return "".join(csv_chunks(wide_header(plan), wide_rows(plan, ratings), **kw))


def test_csv_quoting_survives_commas_quotes_and_new_lines(
    instrument: Instrument, make_rating: Make
) -> None:
    text = wide_csv(instrument, sample(make_rating), bom=True)
    assert text.startswith("\ufeffrating_id,")
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    assert rows[0]["notes"] == 'said "no", then =laughed\nnew line'
    assert rows[0]["dyad"] == "'-D1"


def test_pandas_reads_numbers_as_numbers_and_text_as_text(
    instrument: Instrument, make_rating: Make
) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(io.StringIO(wide_csv(instrument, sample(make_rating))))
    assert str(frame["narration"].dtype) == "int64"
    assert frame["processing"].tolist() == [-9, 1]  # the code is a number, not text
    assert str(frame["mood_shift"].dtype) == "float64"  # -3 and an empty cell
    assert frame["mood_shift"].iloc[0] == -3
    assert frame["alliance"].iloc[0] == 7.5
    assert str(frame["session_number"].dtype) == "int64"
    assert frame["dyad"].tolist() == ["'-D1", "D001"]
    assert pd.api.types.is_string_dtype(frame["notes"].dtype) or frame["notes"].dtype == object
    dates = pd.to_datetime(frame["created"])
    assert str(dates.dt.tz) == "UTC"


def test_spss_file_has_variable_labels_value_labels_and_user_missing(
    tmp_path: Path, instrument: Instrument, make_rating: Make
) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "r.sav"
    rows = write_stats(path, "sav", Plan([instrument], guard=False), sample(make_rating))
    assert rows == 2
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["narration"] == "Narration of the experience"
    assert meta.variable_value_labels["narration"][4.0] == "central"
    assert meta.variable_value_labels["processing"][-9.0] == "Not observed"
    assert frame["processing"].tolist() == [-9, 1]
    assert frame["dyad"].tolist() == ["-D1", "D001"]  # not a spreadsheet: no quote added
    assert meta.missing_ranges["processing"][0]["lo"] in (-9.0, -8.0)
    dta = tmp_path / "r.dta"
    write_stats(dta, "dta", Plan([instrument], guard=False), sample(make_rating))
    frame, meta = pyreadstat.read_dta(str(dta))
    assert meta.variable_value_labels["narration"][0] == "absent"


def test_without_pyreadstat_the_message_says_what_to_install(
    tmp_path: Path, instrument: Instrument, make_rating: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    with pytest.raises(ExportError) as caught:
        write_stats(tmp_path / "r.sav", "sav", Plan([instrument]), sample(make_rating))
    assert str(caught.value) == INSTALL_HINT
    assert "pip install 'rating-tui[spss]'" in INSTALL_HINT
    assert list(tmp_path.iterdir()) == []


def test_codebook_lists_every_column_with_codes(instrument: Instrument) -> None:
    plan = Plan([instrument])
    names = [c.name for table, c in entries(plan) if table == "ratings"]
    assert names == wide_header(plan)
    rows = list(csv.DictReader(io.StringIO("".join(codebook_csv(plan)), newline="")))
    processing = next(r for r in rows if r["column"] == "processing")
    assert processing["values"].startswith("0 = absent | 1 = slight")
    assert processing["missing_codes"] == (  # led by the key: no formula, no guard quote
        "not_observed: -9 = Not observed | not_applicable: -8 = Not applicable"
    )
    assert processing["type"] == "integer" and processing["required"] == "yes"
    alliance = next(r for r in rows if r["column"] == "alliance")
    assert alliance["type"] == "string"  # its missing code "RF" is text
    markdown = codebook_markdown(plan, "long")
    assert "| `missing` |" in markdown and "values written as codes" in markdown


def test_jsonl_round_trips_and_names_the_bad_line(make_rating: Make) -> None:
    ratings = sample(make_rating)
    ratings[1] = ratings[1].replace(now_moments=[NowMoment(text="ünïcode ✓", tags=[])])
    text = "".join(jsonl_chunks(ratings, batch=1))
    assert text.count("\n") == 2 and "ünïcode ✓" in text
    assert list(read_jsonl(text.splitlines())) == ratings
    bad = [*text.splitlines(), "", '{"id": "x"}']
    with pytest.raises(ExportError, match=r"^in\.jsonl, line 4: not a rating"):
        list(read_jsonl(bad, "in.jsonl"))


def test_atomic_output_leaves_nothing_behind_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_output(target) as sink:
        write_text_chunks(sink, ["partial"])
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    with atomic_output(target) as sink:
        write_text_chunks(sink, ["a,b\r\n"])
    assert target.read_bytes() == b"a,b\r\n"
    assert target.stat().st_mode & 0o777 == 0o600
