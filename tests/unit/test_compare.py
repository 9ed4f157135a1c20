"""Verdict rules of methods.md §3, matching of §2, tracking of §4, consistency and coverage."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from qzanalysis.compare import (
    check_consistency,
    compare_targets,
    coverage_by_year,
    judge,
    track_targets,
)
from qzanalysis.indicators import load_registry
from qzanalysis.reference import load_reference
from qzanalysis.stats import trend_prediction
from qzanalysis.units import convert_value, published_decimals
from statement_rows import make_statements

AS_OF = "2026-01-21"
REGISTRY = load_registry()


def one(rows, *, reference=None, **kw):
    """Compare hand-built rows; return the comparison row of the first target."""
    st = make_statements(rows)
    kw.setdefault("as_of", AS_OF)
    out = compare_targets(st, reference, registry=REGISTRY, published={}, **kw)
    first = st.loc[st["kind"] == "target", "statement_id"].iloc[0]
    return out.set_index("statement_id").loc[first]


def target(**kw):
    base = dict(
        kind="target",
        doc_id="docA",
        indicator_id="gdp",
        measure="growth",
        period_end="2020",
        unit="%",
        comparator="approx",
        value=7.0,
    )
    return {**base, **kw}


def outcome(**kw):
    base = dict(
        kind="outcome",
        doc_id="docB",
        indicator_id="gdp",
        measure="growth",
        period_end="2020",
        unit="%",
        comparator="eq",
    )
    return {**base, **kw}


# --------------------------------------------------------------------------- approx (both sides)
@pytest.mark.parametrize(
    "y, status, gap",
    [
        (7.0, "met", 0.0),
        (7.2, "met", 0.2),
        (6.8, "met", -0.2),
        (7.3, "exceeded", 0.3),
        (6.7, "narrow_miss", -0.3),
        (6.6, "narrow_miss", -0.4),
        (6.5, "missed", -0.5),
    ],
)
def test_approx_band_on_both_sides(y, status, gap):
    row = one([target(), outcome(value=y)])
    assert row["status"] == status
    assert row["signed_gap"] == pytest.approx(gap)


def test_approx_two_sided_deviation_either_way_is_bad():
    cpi = dict(indicator_id="cpi", value=3.5)
    above = one([target(**cpi), outcome(indicator_id="cpi", value=3.8)])
    below = one([target(**cpi), outcome(indicator_id="cpi", value=3.2)])
    far = one([target(**cpi), outcome(indicator_id="cpi", value=2.9)])
    assert (above["status"], below["status"], far["status"]) == (
        "narrow_miss",
        "narrow_miss",
        "missed",
    )
    assert above["signed_gap"] == pytest.approx(-0.3) and below["signed_gap"] == pytest.approx(-0.3)


def test_approx_tolerance_is_a_parameter():
    row = one([target(), outcome(value=6.6)], tolerance_pp=0.5)
    assert row["status"] == "met" and row["tolerance"] == 0.5


def test_approx_level_tolerance_is_one_percent_of_target():
    rows = [
        target(measure="level", unit="亿元", value=2400.0, period_end="2025"),
        outcome(measure="level", unit="亿元", value=2380.0, period_end="2025"),
    ]
    row = one(rows)
    assert row["tolerance"] == pytest.approx(24.0)
    assert row["status"] == "met"
    assert one([rows[0], {**rows[1], "value": 2360.0}])["status"] == "narrow_miss"


# --------------------------------------------------------------------------- ge / gt / le / lt
def test_ge_met_exceeded_and_misses():
    assert judge("ge", 7, 7, tau=0.2).status == "met"
    assert judge("ge", 7, 7.6, tau=0.2).status == "exceeded"
    assert judge("ge", 7, 7.4, tau=0.2).status == "met"  # 7.4 is 7 at the target's precision
    assert judge("ge", 7, 6.9, tau=0.2, decimals=1).status == "narrow_miss"
    assert judge("ge", 7, 6.0, tau=0.2).status == "missed"


def test_gt_exact_hit_is_boundary():
    v = judge("gt", 2800, 2800, tau=28)
    assert v.status == "boundary" and v.signed_gap == 0
    assert judge("gt", 2800, 2801, tau=28).status == "met"  # gt has no 'exceeded'


def test_lt_exact_hit_is_boundary_and_below_is_met():
    assert judge("lt", 23, 23, tau=0.23).status == "boundary"
    assert judge("lt", 23, 22, tau=0.23).status == "met"
    assert judge("lt", 23, 24, tau=0.23).status == "missed"


def test_le_at_or_below_is_met_never_exceeded():
    assert judge("le", 3.5, 3.5, tau=0.2).status == "met"
    assert judge("le", 3.5, 2.0, tau=0.2).status == "met"
    assert judge("le", 3.5, 3.8, tau=0.2).status == "narrow_miss"


def test_published_precision_rounds_outcome_to_target_decimals():
    # "超过2800亿元" against 2800.4: at 0 decimals the outcome is 2800 -> boundary; raw gap kept.
    v = judge("gt", 2800, 2800.4, tau=28)
    assert v.status == "boundary"
    assert v.signed_gap == pytest.approx(0.4) and v.signed_gap_published == 0
    # "7%以上" against 6.96 is 7 at the target's precision -> met, raw gap -0.04.
    v = judge("ge", 7, 6.96, tau=0.2)
    assert v.status == "met" and v.signed_gap == pytest.approx(-0.04)
    # a target written 6.5 is judged at one decimal: 6.46 -> 6.5 (half up, not banker's)
    assert judge("ge", 6.5, 6.45, tau=0.2).status == "met"
    assert (published_decimals(7.0), published_decimals(6.5), published_decimals(1.826)) == (
        0,
        1,
        3,
    )


# --------------------------------------------------------------------------- range and eq
@pytest.mark.parametrize(
    "y, status",
    [(5.8, "met"), (5.5, "met"), (6.3, "exceeded"), (5.4, "narrow_miss"), (5.0, "missed")],
)
def test_range_overshoot_on_good_side_is_exceeded(y, status):
    row = one([target(comparator="range", value=5.5, value_high=6.0), outcome(value=y)])
    assert row["status"] == status


def test_range_lower_better_overshoot_below_is_exceeded():
    rows = [
        target(
            indicator_id="surveyed_unemployment_rate",
            measure="share",
            comparator="range",
            value=4.0,
            value_high=5.0,
        ),
        outcome(indicator_id="surveyed_unemployment_rate", measure="share", value=3.0),
    ]
    assert one(rows)["status"] == "exceeded"
    rows[1]["value"] = 5.2  # 5 at the target's precision: still within the range
    assert one(rows)["status"] == "met"
    rows[1]["value"] = 6.0
    assert one(rows)["status"] == "missed"


def test_eq_follows_polarity():
    assert judge("eq", 7, 7.5, polarity="higher_better", tau=0.2).status == "exceeded"
    assert judge("eq", 3.5, 3.0, polarity="lower_better", tau=0.2).status == "exceeded"
    assert judge("eq", 3.5, 3.6, polarity="lower_better", tau=0.2).status == "narrow_miss"
    assert judge("eq", 3.0, 3.1, polarity="two_sided", tau=0.2).status == "met"


def test_just_met_flags_results_right_at_the_threshold():
    assert bool(one([target(comparator="ge"), outcome(value=7.05)])["just_met"]) is True
    assert bool(one([target(comparator="ge"), outcome(value=7.3)])["just_met"]) is False
    assert bool(one([target(comparator="ge"), outcome(value=6.0)])["just_met"]) is False
    assert pd.isna(
        one([target(comparator="ge", period_end="2026"), outcome(value=7.0)])["just_met"]
    )


# --------------------------------------------------------------------------- decreases, changes, counts
def test_decrease_target_level_lower_better():
    rows = [
        target(
            indicator_id="pm25", measure="level", unit="微克/立方米", comparator="le", value=35.0
        ),
        outcome(indicator_id="pm25", measure="level", unit="微克/立方米", value=33.0),
    ]
    row = one(rows)
    assert row["status"] == "met" and row["signed_gap"] == pytest.approx(2.0)
    rows[1]["value"] = 36.0
    row = one(rows)
    assert row["status"] == "missed" and row["signed_gap"] == pytest.approx(-1.0)  # tau = 0.35


def test_change_target_derived_from_base_and_end_levels():
    # "PM2.5浓度下降10%" over 2021-2022: base 2020 = 30, 2022 = 26 -> fell 13.33%.
    pm = dict(indicator_id="pm25", unit="微克/立方米", measure="level")
    rows = [
        target(
            indicator_id="pm25",
            measure="change",
            direction="decrease",
            unit="%",
            comparator="eq",
            value=10.0,
            period_start="2021",
            period_end="2022",
        ),
        outcome(**pm, value=30.0, period_end="2020"),
        outcome(**pm, value=26.0, period_end="2022"),
    ]
    row = one(rows)
    assert row["outcome_value"] == pytest.approx(100 * 4 / 30)
    assert row["status"] == "exceeded" and row["signed_gap"] == pytest.approx(100 * 4 / 30 - 10)
    rows[2]["value"] = 28.0  # fell only 6.67%
    assert one(rows)["status"] == "missed"


def test_relative_and_absolute_changes_are_never_mixed():
    rows = [
        target(
            indicator_id="urbanization_rate",
            measure="change",
            direction="increase",
            unit="百分点",
            comparator="eq",
            value=1.0,
        ),
        outcome(
            indicator_id="urbanization_rate",
            measure="change",
            direction="increase",
            unit="%",
            value=1.5,
        ),
    ]
    row = one(rows)
    assert row["status"] == "not_comparable"
    assert "never mixed" in row["explanation"]


def test_cumulative_count_sums_the_span():
    ht = dict(indicator_id="new_high_tech_enterprises", measure="count", unit="家")
    rows = [target(**ht, comparator="eq", value=500.0, period_start="2021", period_end="2025")]
    rows += [
        outcome(**ht, value=v, period_end=str(y))
        for y, v in zip(range(2021, 2026), (90.0, 100.0, 110.0, 100.0, 120.0), strict=True)
    ]
    row = one(rows)
    assert row["outcome_value"] == 520.0 and row["status"] == "exceeded"
    assert row["signed_gap"] == 20.0 and "+" in row["outcome_id"]
    # one year missing: no sum, no verdict
    assert one(rows[:-1])["status"] == "no_outcome"


# --------------------------------------------------------------------------- units, measures, periods
def test_unit_conversions_are_exact():
    assert convert_value(216.1, "亿元", "万元") == 2161000.0
    assert convert_value(2161000, "万元", "亿元") == 216.1
    assert convert_value(2.8, "万人", "人") == 28000.0
    assert convert_value(76633, "元", "万元") == 7.6633
    assert convert_value(1, "亿元", "万人") is None
    rows = [
        target(
            indicator_id="new_urban_employment",
            measure="count",
            unit="万人",
            comparator="ge",
            value=2.2,
        ),
        outcome(indicator_id="new_urban_employment", measure="count", unit="人", value=28000.0),
    ]
    row = one(rows)
    assert row["outcome_value"] == 2.8 and row["status"] == "exceeded"
    assert row["signed_gap"] == pytest.approx(0.6)


def test_growth_is_never_compared_with_a_level():
    rows = [target(), outcome(measure="level", unit="亿元", value=1639.0)]
    row = one(rows)
    assert row["status"] == "not_comparable"
    assert "never compared with a level" in row["explanation"]


def test_part_year_figure_never_judges_an_annual_target():
    rows = [
        target(
            indicator_id="industrial_output_above_scale",
            measure="level",
            unit="亿元",
            comparator="ge",
            value=2500.0,
            period_end="2022",
        ),
        outcome(
            indicator_id="industrial_output_above_scale",
            measure="level",
            unit="亿元",
            value=2062.44,
            period_start="2022-01",
            period_end="2022-09",
        ),
    ]
    row = one(rows)
    assert row["status"] == "not_comparable"
    assert "2022-01..2022-09" in row["explanation"] and "annual" in row["explanation"]


def test_not_yet_due_when_period_ends_after_as_of():
    rows = [target(period_end="2026"), outcome(value=6.0, period_end="2025")]
    assert one(rows)["status"] == "not_yet_due"
    assert one(rows, as_of="2027-02")["status"] == "no_outcome"


def test_default_as_of_is_latest_document_date():
    st = make_statements([target(period_end="2026", doc_id="wr2026_highlights")])
    out = compare_targets(
        st, None, registry=REGISTRY, published={"wr2026_highlights": "2026-01-21"}
    )
    assert out.attrs["parameters"]["as_of"] == "2026-01-21"
    assert out["status"].iloc[0] == "not_yet_due"


def test_unmapped_indicator_past_is_no_outcome_future_is_not_yet_due():
    row = one([target(indicator_id=None, indicator_text="全员劳动生产率"), outcome(value=1.0)])
    assert row["status"] == "no_outcome"
    assert "not in the registry" in row["explanation"] and "indicators.yaml" in row["explanation"]
    row = one([target(indicator_id=None, indicator_text="全员劳动生产率", period_end="2030")])
    assert row["status"] == "not_yet_due" and "not in the registry" in row["explanation"]


# --------------------------------------------------------------------------- outcome preference
def _ref_rows(rows):
    ref = make_statements(rows)
    ref["doc_id"] = ""
    ref["confidence"] = [r.get("confidence", "medium") for r in rows]
    ref["source_url"] = "http://example.org/page"
    return ref


def test_corpus_outcome_preferred_over_reference_and_reference_over_expected():
    st = [
        target(),
        outcome(value=6.0, doc_id="docB"),
        outcome(kind="expected", value=7.0, doc_id="docC"),
    ]
    ref = _ref_rows([outcome(statement_id="ref-001", value=6.5, confidence="high")])
    row = one(st, reference=ref)
    assert row["outcome_value"] == 6.0 and row["outcome_source"] == "docB"
    assert row["n_candidates"] == 3 and "ref-001" in row["candidates"]
    row = one([st[0], st[2]], reference=ref)
    assert row["outcome_value"] == 6.5 and row["outcome_confidence"] == "high"
    row = one([st[0], st[2]])
    assert row["outcome_kind"] == "expected" and "expected" in row["explanation"]


def test_low_confidence_reference_is_listed_but_not_used():
    ref = _ref_rows([outcome(statement_id="ref-009", value=6.9, confidence="low")])
    row = one([target()], reference=ref)
    assert row["status"] == "no_outcome" and "ref-009" in row["candidates"]
    assert one([target()], reference=ref, min_confidence="low")["status"] == "met"


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_explanation_is_checkable_by_hand():
    ref = load_reference()
    row = one([target(doc_id="wr2020")], reference=ref)
    assert row["explanation"] == (
        "target growth ≈7% (±0.2pp); outcome 3.5% (reference ref-008, medium confidence, 2020); "
        "3.5 pp below 7 → missed"
    )


# --------------------------------------------------------------------------- tracking
def test_worked_example_general_budget_revenue_needs_11_06_percent():
    st = make_statements(
        [
            dict(
                doc_id="wr2022_excerpt",
                kind="target",
                indicator_id="general_budget_revenue",
                measure="level",
                period_start="2022",
                period_end="2026",
                value=240.0,
                unit="亿元",
            ),
            dict(
                doc_id="wr2026_highlights",
                kind="outcome",
                indicator_id="general_budget_revenue",
                measure="level",
                period_end="2025",
                value=216.1,
                unit="亿元",
            ),
        ]
    )
    tr = track_targets(st, None, registry=REGISTRY, published={"wr2022_excerpt": "2022-04"})
    row = tr.iloc[0]
    assert round(row["g_remaining"] * 100, 2) == 11.06
    assert math.isclose(row["g_remaining"], 240 / 216.1 - 1)


def test_tracking_progress_ratio_labels():
    st = make_statements(
        [
            dict(
                doc_id="p",
                kind="target",
                indicator_id="life_expectancy",
                measure="level",
                period_start="2022",
                period_end="2026",
                value=83.0,
                unit="岁",
                comparator="ge",
            ),
            dict(
                doc_id="r",
                kind="outcome",
                indicator_id="life_expectancy",
                measure="level",
                period_end="2020",
                value=80.2,
                unit="岁",
            ),
            dict(
                doc_id="r",
                kind="outcome",
                indicator_id="life_expectancy",
                measure="level",
                period_end="2025",
                value=82.3,
                unit="岁",
            ),
        ]
    )
    row = track_targets(st, None, registry=REGISTRY, published={}).iloc[0]
    # linear progress P = 2.1/2.8 = 0.75 over t/T = 5/6 -> R = 0.9 exactly -> 基本符合预期
    assert row["progress_P"] == pytest.approx(0.75) and row["progress_ratio_R"] == pytest.approx(
        0.9
    )
    assert row["label"] == "基本符合预期 (broadly on schedule)"


def test_trend_prediction_interval_uses_statsmodels_frame():
    years, values = [2020, 2021, 2022, 2023], [100.0, 110.0, 121.0, 133.1]
    pred = trend_prediction(years, values, 2026, alpha=0.2)
    assert pred["mean"] == pytest.approx(100 * 1.1**6, rel=1e-9)
    assert pred["lower"] <= pred["mean"] <= pred["upper"]


def test_tracking_trend_call_on_track_and_off_track():
    rows = [
        dict(
            doc_id="p",
            kind="target",
            indicator_id="gdp",
            measure="level",
            period_start="2022",
            period_end="2026",
            value=T,
            unit="亿元",
            comparator="ge",
        )
        for T in (1500.0, 5000.0)
    ]
    rows += [
        dict(
            doc_id="r",
            kind="outcome",
            indicator_id="gdp",
            measure="level",
            period_end=str(y),
            value=v,
            unit="亿元",
        )
        for y, v in zip(range(2019, 2024), (1000, 1060, 1130, 1190, 1265), strict=True)
    ]
    tr = track_targets(make_statements(rows), None, registry=REGISTRY, published={}).set_index(
        "target_value"
    )
    assert tr.loc[1500.0, "trend_call"] == "on_track"
    assert (
        tr.loc[5000.0, "trend_call"] == "off_track" and tr.loc[5000.0, "label_zh"] == "滞后于预期"
    )
    assert "only 5 annual points" in tr.loc[5000.0, "note"]


# --------------------------------------------------------------------------- consistency, coverage
def test_consistency_lists_estimate_replaced_by_final_with_both_sources():
    st = make_statements(
        [
            dict(
                doc_id="plan15_proposal",
                kind="expected",
                indicator_id="gdp",
                measure="level",
                period_end="2025",
                value=2400.0,
                unit="亿元",
                comparator="approx",
            ),
            dict(
                doc_id="later_bulletin",
                kind="outcome",
                indicator_id="gdp",
                measure="level",
                period_end="2025",
                value=23800000.0,
                unit="万元",
            ),
        ]
    )
    out = check_consistency(st, None, registry=REGISTRY, published={})
    row = out[out["check"] == "estimate_vs_final"].iloc[0]
    assert {row["source_a"], row["source_b"]} == {"plan15_proposal", "later_bulletin"}
    # 2400亿元 vs 23800000万元 (= 2380亿元): compared after an exact unit conversion
    assert abs(row["relative_difference"]) == pytest.approx(20 / 2380, rel=1e-3)


def test_consistency_ignores_agreement_at_published_precision():
    st = make_statements(
        [
            dict(
                doc_id="a",
                kind="outcome",
                indicator_id="gdp",
                measure="level",
                period_end="2023",
                value=2125.2,
                unit="亿元",
            ),
            dict(
                doc_id="b",
                kind="outcome",
                indicator_id="gdp",
                measure="level",
                period_end="2023",
                value=2125.0,
                unit="亿元",
            ),
        ]
    )
    assert check_consistency(st, None, registry=REGISTRY, published={}).empty


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_consistency_level_versus_growth_from_reference():
    out = check_consistency(make_statements([]), load_reference(), registry=REGISTRY, published={})
    lg = out[(out["check"] == "level_vs_growth") & (out["period"] == "2022")].iloc[0]
    # 2021 1876 -> 2022 2003.4 is 6.79% nominal; the stated real growth is 4.8%
    assert lg["value_a"] == pytest.approx((2003.4 / 1876 - 1) * 100)
    assert lg["value_b"] == 4.8 and "constant prices" in lg["note"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_coverage_says_what_each_year_lacks():
    st = make_statements(
        [
            dict(
                doc_id="wr2020",
                kind="outcome",
                indicator_id="gdp",
                measure="growth",
                period_end="2019",
                value=6.7,
                unit="%",
            ),
            target(doc_id="wr2020"),
        ]
    )
    ref = load_reference()
    cmp = compare_targets(st, ref, registry=REGISTRY, published={"wr2020": "2020-01"}, as_of=AS_OF)
    cov = coverage_by_year(st, ref, comparisons=cmp).set_index("year")
    assert "outcomes but no targets" in cov.loc[2019, "note"]
    assert "only from reference figures" in cov.loc[2021, "note"]
    # 2020: the corpus growth target, and ref-003 (元 goal judged against 美元 at the 2020 rate)
    assert cov.loc[2020, "n_judged"] == 2
    assert set(range(2019, 2026)) <= set(cov.index)  # the default years are always listed
