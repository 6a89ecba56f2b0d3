"""Home's preview (`tui/home_cache.py`): the lines Home listed last time are shown at the next
start while the data folder is still opening, only when nothing they came from has changed;
otherwise Home waits for the real lists, as before."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.instruments.sources import Source, default_sources
from rating_tui.store.api import Store
from rating_tui.tui import home_cache
from rating_tui.tui.app import Opened, RatingApp
from rating_tui.tui.home_cache import HomeCache, Line, Preview
from rating_tui.tui.screens import home as home_screen
from rating_tui.tui.screens.home import HomeScreen, line_of, text_of
from tests.conftest import REPO
from tests.tui.conftest import TODAY
from tests.tui.test_flows import final_rating

SOURCES = [Source(REPO / "instruments", "built-in")]


@pytest.fixture(autouse=True)
def _no_racy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test are seconds old: the racy guard is tested on its own."""
    monkeypatch.setattr(home_cache, "RACY_SECONDS", -60.0)
    monkeypatch.setattr(home_cache, "FINE_RACY_SECONDS", -60.0)


def _cache(tmp_path: Path, data_dir: Path, sources: list[Source] = SOURCES) -> HomeCache:
    return HomeCache.inside(data_dir, sources)


def _app(store: Store, catalogue: Catalogue, cache: HomeCache, gate: threading.Event) -> RatingApp:
    def opener() -> Opened:
        gate.wait(timeout=10)
        return Opened(catalogue, store)

    return RatingApp(data_dir=store.data_dir, opener=opener, today=lambda: TODAY, home_cache=cache)


def _recent(app: RatingApp) -> list[str]:
    listing = app.screen.query_one("#recent", OptionList)
    return [str(listing.get_option_at_index(n).prompt) for n in range(listing.option_count)]


