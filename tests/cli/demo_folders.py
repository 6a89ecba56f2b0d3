"""Demo data folders for CLI tests: one built per module, a fresh copy per test (the commands
under test change it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store


def demo_folder(factory: pytest.TempPathFactory, count: int, seed: int) -> Path:
    """A data folder of `count` demo ratings of the built-in instrument."""
    folder = factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), count, seed=seed)
    Store.open(folder)  # as the next process would, finish the last change's journal
    return folder


def copy_of(folder: Path, tmp_path: Path) -> Path:
    """A copy of `folder` for one test to change."""
    target = tmp_path / "data"
    shutil.copytree(folder, target)
    return target
