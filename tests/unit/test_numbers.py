"""Number parsing and value finding (qzanalysis.extract.numbers, .filters): one test per rule and exclusion."""

from __future__ import annotations

import pytest

from qzanalysis.extract import filters, numbers
from qzanalysis.extract.numbers import find_values, parse_chinese_numeral, parse_number


def values(text: str) -> list[tuple]:
    return [
        (v.value, v.value_high, v.unit, v.comparator, v.special)
        for v in find_values(text)
        if not v.threshold
    ]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2125.2", 2125.2),
        ("2,125.2", 2125.2),
        ("２１２５．２", 2125.2),
        ("7", 7.0),
        ("二百三十", 230.0),
        ("三百", 300.0),
        ("两", 2.0),
        ("五点五", 5.5),
        ("百分之七", 7.0),
        ("百分之五点五", 5.5),
        ("2.2万", 22000.0),
        ("千", 1000.0),
        ("百", 100.0),
        ("abc", None),
    ],
)
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


def test_parse_chinese_numeral_rejects_non_numerals():
    assert parse_chinese_numeral("一带一路") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("增长6.7%", [(6.7, None, "%", None, None)]),
        ("增长６．７％", [(6.7, None, "%", None, None)]),
        ("城镇新增就业2.2万人以上", [(2.2, None, "万人", "ge", None)]),
        ("生产总值2800亿元", [(2800.0, None, "亿元", None, None)]),
        ("累计筛查1.1万人次", [(1.1, None, "万人次", None, None)]),
        ("提高1.2个百分点", [(1.2, None, "百分点", None, None)]),
        ("出生率8.5‰", [(8.5, None, "‰", None, None)]),
        ("百分之七", [(7.0, None, "%", None, None)]),
        ("百分之五点五", [(5.5, None, "%", None, None)]),
        ("占六成", [(60.0, None, "%", None, None)]),
        ("七成以上", [(70.0, None, "%", "ge", None)]),
        ("新增二百三十家", [(230.0, None, "家", None, None)]),
        ("新增两家", [(2.0, None, "家", None, None)]),
        ("达到三百亿元", [(300.0, None, "亿元", None, None)]),
        ("突破千亿大关", [(1000.0, None, "亿元", None, None)]),
        ("规模超千亿元", [(1000.0, None, "亿元", None, None)]),
        ("主板上市企业1-2家", [(1.0, 2.0, "家", "range", None)]),
        ("主板上市企业1—2家", [(1.0, 2.0, "家", "range", None)]),
        ("增长5.5—6%", [(5.5, 6.0, "%", "range", None)]),
        ("增长5.5%-6%", [(5.5, 6.0, "%", "range", None)]),
        ("增长6-6.5%", [(6.0, 6.5, "%", "range", None)]),
        ("增长7%左右", [(7.0, None, "%", "approx", None)]),
        ("控制在3.5%以内", [(3.5, None, "%", "le", None)]),
        ("9000多名群众", [(9000.0, None, "名", "gt", None)]),
        ("500亿元企业“零突破”", [(1.0, None, "", "ge", "zero_breakthrough")]),
        ("实现国内批量生产“零”的突破", [(1.0, None, "", "ge", "zero_breakthrough")]),
        ("重大事故“零发生”", [(0.0, None, "", "eq", "zero_occurrence")]),
        ("列全国第65位", [(65.0, None, "位", None, "rank")]),
        ("公众满意率全省第一", [(1.0, None, "位", None, "rank")]),
        ("收入倍差缩小至1.75以内", [(1.75, None, "", "le", "ratio")]),
        (
            "工业总量翻番、效益倍增。",
            [(100.0, None, "%", None, "doubling"), (100.0, None, "%", None, "doubling")],
        ),
        ("汇聚257万衢州人民", [(257.0, None, "万人", None, None)]),
    ],
)
def test_values_found(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "PM2.5浓度",
        "5G网络",
        "351国道改造",
        "全面落实市委“1433”发展战略体系",
        "“5459”大产业创新体系",
        "新型城镇化“10+2”重点工作",
        "“4+1”重要要求",
        "“8090+”新时代理论宣讲",
        "一、2019年工作回顾",
        "(二)协调发展",
        "1. 着力打造",
        "2020年4月24日",
        "1—9月,全市",
        "5月17日召开",
        "衢委发〔2021〕25号",
        "建议(第4号)",
        "投资项目在线审批监管平台3.0上线",
        "城市大脑2.0",
        "新中国成立70周年",
        "孔子诞辰2570周年",
        "“十四五”规划",
        "组织第三批医护人员",
        "连续6个月排名",
        "两个维护",
        "九个方面工作",
        "放在第一位",
        "全省第一方阵",
        "数字经济五年倍增计划",
        "百强榜前50位",
        "5-10-15分钟幸福生活圈",
        "“民营经济高质量发展42条”",
        "千亿级产业集群",
        "10亿级企业",
        "一带一路",
        "千方百计",
        "万众一心",
        "第四届全国智力运动会",
    ],
)
def test_non_values_are_left_out(text):
    assert values(text) == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("产值100亿元企业超过10家", 10.0),
        ("村级集体经济年经营性收入50万元以上行政村占比达到60%", 60.0),
        ("家庭年可支配收入10-50万元的群体比例达到72%", 72.0),
        ("引进总投资超20亿元先进制造业项目1个以上", 1.0),
        ("新增百亿企业1家、50亿企业1家", 1.0),
    ],
)
def test_thresholds_inside_names_are_not_values(text, value):
    found = find_values(text)
    kept = [v for v in found if not v.threshold]
    assert kept and all(v.value == value for v in kept)
    assert any(v.threshold for v in found) or "百亿" in text


