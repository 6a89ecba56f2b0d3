"""Reading a snapshot one month at a time (its file, or the files of its parts once it has
split), sorted as `iter_all` sorts: validated ratings for `Store.iter_all`, and stored records
for exports (`Store.iter_records`), where a record the reader refuses is validated so that
damage is named with its file and id."""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any, TypeVar

from rating_tui.ratings.model import Rating, Status
from rating_tui.store import fileio, spill
from rating_tui.store.backups import restore_hint
from rating_tui.store.codec import PLAIN, CodecError
from rating_tui.store.engine import Engine
from rating_tui.store.errors import StoreCorruptError
from rating_tui.store.layout import RATINGS_TABLE
from rating_tui.store.query import Roles, role_value, sort_key
from rating_tui.store.shapes import check_statuses, status_problem
from rating_tui.store.spill import SortedRuns
from rating_tui.store.tally import Tally

_T = TypeVar("_T")
ToRating = Callable[[dict[str, Any], str], Rating]
"""Validates a stored record of a month file (`Store._rating`)."""


def month_ratings(
    engine: Engine,
    to_rating: ToRating,
    folder: Path,
    shards: list[str],
    roles: Roles,
    statuses: Collection[Status],
    tally: Tally | None = None,
) -> Iterator[Rating]:
    """`iter_all` for one month of the snapshot in `folder`: every rating of its shard files
    with one of `statuses`, validated, sorted across the files (all of them counted in
    `tally`).

    Files are parsed one at a time, and each record is held until the month is sorted in
    its `marshal` form (about 0.8 kB, where the parsed record takes about 4 kB): a month of
    40,000 ratings (1M demo-data) would otherwise hold 170 MB of parsed records. Past
    `spill.RUN` of them they wait in sorted runs on disk (`spill.SortedRuns`), so memory no
    longer follows the month; equal keys keep file order, as the stable sort of a month did.
    Each is validated in sorted order, as before (the first damaged one in that order is
    named)."""
    keys: list[tuple[str, str, str]] = []
    held: list[tuple[str, bytes]] = []
    """(shard, `marshal.dumps` of the record) of each key."""
    runs: SortedRuns[tuple[str, bytes]] = SortedRuns(sealed=engine.codec.name != PLAIN.name)
    for shard in shards:
        real = engine.layout.shard(shard)
        raw = fileio.read_bytes(folder / real.name)
        if raw is None:
            continue
        records = engine.files.storage(real).parse(raw).get(RATINGS_TABLE, {})
        del raw
        check_statuses(engine.layout, shard, records)
        if tally is not None:
            tally.add(shard, len(records))
        for record in records.values():
            keys.append(sort_key(record, roles))
            held.append((shard, marshal.dumps(record)))
            if len(held) >= spill.RUN:
                runs.spill(keys, held)
        del records
    for shard, packed in runs.drain(keys, held):
        record = marshal.loads(packed)
        status = record.get("status")
        if status in statuses:
            yield to_rating(record, shard)
        elif tally is not None:  # (`check_statuses` made sure it is a known status)
            _leave_out(tally, str(status), record, to_rating, shard)


def _leave_out(
    tally: Tally, status: str, record: dict[str, Any], to_rating: ToRating, shard: str
) -> None:
    """Count a rating its status left out of a read, when the read's other filters keep it
    (`Tally.keeps`): the count is of what was asked, not of the whole folder."""
    if tally.keeps is not None:
        try:
            kept = tally.keeps(record)
        except (KeyError, TypeError, AttributeError):  # not in the stored form
            kept = tally.keeps(to_rating(record, shard).model_dump(mode="json"))
        if not kept:
            return
    tally.left_out[status] = tally.left_out.get(status, 0) + 1


def dyad_ratings(
    engine: Engine,
    to_rating: ToRating,
    folder: Path,
    shards: list[str],
    roles: Roles,
    dyads: Collection[str],
    statuses: Collection[Status],
) -> Iterator[Rating]:
    """The ratings of `dyads` with one of `statuses` in the shard files `shards` of the
    snapshot in `folder`, validating only theirs (an import's checks look at the few stored
    ratings of its dyads among 100,000). A file whose text names none of the dyads under a
    dyad field is not parsed at all (`names_any`); a rating in two files (a move a full disk
    cut short) is given once."""
    seen: set[str] = set()
    field = dyad_field(roles)
    encoded = frozenset(d.encode() for d in dyads)  # once, not per file
    for shard in shards:
        real = engine.layout.shard(shard)
        raw = fileio.read_bytes(folder / real.name)
        if raw is None or (field is not None and not names_any(engine, raw, field, dyads, encoded)):
            continue
        records = engine.files.storage(real).parse(raw).get(RATINGS_TABLE, {})
        check_statuses(engine.layout, shard, records)
        for record in records.values():
            dyad = role_value(record, roles, "dyad")
            wanted = isinstance(dyad, str) and dyad in dyads
            if wanted and record.get("status") in statuses and record.get("id") not in seen:
                seen.add(str(record.get("id")))
                yield to_rating(record, shard)


