"""Saves into the busiest month of `demo-data` folders, this code beside another version of
it, in one run: what a save costs at each size, and what a change of the store changed.

    python benchmarks/save_bench.py --folder 1000=DIR --folder 1000000=DIR [--demo SIZE]
                                    [--saves 100] [--rounds 2] [--against SRC]

For each `--folder SIZE=DIR` (a folder made by `rating-tui demo-data`; `--demo SIZE` makes
one with the console script), a copy per version
is measured, the disk synced after copying (the saves must not wait behind the copy's
writeback); each round runs one process per version, turns alternating, `--saves` new final
ratings saved into the busiest month (as `scale_bench.py`'s saves), each followed in the same
process by the floor: an append + fsync of the rating's JSON to a file beside the folder. It
prints per size and version: save p50/p95/p99, the floor's p50/p95, CPU per save (fsyncs
included), and the events of a save (fsyncs, bytes written: counted through `fileio`'s
aliases); and after every round, the floor again in a process of its own (`store_bench`'s
"floor timed apart", the figure of issue 11's target), with both ratios per version. With
`--against SRC` (a source folder holding another `rating_tui`, e.g. `git
archive REV rating_tui | tar -x -C SRC`, put first on PYTHONPATH), that version runs beside
this one. Targets (#11): save p95 at the largest size <= 2x at the smallest; save p95 <= 30x
the floor's p95.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from saves import pct, time_floor

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import json, os, sys, time, uuid
from pathlib import Path
from rating_tui.store import fileio
from rating_tui.store.api import Store
folder, saves = Path(sys.argv[1]), int(sys.argv[2])
files = [p for p in (folder / "ratings").rglob("*.json") if p.is_file()]
busiest = max(files, key=lambda p: p.stat().st_size)
records = json.loads(busiest.read_bytes())["ratings"]
store = Store.open(folder)
model = store.get(next(r["id"] for r in records.values() if r["status"] == "final"))
instrument = store.kept_instrument(model.instrument.hash)
events = {"fsyncs": 0, "bytes": 0}
real_fsync, real_write = fileio._fsync, fileio._write
def fsync(fd):
    events["fsyncs"] += 1
    real_fsync(fd)
def write(fd, data):
    events["bytes"] += len(data)
    return real_write(fd, data)
fileio._fsync, fileio._write = fsync, write
real_pwrite = getattr(fileio, "_pwrite", None)  # (in-place writes, since issue 11's 3rd round)
if real_pwrite is not None:
    def pwrite(fd, data, offset):
        events["bytes"] += len(data)
        return real_pwrite(fd, data, offset)
    fileio._pwrite = pwrite
"""
"""A child process's start (also scale_bench's): the busiest month file of the folder in
argv[1], a final rating of it as the model of the saves, the fsyncs and bytes counted."""

