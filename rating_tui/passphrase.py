"""Where the passphrase of an encrypted data folder comes from (issue 16).

`$RATING_TUI_PASSPHRASE` when set; else the reader the front end registered (the CLI asks on
a terminal, never on a closed or piped stdin); else nothing, and the store refuses in words.
Kept apart from the store so the store never prompts, and light so the CLI can register its
reader at start-up without importing the store. The passphrase is never written anywhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

ENV = "RATING_TUI_PASSPHRASE"
NEW_ENV = "RATING_TUI_NEW_PASSPHRASE"


class PassphraseUnavailable(Exception):
    """No passphrase could be obtained (no variable, no terminal, or an empty answer)."""


_reader: Callable[[str], str] | None = None


def unused(folder: object, encrypted: bool) -> str | None:
    """What to say when `$RATING_TUI_PASSPHRASE` is set for a folder that is not encrypted:
    whoever set it may take the folder's ratings for encrypted, and nothing else would say
    that they are stored as plain text. None when the folder is encrypted or it is unset."""
    if encrypted or not os.environ.get(ENV):
        return None
    return (
        f"{ENV} is set, but {folder} is not encrypted: its ratings are stored as plain text "
        f"and the passphrase is not used (`rating-tui encrypt --data {folder}` encrypts it)"
    )


def set_reader(reader: Callable[[str], str] | None) -> None:
    """Register how to ask when `$RATING_TUI_PASSPHRASE` is not set (None: never ask)."""
    global _reader
    _reader = reader


def ask(prompt: str) -> str:
    """The passphrase, or `PassphraseUnavailable` saying how to give one."""
    value = os.environ.get(ENV)
    if value:
        return value
    if _reader is not None:
        return _reader(prompt)
    raise PassphraseUnavailable(f"set {ENV}, or run the command in a terminal to be asked for it")


def terminal_reader(prompt: str, env: str = ENV) -> str:
    """Ask on the terminal without echo; refuse at once when stdin is not a terminal (a pipe
    or a closed stdin would otherwise hang or read garbage), naming the variable `env` that
    would have given it."""
    if not sys.stdin or not sys.stdin.isatty():
        why = f"standard input is not a terminal, so it cannot be asked for: set {env}"
        if env != ENV and os.environ.get(ENV):
            why += f" ({ENV} is set, but it gives the current passphrase, not a new one)"
        raise PassphraseUnavailable(why)
    import getpass

    try:
        value = getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise PassphraseUnavailable("no passphrase was typed") from None
    if not value:
        raise PassphraseUnavailable("the passphrase was empty")
    return value


def new_passphrase(prompt: str) -> str:
    """A new passphrase: `$RATING_TUI_NEW_PASSPHRASE`, else typed twice on a terminal."""
    value = os.environ.get(NEW_ENV)
    if value:
        return _usable(value, f"${NEW_ENV}")
    first = terminal_reader(prompt, NEW_ENV)
    if terminal_reader("Type it again: ", NEW_ENV) != first:
        raise PassphraseUnavailable("the two passphrases differ")
    return _usable(first, "the passphrase typed")


def _usable(value: str, where: str) -> str:
    """A new passphrase of spaces only, or with a space at an end, is refused: `"   "` was
    taken and the folder locked with it, and a space at an end is lost when the passphrase is
    typed again from memory (or read from a file into the variable), locking the ratings away."""
    if not value.strip():
        raise PassphraseUnavailable(f"{where} is only spaces; choose a passphrase of words")
    if value != value.strip():
        raise PassphraseUnavailable(
            f"{where} starts or ends with a space (or a line break), which is easily lost when "
            "it is typed again; choose one without"
        )
    return value
