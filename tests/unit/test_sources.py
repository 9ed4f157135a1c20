"""Source pages (qzanalysis.report.sources): every statement highlighted where its evidence is.

The pages are read back with :class:`html.parser.HTMLParser` (which unescapes text and
attributes as a browser does), so the checks are on what a reader's browser would build: one
element per anchor, a highlight's text equal to the document's slice, the text unchanged. The
shipped corpus is analysed once for the module (about two seconds); the rest are synthetic
documents whose expected markup was worked out by hand from the offsets written beside them.
"""

from __future__ import annotations

import html as html_lib
import random
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from qzanalysis import links
from qzanalysis.corpus import Document
from qzanalysis.report.sources import (
    CROSSING,
    MARKED,
    SKIPPED,
    SOURCE_CSS,
    anchors,
    highlighted_text,
    source_body,
    statement_spans,
)

_VOID = {"br", "img", "wbr", "hr", "input", "meta", "link"}


class _Page(HTMLParser):
    """What a browser would build, reduced to what the tests need: for every id its element
    count, tag, attributes and text; the text of ``.qz-text`` outside notes; every tag."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.count: Counter[str] = Counter()
        self.element: dict[str, tuple[str, dict]] = {}
        self.text_of: dict[str, list[str]] = {}
        self.visible: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in _VOID:
            return
        self.stack.append((tag, attributes))
        if "id" in attributes:
            self.count[attributes["id"]] += 1
            self.element[attributes["id"]] = (tag, attributes)
            self.text_of.setdefault(attributes["id"], [])

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def _inside(self, cls: str) -> bool:
        return any(cls in a.get("class", "").split() for _, a in self.stack)

    def handle_data(self, data):
        for _, attributes in self.stack:
            if "id" in attributes:
                self.text_of[attributes["id"]].append(data)
        if self._inside("qz-text") and not self._inside("qz-note"):
            self.visible.append(data)

    def text(self, element_id: str) -> str:
        return "".join(self.text_of[element_id])

    @property
    def visible_text(self) -> str:
        return "".join(self.visible)


def _doc(text: str, **meta) -> Document:
    fields = {
        "doc_id": "syn",
        "file": Path("syn.txt"),
        "title": "合成文件",
        "doc_type": "other",
        "issuer": "测试",
        "published": "2024-01-01",
        "city": "衢州",
        "text": text,
        "encoding": "utf-8",
        "sha256": "0" * 64,
    }
    return Document(**{**fields, **meta})


def _rows(doc: Document, *spans: tuple, **extra) -> pd.DataFrame:
    """Statements of ``doc`` from (statement_id, kind, start, end[, evidence]) tuples; the
    evidence defaults to the text slice, every other column is missing."""
    rows = []
    for sid, kind, start, end, *evidence in spans:
        ev = evidence[0] if evidence else doc.text[start:end]
        rows.append(
            {"statement_id": sid, "doc_id": doc.doc_id, "kind": kind, "char_start": start,
             "char_end": end, "evidence": ev, **extra}
        )  # fmt: skip
    frame = pd.DataFrame(rows)
    return frame.astype({"char_start": "Int64", "char_end": "Int64"}) if rows else frame


def _check_page(doc: Document, statements: pd.DataFrame) -> _Page:
    """The invariants every page keeps, for any statements: returns the parsed page."""
    page = _Page(source_body(doc, statements))
    assert page.visible_text == doc.text
    for span in statement_spans(doc, statements):
        if span.placement == SKIPPED:
            continue
        assert page.count[span.anchor] == 1, span
        tag, attributes = page.element[span.anchor]
        assert tag == "mark"
        assert (attributes["data-start"], attributes["data-end"]) == (
            str(span.start),
            str(span.end),
        )
        assert page.text(span.anchor) == doc.text[span.start : span.end]
    return page


# --------------------------------------------------------------------------------------------
# The shipped corpus
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysis():
    from qzanalysis.pipeline import analyse

    return analyse()


@pytest.fixture(scope="module")
def pages(analysis):
    return {d.doc_id: source_body(d, analysis.statements) for d in analysis.corpus}


def test_every_shipped_statement_has_one_anchor_whose_text_is_its_span(analysis, pages):
    statements = analysis.statements
    assert set(statements["doc_id"]) <= set(pages)
    for doc in analysis.corpus:
        page = _Page(pages[doc.doc_id])
        mine = statements[statements["doc_id"] == doc.doc_id]
        assert len(mine) > 0
        for row in mine.itertuples():
            anchor = links.anchor_id(row.statement_id)
            assert page.count[anchor] == 1, anchor
            assert page.element[anchor][0] == "mark"
            assert page.text(anchor) == doc.text[row.char_start : row.char_end] == row.evidence


def test_shipped_page_text_is_the_document_text(analysis, pages):
    for doc in analysis.corpus:
        assert _Page(pages[doc.doc_id]).visible_text == doc.text, doc.doc_id


def test_shipped_spans_nest_and_none_is_skipped(analysis):
    """The placement agrees with a brute-force look at every pair of spans of a document: the
    corpus has nested spans (identical ones among them) and none that cross, so every statement
    is a highlight in the text."""
    nested = crossing = 0
    for doc in analysis.corpus:
        rows = analysis.statements[analysis.statements["doc_id"] == doc.doc_id]
        pairs = list(zip(rows["char_start"], rows["char_end"], strict=True))
        for k, (a0, a1) in enumerate(pairs):
            for b0, b1 in pairs[k + 1 :]:
                nested += (a0 <= b0 and b1 <= a1) or (b0 <= a0 and a1 <= b1)
                crossing += a0 < b0 < a1 < b1 or b0 < a0 < b1 < a1
        placements = {s.placement for s in statement_spans(doc, analysis.statements)}
        assert placements == {MARKED}, doc.doc_id
    assert nested > 0 and crossing == 0


def test_shipped_evidence_links_land_on_anchors(analysis, pages):
    """links.evidence_href from a report page resolves to an id of the source page it names."""
    report = links.report_page("year_2020")
    ids = {doc_id: anchors(body) for doc_id, body in pages.items()}
    for row in analysis.statements.itertuples():
        target = links.evidence_href(report, row.doc_id, row.statement_id)
        path, _, fragment = target.partition("#")
        assert path == f"sources/{row.doc_id}.html"
        assert unquote(fragment) in ids[row.doc_id]


def test_shipped_heading_and_statement_list(analysis, pages):
    doc = analysis.corpus["wr2022_excerpt"]
    page = _Page(pages[doc.doc_id])
    body = pages[doc.doc_id]
    for value in (doc.title, doc.published, doc.doc_id, doc.issuer, doc.sha256):
        assert html_lib.escape(value, quote=True) in body
    # 'http' is not in its source text: shown as text, never as a link
    assert not [a for t, a in page.tags if t == "a" and not a["href"].startswith("#")]
    rows = analysis.statements[analysis.statements["doc_id"] == doc.doc_id]
    links_in_list = [a["href"] for t, a in page.tags if t == "a"]
    ordered = rows.sort_values(["char_start", "char_end", "statement_id"])
    # the list is in text order (no two spans of this document share a start)
    assert links_in_list == ["#" + links.anchor_id(s) for s in ordered["statement_id"]]


# --------------------------------------------------------------------------------------------
# Synthetic documents: nesting, crossing, bad rows (expected markup worked out by hand)
# --------------------------------------------------------------------------------------------


def _mark(sid, kind, start, end, extra=""):
    return (
        f'<mark id="st-{sid}" class="qz-st qz-{kind}{extra}" data-start="{start}" '
        f'data-end="{end}" title="{kind}">'
    )


_NOTE = '<span class="qz-note" role="note">交叉的陈述 overlapping statement (crosses a highlight above): '


def test_nested_and_crossing_known_answer():
    """一0 二1 三2 四3 五4 \\n5 六6 七7. a=[0,3) holds b=[1,2); c=[2,5) starts inside a and ends
    after it, so it crosses and goes to a note at the first line start after 5, i.e. 6 (just
    after the '\\n' at 5); d=[6,8) opens after that note (notes come before opens)."""
    doc = _doc("一二三四五\n六七")
    rows = _rows(
        doc, ("a", "target", 0, 3), ("b", "outcome", 1, 2), ("c", "expected", 2, 5),
        ("d", "target", 6, 8),
    )  # fmt: skip
    expected = (
        '<div class="qz-text">'
        f"{_mark('a', 'target', 0, 3)}一{_mark('b', 'outcome', 1, 2)}二</mark>三</mark>四五\n"
        f"{_NOTE}{_mark('c', 'expected', 2, 5, ' qz-crossing')}三四五</mark></span>"
        f"{_mark('d', 'target', 6, 8)}六七</mark></div>"
    )
    assert highlighted_text(doc, rows) == expected
    placements = {s.statement_id: s.placement for s in statement_spans(doc, rows)}
    assert placements == {"a": MARKED, "b": MARKED, "c": CROSSING, "d": MARKED}
    _check_page(doc, rows)


def test_crossing_note_skips_a_line_break_inside_a_highlight():
    """a0 b1 \\n2 c3 d4 \\n5 e6 f7. x=[0,2) is marked; y=[1,4) crosses it; z=[2,5) starts where x
    ends, so it is marked. y's first line start is 3, but z straddles it (2 < 3 < 5): the note
    goes to the next line start, 6, so no highlight's text contains the note."""
    doc = _doc("ab\ncd\nef")
    rows = _rows(doc, ("x", "target", 0, 2), ("y", "outcome", 1, 4), ("z", "target", 2, 5))
    expected = (
        f'<div class="qz-text">{_mark("x", "target", 0, 2)}ab</mark>'
        f"{_mark('z', 'target', 2, 5)}\ncd</mark>\n"
        f"{_NOTE}{_mark('y', 'outcome', 1, 4, ' qz-crossing')}b\nc</mark></span>ef</div>"
    )
    assert highlighted_text(doc, rows) == expected
    _check_page(doc, rows)


