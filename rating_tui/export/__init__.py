"""Exports: pure functions from ratings and instruments to rows and text; callers write files.

- `plan.Plan`: the columns of one export (one or several versions of an instrument);
- `tables`: wide, long and now-moments rows; `csvout`: rows to CSV text;
- `codebook`: CSV and Markdown codebooks; `jsonl`: full-fidelity JSON Lines;
- `merge`: several data folders united by rating id; `select`: filters;
- `job`: one export run (what the CLI calls); `sources`: the Store behind it;
- `stats`: SPSS and Stata via the optional pyreadstat; `output`: atomic streaming files.

docs/export.md describes the formats for researchers.
"""
