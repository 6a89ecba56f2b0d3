"""The app object, built from injected parts (store, catalogue, clock) by the CLI and the tests.

Screens are pushed, not switched: home is the base, and each flow (rating, history,
instruments) returns to it when done.

The real app is built with an `opener` instead of a ready store and catalogue: the first frame
is painted before pydantic, the instruments and the data folder are loaded (in a thread), so
the window is there at once whatever the size of the data; Home fills in a moment later.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from rating_tui.tui.idle import CHECK_EVERY, IdleClock, LockAfter
from rating_tui.tui.keygate import NEVER_HELD, KeyGate

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.app import SystemCommand
    from textual.command import Provider
    from textual.screen import Screen
    from textual.widgets import Input, TextArea

    from rating_tui.instruments.catalogue import Catalogue
    from rating_tui.store.api import Store
    from rating_tui.tui.home_cache import HomeCache, Preview


def _rating_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (not at start-up)."""
    from rating_tui.tui.commands import RatingCommands

    return RatingCommands


@dataclass
class Opened:
    """What the opener found: the instruments, and the store or why it cannot be used."""

    catalogue: Catalogue
    store: Store | None
    problem: str | None = None
    unlock: Callable[[str], Store] | None = None
    """Set when the folder is encrypted and no passphrase was given: opens the store with one
    (a `StoreError` when it is wrong); the app asks for it in a dialog."""


class Loaded(Message):
    """The opener finished: screens waiting for the store can fill in."""


class Previewed(Message):
    """Home's lists as kept from last time are there to show while the opener works."""

    def __init__(self, painted: Callable[[], None]) -> None:
        super().__init__()
        self.painted = painted
        """Called once Home has drawn them."""


