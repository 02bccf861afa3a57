"""Measure the current rules against real conversions: the numbers of `lead-scoring evaluate`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from . import metrics
from .dataset import Labelled, RuleHits

TIER_ORDER = ["hot", "warm", "cold", "disqualified"]
GRADE_ORDER = [f"{letter}{number}" for letter in "ABC" for number in "123"]


@dataclass
class Evaluation:
    labelled: Labelled
    auc: metrics.Interval
    gains: dict[float, float]
    tiers: pd.DataFrame
    grades: pd.DataFrame
    bands: pd.DataFrame
    rules: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def contacts(self) -> int:
        return len(self.labelled.frame)

    @property
    def conversions(self) -> int:
        return int(self.labelled.frame["converted"].sum())


def evaluate(labelled: Labelled, rule_hits: RuleHits, *, resamples: int = 1000, seed: int = 0) -> Evaluation:
    frame = labelled.frame
    converted = frame["converted"].to_numpy(dtype=bool)
    scores = frame["lead_score"].to_numpy()
    warnings = []
    if converted.sum() == 0:
        warnings.append("no contact converted in the measured window: AUC, gains and lifts are undefined")
    return Evaluation(
        labelled=labelled,
        auc=metrics.auc_interval(scores, converted, resamples=resamples, seed=seed),
        gains=metrics.gains(scores, converted),
        tiers=metrics.segment_table(frame["tier"], converted, TIER_ORDER),
        grades=metrics.segment_table(frame["grade"], converted, GRADE_ORDER),
        bands=metrics.segment_table(metrics.score_bands(scores), converted, metrics.band_order()),
        rules=rule_table(rule_hits),
        warnings=warnings,
    )


def rule_table(rule_hits: RuleHits) -> pd.DataFrame:
    """Per rule: how often it fires, its marginal lift with an interval, its conditional effect
    given the other rules (adjusted odds ratio), and the flags `never_fires` and
    `sign_disagrees` (points that point the other way from what the outcomes say)."""
    contacts, hits, rules = rule_hits.contacts, rule_hits.hits, rule_hits.rules
    index = pd.Index(contacts["contact_id"])
    converted = contacts["converted"].to_numpy(dtype=bool)
    n, n_converted = len(contacts), int(converted.sum())
    hits = hits[hits["contact_id"].isin(index)]
    fired_sets = hits.groupby("rule_id")["contact_id"].agg(lambda s: index.get_indexer(s))
    adjusted = conditional_effects(rule_hits)
    rows = []
    for rule in rules.itertuples(index=False):
        positions = fired_sets.get(rule.rule_id, np.zeros(0, dtype=np.int64))
        fired = len(positions)
        fired_converted = int(converted[positions].sum()) if fired else 0
        lift = metrics.lift_interval(fired_converted, fired, n_converted - fired_converted, n - fired)
        effect = adjusted.get(rule.rule_id)
        points = float(rule.points or 0)
        disagrees = (
            fired > 0
            and not math.isnan(lift.value)
            and points != 0
            and ((points > 0 and lift.high < 1) or (points < 0 and lift.low > 1))
        )
        rows.append(
            {
                "rule_id": rule.rule_id,
                "category": rule.category,
                "rule_group": rule.rule_group,
                "reason": rule.reason,
                "points": points,
                "disqualifies": bool(rule.disqualifies),
                "contacts_fired": fired,
                "conversions_fired": fired_converted,
                "rate_fired": fired_converted / fired if fired else float("nan"),
                "lift": lift.value,
                "lift_low": lift.low,
                "lift_high": lift.high,
                "adjusted_odds_ratio": effect.value if effect else float("nan"),
                "aor_low": effect.low if effect else float("nan"),
                "aor_high": effect.high if effect else float("nan"),
                "never_fires": fired == 0,
                "sign_disagrees": bool(disagrees),
            }
        )
    return pd.DataFrame(rows)


def conditional_effects(rule_hits: RuleHits, c: float = 1.0) -> dict[str, metrics.Interval]:
    """Each fit and engagement rule's odds ratio given all the others: a logistic regression on
    whether each rule fired (L2, C=`c`), junk contacts left out, with Wald intervals from the
    penalised Hessian. A rule whose lift is only borrowed from another rule it fires with shows
    an adjusted odds ratio near 1."""
    from sklearn.linear_model import LogisticRegression

    contacts = rule_hits.contacts.loc[~rule_hits.contacts["is_junk"]]
    converted = contacts["converted"].to_numpy(dtype=bool)
    if converted.sum() < 5 or (~converted).sum() < 5:
        return {}
    scored = rule_hits.rules.loc[rule_hits.rules["category"].isin(["fit", "engagement"]), "rule_id"]
    hits = rule_hits.hits[rule_hits.hits["rule_id"].isin(set(scored))]
    rows = pd.Index(contacts["contact_id"]).get_indexer(hits["contact_id"])
    keep = rows >= 0
    names = sorted(hits.loc[keep, "rule_id"].unique())
    if not names:
        return {}
    columns = pd.Index(names).get_indexer(hits.loc[keep, "rule_id"])
    x = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (rows[keep], columns)), shape=(len(contacts), len(names))
    )
    x.data[:] = 1.0  # a rule that fired twice for a contact (two values) is still one indicator
    model = LogisticRegression(C=c, max_iter=2000).fit(x, converted)
    p = model.predict_proba(x)[:, 1]
    weights = p * (1 - p)
    design = sparse.hstack([sparse.csr_matrix(np.ones((len(contacts), 1))), x]).tocsr()
    hessian = (design.T @ design.multiply(weights[:, None])).toarray()
    hessian[1:, 1:] += np.eye(len(names)) / c
    try:
        se = np.sqrt(np.clip(np.diag(np.linalg.pinv(hessian))[1:], 0, None))
    except np.linalg.LinAlgError:
        se = np.full(len(names), np.nan)
    out = {}
    for name, coef, err in zip(names, model.coef_[0], se, strict=True):
        out[name] = metrics.Interval(
            math.exp(coef), math.exp(coef - metrics.Z_95 * err), math.exp(coef + metrics.Z_95 * err)
        )
    return out
