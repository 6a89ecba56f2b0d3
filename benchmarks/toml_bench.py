"""TOML bounds benchmark: the worst instrument files the loader still parses, and the hostile
ones it refuses, next to the built-in instrument in the same run.

    python benchmarks/toml_bench.py [--size 1000000] [--runs 3]

Each case is text of about `--size` bytes (the loader's cap is 1 MB) built right at one of
the bounds of `rating_tui.instruments.toml_bounds` (dotted keys of the most parts allowed,
the most tables, the deepest nesting, the longest lines), or just past one (refused by the
linear pre-check before `tomllib` sees it). It prints the median time of `parse_instrument`
(pre-check + tomllib + validation up to the first error) and its ratio to parsing the
built-in instrument; the target (issue 14) is well under a second for every case.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from rating_tui.instruments import toml_bounds as tb  # noqa: E402
from rating_tui.instruments.loader import parse_instrument  # noqa: E402
from rating_tui.instruments.problems import InstrumentError  # noqa: E402

BUILTIN = ROOT / "instruments" / "paris-2009-seven-concepts.toml"


def repeat(size: int, count: int, unit: Callable[[int], str]) -> str:
    """`unit(0) + unit(1) + ...`, `count` of them or fewer when `size` bytes are reached."""
    parts: list[str] = []
    total = 0
    for n in range(count):
        piece = unit(n)
        if total + len(piece) > size:
            break
        parts.append(piece)
        total += len(piece)
    return "".join(parts)


def cases(size: int) -> dict[str, str]:
    """Text at each bound (parsed, then refused by validation), and past some (refused)."""
    most = tb.MAX_ENTRIES - 1
    deep = ".".join(["k"] * (tb.MAX_KEY_PARTS - 1))
    nest = "[" * tb.MAX_NESTING + "1" + "]" * tb.MAX_NESTING
    tables = repeat(size // 2, tb.MAX_TABLES, lambda n: f"[t{n}.{deep}]\n")
    elements = "x = [" + "1,\n" * (most - 1) + "1]\n"
    return {
        f"{most:,} keys of {tb.MAX_KEY_PARTS} parts": repeat(
            size, most, lambda n: f"{deep}.k{n}=1\n"
        ),
        f"{tb.MAX_TABLES:,} tables of {tb.MAX_KEY_PARTS} parts": tables,
        f"an array of {most:,} numbers": elements,
        f"arrays {tb.MAX_NESTING} deep": repeat(
            size, most // tb.MAX_NESTING, lambda n: f"n{n}={nest}\n"
        ),
        f"lines of {tb.MAX_LINE:,} characters": repeat(
            size, most, lambda n: f's{n} = "' + "x" * (tb.MAX_LINE - 20) + '"\n'
        ),
        "inline tables of dotted keys": repeat(
            size, most // 3, lambda n: f"i{n} = {{ {deep}.a = 1, {deep}.b = 2 }}\n"
        ),
        "a header of 200,000 parts (refused)": "[" + ".".join(["a"] * 200_000) + "]\n",
        f"{tb.MAX_ENTRIES + 1:,} keys (refused)": "".join(f"k{n}=1\n" for n in range(most + 2)),
        "arrays nested 100,000 deep (refused)": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
    }


def timed(text: str, runs: int) -> tuple[float, str]:
    times, outcome = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        try:
            parse_instrument(text, "bench.toml")
            outcome = "parsed"
        except InstrumentError as exc:
            outcome = "refused: " + exc.problems[0].message[:50]
        times.append(time.perf_counter() - start)
    return statistics.median(times), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base, _ = timed(BUILTIN.read_text(encoding="utf-8"), args.runs)
    print(f"built-in instrument: {base * 1000:.2f} ms (baseline)")
    print("target: every case well under 1 s")
    for name, text in cases(args.size).items():
        seconds, outcome = timed(text, args.runs)
        ratio = seconds / base
        print(f"{name:42} {len(text) / 1e6:5.2f} MB {seconds:8.3f} s {ratio:9.1f}x  {outcome}")


if __name__ == "__main__":
    main()
