"""The review widget (qzanalysis.review.widget): its session logic and its ipywidgets view.

No browser: the session is plain Python, and the view's buttons are pressed with
``Button.click()``. Every decision goes into a copy of the review file in ``tmp_path``; the
shipped data/curated/review.csv is only read.

Known answers, by hand: in data/raw wr2020, characters 338-342 are "6.7%" (2019 GDP growth,
"全市地区生产总值增长6.7%"), in the paragraph that starts at 139 (after the line break at 138);
7.3% (fixed-asset investment) is 351-355 in the same sentence. The synthetic corpus puts the
CJK Extension B character "𠀀" (U+20000, outside the BMP: one code point, two UTF-16 units)
before every span, so an offset counted in UTF-16 or bytes would be off by at least one.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from qzanalysis import paths
from qzanalysis.corpus import load_corpus
from qzanalysis.extract import extract_statements
from qzanalysis.indicators import load_registry
from qzanalysis.review import BLANK, ReviewError, load_review
from qzanalysis.review.store import ReviewStore
from qzanalysis.review.widget import FILTERS, ReviewSession, paragraph_html, review_widget

GDP_2019 = "wr2020:279d56062c4e"  # "6.7%", characters 338-342
FAI_2019 = "wr2020:d8a9176ef1c7"  # "7.3%", characters 351-355
#: Synthetic document: 𠀀 (U+20000) at 0, 1 and 17. Line 1 is 16 code points and its line break
#: is 16, so line 2 starts at 17; "6.8%" is 11-15, "6.5%左右" 34-40, "十件民生实事" 68-74
#: (after "，<script>alert(1)</script>完成", 41-67), i.e. 51-57 within line 2.
SYNTHETIC = (
    "𠀀𠀀年全市生产总值增长6.8%。\n"
    "𠀀2020年目标：全市生产总值增长6.5%左右，<script>alert(1)</script>完成十件民生实事。\n"
)
ADD_FIELDS = {"kind": "target", "measure": "count", "value": "10", "unit": "件"}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def statements(shipped_corpus, registry):
    return extract_statements(shipped_corpus, registry=registry)


@pytest.fixture()
def review_copy(tmp_path) -> Path:
    """A copy of the shipped review file: the only one these tests write."""
    copy = tmp_path / "review.csv"
    shutil.copyfile(paths.REVIEW_FILE, copy)
    return copy


@pytest.fixture()
def session(shipped_corpus, statements, registry, review_copy) -> ReviewSession:
    store = ReviewStore(review_copy)
    return ReviewSession(shipped_corpus, statements, store, registry=registry)


@pytest.fixture()
def synthetic(tmp_path, registry):
    """A one-document corpus with characters outside the BMP, and an empty review file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SYNTHETIC, encoding="utf-8")
    (corpus / "manifest.csv").write_text(
        "doc_id,file,title,doc_type,issuer,published,city\n"
        "a,a.txt,<b>标题</b>,work_report,衢州市人民政府,2020-04-24,衢州市\n",
        encoding="utf-8",
    )
    review = tmp_path / "synthetic_review.csv"
    loaded = load_corpus(corpus)
    store = ReviewStore(review)
    rows = extract_statements(loaded, registry=registry)
    return ReviewSession(loaded, rows, store, registry=registry), corpus, review


def _row_of(file: Path, statement_id: str) -> dict:
    rows = load_review(file)
    hit = rows[rows["statement_id"] == statement_id]
    assert len(hit) == 1, statement_id
    return hit.iloc[0].to_dict()


# --------------------------------------------------------------------------------------------
# Loading, filters, navigation
# --------------------------------------------------------------------------------------------


def test_loads_every_statement_in_text_order(session, statements, shipped_corpus):
    decisions = load_review(paths.REVIEW_FILE)
    added = int((decisions["action"] == "add").sum())
    assert session.notices == []  # no orphan in the shipped review file
    assert len(session.items) == len(statements) + added  # rejected ones stay listed
    order = {d.doc_id: i for i, d in enumerate(shipped_corpus)}
    keys = [(order[r["doc_id"]], r["char_start"]) for r in session.items]
    assert keys == sorted(keys)
    decided = set(decisions["statement_id"]) & set(statements["statement_id"])
    assert session.progress == (len(decided) + added, len(statements) + added)
    first = session.current
    assert first["statement_id"] == session.items[0]["statement_id"]
    rejected = [r for r in session.items if r["action"] == "reject"]
    assert len(rejected) == int((decisions["action"] == "reject").sum())


