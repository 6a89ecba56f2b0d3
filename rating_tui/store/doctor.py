"""What `rating-tui doctor` checks and repairs in a data folder.

`check` reads everything and changes nothing: every file parses, every rating is a valid
record made with the instrument content registered for its version, the index agrees with the
month files, permissions are private, no temp file or unfinished move is left, and backups
exist. `rebuild_index` rewrites the index from the month files (the only derived data), moving
a damaged index file aside instead of overwriting it. Both hold the lock throughout, so they
see one consistent state; saves in other windows wait until they finish.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from rating_tui.ratings.model import Rating
from rating_tui.store import fileio, index, transaction
from rating_tui.store.engine import Engine
from rating_tui.store.errors import StoreError
from rating_tui.store.index import IndexReport
from rating_tui.store.layout import INDEX_TABLE, RATINGS_TABLE

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing `doctor` reports about one file or folder."""

    level: Level
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.path}: {self.message}"


def check(engine: Engine) -> list[Finding]:
    """Every problem and notable fact about the folder, most serious first."""
    layout = engine.layout
    out = _permission_findings(layout.root)
    with engine.locked(write=False, recover=False):
        try:
            if transaction.read_journal(layout) is not None:
                out.append(
                    Finding(
                        "warning",
                        layout.journal,
                        "a change was interrupted by a crash; it is completed when the folder "
                        "is next opened",
                    )
                )
        except StoreError as exc:
            out.append(Finding("error", layout.journal, str(exc)))
        for temp in layout.root.rglob(f".*{fileio.TEMP_SUFFIX}"):
            out.append(Finding("info", temp, "temp file left by a crash; removed on next open"))
        registry = _read(engine, layout.registry, "instruments", out)
        located = _check_shards(engine, registry, out)
        _check_index(engine, located, out)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda f: order[f.level])


def rebuild_index(engine: Engine) -> IndexReport:
    """Write the index again from the month files, in one transaction (see `index.rebuild`)."""
    with engine.locked(write=True):
        return index.rebuild(engine.files)


def _read(engine: Engine, path: Path, table: str, out: list[Finding]) -> dict[str, Any]:
    try:
        return engine.files.storage(path).parse(path.read_bytes()).get(table, {})
    except FileNotFoundError:
        return {}
    except (StoreError, OSError) as exc:
        out.append(Finding("error", path, str(exc)))
        return {}


def _check_shards(
    engine: Engine, registry: dict[str, Any], out: list[Finding]
) -> dict[str, list[str]]:
    """Check every rating; return rating id -> the shards holding it."""
    located: dict[str, list[str]] = {}
    for shard in engine.layout.shard_names():
        path = engine.layout.shard(shard)
        for rating_id, record in _read(engine, path, RATINGS_TABLE, out).items():
            located.setdefault(rating_id, []).append(shard)
            try:
                rating = Rating.model_validate(record)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                out.append(Finding("error", path, f"rating {rating_id}: {where}: {first['msg']}"))
                continue
            known = registry.get(rating.instrument.ref, {}).get("hash")
            if known != rating.instrument.hash:
                out.append(
                    Finding(
                        "error",
                        path,
                        f"rating {rating_id} was made with {rating.instrument.ref} content "
                        f"{rating.instrument.hash[:12]}..., registered: {str(known)[:12]}...",
                    )
                )
    for rating_id, shards in located.items():
        if len(shards) > 1:
            out.append(
                Finding("error", engine.layout.ratings, f"rating {rating_id} is in {shards}")
            )
    return located


def _check_index(engine: Engine, located: dict[str, list[str]], out: list[Finding]) -> None:
    layout = engine.layout
    indexed: dict[str, str] = {}
    for bucket in sorted(layout.index.glob("*.json")) if layout.index.exists() else []:
        for rating_id, entry in _read(engine, bucket, INDEX_TABLE, out).items():
            indexed[rating_id] = str(entry.get("shard"))
    wrong = [i for i, shards in located.items() if indexed.get(i) not in shards]
    if wrong:
        out.append(
            Finding(
                "error",
                layout.index,
                f"{len(wrong)} rating(s) missing from the index or pointing at the wrong month "
                f"(e.g. {wrong[0]}); rebuild the index",
            )
        )
    dangling = [i for i in indexed if i not in located]
    if dangling:
        out.append(
            Finding(
                "info",
                layout.index,
                f"{len(dangling)} index entr(y/ies) for saves cut short by a crash; harmless",
            )
        )


def _permission_findings(root: Path) -> list[Finding]:
    out = []
    for path in [root, *root.rglob("*")]:
        try:
            mode = stat.S_IMODE(path.lstat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            private = "700" if path.is_dir() else "600"
            out.append(
                Finding(
                    "warning",
                    path,
                    f"other users may read it (mode {mode:o}); run: chmod {private} '{path}'",
                )
            )
    return out
