"""The CSV tables (wide, long, now moments) straight from stored records, without models.

`Store.iter_records` hands over each stored rating as the dict it is on disk. The store wrote
it as `Rating.model_dump(mode="json")`, so every value is the very int, float, str or list the
Rating would hold, and it goes through the same `ValueSpec.encode` as in `tables`: the rows
are those of `tables`, byte for byte, without building a pydantic model per rating. Only the
way in differs: an answer is `{"value": v}` or `{"missing": code}`, a now moment
`{"text": ..., "tags": [...]}`, and `created` and `updated` are already the text a Rating
writes.

Trusted, but checked where it is read: every part a row uses must have the stored form (exact
types: a JSON `true` is not the number 1; ids, codes and times as the store writes them; no
unknown keys). The readers return None at the first thing that does not, and the store then
validates that record: a damaged one stops the export with an error naming its file and id,
a valid one written in another way (by hand) is read again as its Rating's dump.

Speed (benchmarks/export_bench.py): codes, scale points, dates and dyad codes repeat from row
to row, so each column remembers the cells of the values it has seen (`memo.Memo`, a bounded dict
that free text simply passes through) instead of encoding them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from rating_tui.export.cells import CODE_SEPARATOR, LABEL_SEPARATOR, neutralise
from rating_tui.export.csvout import LINE_END, csv_field
from rating_tui.export.forms import is_key as _is_key
from rating_tui.export.forms import is_uuid as _is_uuid
from rating_tui.export.forms import plain_time as _plain_time
from rating_tui.export.memo import Memo as _Memo
from rating_tui.export.memo import cell as _cell
from rating_tui.export.plan import Plan, VersionPlan
from rating_tui.export.rowcode import WideLine, WideRow, compile_wide, compile_wide_line
from rating_tui.export.tables import Row, score_cells
from rating_tui.ratings.model import STATUSES

Record = Mapping[str, Any]
"""A stored rating as `Store.iter_records` gives it (normally `Rating.model_dump(mode="json")`)."""

RECORD_KEYS = frozenset(
    ("instrument", "rater", "session", "answers", "now_moments", "notes", "status", "id")
) | {"created", "updated", "revisions"}
"""The keys of a stored rating (`Rating.model_fields`, checked by a test)."""

_ABSENT: Any = object()
_NO_LABELS: Mapping[str, str] = {}


class _Version:
    """Where one instrument version's values go in a row, with a memo per column."""

    def __init__(self, vp: VersionPlan, width: int) -> None:
        instrument = vp.instrument
        self.id, self.version, self.hash = instrument.id, instrument.version, vp.hash
        memos = {id(s): _Memo(s.encode) for s in (*[s for _, s in vp.fields], *vp.item_specs)}
        self.fields = tuple((index, spec.key, memos[id(spec)]) for index, spec in vp.fields)
        self.items = tuple(
            (index, spec.key, memos[id(spec)], spec.missing_cells) for index, spec in vp.items
        )
        self.long_items = tuple((spec.key, memos[id(spec)]) for spec in vp.item_specs)
        self.scores = vp if vp.scores else None
        """The version's plan when it has scores to compute (wide layout only)."""
        self.blank = [""] * width
        self.blank[1:4] = [self.id, self.version, self.hash]
        self.missing_labels = {c.code: c.label for c in instrument.missing_codes}
        self.item_labels = {i.key: i.label for i in instrument.items}
        self.compiled: WideRow | None = None
        """The version's `wide_row`, written out when its first rating is read."""
        self.compiled_line: WideLine | None = None
        """The version's `wide_line`, written out likewise."""


