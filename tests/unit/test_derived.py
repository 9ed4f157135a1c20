"""Levels implied by stated average changes (methods.md §7), and their use in tracking only.

Known answers from the shipped documents and data/reference (rows picked by document, indicator
and measure, never by id):

* plan15_proposal: "城镇化率年均提升1个百分点以上" over the 14th plan (2021-2025). The base must be
  the 2020 level; neither the corpus nor the reference has one (the reference's only figure is
  58.1% for 2021, ref-025, inside the span), so no level is derived and the row says why. With a
  2020 base added by hand (58.2%, hypothetical, as a user would add it to data/reference):
  58.2 + 1 × 5 = 63.2, and 以上 keeps it a lower bound: ≥63.2% in 2025.
* wr2026_highlights: "全市生产总值年均增长6.4%" (2021-2025) with the 2020 GDP of 1639亿元 (ref-007):
  1.064^2 = 1.132096, 1.064^5 = 1.3636664, 1639 × 1.3636664 = 2,235.05亿元. GDP growth is real
  (comparable prices) and 1639 is nominal, so this is a 2020-prices figure: shown, not derived.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from qzanalysis import schema
from qzanalysis.compare import track_targets
from qzanalysis.compare.derived import DERIVATIONS, DERIVED_KIND, derived_levels, level_comparator
from qzanalysis.indicators import load_registry
from qzanalysis.pipeline import analyse
from statement_rows import make_statements

REGISTRY = load_registry()


def reference(rows: list[dict], confidence: str = "medium") -> pd.DataFrame:
    """Hand-built reference rows (the statements' columns plus confidence and source_url)."""
    return make_statements([{"kind": "outcome", **r} for r in rows]).assign(
        doc_id=pd.NA, confidence=confidence, source_url="https://example.org/page"
    )


def urban_base(value: float = 58.2, year: str = "2020", **kw) -> dict:
    return dict(
        statement_id="ref-900",
        indicator_id="urbanization_rate",
        measure="share",
        period_end=year,
        value=value,
        unit="%",
        **kw,
    )


def derive(rows: list[dict], ref: pd.DataFrame | None = None, **kw) -> pd.DataFrame:
    return derived_levels(make_statements(rows), ref, registry=REGISTRY, published={}, **kw)


# --------------------------------------------------------------------------- shipped corpus
@pytest.fixture(scope="module")
def shipped():
    a = analyse()
    return a, derived_levels(a.statements, a.reference, registry=a.registry, published=a.published)


def pick(frame: pd.DataFrame, doc_id: str, indicator_id: str, measure: str) -> pd.Series:
    sel = frame[
        (frame["doc_id"] == doc_id)
        & (frame["indicator_id"] == indicator_id)
        & (frame["measure"] == measure)
    ]
    assert len(sel) == 1, f"expected one {doc_id}/{indicator_id}/{measure} row, found {len(sel)}"
    return sel.iloc[0]


def test_shipped_urbanization_change_has_no_2020_base(shipped):
    _, table = shipped
    row = pick(table, "plan15_proposal", "urbanization_rate", "change")
    assert (row["period_start"], row["period_end"], row["year"]) == ("2021", "2025", 2025)
    assert (row["value"], row["unit"], row["comparator"]) == (1.0, "百分点", "ge")
    assert row["derivation"] == "additive" and not row["derived"]
    assert pd.isna(row["derived_value"])
    assert "no 2020 level of 常住人口城镇化率" in row["explanation"]
    assert "2021 (ref-025)" in row["explanation"]  # a later level never stands in


def test_shipped_urbanization_with_a_2020_base_is_at_least_63_2(shipped):
    a, _ = shipped
    ref = pd.concat([a.reference, reference([urban_base()])], ignore_index=True)
    table = derived_levels(a.statements, ref, registry=a.registry, published=a.published)
    row = pick(table, "plan15_proposal", "urbanization_rate", "change")
    assert row["derived"] and row["derived_value"] == 63.2
    assert (row["derived_comparator"], row["derived_unit"], row["base_id"]) == (
        "ge",
        "%",
        "ref-900",
    )
    assert (row["base_year"], row["base_level"]) == (2020, 58.2)
    assert row["statement_id"].startswith("plan15_proposal:")
    assert row["explanation"].startswith(
        "2020 level 58.2% (ref-900) + 1 pp × 5 years = ≥63.2% in 2025"
    )


def test_shipped_gdp_growth_is_real_so_no_nominal_level(shipped):
    _, table = shipped
    row = pick(table, "wr2026_highlights", "gdp", "growth")
    assert (row["base_id"], row["base_level"], row["derivation"]) == (
        "ref-007",
        1639.0,
        "compounding",
    )
    assert not row["derived"] and pd.isna(row["derived_value"])
    assert "1,639亿元 (ref-007) × (1 + 6.4%)^5 = ≈2,235.05亿元 in 2025" in row["explanation"]
    assert "comparable prices" in row["explanation"]


def test_shipped_corpus_derives_no_level_yet(shipped):
    _, table = shipped
    assert list(table.columns) == schema.columns("derived")
    assert not table["derived"].any()
    assert set(table["derivation"].dropna()) <= set(DERIVATIONS)
    # "高于全省平均水平0.5个百分点" is a gap to the province, not an annual change
    assert not table["indicator_text"].str.contains("全省平均").any()


def test_shipped_tracking_unchanged_by_shipped_derived(shipped):
    a, table = shipped
    kw = dict(registry=a.registry, published=a.published, as_of=a.parameters["as_of"])
    plain = track_targets(a.statements, a.reference, **kw)
    pd.testing.assert_frame_equal(
        plain, track_targets(a.statements, a.reference, derived=table, **kw)
    )


# --------------------------------------------------------------------------- hand-built rows
def change(**kw) -> dict:
    """An outcome change over 2021-2025 with 年均 in its clause."""
    base = dict(
        doc_id="d",
        kind="outcome",
        indicator_id="urbanization_rate",
        measure="change",
        direction="increase",
        period_start="2021",
        period_end="2025",
        value=1.0,
        unit="百分点",
        comparator="ge",
        quote="城镇化率年均提升1个百分点以上",
        evidence="1个百分点以上",
    )
    return {**base, **kw}


def growth(**kw) -> dict:
    base = dict(
        doc_id="d",
        kind="outcome",
        indicator_id="general_budget_revenue",
        measure="growth",
        direction="increase",
        period_start="2021",
        period_end="2025",
        value=8.9,
        unit="%",
    )
    return {**base, **kw}


def budget_base(value: float = 100.0, year: str = "2020", **kw) -> dict:
    return dict(
        kind="outcome",
        indicator_id="general_budget_revenue",
        measure="level",
        period_end=year,
        value=value,
        unit="亿元",
        **kw,
    )


def test_percent_growth_compounds():
    # 一般公共预算收入 年均增长8.9% from 100亿元 in 2020: 100 × 1.089^5 = 153.158亿元
    row = derive([growth(), budget_base()]).iloc[0]
    assert row["derivation"] == "compounding" and row["derived"]
    assert row["derived_value"] == pytest.approx(100 * 1.089**5) == pytest.approx(153.158, abs=1e-3)
    assert row["derived_comparator"] == "approx"  # a rounded rate without a bound
    assert "2020 level 100亿元 (t001) × (1 + 8.9%)^5 = ≈153.158亿元 in 2025" in row["explanation"]


def test_percentage_points_add_but_percent_compounds():
    base = reference([urban_base(50.0)])
    pp = derive([change(value=1.0, unit="百分点", comparator="eq")], base).iloc[0]
    pct = derive(
        [change(value=1.0, unit="%", comparator="eq", quote="城镇化率年均提升1%", evidence="1%")],
        base,
    ).iloc[0]
    assert (pp["derivation"], pp["derived_value"]) == ("additive", 55.0)  # 50 + 1 × 5
    assert pct["derivation"] == "compounding"
    assert pct["derived_value"] == pytest.approx(50 * 1.01**5)  # 52.5505
    assert math.isclose(pct["derived_value"], 52.550502505)


def test_a_decrease_subtracts_and_turns_the_bound_over():
    # 城镇登记失业率 年均下降0.2个百分点以上 from 3.0%: 3.0 - 0.2 × 5 = 2.0, and at most that
    rows = [
        change(
            indicator_id="registered_unemployment_rate",
            direction="decrease",
            value=0.2,
            quote="城镇登记失业率年均下降0.2个百分点以上",
            evidence="0.2个百分点以上",
        ),
        dict(
            kind="outcome",
            indicator_id="registered_unemployment_rate",
            measure="share",
            period_end="2020",
            value=3.0,
            unit="%",
        ),
    ]
    row = derive(rows).iloc[0]
    assert (row["derived_value"], row["derived_comparator"]) == (2.0, "le")
    assert "3% (t001) − 0.2 pp × 5 years = ≤2% in 2025" in row["explanation"]


def test_a_percent_fall_compounds_downwards():
    # PM2.5 年均下降5% from 30: 30 × 0.95^5 = 23.2134
    rows = [
        change(
            indicator_id="pm25",
            direction="decrease",
            value=5.0,
            unit="%",
            comparator="eq",
            quote="PM2.5平均浓度年均下降5%",
            evidence="5%",
        ),
        dict(
            kind="outcome", indicator_id="pm25", period_end="2020", value=30.0, unit="微克/立方米"
        ),
    ]
    row = derive(rows).iloc[0]
    assert row["derived_value"] == pytest.approx(30 * 0.95**5) == pytest.approx(23.2134, abs=1e-4)
    assert "× (1 − 5%)^5" in row["explanation"]


def test_no_base_gives_a_row_saying_why():
    row = derive([growth()]).iloc[0]
    assert not row["derived"] and pd.isna(row["derived_value"]) and pd.isna(row["base_id"])
    assert row["explanation"].startswith("not derived: no 2020 level of 一般公共预算收入")
    assert "quzhou_reference_facts.csv" in row["explanation"]


def test_a_later_level_never_stands_in_for_the_base():
    row = derive([growth(), budget_base(year="2021")]).iloc[0]
    assert not row["derived"] and "levels are known for 2021 (t001)" in row["explanation"]


def test_low_confidence_base_needs_min_confidence_low():
    low = reference([urban_base()], confidence="low")
    assert not derive([change()], low).iloc[0]["derived"]
    assert derive([change()], low, min_confidence="low").iloc[0]["derived_value"] == 63.2


def test_which_statements_are_stated_changes():
    rows = [
        change(quote="高于全省平均水平1个百分点", evidence="1个百分点"),  # a gap, not 年均
        change(kind="target"),  # a plan
        growth(period_start="2025"),  # one year: not an average over a span
        growth(period_start="2021-01", period_end="2025-09"),  # not whole years
        growth(indicator_id=None, indicator_text="某产业"),  # kept, with the reason
    ]
    out = derive(rows)
    assert len(out) == 1
    assert "not in the registry" in out.iloc[0]["explanation"]


def test_bounds_and_estimates():
    ref = reference([urban_base(comparator="le")])  # the base is an upper bound
    assert "opposite sides" in derive([change()], ref).iloc[0]["explanation"]
    est = derive([change(kind="expected")], reference([urban_base()])).iloc[0]
    assert est["derived"] and "the stated change is an estimate (expected)" in est["explanation"]
    assert level_comparator("gt", False, "ge") == "gt"
    assert level_comparator("ge", True, "eq") == "le"
    assert level_comparator("ge", False, "approx") == "approx"
    assert level_comparator("ge", False, "lt") is None


def test_range_and_unknown_unit_are_not_derived():
    ref = reference([urban_base()])
    rng = derive([change(comparator="range", value_high=1.5)], ref).iloc[0]
    odd = derive([change(unit="‰")], ref).iloc[0]
    assert "range" in rng["explanation"] and "unit ‰" in odd["explanation"]
    assert not rng["derived"] and not odd["derived"]


def test_bad_input_has_a_clear_message():
    with pytest.raises(ValueError, match="min_confidence 'best': use one of high, medium, low"):
        derive([growth()], min_confidence="best")
    with pytest.raises(ValueError, match="statements lacks column\\(s\\) evidence"):
        derived_levels(
            make_statements([growth()]).drop(columns=["evidence"]),
            registry=REGISTRY,
            published={},
        )
    with pytest.raises(ValueError, match="reference lacks column\\(s\\) confidence, source_url"):
        derive([growth()], make_statements([budget_base()]))


# --------------------------------------------------------------------------- tracking only
def urban_goal(value: float = 65.0, **kw) -> dict:
    """A 2022-2026 share goal set in 2022 (hypothetical value)."""
    base = dict(
        doc_id="wr2022_excerpt",
        kind="target",
        indicator_id="urbanization_rate",
        measure="share",
        period_start="2022",
        period_end="2026",
        value=value,
        unit="%",
        comparator="ge",
    )
    return {**base, **kw}


def track(rows: list[dict], ref: pd.DataFrame | None, derived: pd.DataFrame | None):
    st = make_statements(rows)
    pub = {"wr2022_excerpt": "2022-04"}
    return track_targets(st, ref, registry=REGISTRY, published=pub, derived=derived)


def test_a_goal_gets_a_derived_trajectory_point():
    rows, ref = [urban_goal(), change()], reference([urban_base()])
    derived = derived_levels(make_statements(rows), ref, registry=REGISTRY, published={})
    row = track(rows, ref, derived).iloc[0]
    assert (row["latest_year"], row["latest_value"], row["latest_kind"]) == (
        2025,
        63.2,
        DERIVED_KIND,
    )
    assert row["latest_source"] == "derived ≥63.2% from t001 and base ref-900"
    assert (row["base_year"], row["base_value"]) == (2020, 58.2)
    # linear progress P = (63.2 - 58.2) / (65 - 58.2) = 0.7353 over t/T = 5/6 -> R = 0.8824
    assert row["progress_P"] == pytest.approx(5 / 6.8)
    assert row["progress_ratio_R"] == pytest.approx((5 / 6.8) / (5 / 6))
    assert row["g_remaining"] == pytest.approx(65 / 63.2 - 1)
    assert "derived from a stated change" in row["note"] and "never a verdict" in row["note"]
    plain = track(rows, ref, None).iloc[0]
    assert plain["latest_year"] == 2020 and plain["latest_kind"] == "outcome"


def test_a_derived_point_never_overrides_a_stated_level():
    ref = reference([urban_base(), {**urban_base(62.0, year="2025"), "statement_id": "ref-901"}])
    rows = [urban_goal(), change()]
    derived = derived_levels(make_statements(rows), ref, registry=REGISTRY, published={})
    assert derived.iloc[0]["derived_value"] == 63.2
    row = track(rows, ref, derived).iloc[0]
    assert (row["latest_value"], row["latest_kind"]) == (62.0, "outcome")
    pd.testing.assert_frame_equal(track(rows, ref, derived), track(rows, ref, None))


def test_a_derived_level_never_makes_a_goal_due():
    rows, ref = [urban_goal(period_end="2025"), change()], reference([urban_base()])
    derived = derived_levels(make_statements(rows), ref, registry=REGISTRY, published={})
    row = track(rows, ref, derived).iloc[0]
    assert row["latest_year"] == 2020 and row["latest_kind"] == "outcome"


def test_a_lower_bound_cannot_show_a_fall_reached():
    goal = urban_goal(indicator_id="registered_unemployment_rate", value=3.5, comparator="le")
    point = dict(
        statement_id="s1",
        indicator_id="registered_unemployment_rate",
        year=2025,
        derived=True,
        derived_value=2.0,
        derived_unit="%",
        base_id="b1",
        explanation="…",
    )
    for bound, reached in (("ge", False), ("le", True)):
        derived = schema.from_records("derived", [{**point, "derived_comparator": bound}])
        row = track([goal], None, derived).iloc[0]
        assert (row["label_zh"] is not pd.NA and row["label_zh"] == "提前实现") is reached


def test_default_and_empty_derived_change_nothing():
    rows, ref = [urban_goal(), change()], reference([urban_base()])
    plain = track(rows, ref, None)
    pd.testing.assert_frame_equal(plain, track(rows, ref, schema.empty("derived")))
    with pytest.raises(ValueError, match="derived lacks column"):
        track(rows, ref, pd.DataFrame({"indicator_id": ["x"]}))
