"""Pre-store checks: the same session twice, a future date, numbers out of order with dates."""

from __future__ import annotations

from datetime import date

from rating_tui.ratings.checks import SessionFacts, check_session, errors

TODAY = date(2026, 11, 30)


def session(
    number: int | None,
    day: str,
    rater: str = "RP",
    *,
    id: str = "new",
    dyad: str = "EC0417",
    status: str = "final",
    instrument: str = "paris",
) -> SessionFacts:
    return SessionFacts(id, instrument, dyad, number, date.fromisoformat(day), rater, status)


def test_the_same_session_by_the_same_rater_is_an_error_naming_it() -> None:
    stored = session(1, "2026-11-30", id="old")
    [finding] = check_session(session(1, "2026-11-30"), [stored], TODAY)
    assert finding.severity == "error" and finding.other == "old"
    assert finding.message == (
        "EC0417 session 1 is already rated by RP on 2026-11-30: open it, or rate it as a "
        "second rater?"
    )
    # rater codes are compared without case: rp is RP
    assert errors(check_session(session(1, "2026-11-30", "rp"), [stored], TODAY))


def test_a_second_rater_of_a_session_is_a_warning() -> None:
    stored = session(1, "2026-11-30", "KL", id="old")
    [finding] = check_session(session(1, "2026-11-30"), [stored], TODAY)
    assert finding.severity == "warning" and "already rated by KL" in finding.message


def test_the_same_rater_dyad_and_date_with_another_number_is_a_warning() -> None:
    stored = session(3, "2026-11-30", id="old")
    [finding] = check_session(session(4, "2026-11-30"), [stored], TODAY)
    assert finding.kind == "same_day" and finding.severity == "warning"
    assert "RP already rated EC0417 on 2026-11-30 as session 3" in finding.message


def test_a_future_date_is_a_warning_naming_it() -> None:
    [finding] = check_session(session(1, "2027-05-01"), [], TODAY)
    assert finding.severity == "warning"
    assert finding.message == ("the session date 2027-05-01 is in the future (today is 2026-11-30)")


def test_numbers_out_of_order_with_dates_warn_once() -> None:
    stored = [
        session(2, "2026-10-01", id="a"),
        session(3, "2026-10-08", id="b"),
        session(4, "2026-10-15", id="c"),
    ]
    found = check_session(session(1, "2026-10-20"), stored, TODAY)
    assert [f.kind for f in found] == ["order"]
    assert "session 1 of EC0417 is dated 2026-10-20, after session 2 (2026-10-01)" in (
        found[0].message
    )
    assert check_session(session(5, "2026-10-22"), stored, TODAY) == []


def test_voided_ratings_other_dyads_other_instruments_and_itself_do_not_count() -> None:
    others = [
        session(1, "2026-11-30", id="v", status="voided"),
        session(1, "2026-11-30", id="d", dyad="MB0021"),
        session(1, "2026-11-30", id="i", instrument="other"),
        session(1, "2026-11-30", id="new"),
    ]
    assert check_session(session(1, "2026-11-30"), others, TODAY) == []


def test_a_draft_of_the_same_session_is_named_as_a_draft() -> None:
    stored = session(1, "2026-11-29", id="old", status="draft")
    [finding] = check_session(session(1, "2026-11-30"), [stored], TODAY)
    assert finding.severity == "error" and "(a draft)" in finding.message
