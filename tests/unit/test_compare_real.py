"""Known answers for real comparisons: extracted corpus statements against the reference figures.

Rows are selected by doc_id + indicator_id + measure (never by statement_id). Every expected
number is computed by hand from the documents and data/reference/quzhou_reference_facts.csv:

* wr2020 sets "地区生产总值增长7%左右" for 2020; the reference (medium) gives 3.5% -> 3.5 pp below.
* wr2022_excerpt sets 2026 goals; wr2026_highlights reports 2025 (一般公共预算收入 216.1亿元,
  人均预期寿命 80.2 -> 82.3岁); the reference gives GDP 1876亿元 (2021) and 2400亿元 (2025 est.),
  规上工业总产值 2494 (2021) and 3012.5 (2024 est.), 收入倍差 1.86 (2021) and 1.826 (2022).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from qzanalysis.pipeline import analyse


@pytest.fixture(scope="module")
def result():
    return analyse()


def pick(frame: pd.DataFrame, doc_id: str, indicator_id: str, measure: str) -> pd.Series:
    sel = frame[
        (frame["doc_id"] == doc_id)
        & (frame["indicator_id"] == indicator_id)
        & (frame["measure"] == measure)
    ]
    assert len(sel) == 1, f"expected one {doc_id}/{indicator_id}/{measure} row, found {len(sel)}"
    return sel.iloc[0]


def test_2020_gdp_growth_target_missed_by_3_5_pp(result):
    row = pick(result.comparisons, "wr2020", "gdp", "growth")
    assert (row["comparator"], row["value"], row["year"]) == ("approx", 7.0, 2020)
    assert row["status"] == "missed"
    assert row["signed_gap"] == pytest.approx(-3.5)
    assert row["outcome_value"] == 3.5 and row["outcome_confidence"] == "medium"
    assert "3.5 pp below 7 → missed" in row["explanation"]


@pytest.mark.parametrize(
    "indicator_id, measure",
    [
        ("pm25", "level"),
        ("air_quality_good_days_rate", "share"),
        ("cpi", "growth"),
        ("new_urban_employment", "count"),
        ("registered_unemployment_rate", "share"),
        ("general_budget_revenue", "growth"),
    ],
)
def test_2020_targets_without_a_2020_outcome(result, indicator_id, measure):
    row = pick(result.comparisons, "wr2020", indicator_id, measure)
    assert row["status"] == "no_outcome"
    assert pd.isna(row["signed_gap"])


def test_2020_pm25_target_names_the_neighbouring_years(result):
    row = pick(result.comparisons, "wr2020", "pm25", "level")
    assert row["comparator"] == "le" and row["value"] == 35.0
    # 2019: 33 (wr2020); 2021: 24 (reference, low confidence) -- neither is 2020
    assert "2019" in row["explanation"] and "2021" in row["explanation"]


@pytest.mark.parametrize(
    "indicator_id, value",
    [
        ("gdp", 2800.0),
        ("general_budget_revenue", 240.0),
        ("life_expectancy", 83.0),
        ("urban_rural_income_ratio", 1.75),
        ("industrial_output_above_scale", 5000.0),
    ],
)
def test_2026_goals_of_the_2022_report_are_not_yet_due(result, indicator_id, value):
    row = pick(
        result.comparisons,
        "wr2022_excerpt",
        indicator_id,
        "ratio"
        if indicator_id == "urban_rural_income_ratio"
        else "share"
        if indicator_id == "rd_intensity"
        else "level",
    )
    assert row["value"] == value and row["year"] == 2026
    assert row["status"] == "not_yet_due" and pd.isna(row["signed_gap"])


def test_general_budget_revenue_2026_needs_11_06_percent_in_2026(result):
    row = pick(result.tracking, "wr2022_excerpt", "general_budget_revenue", "level")
    assert (row["latest_year"], row["latest_value"]) == (2025, 216.1)
    assert round(row["g_remaining"] * 100, 2) == 11.06


def test_gdp_2800_by_2026_is_behind_schedule(result):
    row = pick(result.tracking, "wr2022_excerpt", "gdp", "level")
    assert (row["base_year"], row["base_value"]) == (2021, 1876.0)
    assert (row["latest_year"], row["latest_value"], row["latest_kind"]) == (
        2025,
        2400.0,
        "expected",
    )
    assert row["g_required"] == pytest.approx((2800 / 1876) ** (1 / 5) - 1)
    assert row["g_remaining"] == pytest.approx(2800 / 2400 - 1)
    R = (math.log(2400 / 1876) / math.log(2800 / 1876)) / (4 / 5)
    assert row["progress_ratio_R"] == pytest.approx(R) and round(R, 3) == 0.769
    assert row["label_zh"] == "滞后于预期"


def test_life_expectancy_83_by_2026_broadly_on_schedule(result):
    row = pick(result.tracking, "wr2022_excerpt", "life_expectancy", "level")
    assert (row["base_year"], row["base_value"], row["latest_value"]) == (2020, 80.2, 82.3)
    assert row["progress_ratio_R"] == pytest.approx((2.1 / 2.8) / (5 / 6))
    assert row["label"] == "基本符合预期 (broadly on schedule)"
    assert row["g_remaining"] == pytest.approx(83 / 82.3 - 1)


def test_income_ratio_1_75_already_reached(result):
    # plan15_proposal: "收入倍差缩小至1.75左右" (2025) against "缩小至1.75以内" by 2026; base 1.86 (2021)
    row = pick(result.tracking, "wr2022_excerpt", "urban_rural_income_ratio", "ratio")
    assert (row["base_year"], row["base_value"]) == (2021, 1.86)
    assert (row["latest_year"], row["latest_value"]) == (2025, 1.75)
    assert row["progress_ratio_R"] == pytest.approx(1.0 / (4 / 5))
    assert row["label"] == "提前实现 (already reached)"


def test_industrial_output_5000_by_2026_ignores_the_jan_sep_figure(result):
    for doc in ("wr2022_excerpt", "reply2022_no4"):
        row = pick(result.tracking, doc, "industrial_output_above_scale", "level")
        assert (row["latest_year"], row["latest_value"]) == (2024, 3012.5)  # not 2062.44 (Jan-Sep)
        assert row["progress_ratio_R"] == pytest.approx(
            (math.log(3012.5 / 2494) / math.log(5000 / 2494)) / (3 / 5)
        )
        assert row["label_zh"] == "滞后于预期"


def test_13th_plan_per_capita_gdp_in_yuan_judged_against_dollars_at_the_2020_rate(result):
    # ref-003: 13th-plan goal "人均生产总值超过6万元" (gt 60,000元, 2020). ref-014: "人均生产总值
    # 突破1万美元" (2020), a lower bound. By hand, at the 2020 annual average rate of the 2020
    # national statistical communiqué (data/reference/cny_usd_rates.csv): 10,000 × 6.8974 =
    # 68,974元, so the outcome is > 68,974元. Every value above 68,974 exceeds 60,000, so the
    # bound decides: met (gt has no 'exceeded'); the gap is measured from the bound: 68,974 -
    # 60,000 = 8,974元 = +14.96% of 60,000.
    row = result.comparisons.set_index("statement_id").loc["ref-003"]
    assert row["status"] == "met" and row["outcome_id"] == "ref-014"
    assert (row["outcome_comparator"], row["outcome_value"]) == ("gt", 68974.0)
    assert (row["outcome_value_written"], row["outcome_unit_written"]) == (10000.0, "美元")
    assert row["signed_gap"] == pytest.approx(8974.0)
    assert row["relative_gap"] == pytest.approx(8974 / 60000)
    assert "10,000美元 × 6.8974元/美元 = 68,974元 (2020 annual average" in row["candidates"]
    expected = "lower bound (>68,974元): at least 8,974元 above 60,000 (+15.0%) → met"
    assert expected in row["explanation"]


def test_13th_plan_urbanization_2020_has_no_outcome(result):
    row = result.comparisons.set_index("statement_id").loc["ref-005"]
    assert row["status"] == "no_outcome" and "2021" in row["explanation"]


def test_2026_gdp_growth_range_is_not_yet_due(result):
    row = pick(result.comparisons, "wr2026_highlights", "gdp", "growth")
    assert (row["comparator"], row["value"], row["value_high"]) == ("range", 5.5, 6.0)
    assert row["status"] == "not_yet_due"


def test_coverage_is_honest_about_thin_years(result):
    cov = result.coverage.set_index("year")
    assert "outcomes but no targets" in cov.loc[2019, "note"]
    assert "only from reference figures" in cov.loc[2021, "note"]
    assert cov.loc[2020, "n_judged"] >= 1
    assert cov.loc[2026, "n_judged"] == 0 and cov.loc[2026, "n_targets"] > 0


def test_every_target_gets_exactly_one_row(result):
    st, ref = result.statements, result.reference
    n_targets = int((st["kind"] == "target").sum() + (ref["kind"] == "target").sum())
    assert len(result.comparisons) == n_targets
    assert result.comparisons["statement_id"].is_unique


# --- issue 9: matching by id and by text, the registry's new ids ------------------------------


def test_the_judged_gdp_target_is_matched_by_id(result):
    row = pick(result.comparisons, "wr2020", "gdp", "growth")
    assert row["matched_by"] == "id"
    # matched_by is filled exactly where an outcome is used (id or text), empty elsewhere
    c = result.comparisons
    assert (c["matched_by"].notna() == c["outcome_id"].notna()).all()


def test_2020_farmland_target_has_an_id_and_meets_only_the_2019_figure(result):
    # wr2020 二: "完成垦造耕地2.5万亩以上" (2020); 一: "完成垦造耕地2.8万亩" (2019): farmland_created
    row = pick(result.comparisons, "wr2020", "farmland_created", "count")
    assert (row["comparator"], row["value"], row["year"]) == ("ge", 2.5, 2020)
    assert row["status"] == "no_outcome" and pd.isna(row["matched_by"])
    assert "figures exist for 2019" in row["explanation"]
    assert "2.8万亩" in row["candidates"] and "other period" in row["candidates"]


def test_new_materials_chain_output_has_one_id_for_outcome_and_estimate(result):
    # wr2026_highlights: "新材料产业链产值增至1061亿元" (2025 outcome); plan15_proposal:
    # "新材料产业链产值有望突破千亿大关" (2025 estimate, > 1000). One id, so a cluster goal
    # "形成1个千亿级新材料产业集群" stated as ≥1000亿元 meets them.
    st = result.statements
    got = st[st["indicator_id"] == "new_materials_output"]
    assert set(zip(got["doc_id"], got["kind"], got["value"], strict=True)) >= {
        ("wr2026_highlights", "outcome", 1061.0),
        ("plan15_proposal", "expected", 1000.0),
    }


def test_central_city_income_2026_is_not_a_city_wide_figure(result):
    # reply2022_no4: "市区常住人口超过100万人" is the urban districts' population, not 常住人口
    row = pick(result.comparisons, "reply2022_no4", "central_city_population", "level")
    assert row["value"] == 100.0 and row["year"] == 2026


def test_pm25_goal_shows_the_low_confidence_2021_figure_it_does_not_use(result):
    # data/reference row 26 (ref-026): 2021 PM2.5 24 µg/m³, confidence low; min_confidence is
    # medium, so the 2026 goal (<23, wr2022_excerpt) does not use it, and says so
    row = result.tracking[result.tracking["indicator_id"] == "pm25"].iloc[0]
    assert (
        "ref-026 (2021: 24微克/立方米, low confidence) not used: below min_confidence"
        in row["note"]
    )
