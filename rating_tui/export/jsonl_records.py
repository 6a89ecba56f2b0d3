"""JSON Lines straight from stored records: the bytes of `jsonl.jsonl_line`, without a
pydantic model per rating.

The store writes a rating as `Rating.model_dump(mode="json")`, so a record in that exact form
(keys in the model's order, values of the model's exact types, times as a Rating writes them)
gives, through `json.dumps`, the very line `Rating.model_dump_json()` gives. `stored_line`
checks that form, part by part (cheaply: no copy, no model), and returns None for anything
else; the store then validates the record (a damaged one stops the export naming its file and
id) and hands over its Rating's dump, which `JsonlReader` writes through the model. Floats
with an exponent are left to the model: Python and pydantic write some differently (1e-07,
1e-7).

The line is written by pydantic-core's `to_json` (the serializer behind `model_dump_json`),
which writes what `json.dumps(record, ensure_ascii=False, separators=(",", ":"))` writes for
every value the stored form admits (texts of every code point, ints of any size, the floats
taken as stored; tests compare the two), in about a third of the json module's time, and
gives UTF-8 bytes directly.

Speed (benchmarks/export_bench.py): the floor is reading the month files and one `json.dumps`
per rating; the check adds a pass over each record's parts, and `to_json` makes the dump
cheaper than the floor's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic_core import to_json

from rating_tui.export.forms import is_key as _is_key
from rating_tui.export.forms import is_uuid as _is_uuid
from rating_tui.export.forms import plain_list
from rating_tui.export.forms import plain_time as _plain_time
from rating_tui.ratings.model import STATUSES

if TYPE_CHECKING:
    from rating_tui.export.job import ExportRequest, ExportSummary, Progress, RecordSource
    from rating_tui.export.select import Instruments
    from rating_tui.export.tables import Row

Record = Mapping[str, Any]

RATING_KEYS = (
    "instrument",
    "rater",
    "session",
    "answers",
    "now_moments",
    "notes",
    "status",
    "id",
    "created",
    "updated",
    "revisions",
)
"""`Rating.model_fields` in order (checked by a test): the order `model_dump_json` writes."""
CONTENT_KEYS = RATING_KEYS[:7]
"""`RatingContent.model_fields` in order (a revision's `previous`)."""
REVISION_KEYS = ("at", "by", "reason", "action", "previous")
REF_KEYS = ("id", "version", "hash")
MOMENT_KEYS = ("text", "tags")
ACTIONS = ("update", "void")

_is_hash = re.compile(r"[0-9a-f]{64}").fullmatch


def _plain_value(value: object) -> bool:
    kind = type(value)
    if kind is int or kind is str:
        return True
    if kind is float:
        return _plain_float(value)  # type: ignore[arg-type]
    return kind is list and plain_list(value)  # type: ignore[arg-type]


def _plain_float(value: float) -> bool:
    """A float that Python and pydantic write alike: zero, or between 1e-4 and 1e16 in
    magnitude (no exponent; checked on 300,000 floats by a test). Not NaN or infinity."""
    return value == 0.0 or 1e-4 <= abs(value) < 1e16


_ABSENT: Any = object()
_MEMO_MAX = 1024
_good_codes: set[str] = set()
"""Missing codes already matched against the key pattern (a handful per instrument)."""
_good_hashes: set[str] = set()
"""Instrument hashes already matched against their pattern."""


def _plain_values(values: Iterable[object]) -> bool:
    """Session values or answer values: ints, texts, plain floats, lists of ints and texts.
    One loop with the checks inline: it runs for every rating."""
    for value in values:
        kind = type(value)
        if kind is int or kind is str:
            continue
        if kind is float:
            if value == 0.0 or 1e-4 <= abs(value) < 1e16:  # type: ignore[arg-type]  # a float
                continue
            return False
        if kind is not list:
            return False
        for item in value:  # type: ignore[attr-defined]  # a list
            if type(item) is not int and type(item) is not str:
                return False
    return True


def _plain_answers(answers: dict[str, Any]) -> bool:
    """Each answer `{"value": v}` (v as `_plain_values` takes it) or `{"missing": code}`.
    The usual value (an int or a text) is taken inline: this runs for every rating."""
    for answer in answers.values():
        if type(answer) is not dict or len(answer) != 1:
            return False
        value = answer.get("value", _ABSENT)
        if value is not _ABSENT:
            kind = type(value)
            if kind is int or kind is str or _plain_values((value,)):
                continue
            return False
        code = answer.get("missing")
        if code not in _good_codes:
            if type(code) is not str or _is_key(code) is None:
                return False
            if len(_good_codes) < _MEMO_MAX:
                _good_codes.add(code)
    return True


def _plain_moments(moments: list[Any]) -> bool:
    for moment in moments:
        if type(moment) is not dict or tuple(moment) != MOMENT_KEYS:
            return False
        tags = moment["tags"]
        if type(moment["text"]) is not str or type(tags) is not list:
            return False
        for tag in tags:
            if type(tag) is not str:
                return False
    return True


def _plain_ref(ref: object) -> bool:
    if type(ref) is not dict or tuple(ref) != REF_KEYS:
        return False
    hash_ = ref["hash"]
    if type(ref["id"]) is not str or type(ref["version"]) is not str:
        return False
    if hash_ not in _good_hashes:
        if type(hash_) is not str or _is_hash(hash_) is None:
            return False
        if len(_good_hashes) < _MEMO_MAX:
            _good_hashes.add(hash_)
    return True


def _plain_content(record: Record) -> bool:
    """The parts of `RatingContent` (after the keys were checked): exact types only (a
    revision's `previous`; `is_stored_form` does the same inline for the rating)."""
    rater, session, answers, moments = (
        record["rater"],
        record["session"],
        record["answers"],
        record["now_moments"],
    )
    return (
        _plain_ref(record["instrument"])
        and type(rater) is str
        and bool(rater)
        and type(session) is dict
        and type(answers) is dict
        and type(record["notes"]) is str
        and record["status"] in STATUSES
        and type(moments) is list
        and _plain_values(session.values())
        and _plain_answers(answers)
        and _plain_moments(moments)
    )


def is_stored_form(record: Record) -> bool:
    """True when `json.dumps(record)` is the rating's `model_dump_json()`: `record` is what
    `Rating.model_dump(mode="json")` gives for a valid rating, float-free."""
    try:
        if tuple(record) != RATING_KEYS:
            return False
        rater, session, answers, moments = (
            record["rater"],
            record["session"],
            record["answers"],
            record["now_moments"],
        )
        rating_id, created, updated = record["id"], record["created"], record["updated"]
        revisions = record["revisions"]
        if (
            type(rater) is not str
            or not rater
            or type(session) is not dict
            or type(answers) is not dict
            or type(record["notes"]) is not str
            or record["status"] not in STATUSES
            or type(moments) is not list
            or type(rating_id) is not str
            or _is_uuid(rating_id) is None
            or not _plain_time(created)
            or (updated != created and not _plain_time(updated))
            or type(revisions) is not list
            or not _plain_ref(record["instrument"])
            or not _plain_values(session.values())
            or not _plain_answers(answers)
            or (moments and not _plain_moments(moments))
        ):
            return False
        for revision in revisions:
            if type(revision) is not dict or tuple(revision) != REVISION_KEYS:
                return False
            by, reason, previous = revision["by"], revision["reason"], revision["previous"]
            if (
                not _plain_time(revision["at"])
                or type(by) is not str
                or not by
                or type(reason) is not str
                or not reason
                or revision["action"] not in ACTIONS
                or type(previous) is not dict
                or tuple(previous) != CONTENT_KEYS
                or not _plain_content(previous)
            ):
                return False
    except (KeyError, TypeError, AttributeError):  # a part of another shape
        return False
    return True


def stored_line(record: Record) -> bytes | None:
    """The rating's JSON line (UTF-8, newline included) from its stored record, or None
    when the record is not in the stored form (the model must write it)."""
    if not is_stored_form(record):
        return None
    try:
        return to_json(record) + b"\n"
    except ValueError:  # a lone surrogate from a \ud800 escape: the model decides
        return None


class JsonlReader:
    """The reader `Store.iter_records` calls for a JSON Lines export: `stored_line` of the
    records `keep` keeps (b"" for the others). A record it refuses (None) is validated by
    the store and given again as its Rating's dump: that one is written by the model."""

    def __init__(self, keep: Callable[[Record], bool] | None = None) -> None:
        self._keep = keep
        self._refused: object = None
        self.read = self._reader()
        """This reader as a plain function (`stored_line` of each rating the filter keeps)."""

    def __call__(self, record: Record) -> bytes | None:
        return self.read(record)

    def _reader(self) -> Callable[[Record], bytes | None]:
        keep = self._keep

        def read(record: Record) -> bytes | None:
            try:
                if keep is not None and not keep(record):
                    return b""
                line = stored_line(record)
            except (KeyError, TypeError, AttributeError):  # a part the filters cannot read
                line = None
            return self._not_stored(record) if line is None else line

        return read

    def _not_stored(self, record: Record) -> bytes | None:
        """None for a record first refused; the model's line for the store's validated dump
        of the record refused just before."""
        rating_id = record.get("id")
        if rating_id is not None and rating_id == self._refused:
            self._refused = None
            from rating_tui.export.jsonl import jsonl_line
            from rating_tui.ratings.model import Rating

            return jsonl_line(Rating.model_validate(record)).encode("utf-8")
        self._refused = rating_id
        return None


_FLUSH_EVERY = 500
"""Ratings between writes to the file (a few hundred kB)."""


def run_records(
    request: ExportRequest,
    source: RecordSource,
    instruments: Instruments,
    main: BinaryIO,
    moments: BinaryIO | None,
    progress: Progress | None,
) -> ExportSummary:
    """`job.run` for JSON Lines from one data folder, from stored records: the same bytes
    (and the same now-moments table) as the Rating path, without a model per rating."""
    from rating_tui.export.job import ExportSummary, MomentBatches, cycle_collection_paused

    summary = ExportSummary()
    line_of = JsonlReader(request.selection.record_filter(instruments))
    moments_out = MomentBatches(moments, request.excel, summary)
    moment_batch = moments_out.rows

    if moments is not None:  # the CSV machinery, for the moments table only
        from rating_tui.export.records import moment_rows_of

    def with_moments(record: Record) -> bytes | tuple[bytes, list[Row]] | None:
        """The rating's line (b"" for one the filters leave out); with a moments table, the
        pair (line, its now-moment rows), added to the table when the line is written (the
        store reads a month's records in file order and gives them sorted). None for a
        record not in the stored form."""
        line = line_of.read(record)
        if not line:
            return line
        found = moment_rows_of(record)
        return None if found is None else (line, found)

    read = line_of.read if moments is None else with_moments
    pending: list[bytes] = []
    read_count = written = 0
    with cycle_collection_paused():
        for found in source.records(read, request.selection.statuses):
            read_count += 1
            if not found:
                continue
            if type(found) is tuple:
                line, moment_rows = found
                moment_batch.extend(moment_rows)
            else:
                line = found
            written += 1
            pending.append(line)
            if len(pending) >= _FLUSH_EVERY:
                main.write(b"".join(pending))
                pending.clear()
                if progress is not None:
                    progress(written)
                moments_out.flush()
    main.write(b"".join(pending))
    moments_out.flush()
    summary.ratings = summary.rows = written
    summary.merge.read = summary.merge.merged = read_count
    return summary
