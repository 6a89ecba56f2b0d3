"""What every full screen of the app repeats, in one place: the app typed as `RatingApp`,
Escape's "back" (close this screen and show the one under it), and how a refused write is
said (an error toast that stays long enough to be read).

A screen's fixed sub-title is Textual's own `SUB_TITLE`; the keys are each screen's own
`BINDINGS` (with ids, so they can be remapped), and the frame (header, footer) is composed
by each screen around its content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from rating_tui.tui.app import RatingApp

T = TypeVar("T")

REFUSED_TIMEOUT = 12
"""Seconds a refused save stays on screen: long enough to read a sentence with a path."""


class AppScreen(Screen[T]):
    """The base of the app's full screens (dialogs derive from `dialogs._Dialog`)."""

    @property
    def rating_app(self) -> RatingApp:
        """The app with its store, catalogue, clock and data folder."""
        return cast("RatingApp", self.app)

    def action_back(self) -> None:
        """Escape: close this screen, back to the one under it."""
        self.dismiss()

    def refused(self, exc: Exception, title: str = "Not saved") -> None:
        """Say in words why the store refused a write; nothing was changed."""
        self.notify(str(exc), title=title, severity="error", timeout=REFUSED_TIMEOUT)