def dyad_field(roles: Roles) -> re.Pattern[bytes] | None:
    """A pattern of a dyad field's value in stored text (every instrument version's dyad
    field key, as JSON writes it); None when no version has a dyad field."""
    keys = {k for fields in roles.values() if isinstance(k := fields.get("dyad"), str)}
    if not keys:
        return None
    written = {json.dumps(k, ensure_ascii=a).encode()[1:-1] for k in keys for a in (True, False)}
    names = b"|".join(re.escape(k) for k in sorted(written))
    return re.compile(rb'"(?:' + names + rb')"\s*:\s*"((?:[^"\\]|\\.)*)"')


CODE_SEARCHES = 8
"""Dyad codes at most that `names_any` first looks for as plain text (the rating form asks
for one dyad); for more (an import's checks: hundreds) one search each would cost the file's
size per code, so the dyad fields are read in one pass instead."""


def names_any(
    engine: Engine,
    raw: bytes,
    field: re.Pattern[bytes],
    dyads: Collection[str],
    encoded: frozenset[bytes] | None = None,
) -> bool:
    """Whether the stored text may hold a record of `dyads` (`encoded`: their UTF-8 bytes,
    given when many files are asked about the same codes): some value of a dyad field (as
    JSON writes it, escapes decoded) is one of them. Text that cannot be decoded, or that is
    not whole as the store writes a file (a file cut short), counts as yes, so that parsing it
    names the damage."""
    try:
        text = engine.files.codec.decode(raw)
    except CodecError:
        return True
    if not (text.startswith(b'{"') and text.rstrip().endswith(b"}}")):
        return True  # cut short or not as the store writes it: parsing names the damage
    if (
        len(dyads) <= CODE_SEARCHES
        and b"\\u" not in text
        and not any(
            json.dumps(d, ensure_ascii=a).encode() in text for d in dyads for a in (False, True)
        )
    ):
        return False  # no form of the codes at all (a \u escape could spell one: looked at)
    if text.isascii() and b"\\" not in text:  # every value is its code as it is: in C
        codes = frozenset(d.encode() for d in dyads) if encoded is None else encoded
        return not codes.isdisjoint(field.findall(text))
    for match in field.finditer(text):
        value = match.group(1)
        try:
            found = json.loads(b'"' + value + b'"') if b"\\" in value else value.decode()
        except ValueError:
            return True
        if found in dyads:
            return True
    return False


def read_month(
    engine: Engine,
    to_rating: ToRating,
    folder: Path,
    shards: list[str],
    roles: Roles,
    quick_key: Callable[[dict[str, Any]], tuple[str, str, str]],
    read: Callable[[dict[str, Any]], _T | None],
    statuses: Collection[Status],
    tally: Tally | None = None,
    read_in_file_order: bool = False,
) -> Iterator[_T]:
    """`iter_records` for one month of the snapshot in `folder` (its shard files, several
    once the month has split), sorted across them (all of them counted in `tally`).

    Files are parsed one at a time. By default each record is kept until the month is sorted
    and `read` is called in that order. With `read_in_file_order`, each record is read as its
    file is parsed and only what `read` returns is kept with its sort key: a month of 30,000
    ratings then never holds 30,000 parsed records (about 5 kB each), only their results (a
    row, a line), still given in `iter_all`'s order (for a reader whose calls have no effect
    that depends on their order, as the exports' have none); past `spill.RUN` of them they
    wait in sorted runs on disk (`spill.SortedRuns`), so memory no longer follows the month."""
    keys: list[tuple[str, str, str]] = []
    found: list[Any] = []
    """What `read` returned or, when it is called after the sort, (record, shard)."""
    runs: SortedRuns[_T] | None = None
    if read_in_file_order:
        runs = SortedRuns(sealed=engine.codec.name != PLAIN.name)
    for shard in shards:
        raw = fileio.read_bytes(folder / f"{shard}.json")
        if raw is None:
            continue
        real = engine.layout.shard(shard)
        records = engine.files.storage(real).parse(raw).get(RATINGS_TABLE, {})
        del raw
        if tally is not None:
            tally.add(shard, len(records))
        for rating_id, record in records.items():
            try:
                key = quick_key(record)
            except (KeyError, AttributeError, TypeError):  # not in the stored form
                key = _slow_key(engine, to_rating, shard, rating_id, record, roles)
            status = record.get("status")
            if type(status) is not str or status not in statuses:
                problem = status_problem(record)
                if problem:  # never silently left out of an export
                    raise StoreCorruptError(
                        f"{real}: rating {record.get('id')!r} is damaged ({problem}); nothing "
                        f"was changed.\n{restore_hint(real, engine.layout.backups_of(real))}",
                        real,
                    )
                if tally is not None:
                    _leave_out(tally, status, record, to_rating, shard)
                continue
            keys.append(key)
            if runs is not None:
                result = read(record)  # `_read_one`, its usual case inline
                if result is None:
                    result = _read_refused(engine, to_rating, read, record, shard)
                found.append(result)
                if len(found) >= spill.RUN:
                    runs.spill(keys, found)
            else:
                found.append((record, shard))
        del records
    if runs is not None:
        yield from runs.drain(keys, found)
        return
    # A stable sort of the positions: equal keys (a rating in two files) keep file order.
    for index in sorted(range(len(keys)), key=keys.__getitem__):
        yield _read_one(engine, to_rating, read, *found[index])


