"""The registry (data/indicators.yaml), phrase normalisation and the near-phrase suggestions.

Every phrase below is written as a shipped document writes it; each test says which document and
which sentence. Ratios are difflib's 2·M/T (M matching characters, T both phrases' lengths).
"""

from __future__ import annotations

import pandas as pd
import pytest

from qzanalysis.indicators import (
    TEXT_QUALIFIERS,
    load_registry,
    normalise_phrase,
    phrase_nearness,
    suggest_synonyms,
)
from statement_rows import make_statements

REGISTRY = load_registry()


# --- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase, expected",
    [
        # wr2020 一: "全市地区生产总值增长6.7%"; wr2022_excerpt: "全市生产总值超过2800亿元"
        ("全市生产总值", "生产总值"),
        # plan15_proposal: "新增上市公司16家、累计达到22家" (extracted as 上市公司(累计))
        ("上市公司(累计)", "上市公司"),
        ("上市公司（累计）", "上市公司"),  # full-width brackets fold to ASCII first
        # wr2020 二: "新增“浙江制造”标准10个": the quotation marks name a programme
        ("新增“浙江制造”标准", "新增浙江制造标准"),
        # wr2022_excerpt: "市域出境水水质稳定保持Ⅱ类以上"
        ("市域出境水水质类别", "出境水水质类别"),
        # reply2022_no4: "职业技能培训年度任务完成率达130%"
        ("职业技能培训年度任务完成率", "职业技能培训任务完成率"),
        ("全市域推广", "推广"),  # 全市域 goes before 全市: no stray 域
        ("ＰＭ２．５浓度", "PM2.5浓度"),  # full-width letters and digits
        ("一般企业投资项目 竣工验收前审批", "一般企业投资项目竣工验收前审批"),  # PDF space
    ],
)
def test_normalise_phrase_strips_what_does_not_change_the_measure(phrase, expected):
    assert normalise_phrase(phrase) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "市区常住人口",  # reply2022_no4: "市区常住人口超过100万人": the urban districts only
        "城镇居民收入",  # wr2020 二: "城乡居民收入分别增长8.5%左右和10%左右"
        "规上工业增加值",  # wr2026_highlights: which firms
        "增速居全省前三",  # the province, not the city
        "中心城区人口",
    ],
)
def test_normalise_phrase_keeps_qualifiers_of_population_or_area(phrase):
    assert normalise_phrase(phrase) == phrase


def test_the_qualifier_table_is_one_tuple_without_population_or_area_words():
    assert isinstance(TEXT_QUALIFIERS, tuple) and "全市" in TEXT_QUALIFIERS
    for kept in ("市区", "中心城区", "城镇", "农村", "城乡", "规上", "全省", "新增"):
        assert not any(kept in q for q in TEXT_QUALIFIERS), kept


def test_text_key_applies_registry_synonyms():
    # ref-005 "城市化率" and wr2022_excerpt "常住人口城镇化率达到68%以上" are one registry entry
    assert (
        REGISTRY.text_key("城市化率") == REGISTRY.text_key("常住人口城镇化率") == "常住人口城镇化率"
    )
    assert REGISTRY.text_key("全市生产总值") == "地区生产总值"
    # a phrase the registry does not know keys on itself, normalised
    assert REGISTRY.text_key("智造新城 工业熟地") == "智造新城工业熟地"
    assert REGISTRY.text_key(None) == REGISTRY.text_key("") == ""


# --- the registry's new ids -----------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase, indicator_id",
    [
        # wr2022_excerpt, 今后五年主要目标 and 六个聚焦聚力
        ("城乡居民收入相当于全省平均水平", "income_vs_province_average"),
        ("工业总量", "industrial_volume"),
        ("工业效益", "industrial_efficiency"),
        ("引进落地百亿元以上重大制造业项目", "major_manufacturing_projects_10bn"),
        ("产值100亿元企业", "enterprises_output_10bn"),
        ("产值500亿元企业", "enterprises_output_50bn"),
        ("村级集体经济年经营性收入50万元以上行政村占比", "village_collective_income_500k_share"),
        ("市属国企资产总额", "soe_total_assets"),
        ("市属国企净资产总额", "soe_net_assets"),  # not the 资产总额 entry
        ("市属国企营业收入", "soe_operating_revenue"),
        ("家庭年可支配收入10-50万元的群体比例", "households_income_100k_500k_share"),
        ("家庭年可支配收入20-60万元的群体比例", "households_income_200k_600k_share"),
        ("市域出境水水质类别", "outbound_water_quality_class"),
        # wr2020 二 (2020 targets) and 一 (2019 outcomes with the same meaning)
        ("新增百亿企业", "new_enterprises_10bn"),  # a flow: not the stock 产值100亿元企业
        ("新增10亿企业", "new_enterprises_1bn"),
        ("新增省科技型中小企业", "new_sci_tech_smes"),
        ("事故起数", "work_safety_accidents"),  # "确保事故起数、死亡人数均下降20%"
        ("安全生产事故起数", "work_safety_accidents"),  # 2019: "安全生产事故起数…下降30.2%"
        ("安全生产事故死亡人数", "work_safety_deaths"),
        ("亿元GDP生产安全事故死亡率", "work_safety_deaths_per_gdp"),  # unchanged
        ("垦造耕地", "farmland_created"),
        ("一般企业投资项目竣工验收前审批时间", "project_approval_days"),
        ("小微企业融资综合成本", "sme_financing_cost"),
        ("三公经费压减", "three_public_expenses"),
        ("新增“浙江制造”标准", "new_zhejiang_made_standards"),
    ],
)
def test_headline_phrases_have_ids(phrase, indicator_id):
    assert REGISTRY.match(phrase) == indicator_id


