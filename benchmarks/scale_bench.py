"""How rating-tui scales with the data, as a user runs it: `demo-data` folders of growing size,
every command run through the console script as a whole process, beside its reference.

    python benchmarks/scale_bench.py [--sizes 1000 10000 100000] [--saves 40] [--rounds 3]
                                     [--store-only] [--saves-only]
                                     [--folder SIZE=DIR] [--settle]

For each size, a folder made by `rating-tui demo-data`, and in it (time and peak RSS of the
whole process):
- save p50 / p95: new final ratings saved through `Store.finalise` into the busiest month
  file (the month the app would write), one process, `--saves` saves;
- import of `--import-count` ratings (`rating-tui ratings import`, JSON Lines of another demo
  set) into a copy of the folder, then into an empty folder (the reference, timed right after
  it, and once more at the start);
- `rating-tui export` to CSV and to JSON Lines, beside their floors (`floors.py`: read the
  month files, the same columns or one `json.dumps` per rating, as whole processes too);
- `rating-tui agreement`;
- first frame and Home filled in of `rating-tui --data DIR` in an 80x24 pseudo-terminal
  (`frame_bench.watch`), beside a bare Textual app's first frame timed at the same size, the
  two alternating (a reference timed once, minutes before the largest size, would compare
  different loads of a shared machine).
`--store-only` measures only what the store decides (saves, the import, making the folder),
which lets a run reach 300k or 1M in minutes; `--saves-only` only the saves. `--folder
SIZE=DIR` measures a copy of an existing `demo-data` folder instead of making one (its making
is then not timed); `--settle` syncs the disk before each size's saves, so that they do not
wait behind the writeback of the folder just made or copied (about 1.1 GB at 1M). Each size
also prints the fsyncs and bytes a save makes on average (events, counted through `fileio`'s
aliases).
`demo-data`'s CPU time (user + system, whole process) is printed beside its elapsed time, with
its ratio too: on a machine loaded by other jobs, elapsed times compare different loads.
The import round at 1M that issue 11's table needs is `--store-only --sizes 100000 1000000`
(add `--against SRC` for the previous code beside it; about 5 minutes of `demo-data` per 1M
folder on an idle machine, so it is not in the default sizes).
Targets (#11): export CSV <= 1.2x its floor, JSONL <= 1.3x; export peak memory at the largest
size <= 1.5x at 100k (or the smallest); first frame <= 1.3x the bare app, Home filled in <= 2x;
save p95 at the largest size <= 2x at the smallest; import into the largest <= 1.5x into empty;
demo-data time at the largest size <= 1.1x per multiple of 100k (or of the smallest size).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import compile_package  # noqa: E402
from frame_bench import BARE, FILLED, FIRST, watch  # noqa: E402
from save_bench import SETUP  # noqa: E402

SCRIPT = Path(sys.executable).with_name("rating-tui")
FLOORS = ROOT / "benchmarks" / "floors.py"
IMPORT = [str(SCRIPT), "ratings", "import", "--accept-warnings"]
"""A demo set shares dyad codes with another: second raters of the same sessions, kept."""
INSTRUMENT = ROOT / "instruments" / "paris-2009-seven-concepts.toml"

SAVE = (
    SETUP
    + """
times = []
for _ in range(saves):
    draft = model.replace(id=str(uuid.uuid4()), status="draft", revisions=[])
    started = time.perf_counter()
    store.finalise(draft, instrument)
    times.append(time.perf_counter() - started)
times.sort()
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95)],
                  "file": busiest.name, "kib": int(hwm.split()[1]),
                  "fsyncs": events["fsyncs"] / saves, "bytes": events["bytes"] / saves}))