def _read_one(
    engine: Engine,
    to_rating: ToRating,
    read: Callable[[dict[str, Any]], _T | None],
    record: dict[str, Any],
    shard: str,
) -> _T:
    """`read(record)`, or when it refuses the record, `read` of its validated dump (the
    validation names a damaged record)."""
    result = read(record)
    if result is None:
        return _read_refused(engine, to_rating, read, record, shard)
    return result


def _read_refused(
    engine: Engine,
    to_rating: ToRating,
    read: Callable[[dict[str, Any]], _T | None],
    record: dict[str, Any],
    shard: str,
) -> _T:
    """`read` of the validated dump of a record `read` refused (the validation names a
    damaged record)."""
    result = read(to_rating(record, shard).model_dump(mode="json"))
    if result is None:
        raise ValueError(
            f"{engine.layout.shard(shard)}: rating {record.get('id')!r} is valid, but the "
            "reader refused even its validated form (a bug in the reader)"
        )
    return result


def _slow_key(
    engine: Engine,
    to_rating: ToRating,
    shard: str,
    rating_id: str,
    record: object,
    roles: Roles,
) -> tuple[str, str, str]:
    """`query.sort_key` of a record not in the stored form, or the error naming it when
    `iter_all`'s ordering cannot read it."""
    try:
        return sort_key(record, roles)  # type: ignore[arg-type]  # checked just below
    except (AttributeError, TypeError):
        pass
    path = engine.layout.shard(shard)
    if not isinstance(record, dict):
        found = type(record).__name__
        hint = restore_hint(path, engine.layout.backups_of(path))
        raise StoreCorruptError(
            f"{path}: rating {rating_id!r} is damaged (expected an object, found {found}); "
            f"nothing was changed.\n{hint}",
            path,
        )
    to_rating(record, shard)  # cannot be valid: raises, naming the field
    raise StoreCorruptError(f"{path}: rating {rating_id!r} is damaged; nothing was changed", path)


def stored_sort_key(roles: Roles) -> Callable[[dict[str, Any]], tuple[str, str, str]]:
    """`query.sort_key` for records in the stored form, in one step instead of four (it is
    computed for every rating of an export); KeyError or TypeError for any other record."""
    date_fields = {ref: keys.get("session_date") for ref, keys in roles.items()}
    by_version: dict[tuple[str, str], object] = {}
    """(id, version) -> its date field: the "id@version" text made once per version."""

    def key(record: dict[str, Any]) -> tuple[str, str, str]:
        ref = record["instrument"]
        version = (ref["id"], ref["version"])
        field = by_version.get(version, by_version)
        if field is by_version:
            field = by_version[version] = date_fields.get(f"{version[0]}@{version[1]}")
        day = record["session"].get(field) if field else None
        created = record["created"]
        if type(created) is not str:
            raise TypeError("created is not a text")
        rating_id = record["id"]
        if type(rating_id) is not str:
            raise TypeError("id is not a text")
        return (day if isinstance(day, str) else "", created, rating_id)

    return key
