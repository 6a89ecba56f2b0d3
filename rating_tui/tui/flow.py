"""The rating flow across screens: instrument -> session fields -> items -> review -> saved.

Screens stay unaware of each other; this module decides what follows what, and returns to
home when a rating is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from rating_tui.instruments.model import Instrument
from rating_tui.prefs import load_prefs, save_prefs
from rating_tui.ratings.checks import Finding
from rating_tui.ratings.entry import field_default
from rating_tui.ratings.model import Rating, Value
from rating_tui.ratings.validate import RatingProblem
from rating_tui.services.draft_session import DraftSession
from rating_tui.store.errors import StoreError

if TYPE_CHECKING:
    from rating_tui.instruments.loader import LoadedInstrument
    from rating_tui.tui.app import RatingApp


def start_rating(app: RatingApp, dyad: str | None = None) -> None:
    """Ask which instrument when there is a choice, then open the session form (with `dyad`
    and its next session number filled in, for "rate the next session" on Home)."""
    from rating_tui.tui.screens.dialogs import ChooseInstrument

    instruments = current_versions(app.catalogue.instruments)
    if app.store is None or not instruments:
        app.notify("No instrument to rate with: see Instruments (i).", severity="error")
        return
    if len(instruments) == 1:
        _open_form(app, instruments[0], dyad)
        return
    last = load_prefs(app.prefs_file).instrument

    def chosen(instrument: Instrument | None) -> None:
        if instrument is not None:
            _open_form(app, instrument, dyad)

    app.push_screen(ChooseInstrument(instruments, last), chosen)


def current_versions(loaded: Iterable[LoadedInstrument]) -> list[Instrument]:
    """The newest version of each instrument id: new ratings use it; older versions stay in
    the catalogue for the ratings made with them."""
    from rating_tui.instruments.catalogue import semver_key

    newest: dict[str, Instrument] = {}
    for li in loaded:
        ins = li.instrument
        if ins.id not in newest or semver_key(ins.version) > semver_key(newest[ins.id].version):
            newest[ins.id] = ins
    return list(newest.values())


def _open_form(app: RatingApp, instrument: Instrument, dyad: str | None = None) -> None:
    from rating_tui.services.draft_session import suggest_session_number
    from rating_tui.tui.screens.session_form import SessionFormScreen

    prefs = load_prefs(app.prefs_file)
    today = app.today()
    values: dict[str, Value | None] = {f.key: field_default(f, today) for f in instrument.fields}
    rater = instrument.key_for("rater")
    if rater and prefs.rater and values.get(rater) is None:
        values[rater] = prefs.rater
    dyad_key, number_key = instrument.key_for("dyad"), instrument.key_for("session_number")
    if dyad and dyad_key and app.store is not None:
        values[dyad_key] = dyad
        if number_key:
            values[number_key] = suggest_session_number(app.store, instrument, dyad)
    holder: dict[str, DraftSession] = {}

    def submit(new_values: dict[str, Value | None]) -> list[RatingProblem]:
        assert app.store is not None
        rater_value = new_values.get(rater) if rater else None
        if "session" not in holder:
            holder["session"] = DraftSession.start(
                app.store, instrument, str(rater_value or "?"), today
            )
        return holder["session"].set_session(new_values)

    def done(ok: bool | None) -> None:
        if ok and "session" in holder:
            session = holder["session"]
            prefs.rater = session.rating.rater
            prefs.instrument = instrument.ref
            save_prefs(app.prefs_file, prefs)
            open_items(app, session)

    def keep(values: dict[str, Value | None]) -> None:
        """ctrl+q on this step: the valid values as a draft, resumed from Home."""
        assert app.store is not None
        rater_value = values.get(rater) if rater else None
        name = rater_value if isinstance(rater_value, str) else "?"
        base = holder["session"].rating if "session" in holder else Rating.new(instrument, name)
        session = {k: v for k, v in values.items() if v is not None}
        app.store.save_draft(base.replace(session=session, rater=name), instrument)

    def current() -> Rating | None:
        return holder["session"].rating if "session" in holder else None

    app.push_screen(
        SessionFormScreen(
            instrument,
            values,
            submit,
            app.store,
            checker=session_checker(app, instrument, current),
            on_open=partial(open_rating, app),
            keep=keep,
        ),
        done,
    )


def session_checker(
    app: RatingApp, instrument: Instrument, current: Callable[[], Rating | None]
) -> Callable[[dict[str, Value | None]], list[Finding]]:
    """The pre-store checks for the session form: `values` as the rating `current()` (or a
    new one) would have them, against the dyad's stored ratings."""
    from rating_tui.services.roster import load_roster
    from rating_tui.services.session_checks import check_rating
    from rating_tui.tui.format import instrument_of

    def check(values: dict[str, Value | None]) -> list[Finding]:
        if app.store is None:
            return []
        rater_key = instrument.key_for("rater")
        rater = values.get(rater_key) if rater_key else None
        base = current() or Rating.new(instrument, str(rater or "?"))
        session = {k: v for k, v in values.items() if v is not None}
        rating = base.replace(
            session=session, rater=rater if isinstance(rater, str) else base.rater
        )
        try:
            roster = load_roster(app.data_dir)
        except (OSError, ValueError, StoreError) as exc:
            app.notify(f"The dyad list is not used: {exc}", severity="warning", timeout=8)
            roster = None
        return check_rating(
            app.store,
            instrument,
            rating,
            app.today(),
            partial(instrument_of, app.catalogue),
            roster,
        )

    return check


def open_rating(app: RatingApp, rating_id: str) -> None:
    """A rating the checks found: a draft opens at its items, a final rating in full."""
    from rating_tui.tui.screens.rating_detail import RatingDetailScreen

    if app.store is None:
        return
    try:
        rating = app.store.get(rating_id)
    except StoreError as exc:
        store_failed(app, exc)
        return
    if rating.status == "draft":
        resume_rating(app, rating)
    else:
        app.push_screen(RatingDetailScreen(rating))


def resume_rating(app: RatingApp, rating: Rating, *, edit: bool = False) -> None:
    """Continue a draft (or, with `edit`, change a final rating) at its items."""
    from rating_tui.tui.format import instrument_of

    instrument = instrument_of(app.catalogue, rating, app.store)
    if app.store is None:
        return
    if instrument is None:
        app.notify(
            f"{rating.instrument.ref} is not among the instruments found, so this rating "
            "cannot be opened for editing.",
            severity="error",
        )
        return
    open_items(app, DraftSession.resume(app.store, instrument, rating))


def open_items(app: RatingApp, session: DraftSession) -> None:
    from rating_tui.tui.screens.items import ItemsScreen

    app.push_screen(ItemsScreen(session))


def saved(app: RatingApp, rating: Rating, verb: str = "Saved", title: str = "Rating saved") -> None:
    """Back where the rating was opened from after a save (the filtered History list, or
    Home), with a toast saying what was saved."""
    from rating_tui.tui.format import rating_line
    from rating_tui.tui.screens.history import HistoryScreen
    from rating_tui.tui.screens.home import HomeScreen

    back_to = (HistoryScreen, HomeScreen)
    while not isinstance(app.screen, back_to) and len(app.screen_stack) > 1:
        app.pop_screen()
    app.notify(f"{verb}: {rating_line(rating, app.catalogue, app.store).plain}", title=title)


def store_failed(app: RatingApp, error: StoreError) -> None:
    """A refused or failed save: say why; the draft on disk is as it was before."""
    app.notify(str(error), title="Not saved", severity="error", timeout=12)
