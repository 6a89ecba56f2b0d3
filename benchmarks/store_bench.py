"""Store benchmark: our sharded store next to stock TinyDB, at 1k, 10k and 100k ratings.

    python benchmarks/store_bench.py [--sizes 1000 10000 100000] [--saves 200]
                                     [--per-month 400] [--instrument FILE] [--keep DIR]

Measures, in one run on this machine:
- save latency (`Store.finalise` of a new rating, lock + checks + fsyncs included) p50/p95
  with N ratings already stored, next to stock TinyDB's JSONStorage inserting the same record
  into a file of N records (a few inserts only at 100k: each rewrites the whole file);
- opening the store and listing the 50 most recent ratings, in a fresh process (imports not
  counted), median of several runs, and the peak memory that allocates (tracemalloc) plus the
  process's peak RSS;
- `Store.import_ratings` of `--import-count` new ratings into a copy of the largest store, as
  one transaction (journal, staged files, manifest), next to the code path the store used
  before transactions (`import_without_transaction`: index files, then months, each replaced
  on its own), on two copies of the same folder;
and prints the ratios issues 3 and 10 set as targets.

The data sets are written in bulk straight through the storage layer (one write per month
file and index file) rather than by N saves. Ratings are spread at a constant `--per-month`
(a program whose clinicians rate 400 sessions a month), newest month first, so a larger store
is a store that has been used for longer, which is how a store grows. A save rewrites one
month's file, so its cost follows the monthly volume, not N: try `--per-month 2000` to see a
busier program.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tinydb import TinyDB  # noqa: E402

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


def import_without_transaction(store: Store, instrument: Instrument, rows: list[Any]) -> None:
    """The import as the store wrote it before issue 10, kept to compare against: every
    check the same, then each index file and each month replaced on its own (no journal, no
    manifest), so a crash or a full disk part way left part of the import stored."""
    from rating_tui.store.layout import INDEX_TABLE, RATINGS_TABLE

    engine: Engine = store._engine
    with engine.locked(write=True):
        txn = engine.transaction()
        roles = engine.admit(txn, instrument, content_hash(instrument))
        txn.commit()
        found = engine.locate_many([r.id for r in rows])
        assert not found
        buckets: dict[Path, dict[str, Any]] = {}
        shards: dict[str, dict[str, Any]] = {}
        for rating in rows:
            shard = shard_name(rating.session.get(roles["session_date"] or ""))
            buckets.setdefault(engine.layout.bucket(rating.id), {})[rating.id] = {"shard": shard}
            shards.setdefault(shard, {})[rating.id] = rating.model_dump(mode="json")
        for bucket, entries in buckets.items():
            engine.files.change(bucket, INDEX_TABLE, lambda r, e=entries: r.update(e))
        for shard, records in shards.items():
            path = engine.layout.shard(shard)
            engine.files.change(path, RATINGS_TABLE, lambda r, e=records: r.update(e))


def time_imports(
    folder: Path, instrument: Instrument, base: Rating, count: int, rounds: int
) -> tuple[list[float], list[float]]:
    """Seconds to import `count` new ratings into copies of `folder`: (transaction, before)."""
    from rating_tui.store.records import check_rating

    rng = random.Random(count)
    ours: list[float] = []
    before: list[float] = []
    for n in range(rounds):
        rows = [
            base.replace(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                session=base.session | {"session_date": f"2025-{1 + k % 12:02d}-{1 + k % 28:02d}"},
            )
            for k in range(count)
        ]
        for which, timings in (("ours", ours), ("before", before)):
            copy = folder.parent / f"import-{which}-{n}"
            shutil.copytree(folder, copy)
            store = Store.open(copy)
            started = time.perf_counter()
            if which == "ours":
                store.import_ratings(rows, {instrument.ref: instrument})
            else:
                for rating in rows:  # the same validation as import_ratings does
                    check_rating(rating, rating.id, instrument, content_hash(instrument))
                import_without_transaction(store, instrument, rows)
            timings.append(time.perf_counter() - started)
            shutil.rmtree(copy)
    return ours, before


SAVES = """
import json, sys, time, uuid
from pathlib import Path
from rating_tui.instruments.loader import load_instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store
folder, instrument_file, base_file, count = sys.argv[1:]
instrument = load_instrument(Path(instrument_file)).instrument
base = Rating.model_validate_json(Path(base_file).read_text())
store = Store.open(Path(folder))
times = []
for n in range(int(count)):
    rating = base.replace(id=str(uuid.uuid4()), notes=f"{base.notes} {n}")
    started = time.perf_counter()
    store.finalise(rating, instrument)
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def time_saves(folder: Path, instrument_file: Path, base: Rating, count: int) -> list[float]:
    """Save latencies measured in a fresh process, as in the app (not in this one, whose
    100k generated records would make every garbage collection slow)."""
    base_file = folder.parent / "base.json"
    base_file.write_text(base.model_dump_json())
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            SAVES,
            str(folder),
            str(instrument_file),
            str(base_file),
            str(count),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    times: list[float] = json.loads(out.stdout)
    return times


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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


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
        largest = max(args.sizes)  # 4. import into the largest store, both ways
        count = args.import_count or max(1, largest // 10)
        ours, before = time_imports(stores[largest], instrument, base, count, args.import_rounds)
        results[largest] |= {"import": statistics.median(ours)}
        results[largest] |= {"import_before": statistics.median(before)}
        print(
            f"\n  import {count} into {largest}: transaction "
            f"{results[largest]['import']:6.2f} s, before transactions "
            f"{results[largest]['import_before']:6.2f} s (medians of {args.import_rounds})"
        )
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
        (f"import into {large}: transaction / before", hi["import"] / hi["import_before"], 1.5),
    ]
    print("\nratios (target)")
    for name, value, target in checks:
        verdict = "ok" if value <= target else "MISSED"
        print(f"  {name:<42} {value:8.4f}   (<= {target:.4f})  {verdict}")


if __name__ == "__main__":
    main()
