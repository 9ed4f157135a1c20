"""Indicator phrases, measures and comparators: what a number is about and how it is stated.

The words before a number (inside its clause segment) name the indicator (:func:`clean_indicator`
strips verbs, comparators and time words from them); lists sharing one verb give each item its value
(:func:`split_items`). The verb nearest before the number decides the measure (VERB_MEASURES, in
:func:`decide_measure`) and the words around it the comparator (PREFIX_COMPARATORS, and
SUFFIX_COMPARATORS read by the number finder).
"""

from __future__ import annotations

import re

from ..indicators import place_opening
from . import rules
from .numbers import ValueMention

# one regex over every measure verb, longest first, honouring VERB_NOT_BEFORE / VERB_NOT_AFTER
_VERB_RE = re.compile(
    "|".join(
        "".join(f"(?<!{w})" for w in rules.VERB_NOT_AFTER.get(v, ()))
        + re.escape(v)
        + (f"(?![{rules.VERB_NOT_BEFORE[v]}])" if v in rules.VERB_NOT_BEFORE else "")
        for v, _, _ in sorted(rules.VERB_MEASURES, key=lambda x: -len(x[0]))
    )
)
_VERB_TABLE = {v: (m, d) for v, m, d in rules.VERB_MEASURES}


def clean_indicator(phrase: str) -> str:
    """Strip verbs, comparators and time words from the ends of an indicator phrase."""
    s = phrase.strip(" _,;:、")
    # fillers and verbs stack up ("今年力争实现…", "…同比增长"): strip until nothing changes
    for _ in range(6):
        new = rules.LEADING_FILLERS.sub("", s).strip(" _,;:、")
        new = rules.TRAILING_WORDS.sub("", new).strip(" _,;:、")
        if new == s:
            break
        s = new
    if s.count("“") != s.count("”"):
        s = s.replace("“", "").replace("”", "") if s.count("“") + s.count("”") == 1 else s
    return s


def prefix_comparator(pre: str) -> str | None:
    """The comparator the words right before a number set ("不低于" -> ge), or None."""
    p = pre.rstrip(' “"')
    for word, comp in rules.PREFIX_COMPARATORS:
        if p.endswith(word):
            return comp
    return None


def last_verb(pre: str) -> tuple[str, str, str] | None:
    """The last measure verb in ``pre`` -> (verb, measure, direction)."""
    last = None
    for m in _VERB_RE.finditer(pre):
        last = m
    if last is None:
        return None
    measure, direction = _VERB_TABLE[last.group(0)]
    return last.group(0), measure, direction


Verb = tuple[str, str, str]  # (verb, measure, direction), see VERB_MEASURES


def decide_measure(
    v: ValueMention, seg_pre: str, clause_pre: str, seg_post: str = ""
) -> tuple[str, str]:
    """Measure and direction of a value from its unit and the verbs before it.

    ``seg_pre`` is the text of the value's own list segment before it, ``clause_pre`` the text of
    its clause before it, ``seg_post`` the text of its segment after it.
    """
    special = _special_measure(v, clause_pre)
    if special is not None:
        return special
    if rules.COMPLETION_BEFORE.search(seg_pre) or rules.COMPLETION_BEFORE.search(
        clause_pre.rstrip()
    ):
        return "completion", ""
    verb = last_verb(seg_pre) or last_verb(clause_pre)
    if v.unit == "百分点":
        if verb and verb[2]:
            return "change", verb[2]
        return "change", "decrease" if rules.POINTS_DECREASE_WORDS.search(
            clause_pre
        ) else "increase"
    if v.unit in ("%", "‰"):
        if verb and verb[1] == "growth" and _over_years(clause_pre):
            return "change", verb[2]  # "四年累计增长27.6%": the change over the years, not a rate
        return _rate_measure(verb, seg_pre)
    return _amount_measure(v, verb, seg_pre, clause_pre, seg_post)


def _over_years(clause_pre: str) -> bool:
    """ "四年累计增长", "与2020年相比四年增长了", "累计增长" right before the value."""
    return bool(rules.GROWTH_OVER_YEARS.search(clause_pre.rstrip()[-12:]))


def _special_measure(v: ValueMention, clause_pre: str) -> tuple[str, str] | None:
    """The forms that carry their own measure (ranks, ratios, 翻番, 零突破, a population)."""
    if v.special == "rank":
        return "rank", ""
    if v.special == "ratio":
        return "ratio", ("decrease" if rules.RATIO_DECREASE_WORDS.search(clause_pre) else "")
    if v.special == "structure_share":
        return "share", ""
    if v.special == "doubling":
        return "change", "increase"
    if v.special in ("zero_breakthrough", "zero_occurrence", "class_grade", "grade_level"):
        return "level", ""
    if v.unit == "万人" and v.raw.endswith("万"):
        return "level", ""  # "257万衢州人民": a population
    return None


