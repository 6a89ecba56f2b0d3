"""The dyad view's report (r) says what it leaves out, as `rating-tui report` does: the dyad's
drafts, the ratings the folder lost, and a report of the same day it replaced (it said only
"Report written (notes left out)")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import platformdirs
import pytest

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.ratings.model import Rating
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from tests.conftest import BUILTIN_ID
from tests.tui.test_dyad_view import open_dyad, rate


async def test_the_report_says_the_drafts_lost_ratings_and_the_file_it_replaced(
    make_app: Callable[..., RatingApp],
    store: Store,
    catalogue: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(tmp_path / "docs"))
    for number in (1, 2, 3):
        rate(store, catalogue, number, {"future": 3})
    instrument = catalogue.get(BUILTIN_ID).instrument
    draft = Rating.new(instrument, "RP").replace(
        session={"dyad": "EC0417", "session_date": "2026-03-10", "rater": "RP"}
    )
    store.save_draft(draft, instrument)
    (store.data_dir / "ratings" / "2026-02.json").write_text("{}\n")  # one rating lost
    app = make_app()
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await open_dyad(app, pilot, catalogue)
        for _ in range(2):
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
        said = [n.message for n in app._notifications if n.message.startswith("Report written")]
    first, second = said
    report = tmp_path / "docs" / "rating-tui reports" / "report-EC0417-2026-03-14.html"
    assert report.is_file()
    assert f"(notes left out; final ratings only, 1 draft(s) left out): {report}" in first
    assert "Warning: 1 stored rating(s) not found in their month files (2026-02: 1)" in first
    assert "replaced" not in first
    assert "(it replaced the report written earlier today)" in second
