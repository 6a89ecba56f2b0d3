"""Build and run the app from the command line's options (the CLI's only way into Textual)."""

from __future__ import annotations

from pathlib import Path

from rating_tui import paths
from rating_tui.instruments.catalogue import default_sources, discover
from rating_tui.store.api import Store
from rating_tui.store.errors import StoreError
from rating_tui.tui.app import RatingApp


def launch(data: Path | None, instruments: list[Path], store_dir: Path | None = None) -> None:
    """Discover instruments, open the store, then run the app until the user quits.

    A store that cannot be opened (locked, damaged, unwritable) does not stop the app: the
    home screen says why, and the instruments can still be browsed.
    """
    catalogue = discover(default_sources(instruments))
    data_dir = store_dir or paths.data_dir(data)
    store: Store | None = None
    problem = None
    try:
        store = Store.open(data_dir)
    except StoreError as exc:
        problem = str(exc)
    app = RatingApp(
        catalogue=catalogue,
        store=store,
        data_dir=data_dir,
        store_problem=problem,
        prefs_file=paths.prefs_file(),
    )
    app.run()