def test_crossing_on_the_last_line_goes_to_the_end():
    """No line break after the crossing span: the note closes the text (position len = 4)."""
    doc = _doc("甲乙丙丁")
    rows = _rows(doc, ("p", "target", 0, 2), ("q", "target", 1, 3))
    html = highlighted_text(doc, rows)
    assert html.endswith(
        f"丙丁{_NOTE}{_mark('q', 'target', 1, 3, ' qz-crossing')}乙丙</mark></span></div>"
    )
    page = _check_page(doc, rows)
    assert page.element["st-q"][1]["class"].split()[-1] == "qz-crossing"


def test_identical_spans_nest_in_statement_id_order_and_empty_spans_render():
    """Two statements on [0,2) nest, s1 outside s2 (statement_id order); [2,2) is an empty
    highlight between 'ab' and 'c' (it closes nothing that is open)."""
    doc = _doc("abc")
    rows = _rows(doc, ("s2", "outcome", 0, 2), ("s1", "target", 0, 2), ("e", "target", 2, 2))
    expected = (
        f'<div class="qz-text">{_mark("s1", "target", 0, 2)}{_mark("s2", "outcome", 0, 2)}'
        f"ab</mark></mark>{_mark('e', 'target', 2, 2)}</mark>c</div>"
    )
    assert highlighted_text(doc, rows) == expected
    _check_page(doc, rows)


