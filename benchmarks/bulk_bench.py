"""The bulk paths at two sizes side by side: `ratings import` of a whole JSON Lines file and
`merge` of a whole folder, each a whole console-script process, on demo data.

    python benchmarks/bulk_bench.py [--sizes 10000 100000] [--folder SIZE=DIR] [--against SRC]

For each size: a folder made by `rating-tui demo-data --count N` (or a copy of `--folder
SIZE=DIR`, an existing demo-data folder), its final ratings exported with `rating-tui export
--format jsonl`, then (time and peak RSS of the whole process, /usr/bin/time when there is one):
- `rating-tui ratings import FILE --check`: reading and checking alone (the first pass);
- `rating-tui ratings import FILE --data NEW --accept-warnings` into an empty folder (the demo
  set has pre-store warnings: second raters of a session);
- `rating-tui merge SRC --into NEW` into an empty folder.
`--against SRC` runs the same commands with the rating_tui package of that source folder
(put first on PYTHONPATH), right after ours at each size: a baseline measured in the same run.
The 1M round of issue 11 is `--sizes 100000 1000000` (demo-data takes minutes at 1M; give
`--folder 1000000=DIR` to copy one instead; `--steps` chooses among the three steps).
Targets (#11): import and merge time(large)/time(small) <= 1.1x per multiple of the small
size (11x at 1M/100k); peak RSS in proportion to the batch, not to the file: peak
RSS(large)/peak RSS(small) <= 1.5x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_bench import run  # noqa: E402

SCRIPT = Path(sys.executable).with_name("rating-tui")
STEPS = ("import --check", "import", "merge")


def source_of(size: int, work: Path, given: dict[int, Path]) -> tuple[Path, Path, str]:
    """A demo-data folder of `size` ratings (made, or copied from --folder) and its final
    ratings as JSON Lines, with what making them took."""
    folder, jsonl = work / f"demo-{size}", work / f"demo-{size}.jsonl"
    if size in given:
        shutil.copytree(given[size], folder)
        made = "copied"
    else:
        seconds, peak, _ = run([str(SCRIPT), "demo-data", "--count", str(size),
                                "--data", str(folder)])  # fmt: skip
        made = f"demo-data {seconds:.1f} s, {peak:.0f} MiB"
    seconds, _, _ = run([str(SCRIPT), "export", "--data", str(folder), "-f", "jsonl",
                         "-o", str(jsonl)])  # fmt: skip
    lines = sum(1 for _ in jsonl.open("rb"))
    return folder, jsonl, f"{made}; export {seconds:.1f} s, {lines:,} final ratings"


def steps(
    folder: Path, jsonl: Path, work: Path, against: str | None, chosen: list[str]
) -> dict[str, tuple[float, float]]:
    """(seconds, peak MiB) of each step, into new folders removed afterwards."""
    env = None if against is None else {**os.environ, "PYTHONPATH": against}
    found: dict[str, tuple[float, float]] = {}
    target = work / "into"
    commands = {
        "import --check": [str(SCRIPT), "ratings", "import", str(jsonl), "--check"],
        "import": [str(SCRIPT), "ratings", "import", str(jsonl), "--data", str(target),
                   "--accept-warnings"],
        "merge": [str(SCRIPT), "merge", str(folder), "--into", str(target)],
    }  # fmt: skip
    for name, argv in commands.items():
        if name not in chosen:
            continue
        shutil.rmtree(target, ignore_errors=True)
        found[name] = run(argv, env=env)[:2]
        which = "" if against is None else ", --against"
        seconds, peak = found[name]
        print(f"  {name}{which}: {seconds:.2f} s, {peak:.0f} MiB", flush=True)  # (as it goes)
    shutil.rmtree(target, ignore_errors=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--folder", action="append", default=[], metavar="SIZE=DIR",
                        help="copy this demo-data folder for SIZE, not make one")  # fmt: skip
    parser.add_argument("--against", metavar="SRC", help="the previous code, side by side")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS),
                        help="the steps to time (a 1M merge may hold GiBs)")  # fmt: skip
    args = parser.parse_args()
    given = {int(k): Path(v) for k, v in (f.split("=", 1) for f in args.folder)}
    small, large = sorted(args.sizes)
    results: dict[str, dict[int, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bulk-bench-") as tmp:
        work = Path(tmp)
        for size in (small, large):
            folder, jsonl, made = source_of(size, work, given)
            print(f"{size:,}: {made}", flush=True)
            for name, value in steps(folder, jsonl, work, None, args.steps).items():
                results.setdefault(name, {})[size] = value
            if args.against:
                for name, value in steps(folder, jsonl, work, args.against, args.steps).items():
                    results.setdefault(f"{name}, --against", {})[size] = value
            shutil.rmtree(folder)
            jsonl.unlink()
    print(f"\n| step (time · peak RSS) | {small:,} | {large:,} | time ratio | RSS ratio |")
    print("|---|---|---|---|---|")
    checks = []
    for name, by_size in results.items():
        (t0, m0), (t1, m1) = by_size[small], by_size[large]
        print(f"| {name} | {t0:.2f} s · {m0:.0f} MiB | {t1:.2f} s · {m1:.0f} MiB "
              f"| {t1 / t0:.2f}x | {m1 / m0:.2f}x |")  # fmt: skip
        if not name.endswith("--against"):
            checks.append((f"{name} time {large:,} / {small:,}", t1 / t0, 1.1 * large / small))
            checks.append((f"{name} peak RSS {large:,} / {small:,}", m1 / m0, 1.5))
    print("\nratios (target)")
    for name, value, target in checks:
        verdict = "ok" if value <= target else "MISSED"
        print(f"  {name:<44} {value:6.2f}x  (<= {target:g}x)  {verdict}")


if __name__ == "__main__":
    main()
