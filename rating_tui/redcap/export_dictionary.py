"""One of our instruments as a REDCap data dictionary, ready to upload.

The standard columns carry what REDCap can show (labels, notes, choices, validation, required,
section headers); the `@RATING-TUI={...}` annotation carries the rest, so that importing the
dictionary again gives back the same instrument. Missing-data codes are REDCap project
settings, not dictionary content: `missing_codes_setting` gives the line to paste there.
"""

from __future__ import annotations

from typing import Any

from rating_tui.instruments.model import (
    Instrument,
    LikertScale,
    MultipleChoiceScale,
    NumericScale,
    Scale,
    SessionField,
    SingleChoiceScale,
    TextScale,
    YesNoScale,
)
from rating_tui.instruments.origin import Redcap
from rating_tui.instruments.scores import formula, score_items
from rating_tui.redcap.dictionary import annotation_text, choices_cell, write_csv
from rating_tui.redcap.logic import branching_logic, calculation
from rating_tui.redcap.records import RECORD_ID, form_name

_FIELD_TYPES = {"text": "", "date": "date_ymd", "integer": "integer", "number": "number"}


def _row(name: str, form: str, kind: str, label: str, **cells: str) -> list[str]:
    row = [name, form, cells.get("section", ""), kind, label, cells.get("choices", ""),
           cells.get("note", ""), cells.get("validation", ""), cells.get("min", ""),
           cells.get("max", ""), "", cells.get("branching", ""), cells.get("required", ""),
           "", "", "", "",
           cells.get("annotation", "")]  # fmt: skip
    return row


def _bound(value: float | None) -> str:
    return "" if value is None else str(value)


def _field_row(f: SessionField, form: str, checkboxes: set[str]) -> list[str]:
    extras = annotation_text({"field": f.model_dump(mode="json", exclude_defaults=True)})
    required = "y" if f.required else ""
    logic = branching_logic(f.show_if, checkboxes) if f.show_if is not None else ""
    if f.type in ("single_choice", "multiple_choice"):
        kind = "radio" if f.type == "single_choice" else "checkbox"
        if f.redcap is not None and {kind, f.redcap.type} == {"radio", "dropdown"}:
            kind = f.redcap.type
        choices = choices_cell([(c.code, c.label) for c in f.choices], f"field {f.key}")
        validation = f.redcap.validation if f.redcap is not None else ""
        return _row(f.key, form, kind, f.label, choices=choices, note=f.help,
                    required=required, annotation=extras, branching=logic,
                    validation=validation)  # fmt: skip
    validation = _FIELD_TYPES[f.type]
    if f.redcap is not None and f.redcap.validation:
        validation = f.redcap.validation
    return _row(f.key, form, "text", f.label, note=f.help, validation=validation,
                min=_bound(f.min), max=_bound(f.max), required=required,
                annotation=extras, branching=logic)  # fmt: skip


def _as_imported(cells: dict[str, Any], origin: Redcap | None) -> dict[str, Any]:
    """The REDCap type and validation a question was imported with, where they fit the
    scale (a dropdown for a radio list, notes for text, autocomplete...)."""
    if origin is None:
        return cells
    same_kind = [{"radio", "dropdown"}, {"text", "notes"}, {"yesno", "truefalse"}]
    if origin.type == cells["type"] or {origin.type, cells["type"]} in same_kind:
        cells = cells | {"type": origin.type}
    if origin.validation:
        cells = cells | {"validation": origin.validation}
    return cells


def _scale_cells(scale: Scale, where: str = "a scale") -> dict[str, str]:
    """REDCap field type, choices and validation for one of our scales."""
    if isinstance(scale, LikertScale):
        return {
            "type": "radio",
            "choices": choices_cell([(p.value, p.label) for p in scale.points], where),
        }
    if isinstance(scale, YesNoScale):
        return {"type": "yesno"}
    if isinstance(scale, SingleChoiceScale | MultipleChoiceScale):
        kind = "radio" if isinstance(scale, SingleChoiceScale) else "checkbox"
        pairs = [(c.code, c.label) for c in scale.choices]
        return {"type": kind, "choices": choices_cell(pairs, where)}
    if isinstance(scale, NumericScale):
        if (scale.min, scale.max, scale.step) == (0, 100, 1):
            labels = f"{scale.min_label} | | {scale.max_label}"
            return {"type": "slider", "choices": labels, "validation": "number"}
        whole = all(isinstance(x, int) for x in (scale.min, scale.max, scale.step))
        return {"type": "text", "validation": "integer" if whole else "number",
                "min": str(scale.min), "max": str(scale.max)}  # fmt: skip
    assert isinstance(scale, TextScale)
    return {"type": "notes" if scale.multiline else "text"}


def dictionary_rows(instrument: Instrument) -> list[list[str]]:
    """The record id row, then one row per session field and item."""
    form = form_name(instrument)
    top = instrument.model_dump(mode="json", exclude_defaults=True, exclude={"fields", "items"})
    rows = [
        _row(RECORD_ID, form, "text", "Rating id", annotation=annotation_text({"instrument": top}))
    ]
    checkboxes = {f.key for f in instrument.fields if f.type == "multiple_choice"} | {
        i.key for i in instrument.items if isinstance(instrument.scale_of(i), MultipleChoiceScale)
    }
    rows += [_field_row(f, form, checkboxes) for f in instrument.fields]
    titles = {s.key: s.title for s in instrument.sections}
    shown: set[str] = set()
    for item in instrument.items:
        cells: dict[str, Any] = _as_imported(
            _scale_cells(instrument.scale_of(item), f"item {item.key}"), item.redcap
        )
        if item.show_if is not None:
            cells["branching"] = branching_logic(item.show_if, checkboxes)
        section = ""
        if item.section is not None and item.section not in shown:
            shown.add(item.section)
            section = titles.get(item.section, "")
        extras = annotation_text({"item": item.model_dump(mode="json", exclude_defaults=True)})
        kind = cells.pop("type")
        rows.append(_row(item.key, form, kind, item.label, section=section, note=item.help,
                         required="y" if item.required else "", annotation=extras,
                         **cells))  # fmt: skip
    for score in instrument.scores:
        keys = score_items(instrument, score)
        note = formula(instrument, score)
        extras = annotation_text({"score": score.model_dump(mode="json", exclude_defaults=True)})
        rows.append(_row(score.key, form, "calc", score.label, choices=calculation(score, keys),
                         note=f"rating-tui: {note}", annotation=extras))  # fmt: skip
    return rows


def dictionary_csv(instrument: Instrument) -> str:
    return write_csv(dictionary_rows(instrument))


def missing_codes_setting(instrument: Instrument) -> str:
    """The value for REDCap's project setting "Missing Data Codes" (empty when none)."""
    pairs = [(c.export_value, c.label) for c in instrument.missing_codes]
    return choices_cell(pairs, "missing codes")
