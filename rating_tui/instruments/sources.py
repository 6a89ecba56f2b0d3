"""Where instruments are read from: the built-in, per-user and extra folders, in order.

Kept apart from `catalogue` (which imports the loader, and so pydantic) so that what only needs
the list of places, such as the app's Home preview (`tui/home_cache.py`), stays light.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rating_tui import paths


@dataclass(frozen=True)
class Source:
    """A place instruments are read from: a folder (all its *.toml files) or one file."""

    path: Path
    kind: str
    """"built-in", "user", "--instruments", "$RATING_TUI_INSTRUMENTS" or "argument"."""
    must_exist: bool = True


def default_sources(extra: Iterable[Path] = ()) -> list[Source]:
    """Built-in first (never shadowed), then the user's folder, then the extra folders."""
    sources = [
        Source(paths.builtin_instruments_dir(), "built-in"),
        Source(paths.user_instruments_dir(), "user", must_exist=False),
    ]
    given = list(extra)
    sources += [Source(p, "--instruments") for p in given]
    sources += [
        Source(p, "$" + paths.INSTRUMENTS_ENV)
        for p in paths.extra_instrument_dirs()
        if p not in given
    ]
    return sources


def toml_files(folder: Path) -> list[Path]:
    """The files of `folder` named *.toml in any case (Study.TOML too, which the catalogue
    names as a problem instead of passing it over), sorted."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".toml")
