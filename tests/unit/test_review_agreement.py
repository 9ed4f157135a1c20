"""Agreement between two review files (qzanalysis.review.agreement), with answers by hand.

Cohen's kappa = (p_o - p_e) / (1 - p_e): p_o is the share of statements on which the two agree,
p_e the agreement expected by chance, the sum over categories of the product of the two
researchers' shares of that category.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from qzanalysis.review import FIELDS, REVIEW_COLUMNS, load_review
from qzanalysis.review.agreement import AGREEMENT_COLUMNS, COMPARED, agreement
from qzanalysis.review.decisions import _added_id

HEADER = ",".join(REVIEW_COLUMNS)
IDS = [f"d:s{i}" for i in range(10)]


def statements(n: int = 10) -> pd.DataFrame:
    """Ten extracted targets s0..s9: growth of 1..10 %, in 2025."""
    rows = [
        {
            "statement_id": IDS[i],
            "kind": "target",
            "indicator_id": "gdp",
            "indicator_text": "生产总值",
            "measure": "growth",
            "direction": "",
            "period_start": "2025",
            "period_end": "2025",
            "value": float(i + 1),
            "value_high": pd.NA,
            "unit": "%",
            "comparator": "eq",
        }
        for i in range(n)
    ]
    return pd.DataFrame(rows, columns=["statement_id", *FIELDS])


def review(tmp_path, name: str, rows: list[dict]) -> pd.DataFrame:
    lines = [HEADER, *(",".join(str(r.get(c, "")) for c in REVIEW_COLUMNS) for r in rows)]
    f = tmp_path / name
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_review(f)


def by_field(table: pd.DataFrame) -> pd.DataFrame:
    assert list(table.columns) == AGREEMENT_COLUMNS and list(table["field"]) == list(COMPARED)
    return table.set_index("field")


def test_action_kappa_from_a_two_by_two_table(tmp_path):
    # A \ B     confirm  reject
    # confirm      6       1      (s0-s5; s6)
    # reject       2       1      (s7, s8; s9)
    # p_o = 7/10 = 0.7; A: confirm 0.7, reject 0.3; B: confirm 0.8, reject 0.2
    # p_e = 0.7*0.8 + 0.3*0.2 = 0.62; kappa = (0.7 - 0.62) / (1 - 0.62) = 0.08 / 0.38
    a = review(
        tmp_path,
        "a.csv",
        [
            {"action": "confirm" if i < 7 else "reject", "statement_id": s}
            for i, s in enumerate(IDS)
        ],
    )
    b_actions = ["confirm"] * 6 + ["reject", "confirm", "confirm", "reject"]
    b = review(
        tmp_path,
        "b.csv",
        [{"action": act, "statement_id": s} for act, s in zip(b_actions, IDS, strict=True)],
    )
    got = by_field(agreement(a, b, statements()))
    assert got.loc["action", "n"] == 10 and got.loc["action", "agree"] == 7
    assert got.loc["action", "share"] == pytest.approx(0.7)
    assert got.loc["action", "kappa"] == pytest.approx(0.08 / 0.38)
    assert (
        got.loc["action", "kappa_low"] < got.loc["action", "kappa"] < got.loc["action", "kappa_upp"]
    )
    # fields: only s0-s5 (neither rejected), all confirmed: every field agrees
    assert (got.loc[list(FIELDS), "n"] == 6).all() and (got.loc[list(FIELDS), "share"] == 1).all()
    # kind: both say 'target' throughout, one category: kappa undefined
    assert math.isnan(got.loc["kind", "kappa"])
    assert math.isnan(got.loc["value", "kappa"])  # not categorical


def test_effective_values_compare_corrections_with_what_a_confirm_keeps(tmp_path):
    a_rows = [{"action": "confirm", "statement_id": s} for s in IDS]
    a_rows[3] = {"action": "correct", "statement_id": IDS[3], "value": "5"}
    a_rows[4] = {"action": "correct", "statement_id": IDS[4], "unit": "<blank>"}
    b_rows = [{"action": "confirm", "statement_id": s} for s in IDS]
    b_rows[0] = {"action": "correct", "statement_id": IDS[0], "value": "99"}  # value: 1 vs 99
    b_rows[1] = {"action": "correct", "statement_id": IDS[1], "unit": "%"}  # the extractor's unit
    b_rows[2] = {"action": "correct", "statement_id": IDS[2], "kind": "outcome"}
    b_rows[3] = {"action": "correct", "statement_id": IDS[3], "value": "5.0"}  # = A's 5
    b_rows[4] = {"action": "correct", "statement_id": IDS[4], "unit": "<blank>"}
    got = by_field(
        agreement(
            review(tmp_path, "a.csv", a_rows), review(tmp_path, "b.csv", b_rows), statements()
        )
    )
    # action:  A \ B    confirm correct
    #          confirm     5       3     (s5-s9; s0, s1, s2)
    #          correct     0       2     (s3, s4)
    # p_o = 0.7; A: confirm 0.8, correct 0.2; B: 0.5, 0.5; p_e = 0.8*0.5 + 0.2*0.5 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    assert got.loc["action", "agree"] == 7 and got.loc["action", "kappa"] == pytest.approx(0.4)
    assert (got.loc["value", "n"], got.loc["value", "agree"]) == (10, 9)  # s0 only
    assert got.loc["unit", "agree"] == 10  # s1: % both; s4: both cleared
    # kind: A target x10; B target x9, outcome x1. p_o = 0.9, p_e = 1*0.9 + 0*0.1 = 0.9:
    # kappa = (0.9 - 0.9) / (1 - 0.9) = 0, though 90% agree
    assert got.loc["kind", "share"] == pytest.approx(0.9)
    assert got.loc["kind", "kappa"] == pytest.approx(0.0, abs=1e-12)
    assert got.loc["measure", "agree"] == 10


def test_only_statements_both_decided_count(tmp_path):
    add = {
        "action": "add",
        "doc_id": "d",
        "char_start": 5,
        "char_end": 9,
        "kind": "target",
        "measure": "level",
        "value": "3",
    }
    a = review(
        tmp_path,
        "a.csv",
        [
            {"action": "confirm", "statement_id": IDS[0]},
            {"action": "confirm", "statement_id": IDS[1]},
            {"action": "confirm", "statement_id": "d:gone"},
            add,
        ],
    )
    b_add = {**add, "statement_id": _added_id("d", 5, 9, {"value": "3"}), "comparator": "eq"}
    b = review(
        tmp_path,
        "b.csv",
        [
            {"action": "reject", "statement_id": IDS[0]},
            {"action": "confirm", "statement_id": IDS[2]},
            {"action": "confirm", "statement_id": "d:gone"},
            b_add,
        ],
    )
    table = agreement(a, b, statements())
    got = by_field(table)
    # both decided: s0, d:gone (an orphan), the add (same span id); fields: the add only
    assert table.attrs == {"both": 3, "only_a": 1, "only_b": 1, "compared": 1}
    assert got.loc["action", "n"] == 3 and got.loc["action", "agree"] == 2
    assert got.loc["comparator", "n"] == 1 and got.loc["comparator", "agree"] == 1  # eq by default


def test_a_corrected_phrase_is_re_mapped_through_the_registry(tmp_path):
    class Registry:
        def match(self, phrase):
            return {"一般公共预算收入": "budget_revenue"}.get(phrase)

    a = review(
        tmp_path,
        "a.csv",
        [{"action": "correct", "statement_id": IDS[0], "indicator_text": "一般公共预算收入"}],
    )
    b = review(
        tmp_path,
        "b.csv",
        [{"action": "correct", "statement_id": IDS[0], "indicator_id": "budget_revenue"}],
    )
    got = by_field(agreement(a, b, statements(), registry=Registry()))
    assert got.loc["indicator_id", "agree"] == 1  # both budget_revenue
    assert got.loc["indicator_text", "agree"] == 0  # 一般公共预算收入 vs the extracted 生产总值


def test_no_statement_in_common(tmp_path):
    a = review(tmp_path, "a.csv", [{"action": "confirm", "statement_id": IDS[0]}])
    b = review(tmp_path, "b.csv", [])
    got = by_field(agreement(a, b, statements()))
    assert (got["n"] == 0).all() and got["share"].isna().all() and got["kappa"].isna().all()
