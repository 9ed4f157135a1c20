"""Extract quantitative statements (plans, outcomes, estimates) from a corpus.

:func:`extract_statements` turns every document into rows of the *statements* table (see
``STATEMENT_COLUMNS`` and docs/methods.md section 1), each pointing to the exact
characters of ``Document.text`` it came from.

How it works, in the order a reader of a report would do it:

1. **Where am I?** Headings ("一、2019年工作回顾", "二、2020年目标任务", "“十五五”时期的主要目标任务") and
   time cues ("过去一年", "今年以来", "今后五年", "到2026年", "1—9月", "截至目前", "五年来") set the
   *kind* (target/outcome) and *period* of what follows. A heading's context lasts until the next
   top-level heading; a cue in a paragraph's first sentence lasts for the paragraph (a horizon cue
   such as "今后五年" lasts until the next top-level heading); a cue elsewhere lasts for its sentence.
   "到2027年" inside a sentence (after a comma) dates only its own clauses up to the next semicolon
   (DEADLINE_CUE), or the whole sentence when it comes before every value; the section resumes after.
   Words such as 力争/确保/目标 make a sentence a target, 预计/有望 an estimate (kind 'expected').
   Inside a sentence, clause cues (CLAUSE_* tables) override the section: "目标为7%左右" (a target
   over the evaluated plan), "2021—2022年实际年均增长", "前两年"/"后三年" of the plan, "2022年达到",
   "…以内的目标"; a cue holds for the following clauses up to a semicolon (预计 does, 有望 does not).
2. **What numbers?** :func:`qzanalysis.numbers.find_values` finds value mentions and drops dates,
   ordinals, slogans, version and document numbers, and size thresholds inside names.
3. **Which indicator, what measure?** The words before a number (inside its clause segment) name
   the indicator; lists sharing one verb ("A和B分别增长8.0%、7.0%", "A、B均下降20%", "A、B各8000亩")
   give each item its value; a clause with no subject of its own ("、增长6.8%") inherits the last
   indicator of the sentence. The verb nearest before the number decides the measure
   (VERB_MEASURES) and the words around it the comparator (PREFIX_COMPARATORS and the suffixes in
   ``numbers.SUFFIX_COMPARATORS``).

Every rule is a table below; extend a table rather than adding a special case.

statement_id: ``{doc_id}:{12 hex digits}``, a hash of (kind, measure, indicator_text, value, unit,
and the 8 characters either side of the number in the normalised text). It is unchanged across
runs, and an edit elsewhere in the document does not change it (offsets are not hashed); two
identical statements with identical surroundings get a ``~2`` suffix in document order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .corpus import Corpus, Document
from .indicators import IndicatorRegistry, load_registry
from .numbers import COUNT_UNITS, MONEY_UNITS, ValueMention, find_values

STATEMENT_COLUMNS: list[str] = [
    "statement_id", "doc_id", "kind", "indicator_id", "indicator_text", "measure", "direction",
    "period_start", "period_end", "value", "value_high", "unit", "comparator", "char_start",
    "char_end", "quote", "evidence", "section", "source",
]
STATEMENT_DTYPES: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "kind": "string", "indicator_id": "string",
    "indicator_text": "string", "measure": "string", "direction": "string",
    "period_start": "string", "period_end": "string", "value": "float64", "value_high": "Float64",
    "unit": "string", "comparator": "string", "char_start": "Int64", "char_end": "Int64",
    "quote": "string", "evidence": "string", "section": "string", "source": "string",
}

# --------------------------------------------------------------------------------------------
# Rule tables
# --------------------------------------------------------------------------------------------

#: Five-year plans by name.
FIVE_YEAR_PLANS: dict[str, tuple[int, int]] = {
    "十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
    "十五五": (2026, 2030), "十六五": (2031, 2035),
}
#: Heading words that make a section a review of results, or a plan.
HEADING_OUTCOME_WORDS = ("回顾", "成就", "过去", "总结", "主要工作", "工作情况", "进展", "成效", "完成情况")
HEADING_TARGET_WORDS = ("目标", "任务", "重点工作", "展望", "计划", "打算", "思路", "部署", "重点抓好")
#: Sentence words that make a statement a target / an estimate.
TARGET_CUES = re.compile(r"力争|确保|(?<!完成)目标|争创|力促|预期|努力实现")
#: Completion wording that holds 目标 without making the sentence a plan: "完成年度目标的123%",
#: "完成年度目标任务的62.4%", "提前一年实现“十三五”规划目标" (removed before TARGET_CUES is searched).
COMPLETION_PHRASES = re.compile(
    r"完成[^，。；,;]{0,8}?目标(?:任务)?|(?<!努力)(?<!力争)(?<!确保)(?<!争取)实现[^，。；,;]{0,12}?目标(?:任务)?")
EXPECTED_CUES = re.compile(r"预计|有望|预期将")
#: Estimate cues whose scope runs on over the following clauses of the sentence.
EXPECTED_CARRY = ("预计", "预期将")
#: A sentence is explicitly about achieved results when it holds one of these.
OUTCOME_CUES = re.compile(r"截至目前|截至日前|目前已|今年以来|年初以来|前三季度|上半年|\d+[—\-–~]\d+月|已经?实现|已建成")

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
    (r"过去一年|一年来|这一年|去年", "outcome", lambda Y, M, m: (str(Y - 1), str(Y - 1))),
    (r"过去五年|五年来|近五年",
     "outcome", lambda Y, M, m: (str(Y - 5), str(Y - 1)) if M < 7 else (str(Y - 4), str(Y))),
    (r"“?(十[一二三四五六]五)”?(?:期间|时期|以来|规划实施以来)", "plan", None),
    (r"今后五年|未来五年", "target", lambda Y, M, m: (str(Y), str(Y + 4))),
    (r"明年|下一年度", "target", lambda Y, M, m: (str(Y + 1), str(Y + 1))),
    (r"到(20\d\d)年", "target", None),
    (r"今年", "target_this_year", lambda Y, M, m: (str(Y), str(Y))),
)
_TIME_CUES = [(re.compile(p), k, f) for p, k, f in TIME_CUES]

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
#: A verb followed by these characters is part of a noun (增加值 = value added, 增长点), not a verb.
VERB_NOT_BEFORE: dict[str, str] = {"增加": "值", "增长": "点极", "提升": "行"}
#: ...nor a verb after these words (人口自然增长率 is the name of a rate, not a growth).
VERB_NOT_AFTER: dict[str, tuple[str, ...]] = {"增长": ("自然",)}
_VERB_RE = re.compile("|".join(
    "".join(f"(?<!{w})" for w in VERB_NOT_AFTER.get(v, ()))
    + re.escape(v) + (f"(?![{VERB_NOT_BEFORE[v]}])" if v in VERB_NOT_BEFORE else "")
    for v, _, _ in sorted(VERB_MEASURES, key=lambda x: -len(x[0]))))
_VERB_TABLE = {v: (m, d) for v, m, d in VERB_MEASURES}
_COMPLETION_RE = re.compile(r"完成[^,;:。]{0,10}的(?:[\d.]+%、)*$|完成率$")

#: Words right before a number that set the comparator. Longest first.
PREFIX_COMPARATORS: tuple[tuple[str, str], ...] = (
    ("不低于", "ge"), ("不少于", "ge"), ("至少", "ge"), ("不超过", "le"), ("不高于", "le"),
    ("最多", "le"), ("控制在", "le"), ("超过", "gt"), ("突破", "gt"), ("高于", "gt"), ("大于", "gt"),
    ("多于", "gt"), ("超", "gt"), ("低于", "lt"), ("少于", "lt"), ("小于", "lt"), ("大约", "approx"),
    ("接近", "approx"), ("约", "approx"), ("近", "approx"),
)
#: Verbs that make a figure in a count unit a number of things added/done ('count').
COUNT_VERBS = re.compile(
    r"新增|新建|新培育|新认定|新引进|新开通|新上线|新改扩建|改扩建|引进|培育|建成|完成|实施|打造|整治|淘汰|"
    r"处置|盘活|垦造|复垦|创建|争创|开工|组建|集聚|办理|打掉|破获|举办|承办|开展|培养|培训|评选|开发|"
    r"搬迁|流转|签约|结对|嘉奖|通报|筛查|走访|服务|解决|选出|抓好|认定|招引|提标|安置|转移|新开|上线|"
    r"形成|建立|列入|入选|推动|推进|建设|攻坚|打造|再添|市民化|惠及|消化"
)
#: Verbs directly before a figure in a count unit that make it a stock ('level').
LEVEL_VERBS = re.compile(r"(?:达到|达|超过|突破|增至|升至|保持|稳定在|总量|总数|规模|为|共有|拥有|累计达到|累计)$")
#: A comparison base ("比上年", "比一季度"): it qualifies a figure, it names no indicator.
COMPARISON_BASE = r"(?:比|较)(?:上年同期|上年末|去年同期|上年|去年|年初|同期|20\d\d年|上月|上季度|(?:第?[一二三]|前三)季度|上半年)末?"
#: Leading words that are not part of an indicator's name.
LEADING_FILLERS = re.compile(
    r"^(?:其中|同时|并且?|此外|另外|全年|今年以来|今年|截至目前|截至日前|目前|预计|力争|确保|争取|努力|"
    r"实现|推动|到20\d\d年底?|20\d\d年|\d+[—\-–~]\d+月|前三季度|上半年|我市|全市|市县一体|累计(?!达)|"
    r"以及|和|及|与|、|,|并且|使|让|五年来|过去五年|过去一年|一年来|这一年|"
    r"“?十[一二三四五六]五”?(?:期间|时期|以来)|进一步|"
    # comparison bases and qualifiers that modify the previous clause's indicator ("，同口径增长10.2%")
    rf"{COMPARISON_BASE}|"
    r"同口径|按可比价格计算|同比|环比|\d{1,2}月份?(?:当月)?|当月|"
    r"前[两二三四]年|后[两二三四]年|剩余[两二三四]年|20\d\d[—\-–~至]+20\d\d年)+"
)
#: Trailing words that are the verb or comparator, not the indicator.
TRAILING_WORDS = re.compile(
    rf"(?:{COMPARISON_BASE})?(?:分别|均|各|同比|比上年|年均|持续|稳定|继续|全部|已|将|要|再|可)?"
    r"(?:增长|下降|提高到|提高至|提升到|提升至|增加到|增加至|增长到|增长至|下降到|下降至|降低到|降低至|缩小到|扩大到|提高|提升|增至|降至|降到|达到|达|超过|突破|为|控制在|"
    r"保持在|保持|稳定在|缩小至|缩小到|缩小|减少|增加|压减|低于|高于|不低于|不少于|不超过|最多|近|约|超|"
    r"上涨|回落|增速|降低|上升|位列|位居|列|居|排名|的|分别|均|各|同比|年均|比上年|了|大幅|全国|全省|全市|由|共|20\d\d年(?:末|底)?)$"
)
_DISTRIBUTIVE = re.compile(
    r"(?:分别|(?<![人年平浓均])均(?=增长|下降|达到|提高|降低|超过|突破|为|完成|保持|在|减少|压减|控制|低于|高于|不低于|不少于|\d)"
    r"|(?<![每])各(?=\d|增长|下降|达到|提高|完成|新增))"
)
#: A cleaned phrase that names no indicator (the number belongs to the previous one):
#: "完成目标的52.7%", "已提前完成控制在28微克/立方米以内的目标", "前两年累计完成7.9万人".
_NO_INDICATOR = re.compile(
    r"(?:实际)?(?:已经?)?(?:提前)?(?:累计)?(?:完成|实现|达到)?(?:年度|全年|规划)?(?:目标|任务|计划|预算){0,2}(?:的)?"
    r"(?:控制在|保持在|需达到|需|要)?"
)
#: Phrases that name no indicator of their own but refer back to the sentence's last one:
#: "全市生产总值年均增长6%左右，总量突破3200亿元" (总量 = the GDP's level).
REFERRING_NOUNS = ("年均", "增速", "同比", "其中", "总量", "总规模", "规模", "总额", "总数", "总值")
#: A list piece made only of action verbs ("新建", "改扩建").
_VERB_ONLY = re.compile(rf"(?:{COUNT_VERBS.pattern})+")
#: A rank verb: the words after it name the field ranked in ("居衢州各县(市、区)第1位").
RANK_VERB = re.compile(r"位居|位列|居(?!民|住)|排名|排在|列(?!入)")
#: Parallel modifiers sharing one head noun: "城镇和农村居民人均可支配收入" = 城镇居民… and 农村居民….
PARALLEL_MODIFIERS = ("城镇", "农村", "城市", "乡村", "城区", "农业", "非农")
_ITEM_SPLIT = re.compile(r"、|以及|和|及|与")
_CLAUSE_BREAK = set(",;:，；：")
_SENTENCE_BREAK = re.compile(r"[。!?！？]+")
_TOP_HEADING = re.compile(r"^(?:#+\s*)?[一二三四五六七八九十]+、")
_SUB_HEADING = re.compile(r"^(?:#+\s*)?(?:[(（][一二三四五六七八九十]+[)）]|\d+[.、．]\s*)")
_FROM_TO = re.compile(
    r"由(?P<a>[^,;。由]{1,20}?)(?:提高|增加|增长|提升|上升|下降|降低|减少|缩小|扩大)(?:到|至)"
)


#: Clause-level cues: words in the clause before a number that say what the number is, whatever the
#: section says ("目标为7%左右，2021—2022年实际年均增长6.4%": a target, then an outcome). A cue holds
#: for the following clauses of the same sentence until another cue. Checked in this order.
CLAUSE_YEAR_RANGE = re.compile(r"(?<![到至])(20\d\d)\s*[—\-–~至]+\s*(20\d\d)年")
CLAUSE_YEAR = re.compile(r"(?<![比较到至与由])(20\d\d)年(?!底前|以前|前|起|以来|基础)")
CLAUSE_FIRST_YEARS = re.compile(r"前([两二三四])年")  # of the plan in focus: outcomes
CLAUSE_LAST_YEARS = re.compile(r"后([两二三四])年|剩余([两二三四])年")  # of the plan: still to do
CLAUSE_PLAN = re.compile(r"“?(十[一二三四五六]五)”?(?:时期|期间)")  # "“十四五”时期年均增长"
#: "6月份当月增长11.2%": one month of a part-year report (holds for "，环比增长3.4%").
CLAUSE_MONTH = re.compile(r"(?<!\d)(\d{1,2})月份?当月")
CLAUSE_OUTCOME = re.compile(r"实际|已经?(?:实现|完成|达到)")
CLAUSE_TARGET = re.compile(r"目标(?:为|是|值)|预期目标|规划目标|(?:需|需要|要)达到")
#: After a number: "控制在28微克/立方米以内的目标" - the number names a target.
AFTER_TARGET = re.compile(r"^[^，。；,;]{0,4}?的?(?:目标|预期目标)")
#: "比2020年提高0.35个百分点": a change from a base year runs from the year after it.
BASE_YEAR = re.compile(r"(?:比|较)(20\d\d)年")
#: A year written between 由/到 and the value it dates ("由2020年的1.86", "到2024年末的1.74").
STATED_YEAR = re.compile(r"(?:(20\d\d)年(?:末|底)?的?)?\s?")
_CN_SMALL = {"两": 2, "二": 2, "三": 3, "四": 4}


@dataclass
class _Context:
    kind: str  # target | outcome
    start: str
    end: str
    label: str = ""
    explicit: bool = False  # set by a time cue in the text ("今年以来"), not by a heading
    deadline: bool = False  # set by "到2027年": a horizon only when it opens a paragraph

    @property
    def span(self) -> bool:
        return self.start[:4] != self.end[:4]


# --------------------------------------------------------------------------------------------
# Document structure
# --------------------------------------------------------------------------------------------


def _mask_brackets(text: str) -> str:
    """Replace the content of (...) and “...” by '_' so list/clause splitting ignores it."""
    out = list(text)
    depth = 0
    quote = False
    for i, ch in enumerate(text):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        elif ch == "“":
            quote = True
        elif ch == "”":
            quote = False
        elif (depth or quote) and ch in "、,;:，；：和及与":
            out[i] = "_"
    return "".join(out)


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or s.startswith(("——", "—", "-")):
        return False
    if _TOP_HEADING.match(s) or (s.startswith("#") and len(s) <= 50):
        return True
    return len(s) <= 40 and not re.search(r"[。;；!！?？]", s) and not s.endswith((":", "：", ",", "，"))


def _fyp_span(text: str) -> tuple[int, int] | None:
    for name, span in FIVE_YEAR_PLANS.items():
        if name in text:
            return span
    return None


def _heading_context(heading: str, doc: Document, previous: _Context) -> _Context:
    Y = doc.published_year
    years = [int(y) for y in re.findall(r"(20\d\d)年", heading)]
    fyp = _fyp_span(heading)
    is_outcome = any(w in heading for w in HEADING_OUTCOME_WORDS)
    is_target = any(w in heading for w in HEADING_TARGET_WORDS)
    if is_outcome:
        if years:
            return _Context("outcome", str(years[0]), str(years[0]), heading)
        if fyp and fyp[1] <= Y:
            return _Context("outcome", str(fyp[0]), str(fyp[1]), heading)
        if doc.published_month >= 7 and not doc.doc_type.startswith("work_report"):
            # a progress report written late in the year: this year to date
            M = doc.published_month
            return _Context("outcome", f"{Y}-01", f"{Y}-{M:02d}", heading)
        return _Context("outcome", str(Y - 1), str(Y - 1), heading)
    if is_target:
        if years:
            return _Context("target", str(years[0]), str(years[0]), heading)
        if fyp:
            return _Context("target", str(fyp[0]), str(fyp[1]), heading)
        return _Context("target", str(Y), str(Y), heading)
    return _Context(previous.kind, previous.start, previous.end, heading)


def _default_context(doc: Document) -> _Context:
    Y = doc.published_year
    if doc.doc_type.startswith("plan_") and doc.doc_type != "plan_evaluation":
        fyp = _fyp_span(doc.title) or _fyp_from_ordinal(doc.title)
        if fyp:
            return _Context("target", str(fyp[0]), str(fyp[1]), "")
        return _Context("target", str(Y + 1), str(Y + 5), "")
    if doc.doc_type in ("work_report", "work_report_excerpt", "statistical_bulletin", "plan_evaluation") \
            or doc.published_month <= 3:
        return _Context("outcome", str(Y - 1), str(Y - 1), "")
    return _Context("outcome", str(Y), str(Y), "")


def _fyp_from_ordinal(title: str) -> tuple[int, int] | None:
    m = re.search(r"第(十[一二三四五六])个五年规划", title)
    return FIVE_YEAR_PLANS.get(m.group(1) + "五") if m else None


def _cue_context(text: str, doc: Document, base: _Context) -> tuple[_Context | None, bool]:
    """The context a sentence's time cues set (None if none); bool = a persistent horizon cue."""
    Y, M = doc.published_year, doc.published_month
    best: tuple[int, _Context, bool] | None = None
    for rx, kind, fn in _TIME_CUES:
        m = rx.search(text)
        if not m:
            continue
        persistent = False
        if kind == "plan":
            span = FIVE_YEAR_PLANS[m.group(1)]
            if span[1] < Y or (span[1] == Y and M >= 7):
                ctx = _Context("outcome", str(span[0]), str(span[1]), explicit=True)
            else:
                ctx = _Context("target", str(span[0]), str(span[1]))
                persistent = True
        elif kind == "target" and fn is None:  # 到2026年
            if re.search(r"[,;:，；：]", text[:m.start()]):
                continue  # inside the sentence: it dates its own clause (see _deadline_context)
            ctx = _deadline_context(doc, base, int(m.group(1)))
            if ctx is None:
                continue
            persistent = True
        elif kind == "target_this_year":
            if base.kind == "outcome" and base.end[:4] == str(Y):
                if "-" in base.start:  # a progress report: "今年新开工…" = this year to date
                    ctx = _Context("outcome", f"{Y}-01", f"{Y}-{M:02d}", explicit=True)
                    if best is None or m.start() < best[0]:
                        best = (m.start(), ctx, False)
                continue  # "今年" inside this year's results
            if base.kind == "target" and base.span and text[:m.start()].strip(" #“\"") != "":
                continue  # "今年" inside a multi-year plan's text; one that opens it ("今年是…") wins
            ctx = _Context("target", str(Y), str(Y))
        else:
            s, e = fn(Y, M, m)
            ctx = _Context("outcome" if kind == "outcome" else "target", s, e, explicit=True)
            persistent = kind == "target"
        # the earliest cue in the sentence wins (it frames what follows)
        if best is None or m.start() < best[0]:
            best = (m.start(), ctx, persistent)
    if best is None:
        return None, False
    return best[1], best[2]


