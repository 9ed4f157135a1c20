"""Kind and period of one value: clause cues, "由A增加到B" spans, plan spans, base years.

A sentence arrives with the context its section and time cues set (:mod:`.structure`). Inside the
sentence, clause cues (CLAUSE_* tables) override it: "目标为7%左右" (a target over the evaluated plan),
"2021—2022年实际年均增长", "前两年"/"后三年" of the plan, "2022年达到", "…以内的目标"; a cue holds for
the following clauses up to a semicolon (预计 does, 有望 does not). :func:`kind_period` then settles
the value's own period (a level at the end of a span, a change from its base year, the two ends of
"由A增加到B").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..corpus import Document
from . import rules
from .numbers import ValueMention
from .structure import Context, Sentence, plan_by_ordinal, plan_named_in, speaking_time


def plan_span(doc: Document, sent: Sentence) -> tuple[int, int] | None:
    """The multi-year plan a sentence speaks about: its context's span, or an evaluated plan's."""
    if sent.ctx.span:
        return int(sent.ctx.start[:4]), int(sent.ctx.end[:4])
    if doc.doc_type == "plan_evaluation":
        return plan_named_in(doc.title) or plan_by_ordinal(doc.title)
    return None


@dataclass(frozen=True)
class _Clause:
    """What the clause cues look at: the words of the clause before the value, the rest of the
    sentence after it, the plan the sentence speaks about, and the cue still in force."""

    doc: Document
    sent: Sentence
    before: str
    after: str
    plan: tuple[int, int] | None
    carry: Context | None

    @property
    def year(self) -> int:
        return speaking_time(self.doc)[0]


Cue = tuple[Context, bool]  # (context, whether it holds for the following clauses)


def clause_cue(
    doc: Document,
    text: str,
    sent: Sentence,
    clause_start: int,
    v: ValueMention,
    carry: Context | None = None,
) -> tuple[Context | None, bool]:
    """Kind and period set by words of the value's own clause (see CLAUSE_* tables).

    ``carry`` is the cue still in force from an earlier clause of the sentence. Returns (context or
    None, whether it holds for the following clauses of the sentence). The cues are tried in the
    order of ``_CLAUSE_CUES``; the first that applies wins.
    """
    clause = _Clause(
        doc, sent, text[clause_start : v.start], text[v.end : sent.end], plan_span(doc, sent), carry
    )
    for cue in _CLAUSE_CUES:
        found = cue(clause)
        if found is not None:
            return found
    return None, False


def _plan_period_cue(c: _Clause) -> Cue | None:
    """ "预计2025年…，“十四五”时期年均增长6.4%": the plan's years; an estimate stays an estimate."""
    m = rules.CLAUSE_PLAN.search(c.before)
    if not m:
        return None
    a, b = rules.FIVE_YEAR_PLANS[m.group(1)]
    if rules.EXPECTED_CUES.search(c.before) or (c.carry is not None and c.carry.kind == "expected"):
        kind = "expected"
    else:
        kind = (
            "outcome" if b < c.year or (b == c.year and speaking_time(c.doc)[1] >= 7) else "target"
        )
    return Context(kind, str(a), str(b)), False


def _expected_cue(c: _Clause) -> Cue | None:
    """预计 frames the clauses that follow it ("预计…2400亿元,人均…突破10万元"); 有望 only its own."""
    m = rules.EXPECTED_CUES.search(c.before)
    if not m:
        return None
    carries = m.group(0) in rules.EXPECTED_CARRY
    years = re.findall(r"(20\d\d)年", c.before)
    if years:
        return Context("expected", years[-1], years[-1]), carries
    ctx = c.sent.ctx
    if "全年" in c.before[m.end() :]:
        # "截至11月底…。预计全年…": the whole year of a part-year context
        return Context("expected", ctx.end[:4], ctx.end[:4]), carries
    return Context("expected", ctx.start, ctx.end), carries


def _target_after_cue(c: _Clause) -> Cue | None:
    """ "控制在28微克/立方米以内的目标": the number names a target (of the plan, if any)."""
    if not rules.AFTER_TARGET.match(c.after):
        return None
    if c.plan:
        return Context("target", str(c.plan[0]), str(c.plan[1])), False
    return Context("target", c.sent.ctx.start, c.sent.ctx.end), False


def _month_cue(c: _Clause) -> Cue | None:
    """ "6月份当月增长11.2%": one month of the publication year."""
    m = rules.CLAUSE_MONTH.search(c.before)
    if not (m and 1 <= int(m.group(1)) <= 12):
        return None
    month = f"{c.year}-{int(m.group(1)):02d}"
    return Context("outcome", month, month), True


