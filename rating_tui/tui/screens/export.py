"""Export from the app: the researcher's CSV, codebook and now-moments table in one step.

It runs the `rating-tui export` command itself (in a worker thread, as a subprocess), so the
app and the command line write exactly the same files and say the same things.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, Switch

from rating_tui.tui.screens.base import AppScreen

INCOMPLETE = 3
"""The command's exit status when it wrote the files without ratings the folder lost
(`cli.errors.INCOMPLETE`, not imported: the app does not load the command line's modules)."""
SUFFIXES = (".csv", "-codebook.csv", "-moments.csv")
"""The table, its codebook and the now moments, after one base name."""


def free_base(folder: Path, base: str) -> str:
    """`base`, or `base-2`, `base-3`... when a file of that name is already in `folder`: a
    second export on the same day never replaces the first one's files."""
    name, n = base, 1
    while any((folder / f"{name}{suffix}").exists() for suffix in SUFFIXES):
        n += 1
        name = f"{base}-{n}"
    return name


def export_commands(
    data_dir: Path, folder: Path, instrument: str, layout: str, all_versions: bool, stamp: str
) -> tuple[list[str], list[Path]]:
    """The export command line and the files it writes (table, codebook, now moments), named
    so that no file already in `folder` is replaced."""
    base = free_base(folder, f"{instrument}-{layout}-{stamp}")
    table, codebook, moments = (folder / f"{base}{suffix}" for suffix in SUFFIXES)
    argv = [sys.executable, "-m", "rating_tui", "export", "--data", str(data_dir),
            "--instrument", instrument, "--layout", layout, "-o", str(table),
            "--codebook", str(codebook), "--moments", str(moments)]  # fmt: skip
    if all_versions:
        argv.append("--all-versions")
    return argv, [table, codebook, moments]


def result_text(result: subprocess.CompletedProcess[str], files: list[Path], renamed: bool) -> str:
    """What the screen says after the command: its summary, the files written, and first of
    all, when the command found ratings missing from the data folder (exit status
    `INCOMPLETE`), its warning, so that it is seen before anything else."""
    lines = result.stderr.strip().splitlines()
    warnings = [line for line in lines if line.startswith("warning:")]
    text = "\n".join(line for line in lines if line not in warnings)
    # the command's hint names its option; here the screen exports final ratings only
    text = text.replace("; --status chooses which)", "; this screen exports final ratings)")
    text = text.replace("(--status chooses which)", "(this screen exports final ratings)")
    if result.returncode in (0, INCOMPLETE):
        written = "\n".join(f"  {f}" for f in files if f.exists())
        text = f"{text}\n\nWritten:\n{written}"
        if renamed:
            text += (
                "\n\nAn earlier export of the same day is in this folder: its files are "
                "kept, and these have a number after the date."
            )
    if warnings:
        head = "These files leave out ratings that the data folder lost:"
        text = "\n".join([head, *warnings, "", text])
    return text


class ExportScreen(AppScreen[None]):
    """Choose instrument, layout and folder; export; see what was written."""

    CSS_PATH = "export.tcss"
    SUB_TITLE = "Export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+e", "export", "Export", id="do_export", priority=True),
        Binding("escape", "back", "Home", id="export_back"),
    ]

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
            yield Static(id="x-result", markup=False)  # paths and messages, as they are
        yield Footer()

    def on_button_pressed(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        instrument = self.query_one("#x-instrument", Select).value
        layout = self.query_one("#x-layout", Select).value
        typed = self.query_one("#x-folder", Input).value.strip()
        if not isinstance(instrument, str) or not isinstance(layout, str):
            self._show("Choose an instrument first.")
            return
        if not typed:  # it was read as ".", wherever the app was started: never meant
            self._show("Give the folder to write the files to (Folder is empty).")
            return
        # a relative folder is where the app was started: said in full, so the files are
        # found ("Written: out/x.csv" did not say where out/ is)
        folder = Path(typed).expanduser().absolute()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except FileExistsError:  # "File exists" said nothing of what to do
            self._show(f"Cannot use {folder}: it is a file, not a folder; give a folder.")
            return
        except OSError as exc:
            self._show(f"Cannot use {folder}: {exc.strerror or exc}")
            return
        stamp = self.rating_app.today().isoformat()
        all_versions = self.query_one("#x-all", Switch).value
        argv, files = export_commands(
            self.rating_app.data_dir, folder, instrument, layout, all_versions, stamp
        )
        self._show("Exporting…")
        self._run(argv, files, files[0].name != f"{instrument}-{layout}-{stamp}.csv")

    @work(thread=True, exclusive=True)
    def _run(self, argv: list[str], files: list[Path], renamed: bool) -> None:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=3600)
        self.app.call_from_thread(self._show, result_text(result, files, renamed))

    def _show(self, text: str) -> None:
        self.query_one("#x-result", Static).update(text)
