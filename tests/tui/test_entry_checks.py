"""The session step catches mistakes: numbers as typed, the same session twice, a future date,
keys pressed before the data folder is open, and the form's own keys."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Select

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import Opened, RatingApp
from rating_tui.tui.screens.checks_dialog import ChecksDialog
from rating_tui.tui.screens.items import ItemsScreen
from rating_tui.tui.screens.rating_detail import RatingDetailScreen
from rating_tui.tui.screens.session_form import SessionFormScreen
from tests.tui.conftest import TODAY
from tests.tui.test_flows import final_rating

SIZE = (100, 40)


async def open_form(
    pilot, dyad: str = "EC0417", rater: str = "RP", **fields: str
) -> SessionFormScreen:  # type: ignore[no-untyped-def]
    await pilot.press("n")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, SessionFormScreen)
    form.query_one("#field-dyad", Input).value = dyad
    form.query_one("#field-rater", Input).value = rater
    await pilot.pause()
    for key, value in fields.items():
        form.query_one(f"#field-{key}", Input).value = value
    await pilot.pause()
    return form


async def test_a_decimal_comma_is_a_decimal(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        form.query_one("#field-infant_age_months", Input).focus()
        await pilot.press("3", ",", "5")
        assert form.query_one("#field-infant_age_months", Input).value == "3,5"  # nothing dropped
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
    [draft] = store.list(statuses=("draft",))
    assert draft.session["infant_age_months"] == 3.5


async def test_the_same_session_by_the_same_rater_cannot_be_rated_again(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    first = final_rating(store, catalogue, number=1, when=TODAY.isoformat())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, session_number="1")
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChecksDialog) and dialog.blocked
        [finding] = dialog.findings
        assert finding.message == (
            f"EC0417 session 1 is already rated by RP on {TODAY}: open it, or rate it as a "
            "second rater?"
        )
        await pilot.press("c")  # an error cannot be confirmed
        await pilot.pause()
        assert app.screen is dialog
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, RatingDetailScreen) and app.screen.rating.id == first.id
    assert store.list(statuses=("draft",)) == []


async def test_a_second_rater_and_a_future_date_are_warnings_that_can_be_confirmed(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, number=1, when=TODAY.isoformat())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, rater="KL", session_number="1", session_date="2027-05-01")
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChecksDialog) and not dialog.blocked
        kinds = {f.kind for f in dialog.findings}
        assert kinds == {"duplicate", "future"}
        await pilot.press("escape")  # back to the form, at the date
        await pilot.pause()
        assert app.screen is form and form.focused is form.query_one("#field-session_date")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
    [draft] = store.list(statuses=("draft",))
    assert draft.rater == "KL" and draft.session["session_date"] == "2027-05-01"


async def test_keys_pressed_while_the_data_folder_opens_are_acted_on(
    catalogue: Catalogue, store: Store, tmp_path: Path
) -> None:
    release = threading.Event()

    def opener() -> Opened:
        release.wait(timeout=30)
        return Opened(catalogue, store)

    app = RatingApp(
        data_dir=store.data_dir, opener=opener, today=lambda: TODAY, prefs_file=tmp_path / "p"
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "e", "c", "0", "4", "1", "7")
        assert not app.loaded
        release.set()
        form = app.screen
        for _ in range(100):  # the form opens, then the code's six keys arrive one by one
            await pilot.pause()
            form = app.screen
            dyad = form.query("#field-dyad").first(Input) if form.query("#field-dyad") else None
            if dyad is not None and dyad.value == "ec0417":
                break
        assert isinstance(form, SessionFormScreen)
        assert form.query_one("#field-dyad", Input).value == "ec0417"
        await pilot.press("enter")
        await pilot.pause()
        assert form.query_one("#field-dyad", Input).value == "EC0417"  # upper-cased


async def test_a_failed_ctrl_n_puts_the_cursor_in_the_faulty_field(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, rater="")
        form.query_one("#field-dyad", Input).focus()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert form.focused is form.query_one("#field-rater")
        await pilot.press("R", "P")
        assert form.query_one("#field-rater", Input).value == "RP"
        assert form.query_one("#field-dyad", Input).value == "EC0417"


async def test_enter_on_a_drop_down_keeps_its_value_and_moves_on(
    make_app: Callable[..., RatingApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        setting = form.query_one("#field-setting", Select)
        setting.focus()
        await pilot.press("enter", "down", "down")
        await pilot.pause()
        assert setting.value == "home" and not setting.expanded
        assert form.focused is form.query_one("#field-duration_min")


async def test_enter_takes_the_completion_of_a_partial_dyad_code(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, "EC0417", number=1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SessionFormScreen)
        await pilot.press("E", "C")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert form.query_one("#field-dyad", Input).value == "EC0417"
        assert form.query_one("#error-dyad").display is False


async def test_ctrl_q_on_the_session_step_keeps_a_draft(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"ec0417", "enter", "tab", "tab")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    [draft] = store.list(statuses=("draft",))
    assert draft.session["dyad"] == "EC0417" and draft.session["session_number"] == 1


async def test_ctrl_q_names_what_cannot_be_kept_before_quitting(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    from rating_tui.tui.screens.dialogs import ConfirmDialog

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, dyad="Jane D", rater="RP")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Dyad code" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
    [draft] = store.list(statuses=("draft",))
    assert "dyad" not in draft.session and draft.rater == "RP"
    assert form is not None


async def test_a_code_not_in_the_roster_asks_new_dyad_with_the_nearest_codes(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    from rating_tui.services.roster import add_codes

    add_codes(store.data_dir, ["EC0417", "MB0021"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, dyad="EC0471")
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChecksDialog) and not dialog.blocked
        [finding] = dialog.findings
        assert finding.message == (
            "EC0471 is not in the study's dyad list and has no ratings yet: new dyad? "
            "Nearest codes: EC0417"
        )
        await pilot.press("escape")
        await pilot.pause()
        await open_form_again(pilot, "EC0417")
        assert isinstance(app.screen, ItemsScreen)


async def open_form_again(pilot, dyad: str) -> None:  # type: ignore[no-untyped-def]
    form = pilot.app.screen
    assert isinstance(form, SessionFormScreen)
    form.query_one("#field-dyad", Input).value = dyad
    await pilot.pause()
    await pilot.press("ctrl+n")
    # another code: its own session number is proposed (the last code's no longer stands),
    # and ctrl+n goes on once it is in
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not isinstance(pilot.app.screen, SessionFormScreen):
            break
    fields = {w.id: w.value for w in pilot.app.screen.query(Input)}
    assert isinstance(pilot.app.screen, ItemsScreen), (pilot.app.screen, fields)


async def test_escape_in_the_now_moment_dialog_asks_before_discarding_text(
    make_app: Callable[..., RatingApp], store: Store
) -> None:
    from textual.widgets import TextArea

    from rating_tui.tui.screens.dialogs import ConfirmDialog, MomentDialog

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form_again_from_home(pilot)
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MomentDialog)
        await pilot.press(*"She laughed")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep writing
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#moment-text", TextArea).text == "She laughed"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
    [draft] = store.list(statuses=("draft",))
    assert draft.now_moments == []


async def test_at_80x24_pagedown_scrolls_the_anchors_of_the_current_item(
    make_app: Callable[..., RatingApp],
) -> None:
    from rating_tui.tui.widgets.anchor_panel import AnchorPanel

    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await open_form_again_from_home(pilot)
        await pilot.press("2", "2", "2")
        panel = app.screen.query_one(AnchorPanel)
        await pilot.pause()
        assert panel.max_scroll_y > 0 and panel.scroll_y == 0
        assert "PgDn" in str(panel.border_subtitle)
        await pilot.press("pagedown")
        await pilot.pause()
        assert panel.scroll_y > 0
        assert isinstance(app.screen, ItemsScreen) and app.screen.current == 3  # not rated


async def open_form_again_from_home(pilot) -> None:  # type: ignore[no-untyped-def]
    await open_form(pilot)
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ItemsScreen)
