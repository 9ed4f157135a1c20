"""Find and parse the numbers of a (normalised) Chinese policy text.

:func:`find_values` returns every *value mention* — a number with its unit, range end, and the
comparator written right after it ("以上", "左右", "以内", "多") — and leaves out what only looks
like a value: dates (2020年4月24日, 1—9月), ordinals (第三批, 一、), document numbers
(〔2021〕25号), slogans in quotes ("1433", "10+2"), version numbers (平台3.0), road numbers
(351国道), the 2.5 of PM2.5, 5G, anniversaries (70周年), and size thresholds that are part of an
indicator name ("产值100亿元企业超过10家": 100亿元 is a threshold, 10家 the value).

It runs one *finder* per kind of number, in a fixed order (forms with their own meaning first,
so that "第3位" is a rank before it can be read as "3位"); a finder cannot claim characters an
earlier one took. Each finder is a function of its own, testable alone; so is each filter
(:mod:`.filters`). The rules they apply (units, verbs, exclusions) are tables in :mod:`.rules`.

Arabic digits are parsed directly; Chinese numerals are converted with cn2an, and only on an
isolated numeral span (cn2an over free text mangles idioms such as 一带一路).

All offsets are into the text given (the extractor passes ``Document.normalized.text``, where
full-width digits are already folded to ASCII; :func:`parse_number` folds them too, for direct use).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import cn2an

from . import rules
from .filters import (
    Span,
    chinese_numeral_is_value,
    in_spans,
    is_not_an_arabic_value,
    mark_thresholds,
    quoted_spans,
)

_FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"．": ".", "，": ",", "％": "%"}
)

# The grammar of a written number (what a number looks like; what it means is in .rules).
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(rules.UNITS, key=len, reverse=True))
#: (一 is a dash only between two arabic numbers: "增长5.5%一6%", a typesetting of 5.5%—6%)
_RANGE_SEP = r"[-—–~～至一]{1,2}"
# number [unit] [sep number] [多|余] unit [suffix]
_ARABIC_VALUE = re.compile(
    rf"(?P<n1>{_ARABIC})(?:(?P<u1>{_UNIT_ALT})?(?P<sep>{_RANGE_SEP})(?P<n2>{_ARABIC}))?"
    rf"(?P<more>多|余)?(?P<unit>{_UNIT_ALT})?"
)
_CN_NUM = rf"[{rules.CN_DIGITS}]+(?:点[{rules.CN_DIGITS}]+)?"
# the numeral is matched lazily so that a trailing 万/亿 belongs to the unit: 一百三十万亩 = 130 万亩
_CN_VALUE = re.compile(
    rf"(?P<n1>[{rules.CN_DIGITS}]+?(?:点[{rules.CN_DIGITS}]+?)?)(?P<unit>{_UNIT_ALT})"
)
_CN_PERCENT = re.compile(rf"百分之(?P<n1>{_CN_NUM}|{_ARABIC})")
_CN_TENTHS = re.compile(r"(?P<n1>[二三四五六七八九])成(?=以上|左右|[，。；、,;]|$)")


# --------------------------------------------------------------------------------------------
# Parsing single numbers
# --------------------------------------------------------------------------------------------


def parse_chinese_numeral(span: str) -> float | None:
    """Convert an isolated Chinese numeral ("二百三十", "五点五", "两", "千") to a number."""
    span = span.strip()
    if not span or any(c not in rules.CN_DIGITS + "点" for c in span):
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
    if re.fullmatch(_ARABIC, s):
        return float(s.replace(",", ""))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([万亿])", s)
    if m:
        return float(m.group(1)) * (10_000 if m.group(2) == "万" else 100_000_000)
    return parse_chinese_numeral(s)


# --------------------------------------------------------------------------------------------
# Value mentions and their surroundings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueMention:
    """One number found in a text, with what is written around it.

    ``start``/``end`` cover the number, its unit and a suffix comparator ("以上"); ``num_start``
    is where the number itself begins. ``special`` marks the forms that carry their own measure:
    'rank' (全省第一), 'ratio' (倍差1.75), 'zero_breakthrough' (零突破 = at least 1),
    'zero_occurrence' (零发生 = 0), 'doubling' (翻番 = +100%), 'completion' (完成…的130%),
    'class_grade' (水质Ⅱ类以上 = class ≤ 2), 'grade_level' (千亿级新材料产业集群 = output ≥ 1000亿元,
    with the cluster indicators in ``items``).
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
    items: tuple[str, ...] = ()  # 'grade_level': the indicators of the clusters the grade is for


