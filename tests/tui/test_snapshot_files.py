"""Every committed snapshot SVG belongs to a test that still exists.

syrupy fails a run on an unused (obsolete) snapshot only when the suite runs in one process;
under pytest-xdist, which the suite uses, it skips that check, so it is made here instead.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

SNAPSHOTS = REPO / "tests" / "tui" / "__snapshots__"


def collected_names(modules: list[str]) -> set[tuple[str, str]]:
    """(module, test name with parameters) of every test the modules hold, as pytest names them."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
        ]
        + [f"tests/tui/{module}.py" for module in modules],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    names = set()
    for line in done.stdout.splitlines():
        path, sep, name = line.partition("::")
        if sep:
            names.add((path.removeprefix("tests/tui/").removesuffix(".py"), name))
    return names


def test_every_snapshot_file_has_its_test() -> None:
    files = sorted(SNAPSHOTS.glob("*/*.svg"))
    assert files, f"no snapshots found under {SNAPSHOTS}"
    modules = sorted({f.parent.name for f in files})
    tests = collected_names(modules)
    assert {m for m, _ in tests} == set(modules), "a snapshot folder has no test module"
    unused = [f.relative_to(SNAPSHOTS) for f in files if (f.parent.name, f.stem) not in tests]
    assert unused == [], f"snapshots without a test (obsolete: delete them): {unused}"
