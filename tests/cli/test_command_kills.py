"""Kill -9 a real `rating-tui ratings import` and `rating-tui merge --into` (a child process
running the command line) inside its write, then open the folder and run doctor: either all
of the file is stored or none of it, and the folder is healthy.

The kill points are counted in file-system events, not seconds: the child (`cli_child.py`)
announces each fsync and either kills itself at its n-th one, or the parent kills it as soon
as it has announced the n-th (the kill then lands a little later, anywhere). The number of
fsyncs of a whole run is measured first, in the same test, so every point falls inside it.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rating_tui.ratings import STATUSES, Rating
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from rating_tui.store.fileio import STAGED_SUFFIX, TEMP_SUFFIX
from tests.cli.test_ratings_cli import run

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("cli_child.py")
ROOT = Path(__file__).parents[2]
SELF_KILLS = 10
PARENT_KILLS = 4


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(a folder of 60 ratings, a folder of 100 others, the 100 as a JSON Lines file whose
    dyads differ from the folder's, so the import's pre-store checks have nothing to refuse)."""
    root = tmp_path_factory.mktemp("kills")
    instrument = builtin_instrument()
    base, other = root / "base", root / "other"
    fill_demo_data(Store.open(base), instrument, 60, seed=1)
    fill_demo_data(Store.open(other), instrument, 100, seed=2)
    key = instrument.key_for("dyad")
    assert key is not None
    ratings = [
        r.replace(session=r.session | {key: "K" + str(r.session[key])[1:]})
        for r in Store.open(other).iter_all(statuses=STATUSES)
    ]
    source = root / "in.jsonl"
    source.write_text("".join(r.model_dump_json() + "\n" for r in ratings))
    return base, other, source


def _stored(folder: Path) -> dict[str, Rating]:
    return {r.id: r for r in Store.open(folder).iter_all(statuses=STATUSES)}


def _child(args: list[str], kill_at: int, parent_kill: bool = False) -> tuple[int, int]:
    """Run the command in a child; (its return code, the fsyncs it announced). With
    `parent_kill`, the parent sends SIGKILL once the child announced its `kill_at`-th fsync;
    else the child kills itself at that fsync (0: never)."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    own = 0 if parent_kill else kill_at
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(own), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    seen = 0
    for line in child.stdout:
        if line.startswith("fsync "):
            seen += 1
            if parent_kill and seen == kill_at:
                os.kill(child.pid, signal.SIGKILL)
    return child.wait(timeout=600), seen


def _trials(
    tmp_path: Path,
    base: Path,
    command: Callable[[Path], list[str]],
    wanted: dict[str, Rating],
) -> set[str]:
    """Kill the command at chosen points, each on its own copy of `base`; check each folder;
    return the outcomes seen ("none", "all")."""
    before = _stored(base)  # (opening finishes the journal the set-up's last change left)
    measured = tmp_path / "measured"
    shutil.copytree(base, measured)
    code, total = _child(command(measured), 0)
    assert code == 0 and total > 10
    assert _stored(measured) == before | wanted
    rng = random.Random(total)
    points = [(1, False), (total, False)]
    points += [(k, False) for k in rng.sample(range(2, total), SELF_KILLS - 2)]
    points += [(k, True) for k in rng.sample(range(1, total + 1), PARENT_KILLS)]
    folders = [tmp_path / f"t{n}" for n in range(len(points))]
    for folder in folders:
        shutil.copytree(base, folder)

    def trial(n: int) -> int:
        kill_at, parent_kill = points[n]
        return _child(command(folders[n]), kill_at, parent_kill)[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(trial, range(len(points))))
    outcomes = set()
    for (kill_at, parent_kill), code, folder in zip(points, codes, folders, strict=True):
        where = (kill_at, parent_kill, folder)
        if not parent_kill:
            assert code == -signal.SIGKILL, where
        stored = _stored(folder)  # opening rolls a committed transaction forward
        if stored == before:
            outcomes.add("none")
        else:
            assert stored == before | wanted, (where, len(stored) - len(before))
            outcomes.add("all")
        assert not (folder / "journal.json").exists(), where
        leftovers = [*folder.rglob(f"*{TEMP_SUFFIX}"), *folder.rglob(f"*{STAGED_SUFFIX}")]
        assert leftovers == [], where
        code, out, _ = run("doctor", "--data", str(folder))
        assert code == 0 and "Healthy" in out, (where, out)
    return outcomes


def test_a_killed_import_stores_all_of_the_file_or_none_of_it(
    tmp_path: Path, setup: tuple[Path, Path, Path]
) -> None:
    base, _, source = setup
    wanted = {r.id: r for r in (Rating.model_validate_json(x) for x in source.open())}

    def command(folder: Path) -> list[str]:
        return ["ratings", "import", str(source), "--data", str(folder), "--accept-warnings"]

    assert _trials(tmp_path, base, command, wanted) == {"none", "all"}


def test_a_killed_merge_into_a_folder_merges_all_or_nothing(
    tmp_path: Path, setup: tuple[Path, Path, Path]
) -> None:
    base, other, _ = setup

    def command(folder: Path) -> list[str]:
        return ["merge", str(other), "--into", str(folder)]

    assert _trials(tmp_path, base, command, _stored(other)) == {"none", "all"}