class RecordTables:
    """The rows of `tables.wide_row`, `long_rows_of` and `moment_rows_of`, from records.

    Each reader returns None when a part it reads is not in the stored form (see above) and
    raises `ExportError` where `tables` does (a rating of a version not in the plan)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.defuse = plan.defuse
        self._labels = plan.values == "labels"
        self._wide: dict[str, _Version] = {}
        self._lines: dict[str, tuple[str, str, WideLine]] = {}
        """Instrument hash -> (id, version, written-out line) for `line_reader`."""
        self._long: dict[str, _Version] = {}
        self._rater = len(plan.status_columns) == 2
        self._status = len(plan.field_columns) + (1 if self._rater else 0)
        self._tail = plan.width - 4

    def _version(self, ref: Any, rating_id: object, long: bool) -> _Version | None:
        """The plan of the rating's instrument version (`ExportError` for one not in the
        export), or None when `ref` is not an instrument reference."""
        versions = self._long if long else self._wide
        if type(ref) is not dict or len(ref) != 3:
            return None
        instrument_id, version, hash_ = ref["id"], ref["version"], ref["hash"]
        found = versions.get(hash_)
        if found is not None and found.id == instrument_id and found.version == version:
            return found
        if type(instrument_id) is not str or type(version) is not str or type(hash_) is not str:
            return None
        vp = self.plan.plan_of(instrument_id, version, hash_, str(rating_id), long)
        found = versions[hash_] = _Version(vp, self.plan.head_width if long else self.plan.width)
        return found

    def _head(self, record: Record, version: _Version, row: Row) -> bool:
        """Fill the identifying cells (id, session fields, rater, status; the instrument's
        are in `version.blank`); False when a part of the record is not in the stored form.
        It checks every part but the answers (read by the caller) and the now moments and
        revisions (not in these tables), so wide and long accept the same records."""
        rating_id, rater, status = record["id"], record["rater"], record["status"]
        session = record["session"]
        if (
            len(record) != len(RECORD_KEYS)  # a key unknown to Rating, or one missing
            or "revisions" not in record
            or type(rating_id) is not str
            or _is_uuid(rating_id) is None
            or type(rater) is not str
            or not rater
            or status not in STATUSES
            or type(session) is not dict
            or type(record["notes"]) is not str
            or type(record["now_moments"]) is not list
            or not _plain_time(record["created"])
            or not _plain_time(record["updated"])
        ):
            return False
        row[0] = rating_id
        for index, key, memo in version.fields:
            value = session.get(key, _ABSENT)
            if value is _ABSENT:
                continue
            kind = type(value)
            if kind is int or kind is str:  # the common case of `_cell`, inline
                cell = memo.get(value)
                if cell is None:
                    cell = memo.miss(value, value)
            else:
                cell = _cell(value, memo)
                if cell is None:
                    return False
            row[index] = cell
        if self._rater:
            row[self._status - 1] = self.defuse(rater)
        row[self._status] = status
        return True

    def wide_row(self, record: Record) -> Row | None:
        """The rating's row, columns as `tables.wide_header`: `loop_row`, written out for
        the rating's version (`rowcode.compile_wide`)."""
        version = self._wide_version(record)
        if version is None:
            return None
        compiled = version.compiled
        if compiled is None:
            compiled = version.compiled = compile_wide(self.plan, version)
        return compiled(record)

    def wide_line(self, record: Record) -> str | None:
        """The CSV line of the rating's wide row, as `csv.writer` writes `wide_row` (line end
        included): written out for the rating's version (`rowcode.compile_wide_line`), each
        cell in its CSV form, so that no writer scans the row. The row of a version with
        scores has its cells put in their CSV form one by one."""
        version = self._wide_version(record)
        if version is None:
            return None
        compiled = version.compiled_line
        if compiled is None:
            if version.scores is not None:
                row = self.wide_row(record)
                return None if row is None else ",".join(map(csv_field, row)) + LINE_END
            compiled = version.compiled_line = compile_wide_line(self.plan, version)
            self._lines[version.hash] = (version.id, version.version, compiled)
        return compiled(record)

    def line_reader(self) -> Callable[[Record], str | None]:
        """`wide_line`, with the rating's version found in one step: each version's written
        out line by its instrument's hash, checked against the reference's id and version
        (anything else, a first rating of its version included, goes through `wide_line`).
        One call less per rating, of 100,000."""
        lines = self._lines
        slow = self.wide_line

        def read(record: Record) -> str | None:
            try:
                ref = record["instrument"]
                found = lines.get(ref["hash"])
                if (
                    found is not None
                    and ref["id"] == found[0]
                    and ref["version"] == found[1]
                    and len(ref) == 3
                ):
                    return found[2](record)
            except (KeyError, TypeError):
                pass
            return slow(record)

        return read

    def _wide_version(self, record: Record) -> _Version | None:
        """The plan of the rating's version for the wide table (`ExportError` for one not in
        the export); None when the record has no instrument reference."""
        try:
            ref = record["instrument"]
            version = self._wide.get(ref["hash"])
            if version is None or version.id != ref["id"] or version.version != ref["version"]:
                version = self._version(ref, record["id"], long=False)
                if version is None:
                    return None
            if len(ref) != 3:
                return None
        except (KeyError, TypeError):  # not an instrument reference
            return None
        return version

    def loop_row(self, record: Record) -> Row | None:
        """`wide_row` in its loop form: the reference its written-out form is tested
        against."""
        try:
            ref = record["instrument"]
            version = self._wide.get(ref["hash"])
            if version is None or version.id != ref["id"] or version.version != ref["version"]:
                version = self._version(ref, record["id"], long=False)
                if version is None:
                    return None
            row = version.blank[:]
            answers = record["answers"]
            if len(ref) != 3 or not self._head(record, version, row) or type(answers) is not dict:
                return None
            for index, key, memo, missing_cells in version.items:
                answer = answers.get(key, _ABSENT)
                if answer is _ABSENT:
                    continue
                if type(answer) is not dict or len(answer) != 1:
                    return None
                value = answer.get("value", _ABSENT)
                if value is _ABSENT:
                    code = answer.get("missing")
                    cell = missing_cells.get(code)  # type: ignore[arg-type]
                    if cell is None:
                        if type(code) is not str or _is_key(code) is None:
                            return None
                        cell = self.defuse(code)
                elif (kind := type(value)) is int or kind is str:  # `_cell`, inline
                    cell = memo.get(value)
                    if cell is None:
                        cell = memo.miss(value, value)
                else:
                    cell = _cell(value, memo)
                    if cell is None:
                        return None
                row[index] = cell
            if version.scores is not None:
                values = {k: a["value"] for k, a in answers.items() if "value" in a}
                score_cells(version.scores, values, row)
            tail = self._tail
            row[tail] = record["created"]
            row[tail + 1] = record["updated"]
            row[tail + 2] = str(len(record["now_moments"]))
            row[tail + 3] = self.defuse(record["notes"])
            return row
        except (KeyError, TypeError):  # a key missing, a list for a code...
            return None

    def long_rows(self, record: Record) -> list[Row] | None:
        """The rating's rows, one per item of its instrument version, as `tables.long_rows_of`."""
        try:
            version = self._version(record["instrument"], record["id"], long=True)
            if version is None:
                return None
            head = version.blank[:]
            answers = record["answers"]
            if not self._head(record, version, head) or type(answers) is not dict:
                return None
            rows = []
            for key, memo in version.long_items:
                value, missing = "", ""
                answer = answers.get(key, _ABSENT)
                if answer is not _ABSENT:
                    if type(answer) is not dict or len(answer) != 1:
                        return None
                    stored = answer.get("value", _ABSENT)
                    if stored is _ABSENT:
                        code = answer.get("missing")
                        if not isinstance(code, str) or (
                            code not in version.missing_labels and _is_key(code) is None
                        ):
                            return None
                        label = version.missing_labels.get(code, code) if self._labels else code
                        missing = self.defuse(label)
                    else:
                        cell = _cell(stored, memo)
                        if cell is None:
                            return None
                        value = cell
                rows.append([*head, key, value, missing])
            return rows
        except (KeyError, TypeError):  # a key missing, a list for a code...
            return None

    def moment_rows(self, record: Record) -> list[Row] | None:
        """The rating's now moments, as `tables.moment_rows_of` with this plan."""
        labels = _NO_LABELS
        if self._labels:
            try:
                version = self._version(record["instrument"], record["id"], long=False)
            except (KeyError, TypeError):
                return None
            if version is None:
                return None
            labels = version.item_labels
        return moment_rows_of(record, self.defuse, labels)


