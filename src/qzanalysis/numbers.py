"""Find and parse the numbers of a (normalised) Chinese policy text.

:func:`find_values` returns every *value mention* — a number with its unit, range end, and the
comparator written right after it ("以上", "左右", "以内", "多") — and leaves out what only looks
like a value: dates (2020年4月24日, 1—9月), ordinals (第三批, 一、), document numbers
(〔2021〕25号), slogans in quotes ("1433", "10+2"), version numbers (平台3.0), road numbers
(351国道), the 2.5 of PM2.5, 5G, anniversaries (70周年), and size thresholds that are part of an
indicator name ("产值100亿元企业超过10家": 100亿元 is a threshold, 10家 the value).

The rules are tables at module level (units, verbs, exclusions) so that a researcher can read and
extend them. Arabic digits are parsed directly; Chinese numerals are converted with cn2an, and
only on an isolated numeral span (cn2an over free text mangles idioms such as 一带一路).

All offsets are into the text given (the extractor passes ``Document.normalized.text``, where
full-width digits are already folded to ASCII; :func:`parse_number` folds them too, for direct use).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

import cn2an

# --------------------------------------------------------------------------------------------
# Rule tables
# --------------------------------------------------------------------------------------------

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
    "天": "天", "倍": "倍", "张": "张", "处": "处", "支": "支", "艘": "艘", "架": "架", "万册": "万册",
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
#: Units whose figure is money.
MONEY_UNITS = {"万亿元", "亿元", "万元", "元", "亿美元", "万美元", "美元", "亿", "万亿"}
#: Units that count things (a figure in them is a 'count' unless a level verb governs it).
COUNT_UNITS = {
    "家", "个", "项", "所", "套", "座", "条", "件", "起", "宗", "次", "场", "期", "台", "名", "位",
    "户", "辆", "张", "处", "支", "艘", "架", "批", "亩", "万亩", "人", "万人", "人次", "万人次",
    "亿人次", "万平方米", "平方米", "万宗", "万套", "万个", "万户", "万家", "万辆", "万", "头", "万头",
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
#: Chinese numerals (digits and scale characters).
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_CN_DIGIT_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                    "七": 7, "八": 8, "九": 9}

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"．": ".", "，": ",", "％": "%"})


# --------------------------------------------------------------------------------------------
# Parsing single numbers
# --------------------------------------------------------------------------------------------


def parse_chinese_numeral(span: str) -> float | None:
    """Convert an isolated Chinese numeral ("二百三十", "五点五", "两", "千") to a number."""
    span = span.strip()
    if not span or any(c not in CN_DIGITS + "点" for c in span):
        return None
    if span in ("十", "百", "千", "万", "亿"):
        return float({"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}[span])
    try:
        value = cn2an.cn2an(span, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return float(value)


def parse_number(text: str) -> float | None:
    """Parse one number as written: '2,125.2', '２１２５．２', '5.5', '二百三十', '百分之七' -> 7.

    Returns None when ``text`` is not a number.
    """
    s = text.strip().translate(_FULLWIDTH)
    if s.startswith("百分之"):
        return parse_number(s[3:])
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", s):
        return float(s.replace(",", ""))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([万亿])", s)
    if m:
        return float(m.group(1)) * (10_000 if m.group(2) == "万" else 100_000_000)
    return parse_chinese_numeral(s)


# --------------------------------------------------------------------------------------------
# Finding value mentions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueMention:
    """One number found in a text, with what is written around it.

    ``start``/``end`` cover the number, its unit and a suffix comparator ("以上"); ``num_start``
    is where the number itself begins. ``special`` marks the forms that carry their own measure:
    'rank' (全省第一), 'ratio' (倍差1.75), 'zero_breakthrough' (零突破 = at least 1),
    'zero_occurrence' (零发生 = 0), 'doubling' (翻番 = +100%), 'completion' (完成…的130%).
    """

    start: int
    end: int
    num_start: int
    num_end: int
    value: float
    value_high: float | None
    unit: str
    comparator: str | None  # from the suffix or a range; None = decide from the words before
    raw: str
    special: str | None = None
    threshold: bool = False  # a size threshold inside an indicator name, not a value


_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_RANGE_SEP = r"[-—–~～至]{1,2}"
# number [unit] [sep number] [多|余] unit [suffix]
_ARABIC_VALUE = re.compile(
    rf"(?P<n1>{_ARABIC})(?:(?P<u1>{_UNIT_ALT})?(?P<sep>{_RANGE_SEP})(?P<n2>{_ARABIC}))?"
    rf"(?P<more>多|余)?(?P<unit>{_UNIT_ALT})?"
)
_CN_NUM = rf"[{CN_DIGITS}]+(?:点[{CN_DIGITS}]+)?"
# the numeral is matched lazily so that a trailing 万/亿 belongs to the unit: 一百三十万亩 = 130 万亩
_CN_VALUE = re.compile(rf"(?P<n1>[{CN_DIGITS}]+?(?:点[{CN_DIGITS}]+?)?)(?P<unit>{_UNIT_ALT})")
_CN_PERCENT = re.compile(rf"百分之(?P<n1>{_CN_NUM}|{_ARABIC})")
_CN_TENTHS = re.compile(r"(?P<n1>[二三四五六七八九])成(?=以上|左右|[，。；、,;]|$)")
_RANK = re.compile(
    r"(?:全国|全省|全市|全球|世界|全区|榜单?|排名|排位|位列|位居|列|居|进位至|总分)"
    # a bracket may hold a list: "居衢州各县（市、区）第1位"
    r"(?:[(（][^()（）\n]{0,12}[)）]|[^，。；、,;\n]){0,10}?第(?P<n1>\d+|[一二三四五六七八九十]+)(?P<unit>位|名)?"
    r"(?!方阵|批|道|届|次|轮|阶段|梯队|个|季度|期|名单)"
)
_RANK_MOVE = re.compile(r"(?:进位|前移|上升|提升)(?P<n1>\d+)(?P<unit>位|名)")
_ZERO = re.compile(r"“?零”?(?:的)?突破|“?零(?:发生|事故|死亡)”?")
_DOUBLING = re.compile(r"翻一番|翻番|倍增(?=[，。；、,;]|$)")
#: "由2020年的1.86缩小到…": a stated year (with 的/末/底) may stand between the verb and the ratio.
_YEAR_OF = r"(?:20\d\d年(?:末|底)?的?)?"
_RATIO = re.compile(
    rf"(?:倍差|收入比)(?P<verb>[^0-9，。；、,;\n]{{0,6}}?){_YEAR_OF}(?P<n1>\d+(?:\.\d+)?)(?![\d%倍年月])"
)
#: After a ratio ("倍差为1.81"), a bare decimal later in the same sentence is the same ratio at another
#: time ("，2022年为1.80") or its change ("，比上年缩小0.04").
_RATIO_MORE = re.compile(
    r"(?P<verb>为|是|达到|缩小到|缩小至|降至|降到|下降到|下降至|收窄至|收窄到|缩小|收窄|扩大|下降|降低|提高|上升)"
    rf"{_YEAR_OF}(?P<n1>\d+\.\d+)(?=以内|以下|左右|[，。；、,;)）]|$)"
)
_RATIO_CHANGE_VERBS = ("缩小", "收窄", "扩大", "下降", "降低", "提高", "上升")
_QUOTE = re.compile(r"[“\"「『]([^”\"」』\n]{1,40})[”\"」』]")

#: A minus sign makes a level negative ("人口自然增长率为-1.2‰") when it follows a word or a
#: punctuation mark, not a digit (1-2家 is a range) or a letter/code (G60-, 2022-137066).
_MINUS = "-−"
_SIGN_AFTER = re.compile(r"[\u4e00-\u9fff：:，,（(、；;\s]$|^$")

#: A number with these before it is not a value (第三批 ordinal; 前50位 a top-N; 〔2021〕 document year; G60; 平台3.0).
_BAD_BEFORE = re.compile(r"(?:第|前|〔|\[|[A-Za-z_]|\+|\d\.|/)$")
#: ...nor with these after it (5G, 10+2, 2020年, 4月, 24日, 25号, 70周年, 3.0版).
_BAD_AFTER = re.compile(r"^(?:[A-Za-z+]|年|月|日|号|周年|时|点|版|届|季度|世纪|后|强|级|类|英寸|\.\d)")
#: A threshold is followed by (以上/以下)? then a noun; these starts mean "not a noun".
_NOT_NOUN_START = re.compile(
    r"^(?:[，。；、,;：:)）”\s]|$|的(?:成绩|水平|目标|任务|规模)|用于|实现|全覆盖|以|左右|增长|下降|"
    r"投产|消费券|达标|化解|完成|突破|提高|减少|降低|分别|同比|比|和|及|、|增加|增至|提升|上升|扩大|缩小|"
    r"降至|降到|到|至)"
)
_NOUN_AFTER_THRESHOLD = re.compile(r"^(?:以上|以下|级)?(?:的)?[\u4e00-\u9fff“A-Za-z]")


def _fold(text: str) -> str:
    return text.translate(_FULLWIDTH)


def _suffix_comparator(text: str, pos: int) -> tuple[str | None, int]:
    for word, comp in SUFFIX_COMPARATORS:
        if text.startswith(word, pos):
            return comp, pos + len(word)
    return None, pos


def _unit_ok(text: str, unit_end: int, unit: str) -> bool:
    nxt = text[unit_end:unit_end + 1]
    bad = UNIT_NOT_BEFORE.get(unit, "")
    return not (nxt and nxt in bad)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(1), m.end(1)) for m in _QUOTE.finditer(text)]


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The (sorted, disjoint) span holding ``pos``, or None."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    return None


def find_values(text: str) -> list[ValueMention]:
    """Return the value mentions of ``text`` in order (see module docstring for what is left out)."""
    text = _fold(text)
    quotes = _quoted_spans(text)
    found: list[ValueMention] = []
    taken = bytearray(len(text) + 1)  # characters already part of a mention

    def add(m: ValueMention) -> None:
        if not any(taken[m.start:m.end]):
            found.append(m)
            taken[m.start:m.end] = b"\x01" * (m.end - m.start)

    # 1. Forms with their own meaning: ranks, ratios, zero-breakthroughs, doubling.
    for m in _RANK.finditer(text):
        n = m.group("n1")
        value = parse_number(n)
        if value is None:
            continue
        s = m.start("n1") - 1  # include 第
        e = m.end()
        add(ValueMention(s, e, m.start("n1"), m.end("n1"), value, None, "位", None, text[s:e], "rank"))
    for m in _RANK_MOVE.finditer(text):
        add(ValueMention(m.start(), m.end(), m.start("n1"), m.end("n1"), float(m.group("n1")), None,
                         UNITS[m.group("unit")], None, m.group(0), "rank"))
    for m in _RATIO.finditer(text):
        s, e = m.start("n1"), m.end("n1")
        comp, e2 = _suffix_comparator(text, e)
        add(ValueMention(s, e2, s, e, float(m.group("n1")), None, "", comp, text[s:e2], "ratio"))
    for r in [v for v in found if v.special == "ratio"]:
        stop = re.search(r"[。；;\n]", text[r.end:])
        limit = r.end + (stop.start() if stop else len(text) - r.end)
        for m in _RATIO_MORE.finditer(text, r.end, limit):
            s, e = m.start("n1"), m.end("n1")
            comp, e2 = _suffix_comparator(text, e)
            special = "ratio_change" if m.group("verb") in _RATIO_CHANGE_VERBS else "ratio"
            add(ValueMention(s, e2, s, e, float(m.group("n1")), None, "", comp, text[s:e2], special))
    for m in _ZERO.finditer(text):
        breakthrough = "突破" in m.group(0)
        add(ValueMention(m.start(), m.end(), m.start(), m.end(), 1.0 if breakthrough else 0.0, None, "",
                         "ge" if breakthrough else "eq", m.group(0),
                         "zero_breakthrough" if breakthrough else "zero_occurrence"))
    for m in _DOUBLING.finditer(text):
        if _in_spans(m.start(), quotes):
            continue
        add(ValueMention(m.start(), m.end(), m.start(), m.end(), 100.0, None, "%", None, m.group(0),
                         "doubling"))
    # "突破千亿大关", "超千亿元": a bare Chinese scale word as a value.
    for m in re.finditer(r"(?:(?<=突破)|(?<=超过)|(?<=达到)|(?<=迈上)|(?<=超))(?P<n1>[一二三四五六七八九]?[十百千]|万)亿(?P<tail>元|大关)(?!级)",
                         text):
        if _in_spans(m.start(), quotes):
            continue
        value = parse_chinese_numeral(m.group("n1"))
        if value is None:
            continue
        unit = "万亿元" if m.group("n1") == "万" else "亿元"
        value = 1.0 if unit == "万亿元" else value
        add(ValueMention(m.start(), m.end(), m.start(), m.end(), value, None, unit, None, m.group(0)))

    # 2. Percentages written in Chinese: 百分之七, 百分之五点五; tenths: 六成, 七成以上.
    for m in _CN_PERCENT.finditer(text):
        value = parse_number(m.group("n1"))
        if value is None:
            continue
        comp, e = _suffix_comparator(text, m.end())
        add(ValueMention(m.start(), e, m.start(), m.end(), value, None, "%", comp, text[m.start():e]))
    for m in _CN_TENTHS.finditer(text):
        if _in_spans(m.start(), quotes):
            continue
        value = parse_chinese_numeral(m.group("n1"))
        comp, e = _suffix_comparator(text, m.end())
        add(ValueMention(m.start(), e, m.start(), m.end(), value * 10, None, "%", comp, text[m.start():e]))

    # 3. Arabic numbers with a unit.
    for m in _ARABIC_VALUE.finditer(text):
        s = m.start()
        before = text[max(0, s - 2):s]
        if s > 0 and (text[s - 1].isdigit() or text[s - 1] == "."):
            continue
        if _BAD_BEFORE.search(before):
            continue
        unit_raw = m.group("unit")
        n2 = m.group("n2")
        u1 = m.group("u1")
        if u1 and n2 and unit_raw and UNITS[u1] != UNITS[unit_raw]:
            continue
        if not unit_raw:
            # PM2.5, 2022-137066, 3.0 (version), 1433, "1—9月": no unit, not a value
            continue
        unit_end = m.end("unit")
        if not _unit_ok(text, unit_end, unit_raw):
            continue
        after_all = text[unit_end:]
        if _BAD_AFTER.match(after_all) and unit_raw not in ("%", "个百分点", "百分点"):
            # 5G... after the unit: "10亿级", "5A级", "500强"
            if after_all.startswith(("级", "强", "类")) or re.match(r"^[A-Za-z+]", after_all):
                continue
        if unit_raw in ("万", "亿", "万亿") and re.match(r"^[A-Za-z]", after_all):
            continue
        q = _in_spans(s, quotes)
        if q is not None:
            content = text[q[0]:q[1]]
            # "最多90天" is a value in quotes; "民营经济高质量发展42条" is a policy's name
            if len(content) > 6 or re.search(r"[+]", content):
                continue
        n1 = m.group("n1")
        value = parse_number(n1)
        value_high = parse_number(n2) if n2 else None
        if value is None:
            continue
        if s > 0 and text[s - 1] in _MINUS and _SIGN_AFTER.search(text[max(0, s - 2):s - 1]):
            # a signed level ("为-1.2‰"): the span and the number start at the sign
            s -= 1
            value = -value
        unit = UNITS[unit_raw]
        if unit == "万" and re.match(r"^[\u4e00-\u9fff]{0,6}?(?:人民|人口|群众|居民|市民)", after_all):
            unit = "万人"
        comp, e = _suffix_comparator(text, unit_end)
        if value_high is not None:
            comp = "range"
        if m.group("more"):
            comp = "gt"
        add(ValueMention(s, e, s, m.end("n1"), value, value_high, unit, comp, text[s:e]))

    # 4. Chinese numerals with a unit (restricted: see CN_UNITS / CN_COUNT_VERBS).
    for m in _CN_VALUE.finditer(text):
        n1, unit_raw = m.group("n1"), m.group("unit")
        if _in_spans(m.start(), quotes):
            continue
        if unit_raw not in CN_UNITS:
            at_clause_end = re.match(r"[，。；、,;！？]|$", text[m.end():m.end() + 1])
            if not (unit_raw in CN_CLAUSE_END_UNITS and at_clause_end and len(n1) > 1 or
                    unit_raw in CN_CLAUSE_END_UNITS and at_clause_end and n1 not in "一两二"):
                continue
        before = text[max(0, m.start() - 3):m.start()]
        scaled = n1 in ("十", "百", "千") or unit_raw[0] in "万亿"  # 十万亩, 两万人: a real amount
        if before.endswith("第") or (len(n1) == 1 and not before.endswith(CN_COUNT_VERBS)
                                     and unit_raw not in CN_CLAUSE_END_UNITS and not scaled):
            continue
        if n1 in ("万", "亿", "千", "百") or n1[0] in "万亿":
            continue
        if not _unit_ok(text, m.end(), unit_raw):
            continue
        value = parse_chinese_numeral(n1)
        if value is None:
            continue
        comp, e = _suffix_comparator(text, m.end())
        add(ValueMention(m.start(), e, m.start(), m.end("n1"), value, None, UNITS[unit_raw], comp,
                         text[m.start():e]))

    found.sort(key=lambda v: v.start)
    return _mark_thresholds(text, found)


# Clause separators for the threshold rule (a threshold and its value share a clause segment).
_SEGMENT_BREAK = re.compile(r"[，。；、,;：:！？\n]")


def _mark_thresholds(text: str, mentions: list[ValueMention]) -> list[ValueMention]:
    """Mark size thresholds inside indicator names ("产值100亿元企业超过10家").

    A money (or count) figure directly followed by a noun ("100亿元企业", "50万元以上行政村",
    "10-50万元的群体") is part of the indicator's name when another value follows in the same
    segment of the clause.
    """
    out: list[ValueMention] = []
    for i, v in enumerate(mentions):
        if v.special or v.unit in ("%", "百分点", "‰"):
            out.append(v)
            continue
        after = text[v.end:v.end + 12]
        if v.comparator == "ge" and text[v.end - 2:v.end] == "以上":
            after = "以上" + after  # re-examine "以上" + noun
            tail = text[v.end:]
        else:
            tail = after
        nounish = bool(_NOUN_AFTER_THRESHOLD.match(after)) and not _NOT_NOUN_START.match(tail)
        if v.comparator == "ge" and nounish is False and re.match(r"^[\u4e00-\u9fff“]", text[v.end:v.end + 1]):
            nounish = not _NOT_NOUN_START.match(text[v.end:])
        if not nounish:
            out.append(v)
            continue
        # another value in the same segment? (mentions are sorted: look at the neighbours)
        seg_end = _SEGMENT_BREAK.search(text, v.end)
        seg_end_pos = seg_end.start() if seg_end else len(text)
        seg_start_pos = v.start
        while seg_start_pos > 0 and not _SEGMENT_BREAK.match(text, seg_start_pos - 1):
            seg_start_pos -= 1
        others = [w for w in mentions[max(0, i - 1):i] + mentions[i + 1:i + 2]
                  if seg_start_pos <= w.start < seg_end_pos]
        if others and v.unit in MONEY_UNITS | {"万人", "万"} or (others and any(w.start > v.end for w in others)):
            out.append(replace(v, threshold=True))
        else:
            out.append(v)
    return out
