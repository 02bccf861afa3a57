"""Why one contact has its score, from the tables the last build wrote: the scores, every rule that
fired with its points and evidence, what decay and caps took off, junk signals, and the score's
history. Plain SQL with `?` placeholders, so it reads DuckDB and Postgres alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from lead_scoring.sync.payload import SCORE_COLUMNS
from lead_scoring.sync.warehouse import table_exists
from lead_scoring.warehouse import Warehouse

from .errors import AnalysisError

PROFILE_COLUMNS = (
    "full_name",
    "job_title",
    "persona",
    "country",
    "crm_lifecycle_stage",
    "analytics_source",
    "created_at",
    "company_name",
    "company_industry",
    "company_employees",
    "deal_count",
    "has_closed_won_deal",
    "web_event_count",
    "last_seen_at",
)
COMPONENT_COLUMNS = (
    "rule_id",
    "category",
    "rule_group",
    "points",
    "occurrences",
    "disqualifies",
    "is_cap_adjustment",
    "reason",
    "evidence",
)
HISTORY_COLUMNS = (
    "score_date",
    "fit_score",
    "engagement_score",
    "lead_score",
    "grade",
    "tier",
    "lifecycle_stage",
    "is_junk",
    "model_version",
)


@dataclass
class Explanation:
    """Everything `explain` shows; `as_dict` is the `--json` document."""

    contact_id: int
    scores: dict[str, Any]
    profile: dict[str, Any]
    # fit and engagement rules that fired; engagement rows carry full_points (without decay),
    # decay_points (what decay took off) and at_rule_cap (the rule's max_points bound)
    rules: list[dict[str, Any]]
    caps: list[dict[str, Any]]  # group cap adjustments (rule_id 'cap:<group>')
    junk: list[dict[str, Any]]  # junk signals (category 'junk')
    base_points: dict[str, float]
    weights: dict[str, float]
    fit_points: float  # base + fit and junk rows, caps included: fit_score is this clamped to 0-100
    engagement_points: float
    history_days: int
    history: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    """JSON-ready values: numbers as int/float, dates and times as ISO text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _rows(conn, sql: str, params: list) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def find_contact(conn, key: str) -> int:
    """The contact id for `key`: a contact id, or an email (case and surrounding spaces ignored)."""
    text = key.strip()
    if text.isdigit():
        found = conn.execute(
            "select contact_id from marts.fct_lead_scores where contact_id = ?", [int(text)]
        ).fetchall()
        if not found:
            raise AnalysisError(f"no scored contact with id {text} in marts.fct_lead_scores")
        return int(found[0][0])
    matches = _rows(
        conn,
        "select contact_id, email, tier, lead_score from marts.fct_lead_scores "
        "where lower(trim(email)) = lower(?) order by contact_id",
        [text],
    )
    if not matches:
        raise AnalysisError(f"no scored contact with email {text!r} in marts.fct_lead_scores")
    if len(matches) > 1:
        listed = ", ".join(
            f"{m['contact_id']} ({m['email'].strip()}, {m['tier']}, score {m['lead_score']})" for m in matches
        )
        raise AnalysisError(
            f"email {text!r} matches {len(matches)} contacts: {listed}; pass one of the contact ids"
        )
    return int(matches[0]["contact_id"])


def explain(warehouse: Warehouse, key: str, days: int = 30) -> Explanation:
    """Read the explanation of the contact `key` (id or email) from the marts."""
    if days < 1:
        raise AnalysisError(f"--days must be at least 1, got {days}")
    if not warehouse.exists():
        raise AnalysisError(f"no warehouse at {warehouse}: run the pipeline first (lead-scoring demo)")
    with warehouse.opened(read_only=True) as conn:
        for table in ("fct_lead_scores", "fct_lead_score_components"):
            if not table_exists(conn, "marts", table):
                raise AnalysisError(
                    f"marts.{table} does not exist in {warehouse}: build the scores first "
                    "(lead-scoring transform)"
                )
        contact_id = find_contact(conn, key)
        scores = _rows(
            conn,
            f"select {', '.join(SCORE_COLUMNS)} from marts.fct_lead_scores where contact_id = ?",
            [contact_id],
        )[0]
        profile = {}
        if table_exists(conn, "marts", "dim_leads"):
            found = _rows(
                conn,
                f"select {', '.join(PROFILE_COLUMNS)} from marts.dim_leads where contact_id = ?",
                [contact_id],
            )
            profile = found[0] if found else {}
        components = _rows(
            conn,
            f"select {', '.join(COMPONENT_COLUMNS)} from marts.fct_lead_score_components "
            "where contact_id = ? order by category, rule_id",
            [contact_id],
        )
        engagement_rules = _engagement_rules(conn)
        base_points, weights = _categories(conn)
        history = _history(conn, contact_id, scores["scored_at"], days)

    rules, caps, junk = [], [], []
    for row in components:
        row["points"] = _number(row["points"])
        if row["is_cap_adjustment"]:
            caps.append(row)
        elif row["category"] == "junk":
            junk.append(row)
        else:
            rules.append(_with_decay(row, engagement_rules.get(row["rule_id"])))
    rules.sort(key=lambda r: (r["category"] != "fit", -abs(r["points"]), r["rule_id"]))
    fit_points = base_points.get("fit", 0.0) + sum(
        r["points"] for r in components if r["category"] in ("fit", "junk")
    )
    engagement_points = base_points.get("engagement", 0.0) + sum(
        r["points"] for r in components if r["category"] == "engagement"
    )
    return Explanation(
        contact_id=contact_id,
        scores=scores,
        profile=profile,
        rules=rules,
        caps=caps,
        junk=junk,
        base_points=base_points,
        weights=weights,
        fit_points=round(fit_points, 4),
        engagement_points=round(engagement_points, 4),
        history_days=days,
        history=history,
    )


