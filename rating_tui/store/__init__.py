"""The ratings store: atomic, locked, sharded TinyDB files behind one API (`Store`).

Layers, bottom up: `fileio` (atomic private writes) -> `codec` (bytes hook, e.g. encryption)
-> `storage.SafeStorage` (a TinyDB Storage) -> `files` / `layout` (which file holds what) ->
`engine` (lock, recovery, registry) -> `api.Store`. docs/storage.md explains the choices.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

_HOMES = {
    "ImportResult": "api",
    "Store": "api",
    "PLAIN": "codec",
    "Codec": "codec",
    "CodecError": "codec",
    "Tally": "tally",
}
"""Where each name of `__all__` lives (the errors: `errors`). They are imported on first use,
so that a light module of the package (`glance`, `layout`) can be imported without the Store
API and, through it, pydantic and the models (the app's Home reads with it before they are
loaded)."""


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_HOMES.get(name, 'errors')}")
    value = getattr(module, name)
    globals()[name] = value
    return value


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
