"""`stored.collect_stored` (one folder's records, a few bytes each) gives exactly the tables of
`pairing.collect`, or hands the folder back (`Fallback`)."""

from __future__ import annotations

import gc
import random
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from rating_tui.analysis import stored, storedcode, storedtable
from rating_tui.analysis.columns import CODED, CodedRows
from rating_tui.analysis.pairing import Collected, SessionTable, collect, record_parts
from rating_tui.analysis.stored import HEAD, Fallback, collect_stored
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Rating
from tests.unit.analysis.conftest import SAMPLE, RatingMaker
from tests.unit.analysis.test_scores_agreement import SCORED

Record = dict[str, Any]


def sort_key(record: Record) -> tuple[str, str, str]:
    return (record["session"].get("day", ""), record["created"], record["id"])


def store_like(records: list[Record]) -> Callable[[Callable[[Record], Any]], Iterator[Any]]:
    """`RecordSource.records` over `records` (in file order): a month at a time (the month of
    the session date), `read` called in file order, its results given sorted by the store's
    key; a refused record is read again as its validated dump, as the store does."""

    def records_of(read: Callable[[Record], Any]) -> Iterator[Any]:
        months: dict[str, list[Record]] = {}
        for record in records:
            months.setdefault(record["session"].get("day", "")[:7], []).append(record)
        for month in sorted(months):
            found = []
            for record in months[month]:
                result = read(record)
                if result is None:
                    result = read(Rating.model_validate(record).model_dump(mode="json"))
                found.append((sort_key(record), result))
            found.sort(key=lambda hit: hit[0])
            yield from (result for _, result in found)

    return records_of


def in_store_order(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: (r["session"].get("day", "")[:7], sort_key(r)))


def both(
    records: list[Record],
    instrument_of: Callable[[str, str, str], Instrument | None],
    raters: set[str] | None = None,
) -> tuple[Collected, Collected]:
    """(`collect` of the records in the store's order, `collect_stored` of them)."""
    parts = [record_parts(r) for r in in_store_order(records)]
    expected = collect([p for p in parts if p is not None], instrument_of, raters)
    return expected, collect_stored(store_like(records), instrument_of, raters)


def same_tables(expected: Collected, got: Collected) -> None:
    counts = (got.ratings, got.unkeyed, got.unknown)
    assert counts == (expected.ratings, expected.unkeyed, expected.unknown)
    assert list(got.tables) == list(expected.tables)
    for key, a in expected.tables.items():
        b = got.tables[key]
        assert (b.items, b.raters, b.sessions, b.dyad_first, b.replaced) == (
            a.items,
            a.raters,
            a.sessions,
            a.dyad_first,
            a.replaced,
        )
        assert (b.session_codes, b.row_session, b.row_rater, list(b.coded)) == (
            a.session_codes,
            a.row_session,
            a.row_rater,
            a.coded,
        )
        assert [list(t) for t in b.key_values] == [list(t) for t in a.key_values]
        assert [repr(v) for v in b.values] == [repr(v) for v in a.values]  # NaN and -0.0 too
        assert [type(c.data) for c in b.columns] == [type(c.data) for c in a.columns]


def dumps(ratings: Iterable[Rating]) -> list[Record]:
    return [r.model_dump(mode="json") for r in ratings]


