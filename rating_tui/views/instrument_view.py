"""An instrument as Rich renderables, shared by `instruments show` and the app's preview.

Every piece of instrument text is passed as `Text` (never as markup), so brackets written by a
researcher are shown as written, and escaped (`safetext.escape`), so a bidi control in a label
shows as `\u202e` instead of turning the line around.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rating_tui.instruments.conditions import describe
from rating_tui.instruments.loader import LoadedInstrument
from rating_tui.instruments.model import (
    Instrument,
    Item,
    LikertScale,
    MultipleChoiceScale,
    NumericScale,
    Scale,
    SessionField,
    SingleChoiceScale,
    TextScale,
    YesNoScale,
)
from rating_tui.instruments.scores import formula
from rating_tui.safetext import escape


def _text(text: str, style: str = "") -> Text:
    return Text(escape(text), style=style)


def instrument_view(loaded: LoadedInstrument) -> RenderableType:
    """The whole instrument: identity, session fields, items with anchors, now moments."""
    ins = loaded.instrument
    parts: list[RenderableType] = [
        _header(loaded),
        Text("Session fields", style="bold underline"),
        _fields_table(ins),
        Text(""),
        Text("Items", style="bold underline"),
    ]
    parts += [_item_view(ins, n, item) for n, item in enumerate(ins.items, start=1)]
    if ins.scores:
        parts.append(Text("Scores (computed, never stored)", style="bold underline"))
        parts += [
            Text(f"{score.key}: {score.label} = {formula(ins, score)}") for score in ins.scores
        ]
        parts.append(Text(""))
    parts.append(_now_moments(ins))
    return Group(*parts)


def _header(loaded: LoadedInstrument) -> RenderableType:
    ins = loaded.instrument
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    rows = [
        ("id", f"{ins.id}@{ins.version}"),
        ("sha256", loaded.content_hash),
        ("source", f"{loaded.source}: {loaded.path}"),
        ("authors", ", ".join(ins.authors)),
        ("citation", ins.citation),
        ("licence", ins.licence),
    ]
    for label, value in rows:
        if value:
            grid.add_row(label, _text(value))
    body = Group(_text(ins.description.strip()), Text(""), grid) if ins.description else grid
    return Panel(body, title=_text(ins.title, style="bold"), title_align="left")


def _fields_table(ins: Instrument) -> Table:
    table = Table(expand=True, show_edge=False)
    table.add_column("field", max_width=30)
    table.add_column("answer", ratio=1)
    for f in ins.fields:
        name = _text(f.label + ("" if f.required else " (optional)"))
        name.append(f"\n{f.key} · {f.type}", style="dim")
        table.add_row(name, _text(field_rule(f)))
    return table


def field_rule(f: SessionField) -> str:
    """What a valid answer to a session field looks like, in words."""
    bits = []
    if f.role:
        bits.append(f"role: {f.role}")
    if f.pattern_hint or f.pattern:
        bits.append(f.pattern_hint or f"matches {f.pattern}")
    if f.min is not None or f.max is not None:
        bits.append(f"{'' if f.min is None else f.min}–{'' if f.max is None else f.max}")
    if f.choices:
        bits.append(" / ".join(c.label for c in f.choices))
    if f.default is not None:
        shown = ", ".join(map(str, f.default)) if isinstance(f.default, list) else f.default
        bits.append(f"default: {shown}")
    return "; ".join(bits)


def scale_summary(scale: Scale) -> str:
    """A one-line description of a scale, e.g. `likert 0–4` or `numeric 0–100 step 5`."""
    if isinstance(scale, LikertScale):
        return f"likert {scale.points[0].value}–{scale.points[-1].value}"
    if isinstance(scale, NumericScale):
        return f"numeric {scale.min}–{scale.max} step {scale.step}"
    if isinstance(scale, YesNoScale):
        return f"yes/no ({scale.yes_label} = 1, {scale.no_label} = 0)"
    if isinstance(scale, SingleChoiceScale | MultipleChoiceScale):
        kind = "one of" if isinstance(scale, SingleChoiceScale) else "any of"
        return f"{kind} {len(scale.choices)} choices"
    if isinstance(scale, TextScale):
        return f"free text (at most {scale.max_length} characters)"
    raise TypeError(scale)


def scale_points(scale: Scale) -> list[tuple[str, str]]:
    """(value, label) of each point a rater can choose; empty for numeric and text scales."""
    if isinstance(scale, LikertScale):
        return [(str(p.value), p.label) for p in scale.points]
    if isinstance(scale, YesNoScale):
        return [("1", scale.yes_label), ("0", scale.no_label)]
    if isinstance(scale, SingleChoiceScale | MultipleChoiceScale):
        return [(str(c.code), c.label) for c in scale.choices]
    return []


def _item_view(ins: Instrument, number: int, item: Item) -> RenderableType:
    scale = ins.scale_of(item)
    codes = {c.code: c for c in ins.missing_codes}
    meta = [f"key {item.key}", scale_summary(scale), "required" if item.required else "optional"]
    meta += [f"{codes[c].label} = {codes[c].export_value}" for c in item.missing_codes]
    if item.show_if is not None:
        meta.append(f"asked only if {describe(item.show_if)}")
    table = Table(show_header=False, expand=True, show_edge=False, box=None, padding=(0, 1))
    table.add_column(no_wrap=True, style="bold")
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    points = scale_points(scale)
    if isinstance(scale, NumericScale):
        ends = {str(scale.min): scale.min_label, str(scale.max): scale.max_label}
        points = [(k, v) for k, v in ends.items()] + [
            (k, "") for k in item.anchors if k not in ends
        ]
    for value, label in points:
        table.add_row(_text(value), _text(label), _text(item.anchors.get(value, ""), style="dim"))
    body: list[RenderableType] = [Text(" · ".join(meta), style="italic")]
    if item.help:
        body.append(_text(item.help.strip()))
    if points:
        body.append(Padding(table, (1, 0, 0, 2)))
    return Panel(
        Group(*body), title=_text(f"{number}. {item.label}", style="bold"), title_align="left"
    )


def _now_moments(ins: Instrument) -> RenderableType:
    if not ins.now_moments.enabled:
        return Text("Now moments: not logged with this instrument.", style="italic")
    tags = ", ".join(ins.moment_tags)
    return Text(f"Now moments: logged, tagged with {tags}.", style="italic")
