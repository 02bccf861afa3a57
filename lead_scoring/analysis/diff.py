"""What a change to the rule seeds would move, before it ships.

The working seeds are scored with the engine itself in a sandbox beside the real build
(`SandboxBuild`, schemas `diff_*`, dropped afterwards), for the score date of the last build, and
compared with the last build's scores (`marts`) or with the seeds of a git ref scored the same
way. Nothing the CRM sync or BI reads is touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lead_scoring.calibration.rules import RuleSet
from lead_scoring.calibration.sandbox_build import SandboxBuild
from lead_scoring.sync.payload import NOT_HASHED, SCORE_COLUMNS, TIERS, build_payload, payload_hash
from lead_scoring.sync.reverse import DEFAULT_MAX_SHARE
from lead_scoring.sync.warehouse import table_exists
from lead_scoring.warehouse import Warehouse

from .errors import AnalysisError

PREFIX = "diff_"
# Score shift buckets (lead score points): inclusive bounds, None = open.
SHIFT_BUCKETS = (
    (None, -20),
    (-19, -10),
    (-9, -5),
    (-4, -1),
    (0, 0),
    (1, 4),
    (5, 9),
    (10, 19),
    (20, None),
)
_BEFORE_COMPONENTS = "diff_before_components"


@dataclass
class Side:
    """One scoring of every contact: where its rows are and what it is called in the report."""

    label: str
    scores: pd.DataFrame  # SCORE_COLUMNS, indexed by contact_id
    components: str  # a table or view: contact_id, rule_id, points


@dataclass
class DiffReport:
    before_label: str
    after_label: str
    score_date: str
    contacts: int
    model_versions: tuple[str, str]
    changed: int  # lead score differs
    up: int
    down: int
    other_changes: int  # same lead score, but fit, engagement, grade, tier or stage differs
    tiers: list[str]
    tier_matrix: list[list[int]]  # [before tier][after tier]
    tier_changed: int
    mql_before: int
    mql_after: int
    mql_gained: int
    mql_lost: int
    shift: list[tuple[str, int]]  # (bucket label, contacts)
    rules: list[dict]  # rules whose contacts or points changed
    movers: list[dict]
    crm: dict
    only_before: int = 0  # contacts in one scoring only (should not happen on the same data)
    only_after: int = 0
    notes: list[str] = field(default_factory=list)


def _git(repo: Path, *args: str) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout
    except FileNotFoundError as exc:
        raise AnalysisError("git is not installed: --against needs it") from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode(errors="replace").strip().splitlines()
        raise AnalysisError(f"git {' '.join(args[:2])}: {message[-1] if message else exc}") from exc


def seeds_at_ref(seeds_dir: Path, ref: str, dest: Path) -> Path:
    """The seeds folder as it was at git `ref` of the repository holding it, extracted into `dest`."""
    seeds_dir = Path(seeds_dir).resolve()
    top = Path(_git(seeds_dir, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    relative = seeds_dir.relative_to(top).as_posix()
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    archive = _git(top, "archive", "--format=tar", commit, "--", relative)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    folder = Path(dest) / relative
    if not folder.is_dir():
        raise AnalysisError(f"{ref} has no folder {relative}")
    return folder


def _read_rules(folder: Path, what: str) -> RuleSet:
    try:
        return RuleSet.read(folder)
    except FileNotFoundError as exc:
        raise AnalysisError(f"{what}: {exc}") from exc


def _scores(conn, table: str) -> pd.DataFrame:
    cursor = conn.execute(f"select {', '.join(SCORE_COLUMNS)} from {table} order by contact_id")
    frame = pd.DataFrame(cursor.fetchall(), columns=list(SCORE_COLUMNS))
    frame["contact_id"] = frame["contact_id"].astype("int64")
    return frame.set_index("contact_id")


def _last_score_date(warehouse: Warehouse) -> str:
    if not warehouse.exists():
        raise AnalysisError(f"no warehouse at {warehouse}: run the pipeline first (lead-scoring demo)")
    with warehouse.opened(read_only=True) as conn:
        if not table_exists(conn, "marts", "fct_lead_scores"):
            raise AnalysisError(
                f"marts.fct_lead_scores does not exist in {warehouse}: build the scores first "
                "(lead-scoring transform)"
            )
        (scored_at,) = conn.execute("select max(scored_at) from marts.fct_lead_scores").fetchone()
    if scored_at is None:
        raise AnalysisError("marts.fct_lead_scores is empty: nothing to compare with")
    return str(scored_at)[:10]


def diff(
    warehouse: Warehouse,
    seeds_dir: Path,
    against: str | None = None,
    top: int = 10,
    keep_sandbox: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> DiffReport:
    """Score the rules in `seeds_dir` and compare them with the last build (or git `against`)."""
    seeds_dir = Path(seeds_dir)
    score_date = _last_score_date(warehouse)
    with tempfile.TemporaryDirectory(prefix="lead-scoring-diff-") as tmp:
        after_rules = _read_rules(seeds_dir, "the working seeds")
        before_rules = None
        if against:
            folder = seeds_at_ref(seeds_dir, against, Path(tmp) / "ref")
            before_rules = _read_rules(folder, f"the seeds at {against}")
        sandbox = SandboxBuild(warehouse, score_date, Path(tmp) / "rules", prefix=PREFIX)
        scores_table = f"{sandbox.schema('intermediate')}.int_lead_scores"
        components_view = f"{sandbox.schema('intermediate')}.int_lead_score_components"
        try:
            if before_rules is not None:
                progress(f"scoring the seeds at {against} as of {score_date} (schemas {PREFIX}*)")
                sandbox.score(before_rules, "before")
                copy = f"{sandbox.schema('intermediate')}.{_BEFORE_COMPONENTS}"
                with warehouse.opened() as conn:
                    before_scores = _scores(conn, scores_table)
                    conn.execute(f"drop table if exists {copy}")
                    conn.execute(
                        f"create table {copy} as select contact_id, rule_id, points from {components_view}"
                    )
                before = Side(f"seeds at {against}", before_scores, copy)
            else:
                with warehouse.opened(read_only=True) as conn:
                    before = Side(
                        "last build (marts)",
                        _scores(conn, "marts.fct_lead_scores"),
                        "marts.fct_lead_score_components",
                    )
            progress(f"scoring the working seeds in {seeds_dir} as of {score_date} (schemas {PREFIX}*)")
            sandbox.score(after_rules, "after")
            with warehouse.opened() as conn:
                after = Side(f"working seeds ({seeds_dir})", _scores(conn, scores_table), components_view)
                return compare(conn, before, after, score_date, top)
        finally:
            if not keep_sandbox:
                sandbox.drop()


def compare(conn, before: Side, after: Side, score_date: str, top: int = 10) -> DiffReport:
    """The report's figures; `conn` reads both sides' component rows for the rule changes."""
    b, a = before.scores, after.scores
    both = b.join(a, how="inner", lsuffix="_b", rsuffix="_a")
    shift = both["lead_score_a"].astype(int) - both["lead_score_b"].astype(int)
    same_other = pd.Series(True, index=both.index)
    for column in ("fit_score", "engagement_score", "grade", "tier", "lifecycle_stage"):
        same_other &= both[f"{column}_b"].astype(str) == both[f"{column}_a"].astype(str)

    tiers = [t for t in TIERS if t in set(both["tier_b"]) | set(both["tier_a"])]
    tiers += sorted((set(both["tier_b"]) | set(both["tier_a"])) - set(tiers), key=str)
    matrix = pd.crosstab(both["tier_b"], both["tier_a"]).reindex(index=tiers, columns=tiers, fill_value=0)
    mql_b, mql_a = both["lifecycle_stage_b"] == "mql", both["lifecycle_stage_a"] == "mql"

    buckets = []
    for low, high in SHIFT_BUCKETS:
        mask = pd.Series(True, index=shift.index)
        if low is not None:
            mask &= shift >= low
        if high is not None:
            mask &= shift <= high
        if low == high:
            label = f"{low:+d}" if low else "0"
        elif low is None:
            label = f"{high:+d} or less"
        elif high is None:
            label = f"{low:+d} or more"
        else:
            label = f"{low:+d} to {high:+d}"
        buckets.append((label, int(mask.sum())))

    # Largest shifts first; among equal shifts, contacts that change tier, then by contact id.
    moved = pd.DataFrame({"size": shift.abs(), "same_tier": both["tier_b"] == both["tier_a"]})[shift != 0]
    moved = moved.sort_values(["size", "same_tier"], ascending=[False, True], kind="stable")
    mover_ids = [int(i) for i in moved.index[:top]]
    rule_points = _rule_points(conn, before.components, after.components, mover_ids)
    movers = []
    for cid in mover_ids:
        row = both.loc[cid]
        changes = rule_points.get(cid, [])
        movers.append(
            {
                "contact_id": cid,
                "email": (row["email_b"] or row["email_a"] or "").strip(),
                "lead_score": [int(row["lead_score_b"]), int(row["lead_score_a"])],
                "shift": int(shift.loc[cid]),
                "tier": [row["tier_b"], row["tier_a"]],
                "lifecycle_stage": [row["lifecycle_stage_b"], row["lifecycle_stage_a"]],
                "rules": changes,
            }
        )

    versions_b = sorted(set(b["model_version"].dropna()))
    versions_a = sorted(set(a["model_version"].dropna()))
    return DiffReport(
        before_label=before.label,
        after_label=after.label,
        score_date=score_date,
        contacts=len(both),
        model_versions=(", ".join(versions_b), ", ".join(versions_a)),
        changed=int((shift != 0).sum()),
        up=int((shift > 0).sum()),
        down=int((shift < 0).sum()),
        other_changes=int(((shift == 0) & ~same_other).sum()),
        tiers=tiers,
        tier_matrix=matrix.astype(int).values.tolist(),
        tier_changed=int((both["tier_b"] != both["tier_a"]).sum()),
        mql_before=int(mql_b.sum()),
        mql_after=int(mql_a.sum()),
        mql_gained=int((mql_a & ~mql_b).sum()),
        mql_lost=int((mql_b & ~mql_a).sum()),
        shift=buckets,
        rules=_rule_summary(conn, before.components, after.components),
        movers=movers,
        crm=_crm_changes(conn, b, a),
        only_before=len(b.index.difference(a.index)),
        only_after=len(a.index.difference(b.index)),
    )


def _rule_points(conn, before: str, after: str, contact_ids: list[int]) -> dict[int, list[dict]]:
    """For each contact, the rules (caps included) whose points differ between the two scorings."""
    if not contact_ids:
        return {}
    marks = ", ".join("?" * len(contact_ids))
    points: dict[int, dict[str, list]] = {cid: {} for cid in contact_ids}
    for side, table in enumerate((before, after)):
        rows = conn.execute(
            f"select contact_id, rule_id, sum(points) from {table} "
            f"where contact_id in ({marks}) group by contact_id, rule_id",
            contact_ids,
        ).fetchall()
        for cid, rule_id, value in rows:
            points[int(cid)].setdefault(rule_id, [None, None])[side] = float(value)
    out = {}
    for cid, rules in points.items():
        changed = [
            {"rule_id": rule_id, "points": values, "change": (values[1] or 0) - (values[0] or 0)}
            for rule_id, values in rules.items()
            if values[0] != values[1]
        ]
        changed.sort(key=lambda r: (-abs(r["change"]), r["rule_id"]))
        out[cid] = changed
    return out


def _rule_summary(conn, before: str, after: str) -> list[dict]:
    """Per rule (caps included): contacts it counts for and its total points, before and after;
    only the rules where either changed."""
    sides = []
    for table in (before, after):
        rows = conn.execute(
            f"select rule_id, count(distinct contact_id), sum(points) from {table} group by rule_id"
        ).fetchall()
        sides.append({rule_id: (int(n), float(p or 0)) for rule_id, n, p in rows})
    out = []
    for rule_id in sorted(set(sides[0]) | set(sides[1])):
        (nb, pb), (na, pa) = sides[0].get(rule_id, (0, 0.0)), sides[1].get(rule_id, (0, 0.0))
        if nb != na or abs(pb - pa) > 1e-9:
            out.append({"rule_id": rule_id, "contacts": [nb, na], "points": [round(pb, 2), round(pa, 2)]})
    out.sort(key=lambda r: (-abs(r["points"][1] - r["points"][0]), r["rule_id"]))
    return out


def _payloads(frame: pd.DataFrame, ids=None):
    """(contact_id, payload) as the sync builds it, from rows with None (not NaN) for missing."""
    if ids is not None:
        frame = frame.loc[ids]
    rows = frame.astype(object).where(frame.notna(), None)
    columns = list(rows.columns)
    for cid, *values in rows.itertuples(name=None):
        yield int(cid), build_payload(dict(zip(columns, values, strict=True), contact_id=cid))


def _crm_changes(conn, before: pd.DataFrame, after: pd.DataFrame) -> dict:
    """What the reverse sync would write, with its own payload and hash (`sync.payload`): the
    contacts whose written properties change, and the sync's plan against the state it last
    confirmed (`sync.crm_sync_state`), before and after the change."""
    common = before.index.intersection(after.index)
    compared = [c for c in SCORE_COLUMNS if c not in ("contact_id", "scored_at")]
    differs = pd.Series(False, index=common)
    for column in compared:
        b, a = before.loc[common, column], after.loc[common, column]
        differs |= ~((b == a) | (b.isna() & a.isna())).to_numpy()
    candidates = list(common[differs.to_numpy()])

    properties: dict[str, int] = {}
    after_hash = {}
    old_payloads = dict(_payloads(before, candidates))
    for cid, new in _payloads(after, candidates):
        old = old_payloads[cid]
        names = [k for k in new if k not in NOT_HASHED and old.get(k) != new[k]]
        if names:
            after_hash[cid] = payload_hash(new)
            for name in names:
                properties[name] = properties.get(name, 0) + 1
    out = {
        "contacts": len(common),
        "payload_changes": len(after_hash),
        "properties": dict(sorted(properties.items(), key=lambda kv: (-kv[1], kv[0]))),
        "state": None,
    }
    if not table_exists(conn, "sync", "crm_sync_state"):
        return out
    state = dict(conn.execute("select contact_id, payload_hash from sync.crm_sync_state").fetchall())
    if not state:
        return out
    gone = set()
    if table_exists(conn, "sync", "crm_sync_gone"):
        gone = {cid for (cid,) in conn.execute("select contact_id from sync.crm_sync_gone").fetchall()}
    pending_before = pending_after = overwrites_after = 0
    for cid, payload in _payloads(before, common):
        if cid in gone:
            continue
        digest_before = payload_hash(payload)
        digest_after = after_hash.get(cid, digest_before)
        confirmed = state.get(cid)
        pending_before += confirmed != digest_before
        if confirmed != digest_after:
            pending_after += 1
            overwrites_after += confirmed is not None
    share = overwrites_after / len(common) if len(common) else 0.0
    out["state"] = {
        "synced_contacts": len(state),
        "pending_before": pending_before,
        "pending_after": pending_after,
        "overwrites_after": overwrites_after,
        "overwrite_share": share,
        "guard_max_share": DEFAULT_MAX_SHARE,
        "guard_refuses": share > DEFAULT_MAX_SHARE,
    }
    return out
