"""SPSS and Stata keep labels of a bounded length: pyreadstat cut SPSS's variable labels at
256 bytes and its value labels at 120 without a word, cut Stata's value labels at 32,000
bytes, and refused a Stata variable label over 80 characters or a label on 2.5 with a
traceback. Now a label is shortened with '…' and the export says which, or refused in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.export.errors import ExportError
from rating_tui.export.plan import Plan
from rating_tui.export.stats import fit_labels, write_stats
from rating_tui.instruments.loader import parse_instrument
from rating_tui.ratings import Rating
from tests.unit.export.conftest import INSTRUMENT_FILE
from tests.unit.export.test_formats import sample

LONG = "Narration of the experience, " + "told again and again " * 20


def test_spss_labels_over_its_limits_are_shortened_and_named() -> None:
    labels = {"narration": LONG, "dyad": "Dyad code"}
    values: dict[str, dict[int | float, str]] = {"narration": {4: "é" * 70, 0: "Absent"}}
    notes = fit_labels("sav", labels, values)
    assert len(labels["narration"].encode()) <= 256 and labels["narration"].endswith("…")
    assert labels["dyad"] == "Dyad code"
    assert len(values["narration"][4].encode()) <= 120 and values["narration"][0] == "Absent"
    assert notes == [
        "1 variable label(s) longer than 256 bytes shortened with '…' (narration); the "
        "codebook (--codebook) has them in full",
        "1 value label(s) longer than 120 bytes shortened with '…' (narration 4); the "
        "codebook (--codebook) has them in full",
    ]


def test_stata_leaves_out_labels_of_values_that_are_not_whole_and_says_so() -> None:
    values: dict[str, dict[int | float, str]] = {"alliance": {2.5: "half", 3: "three"}}
    [note] = fit_labels("dta", {"alliance": "Alliance"}, values)
    assert values == {"alliance": {3: "three"}}
    assert "1 value label(s) of values that are not whole numbers left out" in note
    assert "alliance 2.5" in note


def test_names_too_long_for_spss_are_refused_in_words() -> None:
    with pytest.raises(ExportError, match="SPSS names are at most 64 characters"):
        fit_labels("sav", {"x" * 65: "label"}, {})


def test_a_stata_file_with_a_long_item_label_is_written_and_the_note_names_it(
    tmp_path: Path, make_rating: Callable[..., Rating]
) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    text = INSTRUMENT_FILE.read_text().replace(
        'label = "Narration of the experience"', f'label = "{LONG}"', 1
    )
    instrument = parse_instrument(text, "long.toml")
    notes: list[str] = []
    path = tmp_path / "r.dta"
    ratings = sample(lambda **kw: make_rating(of=instrument, **kw))
    rows = write_stats(path, "dta", Plan([instrument], guard=False), ratings, notes)
    assert rows == 2
    _, meta = pyreadstat.read_dta(str(path))
    label = dict(zip(meta.column_names, meta.column_labels, strict=True))["narration"]
    assert len(label) == 80 and label.endswith("…")
    assert any("variable label(s) longer than 80 characters" in n for n in notes)
