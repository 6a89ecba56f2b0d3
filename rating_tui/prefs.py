"""Remembered choices that save a clinician keystrokes: the last rater code and instrument.

Best effort by design: a missing, unreadable or damaged file means "nothing remembered", never
an error, since nothing in it is data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from rating_tui.outputs import atomic_write_text


@dataclass
class Prefs:
    rater: str = ""
    instrument: str = ""
    """`id@version` of the instrument last rated with."""


def load_prefs(path: Path | None) -> Prefs:
    if path is None:
        return Prefs()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Prefs()
    if not isinstance(data, dict):
        return Prefs()
    return Prefs(
        rater=str(data.get("rater", "")),
        instrument=str(data.get("instrument", "")),
    )


def save_prefs(path: Path | None, prefs: Prefs) -> bool:
    """Write the preferences (0600); False when they could not be written."""
    if path is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_text(path, json.dumps(asdict(prefs)), mode=0o600)
    except OSError:
        return False
    return True
