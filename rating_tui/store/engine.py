"""The store's mechanics beneath the API: lock, start-up clean-up, crash recovery, the
instrument registry, and where each rating lives.

Consistency rules (every step is one atomic file replace, made under the lock):
- a new rating is entered in the index first, then written to its shard: a crash between
  leaves an index entry pointing at a shard without the rating, which reads as "not there";
- a rating whose session date moves to another month is moved under a journal
  (journal -> new shard -> old shard -> index -> journal removed); whoever takes the lock
  next finishes or cancels the move, so a rating is never in two shards or in none.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from rating_tui.instruments.model import Instrument, Role
from rating_tui.ratings.model import utc_now
from rating_tui.store import fileio, snapshots
from rating_tui.store.codec import Codec
from rating_tui.store.errors import (
    InstrumentChangedError,
    StoreCorruptError,
    StoreFormatError,
    StoreLockedError,
    StoreWriteError,
)
from rating_tui.store.files import Files, Records
from rating_tui.store.layout import (
    FORMAT,
    INDEX_TABLE,
    RATINGS_TABLE,
    REGISTRY_TABLE,
    Layout,
)

_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
ROLES: tuple[Role, ...] = ("dyad", "session_date", "session_number", "rater")


class Engine:
    """Everything below the Store API for one data folder."""

    def __init__(self, layout: Layout, codec: Codec, lock_timeout: float) -> None:
        self.layout = layout
        self.codec = codec
        self.files = Files(layout, codec)
        self.lock_timeout = lock_timeout
        self.read_only = False
        """True when the folder cannot be written: reads work, every write is refused."""
        self._lock = FileLock(str(layout.lock), timeout=lock_timeout, mode=fileio.FILE_MODE)
        self._registry: dict[str, dict[str, Any]] = {}
        """Registry entries seen so far; an entry never changes once recorded."""

    # --- start-up and locking -----------------------------------------------------------------

    def start(self) -> None:
        """Create the folder (0700), check its format, clean up after crashed processes."""
        fileio.make_private_dir(self.layout.root)
        try:
            with self.locked(write=True):
                self._check_marker(create=True)
                layout = self.layout
                for folder in (layout.root, layout.ratings, layout.index, layout.backups):
                    fileio.remove_stale_temps(folder)
                snapshots.remove_dead(self.layout)
        except StoreWriteError as exc:
            if exc.errno not in _READ_ONLY or not self.layout.marker.exists():
                raise
            self.read_only = True
            self._check_marker(create=False)

    @contextmanager
    def locked(self, *, write: bool) -> Iterator[None]:
        """Hold the inter-process lock (reads too: they then never see a half-done move)."""
        if self.read_only:
            if write:
                raise fileio.write_error(OSError(errno.EROFS, "read-only"), self.layout.root)
            yield
            return
        try:
            self._lock.acquire()
        except Timeout:
            raise StoreLockedError(
                f"The data folder {self.layout.root} is busy: another rating-tui process (a "
                f"second window, an import or an export) has held its lock for more than "
                f"{self.lock_timeout:g} s. Nothing was changed; try again when it has finished."
            ) from None
        except OSError as exc:
            raise fileio.write_error(exc, self.layout.lock, "lock the data folder") from None
        try:
            try:
                self._recover()
            except StoreWriteError:
                if write:
                    raise
                # A read goes on: the move is finished by the next write, when space allows.
            yield
        finally:
            self._lock.release()

    def _check_marker(self, *, create: bool) -> None:
        marker = self.layout.marker
        raw = fileio.read_bytes(marker)
        if raw is None:
            if create:
                mark = {"format": FORMAT, "codec": self.codec.name}
                fileio.write_atomic(marker, json.dumps(mark).encode())
            return
        try:
            data = json.loads(raw)
            found, codec = int(data["format"]), str(data["codec"])
        except (ValueError, KeyError, TypeError):
            raise StoreCorruptError(
                f"{marker} is damaged. It only records the folder's format: replace its content "
                f'with {{"format": {FORMAT}, "codec": "plain"}} (if the data is not encrypted).',
                marker,
            ) from None
        if found > FORMAT:
            raise StoreFormatError(
                f"{self.layout.root} was written by a newer rating-tui (data format {found}; "
                f"this version reads format {FORMAT}). Update rating-tui to open it."
            )
        if codec != self.codec.name:
            raise StoreFormatError(
                f"{self.layout.root} is stored with the {codec!r} codec, but was opened with "
                f"{self.codec.name!r}; open it with the same settings it was created with."
            )

    # --- crash recovery -----------------------------------------------------------------------

    def _recover(self) -> None:
        """Finish or cancel a move interrupted by a crash (see the module docstring)."""
        journal = self.layout.journal
        raw = fileio.read_bytes(journal)
        if raw is None:
            return
        try:
            move = json.loads(raw)
            rating_id, source, target = str(move["id"]), str(move["from"]), str(move["to"])
        except (ValueError, KeyError, TypeError):
            raise StoreCorruptError(
                f"{journal} is damaged. Check that the rating it names is in exactly one file "
                "under ratings/, then delete it.",
                journal,
            ) from None
        if rating_id in self.files.records(self.layout.shard(target), RATINGS_TABLE):
            self._drop(source, rating_id)
            self.set_index(rating_id, target)
        else:
            self.set_index(rating_id, source)
        fileio.remove(journal, "finish the interrupted move recorded in")

    # --- where ratings live -------------------------------------------------------------------

    def locate(self, rating_id: str) -> tuple[str, dict[str, Any]] | None:
        """(shard, stored record) of a rating, or None when it is not stored."""
        entry = self.files.records(self.layout.bucket(rating_id), INDEX_TABLE).get(rating_id)
        if entry is None:
            return None
        shard = str(entry.get("shard"))
        record = self.shard_records(shard).get(rating_id)
        return (shard, record) if record is not None else None

    def locate_many(self, rating_ids: Iterable[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """`locate` for many ids, reading each index bucket and shard once."""
        buckets: dict[Path, list[str]] = {}
        for rating_id in rating_ids:
            buckets.setdefault(self.layout.bucket(rating_id), []).append(rating_id)
        wanted: dict[str, list[str]] = {}
        for bucket, ids in buckets.items():
            entries = self.files.records(bucket, INDEX_TABLE)
            for rating_id in ids:
                if rating_id in entries:
                    wanted.setdefault(str(entries[rating_id].get("shard")), []).append(rating_id)
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for shard, ids in wanted.items():
            records = self.shard_records(shard)
            found |= {i: (shard, records[i]) for i in ids if i in records}
        return found

    def add_many(self, placed: list[tuple[str, dict[str, Any]]]) -> None:
        """Store new records given as (shard, record): each index bucket and each shard is
        written once, index first (see the module docstring)."""
        buckets: dict[Path, dict[str, Any]] = {}
        shards: dict[str, dict[str, Any]] = {}
        for shard, record in placed:
            rating_id = str(record["id"])
            buckets.setdefault(self.layout.bucket(rating_id), {})[rating_id] = {"shard": shard}
            shards.setdefault(shard, {})[rating_id] = record
        for bucket, entries in buckets.items():
            self.files.change(bucket, INDEX_TABLE, _merge(entries))
        for shard, records in shards.items():
            self.files.change(self.layout.shard(shard), RATINGS_TABLE, _merge(records))

    def index_ids(self, prefix: str) -> list[str]:
        """Ids in the index file for ids starting with `prefix` (two hex digits)."""
        return list(self.files.records(self.layout.index / f"{prefix}.json", INDEX_TABLE))

    def shard_records(self, shard: str) -> Records:
        return self.files.records(self.layout.shard(shard), RATINGS_TABLE)

    def _drop(self, shard: str, rating_id: str) -> None:
        def drop(records: Records) -> None:
            records.pop(rating_id, None)

        self.files.change(self.layout.shard(shard), RATINGS_TABLE, drop)

    def set_index(self, rating_id: str, shard: str) -> None:
        self.files.change(
            self.layout.bucket(rating_id),
            INDEX_TABLE,
            _merge({rating_id: {"shard": shard}}),
        )

    def put(self, record: dict[str, Any], target: str, current: str | None) -> None:
        """Store `record` in shard `target`; `current` is the shard it is in now, if any."""
        rating_id = str(record["id"])

        def write(records: Records) -> None:
            records[rating_id] = record

        if current is None:
            self.set_index(rating_id, target)
            self.files.change(self.layout.shard(target), RATINGS_TABLE, write)
        elif current == target:
            self.files.change(self.layout.shard(target), RATINGS_TABLE, write)
        else:
            move = {"id": rating_id, "from": current, "to": target}
            fileio.write_atomic(self.layout.journal, json.dumps(move).encode())
            self.files.change(self.layout.shard(target), RATINGS_TABLE, write)
            self._drop(current, rating_id)
            self.set_index(rating_id, target)
            fileio.remove(self.layout.journal, "finish the move recorded in")

    # --- instrument registry ------------------------------------------------------------------

    def registry(self) -> dict[str, dict[str, Any]]:
        """id@version -> {"hash", "roles", "first_used"} for every instrument version used."""
        self._registry.update(self.files.records(self.layout.registry, REGISTRY_TABLE))
        return self._registry

    def roles(self) -> dict[str, dict[str, str | None]]:
        """id@version -> role -> session field key, for every instrument version used."""
        return {ref: dict(entry.get("roles") or {}) for ref, entry in self.registry().items()}

    def admit(self, instrument: Instrument, content_hash: str) -> dict[str, str | None]:
        """Check `instrument` against the hash recorded for its version (recording it on first
        use) and return its role keys. Call under the write lock."""
        ref = instrument.ref
        entry = self._registry.get(ref) or self.registry().get(ref)
        if entry is None:
            roles = {role: getattr(instrument.field_with_role(role), "key", None) for role in ROLES}
            entry = {"hash": content_hash, "roles": roles, "first_used": utc_now().isoformat()}
            self.files.change(self.layout.registry, REGISTRY_TABLE, _merge({ref: entry}))
            self._registry[ref] = entry
        elif entry.get("hash") != content_hash:
            raise InstrumentChangedError(
                f"The instrument {ref} has changed since ratings were saved with it (their "
                f"content hash is {str(entry.get('hash'))[:12]}..., this file's is "
                f"{content_hash[:12]}...). Nothing was saved. Give the changed instrument a new "
                f'version number (e.g. version = "{bump(instrument.version)}") so that old and '
                "new ratings each keep the exact instrument they were made with."
            )
        return dict(entry.get("roles") or {})


def _merge(new: dict[str, Any]) -> Callable[[Records], None]:
    def merge(records: Records) -> None:
        records.update(new)

    return merge


def bump(version: str) -> str:
    """The next patch version of a semantic version (1.2.3 -> 1.2.4), for messages."""
    core = version.split("-")[0].split("+")[0].split(".")
    if len(core) == 3 and all(p.isdigit() for p in core):
        return f"{core[0]}.{core[1]}.{int(core[2]) + 1}"
    return version + "-2"