def test_bad_rows_are_listed_not_highlighted():
    """Outside the text, evidence that is not the slice, a repeated id and missing offsets:
    none is highlighted, the text is untouched, and each row of the list says why."""
    doc = _doc("一二三")
    rows = _rows(
        doc, ("ok", "target", 0, 1), ("far", "target", 2, 9, "三"), ("neg", "target", -1, 1, "一"),
        ("wrong", "outcome", 1, 2, "四"), ("ok", "outcome", 1, 3),
    )  # fmt: skip
    rows = pd.concat([rows, _rows(doc, ("none", "target", 0, 0)).assign(char_start=pd.NA)])
    spans = {(s.statement_id, s.start): s for s in statement_spans(doc, rows)}
    assert [s.placement for s in spans.values()].count(MARKED) == 1
    assert "outside the text" in spans[("far", 2)].reason
    assert "outside the text" in spans[("neg", -1)].reason
    assert "evidence" in spans[("wrong", 1)].reason
    assert "repeats" in spans[("ok", 1)].reason
    assert "offsets" in spans[("none", None)].reason
    assert (
        highlighted_text(doc, rows)
        == f'<div class="qz-text">{_mark("ok", "target", 0, 1)}一</mark>二三</div>'
    )
    page = _check_page(doc, rows)
    # a link to a skipped statement lands on its row, which shows the problem
    assert page.element["st-far"][0] == "tr" and page.count["st-ok"] == 1
    assert "not highlighted: offsets 2–9 fall outside the text (3 characters)" in page.text(
        "st-far"
    )