async def _run_once(store: Store, catalogue: Catalogue, cache: HomeCache) -> list[str]:
    """Home's recent lines once the opener is done (the gate open from the start)."""
    gate = threading.Event()
    gate.set()
    app = _app(store, catalogue, cache, gate)
    async with app.run_test(size=(100, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()  # the thread that keeps the preview
        return _recent(app)


async def test_the_second_start_shows_the_kept_lines_before_the_folder_is_open(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    final_rating(store, catalogue)
    cache = _cache(tmp_path, store.data_dir)
    first = await _run_once(store, catalogue, cache)
    assert cache.file.exists() and oct(cache.file.stat().st_mode & 0o777) == "0o600"
    gate = threading.Event()
    app = _app(store, catalogue, cache, gate)
    async with app.run_test(size=(100, 36)) as pilot:
        for _ in range(50):  # the preview comes from the opener's thread
            await pilot.pause(0.02)
            if app.preview is not None and _recent(app):
                break
        assert not app.loaded  # the opener still waits
        assert _recent(app) == first and "EC0417" in first[0]
        assert "saved in" in str(app.screen.query_one("#status", Static).content)
        await pilot.press("n")  # kept until the folder is open, as without a preview
        assert isinstance(app.screen, HomeScreen)
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.loaded and app.preview is None
        assert not isinstance(app.screen, HomeScreen)  # `n` acted on once open


async def test_a_change_in_the_folder_means_the_kept_lines_are_not_used(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    """The preview then comes from the folder's files (`home_glance.py`), never from the kept
    lines, which miss the new rating."""
    final_rating(store, catalogue)
    cache = _cache(tmp_path, store.data_dir)
    await _run_once(store, catalogue, cache)
    assert cache.read(TODAY) is not None
    final_rating(store, catalogue, dyad="EC0999")  # saved by another process, say
    assert cache.read(TODAY) is None
    gate = threading.Event()
    app = _app(store, catalogue, cache, gate)
    async with app.run_test(size=(100, 36)) as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
            if _recent(app):
                break
        assert not app.loaded and "EC0999" in " ".join(_recent(app))
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "EC0999" in " ".join(_recent(app))


async def test_a_folder_that_does_not_read_plainly_waits_for_the_store(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    final_rating(store, catalogue)
    cache = _cache(tmp_path, store.data_dir)
    (store.data_dir / "instrument-files").rename(tmp_path / "aside")  # no copy to draw from
    gate = threading.Event()
    app = _app(store, catalogue, cache, gate)
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.pause(0.2)
        assert app.preview is None and _recent(app) == []
        assert "Opening" in str(app.screen.query_one("#status", Static).content)
        (tmp_path / "aside").rename(store.data_dir / "instrument-files")
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "EC0417" in " ".join(_recent(app))


async def test_lists_read_just_after_a_save_are_kept_a_moment_later(
    store: Store, catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    final_rating(store, catalogue)
    monkeypatch.setattr(home_cache, "FINE_RACY_SECONDS", 60.0)  # as if saved just now
    monkeypatch.setattr(home_cache, "RACY_SECONDS", 60.0)
    monkeypatch.setattr(home_screen, "KEEP_RETRY", 0.2)
    cache = _cache(tmp_path, store.data_dir)
    gate = threading.Event()
    gate.set()
    app = _app(store, catalogue, cache, gate)
    async with app.run_test(size=(100, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.loaded and not cache.file.exists()  # too new to be told apart
        monkeypatch.setattr(home_cache, "FINE_RACY_SECONDS", -60.0)  # time passes
        monkeypatch.setattr(home_cache, "RACY_SECONDS", -60.0)
        for _ in range(50):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if cache.file.exists():
                break
    kept = cache.read(TODAY)
    assert kept is not None and "EC0417" in kept.recent[0].plain


def test_the_key_follows_the_folder_the_instruments_and_the_day(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    final_rating(store, catalogue)
    own = tmp_path / "own"
    own.mkdir()
    (own / "a.toml").write_text("title = 'one'\n", encoding="utf-8")
    cache = _cache(tmp_path, store.data_dir, [*SOURCES, Source(own, "--instruments")])
    key = cache.key(TODAY)
    assert key is not None and key == cache.key(TODAY)
    assert cache.key(date(2026, 3, 15)) != key  # the drafts window moves with the day
    (own / "a.toml").write_text("title = 'two'\n", encoding="utf-8")
    assert cache.key(TODAY) != key  # same size and name, other content
    touched = cache.key(TODAY)
    (store.data_dir / "notes.txt").write_text("x", encoding="utf-8")
    assert cache.key(TODAY) != touched  # anything in the folder counts


def test_a_missing_user_folder_counts_by_kind_not_by_path(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    one = _cache(tmp_path, data, [*SOURCES, Source(tmp_path / "a", "user", must_exist=False)])
    two = _cache(tmp_path, data, [*SOURCES, Source(tmp_path / "b", "user", must_exist=False)])
    assert one.key(TODAY) is not None and one.key(TODAY) == two.key(TODAY)


def test_a_recently_changed_folder_has_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ratings.json").write_text("{}", encoding="utf-8")
    cache = _cache(tmp_path, data)
    assert cache.key(TODAY) is not None
    monkeypatch.setattr(home_cache, "RACY_SECONDS", 60.0)
    monkeypatch.setattr(home_cache, "FINE_RACY_SECONDS", 60.0)
    assert cache.key(TODAY) is None  # a second change in the same clock tick could hide
    assert not cache.write("k", Preview((), ())) or cache.read(TODAY) is None


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"key": "K", "drafts": [], "recent": [["id", 3, []]]}',
        '{"key": "K", "drafts": [], "recent": [["id", "text", [[0, "9", "bold"]]]]}',
        '{"key": "K", "drafts": []}',
        "[]",
        "[" * 100_000,
    ],
)
def test_a_damaged_preview_is_not_used(tmp_path: Path, content: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    cache = _cache(tmp_path, data)
    key = cache.key(TODAY)
    assert key is not None
    assert cache.file.parent == data
    cache.file.write_text(content.replace('"K"', json.dumps(key)), encoding="utf-8")
    assert cache.read(TODAY) is None


def test_kept_lines_come_back_as_shown(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    cache = _cache(tmp_path, data)
    key = cache.key(TODAY)
    assert key is not None
    from rich.text import Text

    text = Text("EC0417  ", style="bold")
    text.append("draft 2/7", style="italic")
    line = line_of("r1", text)
    assert cache.write(key, Preview((line,), (Line("r2", "plain"),)))
    kept = cache.read(TODAY)
    assert kept is not None and kept.drafts == (line,)
    shown = text_of(kept.drafts[0])
    assert shown.plain == text.plain
    assert [(s.start, s.end, s.style) for s in shown.spans] == [(0, 17, "bold"), (8, 17, "italic")]


def test_what_the_lists_leave_out_is_kept_too(tmp_path: Path) -> None:
    """More drafts than listed, and how many ratings the folder holds, come back with the
    lines; a preview kept before they were kept knows neither (Home then waits to say)."""
    data = tmp_path / "data"
    data.mkdir()
    cache = _cache(tmp_path, data)
    key = cache.key(TODAY)
    assert key is not None
    assert cache.write(key, Preview((Line("r1", "a"),), (), more_drafts=True, held=42))
    assert cache.read(TODAY) == Preview((Line("r1", "a"),), (), True, 42)
    old = json.loads(cache.file.read_text(encoding="utf-8"))
    del old["more_drafts"], old["held"]
    cache.file.write_text(json.dumps(old), encoding="utf-8")
    assert cache.read(TODAY) == Preview((Line("r1", "a"),), (), False, None)


def test_each_data_folder_keeps_its_own_preview_inside_it(tmp_path: Path) -> None:
    """The lines never leave the folder they were read from; none is made for a folder that
    does not exist yet."""
    a = HomeCache.inside(tmp_path / "a", default_sources())
    b = HomeCache.inside(tmp_path / "b", default_sources())
    assert a.file == tmp_path / "a" / home_cache.FILE_NAME and b.file.parent == tmp_path / "b"
    assert not a.write("k", Preview((), ()))
    assert not (tmp_path / "a").exists()
