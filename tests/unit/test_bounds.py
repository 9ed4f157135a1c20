"""Outcomes stated as bounds or approximations (methods.md §7, "Bounds and approximations").

Every rule of ``judge(..., outcome_comparator=...)`` with hand-made numbers, then the same rules
through ``compare_targets`` (a bound that cannot decide is refused and the next figure used; a
decrease flips the bound; sums and derived changes of bounds), then real sentences of the shipped
corpus with the answer computed by hand.

Reading aid: a lower bound "> v" (超过/突破/以上) says the true value is above v. Its open end
runs to infinity, so it is judged only when every value it allows gets the same answer.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from qzanalysis.compare import compare_targets, judge
from qzanalysis.compare.candidates import combined_comparator
from qzanalysis.compare.verdicts import gap_text
from qzanalysis.corpus import load_corpus
from qzanalysis.extract import extract_statements
from qzanalysis.indicators import load_registry
from statement_rows import make_statements

AS_OF = "2026-01-21"
REGISTRY = load_registry()


def J(comparator, target, v, outcome_comparator, **kw):  # noqa: N802 - a table reads better
    kw.setdefault("tau", 0.2)
    return judge(comparator, target, v, outcome_comparator=outcome_comparator, **kw)


# --------------------------------------------------------------------------- eq keeps everything
@pytest.mark.parametrize(
    "comparator, target, y",
    [("ge", 7, 7.6), ("gt", 2800, 2800.4), ("le", 3.5, 3.8), ("lt", 23, 23), ("approx", 7, 6.7)],
)
def test_exact_outcome_is_judged_as_before(comparator, target, y):
    assert J(comparator, target, y, "eq") == judge(comparator, target, y, tau=0.2)


def test_unknown_outcome_comparator_is_an_error():
    with pytest.raises(ValueError, match="outcome comparator"):
        J("ge", 7, 7, "about")


# --------------------------------------------------------------------------- approx outcomes
@pytest.mark.parametrize(
    "comparator, target, v, tau, status",
    [
        ("ge", 7, 7.1, 0.2, "boundary"),  # exact 7.1 would be met: 约7.1 is only about at 7
        ("ge", 7, 6.9, 0.2, "boundary"),  # exact 6.9 would be met at 0 decimals; still about
        ("gt", 7, 7.2, 0.2, "boundary"),  # within tau, not shown above
        ("le", 35, 35.3, 0.35, "boundary"),  # exact 35.3 would be met (35 at 0 decimals)
        ("lt", 35, 34.7, 0.35, "boundary"),  # exact 34.7 would be met (35 → boundary)
        ("ge", 7, 7.5, 0.2, "exceeded"),  # 0.5 beyond tau: judged as the exact 7.5
        ("ge", 7, 6.4, 0.2, "missed"),  # 6 at 0 decimals, 1 below: as exact
        ("le", 3.5, 3.8, 0.2, "narrow_miss"),  # 0.3 above, beyond tau, within 2 tau
    ],
)
def test_approx_outcome_near_a_threshold_is_boundary(comparator, target, v, tau, status):
    verdict = J(comparator, target, v, "approx", tau=tau)
    assert verdict.status == status
    assert verdict.outcome_comparator == "approx"
    assert verdict.signed_gap == pytest.approx(judge(comparator, target, v, tau=tau).signed_gap)


def test_approx_outcome_of_eq_target_follows_polarity():
    # eq of a one-sided indicator is a threshold (§3): 约7.1 against "= 7" is about at it
    assert J("eq", 7, 7.1, "approx", polarity="higher_better").status == "boundary"
    # eq of a two-sided indicator is "about T": the band already absorbs the approximation
    assert J("eq", 3.0, 3.1, "approx", polarity="two_sided").status == "met"


def test_approx_outcome_of_approx_target_is_judged_as_exact():
    assert J("approx", 7, 7.1, "approx").status == "met"
    assert J("approx", 7, 6.7, "approx").status == "narrow_miss"


# --------------------------------------------------------------------------- lower bounds
@pytest.mark.parametrize(
    "comparator, target, bound, v, status",
    [
        ("ge", 7, "gt", 7, "met"),  # y > 7 ≥ 7: v ≥ T suffices for ge (v > T not needed)
        ("ge", 7, "ge", 7, "met"),
        ("ge", 7, "gt", 8, "exceeded"),  # y > 8: already 1 above 7 at 0 decimals
        ("ge", 7, "gt", 6.96, "met"),  # every y > 6.96 is 7 at the target's 0 decimals
        ("gt", 60000, "gt", 68974, "met"),  # gt has no 'exceeded'
        ("gt", 2800, "gt", 2800, "boundary"),  # y > 2800 may be 2800.4 = 2800 at 0 decimals
        ("eq", 7, "gt", 7.6, "exceeded"),  # eq of a higher_better indicator is ge
        ("range", 5.5, "gt", 6.5, "exceeded"),  # [5.5, 6] higher_better: beyond the good end
    ],
)
def test_lower_bound_on_a_floor_target_is_judged_by_its_worst_case(
    comparator, target, bound, v, status
):
    high = 6.0 if comparator == "range" else None
    verdict = J(comparator, target, v, bound, target_high=high, tau=28 if target > 100 else 0.2)
    assert (verdict.status, verdict.outcome_comparator) == (status, bound)
    assert verdict.signed_gap == pytest.approx(v - target)  # measured from v


@pytest.mark.parametrize(
    "comparator, target, v",
    [("ge", 7, 6.4), ("gt", 7, 6.0), ("range", 5.5, 5.0), ("eq", 7, 6.0)],
)
def test_lower_bound_short_of_a_floor_is_undecided(comparator, target, v):
    high = 6.0 if comparator == "range" else None
    verdict = J(comparator, target, v, "gt", target_high=high, polarity="higher_better")
    assert verdict.status == "not_comparable"
    assert "a lower bound short of the target cannot show it was met" in verdict.note
    assert math.isnan(verdict.signed_gap)


@pytest.mark.parametrize(
    "comparator, target, bound, v, tau, note",
    [
        ("le", 35, "gt", 37, 0.35, ""),  # y > 37: 2 above the limit 35
        ("lt", 35, "gt", 36, 0.35, ""),  # y > 36
        ("le", 3.5, "gt", 3.6, 0.2, "cannot tell a narrow miss from a miss"),  # exact: narrow
        ("eq", 3.5, "gt", 4.0, 0.2, ""),  # eq of a lower_better indicator is le
    ],
)
def test_lower_bound_above_a_ceiling_proves_a_miss(comparator, target, bound, v, tau, note):
    verdict = J(comparator, target, v, bound, tau=tau, polarity="lower_better")
    assert verdict.status == "missed"
    assert verdict.signed_gap == pytest.approx(target - v)  # from v, in the good direction
    assert note in verdict.note


@pytest.mark.parametrize(
    "comparator, target, bound, v",
    [
        ("le", 35, "gt", 30),  # y > 30 may be 33 (met) or 40 (missed)
        ("le", 35, "ge", 35),  # y ≥ 35 may be exactly 35: met
        ("le", 35, "gt", 35),  # y > 35 may be 35.3, which is 35 at the target's 0 decimals
        ("lt", 35, "ge", 35),  # y = 35 would be boundary, an attainment
        ("le", 35, "gt", 35.4),  # rounds to 35: the best case is still met
    ],
)
def test_lower_bound_can_never_show_a_ceiling_was_kept(comparator, target, bound, v):
    verdict = J(comparator, target, v, bound, tau=0.35)
    assert verdict.status == "not_comparable"
    assert verdict.note == "a lower bound cannot show that an upper limit was kept"


# --------------------------------------------------------------------------- upper bounds
@pytest.mark.parametrize(
    "comparator, target, bound, v, status",
    [
        ("le", 35, "lt", 35, "met"),  # y < 35
        ("le", 35, "le", 30, "met"),
        ("lt", 35, "lt", 35, "boundary"),  # y < 35 may be 34.6 = 35 at 0 decimals
        ("lt", 35, "lt", 33, "met"),
        ("eq", 3.5, "lt", 3.0, "exceeded"),  # lower_better eq: 0.5 better than planned
    ],
)
def test_upper_bound_on_a_ceiling_target_is_judged_by_its_worst_case(
    comparator, target, bound, v, status
):
    verdict = J(comparator, target, v, bound, tau=0.35, polarity="lower_better")
    assert (verdict.status, verdict.outcome_comparator) == (status, bound)


def test_upper_bound_above_a_ceiling_is_undecided():
    verdict = J("le", 35, 40, "lt", tau=0.35)
    assert verdict.status == "not_comparable"
    assert "an upper bound short of the target cannot show it was met" in verdict.note


def test_upper_bound_below_a_floor_proves_a_miss_and_never_a_hit():
    assert J("ge", 7, 5, "lt").status == "missed"  # y < 5
    verdict = J("ge", 7, 8, "lt")  # y < 8 may be 7.5 or 3
    assert verdict.status == "not_comparable"
    assert verdict.note == "an upper bound cannot show that a lower limit was reached"


# --------------------------------------------------------------------------- two-sided targets
def test_bound_on_a_two_sided_target_shows_only_a_miss_on_its_open_side():
    cpi = dict(polarity="two_sided", tau=0.2)
    assert J("approx", 3.0, 3.5, "gt", **cpi).status == "missed"  # y > 3.5, band 2.8-3.2
    assert J("approx", 3.0, 2.5, "lt", **cpi).status == "missed"  # y < 2.5
    for v, bound in ((2.5, "gt"), (3.0, "gt"), (3.5, "lt")):
        verdict = J("approx", 3.0, v, bound, **cpi)
        assert verdict.status == "not_comparable" and "two-sided" in verdict.note
    assert J("range", 3.0, 3.6, "gt", target_high=3.5, **cpi).status == "missed"


# --------------------------------------------------------------------------- explanations
def test_gap_of_a_bound_says_at_least_or_at_most():
    v = J("gt", 60000, 68974, "gt", tau=600)
    assert gap_text(68974, v, "元") == (
        "lower bound (>68,974元): at least 8,974元 above 60,000 (+15.0%)"
    )
    v = J("le", 35, 37, "gt", tau=0.35)
    assert gap_text(37, v, "微克/立方米") == (
        "lower bound (>37微克/立方米): at least 2微克/立方米 above 35 (+5.7%)"
    )
    v = J("ge", 7, 6.96, "gt")
    assert gap_text(6.96, v, "%") == "lower bound (>6.96%): at most 0.04 pp below 7"
    v = J("le", 35, 33, "lt", tau=0.35)
    assert gap_text(33, v, "%").startswith("upper bound (<33%): at least 2 pp below 35")
    v = J("ge", 7, 7, "ge")
    assert gap_text(7, v, "%") == "lower bound (≥7%): at or above the target"


def test_explanation_of_approx_and_undecided_outcomes():
    v = J("ge", 7, 7.1, "approx")
    assert gap_text(7.1, v, "%").startswith("about 0.1 pp above 7 (stated as about 7.1")
    v = J("le", 35, 30, "gt", tau=0.35)
    assert gap_text(30, v, "%") == "a lower bound cannot show that an upper limit was kept"


def test_combined_comparator_of_sums():
    assert combined_comparator(["eq", "eq"]) == "eq"
    assert combined_comparator(["eq", "approx"]) == "approx"
    assert combined_comparator(["eq", "ge", "gt"]) == "gt"
    assert combined_comparator(["le", "eq"]) == "le"
    assert combined_comparator(["ge", "le"]) is None
    assert combined_comparator(["ge", "approx"]) is None


# --------------------------------------------------------------------------- through the comparison
def one(rows, **kw):
    st = make_statements(rows)
    out = compare_targets(st, None, registry=REGISTRY, published={}, as_of=AS_OF, **kw)
    first = st.loc[st["kind"] == "target", "statement_id"].iloc[0]
    return out.set_index("statement_id").loc[first]


def pm25(kind="target", **kw):
    base = dict(
        kind=kind,
        doc_id="docA" if kind == "target" else "docB",
        indicator_id="pm25",
        measure="level",
        period_end="2020",
        unit="微克/立方米",
        comparator="le",
        value=35.0,
    )
    return {**base, **kw}


def test_undecided_bound_is_refused_and_the_next_figure_judges():
    rows = [pm25(), pm25("outcome", comparator="gt", value=30.0, doc_id="docB")]
    row = one(rows)
    assert row["status"] == "not_comparable"
    assert "a lower bound cannot show that an upper limit was kept" in row["explanation"]
    rows.append(pm25("outcome", comparator="eq", value=33.0, doc_id="docC"))
    row = one(rows)
    assert row["status"] == "met" and row["outcome_value"] == 33.0
    assert "cannot show that an upper limit was kept" in row["candidates"]


def test_bound_above_a_ceiling_through_the_comparison():
    row = one([pm25(), pm25("outcome", comparator="gt", value=37.0)])
    assert row["status"] == "missed" and row["signed_gap"] == pytest.approx(-2.0)
    assert row["outcome_comparator"] == "gt"
    assert "at least 2微克/立方米 above 35" in row["explanation"]


def test_decrease_stated_with_a_bound_flips_when_judged_as_growth():
    # "下降超过3%" judged as growth is y < -3: an upper bound; against "增长2%以上" it is a miss
    growth = dict(indicator_id="gdp", measure="growth", unit="%", period_end="2020")
    rows = [
        dict(kind="target", doc_id="a", comparator="ge", value=2.0, **growth),
        dict(
            kind="outcome", doc_id="b", comparator="gt", value=3.0, direction="decrease", **growth
        ),
    ]
    row = one(rows)
    assert (row["status"], row["outcome_comparator"]) == ("missed", "lt")
    assert row["outcome_value"] == -3.0


def test_fall_stated_with_a_bound_against_a_fall_target_keeps_its_side():
    # target "PM2.5浓度下降20%"; outcome "下降超过25%": the fall is more than 25 -> exceeded
    change = dict(
        indicator_id="pm25",
        measure="change",
        unit="%",
        direction="decrease",
        period_start="2016",
        period_end="2020",
    )
    rows = [
        dict(kind="target", doc_id="a", comparator="eq", value=20.0, **change),
        dict(kind="outcome", doc_id="b", comparator="gt", value=25.0, **change),
    ]
    row = one(rows)
    assert (row["status"], row["outcome_comparator"]) == ("exceeded", "gt")
    assert row["signed_gap"] == pytest.approx(5.0)


def test_sum_of_counts_with_lower_bounds_is_a_lower_bound():
    ht = dict(indicator_id="new_high_tech_enterprises", measure="count", unit="家")
    rows = [
        dict(
            kind="target",
            doc_id="a",
            comparator="ge",
            value=500.0,
            period_start="2021",
            period_end="2025",
            **ht,
        )
    ]
    rows += [
        dict(
            kind="outcome",
            doc_id="b",
            value=100.0,
            period_end=str(y),
            comparator="gt" if y == 2023 else "eq",
            **ht,
        )
        for y in range(2021, 2026)
    ]
    row = one(rows)  # 4 × 100 + (> 100) = more than 500
    assert (row["status"], row["outcome_comparator"]) == ("met", "gt")
    assert row["outcome_value"] == 500.0
    rows[3]["comparator"] = "lt"  # one lower and one upper bound: the sum is unknown
    rows[4]["comparator"] = "gt"
    row = one(rows)
    assert row["status"] == "not_comparable" and "sum is unknown" in row["explanation"]


def test_change_derived_from_a_lower_bound_end_level():
    # PM2.5 2015 = 40, 2020 "< 30" (an upper bound on the end level): the fall is more than 25%
    pm = dict(indicator_id="pm25", unit="微克/立方米", measure="level")
    rows = [
        dict(
            kind="target",
            doc_id="a",
            indicator_id="pm25",
            measure="change",
            unit="%",
            direction="decrease",
            comparator="eq",
            value=20.0,
            period_start="2016",
            period_end="2020",
        ),
        dict(kind="outcome", doc_id="b", value=40.0, period_end="2015", **pm),
        dict(kind="outcome", doc_id="b", value=30.0, period_end="2020", comparator="lt", **pm),
    ]
    row = one(rows)
    assert row["outcome_value"] == pytest.approx(25.0)
    assert (row["status"], row["outcome_comparator"]) == ("exceeded", "gt")


# --------------------------------------------------------------------------- the shipped corpus
@pytest.fixture(scope="module")
def corpus_statements():
    return extract_statements(load_corpus(), REGISTRY)


def real(st: pd.DataFrame, doc_id: str, indicator_id: str) -> dict:
    sel = st[
        (st["doc_id"] == doc_id)
        & (st["indicator_id"] == indicator_id)
        & (st["measure"] == "level")
        & (st["kind"] == "outcome")
        & (st["period_end"] == "2025")
    ]
    assert len(sel) == 1, f"expected one {doc_id}/{indicator_id} 2025 level, found {len(sel)}"
    return sel.iloc[0].to_dict()


def judged_against(row: dict, **target) -> pd.Series:
    base = dict(
        statement_id="hand-target",
        kind="target",
        doc_id="hand",
        measure="level",
        period_end="2025",
        indicator_id=row["indicator_id"],
    )
    st = pd.concat([make_statements([{**base, **target}]), pd.DataFrame([row])], ignore_index=True)
    out = compare_targets(st, None, registry=REGISTRY, published={}, as_of=AS_OF)
    return out.set_index("statement_id").loc["hand-target"]


def test_per_capita_gdp_broke_100000_yuan(corpus_statements):
    # data/raw/002_*.txt (wr2026_highlights): "人均地区生产总值突破10万元" -> y > 10万元 (2025)
    row = real(corpus_statements, "wr2026_highlights", "gdp_per_capita")
    assert (row["value"], row["unit"], row["comparator"]) == (10.0, "万元", "gt")
    # against "达到10万元以上": y > 10 ≥ 10 -> met, on the target
    got = judged_against(row, unit="万元", comparator="ge", value=10.0)
    assert got["status"] == "met" and got["signed_gap"] == 0
    assert "lower bound (>10万元): above the target → met" in got["explanation"]
    # against "9.5万元以上": y > 10 is already 0.5 above 9.5 at one decimal -> exceeded
    got = judged_against(row, unit="万元", comparator="ge", value=9.5)
    assert got["status"] == "exceeded" and got["signed_gap"] == pytest.approx(0.5)
    assert "at least 0.5万元 above 9.5 (+5.3%)" in got["explanation"]
    # against "10.5万元以上": y > 10 may be 10.2 or 11 -> undecided, never judged
    got = judged_against(row, unit="万元", comparator="ge", value=10.5)
    assert got["status"] == "not_comparable"
    assert "a lower bound short of the target cannot show it was met" in got["explanation"]
    # against a ceiling "不超过9万元": y > 10 is at least 1万元 above it -> missed
    got = judged_against(row, unit="万元", comparator="le", value=9.0)
    assert got["status"] == "missed" and got["signed_gap"] == pytest.approx(-1.0)


def test_urban_and_rural_income_exceeded_66000_and_38000_yuan(corpus_statements):
    # "城乡居民人均可支配收入分别超过6.6万元、3.8万元": both are lower bounds (2025)
    urban = real(corpus_statements, "wr2026_highlights", "urban_disposable_income")
    rural = real(corpus_statements, "wr2026_highlights", "rural_disposable_income")
    assert (urban["value"], urban["comparator"]) == (6.6, "gt")
    assert (rural["value"], rural["comparator"]) == (3.8, "gt")
    # urban against "达到6.5万元" (eq, higher_better = at least): > 6.6 is 0.1 above -> exceeded
    got = judged_against(urban, unit="万元", comparator="eq", value=6.5)
    assert got["status"] == "exceeded" and got["signed_gap"] == pytest.approx(0.1)
    assert "at least 0.1万元 above 6.5 (+1.5%)" in got["explanation"]
    # rural against "4万元以上": the target has 0 decimals, and every y > 3.8 is at least 4
    # when rounded to them -> met (as an exact 3.8 would be), though a hair below 4 is possible
    assert judged_against(rural, unit="万元", comparator="ge", value=4.0)["status"] == "met"
    # rural against "4.2万元以上": > 3.8 may be 3.9 or 4.3 -> undecided, never judged
    got = judged_against(rural, unit="万元", comparator="ge", value=4.2)
    assert got["status"] == "not_comparable"
    # rural in 元 against "38000元以上": 3.8万元 = 38,000元 exactly, y > 38,000 -> met
    got = judged_against(rural, unit="元", comparator="ge", value=38000.0)
    assert got["status"] == "met" and got["outcome_value"] == 38000.0
