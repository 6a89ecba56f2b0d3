"""Store benchmark: our sharded store next to stock TinyDB, at 1k, 10k and 100k ratings, on
its own set-up and on `rating-tui demo-data` folders.

    python benchmarks/store_bench.py [--sizes 1000 10000 100000] [--saves 200]
                                     [--demo-sizes 1000 100000 300000] [--per-month 400]
                                     [--instrument FILE] [--keep DIR]

Measures, in one run on this machine:
- save latency (`Store.finalise` of a new rating, lock + checks + fsyncs included) p50/p95
  with N ratings already stored, next to stock TinyDB's JSONStorage inserting the same record
  into a file of N records (a few inserts only at 100k: each rewrites the whole file);
- opening the store and listing the 50 most recent ratings, in a fresh process (imports not
  counted), median of several runs, and the peak memory that allocates (tracemalloc) plus the
  process's peak RSS;
- `Store.import_ratings` of `--import-count` new ratings into a copy of the largest store,
  into another copy with the write path the store had before transactions
  (`without_transactions`: each file replaced on its own, no journal; issue 10's baseline),
  and into an empty folder, side by side;
- on demo-data folders (`--demo-sizes`, each built by the console script `rating-tui
  demo-data` as a whole process, which is timed): the save p50/p95 into the busiest shard
  (a new final rating dated in the month holding the most ratings), next to the floor of a
  save (appending one rating's JSON to a file and fsyncing it: timed after each save in the
  same process, and in a run of its own after the saves), and the import of
  `--import-count` demo ratings (another seed) into a copy of the largest folder and into an
  empty one;
and prints the ratios issues 3, 10 and 11 set as targets (demo-data time against the 100k
folder is scaled: at most 11x for 10 times the ratings, 1.1x per multiple).

The data sets are written in bulk straight through the storage layer (one write per month
file and index file) rather than by N saves. Ratings are spread at a constant `--per-month`
(a program whose clinicians rate 400 sessions a month), newest month first, so a larger store
is a store that has been used for longer, which is how a store grows. A save rewrites one
month's file, so its cost follows the monthly volume, not N: try `--per-month 2000` to see a
busier program. The save of a dyad new to a busy month is `dyad_save_bench.py`'s; the timing
of saves and of their floor is in `saves.py`, shared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from saves import (  # noqa: E402  (crypto_bench uses time_saves and pct through this module)
    build_demo,
    busiest,
    count_fsyncs,
    pct,
    time_floor,
    time_saves,
    time_saves_beside_floor,
)
from tinydb import TinyDB  # noqa: E402

from rating_tui import paths  # noqa: E402
from rating_tui.instruments.hashing import content_hash  # noqa: E402
from rating_tui.instruments.loader import load_instrument  # noqa: E402
from rating_tui.instruments.model import Instrument  # noqa: E402
from rating_tui.ratings import Answered, Missing, NowMoment, Rating  # noqa: E402
from rating_tui.store import Store  # noqa: E402
from rating_tui.store.engine import Engine  # noqa: E402
from rating_tui.store.layout import shard_name  # noqa: E402

DEFAULT_INSTRUMENT = ROOT / "tests" / "unit" / "store" / "sample_instrument.toml"
TODAY = date(2026, 1, 15)

OPEN_AND_LIST = """
import json, resource, sys, time, tracemalloc
from pathlib import Path
from rating_tui.store import Store
folder, traced = Path(sys.argv[1]), sys.argv[2] == "1"
if traced:
    tracemalloc.start()
started = time.perf_counter()
store = Store.open(folder)
shown = store.list(limit=50)
elapsed = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1] if traced else 0
try:  # VmHWM: peak RSS of this program (ru_maxrss would include the parent's, from fork)
    hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    rss = int(hwm.split()[1]) * 1024
