"""How well scores rank real conversions: AUC with a bootstrap interval, gains, conversion by
band, tier and grade, and per-rule lift.

Scores are integers 0-100, so every measure works on a 101 x 2 table of (score, converted)
counts: AUC is exact with ties counted half, and a bootstrap resample of n contacts is one
multinomial draw over that table, the same distribution as resampling the contacts, at any n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

Z_95 = 1.959964


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"


def score_table(scores: np.ndarray, converted: np.ndarray, max_score: int = 100) -> np.ndarray:
    """Counts per integer score: row 0 not converted, row 1 converted, column = score."""
    scores = np.clip(np.asarray(scores, dtype=np.int64), 0, max_score)
    converted = np.asarray(converted, dtype=bool)
    table = np.zeros((2, max_score + 1), dtype=np.int64)
    np.add.at(table, (converted.astype(np.int64), scores), 1)
    return table


def auc_from_table(table: np.ndarray) -> float:
    """ROC AUC of a (2, k) count table (ties count half); nan without both classes."""
    negatives, positives = table[0].astype(float), table[1].astype(float)
    n_neg, n_pos = negatives.sum(), positives.sum()
    if n_neg == 0 or n_pos == 0:
        return float("nan")
    below = np.cumsum(negatives) - negatives
    return float((positives * (below + 0.5 * negatives)).sum() / (n_pos * n_neg))


def roc_auc(scores, converted) -> float:
    """ROC AUC of any scores (ties count half), through ranks."""
    scores = np.asarray(scores, dtype=float)
    converted = np.asarray(converted, dtype=bool)
    n_pos = int(converted.sum())
    n_neg = len(converted) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(scores).rank(method="average").to_numpy()
    return float((ranks[converted].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auc_interval(scores, converted, *, resamples: int = 1000, seed: int = 0) -> Interval:
    """AUC with a 95% percentile bootstrap interval (resampling contacts)."""
    table = score_table(scores, converted)
    value = auc_from_table(table)
    n = int(table.sum())
    if n == 0 or math.isnan(value):
        return Interval(value, float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    cells = table.ravel() / n
    draws = rng.multinomial(n, cells, size=resamples).reshape(resamples, *table.shape)
    aucs = np.array([auc_from_table(d) for d in draws])
    aucs = aucs[~np.isnan(aucs)]
    low, high = np.percentile(aucs, [2.5, 97.5]) if len(aucs) else (float("nan"),) * 2
    return Interval(value, float(low), float(high))


def roc_curve(scores, converted) -> tuple[np.ndarray, np.ndarray]:
    """False and true positive rates at every score threshold, from the top score down."""
    table = score_table(scores, converted)
    negatives, positives = table[0][::-1], table[1][::-1]
    fpr = np.concatenate([[0.0], np.cumsum(negatives) / max(negatives.sum(), 1)])
    tpr = np.concatenate([[0.0], np.cumsum(positives) / max(positives.sum(), 1)])
    return fpr, tpr


def gains_curve(scores, converted, points: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """Share of conversions captured by the top x of contacts ranked by score, x from 0 to 1.

    Contacts tied on a score are taken together pro rata, so the curve does not depend on how
    ties happen to be ordered."""
    table = score_table(scores, converted)
    counts = table.sum(axis=0)[::-1].astype(float)
    positives = table[1][::-1].astype(float)
    n, n_pos = counts.sum(), positives.sum()
    shares = np.linspace(0, 1, points)
    if n == 0 or n_pos == 0:
        return shares, np.full(points, np.nan)
    edges = np.concatenate([[0.0], np.cumsum(counts)]) / n
    captured = np.concatenate([[0.0], np.cumsum(positives)]) / n_pos
    return shares, np.interp(shares, edges, captured)


def gains(scores, converted, tops=(0.1, 0.2, 0.3)) -> dict[float, float]:
    """Share of conversions in the top 10/20/30% of scores (ties pro rata)."""
    shares, captured = gains_curve(scores, converted, points=1001)
    return {top: float(np.interp(top, shares, captured)) for top in tops}


def rate_interval(converted: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval of a conversion rate."""
    if n == 0:
        return float("nan"), float("nan")
    p = converted / n
    denom = 1 + Z_95**2 / n
    centre = (p + Z_95**2 / (2 * n)) / denom
    half = Z_95 * math.sqrt(p * (1 - p) / n + Z_95**2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def segment_table(segment: pd.Series, converted, order: list[str] | None = None) -> pd.DataFrame:
    """Per segment (tier, grade cell, score band): contacts, share, conversions, rate, interval."""
    frame = pd.DataFrame(
        {
            "segment": segment.astype("string").fillna("(none)").to_numpy(),
            "converted": np.asarray(converted, dtype=bool),
        }
    )
    grouped = frame.groupby("segment", sort=False)["converted"].agg(["size", "sum"])
    if order is not None:
        grouped = grouped.reindex(
            [s for s in order if s in grouped.index] + [s for s in grouped.index if s not in order]
        )
    else:
        grouped = grouped.sort_index()
    total = max(int(grouped["size"].sum()), 1)
    rows = []
    for name, (size, conversions) in grouped.iterrows():
        low, high = rate_interval(int(conversions), int(size))
        rows.append(
            {
                "segment": name,
                "contacts": int(size),
                "share": size / total,
                "conversions": int(conversions),
                "conversion_rate": conversions / size if size else float("nan"),
                "rate_low": low,
                "rate_high": high,
            }
        )
    return pd.DataFrame(rows)


def score_bands(scores, width: int = 10) -> pd.Series:
    """'0-9', '10-19', ... '90-100' (100 joins the top band)."""
    lows = np.minimum(np.asarray(scores, dtype=np.int64) // width * width, 100 - width)
    return pd.Series([f"{lo}-{lo + width - 1 if lo + width < 100 else 100}" for lo in lows])


def band_order(width: int = 10) -> list[str]:
    return [f"{lo}-{lo + width - 1 if lo + width < 100 else 100}" for lo in range(0, 100, width)]


def lift_interval(fired_converted: int, fired: int, other_converted: int, other: int) -> Interval:
    """Conversion rate when a rule fired over the rate when it did not, with a 95% interval
    (log risk ratio; 0.5 is added to every cell for the interval, so that a rule with no
    conversions still has one, and the interval is widened to hold the estimate itself)."""
    if fired == 0 or other == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    a, n1, c, n2 = fired_converted + 0.5, fired + 1.0, other_converted + 0.5, other + 1.0
    log_rr = math.log((a / n1) / (c / n2))
    se = math.sqrt(max(1 / a - 1 / n1 + 1 / c - 1 / n2, 0.0))
    if other_converted:
        raw = (fired_converted / fired) / (other_converted / other)
    else:
        raw = float("inf") if fired_converted else float("nan")
    low, high = math.exp(log_rr - Z_95 * se), math.exp(log_rr + Z_95 * se)
    if not math.isnan(raw):
        low, high = min(low, raw), max(high, raw)
    return Interval(raw, low, high)
