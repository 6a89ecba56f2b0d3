"""Encryption benchmark (issue 16): an encrypted folder next to the same plain folder.

    python benchmarks/crypto_bench.py [--size 100000] [--saves 100] [--runs 3]
                                      [--per-month 400] [--demo-size N]

Two data sets, each a plain folder and an encrypted copy of it:
- **demo-data**: `rating-tui demo-data -n N` (the console script; dyads over months, drafts,
  edits, voids, the roster), encrypted with `rating-tui encrypt`; its exports are timed as
  the console script `rating-tui export -o out.csv` run from start to exit (so loading the
  program, `cryptography` and the key derivation are in the encrypted time);
- **the bench's own**: `--size` ratings built in bulk (store_bench's generator, 400 a month),
  encrypted with `rating-tui encrypt`'s code (the default scrypt cost).

Each is measured side by side in one run, alternating plain and encrypted rounds so that load
from other work falls on both:
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
import subprocess
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
    parser.add_argument(
        "--demo-size", type=int, help="ratings of the demo-data set (default: --size; 0: skip)"
    )
    args = parser.parse_args()
    demo_size = args.size if args.demo_size is None else args.demo_size
    if demo_size:
        demo_data(demo_size, args.saves, args.runs)
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
    print(
        f"the bench's own set, {args.size:,} ratings stored; {len(saves['plain'])} saves per folder"
    )
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


def console(*args: str, passphrase: str | None = None) -> float:
    """Seconds the console script `rating-tui ARGS` takes from start to exit."""
    script = Path(sys.executable).with_name("rating-tui")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "rating_tui"]
    env = {k: v for k, v in os.environ.items() if k != ENV}
    if passphrase:
        env[ENV] = env["RATING_TUI_NEW_PASSPHRASE"] = passphrase
    started = time.perf_counter()
    done = subprocess.run([*command, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"rating-tui {' '.join(args)} failed:\n{done.stderr}")
    return elapsed


def demo_data(size: int, saves: int, runs: int) -> None:
    """The console scripts on `rating-tui demo-data` folders (see the module docstring)."""
    from rating_tui.services.demo import builtin_instrument

    instrument = builtin_instrument()
    instrument_file = ROOT / "instruments" / f"{instrument.id}.toml"
    work = Path(tempfile.mkdtemp(prefix="crypto-bench-demo-"))
    try:
        plain, sealed = work / "plain" / "data", work / "sealed" / "data"
        made = console("demo-data", "-n", str(size), "--data", str(plain))
        from rating_tui.store import Store

        base = Store.open(plain).list(limit=1)[0]  # a final rating of the built-in instrument
        shutil.copytree(plain, sealed)
        converted = console("encrypt", "--data", str(sealed), passphrase=SECRET)
        exports: dict[str, list[float]] = {"plain": [], "sealed": []}
        times: dict[str, list[float]] = {"plain": [], "sealed": []}
        same = None
        for _ in range(runs):
            for kind, folder in (("plain", plain), ("sealed", sealed)):
                secret = SECRET if kind == "sealed" else None
                out = folder.parent / "out.csv"
                exports[kind].append(
                    console("export", "-o", str(out), "--data", str(folder), passphrase=secret)
                )
            if same is None:  # before any save (the saves add different ratings to each)
                same = (plain.parent / "out.csv").read_bytes() == (
                    sealed.parent / "out.csv"
                ).read_bytes()
            for kind, folder in (("plain", plain), ("sealed", sealed)):
                if kind == "sealed":
                    os.environ[ENV] = SECRET
                times[kind] += store_bench.time_saves(
                    folder, instrument_file, base, max(1, saves // runs)
                )
                os.environ.pop(ENV, None)
    finally:
        os.environ.pop(ENV, None)
        shutil.rmtree(work, ignore_errors=True)
    p95 = {k: store_bench.pct(v, 0.95) * 1000 for k, v in times.items()}
    med = {k: statistics.median(v) for k, v in exports.items()}
    print(
        f"demo-data, {size:,} ratings (`rating-tui demo-data`: {made:.1f} s; `encrypt`: "
        f"{converted:.1f} s)"
    )
    print(
        f"  save p95 (a fresh process, {len(times['plain'])} saves per folder): plain "
        f"{p95['plain']:.1f} ms, encrypted {p95['sealed']:.1f} ms: "
        f"{p95['sealed'] / p95['plain']:.2f}x (target ≤ 1.5x)"
    )
    print(
        f"  `rating-tui export` (wide CSV, start to exit, median of {runs}): plain "
        f"{med['plain']:.2f} s, encrypted {med['sealed']:.2f} s: "
        f"{med['sealed'] / med['plain']:.2f}x (target ≤ 1.3x); the two exports "
        f"{'are identical' if same else 'DIFFER'}"
    )


if __name__ == "__main__":
    main()
