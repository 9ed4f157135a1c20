"""Pace (methods.md §7): a multi-year goal's still-needed growth against next year's target.

Known answers on the shipped corpus, computed by hand from the documents:

* General budget revenue. wr2022_excerpt (000_*.txt): "财政总收入和一般公共预算收入分别达到400亿元、
  240亿元" (the 2026 goal); wr2026_highlights (002_*.txt): "一般公共预算收入达到216.1亿元" (2025) and
  "一般公共预算收入增长2%以上" (the 2026 target). Needed: 240 / 216.1 − 1 = 0.110597 = 11.06% in
  2026; planned 2% → below_pace by 11.0597 − 2 = 9.06 pp (both nominal).
* GDP. wr2022_excerpt: "全市生产总值超过2800亿元"; plan15_proposal (003_*.txt): "预计2025年全市生产总值
  达到2400亿元" (an estimate, the latest level); wr2026_highlights: "全市生产总值增长5.5—6%". Needed:
  2800 / 2400 − 1 = 16.67% nominal; planned: the range's midpoint 5.75% real → below_pace by
  16.6667 − 5.75 = 10.92 pp, flagged real_vs_nominal (indicative only).
"""

from __future__ import annotations

import pandas as pd
import pytest

from qzanalysis import schema
from qzanalysis.compare import track_targets
from qzanalysis.compare.pace import pace_table, real_growth_ids
from qzanalysis.indicators import load_registry
from qzanalysis.pipeline import analyse
from qzanalysis.schema import PACE_STATUSES
from statement_rows import make_statements

REGISTRY = load_registry()


# --------------------------------------------------------------------------- shipped corpus
@pytest.fixture(scope="module")
def shipped():
    a = analyse()
    return pace_table(
        a.tracking, a.statements, a.reference, registry=a.registry, published=a.published
    ).set_index("indicator_id")


def test_budget_revenue_needs_11_06_percent_and_the_target_is_2(shipped):
    row = shipped.loc["general_budget_revenue"]
    assert (row["doc_id"], row["target_year"], row["target_value"]) == ("wr2022_excerpt", 2026, 240)
    assert (row["latest_year"], row["latest_value"]) == (2025, 216.1)
    assert row["g_remaining"] == pytest.approx(240 / 216.1 - 1)
    assert row["needed_growth"] == pytest.approx(11.0597, abs=1e-4)
    assert (row["annual_doc_id"], row["annual_year"]) == ("wr2026_highlights", 2026)
    assert (row["annual_comparator"], row["annual_growth"]) == ("ge", 2.0)
    assert row["pace_status"] == "below_pace" and not row["real_vs_nominal"]
    assert row["shortfall_pp"] == pytest.approx((240 / 216.1 - 1) * 100 - 2)
    assert "needs growth of 11.06% in 2026 (= (240 / 216.1) − 1)" in row["explanation"]
    assert row["explanation"].endswith("growth 2%以上 (wr2026_highlights) → below_pace by 9.06 pp")


def test_gdp_real_target_against_the_nominal_level_goal(shipped):
    row = shipped.loc["gdp"]
    assert (row["target_value"], row["latest_value"], row["latest_kind"]) == (
        2800,
        2400,
        "expected",
    )
    assert row["needed_growth"] == pytest.approx((2800 / 2400 - 1) * 100)
    assert (row["annual_value"], row["annual_value_high"]) == (5.5, 6.0)
    assert row["annual_comparator"] == "range" and row["annual_growth"] == pytest.approx(5.75)
    assert row["real_vs_nominal"] and row["pace_status"] == "below_pace"
    assert row["shortfall_pp"] == pytest.approx(16.6666667 - 5.75)
    assert "real growth 5.5–6% (midpoint 5.75%)" in row["explanation"]
    assert "indicative only" in row["explanation"]


def test_only_goals_with_a_growth_target_the_next_year(shipped):
    # the other tracked goals (规上工业总产值 to 2024, PM2.5 to 2019, ...) have no growth target
    # for the year after their latest outcome
    assert sorted(shipped.index) == ["gdp", "general_budget_revenue"]
    assert set(shipped["pace_status"]) <= set(PACE_STATUSES)


# --------------------------------------------------------------------------- hand-built rows
PUBLISHED = {"plan": "2022-04", "wr2025": "2025-01-20", "wr2026": "2026-01-21"}


def pace(rows, **kw):
    st = make_statements(rows)
    tracking = track_targets(st, registry=REGISTRY, published=PUBLISHED)
    return pace_table(tracking, st, registry=REGISTRY, published=PUBLISHED, **kw)


def budget(annual: dict) -> list[dict]:
    """Goal 240亿元 for 2022-2026, 216.1亿元 in 2025, and one 2026 annual target."""
    common = dict(indicator_id="general_budget_revenue", unit="亿元", measure="level")
    return [
        dict(kind="target", doc_id="plan", period_start="2022", period_end="2026", value=240.0,
             **common),
        dict(kind="outcome", doc_id="wr2026", period_end="2025", value=216.1, **common),
        dict(kind="target", doc_id="wr2026", indicator_id="general_budget_revenue",
             measure="growth", period_end="2026", unit="%", **annual),
    ]  # fmt: skip


