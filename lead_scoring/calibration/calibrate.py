"""Learn rule points from conversions, and write them back as seed changes a person reviews.

1. Score the current rules with the engine (a sandbox build, `sandbox_build`), then every
   candidate rule (the current ones and generated ones, `candidates`) with 1 point each, so the
   engine says who each rule fires for, decay and windows included.
2. Fit a regularised logistic regression (scikit-learn, C chosen by cross-validation) of
   conversion on those indicators (fit rules) and capped, decayed counts (engagement rules), on a
   training part of the contacts; junk leads are left out (they are disqualified anyway).
3. Map the coefficients to integer points: one scale per category so that the middle 98% of
   contacts span 0-100, a base per category so that nobody is clamped at 0 for no reason, group
   caps that hold what the data shows, and fit_weight so that lead_score keeps the model's order.
4. Score the proposal with the engine, set tier, grade and MQL thresholds from target shares or
   conversion rates, and compare current and proposed rules on the held-out contacts.

Holdout: when the history reaches far enough back, the rules are scored as of a past day T and
judged on the conversions of the N days after it, holding out the newest contacts (by creation
time); otherwise today's scores against conversions so far, with a stratified random holdout.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from lead_scoring.warehouse import Warehouse

from . import candidates as C
from . import metrics
from .dataset import IN_SAMPLE, POINT_IN_TIME, NoOutcomesError, label, load_outcomes, table_exists
from .rules import RuleSet, unified_diff
from .sandbox_build import SandboxBuild

EXPLORATION_ENGAGEMENT_POINTS = 100  # points per occurrence while exploring: hundredths of one


class NotEnoughOutcomesError(NoOutcomesError):
    """Too few conversions (or non-conversions) to learn points from."""


@dataclass
class Settings:
    seed: int = 0
    test_share: float = 0.3
    folds: int = 5
    min_conversions: int = 100
    min_support: int | None = None  # default: max(20, 0.5% of the labelled contacts)
    horizon_days: int = 30
    as_of: dt.date | None = None
    exclude_properties: tuple[str, ...] = ()
    tier_shares: tuple[float, ...] = (0.10, 0.35)  # cumulative: hot, hot + warm
    tier_rates: tuple[float, ...] | None = None  # or target conversion rates: hot, warm
    mql_share: float = 0.20
    mql_rate: float | None = None
    grade_shares: tuple[float, ...] = (0.20, 0.60)  # cumulative: A (1), A+B (1+2)
    resamples: int = 1000
    keep_sandbox: bool = False


@dataclass
class Proposal:
    current: RuleSet
    proposed: RuleSet
    diff: str
    mode: str
    score_date: dt.date
    outcomes_date: dt.date
    horizon_days: int | None
    n_train: int
    n_test: int
    conversions_train: int
    conversions_test: int
    auc_current: metrics.Interval
    auc_proposed: metrics.Interval
    auc_model_test: float
    auc_cv: float
    regularisation_c: float
    changes: pd.DataFrame
    fit_weight: float
    base_points: dict[str, int]
    holdout_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def figures(self) -> dict:
        """The proposal's numbers, for proposal.json (automation, CI, a pull request bot)."""

        def interval(value: metrics.Interval) -> dict:
            return {"auc": value.value, "low": value.low, "high": value.high}

        return {
            "mode": self.mode,
            "score_date": self.score_date.isoformat(),
            "outcomes_date": self.outcomes_date.isoformat(),
            "horizon_days": self.horizon_days,
            "train_contacts": self.n_train,
            "train_conversions": self.conversions_train,
            "test_contacts": self.n_test,
            "test_conversions": self.conversions_test,
            "held_out_auc_current": interval(self.auc_current),
            "held_out_auc_proposed": interval(self.auc_proposed),
            "held_out_auc_model": self.auc_model_test,
            "cross_validated_auc": self.auc_cv,
            "regularisation_c": self.regularisation_c,
            "fit_weight": self.fit_weight,
            "base_points": self.base_points,
            "changed_rules": len(self.changes),
            "notes": self.notes,
        }


def _progress_default(message: str) -> None:
    print(message, flush=True)


