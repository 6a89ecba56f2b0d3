"""`rating-tui doctor` and `rating-tui demo-data`, and the data-folder plumbing that every
command touching ratings shares (`--data DIR`, opening the store, turning failures into one
clear line).

`doctor` inspects before it opens: `Store.open` tidies up after crashes (removes stale temp
files) and refuses folders it cannot use, and the doctor must report exactly those cases, so
it first checks the folder through an unopened store and only then tries to open it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rating_tui.cli.errors import fail, note_plain

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument
    from rating_tui.store import Store
    from rating_tui.store.codec import Codec
    from rating_tui.store.doctor import Finding

DEMO_COUNT = 600
"""`demo-data`'s default count, the same as `demo`'s."""

DataOption = Annotated[
    str | None,
    typer.Option(
        "--data",
        help="Ratings data folder (default: the global --data, $RATING_TUI_DATA or your "
        "per-user data folder).",
        show_default=False,
        metavar="FOLDER",
    ),
]


def data_folder(ctx: typer.Context, data: str | Path | None) -> Path:
    """The command's `--data`, else the global `--data`, else `paths.data_dir`'s default.
    An empty `--data ''` is refused: read as ".", it put a data folder in the current one."""
    from rating_tui.paths import data_dir

    folder = folder_given(data, "--data") if isinstance(data, str) else data
    if folder is None and ctx.obj is not None:
        folder = ctx.obj.data
    return data_dir(folder)


def folder_given(value: str, option: str) -> Path:
    """A folder option as given; refused in words when empty (Path("") is ".")."""
    if not value.strip():
        fail(f"{option} is empty: give a folder (. for the current one)")
    return Path(value)


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn a store refusal, an OS error or bad input into one message and exit status 1."""
    from rating_tui.store import StoreError

    try:
        yield
    except StoreError as exc:
        fail(str(exc))
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}")
    except ValueError as exc:
        fail(str(exc))


def holds_data(folder: Path) -> bool:
    """Whether `folder` is a data folder: False when it is missing or empty; a clear error
    when it holds something else, so that a command pointed at the wrong folder by mistake
    (`--data ~/Documents`) does not turn it into a data folder."""
    try:
        if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
            return False
        if (folder / "store.json").exists() or (folder / "ratings").is_dir():
            return True
    except OSError as exc:
        fail(f"{folder}: {exc.strerror or exc}")
    kind = "folder" if folder.is_dir() else "file, not a folder"
    fail(f"{folder} is not a rating-tui data folder (a {kind} without store.json); check --data")


def open_store(folder: Path) -> Store:
    from rating_tui.store import Store

    with clear_errors():
        store = Store.open(folder)
    note_plain(folder, store.encrypted)
    return store


def doctor(
    ctx: typer.Context,
    data: DataOption = None,
    repair: Annotated[
        bool,
        typer.Option("--repair", help="Rebuild the id index from the month files.", metavar=""),
    ] = False,
) -> None:
    """Check the health of the ratings data folder; exit status 0 when healthy.

    Every file must parse, every rating match the instrument content registered for its
    version, the id index agree with the month files, files be private (0700/0600), and no
    crash have left temp files or a held lock. --repair rebuilds the id index."""
    from rating_tui.store import Store, StoreError, StoreLockedError
    from rating_tui.store.crypto import codec_for
    from rating_tui.store.engine import Engine
    from rating_tui.store.layout import Layout

    folder = data_folder(ctx, data)
    typer.echo(f"Data folder: {folder}")
    if not holds_data(folder):
        typer.echo("No ratings there yet (the folder is made on the first save); nothing to check.")
        return
    findings: list[Finding] = []
    problems: list[str] = []
    with clear_errors():  # an encrypted folder needs its passphrase even to be checked
        codec = codec_for(folder)
    unopened = Store(Engine(Layout(folder), codec, lock_timeout=5.0))
    files = _instrument_files(ctx)
    checked = True
    try:
        findings = unopened.check(files)
    except StoreLockedError as exc:
        fail(str(exc))
    except (StoreError, OSError) as exc:
        problems.append(f"the folder cannot be checked: {exc}")
        checked = False
    try:
        opened = Store.open(folder, codec=codec, lock_timeout=5.0)
        note_plain(folder, opened.encrypted)
        store: Store | None = opened
    except (StoreError, OSError) as exc:
        store = None
        if not any(str(exc) in p for p in problems):
            problems.append(f"the folder cannot be opened: {exc}")
    if repair and store is None:
        _report(findings, problems, checked)
        fail("nothing was repaired: the folder must open first (see above)")
    if repair and store is not None:
        try:
            report = store.rebuild_index()
            findings = store.check(files)
        except (StoreError, OSError) as exc:
            fail(f"the index was not rebuilt: {exc}")
        typer.echo(
            f"Rebuilt the index from {report.ratings} rating(s): "
            f"{report.files_written} index file(s) rewritten."
        )
        for aside in report.set_aside:
            typer.echo(f"  damaged index file kept as {aside}")
        for removed in report.removed:
            typer.echo(f"  removed {removed}: a data file must be a regular file")
    findings += _roster_findings(folder, codec)
    if not _report(findings, problems, checked):
        raise typer.Exit(1)


