"""Every test runs with its own per-user folders and without the user's environment, so no
test reads or writes the real instruments or ratings of whoever runs the suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis counts examples; its clock-based checks (a deadline per example, "input generation
# is slow") fail on a busy machine without saying anything about the code, so they are off.
settings.register_profile("counted", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("counted")

REPO = Path(__file__).resolve().parent.parent
BUILTIN_ID = "paris-2009-seven-concepts"


@pytest.fixture(autouse=True)
def _private_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("RATING_TUI_DATA", raising=False)
    monkeypatch.delenv("RATING_TUI_INSTRUMENTS", raising=False)
    monkeypatch.delenv("RATING_TUI_PASSPHRASE", raising=False)
    monkeypatch.delenv("RATING_TUI_NEW_PASSPHRASE", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
