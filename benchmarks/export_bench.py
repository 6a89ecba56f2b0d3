"""Export benchmark: `rating-tui export` (wide CSV) next to a floor script, at 10k and 100k.

    python benchmarks/export_bench.py [--sizes 10000 100000] [--runs 3] [--per-month 400]

The floor only `json.loads` the same shard files and writes the same columns with
`csv.writer`: no validation, no ordering, no defusing. Both run in fresh processes (imports
not counted), median of `--runs`. Memory: peak RSS (VmHWM) and tracemalloc peak of the export
at each size; streaming means 100k should cost about what 10k does. The stores are built in
bulk with store_bench's generator (the sample instrument, 400 ratings a month).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import store_bench  # noqa: E402

from rating_tui.instruments.loader import load_instrument  # noqa: E402

MEASURE = """
import json, sys, time, tracemalloc
from pathlib import Path
folder, out, kind, traced = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
{imports}
if traced:
    tracemalloc.start()
started = time.perf_counter()
rows = work(folder, out)
elapsed = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1] if traced else 0
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({{"seconds": elapsed, "rows": rows, "peak": peak,
                  "rss": int(hwm.split()[1]) * 1024}}))
"""

OURS = """
from rating_tui.export.job import ExportRequest, run
from rating_tui.export.select import Instruments
from rating_tui.export.sources import StoreSource
from rating_tui.instruments.loader import load_instrument
instrument = load_instrument(Path(sys.argv[5])).instrument

def work(folder, out):
    with out.open("wb") as sink:
        summary = run(ExportRequest(), [StoreSource.open(folder)], Instruments([instrument]), sink)
    return summary.rows
"""

FLOOR = """
import csv
from rating_tui.instruments.loader import load_instrument
instrument = load_instrument(Path(sys.argv[5])).instrument
fields = [f.key for f in instrument.fields]
items = [i.key for i in instrument.items]
codes = {c.code: c.export_value for c in instrument.missing_codes}
HEAD = ["rating_id", "instrument_id", "instrument_version", "instrument_hash", *fields,
        "status", *items, "created", "updated", "n_now_moments", "notes"]

def cell(value):
    if isinstance(value, list):
        return ";".join(map(str, value))
    return "" if value is None else value

def work(folder, out):
    rows = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEAD)
        for shard in sorted((folder / "ratings").glob("*.json")):
            for r in json.loads(shard.read_bytes())["ratings"].values():
                if r["status"] != "final":
                    continue
                ins, session, answers = r["instrument"], r["session"], r["answers"]
                row = [r["id"], ins["id"], ins["version"], ins["hash"]]
                row += [cell(session.get(k)) for k in fields]
                row.append(r["status"])
                for k in items:
                    a = answers.get(k)
                    row.append("" if a is None else codes[a["missing"]] if "missing" in a
                               else cell(a["value"]))
                row += [r["created"], r["updated"], len(r["now_moments"]), r["notes"]]
                writer.writerow(row)
                rows += 1
    return rows
"""


def measure(script: str, folder: Path, instrument: Path, traced: bool) -> dict[str, float]:
    out = folder.parent / "out.csv"
    code = MEASURE.format(imports=script)
    args = [sys.executable, "-c", code, str(folder), str(out), "x", "1" if traced else "0"]
    done = subprocess.run([*args, str(instrument)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-month", type=int, default=400)
    parser.add_argument("--instrument", type=Path, default=store_bench.DEFAULT_INSTRUMENT)
    args = parser.parse_args()
    instrument = load_instrument(args.instrument).instrument
    base = store_bench.template(instrument, random.Random(1)).model_dump(mode="json")
    work = Path(tempfile.mkdtemp(prefix="export-bench-"))
    results: dict[int, dict[str, float]] = {}
    try:
        for size in args.sizes:
            folder = work / f"n{size}" / "store"
            rows = store_bench.records(base, size, args.per_month, seed=size)
            store_bench.build_store(folder, instrument, rows)
            del rows
            ours = [measure(OURS, folder, args.instrument, False) for _ in range(args.runs)]
            floor = [measure(FLOOR, folder, args.instrument, False) for _ in range(args.runs)]
            traced = measure(OURS, folder, args.instrument, True)
            assert {r["rows"] for r in ours} == {r["rows"] for r in floor} == {size}
            r = results[size] = {
                "ours": statistics.median(x["seconds"] for x in ours),
                "floor": statistics.median(x["seconds"] for x in floor),
                "rss": statistics.median(x["rss"] for x in ours),
                "peak": traced["peak"],
            }
            print(
                f"{size:>7} ratings: export {r['ours']:.2f} s, floor {r['floor']:.2f} s "
                f"(ratio {r['ours'] / r['floor']:.2f}); peak RSS {r['rss'] / 2**20:.1f} MiB, "
                f"tracemalloc peak {r['peak'] / 2**20:.1f} MiB"
            )
            shutil.rmtree(folder.parent)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    small, large = min(results), max(results)
    lo, hi = results[small], results[large]
    checks = [
        (f"export / floor time at {large}", hi["ours"] / hi["floor"], 1.3),
        (f"peak RSS {large} / {small}", hi["rss"] / lo["rss"], 1.5),
        (f"tracemalloc peak {large} / {small}", hi["peak"] / lo["peak"], 1.5),
    ]
    print("\nratios (target)")
    for name, value, target in checks:
        print(f"  {name:<36} {value:6.2f}   (<= {target})  {'ok' if value <= target else 'MISSED'}")


if __name__ == "__main__":
    main()
