"""Issue 16, the idle lock's setting: `--lock-after MINUTES`, else `$RATING_TUI_LOCK_AFTER`,
else 10 minutes; 0 never locks; a bad value is refused in words before the app starts."""

from __future__ import annotations

import pytest

from rating_tui.tui.idle import DEFAULT_MINUTES, ENV, IdleClock, LockAfter, lock_after
from tests.cli.test_ratings_cli import run


def test_the_option_wins_then_the_variable_then_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert lock_after(None) == LockAfter(DEFAULT_MINUTES, None)
    monkeypatch.setenv(ENV, " 3 ")
    assert lock_after(None) == LockAfter(3, f"{ENV}=3")
    assert lock_after(0) == LockAfter(0, "--lock-after 0")


@pytest.mark.parametrize("value", ["ten", "-1", "2.5", "100000"])
def test_a_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(ENV, value)
    with pytest.raises(ValueError, match=f"{ENV}=.* is not a number of minutes"):
        lock_after(None)


def test_the_command_line_refuses_bad_values_before_opening_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV, "soon")
    code, _, err = run()
    assert code == 1 and f"{ENV}='soon' is not a number of minutes" in err
    monkeypatch.delenv(ENV)
    code, _, err = run("--lock-after", "-5")
    assert code == 2 and "--lock-after" in err


def test_the_clock_counts_from_the_last_event() -> None:
    now = [0.0]
    idle = IdleClock(LockAfter(2), lambda: now[0])
    now[0] = 119.0
    assert not idle.due()
    now[0] = 120.0
    assert idle.due()
    idle.touched()
    assert not idle.due()
    idle.locked, now[0] = True, 1e6
    assert not idle.due()  # already locked
    assert not IdleClock(LockAfter(0), lambda: now[0]).due()