"""
)


def own_dyads(source: Path) -> int:
    """Give the imported ratings dyad codes of their own (ZZ0001, ZZ0002...), and keep one
    rating per dyad, session and rater (the demo set rates some twice, which an import
    refuses, as it should). Returns the number of ratings left to import."""
    lines, seen, codes = [], set(), {}
    for line in source.read_text(encoding="utf-8").splitlines():
        rating = json.loads(line)
        session = rating["session"]
        key = (session.get("dyad"), session.get("session_number"), rating["rater"])
        if key in seen:
            continue
        seen.add(key)
        for content in [rating, *(r["previous"] for r in rating["revisions"])]:
            dyad = content["session"]["dyad"]
            content["session"]["dyad"] = codes.setdefault(dyad, f"ZZ{len(codes) + 1:04d}")
        lines.append(json.dumps(rating, ensure_ascii=False, separators=(",", ":")))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


TIME = Path("/usr/bin/time")
CPU: dict[str, float] = {}
"""CPU seconds (user + system) of the last process `run` timed: on a machine loaded by other
jobs, elapsed times compare different loads, CPU times much less so."""


def run(
    argv: list[str], stdout: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    """Seconds, peak RSS (MiB) and standard output of one whole process. The peak comes from
    /usr/bin/time (GNU time) when there is one: the rusage of a child forked from this
    benchmark counts the fork's pages from before `exec` (this process's size) too."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        wrapped = [str(TIME), "-f", "%M", "-o", str(peak_file), *argv] if TIME.exists() else argv
        with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            child = subprocess.Popen(wrapped, stdout=out, stderr=err, cwd=ROOT, env=env)
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.perf_counter() - started
            CPU["last"] = usage.ru_utime + usage.ru_stime  # (GNU time's child's included)
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            text = out.read().decode()
            if child.returncode != 0:
                err.seek(0)
                raise SystemExit(f"{' '.join(argv)} failed:\n{err.read().decode()[-2000:]}")
        kib = int(peak_file.read_text().split()[-1]) if TIME.exists() else usage.ru_maxrss
    if stdout is not None:
        stdout.write_text(text)
    return elapsed, kib / 1024, text


def demo(
    folder: Path, count: int, seed: int = 0, against: str | None = None
) -> tuple[float, float]:
    """(seconds, CPU seconds) `rating-tui demo-data` takes; with `against`, that of the
    rating_tui package in that source folder (put first on PYTHONPATH), run by the same
    console script."""
    argv = [str(SCRIPT), "demo-data", "--count", str(count), "--seed", str(seed)]
    env = None if against is None else {**os.environ, "PYTHONPATH": against}
    return run([*argv, "--data", str(folder)], env=env)[0], CPU["last"]


def median_run(argv: list[str], rounds: int) -> tuple[float, float]:
    found = [run(argv)[:2] for _ in range(rounds)]
    return statistics.median(f[0] for f in found), statistics.median(f[1] for f in found)


def imports(folder: Path, work: Path, source: Path, against: str) -> dict[str, tuple]:
    """The import into a copy of `folder` and into an empty folder, by the rating_tui package
    of `against` (the other version, on its own folder), one right after the other."""
    env = {**os.environ, "PYTHONPATH": against}
    copy, empty = work / "copy", work / "empty"
    shutil.copytree(folder, copy)
    found = {"import, --against": run([*IMPORT, str(source), "--data", str(copy)], env=env)[:2]}
    into_empty = run([*IMPORT, str(source), "--data", str(empty)], env=env)[:2]
    found["import into empty, --against"] = into_empty
    shutil.rmtree(copy)
    shutil.rmtree(empty)
    return found


