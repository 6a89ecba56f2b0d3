"""When a `--dyad` or `--rater` filter found nothing: the stored spelling of a code typed in
another case. Codes match exactly, case included (EC0417 and ec0417 could be two dyads), so
the filter is not loosened; but "no ratings match" alone reads as if the dyad had none."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rating_tui.ratings.model import Status
    from rating_tui.store.api import Store


def other_case(
    stores: Iterable[Store],
    dyad: str | None,
    rater: str | None,
    statuses: Iterable[Status],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    instrument: str | None = None,
) -> list[str]:
    """One line for each stored spelling (up to three a code) that differs from the code
    typed only in case, with how many ratings the other filters give it."""
    if dyad is None and rater is None:
        return []
    odd = [*_odd_code("dyad", dyad), *_odd_code("rater", rater)]
    spelt: dict[str, Counter[str]] = {"dyad": Counter(), "rater": Counter()}
    for store in stores:
        for r in store.list(
            dyad=dyad, rater=rater, date_from=date_from, date_to=date_to,
            instrument=instrument, statuses=tuple(statuses), limit=None, fold_case=True,
        ):  # fmt: skip
            if rater is not None:
                spelt["rater"][r.rater] += 1
            if dyad is not None:
                wanted = dyad.casefold()
                found = [v for v in r.session.values() if isinstance(v, str)]
                spelt["dyad"][next((v for v in found if v.casefold() == wanted), dyad)] += 1
    lines = []
    for role, typed in (("dyad", dyad), ("rater", rater)):
        counts = spelt[role]
        counts.pop(typed or "", None)
        lines += [
            f"Codes match exactly, case included: {n} rating(s) have {role} {code} "
            f"(--{role} {code})."
            for code, n in counts.most_common(3)
        ]
    return lines + odd


def _odd_code(role: str, typed: str | None) -> list[str]:
    """Why a code typed that matched nothing may not be the code meant: look-alike
    characters (full-width ＥＣ０４１７ from an East Asian input method) or a list of codes
    (`EC0417,EC0418`), each taken as it is, as one code."""
    if typed is None:
        return []
    import unicodedata

    plain = unicodedata.normalize("NFKC", typed)
    if plain != typed:
        return [
            f"--{role} {typed!r} has full-width or other look-alike characters, taken as they "
            f"are: did you mean --{role} {plain}?"
        ]
    for mark, name in ((",", "a comma"), (";", "a semicolon"), (" ", "a space")):
        if mark in typed:
            return [
                f"--{role} {typed!r} holds {name} and was taken as one code: --{role} takes "
                "a single code, so give each code a run of its own"
            ]
    return []


def no_such_instrument(wanted: str | None, versions: Callable[[str], Iterable[str]]) -> str:
    """Said after "no ratings match" when no instrument file has `--instrument` at all (a typo
    read as if the instrument had no ratings); "" when one has it. `versions(id)` lists the
    versions known of an id."""
    if wanted is None:
        return ""
    wanted_id, _, version = wanted.partition("@")
    if any(version in ("", v) for v in versions(wanted_id)):
        return ""
    return f" (and no instrument file has {wanted}: see rating-tui instruments list)"