def test_a_character_outside_the_bmp_counts_as_one_offset():
    """'𠀀' (U+20000) is one code point (two UTF-16 units): '达到' starts at 2, not 3."""
    doc = _doc("𠀀年达到5%")
    assert doc.text[2:4] == "达到" and len(doc.text) == 6
    rows = _rows(doc, ("u", "target", 2, 6))
    page = _check_page(doc, rows)
    assert page.text("st-u") == "达到5%"
    assert page.element["st-u"][1]["data-start"] == "2"


def test_carriage_returns_survive_a_browser():
    """A browser folds a literal CR LF to LF; written as &#13; the CR stays in the text."""
    doc = _doc("一\r\n二")
    rows = _rows(doc, ("r", "target", 0, 3))
    html = highlighted_text(doc, rows)
    assert "\r" not in html and "&#13;" in html
    assert _check_page(doc, rows).text("st-r") == "一\r\n"


def test_random_spans_keep_every_invariant():
    """Seeded random spans (nested, crossing, empty, identical, out of range) on random lines."""
    rng = random.Random(20240601)
    for trial in range(150):
        text = "".join(rng.choice("衢州年增长\n%𠀀&<") for _ in range(rng.randint(0, 40)))
        doc = _doc(text)
        spans = []
        for k in range(rng.randint(0, 12)):
            start = rng.randint(0, len(text) + 1)
            end = rng.randint(start, min(len(text) + 2, start + 8))
            spans.append(
                (f"t{trial}-{k}", rng.choice(["target", "outcome", "expected"]), start, end)
            )
        rows = _rows(doc, *spans)
        page = _check_page(doc, rows)
        assert sum(page.count[f"st-{s[0]}"] for s in spans) == len(spans)


def test_rendering_is_linear():
    """200,000 characters and 20,000 statements (nested and crossing) render well under a
    second; a quadratic walk (statements x text) would take minutes."""
    text = ("全市生产总值增长6.5%左右,\n" * 12_500)[:200_000]
    doc = _doc(text)
    spans = [(f"n{k}", "target", 10 * k, 10 * k + 6) for k in range(10_000)]
    spans += [(f"m{k}", "outcome", 10 * k + 3, 10 * k + 9) for k in range(10_000)]
    rows = _rows(doc, *spans)
    began = time.perf_counter()
    html = highlighted_text(doc, rows)
    assert time.perf_counter() - began < 3.0
    assert html.count("<mark ") == 20_000


# --------------------------------------------------------------------------------------------
# Escaping, links, the fragment's parts
# --------------------------------------------------------------------------------------------

_ALLOWED_TAGS = {"section", "header", "h1", "dl", "dt", "dd", "code", "span", "p", "br", "div",
                 "mark", "table", "caption", "thead", "tbody", "tr", "th", "td", "a"}  # fmt: skip


def test_nothing_from_the_data_becomes_markup():
    text = '前言<script>alert(1)</script> & "引号" 目标<b>8%</b>'
    start = text.index("8%")
    doc = _doc(
        text,
        title='"><img src=x onerror=alert(1)>',
        issuer="<i>市政府</i>",
        doc_id='x"><svg onload=alert(1)>',
        source="javascript:alert(1)",
        notes="<u>n</u>",
    )
    rows = _rows(
        doc, ('id"><svg onload=alert(2)>', '"><x', start, start + 2),
        indicator_text="<img src=y onerror=alert(3)>", indicator_id="a&b", unit="<%>",
        value=8.0, comparator="eq", period_start="2020", period_end="2020", review_action="<r>",
    )  # fmt: skip
    body = source_body(doc, rows, page="html/sources/x.html")
    page = _check_page(doc, rows)
    assert {t for t, _ in page.tags} <= _ALLOWED_TAGS
    assert not [n for _, a in page.tags for n in a if n.startswith("on")]
    assert "<script" not in body and "<img" not in body and "<svg" not in body
    assert page.tags[0][1]["data-doc-id"] == doc.doc_id  # unescaped back to the data, exactly
    anchor = links.anchor_id('id"><svg onload=alert(2)>')
    assert page.count[anchor] == 1 and page.text(anchor) == "8%"
    # a kind outside the schema cannot add a class; the title attribute holds the data as text
    assert page.element[anchor][1]["class"] == "qz-st qz-other"
    assert page.element[anchor][1]["title"] == '"><x · a&b · 8<%> · 2020'
    assert [a["href"] for t, a in page.tags if t == "a"] == [
        "#st-id%22%3E%3Csvg%20onload%3Dalert%282%29%3E"
    ]


