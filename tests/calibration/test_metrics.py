"""The evaluation's numbers against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from lead_scoring.calibration import metrics


@pytest.fixture
def scored():
    rng = np.random.default_rng(3)
    converted = rng.random(5000) < 0.1
    scores = np.clip(np.round(rng.normal(40 + 15 * converted, 20)), 0, 100).astype(int)
    return scores, converted


def test_auc_counts_ties_half_like_sklearn(scored):
    scores, converted = scored
    expected = roc_auc_score(converted, scores)
    assert metrics.auc_from_table(metrics.score_table(scores, converted)) == pytest.approx(expected)
    assert metrics.roc_auc(scores, converted) == pytest.approx(expected)
    assert metrics.roc_auc(scores + np.linspace(0, 0.5, len(scores)), converted) == pytest.approx(
        roc_auc_score(converted, scores + np.linspace(0, 0.5, len(scores)))
    )


def test_auc_interval_brackets_the_value_and_is_deterministic(scored):
    scores, converted = scored
    first = metrics.auc_interval(scores, converted, resamples=300, seed=1)
    again = metrics.auc_interval(scores, converted, resamples=300, seed=1)
    assert first == again
    assert first.low < first.value < first.high
    assert 0.01 < first.high - first.low < 0.1


def test_auc_without_conversions_is_undefined():
    interval = metrics.auc_interval(np.array([10, 20]), np.array([False, False]))
    assert np.isnan(interval.value)


def test_gains_of_a_perfect_and_a_useless_score():
    converted = np.array([True] * 10 + [False] * 90)
    perfect = np.where(converted, 90, 10)
    assert metrics.gains(perfect, converted)[0.1] == pytest.approx(1.0)
    flat = np.full(100, 50)  # one tie block: taken pro rata, whatever the order
    assert metrics.gains(flat, converted)[0.3] == pytest.approx(0.3)


def test_lift_interval_of_a_strong_and_a_null_rule():
    strong = metrics.lift_interval(60, 200, 40, 800)  # 30% vs 5%
    assert strong.value == pytest.approx(6.0)
    assert strong.low > 3
    null = metrics.lift_interval(20, 200, 80, 800)  # 10% vs 10%
    assert null.low < 1 < null.high


def test_score_bands_put_100_in_the_top_band():
    assert metrics.score_bands(np.array([0, 9, 10, 95, 100])).tolist() == [
        "0-9",
        "0-9",
        "10-19",
        "90-100",
        "90-100",
    ]


def test_segment_table_shares_and_rates():
    import pandas as pd

    table = metrics.segment_table(
        pd.Series(["hot", "cold", "cold", "cold"]),
        np.array([True, False, True, False]),
        ["hot", "warm", "cold"],
    )
    assert table["segment"].tolist() == ["hot", "cold"]
    assert table["share"].tolist() == [0.25, 0.75]
    assert table["conversion_rate"].tolist() == pytest.approx([1.0, 1 / 3])
