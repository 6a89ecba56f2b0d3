"""Command palette entries (ctrl+p) for every action of the app."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from rating_tui.tui.app import RatingApp


HELP = "Help: every key"
"""Not "Keys": Textual's own palette entry has that name (the focused widget's keys)."""


def _agreement(app: RatingApp) -> None:
    """Agreement statistics are the command line's (numpy and scipy, in an optional extra);
    the palette says how to run them on this data folder, and offers calibration."""
    from rating_tui.tui.screens.calibration import CalibrationScreen
    from rating_tui.tui.screens.dialogs import ConfirmDialog

    question = (
        "Agreement between raters (ICC, alpha, kappa, with the sentence for a paper) is "
        "computed on the command line:\n\n"
        f"  rating-tui agreement --data {app.data_dir}\n\n"
        "(it needs: pip install 'rating-tui[stats]'; --details for every statistic). In the "
        "app, Calibration compares a trainee's ratings with a gold rater's, item by item. "
        "Open Calibration?"
    )

    def answer(open_it: bool | None) -> None:
        if open_it:
            app.push_screen(CalibrationScreen())

    app.push_screen(ConfirmDialog(question, "Open Calibration"), answer)


class RatingCommands(Provider):
    """New rating, history, export, calibration, agreement, instruments, keys, theme:
    reachable by name from anywhere."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        from rating_tui.tui import flow
        from rating_tui.tui.screens.calibration import CalibrationScreen
        from rating_tui.tui.screens.export import ExportScreen
        from rating_tui.tui.screens.help import HelpScreen
        from rating_tui.tui.screens.history import HistoryScreen
        from rating_tui.tui.screens.instruments import InstrumentsScreen

        app = cast("RatingApp", self.app)
        if not app.loaded:
            return [
                ("Help: every key", "Every key of the app", lambda: app.push_screen(HelpScreen()))
            ]
        commands: list[tuple[str, str, Callable[[], object]]] = [
            ("New rating", "Rate a session", partial(flow.start_rating, app)),
            (
                "Instruments",
                "Browse the instruments found",
                lambda: app.push_screen(InstrumentsScreen(app.catalogue)),
            ),
            (
                "Help: every key",
                "Every key of the app, screen by screen",
                lambda: app.push_screen(HelpScreen()),
            ),
            ("Toggle light/dark theme", "Switch theme", app.action_toggle_theme),
        ]
        if app.store is not None:
            commands.insert(
                1,
                ("History", "All ratings, with filters", lambda: app.push_screen(HistoryScreen())),
            )
            commands.insert(
                2,
                (
                    "Export",
                    "Final ratings to CSV, codebook and now moments",
                    lambda: app.push_screen(ExportScreen()),
                ),
            )
            commands.insert(
                3,
                (
                    "Calibration",
                    "A trainee's ratings against a gold rater's",
                    lambda: app.push_screen(CalibrationScreen()),
                ),
            )
            commands.insert(
                4,
                (
                    "Agreement",
                    "How well raters agree: the command to run, and what the app offers",
                    partial(_agreement, app),
                ),
            )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
