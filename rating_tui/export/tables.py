"""The CSV tables: wide (one row per rating), long (rating x item) and now moments.

Each is a generator of rows (lists of cells), one rating in memory at a time, so 100,000
ratings cost what one does. A cell is empty when the item was not answered; a missing-data
code writes the instrument's export value (e.g. -9) in wide, and the code in long's `missing`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rating_tui.export.cells import CODE_SEPARATOR, LABEL_SEPARATOR, neutralise, number_cell
from rating_tui.export.columns import Column
from rating_tui.export.plan import Plan, VersionPlan
from rating_tui.instruments.scores import compute
from rating_tui.ratings.model import Missing, Rating
from rating_tui.ratings.shown import item_values

Row = list[str]

LONG_COLUMNS = (
    Column("item", "Item key (see the item rows of this codebook)", "long", "string"),
    Column("value", "The item's value, as in the wide layout; empty if none", "long", "mixed"),
    Column(
        "missing",
        "Missing-data code given instead of a value (empty when a value was given or the item "
        "was not answered)",
        "long",
        "string",
    ),
)
MOMENT_COLUMNS = (
    Column("rating_id", "Rating id (joins the main table)", "rating", "string"),
    Column("moment", "Number of the moment within its rating, from 1", "rating", "integer"),
    Column("text", "What happened", "rating", "string"),
    Column("tags", f"Item keys it touched, joined with '{CODE_SEPARATOR}'", "rating", "string"),
)


def _blank(value: object) -> bool:
    return value is None or value == "" or value == []


def _head(plan: Plan, vp: VersionPlan, rating: Rating, row: Row) -> None:
    """Fill the identifying cells: id, instrument, session fields, rater, status."""
    ref = rating.instrument
    row[0], row[1], row[2], row[3] = rating.id, ref.id, ref.version, ref.hash
    session = rating.session
    for index, spec in vp.fields:
        value = session.get(spec.key)
        if not _blank(value):
            row[index] = spec.encode(value)
    at = len(plan.field_columns)
    if len(plan.status_columns) == 2:
        row[at] = plan.defuse(rating.rater)
        at += 1
    row[at] = rating.status


def wide_header(plan: Plan) -> Row:
    return [c.name for c in plan.wide_columns]


def wide_row(plan: Plan, rating: Rating) -> Row:
    """The rating's row, columns as `wide_header`."""
    vp = plan.version_plan(rating, rating.id)
    row = [""] * plan.width
    _head(plan, vp, rating, row)
    answers = rating.answers
    for index, spec in vp.items:
        answer = answers.get(spec.key)
        if answer is None:
            continue
        if isinstance(answer, Missing):
            row[index] = spec.missing_cells.get(answer.missing, plan.defuse(answer.missing))
        elif not _blank(answer.value):
            row[index] = spec.encode(answer.value)
    if vp.scores:
        score_cells(vp, item_values(rating), row)
    tail = plan.width - 4
    row[tail] = rating.created.isoformat(timespec="microseconds")
    row[tail + 1] = rating.updated.isoformat(timespec="microseconds")
    row[tail + 2] = number_cell(len(rating.now_moments))
    row[tail + 3] = plan.defuse(rating.notes)
    return row


def score_cells(vp: VersionPlan, values: dict[str, object], row: Row) -> None:
    """Write the rating's scores (computed from its item values) into `row`."""
    for index, score in vp.scores:
        value, _ = compute(vp.instrument, score, values)
        row[index] = "" if value is None else number_cell(value)


def long_header(plan: Plan) -> Row:
    head = plan.field_columns + plan.status_columns
    return [c.name for c in head] + [c.name for c in LONG_COLUMNS]


def long_rows_of(plan: Plan, rating: Rating) -> list[Row]:
    """The rating's rows: one per item of its instrument version, answered or not."""
    vp = plan.version_plan(rating, rating.id, long=True)
    head = [""] * plan.head_width
    _head(plan, vp, rating, head)
    labels = plan.values == "labels"
    missing_labels = {c.code: c.label for c in vp.instrument.missing_codes}
    rows = []
    for spec in vp.item_specs:
        value, missing = "", ""
        answer = rating.answers.get(spec.key)
        if isinstance(answer, Missing):
            code = answer.missing
            missing = plan.defuse(missing_labels.get(code, code) if labels else code)
        elif answer is not None and not _blank(answer.value):
            value = spec.encode(answer.value)
        rows.append([*head, spec.key, value, missing])
    return rows


def moment_rows_of(plan: Plan | None, rating: Rating) -> list[Row]:
    """The rating's now moments (columns `MOMENT_COLUMNS`); with `--values labels` the tags
    are item labels, which needs the plan."""
    labels: dict[str, str] = {}
    if plan is not None and plan.values == "labels":
        vp = plan.version_plan(rating, rating.id)
        labels = {i.key: i.label for i in vp.instrument.items}
    rows = []
    for n, moment in enumerate(rating.now_moments, start=1):
        if labels:
            tags = LABEL_SEPARATOR.join(labels.get(t, t) for t in moment.tags)
        else:
            tags = CODE_SEPARATOR.join(moment.tags)
        defuse = plan.defuse if plan is not None else neutralise
        rows.append([rating.id, str(n), defuse(moment.text), defuse(tags)])
    return rows


def wide_rows(plan: Plan, ratings: Iterable[Rating]) -> Iterator[Row]:
    return (wide_row(plan, r) for r in ratings)


def long_rows(plan: Plan, ratings: Iterable[Rating]) -> Iterator[Row]:
    return (row for r in ratings for row in long_rows_of(plan, r))


def moment_rows(plan: Plan | None, ratings: Iterable[Rating]) -> Iterator[Row]:
    return (row for r in ratings for row in moment_rows_of(plan, r))
