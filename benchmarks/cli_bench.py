"""Start-up of the command line, as ratios to a bare Typer app's `--help` measured in the same
run (interleaved rounds in shuffled order, medians), because absolute times on a shared
machine mean little.

    python benchmarks/cli_bench.py [--rounds N]

Targets (issue 2): `rating-tui --help` and `rating-tui instruments validate` of the built-in
instrument each within 1.5x of the bare Typer `--help`. For reference it also times the bare
app running a command with one option: Typer then coerces parameters, which imports
pydantic (Typer 0.29), a cost `--help` never pays. Our modules are byte-compiled first, as
`pip install` does (see bytecode.py), so both sides load precompiled code.
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

from bytecode import compile_package

REPO = Path(__file__).resolve().parent.parent
BARE = '''
import typer
app = typer.Typer()
@app.callback()
def main() -> None:
    """A bare Typer app."""
@app.command()
def hello(name: str = "you") -> None:
    """Say hello."""
app()
'''
TARGET = 1.5
RATING_TUI = [sys.executable, "-c", "import sys; from rating_tui.cli import main; sys.exit(main())"]
"""What the installed `rating-tui` script runs, on this checkout's package (`-m` would add
runpy, which the script does not load)."""


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - start


def isolated_env(home: Path) -> dict[str, str]:
    """This environment, with empty per-user folders and no extra instrument folders, so that
    `validate` without arguments finds the built-in instrument only."""
    env = {k: v for k, v in os.environ.items() if k != "RATING_TUI_INSTRUMENTS"}
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE)
        builtin = REPO / "instruments" / "paris-2009-seven-concepts.toml"
        cases = {
            "bare Typer app --help (baseline)": [sys.executable, str(bare), "--help"],
            "bare Typer app, a command with one option (for reference)": [
                sys.executable,
                str(bare),
                "hello",
                "--name",
                "x",
            ],
            "rating-tui --help": [*RATING_TUI, "--help"],
            "rating-tui instruments validate (built-in)": [
                *RATING_TUI,
                "instruments",
                "validate",
                str(builtin),
            ],
            "rating-tui instruments validate (no argument: every instrument found)": [
                *RATING_TUI,
                "instruments",
                "validate",
            ],
        }
        env = isolated_env(Path(tmp))
        for argv in cases.values():  # warm the file cache and .pyc files
            timed(argv, env)
        samples: dict[str, list[float]] = {name: [] for name in cases}
        order = random.Random(1)
        for _ in range(args.rounds):  # a new order each round: no case always follows another
            for name in order.sample(list(cases), len(cases)):
                samples[name].append(timed(cases[name], env))
    base = statistics.median(samples["bare Typer app --help (baseline)"])
    rows = ["| command | median | ratio to baseline | target |", "| --- | --- | --- | --- |"]
    for name, times in samples.items():
        ratio = statistics.median(times) / base
        verdict = "ok" if ratio <= TARGET else "MISSED"
        target = "—" if name.startswith("bare") else f"≤ {TARGET}x {verdict}"
        rows.append(
            f"| {name} | {statistics.median(times) * 1000:.0f} ms | {ratio:.2f}x | {target} |"
        )
    table = "\n".join(rows)
    print(f"{args.rounds} interleaved rounds, Python {sys.version.split()[0]}\n\n{table}")


if __name__ == "__main__":
    main()
