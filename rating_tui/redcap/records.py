"""Ratings as a REDCap "import records" CSV for the dictionary `export-redcap` writes.

One row per rating, `record_id` (the rating id) first, then the dictionary's fields in order;
a checkbox (multiple choice) is one 0/1 column per choice, `field___code`, as REDCap expects;
the form's `<form>_complete` status is 2 (complete) for final ratings and 0 otherwise. A
missing-data code is written as its export value: define the same codes in the REDCap project
(Missing Data Codes) so that REDCap accepts them. Text is defused (`cells.neutralise`) only
with `--excel`, for a file opened in a spreadsheet: REDCap's importer would store the quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rating_tui.export.errors import ExportError
from rating_tui.export.plan import Plan
from rating_tui.instruments.model import Instrument, MultipleChoiceScale
from rating_tui.ratings.model import Missing, Rating

RECORD_ID = "record_id"
_NOT_NAME = re.compile(r"[^a-z0-9_]+")


def form_name(instrument: Instrument) -> str:
    """The REDCap form (instrument) name: lower-case letters, digits and underscores."""
    name = _NOT_NAME.sub("_", instrument.id.lower()).strip("_")
    return name if name[:1].isalpha() else f"form_{name}"


def _single(plan: Plan) -> Instrument:
    if len(plan.instruments) != 1:
        raise ExportError(
            "a REDCap file matches one data dictionary, so one instrument version: "
            "choose it with --instrument ID@VERSION (without --all-versions)"
        )
    return plan.instruments[0]


def _choice_codes(instrument: Instrument, key: str) -> list[str] | None:
    field = next((f for f in instrument.fields if f.key == key), None)
    if field is not None:
        return [str(c.code) for c in field.choices] if field.type == "multiple_choice" else None
    item = next(i for i in instrument.items if i.key == key)
    scale = instrument.scale_of(item)
    return [str(c.code) for c in scale.choices] if isinstance(scale, MultipleChoiceScale) else None


def records_header(plan: Plan) -> list[str]:
    instrument = _single(plan)
    header = [RECORD_ID]
    for key in [f.key for f in instrument.fields] + [i.key for i in instrument.items]:
        codes = _choice_codes(instrument, key)
        header += [f"{key}___{c.lower()}" for c in codes] if codes is not None else [key]
    return [*header, f"{form_name(instrument)}_complete"]


def records_rows(plan: Plan, ratings: Iterable[Rating]) -> Iterator[list[str]]:
    """One REDCap record per rating (values always as codes)."""
    instrument = _single(plan)
    keys = [f.key for f in instrument.fields] + [i.key for i in instrument.items]
    checkboxes = {k: codes for k in keys if (codes := _choice_codes(instrument, k)) is not None}
    for rating in ratings:
        vp = plan.version_plan(rating, rating.id)
        specs = {s.key: s for _, s in vp.fields} | {s.key: s for _, s in vp.items}
        row = [rating.id]
        for key in keys:
            if key in specs and specs[key].column.source == "session":
                value: object = rating.session.get(key)
                missing = None
            else:
                answer = rating.answers.get(key)
                value = getattr(answer, "value", None)
                missing = answer.missing if isinstance(answer, Missing) else None
            if key in checkboxes:
                chosen = {str(v) for v in value} if isinstance(value, list) else set()
                given = isinstance(value, list)
                row += [("1" if c in chosen else "0") if given else "" for c in checkboxes[key]]
            elif missing is not None:
                row.append(specs[key].missing_cells.get(missing, missing))
            elif value is None or value == "":
                row.append("")
            else:
                row.append(specs[key].encode(value))
        row.append("2" if rating.status == "final" else "0")
        yield row
