"""`instruments import-redcap` takes --version and --id as given: of a dictionary written by
rating-tui, a given --version was dropped without a word (its own was kept), and an empty
--id or --version was passed over."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.cli.invoke import run
from tests.conftest import BUILTIN_ID


def _dictionary(tmp_path: Path) -> Path:
    path = tmp_path / "dict.csv"
    code, _, err = run("instruments", "export-redcap", BUILTIN_ID, "-o", str(path))
    assert code == 0, err
    return path


def test_a_given_version_and_id_are_taken_over_the_dictionarys_own(tmp_path: Path) -> None:
    path = _dictionary(tmp_path)
    code, out, err = run("instruments", "import-redcap", str(path), "-o", "-")
    assert code == 0, err
    own = tomllib.loads(out)["version"]
    assert own != "7.1.0"
    code, out, err = run("instruments", "import-redcap", str(path), "--version", "7.1.0",
                         "--id", "my-form", "-o", "-")  # fmt: skip
    assert code == 0, err
    assert (tomllib.loads(out)["version"], tomllib.loads(out)["id"]) == ("7.1.0", "my-form")


def test_an_empty_version_or_id_is_refused(tmp_path: Path) -> None:
    path = _dictionary(tmp_path)
    for option in ("--version", "--id"):
        code, out, err = run("instruments", "import-redcap", str(path), option, " ", "-o", "-")
        assert code == 1 and out == ""
        assert f"{option} is empty: give one, or leave {option} out" in err