SAVES = (
    SETUP
    + """
floor_file = sys.argv[3]
out = {"wall": [], "cpu": [], "fsyncs": [], "bytes": [], "floor": []}
fd = os.open(floor_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
for _ in range(saves):
    draft = model.replace(id=str(uuid.uuid4()), status="draft", revisions=[])
    events["fsyncs"] = events["bytes"] = 0
    started, cpu = time.perf_counter(), time.process_time()
    store.finalise(draft, instrument)
    out["wall"].append(time.perf_counter() - started)
    out["cpu"].append(time.process_time() - cpu)
    out["fsyncs"].append(events["fsyncs"])
    out["bytes"].append(events["bytes"])
    line = draft.model_dump_json().encode() + b"\\n"
    started = time.perf_counter()
    os.write(fd, line)
    real_fsync(fd)
    out["floor"].append(time.perf_counter() - started)
print(json.dumps(out))
"""
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", action="append", default=[], metavar="SIZE=DIR")
    parser.add_argument(
        "--demo", type=int, action="append", default=[], metavar="SIZE", help="make one"
    )
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--against", metavar="SRC", help="another rating_tui source folder")
    args = parser.parse_args()
    folders = {int(s): Path(d) for s, _, d in (f.partition("=") for f in args.folder)}
    if not folders and not args.demo:
        parser.error("give --folder SIZE=DIR or --demo SIZE")
    versions = {"this": str(ROOT)} | ({"against": args.against} if args.against else {})
    found: dict[tuple[int, str], dict[str, list[float]]] = {}
    floors: dict[int, list[float]] = {}
    """Per size, the floor timed apart after each round."""
    with tempfile.TemporaryDirectory(prefix="save-bench-") as tmp:
        work = Path(tmp)
        script = Path(sys.executable).with_name("rating-tui")
        for size in args.demo:  # made by the console script, as a user would
            folders[size] = work / f"demo{size}"
            made = [str(script), "demo-data", "--count", str(size), "--data", str(folders[size])]
            subprocess.run(made, check=True, capture_output=True)
        for size, source in sorted(folders.items()):
            copies = {v: work / f"{size}-{v}" for v in versions}
            for copy in copies.values():
                shutil.copytree(source, copy, symlinks=True)
            os.sync()
            for turn in range(args.rounds):
                order = list(versions) if turn % 2 == 0 else list(reversed(versions))
                for version in order:
                    env = {**os.environ, "PYTHONPATH": versions[version]}
                    floor = work / f"{size}-{version}.floor"
                    argv = [sys.executable, "-c", SAVES, str(copies[version]), str(args.saves)]
                    done = subprocess.run(  # (cwd: `-c` puts it first on sys.path)
                        [*argv, str(floor)],
                        capture_output=True,
                        text=True,
                        env=env,
                        check=True,
                        cwd=versions[version],
                    )
                    sample = found.setdefault((size, version), {})
                    for key, values in json.loads(done.stdout).items():
                        sample.setdefault(key, []).extend(values)
                # The floor timed apart: an append + fsync of about a rating's size, alone.
                apart = time_floor(work / f"{size}.apart", "x" * 1200, args.saves)
                floors.setdefault(size, []).extend(apart)
            for copy in copies.values():
                shutil.rmtree(copy)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for (size, version), d in sorted(found.items()):
        print(
            f"{size:>9,} {version:>7}: save p50 {pct(d['wall'], 0.5) * 1e3:6.2f}"
            f" p95 {pct(d['wall'], 0.95) * 1e3:6.2f} p99 {pct(d['wall'], 0.99) * 1e3:6.2f} ms;"
            f" floor p50 {pct(d['floor'], 0.5) * 1e3:5.2f} p95 {pct(d['floor'], 0.95) * 1e3:5.2f}"
            f" ms; CPU p50 {pct(d['cpu'], 0.5) * 1e3:5.2f} ms; fsyncs"
            f" {sum(d['fsyncs']) / len(d['fsyncs']):.2f} (max {max(d['fsyncs']):.0f}); written"
            f" {sum(d['bytes']) / len(d['bytes']) / 1e3:6.1f} kB (p95"
            f" {pct(d['bytes'], 0.95) / 1e3:6.1f}, max {max(d['bytes']) / 1e3:6.1f}) a save"
            f" ({len(d['wall'])} saves)"
        )
    for size, times in sorted(floors.items()):
        print(
            f"{size:>9,}   floor timed apart: p50 {pct(times, 0.5) * 1e3:5.2f}"
            f" p95 {pct(times, 0.95) * 1e3:5.2f} ms ({len(times)} appends + fsyncs)"
        )
    print("\nratios (target)")
    small, large = min(folders), max(folders)
    for version in versions:
        lo, hi = found[(small, version)], found[(large, version)]
        checks = [
            (f"{version}: save p95 {large:,} / {small:,}", pct(hi["wall"], 0.95), lo["wall"], 2),
            (f"{version}: save p95 {large:,} / floor p95", pct(hi["wall"], 0.95), hi["floor"], 30),
            (f"{version}: save p95 {small:,} / floor p95", pct(lo["wall"], 0.95), lo["floor"], 30),
            (f"{version}: save p95 {large:,} / apart", pct(hi["wall"], 0.95), floors[large], 30),
        ]
        for name, value, base, target in checks:
            ratio = value / pct(base, 0.95)
            verdict = "ok" if ratio <= target else "MISSED"
            print(f"  {name:<40} {ratio:7.2f}   (<= {target})  {verdict}")


if __name__ == "__main__":
    main()
