"""Start-up of the app with 100k ratings stored, as ratios measured side by side in one run.

    python benchmarks/tui_bench.py [--count 100000] [--rounds 7]

- time from process start to the first painted frame of the home screen (headless), against
  a bare Textual app with one Static widget (target: at most 1.3x);
- peak memory (VmHWM) of the app with `--count` ratings stored against the same app with
  none (target: at most 1.5x).

Each run is a fresh process that exits right after its first frame; rounds are interleaved
(in a new order each round) and medians compared, since this machine is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import compile_package  # noqa: E402

BARE = """
import time
from textual.app import App
from textual.widgets import Static
class Bare(App[None]):
    def compose(self):
        yield Static("rating-tui")
    def on_ready(self) -> None:
        print(time.monotonic(), flush=True)
        self.call_after_refresh(self.exit)
Bare().run(headless=True)
print("hwm", open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
"""
OURS = """
import sys, time
from pathlib import Path
from rating_tui.tui import launch
class FirstFrame(launch.RatingApp):
    CSS_PATH = str(Path(launch.__file__).with_name("app.tcss"))
    def on_ready(self) -> None:
        print(time.monotonic(), flush=True)
        super().on_ready()
    def _opened(self, opened) -> None:
        super()._opened(opened)
        self.call_after_refresh(self._filled)
    def _filled(self) -> None:
        print(time.monotonic(), flush=True)
        self.exit()
launch.RatingApp = FirstFrame
app = launch.build_app(None, [], Path(sys.argv[1]))
app.run(headless=True)
assert app.store is not None, app.store_problem
print("hwm", open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
"""


def run(code: str, *args: str) -> tuple[list[float], int]:
    """Seconds from spawning a fresh process to each moment it prints (first frame, and for
    rating-tui Home filled in), and its peak RSS (KiB). The child reads its own VmHWM: the
    rusage of a forked child also counts the parent's memory at the fork."""
    env = os.environ | {"XDG_CONFIG_HOME": tempfile.mkdtemp()}
    start = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    out = child.stdout.read() if child.stdout else ""
    status = child.wait()
    if status != 0:
        raise SystemExit(f"benchmark child failed with status {status}")
    words = out.split()
    peak = int(words[words.index("hwm") + 1])
    return [float(t) - start for t in words[: words.index("hwm")]], peak


def fill(folder: Path, count: int) -> None:
    from rating_tui.instruments.catalogue import Source, discover
    from rating_tui.services.demo import fill_demo_data
    from rating_tui.store.api import Store

    instrument = discover([Source(ROOT / "instruments", "built-in")]).instruments[0].instrument
    fill_demo_data(Store.open(folder), instrument, count, seed=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    compile_package()  # as `pip install` does: both sides then load precompiled modules
    with tempfile.TemporaryDirectory() as tmp:
        full, empty = Path(tmp) / "full", Path(tmp) / "empty"
        started = time.perf_counter()
        fill(full, args.count)
        print(f"filled {args.count} ratings in {time.perf_counter() - started:.1f} s")
        cases = {"bare": (BARE,), "empty": (OURS, str(empty)), "full": (OURS, str(full))}
        for case in cases.values():
            run(*case)  # warm caches
        moments: dict[str, list[list[float]]] = {k: [] for k in cases}
        rss: dict[str, list[int]] = {k: [] for k in cases}
        order = random.Random(1)
        for _ in range(args.rounds):  # a new order each round: no case always follows another
            for name in order.sample(list(cases), len(cases)):
                times, peak = run(*cases[name])
                moments[name].append(times)
                rss[name].append(peak)

    def med(name: str, index: int) -> float:
        return statistics.median(t[index] for t in moments[name]) * 1000

    mem = {k: statistics.median(v) / 1024 for k, v in rss.items()}
    n = f"{args.count:,}"
    print("\n| case | first frame | Home filled in | peak RSS |\n| --- | --- | --- | --- |")
    print(f"| bare Textual app, one Static | {med('bare', 0):.0f} ms | — | {mem['bare']:.0f} MiB |")
    for name, label in (("empty", "no ratings"), ("full", f"{n} ratings")):
        print(
            f"| rating-tui, {label} | {med(name, 0):.0f} ms | {med(name, 1):.0f} ms "
            f"| {mem[name]:.0f} MiB |"
        )
    print(
        f"\nfirst frame with {n} ratings / bare app: {med('full', 0) / med('bare', 0):.2f}x"
        " (target <= 1.3x)"
    )
    print(f"peak memory with {n} / with none: {mem['full'] / mem['empty']:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