def moment_rows_of(
    record: Record,
    defuse: Callable[[str], str] = neutralise,
    labels: Mapping[str, str] = _NO_LABELS,
) -> list[Row] | None:
    """The record's now moments (columns `tables.MOMENT_COLUMNS`), tags replaced by
    `labels` when given; None when they are not in the stored form."""
    rating_id, moments = record.get("id"), record.get("now_moments")
    if type(rating_id) is not str or type(moments) is not list:
        return None
    rows = []
    for n, moment in enumerate(moments, start=1):
        if type(moment) is not dict or len(moment) != 2:
            return None
        text, tags = moment.get("text"), moment.get("tags")
        if type(text) is not str or type(tags) is not list:
            return None
        for tag in tags:
            if type(tag) is not str:
                return None
        if labels:
            joined = LABEL_SEPARATOR.join(labels.get(t, t) for t in tags)
        else:
            joined = CODE_SEPARATOR.join(tags)
        rows.append([rating_id, str(n), defuse(text), defuse(joined)])
    return rows


def _read_all(records: Iterable[Record], read: Callable[[Record], Any]) -> Iterator[Any]:
    for record in records:
        found = read(record)
        if found is None:
            raise ValueError(f"rating {record.get('id')!r} is not in the stored form")
        yield found


def wide_rows(plan: Plan, records: Iterable[Record]) -> Iterator[Row]:
    """`tables.wide_rows` for records (`ValueError` for one not in the stored form)."""
    return _read_all(records, RecordTables(plan).wide_row)


def long_rows(plan: Plan, records: Iterable[Record]) -> Iterator[Row]:
    """`tables.long_rows` for records (`ValueError` for one not in the stored form)."""
    return (row for rows in _read_all(records, RecordTables(plan).long_rows) for row in rows)


def moment_rows(plan: Plan | None, records: Iterable[Record]) -> Iterator[Row]:
    """`tables.moment_rows` for records: without a plan, tags stay item keys."""
    read = RecordTables(plan).moment_rows if plan is not None else moment_rows_of
    return (row for rows in _read_all(records, read) for row in rows)
