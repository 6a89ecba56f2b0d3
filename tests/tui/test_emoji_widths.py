"""An emoji with a skin-tone modifier (👍🏽) is one 2-cell glyph for Rich but two for many
terminals (tmux draws it in 4 cells), which moved the notes box's right border: such marks
are taken out as they are typed, in every text box, and the app says so."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import TextArea

from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dialogs import TextDialog
from rating_tui.tui.screens.review import ReviewScreen
from rating_tui.tui.widths import drawable
from tests.tui.test_rating_flow import fill_session


def test_the_marks_that_terminals_draw_at_different_widths_are_taken_out() -> None:
    assert drawable("good 👍🏽 and 👍🏿, ❤️") == "good 👍 and 👍, ❤"
    assert drawable("Zoë 3,5 — 👍 🇫🇷") == "Zoë 3,5 — 👍 🇫🇷"  # drawn alike everywhere


async def test_a_skin_tone_typed_in_the_notes_is_taken_out_and_said(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("n")
        await fill_session(pilot)
        await pilot.press(*"2222222")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        notes = app.screen.query_one("#notes", TextArea)
        notes.focus()
        notes.insert("Mother smiled 👍🏽")
        await pilot.pause()
        assert notes.text == "Mother smiled 👍"
        assert notes.cursor_location == (0, len("Mother smiled 👍"))
        await pilot.press("space", "o", "k")
        assert notes.text == "Mother smiled 👍 ok"
        messages = [n.message for n in app._notifications]
        assert any("👍🏽 is kept as 👍" in m for m in messages)


async def test_a_one_line_answer_loses_the_mark_too(make_app: Callable[..., RatingApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(TextDialog("Answer", "", multiline=False, max_length=100))
        await pilot.press("o", "k")
        field = app.screen.query_one("#text")
        field.insert_text_at_cursor("❤️")  # type: ignore[attr-defined]
        await pilot.pause()
        assert field.value == "ok❤"  # type: ignore[attr-defined]