def fold_fullwidth(text: str) -> str:
    """Full-width digits, '．', '，' and '％' as ASCII (one character for one: offsets hold)."""
    return text.translate(_FULLWIDTH)


def _suffix_comparator(text: str, pos: int) -> tuple[str | None, int]:
    """The comparator written at ``pos`` ("以上", "左右") and where the mention ends."""
    for word, comp in rules.SUFFIX_COMPARATORS:
        if text.startswith(word, pos):
            return comp, pos + len(word)
    return None, pos


def _whole_match(
    m: re.Match, value: float, unit: str, comparator: str | None, special: str | None = None
) -> ValueMention:
    """A mention whose number is the whole match ("零突破", "翻番", "千亿元")."""
    return ValueMention(
        m.start(), m.end(), m.start(), m.end(), value, None, unit, comparator, m.group(0), special
    )


def _is_signed(text: str, pos: int) -> bool:
    """A minus sign right before ``pos`` that makes the number negative (see MINUS_SIGNS)."""
    return (
        pos > 0
        and text[pos - 1] in rules.MINUS_SIGNS
        and rules.SIGN_AFTER.search(text[max(0, pos - 2) : pos - 1]) is not None
    )


# --------------------------------------------------------------------------------------------
# Finders: one per kind of number (text already folded; each yields mentions in text order)
# --------------------------------------------------------------------------------------------


def find_ranks(text: str) -> Iterator[ValueMention]:
    """Ranks: "全省第一", "列全国第65位", "居衢州各县（市、区）第1位" (the span starts at 第)."""
    for m in rules.RANK.finditer(text):
        value = parse_number(m.group("n1"))
        if value is None:
            continue
        s, e = m.start("n1") - 1, m.end()
        yield ValueMention(
            s, e, m.start("n1"), m.end("n1"), value, None, "位", None, text[s:e], "rank"
        )


def find_rank_words(text: str) -> Iterator[ValueMention]:
    """Ranks in words or as a top-N: "居全省首位" (1), "居全省前3" (3 or better: 'le')."""
    for m in rules.RANK_WORDS.finditer(text):
        if rules.ITEMS_RANKED.search(text, max(0, m.start() - 12), m.start()):
            continue  # "12项指标中8项增速居全省前三": how many items rank so, not an indicator's rank
        if m.group("first"):
            s, e = m.span("first")
            yield ValueMention(s, e, s, e, 1.0, None, "位", None, text[s:e], "rank")
            continue
        value = parse_number(m.group("n1"))
        if value is None:
            continue
        s, e = m.start("n1") - 1, m.end()
        yield ValueMention(
            s, e, m.start("n1"), m.end("n1"), value, None, "位", "le", text[s:e], "rank"
        )


def find_structure_ratios(text: str) -> Iterator[ValueMention]:
    """ "三次产业结构为4.9∶40.8∶54.3": a share per sector (items: the sector's indicator)."""
    for m in rules.STRUCTURE_RATIO.finditer(text):
        pos = m.start("terms")
        for term, sector in zip(
            re.split("[∶:]", m.group("terms")), rules.STRUCTURE_SECTORS, strict=True
        ):
            s, e = pos, pos + len(term)
            yield ValueMention(
                s, e, s, e, float(term), None, "", None, term, "structure_share", items=(sector,)
            )
            pos = e + 1


def find_rank_moves(text: str) -> Iterator[ValueMention]:
    """Moves up a ranking: "进位3位", "前移5名"."""
    for m in rules.RANK_MOVE.finditer(text):
        yield ValueMention(
            m.start(),
            m.end(),
            m.start("n1"),
            m.end("n1"),
            float(m.group("n1")),
            None,
            rules.UNITS[m.group("unit")],
            None,
            m.group(0),
            "rank",
        )


def find_ratios(text: str) -> Iterator[ValueMention]:
    """Ratios written without a unit: "收入倍差为1.81", "收入比缩小至1.75以内"."""
    for m in rules.RATIO.finditer(text):
        s, e = m.start("n1"), m.end("n1")
        comp, e2 = _suffix_comparator(text, e)
        yield ValueMention(s, e2, s, e, float(m.group("n1")), None, "", comp, text[s:e2], "ratio")


def find_ratio_followers(text: str, ratios: Iterable[ValueMention]) -> Iterator[ValueMention]:
    """Bare decimals after a ratio, up to the end of its sentence: the same ratio at another time
    ("，2022年为1.80": 'ratio') or its change ("，比上年缩小0.04": 'ratio_change')."""
    for r in ratios:
        stop = re.search(r"[。；;\n]", text[r.end :])
        limit = r.end + (stop.start() if stop else len(text) - r.end)
        for m in rules.RATIO_MORE.finditer(text, r.end, limit):
            s, e = m.start("n1"), m.end("n1")
            comp, e2 = _suffix_comparator(text, e)
            special = "ratio_change" if m.group("verb") in rules.RATIO_CHANGE_VERBS else "ratio"
            yield ValueMention(
                s, e2, s, e, float(m.group("n1")), None, "", comp, text[s:e2], special
            )


def find_zero_forms(text: str) -> Iterator[ValueMention]:
    """Zero forms: "零突破" = at least one (ge 1), "零发生/零事故/零死亡" = none (eq 0)."""
    for m in rules.ZERO_FORMS.finditer(text):
        if "突破" in m.group(0):
            yield _whole_match(m, 1.0, "", "ge", "zero_breakthrough")
        else:
            yield _whole_match(m, 0.0, "", "eq", "zero_occurrence")


def find_doublings(text: str, quotes: list[Span]) -> Iterator[ValueMention]:
    """Doubling: "翻一番", "翻番", "倍增" = +100% (not inside a quoted slogan)."""
    for m in rules.DOUBLING.finditer(text):
        if in_spans(m.start(), quotes):
            continue
        yield _whole_match(m, 100.0, "%", None, "doubling")


def find_class_grades(text: str, quotes: list[Span]) -> Iterator[ValueMention]:
    """Water-quality classes: "水质保持Ⅱ类以上" = class 2 or better (le), "Ⅲ类以下" (ge)."""
    for m in rules.CLASS_GRADE.finditer(text):
        if in_spans(m.start(), quotes):
            continue
        comp = rules.CLASS_GRADE_COMPARATORS.get(m.group("suffix") or "", "eq")
        value = float(rules.CLASS_NUMERALS[m.group("n1")])
        yield ValueMention(
            m.start(),
            m.end(),
            m.start(),
            m.end("n1"),
            value,
            None,
            "",
            comp,
            m.group(0),
            "class_grade",
        )


def find_grade_levels(text: str, quotes: list[Span]) -> Iterator[ValueMention]:
    """Output grades of named clusters: "形成1个千亿级新材料产业集群" (新材料产业集群产值 ≥ 1000亿元),
    "新材料、新能源两大千亿级产业集群" (one grade, two clusters), "500亿级高端装备,300亿级集成电路、
    特种纸和200亿级生命健康等产业集群" (grades sharing one head). A grade without a named cluster is
    no value ("首条千亿级产业链", "2个五百亿级先进制造业集群", "百亿级“新星”产业集群")."""
    grades = [m for m in rules.LEVEL_GRADE.finditer(text) if not in_spans(m.start(), quotes)]
    for i, m in enumerate(grades):
        value = parse_number(m.group("n1"))
        items = _graded_clusters(text, m, grades[i + 1 :])
        if value is None or not items:
            continue
        yield ValueMention(
            m.start(),
            m.end(),
            m.start(),
            m.end("n1"),
            value,
            None,
            rules.LEVEL_GRADE_UNIT,
            "ge",
            m.group(0),
            "grade_level",
            items=items,
        )