def _deadline_context(doc: Document, base: _Context, year: int) -> _Context | None:
    """The target context "到{year}年" sets inside ``base`` (None for a past year)."""
    Y = doc.published_year
    if year < Y:
        return None
    start = base.start if base.kind == "target" and base.span and str(Y) <= base.start[:4] <= str(year) \
        else str(Y)
    return _Context("target", start, str(year), deadline=True)


#: "到2027年" inside a sentence: a target for its own clause and the next ones up to a semicolon.
DEADLINE_CUE = re.compile(r"到(20\d\d)年(?:底|末)?")


@dataclass
class _Sentence:
    start: int
    end: int
    ctx: _Context
    section: str


def _sentences(doc: Document) -> list[_Sentence]:
    """Split the normalised text into sentences, each with its section context."""
    text = doc.normalized.text
    out: list[_Sentence] = []
    top = _default_context(doc)
    horizon: _Context | None = None
    sub_label = ""
    pos = 0
    for line in text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        if _TOP_HEADING.match(stripped) and len(stripped) > 60:
            # a heading the PDF/web conversion glued to its first paragraph ("一、…1. …")
            glued = re.search(r"(?<=[^\d.])\d+\.\s*(?=\S)|[(（][一二三四五六七八九十]+[)）]", stripped[4:])
            if glued:
                cut = line.index(stripped) + 4 + glued.start()
                top = _heading_context(line[:cut].strip().lstrip("# "), doc, top)
                horizon, sub_label = None, ""
                line, line_start = line[cut:], line_start + cut
                stripped = line.strip()
        if _is_heading(stripped):
            is_sub = bool(_SUB_HEADING.match(stripped)) and not _TOP_HEADING.match(stripped)
            if is_sub:
                sub_label = stripped.lstrip("# ")
                continue
            top = _heading_context(stripped.lstrip("# "), doc, top)
            cue, persistent = _cue_context(stripped, doc, top)
            if cue is not None and not any(w in stripped for w in HEADING_OUTCOME_WORDS + HEADING_TARGET_WORDS):
                top = _Context(cue.kind, cue.start, cue.end, stripped)
            horizon = None
            sub_label = ""
            continue
        base = horizon or top
        para_ctx: _Context | None = None
        first = True
        for s_start, s_end in _split_sentences(line, line_start):
            sent = text[s_start:s_end]
            ctx = base if para_ctx is None else para_ctx
            cue, persistent = _cue_context(sent, doc, base)
            if first:
                head = _SUB_HEADING.sub("", sent)
                if _SUB_HEADING.match(sent) and len(head) <= 40 and any(w in head for w in HEADING_OUTCOME_WORDS + HEADING_TARGET_WORDS):
                    hc = _heading_context(head, doc, base)
                    if cue is not None and cue.kind == hc.kind:
                        hc = _Context(cue.kind, cue.start, cue.end, head)
                    para_ctx = hc
                    ctx = hc
                elif cue is not None:
                    para_ctx = cue
                    ctx = cue
                    if persistent:
                        horizon = cue
                first = False
            elif cue is not None:
                ctx = cue
                if persistent and cue.kind == "target" and not cue.deadline:
                    horizon = cue  # "今后五年" frames what follows; a later "到2027年" only its sentence
                if cue.kind == "outcome" and cue.explicit and cue.start != cue.end:
                    para_ctx = cue  # "1—9月，…。…": a part-year holds for the rest of the paragraph
            label = " / ".join(x for x in (top.label, sub_label) if x)
            out.append(_Sentence(s_start, s_end, ctx, label))
    return out