def test_money_followed_by_noun_without_other_value_is_a_value():
    assert values("市县一体发放1亿元消费券") == [(1.0, None, "亿元", None, None)]


def test_offsets_cover_number_and_unit():
    text = "全市生产总值2125.2亿元、增长6.8%"
    v = find_values(text)
    assert [text[x.start : x.end] for x in v] == ["2125.2亿元", "6.8%"]


def test_chinese_numeral_with_wan_unit_keeps_the_written_unit():
    vs = find_values("粮食播种面积一百三十万亩，新建高标准农田十万亩，接待游客一千二百万人次。")
    assert [(v.value, v.unit) for v in vs] == [(130.0, "万亩"), (10.0, "万亩"), (1200.0, "万人次")]


def test_chinese_numeral_with_ge_only_at_clause_end():
    assert [
        (v.value, v.unit) for v in find_values("新增省级现代农业园区五个，实施增收项目五十个。")
    ] == [(5.0, "个"), (50.0, "个")]
    assert find_values("坚持两个维护，建设三个中心城市") == []


def test_ratio_continuation_values():
    vs = find_values(
        "城乡居民收入倍差为1.81，比上年缩小0.04；倍差目标为缩小到1.7以内，2022年为1.80。"
    )
    assert [(v.value, v.special, v.comparator) for v in vs] == [
        (1.81, "ratio", None),
        (0.04, "ratio_change", None),
        (1.7, "ratio", "le"),
        (1.8, "ratio", None),
    ]


def test_from_to_list_values_are_not_thresholds():
    vs = find_values("分别由21800元、10315元增加到36820元、19145元")
    assert [v.value for v in vs if not v.threshold] == [21800.0, 10315.0, 36820.0, 19145.0]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a minus sign after a word is the sign of a level; after a digit it is a range dash
        ("人口自然增长率为-1.2‰。", [(-1.2, None, "‰", None, None)]),
        ("增速为−0.5%。", [(-0.5, None, "%", None, None)]),
        ("新增1-2家。", [(1.0, 2.0, "家", "range", None)]),
    ],
)
def test_negative_level_keeps_its_sign(text, expected):
    assert values(text) == expected


def test_negative_value_span_starts_at_the_sign():
    text = "人口自然增长率为-1.2‰。"
    (v,) = find_values(text)
    assert text[v.start : v.end] == "-1.2‰"


def test_ratio_from_year_to_year_is_not_the_year():
    assert values("城乡居民收入倍差由2020年的1.86缩小到2024年的1.74。") == [
        (1.86, None, "", None, "ratio"),
        (1.74, None, "", None, "ratio"),
    ]


def test_rank_with_a_bracketed_list_before_the_ordinal():
    vs = [v for v in find_values("增速居衢州各县（市、区）第1位。") if v.special == "rank"]
    assert [(v.value, v.unit) for v in vs] == [(1.0, "位")]


# ---------------------------------------------------------------- single finders and filters
# Each finder runs alone on folded text; the expected answers are read off the example sentence.


def spans(text: str, mentions) -> list[tuple]:
    return [(text[v.start : v.end], v.value, v.unit, v.comparator, v.special) for v in mentions]


def test_find_ranks_starts_the_span_at_di():
    # "第1位" is the rank: 1, in 位; the field ranked in ("衢州各县（市、区）") is not part of it
    text = "增速居衢州各县（市、区）第1位，满意率全省第一。"
    assert spans(text, numbers.find_ranks(text)) == [
        ("第1位", 1.0, "位", None, "rank"),
        ("第一", 1.0, "位", None, "rank"),
    ]


