"""`rating-tui demo` opens the app on a temporary folder: Home says it is deleted when the app
closes (it said "Ratings are saved in" that folder, and a rating made there went with it)."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Static

from rating_tui.tui.app import RatingApp
from tests.tui.conftest import static_text


async def test_home_says_a_demo_folder_is_deleted_when_the_app_closes(
    make_app: Callable[..., RatingApp],
) -> None:
    for temporary in (False, True):
        app = make_app(temporary=temporary)
        async with app.run_test(size=(100, 36)) as pilot:
            await pilot.pause()
            said = static_text(app.screen.query_one("#status", Static), width=200)
        deleted = "a temporary folder deleted when the app closes" in said
        assert deleted is temporary, said
        assert ("will be saved in" in said) is not temporary
