"""The ratings store: atomic, locked, sharded TinyDB files behind one API (`Store`).

Layers, bottom up: `fileio` (atomic private writes) -> `codec` (bytes hook, e.g. encryption)
-> `storage.SafeStorage` (a TinyDB Storage) -> `files` / `layout` (which file holds what) ->
`engine` (lock, recovery, registry) -> `api.Store`. docs/storage.md explains the choices.
"""

from rating_tui.store.api import ImportResult, Store
from rating_tui.store.codec import PLAIN, Codec, CodecError
from rating_tui.store.errors import (
    InstrumentChangedError,
    RatingConflictError,
    RatingInvalidError,
    RatingNotFoundError,
    RatingStateError,
    ReasonRequiredError,
    StoreCorruptError,
    StoreError,
    StoreFormatError,
    StoreLockedError,
    StoreReadError,
    StoreWriteError,
)
from rating_tui.store.tally import Tally

__all__ = [
    "PLAIN",
    "Codec",
    "CodecError",
    "ImportResult",
    "InstrumentChangedError",
    "RatingConflictError",
    "RatingInvalidError",
    "RatingNotFoundError",
    "RatingStateError",
    "ReasonRequiredError",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreFormatError",
    "StoreLockedError",
    "StoreReadError",
    "StoreWriteError",
    "Tally",
]
