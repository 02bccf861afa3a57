"""The evaluation as one self-contained HTML file: plots as inline PNG, no script, no CDN, so it
opens offline and can be attached to a pull request or an email."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from . import metrics
from .evaluation import Evaluation

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.note { color: #555; } .warn { color: #a33; font-weight: 600; }
.figures { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.figures img { width: 100%; border: 1px solid #eee; }
table { border-collapse: collapse; margin: .5em 0; font-size: .9em; display: block;
        overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; }
th { background: #f5f5f5; } td.text, th.text { text-align: left; }
.kpi { display: inline-block; margin-right: 2.5em; } .kpi b { font-size: 1.6em; display: block; }
"""


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figures(ev: Evaluation) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = ev.labelled.frame
    scores, converted = frame["lead_score"].to_numpy(), frame["converted"].to_numpy(dtype=bool)
    out = {}

    fig, ax = plt.subplots(figsize=(5, 4.2))
    fpr, tpr = metrics.roc_curve(scores, converted)
    ax.plot(fpr, tpr, color="#1f6feb", lw=2, label=f"lead_score (AUC {ev.auc.value:.3f})")
    ax.plot([0, 1], [0, 1], color="#999", ls="--", lw=1, label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    ax.legend(loc="lower right")
    out["roc"] = _png(fig)

    fig, ax = plt.subplots(figsize=(5, 4.2))
    shares, captured = metrics.gains_curve(scores, converted)
    ax.plot(shares * 100, captured * 100, color="#1f6feb", lw=2, label="lead_score")
    ax.plot([0, 100], [0, 100], color="#999", ls="--", lw=1, label="random order")
    for top, value in ev.gains.items():
        ax.annotate(
            f"{value:.0%}", (top * 100, value * 100), textcoords="offset points", xytext=(4, -12), fontsize=8
        )
        ax.plot([top * 100], [value * 100], "o", color="#1f6feb", ms=4)
    ax.set(xlabel="top % of contacts by score", ylabel="% of conversions captured", title="Gains")
    ax.legend(loc="lower right")
    out["gains"] = _png(fig)

    fig, ax = plt.subplots(figsize=(5, 4.2))
    tiers = ev.tiers
    colours = {"hot": "#d73a49", "warm": "#f39c12", "cold": "#5b8def", "disqualified": "#999"}
    positions = np.arange(len(tiers))
    rates = tiers["conversion_rate"].to_numpy() * 100
    errors = np.clip(
        np.vstack([rates - tiers["rate_low"].to_numpy() * 100, tiers["rate_high"].to_numpy() * 100 - rates]),
        0,
        None,
    )
    ax.bar(positions, rates, yerr=errors, capsize=4, color=[colours.get(t, "#777") for t in tiers["segment"]])
    ax.set_xticks(
        positions,
        [f"{t}\n{n:,}" for t, n in zip(tiers["segment"], tiers["contacts"], strict=True)],
        fontsize=8,
    )
    ax.set(xlabel="tier (contacts)", ylabel="conversion rate (%)", title="Conversion by tier (95% interval)")
    out["tiers"] = _png(fig)

    fig, ax = plt.subplots(figsize=(5, 4.2))
    bins = np.arange(0, 101, 5)  # the last bin, 95-100, holds 100
    for mask, colour, label in ((~converted, "#999", "did not convert"), (converted, "#1f6feb", "converted")):
        group = scores[mask]
        ax.hist(
            group,
            bins=bins,
            weights=np.full(len(group), 1 / max(len(group), 1)),
            alpha=0.55,
            color=colour,
            label=f"{label} ({len(group):,})",
        )
    ax.set(xlabel="lead_score", ylabel="share of the group", title="Score distribution by outcome")
    ax.legend()
    out["distribution"] = _png(fig)
    return out


def _table(frame: pd.DataFrame, formats: dict[str, str], text_columns=("segment",)) -> str:
    head = "".join(
        f'<th class="{"text" if c in text_columns else ""}">{html.escape(c)}</th>' for c in formats
    )
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, fmt in formats.items():
            value = getattr(row, column)
            if isinstance(value, float) and np.isnan(value):
                text = ""
            else:
                text = fmt.format(value) if fmt else str(value)
            cls = "text" if column in text_columns else ""
            cells.append(f'<td class="{cls}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


_SEGMENT_FORMATS = {
    "segment": "",
    "contacts": "{:,}",
    "share": "{:.1%}",
    "conversions": "{:,}",
    "conversion_rate": "{:.1%}",
    "rate_low": "{:.1%}",
    "rate_high": "{:.1%}",
}
_RULE_FORMATS = {
    "rule_id": "",
    "category": "",
    "points": "{:g}",
    "contacts_fired": "{:,}",
    "rate_fired": "{:.1%}",
    "lift": "{:.2f}",
    "lift_low": "{:.2f}",
    "lift_high": "{:.2f}",
    "adjusted_odds_ratio": "{:.2f}",
    "aor_low": "{:.2f}",
    "aor_high": "{:.2f}",
    "flag": "",
}


def render(ev: Evaluation) -> str:
    figures = _figures(ev)
    lab = ev.labelled
    rules = ev.rules.copy()
    rules["flag"] = np.where(
        rules["never_fires"], "never fires", np.where(rules["sign_disagrees"], "sign disagrees with lift", "")
    )
    flagged = rules.loc[rules["flag"] != ""]
    gains = " · ".join(f"top {int(t * 100)}%: {v:.0%}" for t, v in ev.gains.items())
    warnings = "".join(f'<p class="warn">{html.escape(w)}</p>' for w in ev.warnings)
    images = "".join(
        f'<img alt="{name}" src="data:image/png;base64,{data}">' for name, data in figures.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lead scoring evaluation</title>
<style>{_STYLE}</style></head><body>
<h1>Lead scoring evaluation</h1>
<p class="note">{html.escape(lab.label)}. Model version {html.escape(lab.model_version)}.
Written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>
{warnings}
<div>
<span class="kpi"><b>{ev.auc.value:.3f}</b>ROC AUC [{ev.auc.low:.3f}, {ev.auc.high:.3f}]</span>
<span class="kpi"><b>{ev.contacts:,}</b>contacts</span>
<span class="kpi"><b>{ev.conversions:,}</b>conversions ({ev.conversions / max(ev.contacts, 1):.1%})</span>
</div>
<p>Conversions captured by the best-scored contacts: {gains}.</p>
<div class="figures">{images}</div>
<h2>Conversion by tier</h2>{_table(ev.tiers, _SEGMENT_FORMATS)}
<h2>Conversion by grade (fit letter x engagement number)</h2>{_table(ev.grades, _SEGMENT_FORMATS)}
<h2>Calibration: conversion by score band</h2>{_table(ev.bands, _SEGMENT_FORMATS)}
<h2>Rules to look at</h2>
<p class="note">Rules that never fire, and rules whose points point the other way from their lift
(positive points with a lift interval below 1, or negative points above 1).</p>
{_table(flagged, _RULE_FORMATS, ("rule_id", "category", "flag")) if len(flagged) else "<p>None.</p>"}
<h2>Every rule</h2>
<p class="note">On today's contacts (in sample). Lift: conversion rate when the rule fired over
the rate when it did not, 95% interval. Adjusted odds ratio: the rule's effect given all the other
fit and engagement rules (logistic regression, junk leads left out); near 1 means the rule adds
nothing the others do not already say.</p>
{_table(rules, _RULE_FORMATS, ("rule_id", "category", "flag"))}
</body></html>
"""


def write(ev: Evaluation, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(ev), encoding="utf-8")
    return path
