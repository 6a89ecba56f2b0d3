"""`rating-tui encrypt` and `rating-tui passphrase`: encryption at rest of a data folder.

The passphrase comes from `$RATING_TUI_PASSPHRASE`, else it is asked on the terminal; on a
closed or piped stdin the command refuses at once. A new passphrase (for `encrypt`, and the
new one of `passphrase`) is `$RATING_TUI_NEW_PASSPHRASE` or typed twice.
"""

from __future__ import annotations

import typer

from rating_tui.cli.data_cmd import DataOption, clear_errors, data_folder, holds_data
from rating_tui.cli.errors import fail


def encrypt(ctx: typer.Context, data: DataOption = None) -> None:
    """Encrypt a data folder at rest (AES-256-GCM, key from a passphrase by scrypt).

    Every data file, the index, the instrument copies, backups and the audit log. Safe to
    interrupt: the folder stays readable, and running the command again finishes it. Exports
    stay plain files (analysis needs them)."""
    from rating_tui import passphrase
    from rating_tui.store import crypto
    from rating_tui.store.convert import encrypt_folder

    folder = data_folder(ctx, data)
    if not holds_data(folder):
        fail(f"{folder} holds no ratings yet: make it with a first save, then encrypt it")
    with clear_errors():
        crypto.require()
        marker = crypto.read_marker(folder)
        resuming = crypto.is_encrypted(marker)
        try:
            if resuming:
                secret = passphrase.ask(f"Passphrase for {folder}: ")
            else:
                secret = passphrase.new_passphrase(f"New passphrase for {folder}: ")
        except passphrase.PassphraseUnavailable as exc:
            fail(f"no passphrase: {exc}. Nothing was changed.")
        done = encrypt_folder(folder, secret)
    if done.was_encrypted:
        typer.echo(f"{folder} is already encrypted; nothing was changed.")
        return
    more = (
        f" ({done.already} were encrypted by an earlier, interrupted run)" if done.already else ""
    )
    typer.echo(f"Encrypted {done.files} file(s) in {folder}{more}; the audit log is sealed.")
    for path in done.left:
        typer.echo(f"  left as it is (not a data file): {path}", err=True)
    typer.echo(
        "Keep the passphrase safe: without it the ratings cannot be read. Exports you make "
        "are plain files: keep them private."
    )


def change(ctx: typer.Context, data: DataOption = None) -> None:
    """Change the passphrase of an encrypted data folder (the data is not rewritten)."""
    from rating_tui import passphrase
    from rating_tui.store import crypto
    from rating_tui.store.convert import change_passphrase

    folder = data_folder(ctx, data)
    if not holds_data(folder):
        fail(f"{folder} holds no ratings")
    if not crypto.is_encrypted(crypto.read_marker(folder)):  # said before a passphrase is asked
        fail(f"{folder} is not encrypted, so it has no passphrase: run `rating-tui encrypt` first")
    with clear_errors():
        try:
            old = passphrase.ask(f"Current passphrase for {folder}: ")
            new = passphrase.new_passphrase("New passphrase: ")
        except passphrase.PassphraseUnavailable as exc:
            fail(f"no passphrase: {exc}. Nothing was changed.")
        change_passphrase(folder, old, new)
    typer.echo(f"The passphrase of {folder} is changed (only store.json was rewritten).")