def test_filters(session):
    every = list(session.items)
    for name in FILTERS:
        session.set_filter(name)
        assert session.items or name == "unreviewed", name
        assert all(r in every for r in session.items)
    session.set_filter("unreviewed")
    assert all(r["action"] == "" for r in session.items)
    reviewed, total = session.progress
    assert len(session.items) == total - reviewed
    session.set_filter("unmapped")
    assert all(pd.isna(r["indicator_id"]) or r["indicator_id"] == "" for r in session.items)
    session.set_filter("target")
    assert {r["kind"] for r in session.items} == {"target"}
    session.set_filter("outcome")
    assert {r["kind"] for r in session.items} <= {"outcome", "expected"}
    session.set_filter("all", "wr2020")
    assert {r["doc_id"] for r in session.items} == {"wr2020"}
    assert session.progress[1] == len(session.items)
    with pytest.raises(ReviewError, match="filter 'nonsense'; use one of all"):
        session.set_filter("nonsense")
    with pytest.raises(ReviewError, match="document 'nope' is not in the corpus"):
        session.set_filter("all", "nope")


def test_navigation(session):
    ids = [r["statement_id"] for r in session.items]
    assert session.previous()["statement_id"] == ids[0]  # stays on the first
    assert session.next()["statement_id"] == ids[1]
    assert session.goto(FAI_2019)["statement_id"] == FAI_2019
    assert session.previous()["statement_id"] == GDP_2019  # 6.7% comes just before 7.3%
    session.goto(ids[-1])
    assert session.next()["statement_id"] == ids[-1]  # stays on the last
    with pytest.raises(ReviewError, match="not listed under filter 'all'"):
        session.goto("wr2020:000000000000")
    session.set_filter("all", "wr2022_excerpt")
    with pytest.raises(ReviewError, match="not listed"):
        session.goto(GDP_2019)  # another document's statement


# --------------------------------------------------------------------------------------------
# Paragraph and span
# --------------------------------------------------------------------------------------------


def test_paragraph_of_a_known_span(session):
    session.goto(GDP_2019)
    before, span, after = session.paragraph()
    assert span == "6.7%"
    assert before.endswith("全市地区生产总值增长") and after.startswith("，固定资产投资增长7.3%")
    text = session.document_text()
    assert session.paragraph_start() == 139 and text[138] == "\n"
    assert text[139 : 139 + len(before)] == before and 139 + len(before) == 338


def test_paragraph_and_span_are_exact_for_every_shipped_statement(session, shipped_corpus):
    for item in session.items:
        text = shipped_corpus[item["doc_id"]].text
        start, end = int(item["char_start"]), int(item["char_end"])
        before, span, after = session.paragraph(item)
        left, right = session.paragraph_bounds(item)
        assert span == text[start:end] == item["evidence"], item["statement_id"]
        assert before + span + after == text[left:right]
        assert left == start - len(before) and right == end + len(after)
        assert "\n" not in before + after and "\r" not in before + after
        assert left == 0 or text[left - 1] in "\n\r"
        assert right == len(text) or text[right] in "\n\r"


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------


def test_nothing_decided_leaves_the_file_byte_for_byte(session, review_copy):
    before = review_copy.read_bytes()
    session.next()
    session.set_filter("unreviewed")
    session.set_filter("all", "wr2020")
    session.goto(GDP_2019)
    session.paragraph()
    assert not session.changed and session.save() is None
    assert review_copy.read_bytes() == before == paths.REVIEW_FILE.read_bytes()


