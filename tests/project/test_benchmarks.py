"""Every benchmark script still runs end to end (on tiny sizes) and prints its ratios, so the
README's performance figures can always be measured again. The figures themselves are not
checked here: timing on a shared machine belongs in the benchmarks, not in tests."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

TINY = {
    "batches_bench.py": ["--counts", "200", "400", "--batch", "100"],
    "cli_bench.py": ["--rounds", "1"],
    "store_bench.py": ["--sizes", "50", "100", "--saves", "5", "--runs", "1"],
    "dyad_save_bench.py": ["--count", "200", "--saves", "4"],
    "export_bench.py": ["--sizes", "50", "100", "--rounds", "1"],
    "bulk_bench.py": ["--sizes", "30", "60"],
    "agreement_bench.py": ["--ratings", "200", "--runs", "1", "--raters", "3"],
    "alerts_bench.py": ["--count", "200", "--rounds", "1"],
    "frame_bench.py": ["--count", "30", "--rounds", "1"],
    "toml_bench.py": ["--size", "20000", "--runs", "1"],
    "crypto_bench.py": ["--size", "200", "--saves", "4", "--runs", "2"],
    "save_bench.py": ["--demo", "30", "--demo", "60", "--saves", "3", "--rounds", "1"],
    "scale_bench.py": [
        "--sizes",
        "30",
        "60",
        "--saves",
        "3",
        "--import-count",
        "20",
        "--rounds",
        "1",
    ],
}


def test_every_benchmark_script_is_covered() -> None:
    assert sorted(p.name for p in (REPO / "benchmarks").glob("*_bench.py")) == sorted(TINY)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TINY))
def test_a_benchmark_runs_on_tiny_sizes_and_prints_ratios(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *TINY[script]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert re.search(r"\d+\.\d+x?\s", done.stdout), done.stdout[-2000:]
    assert "target" in done.stdout or "≤" in done.stdout