def test_find_rank_moves():
    # "进位3位": three places up; the unit is the one written (位)
    text = "综合排名进位3位。"
    assert spans(text, numbers.find_rank_moves(text)) == [("进位3位", 3.0, "位", None, "rank")]


def test_find_ratios_and_their_followers():
    # the ratio is 1.81 (no unit); "缩小0.04" after it is its change, "2022年为1.80" the ratio again
    text = "城乡居民收入倍差为1.81，比上年缩小0.04，2022年为1.80。"
    ratios = list(numbers.find_ratios(text))
    assert spans(text, ratios) == [("1.81", 1.81, "", None, "ratio")]
    assert spans(text, numbers.find_ratio_followers(text, ratios)) == [
        ("0.04", 0.04, "", None, "ratio_change"),
        ("1.80", 1.8, "", None, "ratio"),
    ]


def test_find_ratio_followers_stop_at_the_sentence_end():
    # "为2.5" is in the next sentence: it is not the ratio again
    text = "收入倍差为1.81。人均住房面积为2.5。"
    assert list(numbers.find_ratio_followers(text, numbers.find_ratios(text))) == []


def test_find_zero_forms():
    # 零突破 = at least one (ge 1); 零发生 = none (eq 0); the span takes an opening quote only
    # (ZERO_FORMS allows “ before 零 and ” between 零 and 突破, not after 突破)
    text = "实现上市企业“零突破”，重大事故零发生。"
    assert spans(text, numbers.find_zero_forms(text)) == [
        ("“零突破", 1.0, "", "ge", "zero_breakthrough"),
        ("零发生", 0.0, "", "eq", "zero_occurrence"),
    ]


def test_find_doublings_skips_slogans():
    # 翻番 = +100%; "倍增" inside a quoted plan name is that name, not a doubling
    text = "工业总量翻番，实施“数字经济倍增”计划。"
    assert spans(text, numbers.find_doublings(text, filters.quoted_spans(text))) == [
        ("翻番", 100.0, "%", None, "doubling")
    ]


def test_find_chinese_scale_values():
    # 千亿 after 突破 is 1000 亿元; 万亿 is 1 万亿元 (not 10000 亿元)
    text = "规模突破千亿大关，总量超万亿元。"
    assert spans(text, numbers.find_chinese_scale_values(text, [])) == [
        ("千亿大关", 1000.0, "亿元", None, None),
        ("万亿元", 1.0, "万亿元", None, None),
    ]


def test_find_chinese_percents_and_tenths():
    # 百分之五点五 = 5.5%; 七成以上 = 70% or more
    text = "占比百分之五点五，覆盖率七成以上。"
    assert spans(text, numbers.find_chinese_percents(text)) == [
        ("百分之五点五", 5.5, "%", None, None)
    ]
    assert spans(text, numbers.find_tenths(text, [])) == [("七成以上", 70.0, "%", "ge", None)]


def test_find_arabic_values():
    # a range keeps both ends; 多 makes "more than"; a figure without a unit (the year) is no value
    text = "2023年新增1-2家，服务9000多名群众，增长6.7%左右。"
    assert spans(text, numbers.find_arabic_values(text, [])) == [
        ("1-2家", 1.0, "家", "range", None),
        ("9000多名", 9000.0, "名", "gt", None),
        ("6.7%左右", 6.7, "%", "approx", None),
    ]


def test_find_arabic_values_leave_out_ordinals_codes_grades_and_slogans():
    # 第3批 ordinal, G60 code, 10亿级 grade, “民营经济高质量发展42条” a policy's name: none is a value
    text = "第3批项目，G60科创走廊，10亿级企业，“民营经济高质量发展42条”。"
    assert list(numbers.find_arabic_values(text, filters.quoted_spans(text))) == []


def test_find_chinese_values():
    # 二百三十家 = 230 家 (any numeral before 家); "两家" needs a count verb before it; 两个维护 is a phrase
    text = "新增二百三十家企业，引进两家，坚持两个维护。"
    assert spans(text, numbers.find_chinese_values(text, [])) == [
        ("二百三十家", 230.0, "家", None, None),
        ("两家", 2.0, "家", None, None),
    ]


@pytest.mark.parametrize(
    "text, pos, expected",
    [
        ("组织第3批", 3, True),  # 第: an ordinal
        ("百强榜前50位", 4, True),  # 前: a top-N
        ("衢委发〔2021〕", 4, True),  # 〔: a document year
        ("G60科创走廊", 1, True),  # a letter: a code
        ("增长6.7%", 2, False),
    ],
)
def test_is_ordinal_or_code(text, pos, expected):
    assert filters.is_ordinal_or_code(text, pos) is expected