def calibrate(
    warehouse: Warehouse,
    seeds_dir: Path,
    work_dir: Path,
    settings: Settings,
    progress: Callable[[str], None] = _progress_default,
) -> Proposal:
    started = time.monotonic()

    def step(message: str) -> None:
        progress(f"{message} [{time.monotonic() - started:.0f} s]")

    current = RuleSet.read(seeds_dir)
    outcomes, outcomes_date, first_load = _outcomes(warehouse)
    mode, score_date, horizon = _choose_mode(outcomes_date, first_load, settings)
    converted = int(outcomes["is_converted"].sum())
    if converted < settings.min_conversions:  # before any build: the sandbox can only find fewer
        raise NotEnoughOutcomesError(
            f"too few outcomes to learn from: {converted:,} conversions in "
            f"marts.fct_lead_outcomes; calibrate needs at least {settings.min_conversions:,} "
            "(--min-conversions; fewer gives points that follow noise)"
        )
    sandbox = SandboxBuild(warehouse, score_date.isoformat(), Path(work_dir) / "rules")
    try:
        step(f"[1/5] scoring the current rules as of {score_date} (a sandbox build beside the real one)")
        sandbox.score(current, "current")
        contacts = _labelled_contacts(warehouse, sandbox, outcomes, mode, score_date, horizon)
        _check_enough(contacts, settings)
        min_support = settings.min_support or max(20, int(0.005 * len(contacts)))

        step("[2/5] generating candidate rules and scoring them")
        with warehouse.opened(read_only=True) as conn:
            excluded = C.excluded_properties(conn, sandbox.schema("seeds"), settings.exclude_properties)
            generated = C.property_candidates(
                conn, sandbox.schema("intermediate"), min_support=min_support, excluded=excluded
            ) + C.event_candidates(conn, sandbox.schema("intermediate"), min_support=min_support)
        current_rules = C.current_candidates(
            current.tables["scoring_fit_rules"], current.tables["scoring_engagement_rules"]
        )
        existing = {c.rule_id for c in current_rules}
        pool = current_rules + [c for c in generated if c.rule_id not in existing]
        sandbox.score(_exploration_rules(current, pool), "exploration")
        test = _holdout(contacts, mode, settings)
        learn = ~test & ~contacts["is_disqualified"].to_numpy()
        y = contacts["converted"].to_numpy(dtype=bool)
        features, names, by_name = _features(warehouse, sandbox, contacts, pool, min_support, learn, y)
        kept_generated = sum(by_name[n].generated for n in names)
        step(
            f"      {len(current_rules)} current rules and {len(generated)} generated; kept "
            f"{len(names) - kept_generated} current and {kept_generated} generated (enough "
            f"contacts, a significant lift, not inside a current rule)"
        )

        step(
            f"[3/5] fitting a regularised logistic regression on {int(learn.sum()):,} training "
            f"contacts ({int(y[learn].sum()):,} conversions)"
        )
        model, auc_cv = _fit(features[learn], y[learn], settings)
        weights = dict(zip(names, model.coef_[0], strict=True))
        logit = features @ model.coef_[0]
        auc_model_test = metrics.roc_auc(logit[test], y[test])

        step("[4/5] mapping coefficients to points and scoring the proposal")
        eligible = ~contacts["is_disqualified"].to_numpy()
        proposed, fit_weight, bases = _proposal(current, pool, by_name, weights, features, names, eligible)
        sandbox.score(proposed, "proposed")
        proposed_scores = _sandbox_scores(warehouse, sandbox).set_index("contact_id")
        scores = proposed_scores.reindex(contacts["contact_id"])
        proposed = _with_thresholds(proposed, scores, y, settings)

        step("[5/5] comparing current and proposed rules on the held-out contacts")
        auc_current = metrics.auc_interval(
            contacts["lead_score"].to_numpy()[test], y[test], resamples=settings.resamples, seed=settings.seed
        )
        auc_proposed = metrics.auc_interval(
            scores["lead_score"].to_numpy()[test], y[test], resamples=settings.resamples, seed=settings.seed
        )
        changes = _changes(current, proposed, pool, features, names, y, weights)
    finally:
        if not settings.keep_sandbox:
            sandbox.drop()
    notes = []
    if mode == IN_SAMPLE:
        notes.append(
            "in-sample: features and conversions are both as of today (too little "
            "history for a point-in-time holdout); held out at random, stratified"
        )
    return Proposal(
        current=current,
        proposed=proposed,
        diff=unified_diff(current, proposed),
        mode=mode,
        score_date=score_date,
        outcomes_date=outcomes_date,
        horizon_days=horizon,
        n_train=int((~test).sum()),
        n_test=int(test.sum()),
        conversions_train=int(y[~test].sum()),
        conversions_test=int(y[test].sum()),
        auc_current=auc_current,
        auc_proposed=auc_proposed,
        auc_model_test=auc_model_test,
        auc_cv=auc_cv,
        regularisation_c=float(model.C_[0]),
        changes=changes,
        fit_weight=fit_weight,
        base_points=bases,
        holdout_ids=contacts.loc[test, "contact_id"].astype(int).tolist(),
        notes=notes,
    )


