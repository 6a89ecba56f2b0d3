"""Step 2: rate each item with one key while its anchors are on screen.

A digit picks a scale point and moves to the next item; `n` gives the item's first missing
code (not observed); every change is saved as a draft at once (see DraftSession).
"""

from __future__ import annotations

import unicodedata
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Header, ProgressBar, Static

from rating_tui.instruments.model import (
    Item,
    MultipleChoiceScale,
    NumericScale,
    TextScale,
)
from rating_tui.ratings.entry import parse_number, point_keys
from rating_tui.ratings.model import Answer, Answered, Missing
from rating_tui.services.draft_session import DraftSession
from rating_tui.store.errors import StoreError
from rating_tui.tui.conflict import offer_reload
from rating_tui.tui.format import progress
from rating_tui.tui.screens.base import AppScreen
from rating_tui.tui.screens.items_leave import add_moment, leave, open_review, open_session
from rating_tui.tui.screens.items_words import NUMBER_KEYS, answer_label, paste, selected_key
from rating_tui.tui.widgets.anchor_panel import MISSING_KEYS, AnchorPanel, PointChoice
from rating_tui.tui.widgets.footer import AppFooter
from rating_tui.tui.widgets.item_row import ItemRow

WIDE = 120
"""Terminal width from which the item list and the anchors sit side by side."""
TALL = 36
"""Terminal height from which every item is listed above the anchors; below it (80x24) the
list shows the current item and its neighbours, so the anchors get the room."""


