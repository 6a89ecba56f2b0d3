"""The console script opens the app without building the command line (#11): the bare
command and its data/instrument options go straight to `launch`; everything else reaches
Typer exactly as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rating_tui.start import app_options, command
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (None, [])),
        (["--data", "d"], (Path("d"), [])),
        (
            ["--data=d", "--instruments", "a", "--instruments=b"],
            (Path("d"), [Path("a"), Path("b")]),
        ),
    ],
)
def test_the_bare_command_and_its_options_open_the_app(
    argv: list[str], expected: tuple[Path | None, list[Path]]
) -> None:
    assert app_options(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h"],
        ["--version"],
        ["export"],
        ["--data", "d", "doctor"],
        ["--data", "d", "--data", "e"],  # refused there: e was opened, d passed over
        ["--data"],
        ["--data", "--help"],
        ["--data="],
        ["--dat", "d"],
        ["--", "d"],
    ],
)
def test_everything_else_goes_to_the_command_line(argv: list[str]) -> None:
    assert app_options(argv) is None


PROBE = """
import json, sys
import rating_tui.tui.launch as launch_module
seen = []
def fake_launch(data, instruments, *rest, **options):
    seen.append([str(data), [str(p) for p in instruments],
                 sorted(m for m in ("typer", "click", "pydantic") if m in sys.modules)])
launch_module.launch = fake_launch
sys.argv = ["rating-tui", *sys.argv[1:]]
from rating_tui.start import main
main()
print(json.dumps(seen))
"""


def test_opening_the_app_loads_neither_typer_nor_pydantic(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "--data", str(tmp_path), "--instruments", "x"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == [[str(tmp_path), ["x"], []]]


LOCK_PROBE = """
import sys
import rating_tui.tui.launch as launch_module
def fake_launch(data, instruments, *rest, lock_after=None):
    print("lock", lock_after.minutes if lock_after else None, lock_after and lock_after.given)
launch_module.launch = fake_launch
sys.argv = ["rating-tui", *sys.argv[1:]]
from rating_tui.start import main
main()
"""


@pytest.mark.parametrize(
    ("value", "code", "said"),
    [
        ("3", 0, "lock 3 RATING_TUI_LOCK_AFTER=3"),
        ("soon", 1, "error: RATING_TUI_LOCK_AFTER='soon' is not a number of minutes"),
    ],
)
def test_the_bare_command_reads_the_lock_pause_of_the_environment(
    tmp_path: Path, value: str, code: int, said: str
) -> None:
    """`rating-tui` opened the app with the default pause of 10 minutes whatever
    $RATING_TUI_LOCK_AFTER said (only the command line's path read it), a bad value too."""
    result = subprocess.run(
        [sys.executable, "-c", LOCK_PROBE, "--data", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "RATING_TUI_LOCK_AFTER": value},
    )
    assert result.returncode == code
    assert said in result.stdout + result.stderr


def test_the_bare_command_refuses_a_data_folder_variable_of_spaces() -> None:
    """`rating-tui` with RATING_TUI_DATA='  ' opened a data folder named two spaces."""
    result = subprocess.run(
        [sys.executable, "-c", LOCK_PROBE],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "RATING_TUI_DATA": "  "},
    )
    assert result.returncode == 1 and "lock" not in result.stdout
    assert "error: RATING_TUI_DATA is only spaces ('  ')" in result.stderr


def test_a_command_still_reaches_typer() -> None:
    """The probe above must be able to fail: a command goes through Typer, which reports
    a bad option in its own words."""
    result = subprocess.run(
        [sys.executable, "-m", "rating_tui", "--data"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "--data" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["export", "-f", "jsonl"], "export"),
        (["--data", "export", "--lock-after", "5", "agreement"], "agreement"),
        (["--instruments", "x", "export"], "export"),
        (["--data=d", "export"], "export"),
        (["--version"], None),
        ([], None),
    ],
)
def test_the_command_is_found_past_the_root_options(argv: list[str], expected: str) -> None:
    assert command(argv) == expected


EXPORT_PROBE = """
import gc, sys
import typer
from rating_tui.cli import export_cmd
seen = []
def fake_export(ctx: typer.Context) -> None:
    seen.append(gc.isenabled())
export_cmd.export = fake_export
sys.argv = ["rating-tui", *sys.argv[1:]]
from rating_tui.start import main
try:
    main()
except SystemExit:
    pass
print(seen, gc.isenabled())
"""


@pytest.mark.parametrize(
    ("argv", "expected"), [(["export"], "[False] False"), (["--version"], "[] True")]
)
def test_an_export_runs_with_the_cycle_collector_paused(argv: list[str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", EXPORT_PROBE, *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.splitlines()[-1] == expected, result.stderr
