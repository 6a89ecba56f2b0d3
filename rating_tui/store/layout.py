"""Where each file of a data folder lives, and which shard a rating belongs in.

    <data>/store.json              format marker: {"format": 3, "codec": "plain"} (never encoded)
    <data>/instruments.json        id@version -> content hash and role keys, first use
    <data>/ratings/2026-01.json    ratings whose session date is in January 2026 (the first 64)
    <data>/ratings/2026-01.p1.json ... once January holds more: its next 64, then .p2, ...
                                   (parts an older version filled hold up to 256)
    <data>/ratings/2026-01.a.json  (format 2) a part of a month split by the id's first digit
    <data>/ratings/undated.json    ratings without a session date yet (mostly drafts)
    <data>/index/3f.json           rating id -> shard, for ids starting with "3f"
    <data>/index/3fa.json          ... once "3f" has split: those starting with "3fa"
    <data>/index/3.d7.json         (format 4) a delta: entries a batch added, ids starting "3"
    <data>/index/3a.d7.json        (format 5) once delta "3.d7" is a node: its ids starting "3a"
    <data>/manifest.json           how many index entries each month and index file has
    <data>/dyads/2026-01.json      (format 6) the dyad codes of January's ratings (`dyads`):
                                   the first `DYADS_LIMIT`
    <data>/dyads/2026-01.p1.json   (format 7) ... then its next codes, .p2, ... (fill order)
    <data>/instrument-files/<hash>.json   a copy of each instrument version rated here
    <data>/backups/...             daily snapshots (see `backups`)
    <data>/journal.json            a transaction being applied, or a process's last (applied)
    <data>/.lock                   the inter-process lock
    <data>/.snapshots/             hard-linked shard sets that exports stream from

docs/storage.md explains why: a save rewrites one shard of at most `SHARD_LIMIT` ratings
(and, for a new rating, one index file of at most `BUCKET_LIMIT` entries), whatever the number
of ratings; the app's opening list reads the newest months.

A month fills in order (format 3): new ratings go to its open part, the last of the month's
file and its parts `.p1`, `.p2`, ... (numbered without gaps); a full part stays as it is until
one of its own ratings changes. Index entries of ratings in a part name the part, so a lookup
goes straight to its file. Folders of format 2 may hold months split by the id instead (a
trie): the month's file became a node, `{"split": {child: {}}}`, naming 16 children by the
next hex digit of the id; they are still read and edited in place, and new ratings of such a
month go to its parts. Index files still split that way past `BUCKET_LIMIT`.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rating_tui.store.backups import Backups

FORMAT = 7
"""7: a month's summary of dyads may have fill-order parts (`dyads/2026-01.p1.json`, ...);
6: a month may have a summary of its dyads (`dyads/2026-01.json`, see `dyads`); 5: an
index delta may be a node split by the id (`index/3.d7.json` naming `3a.d7`, ...:
deltas merged among themselves, see `deltas`); 4: the index may have delta files
(`index/3.d7.json`, listed in the manifest); 3: months may have fill-order parts (`.p1`,
...) named by index entries; 2: months and index files may be split by the id. Older folders
open as they are, and are marked with the format a change needs before the first change that
needs it is committed."""
SPLIT_FORMAT = 2
"""The format a split index file (or a month split by the id) needs."""
PART_FORMAT = 3
"""The format a month's fill-order part needs."""
DELTA_FORMAT = 4
"""The format an index delta needs (one that is a node: `FORMAT`)."""
DYAD_FORMAT = 6
"""The format a month's summary of dyads needs."""
DYAD_PART_FORMAT = 7
"""The format a part of a month's summary of dyads needs (`dyads/2026-01.p1.json`)."""
DYADS_LIMIT = 512
"""Codes a part of a month's summary of dyads holds at most (about 6 kB): a month whose open
part is full starts the next part. A summary an older version wrote bigger counts as full."""
DYADS_TABLE = "dyads"
"""The table of a month's summary of dyads: code -> {} (see `dyads`)."""
DELTA_TABLE = "deltas"
"""The manifest's table of the index's delta files: name -> {"n": entries} (see `index`)."""
UNDATED = "undated"
RATINGS_TABLE = "ratings"
INDEX_TABLE = "ids"
REGISTRY_TABLE = "instruments"
SHARD_COUNTS = "shards"
BUCKET_COUNTS = "buckets"
SPLIT_TABLE = "split"
"""The table of a node file: child name -> {} (shards) or {"n": entries under it} (index)."""
SHARD_LIMIT = 64
"""Ratings a shard file holds at most (about 75 kB of demo-data ratings): a month whose open
part is full starts the next part. A part an older version filled to 256 counts as full."""
BUCKET_LIMIT = 2048
"""Entries an index file holds at most (about 120 kB): one more splits it (the 256 top-level
files reach it at 524,288 ratings)."""
HEX = "0123456789abcdef"
_MONTH = re.compile(r"^(\d{4}-\d{2}|undated)$")
_SHARD = re.compile(r"^(\d{4}-\d{2}|undated)(\.[0-9a-f]{1,6}|\.p[1-9][0-9]{0,5})?$")
_PART = re.compile(r"^(\d{4}-\d{2}|undated)\.p[1-9][0-9]{0,5}$")
PART = ".p"
"""What separates a month from the number of one of its parts ("2026-01.p3")."""
_BUCKET = re.compile(r"^[0-9a-f]{2,8}$")
_DELTA = re.compile(r"^[0-9a-f]\.d[1-9][0-9]{0,8}$")
_DELTA_FILE = re.compile(r"^[0-9a-f]{1,8}\.d[1-9][0-9]{0,8}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_DYADS_FILE = re.compile(r"^(\d{4}-\d{2}|undated)(?:\.p([1-9][0-9]{0,5}))?\.json$")


@dataclass(frozen=True)
class Layout:
    """The paths of one data folder."""

    root: Path
    keep_backups: int = 7

    @functools.cached_property
    def lock(self) -> Path:
        return self.root / ".lock"

    @functools.cached_property
    def marker(self) -> Path:
        return self.root / "store.json"

    @functools.cached_property
    def registry(self) -> Path:
        return self.root / "instruments.json"

    @functools.cached_property
    def journal(self) -> Path:
        return self.root / "journal.json"

    @functools.cached_property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @functools.cached_property
    def instrument_files(self) -> Path:
        return self.root / "instrument-files"

    def instrument_copy(self, content_hash: str) -> Path:
        return self.instrument_files / f"{content_hash}.json"

    @functools.cached_property
    def ratings(self) -> Path:
        return self.root / "ratings"

    @functools.cached_property
    def index(self) -> Path:
        return self.root / "index"

    @functools.cached_property
    def dyads(self) -> Path:
        return self.root / "dyads"

    def dyads_of(self, month: str, number: int = 0) -> Path:
        """The summary of the dyads of `month` (a month, or "undated"): its first file, or
        its part `number` (format 7)."""
        return self.dyads / (f"{month}.json" if not number else f"{month}{PART}{number}.json")

    def dyad_parts(self) -> dict[str, list[int]]:
        """Month -> the numbers of the files of its summary of dyads present (0: the first),
        in order: one listing of the folder."""
        try:
            listed = os.listdir(self.dyads)  # noqa: PTH208  (names only)
        except FileNotFoundError:
            return {}
        out: dict[str, list[int]] = {}
        for name in listed:
            found = _DYADS_FILE.match(name)
            if found is not None:
                out.setdefault(found[1], []).append(int(found[2] or 0))
        return {month: sorted(numbers) for month, numbers in out.items()}

    @functools.cached_property
    def backups(self) -> Path:
        return self.root / "backups"

    @functools.cached_property
    def snapshots(self) -> Path:
        return self.root / ".snapshots"

    @functools.lru_cache(maxsize=4096)  # noqa: B019  # layouts live as long as their store
    def shard(self, name: str) -> Path:
        return self.ratings / f"{name}.json"

    def bucket(self, rating_id: str) -> Path:
        """The top-level index file of a rating id (it may have split: see `index`)."""
        return self.index_file(rating_id[:2])

    @functools.lru_cache(maxsize=8192)  # noqa: B019  # a path per id would cost as much as the rest
    def index_file(self, name: str) -> Path:
        return self.index / f"{name}.json"

    def delta(self, name: str) -> Path:
        """An index delta file ("3.d7": see `index`)."""
        return self.index / f"{name}.json"

    def delta_files(self) -> list[str]:
        """The names of the index's delta files present (listed in the manifest or not, the
        parts of a delta that is a node included)."""
        try:
            listed = os.listdir(self.index)  # noqa: PTH208  (names only)
        except FileNotFoundError:
            return []
        names = [n.removesuffix(".json") for n in listed if n.endswith(".json")]
        return sorted(n for n in names if is_delta_file(n))

    def buckets(self) -> list[Path]:
        """The index files present (nodes and leaves), in name order."""
        try:
            found = [p for p in self.index.iterdir() if _BUCKET.match(p.stem)]
        except FileNotFoundError:
            return []
        return sorted(p for p in found if p.suffix == ".json")

    def from_journal(self, name: object) -> Path | None:
        """The path of a file a journal names (relative to the data folder), or None when the
        name is not one of this folder's data files: only the registry, the manifest, shards,
        index files, summaries of dyads and instrument copies, so a journal cannot point
        anywhere else."""
        if not isinstance(name, str):
            return None
        folder, _, file = name.rpartition("/")
        stem, dot, suffix = file.rpartition(".")
        ok = (
            (folder == "" and file in ("instruments.json", "manifest.json"))
            or (folder == "ratings" and suffix == "json" and is_shard_name(stem))
            or (folder == "index" and suffix == "json" and _BUCKET.match(stem) is not None)
            or (folder == "index" and suffix == "json" and is_delta_file(stem))
            or (folder == "dyads" and _DYADS_FILE.match(file) is not None)
            or (folder == "instrument-files" and suffix == "json" and _HASH.match(stem) is not None)
        )
        return self.root / name if ok and dot else None

    def backups_of(self, path: Path) -> Backups:
        """Snapshots of `path` go to backups/<its folder inside the data folder>/<its name>/."""
        relative = path.relative_to(self.root).with_suffix("")
        return Backups(self.backups / relative, self.keep_backups, temp_dir=self.backups)

    def shard_files(self) -> list[str]:
        """Every shard file present, nodes included, in name order."""
        try:
            listed = os.listdir(self.ratings)  # noqa: PTH208  (names: thousands of files)
            names = [n.removesuffix(".json") for n in listed]
        except FileNotFoundError:
            return []
        return sorted(n for n in names if _SHARD.match(n))

    def shard_names(self) -> list[str]:
        """Every shard holding ratings (nodes left out, by name), newest month first, the
        undated shards before all months."""
        return leaves(self.shard_files())


def leaves(names: list[str]) -> list[str]:
    """`names` without nodes (a name with a child among them), newest first."""
    nodes = {parent_shard(n) for n in names}
    return newest_first([n for n in names if n not in nodes])


def parent_shard(shard: str) -> str | None:
    """The node `shard` is a child of (None for a month, and for a part: parts are the
    month's siblings, not its children)."""
    month, _, prefix = shard.partition(".")
    if not prefix or is_part(shard):
        return None
    return f"{month}.{prefix[:-1]}" if len(prefix) > 1 else month


def is_delta_name(name: str) -> bool:
    """An index delta's name, as the manifest lists it: the id's first hex digit, ".d", a
    number ("3.d7")."""
    return _DELTA.match(name) is not None


def is_delta_file(name: str) -> bool:
    """The name of an index delta's file: a delta's ("3.d7"), or one of its parts once it is a
    node ("3a.d7", "3a0.d7": the ids starting with that prefix)."""
    return _DELTA_FILE.match(name) is not None


def is_month_name(name: str) -> bool:
    """A month ("2026-01") or "undated": what index entries name."""
    return _MONTH.match(name) is not None


def is_shard_name(name: str) -> bool:
    """A month, a part of it ("2026-01.p3"), or a part of a month split by the id
    ("2026-01.a3", format 2)."""
    return _SHARD.match(name) is not None


def is_part(name: str) -> bool:
    """A fill-order part of a month ("2026-01.p3")."""
    return _PART.match(name) is not None


def part_name(month: str, number: int) -> str:
    return f"{month}{PART}{number}"


def entry_name(shard: str) -> str:
    """What the index entry of a rating in `shard` names: a part itself (found directly), else
    the month (a month split by the id is walked down to the part holding the id)."""
    return shard if is_part(shard) else month_of(shard)


def is_entry_name(name: str) -> bool:
    """What an index entry may name: a month or a part of one."""
    return is_month_name(name) or is_part(name)


def month_of(shard: str) -> str:
    return shard.partition(".")[0]


def sub_shard(shard: str, rating_id: str) -> str:
    """The child of `shard` that holds `rating_id` once `shard` has split."""
    prefix = shard.partition(".")[2]
    return shard_child(shard, rating_id[len(prefix)])


def sub_bucket(bucket: str, rating_id: str) -> str:
    """The child of index file `bucket` that holds `rating_id` once it has split."""
    return rating_id[: len(bucket) + 1]


def shard_child(shard: str, digit: str) -> str:
    month, _, prefix = shard.partition(".")
    return f"{month}.{prefix}{digit}"


def newest_first(names: list[str]) -> list[str]:
    """Months newest first; "undated" leads, as a rating without a date is one being written.
    The parts of a split month follow each other, in name order."""
    undated = sorted(n for n in names if month_of(n) == UNDATED)
    dated = sorted((n for n in names if month_of(n) != UNDATED), key=_descending_month)
    return undated + dated


def _descending_month(name: str) -> tuple[int, str]:
    month = month_of(name)
    return (-int(month[:4]) * 100 - int(month[5:7]), name)


def by_month(names: list[str]) -> list[tuple[str, list[str]]]:
    """(month, its shards) in the order of `names` (`newest_first` keeps a month's parts
    together)."""
    out: list[tuple[str, list[str]]] = []
    for name in names:
        month = month_of(name)
        if out and out[-1][0] == month:
            out[-1][1].append(name)
        else:
            out.append((month, [name]))
    return out


def shard_name(session_date: object) -> str:
    """The month (top-level shard) of a session date given as YYYY-MM-DD text; anything else
    is undated."""
    if isinstance(session_date, str):
        try:
            day = date.fromisoformat(session_date)
        except ValueError:
            return UNDATED
        return f"{day.year:04d}-{day.month:02d}"
    return UNDATED


def month_in_range(name: str, first: date | None, last: date | None) -> bool:
    """Whether shard `name` can hold a session dated within [first, last]."""
    if month_of(name) == UNDATED:
        return first is None and last is None
    month = name[:7]
    return (first is None or month >= first.isoformat()[:7]) and (
        last is None or month <= last.isoformat()[:7]
    )
