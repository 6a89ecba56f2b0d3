"""A key that reaches the app as it closes, once its screens are gone, is dropped: it raised
ScreenStackError ("No screens on stack"), a traceback as the app quit (seen under load at the
end of test_random_keys_never_crash[instruments], with keys still queued)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events

from rating_tui.tui.app import RatingApp


async def test_a_key_after_the_screens_are_gone_is_dropped(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen_stack
    assert not app.screen_stack  # closed: every screen gone
    for key in ("x", "enter", "escape"):
        await app.on_event(events.Key(key, None))
    assert app.keys.quiet  # dropped, not held for a screen that will never come
