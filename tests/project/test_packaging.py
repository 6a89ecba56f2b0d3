"""The built-in instruments ship inside the wheel and are found after a plain, non-editable
install used from another folder (no source checkout on the path)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import BUILTIN_ID, REPO


@pytest.mark.slow
def test_wheel_carries_and_finds_the_builtin_instrument(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next((tmp_path / "dist").glob("rating_tui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert f"rating_tui/builtin_instruments/{BUILTIN_ID}.toml" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = (
        f"import sys; sys.path = [p for p in sys.path if p not in ('', {str(REPO)!r})]\n"
        "from rating_tui.cli import app\n"
        "app(['instruments', 'validate'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(site / "rating_tui" / "builtin_instruments") in result.stdout
    assert f"{BUILTIN_ID}@0.1.0" in result.stdout
