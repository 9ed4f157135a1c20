"""One indicator across the years (compare/history.py): the data of an indicator's page.

Known answers on the shipped corpus, worked out by hand from data/raw/ and
data/reference/quzhou_reference_facts.csv (reference row ``ref-NNN`` is data row NNN, i.e. file
line NNN + 1). Corpus rows are picked by doc_id + measure + year, never by statement_id:

* GDP growth, 2020. wr2020 (001_*.txt, the 2020 work report) sets "主要预期目标为：地区生产总值增长7%
  左右" and reviews 2019 with "全市地区生产总值增长6.7%". methods.md §3: τ = 0.2 pp for growth, so
  the band is 7 ± 0.2 = 6.8..7.2. The 2020 outcome is ref-008 (line 9: "GDP real growth, 2020,
  3.5%"); 3.5 is 3.5 pp below 7, beyond 2τ on the bad side → missed. Ratchet Δ = 7 − 6.7 = +0.3 pp.
* ref-001 (line 2) is the 13th-plan goal "年均增长7%左右" over 2016-2020: drawn at 2020 with the
  same band but as its own row (no 2016-2020 average outcome exists → no_outcome).
* GDP growth, 2026. wr2026_highlights (002_*.txt): "全市生产总值增长5.5—6%" → a range band
  5.5..6.0, not yet due (latest information 2026-01); it reports 2025 as "全市生产总值增长5.5%", so
  Δ = midpoint 5.75 − 5.5 = +0.25 pp. Its "全市生产总值年均增长6.4%" covers 2021-2025: a multi-year
  outcome, not drawn.
* GDP level, 2026. wr2022_excerpt (000_*.txt): "全市生产总值超过2800亿元" (gt) → low 2800, no high.
* Estimates. ref-057 (line 58) "预计全年GDP增长6.5%左右" for 2024 → series estimate. The 2025 level
  2400亿元 is stated twice: plan15_proposal (003_*.txt) "预计2025年全市生产总值达到2400亿元" and
  ref-061 (line 62) → drawn once, from the corpus document.
* PM2.5. wr2020 "市区PM2.5浓度均值控制在35微克/立方米以下" (le) → high 35, no low; wr2022_excerpt
  "市区PM2.5年平均浓度低于23微克/立方米" (lt, 2026) → high 23.
* 规上工业总产值 2026 "突破5000亿元" is in wr2022_excerpt and in reply2022_no4 (004_*.txt, "力争到
  2026年,实现全市规上工业总产值突破5000亿元") → one target row. reply2022_no4's "1—9月,全市规上工业实现
  总产值2062.44亿元" is a part-year figure → no 2022 point (but listed among the statements).
  Likewise ref-050 (line 51, budget revenue Jan-Nov 2023, 194.9亿元) gives no 2023 point.
"""

from __future__ import annotations

import pandas as pd
import pytest

from qzanalysis import schema
from qzanalysis.compare.history import (
    HISTORY_DTYPES,
    STATEMENT_COLUMNS,
    UNUSED_DTYPES,
    indicator_page,
    indicator_series,
    indicators_with_targets,
    parse_candidates,
    statements_about,
    target_band,
    target_history,
    unused_candidates,
)
from qzanalysis.pipeline import analyse
from qzanalysis.schema import SERIES
from statement_rows import make_statements


# --------------------------------------------------------------------------- shipped corpus
@pytest.fixture(scope="module")
def shipped():
    return analyse()


def series_of(a, indicator_id: str) -> pd.DataFrame:
    return indicator_series(
        indicator_id, statements=a.statements, reference=a.reference, comparisons=a.comparisons
    )


def one(frame: pd.DataFrame, **where) -> pd.Series:
    sel = frame
    for col, value in where.items():
        sel = sel[sel[col] == value]
    assert len(sel) == 1, f"expected one row with {where}, found {len(sel)}"
    return sel.iloc[0]


def test_series_follows_the_schema(shipped):
    got = series_of(shipped, "gdp")
    assert list(got.columns) == schema.columns("indicator_series")
    assert {c: str(t) for c, t in got.dtypes.items()} == schema.dtypes("indicator_series")
    assert set(got["series"]) <= set(SERIES)
    assert (got["indicator_id"] == "gdp").all()
    assert got["year"].is_monotonic_increasing