def measure(folder: Path, work: Path, args: argparse.Namespace, source: Path) -> dict[str, tuple]:
    py, script, data = sys.executable, str(SCRIPT), str(folder)
    found: dict[str, tuple] = {}
    rounds = args.rounds
    if args.settle:  # the disk's writeback of the folder just made, done before the saves
        os.sync()
    saved = json.loads(run([py, "-c", SAVE, data, str(args.saves)])[2])
    found["save p50"] = (saved["p50"], None)
    found["save p95"] = (saved["p95"], saved["kib"] / 1024)
    print(
        f"{folder.name}: a save into {saved['file']}: {saved['fsyncs']:.2f} fsyncs and"
        f" {saved['bytes'] / 1000:.1f} kB written on average ({args.saves} saves)",
        file=sys.stderr,
    )
    if args.saves_only:
        return found
    copy, empty = work / "copy", work / "empty"
    shutil.copytree(folder, copy)
    found["import"] = run([*IMPORT, str(source), "--data", str(copy)])[:2]
    found["import into empty"] = run([*IMPORT, str(source), "--data", str(empty)])[:2]
    shutil.rmtree(copy)
    shutil.rmtree(empty)
    if args.store_only:
        return found
    out = work / "out"
    for kind in ("csv", "jsonl"):
        export = [script, "export", "-f", kind, "--data", data, "-o", str(out)]
        found[f"export {kind}"] = median_run(export, rounds)
        floor = [py, str(FLOORS), kind, data, str(out), str(INSTRUMENT)]
        found[f"floor {kind}"] = median_run(floor, rounds)
    found["agreement"] = median_run([script, "agreement", "--data", data], 1)
    frames, bare = [], []
    for turn in range(rounds):  # the bare app beside ours, alternating which goes first
        pair = [("ours", [script, "--data", data]), ("bare", [py, "-c", BARE])]
        for name, argv in pair if turn % 2 == 0 else reversed(pair):
            if name == "ours":
                frames.append(watch(argv, FIRST["ours"], FILLED))
            else:
                bare.append(watch(argv, FIRST["bare"], ())[0])
    found["bare app first frame"] = (statistics.median(bare), None)
    found["first frame"] = (statistics.median(f[0] for f in frames), None)
    found["Home filled in"] = (
        statistics.median(f[1] for f in frames),
        statistics.median(f[2] for f in frames) / 1024,
    )
    return found


