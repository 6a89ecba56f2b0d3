"""The report's charts: sessions spaced by date, each item on its fixed scale, a gap a gap.

Read from the SVG itself: each dot's x and y, the y of each scale label's guide line, the
line's path. pygal's line chart spaced sessions evenly by order, so two weeks and six months
looked alike; the ratio of the gaps below fails on that.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html import unescape

import pytest

from rating_tui.instruments.loader import parse_instrument
from rating_tui.services.report import dyad_report
from rating_tui.services.report_axis import session_axis
from rating_tui.services.report_charts import item_chart
from rating_tui.services.trajectory import Observation, Trajectory, build
from tests.unit.instruments.conftest import MINIMAL_TOML

pytest.importorskip("pygal")

START = date(2026, 1, 5)


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def trajectory(*observations: Observation, toml: str = MINIMAL_TOML) -> Trajectory:
    return build("D1", parse_instrument(toml, "mini.toml"), observations)


def chart(t: Trajectory, key: str = "holding") -> ET.Element:
    line = next(line for line in t.lines if line.key == key)
    return ET.fromstring(item_chart(line, t.sessions, session_axis(t.sessions)))


def dots(svg: ET.Element, serie: int) -> list[tuple[float, float]]:
    """(x, y) of every dot of a series: 0 the item's values, 1 the marks of no value."""
    return [
        (float(c.get("cx", "")), float(c.get("cy", "")))
        for g in svg.iter("g")
        if f"serie-{serie} " in g.get("class", "") + " "
        for c in g.iter("circle")
    ]


def guides(svg: ET.Element) -> dict[str, float]:
    """Each y label and the y of its guide line."""
    axis = next(g for g in svg.iter("g") if g.get("class", "").startswith("axis y"))
    out = {}
    for g in axis.iter("g"):
        path, text = g.find("path"), g.find("text")
        if path is not None and text is not None and text.text:
            out[text.text] = float(path.get("d", "").split()[1])
    return out


def x_labels(svg: ET.Element) -> list[str]:
    axis = next(g for g in svg.iter("g") if g.get("class", "").startswith("axis x"))
    return [t.text or "" for t in axis.iter("text")]


def lines(svg: ET.Element) -> list[list[float]]:
    """The x of every vertex of each drawn stretch of the item's line."""
    out = []
    series = [g for g in svg.iter("g") if "serie-0 " in g.get("class", "") + " "]
    for p in (p for g in series for p in g.iter("path")):
        if "line" in p.get("class", ""):
            numbers = [float(n) for n in re.findall(r"-?[\d.]+", p.get("d", ""))]
            out.append(numbers[0::2])
    return out


def test_sessions_sit_as_far_apart_as_their_dates() -> None:
    t = trajectory(
        *(Observation(day(n), k, "AB", {"holding": 1.0}) for k, n in enumerate((0, 14, 180)))
    )
    (a, _), (b, _), (c, _) = dots(chart(t), 0)
    assert a < b < c
    assert (b - a) / (c - b) == pytest.approx(14 / 166, rel=0.02)  # by order: 1.0


def test_the_y_axis_is_the_whole_scale_whatever_the_values() -> None:
    """holding is 0-2: a steady 2 sits on the top guide, a steady 0 on the bottom one, and a
    steady 1 in the middle of an axis that still runs 0 to 2 (not fitted to the data)."""
    for value, label in ((2.0, "2"), (0.0, "0"), (1.0, "1")):
        t = trajectory(*(Observation(day(n), n, "AB", {"holding": value}) for n in (0, 7, 14)))
        svg = chart(t)
        ys = guides(svg)
        assert list(ys) == ["n/o", "0", "1", "2"]
        assert all(y == pytest.approx(ys[label], abs=0.01) for _, y in dots(svg, 0))
    assert ys["2"] < ys["1"] < ys["0"] < ys["n/o"]  # SVG's y grows downwards


def test_a_session_without_a_value_is_a_break_and_a_mark_below_the_scale() -> None:
    """Session 2 not observed, session 3 unanswered: no dot of the item there, no stretch of
    line across them, and one mark each on the n/o row, said apart by their style."""
    t = trajectory(
        Observation(day(0), 1, "AB", {"holding": 2.0}),
        Observation(day(7), 2, "AB", {"holding": "not_observed"}),
        Observation(day(14), 3, "AB", {}),
        Observation(day(21), 4, "AB", {"holding": 1.0}),
        Observation(day(28), 5, "AB", {"holding": 1.0}),
    )
    svg = chart(t)
    values, marks = dots(svg, 0), dots(svg, 1)
    assert len(values) == 3 and len(marks) == 2
    assert all(y == pytest.approx(guides(svg)["n/o"], abs=0.01) for _, y in marks)
    first, gap_2, gap_3 = values[0][0], marks[0][0], marks[1][0]
    assert first < gap_2 < gap_3 < values[1][0]
    assert all(not (min(xs) < gap_2 < max(xs)) for xs in lines(svg))  # nothing drawn across
    stretch = [[values[1][0], values[2][0]]]  # 4 to 5; session 1 is a lone dot
    assert lines(svg) == [pytest.approx(xs, abs=0.01) for xs in stretch]
    styles = [c.get("style", "") for c in svg.iter("circle") if c.get("style")]
    assert len(styles) == 2 and styles[0] != styles[1]  # a missing code, then no answer
    tips = [t.text or "" for t in svg.iter("title")]
    assert f"#2 {day(7)}: no value: not observed" in tips
    assert f"#3 {day(14)}: no value: no answer" in tips