def test_every_form_of_answer_and_key_gives_the_same_table(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    ratings = [
        make_rating("AB", {"warmth": 5, "presence": "NO", "held": 1, "focus": 2, "summary": "x"}),
        make_rating("CD", {"warmth": 6.0, "presence": 4, "held": 0, "focus": 1}),
        make_rating("EF", {"warmth": 5, "focus": 2}, number=2),
        make_rating("AB", {"warmth": 7}),  # replaces AB's first (updated later)
        make_rating("CD", {"warmth": 1}, status="draft"),
        make_rating("GH", {"warmth": 2}, dyad=""),  # no dyad: no session key
        make_rating("AB", {"warmth": 3, "presence": 2}, day="2026-03-02"),
        make_rating("AB", {"warmth": 9}, day="2026-04-11", dyad="D002"),
        make_rating("CD", {"warmth": "NO", "presence": 1}, day="2026-04-11", dyad="D002"),
    ]
    records = dumps(ratings)
    records[1]["answers"]["held"] = {"value": True}  # no number (valid as a value)
    records[2]["answers"]["presence"] = {"value": "4"}  # a text: no number
    records[2]["answers"]["focus"] = {"value": "2"}  # a choice's code as text
    records[7]["answers"]["focus"] = {"value": 3}  # a code the scale does not list
    records[8]["session"]["number"] = "1"  # the same key text as the number 1
    expected, got = both(records, lambda *ref: instrument)
    same_tables(expected, got)
    table = got.tables[instrument.id]
    assert (got.ratings, got.unkeyed, table.replaced) == (8, 1, 1)


def test_the_older_copy_of_a_session_by_the_same_rater_is_set_aside_whatever_the_order(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    first = make_rating("AB", {"warmth": 5})
    later = first.replace(answers={}, updated=first.updated + timedelta(seconds=30))
    newer = make_rating("AB", {"warmth": 8})  # another rating, created after: read last
    same_time = make_rating("AB", {"warmth": 2}).replace(updated=newer.updated)
    for ratings in ([first, later, newer, same_time], [newer, same_time, later, first]):
        records = dumps(ratings)
        records[1]["id"] = records[1]["id"][:-1] + "0"  # a copy under another id
        same_tables(*both(records, lambda *ref: instrument))


def test_scores_raters_and_versions(make_rating: RatingMaker, instrument: Instrument) -> None:
    scored = parse_instrument(SCORED, "scored")
    newer = parse_instrument(SCORED.replace('version = "1.0.0"', 'version = "1.2.0"'), "v1.2")
    versions = {"1.0.0": scored, "1.2.0": newer}
    ratings = [
        make_rating("J1", {"warmth": 4.0, "presence": 1.0}, of=scored),
        make_rating("J2", {"warmth": 5.0, "presence": 2.0}, of=newer),
        make_rating("J3", {"warmth": 3.0}, of=scored),  # no score: presence missing
        make_rating("J4", {"warmth": 1.5, "presence": 4}, of=newer, number=2),
    ]
    records = dumps(ratings)
    for raters in (None, {"J1", "J2", "J4"}):
        same_tables(*both(records, lambda i, v, h: versions[v], raters))


def test_many_ratings_in_random_file_order(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    rng = random.Random(7)
    ratings = []
    for n in range(600):
        day = f"2026-0{rng.randint(1, 3)}-{rng.randint(10, 12)}"
        values = {"warmth": rng.choice([1, 2, 2.5, "NO", None]), "focus": rng.choice([1, 2])}
        values["presence"] = rng.choice([0, 1, 2, 4, "NO"])
        rater = rng.choice(["AB", "CD", "EF", "GH"])
        dyad = rng.choice(["D001", "D002", "D003"])
        ratings.append(make_rating(rater, values, dyad=dyad, day=day, number=n % 3 + 1))
    records = dumps(ratings)
    rng.shuffle(records)
    expected, got = both(records, lambda *ref: instrument)
    same_tables(expected, got)
    assert got.tables[instrument.id].replaced > 0


def test_rows_over_many_blocks_and_wide_session_codes_read_the_same(
    make_rating: RatingMaker, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item codes moved into the columns 4 rows at a time (later copies of a session by
    the same rater replace rows held or already moved), and the date's and number's codes
    widened past 16 bits (here past 2 texts), and the rows' raters past a byte (here past
    2 raters): the same table as `collect`, and the codes widened only where a part has more
    texts than 16 bits hold."""
    monkeypatch.setattr(storedtable, "BLOCK_ROWS", 4)
    monkeypatch.setattr(storedtable, "NARROW", 2)
    monkeypatch.setattr(storedtable, "RATERS_IN_A_BYTE", 2)
    rng = random.Random(11)
    ratings = []
    for n in range(300):
        values = {"warmth": rng.choice([1, 2, 3, "NO", None]), "presence": rng.choice([0, 1])}
        rater = rng.choice(["AB", "CD", "EF"])
        dyad, day = f"D00{n % 5}", f"2026-03-1{n % 2}"
        ratings.append(make_rating(rater, values, dyad=dyad, day=day, number=n % 7 + 1))
    records = dumps(ratings)
    rng.shuffle(records)
    expected, got = both(records, lambda *ref: instrument)
    same_tables(expected, got)
    table = got.tables[instrument.id]
    assert table.replaced > 0 and table.rows > 4 * 10
    assert [len(t) for t in table.key_values] == [5, 2, 7]
    assert [a.typecode for a in table.session_codes] == ["i", "H", "i"]
    assert table.row_rater.typecode == "i" and len(table.raters) == 3


def test_what_is_kept_of_a_rating_while_its_month_is_sorted(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    """One bytes object per rating: the header and a byte per analysed item, nothing else;
    and the lookups of a date's sessions are dropped when the next date begins."""
    ratings = [
        make_rating(r, {"warmth": w}, day=f"2026-03-{d:02d}", number=n)
        for d in range(10, 20)
        for n in range(1, 6)
        for r, w in (("AB", 3), ("CD", 4))
    ]
    kept: list[object] = []

    def records_of(read: Callable[[Record], Any]) -> Iterator[Any]:
        for record in dumps(ratings):
            kept.append(read(record))
        yield from kept

    found = collect_stored(records_of, lambda *ref: instrument)
    table = found.tables[instrument.id]
    assert {type(k) for k in kept} == {bytes}
    assert {len(k) for k in kept} == {HEAD.size + len(table.items)}  # type: ignore[arg-type]
    assert (table.rows, table.session_count) == (100, 50)
    assert len(table.columns[0].data) == 100 and table.columns[0].data.itemsize == 1
    # The not-observed mark is the column's byte (-2): no byte array per item of its own,
    # the 0/1 rows made when asked; the date's and number's codes two bytes a session.
    assert isinstance(table.coded, CodedRows) and table.coded_count(0) == 0
    assert [a.typecode for a in table.session_codes] == ["H", "H", "H"]


def test_a_coded_row_is_marked_in_its_byte_and_reads_as_no_value(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    records = dumps(
        [make_rating("AB", {"warmth": "NO", "presence": 4}), make_rating("CD", {"warmth": 3})]
    )
    expected, got = both(records, lambda *ref: instrument)
    same_tables(expected, got)
    table = got.tables[instrument.id]
    assert list(table.columns[0].data) == [CODED, 0]
    assert repr(table.values[0].tolist()) == "[nan, 3.0]"
    assert table.coded == [array("b", [1, 0])] + [array("b", [0, 0])] * 3
    assert table.coded_count(0) == 1 and table.coded[1:2] == [array("b", [0, 0])]


def test_what_it_does_not_take_it_hands_back(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    base = [make_rating("AB", {"warmth": 5}), make_rating("CD", {"warmth": 4})]
    later = make_rating("EF", {"warmth": 3}, day="2026-03-02")

    def plain(records: list[Record]) -> Callable[[Callable[[Record], Any]], Iterator[Any]]:
        return lambda read: (read(r) for r in records)

    with pytest.raises(Fallback):  # a date met again after its run: not the store's order
        collect_stored(plain(dumps([base[0], later, base[1]])), lambda *ref: instrument)
    many = dumps(base)
    many += [dict(many[0], answers={"warmth": {"value": n / 7}}) for n in range(200)]
    with pytest.raises(Fallback):  # more distinct values than a byte codes
        collect_stored(plain(many), lambda *ref: instrument)
    negative = dumps(base)
    negative[0]["answers"]["warmth"] = {"value": -0.0}
    with pytest.raises(Fallback):  # -0.0 prints apart from 0.0: the order of values decides
        collect_stored(plain(negative), lambda *ref: instrument)
    other = parse_instrument(SAMPLE.replace('version = "1.0.0"', 'version = "2.0.0"').replace(
        'key = "held"', 'key = "calm"'), "v2")  # fmt: skip
    mixed = dumps([base[0], make_rating("CD", {"warmth": 1}, of=other)])
    versions = {"1.0.0": instrument, "2.0.0": other}
    with pytest.raises(Fallback):  # versions with other items: `collect` orders the columns
        collect_stored(plain(mixed), lambda i, v, h: versions[v])

    def unknown(*ref: str) -> Instrument:
        raise LookupError("unknown version")

    with pytest.raises(Fallback):  # `collect` raises it in the store's order
        collect_stored(plain(dumps(base)), unknown)


def test_an_empty_read_has_no_tables(instrument: Instrument) -> None:
    found = collect_stored(lambda read: iter(()), lambda *ref: instrument)
    assert (found.tables, found.ratings) == ({}, 0)
    assert isinstance(stored.SKIP, bytes) and not stored.SKIP  # left out: empty, false


def test_table_type_is_the_one_the_statistics_read(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    found = collect_stored(
        store_like(dumps([make_rating("AB", {"warmth": 5})])), lambda *ref: instrument
    )
    table = found.tables[instrument.id]
    assert isinstance(table, SessionTable)
    assert (table.row_session.typecode, table.row_rater.typecode) == ("i", "B")
    assert {c.data.typecode for c in table.columns} == {"b"}


def test_a_rating_left_out_is_not_looked_up(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    """A draft, or another rater's rating, of a version no folder holds is left out before
    its version is asked for (as `collect` leaves it out): no fallback, no error."""
    other = parse_instrument(SAMPLE.replace('version = "1.0.0"', 'version = "9.0.0"'), "v9")
    records = dumps(
        [
            make_rating("AB", {"warmth": 5}),
            make_rating("CD", {"warmth": 4}),
            make_rating("CD", {"warmth": 1}, status="draft", of=other),
            make_rating("XY", {"warmth": 2}, of=other),
        ]
    )

    def known(instrument_id: str, version: str, hash_: str) -> Instrument:
        if version != "1.0.0":
            raise LookupError(f"{version} is unknown")
        return instrument

    same_tables(*both(records, known, {"AB", "CD"}))


def test_the_reader_is_gone_once_the_tables_are_made(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    """The reader (its dictionaries hold texts of the parsed months) is freed when
    `collect_stored` returns, without waiting for the cyclic collector."""
    records = dumps([make_rating("AB", {"warmth": 5}), make_rating("CD", {"warmth": 4})])
    gc.collect()
    gc.disable()
    try:
        found = collect_stored(store_like(records), lambda *ref: instrument)
        alive = [o for o in gc.get_objects() if type(o) in (stored._Reader, storedcode.Version)]
    finally:
        gc.enable()
    assert found.tables[instrument.id].rows == 2
    assert alive == []


def test_collect_folder_reads_again_what_the_stored_path_hands_back(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    ratings = [make_rating(r, {"warmth": w}) for r, w in (("AB", 5), ("CD", 4), ("EF", 2))]
    reads: list[list[object]] = []

    def counted(records: list[Record]) -> Callable[[Callable[[Record], Any]], Iterator[Any]]:
        def records_of(read: Callable[[Record], Any]) -> Iterator[Any]:
            reads.append([])
            for result in store_like(records)(read):
                reads[-1].append(result)
                yield result

        return records_of

    def keep(record: Record) -> bool:
        return bool(record["rater"] != "EF")

    plain = dumps(ratings)
    expected = collect([record_parts(r) for r in plain[:2]], lambda *ref: instrument)  # type: ignore[misc]
    same_tables(
        expected, stored.collect_folder(counted(plain), lambda *ref: instrument, None, keep)
    )
    assert len(reads) == 1 and {type(r) for r in reads[0]} == {bytes}  # one compact read
    negative = dumps(ratings)
    negative[0]["answers"]["warmth"] = {"value": -0.0}  # handed back (`Fallback`)
    reads.clear()
    got = stored.collect_folder(counted(negative), lambda *ref: instrument, None, keep)
    parts = [record_parts(r) for r in negative[:2]]
    same_tables(collect(parts, lambda *ref: instrument), got)  # type: ignore[arg-type]
    assert len(reads) == 2  # read again, as `Slim` parts; the rater left out not placed
    assert [type(r) for r in reads[1]] == [tuple, tuple, tuple] and reads[1][2][1] == ""


def test_keeping_counts_only_keeps_what_agreement_reads(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    ratings = [
        make_rating(r, {"warmth": 3}, day=f"2026-03-{d:02d}", number=n)
        for d in (10, 11)
        for n in (1, 2)
        for r in ("AB", "CD")
    ]
    table = collect_stored(store_like(dumps(ratings)), lambda *ref: instrument).tables[
        instrument.id
    ]
    dyads, rows = array("i", table.dyad_codes()), (table.row_session, table.row_rater)
    assert table.session_count == 4 and len(table.sessions) == 4
    table.keep_counts_only()
    assert (table.session_count, table.dyad_codes(), table.rows) == (4, dyads, 8)
    assert (table.row_session, table.row_rater) == rows
    assert [len(codes) for codes in table.session_codes] == [4, 0, 0] and table.key_values == []
    with pytest.raises(ValueError, match="let go"):
        table.sessions  # noqa: B018
