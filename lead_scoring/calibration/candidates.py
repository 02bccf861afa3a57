"""Candidate rules for calibration: the current rules, plus rules generated from what the data
has, each written as an ordinary seed row so the scoring engine itself decides who it fires for.

Generated:
- fit: each frequent value of a low-cardinality contact or company property (custom properties
  included), and quartile bins of numeric properties;
- engagement: each track event name, and each first page-path segment (`/pricing`, `/docs`).
Properties that define a conversion outcome, the score's own write-back properties and record
identifiers are never candidates (leakage guard).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Never rule inputs: they define or follow the outcome, identify a record, or are the scores.
ALWAYS_EXCLUDED = frozenset(
    {
        "hs_object_id",
        "email",
        "firstname",
        "lastname",
        "phone",
        "email_local_part",
        "createdate",
        "lastmodifieddate",
        "associatedcompanyid",
        "lifecyclestage",
        "hs_lead_status",
        "name",
        "domain",
        "dealstage",
        "closedate",
        "lead_fit_score",
        "lead_engagement_score",
        "lead_score",
        "lead_grade",
        "lead_tier",
        "lead_score_reasons",
        "lead_is_junk",
        "lead_scored_at",
        "lead_scoring_model_version",
    }
)
GENERATED_FIT_GROUP_PREFIX = "learned_"
GENERATED_ENGAGEMENT_GROUPS = {"track": "learned_events", "page": "learned_pages"}
GENERATED_CAP_OCCURRENCES = 3
DEFAULT_CAP_OCCURRENCES = 5


@dataclass(frozen=True)
class Candidate:
    rule_id: str
    category: str  # fit | engagement
    rule_group: str
    row: dict = field(hash=False, compare=False)  # the seed row (texts)
    generated: bool
    cap_occurrences: float | None = None  # engagement: occurrences beyond this add nothing


def slug(text: str, limit: int = 40) -> str:
    value = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return (value or "empty")[:limit]


def current_candidates(fit_rules: pd.DataFrame, engagement_rules: pd.DataFrame) -> list[Candidate]:
    out = []
    for row in fit_rules.to_dict("records"):
        out.append(Candidate(row["rule_id"], "fit", row["rule_group"], row, generated=False))
    for row in engagement_rules.to_dict("records"):
        points = abs(float(row["points"] or 0))
        cap = (
            float(row["max_points"]) / points
            if points and row["max_points"] != ""
            else DEFAULT_CAP_OCCURRENCES
        )
        out.append(
            Candidate(
                row["rule_id"],
                "engagement",
                row["rule_group"],
                row,
                generated=False,
                cap_occurrences=max(cap, 1.0),
            )
        )
    return out


def excluded_properties(conn, seeds_schema: str, extra: tuple[str, ...] = ()) -> set[str]:
    """Outcome-defining properties (seed conversion_outcomes), the fixed list, and `extra`."""
    rows = conn.execute(
        f"select lower(trim(kind)), lower(trim(property)) from {seeds_schema}.conversion_outcomes"
    ).fetchall()
    outcome = {
        ("lifecyclestage" if kind == "lifecycle_stage" else prop)
        for kind, prop in rows
        if kind in ("lifecycle_stage", "contact_property") and prop
    }
    return set(ALWAYS_EXCLUDED) | outcome | {p.lower() for p in extra}


def property_candidates(
    conn, schema: str, *, min_support: int, excluded: set[str], max_values: int = 30, bins: int = 4
) -> list[Candidate]:
    """Fit candidates from intermediate.int_contact_properties (every contact and company
    property, custom ones included)."""
    table = f"{schema}.int_contact_properties"
    stats = conn.execute(
        f"select object, property, count(distinct lower(trim(value))) as n_values, "
        f"count(*) as n_rows from {table} group by object, property order by object, property"
    ).fetchall()
    out = []
    for obj, prop, n_values, n_rows in stats:
        if prop.lower() in excluded or n_rows < min_support or n_values < 2:
            continue
        group = GENERATED_FIT_GROUP_PREFIX + slug(prop, 30)
        if n_values <= max_values:
            counts = conn.execute(
                f"select lower(trim(value)) as v, count(distinct contact_id) from {table} "
                f"where object = ? and property = ? group by 1 order by 2 desc, 1",
                [obj, prop],
            ).fetchall()
            for value, n in counts:
                if n < min_support or "|" in value:
                    continue
                out.append(
                    Candidate(
                        f"fit_{obj}_{slug(prop, 24)}_{slug(value, 24)}",
                        "fit",
                        group,
                        {
                            "object": obj,
                            "property": prop,
                            "operator": "equals",
                            "value": value,
                            "reason": f"{prop} is {value}",
                        },
                        generated=True,
                    )
                )
            continue
        values = pd.to_numeric(
            pd.Series(
                [
                    v
                    for (v,) in conn.execute(
                        f"select value from {table} where object = ? and property = ?", [obj, prop]
                    ).fetchall()
                ]
            ),
            errors="coerce",
        )
        numeric = values.dropna()
        if len(numeric) < 0.95 * len(values) or numeric.nunique() <= bins:
            continue
        for low, high in _bins(numeric, bins):
            out.append(
                Candidate(
                    f"fit_{obj}_{slug(prop, 24)}_{slug(low or 'min')}_{slug(high or 'max')}",
                    "fit",
                    group,
                    {
                        "object": obj,
                        "property": prop,
                        "operator": "between",
                        "value": f"{low}..{high}",
                        "reason": f"{prop} {low or 'up'} to {high or 'more'}",
                    },
                    generated=True,
                )
            )
    return out


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _bins(values: pd.Series, bins: int) -> list[tuple[str, str]]:
    """Quantile bins as `between` bounds ('' = open): whole numbers get disjoint ranges
    (..199, 200..999, 1000..), other numbers share their cut points."""
    cuts = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1))[1:-1])
    whole = bool((values == values.round()).all())
    if whole:
        cuts = np.unique(np.ceil(cuts))
    bounds = [None, *cuts.tolist(), None]
    out = []
    for low, high in zip(bounds[:-1], bounds[1:], strict=True):
        low_text = "" if low is None else _number_text(low)
        if high is None:
            high_text = ""
        else:
            high_text = _number_text(high - 1 if whole else high)
        out.append((low_text, high_text))
    return out


def event_candidates(conn, schema: str, *, min_support: int) -> list[Candidate]:
    """Engagement candidates from intermediate.int_events_attributed: every track event name
    and every first page-path segment that at least `min_support` contacts have."""
    table = f"{schema}.int_events_attributed"
    out = []
    tracks = conn.execute(
        f"select event_name, count(distinct contact_id) from {table} "
        f"where event_type = 'track' and contact_id is not null and event_name is not null "
        f"group by 1 having count(distinct contact_id) >= ? order by 1",
        [min_support],
    ).fetchall()
    for name, _ in tracks:
        out.append(
            Candidate(
                f"eng_track_{slug(name)}",
                "engagement",
                GENERATED_ENGAGEMENT_GROUPS["track"],
                {"event_type": "track", "operator": "equals", "value": name, "reason": name},
                generated=True,
                cap_occurrences=GENERATED_CAP_OCCURRENCES,
            )
        )
    prefixes = conn.execute(
        f"select lower(split_part(page_path, '/', 2)) as prefix, count(distinct contact_id) "
        f"from {table} where event_type = 'page' and contact_id is not null "
        f"and page_path like '/%' group by 1 having count(distinct contact_id) >= ? order by 1",
        [min_support],
    ).fetchall()
    for prefix, _ in prefixes:
        if not prefix or not re.fullmatch(r"[a-z0-9._~-]+", prefix):
            continue
        out.append(
            Candidate(
                f"eng_path_{slug(prefix)}",
                "engagement",
                GENERATED_ENGAGEMENT_GROUPS["page"],
                {
                    "event_type": "page",
                    "operator": "pattern",
                    "value": f"^/{re.escape(prefix)}(/|$)",
                    "reason": f"Visited /{prefix} pages",
                },
                generated=True,
                cap_occurrences=GENERATED_CAP_OCCURRENCES,
            )
        )
    return out
