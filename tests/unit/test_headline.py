"""Findings first (issue 10): the headline table, what cannot be judged, and the links from
every number to its evidence.

Known answers from the shipped documents, by hand:
- wr2020 (2020年衢州市人民政府工作报告) sets "地区生产总值增长7%左右": growth ≈7%, tolerance ±0.2 pp;
  data/reference row ref-008 gives 2020 growth 3.5% (medium): 3.5 − 7 = −3.5 pp → missed.
- ref-003 sets GDP per capita above 60,000元 for 2020; ref-014 gives 68,974元 (= 10,000美元 at
  6.8974): +8,974元 → met.
Those are the only two judged targets of 2020; the other 74 of its 76 have no outcome.
"""

from __future__ import annotations

import html
from urllib.parse import unquote

import pandas as pd
import pytest

from qzanalysis import links, schema
from qzanalysis.notebook import Link, evidence_link, headline_view, styled
from qzanalysis.pipeline import analyse
from qzanalysis.report.sources import anchors, source_body


@pytest.fixture(scope="module")
def a():
    return analyse()


@pytest.fixture(scope="module")
def source_anchors(a):
    return {d.doc_id: anchors(source_body(d, a.statements)) for d in a.corpus}


def test_the_2020_headline_is_the_two_judged_targets(a):
    h = a.headline(year=2020)
    assert list(h.columns) == schema.columns("headline")
    assert list(h["comparison"]) == ["verdict", "verdict"]
    gdp = h[h["indicator_id"] == "gdp"].iloc[0]
    assert gdp["target"] == "growth ≈7% (±0.2pp)" and gdp["call"] == "missed"
    assert gdp["target_doc_id"] == "wr2020" and gdp["set_by"].startswith(
        "2020年衢州市人民政府工作报告"
    )
    assert gdp["outcome_statement_id"] == "ref-008" and gdp["outcome_url"].startswith("http")
    assert gdp["gap"] == "-3.5 pp (worse than planned)"
    per_capita = h[h["indicator_id"] == "gdp_per_capita"].iloc[0]
    assert per_capita["call"] == "met" and per_capita["set_by"] == "reference ref-003"
    assert per_capita["gap"].startswith("+8,974元")


def test_what_cannot_be_judged_is_counted_by_reason(a):
    counts, rows = a.unjudged(year=2020)
    assert counts["n"].sum() == len(rows) == 74
    assert set(rows["status"]) == {"no_outcome"}
    assert counts["n"].is_monotonic_decreasing
    # every row is a target of 2020 that the comparisons did not judge
    year = a.year_targets(2020)
    assert len(rows) == (~year["status"].isin(schema.JUDGED)).sum()


def test_tracked_goals_are_one_row_each_with_one_growth_format(a):
    h = a.headline()
    tracked = h[h["comparison"] == "tracking"]
    same = tracked[["indicator_id", "target", "year"]].duplicated()
    assert not same.any(), tracked
    # growth rates are written in % per year, never as fractions
    assert (
        tracked["gap"].str.contains("%/yr") | tracked["gap"].str.startswith("goal already")
    ).all()
    # 新材料产业链产值: 1,061亿元 in 2025 against ≥1,000亿元 by 2026 (wr2026_highlights): reached
    reached = tracked[tracked["indicator_id"] == "new_materials_output"]
    assert len(reached) and set(reached["gap"]) == {"goal already reached"}
    assert not tracked["gap"].str.contains(r"\b0\.\d{3,}\b").any()


def _anchor_of(href: str) -> tuple[str, str]:
    path, _, fragment = href.partition("#")
    return path.rsplit("/", 1)[-1].removesuffix(".html"), unquote(fragment)


def test_every_evidence_link_of_every_report_exists_in_its_source_page(a, source_anchors):
    """Every link a headline or a not-judged list makes to a sentence names an anchor that the
    source page of that document has (years, plans, everything)."""
    frames = [a.headline(), *(a.headline(year=y) for y in range(2019, 2027))]
    frames += [a.headline(plan=p) for p in a.plans()]
    checked = 0
    for frame in frames:
        for cell in headline_view(frame, page=links.report_page("year_2020")).to_numpy().ravel():
            for link in cell if isinstance(cell, tuple) else ():
                if link.href and "sources/" in link.href:
                    doc, anchor = _anchor_of(link.href)
                    assert anchor in source_anchors[doc], link
                    checked += 1
    _, rows = a.unjudged()
    for doc, sid in zip(rows["target_doc_id"], rows["target_statement_id"], strict=True):
        if isinstance(doc, str):
            assert links.anchor_id(sid) in source_anchors[doc]
            checked += 1
    assert checked > 100


def test_links_are_relative_to_the_page_and_escaped():
    link = evidence_link("7%", "wr2020", "wr2020:abc", page=links.report_page("year_2020"))
    assert link.href == "sources/wr2020.html#st-wr2020:abc"
    from_index = evidence_link("7%", "wr2020", "wr2020:abc", page=links.INDEX)
    assert from_index.href == "html/sources/wr2020.html#st-wr2020:abc"
    # a reference figure links to its web page, never to javascript:
    assert (
        evidence_link("x", None, "ref-1", "https://example.org/a").href == "https://example.org/a"
    )
    assert evidence_link("x", None, "ref-1", "javascript:alert(1)").href is None
    frame = pd.DataFrame({"cell": [(Link('<b>"x"</b>', 'a.html#"><script>'),)]})
    out = styled(frame).to_html()
    assert "<b>" not in out and "<script>" not in out
    assert html.escape('<b>"x"</b>') in out


def test_analysis_prints_a_short_summary(a):
    text = repr(a)
    assert len(text) < 600 and str(a) == text
    assert "5 documents" in text and "met 1" in text and "missed 1" in text
