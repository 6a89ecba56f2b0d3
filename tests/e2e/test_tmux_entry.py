"""Mistakes caught at entry, seen in a real terminal (tmux): the first key, a decimal comma,
ctrl+q on the session step, the same session twice, a date in the future."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from rating_tui.ratings.model import Answered, Rating
from rating_tui.services.demo import builtin_instrument
from rating_tui.store.api import Store
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (apt install tmux)"
)
ITEMS = ("narration", "processing", "past_present", "modeling", "affective", "future", "reflective")


class Terminal:
    """The app in a tmux pane of its own server (its own socket), sized as asked."""

    def __init__(self, home: Path, size: tuple[int, int]) -> None:
        # a server of its own per terminal: a name reused by the next test could reach the
        # server the previous test's kill-server had not yet taken down (a blank pane)
        self.socket = f"rating-tui-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.data = home / "data"
        env = {
            "RATING_TUI_DATA": str(self.data),
            "XDG_CONFIG_HOME": str(home / "config"),
            "HOME": str(home),
            "TERM": "xterm-256color",
        }
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        command = f"cd {REPO} && {exports} {sys.executable} -m rating_tui; sleep 5"
        width, height = size
        self.tmux("new-session", "-d", "-s", "app", "-x", str(width), "-y", str(height), command)

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        )
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear; the screen was:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} stayed on screen; the screen was:\n{screen}")

    def wait_for_field(self, label: str, value: str, timeout: float = 20) -> str:
        """Wait until the form's row `label` shows `value` (not just anywhere: the focused
        field's rule under it may quote an example such as EC0417)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if any(re.match(rf"\s*{re.escape(label)}\s+{re.escape(value)}", line)
                   for line in screen.splitlines()):  # fmt: skip
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{label} {value!r} did not appear; the screen was:\n{screen}")

    def wait_for_draft(self, done: Callable[[Rating], bool], timeout: float = 30) -> Rating:
        """The one stored draft once `done` holds for it: the app saves as it quits, and a busy
        machine may take seconds to get there (an earlier autosave may be stored already)."""
        deadline = time.monotonic() + timeout
        drafts: list[Rating] = []
        while time.monotonic() < deadline:
            if self.data.exists():
                drafts = Store.open(self.data).list(statuses=("draft",))
                if len(drafts) == 1 and done(drafts[0]):
                    return drafts[0]
            time.sleep(0.2)
        raise AssertionError(f"no finished draft within {timeout} s; stored drafts: {drafts}")

    def keys(self, *keys: str) -> None:
        """Each key once the one before has shown on screen (text or cursor: a focus move
        moves the cursor), so a slow machine does not run ahead of what a person would see."""
        for key in keys:
            self._changed_by("send-keys", "-t", "app", key)

    def type(self, text: str) -> None:
        self._changed_by("send-keys", "-t", "app", "-l", text)
        self.wait_for(text)

    def _state(self) -> str:
        cursor = self.tmux("display-message", "-p", "-t", "app", "#{cursor_x},#{cursor_y}")
        return cursor + self.screen()

    def _changed_by(self, *command: str, timeout: float = 4) -> None:
        before = self._state()
        self.tmux(*command)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if self._state() != before:
                time.sleep(0.1)  # let the frame finish drawing
                return

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def start(size: tuple[int, int] = (100, 30)) -> Terminal:
        opened.append(Terminal(tmp_path, size))
        return opened[-1]

    yield start
    for t in opened:
        t.close()


def stored_final(data: Path, number: int, day: date, rater: str = "RP") -> None:
    instrument = builtin_instrument()
    rating = Rating.new(instrument, rater).replace(
        session={
            "dyad": "EC0417",
            "session_date": day.isoformat(),
            "session_number": number,
            "rater": rater,
            "setting": "home",
            "present": ["mother", "infant"],
            "basis": "live",
        },
        answers={k: Answered(value=2) for k in ITEMS},
    )
    Store.open(data).finalise(rating, instrument)