def _engagement_rules(conn) -> dict[str, dict[str, Any]]:
    """Each engagement rule's points per occurrence, cap and its group's decay, as the last build
    seeded them (schema `seeds`)."""
    if not (
        table_exists(conn, "seeds", "scoring_engagement_rules")
        and table_exists(conn, "seeds", "scoring_rule_groups")
    ):
        return {}
    rows = _rows(
        conn,
        "select r.rule_id, r.points, r.max_points, g.decay_percent, g.decay_period_days, g.window_days "
        "from seeds.scoring_engagement_rules r "
        "left join seeds.scoring_rule_groups g on r.rule_group = g.rule_group",
        [],
    )
    return {r["rule_id"]: r for r in rows}


def _with_decay(row: dict[str, Any], rule: dict[str, Any] | None) -> dict[str, Any]:
    """An engagement row with what it would be worth without decay, and whether the rule's own
    max_points bounds it (a fit rule has neither)."""
    row = dict(row, full_points=None, decay_points=None, max_points=None, at_rule_cap=False, decay=None)
    if row["category"] != "engagement" or rule is None or rule["points"] is None:
        return row
    per_occurrence = float(rule["points"])
    full = per_occurrence * (row["occurrences"] or 0)
    max_points = _number(rule["max_points"])
    if max_points is not None:
        full = max(-max_points, min(max_points, full))
        row["max_points"] = max_points
        row["at_rule_cap"] = abs(row["points"]) >= max_points
    row["full_points"] = full
    row["decay_points"] = round(row["points"] - full, 4)
    percent, period = _number(rule["decay_percent"]), rule["decay_period_days"]
    if percent and period:
        row["decay"] = f"{percent:g}% per {period} days"
    return row


def _categories(conn) -> tuple[dict[str, float], dict[str, float]]:
    """Base points and weights per category, as the last build used them (var fit_weight included)."""
    if table_exists(conn, "intermediate", "int_scoring_model_version"):
        row = _rows(conn, "select * from intermediate.int_scoring_model_version", [])
        if row:
            r = row[0]
            return (
                {"fit": float(r["fit_base_points"]), "engagement": float(r["engagement_base_points"])},
                {"fit": float(r["fit_weight"]), "engagement": float(r["engagement_weight"])},
            )
    return {"fit": 0.0, "engagement": 0.0}, {}


def _history(conn, contact_id: int, scored_at: Any, days: int) -> list[dict[str, Any]]:
    """The contact's daily scores over the `days` days up to the current scores' date."""
    if not table_exists(conn, "marts", "fct_lead_score_history"):
        return []
    end = (
        scored_at.date() if isinstance(scored_at, dt.datetime) else dt.date.fromisoformat(str(scored_at)[:10])
    )
    start = end - dt.timedelta(days=days - 1)
    rows = _rows(
        conn,
        f"select {', '.join(HISTORY_COLUMNS)} from marts.fct_lead_score_history "
        "where contact_id = ? and score_date >= ? and score_date <= ? order by score_date",
        [contact_id, start, end],
    )
    previous = None
    for row in rows:
        row["change"] = None if previous is None else row["lead_score"] - previous
        previous = row["lead_score"]
    return rows


# -- the terminal ----------------------------------------------------------------------------------


def _fmt(points: float | None, signed: bool = True) -> str:
    if points is None:
        return ""
    text = f"{points:+.2f}" if signed else f"{points:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _table(title: str, expand: bool = False):
    """A table with a rule under the header and no borders: more room for the evidence in 80 columns."""
    from rich import box
    from rich.table import Table

    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), expand=expand)