def _year_range_cue(c: _Clause) -> Cue | None:
    """ "2021—2022年实际年均增长6.4%": an outcome once the span has ended, else a target."""
    m = rules.CLAUSE_YEAR_RANGE.search(c.before)
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    return Context("outcome" if b < c.year else "target", str(a), str(b)), True


def _plan_part_cue(c: _Clause) -> Cue | None:
    """ "前两年" of the plan: outcomes; "后三年"/"剩余三年": still to do."""
    if not c.plan:
        return None
    m = rules.CLAUSE_FIRST_YEARS.search(c.before)
    if m:
        n = rules.CN_SMALL[m.group(1)]
        return Context("outcome", str(c.plan[0]), str(c.plan[0] + n - 1)), True
    m = rules.CLAUSE_LAST_YEARS.search(c.before)
    if m:
        n = rules.CN_SMALL[m.group(1) or m.group(2)]
        return Context("target", str(c.plan[1] - n + 1), str(c.plan[1])), True
    return None


def _target_words_cue(c: _Clause) -> Cue | None:
    """ "目标为7%左右", "需达到": a target (of the plan, if any)."""
    if not rules.CLAUSE_TARGET.search(c.before):
        return None
    if c.plan:
        return Context("target", str(c.plan[0]), str(c.plan[1])), True
    return Context("target", c.sent.ctx.start, c.sent.ctx.end), True


def _standing_cue(c: _Clause) -> Cue | None:
    """ "滚动保持不少于5000亩": a standing requirement is a target, in force over the context's years."""
    if not rules.STANDING_REQUIREMENT.search(c.before):
        return None
    ctx = c.sent.ctx
    return Context("target", ctx.start[:4], ctx.end[:4]), False


def _past_year_cue(c: _Clause) -> Cue | None:
    """ "2022年达到…": a past year (not in a clause with "到2025年") dates an outcome."""
    years = [int(y) for y in rules.CLAUSE_YEAR.findall(c.before)]
    if years and years[-1] < c.year and not rules.DEADLINE_CUE.search(c.before):
        return Context("outcome", str(years[-1]), str(years[-1])), True
    return None


def _last_year_cue(c: _Clause) -> Cue | None:
    """ "去年在…的情况下仍实现增长6.1%": the year before the document's."""
    if not rules.CLAUSE_LAST_YEAR.search(c.before):
        return None
    year = str(c.year - 1)
    return Context("outcome", year, year), True


def _outcome_words_cue(c: _Clause) -> Cue | None:
    """ "实际", "已实现" outside a results section: an outcome (of the plan so far, if any)."""
    if not (rules.CLAUSE_OUTCOME.search(c.before) and c.sent.ctx.kind != "outcome"):
        return None
    if c.plan and c.plan[1] >= c.year:
        return Context("outcome", str(c.plan[0]), str(c.year - 1)), True
    return Context("outcome", c.sent.ctx.start, c.sent.ctx.end), True


#: The clause cues in the order they are tried.
_CLAUSE_CUES = (
    _plan_period_cue,
    _expected_cue,
    _target_after_cue,
    _month_cue,
    _year_range_cue,
    _plan_part_cue,
    _target_words_cue,
    _standing_cue,
    _last_year_cue,
    _past_year_cue,
    _outcome_words_cue,
)


def kind_period(
    doc: Document,
    text: str,
    sent: Sentence,
    v: ValueMention,
    measure: str,
    from_to: list[re.Match],
    clause_start: int,
    cue: Context | None = None,
) -> tuple[str, str, str]:
    """(kind, period_start, period_end) of one value.

    ``cue`` is the clause cue in force (see :func:`clause_cue`), else the sentence's context
    holds. ``from_to`` are the sentence's "由A增加到B" matches.
    """
    before = text[clause_start : v.start]  # 预计/有望 govern their own clause
    kind, start, end = _context_kind_period(text, sent, cue)
    base = rules.BASE_YEAR.search(before)
    if measure == "change" and base and int(base.group(1)) + 1 <= int(end[:4] or 0):
        start = str(int(base.group(1)) + 1)  # "比2020年提高…": from the year after the base
    if kind == "expected" and cue is None:
        years = re.findall(r"(20\d\d)年", before)
        if years:
            start = end = years[-1]
    years = rules.YEARS_SPAN.search(before)
    if years and measure in ("change", "count", "level") and end[:4].isdigit():
        # "四年累计增长27.6%", "五年累计新增…": the N years ending in the period in focus
        last = int(end[:4])
        return kind, str(last - rules.CN_YEARS[years.group("n")] + 1), str(last)
    if measure == "growth" and "年均" in before:
        span = _average_span(text, from_to, v)
        if span is not None:
            return kind, span[0], span[1]
    if v.unit == "万人" and v.raw.endswith("万"):
        # "257万衢州人民": the population as context, not a claim about the period
        return "outcome", "", ""
    found = _from_to_period(doc, text, from_to, v, kind, start, end)
    if found is not None:
        return found
    if (
        start[:4] != end[:4]
        and measure in ("level", "share", "ratio", "rank", "completion")
        and not (
            measure == "level" and rules.CUMULATIVE.search(before)
        )  # a running total: the span
        and not (measure == "completion" and kind == "outcome")
    ):
        return kind, end, end  # a state over a span is the state at its end
    return kind, start, end


