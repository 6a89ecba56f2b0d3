"""`rating-tui alerts` over demo data, next to `rating-tui export` of the same data folder.

    python benchmarks/alerts_bench.py [--count 100000] [--rounds 5]

Both are whole processes (start-up, instruments, reading every month file), run in
interleaved rounds in a shuffled order, medians compared. Target (issue 15): alerts take at
most the time of the export (1x). `alerts` reads the stored records without building a Rating
per record (`Store.iter_records`), as the export does, then judges every dyad's course.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 1.0
RATING_TUI = [sys.executable, "-c", "import sys; from rating_tui.cli import main; sys.exit(main())"]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        subprocess.run(
            [*RATING_TUI, "demo-data", "--count", str(args.count), "--data", str(data)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        cases = {
            "rating-tui export (wide CSV to stdout; baseline)": [
                *RATING_TUI,
                "export",
                "--data",
                str(data),
                "-o",
                "-",
            ],
            "rating-tui alerts": [*RATING_TUI, "alerts", "--data", str(data)],
            "rating-tui alerts --json": [*RATING_TUI, "alerts", "--data", str(data), "--json"],
        }
        for argv in cases.values():  # warm the file cache and .pyc files
            timed(argv)
        samples: dict[str, list[float]] = {name: [] for name in cases}
        order = random.Random(1)
        for _ in range(args.rounds):
            for name in order.sample(list(cases), len(cases)):
                samples[name].append(timed(cases[name]))
    base_name = next(iter(cases))
    base = statistics.median(samples[base_name])
    rows = ["| command | median | ratio to export | target |", "| --- | --- | --- | --- |"]
    for name, times in samples.items():
        ratio = statistics.median(times) / base
        verdict = "ok" if ratio <= TARGET else "MISSED"
        target = "—" if name == base_name else f"≤ {TARGET:.1f}x {verdict}"
        spread = f"{min(times):.2f}–{max(times):.2f} s"
        rows.append(
            f"| {name} | {statistics.median(times):.2f} s ({spread}) | {ratio:.2f}x | {target} |"
        )
    print(
        f"{args.count:,} demo ratings, {args.rounds} interleaved rounds, "
        f"Python {sys.version.split()[0]}\n\n" + "\n".join(rows)
    )


if __name__ == "__main__":
    main()
