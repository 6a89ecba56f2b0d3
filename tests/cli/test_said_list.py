"""`ratings list` that finds nothing says what the other statuses hold, and refuses an
--instrument it cannot mean (a space beside the id, `ID@`) instead of "No ratings match"."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.services.demo import builtin_instrument
from rating_tui.store import Store
from tests.cli.demo_folders import demo_folder
from tests.cli.invoke import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory, 300, seed=5)


def test_no_match_of_one_status_says_what_the_others_hold(demo: Path) -> None:
    store = Store.open(demo)
    dyad = str(store.list(statuses=("draft",), limit=1)[0].session["dyad"])
    finals = len(store.list(dyad=dyad, limit=None))
    drafts = len(store.list(dyad=dyad, statuses=("draft",), limit=None))
    assert not store.list(dyad=dyad, statuses=("voided",), limit=None)
    code, out, _ = run("ratings", "list", "--data", str(demo), "--dyad", dyad, "--status", "voided")
    assert code == 0 and "No ratings in" in out
    assert f"{drafts} draft(s) and {finals} final rating(s) match the other filters" in out


def test_an_instrument_that_cannot_be_meant_is_refused_in_words(demo: Path) -> None:
    known = builtin_instrument().id
    code, _, err = run("ratings", "list", "--data", str(demo), "--instrument", f"{known} ")
    assert code == 1 and f"did you mean --instrument {known}?" in err
    code, _, err = run("ratings", "list", "--data", str(demo), "--instrument", f"{known}@")
    assert code == 1 and "expected ID or ID@VERSION" in err