def render(ex: Explanation, console=None) -> None:
    """Print the explanation: a few lines of scores, then tables (fit in 80 columns)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(highlight=False)
    s, p = ex.scores, ex.profile
    console.print(f"[bold]Contact {ex.contact_id}[/bold]  {(s.get('email') or '').strip()}")
    who = ", ".join(x for x in (p.get("full_name"), p.get("job_title")) if x)
    if p.get("company_name"):
        who += f" at {p['company_name']}"
    facts = [
        str(p[k]) + suffix
        for k, suffix in (
            ("company_industry", ""),
            ("company_employees", " employees"),
            ("country", ""),
            ("persona", " persona"),
        )
        if p.get(k) not in (None, "")
    ]
    if p.get("deal_count"):
        facts.append(f"{p['deal_count']} deal(s)" + (", closed-won" if p.get("has_closed_won_deal") else ""))
    if p.get("web_event_count") is not None:
        facts.append(f"{p['web_event_count']} web events")
    if who or facts:
        console.print(who + (f" ({'; '.join(facts)})" if facts else ""))

    fit_rules = [r for r in ex.rules if r["category"] == "fit"]
    eng_rules = [r for r in ex.rules if r["category"] == "engagement"]

    def caps_of(category: str) -> str:
        caps = [c for c in ex.caps if c["category"] == category]
        return f", {len(caps)} group cap(s) {_fmt(sum(c['points'] for c in caps))}" if caps else ""

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    grid.add_column()
    grid.add_row(
        "lead score",
        str(s["lead_score"]),
        f"tier {s['tier']}, grade {s['grade']}, lifecycle {s['lifecycle_stage']}",
    )
    junk_note = (
        f", {len(ex.junk)} junk signal(s) {_fmt(sum(j['points'] for j in ex.junk))}" if ex.junk else ""
    )
    grid.add_row(
        "fit",
        str(s["fit_score"]),
        f"{_fmt(ex.fit_points, False)} points: {len(fit_rules)} rule(s){caps_of('fit')}{junk_note}",
    )
    grid.add_row(
        "engagement",
        str(s["engagement_score"]),
        f"{_fmt(ex.engagement_points, False)} points: {len(eng_rules)} rule(s){caps_of('engagement')}",
    )
    grid.add_row("model", "", f"{s['model_version']}, scored at {s['scored_at']}")
    console.print(grid)
    if ex.weights:
        base = (
            f" (base points: fit {ex.base_points['fit']:g}, engagement {ex.base_points['engagement']:g})"
            if any(ex.base_points.values())
            else ""
        )
        console.print(
            f"lead score = round({ex.weights['fit']:g} x fit + {ex.weights['engagement']:g} x engagement); "
            f"fit and engagement are their points clamped to 0-100{base}"
        )
    if s.get("score_reasons"):
        console.print(f"reasons: {s['score_reasons']}")

    if ex.rules or ex.caps:
        rules = _table("Rules that fired", expand=True)
        rules.add_column("rule", no_wrap=True)
        rules.add_column("points", justify="right", no_wrap=True)
        rules.add_column("evidence", ratio=3, overflow="fold")
        rules.add_column("decay, caps", ratio=2, overflow="fold")
        for category, rows in (("fit", fit_rules), ("engagement", eng_rules)):
            caps = [c for c in ex.caps if c["category"] == category]
            if not rows and not caps:
                continue
            if rules.row_count:
                rules.add_section()
            for r in rows:
                notes = []
                if r.get("decay_points"):
                    notes.append(
                        f"decay {_fmt(r['decay_points'])} of {_fmt(r['full_points'])} ({r['decay']})"
                    )
                if r.get("at_rule_cap"):
                    notes.append(f"at max {_fmt(r['max_points'], False)}")
                if r["disqualifies"]:
                    notes.append("disqualifies")
                rules.add_row(r["rule_id"], _fmt(r["points"]), r["evidence"] or "", "; ".join(notes))
            for c in caps:
                rules.add_row(c["rule_id"], _fmt(c["points"]), c["evidence"] or "", "group cap")
        console.print(rules)
    else:
        console.print("No rule fired for this contact.")

    if ex.junk:
        junk = _table("Junk signals")
        junk.add_column("signal", no_wrap=True)
        junk.add_column("points", justify="right", no_wrap=True)
        junk.add_column("disqualifies", no_wrap=True)
        junk.add_column("evidence")
        for j in ex.junk:
            junk.add_row(
                j["rule_id"], _fmt(j["points"]), "yes" if j["disqualifies"] else "no", j["evidence"] or ""
            )
        console.print(junk)
    else:
        console.print("Junk signals: none")

    if ex.history:
        hist = _table(f"History, last {ex.history_days} days")
        for name in ("date", "lead", "change", "fit", "eng", "grade", "tier", "stage", "model"):
            hist.add_column(
                name, no_wrap=True, justify="right" if name in ("lead", "change", "fit", "eng") else "left"
            )
        previous_version = None
        for h in ex.history:
            version = h["model_version"]
            hist.add_row(
                str(h["score_date"]),
                str(h["lead_score"]),
                "" if h["change"] is None else f"{h['change']:+d}",
                str(h["fit_score"]),
                str(h["engagement_score"]),
                str(h["grade"]),
                str(h["tier"]),
                str(h["lifecycle_stage"]),
                version[:8] if version != previous_version else "same",
            )
            previous_version = version
        console.print(hist)
    else:
        console.print(f"History: no scores in the last {ex.history_days} days")
