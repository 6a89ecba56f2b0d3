"""The first frame as a clinician sees it: `rating-tui --data DIR` run as a whole process in a
pseudo-terminal (80x24), against a bare Textual app run the same way, side by side.

    python benchmarks/frame_bench.py [--count 100000] [--rounds 7]

Measured for each case, from spawning the process:
- first frame: the first screen text appears on the terminal (for rating-tui, Home saying it
  is opening the data folder; for the bare app, its one Static);
- Home filled in: Home lists the ratings (or says there are none);
- peak memory (VmHWM) once Home is filled in, and once the app has settled: `SETTLED`
  seconds later, the store and instruments loaded and Home's alerts read (every rating), in
  the warm-up run of each case. A cold Home is filled in from the folder's files before the
  store loads (`tui/home_glance.py`), so the first figure no longer includes the store: the
  settled one is the app's real peak.

Each rating-tui case runs twice: "kept" with Home's preview kept in the data folder between
runs (`rating_tui/tui/home_cache.py`: the lines Home listed last time, shown while the data
folder opens when nothing changed since — the usual start, as the app keeps them every time
Home fills), and "cold" with the preview removed before each run (the first start, or the
first after another process changed the folder: Home waits for the store and the
instruments).

Two data folders besides an empty one: one made by the real `rating-tui demo-data` command
(many dyads and raters, months of very different sizes) and this benchmark's own fixed set-up
(`fill`: `fill_demo_data` through the Store API, one seed). Targets (#11): first frame with
100k ratings at most 1.3x the bare app; Home filled in at most 2x; peak memory with 100k
ratings at most 1.5x with none.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import random
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import compile_package  # noqa: E402

SCRIPT = Path(sys.executable).with_name("rating-tui")
BARE = """
from textual.app import App
from textual.widgets import Static
class Bare(App[None]):
    def compose(self):
        yield Static("bare textual frame")
Bare().run()
"""
FIRST = {"bare": b"bare textual frame", "ours": b"Opening the data folder"}
FILLED = (b"Ratings are saved in", b"No ratings yet")
TIMEOUT = 60.0
SETTLED = 6.0
"""Seconds after Home is filled in when the warm-up run reads the settled peak RSS (Home's
alerts over 100k ratings take a few seconds on a loaded machine)."""
PREVIEW = ".home-preview.json"
"""Home's preview in the data folder (`rating_tui.tui.home_cache.FILE_NAME`, not imported:
the benchmark loads none of the app)."""


def watch(
    argv: list[str],
    first: bytes,
    filled: tuple[bytes, ...],
    cold: Path | None = None,
    linger: float = 0.0,
) -> tuple[float, float, int]:
    """Seconds from spawn to the first frame and to Home filled in, and peak RSS (KiB).
    `cold`: a data folder whose Home preview is set aside for this run and put back after
    it (None: left as it is), so that the "kept" runs find theirs whatever the order;
    `linger`: seconds the app runs on after that before its peak RSS is read, as a session
    does (time for Home to keep its preview)."""
    if cold is None:
        return _watch(argv, first, filled, linger)
    kept, aside = cold / PREVIEW, cold.parent / f"{cold.name}{PREVIEW}.aside"  # outside it
    if kept.exists():
        kept.rename(aside)
    try:
        return _watch(argv, first, filled, linger)
    finally:
        kept.unlink(missing_ok=True)  # what the cold run kept, if it had time to
        if aside.exists():
            aside.rename(kept)


def _watch(
    argv: list[str], first: bytes, filled: tuple[bytes, ...], linger: float
) -> tuple[float, float, int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = os.environ | {
        "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": tempfile.mkdtemp(),
    }
    for name in ("COLUMNS", "LINES", "TEXTUAL", "NO_COLOR"):
        env.pop(name, None)
    start = time.monotonic()
    child = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    moments: list[float] = []
    wanted: list[tuple[bytes, ...]] = [(first,), filled] if filled else [(first,)]
    try:
        while wanted and time.monotonic() - start < TIMEOUT:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                continue
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
            while wanted and any(marker in seen for marker in wanted[0]):
                moments.append(time.monotonic() - start)
                wanted.pop(0)
        if wanted:
            raise SystemExit(f"{argv[-1]}: no {wanted[0]!r} on screen; saw {seen[-400:]!r}")
        time.sleep(linger)
        status = Path(f"/proc/{child.pid}/status").read_text()
        peak = int(status.split("VmHWM:")[1].split()[0])
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        os.close(master)
    return moments[0], (moments[1] if len(moments) > 1 else moments[0]), peak


def fill(folder: Path, count: int) -> None:
    """This benchmark's own set-up: `count` demo ratings stored through the Store API."""
    from rating_tui.instruments.catalogue import Source, discover
    from rating_tui.services.demo import fill_demo_data
    from rating_tui.store.api import Store

    instrument = discover([Source(ROOT / "instruments", "built-in")]).instruments[0].instrument
    fill_demo_data(Store.open(folder), instrument, count, seed=1)