class ItemsScreen(AppScreen[None]):
    """The items of one rating; `current` is the item the keys act on."""

    CSS_PATH = "items.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Next", show=False),
        Binding("k,up", "move(-1)", "Previous", show=False),
        Binding("r", "review", "Review", id="review"),
        Binding("m", "moment", "Now moment", id="moment"),
        Binding("a", "toggle_anchors", "Anchors", id="anchors"),
        Binding("x,backspace", "clear", "Clear", id="clear", show=False),
        Binding("s", "session", "Session", id="session", show=False),
        Binding("escape", "leave", "Home", id="leave"),
        Binding("left", "step(-1)", "Step down", show=False),
        Binding("right", "step(1)", "Step up", show=False),
        Binding("pagedown,space", "scroll_anchors(1)", "More", id="anchors_down"),
        Binding("pageup", "scroll_anchors(-1)", "Anchors up", show=False),
    ]

    current: reactive[int] = reactive(0, init=False)

    def __init__(self, session: DraftSession, start: int = 0) -> None:
        super().__init__()
        self.session = session
        self._start = start
        self._typed = ""
        """Digits typed for a numeric item, committed with Enter."""

    @property
    def items(self) -> list[Item]:
        return self.session.instrument.items

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="progress-row"):
            yield Static(id="progress-text")
            yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="progress")
        with Horizontal(id="items-body"):
            with VerticalScroll(id="item-list", can_focus=False):
                for n, item in enumerate(self.items):
                    yield ItemRow(n, item.label, item.required)
            yield AnchorPanel()
        yield AppFooter()

    def on_mount(self) -> None:
        editing = "Editing final rating" if self.session.editing_final else "Rating"
        self.sub_title = f"{editing}: digits rate, n not observed, r review"
        answers = self.session.rating.answers
        first_open = next(
            (n for n, i in enumerate(self.items) if i.key not in answers and self.session.asked(i)),
            self._start,
        )
        self.current = self._start or first_open
        self.redraw()

    # --- drawing ------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        """Items beside the anchors on wide terminals, above them on narrow ones; on short
        ones (80x24) only the current item and its neighbours are listed."""
        self.set_class(event.size.width >= WIDE, "-wide")
        self.set_class(event.size.width < WIDE and event.size.height < TALL, "-short")
        self.call_after_refresh(self._show_current)

    def _show_current(self) -> None:
        row = self.query_one(f"#item-{self.current}", ItemRow)
        self.query_one("#item-list", VerticalScroll).scroll_to_center(row, animate=False)
        self.query_one(AnchorPanel).mark_overflow()

    def watch_current(self, old: int, new: int) -> None:
        self.settle_typed(self.items[old])
        self.redraw()

    def settle_typed(self, item: Item) -> None:
        """A number typed for `item` but not yet entered when the rater moves on (j/k, a
        click, the review, the session step, Escape): saved when it is allowed, else said
        not saved; it was dropped without a word, the item left as it was."""
        typed, self._typed = self._typed, ""
        scale = self.session.instrument.scale_of(item)
        if not typed or not isinstance(scale, NumericScale):
            return
        number = parse_number(typed)
        if number is not None and scale.contains(number):
            self._save(item, Answered(value=number), advance=False)
            self.notify(f"{item.label}: {typed} saved.", timeout=4)
            return
        self.notify(
            f"{item.label}: {typed!r} was not saved: expected a number from {scale.min} to "
            f"{scale.max} in steps of {scale.step}.",
            severity="warning",
        )

    def redraw(self) -> None:
        rating = self.session.rating
        instrument = self.session.instrument
        for row in self.query(ItemRow):
            item = self.items[row.index]
            answer = rating.answers.get(item.key)
            pending = self._typed if row.index == self.current else ""
            label = answer_label(instrument, item, answer)
            row.show(
                label if self.session.asked(item) else "not asked",
                row.index == self.current,
                answer is not None,
                pending,
            )
        item = self.items[self.current]
        chosen = selected_key(instrument, item, rating.answers.get(item.key))
        self.query_one(AnchorPanel).show(instrument, item, chosen)
        self.call_after_refresh(self._show_current)
        done, total = progress(rating, self.session.instrument)
        moments = len(rating.now_moments)
        text = f"{done}/{total} required done"
        text += f" · {moments} now moment{'s' if moments != 1 else ''}" if moments else ""
        self.query_one("#progress-text", Static).update(text)
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=done)

    # --- answering ----------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        item = self.items[self.current]
        scale = self.session.instrument.scale_of(item)
        key = event.character or (event.key if len(event.key) == 1 else "")
        if key in MISSING_KEYS and event.key in ("n", "N"):
            event.stop()
            self._missing(item, MISSING_KEYS.index(key))
        elif isinstance(scale, NumericScale) and key in NUMBER_KEYS:
            event.stop()
            self.type_number(key)
        elif key.isdigit() and len(key) == 1:
            event.stop()
            self._digit(item, key)
        elif event.key == "enter":
            event.stop()
            self._enter(item)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        paste(self, event.text)

    def type_number(self, typed: str) -> None:
        """Digits (a point, a comma, a sign) for a numeric item, entered with Enter."""
        self._typed += typed
        self.redraw()

    def press_answer_key(self, key: str) -> None:
        """A point's key or a missing code's, as if pressed."""
        item = self.items[self.current]
        if key in MISSING_KEYS:
            self._missing(item, MISSING_KEYS.index(key))
        else:
            self._digit(item, key)

    def _digit(self, item: Item, key: str) -> None:
        scale = self.session.instrument.scale_of(item)
        if not key.isascii():  # ٣ (an Arabic keyboard's 3) is 3, as the session form reads it
            key = str(unicodedata.decimal(key, key))
        value = point_keys(scale).get(key)
        if value is None:
            self.notify(f"{key} is not a point of this scale", severity="warning", timeout=3)
            return
        if isinstance(scale, MultipleChoiceScale):
            answer = self.session.rating.answers.get(item.key)
            chosen: list[int | str] = []
            if isinstance(answer, Answered) and isinstance(answer.value, list):
                chosen = list(answer.value)
            assert not isinstance(value, list | float)
            chosen = [c for c in chosen if c != value] if value in chosen else [*chosen, value]
            self._save(item, Answered(value=chosen) if chosen else None, advance=False)
            return
        self._save(item, Answered(value=value), advance=True)

    def _missing(self, item: Item, index: int) -> None:
        if index >= len(item.missing_codes):
            self.notify("This item has no such code.", severity="warning", timeout=3)
            return
        self._save(item, Missing(missing=item.missing_codes[index]), advance=True)

    def _enter(self, item: Item) -> None:
        scale = self.session.instrument.scale_of(item)
        if isinstance(scale, NumericScale) and self._typed:
            self._commit_number(item, scale)
        elif isinstance(scale, TextScale):
            self._write_text(item, scale)
        elif (following := self.session.step_from(self.current, 1)) == self.current:
            self.action_review()
        else:
            self.current = following

    def _commit_number(self, item: Item, scale: NumericScale) -> None:
        typed, self._typed = self._typed, ""
        number = parse_number(typed)
        if number is None or not scale.contains(number):
            what = f"{typed!r} is not a number" if number is None else f"{typed} is not allowed"
            self.notify(
                f"{what}: expected a number from {scale.min} to {scale.max} "
                f"in steps of {scale.step}.",
                severity="warning",
            )
            self.redraw()
            return
        self._save(item, Answered(value=number), advance=True)

    def _write_text(self, item: Item, scale: TextScale) -> None:
        from rating_tui.tui.screens.dialogs import TextDialog

        answer = self.session.rating.answers.get(item.key)
        old = answer.value if isinstance(answer, Answered) and isinstance(answer.value, str) else ""

        def done(text: str | None) -> None:
            if text is not None:
                self._save(item, Answered(value=text) if text else None, advance=bool(text))

        self.app.push_screen(TextDialog(item.label, old, scale.multiline, scale.max_length), done)

    def _save(self, item: Item, answer: Answer | None, *, advance: bool) -> None:
        if not self.session.asked(item):
            self.notify(f"{item.label} is not asked for this session.", timeout=4)
            return
        try:
            dropped = self.session.answer(item, answer)
        except StoreError as exc:
            if not offer_reload(self, self.session, exc, self.redraw):
                self.refused(exc)
            return
        if dropped:
            labels = {i.key: i.label for i in self.items}
            names = ", ".join(labels.get(k, k) for k in dropped)
            self.notify(f"No longer asked, answer removed: {names}", timeout=6)
        following = self.session.step_from(self.current, 1) if advance else self.current
        if following != self.current:
            self.current = following
        else:
            self.redraw()
            if advance and not self.session.missing():
                self.action_review()  # the last item rated and nothing missing: one key less

    @on(PointChoice.Chosen)
    def _clicked_point(self, event: PointChoice.Chosen) -> None:
        item = self.items[self.current]
        if event.key in MISSING_KEYS:
            self._missing(item, MISSING_KEYS.index(event.key))
        elif event.key:
            self._digit(item, event.key)

    @on(ItemRow.Picked)
    def _clicked_row(self, event: ItemRow.Picked) -> None:
        self.current = event.index

    # --- actions ------------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.current = self.session.step_from(self.current, delta)

    def action_step(self, delta: int) -> None:
        item = self.items[self.current]
        scale = self.session.instrument.scale_of(item)
        if not isinstance(scale, NumericScale):
            return
        answer = self.session.rating.answers.get(item.key)
        now = answer.value if isinstance(answer, Answered) else None
        start = (
            now if isinstance(now, int | float) else scale.min - (scale.step if delta > 0 else 0)
        )
        value = min(scale.max, max(scale.min, start + delta * scale.step))
        self._save(item, Answered(value=value), advance=False)

    def action_clear(self) -> None:
        if self._typed:
            self._typed = self._typed[:-1]
            self.redraw()
            return
        self._save(self.items[self.current], None, advance=False)

    def action_scroll_anchors(self, pages: int) -> None:
        """PageDown / space and PageUp scroll the anchors, whatever has the focus."""
        panel = self.query_one(AnchorPanel)
        if pages > 0:
            panel.scroll_page_down(animate=False)
        else:
            panel.scroll_page_up(animate=False)
        self.call_after_refresh(panel.mark_overflow)

    def action_toggle_anchors(self) -> None:
        panel = self.query_one(AnchorPanel)
        panel.display = not panel.display

    def action_moment(self) -> None:
        add_moment(self)

    def action_review(self) -> None:
        open_review(self)

    def action_session(self) -> None:
        open_session(self)

    def action_leave(self) -> None:
        leave(self)
