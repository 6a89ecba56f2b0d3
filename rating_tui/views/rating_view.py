"""One rating in full as Rich renderables (`rating-tui ratings show`): session, items with
their labels, now moments, notes and every version with what changed.

The rater's words (notes, moments, reasons) are always `Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rating_tui.ratings.model import Answered, Missing
from rating_tui.ratings.shown import not_asked, scores_of
from rating_tui.safetext import escape
from rating_tui.views.instrument_view import scale_points

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument
    from rating_tui.ratings.model import Answer, HistoryEntry, Rating, Value


def rating_view(rating: Rating, instrument: Instrument | None) -> RenderableType:
    """Everything about one rating, labelled from its instrument when that is at hand."""
    header = [
        ("Id", rating.id),
        ("Status", rating.status + (f": {rating.void_reason}" if rating.void_reason else "")),
        ("Instrument", f"{rating.instrument.ref} (content {rating.instrument.hash[:12]})"),
        ("Rater", rating.rater),
        ("Created", _when(rating.created)),
        ("Updated", _when(rating.updated)),
    ]
    if instrument is None:
        header.append(("Note", "its instrument version is not among yours: keys, no labels"))
    fields = {f.key: f for f in instrument.fields} if instrument else {}
    session = []
    for key, value in rating.session.items():
        f = fields.get(key)
        choices = {str(c.code): c.label for c in f.choices} if f else {}
        session.append((f.label if f else key, _labelled(value, choices)))
    codes = {c.code: c.label for c in instrument.missing_codes} if instrument else {}
    items: list[tuple[str, str, dict[str, str]]] = [(k, k, {}) for k in rating.answers]
    if instrument is not None:
        items = [
            (i.key, i.label, dict(scale_points(instrument.scale_of(i)))) for i in instrument.items
        ]
    hidden = not_asked(instrument, rating) if instrument is not None else {}
    answers = [
        (label, "not asked" if k in hidden else _answer(rating.answers.get(k), points, codes))
        for k, label, points in items
    ]
    answers += [
        (r.score.label, r.text) for r in (scores_of(instrument, rating) if instrument else [])
    ]
    moments = [
        (f"{n}.", m.text + (f"  (touched: {', '.join(m.tags)})" if m.tags else ""))
        for n, m in enumerate(rating.now_moments, start=1)
    ]
    entries = rating.history()
    history = Table(title="History", title_justify="left", box=None, title_style="bold")
    for column in ("#", "since", "by", "why / what changed"):
        history.add_column(column, overflow="fold")
    for entry, before in zip(entries, [None, *entries], strict=False):
        what = "first saved" if before is None else f"{entry.reason}: {_changes(before, entry)}"
        history.add_row(str(entry.number), _when(entry.since), _plain(entry.by), _plain(what))
    parts = [_grid("Rating", header), _grid("Session", session), _grid("Items", answers)]
    if moments:
        parts.append(_grid("Now moments", moments))
    if rating.notes:
        parts.append(_grid("Notes", [("", rating.notes)]))
    parts.append(history)
    return Group(*(p for part in parts for p in (part, "")))


def _grid(title: str, rows: Iterable[tuple[str, str]]) -> RenderableType:
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.title_style = "bold"
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(_plain(key), _plain(value))
    return table


def _plain(text: str) -> RenderableType:
    """Never markup (notes and moments are the rater's words), and escaped: text stored before
    control characters were refused, or an instrument's, cannot drive the terminal."""
    return Text(escape(text))


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _labelled(value: Value, labels: dict[str, str]) -> str:
    values = value if isinstance(value, list) else [value]
    return ", ".join(f"{v} ({labels[str(v)]})" if str(v) in labels else str(v) for v in values)


def _answer(answer: Answer | None, points: dict[str, str], codes: dict[str, str]) -> str:
    if answer is None:
        return "– (no answer)"
    if isinstance(answer, Missing):
        label = codes.get(answer.missing)
        return f"{answer.missing} ({label})" if label else answer.missing
    return _labelled(answer.value, points)


def _changes(before: HistoryEntry, after: HistoryEntry) -> str:
    """What differs between two versions, briefly: `narration 2 -> 3, notes`."""
    old, new = before.content, after.content
    out = []
    for a, b in ((old.session, new.session), (old.answers, new.answers)):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                out.append(f"{key} {_short(a.get(key))} -> {_short(b.get(key))}")
    out += [name for name in ("now_moments", "notes") if getattr(old, name) != getattr(new, name)]
    if old.status != new.status:
        out.append(f"status {old.status} -> {new.status}")
    return ", ".join(out) or "no change in content"


def _short(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Missing):
        return str(value.missing)
    return str(value.value if isinstance(value, Answered) else value)
