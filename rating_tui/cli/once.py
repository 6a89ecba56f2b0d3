"""An option that takes one value is given once: a second one is refused in words.

Click keeps the last value of an option given twice without a word: `export --dyad EC0001
--dyad EC0002` exported EC0002 alone, `merge A --into B --into C` merged into C, `restore
--remerge --no-remerge` dropped the newer ratings, and `rating-tui --data A export --data B`
read B alone. Every command and group of the command line parses with `OnceCommand` or
`OnceGroup` (set by `strict`, in one place), whose parser refuses such a repeat before
anything is read or written. Options meant to repeat (agreement's `--rater`, `--status`,
export's `--data`, `--instruments`) are `multiple` and untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from rating_tui.cli.errors import fail


def _names(option: TyperOption) -> str:
    """The option's names as --help shows them: -o/--output, --remerge/--no-remerge."""
    return "/".join(sorted(option.opts, key=len) + list(option.secondary_opts))


def refuse_repeats(order: list[Any]) -> None:
    """`fail` when an option that takes one value appears twice in `order` (the parameters
    in the order they were given, once per appearance); nothing was read or written yet."""
    seen: set[str | None] = set()
    for param in order:
        if not isinstance(param, TyperOption) or param.multiple or param.count:
            continue
        if param.name in seen:
            takes = "is a switch" if param.is_flag else "takes one value"
            fail(
                f"{_names(param)} is given more than once, but {takes} (the last would "
                "replace the others without a word): give it once"
            )
        seen.add(param.name)


def refuse_data_twice(ctx: Any, given: object) -> None:
    """`fail` when --data names one folder before the command and another after it: the
    command's own was read and the other passed over without a word."""
    root = ctx.find_root().obj
    before = getattr(root, "data", None)
    if before is None or given is None:
        return
    raw = [str(v) for v in (given if isinstance(given, list | tuple) else [given])]
    if not all(r.strip() for r in raw):
        return  # an empty one is refused as empty by the command
    if {_key(Path(r)) for r in raw} != {_key(before)}:
        shown = " ".join(f"--data {r}" for r in raw)
        fail(
            f"--data {before} is given before the command and {shown} after it; only "
            "the folder(s) after it would be read: give the folders in one place"
        )


def _key(folder: Path) -> Path:
    return folder.expanduser().resolve()


class _OnceParser:
    """Click's parser of one command, with `refuse_repeats` after it parsed."""

    def __init__(self, parser: Any, ctx: Any) -> None:
        self._parser = parser
        self._ctx = ctx

    def parse_args(self, args: list[str]) -> tuple[dict[str, Any], list[str], list[Any]]:
        opts, rest, order = self._parser.parse_args(args=args)
        refuse_repeats(order)
        if self._ctx.parent is not None:  # a command's --data beside the global one
            refuse_data_twice(self._ctx, opts.get("data"))
        return opts, rest, order

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


class OnceCommand(TyperCommand):
    def make_parser(self, ctx: Any) -> Any:  # Click's Context, which typer.Context extends
        return _OnceParser(super().make_parser(ctx), ctx)


class OnceGroup(TyperGroup):
    def make_parser(self, ctx: Any) -> Any:  # Click's Context, which typer.Context extends
        return _OnceParser(super().make_parser(ctx), ctx)


def strict(app: typer.Typer) -> typer.Typer:
    """`app` with every command and group (its own, and those of its sub-apps) parsed by
    `OnceCommand` or `OnceGroup`."""
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):  # Typer's own class, else one of ours
            command.cls = OnceCommand
    for group in app.registered_groups:
        group.cls = OnceGroup
        if group.typer_instance is not None:
            strict(group.typer_instance)
    return app
