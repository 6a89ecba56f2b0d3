"""Timing of saves and of their floor, shared by the store benchmarks: saves of a new rating
in a fresh process (as in the app), the append + fsync of one rating's JSON that a durable save
cannot beat (after each save in the same process, or in a run of its own), and the demo-data
folders they run on (built by the console script as a whole process)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rating_tui.ratings import Rating

ROOT = Path(__file__).resolve().parent.parent

SAVES = """
import json, sys, time, uuid
from pathlib import Path
from rating_tui.instruments.loader import load_instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store
folder, instrument_file, base_file, count = sys.argv[1:]
instrument = load_instrument(Path(instrument_file)).instrument
base = Rating.model_validate_json(Path(base_file).read_text())
store = Store.open(Path(folder))
times = []
for n in range(int(count)):
    rating = base.replace(id=str(uuid.uuid4()), notes=f"{base.notes} {n}")
    started = time.perf_counter()
    store.finalise(rating, instrument)
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def time_saves(folder: Path, instrument_file: Path, base: Rating, count: int) -> list[float]:
    """Save latencies measured in a fresh process, as in the app (not in this one, whose
    100k generated records would make every garbage collection slow)."""
    base_file = folder.parent / "base.json"
    base_file.write_text(base.model_dump_json())
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            SAVES,
            str(folder),
            str(instrument_file),
            str(base_file),
            str(count),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    times: list[float] = json.loads(out.stdout)
    return times


def count_fsyncs(folder: Path, instrument_file: Path, base: Rating) -> str:
    """The fsyncs and bytes written of the third of three saves in a fresh process, as the
    timed saves make them (counted through `fileio`'s aliases, untimed)."""
    script = SAVES.replace(
        "store = Store.open(Path(folder))",
        "from rating_tui.store import fileio\n"
        "import os\n"
        "ops = []\n"
        "fileio._fsync = lambda fd: (ops.append(0), os.fsync(fd))[1]\n"
        "fileio._write = lambda fd, b: (ops.append(len(b)), os.write(fd, b))[1]\n"
        "if getattr(fileio, '_pwrite', None) is not None:  # (in-place writes)\n"
        "    fileio._pwrite = lambda fd, b, at: (ops.append(len(b)), os.pwrite(fd, b, at))[1]\n"
        "store = Store.open(Path(folder))",
    ).replace("    times.append(", "    ops.append(None)\n    times.append(")
    script = script.replace("print(json.dumps(times))", "print(json.dumps(ops))")
    base_file = folder.parent / "base.json"
    out = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(instrument_file), str(base_file), "3"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    ops = json.loads(out.stdout)
    marks = [i for i, op in enumerate(ops) if op is None]
    last = ops[marks[1] + 1 : marks[2]]
    return f"a save: {last.count(0)} fsyncs, {sum(last):,} bytes written"


BESIDE = (
    SAVES.replace(
        "folder, instrument_file, base_file, count = sys.argv[1:]",
        "folder, instrument_file, base_file, count, floor_file = sys.argv[1:]\n"
        "import os\n"
        "fd = os.open(floor_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)\n"
        "floor = []",
    )
    .replace(
        "    times.append(time.perf_counter() - started)\n",
        "    times.append(time.perf_counter() - started)\n"
        "    line = rating.model_dump_json().encode() + b'\\n'\n"
        "    started = time.perf_counter()\n"
        "    os.write(fd, line)\n"
        "    os.fsync(fd)\n"
        "    floor.append(time.perf_counter() - started)\n",
    )
    .replace("print(json.dumps(times))", "print(json.dumps([times, floor]))")
)


def time_saves_beside_floor(
    folder: Path, instrument_file: Path, base: Rating, count: int
) -> tuple[list[float], list[float]]:
    """`time_saves`, each save followed in the same process by the floor (an append + fsync
    of the saved rating's JSON to a file beside the folder): the two share the machine's state
    save by save, which a floor timed after all the saves does not on a loaded machine."""
    base_file = folder.parent / "base.json"
    base_file.write_text(base.model_dump_json())
    floor_file = folder.parent / "beside.log"
    args = [str(folder), str(instrument_file), str(base_file), str(count), str(floor_file)]
    out = subprocess.run(
        [sys.executable, "-c", BESIDE, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    saves, floor = json.loads(out.stdout)
    return saves, floor


APPEND = """
import json, os, sys, time
path, line, count = sys.argv[1], sys.argv[2].encode() + b"\\n", int(sys.argv[3])
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
times = []
for _ in range(count):
    started = time.perf_counter()
    os.write(fd, line)
    os.fsync(fd)
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def time_floor(folder: Path, line: str, count: int) -> list[float]:
    """The floor of a durable save: append one rating's JSON to a file and fsync it, in a
    fresh process, on the same file system as the data folders."""
    folder.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [sys.executable, "-c", APPEND, str(folder / "append.log"), line, str(count)],
        capture_output=True,
        text=True,
        check=True,
    )
    times: list[float] = json.loads(out.stdout)
    return times


def console_script() -> list[str]:
    script = Path(sys.executable).parent / "rating-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rating_tui"]


def build_demo(folder: Path, count: int) -> float:
    """Seconds `rating-tui demo-data --count COUNT --data FOLDER` takes, as a whole process."""
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [*console_script(), "demo-data", "--count", str(count), "--data", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started


def busiest(folder: Path) -> tuple[str, int]:
    """(month, ratings in it) of the month holding the most ratings, from the manifest."""
    counts = json.loads((folder / "manifest.json").read_text())["shards"]
    month = max((m for m in counts if m != "undated"), key=lambda m: counts[m]["n"])
    return month, int(counts[month]["n"])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
