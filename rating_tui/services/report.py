"""The supervision report: one self-contained HTML file per dyad, and a caseload page per rater.

Self-contained means the file reaches nothing outside itself: CSS and SVG charts are inline,
there is no script, image, font or link to fetch, so it opens offline and prints the same from
any browser (print CSS with page breaks). Every piece of the raters' text is escaped. Notes may
hold clinical detail and are left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from rating_tui.instruments.model import Instrument, YesNoScale
from rating_tui.services.alerts import Alert
from rating_tui.services.caseload import DyadStatus
from rating_tui.services.choice_words import choice_items, session_cells, text_items
from rating_tui.services.report_axis import Axis, session_axis
from rating_tui.services.report_charts import item_chart
from rating_tui.services.trajectory import Line, Trajectory

CSS = """
body { font-family: sans-serif; color: #222; margin: 2em auto; max-width: 60em; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #999; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top; }
td.num { text-align: right; }
table.grid td { white-space: nowrap; }
td.gap { color: #a33; text-align: right; }
.muted { color: #666; }
.alert { color: #8a4b00; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: .4em 0; }
.chart svg { max-width: 100%; height: auto; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section.page { break-before: page; page-break-before: always; }
  tr, .moment { break-inside: avoid; page-break-inside: avoid; }
}
"""


def dyad_report(
    t: Trajectory,
    alerts: list[Alert],
    *,
    today: date,
    notes: bool,
    rater: str | None = None,
    left_out: int = 0,
    drafts: int = 0,
) -> str:
    """The whole report of one dyad as HTML text; `left_out`: the dyad's final ratings by
    other raters that `rater` left out (said with it); `drafts`: its drafts (of `rater`), in
    no figure (a session rated but not yet finished was left out without a word)."""
    ins = t.instrument
    raters = sorted({r for s in t.sessions for r in s.raters})
    first, last = (t.sessions[0], t.sessions[-1]) if t.sessions else (None, None)
    span = f"{first.label} ({first.date}) to {last.label} ({last.date})" if first and last else ""
    parts = [
        f"<h1>Dyad {_e(t.dyad)}: course of therapy</h1>",
        f'<p class="muted">Report made {today.isoformat()} by rating-tui. '
        f"{len(t.sessions)} rated session(s) {_e(span)}; rater(s): {_e(', '.join(raters))}"
        + (f" (only {_e(rater)}'s ratings" if rater else "")
        + (f": {left_out} by other raters left out" if rater and left_out else "")
        + (")" if rater else "")
        + f". {_e(t.scale_note.capitalize())}."
        + (
            f" Final ratings only: {drafts} draft(s) of this dyad are left out until they are "
            "finished."
            if drafts
            else ""
        )
        + "</p>",
        f"<p>Instrument: <b>{_e(ins.title)}</b> ({_e(ins.ref)}).<br>"
        f"Citation: {_e(ins.citation) or 'none given'}</p>",
        _alerts_section(t, alerts),
        '<section class="page"><h2>Course of every item</h2>',
    ]
    axis = session_axis(t.sessions)
    parts.append(_course_note(t, axis))
    parts += [
        f'<div class="chart">{item_chart(line, t.sessions, axis, _names(ins, line.key))}</div>'
        for line in (t.lines if t.sessions else [])
    ]
    parts.append("</section>")
    parts.append(_grid(t))
    parts.append(_moments(t))
    if notes:
        parts.append(_notes(t))
    else:
        parts.append('<p class="muted">Notes are left out (add --notes to include them).</p>')
    return _page(f"Dyad {t.dyad}", parts)


def caseload_report(
    rater: str,
    dyads: Iterable[DyadStatus],
    *,
    today: date,
    left_out: Callable[[DyadStatus], int] = lambda _: 0,
    others: str | None = None,
) -> str:
    """Every dyad of one rater: sessions, last session, trend and current alerts; with
    `left_out`, each dyad's final ratings by other raters (not in its figures), and `others`
    says so above the table."""
    rows = []
    for d in dyads:
        t = d.trajectory
        alerts = "<br>".join(_e(a.message) for a in d.alerts) or '<span class="muted">none</span>'
        count = left_out(d)
        aside = f" <span class='muted'>({count} by others, left out)</span>" if count else ""
        rows.append(
            f"<tr><td>{_e(t.dyad)}</td><td class='num'>{len(t.sessions)}{aside}</td>"
            f"<td>{_e(t.sessions[-1].label)} ({_e(d.last_date)})</td>"
            f"<td>{_e(_trend(t))}</td><td class='alert'>{alerts}</td></tr>"
        )
    parts = [
        f"<h1>Caseload of {_e(rater)}</h1>",
        f'<p class="muted">Report made {today.isoformat()} by rating-tui from {_e(rater)}\'s '
        f"final ratings: {len(rows)} dyad(s), most recent session first. Trend: the mean of "
        "the items with a value at both the first and the latest session (how many, when "
        "not all); when those items have scales of different ranges, each value is first "
        "put as a share of its item's scale (0% its lowest point, 100% its highest), and "
        "the trend is in %.</p>",
        *([f"<p><strong>{_e(others)}.</strong></p>"] if others else []),
        "<table><tr><th>Dyad</th><th>Sessions</th><th>Last session</th><th>Trend</th>"
        "<th>Current alerts</th></tr>",
        *rows,
        "</table>",
    ]
    return _page(f"Caseload of {rater}", parts)


def _course_note(t: Trajectory, axis: Axis) -> str:
    """What the charts show and how they are spaced, and the items they leave out."""
    if not t.sessions:
        return "<p>No sessions to chart.</p>"
    first, last = t.sessions[0], t.sessions[-1]
    if axis.by_date:
        spacing = (
            f"<b>Spaced by date</b>, {_e(first.date)} to {_e(last.date)}: the room between "
            "two sessions is the time between them; sessions on one date sit side by side, "
            "and their label names each of them."
        )
    else:
        spacing = (
            "<b>Spaced in order, not by date</b>: a session's date could not be read; the "
            "dates are in the table of values."
        )
    note = (
        f"<p>{spacing} Each chart shows its item's whole scale. A session without a value "
        "breaks the line and is marked on the n/o row under the scale: a red dot for a "
        "missing code (not observed or not applicable), a hollow ring for no answer; the "
        "table of values says which, and hovering a mark shows its session.</p>"
    )
    charted = {line.key for line in t.lines}
    others = [i.label for i in t.instrument.items if i.key not in charted]
    if others:
        note += (
            f"<p class='muted'>Not charted: {len(others)} item(s) without a scale of numbers "
            f"(choices or text): {_e(', '.join(others))}; the answers of choices are in the "
            "table of values, those of text items in the ratings and exports.</p>"
        )
    return note


def _names(ins: Instrument, key: str) -> dict[float, str] | None:
    """The words of a yes/no item's two points, for its chart's scale."""
    item = next((i for i in ins.items if i.key == key), None)
    scale = ins.scale_of(item) if item else None
    if isinstance(scale, YesNoScale):
        return {0.0: scale.no_label, 1.0: scale.yes_label}
    return None


def _alerts_section(t: Trajectory, alerts: list[Alert]) -> str:
    rules = t.instrument.alerts
    if not rules:
        return f"<h2>Alerts</h2><p>{_e(t.instrument.ref)} defines no alert rules.</p>"
    checked = "; ".join(_e(r.describe()) for r in rules)
    if not alerts:
        body = "<p>No rule was met in any session.</p>"
    else:
        rows = "".join(
            f"<tr><td>{_e(a.date)}</td><td>{_e(', '.join(a.sessions))}</td>"
            f"<td class='alert'>{_e(a.message)}</td><td>{'current' if a.latest else ''}</td></tr>"
            for a in alerts
        )
        body = (
            f"<table><tr><th>Date</th><th>Sessions</th><th>Alert</th><th></th></tr>{rows}</table>"
        )
    return f"<h2>Alerts</h2><p class='muted'>Rules checked: {checked}.</p>{body}"


def _grid(t: Trajectory) -> str:
    """Every session's values, and the answers of the choice items in words (no chart has
    them: they were left out of this table without a word); the text items it leaves out are
    named under it."""
    choices = choice_items(t.instrument)
    head = "".join(f"<th>{_e(line.key)}</th>" for line in t.lines)
    head += "".join(f"<th>{_e(key)}</th>" for key, _ in choices)
    by_session: dict[tuple[str, int | None], list[tuple[Any, dict[str, str]]]] = {}
    for o in t.observations:
        by_session.setdefault((o.date, o.number), []).append((o.answers, dict(o.chosen)))
    rows = []
    for n, s in enumerate(t.sessions):
        cells = "".join(
            f"<td class='{'num' if line.cells[n].value is not None else 'gap'}'>"
            f"{_e(line.cells[n].text)}</td>"
            for line in t.lines
        )
        group = by_session.get((s.date, s.number), [])
        cells += "".join(f"<td>{_e(session_cells(key, group))}</td>" for key, _ in choices)
        rows.append(
            f"<tr><td>{_e(s.label)}</td><td>{_e(s.date)}</td>{cells}"
            f"<td>{_e(', '.join(s.raters))}</td></tr>"
        )
    texts = text_items(t.instrument)
    left = (
        f"<p class='muted'>Not in this table: {len(texts)} free-text item(s), "
        f"{_e(', '.join(texts))}; their answers are in the ratings and exports.</p>"
        if texts
        else ""
    )
    return (
        '<section class="page"><h2>Values by session</h2>'
        f"<table class='grid'><tr><th>Session</th><th>Date</th>{head}<th>Rater(s)</th></tr>"
        f"{''.join(rows)}</table>{left}</section>"
    )


def _moments(t: Trajectory) -> str:
    found = [
        (o.date, o.number, o.rater, text, tags) for o in t.observations for text, tags in o.moments
    ]
    if not found:
        return "<h2>Now moments</h2><p>None logged.</p>"
    items = "".join(
        f'<li class="moment"><b>{_e(day)}</b>'
        + (f" (#{number})" if number is not None else "")
        + f", {_e(rater)}: {_e(text)}"
        + (f" <span class='muted'>[{_e(', '.join(tags))}]</span>" if tags else "")
        + "</li>"
        for day, number, rater, text, tags in found
    )
    return f"<h2>Now moments, in time order</h2><ol>{items}</ol>"


def _notes(t: Trajectory) -> str:
    found = [o for o in t.observations if o.notes.strip()]
    if not found:
        return "<h2>Notes</h2><p>None written.</p>"
    items = "".join(f"<li><b>{_e(o.date)}</b>, {_e(o.rater)}: {_e(o.notes)}</li>" for o in found)
    return f"<h2>Notes</h2><ul>{items}</ul>"


def _trend(t: Trajectory) -> str:
    """The mean of the items that have a value at both the first and the latest session. Each
    mean once took whichever items had a value at its own session, so a concept not observed
    at the start and rated 4 at the end moved the trend with nothing to compare it with; the
    items left out are counted beside it. Items on scales of different ranges (0-4 beside
    0-100) are each put as a share of their range first, and the trend is shown in %: a mean
    of raw values let the widest scale swamp the others."""
    if len(t.sessions) == 1:
        used = [line for line in t.lines if line.cells[0].value is not None]
        if not used:
            return "no values to compare"
        mean, unit = _mean(used, 0)
        return f"{mean} (one session){unit}" + _of(len(used), len(t.lines))
    used = [
        line
        for line in t.lines
        if line.cells[0].value is not None and line.cells[-1].value is not None
    ]
    if not used:
        return "no item has a value at both the first and the latest session"
    (first, unit), (last, _) = _mean(used, 0), _mean(used, -1)
    return f"{first} → {last}{unit}" + _of(len(used), len(t.lines))


def _mean(lines: list[Line], at: int) -> tuple[str, str]:
    """The mean of the lines' values at session `at`, as written, and what it is in: raw
    points when every line has the same scale, else percent of each line's range."""
    values = [line.cells[at].value or 0.0 for line in lines]
    if len({(line.low, line.high) for line in lines}) == 1:
        return f"{sum(values) / len(values):.1f}", ""
    shares = [
        (v - line.low) / (line.high - line.low) * 100 for v, line in zip(values, lines, strict=True)
    ]
    whole = Decimal(str(sum(shares) / len(shares))).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{whole}%", " of each item's scale"


def _of(used: int, items: int) -> str:
    return "" if used == items else f" ({used} of {items} items)"


def _page(title: str, parts: list[str]) -> str:
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _e(text: str) -> str:
    return escape(text, quote=True)
