"""Every rule of the extractor, as named tables and regexes a researcher can read and extend.

The extractor's code (numbers, structure, phrases, timing, sentences) only applies these tables;
to change what it finds or how it reads a statement, extend a table here rather than adding a
special case in the code. Each table says in its comment what it decides. Tables are grouped in
the order the extractor uses them: units and number forms, what is not a value, document
structure, kind and period cues, clause cues, measure and comparator, indicator phrases.

Regexes run on the normalised text (``Document.normalized.text``). Tables with many entries are laid out by hand, several entries a line and grouped
by meaning; ``# fmt: off`` / ``# fmt: on`` around them keeps the formatter from putting each entry
on a line of its own.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------------
# Units and number forms (numbers.py)
# --------------------------------------------------------------------------------------------

# fmt: off
#: Units as written -> normalised unit. Longest spellings are tried first.
UNITS: dict[str, str] = {
    "个百分点": "百分点", "百分点": "百分点", "%": "%", "‰": "‰",
    "微克/立方米": "微克/立方米", "毫克/立方米": "毫克/立方米",
    "万吨/日": "万吨/日", "吨/日": "吨/日", "万元/亩": "万元/亩", "元/亩": "元/亩", "元/月": "元/月",
    "元/人": "元/人", "元/吨": "元/吨",
    "万平方米": "万平方米", "平方米": "平方米", "平方公里": "平方公里", "万平方公里": "万平方公里",
    "亿千瓦时": "亿千瓦时", "万千瓦时": "万千瓦时", "万千瓦": "万千瓦", "千瓦": "千瓦",
    "亿人次": "亿人次", "万人次": "万人次", "人次": "人次", "万标箱": "万标箱",
    "亿美元": "亿美元", "万美元": "万美元", "美元": "美元",
    "万亿元": "万亿元", "亿元": "亿元", "万元": "万元", "元": "元",
    "万人": "万人", "人": "人", "万户": "万户", "户": "户",
    "万吨": "万吨", "吨": "吨", "万亩": "万亩", "亩": "亩", "公里": "公里", "千米": "公里",
    "万辆": "万辆", "辆": "辆", "万套": "万套", "套": "套", "万个": "万个", "个": "个", "万家": "万家",
    "家": "家", "万宗": "万宗", "宗": "宗", "项": "项", "所": "所", "座": "座", "条": "条", "件": "件",
    "起": "起", "次": "次", "场": "场", "期": "期", "台": "台", "名": "名", "位": "位", "岁": "岁",
    "天": "天", "倍": "倍", "万张": "万张", "张": "张", "处": "处", "支": "支", "艘": "艘", "架": "架", "万册": "万册",
    "万头": "万头", "头": "头", "批": "批",
    # bare scale words last: "2.2万", "2800亿"
    "万亿": "万亿", "亿": "亿", "万": "万",
}
#: A unit is not a unit when followed by these (个月 is a duration, 人民 a noun, 名单 a list...).
UNIT_NOT_BEFORE: dict[str, str] = {
    "个": "月小工", "人": "民口才员均", "名": "单称优列", "位": "于置列居", "元": "旦宵素",
    "次": "会序", "期": "间货限末待", "起": "来步码", "场": "景所馆", "处": "置理", "张": "力",
    "条": "件例", "台": "阶州", "天": "然下", "头": "部", "批": "准复次", "户": "籍口",
    "万": "众物事象全", "亿": "万", "件": "事", "项": "目", "所": "有以属在",
}
#: Count units of events (visits, cases, times): a figure in them is a count of the period even
#: without a verb ("接待国内游客6532.8万人次").
EVENT_UNITS = {"人次", "万人次", "亿人次", "起", "件", "次", "场"}
#: "0.8个、1.3个百分点": a 个 whose list ends in 个百分点 is a percentage point (match at the unit end).
POINTS_LATER_IN_LIST = re.compile(r"(?:[、和及]\s*\d+(?:\.\d+)?个)*[、和及]\s*\d+(?:\.\d+)?个?百分点")
#: "每月1150元": an amount per month (unit 元/月).
PER_MONTH = ("每月", "每人每月")
#: Units whose figure is money.
MONEY_UNITS = {"万亿元", "亿元", "万元", "元", "亿美元", "万美元", "美元", "亿", "万亿"}
#: Units that count things: a figure in them is a 'count' when a verb of adding or doing governs it
#: (COUNT_VERBS, ADDED_PREFIX) and a stock ('level') otherwise (phrases._count_unit_measure).
COUNT_UNITS = {
    "家", "个", "项", "所", "套", "座", "条", "件", "起", "宗", "次", "场", "期", "台", "名", "位",
    "户", "辆", "张", "处", "支", "艘", "架", "批", "亩", "万亩", "人", "万人", "人次", "万人次",
    "亿人次", "万平方米", "平方米", "万宗", "万套", "万个", "万户", "万家", "万辆", "万", "头", "万头",
    "万张",
}
#: Units a Chinese numeral may carry (not 个/项/条/期/次...: "两个维护", "一期工程", "四次会议").
CN_UNITS = {"家", "所", "人", "万人", "亿元", "万元", "元", "岁", "亩", "万亩", "吨", "万吨", "%",
            "百分点", "个百分点", "名", "座", "户", "套", "人次", "万人次", "公里", "万平方米"}
#: Units a Chinese numeral may carry only at the end of a clause ("新增省级现代农业园区五个。"),
#: where they cannot start a noun phrase ("两个维护", "一期工程", "四次会议").
CN_CLAUSE_END_UNITS = {"个", "项", "条", "处", "批", "场", "支", "万个"}
#: Verbs after which a single-character Chinese numeral is a count ("新增两家").
CN_COUNT_VERBS = ("新增", "新建", "引进", "达到", "超过", "突破", "建成", "完成", "培育", "增加",
                  "减少", "共", "累计", "选出", "提高", "下降", "增长")
#: Comparator words written right after the number/unit.
SUFFIX_COMPARATORS: tuple[tuple[str, str], ...] = (
    ("及以上", "ge"), ("以上", "ge"), ("左右", "approx"), ("以内", "le"), ("以下", "le"),
)
# fmt: on
#: Chinese numerals (digits and scale characters).
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
#: "257万衢州人民": a bare 万 followed (within six characters) by these nouns counts people (万人).
PEOPLE_AFTER_WAN = re.compile(r"^[\u4e00-\u9fff]{0,6}?(?:人民|人口|群众|居民|市民)")
#: "突破千亿大关", "超千亿元": a bare Chinese scale word after these verbs is a value in 亿元.
CN_SCALE_VALUE = re.compile(
    r"(?:(?<=突破)|(?<=超过)|(?<=达到)|(?<=迈上)|(?<=超))(?P<n1>[一二三四五六七八九]?[十百千]|万)亿(?P<tail>元|大关)(?!级)"
)

#: Forms that carry their own measure. A rank: "全省第一", "居衢州各县（市、区）第1位" (not 第一方阵).
RANK = re.compile(
    r"(?:全国|全省|全市|全球|世界|全区|榜单?|排名|排位|位列|位居|列|居|进位至|总分)"
    # a bracket may hold a list: "居衢州各县（市、区）第1位"
    r"(?:[(（][^()（）\n]{0,12}[)）]|[^，。；、,;\n]){0,10}?第(?P<n1>\d+|[一二三四五六七八九十]+)(?P<unit>位|名)?"
    r"(?!方阵|批|道|届|次|轮|阶段|梯队|个|季度|期|名单)"
)
#: A rank written in words or as a top-N: "居全省首位" (rank 1), "连续12个月居全省前3" (rank 3 or
#: better: comparator 'le').
RANK_WORDS = re.compile(
    r"(?:全国|全省|全市|全区)(?:[^，。；、,;\n]){0,6}?(?:(?P<first>首位|第一位|榜首)|前(?P<n1>\d+|[一二三四五六七八九十]+)(?P<unit>位|名)?(?![\d个年月天%]))"
)
#: A count of indicators, not a figure of the city: the text counts its own list of indicators
#: ("12项主要经济指标", "15项主要经济指标中，11项增速高于全省平均", "28项主要指标中，有25项达到或超过预期",
#: "17个指标进入全省前十"). In these units, a count whose noun is 指标 (after a few qualifiers), a
#: count of 增速 ("8项增速居全省前三": N indicators' growth rates), or a count of the members of an
#: indicator list just named ("…指标中，有25项…") is no value (methods.md §1, judgement rules).
INDICATOR_COUNT_UNITS = frozenset({"项", "个"})
INDICATOR_COUNT_AFTER = re.compile(
    r"[^，。；,;：:、\d\n]{0,8}?指标(?!监测|体系|数据|库|站|平台|任务|交易)|增速"
)
INDICATOR_COUNT_BEFORE = re.compile(r"指标中[，,]?(?:有|其中)?$")
#: A number of items before a top-N rank ("8项增速居全省前三"): the rank is no indicator's.
ITEMS_RANKED = re.compile(r"\d+(?:项|个(?!月))[^，。；,;\d]{0,6}$")
#: A structure ratio ("三次产业结构为4.9∶40.8∶54.3", "调整为4.6:43.6:51.8"): one share per
#: sector, in the order of STRUCTURE_SECTORS; written without a unit (the terms add up to 100).
STRUCTURE_RATIO = re.compile(
    r"三次产业(?:结构|比例)(?:调整)?(?:为|是|达到)?(?P<terms>\d+(?:\.\d+)?(?:[∶:]\d+(?:\.\d+)?){2})"
)
STRUCTURE_SECTORS = (
    "第一产业增加值占生产总值比重",
    "第二产业增加值占生产总值比重",
    "第三产业增加值占生产总值比重",
)
#: A move up a ranking: "进位3位".
RANK_MOVE = re.compile(r"(?:进位|前移|上升|提升)(?P<n1>\d+)(?P<unit>位|名)")
#: "零突破" (at least one, for the first time) and "零发生/零事故/零死亡" (none).
ZERO_FORMS = re.compile(r"“?零”?(?:的)?突破|“?零(?:发生|事故|死亡)”?")
#: Doubling: "翻一番", "翻番" (+100%); "倍增" only at the end of a clause (倍增计划 is a name).
DOUBLING = re.compile(r"翻一番|翻番|倍增(?=[，。；、,;]|$)")
#: A water-quality class ("水质保持Ⅱ类以上", "达到III类"): a level where lower is better, so 以上
#: (class II or better) is 'le' and 以下 'ge'. Not 劣Ⅴ类 (a name) nor a class naming a noun (Ⅱ类水质断面).
CLASS_GRADE = re.compile(
    r"(?<![A-Za-z劣])(?P<n1>[ⅠⅡⅢⅣⅤ]|IV|V|I{1,3})类(?P<suffix>及以上|以上|及以下|以下)?"
    r"(?=[，。；、,;)）\s]|$)"
)
# fmt: off
#: Class numerals (Roman, as written) -> class number.
CLASS_NUMERALS = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
# fmt: on
#: The comparator of a class grade's suffix (a better class is a lower number); none -> 'eq'.
CLASS_GRADE_COMPARATORS = {"以上": "le", "及以上": "le", "以下": "ge", "及以下": "ge"}
#: What a class grade's indicator names: "市域出境水水质" + "类别".
CLASS_INDICATOR_SUFFIX = "类别"
#: An output-level grade of a named cluster or chain ("千亿级新材料产业集群", "500亿级高端装备"): the
#: grade (in 亿元) is a target level (ge) of each named cluster's output.
LEVEL_GRADE = re.compile(r"(?P<n1>\d+|[一二三四五六七八九十百千]+)亿级")
#: Unit of a grade's value.
LEVEL_GRADE_UNIT = "亿元"
#: Head nouns of what a level grade grades (the leftmost one after the grade ends its names).
CLUSTER_HEAD = re.compile(r"产业集群|产业链|集群")
#: How far after a grade its head noun may stand ("500亿级高端装备,300亿级集成电路、…等产业集群").
CLUSTER_HEAD_REACH = 40
#: The names a grade governs, after it: plain words and 、/和/及 (no quote: "百亿级“新星”" is a
#: label, not an industry), then 等 before the head or a separator before the next grade.
GRADE_NAMES_AFTER = re.compile(r"(?P<names>[\u4e00-\u9fff、]*?)(?:等|[,，、和及])?")
#: A count right before a grade ("两大千亿级", "2个百亿级", "20条十亿级"): with as many names listed
#: before it, those are the clusters graded; with no such list, two or more is a count of clusters
#: of that size (a 'count', not a level: "2个五百亿级先进制造业集群").
GRADE_COUNT_BEFORE = re.compile(r"(?P<n>\d+|[一二两三四五六七八九十]+)(?:个|大|条)$")
#: Verbs that open a list of names before a grade ("着力培育形成新材料、新能源两大千亿级…").
GRADE_NAME_LEADING = re.compile(
    r"^(?:着力|加快|力争|努力|大力|全力|培育|形成|打造|建成|建设|壮大|发展|做强|做大|争创)+"
)
#: What a graded cluster's indicator names: "新材料" + "产业集群" + "产值".
GRADE_INDICATOR_SUFFIX = "产值"
#: "由2020年的1.86缩小到…": a stated year (with 的/末/底) may stand between the verb and the ratio.
YEAR_OF = r"(?:20\d\d年(?:末|底)?的?)?"
#: A ratio needs no unit: "城乡居民收入倍差为1.81", "收入比缩小至1.75以内".
RATIO = re.compile(
    rf"(?:倍差|收入比)(?P<verb>[^0-9，。；、,;\n]{{0,6}}?){YEAR_OF}(?P<n1>\d+(?:\.\d+)?)(?![\d%倍年月])"
)
#: After a ratio ("倍差为1.81"), a bare decimal later in the same sentence is the same ratio at another
#: time ("，2022年为1.80") or its change ("，比上年缩小0.04").
RATIO_MORE = re.compile(
    r"(?P<verb>为|是|达到|缩小到|缩小至|降至|降到|下降到|下降至|收窄至|收窄到|缩小|收窄|扩大|下降|降低|提高|上升)"
    rf"{YEAR_OF}(?P<n1>\d+\.\d+)(?=以内|以下|左右|[，。；、,;)）]|$)"
)
#: Verbs that make a figure after a ratio its change ("比上年缩小0.04"), not another ratio.
RATIO_CHANGE_VERBS = ("缩小", "收窄", "扩大", "下降", "降低", "提高", "上升")

# --------------------------------------------------------------------------------------------
# What only looks like a value (numbers.py)
# --------------------------------------------------------------------------------------------

#: Quoted text ("1433", "10+2", “民营经济高质量发展42条”): slogans and names, not values.
QUOTE = re.compile(r"[“\"「『]([^”\"」』\n]{1,40})[”\"」』]")
#: A number in a quote is a value only when the quote is this short ("最多90天") and has no "+".
MAX_QUOTED_VALUE_CHARS = 6
#: A minus sign makes a level negative ("人口自然增长率为-1.2‰") when it follows a word or a
#: punctuation mark (SIGN_AFTER), not a digit (1-2家 is a range) or a letter/code (G60-, 2022-137066).
MINUS_SIGNS = "-−"
SIGN_AFTER = re.compile(r"[\u4e00-\u9fff：:，,（(、；;\s]$|^$")

#: A number with these before it is not a value (第三批 ordinal; 前50位 a top-N; 〔2021〕 document year; G60; 平台3.0).
NOT_VALUE_BEFORE = re.compile(r"(?:第|前|〔|\[|[A-Za-z_]|\+|\d\.|/)$")
#: ...nor, in a unit other than a rate, with these right after its unit: a grade or a name
#: ("10亿级", "5A级", "500强", "5G", "10+2"). Dates (2020年, 4月, 24日) never get this far: 年/月/日
#: are not units.
# (used with .match(text, pos): anchored at pos, no "^", so no slice of the rest of the text)
NOT_VALUE_AFTER = re.compile(r"(?:[A-Za-z+]|级|强|类)")
#: Rate units as written: NOT_VALUE_AFTER does not apply to them (a rate is never a grade or a name).
RATE_SPELLINGS = ("%", "个百分点", "百分点")
#: A size threshold in these units is part of a name when any other value shares its segment; in
#: other units only when a value follows it ("产值100亿元企业超过10家").
THRESHOLD_AMOUNT_UNITS = MONEY_UNITS | {"万人", "万"}
#: Size thresholds inside names ("产值100亿元企业超过10家"): a threshold is followed by
#: (以上/以下)? then a noun; these starts mean "not a noun".
NOT_NOUN_START = re.compile(  # .match(text, pos); "$" is the end of the document
    r"(?:[，。；、,;：:)）”\s]|$|的(?:成绩|水平|目标|任务|规模)|用于|实现|全覆盖|以|左右|增长|下降|"
    r"投产|消费券|达标|化解|完成|突破|提高|减少|降低|分别|同比|比|和|及|、|增加|增至|提升|上升|扩大|缩小|"
    r"降至|降到|到|至)"
)
#: A figure directly followed by (以上/以下/级)? (的)? a word may be a threshold inside a name.
NOUN_AFTER_THRESHOLD = re.compile(r"^(?:以上|以下|级)?(?:的)?[\u4e00-\u9fff“A-Za-z]")
#: Clause separators for the threshold rule (a threshold and its value share a clause segment).
SEGMENT_BREAK = re.compile(r"[，。；、,;：:！？\n]")

# --------------------------------------------------------------------------------------------
# Document structure (structure.py)
# --------------------------------------------------------------------------------------------

# fmt: off
#: Five-year plans by name.
FIVE_YEAR_PLANS: dict[str, tuple[int, int]] = {
    "十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
    "十五五": (2026, 2030), "十六五": (2031, 2035),
}
#: "第十五个五年规划" in a title names the plan by ordinal.
PLAN_ORDINAL = re.compile(r"第(十[一二三四五六])个五年规划")
#: Heading words that make a section a review of results, or a plan.
#: (a plan's "执行情况/实施情况/落实情况" is its results: "2024年…计划执行情况" reviews 2024, although
#: it holds 计划; outcome words are tried first)
HEADING_OUTCOME_WORDS = (
    "回顾", "成就", "过去", "总结", "主要工作", "工作情况", "进展", "成效", "完成情况", "执行情况",
    "实施情况", "落实情况",
)
HEADING_TARGET_WORDS = ("目标", "任务", "重点工作", "展望", "计划", "打算", "思路", "部署", "重点抓好")
# fmt: on
#: A top-level heading ("一、…"): its context lasts until the next one.
TOP_HEADING = re.compile(r"^(?:#+\s*)?[一二三四五六七八九十]+、")
#: A sub-heading ("（一）…", "1. …"): it labels the section, it does not change the context.
SUB_HEADING = re.compile(r"^(?:#+\s*)?(?:[(（][一二三四五六七八九十]+[)）]|\d+[.、．]\s*)")
#: A sub-heading glued by a conversion to its top-level heading ("一、…1. …"): where to cut.
GLUED_SUB_HEADING = re.compile(r"(?<=[^\d.])\d+\.\s*(?=\S)|[(（][一二三四五六七八九十]+[)）]")
#: A number with a unit or % in a short line makes it a statement, not a heading (a headline line
#: without sentence punctuation: "规上工业增加值增长8.2%　增速居全省第2位").
VALUE_IN_LINE = re.compile(
    r"\d(?:\.\d+)?\s*(?:"
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if u not in ("万", "亿"))
    + ")"
)
#: Sentence ends.
SENTENCE_BREAK = re.compile(r"[。!?！？]+")
#: Clause breaks inside a sentence (a clause is where an indicator and its number sit together).
CLAUSE_BREAKS = set(",;:，；：")

# --------------------------------------------------------------------------------------------
# Kind and period of a sentence (structure.py, timing.py)
# --------------------------------------------------------------------------------------------

#: Sentence words that make a statement a target / an estimate.
#: (预期 inside a noun is no cue: 人均预期寿命 is a life expectancy, NOUNS_WITH_CUE_WORDS)
TARGET_CUES = re.compile(r"力争|确保|(?<!完成)目标|争创|力促|预期(?!寿命)|努力实现")
#: Completion wording that holds 目标 without making the sentence a plan: "完成年度目标的123%",
#: "完成年度目标任务的62.4%", "提前一年实现“十三五”规划目标" (removed before TARGET_CUES is searched).
COMPLETION_PHRASES = re.compile(
    r"完成[^，。；,;]{0,8}?目标(?:任务)?|(?<!努力)(?<!力争)(?<!确保)(?<!争取)实现[^，。；,;]{0,12}?目标(?:任务)?"
)
#: Words that make a statement an estimate (kind 'expected').
EXPECTED_CUES = re.compile(r"预计|有望|预期将")
#: Estimate cues whose scope runs on over the following clauses of the sentence.
EXPECTED_CARRY = ("预计", "预期将")
#: A sentence is explicitly about achieved results when it holds one of these.
OUTCOME_CUES = re.compile(
    r"截至目前|截至日前|目前已|今年以来|年初以来|前三季度|上半年|\d+[—\-–~]\d+月|已经?实现|已建成"
)

# fmt: off
#: Time cues: (regex, what it means). 'Y' is the publication year, 'M' its month.
#: effect: kind, and a function of (Y, M, match) -> (period_start, period_end).
TIME_CUES: tuple[tuple[str, str, object], ...] = (
    (r"今年以来|年初以来", "outcome", lambda Y, M, m: (f"{Y}-01", f"{Y}-{M:02d}")),
    (r"(?:今年)?前三季度|(?<!\d)1[—\-–~]9月", "outcome", lambda Y, M, m: (f"{Y}-01", f"{Y}-09")),
    (r"(?:今年)?上半年|(?<!\d)1[—\-–~]6月", "outcome", lambda Y, M, m: (f"{Y}-01", f"{Y}-06")),
    (r"(?:今年)?(?:一季度|第一季度)|(?<!\d)1[—\-–~]3月", "outcome", lambda Y, M, m: (f"{Y}-01", f"{Y}-03")),
    (r"(?<!\d)1[—\-–~](\d{1,2})月", "outcome", lambda Y, M, m: (f"{Y}-01", f"{Y}-{int(m.group(1)):02d}")),
    (r"截至(\d{1,2})月(?:底|末|份)?", "outcome", lambda Y, M, m: (f"{Y}-01", f"{Y}-{int(m.group(1)):02d}")),
    (r"截至目前|截至日前|截至当前|目前已", "outcome", lambda Y, M, m: (f"{Y}-{M:02d}", f"{Y}-{M:02d}")),
    # "2024年是…的一年": the past year the text goes on to report on (structure._year_is_cue)
    (r"^\s*(20\d\d)年是", "year_is", None),
    # "这一年": the year in focus, if the section reports on one; else the year before
    (r"这一年", "that_year", lambda Y, M, m: (str(Y - 1), str(Y - 1))),
    (r"过去一年|一年来|去年", "outcome", lambda Y, M, m: (str(Y - 1), str(Y - 1))),
    (r"过去五年|五年来|近五年",
     "outcome", lambda Y, M, m: (str(Y - 5), str(Y - 1)) if M < 7 else (str(Y - 4), str(Y))),
    (r"“?(十[一二三四五六]五)”?(?:期间|时期|以来|规划实施以来)", "plan", None),
    (r"今后五年|未来五年", "target", lambda Y, M, m: (str(Y), str(Y + 4))),
    (r"明年|下一年度", "target", lambda Y, M, m: (str(Y + 1), str(Y + 1))),
    (r"到(20\d\d)年", "target", None),
    (r"今年", "target_this_year", lambda Y, M, m: (str(Y), str(Y))),
)
# fmt: on
#: "到2027年" inside a sentence: a target for its own clause and the next ones up to a semicolon.
DEADLINE_CUE = re.compile(r"到(20\d\d)年(?:底|末)?")

# --------------------------------------------------------------------------------------------
# Clause cues: kind and period of one clause (timing.py)
# --------------------------------------------------------------------------------------------

#: Clause-level cues: words in the clause before a number that say what the number is, whatever the
#: section says ("目标为7%左右，2021—2022年实际年均增长6.4%": a target, then an outcome). A cue holds
#: for the following clauses of the same sentence until another cue. Checked in this order.
#: "2021—2022年": a span of years (an outcome when it has ended).
CLAUSE_YEAR_RANGE = re.compile(r"(?<![到至])(20\d\d)\s*[—\-–~至]+\s*(20\d\d)年")
#: "2022年达到…": a past year dates its clause as an outcome (not "比2020年", "到2025年", "2025年底前").
CLAUSE_YEAR = re.compile(r"(?<![比较到至与由])(20\d\d)年(?!底前|以前|前|起|以来|基础)")
CLAUSE_FIRST_YEARS = re.compile(r"前([两二三四])年")  # of the plan in focus: outcomes
CLAUSE_LAST_YEARS = re.compile(r"后([两二三四])年|剩余([两二三四])年")  # of the plan: still to do
CLAUSE_PLAN = re.compile(r"“?(十[一二三四五六]五)”?(?:时期|期间)")  # "“十四五”时期年均增长"
#: "6月份当月增长11.2%": one month of a part-year report (holds for "，环比增长3.4%").
CLAUSE_MONTH = re.compile(r"(?<!\d)(\d{1,2})月份?当月")
#: "去年…增长6.1%": the year before the one the document speaks from (not "比去年", a base).
CLAUSE_LAST_YEAR = re.compile(r"(?<![比较与])(?:去年|上一年)(?!同期)")
#: Words that make a clause an achieved result ("2021—2022年实际年均增长6.4%").
CLAUSE_OUTCOME = re.compile(r"实际|已经?(?:实现|完成|达到)")
#: Words that make a clause a target ("目标为7%左右", "需达到").
CLAUSE_TARGET = re.compile(r"目标(?:为|是|值)|预期目标|规划目标|(?:需|需要|要)达到")
#: After a number: "控制在28微克/立方米以内的目标" - the number names a target.
AFTER_TARGET = re.compile(r"^[^，。；,;]{0,4}?的?(?:目标|预期目标)")
#: "比2020年提高0.35个百分点": a change from a base year runs from the year after it.
BASE_YEAR = re.compile(r"(?:比|较|与)(20\d\d)年")
#: "四年累计增长27.6%", "与2020年相比四年增长了27.3%", "五年累计新增…": a figure over the N years
#: ending in the period in focus (a growth over them is a 'change'; methods.md §1).
YEARS_SPAN = re.compile(
    r"(?<![前后余第])(?P<n>[两二三四五六七八九十])年(?:来)?"
    r"(?:(?:累计|共)(?:增长|提高|增加|新增|完成)?|增长|提高|增加)了?"
)
#: Right before a growth figure: a change over years ("四年累计增长", "与2020年相比四年增长了",
#: "累计增长"), not an annual rate (phrases.measure_of).
GROWTH_OVER_YEARS = re.compile(rf"(?:{YEARS_SPAN.pattern}|累计(?:增长|提高)了?)$")
#: Chinese numbers of years in YEARS_SPAN.
CN_YEARS = {
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
#: A running total over a span ("累计完成固定资产投资7800亿元"): the span, not its last year.
CUMULATIVE = re.compile(r"累计")
#: "由A提高到B": a value moving from A to B; A is the earlier figure (its own period).
FROM_TO = re.compile(
    r"由(?P<a>[^,;。由]{1,20}?)(?:提高|增加|增长|提升|上升|下降|降低|减少|缩小|扩大)(?:到|至)"
)
#: A year written between 由/到 and the value it dates ("由2020年的1.86", "到2024年末的1.74").
STATED_YEAR = re.compile(r"(?:(20\d\d)年(?:末|底)?的?)?\s?")
#: A clause that is only a time ("2021—2023年，", "2025年末，"): it dates the clauses after it.
TIME_ONLY_CLAUSE = re.compile(
    r"\s*(?:从增速看)?(?P<a>20\d\d)(?:\s*[—\-–~至]+\s*(?P<b>20\d\d))?年(?:末|底|全年|以来)?\s*"
)
#: A rate in brackets after each name of a list, with the list's verb after it ("集成电路（35.2%）、
#: 新能源汽车（28.7%）等产品产量快速增长"): the verb's measure, the head noun before it.
BRACKETED_RATE_VERB = re.compile(
    r"[)）][^，。；,;]{0,40}?等[^，。；,;]{0,8}?(?P<head>产量|产值|销量|出口|进口|增加值|销售额)?"
    r"(?:快速|较快|大幅|稳步|分别|均|持续)?(?P<verb>增长|下降)"
)
#: Chinese numbers of years in "前两年", "后三年".
CN_SMALL = {"两": 2, "二": 2, "三": 3, "四": 4}

# --------------------------------------------------------------------------------------------
# Measure and comparator (phrases.py)
# --------------------------------------------------------------------------------------------

# fmt: off
#: Verbs before a number -> (measure for % figures, direction). Longest first.
VERB_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("完成率", "completion", ""),
    ("提高到", "level", ""), ("提高至", "level", ""), ("提升到", "level", ""), ("提升至", "level", ""),
    ("降低到", "level", ""), ("降低至", "level", ""), ("增加到", "level", ""), ("增加至", "level", ""),
    ("增长到", "level", ""), ("增长至", "level", ""), ("下降到", "level", ""), ("下降至", "level", ""),
    ("缩小到", "level", ""), ("缩小至", "level", ""), ("扩大到", "level", ""), ("扩大至", "level", ""),
    ("降至", "level", ""), ("降到", "level", ""), ("增至", "level", ""), ("升至", "level", ""),
    ("达到", "level", ""), ("达", "level", ""),
    ("增长", "growth", "increase"), ("增速", "growth", "increase"), ("增幅", "growth", "increase"),
    ("涨幅", "growth", "increase"), ("上涨", "growth", "increase"), ("增收", "growth", "increase"),
    ("递增", "growth", "increase"),
    ("下降", "change", "decrease"), ("降低", "change", "decrease"), ("减少", "change", "decrease"),
    ("压减", "change", "decrease"), ("回落", "change", "decrease"), ("缩减", "change", "decrease"),
    ("削减", "change", "decrease"), ("下滑", "change", "decrease"), ("缩小", "change", "decrease"),
    ("提高", "change", "increase"), ("提升", "change", "increase"), ("增加", "change", "increase"),
    ("上升", "change", "increase"), ("扩大", "change", "increase"),
)
# fmt: on
#: A verb followed by these characters is part of a noun (增加值 = value added, 增长点), not a verb.
VERB_NOT_BEFORE: dict[str, str] = {"增加": "值", "增长": "点极", "提升": "行"}
#: ...nor a verb after these words (人口自然增长率 is the name of a rate, not a growth).
VERB_NOT_AFTER: dict[str, tuple[str, ...]] = {"增长": ("自然",)}
#: A completion rate: "完成年度目标的123%", "完成率".
COMPLETION_BEFORE = re.compile(r"完成[^,;:。]{0,10}的(?:[\d.]+%、)*$|完成率$")
#: A growth written as a level verb: "年均增长需达到7.4%左右", "增速目标为7%" (growth, not share).
GROWTH_THEN_LEVEL = re.compile(
    r"(?:增长|增速|增幅|涨幅)(?:目标|预期目标)?(?:需要|需|要|应|将|力争|预计|预期)?"
    r"(?:保持在|稳定在|控制在|为|是|达到|达|到)$"
)
#: A ratio moving this way is decreasing ("倍差缩小至1.75").
RATIO_DECREASE_WORDS = re.compile(r"缩小|下降|降低|降至")
#: Percentage points without a verb of their own: a decrease when the clause holds these.
POINTS_DECREASE_WORDS = re.compile(r"下降|降低|减少|回落|缩小")
# fmt: off
#: Words right before a number that set the comparator. Longest first.
PREFIX_COMPARATORS: tuple[tuple[str, str], ...] = (
    ("不低于", "ge"), ("不少于", "ge"), ("至少", "ge"), ("不超过", "le"), ("不高于", "le"),
    ("最多", "le"), ("控制在", "le"), ("超过", "gt"), ("突破", "gt"), ("高于", "gt"), ("大于", "gt"),
    ("多于", "gt"), ("首破", "gt"), ("跨过", "gt"), ("迈过", "gt"), ("越过", "gt"),
    ("超", "gt"), ("低于", "lt"), ("少于", "lt"), ("小于", "lt"), ("大约", "approx"),
    ("接近", "approx"), ("约", "approx"), ("近", "approx"),
)
# fmt: on
#: Verbs that make a figure in a count unit a number of things added/done ('count').
COUNT_VERBS = re.compile(
    r"新增|新建|新培育|新认定|新引进|新开通|新上线|新改扩建|改扩建|引进|培育|建成|完成|实施|打造|整治|淘汰|"
    r"处置|盘活|垦造|复垦|创建|争创|开工|组建|集聚|办理|打掉|破获|举办|承办|开展|培养|培训|评选|开发|"
    r"搬迁|流转|签约|结对|嘉奖|通报|筛查|走访|服务|解决|选出|抓好|认定|招引|提标|安置|转移|新开|上线|"
    r"形成|建立|列入|入选|推动|推进|建设|攻坚|打造|再添|市民化|惠及|消化|再就业|接待|查处|确诊|救助"
)
#: Verbs directly before a figure in a count unit that make it a stock ('level').
LEVEL_VERBS = re.compile(
    r"(?:达到|达|超过|突破|增至|升至|保持|稳定在|总量|总数|规模|为|共有|拥有|累计达到|累计)$"
)
# fmt: off
#: Units that measure an extent (length, area, capacity, mass): a figure in them is a 'count' of what
#: was added only when a count verb governs it ("新建改造农村供水管网860公里"), else a level.
EXTENT_UNITS = {"公里", "平方公里", "万平方公里", "万千瓦", "千瓦", "万吨", "吨", "万立方米", "立方米"}
# fmt: on
#: Capacities ("污水处理能力5万吨/日") read like count units: things added unless a level word governs.
CAPACITY_UNITS = ("万吨/日", "吨/日")
#: Nouns that make a figure in a count unit a stock ('level'): "粮食播种面积130万亩".
LEVEL_NOUNS = re.compile(
    r"总量|总数|规模|常住人口|户籍人口|吞吐量|航点|保有量|面积|产量|存量|余额|里程|容量|年末|年底"
)
#: A figure per head of population is a rate, i.e. a level, whatever its unit counts ("每千人口执业
#: (助理)医师3.62人", "每万人高价值发明专利拥有量达到8件", "人均公园绿地面积").
PER_CAPITA = re.compile(r"每(?:[十百千万]|十万)人口?|人均|每户|户均")
#: A running total at a date ("年末累计建成未来社区46个"): a stock, although 建成 is a verb of doing
#: ("累计完成造林5.6万亩", "累计新增就业" stay counts over their span).
RUNNING_TOTAL = re.compile(r"累计(?:建成|达到|达|拥有|有)")
#: A verb of doing right after the counted noun ("10项民生实事全部完成"): a count, not a stock.
DONE_AFTER = re.compile(
    r"[^，。；,;、]{0,12}?(?:全部完成|列入|入选|投产|落地|建成|完成|驰援|稳定就业|就业|参加|受益)"
)
#: Prefixes that make a figure the number of things added in the period, whatever follows.
ADDED_PREFIX = re.compile(r"新增|新建|新设立|新设|新培育|新认定|新引进|新开工|新招引")

# --------------------------------------------------------------------------------------------
# Indicator phrases (phrases.py, sentences.py)
# --------------------------------------------------------------------------------------------

#: A comparison base ("比上年", "比一季度"): it qualifies a figure, it names no indicator.
COMPARISON_BASE = r"(?:比|较)(?:上年同期|上年末|去年同期|上年|去年|年初|同期|20\d\d年|上月|上季度|(?:第?[一二三]|前三)季度|上半年)末?"
#: One-character fillers that also start words: not stripped before these ("并网光伏装机", "及时率").
FILLER_WORD_STARTS: dict[str, str] = {"并": "网购联行轨表", "及": "时", "使": "用"}
_BING, _JI, _SHI = (f"(?![{FILLER_WORD_STARTS[c]}])" for c in "并及使")
#: Leading words that are not part of an indicator's name.
LEADING_FILLERS = re.compile(
    rf"^(?:其中|同时|并且|并{_BING}|此外|另外|全年|今年以来|今年|截至目前|截至日前|目前|预计|力争|确保|争取|努力|"
    r"实现|推动|到20\d\d年底?|20\d\d年|\d+[—\-–~]\d+月|前三季度|上半年|我市|全市|市县一体|累计(?!达)|"
    rf"以及|和|及{_JI}|与|、|,|使{_SHI}|让|五年来|过去五年|过去一年|一年来|这一年|"
    r"“?十[一二三四五六]五”?(?:期间|时期|以来)|进一步|"
    # comparison bases and qualifiers that modify the previous clause's indicator ("，同口径增长10.2%")
    rf"{COMPARISON_BASE}|"
    r"同口径|按可比价格计算|同比|环比|\d{1,2}月份?(?:当月)?|当月|"
    r"前[两二三四]年|后[两二三四]年|剩余[两二三四]年|20\d\d[—\-–~至]+20\d\d年|"
    # circumstances and time words that name no indicator ("去年在外部需求偏弱的情况下仍实现增长6.1%")
    r"去年|上年|而|仍|也|从增速看|按可比价(?:格)?计算|(?:与20\d\d年)?相比|[两二三四五六七八九十]年(?:来)?(?:累计)?|"
    r"在[^，。；,;]{0,16}?(?:情况|背景|形势|压力)下)+"
)
#: Trailing words that are the verb or comparator, not the indicator.
TRAILING_WORDS = re.compile(
    rf"(?:{COMPARISON_BASE})?(?:分别|均|各|同比|比上年|年均|持续|稳定|继续|全部|已|将|要|再|可)?"
    r"(?:增长|下降|提高到|提高至|提升到|提升至|增加到|增加至|增长到|增长至|下降到|下降至|降低到|降低至|缩小到|扩大到|提高|提升|增至|降至|降到|达到|达|超过|突破|为|控制在|"
    r"保持在|保持|稳定在|缩小至|缩小到|缩小|减少|增加|压减|低于|高于|不低于|不少于|不超过|最多|近|约|超|"
    r"上涨|回落|增速|降低|上升|位列|位居|列|居|排名|的|分别|均|各|同比|年均|比上年|了|大幅|全国|全省|全市|由|共|仅|只|首破|首次突破|跨过|迈过|20\d\d年(?:末|底)?)$"
)
#: Words that hand out a list of values to a list of items: "A和B分别增长8.0%、7.0%",
#: "A、B均下降20%", "A、B各8000亩" (not 人均, 年均, 平均, 浓均, 每).
DISTRIBUTIVE = re.compile(
    r"(?:分别|(?<![人年平浓均])均(?=增长|下降|达到|提高|降低|超过|突破|为|完成|保持|在|减少|压减|控制|低于|高于|不低于|不少于|居|位居|位列|列|排|\d)"
    r"|(?<![每])各(?=\d|增长|下降|达到|提高|完成|新增))"
)
#: A cleaned phrase that names no indicator (the number belongs to the previous one):
#: "完成目标的52.7%", "已提前完成控制在28微克/立方米以内的目标", "前两年累计完成7.9万人".
NO_INDICATOR = re.compile(
    r"(?:实际)?(?:已经?)?(?:提前)?(?:累计)?(?:完成|实现|达到)?(?:年度|全年|规划)?(?:目标|任务|计划|预算){0,2}(?:的)?"
    r"(?:控制在|保持在|需达到|需|要)?"
)
#: Phrases that name no indicator of their own but refer back to the sentence's last one:
#: "全市生产总值年均增长6%左右，总量突破3200亿元" (总量 = the GDP's level).
REFERRING_NOUNS = (
    "年均",
    "增速",
    "同比",
    "其中",
    "总量",
    "总规模",
    "规模",
    "总额",
    "总数",
    "总值",
    "这一数据",
    "这一数字",
    "这一比例",
    "这一指标",
    "该指标",
    "这一比重",
)
#: Totals that refer back to a flow name the stock it adds to: "全年新增国家高新技术企业206家，
#: 总数达1460家" -> 国家高新技术企业总数 (FLOW_WORDS removed from the flow's name).
TOTAL_NOUNS = ("总数", "总量", "总规模", "总额")
FLOW_WORDS = re.compile(r"^(?:全年)?(?:新增|新建|新设立|新设|新培育|新认定|新引进|新招引)|新增$")
#: Separators between the items of a list sharing one verb.
ITEM_SEPARATORS = re.compile(r"、|以及|和|及|与")
#: A list piece made only of action verbs ("新建", "改扩建").
VERB_ONLY = re.compile(rf"(?:{COUNT_VERBS.pattern})+")
#: Parallel modifiers sharing one head noun: "城镇和农村居民人均可支配收入" = 城镇居民… and 农村居民….
PARALLEL_MODIFIERS = ("城镇", "农村", "城市", "乡村", "城区", "农业", "非农")
#: Head nouns that earlier list items share with the last one: "生态环保、城市更新和水利设施投资".
SHARED_HEAD_NOUNS = ("投资", "收入", "人数", "总额", "比例", "比重")
#: ...unless an item already ends in a head noun of its own: its last character is one of these.
OWN_HEAD_ENDINGS = "额入率数量值资比重产业人费款"
#: A rank verb: the words after it name the field ranked in ("居衢州各县(市、区)第1位").
RANK_VERB = re.compile(r"位居|位列|居(?!民|住)|排名|排在|列(?!入)")
#: Words right after a value that start no noun ("5个研发中心" has one: 研发中心; "…的" has none).
NOT_NOUN_AFTER_VALUE = re.compile(
    r"^(?:的|用于|实现|全部|增长|下降|以上|以下|左右|达标|化解|全覆盖|分别|同比|比|和|及|投产|列入)"
)
#: Words that end the noun after a value ("5家企业全部投产" -> 企业).
NOUN_AFTER_VALUE_ENDS = re.compile(r"全部|实现|列入|入选|用于|达标|投产|稳定|的成绩|上“")
#: Verbs after the noun that follows a value which say what the things counted were selected into:
#: "8个项目入选省新兴产业集群强链补链项目" -> indicator "入选省新兴产业集群强链补链项目" (when the
#: words before the value name nothing).
SELECTION_VERBS = re.compile(r"入选|列入")
#: A clause opening a breakdown of the figure before it ("…装机204.22万千瓦，其中柯城31.27万千瓦，…").
BREAKDOWN_OPENER = re.compile(r"\s*其中")
#: Indicator of a part of a breakdown written without its name ("…,常山19.38万千瓦,19.69万千瓦"):
#: the whole's indicator with this suffix, never the previous part's name.
UNNAMED_PART = "{}(其中未具名一项)"
#: A gap to a benchmark ("增长6.4%、高于全省平均水平0.5个百分点"): the words before a 百分点 figure;
#: the indicator becomes the growth's indicator + 增速 + the benchmark ("生产总值年均增速高于全省平均水平").
BENCHMARK_GAP = re.compile(
    r"(?P<rel>高于|低于|快于|慢于|超过|领先)(?P<bench>全国|全省|全市|周边)(?:平均水平|平均|均值)?$"
)
# fmt: off
#: Direction of a benchmark gap by its relation word.
BENCHMARK_GAP_DIRECTIONS = {"高于": "increase", "快于": "increase", "超过": "increase",
                            "领先": "increase", "低于": "decrease", "慢于": "decrease"}
# fmt: on
#: Measure of a benchmark gap (schema: a difference from a named benchmark, never the indicator's change).
BENCHMARK_GAP_MEASURE = "gap"
#: A standing requirement ("滚动保持不少于5000亩的工业熟地"): a target stock ('level', kind target)
#: in force from the document on, whatever the section says.
STANDING_REQUIREMENT = re.compile(r"滚动保持|始终保持|长期保持|保持不少于|保持不低于")
#: Area qualifiers a clause's indicator may open with ("市区常住人口超过100万人").
AREA_QUALIFIERS = ("中心城区", "主城区", "市区", "城区")
#: An indicator of people opening the next clause ("，居民人均收入达到76633元") is about the area the
#: previous clause of the same list named (-> "市区居民人均收入"), not the whole city.
AREA_INHERITING_STARTS = ("居民", "人均")
#: Head nouns of a doubling pair sharing one subject ("工业总量翻番、效益倍增" -> 工业总量, 工业效益).
PAIR_HEADS = ("总量", "效益", "规模", "质量", "产值", "收入", "税收")
