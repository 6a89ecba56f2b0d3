"""Home's lists on a cold start, read from the data folder's files before pydantic, the
models, the store and the instruments are loaded.

With no preview to show (`home_cache.py`: the first start, or another process changed the
folder), Home used to wait about 150 ms of CPU for those. `store/glance.py` reads the newest
records as stored (plain JSON), and the lines are drawn here from them and from the store's
own copy of each record's instrument version: the same lines `format.rating_line` draws
(`line_text` is shared), shown as a preview until the store answers and Home refills, keys
waiting meanwhile as they do with a kept preview. Whatever does not read plainly gives no
lines (an encrypted folder, a journal not rolled forward, a damaged file, an instrument with
`show_if` whose progress needs the conditions): Home then waits for the store, which says
what is wrong as before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.text import Text

from rating_tui.safetext import escape
from rating_tui.store.glance import Glance, Record, Unclear, glance
from rating_tui.tui.home_cache import Line, Preview, line_of

FINAL_ONLY = ("final",)
"""`Store.list`'s default statuses (`ratings.model.FINAL_ONLY`, not imported: pydantic)."""


def line_text(
    dyad: str, number: str, when: str, rater: str, status: str, progress: tuple[int, int]
) -> Text:
    """One line of Home's lists: dyad, session number, date, rater, progress or status (the
    text values escaped by the caller)."""
    done, total = progress
    text = Text(f"{dyad or '(no dyad yet)':<8}", style="bold")
    text.append(f" #{number:<3}" if number else "     ")
    text.append(f" {when:<10}  {rater:<8} ")
    if status == "draft":
        text.append(f"draft {done}/{total}", style="italic")
    elif status == "voided":
        text.append("voided", style="strike")
    else:
        text.append(f"final {done}/{total}")
    return text


def glanced(data_dir: Path, today: date) -> Preview | None:
    """Home's lists from the folder's files, or None when it does not read plainly."""
    from rating_tui.tui.screens.home import DRAFT_DAYS, DRAFTS, DRAFTS_LISTED, RECENT

    found = glance(data_dir)
    if found is None:
        return None
    try:
        since = today - timedelta(days=DRAFT_DAYS)
        drafts = found.records(statuses=DRAFTS, date_from=since, limit=DRAFTS_LISTED + 1)
        more = len(drafts) > DRAFTS_LISTED
        del drafts[DRAFTS_LISTED:]
        drafts.sort(key=lambda r: datetime.fromisoformat(r["updated"]), reverse=True)
        recent = found.records(statuses=FINAL_ONLY, limit=RECENT)
        return Preview(
            tuple(_line(found, r) for r in drafts),
            tuple(_line(found, r) for r in recent),
            more,
            found.held(),
        )
    except (Unclear, OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None  # (in the opener's thread: an error here would stop the app)


def _line(found: Glance, record: Record) -> Line:
    ins = found.instrument(record)
    rater = record["rater"]
    if not isinstance(rater, str):
        raise Unclear("rater")

    def role(name: str) -> str:
        value = found.role_value(record, name)
        return "" if value is None else str(value)

    text = line_text(
        escape(role("dyad")),
        role("session_number"),
        escape(role("session_date")),
        escape(rater),
        record["status"],
        _progress(ins, record["answers"]),
    )
    return line_of(record["id"], text)


def _progress(ins: dict[str, Any], answers: object) -> tuple[int, int]:
    """`format.progress` over the kept copy: (required items answered or coded, required
    items asked). A condition (`show_if`) would need the models to evaluate: Unclear."""
    fields, items = ins.get("fields", []), ins["items"]
    if not isinstance(answers, dict) or not isinstance(fields, list):
        raise Unclear("answers")
    if any(q.get("show_if") is not None for q in [*fields, *items]):
        raise Unclear("show_if")
    required = [i["key"] for i in items if i.get("required", True)]  # (`Item.required`)
    return sum(1 for key in required if key in answers), len(required)
