"""Export as a researcher runs it: `rating-tui export` (wide CSV and JSON Lines), the console
script as a whole process, beside its floor (`floors.py`, a whole process too), side by side.

    python benchmarks/export_bench.py [--sizes 10000 100000] [--rounds 3] [--per-month 400]
                                      [--against SOURCE_FOLDER]

Two data folders at each size, and both are printed:
- one made by the real `rating-tui demo-data` command (many dyads and raters, months of very
  different sizes, split months, drafts and voided ratings left out of the export);
- this benchmark's own fixed set-up: store_bench's generator, `--per-month` ratings a month of
  the sample instrument, stored in bulk.
The floors only read the month files and write the same table (`csv.writer`) or one
`json.dumps` per rating: no validation, no ordering, no defusing. Times and peak RSS are
medians of `--rounds`, the cases interleaved in a new order each round. Targets (#11): CSV at
most 1.2x its floor, JSON Lines at most 1.3x; peak RSS at the largest size at most 1.5x that
at the smallest.

`--against` a source folder holding another `rating_tui` package (a checkout of main, say)
also times the same console script with that package first on PYTHONPATH, in the same
rounds: the before and after of a change, side by side. Both packages are byte-compiled
first, as an install does.

The ratios are of elapsed time, as a user waits. On a machine shared with other work a
process waits for a processor as long as it runs, so the CPU time (user + system) of each
process is printed beside it, with its ratio: it says what each process did, whatever the
load (the elapsed ratio is still the one the targets are judged on).
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

import store_bench  # noqa: E402
from bytecode import compile_package  # noqa: E402
from scale_bench import FLOORS, INSTRUMENT, ROOT, SCRIPT, TIME, demo, run  # noqa: E402

from rating_tui.instruments.loader import load_instrument  # noqa: E402

KINDS = ("csv", "jsonl")
TARGETS = {"csv": 1.2, "jsonl": 1.3}


def export_argv(folder: Path, kind: str, out: Path) -> list[str]:
    """`rating-tui export` of every final rating of `folder`, as a user types it."""
    return [str(SCRIPT), "export", "-f", kind, "--data", str(folder), "-o", str(out)]


def floor_argv(folder: Path, kind: str, out: Path, instrument: Path) -> list[str]:
    return [sys.executable, str(FLOORS), kind, str(folder), str(out), str(instrument)]


def export_seconds(folder: Path, kind: str = "csv") -> float:
    """Seconds of one `rating-tui export` of `folder` (a whole process; the passphrase of an
    encrypted folder comes from the environment)."""
    with tempfile.TemporaryDirectory() as tmp:
        return run(export_argv(folder, kind, Path(tmp) / f"out.{kind}"))[0]


def own_setup(folder: Path, count: int, per_month: int, instrument_file: Path) -> None:
    """store_bench's fixed set-up: `count` ratings, `per_month` a month, stored in bulk."""
    instrument = load_instrument(instrument_file).instrument
    base = store_bench.template(instrument, random.Random(1)).model_dump(mode="json")
    store_bench.build_store(folder, instrument, store_bench.records(base, count, per_month, count))


Timing = tuple[float, float, float]
"""Elapsed seconds, CPU seconds (user + system), peak RSS (MiB) of one process."""


