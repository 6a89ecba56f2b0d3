"""Store-level import of a whole set as one transaction: a batch at a time
(`Store.import_batches`, which spills each batch to staged files) next to the whole set at
once (`Store.import_ratings` of a list, the path before), into an empty folder.

    python benchmarks/batches_bench.py [--counts 100000 300000] [--batch 10000]
                                       [--modes batches whole floor] [--keep DIR]

Each run is a process of its own (this script with `--child`), timed whole, its peak RSS
taken from the kernel (`wait4`). The ratings are demo-data's (`DemoMaker`, seed 1), made as
they are consumed; `floor` only makes them (what the generator itself costs, its plan of
sessions included), so what the store adds is the difference. Prints seconds, MiB and the
ratios batches/whole and batches(largest)/batches(smallest), with issue 11's targets.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

HERE = Path(__file__).resolve()


def child(mode: str, count: int, batch: int, folder: Path) -> None:
    from rating_tui.services.demo import DemoMaker, builtin_instrument
    from rating_tui.store import Store

    instrument = builtin_instrument()
    known = {instrument.ref: instrument}
    ratings = DemoMaker(instrument, count, 1).ratings()
    if mode == "floor":
        made = sum(1 for _ in ratings)
        print(made)
        return
    store = Store.open(folder)
    if mode == "whole":
        result = store.import_ratings(list(ratings), known)
    else:
        batches = iter(lambda: list(islice(ratings, batch)), [])
        result = store.import_batches(batches, known)
    print(result.added)


def run(mode: str, count: int, batch: int, folder: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, what the child printed) of one child process."""
    command = [sys.executable, str(HERE), "--child", mode, str(count), str(batch), str(folder)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    out = process.stdout.read().strip() if process.stdout else ""
    if status:
        raise SystemExit(f"{mode} {count} failed ({status})")
    return seconds, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--modes", nargs="+", default=["batches", "whole", "floor"])
    parser.add_argument("--keep", type=Path, help="folder for the data (else a temp folder)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, count, batch, folder = args.child
        child(mode, int(count), int(batch), Path(folder))
        return
    base = args.keep or Path(tempfile.mkdtemp(prefix="batches_bench."))
    results: dict[tuple[str, int], tuple[float, float]] = {}
    for count in args.counts:
        for mode in args.modes:
            folder = base / f"{mode}-{count}"
            shutil.rmtree(folder, ignore_errors=True)
            seconds, mib, out = run(mode, count, args.batch, folder)
            results[mode, count] = (seconds, mib)
            print(f"{mode:8} {count:>9,}: {seconds:8.1f} s {mib:8.1f} MiB  ({out})", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    for count in args.counts:
        if ("batches", count) in results and ("whole", count) in results:
            (tb, mb), (tw, mw) = results["batches", count], results["whole", count]
            print(f"batches/whole at {count:,}: time {tb / tw:.2f}x, memory {mb / mw:.2f}x")
    small, large = min(args.counts), max(args.counts)
    if large > small and ("batches", small) in results and ("batches", large) in results:
        (ts, ms), (tl, ml) = results["batches", small], results["batches", large]
        scaled = 1.1 * large / small  # (issue 11: 11x for 10 times the ratings)
        print(
            f"batches {large:,}/{small:,}: time {tl / ts:.2f}x (target ≤ {scaled:.2f}x), "
            f"memory {ml / ms:.2f}x (target: in proportion to the batch, not the count)"
        )
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
