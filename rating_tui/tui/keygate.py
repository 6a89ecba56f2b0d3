"""Every key goes where the user meant, however fast the keys come.

A terminal hands the app a burst of keys (a fast typist, a paste, a scanner) all at once,
before the screen or the field each one is meant for exists or has the cursor: `n EC0417
Enter RP ctrl+n 3241023` put the code's letters on a form not yet built (lost), or the rating
digits in the dyad field (a wrong code, silently). So the app lets one key through at a time,
and holds the others, in order, while

- the data folder is still opening (the screens cannot act on a key yet); a line typed even
  before the app has started has its Enter as a line feed (ctrl+j), taken as the Enter it was;
- the screen a key would go to has just changed and has not yet been drawn (its fields and
  their focus are not there yet);
- the key before is still being handled: it has reached the focused widget but not yet every
  widget it bubbles up through, and the focus may move when it has (Enter in a field);
- the screen asks to hold them (`holds_keys`: the session form while ctrl+n waits for the
  proposed session number, so the rating keys typed meanwhile go to the items).

A key let through is followed, widget by widget along the path it bubbles up, by a callback
posted to each one's queue after it (`call_later`), twice (`ROUNDS`); when the callback has
reached the app, the key and the message its binding posted have been handled wherever they
went, and the next key is let through. ctrl+q and
ctrl+c are never held.

Textual-free state and rules would be nicer, but the path of a key is Textual's: this module
is part of the app (`tui/`), not of the domain.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.screen import Screen

NEVER_HELD = ("ctrl+q", "ctrl+c")
ROUNDS = 2
"""How many times a key's path is followed: once for the key as it bubbles up to the app,
which runs a widget's own binding (Enter in a field) by posting a message to the widget;
once more for that message as it bubbles up to the screen that acts on it (moves the focus)."""
OVERDUE = 1.0
"""Seconds after which a key still on its way no longer holds the next (`_overdue`)."""


class KeyGate:
    """The keys held back, and when the next may go through."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.held: list[events.Key] = []
        """Keys not yet let through, in the order they were pressed."""
        self.open = False
        """False until the data folder is open (`opened`)."""
        self._turn: events.Key | None = None
        """The held key posted again to the app, on its way through."""
        self._in_flight = False
        """A key was let through and has not yet reached every widget on its path."""
        self._settling: Screen[object] | None = None
        """The screen just put on top, until it has been drawn once."""
        self._waiting_on: MessagePump | None = None
        """The widget whose queue holds the callback following the key in flight."""
        self.overdue = 0
        """How many keys the safety net let go before their path was followed (tests)."""
        self._generation = 0
        """Counts the keys let through (the safety net's timer names the one it waits for)."""

    @property
    def quiet(self) -> bool:
        """No key held, and none let through still on its way (what tests wait for)."""
        return not self.held and self._turn is None and not self._in_flight

    # --- what the app tells the gate ------------------------------------------------------

    def opened(self) -> None:
        """The data folder is open: the keys held meanwhile go through, one by one."""
        self.open = True
        self.release()

    def drop(self) -> None:
        """Forget the keys held (they were meant for a screen that will not come)."""
        self.held.clear()
        self._turn = None

    def screen_changed(self, screen: Screen[object]) -> None:
        """A screen is on top (pushed, popped back to, switched to): hold keys until it has
        handled its resume and been drawn, so its fields and their focus are there."""
        self._settling = screen
        if not screen.call_after_refresh(self._settled, screen):
            self._settled(screen)  # closing: it will not be drawn, and holds nothing

    def _settled(self, screen: Screen[object]) -> None:
        if self._settling is screen:
            self._settling = None
            self.release()

    # --- the keys -------------------------------------------------------------------------

    def takes(self, event: events.Key) -> bool:
        """Whether the app handles `event` now; False: it is held, and handled in its turn."""
        if event.key in NEVER_HELD:
            return True
        if event is self._turn:
            self._turn = None
            if self.held and self.held[0] is event:
                self.held.pop(0)
        elif self.held or not self._ready():
            if event.key == "ctrl+j" and not self.open:
                # typed before the app put the terminal in raw mode: the terminal turned the
                # line's Enter into a line feed, which Textual reads as ctrl+j
                self.held.append(events.Key("enter", "\r"))
            else:
                self.held.append(events.Key(event.key, event.character))
            return False
        self._in_flight = True
        self._generation += 1
        self.app.set_timer(OVERDUE, partial(self._overdue, self._generation))
        return True

    def handled(self, target: MessagePump) -> None:
        """The app has passed a key to `target` (the focused widget, or the screen): follow
        it up to the app before the next key goes."""
        path: list[MessagePump] = []
        node: MessagePump | None = target
        while node is not None and node is not self.app:
            path.append(node)
            node = getattr(node, "parent", None)
        path.append(self.app)
        self._follow(path * ROUNDS)

    def _follow(self, path: list[MessagePump]) -> None:
        while path:
            node = path.pop(0)
            if node.call_later(self._follow, path):
                self._waiting_on = node
                return  # the rest of the path once `node` has handled what was before
        self._waiting_on = None
        self._in_flight = False
        self.release()

    def _overdue(self, generation: int) -> None:
        """A safety net, not the rule: a widget closed before the key's path reached it (a
        dialog gone with its field) would otherwise hold every later key for good. A widget
        still running is only slow (a loaded machine): wait on, never let the next key
        overtake (under load it did, and rating keys landed in the session number)."""
        if generation != self._generation or not self._in_flight:
            return
        node = self._waiting_on
        if node is not None and node.is_running and getattr(node, "is_attached", True):
            self.app.set_timer(OVERDUE, partial(self._overdue, generation))
            return
        self.overdue += 1
        self._waiting_on = None
        self._in_flight = False
        self.release()

    def paste(self, text: str) -> None:
        """A paste of several lines, as the keys it stands for: each line's characters, then
        Enter (a field takes one line; Textual's own paste kept the first line and dropped
        the rest without a word)."""
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for number, line in enumerate(lines):
            if number:
                self.held.append(events.Key("enter", "\r"))
            for character in line:
                key = "tab" if character == "\t" else character
                self.held.append(events.Key(key, character))
        self.release()

    def _ready(self) -> bool:
        if not self.open or self._in_flight or self._settling is not None:
            return False
        return not getattr(self.app.screen, "holds_keys", False)

    def release(self) -> None:
        """Let the next held key through, when the app is ready for it."""
        if self.held and self._turn is None and self._ready():
            self._turn = self.held[0]
            self.app.post_message(self._turn)
