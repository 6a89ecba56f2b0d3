"""The agreement and calibration figures as rows of text, for CSV files and tables.

One place decides how a figure is written (digits, percentages, what an absent value looks
like), so the CSV file and the table on screen show the same figures. Rater codes and item
keys are defused against spreadsheet formulas like every exported text cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rating_tui.analysis.calibration import RaterCalibration
from rating_tui.export.cells import neutralise

if TYPE_CHECKING:
    from rating_tui.analysis.agreement import ItemAgreement

AGREEMENT_HEADER = (
    "instrument_id",
    "item",
    "statistic",
    "value",
    "ci_low",
    "ci_high",
    "sessions",
    "n_raters",
    "raters",
    "interpretation",
    "note",
)
CALIBRATION_HEADER = (
    "instrument_id",
    "gold",
    "rater",
    "item",
    "sessions",
    "bias",
    "mad",
    "pct_exact",
    "pct_within_one",
    "divergent",
    "note",
)


def number(value: float | None, digits: int = 3) -> str:
    """A figure rounded for reading; "" when there is none."""
    return "" if value is None else f"{value:.{digits}f}"


def signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"


def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}%"


def agreement_rows(instrument_id: str, items: list[ItemAgreement]) -> Iterator[list[str]]:
    """One CSV row per item and statistic (every statistic, with a note when absent)."""
    for found in items:
        for figure in found.figures:
            e = figure.estimate
            yield [
                neutralise(instrument_id),
                neutralise(found.item.key),
                figure.statistic,
                number(e.value, 6),
                number(e.low, 6),
                number(e.high, 6),
                str(figure.sessions),
                str(len(figure.raters)),
                neutralise(";".join(figure.raters)),
                figure.interpretation,
                e.note,
            ]


def calibration_rows(instrument_id: str, results: list[RaterCalibration]) -> Iterator[list[str]]:
    """One CSV row per rater and item; percentages as numbers from 0 to 100."""
    for rater in results:
        for item in rater.items:
            yield [
                neutralise(instrument_id),
                neutralise(rater.gold),
                neutralise(rater.rater),
                neutralise(item.item.key),
                str(item.sessions),
                number(item.bias, 6),
                number(item.mad, 6),
                number(None if item.exact is None else item.exact * 100, 2),
                number(None if item.within_one is None else item.within_one * 100, 2),
                "1" if item.divergent else "0",
                rater.note(item),
            ]
