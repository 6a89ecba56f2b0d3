"""The agreement figures as Rich tables and sentences, for `rating-tui agreement`: a line per
item (the statistic recommended for its design), a sentence per item to copy into a paper, and
with --details every statistic. Rich and the report helpers are imported when first drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from rating_tui.analysis.agreement import ItemAgreement
    from rating_tui.analysis.results import Figure


def summary_table(instrument_id: str, items: list[ItemAgreement]) -> Table:
    """One line per item: the statistic recommended for its design."""
    from rich import box
    from rich.table import Table

    from rating_tui.analysis.report import apa, interval, raters_shown

    table = Table(
        title=f"{instrument_id}: agreement per item (every statistic: --details)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    for name in ("Item", "Statistic", "Value", "95% CI", "Sessions", "Raters"):
        right = name in ("Value", "Sessions")
        table.add_column(name, justify="right" if right else "left", no_wrap=True)
    table.add_column("Reading", ratio=1)
    for found in items:
        f = found.headline
        if f is None:
            reason = next((x.estimate.note for x in found.figures), "")
            table.add_row(_key(found), "", "", "", str(found.sessions), "", reason)
            continue
        table.add_row(
            _key(found),
            f.statistic,
            apa(f.estimate.value),
            interval(f),
            f"{f.sessions:,}",
            raters_shown(found, f),
            f.interpretation,
        )
    return table


def sentences(items: list[ItemAgreement]) -> list[str]:
    """Per item, the design and the headline as a sentence for a paper, with caveats."""
    from rating_tui.analysis.report import caveats, sentence

    lines = []
    for found in items:
        f = found.headline
        if f is None:
            continue
        kind = f"computed score, {found.design.kind}" if found.item.is_score else found.design.kind
        lines.append(f"{found.item.key} ({kind}): {sentence(found, f)}")
        if found.item.is_score:
            lines.append(f"  score: {found.item.formula}")
        lines += [f"  caveat: {c}" for c in caveats(found, f)]
    return lines


def detail_tables(instrument_id: str, items: list[ItemAgreement]) -> list[Table]:
    """A table per item with every statistic but kappa per pair of raters (`pair_lines`)."""
    from rich import box
    from rich.table import Table

    from rating_tui.analysis.report import apa, interval, raters_shown

    tables = []
    for found in items:
        d = found.design
        title = (
            f"{instrument_id} · {_key(found)} ({found.item.label}): {d.kind}, "
            f"{d.rated_by()}; {found.coded} not-observed/n.a. code(s) left out"
        )
        table = Table(
            title=title,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            padding=(0, 1, 0, 0),
        )
        for name in ("Statistic", "Value", "95% CI", "Sessions", "Raters"):
            right = name in ("Value", "Sessions")
            table.add_column(name, justify="right" if right else "left", no_wrap=True)
        table.add_column("Reading / note", ratio=1)
        notes_shown: set[str] = set()
        for f in found.figures:
            if f.scope == "pair":
                continue
            e = f.estimate
            scope = {"pair": " pair", "pooled pairs": " pooled", "complete block": " block"}
            label = f.statistic + scope.get(f.scope, "")
            note = e.note
            if e.value is None and note in notes_shown:
                note = "(as above)"
            notes_shown.add(e.note)
            reading = "; ".join(x for x in (f.interpretation, note) if x)
            if f.interval and f.interval != "F":
                reading = "; ".join(x for x in (reading, f.interval) if x)
            table.add_row(
                label,
                apa(e.value),
                interval(f),
                f"{f.sessions:,}",
                raters_shown(found, f),
                reading,
            )
        tables.append(table)
    return tables


def pair_lines(found: ItemAgreement, width: int = 80) -> list[str]:
    """Kappa per pair of raters as plain lines, a pair per line with every weighting, in
    the order of the figures (most sessions shared first). Plain text, not table rows: the
    demo data's 60 raters make 1,770 pairs per item, and laying out ~25,000 table rows cell
    by cell (each note wrapped in a narrow column) took minutes."""
    from rating_tui.analysis.report import apa
    from rating_tui.safetext import escape_line

    by_pair: dict[tuple[str, ...], dict[str, Figure]] = {}
    for f in found.figures:
        if f.scope == "pair":
            by_pair.setdefault(f.raters, {})[f.statistic] = f
    if not by_pair:
        return []
    kinds = list(dict.fromkeys(k for figures in by_pair.values() for k in figures))
    rows = [["pair", "sessions", *(k.removeprefix("kappa").strip(" ()") or "kappa" for k in kinds)]]
    notes: dict[str, None] = {}
    for raters, figures in by_pair.items():
        row = [escape_line(", ".join(raters)), f"{next(iter(figures.values())).sessions:,}"]
        for kind in kinds:
            shown = figures.get(kind)
            if shown is not None and shown.estimate.note:
                notes[shown.estimate.note] = None
            value = None if shown is None else shown.estimate.value
            reading = "" if shown is None else shown.interpretation
            row.append("-" if value is None else f"{apa(value)} {reading}")
        rows.append(row)
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    widths[0] = max(8, min(widths[0], width - 2 - sum(w + 2 for w in widths[1:])))
    lines = [f"{_key(found)}: kappa per pair of raters sharing 5 or more sessions"]
    lines += [f"  {note}" for note in notes]
    for row in rows:
        pair = row[0] if len(row[0]) <= widths[0] else row[0][: widths[0] - 1] + "…"
        values = zip(row[2:], widths[2:], strict=True)
        cells = [f"{row[1]:>{widths[1]}}", *(f"{c:<{w}}" for c, w in values)]
        lines.append(f"  {pair:<{widths[0]}}  " + "  ".join(cells).rstrip())
    return lines


def _key(found: ItemAgreement) -> str:
    """The item's key; a score's says that it is computed (from the items, never stored)."""
    return f"{found.item.key} (score)" if found.item.is_score else found.item.key
