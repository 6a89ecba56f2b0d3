"""The wide row of one instrument version as one function, written for that version.

`records.RecordTables.wide_row` checks a stored record and fills its row part by part, in
loops over the version's fields and items. At 100,000 ratings those loops (a tuple unpacked
per column, an index assigned per cell, a call per check) cost as much as reading the month
files. `compile_wide` writes the same steps out for one version, once, when its first rating
is read: one block per field and per item, with the column's key, memo and missing-code
cells bound as names, and the row built as one list. Same checks, same cells, same refusals
(None) as `wide_row` in its loop form, which stays the reference (`RecordTables.loop_row`);
the tests compare the two on every case of the stored form and of what it refuses.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rating_tui.ratings.model import STATUSES

if TYPE_CHECKING:
    from rating_tui.export.plan import Plan
    from rating_tui.export.records import Record, _Version
    from rating_tui.export.tables import Row

WideRow = Callable[["Record"], "Row | None"]
WideLine = Callable[["Record"], "str | None"]
"""A record's CSV line, as `csv.writer` writes its row (None: refused)."""
RECORD_SIZE = 11
"""Keys of a stored rating (`records.RECORD_KEYS`)."""
NAME_MEMO_SIZE = 2048
"""Rater names whose defused cells are remembered (a handful per study)."""

_VALUE = """
elif (t := type(v)) is int or t is str:
    f{n} = M{n}.get(v)
    if f{n} is None:
        f{n} = M{n}.miss(v, v)
else:
    f{n} = cell(v, M{n})
    if f{n} is None:
        return None"""
"""A present value's cell: remembered for ints and texts, else `cell` (None: not stored form)."""

_FIELD = """
    v = sget({key}, A)
    if v is A:
        f{n} = {blank}""" + textwrap.indent(_VALUE, "    ")

_ITEM = """
    a = aget({key}, A)
    if a is A:
        f{n} = {blank}
    else:
        if type(a) is not dict or len(a) != 1:
            return None
        v = a.get("value", A)
        if v is A:
            code = a.get("missing")
            f{n} = C{n}.get(code)
            if f{n} is None:
                if type(code) is not str or is_key(code) is None:
                    return None
                f{n} = defuse(code)""" + textwrap.indent(_VALUE, "        ")

_HEAD = """
def wide_row(record):
    try:
        if len(record) != RECORD_SIZE or "revisions" not in record:
            return None
        rating_id = record["id"]
        rater = record["rater"]
        status = record["status"]
        session = record["session"]
        answers = record["answers"]
        notes = record["notes"]
        moments = record["now_moments"]
        created = record["created"]
        updated = record["updated"]
        if (
            type(rating_id) is not str
            or is_uuid(rating_id) is None
            or type(rater) is not str
            or not rater
            or status not in STATUSES
            or type(session) is not dict
            or type(answers) is not dict
            or type(notes) is not str
            or type(moments) is not list
            or not plain_time(created)
            or (updated != created and not plain_time(updated))
        ):
            return None
        sget = session.get
        aget = answers.get
"""

_RATER = """
        rater_cell = raters.get(rater)
        if rater_cell is None:
            if len(raters) >= NAME_MEMO_SIZE:
                raters.clear()
            rater_cell = raters[rater] = defuse(rater)"""

_TAIL = (
    _RATER
    + """
        row = [{cells}]
        if scores is not None:
            score_cells(scores, {{k: a["value"] for k, a in answers.items() if "value" in a}}, row)
        return row
    except (KeyError, TypeError):  # a key missing, a list for a code...
        return None
"""
)

_TEXT_TAIL = (
    _RATER
    + """
        return ",".join(({cells})) + LINE_END
    except (KeyError, TypeError):  # a key missing, a list for a code...
        return None
"""
)
"""The line of `csv.writer` (`text=True`): every cell is already in its CSV form."""


def compile_wide(plan: Plan, version: _Version) -> WideRow:
    """`RecordTables.wide_row` for ratings of `version` (whose instrument reference the
    caller has matched): the checks and cells of its loop form, written out."""
    found: WideRow = _compile(plan, version, text=False)
    return found


def compile_wide_line(plan: Plan, version: _Version) -> WideLine:
    """`compile_wide`, giving the row's CSV line instead (`csv.writer`'s, line end included;
    `RecordTables.wide_line`): the same steps, with memos, missing-code cells, blanks and a
    defusing of texts that give each cell in its CSV form (`csvout.csv_field`), so that the
    line is one `join`. Ids, statuses, times and counts need no quotes (the checks made
    sure of their form). A version with scores has none (its scores fill a list)."""
    if version.scores is not None:
        raise ValueError("a version with scores has no written-out CSV line")
    found: WideLine = _compile(plan, version, text=True)
    return found


def _compile(plan: Plan, version: _Version, text: bool) -> Any:
    from rating_tui.export import forms, memo, records
    from rating_tui.export.csvout import LINE_END, csv_field
    from rating_tui.export.tables import score_cells

    quote: Callable[[str], str] = csv_field if text else _same
    defuse = plan.defuse
    names: dict[str, Any] = {
        "A": records._ABSENT,
        "RECORD_SIZE": RECORD_SIZE,
        "NAME_MEMO_SIZE": NAME_MEMO_SIZE,
        "STATUSES": STATUSES,
        "LINE_END": LINE_END,
        "is_uuid": forms.is_uuid,
        "is_key": forms.is_key,
        "plain_time": forms.plain_time,
        "cell": memo.cell,
        "defuse": (lambda value: csv_field(defuse(value))) if text else defuse,
        "score_cells": score_cells,
        "scores": version.scores,
        "raters": {},
    }
    cells = [repr(quote(blank)) for blank in version.blank]
    cells[0] = "rating_id"
    body = []
    for n, (index, key, cells_of) in enumerate(version.fields):
        names[f"M{n}"] = memo.quoted(cells_of) if text else cells_of
        body.append(_FIELD.format(n=n, key=repr(key), blank=repr(quote(version.blank[index]))))
        cells[index] = f"f{n}"
    for n, (index, key, cells_of, missing_cells) in enumerate(version.items, len(version.fields)):
        names[f"M{n}"] = memo.quoted(cells_of) if text else cells_of
        names[f"C{n}"] = {c: quote(v) for c, v in missing_cells.items()} if text else missing_cells
        body.append(_ITEM.format(n=n, key=repr(key), blank=repr(quote(version.blank[index]))))
        cells[index] = f"f{n}"
    status = len(plan.field_columns) + (1 if len(plan.status_columns) == 2 else 0)
    if len(plan.status_columns) == 2:
        cells[status - 1] = "rater_cell"
    cells[status] = "status"
    tail = plan.width - 4
    cells[tail : tail + 4] = [
        "created",
        "updated",
        "str(len(moments))",
        "defuse(notes) if notes else ''",
    ]
    indented = "\n".join("    " + line if line else line for line in "".join(body).splitlines())
    source = _HEAD + indented + (_TEXT_TAIL if text else _TAIL).format(cells=", ".join(cells))
    # The text is ours: keys and blank cells enter it only as `repr` literals, every other
    # value (memos, codes) as a bound name.
    kind = "line" if text else "row"
    exec(compile(source, f"<wide {kind} of {version.id}@{version.version}>", "exec"), names)
    return names["wide_row"]


def _same(text: str) -> str:
    return text
