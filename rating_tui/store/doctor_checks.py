"""`doctor`'s findings and its checks of what lies beside the ratings and the index: the kept
copies of instrument versions against the instrument files found, and the folder's files
(regular files, private, no links). The checks of shards and index are in `doctor`."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.model import Instrument
from rating_tui.store.engine import Engine

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing `doctor` reports about one file or folder."""

    level: Level
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.path}: {self.message}"


def instrument_findings(
    engine: Engine, registry: dict[str, Any], files: list[Instrument], out: list[Finding]
) -> None:
    copies, problems = engine.stored_instruments()
    for path, problem in problems:
        out.append(Finding("error", path, problem))
    kept = {content_hash(i) for i in copies}
    for ref, entry in registry.items():
        known = entry.get("hash") if isinstance(entry, dict) else None
        if isinstance(known, str) and known not in kept:
            out.append(
                Finding(
                    "info",
                    engine.layout.instrument_files,
                    f"no copy of {ref} is kept yet (the folder predates copies); it is made at "
                    "the next save of a rating of that version",
                )
            )
    for instrument in files:
        entry = registry.get(instrument.ref)
        known = entry.get("hash") if isinstance(entry, dict) else None
        if isinstance(known, str) and content_hash(instrument) != known:
            out.append(
                Finding(
                    "warning",
                    engine.layout.registry,
                    f"the instrument file of {instrument.ref} has other content than the one "
                    f"its ratings were made with ({known[:12]}...): it was edited without a new "
                    "version number. Ratings are read with the copy kept in the data folder; "
                    "give the edited file a new version.",
                )
            )


def permission_findings(root: Path) -> list[Finding]:
    out = []
    for path in [root, *root.rglob("*")]:
        try:
            info = path.lstat()
        except OSError:
            continue
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISLNK(info.st_mode):
            out.append(
                Finding("error", path, "is a symbolic link; data files are never links: move it")
            )
            continue
        if mode & 0o077:
            private = "700" if stat.S_ISDIR(info.st_mode) else "600"
            out.append(
                Finding(
                    "warning",
                    path,
                    f"other users may read it (mode {mode:o}); run: chmod {private} '{path}'",
                )
            )
    return out
