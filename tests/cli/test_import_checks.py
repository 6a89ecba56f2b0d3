"""`ratings import` makes the app's pre-store checks: the same session twice by one rater is
refused, warnings (a second rater, a future date) are imported only when accepted."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rating_tui.ratings.model import Answered, Rating
from rating_tui.services.demo import builtin_instrument
from rating_tui.store.api import Store
from tests.cli.test_ratings_cli import lines, run

ITEMS = ("narration", "processing", "past_present", "modeling", "affective", "future", "reflective")


def rating(number: int, day: str, rater: str = "RP", dyad: str = "EC0417") -> Rating:
    instrument = builtin_instrument()
    return Rating.new(instrument, rater).replace(
        status="final",
        session={
            "dyad": dyad,
            "session_date": day,
            "session_number": number,
            "rater": rater,
            "setting": "home",
            "present": ["mother", "infant"],
            "basis": "live",
        },
        answers={k: Answered(value=2) for k in ITEMS},
    )


def test_the_same_session_twice_by_one_rater_is_refused_with_its_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store.open(data).finalise(rating(1, "2026-01-08"), builtin_instrument())
    source = tmp_path / "again.jsonl"
    source.write_text(lines(rating(2, "2026-01-15"), rating(1, "2026-01-08")))
    code, out, err = run("ratings", "import", str(source), "--data", str(data), "--accept-warnings")
    assert code == 1 and out == ""
    assert (
        f"{source}:2: error: EC0417 session 1 is already rated by RP on 2026-01-08: open it, "
        "or rate it as a second rater?"
    ) in err
    assert "1 error(s) and 0 warning(s)" in err and "nothing was imported" in err
    assert len(Store.open(data).list()) == 1


def test_warnings_are_named_and_imported_only_when_accepted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    future = (date.today() + timedelta(days=30)).isoformat()
    source = tmp_path / "two.jsonl"
    source.write_text(
        lines(rating(1, "2026-01-08"), rating(1, "2026-01-08", "KL"), rating(2, future))
    )
    code, _, err = run("ratings", "import", str(source), "--data", str(data))
    assert code == 1
    assert f"{source}:2: warning: EC0417 session 1 is already rated by RP on 2026-01-08" in err
    assert f"{source}:3: warning: the session date {future} is in the future" in err
    assert f"{source}:1:" not in err  # a pair within the file is named once
    assert "2 warning(s)" in err and "--accept-warnings" in err
    assert not Store.open(data).list()
    code, out, err = run("ratings", "import", str(source), "--data", str(data), "--accept-warnings")
    assert code == 0 and "3 added" in out and "2 warning(s) accepted" in err
