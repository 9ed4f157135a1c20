"""The shared site hangs together (issue 10): every page is there, every link resolves.

Reads the session-rendered outputs (tests/conftest.py ``rendered_reports``: every default report
of the shipped corpus, then the source, indicator and index pages). A link checker walks every
page: each relative href must name a file that exists and, with a #fragment, an element id in
it, so every number's evidence link lands on its highlighted statement.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from qzanalysis import __version__, links
from qzanalysis.pipeline import analyse

pytestmark = pytest.mark.slow

_HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


@pytest.fixture(scope="module")
def site(rendered_reports):
    out = rendered_reports.out_dir
    pages = {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")
    }
    ids = {name: {html.unescape(i) for i in _ID.findall(text)} for name, text in pages.items()}
    return out, pages, ids


def test_every_page_of_the_site_is_rendered(site):
    out, pages, _ = site
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


def _resolve(page: str, href: str) -> tuple[str, str] | None:
    """(target page, fragment) of a relative link, or None for web, data: and mail links."""
    parts = urlsplit(html.unescape(href))
    if parts.scheme or href.startswith("//"):
        return None
    if not parts.path:  # "#fragment" on the same page
        return page, parts.fragment
    target = (Path(page).parent / unquote(parts.path)).as_posix()
    return target, parts.fragment


def _normal(path: str) -> str:
    out: list[str] = []
    for part in path.split("/"):
        if part == "..":
            out.pop()
        elif part not in ("", "."):
            out.append(part)
    return "/".join(out)


def test_every_link_and_every_evidence_anchor_resolves(site):
    out, pages, ids = site
    broken, evidence = [], 0
    for page, text in pages.items():
        for href in _HREF.findall(text):
            resolved = _resolve(page, href)
            if resolved is None:
                continue
            target, fragment = _normal(resolved[0]), resolved[1]
            if target.endswith("/") or target == "tables":  # the tables folder
                assert (out / target).is_dir(), f"{page}: {href}"
                continue
            if target not in pages and not (out / target).is_file():
                broken.append((page, href, "no such page"))
            elif fragment and not {fragment, unquote(fragment)} & ids.get(target, set()):
                # a browser matches the fragment as written, then percent-decoded
                broken.append((page, href, "no such anchor"))
            if target.startswith(links.SOURCES_DIR) and unquote(fragment).startswith("st-"):
                evidence += 1
    assert not broken, f"{len(broken)} broken link(s), e.g. {broken[:5]}"
    print(f"\n{len(pages)} pages, {evidence} evidence links to highlighted statements")
    assert evidence > 200


def test_every_page_has_viewport_header_contents_and_citation(site):
    _, pages, _ = site
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
    _, pages, _ = site
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
