"""The other flows of the app: resume after a crash, session-field validation, edit with a
reason, void, history filters, the dyad view, help and the command palette."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, Input, Label, Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.ratings.model import Answered, Rating
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from rating_tui.tui.screens.dyad import DyadScreen
from rating_tui.tui.screens.help import HelpScreen
from rating_tui.tui.screens.history import HistoryScreen
from rating_tui.tui.screens.home import HomeScreen
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.rating_detail import RatingDetailScreen
from rating_tui.tui.screens.session_form import SessionFormScreen
from rating_tui.tui.widgets.course_chart import CourseChart
from tests.conftest import BUILTIN_ID
from tests.tui.conftest import static_text
from tests.tui.test_rating_flow import fill_session

ITEMS = ("narration", "processing", "past_present", "modeling", "affective", "future", "reflective")


def final_rating(
    store: Store,
    catalogue: Catalogue,
    dyad: str = "EC0417",
    number: int = 1,
    when: str = "2026-03-01",
    rater: str = "RP",
    values: tuple[int, ...] = (1, 2, 3, 2, 1, 0, 4),
) -> Rating:
    instrument = catalogue.get(BUILTIN_ID).instrument
    rating = Rating.new(instrument, rater).replace(
        session={
            "dyad": dyad,
            "session_date": when,
            "session_number": number,
            "rater": rater,
            "setting": "home",
            "present": ["mother", "infant"],
            "basis": "live",
        },
        answers={k: Answered(value=v) for k, v in zip(ITEMS, values, strict=True)},
    )
    return store.finalise(rating, instrument)


async def test_a_draft_survives_a_crash_and_is_resumed(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    first = make_app()
    async with first.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        await fill_session(pilot)
        await pilot.press("3", "2", "4")
    # The app is gone without saving anything more (as after a crash): a new one resumes.
    [draft] = store.list(statuses=("draft",))
    assert [draft.answers[k] for k in ITEMS[:3]] == [Answered(value=v) for v in (3, 2, 4)]
    second = make_app()
    async with second.run_test(size=(100, 36)) as pilot:
        assert isinstance(second.screen, HomeScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(second.screen, ItemsScreen)
        assert second.screen.current == 3  # the first item not yet rated
        await pilot.press("1", "0", "2", "3", "r", "enter")
        await pilot.pause()
    [rating] = store.list()
    assert rating.id == draft.id and rating.status == "final"


async def test_invalid_session_fields_are_named_at_the_field_and_block_going_on(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, SessionFormScreen)
        form.query_one("#field-dyad", Input).value = "jane"
        form.query_one("#field-session_date", Input).value = "2026-02-30"
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen is form
        dyad_error = form.query_one("#error-dyad", Label)
        assert dyad_error.display and "does not match" in str(dyad_error.content)
        assert "Never enter a name" in str(dyad_error.content)
        # the whole message is on screen: it wraps under the field instead of running off it
        assert dyad_error.region.height >= 2 and dyad_error.region.right <= 100
        assert form.query_one("#field-dyad", Input).placeholder.endswith("…")
        date_error = str(form.query_one("#error-session_date", Label).content)
        assert "February 2026 has 28 days" in date_error
        assert "required" in str(form.query_one("#error-rater", Label).content)
    assert store.list(statuses=("draft", "final")) == []


async def test_session_number_is_suggested_from_the_dyads_last(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, number=4)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        form = app.screen
        form.query_one("#field-dyad", Input).value = "EC0417"
        await pilot.pause()
        await app.workers.wait_for_complete()  # read off the UI thread
        await pilot.pause()
        assert form.query_one("#field-session_number", Input).value == "5"


async def test_a_session_number_typed_before_the_proposal_arrives_is_kept(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, number=4)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n")
        form = app.screen
        number = form.query_one("#field-session_number", Input)
        form.query_one("#field-dyad", Input).value = "EC0417"
        number.focus()
        await pilot.press("9")  # typed while the dyad's ratings are being read
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert number.value.endswith("9") and number.value != "5"


async def test_edit_a_final_rating_with_a_reason_keeps_the_old_revision(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    original = final_rating(store, catalogue)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("enter")  # the recent rating
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, RatingDetailScreen)
        shown = static_text(detail.query_one("#detail-body", Static))
        # values in the instrument's words: choices by label, points with their anchor label
        assert "Home visit" in shown and "Mother, Infant" in shown and "Live session" in shown
        assert "1 Minimal" in shown and "4 Central" in shown
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen) and app.screen.session.editing_final
        await pilot.press("4", "r", "enter")
        await pilot.pause()
        await pilot.press(*"mis-keyed", "enter")
        await pilot.pause()
    edited = store.get(original.id)
    assert edited.answers["narration"] == Answered(value=4)
    [revision] = edited.revisions
    assert revision.reason == "mis-keyed" and revision.previous.answers["narration"] == Answered(
        value=1
    )


async def test_void_asks_for_a_reason(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    original = final_rating(store, catalogue)
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        home = app.screen
        await pilot.press("enter")
        for _ in range(1000):  # the rating's screen is up before "v" is sent
            if app.screen is not home:
                break
            await pilot.pause()
        detail = app.screen
        await pilot.press("v")
        for _ in range(1000):  # the reason dialog is up before Enter is sent
            if app.screen is not detail:
                break
            await pilot.pause()
        await pilot.press("enter")  # an empty reason is refused
        await pilot.pause()
        assert store.get(original.id).status == "final"
        await pilot.press(*"wrong dyad", "enter")
        await pilot.pause()
    voided = store.get(original.id)
    assert voided.status == "voided" and voided.void_reason == "wrong dyad"


async def test_history_filters_and_sorts(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, dyad="EC0417", when="2026-01-05")
    final_rating(store, catalogue, dyad="EC0417", number=2, when="2026-02-05", rater="KL")
    final_rating(store, catalogue, dyad="MB0021", when="2026-02-10")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        assert table.get_row_at(0)[0] == "2026-02-10"  # newest first
        app.screen.query_one("#f-dyad", Input).value = "EC0417"
        await pilot.pause()
        assert table.row_count == 2
        app.screen.query_one("#f-rater", Input).value = "KL"
        await pilot.pause()
        assert table.row_count == 1
        app.screen.query_one("#f-rater", Input).value = ""
        app.screen.query_one("#f-from", Input).value = "2026-02-01"
        await pilot.pause()
        assert table.row_count == 1
        app.screen.query_one("#f-from", Input).value = ""
        await pilot.pause()
        table.focus()
        await pilot.press("s")
        assert table.get_row_at(0)[0] == "2026-01-05"


async def test_dyad_view_draws_each_concept_across_sessions(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, when="2026-01-05", values=(1, 1, 1, 1, 1, 1, 1))
    final_rating(store, catalogue, number=2, when="2026-02-05", values=(2, 2, 2, 2, 2, 2, 2))
    final_rating(
        store, catalogue, number=2, when="2026-02-05", rater="KL", values=(3, 3, 3, 3, 3, 3, 3)
    )
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("enter", "d")
        await pilot.pause()
        assert isinstance(app.screen, DyadScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        charts = list(app.screen.query(CourseChart))
        assert len(charts) == 7
        assert charts[0].line.values == [1.0, 2.5]  # two raters of session 2: their mean
        grid = app.screen.query_one("#dyad-grid", DataTable)
        assert grid.get_row_at(0)[:3] == ["#2", "2026-02-05", "2.5"]  # newest first


async def test_help_lists_keys_and_palette_opens(make_app: Callable[..., RatingApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"history", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


async def test_unusable_data_folder_is_explained_not_a_crash(
    make_app: Callable[..., RatingApp], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(store=None, store_problem="the data folder is locked by another process")
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("n", "h")
        assert isinstance(app.screen, HomeScreen)
        assert "locked by another process" in str(app.screen.query_one("#status").content)


async def test_export_from_the_app_writes_table_codebook_and_moments(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Static

    final_rating(store, catalogue)
    app = make_app()
    out = tmp_path / "exports"
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#x-folder", Input).value = str(out)
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = str(app.screen.query_one("#x-result", Static).content)
    assert "Written:" in result, result
    table = out / f"{BUILTIN_ID}-wide-2026-03-14.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "narration" in lines[0] and "EC0417" in lines[1]
    assert (out / f"{BUILTIN_ID}-wide-2026-03-14-codebook.csv").exists()
    assert oct(table.stat().st_mode & 0o777) == "0o600"


async def test_the_real_app_paints_first_then_opens_the_data_folder(
    store: Store, catalogue: Catalogue
) -> None:
    from rating_tui.tui.launch import build_app

    final_rating(store, catalogue)
    app = build_app(None, [], store.data_dir)
    assert not app.loaded and app.store is None
    async with app.run_test(size=(100, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.loaded and app.store is not None
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert "EC0417" in str(home.query_one("#recent").get_option_at_index(0).prompt)
