"""Ratchet (methods.md §7): annual targets against the previous year's outcome.

Known answers on the shipped corpus, computed by hand from the documents (rows are picked by
doc_id + indicator_id + measure, never by statement_id):

* wr2020 (2020 work report, 001_*.txt) reviews 2019 and sets the 2020 targets:
  "全市地区生产总值增长6.7%，……财政总收入和一般公共预算收入分别增长8.0%、7.0%，城乡居民收入分别增长
  8.8%、9.8%" and "主要预期目标为：地区生产总值增长7%左右；……一般公共预算收入增长7%；城乡居民收入分别增长
  8.5%左右和10%左右": GDP 7 − 6.7 = +0.3 pp, budget revenue 7 − 7 = 0 pp, urban income
  8.5 − 8.8 = −0.3 pp, rural income 10 − 9.8 = +0.2 pp.
  "市区空气质量优良率93.4%，PM_{2.5}浓度均值33微克/立方米" against "市区PM2.5浓度均值控制在35微克/立方米
  以下，空气质量优良率达到90%以上": a share 90 − 93.4 = −3.4 pp; a level (35 / 33 − 1) × 100 = +6.06%.
  "实际到位市外资金 141.6 亿元" against "确保市外到位资金200亿元以上": (200 / 141.6 − 1) × 100 = +41.24%.
* wr2026_highlights (002_*.txt) reports 2025 and sets 2026: "全市生产总值增长5.5%，固定资产投资增长0.7%，
  社会消费品零售总额增长5%，……一般公共预算收入增长3.6%" and "全市生产总值增长5.5—6%；……固定资产投资增长
  3%以上；社会消费品零售总额增长5.5%左右；一般公共预算收入增长2%以上": GDP midpoint 5.75 − 5.5 = +0.25 pp,
  investment 3 − 0.7 = +2.3 pp, retail 5.5 − 5 = +0.5 pp, budget revenue 2 − 3.6 = −1.6 pp.
"""

from __future__ import annotations

import pandas as pd
import pytest

from qzanalysis import schema
from qzanalysis.compare.ratchet import ratchet_summary, ratchet_table
from qzanalysis.indicators import load_registry
from qzanalysis.pipeline import analyse
from qzanalysis.schema import DELTA_UNITS
from statement_rows import make_statements

REGISTRY = load_registry()


# --------------------------------------------------------------------------- shipped corpus
@pytest.fixture(scope="module")
def shipped():
    a = analyse()
    return ratchet_table(a.statements, a.reference, registry=a.registry, published=a.published)


def pick(frame: pd.DataFrame, doc_id: str, indicator_id: str, measure: str) -> pd.Series:
    sel = frame[
        (frame["doc_id"] == doc_id)
        & (frame["indicator_id"] == indicator_id)
        & (frame["measure"] == measure)
    ]
    assert len(sel) == 1, f"expected one {doc_id}/{indicator_id}/{measure} row, found {len(sel)}"
    return sel.iloc[0]


KNOWN = [
    # doc, indicator, measure, year, T used, previous outcome, delta, unit
    ("wr2020", "gdp", "growth", 2020, 7.0, 6.7, 0.3, "pp"),
    ("wr2020", "general_budget_revenue", "growth", 2020, 7.0, 7.0, 0.0, "pp"),
    ("wr2020", "urban_disposable_income", "growth", 2020, 8.5, 8.8, -0.3, "pp"),
    ("wr2020", "rural_disposable_income", "growth", 2020, 10.0, 9.8, 0.2, "pp"),
    ("wr2020", "digital_economy_core_va", "growth", 2020, 15.0, 15.0, 0.0, "pp"),
    ("wr2020", "high_tech_industry_investment", "growth", 2020, 10.0, 33.3, -23.3, "pp"),
    ("wr2020", "low_income_household_income", "growth", 2020, 10.0, 13.8, -3.8, "pp"),
    ("wr2020", "air_quality_good_days_rate", "share", 2020, 90.0, 93.4, -3.4, "pp"),
    ("wr2020", "pm25", "level", 2020, 35.0, 33.0, (35 / 33 - 1) * 100, "%"),
    ("wr2020", "investment_attracted", "level", 2020, 200.0, 141.6, (200 / 141.6 - 1) * 100, "%"),
    ("wr2026_highlights", "gdp", "growth", 2026, 5.75, 5.5, 0.25, "pp"),
    ("wr2026_highlights", "fixed_asset_investment", "growth", 2026, 3.0, 0.7, 2.3, "pp"),
    ("wr2026_highlights", "retail_sales", "growth", 2026, 5.5, 5.0, 0.5, "pp"),
    ("wr2026_highlights", "general_budget_revenue", "growth", 2026, 2.0, 3.6, -1.6, "pp"),
]


@pytest.mark.parametrize("doc, ind, measure, year, T, y, delta, unit", KNOWN)
def test_known_deltas_on_the_shipped_corpus(shipped, doc, ind, measure, year, T, y, delta, unit):
    row = pick(shipped, doc, ind, measure)
    assert row["year"] == year and row["target_used"] == pytest.approx(T)
    assert row["outcome_value"] == pytest.approx(y) and row["outcome_source"] == doc
    assert row["outcome_period"] == str(year - 1) and row["outcome_kind"] == "outcome"
    assert row["delta"] == pytest.approx(delta) and row["delta_unit"] == unit


def test_only_2020_against_2019_and_2026_against_2025(shipped):
    have = shipped[shipped["delta"].notna()]
    pairs = set(zip(have["doc_id"], have["indicator_id"], have["measure"], strict=True))
    assert {(d, i, m) for d, i, m, *_ in KNOWN} <= pairs  # the registry may map more phrases
    years = set(zip(have["doc_id"], have["year"], have["outcome_period"], strict=True))
    assert years == {("wr2020", 2020, "2019"), ("wr2026_highlights", 2026, "2025")}
    # 2022's "到2026年" goals are multi-year goals (track_targets), not annual targets
    assert not shipped["doc_id"].isin(["wr2022_excerpt", "reply2022_no4"]).any()


def test_explanations_read_as_a_hand_check(shipped):
    gdp = pick(shipped, "wr2020", "gdp", "growth")
    assert gdp["explanation"] == (
        "2020 target 7%左右 vs 2019 outcome 6.7% (wr2020): +0.3 pp (7 − 6.7)"
    )
    rng = pick(shipped, "wr2026_highlights", "gdp", "growth")
    assert (rng["comparator"], rng["value"], rng["value_high"]) == ("range", 5.5, 6.0)
    assert "5.5–6% (midpoint 5.75%) vs 2025 outcome 5.5%" in rng["explanation"]
    pm = pick(shipped, "wr2020", "pm25", "level")
    assert "+6.06% ((35 / 33 − 1) × 100); lower is better" in pm["explanation"]


@pytest.mark.parametrize(
    "doc, ind, measure",
    [
        ("wr2020", "cpi", "growth"),  # "居民消费价格涨幅3.5%左右": no 2019 CPI in the corpus
        ("wr2020", "registered_unemployment_rate", "share"),
        ("wr2026_highlights", "surveyed_unemployment_rate", "share"),
        ("wr2026_highlights", "industrial_va_above_scale", "growth"),
    ],
)
def test_targets_without_a_previous_outcome_say_why(shipped, doc, ind, measure):
    row = pick(shipped, doc, ind, measure)
    assert pd.isna(row["delta"]) and pd.isna(row["outcome_id"])
    assert f"no full-year {row['year'] - 1} " in row["explanation"]


def test_summary_on_the_shipped_corpus(shipped):
    s = ratchet_summary(shipped).set_index(["grouping", "group", "measure"])
    gdp = s.loc[("indicator_id", "gdp", "growth")]
    assert (gdp["n_delta"], gdp["delta_unit"]) == (2, "pp")
    assert (gdp["delta_mean"], gdp["delta_min"], gdp["delta_max"]) == pytest.approx(
        (0.275, 0.25, 0.3)
    )
    growth = s.loc[("all", "all", "growth")]
    assert growth["n_delta"] == 11 and growth["delta_min"] == pytest.approx(-23.3)  # 10 − 33.3
    assert s.loc[("year", "2026", "growth")]["delta_mean"] == pytest.approx(
        (0.25 + 2.3 + 0.5 - 1.6) / 4
    )
    assert set(s["delta_unit"]) <= set(DELTA_UNITS)


# --------------------------------------------------------------------------- hand-built rows
def run(rows, *, reference=None, published=None, **kw):
    return ratchet_table(
        make_statements(rows), reference, registry=REGISTRY, published=published or {}, **kw
    )


def target(**kw):
    base = dict(
        kind="target", doc_id="wr", indicator_id="gdp", measure="growth", period_end="2026",
        unit="%", comparator="approx", value=7.0,
    )  # fmt: skip
    return {**base, **kw}


def outcome(**kw):
    base = dict(
        kind="outcome", doc_id="wr", indicator_id="gdp", measure="growth", period_end="2025",
        unit="%", comparator="eq",
    )  # fmt: skip
    return {**base, **kw}


def test_a_range_target_uses_its_midpoint():
    out = run([target(comparator="range", value=5.5, value_high=6.0), outcome(value=5.5)])
    row = out.iloc[0]
    assert row["target_used"] == pytest.approx(5.75)
    assert row["delta"] == pytest.approx(0.25) and row["delta_unit"] == "pp"
    assert "(midpoint 5.75%)" in row["explanation"]