def demo_data(folder: Path, count: int) -> None:
    """The real command, as a researcher would make a demo folder."""
    subprocess.run(
        [str(SCRIPT), "demo-data", "--count", str(count), "--data", str(folder)],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not SCRIPT.exists():
        raise SystemExit(f"no {SCRIPT.name} script beside {sys.executable}: install the project")
    compile_package()  # as `pip install` does: both sides then load precompiled modules
    with tempfile.TemporaryDirectory() as tmp:
        tempfile.tempdir = tmp  # each run's config folder goes, and is removed, here
        folders = {name: Path(tmp) / name for name in ("empty", "demo", "own")}
        folders["empty"].mkdir()  # a folder with no ratings (the preview needs it to exist)
        started = time.perf_counter()
        demo_data(folders["demo"], args.count)
        fill(folders["own"], args.count)
        print(
            f"made two folders of {args.count:,} ratings in {time.perf_counter() - started:.0f} s"
        )
        cases: dict[str, tuple[list[str], bytes, tuple[bytes, ...], Path | None]] = {
            "bare": ([sys.executable, "-c", BARE], FIRST["bare"], (), None),
        }
        for name, folder in folders.items():
            argv = [str(SCRIPT), "--data", str(folder)]
            cases[name] = (argv, FIRST["ours"], FILLED, None)
            cases[f"{name} cold"] = (argv, FIRST["ours"], FILLED, folder)
        time.sleep(2.5)  # past the preview's racy guard for the folders just written
        settled: dict[str, int] = {}
        for name, case in cases.items():  # warm the page cache, and let Home keep its preview
            settled[name] = watch(*case, linger=SETTLED)[2]  # past Home's retry (2.5 s)
        runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in cases}
        order = random.Random(1)
        for _ in range(args.rounds):  # a new order each round: no case always follows another
            for name in order.sample(list(cases), len(cases)):
                runs[name].append(watch(*cases[name]))

    tempfile.tempdir = None  # (the folder above is gone)

    def med(name: str, index: int) -> float:
        return statistics.median(r[index] for r in runs[name])

    bare = med("bare", 0)
    n = f"{args.count:,}"
    print(
        "\n| case (80x24 pseudo-terminal) | first frame | Home filled in | peak RSS "
        f"| peak RSS after {SETTLED:.0f} s |"
    )
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| bare Textual app, one Static | {bare * 1000:.0f} ms | — "
        f"| {med('bare', 2) / 1024:.0f} MiB | {settled['bare'] / 1024:.0f} MiB |"
    )
    labels = {"empty": "no ratings", "demo": f"{n} (demo-data)", "own": f"{n} (own set-up)"}
    for name, label in labels.items():
        for case, how in ((name, "preview kept"), (f"{name} cold", "cold")):
            print(
                f"| `rating-tui --data`, {label}, {how} | {med(case, 0) * 1000:.0f} ms "
                f"| {med(case, 1) * 1000:.0f} ms | {med(case, 2) / 1024:.0f} MiB "
                f"| {settled[case] / 1024:.0f} MiB |"
            )
    print()
    for name in ("empty", "demo", "own"):
        print(
            f"{labels[name]}: first frame / bare app {med(name, 0) / bare:.2f}x "
            f"(cold {med(name + ' cold', 0) / bare:.2f}x; target <= 1.3x); "
            f"Home filled in / bare first frame {med(name, 1) / bare:.2f}x "
            f"(cold {med(name + ' cold', 1) / bare:.2f}x; target <= 2x)"
        )
    for name in ("demo", "own"):
        print(
            f"{labels[name]}: peak memory / no ratings {med(name, 2) / med('empty', 2):.2f}x "
            f"once Home is filled in, {settled[name] / settled['empty']:.2f}x settled "
            "(target <= 1.5x)"
        )


if __name__ == "__main__":
    main()
