"""The agreement and calibration figures as rows of text, for CSV files, tables and sentences.

One place decides how a figure is written (digits, percentages, what an absent value looks
like), so the CSV file and the table on screen show the same figures. What is shown is rounded
half up (37.5% -> 38%), never to "-0.00". Rater codes and item keys are defused against
spreadsheet formulas like every exported text cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from rating_tui.analysis.calibration import RaterCalibration
from rating_tui.analysis.results import MODELS, SMALL_SAMPLE, Figure
from rating_tui.export.cells import neutralise

if TYPE_CHECKING:
    from rating_tui.analysis.agreement import ItemAgreement

AGREEMENT_HEADER = (
    "instrument_id",
    "item",
    "design",
    "statistic",
    "recommended",
    "scope",
    "value",
    "ci_low",
    "ci_high",
    "ci_method",
    "sessions",
    "n_raters",
    "raters",
    "k",
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


def rounded(value: float, digits: int) -> str:
    """`value` rounded half up to `digits` decimals, without a minus sign on zero."""
    text = str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP))
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def number(value: float | None, digits: int = 3) -> str:
    """A figure rounded for reading; "" when there is none."""
    return "" if value is None else rounded(value, digits)


def signed(value: float | None) -> str:
    if value is None:
        return ""
    text = rounded(value, 2)
    return text if text.startswith("-") else f"+{text}"


def percent(share: float | None) -> str:
    return "" if share is None else f"{rounded(share * 100, 0)}%"


def apa(value: float | None) -> str:
    """Two decimals without the leading zero (APA style for coefficients bounded by 1)."""
    if value is None:
        return ""
    text = rounded(value, 2)
    if text.startswith("0."):
        return text[1:]
    return "-" + text[2:] if text.startswith("-0.") else text


def interval(figure: Figure) -> str:
    e = figure.estimate
    return "" if e.low is None or e.high is None else f"[{apa(e.low)}, {apa(e.high)}]"


def raters_shown(found: ItemAgreement, figure: Figure) -> str:
    """ "2 of 8" (values per session of all raters) for all-session statistics, the names of
    a pair or block."""
    if figure.scope == "all sessions":
        return f"{found.design.per_session} of {found.design.raters}"
    return ", ".join(figure.raters) if len(figure.raters) <= 3 else f"{len(figure.raters)} raters"


def sentence(found: ItemAgreement, figure: Figure) -> str:
    """The recommended statistic of an item as a sentence to copy into a paper."""
    e = figure.estimate
    name = figure.statistic
    model = MODELS.get(name)
    if name.startswith("alpha"):
        label = model or name
    elif model:
        label = f"{name}, {model}"
    else:
        label = name
    if figure.k is not None and name.endswith(",k)"):
        label += f" (k = {rounded(figure.k, 2)})"
    ci = interval(figure)
    text = f"{label} = {apa(e.value)}"
    if ci:
        text += f", 95% CI {ci}"
    d = found.design
    text += f", {d.rated_by()}"
    if name == "ICC(1,1)" and figure.k is not None:
        text += f" (adjusted mean {rounded(figure.k, 2)} raters per session)"
    method = {"F": "F-based interval", "": ""}.get(figure.interval, figure.interval)
    if method:
        text += f"; {method}"
    return text + "."


def caveats(found: ItemAgreement, figure: Figure) -> list[str]:
    """What the reader of an item's headline figure must know."""
    notes = []
    if figure.estimate.low is not None and figure.sessions < SMALL_SAMPLE:
        notes.append(
            f"the interval rests on {figure.sessions} sessions (fewer than {SMALL_SAMPLE}): "
            "wide and approximate; Koo & Li (2016) advise at least 30"
        )
    if figure.estimate.note:
        notes.append(figure.estimate.note)
    return notes


def agreement_rows(instrument_id: str, items: list[ItemAgreement]) -> Iterator[list[str]]:
    """One CSV row per item and statistic (every statistic, with a note when absent; kappa
    per pair of raters after the pooled kappa)."""
    for found in items:
        for index, figure in enumerate(found.figures):
            e = figure.estimate
            yield [
                neutralise(instrument_id),
                neutralise(found.item.key),
                found.design.kind,
                figure.statistic,
                "1" if index == found.recommended else "0",
                figure.scope,
                number(e.value, 6),
                number(e.low, 6),
                number(e.high, 6),
                figure.interval,
                str(figure.sessions),
                str(len(figure.raters)),
                neutralise(";".join(figure.raters)),
                number(figure.k, 4),
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