def test_gdp_2020_growth_target_band_status_and_outcome(shipped):
    got = series_of(shipped, "gdp")
    target = one(got, series="target", measure="growth", year=2020, doc_id="wr2020")
    assert (target["value"], target["comparator"]) == (7.0, "approx")
    assert (target["low"], target["high"]) == pytest.approx((6.8, 7.2))
    assert target["status"] == "missed"
    outcome = one(got, series="outcome", measure="growth", year=2020)
    assert (outcome["statement_id"], outcome["value"]) == ("ref-008", 3.5)
    assert "chinadaily" in outcome["source_url"]
    assert pd.isna(outcome["low"]) and pd.isna(outcome["high"]) and pd.isna(outcome["status"])
    # The 2019 outcome the ratchet reads from wr2020.
    assert one(got, series="outcome", measure="growth", year=2019)["value"] == 6.7


def test_a_multi_year_goal_falls_due_at_its_end_and_stays_its_own_row(shipped):
    got = series_of(shipped, "gdp")
    goal = one(got, statement_id="ref-001")
    assert (goal["year"], goal["series"], goal["status"]) == (2020, "target", "no_outcome")
    assert (goal["low"], goal["high"]) == pytest.approx((6.8, 7.2))
    assert pd.isna(goal["doc_id"])
    # Only whole single years are drawn: the 2021-2025 average growth 6.4% is not.
    assert not ((got["series"] == "outcome") & (got["value"] == 6.4)).any()


def test_range_and_lower_bound_targets(shipped):
    got = series_of(shipped, "gdp")
    growth = one(got, series="target", measure="growth", year=2026)
    assert (growth["comparator"], growth["low"], growth["high"]) == ("range", 5.5, 6.0)
    assert growth["status"] == "not_yet_due"
    level = one(got, series="target", measure="level", year=2026)
    assert (level["comparator"], level["low"], level["unit"]) == ("gt", 2800.0, "亿元")
    assert pd.isna(level["high"])


def test_upper_bound_targets(shipped):
    got = series_of(shipped, "pm25")
    t2020 = one(got, series="target", year=2020)
    assert (t2020["comparator"], t2020["high"]) == ("le", 35.0)
    assert pd.isna(t2020["low"])
    t2026 = one(got, series="target", year=2026)
    assert (t2026["comparator"], t2026["high"]) == ("lt", 23.0)


def test_estimates_are_their_own_series_and_duplicates_collapse(shipped):
    got = series_of(shipped, "gdp")
    assert one(got, year=2024, measure="growth")["series"] == "estimate"
    level_2025 = one(got, year=2025, measure="level")
    assert (level_2025["series"], level_2025["value"]) == ("estimate", 2400.0)
    # Stated by plan15_proposal and by ref-061: the corpus statement is kept.
    assert level_2025["doc_id"] == "plan15_proposal"
    assert level_2025["statement_id"].startswith("plan15_proposal:")
    # Units are never converted: the level panel is in 亿元, the growth panel in %.
    assert set(zip(got["measure"], got["unit"], strict=True)) == {
        ("growth", "%"),
        ("level", "亿元"),
    }


def test_the_same_target_from_two_documents_is_drawn_once(shipped):
    got = series_of(shipped, "industrial_output_above_scale")
    target = one(got, series="target", year=2026)
    assert (target["value"], target["comparator"], target["low"]) == (5000.0, "gt", 5000.0)


def test_part_year_figures_are_not_drawn_but_listed(shipped):
    got = series_of(shipped, "industrial_output_above_scale")
    assert 2022 not in set(got["year"])  # reply2022_no4: 1—9月 2062.44亿元
    listed = statements_about(
        "industrial_output_above_scale", statements=shipped.statements, reference=shipped.reference
    )
    assert one(listed, doc_id="reply2022_no4", period_end="2022-09", measure="level")[
        "value"
    ] == pytest.approx(2062.44)
    budget = series_of(shipped, "general_budget_revenue")
    assert 2023 not in set(budget["year"])  # ref-050: Jan-Nov 2023


