"""The front door: vintage (methods.md §7), goals that stood in a year, a plan's goals."""

from __future__ import annotations

import pandas as pd
import pytest

from qzanalysis.pipeline import analyse
from qzanalysis.reference import known_by, load_reference


def test_documents_published_by_a_date(shipped_corpus):
    # manifest dates: wr2020 2020-04-24, wr2022_excerpt 2022-04 (month only), reply2022_no4
    # 2022-11-06, plan15_proposal 2025-12-08, wr2026_highlights 2026-01-21
    assert shipped_corpus.published_by("2022-12-31").doc_ids == [
        "wr2022_excerpt",
        "wr2020",
        "reply2022_no4",
    ]
    assert shipped_corpus.published_by("2020-04-23").doc_ids == []
    assert shipped_corpus.published_by("2020-04").doc_ids == ["wr2020"]  # a month covers its days
    assert shipped_corpus.published_by("2022-04-01").doc_ids == ["wr2022_excerpt", "wr2020"]
    with pytest.raises(ValueError, match="YYYY-MM"):
        shipped_corpus.published_by("2022-13")


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_reference_figures_are_dated_by_what_they_describe():
    ref = load_reference()
    at = known_by(ref, "2022-12")
    outcomes = at[at["kind"] != "target"]
    # an outcome is known from the month after its period ends: none ends in 2022 or later
    assert (outcomes["period_end"].str[:4].astype(int) <= 2021).all()
    assert len(known_by(ref, "2023-01")) > len(at)
    # a target is known from the start of its period: the 13th-plan goals (2016-2020) are known
    assert ((at["kind"] == "target") & (at["period_start"] == "2016")).any()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_analysis_as_known_at_the_end_of_2022():
    a = analyse(as_of="2022-12-31")
    assert a.parameters["vintage"] == "as known on 2022-12-31"
    assert set(a.statements["doc_id"]) == {"wr2022_excerpt", "wr2020", "reply2022_no4"}
    assert a.parameters["as_of"] == "2022-12-31"
    # the 2022 report's goals for 2026 stood then and are not yet due
    goals = a.comparisons[
        (a.comparisons["doc_id"] == "wr2022_excerpt") & (a.comparisons["year"] == 2026)
    ]
    assert len(goals) and (goals["status"] == "not_yet_due").all()
    # nothing from the 2025 and 2026 documents is known
    assert not a.statements["doc_id"].isin(["plan15_proposal", "wr2026_highlights"]).any()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_default_vintage_is_everything():
    a = analyse()
    assert a.parameters["vintage"].startswith("all documents")
    assert len(a.parameters["documents_used"]) == 5
    assert isinstance(a.statements, pd.DataFrame)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_goals_standing_include_reference_goals_and_growth_goals():
    a = analyse()
    # 2019: the 13th-plan goals (2016-2020, data/reference rows 1-2: GDP 年均增长7%左右, income
    # 7.5%左右) stood and fell due in 2020; they are average-growth goals, not tracked levels
    g2019 = a.goals_standing(2019)
    assert set(g2019["target_origin"]) == {"reference"} and set(g2019["measure"]) == {"growth"}
    assert len(g2019) == 2
    # 2022: the 2022 report's five-year goals for 2026 (published 2022-04) and the reply of
    # 2022-11 stood; growth goals are listed beside the tracked levels
    g2022 = a.goals_standing(2022)
    assert set(g2022["doc_id"]) == {"wr2022_excerpt", "reply2022_no4"}
    assert (g2022["year"] == 2026).all() and g2022["label"].notna().any()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_goal_stated_by_two_documents_is_one_plan_row():
    a = analyse()
    goals = a.plan_goals("2022-2026")
    # 规上工业总产值突破5000亿元 by 2026: data/raw/000 (今后五年主要目标) and data/raw/004 (the reply)
    row = goals[goals["indicator_id"] == "industrial_output_above_scale"]
    assert len(row) == 1
    assert row["stated_in"].iloc[0].split(", ")[1].startswith("reply2022_no4:")
    assert (
        goals.duplicated(["indicator_id", "comparator", "target_value", "target_year"]).sum() == 0
    )
