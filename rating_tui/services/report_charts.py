"""The report's charts: one pygal line chart per item, as inline SVG, on the item's fixed scale.

pygal is an optional extra (`rating-tui[report]`): `charts_available` says whether it is there,
and the command says how to install it. Everything that would reach outside the file is turned
off or removed: pygal's scripts (`js=[]`, its inline config), its comments (they carry its web
address) and namespace URIs.
A session where the item has no value is a break in the line, and its x label says why.
"""

from __future__ import annotations

import importlib.util
import re

from rating_tui.services.trajectory import Line, Session

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
"""pygal's inline config script (for its tooltips, which need its remote script anyway)."""
_NAMESPACE = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
"""Namespace declarations: an HTML parser gives inline SVG its namespace without them."""


def charts_available() -> bool:
    return importlib.util.find_spec("pygal") is not None


def item_chart(line: Line, sessions: list[Session], width: int = 720, height: int = 210) -> str:
    """An SVG line chart of one item over the sessions, on its scale's whole range."""
    import pygal
    from pygal.style import Style

    style = Style(
        background="white",
        plot_background="white",
        foreground="#222",
        foreground_strong="#222",
        foreground_subtle="#bbb",
        colors=("#1f5fa8",),
        font_family="sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        title_font_size=13,
    )
    chart = pygal.Line(
        width=width,
        height=height,
        explicit_size=True,
        range=(line.low, line.high),
        y_labels=_ticks(line.low, line.high),
        show_legend=False,
        allow_interruptions=True,
        js=[],
        disable_xml_declaration=True,
        style=style,
        title=f"{line.label} ({line.low:g}–{line.high:g})",
        dots_size=3,
        truncate_label=-1,
        x_label_rotation=0 if len(sessions) <= 16 else 60,
        show_only_major_dots=False,
        print_values=False,
        no_data_text="no sessions",
    )
    chart.x_labels = [
        s.label + ("" if c.value is not None else f" ({c.text})")
        for s, c in zip(sessions, line.cells, strict=True)
    ]
    chart.add(line.label, line.values)
    svg: str = chart.render(is_unicode=True)
    return _NAMESPACE.sub("", _SCRIPT.sub("", _COMMENT.sub("", svg)))


def _ticks(low: float, high: float) -> list[float]:
    if high - low <= 10 and float(low).is_integer():
        return [low + k for k in range(int(high - low) + 1)]
    return [low + (high - low) * k / 4 for k in range(5)]