def test_statements_about_lists_every_row_in_period_order(shipped):
    got = statements_about("gdp", statements=shipped.statements, reference=shipped.reference)
    assert list(got.columns) == STATEMENT_COLUMNS
    s, r = shipped.statements, shipped.reference
    assert len(got) == (s["indicator_id"] == "gdp").sum() + (r["indicator_id"] == "gdp").sum()
    ends = [int(p[:4]) for p in got["period_end"]]
    assert ends == sorted(ends)
    assert got.iloc[0]["doc_id"] == "wr2020" and got.iloc[0]["period_end"] == "2019"
    ref = one(got, statement_id="ref-061")
    assert (ref["confidence"], pd.isna(ref["doc_id"])) == ("high", True)
    assert ref["source_url"].startswith("https://ghddc.qzct.net/")


def test_target_history_carries_the_ratchet(shipped):
    got = target_history("gdp", ratchet=shipped.ratchet, comparisons=shipped.comparisons)
    assert list(got.columns) == list(HISTORY_DTYPES)
    assert len(got) == 4  # wr2020 2020, ref-001 2016-2020, wr2026 2026 range, wr2022 2026 level
    y2020 = one(got, doc_id="wr2020")
    assert (y2020["status"], y2020["outcome_id"]) == ("missed", "ref-008")
    assert y2020["delta"] == pytest.approx(0.3) and y2020["delta_unit"] == "pp"
    assert y2020["previous_outcome_value"] == pytest.approx(6.7)
    assert y2020["target"] == "growth ≈7% (±0.2pp)"
    y2026 = one(got, doc_id="wr2026_highlights")
    assert y2026["delta"] == pytest.approx(0.25)
    # A multi-year goal has no ratchet Δ.
    assert pd.isna(one(got, statement_id="ref-001")["delta"])
    assert pd.isna(one(got, doc_id="wr2022_excerpt")["delta"])
    assert list(got["year"]) == sorted(got["year"])


def test_candidates_text_parses_completely(shipped):
    """Every item of every shipped ``candidates`` text is understood: the real candidates number
    ``n_candidates`` (a sum or derived figure, with '+' or '→' in its id, comes on top)."""
    c = shipped.comparisons
    for text, n in zip(c["candidates"], c["n_candidates"], strict=True):
        items = parse_candidates(text)
        assert not [i for i in items if i["note"] and not i["why"].startswith(("sum", "two"))]
        real = [i for i in items if not i["note"] and not set(i["candidate_id"]) & {"+", "→"}]
        assert len(real) == n
        rebuilt = "; ".join(
            f"({i['why']})" if i["note"] else f"{i['candidate']}: {i['why']}" for i in items
        )
        assert rebuilt == (text or "")


def test_unused_candidates_of_gdp(shipped):
    got = unused_candidates("gdp", comparisons=shipped.comparisons)
    assert list(got.columns) == list(UNUSED_DTYPES)
    target = one(shipped.comparisons, doc_id="wr2020", indicator_id="gdp")
    mine = got[got["target_statement_id"] == target["statement_id"]]
    assert len(mine) == target["n_candidates"] - 1  # all but ref-008, the one used
    assert "ref-008" not in set(mine["candidate_id"])
    level = one(mine, candidate_id="ref-007")
    assert level["why"].startswith("not comparable: a percentage growth is never compared")
    assert (level["value"], level["unit"], level["period"]) == (1639.0, "亿元", "2020")
    assert level["candidate"].startswith("ref-007 outcome level 2020 1,639亿元 [reference")
    related = unused_candidates("gdp", comparisons=shipped.comparisons, include_unrelated=False)
    assert list(related["candidate_id"]) == ["ref-007"]


def test_the_used_currency_conversion_is_not_unused(shipped):
    # ref-003 (13th plan: 人均生产总值超过6万元 in 2020) is met by ref-014 (突破1万美元 × 6.8974).
    got = unused_candidates("gdp_per_capita", comparisons=shipped.comparisons)
    assert "ref-014" not in set(got.loc[got["target_statement_id"] == "ref-003", "candidate_id"])


def test_indicators_with_targets(shipped):
    got = indicators_with_targets(shipped.comparisons, shipped.registry)
    ids = shipped.comparisons["indicator_id"].dropna()
    assert set(got) == set(ids[ids != ""]) and len(got) == len(set(got))
    assert got[:2] == ["gdp", "gdp_per_capita"]  # economy first, in registry order
    assert indicators_with_targets(shipped.comparisons, shipped.registry) == got


