"""`rating-tui alerts` through Typer's runner, on a data folder of the built-in instrument."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from rating_tui.cli import create_app
from rating_tui.instruments.catalogue import Source, discover
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.store import Store
from tests.cli.invoke import run_app
from tests.conftest import BUILTIN_ID, REPO

ITEMS = ("narration", "processing", "past_present", "modeling", "affective", "future", "reflective")


@pytest.fixture(scope="module")
def builtin() -> Instrument:
    return discover([Source(REPO / "instruments", "built-in")]).get(BUILTIN_ID).instrument


def rate(store: Store, ins: Instrument, dyad: str, n: int, rater: str, **values: int | str) -> None:
    session = {"dyad": dyad, "session_date": f"2026-03-{n:02d}", "rater": rater}
    session |= {"session_number": n, "setting": "home", "present": ["mother", "infant"]}
    answers = {k: Answered(value=2) for k in ITEMS} | {
        k: Missing(missing=v) if isinstance(v, str) else Answered(value=v)
        for k, v in values.items()
    }
    rating = Rating.new(ins, rater).replace(session=session | {"basis": "live"}, answers=answers)
    store.finalise(rating, ins)


@pytest.fixture
def data(tmp_path: Path, builtin: Instrument) -> Path:
    return fill(tmp_path / "data", builtin)


def fill(folder: Path, builtin: Instrument) -> Path:
    """EC0417: future falls 3 -> 1 at its latest session. TL0020: steady. KM0003: narration
    not observed three sessions running (rated by AB)."""
    store = Store.open(folder)
    rate(store, builtin, "EC0417", 1, "RP", future=3)
    rate(store, builtin, "EC0417", 2, "RP", future=1)
    rate(store, builtin, "TL0020", 1, "RP")
    rate(store, builtin, "TL0020", 2, "RP")
    for n in (3, 4, 5):
        rate(store, builtin, "KM0003", n, "AB", narration="not_observed")
    return folder


def run(*args: str) -> tuple[int, str, str]:
    return run_app(create_app("alerts"), *args)


def test_a_dyad_s_alerts_count_the_ratings_of_that_dyad(data: Path) -> None:
    """`--dyad EC0417` said 'from 7 final rating(s)', the folder's, for a result that rests on
    EC0417's 2."""
    code, _, err = run("alerts", "--data", str(data), "--dyad", "EC0417")
    assert code == 0, err
    assert "1 current alert(s) in 1 of 1 dyad(s), from 2 final rating(s)" in err
    code, _, err = run("alerts", "--data", str(data), "--dyad", "TL0020", "--since", "2020-01-01")
    assert code == 0 and "in 0 of 1 dyad(s), from 2 final rating(s)" in err


def test_json_lists_each_alert_with_dyad_item_kind_sessions_values_message(data: Path) -> None:
    code, out, err = run("alerts", "--data", str(data), "--json")
    assert code == 0, err
    found = json.loads(out)
    assert [(a["dyad"], a["item"], a["kind"]) for a in found] == [
        ("KM0003", "narration", "not_observed"),  # newest session first
        ("EC0417", "future", "drop"),
    ]
    drop = found[1]
    assert drop["sessions"] == ["#1", "#2"] and drop["values"] == [3.0, 1.0]
    assert drop["instrument"] == f"{BUILTIN_ID}@0.2.0"
    assert drop["message"].startswith("Sharp drop since the previous session")
    assert "2 current alert(s) in 2 of 3 dyad(s), from 7 final rating(s)" in err


def test_filters_by_dyad_rater_and_since(data: Path) -> None:
    _, out, _ = run("alerts", "--data", str(data), "--json", "--dyad", "EC0417")
    assert [a["dyad"] for a in json.loads(out)] == ["EC0417"]
    _, out, _ = run("alerts", "--data", str(data), "--json", "--rater", "AB")
    assert [a["dyad"] for a in json.loads(out)] == ["KM0003"]
    _, out, _ = run("alerts", "--data", str(data), "--json", "--since", "2026-03-05")
    assert [a["dyad"] for a in json.loads(out)] == ["KM0003"]
    code, out, _ = run("alerts", "--data", str(data), "--since", "2026-04-01")
    assert code == 0 and out.strip() == "No alerts since 2026-04-01."


def test_a_since_date_in_the_future_is_pointed_out(data: Path) -> None:
    later = date.today() + timedelta(days=400)
    code, out, _ = run("alerts", "--data", str(data), "--since", later.isoformat())
    assert code == 0
    assert out.startswith(f"No alerts since {later} ({later} is in the future")


def test_text_output_is_one_line_per_alert(data: Path) -> None:
    code, out, _ = run("alerts", "--data", str(data))
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[1].startswith("2026-03-02  EC0417   drop         future")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "last week"), "--since 'last week': expected a date like 2026-01-31"),
        (("--dyad", "ZZ9999"), "no final ratings of dyad 'ZZ9999'"),
    ],
)
def test_bad_input_is_one_clear_error(data: Path, args: tuple[str, ...], message: str) -> None:
    code, out, err = run("alerts", "--data", str(data), *args)
    assert code == 1 and out == "" and message in err
    assert len(err.strip().splitlines()) == 1


def test_an_empty_folder_has_no_alerts(tmp_path: Path) -> None:
    code, out, _ = run("alerts", "--data", str(tmp_path / "none"), "--json")
    assert code == 0 and out.strip() == "[]"
    assert not (tmp_path / "none").exists()  # nothing made


def test_a_rater_filter_says_how_many_ratings_of_the_dyads_by_others_it_left_out(
    tmp_path: Path, builtin: Instrument
) -> None:
    """RP rated sessions 1 and 3 of EC0417, AB session 2: RP's drop 'since the previous
    session' compares RP's sessions 1 and 3, and the summary says that AB's rating is left
    out (it said only 'from 2 final rating(s)')."""
    store = Store.open(tmp_path / "d")
    rate(store, builtin, "EC0417", 1, "RP", future=3)
    rate(store, builtin, "EC0417", 2, "AB", future=2)
    rate(store, builtin, "EC0417", 3, "RP", future=1)
    rate(store, builtin, "KM0003", 1, "AB")  # not RP's dyad: not counted
    code, _, err = run("alerts", "--data", str(tmp_path / "d"), "--rater", "RP")
    assert code == 0, err
    said = " ".join(err.split())
    assert "from 2 final rating(s)" in said
    assert (
        "RP's ratings only: 1 final rating(s) of 1 of these dyad(s) by other raters are left "
        "out, so each session, trend and alert is RP's own"
    ) in said
    code, _, err = run("alerts", "--data", str(tmp_path / "d"), "--rater", "AB")
    assert "AB's ratings only: 2 final rating(s) of 1 of these dyad(s)" in " ".join(err.split())
    code, _, err = run("alerts", "--data", str(tmp_path / "d"))
    assert "ratings only" not in err  # no filter: nothing left out