def _roster_findings(folder: Path, codec: Codec) -> list[Finding]:
    """The roster `dyads.txt` (kept by the services, not the store): it must read with the
    folder's codec, and in an encrypted folder it must not lie in plain text."""
    from rating_tui.services.roster import load_roster, roster_path
    from rating_tui.store import crypto, fileio
    from rating_tui.store.doctor import Finding
    from rating_tui.store.errors import StoreError

    path = roster_path(folder)
    try:
        raw = fileio.read_bytes(path)
    except StoreError as exc:
        return [Finding("error", path, str(exc))]
    if raw is None:
        return []
    if crypto.is_encrypted(crypto.read_marker(folder)) and not crypto.is_sealed(raw):
        return [
            Finding(
                "warning",
                path,
                "the roster is plain text in an encrypted folder: its dyad codes can be read "
                "without the passphrase; run `rating-tui encrypt` again to encrypt it",
            )
        ]
    try:
        load_roster(folder, codec)
    except ValueError as exc:
        return [Finding("error", path, str(exc).removeprefix(f"{path}").lstrip(": "))]
    return []


def _instrument_files(ctx: typer.Context) -> list[Instrument]:
    """The instrument files found (to compare with the copies the data folder keeps)."""
    from rating_tui.instruments.catalogue import default_sources, discover

    extra = list(getattr(ctx.obj, "instruments", None) or [])
    return [li.instrument for li in discover(default_sources(extra)).instruments]


def _report(findings: list[Finding], problems: list[str], checked: bool) -> bool:
    """Print what was found, worst first; True when the folder is healthy. `checked`: the
    doctor read the folder (False: its problems say why it could not)."""
    colour = {"error": "red", "warning": "yellow", "info": "blue"}
    for problem in problems:
        typer.echo(f"{typer.style('error', fg='red')}: {problem}")
    for f in findings:
        gone = " (removed now, on opening)" if f.level == "info" and not f.path.exists() else ""
        typer.echo(f"{typer.style(f.level, fg=colour[f.level])}: {f.path}: {f.message}{gone}")
    errors = len(problems) + sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    if not checked and not findings:
        # "Not healthy" was said of a folder none of whose files was read (its lock refused)
        typer.echo("Not checked: no file of the folder could be read, so its health is unknown.")
        return False
    if errors or warnings:
        typer.echo(f"Not healthy: {errors} error(s), {warnings} warning(s).")
        return False
    notes = f" ({len(findings)} note(s) above)" if findings else ""
    typer.echo(f"Healthy: every file parses and matches its instrument{notes}.")
    return True


def demo_data(
    ctx: typer.Context,
    count: Annotated[
        int,
        typer.Option(
            "--count",
            "-n",
            help=f"How many ratings to make (default {DEMO_COUNT}, as `demo`: enough to try "
            "the app, exports and agreement).",
            show_default=False,
            metavar="N",
        ),
    ] = DEMO_COUNT,
    seed: Annotated[int, typer.Option(help="Same seed, same ratings.", metavar="N")] = 0,
    data: DataOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Add to a folder that already holds ratings.", metavar=""),
    ] = False,
) -> None:
    """Fill a data folder with synthetic ratings of the built-in instrument.

    Dyads followed weekly over months, several raters (some sessions rated by two or three),
    not-observed codes, now moments, a few drafts, edits and voided ratings: for trying the
    app, exports and statistics. Refuses a folder that already holds ratings."""
    from rating_tui.instruments.problems import InstrumentError
    from rating_tui.services import demo
    from rating_tui.store import StoreError

    if not 1 <= count <= demo.MAX_COUNT:
        fail(f"--count must be from 1 to {demo.MAX_COUNT:,}, not {count:,}")
    folder = data_folder(ctx, data)
    holds_data(folder)  # refuses a folder that holds something else
    store = open_store(folder)
    with clear_errors():
        if demo.has_ratings(store) and not force:
            fail(
                f"{folder} already holds ratings; demo data would mix with them. Use an empty "
                "folder (--data DIR), or add --force to add the demo ratings anyway."
            )
    try:
        instrument = demo.builtin_instrument()
    except InstrumentError as exc:
        fail(f"the built-in instrument cannot be loaded:\n{exc}")
    done = 0

    def progress(stored: int) -> None:
        nonlocal done
        done = stored
        if count > demo.BATCH:
            typer.echo(f"  {done:,} of {count:,} stored", err=True)

    try:
        summary = demo.fill_demo_data(store, instrument, count, seed, progress=progress)
    except (StoreError, OSError) as exc:
        more = "; run the same command with --force to add the rest" if done else ""
        fail(f"{exc}\n{done:,} of {count:,} demo ratings were stored before this{more}")
    s = summary
    present = f", {s.already_present:,} were already there" if s.already_present else ""
    typer.echo(
        f"Stored {s.added:,} demo rating(s) of {instrument.ref} in {folder}{present}.\n"
        f"  {len(s.dyads)} dyads, {len(s.raters)} raters, {s.sessions:,} sessions from "
        f"{s.first_date} to {s.last_date} ({s.multi_rated_sessions:,} rated by two or more)\n"
        f"  {s.drafts} draft(s), {s.revised} edited, {s.voided} voided, "
        f"{s.missing_codes:,} not-observed/not-applicable codes, {s.now_moments:,} now moments\n"
        f"  seed {s.seed}: the same seed and count give the same ratings"
    )
