"""Encryption benchmark (issue 16): an encrypted folder next to the same plain folder.

    python benchmarks/crypto_bench.py [--size 100000] [--saves 100] [--runs 3]
                                      [--per-month 400]

Builds one store of `--size` ratings in bulk (store_bench's generator, 400 a month), copies
it and encrypts the copy with `rating-tui encrypt`'s code (the default scrypt cost), then
measures side by side in one run, alternating plain and encrypted rounds so that load from
other work falls on both:
- save latency (`Store.finalise` of a new rating in a fresh process, the store already open:
  lock, checks, AES-GCM of the month, index and manifest, audit line, fsyncs) p50/p95;
- a wide CSV export: `rating-tui export` as a whole process, median of `--runs`;
- one key derivation (scrypt with the default parameters), which opening an encrypted folder
  costs once, median of 5; opening the store and listing the 50 newest in a fresh process
  (what the app does at start); and the time the conversion took.
Prints the ratios against issue 16's targets: save p95 at most 1.5x, export at most 1.3x.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import export_bench  # noqa: E402
import store_bench  # noqa: E402

from rating_tui.instruments.loader import load_instrument  # noqa: E402
from rating_tui.passphrase import ENV  # noqa: E402
from rating_tui.store import crypto  # noqa: E402
from rating_tui.store.convert import encrypt_folder  # noqa: E402

SECRET = "benchmark passphrase"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-month", type=int, default=400)
    parser.add_argument("--instrument", type=Path, default=store_bench.DEFAULT_INSTRUMENT)
    args = parser.parse_args()
    instrument = load_instrument(args.instrument).instrument
    base = store_bench.template(instrument, random.Random(1))
    work = Path(tempfile.mkdtemp(prefix="crypto-bench-"))
    try:
        plain = work / "plain" / "store"
        sealed = work / "sealed" / "store"
        rows = store_bench.records(base.model_dump(mode="json"), args.size, args.per_month, 1)
        store_bench.build_store(plain, instrument, rows)
        del rows
        shutil.copytree(plain, sealed)
        started = time.perf_counter()
        done = encrypt_folder(sealed, SECRET)
        converted = time.perf_counter() - started
        kdf = crypto.new_kdf()
        derive = []
        for _ in range(5):
            started = time.perf_counter()
            crypto.derive(SECRET, kdf)
            derive.append(time.perf_counter() - started)
        opens: dict[str, list[float]] = {"plain": [], "sealed": []}
        saves: dict[str, list[float]] = {"plain": [], "sealed": []}
        exports: dict[str, list[float]] = {"plain": [], "sealed": []}
        per_round = max(1, args.saves // args.runs)
        for _ in range(args.runs):
            for kind, folder in (("plain", plain), ("sealed", sealed)):
                if kind == "sealed":
                    os.environ[ENV] = SECRET
                else:
                    os.environ.pop(ENV, None)
                saves[kind] += store_bench.time_saves(folder, args.instrument, base, per_round)
                exports[kind].append(export_bench.export_seconds(folder))
                opens[kind].append(store_bench.open_and_list(folder)["seconds"])
        os.environ.pop(ENV, None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    p95 = {k: store_bench.pct(v, 0.95) * 1000 for k, v in saves.items()}
    p50 = {k: store_bench.pct(v, 0.5) * 1000 for k, v in saves.items()}
    med = {k: statistics.median(v) for k, v in exports.items()}
    print(f"{args.size:,} ratings stored; {len(saves['plain'])} saves per folder")
    print(f"  encrypting the folder: {done.files} files in {converted:.2f} s")
    print(
        f"  key derivation (scrypt n={kdf['n']}, r={kdf['r']}, p={kdf['p']}): "
        f"{statistics.median(derive) * 1000:.0f} ms (median of 5; target under 1 s)"
    )
    print(
        f"  save p50/p95: plain {p50['plain']:.1f} / {p95['plain']:.1f} ms, encrypted "
        f"{p50['sealed']:.1f} / {p95['sealed']:.1f} ms"
    )
    print(f"  save p95 ratio encrypted/plain: {p95['sealed'] / p95['plain']:.2f}x (target ≤ 1.5x)")
    op = {k: statistics.median(v) for k, v in opens.items()}
    print(
        f"  open + list 50 newest (a fresh process): plain {op['plain'] * 1000:.0f} ms, "
        f"encrypted {op['sealed'] * 1000:.0f} ms (one key derivation and loading the library)"
    )
    print(f"  export (wide CSV): plain {med['plain']:.2f} s, encrypted {med['sealed']:.2f} s")
    print(f"  export ratio encrypted/plain: {med['sealed'] / med['plain']:.2f}x (target ≤ 1.3x)")


if __name__ == "__main__":
    main()
