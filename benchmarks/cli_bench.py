"""Start-up of the command line, as ratios to a bare Typer app's `--help` measured in the same
run (interleaved rounds, medians), because absolute times on a shared machine mean little.

    python benchmarks/cli_bench.py [--rounds N] [--update-readme]

Targets (issue 2): `rating-tui --help` and `rating-tui instruments validate` of the built-in
instrument each within 1.5x of the bare Typer `--help`. For reference it also times the bare
app running a command with one option: Typer then coerces parameters, which imports
pydantic (Typer 0.29), a cost `--help` never pays.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args()
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
            "rating-tui --help": [sys.executable, "-m", "rating_tui", "--help"],
            "rating-tui instruments validate (built-in)": [
                sys.executable,
                "-m",
                "rating_tui",
                "instruments",
                "validate",
                str(builtin),
            ],
        }
        for argv in cases.values():  # warm the file cache and .pyc files
            timed(argv)
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, argv in cases.items():
                samples[name].append(timed(argv))
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
    if args.update_readme:
        readme = REPO / "README.md"
        text = readme.read_text()
        head, _, rest = text.partition("<!-- cli-bench -->")
        _, _, tail = rest.partition("<!-- /cli-bench -->")
        note = f"{args.rounds} interleaved rounds:\n\n{table}\n"
        readme.write_text(f"{head}<!-- cli-bench -->\n{note}<!-- /cli-bench -->{tail}")


if __name__ == "__main__":
    main()