def test_a_target_at_or_above_the_needed_growth_is_consistent():
    row = pace(budget(dict(comparator="ge", value=12.0))).iloc[0]
    assert row["pace_status"] == "consistent" and row["shortfall_pp"] == 0.0
    assert row["explanation"].endswith("→ consistent")


def test_a_range_target_uses_its_midpoint():
    # 10.5–11.5%: midpoint 11 < 11.06 needed → below pace by 0.06 pp
    row = pace(budget(dict(comparator="range", value=10.5, value_high=11.5))).iloc[0]
    assert row["annual_growth"] == 11.0 and row["pace_status"] == "below_pace"
    assert row["shortfall_pp"] == pytest.approx((240 / 216.1 - 1) * 100 - 11)


def pm25(annual: dict) -> list[dict]:
    """PM2.5 below 23 by 2026 (lower_better); 25 in 2021 and 24 in 2024; a 2025 annual target.
    Needed: (23 / 24)^(1/2) − 1 = −2.1053% a year over 2025-2026."""
    common = dict(indicator_id="pm25", unit="微克/立方米", measure="level")
    return [
        dict(kind="target", doc_id="plan", period_start="2022", period_end="2026",
             comparator="lt", value=23.0, **common),
        dict(kind="outcome", doc_id="wr2025", period_end="2021", value=25.0, **common),
        dict(kind="outcome", doc_id="wr2025", period_end="2024", value=24.0, **common),
        dict(kind="target", doc_id="wr2025", indicator_id="pm25", period_end="2025", **annual),
    ]  # fmt: skip


NEEDED_FALL = ((23 / 24) ** 0.5 - 1) * 100  # −2.1053


def test_lower_better_consistent_when_the_planned_fall_reaches_the_needed_fall():
    # "PM2.5浓度下降3%": a relative change in %, read as growth −3% ≤ −2.1053%
    row = pace(pm25(dict(measure="change", direction="decrease", unit="%", value=3.0))).iloc[0]
    assert row["needed_growth"] == pytest.approx(NEEDED_FALL)
    assert row["annual_growth"] == -3.0 and row["pace_status"] == "consistent"
    assert "needs a fall of 2.11% a year in 2025-2026 (= (23 / 24)^(1/2) − 1)" in row["explanation"]
    assert "change 下降3%" in row["explanation"]


def test_lower_better_below_pace_when_the_planned_fall_is_too_small():
    row = pace(pm25(dict(measure="growth", direction="decrease", unit="%", value=1.0))).iloc[0]
    assert row["pace_status"] == "below_pace"
    assert row["shortfall_pp"] == pytest.approx(-1.0 - NEEDED_FALL)  # 1.1053 pp


def test_an_absolute_change_is_never_a_growth_rate():
    rows = pm25(dict(measure="change", direction="decrease", unit="百分点", value=3.0))
    assert pace(rows).empty


def test_no_row_without_an_annual_target_for_the_year_after_the_latest_outcome():
    # latest outcome 2025 → the 2026 target counts; a 2025 target does not
    rows = budget(dict(comparator="ge", value=12.0))
    rows[2]["period_end"] = "2025"
    rows[2]["doc_id"] = "wr2025"
    out = pace(rows)
    assert out.empty and list(out.columns) == schema.columns("pace")


def test_real_growth_indicators_and_their_override():
    real = real_growth_ids(REGISTRY)
    assert {"gdp", "industrial_va_above_scale"} <= real
    assert not {"general_budget_revenue", "retail_sales"} & real
    gdp = [
        dict(kind="target", doc_id="plan", indicator_id="gdp", measure="level", unit="亿元",
             period_start="2022", period_end="2026", comparator="gt", value=2800.0),
        dict(kind="expected", doc_id="wr2026", indicator_id="gdp", measure="level", unit="亿元",
             period_end="2025", value=2400.0),
        dict(kind="target", doc_id="wr2026", indicator_id="gdp", measure="growth", unit="%",
             period_end="2026", comparator="range", value=5.5, value_high=6.0),
    ]  # fmt: skip
    assert pace(gdp).iloc[0]["real_vs_nominal"]
    plain = pace(gdp, real_growth=[]).iloc[0]
    assert not plain["real_vs_nominal"] and "indicative" not in plain["explanation"]


def test_bad_input_gets_a_clear_message():
    st = make_statements(budget(dict(comparator="ge", value=2.0)))
    with pytest.raises(ValueError, match=r"pace_table: tracking lacks column\(s\) .*g_remaining"):
        pace_table(st, st, registry=REGISTRY, published=PUBLISHED)
    tracking = track_targets(st, registry=REGISTRY, published=PUBLISHED)
    with pytest.raises(TypeError, match="statements must be a DataFrame"):
        pace_table(tracking, None, registry=REGISTRY, published=PUBLISHED)
    assert isinstance(pace_table(tracking, st, registry=REGISTRY, published={}), pd.DataFrame)
