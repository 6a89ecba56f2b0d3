"""The help screen lists every key each screen binds, so it cannot drift from the bindings."""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.screen import Screen

from rating_tui.tui.screens.calibration import CalibrationScreen
from rating_tui.tui.screens.checks_dialog import ChecksDialog
from rating_tui.tui.screens.dialogs import ConfirmDialog, MomentDialog, TextDialog
from rating_tui.tui.screens.dyad import DyadScreen
from rating_tui.tui.screens.export import ExportScreen
from rating_tui.tui.screens.help import KEYS
from rating_tui.tui.screens.history import HistoryScreen
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.instruments import InstrumentsScreen
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.rating_detail import RatingDetailScreen
from rating_tui.tui.screens.review import ReviewScreen
from rating_tui.tui.screens.session_form import SessionFormScreen

SECTIONS: dict[str, list[type[Screen[Any]]]] = {
    "Home": [HomeScreen],
    "Session fields": [SessionFormScreen],
    "Items": [ItemsScreen],
    "Review": [ReviewScreen],
    "History": [HistoryScreen],
    "A rating": [RatingDetailScreen],
    "A dyad's trajectory": [DyadScreen],
    "Instruments": [InstrumentsScreen],
    "Export": [ExportScreen],
    "Calibration": [CalibrationScreen],
    "Dialogs": [TextDialog, MomentDialog, ConfirmDialog, ChecksDialog],
}
WRITTEN = {"slash": "/", "question_mark": "?", "down": "↓", "up": "↑", "left": "←", "right": "→"}


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_every_binding_of_a_screen_is_in_its_help_section(section: str) -> None:
    listed = " ".join(key for key, _ in dict(KEYS)[section])
    words = set(listed.replace("/", " / ").split())
    for screen in SECTIONS[section]:
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding)
            keys = [WRITTEN.get(k.strip(), k.strip()) for k in binding.key.split(",")]
            assert any(k in words for k in keys), f"{screen.__name__}: {binding.key} not in help"
