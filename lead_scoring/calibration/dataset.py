"""The labelled contacts the rules are judged on, read from the warehouse.

Two ways to pair a score with an outcome:
- point in time: the score a contact had on day T (marts.fct_lead_score_history) against whether
  it converted in the N days after T. Contacts that had already converted by T are left out. This
  is the honest measure: it is what sales saw before the outcome.
- in-sample snapshot: today's score (marts.fct_lead_scores) against conversions up to today. The
  score may have seen the conversion coming (a demo request on the way to a won deal), so it
  reads better than it is; used when the history is too short, and labelled as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lead_scoring.warehouse import Warehouse

POINT_IN_TIME = "point_in_time"
IN_SAMPLE = "in_sample_snapshot"


class NoOutcomesError(RuntimeError):
    """The warehouse has no outcomes to learn from or measure against (yet)."""


@dataclass
class Labelled:
    """Contacts with their score on `as_of` and whether they converted after (or by) it."""

    mode: str
    as_of: dt.date  # the day of the scores
    outcomes_as_of: dt.date  # the day the outcomes are known up to
    horizon_days: int | None  # point in time: conversions within this many days after as_of
    model_version: str
    frame: pd.DataFrame  # contact_id, fit/engagement/lead score, grade, tier, is_junk, converted

    @property
    def label(self) -> str:
        if self.mode == POINT_IN_TIME:
            return (
                f"point in time: scores of {self.as_of} against conversions in the "
                f"{self.horizon_days} days after it (outcomes known up to {self.outcomes_as_of})"
            )
        return (
            f"in-sample snapshot: scores of {self.as_of} against conversions up to that day "
            "(the scores may have seen the conversions coming; too little history for a "
            "point-in-time measure)"
        )


def _query(conn, sql: str, params=None) -> pd.DataFrame:
    return conn.execute(sql, params or []).df()


def table_exists(conn, schema: str, table: str) -> bool:
    row = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def load_outcomes(warehouse: Warehouse) -> tuple[pd.DataFrame, dt.date]:
    """marts.fct_lead_outcomes (contact_id, is_converted, converted_at) and the day it is as of;
    a NoOutcomesError saying what to do when there is nothing to read yet."""
    if not warehouse.exists():
        raise NoOutcomesError(
            f"no warehouse at {warehouse}: load and build first "
            "(lead-scoring ingest and transform, or the daily DAG)"
        )
    with warehouse.opened(read_only=True) as conn:
        if not table_exists(conn, "marts", "fct_lead_outcomes"):
            raise NoOutcomesError(
                f"marts.fct_lead_outcomes is not in {warehouse}: build the project first "
                "(lead-scoring transform, or the daily DAG)"
            )
        outcomes = _query(
            conn, "select contact_id, is_converted, converted_at, score_date from marts.fct_lead_outcomes"
        )
    if outcomes.empty:
        raise NoOutcomesError(f"marts.fct_lead_outcomes in {warehouse} has no contacts")
    as_of = pd.Timestamp(outcomes["score_date"].iloc[0]).date()
    return outcomes.drop(columns=["score_date"]), as_of


def label(
    frame: pd.DataFrame, outcomes: pd.DataFrame, mode: str, as_of: dt.date, horizon: int | None
) -> pd.DataFrame:
    """`frame` (one row per contact) with column `converted`: point in time, whether the contact
    converted in the `horizon` days after `as_of`, contacts that had converted by then (or at an
    unknown time) left out; in sample, whether it converted at all."""
    frame = frame.merge(outcomes, on="contact_id", how="left")
    frame["is_converted"] = frame["is_converted"].fillna(False).astype(bool)
    if mode == POINT_IN_TIME:
        start = pd.Timestamp(as_of + dt.timedelta(days=1))
        converted_at = pd.to_datetime(frame["converted_at"])
        before = frame["is_converted"] & (converted_at.isna() | (converted_at < start))
        frame = frame.loc[~before].assign(
            converted=frame["is_converted"] & (converted_at < start + pd.Timedelta(days=horizon))
        )
    else:
        frame = frame.assign(converted=frame["is_converted"])
    frame = frame.drop(columns=["is_converted", "converted_at"])
    return frame.sort_values("contact_id").reset_index(drop=True)


def load_labelled(
    warehouse: Warehouse,
    *,
    horizon_days: int = 30,
    as_of: dt.date | None = None,
) -> Labelled:
    """The contacts to measure: point in time when the history reaches back `horizon_days`
    before the outcomes' date (or from `as_of` when given), else the in-sample snapshot."""
    outcomes, outcomes_as_of = load_outcomes(warehouse)
    with warehouse.opened(read_only=True) as conn:
        if not table_exists(conn, "marts", "fct_lead_scores"):
            raise NoOutcomesError(
                f"marts.fct_lead_scores is not in {warehouse}: build the project first "
                "(lead-scoring transform, or the daily DAG)"
            )
        history_dates = []
        if table_exists(conn, "marts", "fct_lead_score_history"):
            history_dates = [
                pd.Timestamp(d).date()
                for (d,) in conn.execute(
                    "select distinct score_date from marts.fct_lead_score_history order by 1"
                ).fetchall()
            ]
        latest_usable = outcomes_as_of - dt.timedelta(days=horizon_days)
        if as_of is None:
            candidates = [d for d in history_dates if d <= latest_usable]
            as_of = candidates[-1] if candidates else None
        elif as_of not in history_dates:
            raise ValueError(
                f"no scores of {as_of} in marts.fct_lead_score_history (it has {len(history_dates)} days)"
            )
        columns = "contact_id, fit_score, engagement_score, lead_score, grade, tier, is_junk, model_version"
        if as_of is not None:
            scores = _query(
                conn, f"select {columns} from marts.fct_lead_score_history where score_date = ?", [as_of]
            )
            mode = POINT_IN_TIME
            horizon = min(horizon_days, (outcomes_as_of - as_of).days)
        else:
            scores = _query(conn, f"select {columns} from marts.fct_lead_scores")
            mode, horizon, as_of = IN_SAMPLE, None, outcomes_as_of

    scores = scores[scores["contact_id"].isin(outcomes["contact_id"])]
    frame = label(scores, outcomes, mode, as_of, horizon)
    versions = frame["model_version"].dropna().unique()
    return Labelled(
        mode=mode,
        as_of=as_of,
        outcomes_as_of=outcomes_as_of,
        horizon_days=horizon,
        model_version=",".join(sorted(versions)),
        frame=frame,
    )


