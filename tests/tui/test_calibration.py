"""The calibration view: a supervisor picks a gold rater and a trainee among the raters found
and sees, per item, how the trainee differs, with the verdict in words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from textual.widgets import DataTable, OptionList, Select, Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.calibration import CalibrationScreen
from tests.tui.conftest import static_text
from tests.tui.test_flows import final_rating

GOLD = (2, 1, 3, 2, 1, 0, 4)
# AB rates `processing` (the second item) two points higher every time, the rest the same.
TRAINEE = (2, 3, 3, 2, 1, 0, 4)


def seed(store: Store, catalogue: Catalogue) -> None:
    for number in (1, 2, 3):
        when = f"2026-03-0{number}"
        final_rating(store, catalogue, "EC0417", number, when, "RP", GOLD)
        final_rating(store, catalogue, "EC0417", number, when, "AB", TRAINEE)
    final_rating(store, catalogue, "EC0500", 1, "2026-03-05", "CD", GOLD)  # nobody else's


def row_texts(grid: DataTable[object], key: str) -> list[str]:
    return [str(cell) for cell in grid.get_row(key)]


async def test_choosing_gold_and_trainee_shows_the_divergent_item_in_words(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    seed(store, catalogue)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(CalibrationScreen())
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CalibrationScreen)
        assert "Choose the gold rater" in static_text(screen.query_one("#cal-status", Static))
        gold = screen.query_one("#cal-gold", Select)
        gold.focus()
        await pilot.press("enter")  # open the list: every rater found, by code
        listed = gold.query_one(OptionList)
        prompts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert prompts[-3:] == ["AB", "CD", "RP"]
        await pilot.press("end", "enter")
        assert gold.value == "RP"
        screen.query_one("#cal-trainee", Select).focus()
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        grid = screen.query_one("#cal-items", DataTable)
        assert grid.row_count == 7
        processing = row_texts(grid, "processing")
        assert processing == [
            "Processing the experien…",  # cut to keep the verdict on screen
            "diverges most (higher)",
            "3",
            "+2.00",
            "2.00",
            "0%",
            "0%",
        ]
        assert row_texts(grid, "narration")[1:] == ["close", "3", "+0.00", "0.00", "100%", "100%"]
        summary = static_text(screen.query_one("#cal-summary", Static))
        assert summary == (
            "AB diverges most on: Processing the experience (mean abs. diff. 2.00, rates higher "
            "than RP)."
        )
        assert "3 of AB's 3 session(s) were rated by RP too (RP rated 3)" in static_text(
            screen.query_one("#cal-status", Static)
        )

        await pilot.press("escape")
        assert not isinstance(app.screen, CalibrationScreen)


async def test_preselected_raters_and_a_rater_with_no_shared_session(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    seed(store, catalogue)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(CalibrationScreen(gold="RP", trainee="CD"))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        grid = app.screen.query_one("#cal-items", DataTable)
        assert row_texts(grid, "processing")[1:3] == ["no shared sessions", "0"]
        summary = static_text(app.screen.query_one("#cal-summary", Static))
        # it said "No item diverges: CD is close to RP on every item." of nothing compared
        assert summary == (
            "Nothing to compare: CD rated no session that RP rated (CD rated 1, RP rated 3)."
        )


async def test_an_empty_store_says_what_is_needed(make_app: Callable[..., RatingApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(CalibrationScreen())
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = static_text(app.screen.query_one("#cal-status", Static))
        assert "needs final ratings of one session by two raters" in status


async def test_the_ratings_are_read_once_by_the_command_lines_compact_reader(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """The view reads its folder as `rating-tui calibrate` does (`stored.collect_folder`): the
    store's records in file order, each kept as a few bytes until its month is sorted."""
    seed(store, catalogue)
    reads: list[tuple[str, bool, list[type]]] = []  # other views read the store too
    iter_records = store.iter_records

    def spied(read: Callable[[dict[str, Any]], Any], **options: Any) -> Iterator[Any]:
        kept: list[type] = []
        name = getattr(read, "__qualname__", type(read).__qualname__)
        reads.append((name, options.get("read_in_file_order", False), kept))
        for result in iter_records(read, **options):
            kept.append(type(result))
            yield result

    store.iter_records = spied  # type: ignore[method-assign]
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(CalibrationScreen(gold="RP", trainee="AB"))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        grid = app.screen.query_one("#cal-items", DataTable)
        assert row_texts(grid, "processing")[1:4] == ["diverges most (higher)", "3", "+2.00"]
    ours = [r for r in reads if r[0].startswith(("_Reader", "collect_folder", "record_parts"))]
    assert ours == [
        ("_Reader._reader.<locals>.read", True, [bytes] * 7)
    ]  # not read again: `Fallback` not raised


async def _status_of_calibration(app: RatingApp) -> str:
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(CalibrationScreen("RP", "AB"))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return static_text(app.screen.query_one("#cal-status", Static), width=120)


async def test_the_figures_say_they_leave_out_ratings_the_folder_lost(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """A month file lost two ratings: the figures rest on the rest, and say so with counts
    (they were shown as if from every rating)."""
    seed(store, catalogue)
    final_rating(store, catalogue, "EC0417", 4, "2026-02-04", "RP", GOLD)
    final_rating(store, catalogue, "EC0417", 4, "2026-02-04", "AB", TRAINEE)
    healthy = await _status_of_calibration(make_app())
    assert "AB against RP" in healthy and "not found" not in healthy
    (store.data_dir / "ratings" / "2026-02.json").write_text("{}\n")
    said = await _status_of_calibration(make_app())
    assert "AB against RP" in said
    assert "Warning: 2 stored rating(s) not found in their month files (2026-02: 2)" in said


async def test_ratings_of_an_instrument_file_gone_are_read_with_the_folders_copy(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """The instrument's file is no longer in any instruments folder: its ratings are read with
    the copy the data folder keeps, as `rating-tui calibrate` reads them (they were left out
    without a word, and the view said it needed ratings by two raters)."""
    from rating_tui.instruments.catalogue import discover

    seed(store, catalogue)
    said = await _status_of_calibration(make_app(catalogue=discover([])))
    assert "AB against RP" in said and "left out" not in said


async def test_a_session_rated_twice_by_a_rater_says_the_earlier_rating_is_set_aside(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    seed(store, catalogue)
    final_rating(store, catalogue, "EC0417", 1, "2026-03-01", "AB", GOLD)  # AB again, later
    said = await _status_of_calibration(make_app())
    assert "1 earlier final rating(s) of a session by the same rater set aside" in said
