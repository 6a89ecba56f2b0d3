"""Which ratings are of the same session, and what each one contributes."""

from __future__ import annotations

import math

from rating_tui.analysis.pairing import LEFT_OUT, analysed_keys, collect, record_parts
from rating_tui.analysis.records import Slim
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from tests.unit.analysis.conftest import SAMPLE, RatingMaker, table_of


def test_same_session_means_same_dyad_date_and_number(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    ratings = [
        make_rating("AB", {"warmth": 5}),
        make_rating("CD", {"warmth": 6}),
        make_rating("CD", {"warmth": 7}, number=2),
        make_rating("CD", {"warmth": 8}, day="2026-03-02"),
        make_rating("CD", {"warmth": 9}, dyad="D002"),
    ]
    table = table_of(ratings, instrument)
    assert table.sessions == [
        ("D001", "2026-03-01", "1"),
        ("D001", "2026-03-01", "2"),
        ("D001", "2026-03-02", "1"),
        ("D002", "2026-03-01", "1"),
    ]
    assert table.raters == ["AB", "CD"]
    assert list(table.row_session) == [0, 0, 1, 2, 3]
    assert list(table.row_rater) == [0, 1, 1, 1, 1]


def test_no_ratings_no_tables(instrument: Instrument) -> None:
    assert collect([], lambda *ref: instrument).tables == {}


def test_scales_and_positions(make_rating: RatingMaker, instrument: Instrument) -> None:
    table = table_of(
        [make_rating("AB", {"warmth": 5, "presence": 4, "held": 1, "focus": 2})], instrument
    )
    warmth, presence, held, focus = table.items  # not the text item
    # A single choice is nominal: the chosen option's index among the scale's codes.
    assert (focus.kind, focus.codes, focus.nominal) == ("choice", ("1", "2"), True)
    assert table.values[3][0] == 1.0
    assert (warmth.kind, warmth.span, warmth.position(7)) == ("numeric", 10, 7)
    assert presence.points == (0, 1, 2, 4)
    assert presence.position(4) == 3  # the fourth point, whatever its value
    assert (held.kind, held.points) == ("yes_no", (0, 1))


def test_drafts_voided_and_other_raters_are_left_out(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    ratings = [
        make_rating("AB", {"warmth": 5}),
        make_rating("CD", {"warmth": 6}, status="draft"),
        make_rating("EF", {"warmth": 7}, status="voided"),
        make_rating("GH", {"warmth": 8}),
    ]
    assert table_of(ratings, instrument).raters == ["AB", "GH"]
    only = collect(ratings, lambda *ref: instrument, raters={"GH"})
    assert only.tables[instrument.id].raters == ["GH"]
    assert only.ratings == 1


def test_codes_and_unanswered_items_have_no_value_and_codes_are_counted(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    ratings = [
        make_rating("AB", {"warmth": "NO", "presence": 2, "focus": 1, "summary": "x"}),
        make_rating("CD", {"warmth": 3, "presence": None}),
    ]
    table = table_of(ratings, instrument)
    assert math.isnan(table.values[0][0]) and table.values[0][1] == 3
    assert table.values[1][0] == 2 and math.isnan(table.values[1][1])
    assert (table.coded_count(0), table.coded_count(1)) == (1, 0)


def test_a_rater_who_rated_a_session_twice_counts_once_with_the_last_update(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    first = make_rating("AB", {"warmth": 2, "presence": "NO"})
    second = make_rating("AB", {"warmth": 9})  # made (and updated) later
    for order in ([first, second], [second, first]):
        table = table_of(order, instrument)
        assert table.rows == 1 and table.replaced == 1
        assert table.values[0][0] == 9
        assert math.isnan(table.values[1][0]) and table.coded_count(1) == 0


def test_ratings_without_a_session_key_or_instrument_are_counted(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    no_dyad = make_rating("AB", {"warmth": 2})
    no_dyad = no_dyad.replace(session={k: v for k, v in no_dyad.session.items() if k != "family"})
    other = parse_instrument(SAMPLE.replace('"1.0.0"', '"9.0.0"'), "v9")
    unknown = make_rating("CD", {"warmth": 2}, of=other)
    found = collect([no_dyad, unknown], lambda i, v, h: instrument if v == "1.0.0" else None)
    assert (found.ratings, found.unkeyed, found.unknown) == (2, 1, 1)


def test_versions_of_one_instrument_share_sessions_and_the_newest_scale_wins(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    text = SAMPLE.replace('version = "1.0.0"', 'version = "1.1.0"')
    text = text.replace("min = 0, max = 10, step = 1", "min = 0, max = 20, step = 2")
    text = text.replace('key = "held"', 'key = "calm"')
    newer = parse_instrument(text, "v1.1")
    ratings = [
        make_rating("CD", {"warmth": 4, "calm": 1}, of=newer),
        make_rating("AB", {"warmth": 5, "held": 0}),
    ]
    versions = {"1.0.0": instrument, "1.1.0": newer}
    found = collect(ratings, lambda i, v, h: versions[v])
    table = found.tables[instrument.id]
    assert table.raters == ["CD", "AB"] and len(table.sessions) == 1
    assert [i.key for i in table.items] == ["warmth", "presence", "calm", "focus", "held"]
    assert table.items[0].high == 20  # from 1.1.0, though 1.0.0 came second
    assert math.isnan(table.values[2][1]) and table.values[4][1] == 0


def test_stored_records_give_the_same_table_as_ratings(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    """The CLI reads one data folder as stored dicts (no model per rating): same result."""
    ratings = [
        make_rating("AB", {"warmth": 5, "presence": "NO", "held": 1, "focus": 2}),
        make_rating("CD", {"warmth": 6.0, "presence": 4}),
        make_rating("AB", {"warmth": 7}),  # replaces AB's first
        make_rating("CD", {"warmth": 1}, status="draft"),
    ]
    as_models = collect(ratings, lambda *ref: instrument)
    stored = [record_parts(r.model_dump(mode="json")) for r in ratings]
    as_records = collect([p for p in stored if p is not None], lambda *ref: instrument)
    models, records = as_models.tables[instrument.id], as_records.tables[instrument.id]
    assert (records.items, records.raters, records.sessions) == (
        models.items,
        models.raters,
        models.sessions,
    )
    assert (records.row_session, records.row_rater, records.coded) == (
        models.row_session,
        models.row_rater,
        models.coded,
    )
    assert [repr(v) for v in records.values] == [repr(v) for v in models.values]  # NaN too
    assert (records.replaced, as_records.ratings) == (models.replaced, as_models.ratings) == (1, 3)
    assert models.values[0].tolist() == [7.0, 6.0]


def test_a_record_in_another_form_is_left_to_the_store(make_rating: RatingMaker) -> None:
    record = make_rating("AB", {"warmth": 5}).model_dump(mode="json")
    assert record_parts(record) is not None
    for part, value in [("rater", 7), ("session", []), ("updated", None), ("instrument", "x")]:
        assert record_parts(record | {part: value}) is None, part


def test_slimmed_records_give_the_same_table_and_keep_only_what_it_reads(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    """`Slim` (what the CLI keeps of each record while its month is read): the same table
    and counts as the whole records; answers shared, unanalysed parts dropped."""
    ratings = [
        make_rating("AB", {"warmth": 5, "presence": "NO", "held": 1, "focus": 2, "summary": "x"}),
        make_rating("CD", {"warmth": 5.0, "presence": 4, "held": 0}),
        make_rating("EF", {"warmth": 5, "focus": 1}, number=2),
        make_rating("AB", {"warmth": 7}),  # replaces AB's first
        make_rating("CD", {"warmth": 1}, status="draft"),
        make_rating("XY", {"warmth": 3}),  # left out by the rater filter
    ]
    stored = [p for r in ratings if (p := record_parts(r.model_dump(mode="json")))]
    raters = {"AB", "CD", "EF"}
    slim = Slim(lambda *ref: instrument, raters)
    slimmed = [slim(p) for p in stored]
    whole = collect(stored, lambda *ref: instrument, raters)
    small = collect(slimmed, lambda *ref: instrument, raters)
    a, b = whole.tables[instrument.id], small.tables[instrument.id]
    assert (b.items, b.raters, b.sessions, b.row_session, b.row_rater, b.coded) == (
        a.items,
        a.raters,
        a.sessions,
        a.row_session,
        a.row_rater,
        a.coded,
    )
    assert [repr(v) for v in b.values] == [repr(v) for v in a.values]
    assert (small.ratings, b.replaced) == (whole.ratings, a.replaced) == (4, 1)
    assert slimmed[4] == slimmed[5] == LEFT_OUT  # a draft; a rater not asked for
    first, third = slimmed[0], slimmed[2]
    assert first[3] == b.sessions[0]  # the session key's texts (not the rater), in order
    assert type(first[5]) is float  # the update time as `stamp` reads it
    keys = analysed_keys(instrument)
    assert len(first[4]) == len(keys) and "summary" not in keys  # text is not analysed
    warmth = keys.index("warmth")
    assert isinstance(first[4], tuple) and isinstance(third[4], tuple)
    assert first[4][warmth] == 5 and type(first[4][warmth]) is int  # {"value": 5} held as 5
    assert slimmed[1][4][warmth] == 5.0 and type(slimmed[1][4][warmth]) is float  # type: ignore[index]
    assert first[0] is third[0] and first[2] is slimmed[3][2]  # one reference, one rater


def test_slim_keeps_a_rating_of_an_unknown_version_whole(
    make_rating: RatingMaker,
) -> None:
    def unknown(*ref: str) -> Instrument:
        raise LookupError("unknown version")

    parts = record_parts(make_rating("AB", {"warmth": 5}).model_dump(mode="json"))
    assert parts is not None
    assert Slim(unknown)(parts) is parts  # collect asks again and says so in its order


def test_slim_shares_codes_and_leaves_an_answer_in_another_form_to_collect(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    """A missing code is one shared object; an answer that is not in the stored form (a
    hand edit: a bare number) keeps the whole record, which `collect` reads as before."""
    records = [
        make_rating("AB", {"warmth": 5}).model_dump(mode="json"),
        make_rating("CD", {"warmth": 6}).model_dump(mode="json"),
    ]
    for record in records:
        record["answers"]["presence"] = {"missing": "not_observed"}
    records[1]["answers"]["held"] = 1  # not {"value": 1}
    parts = [record_parts(r) for r in records]
    assert parts[0] is not None and parts[1] is not None
    slim = Slim(lambda *ref: instrument)
    small, whole = slim(parts[0]), slim(parts[1])
    presence = analysed_keys(instrument).index("presence")
    assert small[4][presence] == {"missing": "not_observed"}  # type: ignore[index]
    assert small[4][presence] is slim(parts[0])[4][presence]  # type: ignore[index]
    assert whole is parts[1]
    got = collect([small, whole], lambda *ref: instrument).tables[instrument.id]
    expected = collect(parts, lambda *ref: instrument).tables[instrument.id]
    assert [repr(v) for v in got.values] == [repr(v) for v in expected.values]
    assert got.coded == expected.coded and sum(got.coded[presence]) == 2
