"""Where rating-tui keeps things: per-user folders from platformdirs, overridable.

Order of precedence for each location: a command-line option, then an environment variable,
then the per-user default. Nothing here creates folders; the store and the commands that write
do, with private permissions.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "rating-tui"
DATA_ENV = "RATING_TUI_DATA"
"""Overrides the ratings data folder."""
INSTRUMENTS_ENV = "RATING_TUI_INSTRUMENTS"
"""Extra instrument folders, separated like PATH (`:` on Unix, `;` on Windows)."""


def data_dir(option: Path | None = None) -> Path:
    """The ratings data folder: `--data`, else $RATING_TUI_DATA, else the per-user data dir."""
    if option is not None:
        return option.expanduser()
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "ratings"


def data_env_problem() -> str | None:
    """Why $RATING_TUI_DATA cannot name a folder (None when it can, or is unset or empty, which
    leaves the default): a value of spaces alone was taken as a folder named so."""
    value = os.environ.get(DATA_ENV, "")
    if value and not value.strip():
        return f"{DATA_ENV} is only spaces ({value!r}): give it a folder, or unset it"
    return None


def user_instruments_dir() -> Path:
    """The researcher's own instruments: a per-user config folder."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "instruments"


def extra_instrument_dirs(options: list[Path] | None = None) -> list[Path]:
    """Folders given by `--instruments DIR` (repeatable), then $RATING_TUI_INSTRUMENTS."""
    dirs = [p.expanduser() for p in options or []]
    env = os.environ.get(INSTRUMENTS_ENV, "")
    dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    return dirs


def builtin_instruments_dir() -> Path:
    """The instruments shipped with rating-tui.

    In a wheel they sit inside the package (`rating_tui/builtin_instruments`, put there by the
    build); in a source checkout or an editable install they are the repository's
    `instruments/` folder.
    """
    packaged = Path(__file__).parent / "builtin_instruments"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "instruments"


def prefs_file() -> Path:
    """Small per-user preferences (last rater code, last instrument) that save keystrokes."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "prefs.json"
