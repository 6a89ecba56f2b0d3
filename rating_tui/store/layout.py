"""Where each file of a data folder lives, and which shard a rating belongs in.

    <data>/store.json              format marker: {"format": 1, "codec": "plain"} (never encoded)
    <data>/instruments.json        id@version -> content hash and role keys, first use
    <data>/ratings/2026-01.json    ratings whose session date is in January 2026
    <data>/ratings/undated.json    ratings without a session date yet (mostly drafts)
    <data>/index/3f.json           rating id -> shard, for ids starting with "3f"
    <data>/manifest.json           how many index entries each shard and index file has
    <data>/instrument-files/<hash>.json   a copy of each instrument version rated here
    <data>/backups/...             daily snapshots (see `backups`)
    <data>/journal.json            present only while a transaction is being applied
    <data>/.lock                   the inter-process lock
    <data>/.snapshots/             hard-linked shard sets that exports stream from

docs/storage.md explains why: a save rewrites one month (and, for a new rating, one small
index bucket), whatever the number of ratings; the app's opening list reads the newest months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rating_tui.store.backups import Backups

FORMAT = 1
UNDATED = "undated"
RATINGS_TABLE = "ratings"
INDEX_TABLE = "ids"
REGISTRY_TABLE = "instruments"
SHARD_COUNTS = "shards"
BUCKET_COUNTS = "buckets"
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_BUCKET = re.compile(r"^[0-9a-f]{2}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Layout:
    """The paths of one data folder."""

    root: Path
    keep_backups: int = 7

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def marker(self) -> Path:
        return self.root / "store.json"

    @property
    def registry(self) -> Path:
        return self.root / "instruments.json"

    @property
    def journal(self) -> Path:
        return self.root / "journal.json"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def instrument_files(self) -> Path:
        return self.root / "instrument-files"

    def instrument_copy(self, content_hash: str) -> Path:
        return self.instrument_files / f"{content_hash}.json"

    @property
    def ratings(self) -> Path:
        return self.root / "ratings"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def snapshots(self) -> Path:
        return self.root / ".snapshots"

    def shard(self, name: str) -> Path:
        return self.ratings / f"{name}.json"

    def bucket(self, rating_id: str) -> Path:
        return self.index / f"{rating_id[:2]}.json"

    def buckets(self) -> list[Path]:
        """The index files present, in name order."""
        try:
            found = [p for p in self.index.iterdir() if _BUCKET.match(p.stem)]
        except FileNotFoundError:
            return []
        return sorted(p for p in found if p.suffix == ".json")

    def from_journal(self, name: object) -> Path | None:
        """The path of a file a journal names (relative to the data folder), or None when the
        name is not one of this folder's data files: only the registry, the manifest, shards,
        index files and instrument copies, so a journal cannot point anywhere else."""
        if not isinstance(name, str):
            return None
        folder, _, file = name.rpartition("/")
        stem, dot, suffix = file.rpartition(".")
        ok = (
            (folder == "" and file in ("instruments.json", "manifest.json"))
            or (folder == "ratings" and suffix == "json" and is_shard_name(stem))
            or (folder == "index" and suffix == "json" and _BUCKET.match(stem) is not None)
            or (folder == "instrument-files" and suffix == "json" and _HASH.match(stem) is not None)
        )
        return self.root / name if ok and dot else None

    def backups_of(self, path: Path) -> Backups:
        """Snapshots of `path` go to backups/<its folder inside the data folder>/<its name>/."""
        relative = path.relative_to(self.root).with_suffix("")
        return Backups(self.backups / relative, self.keep_backups, temp_dir=self.backups)

    def shard_names(self) -> list[str]:
        """Every shard present, newest month first, the undated shard before all months."""
        try:
            names = [p.name.removesuffix(".json") for p in self.ratings.iterdir()]
        except FileNotFoundError:
            return []
        return newest_first([n for n in names if is_shard_name(n)])


def is_shard_name(name: str) -> bool:
    return name == UNDATED or _MONTH.match(name) is not None


def newest_first(names: list[str]) -> list[str]:
    """Months newest first; "undated" leads, as a rating without a date is one being written."""
    months = sorted((n for n in names if n != UNDATED), reverse=True)
    return ([UNDATED] if UNDATED in names else []) + months


def shard_name(session_date: object) -> str:
    """The shard of a session date given as YYYY-MM-DD text; anything else is undated."""
    if isinstance(session_date, str):
        try:
            day = date.fromisoformat(session_date)
        except ValueError:
            return UNDATED
        return f"{day.year:04d}-{day.month:02d}"
    return UNDATED


def month_in_range(name: str, first: date | None, last: date | None) -> bool:
    """Whether shard `name` can hold a session dated within [first, last]."""
    if name == UNDATED:
        return first is None and last is None
    month = name[:7]
    return (first is None or month >= first.isoformat()[:7]) and (
        last is None or month <= last.isoformat()[:7]
    )
