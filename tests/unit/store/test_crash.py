"""Kill -9 a writer at random moments: no file is ever left unparseable, and every save that
had returned is on disk, in the version that was acknowledged (or the one in flight)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rating_tui import passphrase
from rating_tui.store import Store, crypto, journal
from rating_tui.store.convert import encrypt_folder
from rating_tui.store.fileio import STAGED_SUFFIX, TEMP_SUFFIX
from rating_tui.store.layout import Layout

pytestmark = pytest.mark.slow

TRIALS = 30


def _run_and_kill(
    writer: list[str], data: Path, seed: int, kill_at: int | None = None
) -> list[str]:
    """Start a writer and SIGKILL it once it has acknowledged a random number of saves, either
    right then or as soon as it announces the next one (so inside a save); or, with
    `kill_at`, let it kill itself at its `kill_at`-th fsync. Counting events rather than
    seconds makes the test prove the same thing on a loaded machine as on an idle one.
    Returns the writer's complete output lines."""
    rng = random.Random(seed)
    acks_wanted = rng.randrange(3, 40)
    inside_a_save = rng.random() < 0.5
    command = [*writer, str(data), "crash", str(seed)]
    if kill_at is not None:
        command.append(str(kill_at))
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    lines: list[str] = []
    acks = 0
    killed = False
    for line in child.stdout:
        if not line.endswith("\n"):  # a line cut by the kill is not an acknowledgement
            break
        lines.append(line.rstrip("\n"))
        acks += line.startswith("ok ")
        due = kill_at is None and not killed and acks >= acks_wanted
        if due and (not inside_a_save or line.startswith("try ")):
            os.kill(child.pid, signal.SIGKILL)
            killed = True
    child.wait(timeout=600)
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    if kill_at is None:
        assert acks >= acks_wanted
    return lines


def _check(data: Path, lines: list[str], earlier: dict[str, str]) -> int:
    """Check the folder after a kill; `earlier` holds the markers that earlier trials left
    (each writer edits only its own ratings), and is updated with this trial's."""
    # 1. every data file parses as the kill left it (a temp file may be half written)
    codec = crypto.codec_for(data)  # plain, or the folder's AES-GCM (issue 16)
    for path in data.rglob("*"):
        if path.name == "store.json":
            json.loads(path.read_bytes())  # never encoded (it holds no ratings)
        elif path.name == "journal.json":  # whole and checked (a carried file's bytes too)
            assert journal.read_journal(Layout(data)) is not None
        elif path.is_file() and path.suffix == ".json":
            json.loads(codec.decode(path.read_bytes()))
        elif path.name == "audit.jsonl":  # complete lines parse; a torn last one is cut later
            for line in path.read_bytes().split(b"\n")[:-1]:
                json.loads(line)
        elif path.is_file():
            assert path.name == ".lock" or path.name.endswith((TEMP_SUFFIX, STAGED_SUFFIX)), path
    # 2. every acknowledged save is there, in the acknowledged or the in-flight version
    acked: dict[str, str] = {}
    pending: dict[str, str] = {}
    for line in lines:
        kind, *rest = line.split()
        if kind == "try":
            pending[rest[0]] = rest[1]
        elif kind == "ok":
            acked[rest[0]] = rest[1]
            pending.pop(rest[0], None)
    store = Store.open(data)  # recovers: temp files and an interrupted move are cleaned up
    assert not data.joinpath("journal.json").exists()
    assert not list(data.rglob(f"*{TEMP_SUFFIX}")) and not list(data.rglob(f"*{STAGED_SUFFIX}"))
    # the audit log agrees with the ratings after every kill (issue 16)
    assert not [f for f in store.check() if f.level == "error"]
    for rating_id, marker in acked.items():
        stored = store.get(rating_id).notes.split(":")[0]
        assert stored in {marker, pending.get(rating_id)}, (rating_id, marker, stored)
        earlier[rating_id] = stored
    for rating_id, marker in earlier.items():
        assert store.get(rating_id).notes.split(":")[0] == marker
    # 3. each rating lives in exactly one month, and the index knows where
    seen: dict[str, str] = {}
    for shard in (data / "ratings").glob("*.json"):
        for rating_id in json.loads(codec.decode(shard.read_bytes()))["ratings"]:
            assert rating_id not in seen, f"{rating_id} in {shard.name} and {seen[rating_id]}"
            seen[rating_id] = shard.name
    assert set(earlier) <= set(seen)
    return len(acked)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_sigkill_at_random_moments_loses_nothing_acknowledged(
    tmp_path: Path, writer_command: list[str], encrypted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two writers run at a time, each on its own folder, which is reused from trial to trial
    # so that every kill lands on a folder already marked by earlier kills.
    folders = [tmp_path / "a", tmp_path / "b"]
    earlier: list[dict[str, str]] = [{}, {}]
    if encrypted:  # issue 16: the writers save through the AES-GCM codec
        for folder in folders:
            Store.open(folder)
            encrypt_folder(folder, "pw", cost={"n": 2**10, "r": 8, "p": 1})
        monkeypatch.setenv(passphrase.ENV, "pw")

    def trial(n: int) -> int:
        data = folders[n % 2]
        return _check(data, _run_and_kill(writer_command, data, seed=1000 + n), earlier[n % 2])

    acked = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for start in range(0, TRIALS, 2):
            acked += list(pool.map(trial, [start, start + 1]))
    assert len(acked) == TRIALS
    assert sum(acked) >= 3 * TRIALS, acked  # each writer acknowledged 3 to 40 saves


INJECTED = 16


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_sigkill_inside_a_write_loses_nothing_acknowledged(
    tmp_path: Path, writer_command: list[str], encrypted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic crash points: the writer kills itself at its n-th fsync, i.e. between
    writing a temp file and renaming it, or between the rename and the folder sync. A storage
    that rewrote files in place (like TinyDB's JSONStorage) fails this test. Encrypted, the
    writers save through the AES-GCM codec, unlocked by the passphrase in their environment."""
    folders = [tmp_path / "a", tmp_path / "b"]
    earlier: list[dict[str, str]] = [{}, {}]
    points = random.Random(7).sample(range(3, 400), INJECTED)
    if encrypted:
        for folder in folders:
            Store.open(folder)
            encrypt_folder(folder, "pw", cost={"n": 2**10, "r": 8, "p": 1})
        monkeypatch.setenv(passphrase.ENV, "pw")

    def trial(n: int) -> int:
        data = folders[n % 2]
        lines = _run_and_kill(writer_command, data, seed=2000 + n, kill_at=points[n])
        return _check(data, lines, earlier[n % 2])

    acked = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for start in range(0, INJECTED, 2):  # in pairs: never two trials on one folder
            acked += list(pool.map(trial, [start, start + 1]))
    assert sum(acked) > INJECTED, acked