# -- data --------------------------------------------------------------------------------------


def _outcomes(warehouse: Warehouse) -> tuple[pd.DataFrame, dt.date, dt.date | None]:
    """The outcomes, their date and the first day of loaded web events (how far back the
    history reaches)."""
    outcomes, as_of = load_outcomes(warehouse)
    with warehouse.opened(read_only=True) as conn:
        first = None
        if table_exists(conn, "raw", "web_events"):
            first = conn.execute("select min(_load_date) from raw.web_events").fetchone()[0]
    return outcomes, as_of, (pd.Timestamp(first).date() if first is not None else None)


def _choose_mode(
    outcomes_date: dt.date, first_load: dt.date | None, settings: Settings
) -> tuple[str, dt.date, int | None]:
    if settings.as_of is not None:
        if settings.as_of >= outcomes_date:
            raise ValueError(
                f"--as-of {settings.as_of} is not before the outcomes' date "
                f"{outcomes_date}: there is nothing after it to learn from"
            )
        return POINT_IN_TIME, settings.as_of, (outcomes_date - settings.as_of).days
    past = outcomes_date - dt.timedelta(days=settings.horizon_days)
    if first_load is not None and first_load <= past - dt.timedelta(days=settings.horizon_days):
        return POINT_IN_TIME, past, settings.horizon_days
    return IN_SAMPLE, outcomes_date, None


def _sandbox_scores(warehouse: Warehouse, sandbox: SandboxBuild) -> pd.DataFrame:
    with warehouse.opened(read_only=True) as conn:
        return conn.execute(
            f"select contact_id, fit_score, engagement_score, lead_score, is_disqualified "
            f"from {sandbox.schema('intermediate')}.int_lead_scores order by contact_id"
        ).df()


def _labelled_contacts(warehouse, sandbox, outcomes, mode, score_date, horizon) -> pd.DataFrame:
    scores = _sandbox_scores(warehouse, sandbox)
    with warehouse.opened(read_only=True) as conn:
        created = conn.execute(
            f"select contact_id, created_at from {sandbox.schema('staging')}.stg_crm__contacts"
        ).df()
    frame = label(scores.merge(created, on="contact_id"), outcomes, mode, score_date, horizon)
    frame["is_disqualified"] = frame["is_disqualified"].astype(bool)
    return frame


def _check_enough(contacts: pd.DataFrame, settings: Settings) -> None:
    learnable = contacts.loc[~contacts["is_disqualified"]]
    positives = int(learnable["converted"].sum())
    negatives = len(learnable) - positives
    needed = settings.min_conversions
    if positives < needed or negatives < needed:
        raise NotEnoughOutcomesError(
            f"too few outcomes to learn from: {positives:,} conversions and {negatives:,} "
            f"non-conversions among {len(learnable):,} scoreable contacts; calibrate needs at "
            f"least {needed:,} of each (--min-conversions; fewer gives points that follow noise)"
        )


