"""Which ids the index surely does not hold, remembered by one process between its batches.

`presence` tells a batch's new ids absent from the text of the index files, which costs a read
of every index text per batch: at 1M ratings, ~0.2 s of CPU a batch, the one cost of a batch
that still grew with the folder. A process that adds batch after batch to a folder nobody
else writes (`demo-data`, an import or a merge into a new folder) knows which ids it put in
the index, so it need not read them back. `KnownIds` is that memory, kept conservative:

- it is a filter of `BITS` bits (4 MiB, whatever the count) in which each id indexed sets two
  bits chosen by its hash (a Bloom filter). An id whose two bits are not both set was never
  added: it is surely absent. Any other id (indexed, or a false positive: about 0.3% of new
  ids at 1M, 2% at 3M) goes to the existing path (`presence`, then `index.lookup`), which
  answers exactly, so a collision costs time, never a wrong answer;
- it starts only from an index known to be empty (no index count, no delta, no shard: a new
  folder) and grows only with the ids of transactions this process committed
  (`NotingTransaction`): a transaction sets its ids' bits in a copy of the filter, which
  replaces the filter once `commit` returns, never before, so a batch that fails or is
  refused leaves it as it was. A transaction of many batches (a spilled import, `spilled`)
  asks for each batch: the first answer, under the write lock, is checked as below; the next
  ones come from its copy, which holds the ids of its earlier batches too (the lock is held
  all along, and its own staged files change the index folder's times). Memory: the filter
  and at most one copy (4 MiB each), whatever the number of ids;
- it is trusted only while the folder is as this process's last commit left it: after each
  of its commits it keeps the manifest's bytes and the identity (inode, size, mtime, ctime) of
  the manifest, of the index folder and of the ratings folder (`signature`). Any other
  store's write that adds an index entry rewrites the manifest (its counts of entries, its
  list of deltas), and one that adds, removes or renames an index file or a delta changes the
  index folder's times. At each batch, under the write lock and after a crashed change was
  rolled forward, they are compared again; any difference (another window's save, another
  import, a rebuild, a restore) drops the memory for good, and that batch and the next ones
  take the existing path. A commit of this process that it did not check (a single save)
  drops it too. The signature costs the same whatever the folder holds: an earlier one that
  also took the identity of every index file (4,236 `stat` calls at 1M, twice a batch) grew
  with the folder, as the reading it replaced did. What it does not see is an index file
  rewritten in place by hand while this process runs (no store write does that without the
  manifest): the memory only ever says an id this process never indexed is absent, which such
  an edit cannot make untrue; the damage is found as before by the next process's lookups,
  `doctor`, or a lookup of this one that reads the file.

Nothing is written, so crash safety is the transaction's as before; a memory dropped or never
started only means the batch reads the index as it did without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from rating_tui.store import deltas, fileio
from rating_tui.store.errors import StoreError
from rating_tui.store.files import Files
from rating_tui.store.layout import BUCKET_COUNTS, Layout
from rating_tui.store.transaction import Transaction

BITS = 1 << 25
"""Bits of the filter: 4 MiB. With two bits an id, a new id is a false positive (sent to the
exact path) with probability (1 - e^(-2n/BITS))^2: 0.34% at n = 1M."""
_SHIFT = 25
"""The second bit of an id comes from its hash shifted by this many bits."""

Signature = tuple[object, ...]


class KnownIds:
    """A conservative memory of the ids this process put in the index (module docstring)."""

    def __init__(self, layout: Layout, bits: int = BITS) -> None:
        self.layout = layout
        self._size = bits
        self._bits: bytearray | None = None
        """None: nothing is known (never started, or dropped)."""
        self._seen: Signature | None = None
        self.added = 0
        """Ids added so far (while known)."""
        self.answered = 0
        """Ids told absent so far, without reading the index (for tests and profiles)."""

    @property
    def active(self) -> bool:
        return self._bits is not None

    def absent(self, txn: Transaction, ids: list[str]) -> set[str]:
        """The ids of `ids` surely not in the index, if the folder is as this process left it
        (or a new folder); {} otherwise. Marks `txn` as checked, so that its commit adds its
        ids (call under the write lock, the first time before `txn` changes anything; a later
        batch of `txn` is answered from its copy, which holds its earlier batches' ids)."""
        if not isinstance(txn, NotingTransaction):
            return set()
        if not txn.checked:
            if txn.paths:
                return set()
            if self._bits is not None and signature(self.layout) != self._seen:
                self.drop()
            if self._bits is None:  # (a folder with ratings: no signature taken, nothing kept)
                if not _empty(txn, self.layout):
                    return set()
                self._bits, self._seen = bytearray(self._size // 8), signature(self.layout)
            txn.checked = True
        bits = txn.bits if txn.bits is not None else self._bits
        if bits is None:
            return set()
        out = {i for i in ids if not _may_hold(bits, self._size, i)}
        self.answered += len(out)
        return out

    def note(self, txn: NotingTransaction, ids: Iterable[str]) -> None:
        """Set the bits of ids `txn` indexes in its copy of the filter (made at its first)."""
        if self._bits is None:
            return  # (dropped: `committed` drops it again)
        if txn.bits is None:
            txn.bits = bytearray(self._bits)
        size, bits = self._size, txn.bits
        for rating_id in ids:
            h = hash(rating_id)
            a, b = h % size, (h >> _SHIFT) % size
            bits[a >> 3] |= 1 << (a & 7)
            bits[b >> 3] |= 1 << (b & 7)
            txn.noted += 1

    def committed(self, txn: NotingTransaction) -> None:
        """After `txn` committed: take its copy of the filter (its ids added) and remember
        the folder, or drop everything when `txn` was not checked (its ids are not known)."""
        if not txn.checked or self._bits is None:
            self.drop()
            return
        if txn.bits is not None:
            self._bits, txn.bits = txn.bits, None
        self.added += txn.noted
        self._seen = signature(self.layout)

    def drop(self) -> None:
        self._bits = self._seen = None
        self.added = 0


def _may_hold(bits: bytearray, size: int, rating_id: str) -> bool:
    h = hash(rating_id)
    a, b = h % size, (h >> _SHIFT) % size
    return bool(bits[a >> 3] >> (a & 7) & 1 and bits[b >> 3] >> (b & 7) & 1)


class NotingTransaction(Transaction):
    """A transaction that tells `known` what it indexed once `commit` has returned."""

    def __init__(self, files: Files, known: KnownIds) -> None:
        super().__init__(files)
        self.known = known
        self.checked = False
        """True when `known.absent` answered for this transaction (the folder was as
        this process left it)."""
        self.bits: bytearray | None = None
        """The filter with the ids this transaction gives an index entry (`note`), taken by
        `known` when it commits; None until its first id (or when not checked)."""
        self.noted = 0
        """Ids noted so far."""

    def note(self, ids: Iterable[str]) -> None:
        if self.checked:
            self.known.note(self, ids)

    def commit(self) -> None:
        super().commit()  # (raises: nothing is added, and the next check sees any change)
        self.known.committed(self)


def note(txn: Transaction, ids: Iterable[str]) -> None:
    """Record that `txn` gives these ids an index entry (a no-op for another transaction)."""
    if isinstance(txn, NotingTransaction):
        txn.note(ids)


def signature(layout: Layout) -> Signature:
    """What another store's write that adds to the index changes: the manifest's bytes and
    the identity (inode, size, mtime, ctime) of the manifest, of the index folder and of the
    ratings folder; None for one that cannot be read. The same cost at any size."""
    try:
        raw = fileio.read_bytes(layout.manifest)
    except StoreError:
        raw = b"\0unreadable"  # (never equal to a manifest's bytes)
    found: list[tuple[int, ...] | None] = []
    for path in (layout.manifest, layout.index, layout.ratings):
        try:
            found.append(_identity(path.stat()))
        except OSError:
            found.append(None)
    return (raw, *found)


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _empty(txn: Transaction, layout: Layout) -> bool:
    """Whether the index surely holds nothing: no index count above 0, no delta, no shard."""
    try:
        counts = txn.records(layout.manifest, BUCKET_COUNTS)
        listed = deltas.listed(txn, layout)
    except StoreError:
        return False
    numbers = [c.get("n") if isinstance(c, dict) else None for c in counts.values()]
    return all(n == 0 for n in numbers) and not listed and not layout.shard_names()
