"""What each exported column holds, and how a stored value becomes its cell.

One `Column` describes a column for every consumer (CSV tables, codebook, REDCap, SPSS), so
the codebook can never disagree with the data. `ValueSpec` is the per-instrument-version part:
the column plus the function that writes a stored value in `codes` or `labels` mode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from rating_tui.export.cells import (
    CODE_SEPARATOR,
    LABEL_SEPARATOR,
    neutralise,
    number_cell,
    scalar_cell,
)
from rating_tui.instruments.conditions import describe
from rating_tui.instruments.model import (
    Choice,
    Instrument,
    Item,
    LikertScale,
    MultipleChoiceScale,
    NumericScale,
    SessionField,
    SingleChoiceScale,
    TextScale,
    YesNoScale,
)
from rating_tui.instruments.scores import Score, formula, score_items

ValuesMode = Literal["codes", "labels"]
ColumnType = Literal["string", "integer", "number", "date", "datetime", "mixed"]
Source = Literal["rating", "session", "item", "long", "score"]
Encoder = Callable[[object], str]


@dataclass(frozen=True)
class Column:
    """One exported column: its name, meaning, type and coded values."""

    name: str
    label: str
    source: Source
    type: ColumnType
    values: tuple[tuple[str, str], ...] = ()
    """(code as written in the cell, its label), e.g. ("2", "Moderate")."""
    missing: tuple[tuple[str, str], ...] = ()
    """(missing code as written in the cell, its label), e.g. ("-9", "Not observed")."""
    required: bool = False
    note: str = ""
    versions: tuple[str, ...] = ()
    """Instrument versions this definition comes from."""
    missing_keys: tuple[str, ...] = ()
    """The keys of the `missing` codes, in the same order (`not_observed`)."""

    def same_definition(self, other: Column) -> bool:
        return replace(self, versions=()) == replace(other, versions=())


@dataclass(frozen=True)
class ValueSpec:
    """A session field or item of one instrument version, ready to write cells."""

    key: str
    column: Column
    encode: Encoder
    missing_cells: dict[str, str] = field(default_factory=dict)
    """Missing code key -> what the cell says (its export value, or its label)."""


def _plain(text: str) -> str:
    return text


def defuser(guard: bool) -> Callable[[str], str]:
    """`neutralise` for files meant for spreadsheets; the identity for REDCap, SPSS, Stata."""
    return neutralise if guard else _plain


def _text_encoder(guard: bool) -> Encoder:
    defuse = defuser(guard)

    def encode(value: object) -> str:
        return defuse(value) if isinstance(value, str) else scalar_cell(value, guard)

    return encode


def _number_encoder(guard: bool) -> Encoder:
    def encode(value: object) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return number_cell(value)
        return scalar_cell(value, guard)

    return encode


def _choice_encoder(choices: Sequence[tuple[str, str]], mode: ValuesMode, guard: bool) -> Encoder:
    """Single choice: the code (a number stays a number) or the label."""
    labels = dict(choices)
    defuse = defuser(guard)

    def code(value: object) -> str:
        return scalar_cell(value, guard)

    def label(value: object) -> str:
        found = labels.get(str(value))
        return defuse(found) if found is not None else scalar_cell(value, guard)

    return code if mode == "codes" else label


def _multi_encoder(choices: Sequence[tuple[str, str]], mode: ValuesMode, guard: bool) -> Encoder:
    """Multiple choice: codes (or labels) in the instrument's order, joined in one cell."""
    order = [code for code, _ in choices]
    labels = dict(choices)
    sep = CODE_SEPARATOR if mode == "codes" else LABEL_SEPARATOR
    defuse = defuser(guard)

    def encode(value: object) -> str:
        given = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        ordered = [c for c in order if c in given] + [c for c in given if c not in labels]
        parts = ordered if mode == "codes" else [labels.get(c, c) for c in ordered]
        return defuse(sep.join(parts))

    return encode


def _choices(choices: Sequence[Choice]) -> tuple[tuple[str, str], ...]:
    return tuple((str(c.code), c.label) for c in choices)


def _code_type(choices: Sequence[Choice]) -> ColumnType:
    return "integer" if all(isinstance(c.code, int) for c in choices) else "string"


