"""The dyad view draws every concept on its fixed scale, leaves marked gaps, and shows alerts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.ratings.model import Answered, Missing, Rating
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dyad import DyadScreen
from rating_tui.tui.widgets.course_chart import CourseChart
from tests.conftest import BUILTIN_ID
from tests.tui.test_flows import ITEMS


def rate(store: Store, catalogue: Catalogue, number: int, values: dict[str, int | str]) -> None:
    """A final rating of EC0417; a string value is a missing code."""
    instrument = catalogue.get(BUILTIN_ID).instrument
    answers = {
        k: Missing(missing=v) if isinstance(v, str) else Answered(value=v)
        for k, v in values.items()
    }
    rating = Rating.new(instrument, "RP").replace(
        session={
            "dyad": "EC0417",
            "session_date": f"2026-0{number}-02",
            "session_number": number,
            "rater": "RP",
            "setting": "home",
            "present": ["mother", "infant"],
            "basis": "live",
        },
        answers={k: answers.get(k, Answered(value=2)) for k in ITEMS},
    )
    store.finalise(rating, instrument)


async def open_dyad(app: RatingApp, pilot: object, catalogue: Catalogue) -> DyadScreen:
    screen = DyadScreen(catalogue.get(BUILTIN_ID).instrument, "EC0417")
    app.push_screen(screen)
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    return screen


def plot_rows(chart: CourseChart) -> dict[str, str]:
    """The chart as drawn, by y-axis label ("4", "1", "n/o"): what is on each row."""
    drawn = chart.render()
    assert isinstance(drawn, Text)
    rows: dict[str, str] = {}
    for line in drawn.plain.splitlines():
        label, sep, rest = line.partition("┤")
        if sep and label.strip():
            rows[label.strip()] = rest
    return rows


async def test_a_steady_4_and_a_steady_1_sit_on_their_own_rows(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """The report of issue 15: Narration 4 and Future 1 twice looked alike (per-row scaling)."""
    for n in (1, 2):
        rate(store, catalogue, n, {"narration": 4, "future": 1})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dyad(app, pilot, catalogue)
        narration = plot_rows(screen.query_one("#chart-narration", CourseChart))
        future = plot_rows(screen.query_one("#chart-future", CourseChart))
        assert set(narration) == {"n/o", "0", "1", "2", "3", "4"}  # the whole scale, always
        assert narration["4"].count("●") == 2 and "●" not in narration["1"]
        assert future["1"].count("●") == 2 and "●" not in future["4"]


async def test_a_missing_value_is_a_marked_gap_not_a_point(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    rate(store, catalogue, 1, {"narration": 3})
    rate(store, catalogue, 2, {"narration": "not_observed"})
    rate(store, catalogue, 3, {"narration": 3})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dyad(app, pilot, catalogue)
        chart = screen.query_one("#chart-narration", CourseChart)
        assert chart.line.values == [3.0, None, 3.0]
        rows = plot_rows(chart)
        assert rows["3"].count("●") == 2
        assert rows["n/o"].count("×") == 1  # the gap says why
        grid = screen.query_one("#dyad-grid", DataTable)
        assert [grid.get_row_at(r)[2] for r in range(3)] == ["3", "n/o", "3"]


async def test_the_dyad_view_shows_the_current_alerts(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    rate(store, catalogue, 1, {"future": 3})
    rate(store, catalogue, 2, {"future": 1})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dyad(app, pilot, catalogue)
        text = str(screen.query_one("#dyad-alerts", Static).content)
        assert "Sharp drop since the previous session" in text
        assert "Opening future possibilities: fell 2 point(s), 3 → 1" in text


async def test_home_lists_dyads_needing_attention_after_its_first_frame(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    rate(store, catalogue, 1, {"future": 3})
    rate(store, catalogue, 2, {"future": 1})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        from textual.widgets import OptionList

        from rating_tui.tui.widgets.alerts_panel import AlertsPanel

        panel = app.screen.query_one(AlertsPanel)
        await app.workers.wait_for_complete()  # read in a thread: the first frame never waits
        await pilot.pause()
        assert panel.display
        listing = panel.query_one("#alerts-list", OptionList)
        assert listing.option_count == 1
        assert "EC0417   2026-02-02  drop future" in str(listing.get_option_at_index(0).prompt)
        listing.highlighted = 0
        # What Enter does on the list, asked of the list itself: Home may still move the focus
        # to its recent ratings when their full read lands, and Enter then opened that rating.
        listing.action_select()
        await pilot.pause()
        assert isinstance(app.screen, DyadScreen) and app.screen.dyad == "EC0417"
        # The dyad view settled (its read done, its title drawn) before the app closes: a
        # close while its header was still being titled raised NoMatches (a loaded run).
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_home_shows_no_alert_panel_when_no_dyad_needs_attention(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    rate(store, catalogue, 1, {"future": 3})
    rate(store, catalogue, 2, {"future": 2})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        from rating_tui.tui.widgets.alerts_panel import AlertsPanel

        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.query_one(AlertsPanel).display


async def test_r_writes_the_dyads_report_to_the_documents_folder(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    import platformdirs

    folder = Path(platformdirs.user_documents_dir()) / "rating-tui reports"  # in the test HOME
    rate(store, catalogue, 1, {"future": 3})
    rate(store, catalogue, 2, {"future": 1})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dyad(app, pilot, catalogue)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
    [report] = folder.glob("report-EC0417-*.html")
    assert report.stat().st_mode & 0o777 == 0o600
    page = report.read_text()
    assert "Dyad EC0417" in page and page.count("<svg") == 7
    assert "fell 2 point(s), 3 → 1" in page