def _rate_measure(verb: Verb | None, seg_pre: str) -> tuple[str, str]:
    """A figure in % or ‰: a share without a verb or after a level verb, else the verb's measure."""
    if verb is None:
        return "share", ""
    _, measure, direction = verb
    if measure == "level" and rules.GROWTH_THEN_LEVEL.search(seg_pre.rstrip(" “")):
        return "growth", "increase"  # "年均增长需达到7.4%左右", "增速目标为7%"
    if measure == "level":
        return "share", ""
    return measure, direction


def _amount_measure(
    v: ValueMention, verb: Verb | None, seg_pre: str, clause_pre: str, seg_post: str
) -> tuple[str, str]:
    """A figure in an absolute unit (亿元, 家, 公里, 倍 …)."""
    changes = verb is not None and verb[1] in ("growth", "change")
    if v.unit == "倍" and changes and verb[2] == "increase":
        return "growth", "increase"  # "比上年增长1.5倍": growth written as a multiple (= +150%)
    if changes and seg_pre.rstrip().endswith(verb[0]):
        return "change", verb[2] or "increase"
    if v.unit in rules.MONEY_UNITS:
        return "level", ""
    if v.unit in rules.EXTENT_UNITS:
        return ("count", "") if rules.COUNT_VERBS.search(seg_pre) else ("level", "")
    if v.unit in rules.COUNT_UNITS or v.unit in rules.CAPACITY_UNITS:
        return _count_unit_measure(v, seg_pre, clause_pre, seg_post)
    return "level", ""


def _count_unit_measure(
    v: ValueMention, seg_pre: str, clause_pre: str, seg_post: str
) -> tuple[str, str]:
    """A figure in a count unit: things added or done in the period ('count') only when a verb of
    adding or doing governs it, or it counts events; else a stock at a date ('level':
    "全市共有各级各类学校512所", "年末全市卫生机构2850个", "在校生38.6万人"; methods.md §1)."""
    if rules.ADDED_PREFIX.search(seg_pre) and seg_pre.rstrip(" “").endswith("累计"):
        return "count", ""  # "新增就业…五年累计15万人"
    if rules.RUNNING_TOTAL.search(seg_pre):
        return "level", ""  # "累计建成未来社区46个": a running total is a stock
    if rules.LEVEL_VERBS.search(seg_pre.rstrip(" “近约超")):
        return "level", ""
    if rules.STANDING_REQUIREMENT.search(seg_pre):
        return "level", ""  # "滚动保持不少于5000亩的工业熟地": a stock kept, not land added
    if rules.PER_CAPITA.search(seg_pre):
        return "level", ""
    if rules.COUNT_VERBS.search(seg_pre):
        return "count", ""
    if rules.LEVEL_NOUNS.search(seg_pre):
        return "level", ""
    # the segment has no word of its own: a list goes on with its clause's words ("新增A13家、B9家")
    if rules.RUNNING_TOTAL.search(clause_pre):
        return "level", ""
    if rules.COUNT_VERBS.search(clause_pre) or rules.ADDED_PREFIX.search(clause_pre):
        return "count", ""
    if rules.DONE_AFTER.match(seg_post):
        return "count", ""  # "10项民生实事全部完成", "3个综合体列入省级创建名单": things done
    if v.unit in rules.EVENT_UNITS:
        return "count", ""  # "接待国内游客6532.8万人次": events of the period
    return "level", ""


def split_items(subject: str, masked_subject: str) -> list[str]:
    """The items of a list sharing one verb, each a cleaned indicator phrase.

    "财政总收入和一般公共预算收入" -> both; "新建、改扩建中小学和幼儿园" -> "新建、改扩建中小学",
    "新建、改扩建幼儿园"; "城镇和农村居民人均可支配收入" -> "城镇居民人均可支配收入", "农村居民…";
    "生态环保、城市更新和水利设施投资" -> "生态环保投资", …. ``masked_subject`` is ``subject`` with
    brackets and quotes masked (see :func:`.structure.mask_brackets`), so separators inside them
    do not split.
    """
    pieces, seps, s = [], [], 0
    for m in rules.ITEM_SEPARATORS.finditer(masked_subject):
        pieces.append(subject[s : m.start()])
        seps.append(m.group(0))
        s = m.end()
    pieces.append(subject[s:])
    items = [clean_indicator(x) for x in _attach_verb_chains(pieces, seps)]
    items = [x for x in items if x]
    if len(items) > 1:
        items = [_complete_item(it, items[-1]) for it in items[:-1]] + [items[-1]]
    return items


