"""The store and the ratings model stay free of UI code, prints and prompts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import rating_tui

PACKAGE = Path(rating_tui.__file__).parent


def test_store_and_ratings_never_import_textual() -> None:
    code = (
        "import sys, rating_tui.store, rating_tui.ratings\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_store_and_ratings_neither_print_nor_prompt() -> None:
    for folder in ("store", "ratings"):
        for source in (PACKAGE / folder).glob("*.py"):
            tree = ast.parse(source.read_text(), str(source))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    assert node.func.id not in ("print", "input"), f"{source}:{node.lineno}"