def _split_sentences(line: str, offset: int) -> Iterable[tuple[int, int]]:
    start = 0
    for m in _SENTENCE_BREAK.finditer(line):
        yield offset + start, offset + m.end()
        start = m.end()
    if start < len(line):
        yield offset + start, offset + len(line)


# --------------------------------------------------------------------------------------------
# Indicator phrases, measures, comparators
# --------------------------------------------------------------------------------------------


def clean_indicator(phrase: str) -> str:
    """Strip verbs, comparators and time words from the ends of an indicator phrase."""
    s = phrase.strip(" _,;:、")
    for _ in range(6):
        new = LEADING_FILLERS.sub("", s).strip(" _,;:、")
        new = TRAILING_WORDS.sub("", new).strip(" _,;:、")
        if new == s:
            break
        s = new
    if s.count("“") != s.count("”"):
        s = s.replace("“", "").replace("”", "") if s.count("“") + s.count("”") == 1 else s
    return s


def _prefix_comparator(pre: str) -> str | None:
    p = pre.rstrip(" “\"")
    for word, comp in PREFIX_COMPARATORS:
        if p.endswith(word):
            return comp
    return None


def _last_verb(pre: str) -> tuple[str, str, str] | None:
    """The last measure verb in ``pre`` -> (verb, measure, direction)."""
    last = None
    for m in _VERB_RE.finditer(pre):
        last = m
    if last is None:
        return None
    # a verb followed by more than a few characters of a new noun phrase does not govern the number
    measure, direction = _VERB_TABLE[last.group(0)]
    return last.group(0), measure, direction