def test_indicator_page_bundles_the_parts(shipped):
    page = indicator_page(
        "gdp",
        statements=shipped.statements,
        reference=shipped.reference,
        comparisons=shipped.comparisons,
        ratchet=shipped.ratchet,
        include_unrelated=False,
    )
    assert page.indicator_id == "gdp"
    assert len(page.series) == len(series_of(shipped, "gdp"))
    assert list(page.unused["candidate_id"]) == ["ref-007"]


# --------------------------------------------------------------------------- synthetic frames
def _comparisons(rows: list[dict]) -> pd.DataFrame:
    return schema.from_records("comparisons", rows)


def _reference(rows: list[dict]) -> pd.DataFrame:
    frame = make_statements(rows)
    frame["source_url"] = [r.get("source_url", "http://example.org") for r in rows]
    frame["confidence"] = "medium"
    frame["source"] = "reference"
    frame["doc_id"] = ""
    return schema.coerce("reference", frame)


@pytest.mark.parametrize(
    ("comparator", "value_high", "tolerance", "band"),
    [
        ("approx", None, 0.2, (6.8, 7.2)),
        ("approx", None, None, (None, None)),  # no comparison: no band rather than a guess
        ("range", 8.0, None, (7.0, 8.0)),
        ("eq", 6.0, None, (6.0, 7.0)),  # a value_high makes a range whatever the comparator
        ("ge", None, None, (7.0, None)),
        ("gt", None, None, (7.0, None)),
        ("le", None, None, (None, 7.0)),
        ("lt", None, None, (None, 7.0)),
        ("eq", None, None, (7.0, 7.0)),
    ],
)
def test_target_band_rules(comparator, value_high, tolerance, band):
    low, high = target_band(comparator, 7.0, value_high, tolerance)
    assert (None if pd.isna(low) else low, None if pd.isna(high) else high) == band


def test_bands_and_status_come_from_the_comparisons():
    st = make_statements(
        [
            {"statement_id": "a", "indicator_id": "x", "value": 100.0, "unit": "亿元",
             "comparator": "approx", "period_end": "2024"},
            {"statement_id": "b", "indicator_id": "x", "value": 5.0, "unit": "%",
             "measure": "growth", "comparator": "ge", "period_start": "2021", "period_end": "2025"},
            {"statement_id": "c", "indicator_id": "x", "value": 1.0, "unit": "家",
             "measure": "count", "comparator": "eq", "period_end": "2024-06"},
        ]
    )  # fmt: skip
    comps = _comparisons(
        [
            {"statement_id": "a", "indicator_id": "x", "status": "met", "tolerance": 1.0},
            {"statement_id": "b", "indicator_id": "x", "status": "not_yet_due", "tolerance": 0.2},
        ]
    )
    got = indicator_series("x", statements=st, reference=None, comparisons=comps)
    assert list(got["statement_id"]) == ["a", "b"]  # c: a part-year target is not drawn
    a, b = got.iloc[0], got.iloc[1]
    assert (a["low"], a["high"], a["status"]) == (99.0, 101.0, "met")
    assert (b["year"], b["low"], pd.isna(b["high"]), b["status"]) == (
        2025,
        5.0,
        True,
        "not_yet_due",
    )


