"""Agreement benchmark: `rating-tui agreement` next to `rating-tui export` on the same data.

    python benchmarks/agreement_bench.py [--ratings 100000] [--runs 3] [--per-month 400]
                                         [--raters 8] [--keep DIR]

Builds one data folder of final ratings of the store benchmark's sample instrument: sessions
each rated by 2 to 5 raters (drawn from `--raters`), with values that agree more than chance
(a true score per session plus rater noise, some items coded not observed), until `--ratings`
ratings exist (100,000 ratings are about 28,500 sessions). Then runs, each in a fresh process,
the real commands as a researcher would (imports and start-up included, median of `--runs`):

    rating-tui --instruments DIR export --data FOLDER -o out.csv
    rating-tui --instruments DIR agreement --data FOLDER --csv agreement.csv

and prints both times and their ratio; the target (issue 6) is at most 2x. The stores are
written in bulk through the storage layer (store_bench.build_store), as in the other benchmarks.
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
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import store_bench  # noqa: E402

from rating_tui.instruments.loader import load_instrument  # noqa: E402

CLI = """
import sys
from rating_tui.cli import app, analysis_cmd
if not any(c.name == "agreement" for c in app.registered_commands):
    app.command("agreement")(analysis_cmd.agreement)  # until it is registered in cli/__init__
sys.argv[0] = "rating-tui"
app()
"""


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


def timed(argv: list[str]) -> float:
    """Wall-clock seconds of one command in a fresh process (start-up included)."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-month", type=int, default=400)
    parser.add_argument("--raters", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="build the data folder here and keep it")
    args = parser.parse_args()

    instrument = load_instrument(store_bench.DEFAULT_INSTRUMENT).instrument
    base = store_bench.template(instrument, random.Random(1)).model_dump(mode="json")
    work = args.keep or Path(tempfile.mkdtemp(prefix="agreement-bench-"))
    folder, instruments = work / "store", work / "instruments"
    try:
        shutil.rmtree(folder, ignore_errors=True)
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
        cli = [sys.executable, "-c", CLI, "--instruments", str(instruments)]
        export = [*cli, "export", "--data", str(folder), "-o", str(work / "out.csv")]
        agree = [*cli, "agreement", "--data", str(folder), "--csv", str(work / "agreement.csv")]
        times: dict[str, list[float]] = {"export": [], "agreement": []}
        for _ in range(args.runs):  # taking turns, so both see the same machine state
            times["export"].append(timed(export))
            times["agreement"].append(timed(agree))
        exported = sum(1 for _ in (work / "out.csv").open()) - 1
        figures = sum(1 for _ in (work / "agreement.csv").open()) - 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    e, a = (statistics.median(times[k]) for k in ("export", "agreement"))
    print(f"export to CSV   {e:6.2f} s  ({exported} rows; runs: {_runs(times['export'])})")
    print(f"agreement       {a:6.2f} s  ({figures} figures; runs: {_runs(times['agreement'])})")
    verdict = "ok" if a / e <= 2 else "MISSED"
    print(f"\nratio agreement / export  {a / e:.2f}   (target <= 2.00)  {verdict}")


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