def timed(argv: list[str], env: dict[str, str] | None = None) -> Timing:
    """One whole process: elapsed time, CPU time and peak RSS, from GNU time when there is
    one (as `scale_bench.run`), else from the child's rusage."""
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as err:
        report = Path(tmp) / "time"
        wrapped = [str(TIME), "-f", "%U %S %M", "-o", str(report), *argv]
        started = time.perf_counter()
        child = subprocess.Popen(
            wrapped if TIME.exists() else argv,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=ROOT,
            env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed:\n{err.read().decode()[-2000:]}")
        if not TIME.exists():
            return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
        user, system, kib = report.read_text().split()[-3:]
    return elapsed, float(user) + float(system), int(kib) / 1024


def measure(
    folders: dict[str, tuple[Path, Path]], rounds: int, out: Path, against: Path | None = None
) -> dict[tuple[str, str, str], Timing]:
    """(set-up, kind, "ours", "floor" or "before") -> median elapsed seconds, CPU seconds and
    peak RSS (MiB). "before": the export of the package in `against`."""
    cases: dict[tuple[str, str, str], list[str]] = {}
    for setup, (folder, instrument) in folders.items():
        for kind in KINDS:
            cases[setup, kind, "ours"] = export_argv(folder, kind, out)
            cases[setup, kind, "floor"] = floor_argv(folder, kind, out, instrument)
            if against is not None:
                cases[setup, kind, "before"] = export_argv(folder, kind, out)
    env = None if against is None else {**os.environ, "PYTHONPATH": str(against)}
    found: dict[tuple[str, str, str], list[Timing]] = {k: [] for k in cases}
    order = random.Random(1)
    for _ in range(rounds):  # a new order each round: no case always follows another
        for case in order.sample(list(cases), len(cases)):
            found[case].append(timed(cases[case], env if case[2] == "before" else None))
    return {
        case: (
            statistics.median(t for t, _, _ in runs),
            statistics.median(c for _, c, _ in runs),
            statistics.median(m for _, _, m in runs),
        )
        for case, runs in found.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-month", type=int, default=400)
    parser.add_argument("--instrument", type=Path, default=store_bench.DEFAULT_INSTRUMENT)
    parser.add_argument("--against", type=Path, help="source folder of another rating_tui")
    args = parser.parse_args()
    against = args.against.resolve() if args.against else None
    if against is not None and not (against / "rating_tui" / "start.py").is_file():
        raise SystemExit(f"{against} holds no rating_tui package to time against")
    if not SCRIPT.exists():
        raise SystemExit(f"no {SCRIPT.name} script beside {sys.executable}: install the project")
    compile_package()
    if against is not None:  # both sides load precompiled modules (PYTHONDONTWRITEBYTECODE
        # would otherwise have the other tree compiled from source on every start)
        import compileall

        if not compileall.compile_dir(against / "rating_tui", quiet=1):
            raise SystemExit(f"cannot byte-compile {against / 'rating_tui'}")
    results: dict[int, dict[tuple[str, str, str], Timing]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in args.sizes:
            folders = {
                "demo-data": (work / f"demo{size}", INSTRUMENT),
                "own set-up": (work / f"own{size}", args.instrument),
            }
            demo(folders["demo-data"][0], size)
            own_setup(folders["own set-up"][0], size, args.per_month, args.instrument)
            results[size] = measure(folders, args.rounds, work / "out", against)
            for folder, _ in folders.values():
                shutil.rmtree(folder)
            print(f"{size:,} ratings measured", file=sys.stderr)

    def cell(value: Timing) -> str:
        seconds, cpu, mib = value
        return f"{seconds:.2f} s ({cpu:.2f} s CPU) · {mib:.0f} MiB"

    sizes = sorted(results)
    print(
        f"\n| whole processes (elapsed (CPU) · peak RSS) | {' | '.join(f'{s:,}' for s in sizes)} |"
    )
    print("| --- |" + " --- |" * len(sizes))
    sides = ["ours", "floor"] + (["before"] if against is not None else [])
    for setup in ("demo-data", "own set-up"):
        for kind in KINDS:
            for side in sides:
                row = " | ".join(cell(results[s][setup, kind, side]) for s in sizes)
                shown = {
                    "ours": f"`rating-tui export -f {kind}`",
                    "floor": f"`floors.py {kind}`",
                    "before": f"`rating-tui export -f {kind}` of {against}",
                }[side]
                print(f"| {setup}: {shown} | {row} |")
    print("\nratios (target), elapsed; CPU time beside")
    small, large = sizes[0], sizes[-1]
    for setup in ("demo-data", "own set-up"):
        for kind in KINDS:
            for size in sizes:
                ours, floor = (
                    results[size][setup, kind, "ours"],
                    results[size][setup, kind, "floor"],
                )
                ratio, cpu = ours[0] / floor[0], ours[1] / floor[1]
                name = f"{setup} {size:,}: export {kind} / floor"
                verdict = "ok" if ratio <= TARGETS[kind] else "MISSED"
                print(
                    f"  {name:<44} {ratio:6.2f}x  (<= {TARGETS[kind]}x)  {verdict:<6}"
                    f"  CPU {cpu:.2f}x"
                )
                if against is not None:
                    before = results[size][setup, kind, "before"]
                    name = f"{setup} {size:,}: before {kind} / floor"
                    was, was_cpu = before[0] / floor[0], before[1] / floor[1]
                    print(f"  {name:<44} {was:6.2f}x  CPU {was_cpu:.2f}x")
            peak = results[large][setup, kind, "ours"][2] / results[small][setup, kind, "ours"][2]
            name = f"{setup}: export {kind} peak RSS {large:,} / {small:,}"
            print(f"  {name:<44} {peak:6.2f}x  (<= 1.5x)  {'ok' if peak <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
