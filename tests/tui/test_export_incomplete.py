"""The app's export says, before anything else on its result, that the files leave out ratings
the data folder lost (issue 10: the command it runs exits 3 with a warning); a healthy folder's
export says nothing of the kind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Label, Static

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.store.api import Store
from rating_tui.tui.app import RatingApp
from tests.conftest import BUILTIN_ID
from tests.tui.test_flows import final_rating

HEAD = "These files leave out ratings that the data folder lost:"


async def _export(app: RatingApp, out: Path) -> str:
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#x-folder", Input).value = str(out)
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        return str(app.screen.query_one("#x-result", Static).content)


async def test_an_export_of_a_folder_that_lost_ratings_says_so_first(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    final_rating(store, catalogue, "EC0417", 1, "2026-02-01")
    final_rating(store, catalogue, "EC0417", 2, "2026-03-01")
    final_rating(store, catalogue, "EC0418", 1, "2026-03-02")
    out = tmp_path / "exports"
    healthy = await _export(make_app(), out)
    assert HEAD not in healthy and "warning" not in healthy
    (store.data_dir / "ratings" / "2026-03.json").write_text("{}\n")
    result = await _export(make_app(), out)
    lines = result.splitlines()
    assert lines[0] == HEAD
    assert (
        "2 rating(s) the index lists were not found in their month files (2026-03: 2)" in lines[1]
    )
    assert "exported 1 rating(s)" in result and "Written:" in result
    assert str(out / f"{BUILTIN_ID}-wide-2026-03-14-2.csv") in result


async def test_home_says_its_alerts_rest_on_part_of_the_ratings(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    final_rating(store, catalogue, "EC0417", 1, "2026-02-01")
    final_rating(store, catalogue, "EC0417", 2, "2026-03-01")
    final_rating(store, catalogue, "EC0418", 1, "2026-03-02")
    (store.data_dir / "ratings" / "2026-03.json").write_text("{}\n")
    app = make_app()
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        title = app.screen.query_one("#alerts-title", Label)
        assert title.parent is not None and title.parent.display
        assert "2 stored rating(s) not found: run rating-tui doctor" in str(title.content)


async def test_a_file_given_as_the_export_folder_is_refused_in_words(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    final_rating(store, catalogue)
    afile = tmp_path / "notes.txt"
    afile.write_text("mine\n")
    result = await _export(make_app(), afile)
    assert result == f"Cannot use {afile}: it is a file, not a folder; give a folder."
    assert afile.read_text() == "mine\n"


async def test_history_and_the_dyad_view_say_their_lists_leave_out_lost_ratings(
    make_app: Callable[..., RatingApp], store: Store, catalogue: Catalogue
) -> None:
    """Before, History and the dyad view listed what remained as if it were every rating."""
    from rating_tui.tui.screens.dyad import DyadScreen
    from rating_tui.tui.screens.history import HistoryScreen

    final_rating(store, catalogue, "EC0417", 1, "2026-02-01")
    final_rating(store, catalogue, "EC0417", 2, "2026-03-01")
    final_rating(store, catalogue, "EC0418", 1, "2026-03-02")
    lost = "2 stored rating(s) not found in their month files (2026-03: 2)"
    for broken in (False, True):
        if broken:
            (store.data_dir / "ratings" / "2026-03.json").write_text("{}\n")
        app = make_app()
        async with app.run_test(size=(100, 36)) as pilot:
            await pilot.press("h")
            await pilot.pause()
            assert isinstance(app.screen, HistoryScreen)
            status = str(app.screen.query_one("#history-status", Static).content)
            assert status.startswith(f"{1 if broken else 3} rating(s), newest first")
            assert (lost in status) is broken
            dyad = DyadScreen(catalogue.get(BUILTIN_ID).instrument, "EC0417")
            app.push_screen(dyad)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            head = str(dyad.query_one("#dyad-head", Static).content)
            assert head.startswith(f"{1 if broken else 2} session(s)")
            assert (lost in head) is broken


def test_the_screen_names_what_it_exports_not_the_command_s_option() -> None:
    """The command's 'not exported: ... (status: final; --status chooses which)' named an
    option the screen does not have."""
    import subprocess

    from rating_tui.tui.screens.export import result_text

    said = (
        "exported 3 rating(s) (3 rows) to x.csv\n"
        "not exported: 1 draft(s) (status: final; --status chooses which)\n"
    )
    done = subprocess.CompletedProcess(["rating-tui"], 0, "", said)
    text = result_text(done, [], renamed=False)
    assert "not exported: 1 draft(s) (status: final; this screen exports final ratings)" in text
    assert "--status" not in text
