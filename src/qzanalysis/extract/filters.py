"""Filters: what only looks like a value.

A number is no value when it is an ordinal, a top-N, a document year, a code or a version (第三批,
前50位, 〔2021〕, G60, 平台3.0), the tail of a longer number, a range over two units, a unit that
starts a word (个月, 人民), a grade or a name (10亿级, 500强, 5G), or part of a quoted slogan ("1433",
"10+2"). A date (2020年4月24日, 1—9月) never gets this far: 年/月/日 are not units, and a number
without a unit is no value. A size threshold inside an indicator name ("产值100亿元企业超过10家")
is found but marked (``ValueMention.threshold``), so the extractor can leave it out.

Each filter is a function of its own (the rules they apply are tables in :mod:`.rules`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..units import RATE_UNITS
from . import rules

if TYPE_CHECKING:
    from .numbers import ValueMention

Span = tuple[int, int]


def quoted_spans(text: str) -> list[Span]:
    """The (sorted, disjoint) spans of quoted text: slogans and names live there."""
    return [(m.start(1), m.end(1)) for m in rules.QUOTE.finditer(text)]


def in_spans(pos: int, spans: list[Span]) -> Span | None:
    """The (sorted, disjoint) span holding ``pos``, or None."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    return None


# --------------------------------------------------------------------------------------------
# Numbers that are not values
# --------------------------------------------------------------------------------------------


def is_ordinal_or_code(text: str, pos: int) -> bool:
    """A number at ``pos`` that is an ordinal, a top-N, a document year, a code or a version
    (第三批, 前50位, 〔2021〕, G60, 平台3.0.1): see NOT_VALUE_BEFORE."""
    return rules.NOT_VALUE_BEFORE.search(text[max(0, pos - 2) : pos]) is not None


def continues_a_number(text: str, pos: int) -> bool:
    """A match at ``pos`` that is the tail of a longer number ("12,3456", "2.5.3")."""
    return pos > 0 and (text[pos - 1].isdigit() or text[pos - 1] == ".")


def range_units_differ(m: re.Match) -> bool:
    """A range over two units ("5万元-10亿元") is not one range."""
    u1, n2, unit = m.group("u1"), m.group("n2"), m.group("unit")
    return bool(u1 and n2 and unit and rules.UNITS[u1] != rules.UNITS[unit])


def unit_ok(text: str, unit_end: int, unit: str) -> bool:
    """False when the character after a unit makes it part of a word (个月, 人民, 名单)."""
    nxt = text[unit_end : unit_end + 1]
    bad = rules.UNIT_NOT_BEFORE.get(unit, "")
    return not (nxt and nxt in bad)


def is_grade_or_name(text: str, unit_end: int, unit_written: str) -> bool:
    """A figure whose unit is followed by a grade or a name ("10亿级", "500强", "5G"); rates excepted."""
    return (
        unit_written not in rules.RATE_SPELLINGS
        and rules.NOT_VALUE_AFTER.match(text, unit_end) is not None
    )


def counts_indicators(text: str, start: int, unit_end: int, unit: str) -> bool:
    """A count of the indicators the text itself lists ("12项主要经济指标", "8项增速居全省前三",
    "…主要指标中，有25项…"): no figure of the city (see rules.INDICATOR_COUNT_UNITS)."""
    return unit in rules.INDICATOR_COUNT_UNITS and (
        rules.INDICATOR_COUNT_AFTER.match(text, unit_end) is not None
        or rules.INDICATOR_COUNT_BEFORE.search(text[max(0, start - 8) : start]) is not None
    )


def in_slogan(text: str, pos: int, quotes: list[Span]) -> bool:
    """A number inside a quoted slogan or name ("“民营经济高质量发展42条”", "“10+2”").

    A short quote without '+' holds a real value ("“最多90天”").
    """
    quote = in_spans(pos, quotes)
    if quote is None:
        return False
    content = text[quote[0] : quote[1]]
    return len(content) > rules.MAX_QUOTED_VALUE_CHARS or "+" in content


def is_not_an_arabic_value(text: str, m: re.Match, quotes: list[Span]) -> bool:
    """The filters an arabic number with a unit must pass."""
    s, unit_end, unit_written = m.start(), m.end("unit"), m.group("unit")
    return (
        continues_a_number(text, s)
        or is_ordinal_or_code(text, s)
        or range_units_differ(m)
        or not unit_ok(text, unit_end, unit_written)
        or is_grade_or_name(text, unit_end, unit_written)
        or counts_indicators(text, s, unit_end, unit_written)
        or in_slogan(text, s, quotes)
    )


