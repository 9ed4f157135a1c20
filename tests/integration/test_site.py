"""The shared site hangs together (issue 10): every page is there, every link resolves.

Reads the session-rendered outputs (tests/conftest.py ``rendered_reports``: every default report
of the shipped corpus, then the source, indicator and index pages). A link checker walks every
page: each relative href must name a file that exists and, with a #fragment, an element id in
it, so every number's evidence link lands on its highlighted statement.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from qzanalysis import __version__, links
from qzanalysis.pipeline import analyse
from site_links import broken_links, read_pages, relative_links

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(rendered_reports):
    out = rendered_reports.out_dir
    return out, read_pages(out)


def test_every_page_of_the_site_is_rendered(site):
    out, pages = site
    a = analyse()
    from qzanalysis.compare.history import indicators_with_targets

    expected = {links.INDEX, *(links.report_page(n) for n in ("overview", "plan_2022-2026",
                "plan_2026-2030", *(f"year_{y}" for y in range(2019, 2027)), "cities"))}  # fmt: skip
    expected |= {links.source_page(d.doc_id) for d in a.corpus}
    expected |= {links.indicator_page(i) for i in indicators_with_targets(a.comparisons)}
    missing = expected - set(pages)
    assert not missing, f"pages not rendered: {sorted(missing)[:10]}"
    # 12 reports (today's names and paths, and html/cities.html) + index + 5 source pages + one
    # per indicator with a target (html/indicators/<id>.html)
    assert len(expected) == 18 + len(indicators_with_targets(a.comparisons))
    assert links.report_page("cities") == "html/cities.html"


def test_every_link_and_every_evidence_anchor_resolves(site):
    out, pages = site
    broken = broken_links(pages, out)
    assert not broken, f"{len(broken)} broken link(s), e.g. {broken[:5]}"
    evidence = sum(
        1
        for _, _, target, fragment in relative_links(pages)
        if target.startswith(links.SOURCES_DIR) and unquote(fragment).startswith("st-")
    )
    print(f"\n{len(pages)} pages, {evidence} evidence links to highlighted statements")
    assert evidence > 200


def test_every_page_has_viewport_header_contents_and_citation(site):
    _, pages = site
    for name, text in pages.items():
        assert re.search(r'<meta [^>]*name="viewport"', text), name
        assert 'class="qz-nav"' in text, name
        assert 'id="cite"' in text and f"qzanalysis {__version__}" in text, name
    # reports have a table of contents; the citation names every document's hash
    a = analyse()
    year = pages[links.report_page("year_2020")]
    assert 'class="qz-toc"' in year
    cite = year[year.index('id="cite"') :]
    assert all(d.sha256[:12] in cite[:4000] for d in a.corpus)


def test_reports_open_with_their_findings_and_fold_the_rest(site):
    _, pages = site
    year = pages[links.report_page("year_2020")]
    findings, details = year.index("Findings"), year.index('class="qz-collapsed"')
    assert findings < year.index("What the corpus covers for this year")
    assert findings < details
    # the 74 targets of 2020 without a verdict are one closed section, counted by reason
    summary = re.search(r'class="qz-collapsed"><summary>([^<]*)</summary>', year).group(1)
    assert summary.startswith("74 target(s) cannot be judged:"), summary
    # code is there but folded
    assert '<details class="qz-code"><summary>code</summary>' in year
    # a CSV download of the headline table
    assert 'download="findings_2020.csv"' in year
