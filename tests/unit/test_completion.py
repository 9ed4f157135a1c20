"""Self-reported completion rates (methods.md §7): the government's own count, beside the verdicts.

Known answers from the shipped documents (rows picked by document and value, never by id):

* reply2022_no4: "今年前三季度，全市共开展职业技能培训8.59万人次、开展农民培训34800人次、评选“三衢工匠”
  5256名，分别完成年度任务的130%、116%、97.28%。" -> three part-year rows (2022-01..2022-09, the
  year is not over): 130 >= 100 met, 116 >= 100 met, 97.28 < 100 below.
* reply2022_no4: "共开发公益性岗位5180个、农民异地搬迁1574人，分别完成年度任务的103.6%、73%。" ->
  103.6 >= 100 met, 73 < 100 below (the extractor carries the 前三季度 period over).
* wr2026_highlights: "“千项万亿”项目投资完成率143.9%" -> 2025, a full year, 143.9 >= 100 met.

None of these indicators is in the registry, and no target of the corpus states the same phrase,
so no package verdict stands beside them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from qzanalysis import schema
from qzanalysis.compare import compare_targets
from qzanalysis.compare.completion import SELF_STATUSES, completion_table
from qzanalysis.indicators import load_registry
from qzanalysis.pipeline import analyse
from statement_rows import make_statements

REGISTRY = load_registry()


@pytest.fixture(scope="module")
def shipped():
    a = analyse()
    return completion_table(a.statements, a.comparisons, registry=a.registry)


def pick(table: pd.DataFrame, doc_id: str, value: float) -> pd.Series:
    sel = table[(table["doc_id"] == doc_id) & (table["value"] == value)]
    assert len(sel) == 1, f"expected one {doc_id} row of {value}%, found {len(sel)}"
    return sel.iloc[0]


# --------------------------------------------------------------------------- shipped corpus
def test_shipped_corpus_gives_the_six_self_reports(shipped):
    assert list(shipped.columns) == schema.columns("completion")
    assert len(shipped) == 6
    assert set(shipped["self_status"]) <= set(SELF_STATUSES)


@pytest.mark.parametrize(
    "value, status",
    [(130.0, "met"), (116.0, "met"), (97.28, "below"), (103.6, "met"), (73.0, "below")],
)
def test_first_three_quarters_of_2022_are_part_year(shipped, value, status):
    row = pick(shipped, "reply2022_no4", value)
    assert (row["period_start"], row["period_end"], row["year"]) == ("2022-01", "2022-09", 2022)
    assert row["part_year"] and row["self_status"] == status
    assert "part-year: the year is not over" in row["explanation"]
    assert "完成年度任务的" in row["quote"]


def test_investment_completion_rate_2025_is_a_full_year(shipped):
    row = pick(shipped, "wr2026_highlights", 143.9)
    assert (row["year"], row["part_year"], row["self_status"]) == (2025, False, "met")
    assert "“千项万亿”项目投资完成率143.9%" in row["quote"]
    assert "part-year" not in row["explanation"]


def test_shipped_self_reports_have_no_package_verdict_and_say_so(shipped):
    assert shipped["status"].isna().all() and shipped["target_id"].isna().all()
    assert shipped["explanation"].str.contains("no package verdict for this indicator").all()


# --------------------------------------------------------------------------- hand-built rows
def completion(**kw):
    base = dict(
        doc_id="r",
        kind="outcome",
        measure="completion",
        indicator_id="new_urban_employment",
        period_start="2020",
        period_end="2020",
        unit="%",
        comparator="eq",
        quote="城镇新增就业完成年度任务的113.6%",
    )
    return {**base, **kw}


def employment_rows() -> list[dict]:
    """A 2020 count target of 2.2万人 and an outcome of 2.5万人 (exceeded), plus the self-report."""
    common = dict(indicator_id="new_urban_employment", measure="count", period_end="2020")
    return [
        dict(kind="target", doc_id="p", value=2.2, unit="万人", comparator="ge", **common),
        dict(kind="outcome", doc_id="r", value=2.5, unit="万人", **common),
        completion(value=113.6),
    ]


def test_package_verdict_for_the_same_indicator_and_year_stands_beside():
    st = make_statements(employment_rows())
    cmp = compare_targets(st, None, registry=REGISTRY, published={}, as_of="2021-04")
    out = completion_table(st, cmp, registry=REGISTRY)
    row = out.iloc[0]
    assert (row["self_status"], row["status"], row["target_id"]) == ("met", "exceeded", "t000")
    assert "package verdict for 2020: exceeded (target t000)" in row["explanation"]
    # beside, never mixed in: the verdicts are unchanged and hold no completion row
    assert "completion" not in set(cmp["measure"]) and len(cmp) == 1


def test_no_verdict_for_another_year():
    st = make_statements(
        employment_rows()[:2] + [completion(value=90.0, period_end="2021", period_start="2021")]
    )
    cmp = compare_targets(st, None, registry=REGISTRY, published={}, as_of="2022-04")
    row = completion_table(st, cmp, registry=REGISTRY).iloc[0]
    assert row["self_status"] == "below" and pd.isna(row["status"])
    assert "no package verdict for this indicator in 2021" in row["explanation"]


@pytest.mark.parametrize("value, status", [(100.0, "met"), (99.99, "below"), (0.0, "below")])
def test_met_from_one_hundred_percent(value, status):
    out = completion_table(make_statements([completion(value=value)]), None, registry=REGISTRY)
    assert out.iloc[0]["self_status"] == status


def test_unmapped_phrase_matches_an_identical_phrase_only():
    rows = [completion(indicator_id=None, indicator_text="职业技能培训", value=130.0)]
    cmp = pd.DataFrame(
        [
            dict(
                statement_id="x1",
                indicator_id=pd.NA,
                indicator_text="职业技能培训",
                year=2020,
                status="no_outcome",
            ),
            dict(
                statement_id="x2",
                indicator_id=pd.NA,
                indicator_text="农民培训",
                year=2020,
                status="met",
            ),
        ]
    )
    row = completion_table(make_statements(rows), cmp, registry=REGISTRY).iloc[0]
    assert (row["target_id"], row["status"]) == ("x1", "no_outcome")


def test_completion_targets_and_non_percentages_are_handled():
    rows = [
        completion(kind="target", value=100.0),  # a plan, not a self-report: left out
        completion(value=5180.0, unit="个"),
    ]
    out = completion_table(make_statements(rows), None, registry=REGISTRY)
    assert len(out) == 1
    assert pd.isna(out.iloc[0]["self_status"])
    assert "not a percentage" in out.iloc[0]["explanation"]


def test_no_completion_statements_give_an_empty_table():
    out = completion_table(make_statements([employment_rows()[0]]), None, registry=REGISTRY)
    assert out.empty and list(out.columns) == schema.columns("completion")


def test_bad_input_names_what_is_missing():
    st = make_statements([completion(value=130.0)]).drop(columns=["quote", "unit"])
    with pytest.raises(ValueError, match="statements lacks column\\(s\\) unit, quote"):
        completion_table(st, None, registry=REGISTRY)
    with pytest.raises(ValueError, match="comparisons lacks column\\(s\\) status"):
        completion_table(
            make_statements([completion(value=1.0)]),
            pd.DataFrame(columns=["statement_id", "indicator_id", "indicator_text", "year"]),
            registry=REGISTRY,
        )
    with pytest.raises(
        TypeError, match="completion_table: statements must be a DataFrame, got list"
    ):
        completion_table([{"measure": "completion"}], None, registry=REGISTRY)
