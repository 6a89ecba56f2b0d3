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
from rating_tui.redcap.dictionary import annotation_text, choices_cell, write_csv
from rating_tui.redcap.records import RECORD_ID, form_name

_FIELD_TYPES = {"text": "", "date": "date_ymd", "integer": "integer", "number": "number"}


def _row(name: str, form: str, kind: str, label: str, **cells: str) -> list[str]:
    row = [name, form, cells.get("section", ""), kind, label, cells.get("choices", ""),
           cells.get("note", ""), cells.get("validation", ""), cells.get("min", ""),
           cells.get("max", ""), "", "", cells.get("required", ""), "", "", "", "",
           cells.get("annotation", "")]  # fmt: skip
    return row


def _bound(value: float | None) -> str:
    return "" if value is None else str(value)


def _field_row(f: SessionField, form: str) -> list[str]:
    extras = annotation_text({"field": f.model_dump(mode="json", exclude_defaults=True)})
    required = "y" if f.required else ""
    if f.type in ("single_choice", "multiple_choice"):
        kind = "radio" if f.type == "single_choice" else "checkbox"
        choices = choices_cell([(c.code, c.label) for c in f.choices])
        return _row(f.key, form, kind, f.label, choices=choices, note=f.help,
                    required=required, annotation=extras)  # fmt: skip
    return _row(f.key, form, "text", f.label, note=f.help, validation=_FIELD_TYPES[f.type],
                min=_bound(f.min), max=_bound(f.max), required=required,
                annotation=extras)  # fmt: skip


def _scale_cells(scale: Scale) -> dict[str, str]:
    """REDCap field type, choices and validation for one of our scales."""
    if isinstance(scale, LikertScale):
        return {
            "type": "radio",
            "choices": choices_cell([(p.value, p.label) for p in scale.points]),
        }
    if isinstance(scale, YesNoScale):
        return {"type": "yesno"}
    if isinstance(scale, SingleChoiceScale | MultipleChoiceScale):
        kind = "radio" if isinstance(scale, SingleChoiceScale) else "checkbox"
        return {"type": kind, "choices": choices_cell([(c.code, c.label) for c in scale.choices])}
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
    rows += [_field_row(f, form) for f in instrument.fields]
    titles = {s.key: s.title for s in instrument.sections}
    shown: set[str] = set()
    for item in instrument.items:
        cells: dict[str, Any] = _scale_cells(instrument.scale_of(item))
        section = ""
        if item.section is not None and item.section not in shown:
            shown.add(item.section)
            section = titles.get(item.section, "")
        extras = annotation_text({"item": item.model_dump(mode="json", exclude_defaults=True)})
        kind = cells.pop("type")
        rows.append(_row(item.key, form, kind, item.label, section=section, note=item.help,
                         required="y" if item.required else "", annotation=extras,
                         **cells))  # fmt: skip
    return rows


def dictionary_csv(instrument: Instrument) -> str:
    return write_csv(dictionary_rows(instrument))


def missing_codes_setting(instrument: Instrument) -> str:
    """The value for REDCap's project setting "Missing Data Codes" (empty when none)."""
    return " | ".join(f"{c.export_value}, {c.label}" for c in instrument.missing_codes)
