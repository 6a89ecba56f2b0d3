"""Build and run the app from the command line's options (the CLI's only way into Textual)."""

from __future__ import annotations

from pathlib import Path

from rating_tui import paths
from rating_tui.instruments.catalogue import default_sources, discover
from rating_tui.tui.app import RatingApp


def launch(data: Path | None, instruments: list[Path]) -> None:
    """Discover instruments, then run the app until the user quits."""
    catalogue = discover(default_sources(instruments))
    RatingApp(catalogue=catalogue, data_dir=paths.data_dir(data)).run()
