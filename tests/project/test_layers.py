"""Domain, storage and the non-TUI commands never load Textual: checked in fresh interpreters,
where `sys.modules` shows everything an import or a command really pulled in."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

PROBE = """
import json, sys
{setup}
print(json.dumps(sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))))
"""


def loaded_textual(setup: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(setup=setup)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "module",
    [
        "rating_tui.instruments.model",
        "rating_tui.instruments.catalogue",
        "rating_tui.instruments.schema",
        "rating_tui.paths",
        "rating_tui.passphrase",
        "rating_tui.store.crypto",
        "rating_tui.store.convert",
        "rating_tui.views.instrument_view",
        "rating_tui.imports.read",
        "rating_tui.services.caseload",
        "rating_tui.services.report",
        "rating_tui.cli",
    ],
)
def test_importing_does_not_load_textual(module: str) -> None:
    assert loaded_textual(f"import {module}") == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["instruments", "list"],
        ["instruments", "show", "paris-2009-seven-concepts"],
        ["instruments", "validate"],
        ["instruments", "schema"],
        ["alerts", "--json"],
    ],
)
def test_running_a_command_does_not_load_textual(argv: list[str]) -> None:
    setup = (
        "import contextlib, io\n"
        "from rating_tui.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    try: app({argv!r})\n"
        "    except SystemExit: pass"
    )
    assert loaded_textual(setup) == []


def test_the_probe_can_see_textual_when_it_is_loaded() -> None:
    """Guards the two tests above against passing because the probe sees nothing."""
    assert "textual" in loaded_textual("import rating_tui.tui.app")


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout
