"""Attainment rates with Wilson intervals, shortfall tests, target trends, trajectory fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qzanalysis import schema
from qzanalysis.compare import fit_trajectory
from qzanalysis.indicators import load_registry
from qzanalysis.pipeline import analyse
from qzanalysis.stats import (
    attainment_rates,
    attainment_table,
    not_tested_note,
    shortfall_tests,
    target_outcome_fit,
    target_trend,
    wilson_interval,
)
from statement_rows import make_statements


def comparisons(statuses, gaps=None, **cols):
    n = len(statuses)
    frame = pd.DataFrame(
        {
            "statement_id": [f"s{i}" for i in range(n)],
            "status": statuses,
            "signed_gap_published": gaps if gaps is not None else [np.nan] * n,
            "year": cols.get("year", [2020] * n),
            "category": cols.get("category", ["economy"] * n),
            "indicator_id": cols.get("indicator_id", ["gdp"] * n),
            "measure": ["growth"] * n,
            "unit": ["%"] * n,
            "value": [7.0] * n,
            "outcome_value": [7.0] * n,
        }
    )
    return frame.astype({"status": "string", "year": "Int64"})


def test_wilson_interval_known_numbers():
    # 3 of 10: Wilson 95% = (0.1078, 0.6032) -- not the normal approximation (0.016, 0.584)
    low, high = wilson_interval(3, 10)
    assert (round(low, 4), round(high, 4)) == (0.1078, 0.6032)
    low, high = wilson_interval(0, 5)
    assert low == pytest.approx(0.0, abs=1e-12) and round(high, 4) == 0.4345


def test_attainment_rate_strict_and_lenient_with_interval():
    cmp = comparisons(
        [
            "met",
            "exceeded",
            "boundary",
            "narrow_miss",
            "missed",
            "missed",
            "missed",
            "not_yet_due",
            "no_outcome",
            "not_comparable",
        ]
    )
    row = attainment_rates(cmp).iloc[0]
    assert (row["n_targets"], row["n_judged"], row["k_attained"], row["k_lenient"]) == (10, 7, 3, 4)
    assert row["rate_strict"] == pytest.approx(3 / 7) and row["rate_lenient"] == pytest.approx(
        4 / 7
    )
    assert (row["ci_low_strict"], row["ci_high_strict"]) == pytest.approx(wilson_interval(3, 7))
    assert (row["n_not_yet_due"], row["n_no_outcome"], row["n_not_comparable"]) == (1, 1, 1)
    assert row["note"] == ""


def test_fewer_than_five_judged_gives_interval_only():
    cmp = comparisons(["met", "missed", "missed", "not_yet_due"])
    row = attainment_rates(cmp).iloc[0]
    assert pd.isna(row["rate_strict"]) and pd.isna(row["rate_lenient"])
    assert row["note"] == "n<5: interval only"
    assert row["n_judged"] == 3
    assert (row["ci_low_strict"], row["ci_high_strict"]) == pytest.approx(wilson_interval(1, 3))


def test_attainment_by_year_and_table_groupings():
    cmp = comparisons(["met"] * 5 + ["missed"] * 2, year=[2020] * 5 + [2021] * 2)
    by_year = attainment_rates(cmp, "year").set_index("group")
    assert by_year.loc["2020", "rate_strict"] == 1.0
    assert by_year.loc["2021", "note"] == "n<5: interval only"
    table = attainment_table(cmp)
    assert set(table["grouping"]) == {"all", "year", "category", "indicator_id"}


def test_shortfall_tests_drop_exact_hits_and_report_them():
    gaps = [-1.0, -0.5, -0.2, -2.0, -0.1, -0.3, 0.4, 0.0, 0.0]
    cmp = comparisons(["missed"] * 6 + ["exceeded", "met", "met"], gaps=gaps)
    out = shortfall_tests(cmp).set_index("alternative")
    binom = out.loc["larger"]
    assert (binom["n_used"], binom["n_exact_hits_dropped"], binom["k_below"]) == (7, 2, 6)
    # P(X >= 6 | n=7, p=1/2) = (7 + 1) / 128
    assert binom["p_value"] == pytest.approx(8 / 128)
    sign = out.loc["two-sided"]
    assert sign["statistic"] == pytest.approx((1 - 6) / 2)  # statsmodels M = (N+ - N-)/2
    assert sign["p_value"] == pytest.approx(16 / 128)


def test_shortfall_tests_with_no_judged_target_say_so():
    out = shortfall_tests(comparisons(["not_yet_due", "no_outcome"]))
    assert out["p_value"].isna().all() and (out["note"] != "").all()


def test_shortfall_tests_refuse_a_p_value_from_one_target():
    out = shortfall_tests(comparisons(["missed"], gaps=[-3.5]))
    assert out["p_value"].isna().all() and out["statistic"].isna().all()
    assert (out["note"] == "not tested: n = 1 < 5").all()
    # the counts stay: one judged target, one shortfall
    assert out["n_used"].tolist() == [1, 1] and out["k_below"].tolist() == [1, 1]


def test_shortfall_tests_four_gaps_not_tested_five_tested():
    four = shortfall_tests(comparisons(["missed"] * 4, gaps=[-1.0, -0.5, -0.2, -2.0]))
    assert four["p_value"].isna().all() and (four["note"] == "not tested: n = 4 < 5").all()
    five = shortfall_tests(comparisons(["missed"] * 5, gaps=[-1.0, -0.5, -0.2, -2.0, -0.1]))
    out = five.set_index("alternative")
    # all 5 below: P(X >= 5 | n=5, p=1/2) = 1/32; two-sided sign test 2 * 1/32; M = (0 - 5)/2
    assert out.loc["larger", "p_value"] == pytest.approx(1 / 32)
    assert out.loc["larger", "statistic"] == pytest.approx(1.0)  # share below = 5/5
    assert out.loc["two-sided", "p_value"] == pytest.approx(1 / 16)
    assert out.loc["two-sided", "statistic"] == pytest.approx(-2.5)
    assert (five["note"] == "").all()


def test_exact_hits_do_not_count_towards_the_minimum():
    # 7 judged targets, 3 hit exactly: 4 signed gaps, fewer than 5, so no test
    gaps = [-1.0, -0.5, -2.0, 0.4, 0.0, 0.0, 0.0]
    out = shortfall_tests(comparisons(["missed"] * 3 + ["exceeded"] + ["met"] * 3, gaps=gaps))
    assert out["n_judged"].tolist() == [7, 7] and out["n_exact_hits_dropped"].tolist() == [3, 3]
    assert out["p_value"].isna().all() and (out["note"] == "not tested: n = 4 < 5").all()


def test_not_tested_note_names_n_and_the_minimum():
    assert not_tested_note(0) == "not tested: n = 0 < 5"
    assert not_tested_note(3, 8) == "not tested: n = 3 < 8"
    assert not_tested_note(5) == ""


def test_target_trend_gdp_growth_targets_by_year():
    st = make_statements(
        [
            dict(
                doc_id="wr2020",
                indicator_id="gdp",
                measure="growth",
                period_end="2020",
                value=7.0,
                unit="%",
                comparator="approx",
            ),
            dict(
                doc_id="wr2026_highlights",
                indicator_id="gdp",
                measure="growth",
                period_end="2026",
                value=5.5,
                value_high=6.0,
                unit="%",
                comparator="range",
            ),
            dict(
                doc_id="wr2022_excerpt",
                indicator_id="gdp",
                measure="level",
                period_end="2026",
                value=2800.0,
                unit="亿元",
                comparator="gt",
            ),
        ]
    )
    out = target_trend(st, None, "gdp", "growth")
    assert out["year"].tolist() == [2020, 2026]
    assert out["midpoint"].tolist() == [7.0, 5.75]
    assert out["change_from_previous"].iloc[1] == pytest.approx(-1.25)
    assert out["outcome_kind"].isna().all()  # no comparisons: no outcome, no kind
    # with comparisons, the outcome's kind comes along, so a plot can draw an estimate hollow
    cmp = pd.DataFrame(
        {
            "statement_id": st["statement_id"],
            "outcome_value": [3.5, 5.8, None],
            "status": ["missed", "met", "not_yet_due"],
            "outcome_kind": ["outcome", "expected", None],
        }
    )
    joined = target_trend(st, None, "gdp", "growth", comparisons=cmp)
    assert joined["outcome_kind"].tolist() == ["outcome", "expected"]
    assert list(joined.columns)[: len(schema.columns("target_trend"))] == schema.columns(
        "target_trend"
    )


NO_CORPUS = {"registry": load_registry(), "published": {}}  # hand-built rows, no documents


def test_fit_trajectory_prediction_interval_and_note():
    rows = [
        dict(
            doc_id="r",
            kind="outcome",
            indicator_id="gdp",
            measure="level",
            period_end=str(y),
            value=v,
            unit="亿元",
        )
        for y, v in zip(range(2019, 2024), (1000, 1100, 1210, 1331, 1464.1), strict=True)
    ]
    out = fit_trajectory(make_statements(rows), None, "gdp", until=2026, **NO_CORPUS).set_index(
        "year"
    )
    assert out.loc[2026, "fitted"] == pytest.approx(1000 * 1.1**7, rel=1e-6)
    assert out.loc[2026, "pi_lower"] <= out.loc[2026, "fitted"] <= out.loc[2026, "pi_upper"]
    assert pd.isna(out.loc[2025, "observed"]) and out.loc[2019, "observed"] == 1000
    assert "rough extrapolation" in out.loc[2026, "note"]
    few = fit_trajectory(make_statements(rows[:2]), None, "gdp", **NO_CORPUS)
    assert few["fitted"].isna().all() and "no trend fitted" in few["note"].iloc[0]


def test_target_outcome_regression_refuses_with_few_pairs():
    out = target_outcome_fit(comparisons(["met", "missed"]))
    assert pd.isna(out["slope"].iloc[0]) and "no regression" in out["note"].iloc[0]


def test_real_corpus_rates_refuse_a_bare_rate():
    result = analyse()
    row = attainment_rates(result.comparisons).iloc[0]
    judged = result.comparisons["status"].isin(
        ["exceeded", "met", "boundary", "narrow_miss", "missed"]
    )
    assert row["n_judged"] == int(judged.sum())
    if row["n_judged"] < 5:
        assert pd.isna(row["rate_strict"]) and row["note"] == "n<5: interval only"
        assert 0 <= row["ci_low_strict"] <= row["ci_high_strict"] <= 1
    gdp = target_trend(
        result.statements, result.reference, "gdp", "growth", comparisons=result.comparisons
    ).set_index("year")
    assert gdp.loc[2020, "value"] == 7.0 and gdp.loc[2020, "status"] == "missed"
    assert gdp.loc[2026, "midpoint"] == 5.75
