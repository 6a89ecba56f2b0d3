"""The dyad view spaces sessions by their dates, and says so: sessions two weeks apart and
sessions six months apart were drawn the same distance apart (by order), with nothing on
screen to say that the axis was not time."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.ratings.model import Answered, Rating
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.widgets.course_chart import CourseChart
from tests.conftest import BUILTIN_ID
from tests.tui.test_dyad_view import open_dyad, plot_rows
from tests.tui.test_flows import ITEMS

DATES = ("2026-01-05", "2026-01-19", "2026-07-18")
"""Two weeks, then six months."""


def rate_on(store: Store, catalogue: Catalogue, number: int, day: str) -> None:
    instrument = catalogue.get(BUILTIN_ID).instrument
    rating = Rating.new(instrument, "RP").replace(
        session={
            "dyad": "EC0417",
            "session_date": day,
            "session_number": number,
            "rater": "RP",
            "setting": "home",
            "present": ["mother", "infant"],
            "basis": "live",
        },
        answers={k: Answered(value=4) for k in ITEMS},
    )
    store.finalise(rating, instrument)


async def test_sessions_sit_as_far_apart_as_their_dates_and_the_screen_says_so(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    for number, day in enumerate(DATES, start=1):
        rate_on(store, catalogue, number, day)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dyad(app, pilot, catalogue)
        row = plot_rows(screen.query_one("#chart-narration", CourseChart))["4"]
        dots = [n for n, ch in enumerate(row) if ch == "●"]
        assert len(dots) == 3, row
        near, far = dots[1] - dots[0], dots[2] - dots[1]
        assert far > 5 * near  # 180 days against 14 (by order they were equal)
        head = str(screen.query_one("#dyad-head", Static).content)
        assert "spaced by date" in head
        assert "2026-01-05" in head and "2026-07-18" in head
        axis = screen.query_one("#chart-narration", CourseChart).render()
        assert all(label in axis.plain for label in ("#1", "#2", "#3"))  # type: ignore[union-attr]