@pytest.mark.parametrize(
    "chain", ["新材料", "新能源", "高端装备", "集成电路", "特种纸", "生命健康", "新型显示"]
)
def test_chain_and_cluster_output_share_one_id(chain):
    # wr2026_highlights: "新材料产业链产值增至1061亿元"; reply2022_no4: "形成1个千亿级新材料产业
    # 集群"; plan15_proposal: "500亿级高端装备,300亿级集成电路、特种纸和200亿级生命健康等产业集群"
    ind = REGISTRY.match(f"{chain}产业链产值")
    assert ind is not None and ind == REGISTRY.match(f"{chain}产业集群产值")
    assert REGISTRY[ind].unit == "亿元" and ind != "industrial_chain_output"
    # the six chains together stay their own indicator
    assert REGISTRY.match("六大标志性产业链产值") == "industrial_chain_output"


@pytest.mark.parametrize(
    "phrase, city_wide",
    [
        ("市区居民人均收入", "resident_disposable_income"),
        ("市区居民人均可支配收入", "resident_disposable_income"),
        ("市区城镇居民人均可支配收入", "urban_disposable_income"),
        ("市区常住人口", "resident_population"),
    ],
)
def test_central_city_figures_never_take_a_city_wide_id(phrase, city_wide):
    assert REGISTRY.match(phrase) != city_wide
    # reply2022_no4: "市区常住人口超过100万人" has its own id
    assert REGISTRY.match("市区常住人口") == "central_city_population"
    assert REGISTRY.match("市区居民人均收入") == "central_city_resident_income"


def test_sub_figures_keep_out_of_the_totals():
    # wr2020 一: "东南数字经济研究院…引进高层次人才120名" is one institute's figure
    assert REGISTRY.match("东南数字经济研究院引进高层次人才") is None
    assert REGISTRY.match("道路交通事故起数") is None


def test_every_entry_has_an_english_name():
    for ind in REGISTRY:
        assert ind.name_en and any(c.isascii() and c.isalpha() for c in ind.name_en), ind.id


# --- the shipped documents: every headline target has an id --------------------------------


@pytest.fixture(scope="module")
def statements():
    from qzanalysis.pipeline import analyse

    return analyse().statements


def test_every_five_year_goal_of_the_2022_report_has_an_id(statements):
    # wr2022_excerpt is the 今后五年主要目标 section and its 六个聚焦聚力
    goals = statements[
        (statements["doc_id"] == "wr2022_excerpt") & (statements["kind"] == "target")
    ]
    assert len(goals) >= 29
    assert goals["indicator_id"].notna().all(), list(
        goals.loc[goals["indicator_id"].isna(), "indicator_text"]
    )


def test_every_2020_target_stating_a_city_total_has_an_id(statements):
    # Left unmapped on purpose: a floor for each county, household or village, not a city total
    # ("每个县(市、区)分别引进1个10亿元项目", "有劳动能力的低收入家庭1人以上稳定就业",
    # "力争行政村经营性收入10万元全覆盖").
    floors = {
        "每个县(市、区)引进总投资超20亿元先进制造业项目",
        "每个县(市、区)引进10亿元项目",
        "每个县(市、区)引进亿元项目",
        "有劳动能力的低收入家庭稳定就业人数",
        "行政村经营性收入",
    }
    wr2020 = statements[(statements["doc_id"] == "wr2020") & (statements["kind"] == "target")]
    unmapped = set(wr2020.loc[wr2020["indicator_id"].isna(), "indicator_text"])
    assert unmapped <= floors, unmapped - floors


# --- near phrases: suggestions, never matches ------------------------------------------------


