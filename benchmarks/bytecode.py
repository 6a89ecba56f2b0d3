"""Compile rating-tui's modules to bytecode before timing start-up, as `pip install` does.

A wheel install writes `.pyc` files for every module at install time, and so do the
dependencies in the same environment. A source checkout run with PYTHONDONTWRITEBYTECODE set
(common in containers and CI) would otherwise compile our modules from source on every start,
while the baseline's libraries load precompiled: that compares different things.
"""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "rating_tui"


def compile_package() -> None:
    """Write (or refresh) the `__pycache__` files of the rating_tui package."""
    if not compileall.compile_dir(PACKAGE, quiet=1):
        raise SystemExit(f"cannot byte-compile {PACKAGE.name}")
