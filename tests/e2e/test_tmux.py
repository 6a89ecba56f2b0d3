"""The real program in a real terminal: rate a session through tmux, quit, check the store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rating_tui.store.api import Store
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (apt install tmux)"
)


def tmux(*args: str) -> str:
    result = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30)
    return result.stdout


def wait_for(session: str, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear; the screen was:\n{screen}")


def press(session: str, key: str, timeout: float = 20) -> None:
    """Send one key and wait until the screen or the cursor shows it was handled, so a busy
    machine never has the next key arrive before the app took this one."""

    def state() -> str:
        cursor = tmux("display-message", "-p", "-t", session, "#{cursor_x},#{cursor_y}")
        return cursor + tmux("capture-pane", "-p", "-t", session)

    before = state()
    tmux("send-keys", "-t", session, key)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if state() != before:
            return
        time.sleep(0.05)
    raise AssertionError(f"{key!r} changed nothing on the screen:\n{before}")


def wait_gone(session: str, text: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text not in tmux("capture-pane", "-p", "-t", session):
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} is still on the screen")


def test_rate_a_session_in_a_real_terminal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    session = f"rating-tui-e2e-{os.getpid()}"
    env = {
        "RATING_TUI_DATA": str(data),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    command = f"cd {REPO} && {exports} {sys.executable} -m rating_tui; sleep 5"
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        wait_for(session, "No ratings yet")
        tmux("send-keys", "-t", session, "n")
        wait_for(session, "Dyad code")
        tmux("send-keys", "-t", session, "EC0417")
        wait_for(session, "EC0417")
        press(session, "Enter")
        press(session, "Enter")  # keep date and session number
        press(session, "Enter")
        press(session, "R")
        press(session, "P")
        tmux("send-keys", "-t", session, "C-n")
        wait_for(session, "required done")
        for key in "3240123":
            press(session, key)
        tmux("send-keys", "-t", session, "r")
        wait_for(session, "Enter saves")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "final 7/7")
        tmux("send-keys", "-t", session, "C-q")
        wait_gone(session, "final 7/7")  # the app has quit
    finally:
        tmux("kill-session", "-t", session)
    [rating] = Store.open(data).list()
    assert rating.session["dyad"] == "EC0417"
    assert [rating.answers[k].value for k in ("narration", "reflective")] == [3, 3]  # type: ignore[union-attr]
