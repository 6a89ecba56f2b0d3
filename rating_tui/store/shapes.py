"""The expected shapes of what the data files hold, checked on read: a wrong shape (a hand
edit, a bad merge, damage) becomes an error naming the file and the key, never a traceback
and never a record silently left out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from rating_tui.ratings.model import STATUSES, Rating
from rating_tui.store.backups import restore_hint
from rating_tui.store.errors import StoreCorruptError
from rating_tui.store.layout import Layout


def registry_problem(entry: object) -> str | None:
    """What is wrong with one instruments.json entry, or None."""
    if not isinstance(entry, dict):
        return f"expected an object with hash and roles, found {type(entry).__name__}"
    content_hash = entry.get("hash")
    if not isinstance(content_hash, str) or len(content_hash) != 64:
        return "its hash is not a 64-digit content hash"
    roles = entry.get("roles")
    if not isinstance(roles, dict) or not all(
        isinstance(v, str) or v is None for v in roles.values()
    ):
        return "its roles are not an object of field keys"
    return None


def check_registry(registry: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, problem) for every malformed entry of instruments.json."""
    found = [(key, registry_problem(entry)) for key, entry in registry.items()]
    return [(key, problem) for key, problem in found if problem]


def status_problem(record: object) -> str | None:
    """What is wrong with the status of a stored record (read before filtering on it, so a
    record without one is named rather than silently left out of lists and exports)."""
    if not isinstance(record, dict):
        return f"expected an object, found {type(record).__name__}"
    status = record.get("status")
    if status is None:
        return "it has no status (expected one of draft, final, voided)"
    if status not in STATUSES:
        return f"status {status!r} is not one of draft, final, voided"
    return None


def check_statuses(layout: Layout, shard: str, records: Mapping[str, Any]) -> None:
    """Refuse to filter a shard by status when a record has none: it would be silently left
    out of lists and exports."""
    for rating_id, record in records.items():
        problem = status_problem(record)
        if problem:
            path = layout.shard(shard)
            raise StoreCorruptError(
                f"{path}: rating {rating_id!r} is damaged ({problem}); nothing was changed.\n"
                f"{restore_hint(path, layout.backups_of(path))}",
                path,
            )


def check_record(rating_id: str, record: object, registry: dict[str, Any]) -> str | None:
    """What is wrong with one stored rating, or None."""
    problem = status_problem(record)
    if problem:
        return problem
    try:
        rating = Rating.model_validate(record)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}"
    if rating.id != rating_id:
        return f"it is stored under another id than its own ({rating.id})"
    entry = registry.get(rating.instrument.ref)
    known = entry.get("hash") if isinstance(entry, dict) else None
    if known != rating.instrument.hash:
        return (
            f"it was made with {rating.instrument.ref} content {rating.instrument.hash[:12]}..., "
            f"registered: {str(known)[:12]}..."
        )
    return None
