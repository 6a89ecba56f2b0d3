"""`rating-tui audit`: the folder's audit log (who changed which rating, when, what and why).

Each save of a rating appends one entry (see `store.audit`); this prints them oldest first,
one line per rating changed, or as JSON with `--json`. A log changed outside rating-tui (a
broken chain) is said, and the exit status is 1.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from rating_tui.cli.data_cmd import DataOption, clear_errors, data_folder, holds_data, open_store
from rating_tui.cli.errors import fail


def audit(
    ctx: typer.Context,
    data: DataOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document instead of lines.", metavar="")
    ] = False,
) -> None:
    """Export the audit log: every change of a rating, with who, when, what and why.

    Written in the same transaction as the ratings; `rating-tui doctor` checks the ratings
    against it."""
    from rating_tui.safetext import escape

    folder = data_folder(ctx, data)
    if not holds_data(folder):
        fail(f"{folder} holds no ratings yet, so it has no audit log")
    store = open_store(folder)
    with clear_errors():
        log = store.audit_log()
    if log is None:
        fail(
            f"{folder} has no audit log yet: its ratings were saved before rating-tui kept one; "
            "it starts at the next save"
        )
    rows = [_row(entry, r) for entry in log.entries for r in entry.get("ratings", [])]
    if as_json:
        document: dict[str, Any] = {
            "since": log.since,
            "entries": len(log.entries),
            "changes": rows,
        }
        if log.problems:
            document["problems"] = log.problems
        typer.echo(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        typer.echo(f"Audit log of {folder}, since {log.since}: {len(rows)} change(s)")
        for row in rows:
            why = f" - {escape(str(row['reason']))}" if row.get("reason") else ""
            typer.echo(
                f"{row['n']:>6} {row['at']} {row['action']:<12} {row['rating']} "
                f"by {escape(str(row['by']))} in {row['file']}{why}"
            )
    for problem in log.problems:
        typer.echo(f"error: the audit log was changed outside rating-tui: {problem}", err=True)
    if log.problems:
        raise typer.Exit(1)


def _row(entry: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    keys = ("action", "status", "by", "reason", "file", "hash")
    return {"n": entry.get("n"), "at": entry.get("at"), "rating": row.get("id")} | {
        k: row.get(k) for k in keys
    }
