"""The commented starter file that `rating-tui instruments new` writes for a researcher."""

from __future__ import annotations

import json

_TEMPLATE = '''\
# A rating-tui instrument. Check it with:  rating-tui instruments validate THIS_FILE
# Editors with a TOML language server can check as you type, with the format's JSON Schema:
#   rating-tui instruments schema -o instrument.schema.json
# Keys are lower-case identifiers (letters, digits, _) because they become export columns.
# Unknown keys are errors, so a typo is caught rather than silently ignored.

id = __ID__
# Semantic version. Once ratings exist, any change of content needs a new version: the store
# refuses ratings against changed content under an old version number.
version = "0.1.0"
title = __TITLE__
description = """
What this instrument rates, and how raters should use it.
"""
authors = ["Your name"]
citation = ""
licence = ""

# --- Session fields: asked before the items. ------------------------------------------------
# Types: text, date, integer, number, single_choice, multiple_choice. Roles tell the program
# which field is the dyad code, the session date, the session number and the rater (dyad,
# session_date and rater are required).

[[fields]]
key = "dyad"
label = "Dyad code"
type = "text"
role = "dyad"
pattern = "^[A-Z]{2}[0-9]{3}$"   # pseudonymous codes only: no names
pattern_hint = "two capital letters and three digits, e.g. AB123 (never a name)"

[[fields]]
key = "session_date"
label = "Session date"
type = "date"
role = "session_date"
default = "today"

[[fields]]
key = "session_number"
label = "Session number"
type = "integer"
role = "session_number"
min = 1
max = 999
default = "next"   # the dyad's last session number + 1

[[fields]]
key = "rater"
label = "Rater"
type = "text"
role = "rater"
pattern = "^[A-Za-z][A-Za-z0-9_.-]{1,31}$"
pattern_hint = "your rater code or initials, e.g. RP or rater_02"

[[fields]]
key = "setting"
label = "Setting"
type = "single_choice"
choices = [
  { code = "home", label = "Home" },
  { code = "office", label = "Office" },
  { code = "telehealth", label = "Telehealth" },
  { code = "other", label = "Other" },
]
default = "home"

# --- Scales: defined once, used by many items. ------------------------------------------------
# Types: likert (labelled integer points), numeric (min, max, step; typed), yes_no,
# single_choice, multiple_choice (choices with codes), text.

[scales.presence]
type = "likert"
points = [
  { value = 0, label = "Absent" },
  { value = 1, label = "Minimal" },
  { value = 2, label = "Moderate" },
  { value = 3, label = "Marked" },
  { value = 4, label = "Central" },
]

[scales.overall]
type = "numeric"
min = 0
max = 100
step = 5
min_label = "not at all"
max_label = "completely"

# --- Codes for "no value, and here is why": exported as their own values, never as blank. ---

[[missing_codes]]
code = "not_observed"
label = "Not observed in this session"
export_value = -9

# --- Items. ---------------------------------------------------------------------------------

[[sections]]
key = "process"
title = "Therapeutic process"

[[items]]
key = "first_item"
label = "First item"
help = "The definition raters see while they decide."
scale = "presence"
section = "process"
missing_codes = ["not_observed"]

[items.anchors]   # what each point means for this item
0 = "Describe what the absence of this looks like."
1 = "Describe a minimal presence."
2 = "Describe a moderate presence."
3 = "Describe a marked presence."
4 = "Describe it being central to the session."

[[items]]
key = "overall_progress"
label = "Overall progress"
help = "An inline scale also works: scale = { type = \\"yes_no\\" }."
scale = "overall"
required = false
# Branching: ask this item only when an earlier answer says so (equals, in, not_in,
# includes for multiple choice, all = [...], any = [...]):
# show_if = { item = "first_item", not_in = [0] }

# --- Scores: a mean or sum of items, computed (never stored), exported after the items. ----
# [[scores]]
# key = "process_mean"
# label = "Mean of the process items"
# items = ["first_item"]    # default: every item on a likert or numeric scale
# method = "mean"           # or "sum"
# min_answered = 1          # fewer items with a value: no score; default all of them

# --- Now moments: small unplanned moments the rater may log, tagged with items. -----------

[now_moments]
enabled = true
prompt = "What happened, in a sentence or two?"
tags = ["first_item"]
'''


def starter_text(instrument_id: str, title: str) -> str:
    """The starter file with the given id and title (quoted as TOML basic strings)."""
    return _TEMPLATE.replace("__ID__", json.dumps(instrument_id)).replace(
        "__TITLE__", json.dumps(title, ensure_ascii=False)
    )