def test_confirm_reject_correct_are_saved_with_their_span(session, review_copy):
    original = review_copy.read_text(encoding="utf-8").splitlines()
    line = next(i for i, ln in enumerate(original) if ln.startswith(f"confirm,{GDP_2019},"))
    session.goto(GDP_2019)
    decision = session.reject("not a statement (test)")
    assert decision["action"] == "reject" and decision["char_start"] == "338"
    assert session.current["action"] == "reject"  # still listed under 'all', as rejected
    session.goto(FAI_2019)
    session.correct(unit="亿元", value="7.4")
    session.correct(value_high="7.9", comparator="range", note="test")  # on top of the first
    assert session.save() == review_copy
    text = review_copy.read_text(encoding="utf-8").splitlines()
    assert text[line] == f"reject,{GDP_2019},wr2020,338,342,,,,,,,,,,,,not a statement (test)"
    assert len(text) == len(original)  # replaced in place, nothing appended
    assert [a for a, b in zip(original, text, strict=True) if a != b][0] == original[line]
    fai = _row_of(review_copy, FAI_2019)
    assert (fai["action"], fai["doc_id"], fai["char_start"], fai["char_end"]) == (
        "correct",
        "wr2020",
        "351",
        "355",
    )
    assert (fai["unit"], fai["value"], fai["value_high"], fai["comparator"]) == (
        "亿元",
        "7.4",
        "7.9",
        "range",
    )


def test_correct_clears_a_field_and_refuses_no_change(session, review_copy):
    session.goto(FAI_2019)
    with pytest.raises(ReviewError, match="no field differs"):
        session.correct(**session.field_values())  # the form as shown: nothing changed
    with pytest.raises(ReviewError, match="no field differs"):
        session.correct(value="7.30")  # the same number
    session.correct(unit="")
    assert session.current["unit"] == ""
    session.save()
    assert _row_of(review_copy, FAI_2019)["unit"] == BLANK


def test_a_refused_decision_leaves_the_store_untouched(session, review_copy):
    text = session.store.text()
    session.goto(FAI_2019)
    with pytest.raises(ReviewError, match="indicator_id 'no_such_indicator'"):
        session.correct(indicator_id="no_such_indicator")
    with pytest.raises(ReviewError, match="period_start 2021 is after period_end 2019"):
        session.correct(period_start="2021")
    with pytest.raises(ReviewError, match="unknown field"):
        session.correct(colour="red")
    session.goto(GDP_2019)
    with pytest.raises(ReviewError, match="holds no number"):
        session.add(143, 145, **ADD_FIELDS)  # "年是" (the paragraph: "2019年是新中国...")
    with pytest.raises(ReviewError, match="need 0 <= start < end"):
        session.add(10, 10**7, **ADD_FIELDS)
    assert session.store.text() == text and session.save() is None
    assert review_copy.read_bytes() == paths.REVIEW_FILE.read_bytes()


def test_add_a_missed_statement(session, review_copy):
    session.goto(GDP_2019)
    # the paragraph starts at 139 with "2019年是新中国成立70周年": 2019 is 139-142, 年 143,
    # 是 144, 新中国成立 145-149, 70 150-151, 周年 152-153; so "70周年" is 150-154
    assert session.locate("70周年") == (150, 154)
    decision = session.add(150, 154, kind="outcome", measure="count", value="70", unit="周年")
    assert session.current["statement_id"] == decision["statement_id"]
    assert session.current["action"] == "add" and session.current["evidence"] == "70周年"
    with pytest.raises(ReviewError, match="added by the review: it needs no confirm"):
        session.confirm()
    session.correct(period_end="2019")  # an added statement is corrected by adding it again
    session.save()
    row = _row_of(review_copy, decision["statement_id"])
    assert (row["action"], row["char_start"], row["char_end"], row["period_end"]) == (
        "add",
        "150",
        "154",
        "2019",
    )


def test_locate_asks_for_the_occurrence(session):
    session.goto(GDP_2019)
    # "增长" occurs 4 times in that paragraph: after 全市地区生产总值 (336, just before 6.7% at
    # 338), 固定资产投资, 财政总收入和一般公共预算收入分别, 城乡居民收入分别
    found = session.occurrences("增长")
    text = session.document_text()
    assert all(text[a:b] == "增长" for a, b in found) and len(found) == 4
    with pytest.raises(ReviewError, match="occurs 4 times; choose the occurrence"):
        session.locate("增长")
    assert session.locate("增长", 1) == (found[0][0], found[0][0] + 2) == (336, 338)
    with pytest.raises(ReviewError, match="choose 1-4"):
        session.locate("增长", 5)
    assert session.locate("营商环境") == (text.index("营商环境"), text.index("营商环境") + 4)
    with pytest.raises(ReviewError, match="not in the paragraph or the document"):
        session.locate("不存在的文字")


