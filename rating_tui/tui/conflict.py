"""When a save is refused because the rating was changed elsewhere (another window, another
process), say so in words and offer to reload, keeping what the rater typed in view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from rating_tui.services.draft_session import DraftSession
from rating_tui.store.errors import RatingConflictError, StoreError
from rating_tui.tui.screens.dialogs import ConfirmDialog


def offer_reload(
    screen: Screen[Any], session: DraftSession, error: StoreError, redraw: Callable[[], None]
) -> bool:
    """Handle `error` if it is a conflict of `session`: show who changed the rating and when,
    list what the rater typed (not saved), and reload the stored version if they agree. True
    when handled; other errors are for the caller to show."""
    if not isinstance(error, RatingConflictError) or session.conflict is None:
        return False
    typed = session.unsaved_changes()
    lines = [str(error)]
    if typed:
        lines += ["", "What you typed here (not saved; re-enter it after reloading):"]
        lines += [f"  {line}" for line in typed[:12]]
        if len(typed) > 12:
            lines.append(f"  … and {len(typed) - 12} more")

    def done(reload: bool | None) -> None:
        if not reload:
            screen.notify(
                "Nothing was saved: the rating was changed elsewhere. Reload it to go on.",
                title="Not saved",
                severity="warning",
                timeout=12,
            )
            return
        session.reload()
        redraw()
        if typed:
            screen.notify(
                "Re-enter what you had typed: " + "; ".join(typed[:6]),
                title="Reloaded their version",
                timeout=30,
            )

    screen.app.push_screen(ConfirmDialog("\n".join(lines), "Reload their version"), done)
    return True
