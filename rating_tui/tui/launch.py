"""Build and run the app from the command line's options (the CLI's only way into Textual)."""

from __future__ import annotations

import os
from pathlib import Path

from rating_tui import passphrase, paths
from rating_tui.instruments.sources import default_sources
from rating_tui.tui.app import Opened, RatingApp
from rating_tui.tui.home_cache import HomeCache
from rating_tui.tui.idle import LockAfter


def launch(
    data: Path | None,
    instruments: list[Path],
    store_dir: Path | None = None,
    prefs_file: Path | None = None,
    lock_after: LockAfter | None = None,
    temporary: bool = False,
) -> None:
    """Run the app until the user quits (`temporary`: the folder is deleted then, `demo`)."""
    build_app(data, instruments, store_dir, prefs_file, lock_after, temporary).run()


def build_app(
    data: Path | None,
    instruments: list[Path],
    store_dir: Path | None = None,
    prefs_file: Path | None = None,
    lock_after: LockAfter | None = None,
    temporary: bool = False,
) -> RatingApp:
    """The app as `rating-tui` runs it: instruments and the data folder are opened after the
    first frame (see `RatingApp`). A store that cannot be opened (locked, damaged, unwritable)
    does not stop the app: Home says why, and the instruments can still be browsed."""
    data_dir = store_dir or paths.data_dir(data)

    sources = default_sources(instruments)

    def opener() -> Opened:
        from rating_tui.instruments.catalogue import discover
        from rating_tui.store.api import Store
        from rating_tui.store.errors import StoreError

        catalogue = discover(sources)
        from rating_tui.store.crypto import PassphraseError, codec_for

        try:
            return Opened(catalogue, Store.open(data_dir))
        except PassphraseError as exc:

            def unlock(secret: str) -> Store:
                store = Store.open(data_dir, codec=codec_for(data_dir, secret))
                # The export screen runs `rating-tui export` as a child process: it finds the
                # passphrase in its environment (in memory only, as if the user had set it).
                os.environ[passphrase.ENV] = secret
                return store

            return Opened(catalogue, None, str(exc), unlock=unlock)
        except StoreError as exc:
            return Opened(catalogue, None, str(exc))

    prefs = prefs_file or paths.prefs_file()
    cache = HomeCache.inside(data_dir, sources)
    return RatingApp(
        data_dir=data_dir,
        opener=opener,
        prefs_file=prefs,
        lock_after=lock_after,
        home_cache=cache,
        temporary=temporary,
    )
