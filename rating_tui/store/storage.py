"""`SafeStorage`: a TinyDB Storage that never leaves a half-written or silently emptied file.

TinyDB's stock JSONStorage rewrites its file in place (a crash while a record shrinks leaves
it unparseable) and treats an empty file as an empty database. This storage:

- writes through `fileio.write_atomic` (temp file, fsync, replace, fsync of the folder);
- raises `StoreCorruptError` for a file that does not decode or parse, including an empty
  one, instead of returning None: TinyDB would otherwise start a fresh database and its next
  write would overwrite the damaged file, destroying what could still be rescued;
- refuses to write over a file it has not read and checked first;
- takes a daily snapshot of the file before changing it (see `backups`);
- passes bytes through a `Codec`, the hook for encryption;
- optionally shares a `FileCache`, so repeated saves to one file skip re-parsing it.

It does no locking: the `Store` holds the inter-process lock around every read-modify-write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from rating_tui.store import fileio
from rating_tui.store.backups import Backups, restore_hint
from rating_tui.store.cache import FileCache
from rating_tui.store.codec import PLAIN, Codec, CodecError, check_open, load, to_json
from rating_tui.store.errors import StoreCorruptError

Tables = dict[str, dict[str, Any]]

_UNREAD = object()


class SafeStorage(Storage):
    """Atomic, checked, optionally backed-up and encoded storage of one TinyDB file."""

    def __init__(
        self,
        path: str | Path,
        *,
        codec: Codec = PLAIN,
        backups: Backups | Callable[[Path], Backups] | None = None,
        hint: Callable[[Path], str] | None = None,
        cache: FileCache | None = None,
        fragments: bool = True,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.codec = codec
        self._backups = backups
        self._hint = hint
        self.cache = cache
        self._fragments = fragments
        self._raw: object = _UNREAD
        """The bytes last read or written (None: no file), so a write can back them up."""

    @property
    def backups(self) -> Backups | None:
        """Where this file's snapshots go. Given as a function of the path, it is built on
        first use (a write, or an error message): an export reads thousands of shard files
        and needs none of them."""
        if callable(self._backups):
            self._backups = self._backups(self.path)
        return self._backups

    def read(self) -> Tables | None:
        check_open(self.codec)
        raw = fileio.read_bytes(self.path)
        if raw is None:
            self._raw = None
            return None
        cached = self.cache.lookup(self.path, raw) if self.cache is not None else None
        tables = cached if cached is not None else self.parse(raw)
        self._raw = raw  # only now: a file that did not parse must never count as checked
        if self.cache is not None and cached is None:
            self.cache.remember(self.path, raw, tables)
        return tables

    def read_uncached(self) -> Tables:
        """Read and parse the file as it is on disk ({} when missing), ignoring the cache."""
        raw = fileio.read_bytes(self.path)
        return {} if raw is None else self.parse(raw)

    def parse(self, raw: bytes) -> Tables:
        """Decode and parse stored bytes, or raise `StoreCorruptError` naming the file."""
        if not raw:
            raise self._corrupt("the file is empty")
        try:
            data = load(raw, self.codec)
        except CodecError as exc:
            raise self._corrupt(f"cannot be decoded: {exc}") from None
        except UnicodeDecodeError as exc:
            raise self._corrupt(f"not UTF-8 text at byte {exc.start}") from None
        except ValueError as exc:
            raise self._corrupt(f"not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise self._corrupt("not a TinyDB database (expected tables of records)")
        return data

    def write(self, data: Tables) -> None:
        try:
            payload = self.prepare(data)
            fileio.write_atomic(self.path, payload)
        except BaseException:
            self.forget()
            raise
        self.written(payload, data)

    def prepare(self, data: Tables, *, backup: bool = True) -> bytes:
        """The stored bytes of `data`, after checking the file on disk parses and taking its
        daily backup: the first half of a write, shared with transactions (which write the
        bytes as a staged file and rename it later). `backup=False`: the caller takes it
        (`snapshot`) when the change is about to be decided (a spilled transaction)."""
        if self._raw is _UNREAD:
            self.read()  # never replace a file that has not been checked to parse
        payload = self.encode(data)
        if backup:
            self.snapshot()
        return payload

    def snapshot(self, raw: bytes | None = None) -> None:
        """Take the daily backup of the file as last read (or of `raw`, its bytes now)."""
        raw = raw if raw is not None else self.stored
        if self.backups is not None and raw is not None:
            self.backups.snapshot(raw)

    def encode(self, data: Tables) -> bytes:
        """The stored bytes of `data`, without reading the file or taking a backup: for a
        transaction that wrote the file to its staged file before (`spilled`), whose first
        `prepare` did both."""
        if self.cache is not None:
            text = self.cache.serialise(self.path, data, fragments=self._fragments)
        else:
            text = to_json(data)
        return self.codec.encode(text.encode("utf-8"))

    @property
    def stored(self) -> bytes | None:
        """The bytes the file held when last read or written (None: no file, or not read)."""
        return self._raw if isinstance(self._raw, bytes) else None

    def written(self, payload: bytes, data: Tables) -> None:
        """Record that `payload` (the bytes of `data`) is now the file's content."""
        self._raw = payload
        if self.cache is not None:
            self.cache.remember(self.path, payload, data)

    def forget(self) -> None:
        """Drop cached content after a failed or abandoned write."""
        if self.cache is not None:
            self.cache.forget(self.path)

    def _corrupt(self, reason: str) -> StoreCorruptError:
        hint = self._hint(self.path) if self._hint else restore_hint(self.path, self.backups)
        return StoreCorruptError(
            f"{self.path} is damaged ({reason}). It was left untouched and nothing was saved "
            f"to it.\n{hint}",
            self.path,
        )
