"""Home on a cold start (`tui/home_glance.py`): with no kept preview, the lines are read from the
folder's files before the store and the instruments load, and they are the lines Home draws
once they have; what cannot be drawn that way waits for the store, as before."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from rating_tui.instruments.catalogue import Catalogue, Source, discover
from rating_tui.ratings.model import Answered, Missing, Rating
from rating_tui.store.api import Store
from rating_tui.tui import home_cache
from rating_tui.tui.app import Opened, RatingApp
from rating_tui.tui.home_cache import HomeCache, Preview
from rating_tui.tui.home_glance import glanced
from tests.conftest import BUILTIN_ID, REPO
from tests.tui.conftest import TODAY
from tests.tui.test_flows import final_rating

SOURCES = [Source(REPO / "instruments", "built-in")]
SAMPLE = REPO / "tests" / "unit" / "store" / "sample_instrument.toml"


@pytest.fixture(autouse=True)
def _no_racy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(home_cache, "RACY_SECONDS", -60.0)
    monkeypatch.setattr(home_cache, "FINE_RACY_SECONDS", -60.0)


def _fill(store: Store, catalogue: Catalogue) -> None:
    """Finals, drafts in and out of Home's six months (one half answered, one coded
    missing), a voided rating."""
    instrument = catalogue.get(BUILTIN_ID).instrument
    for n, day in enumerate(("2025-11-02", "2026-01-10", "2026-03-01", "2026-03-01")):
        final_rating(store, catalogue, dyad=f"EC04{n:02d}", number=n + 1, when=day)
    gone = final_rating(store, catalogue, dyad="EC0999", when="2026-02-02")
    store.void(gone.id, by="RP", reason="wrong dyad")
    for day, answers in (
        ("2025-06-01", {}),  # older than six months: History only
        ("2026-02-20", {"narration": Answered(value=2)}),
        ("2026-03-10", {"narration": Missing(missing="not_observed")}),
    ):
        draft = Rating.new(instrument, "RP").replace(
            session={"dyad": "EC0417", "session_date": day, "rater": "RP"}, answers=answers
        )
        store.save_draft(draft, instrument)
    store.save_draft(Rating.new(instrument, "RP"), instrument)  # no dyad, no date yet


async def _home_lines(store: Store, catalogue: Catalogue) -> Preview:
    """The lines Home draws from the store (as it keeps them for the next start)."""
    cache = HomeCache.inside(store.data_dir, SOURCES)
    app = RatingApp(
        data_dir=store.data_dir,
        opener=lambda: Opened(catalogue, store),
        today=lambda: TODAY,
        home_cache=cache,
    )
    async with app.run_test(size=(100, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
    kept = cache.read(TODAY)
    assert kept is not None
    return kept


async def test_the_glanced_lines_are_the_lines_home_draws(
    store: Store, catalogue: Catalogue
) -> None:
    _fill(store, catalogue)
    glance = glanced(store.data_dir, TODAY)
    drawn = await _home_lines(store, catalogue)
    assert glance == drawn
    assert len(drawn.drafts) == 2 and len(drawn.recent) == 4  # (undated and old drafts: History)


async def test_items_not_required_count_alike(store: Store) -> None:
    """An instrument whose items are not all required, with a rating that leaves one out."""
    catalogue = discover([*SOURCES, Source(SAMPLE, "extra")])
    instrument = catalogue.get("sample-process@1.0.0").instrument
    rating = Rating.new(instrument, "AB").replace(
        session={"dyad": "D017", "session_date": "2026-03-02", "session_number": 4, "rater": "AB"},
        answers={"narration": Answered(value=3), "alliance": Answered(value=7.5)},
    )
    store.save_draft(rating, instrument)
    drawn = await _home_lines(store, catalogue)
    assert glanced(store.data_dir, TODAY) == drawn
    assert drawn.drafts and "#4" in drawn.drafts[0].plain


async def test_a_cold_start_shows_the_glanced_lines_while_the_folder_opens(
    store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue)
    gate = threading.Event()

    def opener() -> Opened:
        gate.wait(timeout=10)
        return Opened(catalogue, store)

    cache = HomeCache.inside(store.data_dir, SOURCES)
    assert cache.read(TODAY) is None  # cold: nothing kept
    app = RatingApp(data_dir=store.data_dir, opener=opener, today=lambda: TODAY, home_cache=cache)
    async with app.run_test(size=(100, 36)) as pilot:
        listing = app.screen.query_one("#recent", OptionList)
        for _ in range(50):
            await pilot.pause(0.02)
            if listing.option_count:
                break
        assert not app.loaded and "EC0417" in str(listing.get_option_at_index(0).prompt)
        assert "saved in" in str(app.screen.query_one("#status", Static).content)
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.loaded and app.preview is None


def test_an_instrument_with_conditions_waits_for_the_store(tmp_path: Path) -> None:
    """Progress counts only the items asked: `show_if` needs the models, so no glance."""
    catalogue = discover([Source(REPO / "tests" / "data" / "branching_study.toml", "extra")])
    instrument = catalogue.get("study@1.0.0").instrument
    store = Store.open(tmp_path / "data")
    draft = Rating.new(instrument, "RP")
    draft = draft.replace(session=draft.session | {"dyad": "EC0417", "session_date": "2026-03-01"})
    store.save_draft(draft, instrument)
    assert store.list(statuses=("draft",), limit=1)  # Home would list it
    assert glanced(store.data_dir, TODAY) is None


def test_a_lost_instrument_copy_waits_for_the_store(store: Store, catalogue: Catalogue) -> None:
    final_rating(store, catalogue)
    assert glanced(store.data_dir, TODAY) is not None
    for copy in (store.data_dir / "instrument-files").iterdir():
        copy.unlink()
    assert glanced(store.data_dir, TODAY) is None


def test_an_encrypted_looking_folder_is_not_glanced(store: Store, catalogue: Catalogue) -> None:
    final_rating(store, catalogue)
    (store.data_dir / "store.json").write_text('{"format": 4, "codec": "aesgcm-v1"}')
    assert glanced(store.data_dir, TODAY) is None


def test_the_cold_path_loads_no_pydantic(store: Store, catalogue: Catalogue) -> None:
    final_rating(store, catalogue)
    code = (
        "import sys, datetime\n"
        "from pathlib import Path\n"
        "from rating_tui.tui.screens.home import HomeScreen\n"
        "from rating_tui.tui.home_glance import glanced\n"
        f"found = glanced(Path({str(store.data_dir)!r}), datetime.date(2026, 3, 14))\n"
        "assert found is not None and found.recent\n"
        "print(sorted(m for m in ('pydantic', 'rating_tui.store.api', 'rating_tui.tui.format')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_ratings_folder_that_cannot_be_listed_waits_for_the_store(
    store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    final_rating(store, catalogue)
    ratings = store.data_dir / "ratings"
    ratings.rename(tmp_path / "aside")
    ratings.write_text("not a folder")  # listing it fails (NotADirectoryError)
    assert glanced(store.data_dir, TODAY) is None
