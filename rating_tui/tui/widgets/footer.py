"""The key bar, made to fit: tighter spacing below 100 columns, and without the palette's
own entry below 70 (ctrl+p still opens it), so at 80x24 and 60x20 no key is cut off."""

from __future__ import annotations

from textual.events import Resize
from textual.widgets import Footer

COMPACT_BELOW = 100
PALETTE_FROM = 70


class AppFooter(Footer):
    def on_resize(self, event: Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
        self.show_command_palette = event.size.width >= PALETTE_FROM