_GROWTH_THEN_LEVEL = re.compile(
    r"(?:增长|增速|增幅|涨幅)(?:目标|预期目标)?(?:需要|需|要|应|将|力争|预计|预期)?"
    r"(?:保持在|稳定在|控制在|为|是|达到|达|到)$"
)
#: Units that measure an extent (length, area, capacity, mass): a figure in them is a 'count' of what
#: was added only when a count verb governs it ("新建改造农村供水管网860公里"), else a level.
EXTENT_UNITS = {"公里", "平方公里", "万平方公里", "万千瓦", "千瓦", "万吨", "吨", "万立方米", "立方米"}
#: Nouns that make a figure in a count unit a stock ('level'): "粮食播种面积130万亩".
LEVEL_NOUNS = re.compile(r"总量|总数|规模|常住人口|户籍人口|吞吐量|航点|保有量|面积|产量|存量|余额|里程|容量|年末|年底")
#: A figure per head of population is a rate, i.e. a level, whatever its unit counts ("每千人口执业
#: (助理)医师3.62人", "每万人高价值发明专利拥有量达到8件", "人均公园绿地面积").
PER_CAPITA = re.compile(r"每(?:[十百千万]|十万)人口?|人均|每户|户均")
#: Prefixes that make a figure the number of things added in the period, whatever follows.
ADDED_PREFIX = re.compile(r"新增|新建|新培育|新认定|新引进|新开工|新招引")


