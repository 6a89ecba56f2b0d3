"""The app's own wide CSV (`export --format csv`), with its now-moments table, read back
into ratings: codes or labels, any of the versions the file holds, the `rating_` renames of
metadata columns. Exporting a folder, importing the export into an empty folder and
exporting again gives the same bytes (CSV and moments); a rating's earlier revisions are not
in a CSV, so it comes back with its current content only.

Score columns are computed, never read (the summary says so); an empty or missing
`instrument_hash` is filled in from the known version named by id@version.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rating_tui.export.cells import CODE_SEPARATOR, LABEL_SEPARATOR
from rating_tui.export.plan import Plan
from rating_tui.export.tables import MOMENT_COLUMNS
from rating_tui.imports import cells
from rating_tui.imports.batch import Batch, Known, check
from rating_tui.ratings.model import Value

_ID, _INSTRUMENT, _VERSION = "rating_id", "instrument_id", "instrument_version"
_HASH = "instrument_hash"


@dataclass(frozen=True)
class Table:
    """A CSV file's header and rows, each row with the line it starts on."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def parse_csv(text: str) -> Table:
    """Rows of RFC 4180 CSV text (a leading byte-order mark is skipped)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    start = 1
    for row in reader:
        if not header:
            header = row
        elif any(row):
            rows.append((start, row))
        start = reader.line_num + 1
    return Table(header, rows)


def read_wide_csv(
    text: str, known: Known, moments: str | None = None, batch: Batch | None = None
) -> Batch:
    """Every rating of the wide CSV `text` (and its now moments from `moments`, the
    now-moments table's text), or the problems of each bad row, into `batch` when given."""
    batch = Batch() if batch is None else batch
    for line, data in wide_records(text, known, moments, batch):
        check(batch, line, data, known)
    return batch


def wide_records(
    text: str, known: Known, moments: str | None, batch: Batch
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row's line, the rating it holds in `Rating`'s JSON form) of each row that can be
    read as one; the problems of the table and of the other rows go to `batch`."""
    try:
        table = parse_csv(text)
        moment_table = parse_csv(moments) if moments is not None else None
    except csv.Error as exc:
        batch.refuse(0, [f"not valid CSV: {exc}"])
        return
    missing = [c for c in (_ID, _INSTRUMENT, _VERSION) if c not in table.header]
    other = _other_separator(table.header)
    if missing and (other or not table.header):
        why = f"the columns are separated by {other!r}" if other else "the file is empty"
        batch.refuse(1, [f"{why}; expected the comma-separated table `export --format csv` "
                         "writes (save it again as CSV with commas)"])  # fmt: skip
        return
    if missing:
        batch.refuse(
            1,
            [
                f"not a wide export of rating-tui: no column {', '.join(missing)} "
                "(expected the header `export --format csv` writes)"
            ],
        )
        return
    at = {name: n for n, name in enumerate(table.header)}
    refs = {(row[at[_INSTRUMENT]], row[at[_VERSION]]) for _, row in table.rows if _fits(row, table)}
    instruments = [known[f"{i}@{v}"].instrument for i, v in sorted(refs) if f"{i}@{v}" in known]
    ids = sorted({i.id for i in instruments})
    if len(ids) > 1:
        batch.refuse(0, [f"one table holds one instrument; found {', '.join(ids)}"])
        return
    plan = Plan(instruments) if instruments else None
    by_rating = _moments(moment_table, batch) if moment_table is not None else {}
    if plan is not None:
        unknown = [h for h in table.header if h not in {c.name for c in plan.wide_columns}]
        if unknown:
            expected = ", ".join(c.name for c in plan.wide_columns)
            batch.refuse(1, [f"unknown column(s) {', '.join(unknown)} (expected: {expected})"])
            return
        scores = {c.name for c in plan.score_columns}
        absent = [
            c.name
            for c in plan.wide_columns
            if c.name not in at and c.name not in scores and c.name != _HASH
        ]
        if absent:  # each row would be read as if those cells were empty
            batch.refuse(
                1,
                [
                    f"missing column(s) {', '.join(absent)}: every rating would be read without "
                    "them (expected the header `export --format csv` writes; an empty cell says "
                    "a value is not there)"
                ],
            )
            return
        if plan.score_columns and any(c.name in at for c in plan.score_columns):
            names = ", ".join(c.name for c in plan.score_columns if c.name in at)
            batch.notes.append(f"score column(s) {names} are computed from the items, not read")
    for line, row in table.rows:
        if not _fits(row, table):
            batch.records += 1
            batch.refuse(line, [f"has {len(row)} cells; the header has {len(table.header)}"])
            continue
        data = _record(row, at, plan, known, by_rating, moment_table is not None)
        if isinstance(data, str):
            batch.records += 1
            batch.refuse(line, [data])
            continue
        yield line, data
    row_ids = {row[at[_ID]] for _, row in table.rows if _fits(row, table)}
    for stray in sorted(by_rating.keys() - row_ids):
        numbers = ", ".join(str(n) for n, *_ in by_rating[stray])
        message = f"the now-moments table has moments ({numbers}) of rating {stray}"
        batch.refuse(0, [message + ", which is not in the file"])


def _other_separator(header: list[str]) -> str | None:
    """`;` or a tab when the header is one cell holding our column names split by it (a
    spreadsheet that saves "CSV" with semicolons): said as such, not as missing columns."""
    if len(header) != 1:
        return None
    for separator in (";", "\t"):
        if _ID in header[0].split(separator):
            return separator
    return None


def _fits(row: list[str], table: Table) -> bool:
    return len(row) == len(table.header)


def _record(
    row: list[str],
    at: dict[str, int],
    plan: Plan | None,
    known: Known,
    moments: dict[str, list[tuple[int, str, str]]],
    have_moments: bool,
) -> dict[str, Any] | str:
    """The row as a rating in `Rating`'s JSON form, or why it cannot be one."""
    ident, version = row[at[_INSTRUMENT]], row[at[_VERSION]]
    hash_ = row[at[_HASH]] if _HASH in at else ""
    ref = {"id": ident, "version": version, "hash": hash_}
    loaded = known.get(f"{ident}@{version}")
    if loaded is None or plan is None:
        return {"instrument": ref}  # `check` names the unknown version
    ins = loaded.instrument
    names = _names(plan)
    cell = {name: row[n] for name, n in at.items()}
    session: dict[str, Value] = {}
    for f in ins.fields:
        value = cells.field_value(f, cell.get(f.key, ""))
        if value is not None:
            session[f.key] = value
    answers = {}
    for item in ins.items:
        answer = cells.item_answer(ins, item, cell.get(item.key, ""))
        if answer is not None:
            answers[item.key] = answer.model_dump()
    rater_key = ins.key_for("rater")
    rater = cells.text(cell.get(names["rater"], "")) if names["rater"] in cell else None
    if rater is None and rater_key is not None:
        rater = str(session.get(rater_key, ""))
    rating_id = cell.get(names[_ID], "")
    if not rating_id.strip():  # said in words, not as a failed regular expression
        return (
            f"{names[_ID]} is empty: each row needs its rating's id (a UUID, as the export "
            "writes it), so that importing the file again finds the same ratings"
        )
    given = moments.get(rating_id, [])
    count = cell.get(names["n_now_moments"], "")
    if count not in ("", str(len(given))):
        if not have_moments:
            return f"n_now_moments is {count}, but no now-moments table was given (--moments FILE)"
        return (
            f"n_now_moments is {count}, but the now-moments table has {len(given)} for {rating_id}"
        )
    labels = {i.label: i.key for i in ins.items}
    return {
        "id": rating_id,
        "instrument": ref,
        "rater": rater or "",
        "session": session,
        "answers": answers,
        "now_moments": [
            {"text": text, "tags": _tags(tags, labels)} for _, text, tags in sorted(given)
        ],
        "notes": cells.text(cell.get(names["notes"], "")),
        "status": cell.get(names["status"], ""),
        "created": cell.get(names["created"], ""),
        "updated": cell.get(names["updated"], ""),
        "revisions": [],
    }


def _names(plan: Plan) -> dict[str, str]:
    """Metadata column -> its name in this file (`notes`, or `rating_notes` when an item
    has taken `notes`)."""
    out = {}
    columns = [*plan.field_columns[:4], *plan.status_columns, *plan.tail_columns]
    for plain, column in zip(
        [_ID, _INSTRUMENT, _VERSION, _HASH, *(["rater"] if len(plan.status_columns) == 2 else []),
         "status", "created", "updated", "n_now_moments", "notes"],
        columns,
        strict=True,
    ):  # fmt: skip
        out[plain] = column.name
    out.setdefault("rater", "rater")
    return out


def _tags(cell: str, labels: dict[str, str]) -> list[str]:
    if cell == "":
        return []
    parts = cell.split(CODE_SEPARATOR)
    if all(p in labels.values() for p in parts):
        return parts
    named = cells.text(cell).split(LABEL_SEPARATOR)
    return [labels.get(p, p) for p in named]


def _moments(table: Table, batch: Batch) -> dict[str, list[tuple[int, str, str]]]:
    """rating id -> (number, text, tags) of its now moments."""
    wanted = [c.name for c in MOMENT_COLUMNS]
    if table.header != wanted:
        found = f"the header is {', '.join(table.header)}" if table.header else "it is empty"
        batch.refuse(0, [f"now-moments table: {found}; expected {', '.join(wanted)}"])
        return {}
    out: dict[str, list[tuple[int, str, str]]] = {}
    for line, row in table.rows:
        if len(row) != len(wanted) or not row[1].isdigit():
            batch.refuse(
                0, [f"now-moments table, line {line}: expected {', '.join(wanted)}, found {row}"]
            )
            continue
        out.setdefault(row[0], []).append((int(row[1]), cells.text(row[2]), cells.text(row[3])))
    return out