def _context_kind_period(text: str, sent: Sentence, cue: Context | None) -> tuple[str, str, str]:
    """Kind and period from the clause cue, else from the sentence's context (an outcome section's
    sentence with a target word such as 力争 is a target)."""
    ctx = sent.ctx
    if cue is not None:
        kind, start, end = cue.kind, cue.start, cue.end
    else:
        kind, start, end = ctx.kind, ctx.start, ctx.end
        sentence = text[sent.start : sent.end]
        if (
            kind == "outcome"
            and not ctx.explicit
            and rules.TARGET_CUES.search(rules.COMPLETION_PHRASES.sub("", sentence))
            and not rules.OUTCOME_CUES.search(sentence)
        ):
            kind = "target"
    if kind == "target" and "-" in start and start[:4] == end[:4]:
        start = end = start[:4]  # a target in a part-year report ("力争全年…") is for the year
    return kind, start, end


def _average_span(text: str, from_to: list[re.Match], v: ValueMention) -> tuple[str, str] | None:
    """ "由2015年的248.6亿元增加到2020年的372.4亿元，年均增长7.1%": the average runs 2016-2020."""
    ends = [e for e in (_from_to_end_years(text, ft, v) for ft in from_to) if e is not None]
    if ends and ends[-1][0] < ends[-1][1]:
        return str(ends[-1][0] + 1), str(ends[-1][1])
    return None


def _from_to_period(
    doc: Document,
    text: str,
    from_to: list[re.Match],
    v: ValueMention,
    kind: str,
    start: str,
    end: str,
) -> tuple[str, str, str] | None:
    """The period of a value that is one end of "由A增加到B" (None for any other value).

    "由2020年的1.86缩小到2024年的1.74": a year written with a value is its period; without one
    the start is the year before the period and the end its last year ("由80.2岁提高到82.3岁").
    """
    for ft in from_to:
        if ft.start("a") <= v.start < ft.end("a"):
            stated = rules.STATED_YEAR.fullmatch(text[ft.start("a") : v.start])
            if stated and stated.group(1):
                return _stated_year_period(doc, kind, int(stated.group(1)))
            base = int(start[:4]) - 1
            return kind, str(base), str(base)
        stated = (
            rules.STATED_YEAR.fullmatch(text[ft.end() : v.start]) if v.start >= ft.end() else None
        )
        if stated and stated.group(1):
            return _stated_year_period(doc, kind, int(stated.group(1)))
        if ft.end() <= v.start <= ft.end() + 1:
            return kind, end, end
    return None


def _stated_year_period(doc: Document, kind: str, year: int) -> tuple[str, str, str]:
    """A value dated by the year written with it: an outcome when that year is past."""
    return ("outcome" if year < speaking_time(doc)[0] else kind), str(year), str(year)


def from_to_years(text: str, from_to: list[re.Match], v: ValueMention) -> tuple[str, str] | None:
    """For a value that is one end of "由A…增加到B", the years written with A and B ('' if none)."""
    for ft in from_to:
        start_years = re.findall(r"(20\d\d)年", text[ft.start("a") : ft.end("a")])
        start_year = start_years[0] if start_years else ""
        if ft.start("a") <= v.start < ft.end("a"):
            return start_year, ""
        stated = (
            rules.STATED_YEAR.fullmatch(text[ft.end() : v.start]) if v.start >= ft.end() else None
        )
        if stated is not None:
            return start_year, stated.group(1) or ""
    return None


def _from_to_end_years(text: str, ft: re.Match, v: ValueMention) -> tuple[int, int] | None:
    """(start year, end year) of a "由2015年的A增加到2020年的B" written before ``v``, or None."""
    if ft.end() > v.start:
        return None
    a = re.findall(r"(20\d\d)年", text[ft.start("a") : ft.end("a")])
    b = re.match(r"(20\d\d)年", text[ft.end() : v.start])
    return (int(a[0]), int(b.group(1))) if a and b else None