def _holdout(contacts: pd.DataFrame, mode: str, settings: Settings) -> np.ndarray:
    """True for the test contacts: the newest ones by creation time when the scores are as of a
    past day, otherwise a stratified random share (deterministic for a seed)."""
    n = len(contacts)
    test = np.zeros(n, dtype=bool)
    if mode == POINT_IN_TIME:
        order = np.argsort(pd.to_datetime(contacts["created_at"]).to_numpy(), kind="stable")
        test[order[int(round(n * (1 - settings.test_share))) :]] = True
        return test
    rng = np.random.default_rng(settings.seed)
    y = contacts["converted"].to_numpy(dtype=bool)
    for cls in (False, True):
        idx = np.flatnonzero(y == cls)
        chosen = rng.permutation(idx)[: int(round(len(idx) * settings.test_share))]
        test[chosen] = True
    return test


# -- candidates and features --------------------------------------------------------------------


def _exploration_rules(current: RuleSet, pool: list[C.Candidate]) -> RuleSet:
    """Every candidate worth 1 (fit) or 1/100 per occurrence (engagement), no caps anywhere."""
    rules = current.copy()
    fit_columns = list(current.tables["scoring_fit_rules"].columns)
    eng_columns = list(current.tables["scoring_engagement_rules"].columns)
    fit_rows, eng_rows, groups = [], [], {}
    for cand in pool:
        row = dict(cand.row)
        row.update(rule_id=cand.rule_id, rule_group=cand.rule_group)
        if cand.category == "fit":
            row.update(points="1", disqualify=row.get("disqualify", "false") or "false")
            fit_rows.append({c: row.get(c, "") for c in fit_columns})
        else:
            row.update(points=str(EXPLORATION_ENGAGEMENT_POINTS), max_points="")
            eng_rows.append({c: row.get(c, "") for c in eng_columns})
        groups[cand.rule_group] = cand.category
    rules.tables["scoring_fit_rules"] = pd.DataFrame(fit_rows, columns=fit_columns)
    rules.tables["scoring_engagement_rules"] = pd.DataFrame(eng_rows, columns=eng_columns)
    rule_groups = _with_generated_groups(current.tables["scoring_rule_groups"], groups)
    rule_groups["max_points"] = ""
    rule_groups["min_points"] = ""
    rules.tables["scoring_rule_groups"] = rule_groups
    return rules


