"""The study roster: the dyad codes of the study, in `dyads.txt` in the data folder.

Optional. When it exists, a code that is neither in it nor already rated is asked about
("new dyad?") with the nearest known codes, so a mistyped code (EC0471 for EC0417) does not
silently start a new dyad. One code per line; blank lines and `#` comments are ignored.

It goes through the folder's codec like every data file: readable text in a plain folder (it
can be edited by hand), encrypted in an encrypted one (the codes are pseudonyms of families).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rating_tui.ratings.checks import nearest
from rating_tui.store import crypto, fileio
from rating_tui.store.codec import Codec, CodecError

__all__ = ["ROSTER_FILE", "add_codes", "load_roster", "nearest", "parse_codes"]

ROSTER_FILE = crypto.ROSTER
MAX_CODE = 32


def roster_path(data_dir: Path) -> Path:
    return data_dir / ROSTER_FILE


def load_roster(data_dir: Path, codec: Codec | None = None) -> list[str] | None:
    """The codes in the roster, in file order; None when the study keeps no roster. Read
    with `codec`, else the folder's own (an encrypted folder needs its passphrase:
    `PassphraseError`); `ValueError` naming the file when it cannot be read."""
    path = roster_path(data_dir)
    raw = fileio.read_bytes(path)
    if raw is None:
        return None
    codec = codec or crypto.codec_for(data_dir)
    try:
        text = codec.decode(raw).decode("utf-8")
    except CodecError as exc:
        again = (
            " (run `rating-tui encrypt` again to encrypt it)" if not crypto.is_sealed(raw) else ""
        )
        raise ValueError(f"{path} cannot be read: {exc}{again}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    codes, problems = parse_codes(text)
    if problems:
        raise ValueError(f"{path}:{problems[0]}")
    return list(dict.fromkeys(codes))


def parse_codes(text: str) -> tuple[list[str], list[str]]:
    """(codes, problems as `line: message`) of a list with one code per line; a repeated code
    is listed each time (the caller says how many repeats it counted once)."""
    codes: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().removeprefix("\ufeff")
        if not line:
            continue
        problem = code_problem(line)
        if problem:
            problems.append(f"{number}: {problem}")
        else:
            codes.append(line)
    return codes, problems


def code_problem(code: str) -> str | None:
    """Why `code` cannot be a dyad code in the roster, or None."""
    if not code or any(c.isspace() for c in code):
        return f"{code!r} is not a dyad code: one word without spaces, e.g. EC0417"
    if len(code) > MAX_CODE:
        return f"{code!r} is {len(code)} characters long; at most {MAX_CODE} are allowed"
    if not code.isprintable():
        return f"{code!r} holds a control character"
    return None


def add_codes(
    data_dir: Path, codes: Iterable[str], codec: Codec | None = None
) -> tuple[list[str], list[str]]:
    """Add codes to the roster (created if missing), atomically, stored with the folder's
    codec; (added, already there)."""
    codec = codec or crypto.codec_for(data_dir)
    current = load_roster(data_dir, codec) or []
    added = [c for c in dict.fromkeys(codes) if c not in current]
    present = [c for c in dict.fromkeys(codes) if c in current]
    if added:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = "".join(f"{c}\n" for c in [*current, *added])
        header = "# Dyad codes of the study, one per line (rating-tui dyads add/list/import)\n"
        fileio.write_atomic(roster_path(data_dir), codec.encode((header + text).encode()))
    return added, present