def _decide_measure(v: ValueMention, seg_pre: str, clause_pre: str) -> tuple[str, str]:
    """Measure and direction of a value from its unit and the verbs before it."""
    if v.special == "rank":
        return "rank", ""
    if v.special == "ratio":
        return "ratio", ("decrease" if re.search(r"缩小|下降|降低|降至", clause_pre) else "")
    if v.special == "doubling":
        return "change", "increase"
    if v.special in ("zero_breakthrough", "zero_occurrence"):
        return "level", ""
    if v.unit == "万人" and v.raw.endswith("万"):
        return "level", ""  # "257万衢州人民": a population
    if _COMPLETION_RE.search(seg_pre) or _COMPLETION_RE.search(clause_pre.rstrip()):
        return "completion", ""
    verb = _last_verb(seg_pre) or _last_verb(clause_pre)
    if v.unit == "百分点":
        if verb and verb[2]:
            return "change", verb[2]
        return "change", "decrease" if re.search(r"下降|降低|减少|回落|缩小", clause_pre) else "increase"
    if v.unit in ("%", "‰"):
        if verb is None:
            return "share", ""
        _, measure, direction = verb
        if measure == "level" and _GROWTH_THEN_LEVEL.search(seg_pre.rstrip(" “")):
            return "growth", "increase"  # "年均增长需达到7.4%左右", "增速目标为7%"
        if measure == "level":
            return "share", ""
        return measure, direction
    if v.unit == "倍" and verb is not None and verb[1] in ("growth", "change") and verb[2] == "increase":
        return "growth", "increase"  # "比上年增长1.5倍": growth written as a multiple (= +150%)
    # absolute units
    if verb is not None and verb[1] in ("growth", "change") and seg_pre.rstrip().endswith(verb[0]):
        return "change", verb[2] or "increase"
    if v.unit in MONEY_UNITS:
        return "level", ""
    if v.unit in EXTENT_UNITS:
        return ("count", "") if COUNT_VERBS.search(seg_pre) else ("level", "")
    if v.unit in COUNT_UNITS or v.unit in ("万吨/日", "吨/日"):
        if ADDED_PREFIX.search(seg_pre) and re.search(r"累计$", seg_pre.rstrip(" “")):
            return "count", ""  # "新增就业…五年累计15万人"
        if LEVEL_VERBS.search(seg_pre.rstrip(" “近约超")):
            return "level", ""
        if PER_CAPITA.search(seg_pre):
            return "level", ""
        if COUNT_VERBS.search(seg_pre):
            return "count", ""
        if LEVEL_NOUNS.search(seg_pre):
            return "level", ""
        if COUNT_VERBS.search(clause_pre):
            return "count", ""
        return "count", ""
    return "level", ""


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


@dataclass
class _Row:
    mention: ValueMention
    indicator: str
    measure: str
    direction: str
    kind: str
    period_start: str
    period_end: str
    comparator: str
    unit: str
    sentence: _Sentence