def _with_generated_groups(rule_groups: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    known = set(rule_groups["rule_group"])
    rows = []
    for group, category in sorted(groups.items()):
        if group in known:
            continue
        row = {c: "" for c in rule_groups.columns}
        row.update(
            rule_group=group,
            category=category,
            description=f"Learned from outcomes ({group.removeprefix(C.GENERATED_FIT_GROUP_PREFIX)})",
        )
        if category == "engagement":
            row.update(decay_percent="25", decay_period_days="30")
        rows.append(row)
    return pd.concat([rule_groups, pd.DataFrame(rows, columns=rule_groups.columns)], ignore_index=True)


def _features(warehouse, sandbox, contacts, pool, min_support, learn, y):
    """The design matrix (contacts x candidates): fit rules 0/1, engagement rules the decayed
    number of occurrences capped at the rule's cap.

    Kept: current rules that fire for at least `min_support` contacts; generated rules that fire
    for twice that, whose lift on the training contacts is significant (its 95% interval leaves
    out 1) and that are not mostly (95%) inside what a current rule already fires for. A
    candidate that fires for exactly the same contacts as an earlier one is dropped."""
    schema = sandbox.schema("intermediate")
    with warehouse.opened(read_only=True) as conn:
        fired = conn.execute(
            f"select contact_id, rule_id, cast(points as double precision) as value "
            f"from {schema}.int_fit_points where not is_cap_adjustment and points <> 0 union all "
            f"select contact_id, rule_id, cast(points as double precision) / {EXPLORATION_ENGAGEMENT_POINTS} "
            f"from {schema}.int_engagement_points where not is_cap_adjustment and points <> 0"
        ).df()
    by_name = {c.rule_id: c for c in pool}
    caps = {c.rule_id: (c.cap_occurrences or 1.0) for c in pool}
    fired["rule_id"] = fired["rule_id"].astype("category")  # millions of rows, a hundred ids
    fired = fired[fired["rule_id"].isin(by_name.keys())]
    rows = pd.Index(contacts["contact_id"]).get_indexer(fired["contact_id"])
    fired = fired.loc[rows >= 0, ["rule_id", "value"]].assign(row=rows[rows >= 0])
    fired["value"] = np.minimum(
        fired["value"].to_numpy(), fired["rule_id"].map(caps).astype(float).to_numpy()
    )
    support = fired.groupby("rule_id", observed=True)["row"].nunique()
    order = [
        c.rule_id
        for c in pool
        if c.row.get("disqualify", "false") != "true"
        and support.get(c.rule_id, 0) >= (2 * min_support if c.generated else min_support)
    ]
    column = pd.Index(order).get_indexer(fired["rule_id"])
    known = column >= 0
    matrix = sparse.csc_matrix(
        (fired["value"].to_numpy()[known], (fired["row"].to_numpy()[known], column[known])),
        shape=(len(contacts), len(order)),
    )
    fires = (matrix > 0).astype(np.float32)
    fires.sort_indices()
    overlap = (fires.T @ fires).toarray()
    current = [i for i, name in enumerate(order) if not by_name[name].generated]
    # per candidate: the training contacts it fires for, and the conversions among them
    fired_learn = fires.T @ learn.astype(np.float64)
    converted_learn = fires.T @ (learn & y).astype(np.float64)
    n_learn, y_learn = int(learn.sum()), int((learn & y).sum())
    seen, kept = set(), []
    for i, name in enumerate(order):
        if by_name[name].generated:
            if current and (overlap[i, current] >= 0.95 * overlap[i, i]).any():
                continue
            hits, conversions = int(round(fired_learn[i])), int(round(converted_learn[i]))
            lift = metrics.lift_interval(conversions, hits, y_learn - conversions, n_learn - hits)
            if not (lift.low > 1 or lift.high < 1):
                continue
        key = fires.indices[fires.indptr[i] : fires.indptr[i + 1]].tobytes()  # who it fires for
        if key in seen:
            continue
        seen.add(key)
        kept.append(i)
    return matrix[:, kept].tocsr(), [order[i] for i in kept], by_name


def _fit(x, y, settings: Settings):
    """L2 logistic regression with C chosen by stratified k-fold AUC. Features are divided by
    their standard deviation first, so the penalty treats a 0/1 rule and a count alike; the
    returned coefficients are per unit of the original feature."""
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    x = sparse.csr_matrix(x)
    mean = np.asarray(x.mean(axis=0)).ravel()
    std = np.sqrt(np.maximum(np.asarray(x.multiply(x).mean(axis=0)).ravel() - mean**2, 0))
    std[std == 0] = 1.0
    folds = StratifiedKFold(n_splits=settings.folds, shuffle=True, random_state=settings.seed)
    model = LogisticRegressionCV(
        Cs=np.logspace(-3, 1, 9),
        cv=folds,
        scoring="roc_auc",
        max_iter=5000,
        l1_ratios=(0.0,),
        use_legacy_attributes=True,
    )
    model.fit(x @ sparse.diags(1 / std), y)
    model.coef_ = model.coef_ / std
    cv_scores = np.asarray(model.scores_[True]).mean(axis=0)
    return model, float(cv_scores.max())


# -- from coefficients to seeds ------------------------------------------------------------------


def _scale(predictor: np.ndarray) -> tuple[float, float]:
    """Points per logit unit and the base that map the middle 98% of contacts onto 0-100."""
    if len(predictor) == 0:
        return 0.0, 0.0
    low, high = np.percentile(predictor, [1, 99])
    if high - low < 1e-9:
        return 0.0, 0.0
    scale = 100.0 / (high - low)
    return scale, -scale * low


def _proposal(current: RuleSet, pool, by_name, weights, features, names, eligible):
    index = {name: i for i, name in enumerate(names)}
    coef = np.array([weights[n] for n in names])
    categories = np.array([by_name[n].category for n in names])
    parts = {}
    for category in ("fit", "engagement"):
        mask = categories == category
        predictor = features[:, mask] @ coef[mask] if mask.any() else np.zeros(features.shape[0])
        parts[category] = _scale(np.asarray(predictor)[eligible])
    (fit_scale, fit_base), (eng_scale, eng_base) = parts["fit"], parts["engagement"]
    if fit_scale and eng_scale:
        fit_weight = round(eng_scale / (fit_scale + eng_scale), 2)
    else:
        fit_weight = 1.0 if fit_scale else 0.0 if eng_scale else 0.5

    proposed = current.copy()
    fit_rows, eng_rows, groups = [], [], {}
    fit_columns = list(current.tables["scoring_fit_rules"].columns)
    eng_columns = list(current.tables["scoring_engagement_rules"].columns)
    for cand in pool:
        row = {**cand.row, "rule_id": cand.rule_id, "rule_group": cand.rule_group}
        learned = cand.rule_id in index
        if cand.category == "fit":
            if row.get("disqualify", "false") == "true":  # kept as written: it disqualifies
                fit_rows.append({c: row.get(c, "") for c in fit_columns})
                continue
            points = int(round(fit_scale * weights[cand.rule_id])) if learned else 0
            if cand.generated and points == 0:
                continue
            row.update(points=str(points), disqualify=row.get("disqualify") or "false")
            fit_rows.append({c: row.get(c, "") for c in fit_columns})
        else:
            points = int(round(eng_scale * weights[cand.rule_id])) if learned else 0
            if cand.generated and points == 0:
                continue
            cap = int(math.ceil(abs(points) * (cand.cap_occurrences or 1)))
            row.update(points=str(points), max_points=str(cap))
            eng_rows.append({c: row.get(c, "") for c in eng_columns})
        groups[cand.rule_group] = cand.category
    proposed.tables["scoring_fit_rules"] = pd.DataFrame(fit_rows, columns=fit_columns)
    proposed.tables["scoring_engagement_rules"] = pd.DataFrame(eng_rows, columns=eng_columns)
    proposed.tables["scoring_rule_groups"] = _group_caps(
        current.tables["scoring_rule_groups"], groups, proposed, features, index, by_name
    )
    categories_table = proposed.tables["scoring_categories"].copy()
    bases = {"fit": int(round(fit_base)), "engagement": int(round(eng_base))}
    for i, category in enumerate(categories_table["category"].str.strip().str.lower()):
        categories_table.loc[i, "base_points"] = str(bases.get(category, 0))
        categories_table.loc[i, "weight"] = (
            f"{fit_weight:.2f}" if category == "fit" else f"{1 - fit_weight:.2f}"
        )
    proposed.tables["scoring_categories"] = categories_table
    return proposed, fit_weight, bases


def _group_caps(rule_groups, groups, proposed, features, index, by_name) -> pd.DataFrame:
    """Group bounds that hold what the data shows: the highest and lowest sum any contact gets
    under the proposed points (so the caps keep the learned order on today's contacts)."""
    table = _with_generated_groups(rule_groups, groups)
    table = table.loc[table["rule_group"].isin(groups)].reset_index(drop=True)
    points = {}
    for name in ("scoring_fit_rules", "scoring_engagement_rules"):
        frame = proposed.tables[name]
        points.update(zip(frame["rule_id"], frame["points"].astype(float), strict=True))
    for i, group in enumerate(table["rule_group"]):
        members = [n for n in index if by_name[n].rule_group == group and n in points]
        if not members:
            table.loc[i, ["max_points", "min_points"]] = ["0", ""]
            continue
        columns = [index[n] for n in members]
        sums = np.asarray(features[:, columns] @ np.array([points[n] for n in members])).ravel()
        high, low = math.ceil(max(sums.max(), 0)), math.floor(min(sums.min(), 0))
        table.loc[i, "max_points"] = str(high)
        table.loc[i, "min_points"] = str(low) if low < 0 else ""
    return table


def _min_score_for_share(scores: np.ndarray, share: float) -> int:
    for threshold in range(1, 101):
        if np.mean(scores >= threshold) <= share:
            return threshold
    return 100


def _min_score_for_rate(
    scores: np.ndarray, converted: np.ndarray, rate: float, min_contacts: int = 20
) -> int:
    for threshold in range(1, 101):
        chosen = scores >= threshold
        if chosen.sum() < min_contacts:
            return threshold
        if converted[chosen].mean() >= rate:
            return threshold
    return 100


def _with_thresholds(
    proposed: RuleSet, scores: pd.DataFrame, converted: np.ndarray, settings: Settings
) -> RuleSet:
    """Tier, grade and MQL thresholds from target shares (or conversion rates) of the proposed
    scores of the contacts that are not disqualified."""
    eligible = ~scores["is_disqualified"].astype(bool).to_numpy()
    values = {
        "fit_letter": scores["fit_score"].to_numpy()[eligible],
        "engagement_number": scores["engagement_score"].to_numpy()[eligible],
        "tier": scores["lead_score"].to_numpy()[eligible],
        "lifecycle": scores["lead_score"].to_numpy()[eligible],
    }
    y = converted[eligible]
    table = proposed.tables["scoring_thresholds"].copy()
    for dimension, group in table.groupby("dimension", sort=False):
        ordered = group.assign(m=group["min_score"].astype(int)).sort_values("m", ascending=False)
        labels = ordered.index.tolist()
        series = values.get(dimension)
        if series is None or len(series) == 0:
            continue
        if dimension == "lifecycle":
            threshold = (
                _min_score_for_rate(series, y, settings.mql_rate)
                if settings.mql_rate
                else _min_score_for_share(series, settings.mql_share)
            )
            table.loc[labels, "min_score"] = str(threshold)
            continue
        shares = settings.grade_shares if dimension != "tier" else settings.tier_shares
        rates = settings.tier_rates if dimension == "tier" else None
        if len(shares) != len(labels) - 1:
            shares = tuple((i + 1) / len(labels) for i in range(len(labels) - 1))
        previous = 101
        for position, label_index in enumerate(labels):
            if position == len(labels) - 1:
                table.loc[label_index, "min_score"] = "0"
                continue
            if rates and position < len(rates):
                threshold = _min_score_for_rate(series, y, rates[position])
            else:
                threshold = _min_score_for_share(series, shares[position])
            threshold = max(1, min(threshold, previous - 1))
            table.loc[label_index, "min_score"] = str(threshold)
            previous = threshold
    result = proposed.copy()
    result.tables["scoring_thresholds"] = table
    return result


def _changes(
    current: RuleSet, proposed: RuleSet, pool, features, names, y, weights: dict[str, float]
) -> pd.DataFrame:
    """Every rule that changes, with how often it fired, its lift, its odds ratio given the
    other rules (per occurrence for an engagement rule) and its points before -> after."""
    before, after = {}, {}
    for table, target in ((current, before), (proposed, after)):
        for name in ("scoring_fit_rules", "scoring_engagement_rules"):
            frame = table.tables[name]
            target.update(zip(frame["rule_id"], frame["points"], strict=True))
    column = {name: i for i, name in enumerate(names)}
    fired_matrix = (features > 0).tocsc()
    rows = []
    for cand in pool:
        old, new = before.get(cand.rule_id), after.get(cand.rule_id)
        if old == new:
            continue
        if cand.rule_id in column:
            fired = fired_matrix[:, column[cand.rule_id]].toarray().ravel()
        else:
            fired = np.zeros(len(y), dtype=bool)
        n_fired = int(fired.sum())
        lift = metrics.lift_interval(int(y[fired].sum()), n_fired, int(y[~fired].sum()), int((~fired).sum()))
        rows.append(
            {
                "rule_id": cand.rule_id,
                "category": cand.category,
                "status": "new" if old is None else "removed" if new is None else "changed",
                "contacts_fired": n_fired,
                "lift": lift.value,
                "lift_low": lift.low,
                "lift_high": lift.high,
                "odds_ratio": math.exp(weights[cand.rule_id]) if cand.rule_id in weights else float("nan"),
                "points_before": old,
                "points_after": new,
                "rule": _describe(cand),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "rule_id",
            "category",
            "status",
            "contacts_fired",
            "lift",
            "lift_low",
            "lift_high",
            "odds_ratio",
            "points_before",
            "points_after",
            "rule",
        ],
    )


def _describe(cand: C.Candidate) -> str:
    row = cand.row
    if cand.category == "fit":
        return f"{row.get('object')}.{row.get('property')} {row.get('operator')} {row.get('value')}".strip()
    return f"{row.get('event_type')} {row.get('operator', '')} {row.get('value', '')}".strip()
