"""The instrument registry of a data folder (`instruments.json`): which instrument versions
ratings were made with, the content hash each was first used with, its role keys, and a kept
copy of each version (`instrument-files/<sha256>.json`). `Engine` holds it (as a base class):
a save checks its instrument here (`admit`) before anything else, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rating_tui.instruments.hashing import content_hash as hash_of
from rating_tui.instruments.model import Instrument, Role
from rating_tui.ratings.model import utc_now
from rating_tui.store import kept
from rating_tui.store.codec import Codec, to_json
from rating_tui.store.errors import InstrumentChangedError, StoreCorruptError
from rating_tui.store.files import Files, Records
from rating_tui.store.layout import REGISTRY_TABLE, Layout
from rating_tui.store.query import roles_of
from rating_tui.store.shapes import registry_problem

if TYPE_CHECKING:
    from rating_tui.store.transaction import Transaction

ROLES: tuple[Role, ...] = ("dyad", "session_date", "session_number", "rater")


class InstrumentRegistry:
    """The registry's half of `Engine`: what it keeps in memory, and its calls."""

    layout: Layout
    codec: Codec
    files: Files

    def __init__(self) -> None:
        self._registry: dict[str, dict[str, Any]] = {}
        """Registry entries seen so far; an entry never changes once recorded."""
        self._kept: dict[str, Instrument] = {}
        self._copies: set[Path] = set()
        """Instrument copies known to exist in the data folder."""

    def registry(self, reader: Files | Transaction | None = None) -> dict[str, dict[str, Any]]:
        """id@version -> {"hash", "roles", "first_used"} for every instrument version used.
        An entry of the wrong shape is a `StoreCorruptError` naming the file and the key."""
        path = self.layout.registry
        found = (reader or self.files).records(path, REGISTRY_TABLE)
        for key, entry in found.items():
            if key not in self._registry:
                problem = registry_problem(entry)
                if problem:
                    raise StoreCorruptError(
                        f"{path}: entry {key!r} is damaged ({problem}); nothing was changed. "
                        f"Restore it from a backup ({self.layout.backups_of(path).folder}) or "
                        "correct it by hand; `rating-tui doctor` lists every damaged entry.",
                        path,
                    )
        if reader is not None:  # may hold changes not yet committed: not remembered
            return {**self._registry, **found}
        self._registry.update(found)
        return self._registry

    def roles(self, txn: Transaction | None = None) -> dict[str, dict[str, str | None]]:
        """id@version -> role -> session field key, for every instrument version used (with
        `txn`, those it records too)."""
        return roles_of(self.registry(txn))

    def admit(
        self, txn: Transaction, instrument: Instrument, content_hash: str
    ) -> dict[str, str | None]:
        """Check `instrument` against the hash recorded for its version (recording it, and a
        copy of the instrument, in `txn` on first use) and return its role keys."""
        ref = instrument.ref
        entry = self._registry.get(ref) or self.registry(txn).get(ref)
        if entry is None:
            roles = {role: getattr(instrument.field_with_role(role), "key", None) for role in ROLES}
            entry = {"hash": content_hash, "roles": roles, "first_used": utc_now().isoformat()}
            txn.change(self.layout.registry, REGISTRY_TABLE, merging({ref: entry}))
        elif entry.get("hash") != content_hash:
            raise InstrumentChangedError(
                f"The instrument {ref} has changed since ratings were saved with it (their "
                f"content hash is {str(entry.get('hash'))[:12]}..., this file's is "
                f"{content_hash[:12]}...). Nothing was saved. Give the changed instrument a new "
                f'version number (e.g. version = "{bump(instrument.version)}") so that old and '
                "new ratings each keep the exact instrument they were made with."
            )
        copy = self.layout.instrument_copy(content_hash)
        if txn.has_file(copy):
            pass
        elif copy not in self._copies and not copy.exists():  # kept with the data (issue 10)
            txn.put_file(
                copy, self.codec.encode(to_json(instrument.model_dump(mode="json")).encode())
            )
        else:
            self._copies.add(copy)
        roles_ = entry.get("roles")
        return dict(roles_) if isinstance(roles_, dict) else {}

    def kept_instrument(self, content_hash: str) -> Instrument | None:
        """The kept copy with this content hash (cached: a copy never changes)."""
        if content_hash not in self._kept:
            self._kept.update({hash_of(i): i for i in self.stored_instruments()[0]})
        return self._kept.get(content_hash)

    def stored_instruments(self) -> tuple[list[Instrument], list[tuple[Path, str]]]:
        """The copies of instrument versions kept in the data folder, and (file, problem) for
        each that cannot be used (`kept.read_copies`)."""
        return kept.read_copies(self.layout.instrument_files, self.codec)


def merging(new: dict[str, Any]) -> Callable[[Records], None]:
    def merge(records: Records) -> None:
        records.update(new)

    return merge


def bump(version: str) -> str:
    """The next patch version of a semantic version (1.2.3 -> 1.2.4), for messages."""
    core = version.split("-")[0].split("+")[0].split(".")
    if len(core) == 3 and all(p.isdigit() for p in core):
        return f"{core[0]}.{core[1]}.{int(core[2]) + 1}"
    return version + "-2"