def test_first_key_decimal_comma_and_ctrl_q_keeping_a_draft(terminal) -> None:  # type: ignore[no-untyped-def]
    t = terminal()
    t.wait_for("rating-tui")  # the first frame: the data folder may still be opening
    t.tmux("send-keys", "-t", "app", "n")
    t.wait_for("Dyad code")
    t.type("ec0417")
    t.keys("Enter")
    t.wait_for_field("Dyad code", "EC0417")  # upper-cased
    t.keys("Enter", "Enter")  # date and number kept
    t.type("RP")
    t.keys("Enter", "Enter", "Enter")  # rater, setting kept, duration left empty
    t.type("3,5")
    screen = t.wait_for("3,5")
    assert "EC0417" in screen
    t.keys("C-q")
    draft = t.wait_for_draft(lambda d: "infant_age_months" in d.session)
    assert draft.session["dyad"] == "EC0417"
    assert draft.session["infant_age_months"] == 3.5


def test_the_same_session_twice_and_a_future_date(terminal) -> None:  # type: ignore[no-untyped-def]
    t = terminal()
    stored_final(t.data, 1, date.today())
    t.wait_for("Recent ratings")
    t.keys("n")
    t.wait_for("Dyad code")
    t.type("EC0417")
    t.wait_for("Session number          2")
    t.keys("Enter", "Enter", "C-u")  # the suggested number 2 is replaced by 1
    t.type("1")
    t.keys("Enter")
    t.type("RP")
    t.keys("C-n")
    screen = t.wait_for("is already rated by RP")
    assert f"EC0417 session 1 is already rated by RP on {date.today()}" in screen
    assert "Rate anyway" not in screen  # the same rater twice cannot be confirmed
    t.keys("Escape")  # back to the form, at the session number
    t.wait_gone("is already rated by RP")  # keys sent while the dialog closes would go to it
    t.keys("C-u")
    t.type("2")
    t.wait_for_field("Session number", "2")
    t.keys("BTab", "C-u")  # back to the date
    future = date.today() + timedelta(days=150)
    t.type(future.isoformat())
    t.wait_for_field("Session date", future.isoformat())
    t.keys("C-n")
    screen = t.wait_for("in the future")
    assert f"The session date {future} is in the future" in screen
    assert "Rate anyway" in screen  # a warning can be confirmed
    t.keys("c")
    t.wait_for("required done")


def test_every_anchor_and_missing_code_of_the_longest_item_at_80x24(terminal) -> None:  # type: ignore[no-untyped-def]
    t = terminal((80, 24))
    t.wait_for("No ratings yet")
    t.keys("n")
    t.wait_for("Dyad code")
    t.type("EC0417")
    t.keys("Enter", "Enter", "Enter")
    t.type("RP")
    t.keys("C-n")
    t.wait_for("required done")
    t.keys("2", "2", "2")  # to item 4: the longest anchors, and two missing codes
    screen = t.wait_for("[N] Not applicable")
    for anchor in ("[0] Absent", "[1] Minimal", "[2] Moderate", "[3] Marked", "[4] Central"):
        assert anchor in screen
    assert "[n] Not observed in this session" in screen
    assert "esc Home" in screen and "^q Quit" in screen  # the footer is not cut


def stored_finals(data: Path, dyad: str) -> list[Rating]:
    if not data.exists():
        return []
    return [r for r in Store.open(data).list(statuses=("final",)) if r.session["dyad"] == dyad]


@pytest.mark.parametrize("when", ["at start", "on Home"])
def test_a_whole_rating_sent_in_one_burst_lands_field_by_field(terminal, when: str) -> None:  # type: ignore[no-untyped-def]
    """One send-keys of the whole rating, as a fast typist or a paste delivers it: before
    the fix the code's letters were lost on a form not yet built, or the rater and the
    digits were typed into the dyad code."""
    t = terminal((80, 24))
    if when == "on Home":
        t.wait_for("No ratings yet")  # the data folder is open
    t.tmux("send-keys", "-t", "app", "n", "EC0499", "Enter", "Enter", "Enter", "RP", "C-n",
           "3241023", "Enter")  # fmt: skip
    deadline = time.monotonic() + 60  # a loaded machine starts the app slowly
    while time.monotonic() < deadline and not stored_finals(t.data, "EC0499"):
        time.sleep(0.2)
    assert stored_finals(t.data, "EC0499"), f"not saved; the screen was:\n{t.screen()}"
    [rating] = stored_finals(t.data, "EC0499")
    assert rating.rater == "RP" and rating.session["session_number"] == 1
    assert [rating.answers[k].value for k in ITEMS] == [3, 2, 4, 1, 0, 2, 3]  # type: ignore[union-attr]
