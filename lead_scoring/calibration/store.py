"""Evaluations kept in the warehouse for BI: every run appends its figures, so how well the rules
predict can be charted over time and across model versions.

- `evaluation.score_evaluations`: one row per run and figure (auc, gains, and the share and
  conversion rate of every tier, grade cell and score band);
- `evaluation.rule_evaluations`: one row per run and rule (fired, lift, adjusted odds ratio, flags).
"""

from __future__ import annotations

import datetime as dt
import math

from lead_scoring.warehouse import Warehouse

from .evaluation import Evaluation

SCHEMA = "evaluation"

_SCORE_COLUMNS = {
    "evaluated_at": "timestamp",
    "mode": "varchar",
    "as_of_date": "date",
    "outcomes_as_of_date": "date",
    "horizon_days": "integer",
    "model_version": "varchar",
    "section": "varchar",
    "segment": "varchar",
    "metric": "varchar",
    "value": "double precision",
    "low": "double precision",
    "high": "double precision",
    "contacts": "bigint",
    "conversions": "bigint",
}
_RULE_COLUMNS = {
    "evaluated_at": "timestamp",
    "as_of_date": "date",
    "model_version": "varchar",
    "rule_id": "varchar",
    "category": "varchar",
    "rule_group": "varchar",
    "points": "double precision",
    "contacts_fired": "bigint",
    "conversions_fired": "bigint",
    "lift": "double precision",
    "lift_low": "double precision",
    "lift_high": "double precision",
    "adjusted_odds_ratio": "double precision",
    "aor_low": "double precision",
    "aor_high": "double precision",
    "never_fires": "boolean",
    "sign_disagrees": "boolean",
}


def _number(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def score_rows(ev: Evaluation, evaluated_at: dt.datetime) -> list[tuple]:
    lab = ev.labelled
    head = (evaluated_at, lab.mode, lab.as_of, lab.outcomes_as_of, lab.horizon_days, lab.model_version)
    rows = [
        head
        + (
            "overall",
            "all",
            "auc",
            _number(ev.auc.value),
            _number(ev.auc.low),
            _number(ev.auc.high),
            ev.contacts,
            ev.conversions,
        )
    ]
    for top, value in ev.gains.items():
        rows.append(
            head
            + (
                "gains",
                f"top {int(top * 100)}%",
                "conversions_captured",
                _number(value),
                None,
                None,
                None,
                None,
            )
        )
    for section, table in (("tier", ev.tiers), ("grade", ev.grades), ("score_band", ev.bands)):
        for row in table.itertuples(index=False):
            rows.append(
                head
                + (
                    section,
                    row.segment,
                    "share",
                    _number(row.share),
                    None,
                    None,
                    row.contacts,
                    row.conversions,
                )
            )
            rows.append(
                head
                + (
                    section,
                    row.segment,
                    "conversion_rate",
                    _number(row.conversion_rate),
                    _number(row.rate_low),
                    _number(row.rate_high),
                    row.contacts,
                    row.conversions,
                )
            )
    return rows


def rule_rows(ev: Evaluation, evaluated_at: dt.datetime) -> list[tuple]:
    lab = ev.labelled
    return [
        (
            evaluated_at,
            lab.as_of,
            lab.model_version,
            r.rule_id,
            r.category,
            r.rule_group,
            _number(r.points),
            int(r.contacts_fired),
            int(r.conversions_fired),
            _number(r.lift),
            _number(r.lift_low),
            _number(r.lift_high),
            _number(r.adjusted_odds_ratio),
            _number(r.aor_low),
            _number(r.aor_high),
            bool(r.never_fires),
            bool(r.sign_disagrees),
        )
        for r in ev.rules.itertuples(index=False)
    ]


def save(ev: Evaluation, warehouse: Warehouse, evaluated_at: dt.datetime | None = None) -> None:
    evaluated_at = (evaluated_at or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)
    with warehouse.opened() as conn:
        conn.execute(f"create schema if not exists {SCHEMA}")
        for table, columns, rows in (
            ("score_evaluations", _SCORE_COLUMNS, score_rows(ev, evaluated_at)),
            ("rule_evaluations", _RULE_COLUMNS, rule_rows(ev, evaluated_at)),
        ):
            definition = ", ".join(f"{name} {kind}" for name, kind in columns.items())
            conn.execute(f"create table if not exists {SCHEMA}.{table} ({definition})")
            if rows:
                placeholders = ", ".join("?" for _ in columns)
                conn.executemany(
                    f"insert into {SCHEMA}.{table} ({', '.join(columns)}) values ({placeholders})", rows
                )
