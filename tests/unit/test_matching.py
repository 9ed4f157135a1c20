"""Matching a target with its outcomes by text (methods.md §7): when neither side has a registry
id, the same indicator phrase after normalisation, with the same measure kind and period.

Known answers come from the shipped documents. With a registry that does not know GDP, the
2020 report's "地区生产总值增长7%左右" (wr2020, 二) still meets the reference figure "GDP real
growth 3.5%" for 2020 (ref-008), by its phrase 地区生产总值: 3.5 − 7 = −3.5 pp, beyond the
±0.2 pp band and beyond 2τ = 0.4 pp on the bad side → missed, as the id match finds.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from qzanalysis.compare import compare_targets, outcome_pool
from qzanalysis.indicators import load_registry
from statement_rows import make_statements

REGISTRY = load_registry()
AS_OF = "2026-01-21"


@pytest.fixture(scope="module")
def cpi_only(tmp_path_factory):
    """A registry that knows only the CPI: every other phrase of the corpus is matched by text."""
    path = tmp_path_factory.mktemp("registry") / "indicators.yaml"
    path.write_text(
        "indicators:\n"
        "  - {id: cpi, name_zh: 居民消费价格涨幅, name_en: CPI, unit: '%', "
        "polarity: two_sided, category: economy}\n",
        encoding="utf-8",
    )
    return load_registry(path)


@pytest.fixture(scope="module")
def by_text(shipped_corpus, cpi_only):
    """The shipped corpus (extractor output) and reference compared under ``cpi_only``."""
    from qzanalysis.extract import extract_statements
    from qzanalysis.reference import load_reference

    statements = extract_statements(shipped_corpus, cpi_only)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reference warns about every phrase it cannot map
        reference = load_reference(None, cpi_only)
    return compare_targets(
        statements, reference, registry=cpi_only, published=shipped_corpus.published()
    )


def pick(frame: pd.DataFrame, doc_id: str, text: str, measure: str) -> pd.Series:
    sel = frame[
        (frame["doc_id"] == doc_id)
        & (frame["indicator_text"] == text)
        & (frame["measure"] == measure)
    ]
    assert len(sel) == 1, f"expected one {doc_id}/{text}/{measure} row, found {len(sel)}"
    return sel.iloc[0]


def test_2020_gdp_target_is_judged_by_its_phrase_without_a_registry_id(by_text):
    row = pick(by_text, "wr2020", "地区生产总值", "growth")
    assert pd.isna(row["indicator_id"])
    assert (row["comparator"], row["value"], row["year"]) == ("approx", 7.0, 2020)
    assert row["matched_by"] == "text" and row["status"] == "missed"
    assert row["signed_gap"] == pytest.approx(-3.5) and row["outcome_value"] == 3.5
    assert "matched by the indicator phrase '地区生产总值' (no registry id)" in row["explanation"]
    assert "no polarity known" in row["explanation"]  # approx: the good side needs a polarity


def test_reference_phrase_全市生产总值_is_not_地区生产总值_as_text(by_text):
    # ref-001 "全市生产总值" 2016-2020 normalises to 生产总值; only the registry's synonyms join
    # it to 地区生产总值, and a registry that lacks GDP has none.
    row = by_text.set_index("statement_id").loc["ref-001"]
    assert row["status"] == "no_outcome" and pd.isna(row["matched_by"])
    assert "matched by the indicator phrase '生产总值'" in row["explanation"]


def test_2020_land_target_meets_only_the_2019_figure(by_text):
    # wr2020 二: "完成垦造耕地2.5万亩以上" (2020); 一: "完成垦造耕地2.8万亩" (2019): same phrase,
    # other period, so no verdict, and the explanation names the year that has a figure.
    row = pick(by_text, "wr2020", "完成垦造耕地", "count")
    assert row["status"] == "no_outcome" and pd.isna(row["matched_by"])
    assert row["n_candidates"] == 1 and "other period" in row["candidates"]
    assert "figures exist for 2019" in row["explanation"]


def test_the_full_registry_matches_the_same_target_by_id(shipped_corpus):
    from qzanalysis.pipeline import analyse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = analyse()
    c = result.comparisons
    row = c[(c["doc_id"] == "wr2020") & (c["indicator_id"] == "gdp") & (c["measure"] == "growth")]
    assert list(row["matched_by"]) == ["id"]
    assert "matched by the indicator phrase" not in row["explanation"].iloc[0]
    # matched_by is filled exactly where an outcome is used
    assert (c["matched_by"].notna() == c["outcome_id"].notna()).all()


# --- hand-built rows in the documents' wording ----------------------------------------------


def compare(rows, registry=REGISTRY, **kw):
    st = make_statements(rows)
    kw.setdefault("as_of", AS_OF)
    out = compare_targets(st, registry=registry, published={}, **kw)
    return out.set_index("statement_id")


def zhejiang_made(kind: str, text: str, **kw) -> dict:
    """wr2020 一 (2019): "新增“浙江制造”标准10个"; 二 (2020): "新增“浙江制造”标准10个"."""
    base = dict(kind=kind, indicator_text=text, measure="count", period_end="2019", unit="个")
    return {**base, "comparator": "eq", "value": 10.0, **kw}


def test_qualifiers_quotes_and_full_width_do_not_stop_a_text_match(cpi_only):
    out = compare(
        [
            zhejiang_made("target", "全市新增“浙江制造”标准", statement_id="t"),
            zhejiang_made("outcome", "新增　浙江制造　标准", statement_id="o"),
        ],
        registry=cpi_only,
    )
    row = out.loc["t"]
    # eq, no polarity: judged as ge (higher taken as better): 10 >= 10, d = 0 -> met, just met
    assert (row["status"], row["matched_by"], row["outcome_id"]) == ("met", "text", "o")
    assert row["signed_gap"] == 0 and bool(row["just_met"])
    assert (
        "matched by the indicator phrase '新增浙江制造标准' (no registry id)" in row["explanation"]
    )


def test_text_matches_need_the_same_measure_and_period(cpi_only):
    out = compare(
        [
            zhejiang_made("target", "新增“浙江制造”标准", statement_id="t2020", period_end="2020"),
            zhejiang_made("outcome", "新增“浙江制造”标准", statement_id="o2019"),
            zhejiang_made("target", "新增“浙江制造”标准", statement_id="tlevel", measure="level"),
        ],
        registry=cpi_only,
    )
    assert out.loc["t2020", "status"] == "no_outcome"
    assert "figures exist for 2019" in out.loc["t2020", "explanation"]
    assert out.loc["tlevel", "status"] == "no_outcome"  # a count never judges a level
    assert out[["matched_by"]].isna().all().all()


@pytest.mark.parametrize(
    "target_text, outcome_text",
    [
        ("市区常住人口", "常住人口"),  # reply2022_no4: the urban districts, not the city
        ("城镇居民收入", "居民收入"),  # wr2020: who is counted
        ("新增规上企业", "规上企业"),  # a flow is not a stock
    ],
)
def test_qualifiers_of_population_area_or_flow_keep_phrases_apart(
    cpi_only, target_text, outcome_text
):
    out = compare(
        [
            zhejiang_made("target", target_text, statement_id="t"),
            zhejiang_made("outcome", outcome_text, statement_id="o"),
        ],
        registry=cpi_only,
    )
    assert out.loc["t", "status"] == "no_outcome" and pd.isna(out.loc["t", "matched_by"])
    assert "is not in the registry" in out.loc["t", "explanation"]


def test_a_side_with_an_id_is_never_matched_by_text():
    # The full registry maps 垦造耕地 (farmland_created): a target with that id and an outcome
    # whose id was cleared (e.g. by a review decision) do not meet, nor the other way round.
    rows = [
        dict(
            statement_id="t_id",
            kind="target",
            indicator_id="farmland_created",
            indicator_text="垦造耕地",
            measure="count",
            period_end="2019",
            value=2.5,
            unit="万亩",
            comparator="ge",
        ),
        dict(
            statement_id="o_none",
            kind="outcome",
            indicator_text="垦造耕地",
            measure="count",
            period_end="2019",
            value=2.8,
            unit="万亩",
        ),
    ]
    out = compare(rows)
    assert out.loc["t_id", "status"] == "no_outcome" and out.loc["t_id", "n_candidates"] == 0
    flipped = [
        {**rows[0], "indicator_id": None, "statement_id": "t_none"},
        {**rows[1], "indicator_id": "farmland_created", "statement_id": "o_id"},
    ]
    out = compare(flipped)
    assert out.loc["t_none", "status"] == "no_outcome"
    assert "is not in the registry" in out.loc["t_none", "explanation"]


def test_registry_synonyms_join_two_phrases_without_ids():
    # ref-005: "城市化率…达到57%以上" (2020); the reference's 2021 figure is written
    # "常住人口城镇化率 58.1%". With both ids cleared, the registry still says the phrases are one
    # indicator. ge: d = 58.1 - 57 = 1.1 > 0 (58 > 57 at the target's 0 decimals) -> exceeded.
    out = compare(
        [
            dict(
                statement_id="t",
                kind="target",
                indicator_text="城市化率",
                measure="share",
                period_end="2021",
                value=57.0,
                unit="%",
                comparator="ge",
            ),
            dict(
                statement_id="o",
                kind="outcome",
                indicator_text="常住人口城镇化率",
                measure="share",
                period_end="2021",
                value=58.1,
                unit="%",
            ),
        ]
    )
    row = out.loc["t"]
    assert (row["status"], row["matched_by"]) == ("exceeded", "text")
    assert row["signed_gap"] == pytest.approx(1.1)
    assert "'常住人口城镇化率' (no registry id)" in row["explanation"]
    assert "no polarity known" not in row["explanation"]  # ge: the comparator gives the side


def test_an_early_figure_is_shown_not_used(cpi_only):
    # A 2026 target with a 2026 figure before the year is over: not_yet_due, matched_by empty.
    out = compare(
        [
            zhejiang_made("target", "新增“浙江制造”标准", statement_id="t", period_end="2026"),
            zhejiang_made("outcome", "新增“浙江制造”标准", statement_id="o", period_end="2026"),
        ],
        registry=cpi_only,
        as_of="2026-06",
    )
    assert out.loc["t", "status"] == "not_yet_due" and pd.isna(out.loc["t", "matched_by"])
    assert "an early figure exists" in out.loc["t", "explanation"]


def test_outcome_pool_keeps_unmapped_figures_only_when_asked(cpi_only):
    st = make_statements(
        [
            zhejiang_made("outcome", "新增“浙江制造”标准", statement_id="o1"),
            dict(
                statement_id="o2",
                kind="outcome",
                indicator_id="cpi",
                indicator_text="全市居民消费价格涨幅",
                measure="growth",
                period_end="2019",
                value=2.9,
                unit="%",
            ),
        ]
    )
    default = outcome_pool(st, None, {})
    assert list(default["statement_id"]) == ["o2"]  # what tracking and consistency group by id
    kept = outcome_pool(st, None, {}, keep_unmapped=True, registry=cpi_only).set_index(
        "statement_id"
    )
    assert pd.isna(kept.loc["o1", "indicator_id"])
    assert kept.loc["o1", "text_key"] == "新增浙江制造标准"
    assert kept.loc["o2", "text_key"] == "居民消费价格涨幅"  # 全市 stripped; the registry name
