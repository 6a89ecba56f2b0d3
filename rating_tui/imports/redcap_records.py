"""REDCap records ("import records" CSV, raw values) of an instrument made by `export-redcap`,
and our own `export --format redcap`, read back into ratings of a known id@version.

`record_id` is the rating id when it is one (our export); any other record id (REDCap's 1,
2, 3...) gets a rating id derived from the instrument and the record id, so importing the
same file again finds the same ratings. A checkbox is one `field___code` column per choice.
`<form>_complete` = 2 is a final rating, anything else a draft. REDCap records carry no
times: a rating's created and updated times are its session date at 00:00 UTC (the summary
says so). REDCap's own bookkeeping columns (events, repeat instances, survey timestamps) are
set aside and named in the summary.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from typing import Any

from rating_tui.imports import cells
from rating_tui.imports.batch import Batch, Known, check
from rating_tui.imports.wide_csv import parse_csv
from rating_tui.instruments.model import Instrument, MultipleChoiceScale
from rating_tui.ratings.model import UUID_PATTERN, Value
from rating_tui.redcap.records import RECORD_ID, form_name

_REDCAP_OWN = re.compile(
    r"^(redcap_event_name|redcap_repeat_instrument|redcap_repeat_instance|"
    r"redcap_data_access_group|redcap_survey_identifier|.+_timestamp)$"
)
_NAMESPACE = uuid.UUID("5a0b7a52-8d0e-4f0e-9d43-0d1f6f3c2a17")
"""Fixed, so that a record id always maps to the same rating id."""


def _checkboxes(ins: Instrument) -> dict[str, list[tuple[str, int | str]]]:
    """Field or item key -> (column, code) of each choice, for multiple-choice questions."""
    out: dict[str, list[tuple[str, int | str]]] = {}
    for f in ins.fields:
        if f.type == "multiple_choice":
            out[f.key] = [(f"{f.key}___{str(c.code).lower()}", c.code) for c in f.choices]
    for item in ins.items:
        scale = ins.scale_of(item)
        if isinstance(scale, MultipleChoiceScale):
            out[item.key] = [(f"{item.key}___{str(c.code).lower()}", c.code) for c in scale.choices]
    return out


def read_redcap_records(
    text: str, known: Known, instrument: str, batch: Batch | None = None
) -> Batch:
    """Every record of the REDCap CSV `text` as a rating of `instrument` (id@version), into
    `batch` when given."""
    batch = Batch() if batch is None else batch
    for line, data in redcap_records(text, known, instrument, batch):
        check(batch, line, data, known)
    return batch


def redcap_records(
    text: str, known: Known, instrument: str, batch: Batch
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, the rating it holds in `Rating`'s JSON form) of each record that can be read as
    one; the problems of the table and of the other records go to `batch`."""
    loaded = known.get(instrument)
    if loaded is None:
        have = ", ".join(sorted(known)) or "none; see --instruments DIR"
        raise ValueError(f"--instrument {instrument}: not among your instruments ({have})")
    ins = loaded.instrument
    try:
        table = parse_csv(text)
    except csv.Error as exc:
        batch.refuse(0, [f"not valid CSV: {exc}"])
        return
    boxes = _checkboxes(ins)
    complete = f"{form_name(ins)}_complete"
    expected = {RECORD_ID, complete} | {f.key for f in ins.fields} | {i.key for i in ins.items}
    expected |= {column for pairs in boxes.values() for column, _ in pairs}
    own = [h for h in table.header if _REDCAP_OWN.match(h)]
    unknown = [h for h in table.header if h not in expected and h not in own]
    if RECORD_ID not in table.header or unknown:
        problem = (
            f"column(s) {', '.join(unknown)} are not fields of {instrument}"
            if unknown
            else f"no {RECORD_ID} column: not REDCap records"
        )
        batch.refuse(1, [problem + f" (expected {RECORD_ID}, the form's fields, {complete})"])
        return
    if complete not in table.header:  # every record was taken as a draft without a word
        batch.refuse(
            1,
            [
                f"no {complete} column: whether each record is final (2) or not cannot be told; "
                "export the records with the form's status column"
            ],
        )
        return
    if own:
        batch.notes.append(f"REDCap columns not read: {', '.join(own)}")
    absent = [
        key
        for key in [*(f.key for f in ins.fields), *(i.key for i in ins.items)]
        if key not in table.header
        and not all(column in table.header for column, _ in boxes.get(key, [("", 0)]))
    ]
    if absent:  # a REDCap export of some fields is fine, but the ratings are read without them
        batch.notes.append(
            f"column(s) not in the file, so no rating has a value for them: {', '.join(absent)}"
        )
    date_key = ins.key_for("session_date")
    batch.notes.append(
        "REDCap records carry no times: created and updated are the session date, 00:00 UTC"
    )
    for line, row in table.rows:
        if len(row) != len(table.header):
            batch.records += 1
            batch.refuse(line, [f"has {len(row)} cells; the header has {len(table.header)}"])
            continue
        cell = dict(zip(table.header, row, strict=True))
        data = _record(ins, loaded.content_hash, cell, boxes, complete, date_key)
        yield line, data


def _record(
    ins: Instrument,
    hash_: str,
    cell: dict[str, str],
    boxes: dict[str, list[tuple[str, int | str]]],
    complete: str,
    date_key: str | None,
) -> dict[str, Any]:
    session: dict[str, Value] = {}
    for f in ins.fields:
        value = (
            _ticked(cell, boxes[f.key])
            if f.key in boxes
            else cells.field_value(f, cell.get(f.key, ""), defused=False)
        )
        if value is not None:
            session[f.key] = value
    answers: dict[str, Any] = {}
    for item in ins.items:
        if item.key in boxes:
            ticked = _ticked(cell, boxes[item.key])
            if ticked is not None:
                answers[item.key] = {"value": ticked}
            continue
        answer = cells.item_answer(ins, item, cell.get(item.key, ""), defused=False)
        if answer is not None:
            answers[item.key] = answer.model_dump()
    record = cell.get(RECORD_ID, "")
    rating_id = (
        record
        if re.fullmatch(UUID_PATTERN, record)
        else str(uuid.uuid5(_NAMESPACE, f"{ins.ref}/{record}"))
    )
    rater_key = ins.key_for("rater")
    day = session.get(date_key) if date_key else None
    moment = f"{day}T00:00:00.000000+00:00" if isinstance(day, str) else ""
    return {
        "id": rating_id,
        "instrument": {"id": ins.id, "version": ins.version, "hash": hash_},
        "rater": str(session.get(rater_key, "")) if rater_key else "",
        "session": session,
        "answers": answers,
        "status": "final" if cell.get(complete) == "2" else "draft",
        "created": moment,
        "updated": moment,
    }


def _ticked(cell: dict[str, str], pairs: list[tuple[str, int | str]]) -> list[int | str] | None:
    """The codes ticked (1) among a checkbox's columns; None when every column is empty."""
    given = [cell.get(column, "") for column, _ in pairs]
    if all(g == "" for g in given):
        return None
    chosen = [code for (_, code), g in zip(pairs, given, strict=True) if g == "1"]
    return chosen or None
