"""A dyad's report says how many of its drafts it leaves out: its figures are of final
ratings only, and a session rated but not yet finished was left out without a word."""

from __future__ import annotations

from pathlib import Path

from rating_tui.cli import create_app
from rating_tui.instruments.catalogue import Source, discover
from rating_tui.ratings import Rating
from rating_tui.store import Store
from tests.cli.invoke import run_app
from tests.cli.test_alerts_cli import fill
from tests.conftest import BUILTIN_ID, REPO


def test_the_report_says_how_many_drafts_of_the_dyad_it_left_out(tmp_path: Path) -> None:
    builtin = discover([Source(REPO / "instruments", "built-in")]).get(BUILTIN_ID).instrument
    data = fill(tmp_path / "data", builtin)
    out = tmp_path / "ec.html"
    args = ("report", "--data", str(data), "--dyad", "EC0417", "-o", str(out))
    code, _, err = run_app(create_app("report"), *args)
    assert code == 0 and "draft" not in err and "draft" not in out.read_text()
    session = {"dyad": "EC0417", "session_date": "2026-03-20", "rater": "RP"}
    draft = Rating.new(builtin, "RP").replace(session=session | {"session_number": 3})
    Store.open(data).save_draft(draft, builtin)
    code, _, err = run_app(create_app("report"), *args)
    assert code == 0, err
    assert "(final ratings only: 1 draft(s) left out)" in err
    assert "Final ratings only: 1 draft(s) of this dyad are left out" in out.read_text()
    assert "2 rated session(s)" in out.read_text()
