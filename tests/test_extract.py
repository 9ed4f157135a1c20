"""Statement extraction (qzanalysis.extract): phenomena, offsets, ids, and the shipped corpus."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qzanalysis.corpus import Document, load_corpus
from qzanalysis.extract import STATEMENT_COLUMNS, STATEMENT_DTYPES, extract_statements

FIXTURES = Path(__file__).parent / "fixtures"


def make_doc(text: str, published: str = "2020-04-24", doc_type: str = "work_report",
             doc_id: str = "t", title: str = "测试") -> Document:
    return Document(doc_id=doc_id, file=Path(f"{doc_id}.txt"), title=title, doc_type=doc_type,
                    issuer="x", published=published, city="衢州市", text=text, encoding="utf-8",
                    sha256="0" * 64)


def extract(text: str, **kw) -> pd.DataFrame:
    return extract_statements([make_doc(text, **kw)])


def rows(df: pd.DataFrame, *cols: str) -> list[tuple]:
    return [tuple(None if pd.isna(x) else x for x in r) for r in df[list(cols)].itertuples(index=False)]


REVIEW_2019 = "一、2019年工作回顾\n\n{}\n"
TARGETS_2020 = "二、2020年目标任务和重点工作\n\n{}\n"


def test_columns_and_dtypes():
    df = extract(REVIEW_2019.format("全市地区生产总值增长6.7%。"))
    assert list(df.columns) == STATEMENT_COLUMNS
    for col, dtype in STATEMENT_DTYPES.items():
        assert str(df[col].dtype) == dtype, col


def test_empty_document_gives_empty_table_with_columns():
    df = extract("没有任何数字的文字。")
    assert df.empty and list(df.columns) == STATEMENT_COLUMNS


def test_shared_verb_list_fenbie():
    df = extract(REVIEW_2019.format("财政总收入和一般公共预算收入分别增长8.0%、7.0%。"))
    assert rows(df, "indicator_id", "value", "measure", "kind", "period_start") == [
        ("fiscal_total_revenue", 8.0, "growth", "outcome", "2019"),
        ("general_budget_revenue", 7.0, "growth", "outcome", "2019"),
    ]


def test_urban_rural_pair_is_split():
    df = extract(REVIEW_2019.format("城乡居民收入分别增长8.8%、9.8%。"))
    assert rows(df, "indicator_id", "value") == [("urban_disposable_income", 8.8),
                                                ("rural_disposable_income", 9.8)]


def test_one_value_for_many_items():
    df = extract(TARGETS_2020.format(
        "确保民间投资、高新技术产业投资、交通投资以及生态环保、城市更新和水利设施投资分别增长10%以上。"))
    assert len(df) == 6
    assert set(df["value"]) == {10.0} and set(df["comparator"]) == {"ge"}
    assert list(df["indicator_text"])[-3:] == ["生态环保投资", "城市更新投资", "水利设施投资"]
    assert set(df["kind"]) == {"target"} and set(df["period_start"]) == {"2020"}


def test_jun_and_ge_distribute():
    df = extract(TARGETS_2020.format("确保事故起数、死亡人数均下降20%。消化批而未供土地、盘活存量建设用地各8000亩以上。"))
    assert rows(df, "indicator_text", "value", "measure", "direction") == [
        ("事故起数", 20.0, "change", "decrease"), ("死亡人数", 20.0, "change", "decrease"),
        ("消化批而未供土地", 8000.0, "count", ""), ("盘活存量建设用地", 8000.0, "count", ""),
    ]


def test_level_and_growth_in_one_clause():
    df = extract(REVIEW_2019.format("全市生产总值2125.2亿元、增长6.8%。"))
    assert rows(df, "indicator_id", "measure", "value", "unit") == [
        ("gdp", "level", 2125.2, "亿元"), ("gdp", "growth", 6.8, "%")]


def test_statistical_bulletin_style():
    df = extract("全年全市生产总值2125.2亿元，按可比价格计算，比上年增长6.8%。",
                 doc_type="statistical_bulletin", published="2024-03-01")
    assert rows(df, "indicator_id", "measure", "value", "period_start", "kind") == [
        ("gdp", "level", 2125.2, "2023", "outcome"), ("gdp", "growth", 6.8, "2023", "outcome")]


def test_percentage_points_and_decrease_and_share_and_ratio():
    df = extract(REVIEW_2019.format(
        "城镇化率提高1.2个百分点。单位能耗下降3.5%。绿色信贷占全部贷款余额的30.8%。城乡居民收入倍差缩小至1.75。"))
    assert rows(df, "measure", "unit", "direction", "value") == [
        ("change", "百分点", "increase", 1.2), ("change", "%", "decrease", 3.5),
        ("share", "%", "", 30.8), ("ratio", "", "decrease", 1.75)]


def test_from_to_gives_two_outcomes_with_two_periods():
    text = "2025年主要工作和“十四五”发展成就\n\n五年来,人均预期寿命由80.2岁提高到82.3岁。\n"
    df = extract(text, published="2026-01-21", doc_type="work_report_highlights")
    assert rows(df, "value", "period_start", "period_end", "measure") == [
        (80.2, "2020", "2020", "level"), (82.3, "2025", "2025", "level")]


def test_threshold_inside_indicator_name():
    df = extract(REVIEW_2019.format("全市新引进亿元以上项目80个。力争产值100亿元企业超过10家。"))
    assert rows(df, "value", "unit", "comparator") == [(80.0, "个", "eq"), (10.0, "家", "gt")]
    assert "亿元以上项目" in df["indicator_text"].iloc[0]


def test_rank_and_completion():
    df = extract("今年前三季度,全市开展职业技能培训8.59万人次、开展农民培训34800人次、评选“三衢工匠”5256名,"
                 "分别完成年度任务的130%、116%、97.28%。工业投资同比增长37.5%,排名全省第1。",
                 doc_type="reply_to_deputies", published="2022-11-06")
    completion = df[df["measure"] == "completion"]
    assert list(completion["value"]) == [130.0, 116.0, 97.28]
    assert list(completion["indicator_text"]) == list(df[df["measure"] == "count"]["indicator_text"])
    rank = df[df["measure"] == "rank"]
    assert rows(rank, "value", "unit", "indicator_text") == [(1.0, "位", "工业投资")]
    assert set(df["period_start"]) == {"2022-01"} and set(df["period_end"]) == {"2022-09"}


def test_year_to_date_and_as_of_now():
    df = extract("今年以来,累计走访调研96次。截至目前,全市已建立碳账户234.2万个。",
                 doc_type="reply_to_deputies", published="2022-11-06")
    assert rows(df, "kind", "period_start", "period_end") == [
        ("outcome", "2022-01", "2022-11"), ("outcome", "2022-11", "2022-11")]


def test_five_year_horizon_levels_and_cumulative_counts():
    text = ("今后五年工作的主要目标是:全市生产总值超过2800亿元,新认定国家高新技术企业500家。\n\n"
            "## (一) 聚焦聚力工业强市\n\n引进落地5个百亿元以上重大制造业项目。\n")
    df = extract(text, published="2022-04", doc_type="work_report_excerpt")
    assert rows(df, "value", "kind", "period_start", "period_end", "measure") == [
        (2800.0, "target", "2026", "2026", "level"), (500.0, "target", "2022", "2026", "count"),
        (5.0, "target", "2022", "2026", "count")]


def test_by_year_target_and_expected():
    df = extract("力争到2026年,实现全市规上工业总产值突破5000亿元。预计2025年全市生产总值达到2400亿元。",
                 doc_type="reply_to_deputies", published="2022-11-06")
    assert rows(df, "kind", "period_end", "comparator") == [("target", "2026", "gt"), ("expected", "2025", "eq")]


def test_fyp_average_growth_spans_plan():
    text = "2025年政府主要工作和“十四五”发展成就\n\n五年来,全市生产总值年均增长6.4%。\n"
    df = extract(text, published="2026-01-21", doc_type="work_report_highlights")
    assert rows(df, "measure", "period_start", "period_end") == [("growth", "2021", "2025")]


def test_section_structure_decides_kind():
    text = REVIEW_2019.format("固定资产投资增长7.3%。") + TARGETS_2020.format(
        "今年,建议我市经济社会发展的主要预期目标为:地区生产总值增长7%左右;城镇登记失业率控制在3.5%以内。")
    df = extract(text)
    assert rows(df, "kind", "period_start", "comparator", "measure") == [
        ("outcome", "2019", "eq", "growth"), ("target", "2020", "approx", "growth"),
        ("target", "2020", "le", "share")]


def test_fullwidth_digits_and_offsets_point_to_original_text():
    text = REVIEW_2019.format("全市地区生产总值增长６．７％，新增企业 13 家。")
    doc = make_doc(text)
    df = extract_statements([doc])
    assert list(df["value"]) == [6.7, 13.0]
    for r in df.itertuples():
        assert doc.text[r.char_start:r.char_end] == r.evidence
    assert list(df["evidence"]) == ["６．７％", "13 家"]


def test_statement_ids_are_stable_and_local():
    body = "全市地区生产总值增长6.7%,固定资产投资增长7.3%。"
    a = extract(REVIEW_2019.format(body))
    b = extract(REVIEW_2019.format(body))
    assert list(a["statement_id"]) == list(b["statement_id"])
    c = extract(REVIEW_2019.format("各位代表,这是插入的一段话。" + body))
    assert list(a["statement_id"]) == list(c["statement_id"])
    assert a["statement_id"].is_unique


# ---------------------------------------------------------------------------- shipped corpus


@pytest.fixture(scope="module")
def corpus_statements(shipped_corpus):
    return extract_statements(shipped_corpus)


def test_every_span_holds_its_number(shipped_corpus, corpus_statements):
    texts = {d.doc_id: d.text for d in shipped_corpus}
    for r in corpus_statements.itertuples():
        evidence = texts[r.doc_id][r.char_start:r.char_end]
        assert evidence == r.evidence
        assert any(ch.isdigit() or ch in "零〇一二两三四五六七八九十百千" or ch in "翻倍" for ch in evidence)
        assert evidence.strip() in texts[r.doc_id] and r.quote and evidence.strip()[:1] in r.quote


def test_counts_per_document_and_kind(corpus_statements):
    counts = corpus_statements.groupby(["doc_id", "kind"]).size().to_dict()
    assert counts[("wr2022_excerpt", "target")] == 29
    assert counts[("wr2022_excerpt", "outcome")] == 1
    assert counts[("wr2020", "outcome")] == 107
    assert counts[("wr2020", "target")] == 69
    assert counts[("wr2026_highlights", "target")] == 6
    assert counts[("reply2022_no4", "target")] == 8
    assert sum(counts.values()) == len(corpus_statements)
    assert corpus_statements["statement_id"].is_unique


def _gold() -> pd.DataFrame:
    frames = [pd.read_csv(FIXTURES / f, dtype=str, keep_default_na=False) for f in ("gold_000.csv", "gold_001.csv")]
    gold = pd.concat(frames, ignore_index=True)
    gold["doc_id"] = gold["doc"].map({"000_efe28e4ce7a86f87.txt": "wr2022_excerpt",
                                      "001_5e9ac6a1cf9e1153.txt": "wr2020"})
    return gold


def test_every_certain_gold_anchor_is_found(shipped_corpus, corpus_statements):
    gold = _gold()
    missing = []
    for g in gold.itertuples():
        if "uncertain" in g.notes:
            continue
        text = shipped_corpus[g.doc_id].text
        start = text.find(g.anchor)
        assert start >= 0, g.anchor
        end = start + len(g.anchor)
        cand = corpus_statements[(corpus_statements["doc_id"] == g.doc_id)
                                 & ((corpus_statements["value"] - float(g.value)).abs() < 1e-9)
                                 & (corpus_statements["char_start"] < end)
                                 & (corpus_statements["char_end"] > start)]
        if cand.empty:
            missing.append((g.doc_id, g.indicator, g.value))
    assert missing == []


def test_gold_attributes_of_key_rows(corpus_statements):
    wr = corpus_statements[corpus_statements["doc_id"] == "wr2020"]
    gdp_target = wr[(wr["indicator_id"] == "gdp") & (wr["kind"] == "target")]
    assert rows(gdp_target, "value", "comparator", "measure", "period_start") == [(7.0, "approx", "growth", "2020")]
    covid = wr[wr["evidence"].str.contains("2.2万人次")]
    assert rows(covid, "period_start", "period_end", "unit") == [("2020-01", "2020-04", "万人次")]


def test_load_corpus_and_extract_in_one_line():
    df = extract_statements(load_corpus())
    assert len(df) > 300