def _attach_verb_chains(pieces: list[str], seps: list[str]) -> list[str]:
    """ "新建、改扩建中小学和幼儿园各15所": 、 between verbs lists actions, not indicators; the verbs
    join the next piece and govern every item after them."""
    items: list[str] = []
    shared = ""  # the verb chain that governs the following items
    i = 0
    while i < len(pieces):
        piece = pieces[i].strip(" _,;:")
        verbs = ""
        while (
            i + 1 < len(pieces)
            and rules.VERB_ONLY.fullmatch(piece)
            and pieces[i + 1].strip(" _,;:")
        ):
            verbs += piece + seps[i]
            i += 1
            piece = pieces[i].strip(" _,;:")
        if verbs:
            lead = rules.VERB_ONLY.match(piece)
            shared = verbs + (lead.group(0) if lead else "")
            piece = verbs + piece
        elif shared and not rules.COUNT_VERBS.match(piece):
            piece = shared + piece
        items.append(piece)
        i += 1
    return items


def _complete_item(item: str, last: str) -> str:
    """An earlier list item completed with what it shares with the last one."""
    place = place_opening(last)
    if place and item == place_opening(item) and item != place:
        return item + last[len(place) :]  # "常山县、开化县生产总值": each county's 生产总值
    mod = next(
        (p for p in rules.PARALLEL_MODIFIERS if last.startswith(p) and len(last) > len(p) + 1), ""
    )
    if item in rules.PARALLEL_MODIFIERS and mod and item != mod:
        return item + last[len(mod) :]  # "城镇和农村居民…": the modifier takes the last item's head
    if len(item) < len(last) and item[:2] == last[:2] and not last.endswith(item[-2:]):
        return (
            item + last[len(item) :]
        )  # "基本养老、基本医疗保险参保率": share the tail of the last item
    if (
        len(last) > 2
        and not item.endswith(last[-2:])
        and last[-2:] in rules.SHARED_HEAD_NOUNS
        and item[-1] not in rules.OWN_HEAD_ENDINGS
    ):
        return item + last[-2:]  # "生态环保、城市更新和水利设施投资": the shared head noun
    return item


def expand_urban_rural(item: str, n: int) -> list[str] | None:
    """ "城乡居民收入" with two values: the urban and the rural item (None otherwise)."""
    if n == 2 and "城乡" in item:
        return [item.replace("城乡", "城镇", 1), item.replace("城乡", "农村", 1)]
    return None


def noun_after(text: str, pos: int, limit: int) -> str:
    """The noun phrase right after a value ("5个研发中心" -> "研发中心"), or ''."""
    m = re.match(r"[\u4e00-\u9fff“”A-Za-z0-9]+", text[pos:limit])
    if not m:
        return ""
    phrase = m.group(0)
    if rules.NOT_NOUN_AFTER_VALUE.match(phrase):
        return ""
    cut = rules.NOUN_AFTER_VALUE_ENDS.search(phrase)
    return phrase[: cut.start()] if cut else phrase


def selected_into(text: str, pos: int, limit: int) -> str:
    """What the things counted right after a value were selected into: "8个项目入选省新兴产业集群
    强链补链项目" -> "入选省新兴产业集群强链补链项目" ("…列入省级名单" -> "列入省级名单的企业"), or ''."""
    m = re.match(r"[\u4e00-\u9fff“”A-Za-z0-9]+", text[pos:limit])
    cut = rules.NOUN_AFTER_VALUE_ENDS.search(m.group(0)) if m else None
    if cut is None or cut.start() == 0 or not rules.SELECTION_VERBS.fullmatch(cut.group(0)):
        return ""
    noun, selection = m.group(0)[: cut.start()], m.group(0)[cut.start() :]
    return selection if selection.endswith(noun) else f"{selection}的{noun}"


def pair_member(indicator: str, previous: str) -> str:
    """The second of a pair sharing one subject: "工业总量翻番、效益倍增" -> 效益 = "工业效益"."""
    if indicator not in rules.PAIR_HEADS:
        return indicator
    for head in rules.PAIR_HEADS:
        if previous.endswith(head) and len(previous) > len(head) and head != indicator:
            return previous[: -len(head)] + indicator
    return indicator


def area_qualified(indicator: str, previous: str) -> str:
    """ "市区常住人口超过100万人，居民人均收入…" -> "市区居民人均收入" (see AREA_INHERITING_STARTS)."""
    area = next((a for a in rules.AREA_QUALIFIERS if previous.startswith(a)), "")
    if area and indicator.startswith(rules.AREA_INHERITING_STARTS):
        return area + indicator
    return indicator
