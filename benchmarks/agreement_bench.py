"""Agreement benchmark: the `rating-tui agreement` console script next to `rating-tui export`
on the same data folder, time and peak memory, on two data sets.

    python benchmarks/agreement_bench.py [--ratings 100000] [--runs 3] [--per-month 400]
                                         [--raters 8] [--demo-count N] [--keep DIR]
                                         [--baseline SRC] [--folder DIR ...]

1. The benchmark's own set-up: one data folder of final ratings of the store benchmark's
   sample instrument, sessions each rated by 2 to 5 raters (drawn from `--raters`), values
   that agree more than chance (a true score per session plus rater noise, some items coded
   not observed), until `--ratings` ratings exist (100,000 ratings: about 28,500 sessions).
2. `rating-tui demo-data --count N` (N = `--demo-count`, default `--ratings`): many raters,
   most sessions rated once, some by two or three, as a real program's reliability subsample.

On each, runs as a researcher would, each in a fresh process (the installed console script,
start-up included; median of `--runs`, taking turns):

    rating-tui export --data FOLDER -o out.csv
    rating-tui agreement --data FOLDER --csv agreement.csv

and prints both times, both peak memories (the max RSS of the largest process of the command:
`agreement` reads in a forked child, so the memory both hold at once, the Pss summed over
the process tree, is measured apart, docs/agreement.md) and the ratios; the targets
(issue 12) are at most 1.5x the export's time and peak memory. `--baseline SRC` also runs
`agreement` with another copy of the source tree first on the import path (an earlier
commit, unpacked), taking turns with the others, so that before and after are measured side by
side. `--folder DIR` (repeatable) measures existing data folders instead of building the two
set-ups (a copy: opening a folder may settle its journal); `--instruments` then applies to all.
The benchmark's own store is written in bulk through the storage layer
(store_bench.build_store), as in the other benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
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
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import store_bench  # noqa: E402

from rating_tui.instruments.loader import load_instrument  # noqa: E402


def sessions(
    base: dict[str, Any], count: int, raters: int, per_month: int, seed: int
) -> list[dict[str, Any]]:
    """About `count` rating records: sessions rated by 2-5 of `raters` raters each."""
    rng = random.Random(seed)
    pool = [f"R{n:02d}" for n in range(raters)]
    out: list[dict[str, Any]] = []
    number = 0
    while len(out) < count:
        month_back = len(out) // per_month
        first = date(store_bench.TODAY.year, store_bench.TODAY.month, 1)
        for _ in range(month_back):
            first = (first - timedelta(days=1)).replace(day=1)
        day = first + timedelta(days=rng.randrange(28))
        number += 1
        true = {k: rng.gauss(2, 1.2) for k in ("narration", "processing", "past_present")}
        alliance, held = rng.gauss(6, 2), rng.random() < 0.6
        for rater in rng.sample(pool, min(len(pool), rng.randint(2, 5))):
            record = json.loads(json.dumps(base))
            record["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            record["rater"] = rater
            record["session"] |= {"dyad": f"D{number % 997:03d}", "rater": rater}
            record["session"] |= {"session_date": day.isoformat(), "session_number": number}
            answers = record["answers"]
            for key, score in true.items():
                value = min(4, max(0, round(score + rng.gauss(0, 0.7))))
                coded = rng.random() < 0.05
                answers[key] = {"missing": "not_observed"} if coded else {"value": value}
            step = round((alliance + rng.gauss(0, 1)) * 2) / 2
            answers["alliance"] = {"value": min(10.0, max(0.0, step))}
            answers["baby_present"] = {"value": int(held if rng.random() < 0.9 else not held)}
            made = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=18)
            record["created"] = record["updated"] = made.isoformat(timespec="microseconds")
            out.append(record)
    return out[:count]


def console_script() -> list[str]:
    """The installed `rating-tui` console script next to this Python, else the same entry
    point run by this Python."""
    script = Path(sys.executable).with_name("rating-tui")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from rating_tui.cli import main; main()"]


MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - started
sys.stderr.write(done.stderr.decode(errors="replace")[-2000:] if done.returncode else "")
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(elapsed, used.ru_maxrss, used.ru_utime + used.ru_stime)
sys.exit(done.returncode)
"""
"""Runs a command and prints its wall-clock seconds, peak RSS (KiB) and CPU seconds (user +
system: less moved than the wall clock by other work on a shared machine). A small process
of its own, because a child forked from this benchmark, which holds the records it built,
would count them in its peak memory."""


def timed(argv: list[str], source: Path | None = None) -> tuple[float, float, float]:
    """Wall-clock seconds, peak memory (MiB, max RSS) and CPU seconds of one command in a
    fresh process (with `source` first on its import path, when given)."""
    env = None if source is None else {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *argv], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    elapsed, peak, cpu = done.stdout.split()[-3:]
    return float(elapsed), int(peak) / 1024, float(cpu)