def test_only_a_web_url_source_is_a_link():
    linked = _Page(
        source_body(_doc("x", source="https://www.qz.gov.cn/a?b=1&c=2"), _rows(_doc("x")))
    )
    assert [a["href"] for t, a in linked.tags if t == "a"] == ["https://www.qz.gov.cn/a?b=1&c=2"]
    for source in ("javascript:alert(1)", "www.qz.gov.cn", "", "https://"):
        page = _Page(source_body(_doc("x", source=source), _rows(_doc("x"))))
        assert not [t for t, _ in page.tags if t == "a"], source


def test_a_document_without_statements_still_renders():
    doc = _doc("只有文字\n")
    for statements in (pd.DataFrame(), _rows(_doc("x", doc_id="other"), ("o", "target", 0, 1))):
        body = source_body(doc, statements)
        assert _Page(body).visible_text == doc.text
        assert "No statement was extracted" in body


def test_page_defaults_to_the_source_page_and_links_are_fragments():
    doc = _doc("目标7%")
    rows = _rows(doc, ("g", "target", 2, 4))
    page = _Page(source_body(doc, rows))
    assert page.tags[0][1]["data-page"] == links.source_page("syn") == "html/sources/syn.html"
    assert (
        _Page(source_body(doc, rows, page="elsewhere.html")).tags[0][1]["data-page"]
        == "elsewhere.html"
    )
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert hrefs == ["#st-g"] and {h[1:] for h in hrefs} <= anchors(source_body(doc, rows))


def test_title_and_list_show_the_reading():
    """value 5.5-6 with unit % over 2021-2025, comparator range: '5.5–6%' and '2021–2025'."""
    doc = _doc("年均增长5.5%-6%")
    rows = _rows(
        doc, ("v", "target", 4, 11), indicator_id="gdp_growth", indicator_text="生产总值增长",
        value=5.5, value_high=6.0, unit="%", comparator="range", period_start="2021",
        period_end="2025", review_action="",
    )  # fmt: skip
    page = _Page(source_body(doc, rows))
    assert page.element["st-v"][1]["title"] == "target · gdp_growth · 5.5–6% · 2021–2025"
    cells = body_text(source_body(doc, rows))
    for shown in ("生产总值增长", "gdp_growth", "5.5–6%", "range", "2021–2025", "—"):
        assert shown in cells
    ge = rows.assign(comparator="ge", value_high=pd.NA, value=2125.2, unit="亿元")
    assert (
        _Page(source_body(doc, ge)).element["st-v"][1]["title"].endswith("≥2125.2亿元 · 2021–2025")
    )


class _AllText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_data(self, data):
        self.chunks.append(data)


def body_text(markup: str) -> str:
    """All text of a fragment, as a reader sees it (for checking what the list shows)."""
    parser = _AllText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.chunks)


def test_legend_counts_each_kind():
    doc = _doc("一二三四")
    rows = _rows(doc, ("a", "target", 0, 1), ("b", "target", 1, 2), ("c", "expected", 2, 3))
    body = source_body(doc, rows)
    for label in ("目标 target (2)", "实际 outcome (0)", "预计 expected (1)"):
        assert label in body


def test_anchors_lists_unescaped_ids():
    markup = '<p id="a&amp;b">x</p><mark id="st-1"></mark><a href="#no-id">y</a><br id="z">'
    assert anchors(markup) == {"a&b", "st-1", "z"}


def test_css_colours_kinds_and_frames_the_target():
    assert "<style" not in SOURCE_CSS
    for needed in (".qz-target", ".qz-outcome", ".qz-expected", ":target", "scroll-margin-top",
                   "white-space:pre-wrap", "overflow-x:auto", ".qz-note"):  # fmt: skip
        assert needed in SOURCE_CSS, needed
    # readable at 390 px: no fixed width anywhere
    assert "width:" not in SOURCE_CSS.replace("max-width:", "").replace("min-width:", "")
