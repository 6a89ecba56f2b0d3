"""The report's charts: one pygal XY chart per item, as inline SVG, on the item's fixed scale,
its sessions spaced by date (`report_axis`).

pygal is an optional extra (`rating-tui[report]`): `charts_available` says whether it is there,
and the command says how to install it. Everything that would reach outside the file is turned
off or removed: pygal's scripts (`js=[]`, its inline config), its comments (they carry its web
address) and namespace URIs. Hovering a dot shows its session, date and value through the
SVG's own <title>, which needs no script.

The y axis is the item's whole scale (`range`), never fitted to the data. A session where the
item has no value is a break in the line (pygal's `allow_interruptions`), never a zero: it is
marked on a row of its own below the scale, named `n/o`, with a filled red dot for a missing
code (not observed, not applicable) and a hollow ring for no answer.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from rating_tui.services.report_axis import Axis
from rating_tui.services.trajectory import Cell, Line, Session

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
"""pygal's inline config script (for its tooltips, which need its remote script anyway)."""
_NAMESPACE = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
"""Namespace declarations: an HTML parser gives inline SVG its namespace without them."""

BLUE, RED, GREY = "#1f5fa8", "#a33", "#777"
MISSING_CODE = {"r": "3.5", "style": f"fill: {RED}; stroke: {RED}"}
NO_ANSWER = {"r": "3", "style": f"fill: white; stroke: {GREY}; stroke-width: 1.5"}


def charts_available() -> bool:
    return importlib.util.find_spec("pygal") is not None


def item_chart(
    line: Line,
    sessions: list[Session],
    axis: Axis,
    names: Mapping[float, str] | None = None,
    width: int = 720,
) -> str:
    """An SVG chart of one item over the sessions, on its scale's whole range; `names` labels
    scale points in words (yes/no)."""
    import pygal
    from pygal.style import Style

    style = Style(
        background="white",
        plot_background="white",
        foreground="#222",
        foreground_strong="#222",
        foreground_subtle="#bbb",
        colors=(BLUE, RED),
        font_family="sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        title_font_size=13,
    )
    ticks = _ticks(line.low, line.high)
    gap_row = line.low - (ticks[1] - ticks[0] if len(ticks) > 1 else 1.0)
    y_labels: list[Any] = [{"label": "n/o", "value": gap_row}]
    y_labels += [{"label": _name(names, t), "value": t} for t in ticks]
    chart = pygal.XY(
        width=width,
        height=210 if not axis.rotation else 260,
        explicit_size=True,
        range=(gap_row, line.high),
        xrange=(axis.low, axis.high),
        y_labels=y_labels,
        show_legend=False,
        allow_interruptions=True,
        js=[],
        disable_xml_declaration=True,
        style=style,
        title=f"{line.label} ({_name(names, line.low)}–{_name(names, line.high)})",
        dots_size=3,
        truncate_label=-1,
        x_label_rotation=axis.rotation,
        show_x_guides=False,
        print_values=False,
        x_value_formatter=_day if axis.by_date else (lambda x: f"{x:g}"),
        value_formatter=lambda y: "n/o" if y == gap_row else f"{y:g}",
        no_data_text="no sessions",
    )
    chart.x_labels = [{"label": t.text, "value": t.x} for t in axis.ticks]
    chart.add(
        line.label,
        [
            {"value": (x, c.value), "tooltip": _tip(s, c)}
            for x, s, c in zip(axis.xs, sessions, line.cells, strict=True)
        ],
    )
    gaps = [
        {
            "value": (x, gap_row),
            "tooltip": _tip(s, c),
            "node": MISSING_CODE if c.codes else NO_ANSWER,
        }
        for x, s, c in zip(axis.xs, sessions, line.cells, strict=True)
        if c.value is None
    ]
    chart.add("no value", gaps, stroke=False)
    svg: str = chart.render(is_unicode=True)
    return _NAMESPACE.sub("", _SCRIPT.sub("", _COMMENT.sub("", svg)))


def _name(names: Mapping[float, str] | None, point: float) -> str:
    return (names or {}).get(point, f"{point:g}")


def _mark(c: Cell) -> dict[str, str]:
    return MISSING_CODE if c.codes else NO_ANSWER


def _tip(s: Session, c: Cell) -> str:
    """What hovering a session's mark says: `#12 2026-03-09: 2.5 (mean of 2 raters)`."""
    if c.value is not None:
        said = c.text + (f" (mean of {len(s.raters)} raters)" if len(s.raters) > 1 else "")
    elif c.codes:
        said = "no value: " + ", ".join(code.replace("_", " ") for code in c.codes)
    else:
        said = "no value: no answer"
    name = f"#{s.number} {s.date}" if s.number is not None else s.date
    return f"{name}: {said}"


def _day(x: float) -> str:
    return date.fromordinal(int(x)).isoformat()


def _ticks(low: float, high: float) -> list[float]:
    if high - low <= 10 and float(low).is_integer():
        return [low + k for k in range(int(high - low) + 1)]
    return [low + (high - low) * k / 4 for k in range(5)]
