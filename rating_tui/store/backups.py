"""Rolling backups: before the first change of a day to a data file, keep a copy of it.

One snapshot per file per day, the newest `keep` kept, so that a file damaged by a failing
disk or a careless hand edit can be restored with at most a day of work to re-enter. Only
files that just parsed are backed up (the storage reads and checks a file before writing it),
so a backup is never a copy of damage. Snapshots hold the stored bytes as they are, encrypted
when a codec encrypts.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rating_tui.store import fileio

SUFFIX = ".json"


@dataclass(frozen=True)
class Backups:
    """Where one data file's snapshots go, and how many to keep."""

    folder: Path
    keep: int = 7
    temp_dir: Path | None = None
    """Where snapshot temp files go: a folder the store cleans at start-up (the backups root),
    so a crash while taking a snapshot leaves nothing behind in a folder nobody revisits."""

    def snapshot(self, raw: bytes, today: date | None = None) -> Path | None:
        """Save `raw` as today's snapshot unless there is one already; prune old ones."""
        target = self.folder / f"{(today or date.today()).isoformat()}{SUFFIX}"
        if target.exists():
            return None
        fileio.make_private_dir(self.folder)
        fileio.write_atomic(target, raw, self.temp_dir)
        for old in self.existing()[self.keep :]:
            try:
                old.unlink()
            except OSError as exc:
                raise fileio.write_error(exc, old, "remove the old backup") from None
        return target

    def existing(self) -> list[Path]:
        """Snapshots of this file, newest first."""
        try:
            names = [p for p in self.folder.iterdir() if _is_snapshot(p.name)]
        except FileNotFoundError:
            return []
        return sorted(names, key=lambda p: p.name, reverse=True)


def _is_snapshot(name: str) -> bool:
    stem = name.removesuffix(SUFFIX)
    if stem == name:
        return False
    try:
        date.fromisoformat(stem)
    except ValueError:
        return False
    return True


def restore_hint(path: Path, backups: Backups | None) -> str:
    """How to get going again when `path` does not parse, in shell commands to copy."""
    aside = shlex.quote(f"{path}.damaged")
    move = f"mv {shlex.quote(str(path))} {aside}"
    newest = backups.existing() if backups else []
    if not newest:
        return (
            "There is no backup of it yet. Move it aside to go on without the ratings it holds:\n"
            f"  {move}\n"
            "then repair it by hand or restore it from your own backups."
        )
    day = newest[0].name.removesuffix(SUFFIX)
    folder = backups.folder if backups else None
    if folder is not None and folder.parent.name == "ratings":  # a shard: restore lists losses
        root = folder.parent.parent.parent
        command = shlex.join(["rating-tui", "restore", str(newest[0]), "--data", str(root)])
        return (
            f"Restore it from its newest backup (from the start of that day, {day}):\n"
            f"  {command}\n"
            "It lists the ratings saved since that the backup lacks (the damaged file may hold "
            "them) and keeps the file as it was beside the backups. Older backups are in "
            f"{folder}."
        )
    return (
        "Restore it from its newest backup (from the start of that day, " + day + "):\n"
        f"  {move} && cp {shlex.quote(str(newest[0]))} {shlex.quote(str(path))}\n"
        f"Older backups are in {folder}. Changes made after the "
        "backup are not in it: re-enter or re-import them."
    )