@pytest.mark.parametrize(
    "a, b, expected",
    [
        # wr2020: 2020 target "事故起数" and 2019 outcome "安全生产事故起数": 4 of 8 characters
        ("事故起数", "安全生产事故起数", ("contained in", 0.5)),
        ("安全生产事故起数", "事故起数", ("contains", 0.5)),
        # wr2020 "衢州港吞吐量" (2019) and wr2026_highlights "衢州港货物吞吐量" (2025):
        # 衢州港 + 吞吐量 = 6 matching characters of 6 + 8: 12/14
        ("衢州港吞吐量", "衢州港货物吞吐量", ("similar", 0.857)),
        # 新增 + 亿企业 = 5 of 6 + 7: 10/13 = 0.769: near, and still not the same indicator
        ("新增百亿企业", "新增10亿企业", ("similar", 0.769)),
        # 智造新城 = 4 of 8 + 6: 8/14 = 0.571 < 0.6
        ("智造新城工业熟地", "智造新城滚动", None),
        # 项目 is 2 characters: too short to be contained; 4/10 = 0.4
        ("项目", "数字经济重大项目", None),
        ("垦造耕地", "垦造耕地", ("equal", 1.0)),
    ],
)
def test_phrase_nearness_of_known_pairs(a, b, expected):
    assert phrase_nearness(a, b) == expected


def test_the_ratio_threshold_is_a_parameter():
    assert phrase_nearness("智造新城工业熟地", "智造新城滚动", min_ratio=0.5) == ("similar", 0.571)


@pytest.fixture()
def small_registry(tmp_path):
    """A registry that knows the accidents only by the Ministry's name (no 事故起数 synonym)."""
    path = tmp_path / "indicators.yaml"
    path.write_text(
        "indicators:\n"
        "  - {id: work_safety_accidents, name_zh: 生产安全事故起数, name_en: Work-safety "
        "accidents, unit: 起, polarity: lower_better, category: governance}\n"
        "  - {id: new_display_output, name_zh: 新型显示产业集群产值, name_en: New-display "
        "output, unit: 亿元, polarity: higher_better, category: industry}\n",
        encoding="utf-8",
    )
    return load_registry(path)


def test_suggestions_for_unmapped_targets(small_registry):
    st = make_statements(
        [
            # wr2020 二: "确保事故起数、死亡人数均下降20%"
            dict(statement_id="wr2020:t1", kind="target", indicator_text="事故起数"),
            # wr2020 一: "安全生产事故起数、死亡人数分别下降30.2%、34.1%"
            dict(statement_id="wr2020:o1", kind="outcome", indicator_text="安全生产事故起数"),
            # plan15_proposal: "新型显示百亿级未来产业集群" (2030)
            dict(statement_id="p15:t2", kind="target", indicator_text="新型显示百亿级未来产业集群"),
            # a mapped target is never a suggestion's subject
            dict(
                statement_id="m1",
                kind="target",
                indicator_id="new_display_output",
                indicator_text="新型显示产业集群产值",
            ),
        ]
    )
    got = suggest_synonyms(st, small_registry).set_index(["target_phrase", "source"])
    accidents_outcome = got.loc[("事故起数", "outcome")]
    assert (accidents_outcome["suggestion"], accidents_outcome["suggestion_ids"]) == (
        "安全生产事故起数",
        "wr2020:o1",
    )
    assert (accidents_outcome["match"], accidents_outcome["score"]) == ("contained in", 0.5)
    assert got.loc[("事故起数", "registry"), "suggestion_ids"] == "work_safety_accidents"
    # 新型显示 + 产业集群 = 8 matching characters of 13 + 10: 16/23 = 0.696
    display = got.loc[("新型显示百亿级未来产业集群", "registry")]
    assert (display["suggestion"], display["match"], display["score"]) == (
        "新型显示产业集群产值",
        "similar",
        0.696,
    )
    assert display["target_ids"] == "p15:t2"
    assert "新型显示产业集群产值" not in set(got.index.get_level_values(0))


def test_suggestions_are_never_matches(small_registry):
    from qzanalysis.compare import compare_targets

    st = make_statements(
        [
            dict(
                kind="target",
                indicator_text="事故起数",
                measure="change",
                direction="decrease",
                period_end="2019",
                value=20.0,
                unit="%",
            ),
            dict(
                kind="outcome",
                indicator_text="安全生产事故起数",
                measure="change",
                direction="decrease",
                period_end="2019",
                value=30.2,
                unit="%",
            ),
        ]
    )
    row = compare_targets(st, registry=small_registry, published={}, as_of="2026-01").iloc[0]
    assert row["status"] == "no_outcome" and pd.isna(row["matched_by"])
    assert "--suggest" in row["explanation"]
