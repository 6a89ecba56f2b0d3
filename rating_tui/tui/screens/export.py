"""Export from the app: the researcher's CSV, codebook and now-moments table in one step.

It runs the `rating-tui export` command itself (in a worker thread, as a subprocess), so the
app and the command line write exactly the same files and say the same things.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, Switch

if TYPE_CHECKING:
    from rating_tui.tui.app import RatingApp


def export_commands(
    data_dir: Path, folder: Path, instrument: str, layout: str, all_versions: bool, stamp: str
) -> tuple[list[str], list[Path]]:
    """The export command line and the files it writes (table, codebook, now moments)."""
    base = f"{instrument}-{layout}-{stamp}"
    table, codebook, moments = (
        folder / f"{base}{suffix}" for suffix in (".csv", "-codebook.csv", "-moments.csv")
    )
    argv = [sys.executable, "-m", "rating_tui", "export", "--data", str(data_dir),
            "--instrument", instrument, "--layout", layout, "-o", str(table),
            "--codebook", str(codebook), "--moments", str(moments)]  # fmt: skip
    if all_versions:
        argv.append("--all-versions")
    return argv, [table, codebook, moments]


class ExportScreen(Screen[None]):
    """Choose instrument, layout and folder; export; see what was written."""

    CSS_PATH = "export.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+e", "export", "Export", id="do_export", priority=True),
        Binding("escape", "back", "Home", id="export_back"),
    ]

    @property
    def rating_app(self) -> RatingApp:
        return cast("RatingApp", self.app)

    def compose(self) -> ComposeResult:
        ids = sorted({li.instrument.id for li in self.rating_app.catalogue.instruments})
        default_folder = Path.home() / "rating-tui-exports"
        yield Header()
        with VerticalScroll(id="export-form"):
            yield Static(
                "Writes the final ratings as a wide or long CSV table and the now-moments table "
                "(readable only by you), with the codebook that describes their columns. "
                "Ctrl+E exports.",
                classes="hint",
            )
            store = self.rating_app.store
            if store is not None and store.encrypted:
                yield Static(
                    "The data folder is encrypted, but exported files are plain: keep them "
                    "private and delete them when the analysis is done.",
                    classes="hint",
                )
            with Horizontal(classes="row"):
                yield Label("Instrument", classes="field-label")
                first = ids[0] if ids else Select.NULL
                yield Select(
                    [(i, i) for i in ids],
                    value=first,
                    id="x-instrument",
                    compact=True,
                    allow_blank=False,
                )
            with Horizontal(classes="row"):
                yield Label("Layout", classes="field-label")
                layouts = [
                    ("wide: a row per rating", "wide"),
                    ("long: per rating and item", "long"),
                ]
                yield Select(layouts, value="wide", id="x-layout", compact=True, allow_blank=False)
            with Horizontal(classes="row"):
                yield Label("All versions together", classes="field-label")
                yield Switch(False, id="x-all")
            with Horizontal(classes="row"):
                yield Label("Folder", classes="field-label")
                yield Input(str(default_folder), id="x-folder", compact=True)
            yield Button("Export", variant="primary", id="x-go")
            yield Static(id="x-result")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Export"

    def on_button_pressed(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        instrument = self.query_one("#x-instrument", Select).value
        layout = self.query_one("#x-layout", Select).value
        folder = Path(self.query_one("#x-folder", Input).value.strip() or ".").expanduser()
        if not isinstance(instrument, str) or not isinstance(layout, str):
            self._show("Choose an instrument first.")
            return
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            self._show(f"Cannot use {folder}: {exc.strerror or exc}")
            return
        stamp = self.rating_app.today().isoformat()
        all_versions = self.query_one("#x-all", Switch).value
        argv, files = export_commands(
            self.rating_app.data_dir, folder, instrument, layout, all_versions, stamp
        )
        self._show("Exporting…")
        self._run(argv, files)

    @work(thread=True, exclusive=True)
    def _run(self, argv: list[str], files: list[Path]) -> None:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=3600)
        message = result.stderr.strip()
        if result.returncode == 0:
            written = "\n".join(f"  {f}" for f in files if f.exists())
            message = f"{message}\n\nWritten:\n{written}"
        self.app.call_from_thread(self._show, message)

    def _show(self, text: str) -> None:
        self.query_one("#x-result", Static).update(text)

    def action_back(self) -> None:
        self.dismiss()