def cell(value: tuple) -> str:
    seconds, mib = value
    shown = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
    return shown + (f" · {mib:.0f} MiB" if mib is not None else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--import-count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store-only", action="store_true", help="saves, import, demo-data")
    parser.add_argument("--saves-only", action="store_true", help="only the saves")
    parser.add_argument(
        "--folder",
        action="append",
        default=[],
        metavar="SIZE=DIR",
        help="for that size, measure a copy of DIR (a `demo-data` folder of SIZE ratings) "
        "instead of making one; its demo-data time is then not measured",
    )
    parser.add_argument(
        "--settle",
        action="store_true",
        help="sync the disk before the saves of each size (a folder just made leaves up to "
        "a GB of writeback that the first saves' fsyncs wait behind)",
    )
    parser.add_argument(
        "--against",
        metavar="SRC",
        help="also time demo-data with the rating_tui package of this source folder (e.g. "
        "`git archive REV rating_tui | tar -x -C SRC`), beside ours at each size",
    )
    args = parser.parse_args()
    if not SCRIPT.exists():
        raise SystemExit(f"no {SCRIPT.name} script beside {sys.executable}: install the project")
    compile_package()
    given = {int(size): Path(where) for size, _, where in (f.partition("=") for f in args.folder)}
    results: dict[int, dict[str, tuple]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        made = work / "import-source"
        demo(made, args.import_count, seed=7)
        source = work / "import.jsonl"
        statuses = ["--status", "final"]  # a voided rating and its redo: one rater, twice
        run(
            [
                str(SCRIPT),
                "export",
                "-f",
                "jsonl",
                *statuses,
                "--data",
                str(made),
                "-o",
                str(source),
            ]
        )
        shutil.rmtree(made)
        imported = own_dyads(source)
        empty_import = run([*IMPORT, str(source), "--data", str(work / "e")])
        shutil.rmtree(work / "e")
        for size in args.sizes:
            folder = work / f"n{size}"
            if args.against:  # the other version first, then ours, on the same load
                other = work / f"other{size}"
                took, cpu = demo(other, size, against=args.against)
                results.setdefault(size, {})["demo-data, --against"] = (took, None)
                results[size]["demo-data CPU, --against"] = (cpu, None)
                results[size] |= imports(other, work, source, args.against)
                shutil.rmtree(other)
            if size in given:
                shutil.copytree(given[size], folder, symlinks=True)
            else:
                made_in, made_cpu = demo(folder, size)
            results[size] = results.get(size, {}) | measure(folder, work, args, source)
            if size not in given:
                results[size]["demo-data (making the folder)"] = (made_in, None)
                results[size]["demo-data CPU (user + system)"] = (made_cpu, None)
            print(f"{size:,} ratings measured", file=sys.stderr)
            shutil.rmtree(folder)
    sizes = sorted(results)
    print(f"\n| `demo-data` ratings (time · peak RSS) | {' | '.join(f'{s:,}' for s in sizes)} |")
    print("| --- |" + " --- |" * len(sizes))
    names = [
        "save p50",
        "save p95",
        "import",
        "import into empty",
        "export csv",
        "floor csv",
        "export jsonl",
        "floor jsonl",
        "agreement",
        "bare app first frame",
        "first frame",
        "Home filled in",
        "demo-data (making the folder)",
        "demo-data CPU (user + system)",
        "demo-data, --against",
        "demo-data CPU, --against",
        "import, --against",
        "import into empty, --against",
    ]
    labels = {"import": f"import of {imported:,}", "floor csv": "CSV floor (floors.py)"}
    labels["floor jsonl"] = "JSONL floor (floors.py)"
    for name in [n for n in names if n in results[sizes[0]]]:
        row = " | ".join(cell(results[s][name]) for s in sizes)
        print(f"| {labels.get(name, name)} | {row} |")
    print(
        f"\nreference: import of {imported:,} into an empty folder {cell(empty_import[:2])}; "
        "the bare Textual app was timed beside the first frames of each size\n"
    )
    small, large = sizes[0], sizes[-1]
    mid = 100_000 if 100_000 in results and large > 100_000 else small
    checks = []
    for size in [] if args.store_only or args.saves_only else sizes:
        r = results[size]
        bare = r["bare app first frame"][0]
        checks += [
            (f"{size:,}: export CSV / floor", r["export csv"][0] / r["floor csv"][0], 1.2),
            (f"{size:,}: export JSONL / floor", r["export jsonl"][0] / r["floor jsonl"][0], 1.3),
            (f"{size:,}: first frame / bare app", r["first frame"][0] / bare, 1.3),
            (f"{size:,}: Home filled in / bare first frame", r["Home filled in"][0] / bare, 2.0),
        ]
    lo, hi = results[small], results[large]
    checks += [
        (f"save p95 {large:,} / {small:,}", hi["save p95"][0] / lo["save p95"][0], 2.0),
    ]
    if not args.saves_only:
        ratio = hi["import"][0] / hi["import into empty"][0]
        checks.append((f"import into {large:,} / into empty", ratio, 1.5))
    for kind in [] if args.store_only or args.saves_only else ["csv", "jsonl"]:
        ratio = hi[f"export {kind}"][1] / results[mid][f"export {kind}"][1]
        checks.append((f"export {kind} peak RSS {large:,} / {mid:,}", ratio, 1.5))
    ref = mid if mid != large else small
    if ref != large and not given:
        made = "demo-data (making the folder)"
        ratio = hi[made][0] / results[ref][made][0]
        checks.append((f"demo-data time {large:,} / {ref:,}", ratio, 1.1 * large / ref))
        cpu = "demo-data CPU (user + system)"
        ratio = hi[cpu][0] / results[ref][cpu][0]
        checks.append((f"  CPU: {large:,} / {ref:,}", ratio, 1.1 * large / ref))
        if args.against:
            other = "demo-data, --against"
            ratio = hi[other][0] / results[ref][other][0]
            checks.append((f"  --against: {large:,} / {ref:,}", ratio, 1.1 * large / ref))
            other_cpu = "demo-data CPU, --against"
            ratio = hi[other_cpu][0] / results[ref][other_cpu][0]
            checks.append((f"  --against CPU: {large:,} / {ref:,}", ratio, 1.1 * large / ref))
            for size in sizes:
                ratio = results[size][made][0] / results[size][other][0]
                checks.append((f"demo-data {size:,}: ours / --against", ratio, 1.0))
                ratio = results[size][cpu][0] / results[size][other_cpu][0]
                checks.append((f"  CPU {size:,}: ours / --against", ratio, 1.0))
            imported_other = hi["import, --against"][0] / hi["import into empty, --against"][0]
            checks.append((f"  --against: import into {large:,} / empty", imported_other, 1.5))
    print("ratios (target)")
    for name, value, target in checks:
        verdict = "ok" if value <= target else "MISSED"
        print(f"  {name:<44} {value:6.2f}x  (<= {target:g}x)  {verdict}")


if __name__ == "__main__":
    main()
