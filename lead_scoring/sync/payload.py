"""What the reverse sync writes to each CRM contact: the `lead_scoring` property group, its
properties, and how a `marts.fct_lead_scores` row becomes their string values."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date, datetime
from decimal import Decimal

from lead_scoring.crm.timeutil import iso_ms, to_ms

PROPERTY_GROUP = {"name": "lead_scoring", "label": "Lead scoring", "displayOrder": -1}

TIERS = ["hot", "warm", "cold", "disqualified"]
MAX_TEXT = 65_000  # HubSpot string properties hold 65,536 characters


def _prop(
    name: str, label: str, type_: str, field_type: str, description: str, options: list[dict] | None = None
) -> dict:
    out = {
        "name": name,
        "label": label,
        "type": type_,
        "fieldType": field_type,
        "groupName": PROPERTY_GROUP["name"],
        "description": description,
    }
    if options is not None:
        out["options"] = options
    return out


PROPERTIES = [
    _prop(
        "lead_fit_score",
        "Lead fit score",
        "number",
        "number",
        "Who the lead is (0-100), from the warehouse scoring rules.",
    ),
    _prop(
        "lead_engagement_score",
        "Lead engagement score",
        "number",
        "number",
        "What the lead does (0-100, with decay), from the warehouse scoring rules.",
    ),
    _prop("lead_score", "Lead score", "number", "number", "Combined lead score (0-100)."),
    _prop("lead_grade", "Lead grade", "string", "text", "Fit letter and engagement number, e.g. A1."),
    _prop(
        "lead_tier",
        "Lead tier",
        "enumeration",
        "select",
        "hot / warm / cold / disqualified.",
        [{"label": t.capitalize(), "value": t, "displayOrder": i} for i, t in enumerate(TIERS)],
    ),
    _prop(
        "lead_score_reasons",
        "Lead score reasons",
        "string",
        "textarea",
        "The top reasons for the score (and why a lead is junk).",
    ),
    _prop(
        "lead_is_junk",
        "Lead is junk",
        "bool",
        "booleancheckbox",
        "Flagged by the data-quality checks (fictional name, disposable email, ...).",
        [
            {"label": "Yes", "value": "true", "displayOrder": 0},
            {"label": "No", "value": "false", "displayOrder": 1},
        ],
    ),
    _prop(
        "lead_scored_at",
        "Lead scored at",
        "datetime",
        "date",
        "When the warehouse computed the score that was last written.",
    ),
    _prop(
        "lead_scoring_model_version",
        "Lead scoring model version",
        "string",
        "text",
        "Hash of the scoring rules that produced the score.",
    ),
]
PROPERTY_NAMES = [p["name"] for p in PROPERTIES]

# Columns of marts.fct_lead_scores the sync reads.
SCORE_COLUMNS = [
    "contact_id",
    "email",
    "fit_score",
    "engagement_score",
    "lead_score",
    "grade",
    "tier",
    "lifecycle_stage",
    "is_junk",
    "junk_reasons",
    "score_reasons",
    "scored_at",
    "model_version",
]

# Written with every change, but a change to them alone does not cause a write: the scoring run
# may stamp every row with a new time each day, and rewriting every contact daily for that would
# defeat "send only what changed".
NOT_HASHED = frozenset({"lead_scored_at"})


def format_number(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    number = float(value) if isinstance(value, float | Decimal) else float(str(value))
    if math.isnan(number) or math.isinf(number):
        return ""
    if number.is_integer():
        return str(int(number))
    return f"{number:.4f}".rstrip("0").rstrip(".")


def format_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        text = "; ".join(str(v) for v in value if v not in (None, ""))
    else:
        text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def format_bool(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "true" if value.strip().lower() in ("true", "t", "1", "yes") else "false"
    return "true" if value else "false"


def format_datetime(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime | date | int | float | str):
        ms = to_ms(value)
        return iso_ms(ms) if ms is not None else ""
    return iso_ms(to_ms(str(value)))


def reasons(row: dict) -> str:
    """Score reasons, preceded by the junk reasons when the lead is flagged as junk."""
    score = format_text(row.get("score_reasons"))
    if row.get("is_junk") and row.get("junk_reasons") not in (None, "", []):
        junk = "Junk: " + format_text(row.get("junk_reasons"))
        return format_text(f"{junk}; {score}" if score else junk)
    return score


def build_payload(row: dict) -> dict[str, str]:
    """The property values written for one `fct_lead_scores` row (HubSpot takes strings;
    an empty string clears a property)."""
    tier = row.get("tier")
    return {
        "lead_fit_score": format_number(row.get("fit_score")),
        "lead_engagement_score": format_number(row.get("engagement_score")),
        "lead_score": format_number(row.get("lead_score")),
        "lead_grade": format_text(row.get("grade")),
        "lead_tier": str(tier).strip().lower() if tier not in (None, "") else "",
        "lead_score_reasons": reasons(row),
        "lead_is_junk": format_bool(row.get("is_junk")),
        "lead_scored_at": format_datetime(row.get("scored_at")),
        "lead_scoring_model_version": format_text(row.get("model_version")),
    }


def payload_hash(payload: dict[str, str]) -> str:
    hashed = {k: v for k, v in payload.items() if k not in NOT_HASHED}
    return hashlib.sha256(json.dumps(hashed, sort_keys=True).encode()).hexdigest()