def field_spec(f: SessionField, mode: ValuesMode, version: str, guard: bool = True) -> ValueSpec:
    """The column and encoder of a session field."""
    values: tuple[tuple[str, str], ...] = ()
    note = f.help
    encode: Encoder
    kind: ColumnType
    if f.type == "text":
        kind, encode = "string", _text_encoder(guard)
    elif f.type == "date":
        kind, encode, note = "date", _text_encoder(guard), "YYYY-MM-DD"
    elif f.type in ("integer", "number"):
        kind, encode = ("integer" if f.type == "integer" else "number"), _number_encoder(guard)
    elif f.type == "single_choice":
        values = _choices(f.choices)
        kind = _code_type(f.choices) if mode == "codes" else "string"
        encode = _choice_encoder(values, mode, guard)
    else:
        values = _choices(f.choices)
        kind, encode = "string", _multi_encoder(values, mode, guard)
        note = f"several codes joined with '{CODE_SEPARATOR}'"
    if f.show_if is not None:
        note = "; ".join(x for x in (note, f"asked only if {describe(f.show_if)}") if x)
    column = Column(f.key, f.label, "session", kind, values, (), f.required, note, (version,))
    return ValueSpec(f.key, column, encode)


def item_spec(
    instrument: Instrument, item: Item, mode: ValuesMode, guard: bool = True
) -> ValueSpec:
    """The column, encoder and missing-code cells of an item."""
    scale = instrument.scale_of(item)
    values: tuple[tuple[str, str], ...] = ()
    note = ""
    encode: Encoder
    kind: ColumnType
    if isinstance(scale, LikertScale):
        values = tuple((str(p.value), p.label) for p in scale.points)
        kind, encode = "integer", _choice_encoder(values, mode, guard)
    elif isinstance(scale, YesNoScale):
        values = (("1", scale.yes_label), ("0", scale.no_label))
        kind, encode = "integer", _choice_encoder(values, mode, guard)
    elif isinstance(scale, SingleChoiceScale):
        values = _choices(scale.choices)
        kind, encode = _code_type(scale.choices), _choice_encoder(values, mode, guard)
    elif isinstance(scale, MultipleChoiceScale):
        values = _choices(scale.choices)
        kind, encode = "string", _multi_encoder(values, mode, guard)
        note = f"several codes joined with '{CODE_SEPARATOR}'"
    elif isinstance(scale, NumericScale):
        whole = all(isinstance(x, int) for x in (scale.min, scale.max, scale.step))
        kind, encode = ("integer" if whole else "number"), _number_encoder(guard)
        note = f"from {scale.min} to {scale.max} in steps of {scale.step}"
    else:
        assert isinstance(scale, TextScale)
        kind, encode = "string", _text_encoder(guard)
    if mode == "labels" and values:
        kind = "string"
    by_code = {c.code: c for c in instrument.missing_codes}
    allowed = [by_code[k] for k in item.missing_codes if k in by_code]
    missing = tuple((scalar_cell(c.export_value), c.label) for c in allowed)
    if mode == "codes":
        cells = {c.code: scalar_cell(c.export_value, guard) for c in allowed}
        if any(isinstance(c.export_value, str) for c in allowed) and kind != "string":
            kind = "string"
    else:
        cells = {c.code: defuser(guard)(c.label) for c in allowed}
        kind = "string" if allowed else kind
    version = (instrument.version,)
    if item.show_if is not None:
        note = "; ".join(x for x in (note, f"asked only if {describe(item.show_if)}") if x)
    column = Column(
        item.key, item.label, "item", kind, values, missing, item.required, note, version,
        tuple(c.code for c in allowed),
    )  # fmt: skip
    return ValueSpec(item.key, column, encode, cells)


def score_column(instrument: Instrument, score: Score) -> Column:
    """A computed score's column: a number, its formula as the note (never a stored answer)."""
    scales = [
        instrument.scale_of(i) for i in instrument.items if i.key in score_items(instrument, score)
    ]
    whole = score.method == "sum" and all(
        isinstance(s, LikertScale | YesNoScale)
        or (isinstance(s, NumericScale) and all(isinstance(x, int) for x in (s.min, s.step)))
        for s in scales
    )
    label = score.label
    return Column(
        score.key,
        label,
        "score",
        "integer" if whole else "number",
        note="computed: " + formula(instrument, score),
        versions=(instrument.version,),
    )


def merged_type(a: ColumnType, b: ColumnType) -> ColumnType:
    """The type of a column whose versions disagree: integer+number is number, else string."""
    if a == b:
        return a
    if {a, b} == {"integer", "number"}:
        return "number"
    return "string"
