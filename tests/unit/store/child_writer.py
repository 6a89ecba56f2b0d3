"""A writer process for the crash and concurrency tests (run as a script, not collected).

    child_writer.py --instrument FILE DATA_DIR crash SEED [KILL_AT]
        forever: create, edit (notes that grow and shrink) and move (change the month)
        ratings; prints "try ID MARKER" before each save and "ok ID MARKER" once it returned.
        With KILL_AT, the process SIGKILLs itself at its KILL_AT-th fsync: a crash injected
        exactly inside a write (temp file written, not yet renamed; or renamed, folder not
        yet synced), in a data file, an index file, the journal or a backup.
    child_writer.py --instrument FILE DATA_DIR many COUNT TAG
        finalise COUNT new ratings as fast as possible; prints "ok ID TAG" after each.
    child_writer.py --instrument FILE DATA_DIR bump ID COUNT TAG
        COUNT times: get rating ID, append to its notes, update it (the get -> update of an
        editor); a refused stale update (RatingConflictError) is retried from a fresh get.
        Prints "ok TAG N" after each acknowledged update and "conflicts K" at the end.

The marker of a save is stored in the rating's notes, so the parent can tell which version of
each rating is on disk.
"""

from __future__ import annotations

import os
import random
import signal
import sys
from pathlib import Path
from typing import Any

from rating_tui.instruments.loader import load_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.store import RatingConflictError, Store, fileio


def say(*words: object) -> None:
    print(*words, flush=True)


def new_rating(instrument: Instrument, rng: random.Random, marker: str) -> Rating:
    rating = Rating.new(instrument, "AB")
    return rating.replace(
        session=rating.session
        | {
            "dyad": f"D{rng.randrange(1000):03d}",
            "session_date": f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "session_number": rng.randrange(1, 100),
        },
        answers={
            "narration": Answered(value=rng.randrange(5)),
            "processing": Missing(missing="not_observed"),
            "past_present": Answered(value=rng.randrange(5)),
        },
        notes=f"{marker}:" + "x" * rng.randrange(4000),
    )


def crash(store: Store, instrument: Instrument, seed: int) -> None:
    rng = random.Random(seed)
    mine: list[Rating] = []
    say("ready")
    for n in range(10**9):
        marker = f"m{n}"
        choice = rng.random()
        if not mine or choice < 0.3:
            rating = new_rating(instrument, rng, marker)
            say("try", rating.id, marker)
            rating = store.finalise(rating, instrument)
            mine.append(rating)
        else:
            k = rng.randrange(len(mine))
            old = mine[k]
            session = dict(old.session)
            if choice < 0.5:  # move it to another month
                session["session_date"] = f"2025-{rng.randrange(1, 13):02d}-15"
            notes = f"{marker}:" + "y" * rng.choice([0, 10, 3000, 8000])  # shrink or grow
            say("try", old.id, marker)
            rating = store.update(
                old.replace(notes=notes, session=session), instrument, by="AB", reason=marker
            )
            mine[k] = rating
        say("ok", rating.id, marker)


def many(store: Store, instrument: Instrument, count: int, tag: str) -> None:
    rng = random.Random(tag)
    say("ready")
    for _ in range(count):
        rating = store.finalise(new_rating(instrument, rng, tag), instrument)
        say("ok", rating.id, tag)


def bump(store: Store, instrument: Instrument, rating_id: str, count: int, tag: str) -> None:
    conflicts = 0
    say("ready")
    for n in range(count):
        while True:
            rating = store.get(rating_id)
            try:
                store.update(
                    rating.replace(notes=f"{rating.notes} {tag}{n}"),
                    instrument,
                    by=tag,
                    reason=f"{tag}{n}",
                )
                break
            except RatingConflictError:
                conflicts += 1
        say("ok", tag, n)
    say("conflicts", conflicts)


def kill_at(count: int) -> None:
    calls = 0
    real = fileio._fsync

    def fsync(fd: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == count:
            os.kill(os.getpid(), signal.SIGKILL)
        real(fd)

    fileio._fsync = fsync


def main() -> None:
    _, instrument_file, data, mode, *rest = sys.argv[1:]
    instrument = load_instrument(Path(instrument_file)).instrument
    store = Store.open(Path(data), lock_timeout=60)
    if mode == "crash":
        if len(rest) > 1:
            kill_at(int(rest[1]))
        crash(store, instrument, int(rest[0]))
    elif mode == "bump":
        bump(store, instrument, rest[0], int(rest[1]), rest[2])
    else:
        many(store, instrument, int(rest[0]), rest[1])


if __name__ == "__main__":
    main()