# --------------------------------------------------------------------------------------------
# Characters outside the BMP
# --------------------------------------------------------------------------------------------


def test_code_point_offsets_outside_the_bmp(synthetic):
    session, _, review = synthetic
    assert [(r["char_start"], r["char_end"], r["evidence"]) for r in session.items] == [
        (11, 15, "6.8%"),
        (34, 40, "6.5%左右"),
    ]
    assert session.paragraph(session.items[0]) == ("𠀀𠀀年全市生产总值增长", "6.8%", "。")
    session.next()
    assert session.paragraph_start() == 17
    assert session.paragraph()[0] == "𠀀2020年目标：全市生产总值增长"
    assert session.locate("十件民生实事") == (68, 74)
    decision = session.add_from_selection(17, 51, 57, **ADD_FIELDS)
    assert (decision["char_start"], decision["char_end"]) == ("68", "74")
    assert session.current["evidence"] == "十件民生实事"
    assert session.paragraph() == (
        "𠀀2020年目标：全市生产总值增长6.5%左右，<script>alert(1)</script>完成",
        "十件民生实事",
        "。",
    )
    with pytest.raises(ReviewError, match="negative"):
        session.add_from_selection(17, -1, 3, **ADD_FIELDS)
    assert session.save() == review
    assert _row_of(review, decision["statement_id"])["char_start"] == "68"


# --------------------------------------------------------------------------------------------
# The next analysis sees the decisions
# --------------------------------------------------------------------------------------------


