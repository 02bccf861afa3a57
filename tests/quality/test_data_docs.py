"""The Data Docs site the gate builds opens without internet and says what the gate decided."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from lead_scoring.quality import run_quality_gate


class _Assets(HTMLParser):
    """Every URL a page loads by itself: script src, link href, img src."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = {"script": attrs.get("src"), "link": attrs.get("href"), "img": attrs.get("src")}.get(tag)
        if url:
            self.urls.append(url)


def _assets(page: Path) -> list[str]:
    parser = _Assets()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def _remote(urls: list[str]) -> list[str]:
    return [u for u in urls if u.lower().startswith(("http:", "https:", "//"))]


def test_the_site_loads_nothing_from_the_internet_and_names_warnings(warehouse, execute, state_dir):
    execute(warehouse, "update marts.fct_lead_scores set score_reasons = null where contact_id = 1001")

    result = run_quality_gate(warehouse, "2026-11-20", "scheduled__1", stage="all")

    assert result.passed and len(result.warnings) == 1, result.report()
    site = state_dir / "data_docs"
    index = result.data_docs_path
    assert index == site / "index.html"
    assert _remote(_assets(index)) == [] and "<script" not in index.read_text()
    pages = [p for p in site.rglob("*.html") if p.name != "gx_index.html"]
    assert len(pages) > 4
    assert {str(p.relative_to(site)): _remote(_assets(p)) for p in pages} == {
        str(p.relative_to(site)): [] for p in pages
    }
    assert _remote(_assets(site / "gx_index.html"))  # GX's own index, kept for readers online
    text = index.read_text()
    assert "Passed with 1 warning(s)" in text
    assert (
        "<td>marts_lead_scores</td><td><code>marts.fct_lead_scores</code></td><td>score_reasons</td>" in text
    )
    assert '<td class="failed">' not in text  # no validation result reads "failed"
    assert '>marts_lead_scores</a></td><td class="warned">passed with warnings</td>' in text
    # GX's page of the warning-only suite does not say "Failed" either
    [page] = site.glob("validations/marts_lead_scores/scheduled__1/*/*.html")
    assert "Passed with warnings" in page.read_text() and "Failed</" not in page.read_text()
    local = {(page.parent / url).resolve() for url in _assets(page)}
    assert {site / "static/styles/offline.css", site / "static/images/logo-long.png"} <= local
    assert (site / "static/styles/offline.css").is_file() and (site / "static/images/logo-long.png").is_file()


def test_a_failed_run_shows_failed_in_the_index(warehouse, execute, state_dir):
    execute(warehouse, "update raw.crm_contacts set hs_object_id = 'x' where email = 'lead1002@example.com'")

    result = run_quality_gate(warehouse, "2026-11-20", "scheduled__2", stage="all")

    assert not result.passed
    text = result.data_docs_path.read_text()
    assert "Failed: 1 critical, 0 warning(s)" in text
    assert '>raw_contacts</a></td><td class="failed">failed</td>' in text
    assert '>raw_web_events</a></td><td class="passed">passed</td>' in text