def _graded_clusters(text: str, m: re.Match, later: list[re.Match]) -> tuple[str, ...]:
    """The indicators of the clusters grade ``m`` is for (none: the grade names no cluster)."""
    head = rules.CLUSTER_HEAD.search(text, m.end(), m.end() + rules.CLUSTER_HEAD_REACH)
    if head is None:
        return ()
    sharing = [g for g in later if g.start() < head.start()]  # grades sharing the head
    if not _only_names_up_to(text, m.end(), head.start(), sharing):
        return ()
    stop = sharing[0].start() if sharing else head.start()
    suffix = head.group(0) + rules.GRADE_INDICATOR_SUFFIX
    return tuple(name + suffix for name in _graded_names(text, m, text[m.end() : stop]))


def _only_names_up_to(text: str, pos: int, head: int, sharing: list[re.Match]) -> bool:
    """Between a grade and its head stand only names, separators and further grades."""
    for g in [*sharing, None]:
        end = head if g is None else g.start()
        if not rules.GRADE_NAMES_AFTER.fullmatch(text, pos, end):
            return False
        pos = head if g is None else g.end()
    return True


def _graded_names(text: str, m: re.Match, after: str) -> list[str]:
    """The names a grade is for: listed before a count of as many ("新材料、新能源两大千亿级"), else
    written after it ("1个千亿级新材料", "300亿级集成电路、特种纸和"); a count of two or more with no
    such list counts clusters of that size and names none ("2个五百亿级先进制造业集群")."""
    count = rules.GRADE_COUNT_BEFORE.search(text, max(0, m.start() - 6), m.start())
    n = parse_number(count.group("n")) if count else None
    if n is None or n < 2:
        names = rules.GRADE_NAMES_AFTER.fullmatch(after)
        return [x for x in rules.ITEM_SEPARATORS.split(names.group("names")) if x] if names else []
    start = max(text.rfind(c, 0, count.start()) for c in "，,；;。：:\n") + 1
    listed = [
        rules.GRADE_NAME_LEADING.sub("", x)
        for x in rules.ITEM_SEPARATORS.split(text[start : count.start()])
    ]
    plain = all(re.fullmatch(r"[\u4e00-\u9fff]+", x) for x in listed)
    return listed if len(listed) == n and plain else []


def find_chinese_scale_values(text: str, quotes: list[Span]) -> Iterator[ValueMention]:
    """A bare Chinese scale word as a value: "突破千亿大关" = 1000亿元, "超万亿元" = 1万亿元."""
    for m in rules.CN_SCALE_VALUE.finditer(text):
        if in_spans(m.start(), quotes):
            continue
        value = parse_chinese_numeral(m.group("n1"))
        if value is None:
            continue
        unit = "万亿元" if m.group("n1") == "万" else "亿元"
        value = 1.0 if unit == "万亿元" else value
        yield _whole_match(m, value, unit, None)


def find_chinese_percents(text: str) -> Iterator[ValueMention]:
    """Percentages written in words: "百分之七", "百分之五点五", "百分之10以上"."""
    for m in _CN_PERCENT.finditer(text):
        value = parse_number(m.group("n1"))
        if value is None:
            continue
        comp, e = _suffix_comparator(text, m.end())
        yield ValueMention(
            m.start(), e, m.start(), m.end(), value, None, "%", comp, text[m.start() : e]
        )


def find_tenths(text: str, quotes: list[Span]) -> Iterator[ValueMention]:
    """Tenths: "六成" = 60%, "七成以上" = 70% or more (not inside a quote)."""
    for m in _CN_TENTHS.finditer(text):
        if in_spans(m.start(), quotes):
            continue
        value = parse_chinese_numeral(m.group("n1"))
        comp, e = _suffix_comparator(text, m.end())
        yield ValueMention(
            m.start(), e, m.start(), m.end(), value * 10, None, "%", comp, text[m.start() : e]
        )


def find_arabic_values(text: str, quotes: list[Span]) -> Iterator[ValueMention]:
    """Arabic numbers with a unit: "6.7%", "2,125.2亿元", "1-2家" (range), "9000多名" (gt),
    "为-1.2‰" (signed). A number without a unit (a date, a version, PM2.5) is no value."""
    for m in _ARABIC_VALUE.finditer(text):
        mention = _arabic_value(text, m, quotes)
        if mention is not None:
            yield mention