except OSError:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": elapsed, "peak": peak, "rss": rss, "shown": len(shown)}))
"""


def template(instrument: Instrument, rng: random.Random) -> Rating:
    """A realistic final rating: every item answered or coded, two now moments, notes."""
    rating = Rating.new(instrument, "AB")
    answers: dict[str, Answered | Missing] = {
        "narration": Answered(value=3),
        "processing": Missing(missing="not_observed"),
        "past_present": Answered(value=2),
        "alliance": Answered(value=7.5),
        "baby_present": Answered(value=1),
        "focus": Answered(value=3),
        "techniques": Answered(value=["a", "b"]),
        "summary": Answered(value="Mother and baby settled quickly; some talk of her own mother."),
    }
    moments = [
        NowMoment(
            text="She laughs as the baby copies her face, and looks up at me.", tags=["narration"]
        ),
        NowMoment(
            text="A silence after she names her fear; then she picks him up.", tags=["processing"]
        ),
    ]
    notes = " ".join(rng.choice(["calm", "home", "visit", "tired", "warm"]) for _ in range(40))
    return rating.replace(
        status="final",
        session=rating.session
        | {"dyad": "D001", "session_date": TODAY.isoformat(), "session_number": 1, "setting": 1},
        answers=answers,
        now_moments=moments,
        notes=notes,
    )


def records(base: dict[str, Any], count: int, per_month: int, seed: int) -> list[dict[str, Any]]:
    """`count` variations of `base`, `per_month` per month going back from TODAY."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        month_back, day = divmod(n, per_month)
        first = date(TODAY.year, TODAY.month, 1)
        for _ in range(month_back):
            first = (first - timedelta(days=1)).replace(day=1)
        day_of = first + timedelta(days=min(day * 28 // per_month, 27))
        created = datetime.combine(day_of, datetime.min.time(), UTC) + timedelta(hours=18)
        record = json.loads(json.dumps(base))
        record["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        record["session"] |= {
            "dyad": f"D{rng.randrange(60):03d}",
            "session_date": day_of.isoformat(),
            "session_number": rng.randrange(1, 60),
        }
        record["rater"] = record["session"]["rater"] = rng.choice(["AB", "CD", "EF", "GH"])
        record["created"] = record["updated"] = created.isoformat(timespec="microseconds")
        out.append(record)
    return out


def build_store(folder: Path, instrument: Instrument, rows: list[dict[str, Any]]) -> None:
    store = Store.open(folder)
    engine: Engine = store._engine
    with engine.locked(write=True):
        txn = engine.transaction()
        roles = engine.admit(txn, instrument, content_hash(instrument))
        placed = [(shard_name(r["session"][roles["session_date"] or ""]), r) for r in rows]
        engine.add_many(txn, placed)
        txn.commit()


def time_imports(
    folder: Path, instrument: Instrument, base: Rating, count: int, rounds: int
) -> tuple[list[float], list[float], list[float]]:
    """Seconds to import `count` new ratings: (into copies of `folder`, the same before
    transactions, into empty folders)."""
    rng = random.Random(count)
    rows_of = [
        [
            base.replace(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                session=base.session | {"session_date": f"2025-{1 + k % 12:02d}-{1 + k % 28:02d}"},
            )
            for k in range(count)
        ]
        for _ in range(rounds)
    ]
    return import_both(folder, rows_of, {instrument.ref: instrument})


def import_both(
    folder: Path, rows_of: list[list[Rating]], known: dict[str, Instrument]
) -> tuple[list[float], list[float], list[float]]:
    """`Store.import_ratings` of each list of ratings into a copy of `folder`, into another
    copy with the write path the store had before transactions (`without_transactions`), and
    into an empty folder, taking turns: (seconds into the copies, the same before
    transactions, seconds into the empty ones)."""
    full: list[float] = []
    before: list[float] = []
    empty: list[float] = []
    for n, rows in enumerate(rows_of):
        for which, timings in (("full", full), ("before", before), ("empty", empty)):
            target = folder.parent / f"import-{which}-{n}"
            shutil.rmtree(target, ignore_errors=True)
            if which != "empty":
                shutil.copytree(folder, target)
            store = Store.open(target)
            with without_transactions() if which == "before" else contextlib.nullcontext():
                started = time.perf_counter()
                store.import_ratings(rows, known)
                timings.append(time.perf_counter() - started)
            shutil.rmtree(target)
    return full, before, empty


@contextlib.contextmanager
def without_transactions() -> Iterator[None]:
    """The write path the store had before issue 10, kept to compare against: every check the
    same, then each file the import changes replaced on its own (no staged files, no journal,
    no audit lines), so that a crash or a full disk part way left part of the import stored."""
    from rating_tui.store import fileio
    from rating_tui.store.transaction import Transaction

    original = Transaction.commit

    def commit(txn: Any) -> None:
        for path, tables in txn._pending.items():
            txn.storage(path).write(tables)
        for path, data in txn._blobs.items():
            fileio.write_atomic(path, data)

    Transaction.commit = commit  # type: ignore[method-assign]
    try:
        yield
    finally:
        Transaction.commit = original  # type: ignore[method-assign]


def time_stock_inserts(
    folder: Path, rows: list[dict[str, Any]], record: dict[str, Any], inserts: int
) -> list[float]:
    path = folder / "stock.json"
    path.write_text(json.dumps({"_default": {str(i + 1): r for i, r in enumerate(rows)}}))
    db = TinyDB(path)
    times = []
    for _ in range(inserts):
        started = time.perf_counter()
        db.insert(dict(record))
        times.append(time.perf_counter() - started)
    db.close()
    return times


def open_and_list(folder: Path) -> dict[str, float]:
    """One fresh process opening `folder` and listing the newest 50: time, then (in a second
    process, as tracing slows it down) the memory allocated by that."""

    def once(traced: bool) -> dict[str, float]:
        out = subprocess.run(
            [sys.executable, "-c", OPEN_AND_LIST, str(folder), "1" if traced else "0"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        result: dict[str, float] = json.loads(out.stdout)
        assert result["shown"] == 50, result
        return result

    timed, traced = once(False), once(True)
    return {"seconds": timed["seconds"], "rss": timed["rss"], "peak": traced["peak"]}


def demo_section(args: argparse.Namespace, work: Path, count: int) -> dict[int, dict[str, float]]:
    """Build demo-data folders, time saves into their busiest shard and an import into the
    largest; print and return the figures (the floor of a save under key 0)."""
    from rating_tui.services import demo

    sizes = args.demo_sizes if args.demo_sizes is not None else args.sizes
    if not sizes:
        return {}
    instrument = demo.builtin_instrument()
    instrument_file = paths.builtin_instruments_dir() / f"{demo.BUILTIN_ID}.toml"
    out: dict[int, dict[str, float]] = {}
    line = ""
    for size in sizes:
        folder = work / f"demo{size}" / "data"
        seconds = build_demo(folder, size)
        month, held = busiest(folder)
        year, number = int(month[:4]), int(month[5:7])
        store = Store.open(folder)
        base = store.list(date_from=date(year, number, 1), date_to=date(year, number, 28))[0]
        line = base.model_dump_json()
        saves, beside = time_saves_beside_floor(folder, instrument_file, base, args.saves)
        out[size] = {"build": seconds, "p50": pct(saves, 0.5), "p95": pct(saves, 0.95)}
        out[size] |= {"beside50": pct(beside, 0.5), "beside95": pct(beside, 0.95)}
        print(
            f"\ndemo-data {size:>7} ratings: built by the console script in {seconds:6.1f} s;"
            f" busiest month {month} ({held} ratings)\n"
            f"  save into it    p50 {out[size]['p50'] * 1e3:7.2f} ms"
            f"   p95 {out[size]['p95'] * 1e3:7.2f} ms   ({args.saves} saves;"
            f" {count_fsyncs(folder, instrument_file, base)})\n"
            f"  append + fsync  p50 {out[size]['beside50'] * 1e3:7.2f} ms"
            f"   p95 {out[size]['beside95'] * 1e3:7.2f} ms   (after each save, same process)"
        )
    floor = time_floor(work / "floor", line, args.saves)
    out[0] = {"p50": pct(floor, 0.5), "p95": pct(floor, 0.95)}
    print(
        f"  append + fsync  p50 {out[0]['p50'] * 1e3:7.2f} ms   p95 {out[0]['p95'] * 1e3:7.2f} ms"
        "   (the floor of a save, timed after the saves)"
    )
    largest = max(sizes)
    rows_of = [
        list(demo.DemoMaker(instrument, count, seed=1000 + n).ratings())
        for n in range(args.import_rounds)
    ]
    folder = work / f"demo{largest}" / "data"
    full, before, empty = import_both(folder, rows_of, {instrument.ref: instrument})
    out[largest] |= {
        "import": statistics.median(full),
        "import_before": statistics.median(before),
        "import_empty": statistics.median(empty),
    }
    print(
        f"  import {count} demo ratings into {largest}: {out[largest]['import']:6.2f} s, before"
        f" transactions {out[largest]['import_before']:6.2f} s, into an empty folder"
        f" {out[largest]['import_empty']:6.2f} s (medians of {args.import_rounds})"
    )
    return out


def demo_checks(demo: dict[int, dict[str, float]]) -> list[tuple[str, float, float]]:
    """The ratios of issue 11 on demo-data folders (target of the demo-data time scaled)."""
    sizes = sorted(s for s in demo if s)
    if not sizes:
        return []
    small, large, floor = sizes[0], sizes[-1], demo[0]
    lo, hi = demo[small], demo[large]
    checks = [
        (f"demo: save p95 at {large} / at {small}", hi["p95"] / lo["p95"], 2.0),
        (f"demo: save p95 at {large} / append+fsync p95", hi["p95"] / floor["p95"], 30.0),
        (
            f"demo: save p95 at {large} / append+fsync p95 beside",
            hi["p95"] / hi["beside95"],
            30.0,
        ),
        (f"demo: import into {large} / into empty", hi["import"] / hi["import_empty"], 1.5),
        (
            f"demo: import into {large}: transaction / before",
            hi["import"] / hi["import_before"],
            1.5,
        ),
    ]
    below = [s for s in sizes if s < large]
    if below:
        ref = max([s for s in below if s <= 100_000] or below)
        checks.append(
            (
                f"demo: demo-data time {large} / {ref}",
                hi["build"] / demo[ref]["build"],
                1.1 * large / ref,
            )
        )
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--per-month", type=int, default=400)
    parser.add_argument("--runs", type=int, default=7, help="open+list runs per size")
    parser.add_argument(
        "--import-count", type=int, help="ratings imported (default: a tenth of the largest size)"
    )
    parser.add_argument("--import-rounds", type=int, default=3)
    parser.add_argument(
        "--demo-sizes", type=int, nargs="*", help="demo-data folders (default: --sizes)"
    )
    parser.add_argument("--instrument", type=Path, default=DEFAULT_INSTRUMENT)
    parser.add_argument("--keep", type=Path, help="build the stores here and keep them")
    args = parser.parse_args()

    instrument = load_instrument(args.instrument).instrument
    base = template(instrument, random.Random(1))
    base_record = base.model_dump(mode="json")
    work = args.keep or Path(tempfile.mkdtemp(prefix="store-bench-"))
    print(
        f"record: {len(json.dumps(base_record))} bytes of JSON; {args.per_month} ratings/month;"
        f" {args.saves} saves per size; folder {work}\n"
    )
    samples: dict[int, dict[str, list[float]]] = {size: {} for size in args.sizes}
    results: dict[int, dict[str, float]] = {}
    stores = {size: work / f"n{size}" / "store" for size in args.sizes}
    try:
        for size in args.sizes:  # 1. build every store
            shutil.rmtree(stores[size].parent, ignore_errors=True)
            rows = records(base_record, size, args.per_month, seed=size)
            started = time.perf_counter()
            build_store(stores[size], instrument, rows)
            print(f"built {size:>7} ratings in {time.perf_counter() - started:4.1f} s")
        for _ in range(args.runs):  # 2. open + list, sizes taking turns (same machine state)
            for size in args.sizes:
                for key, value in open_and_list(stores[size]).items():
                    samples[size].setdefault(key, []).append(value)
        for size in args.sizes:  # 3. saves, then stock TinyDB inserts into as many records
            r = results[size] = {k: statistics.median(v) for k, v in samples[size].items()}
            saves = time_saves(stores[size], args.instrument, base, args.saves)
            rows = records(base_record, size, args.per_month, seed=size)
            inserts = {1000: 30, 10_000: 10}.get(size, 5)
            stock = time_stock_inserts(stores[size].parent, rows, base_record, inserts)
            del rows
            r |= {"p50": pct(saves, 0.5), "p95": pct(saves, 0.95)}
            r["stock"] = statistics.median(stock)
            print(
                f"\n{size:>7} ratings\n"
                f"  our save        p50 {r['p50'] * 1e3:7.2f} ms   p95 {r['p95'] * 1e3:7.2f} ms"
                f"   ({args.saves} saves)\n"
                f"  stock TinyDB    median insert {r['stock'] * 1e3:8.1f} ms"
                f"   ({inserts} inserts)\n"
                f"  open + list 50  {r['seconds'] * 1e3:7.1f} ms (median of {args.runs})"
                f"   tracemalloc peak {r['peak'] / 2**20:5.2f} MiB"
                f"   peak RSS {r['rss'] / 2**20:5.1f} MiB"
            )
        largest = max(args.sizes)  # 4. import into the largest store and into an empty one
        count = args.import_count or max(1, largest // 10)
        full, before, empty = time_imports(
            stores[largest], instrument, base, count, args.import_rounds
        )
        results[largest] |= {"import": statistics.median(full)}
        results[largest] |= {"import_before": statistics.median(before)}
        results[largest] |= {"import_empty": statistics.median(empty)}
        print(
            f"\n  import {count} into {largest}: {results[largest]['import']:6.2f} s, before"
            f" transactions {results[largest]['import_before']:6.2f} s, into an empty folder"
            f" {results[largest]['import_empty']:6.2f} s (medians of {args.import_rounds})"
        )
        for size in args.sizes:  # free the space before the demo folders
            shutil.rmtree(stores[size].parent, ignore_errors=True)
        demo = demo_section(args, work, count)  # 5. the same on demo-data folders
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    small, large = min(results), max(results)
    lo, hi = results[small], results[large]
    checks = [
        (f"our p95 at {large} / stock median at {large}", hi["p95"] / hi["stock"], 1 / 50),
        (f"our p95 at {large} / our p95 at {small}", hi["p95"] / lo["p95"], 2.0),
        (f"open+list time {large} / {small}", hi["seconds"] / lo["seconds"], 2.0),
        (f"open+list peak memory {large} / {small}", hi["peak"] / lo["peak"], 1.5),
        (f"open+list peak RSS {large} / {small}", hi["rss"] / lo["rss"], 1.5),
        (f"import into {large} / into empty", hi["import"] / hi["import_empty"], 1.5),
        (f"import into {large}: transaction / before", hi["import"] / hi["import_before"], 1.5),
        *demo_checks(demo),
    ]
    print("\nratios (target)")
    for name, value, target in checks:
        verdict = "ok" if value <= target else "MISSED"
        print(f"  {name:<50} {value:8.4f}   (<= {target:.4f})  {verdict}")


if __name__ == "__main__":
    main()