def test_a_level_delta_is_in_percent_of_the_previous_level_after_unit_conversion():
    # 200亿元 against 1,416,000万元 (= 141.6亿元): (200 / 141.6 − 1) × 100 = 41.2429%
    out = run(
        [
            target(
                indicator_id="investment_attracted",
                measure="level",
                unit="亿元",
                comparator="ge",
                value=200.0,
            ),
            outcome(
                indicator_id="investment_attracted", measure="level", unit="万元", value=1416000.0
            ),
        ]
    )
    row = out.iloc[0]
    assert row["delta_unit"] == "%" and row["delta"] == pytest.approx(41.2429378)
    assert (row["outcome_value"], row["outcome_unit"]) == (pytest.approx(141.6), "亿元")
    assert (row["outcome_value_written"], row["outcome_unit_written"]) == (1416000.0, "万元")
    assert (
        "2026 target 200亿元以上 vs 2025 outcome 141.6亿元 [= 1,416,000万元] (wr)"
        in row["explanation"]
    )
    assert "200亿元以上" in row["explanation"]


def test_a_planned_fall_is_negative_growth():
    out = run([target(direction="decrease", value=2.0, comparator="eq"), outcome(value=1.0)])
    row = out.iloc[0]
    assert row["target_used"] == -2.0 and row["delta"] == pytest.approx(-3.0)


def test_a_missing_previous_outcome_keeps_the_row_with_the_reason():
    # only a 2024 figure and a Jan-Sep 2025 figure: neither is the full year 2025
    out = run(
        [
            target(),
            outcome(period_end="2024", value=6.0),
            outcome(period_start="2025-01", period_end="2025-09", value=5.0),
        ]
    )
    row = out.iloc[0]
    assert pd.isna(row["delta"]) and pd.isna(row["delta_unit"]) and pd.isna(row["outcome_value"])
    assert "no full-year 2025 growth outcome" in row["explanation"]
    assert "figures exist for 2024, 2025-01..2025-09" in row["explanation"]
    assert ratchet_summary(out).empty


def test_a_level_of_zero_has_no_relative_delta():
    out = run(
        [
            target(indicator_id="listed_companies", measure="level", unit="家", value=3.0),
            outcome(indicator_id="listed_companies", measure="level", unit="家", value=0.0),
        ]
    )
    row = out.iloc[0]
    assert pd.isna(row["delta"]) and row["delta_unit"] == "%"
    assert "undefined" in row["explanation"]


def test_growth_is_never_read_against_a_level():
    out = run([target(), outcome(measure="level", unit="亿元", value=2400.0)])
    assert pd.isna(out.iloc[0]["delta"])


def test_a_multi_year_goal_is_not_an_annual_target():
    # "到2026年…超过2800亿元" in a report published 2022-04 is a goal for 2022-2026
    rows = [
        target(doc_id="wr2022", measure="level", unit="亿元", comparator="gt", value=2800.0),
        target(doc_id="wr2026"),
        outcome(value=5.5),
    ]
    out = run(rows, published={"wr2022": "2022-04", "wr2026": "2026-01-21", "wr": "2026-01-21"})
    assert out["doc_id"].tolist() == ["wr2026"]


def test_a_plan_proposal_of_december_speaks_for_the_next_year():
    out = run([target(doc_id="prop"), outcome(value=5.5)], published={"prop": "2025-12-08"})
    assert len(out) == 1 and out.iloc[0]["year"] == 2026


def test_an_estimate_is_used_and_flagged():
    out = run([target(), outcome(kind="expected", value=6.0)])
    row = out.iloc[0]
    assert row["outcome_kind"] == "expected" and "expected figure" in row["explanation"]


def test_a_low_confidence_reference_figure_needs_min_confidence_low():
    ref = make_statements([outcome(doc_id=None, value=6.0)]).assign(
        statement_id="ref-001", confidence="low", source_url="http://example.org"
    )
    assert pd.isna(run([target()], reference=ref).iloc[0]["delta"])
    low = run([target()], reference=ref, min_confidence="low").iloc[0]
    assert low["delta"] == pytest.approx(1.0) and low["outcome_confidence"] == "low"
    assert low["outcome_source"] == "http://example.org"


def test_unmapped_targets_have_no_row_and_empty_input_gives_the_schema():
    assert run([target(indicator_id=None, indicator_text="某指标"), outcome(value=1.0)]).empty
    empty = run([outcome(value=1.0)])
    assert empty.empty and list(empty.columns) == schema.columns("ratchet")
    assert list(ratchet_summary(empty).columns) == schema.columns("ratchet_summary")


def test_bad_input_gets_a_clear_message():
    st = make_statements([target()])
    with pytest.raises(ValueError, match="min_confidence='best'"):
        ratchet_table(st, registry=REGISTRY, published={}, min_confidence="best")
    with pytest.raises(
        ValueError, match=r"ratchet_table: statements lacks column\(s\) statement_id"
    ):
        ratchet_table(st.drop(columns="statement_id"), registry=REGISTRY, published={})
    with pytest.raises(ValueError, match="reference lacks column"):
        ratchet_table(st, st, registry=REGISTRY, published={})  # a reference needs confidence
    with pytest.raises(TypeError, match="statements must be a DataFrame"):
        ratchet_table([{"kind": "target"}], registry=REGISTRY, published={})
    with pytest.raises(ValueError, match="ratchet lacks column"):
        ratchet_summary(st)