class RatingApp(App[None]):
    """rating-tui's terminal app."""

    TITLE = "rating-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {_rating_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="theme"),
    ]

    def __init__(
        self,
        *,
        data_dir: Path,
        catalogue: Catalogue | None = None,
        store: Store | None = None,
        opener: Callable[[], Opened] | None = None,
        today: Callable[[], date] = date.today,
        store_problem: str | None = None,
        prefs_file: Path | None = None,
        lock_after: LockAfter | None = None,
        clock: Callable[[], float] = time.monotonic,
        home_cache: HomeCache | None = None,
        temporary: bool = False,
    ) -> None:
        super().__init__()
        self.temporary = temporary
        """The data folder is deleted when the app closes (`rating-tui demo`): Home says so
        where it said "Ratings are saved in" a folder about to go."""
        self._catalogue = catalogue
        self.store = store
        """Where ratings are saved; None when the data folder could not be (or is not yet)
        opened."""
        self.opener = opener
        """Loads catalogue and store after the first frame (None: they were given)."""
        self.data_dir = data_dir
        self.today = today
        """The clock for default session dates (fixed in snapshot tests)."""
        self.store_problem = store_problem
        """Why the store could not be opened, shown on the home screen instead of crashing."""
        self.prefs_file = prefs_file
        """Where the last rater and instrument are remembered (None: not remembered)."""
        self.keys = KeyGate(self)
        """Holds keys pressed faster than the app acts on them, each for its turn
        (`keygate.py`): while the data folder opens, a new screen is drawn, a key before
        is handled, or a screen asks."""
        self.keys.open = catalogue is not None
        self.idle = IdleClock(lock_after or LockAfter(), clock)
        """When an encrypted folder locks (`check_idle_lock`); the clock is fixed in tests."""
        self.home_cache = home_cache
        """Where Home's lists are kept for the next start (`home_cache.py`; None: not kept)."""
        self.preview: Preview | None = None
        """Home's lists as kept last time, shown until the opener is done (when still true)."""

    @property
    def catalogue(self) -> Catalogue:
        """The instruments found at start, and the files that could not be used."""
        if self._catalogue is None:
            raise RuntimeError("the instruments are still loading")
        return self._catalogue

    @property
    def loaded(self) -> bool:
        """False while the opener is still reading instruments and the data folder."""
        return self._catalogue is not None

    def get_default_screen(self) -> Screen[None]:
        """Home is the first screen on the stack (not pushed over Textual's blank default
        screen, which would be built and painted first)."""
        from rating_tui.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_resize(self, event: events.Resize) -> None:
        """Below the smallest supported size, say so rather than cut keys and anchors off."""
        from rating_tui.tui.screens.too_small import TooSmallScreen, too_small

        if too_small(event.size.width, event.size.height) and not isinstance(
            self.screen, TooSmallScreen
        ):
            self.push_screen(TooSmallScreen())

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self.keys.screen_changed, immediate=True)

    def on_ready(self) -> None:
        """After the first frame (not before: the loading thread would compete with it)."""
        if self.opener is not None and self._catalogue is None:
            self.run_worker(self._open, thread=True, name="open data folder")
        else:
            self._say_what_a_plain_folder_ignores()
        if self.idle.setting.minutes:
            self.set_interval(CHECK_EVERY, self.check_idle_lock, name="idle lock")

    def _open(self) -> None:
        assert self.opener is not None
        if self.home_cache is not None:
            preview = self.home_cache.read(self.today())
            if preview is None:  # cold: the lines from the folder's files (`home_glance.py`)
                from rating_tui.tui.home_glance import glanced

                preview = glanced(self.data_dir, self.today())
            if preview is not None:
                painted = threading.Event()
                self.call_from_thread(self._previewed, preview, painted.set)
                # Let Home paint the preview before the opener's imports take the GIL.
                painted.wait(timeout=2.0)  # bounded: the app may be closing
        opened = self.opener()
        self.call_from_thread(self._opened, opened)

    def _previewed(self, preview: Preview, painted: Callable[[], None]) -> None:
        from rating_tui.tui.screens.home import HomeScreen

        if self.loaded:
            painted()
            return
        self.preview = preview  # Home shows it when it comes back, if not on top now
        if isinstance(self.screen, HomeScreen):
            self.screen.post_message(Previewed(painted))
        else:
            painted()

    def keep_home(self, key: str, preview: Preview) -> None:
        """Keep Home's lists for the next start (by a thread) if `key`, taken before they
        were read, still holds once they are on screen (nothing changed in between)."""
        cache = self.home_cache
        if cache is None:
            return

        def keep() -> None:
            if cache.key(self.today()) == key:
                cache.write(key, preview)

        self.run_worker(keep, thread=True, group="home-cache", name="keep Home's lists")

    def _opened(self, opened: Opened) -> None:
        self._catalogue, self.store = opened.catalogue, opened.store
        self.preview = None
        self.store_problem = opened.problem
        self.screen.post_message(Loaded())
        self._say_what_a_plain_folder_ignores()
        if opened.unlock is not None:
            from rating_tui.tui.screens.unlock import UnlockDialog

            self.keys.drop()  # meant for Home, not for the passphrase field
            # Home shows this behind the dialog: the opener's "set RATING_TUI_PASSPHRASE"
            # would tell the user to do something the dialog is already asking for.
            self.store_problem = "it is encrypted, and waits for its passphrase."
            self.push_screen(UnlockDialog(str(self.data_dir), opened.unlock), self._unlocked)
        self.keys.opened()

    def _unlocked(self, store: Store | None) -> None:
        if store is not None:
            self.store, self.store_problem = store, None
        else:
            self.store_problem = (
                "it is encrypted and was not opened (the passphrase was wrong three times, or "
                "not given); nothing was changed. Quit with ctrl+q and start rating-tui again "
                "to retry, or set RATING_TUI_PASSPHRASE."
            )
        self.screen.post_message(Loaded())

    def _say_what_a_plain_folder_ignores(self) -> None:
        """Settings meant for an encrypted folder, given for a plain one, said once it is
        open: the idle lock has no key to lock, and `$RATING_TUI_PASSPHRASE` is not used, so
        the ratings are plain text, which whoever set it may not expect (`passphrase.unused`)."""
        if self.store is None or self.store.encrypted:
            return
        given = self.idle.setting.given
        if given:
            self.notify(
                f"{given} is not used: this data folder is not encrypted, so there is no "
                "key to lock.",
                title="Idle lock",
                timeout=8,
            )
        from rating_tui import passphrase

        said = None if self.temporary else passphrase.unused(self.data_dir, encrypted=False)
        if said is not None:
            self.notify(said, title="Not encrypted", severity="warning", timeout=12)

    def check_idle_lock(self) -> None:
        """Lock an open encrypted folder after the set minutes without a key press or mouse
        event (the interval timer calls this; tests call it after moving the clock)."""
        if self.idle.due() and self.store is not None and self.store.encrypted:
            self.lock_now()

    def lock_now(self) -> None:
        """Cover every screen with the lock screen and forget the folder's key: nothing of
        the data stays on screen, nothing can be read or written until the passphrase is
        typed again; the screens underneath keep what was being typed."""
        from rating_tui import passphrase
        from rating_tui.store import crypto
        from rating_tui.tui.screens.lock import LockScreen

        crypto.lock(self.data_dir)
        os.environ.pop(passphrase.ENV, None)  # the export child's copy: asked for again
        self.idle.locked = True
        self.clear_notifications()  # a toast may name a dyad

        def unlock(secret: str) -> None:
            crypto.unlock(self.data_dir, secret)
            os.environ[passphrase.ENV] = secret

        def unlocked(_: None) -> None:
            self.idle.locked = False
            self.idle.touched()

        self.push_screen(
            LockScreen(str(self.data_dir), self.idle.setting.minutes, unlock), unlocked
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While locked, no key of the app's opens anything over the lock (the palette could
        open a rating); ctrl+q still quits, after a warning."""
        if self.idle.locked and action != "quit":
            return False
        return super().check_action(action, parameters)

    async def on_event(self, event: events.Event) -> None:
        """Each key in its turn (`keygate.py`): one pressed before the app can act on it
        where it was meant (a fast `n` at start, rating keys right after the code) is held
        and acted on then, rather than lost or typed into the wrong field; ctrl+q still quits
        at once. Every key press and mouse event puts the idle lock off."""
        if isinstance(event, (events.Key, events.MouseEvent)):
            self.idle.touched()
        if self._pasted_lines(event):
            return
        if not isinstance(event, events.Key) or event.is_forwarded or event.key in NEVER_HELD:
            await super().on_event(event)
            return
        if not self.screen_stack:  # closing, its screens gone: no one to take the key
            return  # (it raised ScreenStackError, a traceback as the app quit)
        if not self.keys.takes(event):
            return
        target = self.focused or self.screen
        await super().on_event(event)
        self.keys.handled(target)

    def _pasted_lines(self, event: events.Event) -> bool:
        """A paste of several lines into a one-line field is typed key by key, Enter between
        the lines (so a pasted code, Enter and digits go where typing them would)."""
        if not isinstance(event, events.Paste) or event.is_forwarded:
            return False
        from textual.widgets import Input  # (after the check: every event comes here)

        if not isinstance(self.focused, Input) or len(event.text.splitlines()) < 2:
            return False
        self.keys.paste(event.text)
        return True

    async def action_quit(self) -> None:
        """Quit; on the session step, what was typed is kept as a draft first (ctrl+q loses
        nothing), and a value that cannot be kept is named before quitting."""
        from rating_tui.tui.screens.lock import LockScreen
        from rating_tui.tui.screens.session_form import SessionFormScreen

        form = self.screen
        if isinstance(form, LockScreen):
            if form.confirm_quit():
                self.exit()
            return
        if not isinstance(form, SessionFormScreen):
            self.exit()
            return
        from rating_tui.store.errors import StoreError
        from rating_tui.tui.screens.dialogs import ConfirmDialog

        try:
            invalid = form.keep_on_quit()
        except StoreError as exc:
            invalid = [f"the draft ({exc})"]
        if not invalid:
            self.exit()
            return

        def answer(leave: bool | None) -> None:
            if leave:
                self.exit()

        question = f"Quit? Not kept in the draft (not valid): {', '.join(invalid)}."
        self.push_screen(ConfirmDialog(question, "Quit"), answer)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Marks that terminals draw at different widths (👍🏽) are taken out as typed, in any
        text box, and the app says so (`widths.py`): otherwise the box's border breaks."""
        from rating_tui.tui.widths import tidy_area

        said = tidy_area(event.text_area)
        if said is not None:
            self.notify(said, title="Emoji changed", timeout=10)

    def on_input_changed(self, event: Input.Changed) -> None:
        """The same for one-line inputs."""
        from rating_tui.tui.widths import tidy_input

        said = tidy_input(event.input)
        if said is not None:
            self.notify(said, title="Emoji changed", timeout=10)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's palette entries but its "Keys" (the focused widget's keys): the app's
        own "Help: every key" lists them all, and two entries about keys confused."""
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command

    def action_toggle_theme(self) -> None:
        """Switch between the light and dark built-in themes."""
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        from rating_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
