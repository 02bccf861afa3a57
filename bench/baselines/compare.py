"""Check a baseline's scores against `marts.fct_lead_scores` of a warehouse.

The scores are integers in the pipeline (and in both baselines), so equality is exact; a frame
whose scores are floats is compared with an absolute tolerance of SCORE_TOLERANCE (1e-9), so a
float 40.0 equals 40 but 40.5 does not. Text columns (grade, tier) are compared exactly, and only
when the frame has them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

SCORE_TOLERANCE = 1e-9
SCORE_COLUMNS = ("fit_score", "engagement_score", "lead_score")
OPTIONAL_COLUMNS = ("grade", "tier")
EXAMPLES = 5


def warehouse_scores(warehouse_path: Path) -> pd.DataFrame:
    """contact_id, the scores, grade and tier of marts.fct_lead_scores (the file is opened read-only
    and closed at once: DuckDB takes one writer)."""
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        columns = ", ".join(("contact_id", *SCORE_COLUMNS, *OPTIONAL_COLUMNS))
        return con.execute(f"select {columns} from marts.fct_lead_scores").df()
    finally:
        con.close()


def _ids(ids, limit: int = EXAMPLES) -> str:
    shown = ", ".join(str(i) for i in sorted(ids)[:limit])
    return shown + (", ..." if len(ids) > limit else "")


def _plain(value):
    """A cell as plain Python, for messages: 40 rather than np.int32(40), None for any null."""
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def compare(frame: pd.DataFrame, warehouse_path: Path) -> list[str]:
    """Mismatches between `frame` and the warehouse's fct_lead_scores, one line each with a few
    example contact ids; an empty list means the two are equal."""
    expected = warehouse_scores(warehouse_path)
    problems = []
    for name, scores in (("baseline", frame), ("warehouse", expected)):
        repeated = scores["contact_id"][scores["contact_id"].duplicated()]
        if len(repeated):
            problems.append(f"{name} has {len(repeated)} repeated contact_id(s), e.g. {_ids(set(repeated))}")
    got = frame.drop_duplicates("contact_id").set_index("contact_id")
    want = expected.drop_duplicates("contact_id").set_index("contact_id")
    missing, extra = want.index.difference(got.index), got.index.difference(want.index)
    if len(missing):
        problems.append(f"{len(missing)} contact(s) missing from the baseline, e.g. {_ids(missing)}")
    if len(extra):
        problems.append(f"{len(extra)} contact(s) not in the warehouse, e.g. {_ids(extra)}")

    common = want.index.intersection(got.index)
    for column in (*SCORE_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in got.columns)):
        left, right = got.loc[common, column], want.loc[common, column]
        both_null = left.isna() & right.isna()
        if column in SCORE_COLUMNS:
            close = np.isclose(pd.to_numeric(left).astype("float64"), pd.to_numeric(right).astype("float64"),
                               rtol=0, atol=SCORE_TOLERANCE)
            differs = ~(close | both_null)
        else:
            differs = ~((left.astype("object") == right.astype("object")) | both_null)
        if differs.any():
            ids = list(common[differs.to_numpy()])
            shown = "; ".join(f"{i}: baseline {_plain(got.at[i, column])!r}, "
                              f"warehouse {_plain(want.at[i, column])!r}" for i in sorted(ids)[:EXAMPLES])
            problems.append(f"{column} differs for {len(ids)} contact(s), e.g. {shown}")
    return problems