def compare(
    name: str,
    cli: list[str],
    folder: Path,
    work: Path,
    runs: int,
    baseline: Path | None = None,
) -> tuple[float, float]:
    """Export and agreement of `folder` (and the baseline's agreement), taking turns; prints
    and returns both ratios."""
    export = [*cli, "export", "--data", str(folder), "-o", str(work / "out.csv")]
    agree = [*cli, "agreement", "--data", str(folder), "--csv", str(work / "agreement.csv")]
    before = [*cli, "agreement", "--data", str(folder), "--csv", str(work / "baseline.csv")]
    commands = [("export", export, None), ("agreement", agree, None)]
    if baseline is not None:
        commands.append(("baseline", before, baseline))
    times: dict[str, list[float]] = {key: [] for key, _, _ in commands}
    peaks: dict[str, list[float]] = {key: [] for key, _, _ in commands}
    cpus: dict[str, list[float]] = {key: [] for key, _, _ in commands}
    for run in range(runs):  # taking turns, so all see the same machine state
        shift = run % len(commands)  # each in a new place in the order each round
        for key, argv, source in commands[shift:] + commands[:shift]:
            seconds, peak, cpu = timed(argv, source)
            times[key].append(seconds)
            peaks[key].append(peak)
            cpus[key].append(cpu)
    c = {key: statistics.median(values) for key, values in cpus.items()}
    exported = sum(1 for _ in (work / "out.csv").open()) - 1
    figures = sum(1 for _ in (work / "agreement.csv").open()) - 1
    e, a = (statistics.median(times[k]) for k in ("export", "agreement"))
    me, ma = (max(peaks[k]) for k in ("export", "agreement"))
    print(f"\n{name}  (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    runs_e, runs_a = _runs(times["export"]), _runs(times["agreement"])
    print(
        f"  export to CSV  {e:6.2f} s  {me:6.0f} MiB  CPU {c['export']:5.2f} s  "
        f"({exported} rows; runs: {runs_e})"
    )
    print(
        f"  agreement      {a:6.2f} s  {ma:6.0f} MiB  CPU {c['agreement']:5.2f} s  "
        f"({figures} figures; runs: {runs_a}); CPU ratio {c['agreement'] / c['export']:.2f}x"
    )
    if baseline is not None:
        b, mb = statistics.median(times["baseline"]), max(peaks["baseline"])
        same = (work / "baseline.csv").read_bytes() == (work / "agreement.csv").read_bytes()
        print(
            f"  baseline       {b:6.2f} s  {mb:6.0f} MiB  CPU {c['baseline']:5.2f} s  "
            f"(runs: {_runs(times['baseline'])}; ratios to the export {b / e:.2f}x, "
            f"{mb / me:.2f}x, CPU {c['baseline'] / c['export']:.2f}x; CSV "
            f"{'byte-identical' if same else 'DIFFERS'})"
        )
    for label, ratio in (("time", a / e), ("peak memory", ma / me)):
        verdict = "ok" if ratio <= 1.5 else "MISSED"
        print(
            f"  ratio agreement / export, {label:<11}  {ratio:.2f}x   (target <= 1.50)  {verdict}"
        )
    return a / e, ma / me


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-month", type=int, default=400)
    parser.add_argument("--raters", type=int, default=8)
    parser.add_argument("--demo-count", type=int, help="demo-data ratings (default: --ratings)")
    parser.add_argument("--keep", type=Path, help="build the data folders here and keep them")
    parser.add_argument("--baseline", type=Path, help="a source tree to compare with")
    parser.add_argument("--folder", type=Path, action="append", help="an existing data folder")
    parser.add_argument("--instruments", type=Path, help="instruments folder for --folder")
    args = parser.parse_args()
    if args.folder:
        existing(args)
        return

    instrument = load_instrument(store_bench.DEFAULT_INSTRUMENT).instrument
    base = store_bench.template(instrument, random.Random(1)).model_dump(mode="json")
    work = args.keep or Path(tempfile.mkdtemp(prefix="agreement-bench-"))
    folder, instruments, demo = work / "store", work / "instruments", work / "demo"
    script = console_script()
    try:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(demo, ignore_errors=True)
        instruments.mkdir(parents=True, exist_ok=True)
        shutil.copy(store_bench.DEFAULT_INSTRUMENT, instruments / "sample.toml")
        records = sessions(base, args.ratings, args.raters, args.per_month, seed=1)
        count = len({(r["session"]["dyad"], r["session"]["session_number"]) for r in records})
        started = time.perf_counter()
        store_bench.build_store(folder, instrument, records)
        print(
            f"built {len(records)} final ratings of {count} sessions (2-5 of {args.raters} "
            f"raters each) in {time.perf_counter() - started:.1f} s; folder {work}"
        )
        del records
        demo_count = args.demo_count or args.ratings
        started = time.perf_counter()
        made = subprocess.run(
            [*script, "demo-data", "--count", str(demo_count), "--data", str(demo)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if made.returncode != 0:
            raise SystemExit(f"demo-data failed:\n{made.stderr[-2000:]}")
        print(f"made {demo_count} demo ratings in {time.perf_counter() - started:.1f} s")
        own = compare(
            "benchmark's own data (2-5 raters per session)",
            [*script, "--instruments", str(instruments)],
            folder,
            work,
            args.runs,
            args.baseline,
        )
        demo_ratios = compare(
            f"rating-tui demo-data --count {demo_count}",
            script,
            demo,
            work,
            args.runs,
            args.baseline,
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    worst = max(*own, *demo_ratios)
    print(f"\nworst ratio {worst:.2f}x   (target <= 1.50)  {'ok' if worst <= 1.5 else 'MISSED'}")


def existing(args: argparse.Namespace) -> None:
    """`--folder`: the comparison on each existing data folder, nothing built."""
    script = console_script()
    if args.instruments is not None:
        script = [*script, "--instruments", str(args.instruments.resolve())]
    work = Path(tempfile.mkdtemp(prefix="agreement-bench-"))
    try:
        for folder in args.folder:
            folder = folder.resolve()
            compare(str(folder), script, folder, work, args.runs, args.baseline)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