def _clauses(text: str, masked: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    s = start
    for i in range(start, end):
        if masked[i] in _CLAUSE_BREAK:
            out.append((s, i))
            s = i + 1
    out.append((s, end))
    return [(a, b) for a, b in out if b > a]


def _split_items(subject: str, masked_subject: str) -> list[str]:
    pieces, seps, s = [], [], 0
    for m in _ITEM_SPLIT.finditer(masked_subject):
        pieces.append(subject[s:m.start()])
        seps.append(m.group(0))
        s = m.end()
    pieces.append(subject[s:])
    # "新建、改扩建中小学和幼儿园各15所": 、 between verbs lists actions, not indicators; the verbs
    # join the next piece and govern every item after them.
    items: list[str] = []
    shared = ""  # the verb chain that governs the following items
    i = 0
    while i < len(pieces):
        piece = pieces[i].strip(" _,;:")
        verbs = ""
        while i + 1 < len(pieces) and _VERB_ONLY.fullmatch(piece) and pieces[i + 1].strip(" _,;:"):
            verbs += piece + seps[i]
            i += 1
            piece = pieces[i].strip(" _,;:")
        if verbs:
            lead = _VERB_ONLY.match(piece)
            shared = verbs + (lead.group(0) if lead else "")
            piece = verbs + piece
        elif shared and not COUNT_VERBS.match(piece):
            piece = shared + piece
        items.append(piece)
        i += 1
    items = [clean_indicator(x) for x in items]
    items = [x for x in items if x]
    if len(items) > 1:
        last = items[-1]
        fixed = []
        for it in items[:-1]:
            mod = next((p for p in PARALLEL_MODIFIERS if last.startswith(p) and len(last) > len(p) + 1), "")
            if it in PARALLEL_MODIFIERS and mod and it != mod:
                it = it + last[len(mod):]
            elif len(it) < len(last) and it[:2] == last[:2] and not last.endswith(it[-2:]):
                # "基本养老、基本医疗保险参保率": share the tail of the last item
                it = it + last[len(it):]
            elif len(last) > 2 and not it.endswith(last[-2:]) and \
                    last[-2:] in ("投资", "收入", "人数", "总额", "比例", "比重") and \
                    it[-1] not in "额入率数量值资比重产业人费款":
                # "生态环保、城市更新和水利设施投资": the shared head noun
                it = it + last[-2:]
            fixed.append(it)
        items = fixed + [last]
    return items


def _expand_urban_rural(item: str, n: int) -> list[str] | None:
    if n == 2 and "城乡" in item:
        return [item.replace("城乡", "城镇", 1), item.replace("城乡", "农村", 1)]
    return None


def _noun_after(text: str, masked: str, pos: int, limit: int) -> str:
    """The noun phrase right after a value ("5个研发中心" -> "研发中心"), or ''."""
    m = re.match(r"[\u4e00-\u9fff“”A-Za-z0-9]+", text[pos:limit])
    if not m:
        return ""
    phrase = m.group(0)
    if re.match(r"^(?:的|用于|实现|全部|增长|下降|以上|以下|左右|达标|化解|全覆盖|分别|同比|比|和|及|投产|列入)",
                phrase):
        return ""
    cut = re.search(r"全部|实现|列入|入选|用于|达标|投产|稳定|的成绩|上“", phrase)
    return phrase[:cut.start()] if cut else phrase


def _extract_document(doc: Document, registry: IndicatorRegistry) -> list[dict]:
    text = doc.normalized.text
    masked = _mask_brackets(text)
    mentions = [v for v in find_values(text) if not v.threshold]
    sentences = _sentences(doc)
    rows: list[_Row] = []
    mi = 0
    for sent in sentences:
        sm: list[ValueMention] = []
        while mi < len(mentions) and mentions[mi].start < sent.end:
            if mentions[mi].start >= sent.start:
                sm.append(mentions[mi])
            mi += 1
        if not sm:
            continue
        rows.extend(_extract_sentence(doc, text, masked, sent, sm))
    return _to_records(doc, rows, registry)


def _extract_sentence(doc: Document, text: str, masked: str, sent: _Sentence,
                      mentions: list[ValueMention]) -> list[_Row]:
    rows: list[_Row] = []
    last_indicator = ""
    last_items: list[str] = []
    previous_rows: list[_Row] = []
    from_to = list(_FROM_TO.finditer(text, sent.start, sent.end))
    carry: _Context | None = None  # a clause cue that holds for the following clauses
    frame: _Context | None = None  # a "到2026年" before every value: it dates the whole sentence
    for c_start, c_end in _clauses(text, masked, sent.start, sent.end):
        if c_start > sent.start and text[c_start - 1] in ";；":
            carry = frame  # a semicolon closes a statement: clause cues do not cross it
        cm = [v for v in mentions if c_start <= v.start < c_end]
        dl = DEADLINE_CUE.search(text, c_start, cm[0].start if cm else c_end)
        if dl is not None:
            # "…；到2027年，A突破3000家。" inside a list for 2030 dates its own statement only;
            # "…举措，力争到2026年，实现A…；B…" opens the sentence's claims and dates them all
            carry = _deadline_context(doc, sent.ctx, int(dl.group(1))) or carry
            if not rows and carry is not None and carry.deadline:
                frame = carry
        if not cm:
            continue
        clause_text = text[c_start:c_end]
        clause_masked = masked[c_start:c_end]
        dist = _DISTRIBUTIVE.search(clause_masked)
        assigned: dict[int, list[str]] = {}
        if dist is not None:
            after = [v for v in cm if v.start >= c_start + dist.start()]
            subject = clause_text[:dist.start()]
            items = _split_items(subject, clause_masked[:dist.start()]) if after else []
            if after and items == [] or (after and len(items) == 1 and len(after) > 1 and
                                         clean_indicator(subject) in ("",) + REFERRING_NOUNS):
                items = last_items if len(last_items) == len(after) else \
                    [r.indicator for r in previous_rows[-len(after):]] if len(previous_rows) >= len(after) else []
            if after and len(items) == 1 and len(after) >= 2 and len(after) % 2 == 0:
                items = _expand_urban_rural(items[0], 2) or items
            if after and len(items) == len(after):
                for v, it in zip(after, items):
                    assigned[id(v)] = [it]
                last_items = items
            elif after and len(items) > 1 and len(after) % len(items) == 0 and from_to:
                # "城乡居民收入分别由a、b增加到c、d": each item's values in turn
                for i, v in enumerate(after):
                    assigned[id(v)] = [items[i % len(items)]]
                last_items = items
            elif after and len(after) == 1 and len(items) > 1:
                assigned[id(after[0])] = items
                last_items = items
        prev_end = c_start
        for v in cm:
            seg_start = max(prev_end, c_start)
            for i in range(v.start - 1, seg_start - 1, -1):
                if masked[i] in "、":
                    seg_start = i + 1
                    break
            seg_pre = text[seg_start:v.start]
            clause_pre = text[c_start:v.start]
            nxt = min([w.start for w in cm if w.start > v.start] + [c_end])
            seg_end = nxt
            for i in range(v.end, nxt):
                if masked[i] in "、":
                    seg_end = i
                    break
            measure, direction = _decide_measure(v, seg_pre, clause_pre)
            if measure == "count" and _from_to_years(text, from_to, v) is not None:
                measure = "level"  # "高新技术企业由42家增加到135家": two stocks, not things added
            if id(v) in assigned:
                indicators = assigned[id(v)]
            else:
                ind_pre = seg_pre
                if v.special == "rank":
                    # "增速居全省山区26县第4位": what follows 居 is the field ranked in
                    cut = list(RANK_VERB.finditer(seg_pre))
                    ind_pre = seg_pre[:cut[-1].start()] if cut else seg_pre
                ind = clean_indicator(ind_pre)
                post = _noun_after(text, masked, v.end, seg_end)
                if post and v.special is None:
                    ind = clean_indicator(ind + post) if ind else clean_indicator(post)
                if not ind or _NO_INDICATOR.fullmatch(ind) or (ind in REFERRING_NOUNS and last_indicator):
                    ind = last_indicator
                indicators = [ind]
            comparator = v.comparator or _prefix_comparator(seg_pre) or "eq"
            unit = v.unit
            if v.special == "zero_breakthrough":
                prev_units = [r.unit for r in rows if r.sentence is sent and r.mention.start >= c_start]
                unit = prev_units[-1] if prev_units and prev_units[-1] in COUNT_UNITS else ""
            cue, carries = _clause_cue(doc, text, sent, c_start, v, carry)
            if carries:
                carry = cue
            kind, p_start, p_end = _kind_period(doc, text, sent, v, measure, from_to, c_start,
                                                cue or carry)
            for ind in indicators:
                row = _Row(v, ind, measure, direction, kind, p_start, p_end, comparator, unit, sent)
                rows.append(row)
                previous_rows.append(row)
            if indicators and indicators[-1]:
                last_indicator = indicators[-1]
            prev_end = v.end
    return rows


def _from_to_years(text: str, from_to: list[re.Match], v: ValueMention) -> tuple[str, str] | None:
    """For a value that is one end of "由A…增加到B", the years written with A and B ('' if none)."""
    for ft in from_to:
        start_years = re.findall(r"(20\d\d)年", text[ft.start("a"):ft.end("a")])
        start_year = start_years[0] if start_years else ""
        if ft.start("a") <= v.start < ft.end("a"):
            return start_year, ""
        stated = STATED_YEAR.fullmatch(text[ft.end():v.start]) if v.start >= ft.end() else None
        if stated is not None:
            return start_year, stated.group(1) or ""
    return None


def _plan_span(doc: Document, sent: _Sentence) -> tuple[int, int] | None:
    """The multi-year plan a sentence speaks about: its context's span, or an evaluated plan's."""
    if sent.ctx.span:
        return int(sent.ctx.start[:4]), int(sent.ctx.end[:4])
    if doc.doc_type == "plan_evaluation":
        return _fyp_span(doc.title) or _fyp_from_ordinal(doc.title)
    return None


def _clause_cue(doc: Document, text: str, sent: _Sentence, clause_start: int,
                v: ValueMention, carry: _Context | None = None) -> tuple[_Context | None, bool]:
    """Kind and period set by words of the value's own clause (see CLAUSE_* tables).

    ``carry`` is the cue still in force from an earlier clause of the sentence. Returns (context or
    None, whether it holds for the following clauses of the sentence).
    """
    Y, M = doc.published_year, doc.published_month
    before = text[clause_start:v.start]
    plan = _plan_span(doc, sent)
    m = CLAUSE_PLAN.search(before)
    if m:
        # "预计2025年…，“十四五”时期年均增长6.4%": the plan's years; an estimate stays an estimate
        a, b = FIVE_YEAR_PLANS[m.group(1)]
        if EXPECTED_CUES.search(before) or (carry is not None and carry.kind == "expected"):
            kind = "expected"
        else:
            kind = "outcome" if b < Y or (b == Y and M >= 7) else "target"
        return _Context(kind, str(a), str(b)), False
    m = EXPECTED_CUES.search(before)
    if m:
        # 预计 frames the clauses that follow it ("预计…2400亿元,人均…突破10万元"); 有望 only its own
        carries = m.group(0) in EXPECTED_CARRY
        years = re.findall(r"(20\d\d)年", before)
        if years:
            return _Context("expected", years[-1], years[-1]), carries
        if "全年" in before[m.end():]:
            # "截至11月底…。预计全年…": the whole year of a part-year context
            return _Context("expected", sent.ctx.end[:4], sent.ctx.end[:4]), carries
        return _Context("expected", sent.ctx.start, sent.ctx.end), carries
    if AFTER_TARGET.match(text[v.end:sent.end]):
        if plan:
            return _Context("target", str(plan[0]), str(plan[1])), False
        return _Context("target", sent.ctx.start, sent.ctx.end), False
    m = CLAUSE_MONTH.search(before)
    if m and 1 <= int(m.group(1)) <= 12:
        month = f"{Y}-{int(m.group(1)):02d}"
        return _Context("outcome", month, month), True
    m = CLAUSE_YEAR_RANGE.search(before)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return _Context("outcome" if b < Y else "target", str(a), str(b)), True
    m = CLAUSE_FIRST_YEARS.search(before)
    if m and plan:
        n = _CN_SMALL[m.group(1)]
        return _Context("outcome", str(plan[0]), str(plan[0] + n - 1)), True
    m = CLAUSE_LAST_YEARS.search(before)
    if m and plan:
        n = _CN_SMALL[m.group(1) or m.group(2)]
        return _Context("target", str(plan[1] - n + 1), str(plan[1])), True
    if CLAUSE_TARGET.search(before):
        if plan:
            return _Context("target", str(plan[0]), str(plan[1])), True
        return _Context("target", sent.ctx.start, sent.ctx.end), True
    years = [int(y) for y in CLAUSE_YEAR.findall(before)]
    if years and years[-1] < Y and not re.search(r"到20\d\d年", before):
        return _Context("outcome", str(years[-1]), str(years[-1])), True
    if CLAUSE_OUTCOME.search(before) and sent.ctx.kind != "outcome":
        if plan and plan[1] >= Y:
            return _Context("outcome", str(plan[0]), str(Y - 1)), True
        return _Context("outcome", sent.ctx.start, sent.ctx.end), True
    return None, False


def _kind_period(doc: Document, text: str, sent: _Sentence, v: ValueMention, measure: str,
                 from_to: list[re.Match], clause_start: int,
                 cue: _Context | None = None) -> tuple[str, str, str]:
    ctx = sent.ctx
    before = text[clause_start:v.start]  # 预计/有望 govern their own clause
    sentence = text[sent.start:sent.end]
    kind = ctx.kind
    start, end = ctx.start, ctx.end
    if cue is not None:
        kind, start, end = cue.kind, cue.start, cue.end
    elif kind == "outcome" and not ctx.explicit and TARGET_CUES.search(COMPLETION_PHRASES.sub("", sentence)) \
            and not OUTCOME_CUES.search(sentence):
        kind = "target"
    if kind == "target" and "-" in start and start[:4] == end[:4]:
        start = end = start[:4]  # a target in a part-year report ("力争全年…") is for the year
    base = BASE_YEAR.search(before)
    if measure == "change" and base and int(base.group(1)) + 1 <= int(end[:4] or 0):
        start = str(int(base.group(1)) + 1)
    if kind == "expected" and cue is None:
        m = None
        for m in re.finditer(r"(20\d\d)年", before):
            pass
        if m is not None:
            start = end = m.group(1)
    if measure == "growth" and "年均" in before:
        # "由2015年的248.6亿元增加到2020年的372.4亿元，年均增长7.1%": 2016-2020
        ends = [e for e in (_from_to_end_years(text, ft, v) for ft in from_to) if e is not None]
        if ends and ends[-1][0] < ends[-1][1]:
            return kind, str(ends[-1][0] + 1), str(ends[-1][1])
    if v.unit == "万人" and v.raw.endswith("万"):
        # "257万衢州人民": the population as context, not a claim about the period
        return "outcome", "", ""
    for ft in from_to:
        # "由2020年的1.86缩小到2024年的1.74": a year written with a value is its period; without one
        # the start is the year before the period and the end its last year ("由80.2岁提高到82.3岁")
        if ft.start("a") <= v.start < ft.end("a"):
            stated = STATED_YEAR.fullmatch(text[ft.start("a"):v.start])
            if stated and stated.group(1):
                year = int(stated.group(1))
                return ("outcome" if year < doc.published_year else kind), str(year), str(year)
            base = int(start[:4]) - 1
            return kind, str(base), str(base)
        stated = STATED_YEAR.fullmatch(text[ft.end():v.start]) if v.start >= ft.end() else None
        if stated and stated.group(1):
            year = int(stated.group(1))
            return ("outcome" if year < doc.published_year else kind), str(year), str(year)
        if ft.end() <= v.start <= ft.end() + 1:
            return kind, end[:4] if len(end) == 4 else end, end[:4] if len(end) == 4 else end
    if start[:4] != end[:4] and measure in ("level", "share", "ratio", "rank", "completion") \
            and not (measure == "completion" and kind == "outcome"):
        return kind, end, end
    return kind, start, end


def _from_to_end_years(text: str, ft: re.Match, v: ValueMention) -> tuple[int, int] | None:
    """(start year, end year) of a "由2015年的A增加到2020年的B" written before ``v``, or None."""
    if ft.end() > v.start:
        return None
    a = re.findall(r"(20\d\d)年", text[ft.start("a"):ft.end("a")])
    b = re.match(r"(20\d\d)年", text[ft.end():v.start])
    return (int(a[0]), int(b.group(1))) if a and b else None


def _statement_id(doc_id: str, kind: str, measure: str, indicator: str, value: float, unit: str,
                  context: str) -> str:
    key = "|".join((kind, measure, indicator, repr(float(value)), unit, context))
    return f"{doc_id}:{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def _to_records(doc: Document, rows: list[_Row], registry: IndicatorRegistry) -> list[dict]:
    text = doc.normalized.text
    out: list[dict] = []
    seen: dict[str, int] = {}
    for r in rows:
        v = r.mention
        o_start, o_end = doc.normalized.to_original(v.start, v.end)
        q_start, q_end = doc.normalized.to_original(r.sentence.start, r.sentence.end)
        context = text[max(0, v.num_start - 8):v.num_start] + "|" + text[v.num_start:v.end + 8]
        sid = _statement_id(doc.doc_id, r.kind, r.measure, r.indicator, v.value, r.unit, context)
        n = seen.get(sid, 0) + 1
        seen[sid] = n
        if n > 1:
            sid = f"{sid}~{n}"
        out.append({
            "statement_id": sid,
            "doc_id": doc.doc_id,
            "kind": r.kind,
            "indicator_id": registry.match(r.indicator),
            "indicator_text": r.indicator,
            "measure": r.measure,
            "direction": r.direction,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "value": float(v.value),
            "value_high": v.value_high,
            "unit": r.unit,
            "comparator": r.comparator,
            "char_start": o_start,
            "char_end": o_end,
            "quote": doc.text[q_start:q_end].strip(),
            "evidence": doc.text[o_start:o_end],
            "section": r.sentence.section,
            "source": "extractor",
        })
    return out


def empty_statements() -> pd.DataFrame:
    """An empty statements table with the contract's columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in STATEMENT_DTYPES.items()})[STATEMENT_COLUMNS]


def coerce_statements(df: pd.DataFrame) -> pd.DataFrame:
    """Give a statements table the contract's column order and dtypes (extra columns kept)."""
    df = df.copy()
    for col, dtype in STATEMENT_DTYPES.items():
        if col not in df.columns:
            df[col] = pd.Series([pd.NA] * len(df), dtype=dtype, index=df.index)
        if dtype == "float64":
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
        elif dtype == "Float64":
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("Float64")
        elif dtype == "Int64":
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
        else:
            df[col] = df[col].astype("string")
    extras = [c for c in df.columns if c not in STATEMENT_COLUMNS]
    return df[STATEMENT_COLUMNS + extras]


def extract_document(doc: Document, registry: IndicatorRegistry | None = None) -> pd.DataFrame:
    """Statements of one document."""
    registry = registry or load_registry()
    records = _extract_document(doc, registry)
    if not records:
        return empty_statements()
    return coerce_statements(pd.DataFrame.from_records(records))


def extract_statements(corpus: Corpus | Iterable[Document],
                       registry: IndicatorRegistry | None = None) -> pd.DataFrame:
    """Extract every quantitative statement of ``corpus`` into one table (see module docstring).

    Args:
        corpus: a :class:`~qzanalysis.corpus.Corpus` (or any iterable of Documents).
        registry: indicator registry for ``indicator_id`` (default: data/indicators.yaml).

    Returns:
        DataFrame with ``STATEMENT_COLUMNS`` (dtypes ``STATEMENT_DTYPES``), in document order.
    """
    registry = registry or load_registry()
    records: list[dict] = []
    for doc in corpus:
        records.extend(_extract_document(doc, registry))
    if not records:
        return empty_statements()
    return coerce_statements(pd.DataFrame.from_records(records))