def test_two_sessions_on_one_date_are_both_shown_and_named() -> None:
    t = trajectory(
        Observation(day(0), 1, "AB", {"holding": 1.0}),
        Observation(day(30), 2, "AB", {"holding": 2.0}),
        Observation(day(30), 3, "AB", {"holding": 2.0}),
        Observation(day(60), 4, "AB", {"holding": 0.0}),
    )
    svg = chart(t)
    xs = [x for x, _ in dots(svg, 0)]
    assert len(xs) == 4 and xs[1] < xs[2] < xs[3]
    assert xs[2] - xs[1] >= 6  # a dot's width apart: one does not hide the other
    assert f"{day(30)} #2 #3" in x_labels(svg)


def test_the_x_labels_are_dates_with_session_numbers() -> None:
    t = trajectory(
        *(
            Observation(day(n), k, "AB", {"holding": 1.0})
            for k, n in enumerate((0, 14, 180), start=1)
        )
    )
    assert x_labels(chart(t)) == [f"{day(0)} #1", f"{day(14)} #2", f"{day(180)} #3"]


def test_many_sessions_keep_the_first_and_latest_label_and_slant_them() -> None:
    t = trajectory(*(Observation(day(7 * k), k, "AB", {"holding": 1.0}) for k in range(1, 61)))
    axis = session_axis(t.sessions)
    shown = [tick.text for tick in axis.ticks]
    assert axis.rotation == 45 and 2 < len(shown) < 60
    assert shown[0] == f"{day(7)} #1" and shown[-1] == f"{day(420)} #60"
    gaps = [b.x - a.x for a, b in zip(axis.ticks, axis.ticks[1:], strict=False)]
    assert min(gaps) * 580 / (axis.high - axis.low) >= 20  # each clear of the next


def test_the_report_says_spaced_by_date_with_the_first_and_latest_dates() -> None:
    t = trajectory(
        *(Observation(day(n), k, "AB", {"holding": 1.0}) for k, n in enumerate((0, 14, 180)))
    )
    page = unescape(dyad_report(t, [], today=date(2026, 8, 1), notes=False))
    assert f"Spaced by date</b>, {day(0)} to {day(180)}" in page
    assert "spaced evenly" not in page and "in their order" not in page


def test_a_date_that_cannot_be_read_spaces_by_order_and_says_so() -> None:
    t = trajectory(
        Observation("2026-01-05", 1, "AB", {"holding": 1.0}),
        Observation("05/02/2026", 2, "AB", {"holding": 1.0}),
    )
    assert not session_axis(t.sessions).by_date
    page = dyad_report(t, [], today=date(2026, 8, 1), notes=False)
    assert "Spaced in order, not by date</b>: a session's date could not be read" in page
    assert page.count("<svg") == 2


def test_a_dyad_without_sessions_has_no_chart_and_says_so() -> None:
    page = dyad_report(trajectory(), [], today=date(2026, 8, 1), notes=False)
    assert "<p>No sessions to chart.</p>" in page and "<svg" not in page


YES_NO_AND_CHOICE = (
    MINIMAL_TOML
    + """
[[items]]
key = "fed"
label = "Breastfed during the session"
scale = { type = "yes_no" }

[[items]]
key = "setting"
label = "Where"

[items.scale]
type = "single_choice"
choices = [
  { code = 1, label = "home" },
  { code = 2, label = "clinic" },
]
"""
)


def test_yes_no_is_charted_in_words_and_choices_are_said_to_be_left_out() -> None:
    """A yes/no item is drawn on No/Yes (stored 0/1); a choice has no scale of numbers: the
    report names it as not charted, where it once was left out without a word."""
    t = trajectory(
        Observation(day(0), 1, "AB", {"holding": 1.0, "fed": 1.0, "setting": 2.0}),
        Observation(day(7), 2, "AB", {"holding": 1.0, "fed": 0.0, "setting": 1.0}),
        toml=YES_NO_AND_CHOICE,
    )
    assert [line.key for line in t.lines] == ["holding", "attunement", "fed"]
    page = dyad_report(t, [], today=date(2026, 8, 1), notes=False)
    assert page.count("<svg") == 3
    assert "Not charted: 1 item(s) without a scale of numbers (choices or text): Where" in page
    fed = ET.fromstring(re.findall(r"<svg.*?</svg>", page, re.DOTALL)[2])
    ys = guides(fed)
    assert list(ys) == ["n/o", "No", "Yes"]
    assert next(t.text for t in fed.iter("title")) == "Breastfed during the session (No–Yes)"
    assert [y for _, y in dots(fed, 0)] == pytest.approx([ys["Yes"], ys["No"]], abs=0.01)
