"""Fixtures for app tests: the built-in instrument, a store in a temporary folder, a fixed
clock, and an app factory wired the way `launch` wires the real one."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from rating_tui.instruments.catalogue import Catalogue, Source, discover
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from tests.conftest import REPO

TODAY = date(2026, 3, 14)
"""The fixed date of every app test (defaults and snapshots do not depend on the day)."""


@pytest.fixture
def catalogue() -> Catalogue:
    return discover([Source(REPO / "instruments", "built-in")])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "data")


@pytest.fixture
def make_app(catalogue: Catalogue, store: Store, tmp_path: Path) -> Callable[..., RatingApp]:
    def build(**overrides: object) -> RatingApp:
        options: dict[str, object] = {
            "catalogue": catalogue,
            "store": store,
            "data_dir": store.data_dir,
            "today": lambda: TODAY,
            "prefs_file": tmp_path / "prefs.json",
        }
        options.update(overrides)
        return RatingApp(**options)  # type: ignore[arg-type]

    return build


def static_text(widget: Static, width: int = 100) -> str:
    """A Static's content as plain text with whitespace collapsed."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(widget.content)
    return " ".join(console.export_text().split())