def chinese_numeral_is_value(text: str, m: re.Match) -> bool:
    """A Chinese numeral with a unit that is a figure, not part of a phrase ("两个维护", "一期工程",
    "第三批"): its unit is in CN_UNITS (or it ends a clause), and a one-character numeral needs a
    count verb before it or a scale (十万亩)."""
    n1, unit = m.group("n1"), m.group("unit")
    if unit not in rules.CN_UNITS and not _clause_end_count(text, m):
        return False
    before = text[max(0, m.start() - 3) : m.start()]
    scaled = n1 in ("十", "百", "千") or unit[0] in "万亿"  # 十万亩, 两万人: a real amount
    if before.endswith("第"):
        return False  # an ordinal
    if (
        len(n1) == 1
        and not before.endswith(rules.CN_COUNT_VERBS)
        and unit not in rules.CN_CLAUSE_END_UNITS
        and not scaled
    ):
        return False  # "一家", "两人" without a count verb: a phrase, not a figure
    if n1 in ("万", "亿", "千", "百") or n1[0] in "万亿":
        return False  # a bare scale word ("千方百计", "万众一心") is no figure
    if counts_indicators(text, m.start(), m.end(), unit):
        return False  # "十二项主要指标": a count of the text's own indicators
    return unit_ok(text, m.end(), unit)


def _clause_end_count(text: str, m: re.Match) -> bool:
    """A CN_CLAUSE_END_UNITS unit ending its clause ("新增省级现代农业园区五个。"), not after 一/两/二."""
    n1 = m.group("n1")
    at_clause_end = re.match(r"[，。；、,;！？]|$", text[m.end() : m.end() + 1])
    return bool(
        m.group("unit") in rules.CN_CLAUSE_END_UNITS
        and at_clause_end
        and (len(n1) > 1 or n1 not in "一两二")
    )


# --------------------------------------------------------------------------------------------
# Size thresholds inside indicator names
# --------------------------------------------------------------------------------------------


def mark_thresholds(text: str, mentions: list[ValueMention]) -> list[ValueMention]:
    """Mark size thresholds inside indicator names ("产值100亿元企业超过10家").

    A money (or count) figure directly followed by a noun ("100亿元企业", "50万元以上行政村",
    "10-50万元的群体") is part of the indicator's name when another value follows in the same
    segment of the clause (for amounts in THRESHOLD_AMOUNT_UNITS: any other value of the segment).
    ``mentions`` must be sorted by start.
    """
    return [
        replace(v, threshold=True) if _is_threshold(text, mentions, i) else v
        for i, v in enumerate(mentions)
    ]


def _is_threshold(text: str, mentions: list[ValueMention], i: int) -> bool:
    v = mentions[i]
    if v.special or v.unit in RATE_UNITS or not _followed_by_noun(text, v):
        return False
    others = _segment_neighbours(text, mentions, i)
    return bool(others) and (
        v.unit in rules.THRESHOLD_AMOUNT_UNITS or any(w.start > v.end for w in others)
    )


def _followed_by_noun(text: str, v: ValueMention) -> bool:
    """A noun right after the figure (after 以上/以下/级/的): "100亿元企业", "50万元以上行政村".

    Patterns are matched at a position of the whole text (``.match(text, pos)``), never on a
    slice of the rest of it: a slice per figure made extraction quadratic in a long document.
    """
    after = text[v.end : v.end + 12]
    if v.comparator == "ge" and text[v.end - 2 : v.end] == "以上":
        after = "以上" + after  # re-examine "以上" + noun
    if rules.NOUN_AFTER_THRESHOLD.match(after) and not rules.NOT_NOUN_START.match(text, v.end):
        return True
    if v.comparator == "ge" and re.match(r"[\u4e00-\u9fff“]", text[v.end : v.end + 1]):
        return not rules.NOT_NOUN_START.match(text, v.end)
    return False


def _segment_neighbours(text: str, mentions: list[ValueMention], i: int) -> list[ValueMention]:
    """The mentions just before and after ``mentions[i]`` that share its clause segment."""
    v = mentions[i]
    seg_end = rules.SEGMENT_BREAK.search(text, v.end)
    seg_end_pos = seg_end.start() if seg_end else len(text)
    seg_start_pos = v.start
    while seg_start_pos > 0 and not rules.SEGMENT_BREAK.match(text, seg_start_pos - 1):
        seg_start_pos -= 1
    return [
        w
        for w in mentions[max(0, i - 1) : i] + mentions[i + 1 : i + 2]
        if seg_start_pos <= w.start < seg_end_pos and w.special not in _GRADES
    ]


#: Grades are values of their own that make no neighbour a threshold ("1个千亿级新材料产业集群").
_GRADES = ("grade_level", "class_grade")
