"""Consistent point-in-time views of all shards, for reads that take long (exports).

Shards are hard-linked into a private folder while the lock is held: no data is copied, and
because writers replace files instead of changing them, a linked file never changes. The
export then streams month by month without holding the lock, so the app can keep saving while
a researcher exports 100,000 ratings. Where hard links are impossible (some network or FAT
file systems), the lock is held for the whole read instead.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rating_tui.outputs import pid_alive
from rating_tui.store import fileio
from rating_tui.store.errors import StoreWriteError
from rating_tui.store.layout import Layout

if TYPE_CHECKING:
    from rating_tui.store.engine import Engine
    from rating_tui.store.tally import Tally


@contextmanager
def frozen_shards(engine: Engine, tally: Tally | None = None) -> Iterator[tuple[Path, list[str]]]:
    """(folder holding the shards as they are now, their names newest first); `tally` takes
    the manifest's counts of the same moment."""
    layout = engine.layout
    if engine.read_only:  # nobody can write, so the live files are frozen already
        if tally is not None:
            tally.freeze(engine)
        yield layout.ratings, layout.shard_names()
        return
    snapshot = layout.snapshots / f"{os.getpid()}-{secrets.token_hex(4)}"
    with engine.locked(write=True):
        names = layout.shard_names()
        if tally is not None:
            tally.freeze(engine)
        try:
            fileio.make_private_dir(snapshot)
            for name in names:
                os.link(layout.shard(name), snapshot / f"{name}.json")
            linked = True
        except (OSError, StoreWriteError):
            _remove_tree(snapshot)
            linked = False
    if not linked:
        with engine.locked(write=False):
            if tally is not None:
                tally.freeze(engine)
            yield layout.ratings, layout.shard_names()
        return
    try:
        yield snapshot, names
    finally:
        _remove_tree(snapshot)


def remove_dead(layout: Layout) -> None:
    """Remove snapshot folders of processes that no longer run (exports that crashed)."""
    try:
        entries = list(layout.snapshots.iterdir())
    except FileNotFoundError:
        return
    for entry in entries:
        pid = entry.name.partition("-")[0]
        if not pid.isdigit() or not pid_alive(int(pid)):
            _remove_tree(entry)


def _remove_tree(folder: Path) -> None:
    # Best effort: hard links cost no space, and the next open removes what is left.
    with contextlib.suppress(OSError):
        shutil.rmtree(folder)