@dataclass
class RuleHits:
    """The current rules and, for today's contacts, which rule fired for whom and who converted."""

    rules: pd.DataFrame  # rule_id, category, rule_group, reason, points, disqualifies
    hits: pd.DataFrame  # contact_id, rule_id (cap adjustments left out)
    contacts: pd.DataFrame  # contact_id, is_junk, converted


def load_rule_hits(warehouse: Warehouse) -> RuleHits:
    with warehouse.opened(read_only=True) as conn:
        rules = _query(
            conn,
            "select rule_id, category, rule_group, reason, points, disqualifies "
            "from marts.fct_rule_performance order by category, rule_id",
        )
        hits = _query(
            conn,
            "select distinct contact_id, rule_id from marts.fct_lead_score_components "
            "where not is_cap_adjustment",
        )
        contacts = _query(
            conn,
            "select scores.contact_id, scores.is_junk, "
            "coalesce(outcomes.is_converted, false) as converted "
            "from marts.fct_lead_scores as scores "
            "left join marts.fct_lead_outcomes as outcomes "
            "on scores.contact_id = outcomes.contact_id order by 1",
        )
    contacts["converted"] = contacts["converted"].astype(bool)
    contacts["is_junk"] = contacts["is_junk"].astype(bool)
    return RuleHits(rules=rules, hits=hits, contacts=contacts)
