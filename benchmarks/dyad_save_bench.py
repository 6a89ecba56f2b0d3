"""A save of a dyad new to the busiest month of a demo-data folder: the months' summaries of
dyads in one file a month (before: the folder's summaries rebuilt without a limit, as format 6
wrote them, and the saves run without one) and in parts of `DYADS_LIMIT` codes (after, format
7), fresh processes taking turns, each save followed by the append + fsync floor in the same
process; p50/p95, the floor beside, and the bytes a save writes to summaries and in all.

    python benchmarks/dyad_save_bench.py [--data DEMO_FOLDER | --count 100000] [--saves 200]

The folder (`--data`, copied twice, never changed; otherwise one made by `rating-tui demo-data
--count N`) is the set-up; the ratio printed is after / before and each against its floor.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from saves import BESIDE, build_demo, busiest, pct  # noqa: E402

from rating_tui import paths  # noqa: E402
from rating_tui.store import Store  # noqa: E402

NEW_DYAD = (
    BESIDE.replace(
        "folder, instrument_file, base_file, count, floor_file = sys.argv[1:]",
        "folder, instrument_file, base_file, count, floor_file, first, bound = sys.argv[1:]\n"
        "from rating_tui.store import dyads, fileio\n"
        "from rating_tui.store.storage import SafeStorage\n"
        "if bound == '0':  # before: no limit, one summary file a month (as format 6 wrote)\n"
        "    dyads.DYADS_LIMIT = 10**12\n"
        "summary, total = [0], [0]\n"
        "prepare, write = SafeStorage.prepare, fileio._write\n"
        "def preparing(self, data):\n"
        "    out = prepare(self, data)\n"
        "    if self.path.parent.name == 'dyads':\n"
        "        summary[0] += len(out)\n"
        "    return out\n"
        "SafeStorage.prepare = preparing\n"
        "fileio._write = lambda fd, b: (total.__setitem__(0, total[0] + len(b)), write(fd, b))[1]\n"
        "if getattr(fileio, '_pwrite', None) is not None:\n"
        "    pwrite = fileio._pwrite\n"
        "    fileio._pwrite = lambda fd, b, at: "
        "(total.__setitem__(0, total[0] + len(b)), pwrite(fd, b, at))[1]\n"
        "written = []",
    )
    .replace(
        'notes=f"{base.notes} {n}")',
        'notes=f"{base.notes} {n}",\n'
        "        session={**base.session, 'dyad': f'QB{int(first) + n:04d}'})\n"
        "    summary[0] = total[0] = 0",
    )
    .replace(
        "    floor.append(time.perf_counter() - started)\n",
        "    floor.append(time.perf_counter() - started)\n"
        "    written.append([summary[0], total[0]])\n",
    )
    .replace("print(json.dumps([times, floor]))", "print(json.dumps([times, floor, written]))")
)
"""Saves of a dyad new to the month (QB0000, QB0001, ...: new codes from `first`), each
followed by the floor; with the bytes each save prepares for summaries of dyads and the bytes
it writes in all (journal, files, audit line). `bound` "0": the summaries without a limit."""


def new_dyad_section(args: argparse.Namespace, work: Path) -> None:
    """Saves of a dyad new to the busiest month of a copy of demo-data folder
    `args.new_dyad`: before (one summary file a month, format 6: the folder's summaries
    rebuilt without a limit, and the saves run without one) and after (parts of
    `DYADS_LIMIT` codes), in fresh processes taking turns, each save beside the floor."""
    from rating_tui.services import demo

    instrument_file = paths.builtin_instruments_dir() / f"{demo.BUILTIN_ID}.toml"
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    rounds, per_round = 4, max(1, args.saves // 4)
    folders: dict[str, Path] = {}
    for kind, bound in (("before", "0"), ("after", "1")):
        folders[kind] = work / f"new-dyad-{kind}" / "data"
        shutil.rmtree(folders[kind].parent, ignore_errors=True)
        shutil.copytree(args.new_dyad, folders[kind], symlinks=True)
        script = (
            "import sys\nfrom pathlib import Path\nfrom rating_tui.store import Store, dyads\n"
            "if sys.argv[2] == '0':\n    dyads.DYADS_LIMIT = 10**12\n"
            "Store.open(Path(sys.argv[1])).rebuild_index()\n"
        )
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", script, str(folders[kind]), bound], check=True, cwd=ROOT
        )
        files = sorted(p.name for p in (folders[kind] / "dyads").iterdir())
        print(
            f"new-dyad {kind}: summaries rebuilt in {time.perf_counter() - started:5.1f} s,"
            f" {len(files)} files"
        )
    month, held = busiest(folders["after"])
    year, number = int(month[:4]), int(month[5:7])
    base = Store.open(folders["after"]).list(
        date_from=date(year, number, 1), date_to=date(year, number, 28)
    )[0]
    codes = len(json.loads((folders["before"] / "dyads" / f"{month}.json").read_text())["dyads"])
    out: dict[str, dict[str, list[Any]]] = {
        k: {"saves": [], "floor": [], "bytes": []} for k in folders
    }
    for r in range(rounds):
        for kind, bound in (("before", "0"), ("after", "1")):
            folder = folders[kind]
            base_file = folder.parent / "base.json"
            base_file.write_text(base.model_dump_json())
            argv = [str(folder), str(instrument_file), str(base_file), str(per_round)]
            argv += [str(folder.parent / "beside.log"), str(r * per_round), bound]
            done = subprocess.run(
                [sys.executable, "-c", NEW_DYAD, *argv],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            saves, floor, written = json.loads(done.stdout)
            out[kind]["saves"] += saves
            out[kind]["floor"] += floor
            out[kind]["bytes"] += written
    after_load = Path("/proc/loadavg").read_text().split()[:3] if load else []
    print(
        f"\nsave of a dyad new to the busiest month {month} ({held} ratings, {codes} codes)"
        f" of {args.new_dyad.name}: {rounds} x {per_round} saves each, fresh processes taking"
        f" turns; load {' '.join(load)} -> {' '.join(after_load)}"
    )
    figures = {}
    for kind in folders:
        saves, floor, written = out[kind]["saves"], out[kind]["floor"], out[kind]["bytes"]
        summary = [w[0] for w in written]
        total = [w[1] for w in written]
        figures[kind] = (pct(saves, 0.5), pct(saves, 0.95), pct(floor, 0.95))
        print(
            f"  {kind:<6} save p50 {pct(saves, 0.5) * 1e3:7.2f} ms  p95"
            f" {pct(saves, 0.95) * 1e3:7.2f} ms | append+fsync beside p50"
            f" {pct(floor, 0.5) * 1e3:6.2f} ms p95 {pct(floor, 0.95) * 1e3:6.2f} ms |"
            f" summary bytes a save: median {statistics.median(summary):,.0f} max {max(summary):,}"
            f" | all bytes written: median {statistics.median(total):,.0f}"
        )
    (b50, b95, bf), (a50, a95, af) = figures["before"], figures["after"]
    print(
        f"  ratios: after/before p50 {a50 / b50:.2f}x, p95 {a95 / b95:.2f}x;"
        f" p95 / floor p95 beside: before {b95 / bf:.1f}x, after {a95 / af:.1f}x"
    )
    from rating_tui.store.dyads import DYADS_LIMIT

    print(
        f"  target: the summary bytes a save writes bounded whatever the month holds (one part"
        f" of at most {DYADS_LIMIT} codes); after: max {max(w[0] for w in out['after']['bytes']):,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="a demo-data folder (copied, never changed)")
    parser.add_argument(
        "--count", type=int, default=100_000, help="demo ratings made without --data"
    )
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="work here and keep the copies")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="dyad-save-bench-"))
    try:
        if args.data is None:
            args.data = work / "demo" / "data"
            seconds = build_demo(args.data, args.count)
            print(f"made {args.count} demo ratings in {seconds:.1f} s")
        args.new_dyad = args.data
        new_dyad_section(args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