def test_in_slogan_only_for_long_or_plus_quotes():
    # "最多90天" is a short quote holding a real value; "10+2" and a long policy name are slogans
    for text, expected in (
        ("“最多90天”", False),
        ("“10+2”重点工作", True),
        ("“民营经济高质量发展42条”", True),
    ):
        assert (
            filters.in_slogan(
                text, text.index(next(c for c in text if c.isdigit())), filters.quoted_spans(text)
            )
            is expected
        )


def test_is_grade_or_name_spares_rates():
    # "10亿级" is a grade; "5%A股" is still a rate of 5%
    assert filters.is_grade_or_name("10亿级企业", 3, "亿")
    assert not filters.is_grade_or_name("5%A股", 2, "%")


def test_mark_thresholds_needs_another_value_in_the_segment():
    # 100亿元 names the firms counted ("产值100亿元企业"): a threshold, because 10家 follows it;
    # alone ("发放1亿元消费券") a figure followed by a noun is still the value
    text = "产值100亿元企业超过10家"
    marked = filters.mark_thresholds(text, list(numbers.find_arabic_values(text, [])))
    assert [(v.value, v.threshold) for v in marked] == [(100.0, True), (10.0, False)]
    text = "发放1亿元消费券"
    marked = filters.mark_thresholds(text, list(numbers.find_arabic_values(text, [])))
    assert [(v.value, v.threshold) for v in marked] == [(1.0, False)]


# --- issue 9: grades that are values (a water class, the output level of a named cluster)


@pytest.mark.parametrize(
    "text, expected",
    [
        # a better water class is a lower number: 以上 = this class or better (le), 以下 (ge)
        ("地表水水质保持III类以上。", [(3.0, None, "", "le", "class_grade")]),
        ("出境水水质稳定保持Ⅱ类以上,", [(2.0, None, "", "le", "class_grade")]),
        ("饮用水源地水质达到Ⅰ类。", [(1.0, None, "", "eq", "class_grade")]),
        ("Ⅳ类以下断面全部消除。", []),  # a class naming a noun is no value
        ("消除劣Ⅴ类水体。", []),
        ("Ⅰ、Ⅱ类水质断面占比达到95.2%", [(95.2, None, "%", None, None)]),
    ],
)
def test_class_grades(text, expected):
    assert values(text) == expected


def _grades(text: str) -> list[tuple]:
    return [
        (v.raw, v.value, v.unit, v.comparator, v.items)
        for v in find_values(text)
        if v.special == "grade_level"
    ]


def test_grade_of_one_named_cluster_after_a_count_of_one():
    assert _grades("形成1个千亿级绿色化工产业集群。") == [
        ("千亿级", 1000.0, "亿元", "ge", ("绿色化工产业集群产值",))
    ]


def test_grade_shared_by_the_names_listed_before_its_count():
    assert _grades("着力打造数字经济、生物医药两大五百亿级产业集群。") == [
        ("五百亿级", 500.0, "亿元", "ge", ("数字经济产业集群产值", "生物医药产业集群产值"))
    ]


def test_grades_chained_before_one_head_noun():
    text = "加快培育100亿级智能装备,50亿级光电、新型建材和20亿级文旅等产业集群。"
    assert _grades(text) == [
        ("100亿级", 100.0, "亿元", "ge", ("智能装备产业集群产值",)),
        ("50亿级", 50.0, "亿元", "ge", ("光电产业集群产值", "新型建材产业集群产值")),
        ("20亿级", 20.0, "亿元", "ge", ("文旅产业集群产值",)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "成为全市第二条五百亿级产业链。",  # no cluster named: the grade is a description
        "培育3个百亿级先进制造业集群。",  # a count of clusters of that size, none named
        "培育壮大12条十亿级农业产业链。",
        "各县分别形成1个特色鲜明的百亿级“明星”产业集群。",  # a quoted label, not an industry
        "加快培育若干百亿级“链主”企业。",  # firms, not a cluster
    ],
)
def test_grades_naming_no_cluster_are_no_values(text):
    assert _grades(text) == []


def test_a_grade_makes_no_count_before_it_a_threshold():
    # "1个" stays the count; the grade after it is a value of its own, not what makes it a name
    text = "形成1个特色鲜明的千亿级新材料产业集群。"
    assert [(v.raw, v.threshold) for v in find_values(text)] == [
        ("1个", False),
        ("千亿级", False),
    ]