def test_duplicates_keep_corpus_first_and_distinct_values_stay():
    st = make_statements(
        [
            {"statement_id": "d2:1", "doc_id": "d2", "kind": "outcome", "indicator_id": "x",
             "value": 10.0, "unit": "万人", "period_end": "2023"},
            {"statement_id": "d1:1", "doc_id": "d1", "kind": "outcome", "indicator_id": "x",
             "value": 10.0, "unit": "万人", "period_end": "2023", "comparator": "approx"},
            {"statement_id": "d1:2", "doc_id": "d1", "kind": "outcome", "indicator_id": "x",
             "value": 11.0, "unit": "万人", "period_end": "2023"},
            {"statement_id": "d1:3", "doc_id": "d1", "kind": "outcome", "indicator_id": "x",
             "value": 100000.0, "unit": "人", "period_end": "2023"},
            {"statement_id": "d1:4", "doc_id": "d1", "kind": "expected", "indicator_id": "x",
             "value": 10.0, "unit": "万人", "period_end": "2023"},
            {"statement_id": "d1:5", "doc_id": "d1", "kind": "outcome", "indicator_id": "x",
             "value": 1.0, "value_high": 2.0, "unit": "万人", "period_end": "2022"},
        ]
    )  # fmt: skip
    ref = _reference(
        [{"statement_id": "a-ref", "kind": "outcome", "indicator_id": "x", "value": 10.0,
          "unit": "万人", "period_end": "2023"}]
    )  # fmt: skip
    got = indicator_series("x", statements=st, reference=ref, comparisons=_comparisons([]))
    y2023 = got[got["year"] == 2023]
    # 10万人 stated by d1, d2 and the reference: once, the first corpus statement_id.
    assert list(zip(y2023["series"], y2023["value"], y2023["statement_id"], strict=True)) == [
        ("outcome", 10.0, "d1:1"),
        ("outcome", 11.0, "d1:2"),  # a different figure for the same year stays visible
        ("outcome", 100000.0, "d1:3"),  # another unit: its own panel, not converted
        ("estimate", 10.0, "d1:4"),  # an estimate is another series
    ]
    ranged = one(got, year=2022)
    assert (ranged["comparator"], ranged["low"], ranged["high"]) == ("range", 1.0, 2.0)


def test_no_rows_give_empty_typed_tables():
    st = make_statements([])
    comps = _comparisons([])
    got = indicator_series("x", statements=st, reference=None, comparisons=comps)
    assert got.empty and list(got.columns) == schema.columns("indicator_series")
    assert list(statements_about("x", statements=st, reference=None).columns) == STATEMENT_COLUMNS
    assert list(target_history("x", ratchet=None, comparisons=comps).columns) == list(
        HISTORY_DTYPES
    )
    assert list(unused_candidates("x", comparisons=comps).columns) == list(UNUSED_DTYPES)
    assert indicators_with_targets(comps) == []


def test_unused_candidates_explain_usable_figures_and_keep_notes():
    first = "c1 outcome growth 2024 6.1% [d1]: usable"
    second = "ref-009 outcome growth 2024 6% [reference ref-009, medium confidence]: usable"
    early = "c3 expected count 2021..2025 -12.5家 [d2, expected figure]: usable"
    note = "(sum not possible: counts cover only part of the span 2021..2025)"
    comps = _comparisons(
        [
            {"statement_id": "t1", "indicator_id": "x", "year": 2024, "status": "met",
             "outcome_id": "c1", "candidates": f"{first}; {second}"},
            {"statement_id": "t2", "indicator_id": "x", "year": 2025, "status": "not_yet_due",
             "candidates": f"{early}; {note}"},
            {"statement_id": "t3", "indicator_id": "x", "year": 2025, "status": "no_outcome",
             "candidates": "something unforeseen"},
        ]
    )  # fmt: skip
    got = unused_candidates("x", comparisons=comps)
    assert list(got["target_statement_id"]) == ["t1", "t2", "t2", "t3"]
    assert got.iloc[0]["why"].startswith("usable, but c1 comes first in the order of preference")
    assert got.iloc[1]["why"].startswith("usable, but the target is not yet due")
    assert (got.iloc[1]["value"], got.iloc[1]["unit"], got.iloc[1]["period"]) == (
        -12.5,
        "家",
        "2021..2025",
    )
    assert got.iloc[2]["why"].startswith("sum not possible") and got.iloc[2]["candidate"] == ""
    assert got.iloc[3]["why"] == "something unforeseen"  # unknown text is kept, not dropped


def test_indicators_order_by_category_then_registry_or_id():
    comps = _comparisons(
        [
            {"statement_id": "1", "indicator_id": "b_env", "category": "environment"},
            {"statement_id": "2", "indicator_id": "z_eco", "category": "economy"},
            {"statement_id": "3", "indicator_id": "a_eco", "category": "economy"},
            {"statement_id": "4", "indicator_id": "", "category": ""},
            {"statement_id": "5", "indicator_id": "odd", "category": ""},
        ]
    )
    assert indicators_with_targets(comps) == ["a_eco", "z_eco", "b_env", "odd"]

    class Ind:
        def __init__(self, id_: str) -> None:
            self.id = id_

    registry = [Ind("z_eco"), Ind("a_eco"), Ind("b_env")]
    assert indicators_with_targets(comps, registry) == ["z_eco", "a_eco", "b_env", "odd"]
