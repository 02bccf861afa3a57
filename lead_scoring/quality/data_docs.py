"""Data Docs that open offline and say what the gate decided.

GX's own site loads Bootstrap, jQuery, bootstrap-table and Vega from CDNs (the installed package
ships none of them), and its index draws every table with that JavaScript: without internet the
index is blank. So the gate writes its own index (static HTML, styles inline, no script), keeps
GX's as `gx_index.html`, and removes the CDN tags from the GX pages it built, which then render
with a small local stylesheet. GX marks a validation "Failed" when any expectation failed, even one
of severity `warning`; `SeverityAwareValidationPageRenderer` (configured in
`expectations/great_expectations.yml`) and the index say "Passed with warnings" then.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from great_expectations.render.renderer.page_renderer import ValidationResultsPageRenderer

if TYPE_CHECKING:
    from lead_scoring.quality.gate import GateResult

INDEX = "index.html"
GX_INDEX = "gx_index.html"
STYLESHEET = "static/styles/offline.css"
VALIDATION_RESULTS_LIMIT = 200
PASSED, WARNED, FAILED = "passed", "passed with warnings", "failed"

# <script src="http..."></script> and <link href="http..."> (also protocol-relative //host/...).
_REMOTE_TAG = re.compile(
    r"<script\b[^>]*\bsrc=[\"'](?:https?:)?//[^>]*>\s*</script>|<link\b[^>]*\bhref=[\"'](?:https?:)?//[^>]*>",
    re.IGNORECASE,
)

# GX's logo, loaded from its S3 bucket; the package ships one in static/images.
_GX_LOGO = re.compile(r"https://great-expectations-web-assets\.[^\"')\s]*")

# Enough of Bootstrap's look for GX's pages, and text in place of Font Awesome's icons.
OFFLINE_CSS = """\
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
a { color: #0b5cad; }
table, .table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.alert { padding: .5rem .75rem; background: #f1f3f5; border-radius: 4px; }
.text-success { color: #1a7f37; } .text-danger { color: #c62828; } .text-warning { color: #9a6700; }
.fas::before { font-style: normal; }
.fa-check-circle::before { content: "\\2714 "; } .fa-times::before { content: "\\2716 "; }
.fa-exclamation-triangle::before { content: "\\26A0 "; }
.collapse:not(.show) { display: block; }
"""

# The index: self-contained (styles inline, no script, no remote asset).
_INDEX_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 78rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.8rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.verdict { padding: .6rem .9rem; border-radius: 6px; font-weight: 600; }
.passed { color: #1a7f37; } .verdict.passed { background: #e6f4ea; }
.warned { color: #9a6700; } .verdict.warned { background: #fff4d6; }
.failed { color: #c62828; } .verdict.failed { background: #fdecea; }
code { font-size: .85rem; } .muted { color: #666; font-size: .85rem; }
"""


def _is_warning_only(validation_result) -> bool:
    failed = [r for r in validation_result.results if not r.success]
    return bool(failed) and all(_severity(r.expectation_config) == "warning" for r in failed)


def _severity(config) -> str:
    severity = getattr(config, "severity", None)
    if isinstance(config, dict):
        severity = config.get("severity")
    return str(getattr(severity, "value", severity) or "critical")


class SeverityAwareValidationPageRenderer(ValidationResultsPageRenderer):
    """GX's validation page, whose status reads "Passed with warnings" when every failed
    expectation is a warning (GX itself says "Failed" whatever the severity)."""

    @classmethod
    def _render_validation_header(cls, validation_results):
        header = super()._render_validation_header(validation_results)
        if not validation_results.success and _is_warning_only(validation_results):
            params = header.subheader.string_template["params"]
            params["success"] = "Passed with warnings"
            params["html_success_icon"] = (
                '<i class="fas fa-exclamation-triangle text-warning" aria-hidden="true"></i>'
            )
        return header


@dataclass(frozen=True)
class ValidationEntry:
    suite: str
    run_name: str
    run_time: str
    status: str  # PASSED | WARNED | FAILED
    evaluated: int
    critical: int
    warnings: int
    page: str | None  # relative to the site, when GX rendered it


def validation_entries(validations_dir: Path, site_dir: Path, limit: int = VALIDATION_RESULTS_LIMIT):
    """The newest validation results of the store (<suite>/<run name>/<run time>/<batch>.json)."""
    files = sorted(validations_dir.glob("*/*/*/*.json"), key=lambda p: p.parent.name, reverse=True)
    entries = []
    for path in files[:limit]:
        data = json.loads(path.read_text())
        failed = [r for r in data.get("results", []) if not r.get("success")]
        critical = sum(_severity(r.get("expectation_config") or {}) != "warning" for r in failed)
        page = path.relative_to(validations_dir).with_suffix(".html")
        status = PASSED if data.get("success") else (FAILED if critical else WARNED)
        entries.append(
            ValidationEntry(
                suite=path.parts[-4],
                run_name=path.parts[-3],
                run_time=path.parts[-2],
                status=status,
                evaluated=int((data.get("statistics") or {}).get("evaluated_expectations") or 0),
                critical=critical,
                warnings=len(failed) - critical,
                page=f"validations/{page.as_posix()}"
                if (site_dir / "validations" / page).is_file()
                else None,
            )
        )
    return entries


def make_offline(site_dir: Path, pages: list[Path]) -> None:
    """Drop the CDN tags from GX pages, link the local stylesheet instead, use the local logo."""
    stylesheet = site_dir / STYLESHEET
    stylesheet.parent.mkdir(parents=True, exist_ok=True)
    stylesheet.write_text(OFFLINE_CSS)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        href = Path(os.path.relpath(stylesheet, page.parent)).as_posix()
        offline = _REMOTE_TAG.sub("", text)
        logo = Path(os.path.relpath(site_dir / "static/images/logo-long.png", page.parent)).as_posix()
        offline = _GX_LOGO.sub(logo, offline)
        if f'href="{href}"' not in offline:
            offline = offline.replace("</head>", f'<link rel="stylesheet" href="{href}">\n</head>', 1)
        if offline != text:
            page.write_text(offline, encoding="utf-8")


def build_site(site_dir: Path, validations_dir: Path, gate: GateResult, since: float) -> Path:
    """After GX built its pages: keep GX's index aside, write ours, make this run's pages offline.

    `since` is the time (epoch seconds) the gate started building; pages written since then are
    this run's. Returns the index path.
    """
    index = site_dir / INDEX
    if index.is_file():
        index.replace(site_dir / GX_INDEX)
    built = [
        p for p in site_dir.rglob("*.html") if p.stat().st_mtime >= since and p.name not in (INDEX, GX_INDEX)
    ]
    make_offline(site_dir, built)
    index.write_text(
        render_index(gate, validation_entries(validations_dir, site_dir), site_dir), encoding="utf-8"
    )
    return index


def _verdict(gate: GateResult) -> tuple[str, str]:
    if not gate.passed:
        return "failed", f"Failed: {len(gate.critical_failures)} critical, {len(gate.warnings)} warning(s)"
    if gate.warnings:
        return "warned", f"Passed with {len(gate.warnings)} warning(s)"
    return "passed", "Passed"


_CLASS = {PASSED: "passed", WARNED: "warned", FAILED: "failed"}


def _time(run_time: str) -> str:
    """GX's folder name of a run time (20261205T073017.501719Z) as 2026-12-05 07:30:17 UTC."""
    match = re.fullmatch(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\.\d+)?Z", run_time)
    return "{}-{}-{} {}:{}:{} UTC".format(*match.groups()[:6]) if match else run_time


def render_index(gate: GateResult, entries: list[ValidationEntry], site_dir: Path) -> str:
    """The site's index: this run's verdict and findings, freshness, figures, recent results."""
    e = html.escape
    css_class, verdict = _verdict(gate)
    rows = []
    for f in gate.critical_failures + gate.warnings:
        args = ", ".join(f"{k}={v!r}" for k, v in f.kwargs.items())
        sample = e(repr(f.sample)) if f.sample else ""
        rows.append(
            f'<tr><td class="{"failed" if f.severity == "critical" else "warned"}">{e(f.severity)}</td>'
            f"<td>{e(f.suite)}</td><td><code>{e(f.table)}</code></td><td>{e(f.column or '')}</td>"
            f"<td><code>{e(f.expectation)}({e(args)})</code></td><td>{e(f.observed)}</td><td>{sample}</td></tr>"
        )
    findings = (
        "<table><tr><th>severity</th><th>check</th><th>table</th><th>column</th><th>expectation</th>"
        "<th>observed</th><th>unexpected values</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p>No failed check.</p>"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Quality gate: {e(verdict)}</title><style>{_INDEX_CSS}</style></head><body>",
        "<h1>Lead scoring quality gate</h1>",
        f'<p class="verdict {css_class}">{e(verdict)}</p>',
        f"<p>Stage <code>{e(gate.stage)}</code>, score date <code>{e(gate.score_date)}</code>,"
        f" run <code>{e(gate.run_id)}</code>.</p>",
        "<h2>Findings of this run</h2>",
        findings,
    ]
    if gate.source_freshness:
        parts += ["<h2>Source freshness (dbt source freshness, as of the end of the score date)</h2>"]
        parts += [
            "<table><tr><th>source</th><th>table</th><th>status</th><th>newest load</th><th>age</th>"
            "<th>warn after</th><th>error after</th></tr>"
        ]
        for s in gate.source_freshness:
            status = s.get("status", "")
            cls = {"pass": "passed", "warn": "warned"}.get(status, "failed")
            age = f"{s['age_hours']:.0f} h" if s.get("age_hours") is not None else ""
            parts.append(
                f"<tr><td>{e(s.get('source', ''))}</td><td><code>{e(s.get('table') or '')}</code></td>"
                f'<td class="{cls}">{e(status)}</td><td>{e(str(s.get("max_loaded_at") or ""))}</td>'
                f"<td>{e(age)}</td><td>{e(s.get('warn_after') or '')}</td>"
                f"<td>{e(s.get('error_after') or '')}</td></tr>"
            )
        parts.append("</table>")
    if gate.metrics:
        baseline = f"compared with score date {gate.baseline}" if gate.baseline else "first run: no baseline"
        parts += [
            f"<h2>Run-over-run figures ({e(baseline)})</h2><table><tr><th>figure</th><th>value</th></tr>"
        ]
        parts += [f"<tr><td>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in gate.metrics.items()]
        parts.append("</table>")
    parts += [
        f"<h2>Validation results (newest {len(entries)})</h2>",
        "<table><tr><th>run time</th><th>run</th><th>suite</th><th>status</th><th>expectations</th>"
        "<th>critical failed</th><th>warnings</th></tr>",
    ]
    for v in entries:
        suite = f'<a href="{e(v.page)}">{e(v.suite)}</a>' if v.page else e(v.suite)
        parts.append(
            f"<tr><td>{e(_time(v.run_time))}</td><td>{e(v.run_name)}</td><td>{suite}</td>"
            f'<td class="{_CLASS[v.status]}">{e(v.status)}</td><td>{v.evaluated}</td>'
            f"<td>{v.critical}</td><td>{v.warnings}</td></tr>"
        )
    parts.append("</table>")
    suites = sorted(p.stem for p in (site_dir / "expectations").glob("*.html"))
    if suites:
        links = ", ".join(f'<a href="expectations/{e(s)}.html">{e(s)}</a>' for s in suites)
        parts.append(f"<h2>Expectation suites</h2><p>{links}</p>")
    parts.append(
        f'<p class="muted">Written by the quality gate (docs/quality.md). Great Expectations\' own index,'
        f' which needs internet for its styles and scripts: <a href="{GX_INDEX}">{GX_INDEX}</a>.</p>'
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)