def test_a_decision_reaches_the_next_analysis(session, review_copy, monkeypatch):
    from qzanalysis.pipeline import analyse

    session.goto(GDP_2019)
    session.reject()
    session.goto(FAI_2019)
    session.correct(value="7.4")
    session.save()
    # analyse() takes review=True/False, not a path: it reads paths.REVIEW_FILE at call time
    monkeypatch.setattr(paths, "REVIEW_FILE", review_copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = analyse().statements.set_index("statement_id")
    assert GDP_2019 not in rows.index
    assert rows.loc[FAI_2019, "value"] == 7.4 and rows.loc[FAI_2019, "review_action"] == "correct"


def test_an_added_statement_reaches_the_next_analysis(synthetic, monkeypatch):
    from qzanalysis.pipeline import analyse

    session, corpus, review = synthetic
    session.next()
    session.add(68, 74, **ADD_FIELDS)
    session.save()
    monkeypatch.setattr(paths, "REVIEW_FILE", review)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = analyse(corpus).statements
    added = rows[rows["review_action"] == "add"]
    assert added[["char_start", "char_end", "evidence", "value"]].values.tolist() == [
        [68, 74, "十件民生实事", 10.0]
    ]


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------


def test_paragraph_html_escapes_the_data():
    page = paragraph_html("<script>alert(1)</script>", "6.5%<b>", "&amp;")
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<mark>6.5%&lt;b&gt;</mark>" in page and "&amp;amp;" in page


def test_the_widget_shows_escaped_data(synthetic):
    session = synthetic[0]
    view = review_widget(session).view
    session.next()
    view.refresh()
    assert "<script" not in view.paragraph.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view.paragraph.value
    assert "<mark>6.5%左右</mark>" in view.paragraph.value
    assert "&lt;b&gt;标题&lt;/b&gt;" in view.header.value and "<b>标题" not in view.header.value


def test_the_widget_buttons_call_the_session(session, review_copy):
    import ipywidgets

    widget = review_widget(session)
    view = widget.view
    assert isinstance(widget, ipywidgets.Widget)
    assert view.progress.value == "reviewed {} / {}".format(*session.progress)
    first = session.current["statement_id"]
    view.buttons["next"].click()
    assert session.current["statement_id"] != first
    view.buttons["previous"].click()
    assert session.current["statement_id"] == first == view.list.value
    view.list.value = FAI_2019  # choosing in the list goes there
    assert session.current["statement_id"] == FAI_2019
    assert "<mark>7.3%</mark>" in view.paragraph.value
    view.fields["unit"].value = "亿元"
    view.buttons["correct"].click()
    assert "correct: " + FAI_2019 in view.status.value
    assert session.store.get(FAI_2019)["unit"] == "亿元"
    view.buttons["confirm"].click()  # confirm replaces the correction, then moves on
    assert session.store.get(FAI_2019)["action"] == "confirm"
    assert session.current["statement_id"] != FAI_2019
    view.list.value = GDP_2019
    view.note.value = "test"
    view.buttons["reject"].click()
    assert session.store.get(GDP_2019)["action"] == "reject"
    assert session.store.get(GDP_2019)["note"] == "test"
    view.buttons["save"].click()
    assert f"saved to {review_copy}" in view.status.value
    assert _row_of(review_copy, GDP_2019)["action"] == "reject"
    view.buttons["save"].click()
    assert "nothing to save" in view.status.value


def test_the_widget_shows_errors_instead_of_raising(session):
    view = review_widget(session).view
    view.list.value = FAI_2019
    view.fields["indicator_id"].value = "no_such_indicator"
    view.buttons["correct"].click()
    assert "indicator_id &#x27;no_such_indicator&#x27;" in view.status.value
    assert "#b00020" in view.status.value  # shown as an error
    assert view.fields["indicator_id"].value == "no_such_indicator"  # what was typed stays
    assert not session.changed
    view.filter.value = "unreviewed"
    assert session.filter == "unreviewed"
    view.document.value = "wr2020"
    assert session.document == "wr2020"


def test_the_widget_adds_from_pasted_text(synthetic):
    session, _, review = synthetic
    view = review_widget(session).view
    session.next()
    view.refresh()
    view.selection.value = "十件民生实事"
    assert (view.start.value, view.end.value) == (68, 74)
    assert "<mark>十件民生实事</mark>" in view.preview.value
    # "script" is 42-48 and 59-65 of line 2 ("，" is 40, "<" 41, ">alert(1)<" 48-57, "/" 58)
    view.selection.value = "script"
    assert [label for label, _ in view.occurrence.options] == [
        "1: …6.5%左右，<【script】>alert(1…",
        "2: …ert(1)</【script】>完成十件民生实…",
    ]
    assert (view.start.value, view.end.value) == (42, 48)  # the first, until one is chosen
    view.occurrence.value = 2
    assert (view.start.value, view.end.value) == (59, 65)
    assert "choose the occurrence" in view.status.value
    view.selection.value = "十件民生实事"
    for name, value in ADD_FIELDS.items():
        view.fields[name].value = value
    view.buttons["add"].click()
    assert "add: a:review-" in view.status.value
    assert session.current["evidence"] == "十件民生实事"
    view.buttons["save"].click()
    assert load_review(review)["char_start"].tolist() == ["68"]


def test_a_decision_reattached_by_its_span_moves_to_the_new_id(
    tmp_path, shipped_corpus, statements, registry
):
    """A confirm recorded under an old statement_id with the span 338-342 of wr2020 is applied
    to the statement now there (GDP_2019); deciding it again moves the row to the new id."""
    review = tmp_path / "review.csv"
    review.write_text(
        "# test\n"
        "action,statement_id,doc_id,char_start,char_end,note\n"
        "confirm,wr2020:0123456789ab,wr2020,338,342,old id\n"
        "confirm,wr2020:ba9876543210,,,,no span: an orphan\n",
        encoding="utf-8",
    )
    session = ReviewSession(shipped_corpus, statements, ReviewStore(review), registry=registry)
    assert len(session.notices) == 1 and "wr2020:ba9876543210" in session.notices[0]
    item = session.goto(GDP_2019)
    assert item["action"] == "confirm" and item["rekeyed_from"] == "wr2020:0123456789ab"
    assert session.progress[0] == 1
    session.reject("moved")
    session.save()
    assert review.read_text(encoding="utf-8").splitlines() == [
        "# test",
        "action,statement_id,doc_id,char_start,char_end,note",
        f"reject,{GDP_2019},wr2020,338,342,moved",
        "confirm,wr2020:ba9876543210,,,,no span: an orphan",
    ]
    assert session.current["statement_id"] == GDP_2019 and session.current["action"] == "reject"