def _arabic_value(text: str, m: re.Match, quotes: list[Span]) -> ValueMention | None:
    unit_written = m.group("unit")
    if not unit_written or is_not_an_arabic_value(text, m, quotes):
        return None
    value = parse_number(m.group("n1"))
    if value is None:
        return None
    n2 = m.group("n2")
    value_high = parse_number(n2) if n2 else None
    s = m.start()
    if _is_signed(text, s):
        # a signed level ("为-1.2‰"): the span and the number start at the sign
        s -= 1
        value = -value
    unit = rules.UNITS[unit_written]
    if unit == "万" and rules.PEOPLE_AFTER_WAN.match(text[m.end("unit") :]):
        unit = "万人"  # "257万衢州人民"
    if unit == "个" and rules.POINTS_LATER_IN_LIST.match(text, m.end("unit")):
        unit = "百分点"  # "分别提高0.8个、1.3个百分点": the list's last unit is the unit of all
    if unit == "元" and text.endswith(rules.PER_MONTH, 0, s):
        unit = "元/月"  # "提高到每月1150元"
    comp, e = _suffix_comparator(text, m.end("unit"))
    if value_high is not None:
        comp = "range"
    if m.group("more"):
        comp = "gt"
    return ValueMention(s, e, s, m.end("n1"), value, value_high, unit, comp, text[s:e])


def find_chinese_values(text: str, quotes: list[Span]) -> Iterator[ValueMention]:
    """Chinese numerals with a unit: "二百三十家", "一百三十万亩", "新增两家", "园区五个。"
    (restricted by CN_UNITS, CN_CLAUSE_END_UNITS and CN_COUNT_VERBS: not "两个维护", "一期工程")."""
    for m in _CN_VALUE.finditer(text):
        if in_spans(m.start(), quotes) or not chinese_numeral_is_value(text, m):
            continue
        value = parse_chinese_numeral(m.group("n1"))
        if value is None:
            continue
        comp, e = _suffix_comparator(text, m.end())
        yield ValueMention(
            m.start(),
            e,
            m.start(),
            m.end("n1"),
            value,
            None,
            rules.UNITS[m.group("unit")],
            comp,
            text[m.start() : e],
        )


# --------------------------------------------------------------------------------------------
# All values of a text
# --------------------------------------------------------------------------------------------


class _Claims:
    """Mentions accepted so far; a mention overlapping an accepted one is dropped."""

    def __init__(self, size: int):
        self.found: list[ValueMention] = []
        self._taken = bytearray(size + 1)

    def add(self, mentions: Iterable[ValueMention]) -> None:
        for m in mentions:
            if not any(self._taken[m.start : m.end]):
                self.found.append(m)
                self._taken[m.start : m.end] = b"\x01" * (m.end - m.start)


def find_values(text: str) -> list[ValueMention]:
    """Return the value mentions of ``text`` in order (see module docstring for what is left out)."""
    text = fold_fullwidth(text)
    quotes = quoted_spans(text)
    claims = _Claims(len(text))
    # 1. Forms with their own meaning claim their characters first.
    claims.add(find_ranks(text))
    claims.add(find_rank_words(text))
    claims.add(find_rank_moves(text))
    claims.add(find_ratios(text))
    claims.add(find_structure_ratios(text))
    claims.add(find_ratio_followers(text, [v for v in claims.found if v.special == "ratio"]))
    claims.add(find_zero_forms(text))
    claims.add(find_doublings(text, quotes))
    claims.add(find_class_grades(text, quotes))
    claims.add(find_grade_levels(text, quotes))
    claims.add(find_chinese_scale_values(text, quotes))
    # 2. Percentages written in Chinese, then arabic numbers, then Chinese numerals with a unit.
    claims.add(find_chinese_percents(text))
    claims.add(find_tenths(text, quotes))
    claims.add(find_arabic_values(text, quotes))
    claims.add(find_chinese_values(text, quotes))
    found = sorted(claims.found, key=lambda v: v.start)
    return mark_thresholds(text, found)
