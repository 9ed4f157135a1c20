"""Sentences to statement rows: clauses, lists, indicators, and the records of the statements table.

:func:`document_records` walks a document's sentences (:mod:`.structure`), finds each sentence's
values (:mod:`.numbers`), and reads every clause: its deadline cue, its list of items sharing one
verb, then each value's indicator, measure, comparator (:mod:`.phrases`) and kind and period
(:mod:`.timing`). The rows become records with a stable statement id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..corpus import Document
from ..indicators import IndicatorRegistry
from . import rules
from .numbers import ValueMention, find_values
from .phrases import (
    area_qualified,
    clean_indicator,
    decide_measure,
    expand_urban_rural,
    last_verb,
    noun_after,
    pair_member,
    prefix_comparator,
    selected_into,
    split_items,
)
from .structure import (
    Context,
    Sentence,
    deadline_context,
    document_sentences,
    mask_brackets,
    speaking_time,
)
from .timing import clause_cue, from_to_years, kind_period

#: Old-Mac and Windows line breaks inside a quote: the quote is for reading, written with \n
#: (the evidence stays exactly text[char_start:char_end]).
_BARE_CR = re.compile(r"\r\n?")


@dataclass
class _Row:
    """One statement read from a sentence, before it becomes a record."""

    mention: ValueMention
    indicator: str
    measure: str
    direction: str
    kind: str
    period_start: str
    period_end: str
    comparator: str
    unit: str
    sentence: Sentence


def document_records(doc: Document, registry: IndicatorRegistry) -> list[dict]:
    """The statements of ``doc`` as records of the statements table, in document order."""
    text = doc.normalized.text
    masked = mask_brackets(text)
    mentions = [v for v in find_values(text) if not v.threshold]
    rows: list[_Row] = []
    mi = 0
    for sent in document_sentences(doc):
        sm: list[ValueMention] = []
        while mi < len(mentions) and mentions[mi].start < sent.end:
            if mentions[mi].start >= sent.start:
                sm.append(mentions[mi])
            mi += 1
        if sm:
            rows.extend(_SentenceReader(doc, text, masked, sent).read(sm))
    return _to_records(doc, rows, registry)


def _clauses(text: str, masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses of ``text[start:end]`` (split at CLAUSE_BREAKS outside brackets and quotes)."""
    out = []
    s = start
    for i in range(start, end):
        if masked[i] in rules.CLAUSE_BREAKS:
            out.append((s, i))
            s = i + 1
    out.append((s, end))
    return [(a, b) for a, b in out if b > a]


class _SentenceReader:
    """Reads one sentence, clause by clause, into statement rows.

    What it remembers from one clause to the next: the rows so far, the last indicator named (a
    clause without a subject of its own, "、增长6.8%", inherits it), the last list of items, the
    clause cue still in force (``carry``) and a "到2026年" that dates the whole sentence (``frame``).
    """

    def __init__(self, doc: Document, text: str, masked: str, sent: Sentence):
        self.doc, self.text, self.masked, self.sent = doc, text, masked, sent
        self.from_to = list(rules.FROM_TO.finditer(text, sent.start, sent.end))
        self.rows: list[_Row] = []
        self.last_indicator = ""
        self.last_items: list[str] = []
        self.carry: Context | None = None  # a clause cue that holds for the following clauses
        self.frame: Context | None = (
            None  # a "到2026年" before every value: it dates the whole sentence
        )
        self.shared_comparators: dict[int, str] = {}  # "分别超过6.6万元、3.8万元": gt for both
        self.breakdown: tuple[str, int] | None = None  # "其中…": (the whole's indicator, first row)
        self.statement_at = 0  # the first row after the last semicolon
        self.year_of: dict[int, str] = {}  # "2021—2023年…分别增长a、b和c": a year per value

    def read(self, mentions: list[ValueMention]) -> list[_Row]:
        """The rows of the sentence's ``mentions`` (in order)."""
        for c_start, c_end in _clauses(self.text, self.masked, self.sent.start, self.sent.end):
            if c_start > self.sent.start and self.text[c_start - 1] in ";；":
                # a semicolon closes a statement: clause cues and breakdowns do not cross it
                self.carry, self.breakdown, self.statement_at = self.frame, None, len(self.rows)
            if rules.BREAKDOWN_OPENER.match(self.text, c_start, c_end):
                self.breakdown = (self.last_indicator, len(self.rows))
            cm = [v for v in mentions if c_start <= v.start < c_end]
            self._read_deadline(c_start, cm[0].start if cm else c_end)
            if cm:
                self._read_clause(c_start, c_end, cm)
            else:
                self._read_time_clause(c_start, c_end)
        return self.rows

    def _read_time_clause(self, c_start: int, c_end: int) -> None:
        """A clause that is only a past time ("2021—2023年，", "2025年末，") dates the next ones:
        results of that year or span (a future one is left to the deadline cues)."""
        m = rules.TIME_ONLY_CLAUSE.fullmatch(self.text, c_start, c_end)
        if m is None:
            return
        first, last = m.group("a"), m.group("b") or m.group("a")
        if int(last) < speaking_time(self.doc)[0]:
            self.carry = Context("outcome", first, last, explicit=True)

    def _read_deadline(self, c_start: int, limit: int) -> None:
        """A "到2027年" in the clause before its first value dates this clause and the next ones."""
        dl = rules.DEADLINE_CUE.search(self.text, c_start, limit)
        if dl is None:
            return
        # "…；到2027年，A突破3000家。" inside a list for 2030 dates its own statement only;
        # "…举措，力争到2026年，实现A…；B…" opens the sentence's claims and dates them all
        self.carry = deadline_context(self.doc, self.sent.ctx, int(dl.group(1))) or self.carry
        if not self.rows and self.carry is not None and self.carry.deadline:
            self.frame = self.carry

    def _read_clause(self, c_start: int, c_end: int, cm: list[ValueMention]) -> None:
        """Rows for the values ``cm`` of the clause [c_start, c_end)."""
        assigned = self._distribute(c_start, c_end, cm)
        prev_end = c_start
        for v in cm:
            seg_pre, seg_end = self._segment(v, cm, max(prev_end, c_start), c_end)
            self._read_value(v, c_start, seg_pre, seg_end, assigned.get(id(v)))
            prev_end = v.end

    def _distribute(self, c_start: int, c_end: int, cm: list[ValueMention]) -> dict[int, list[str]]:
        """Lists sharing one verb ("A和B分别增长8.0%、7.0%", "A、B均下降20%", "A、B各8000亩"):
        {id(value): its indicators} for the values after 分别/均/各."""
        clause_masked = self.masked[c_start:c_end]
        dist = rules.DISTRIBUTIVE.search(clause_masked)
        if dist is None:
            return {}
        after = [v for v in cm if v.start >= c_start + dist.start()]
        if not after:
            return {}
        subject = self.text[c_start : c_start + dist.start()]
        shared = prefix_comparator(self.text[c_start + dist.end() : after[0].start])
        if shared:
            self.shared_comparators.update((id(v), shared) for v in after)
        items = split_items(subject, clause_masked[: dist.start()])
        if not items or (
            len(items) == 1
            and len(after) > 1
            and clean_indicator(subject) in ("",) + rules.REFERRING_NOUNS
        ):
            items = self._earlier_items(len(after))  # "，分别增长…": the items named before
        if len(items) == 1 and len(after) >= 2 and len(after) % 2 == 0:
            items = expand_urban_rural(items[0], 2) or items
        self._years_in_turn(after, items)
        return self._assign(after, items)

    def _years_in_turn(self, after: list[ValueMention], items: list[str]) -> None:
        """ "2021—2023年，A年均分别增长8.6%、3.9%和6.6%": one subject and one value per year of the
        span in force: each value is its year's (methods.md §1)."""
        span = self.carry
        if len(items) != 1 or span is None or span.kind != "outcome" or "-" in span.start:
            return
        first, last = int(span.start[:4]), int(span.end[:4])
        if last > first and last - first + 1 == len(after):
            self.year_of.update((id(v), str(first + i)) for i, v in enumerate(after))

    def _earlier_items(self, n: int) -> list[str]:
        """The last list of ``n`` items, or the indicators of the last ``n`` rows ([] if too few)."""
        if len(self.last_items) == n:
            return self.last_items
        if len(self.rows) >= n:
            return [r.indicator for r in self.rows[-n:]]
        return []

    def _assign(self, after: list[ValueMention], items: list[str]) -> dict[int, list[str]]:
        """Pair values with items: one each, each item's values in turn, or one value for all."""
        assigned: dict[int, list[str]] = {}
        if len(items) == len(after):
            for v, it in zip(after, items, strict=True):
                assigned[id(v)] = [it]
        elif len(items) > 1 and len(after) % len(items) == 0 and self.from_to:
            # "城乡居民收入分别由a、b增加到c、d": each item's values in turn
            for i, v in enumerate(after):
                assigned[id(v)] = [items[i % len(items)]]
        elif len(after) == 1 and len(items) > 1:
            assigned[id(after[0])] = items  # "A、B各8000亩": one value for every item
        else:
            return assigned
        self.last_items = items
        return assigned

    def _segment(
        self, v: ValueMention, cm: list[ValueMention], seg_start: int, c_end: int
    ) -> tuple[str, int]:
        """The value's list segment ("A2家、B3家"): the text before it back to a 、 (not before
        ``seg_start``), and where the segment ends after it (at a 、 or the next value)."""
        for i in range(v.start - 1, seg_start - 1, -1):
            if self.masked[i] in "、":
                seg_start = i + 1
                break
        # a grade names its own clusters: the words after a count run on through it ("1个千亿级…")
        nxt = min(
            [w.start for w in cm if w.start > v.start and w.special != "grade_level"] + [c_end]
        )
        seg_end = nxt
        for i in range(v.end, nxt):
            if self.masked[i] in "、":
                seg_end = i
                break
        return self.text[seg_start : v.start], seg_end

    def _read_value(
        self, v: ValueMention, c_start: int, seg_pre: str, seg_end: int, assigned: list[str] | None
    ) -> None:
        """Rows for one value: measure, indicator(s), comparator, unit, kind and period."""
        clause_pre = self.text[c_start : v.start]
        measure, direction = decide_measure(v, seg_pre, clause_pre, self.text[v.end : seg_end])
        measure = self._breakdown_measure(v, measure)
        bracketed = self._bracketed_rate(v)
        if bracketed is not None:
            measure, direction = bracketed[:2]
        if measure == "count" and from_to_years(self.text, self.from_to, v) is not None:
            measure = "level"  # "高新技术企业由42家增加到135家": two stocks, not things added
        gap = self._benchmark_gap(v, seg_pre)
        if gap is not None:
            indicators, measure, direction = [gap[0]], rules.BENCHMARK_GAP_MEASURE, gap[1]
        elif v.special in ("grade_level", "structure_share"):
            indicators = list(
                v.items
            )  # one row per cluster graded; the sector of a structure term  # "新材料、新能源两大千亿级产业集群": one row per cluster
        elif assigned is not None:
            indicators = assigned
        else:
            indicators = [self._indicator(v, seg_pre, seg_end, measure)]
        if bracketed is not None and bracketed[2] and indicators[0]:
            indicators = [indicators[0].rstrip("（( ") + bracketed[2]]  # 集成电路 + 产量
        comparator = (
            v.comparator or prefix_comparator(seg_pre) or self.shared_comparators.get(id(v)) or "eq"
        )
        unit = self._unit(v, c_start)
        cue, carries = clause_cue(self.doc, self.text, self.sent, c_start, v, self.carry)
        if carries:
            self.carry = cue
        kind, p_start, p_end = kind_period(
            self.doc, self.text, self.sent, v, measure, self.from_to, c_start, cue or self.carry
        )
        if id(v) in self.year_of:
            p_start = p_end = self.year_of[id(v)]
        for ind in indicators:
            self.rows.append(
                _Row(v, ind, measure, direction, kind, p_start, p_end, comparator, unit, self.sent)
            )
        if indicators and indicators[-1] and gap is None and v.special != "grade_level":
            self.last_indicator = indicators[-1]

    def _breakdown_measure(self, v: ValueMention, measure: str) -> str:
        """A part of a breakdown without a verb of its own is measured as its whole: "新引进项目38个，
        其中50亿元以上项目5个" (things added, as the 38)."""
        if measure != "level" or self.breakdown is None or not self.breakdown[1]:
            return measure
        wholes = [r for r in self.rows[: self.breakdown[1]] if r.unit == v.unit]
        if (
            wholes
            and wholes[-1].measure == "count"
            and not last_verb(self.text[v.start - 8 : v.start])
        ):
            return "count"
        return measure

    def _bracketed_rate(self, v: ValueMention) -> tuple[str, str, str] | None:
        """ "集成电路（35.2%）、新能源汽车（28.7%）等产品产量快速增长": a rate in brackets after a
        name, governed by the list's verb -> (measure, direction, head noun), else None."""
        if v.unit != "%" or v.start == 0 or self.text[v.start - 1] not in "（(":
            return None
        m = rules.BRACKETED_RATE_VERB.match(self.text, v.end, self.sent.end)
        if m is None:
            return None
        if m.group("verb") == "增长":
            return "growth", "increase", m.group("head") or ""
        return "change", "decrease", m.group("head") or ""

    def _indicator(self, v: ValueMention, seg_pre: str, seg_end: int, measure: str) -> str:
        """The indicator a value is about: the words before it (and a noun right after it), or the
        sentence's last indicator when they name none."""
        ind_pre, post_at = seg_pre, v.end
        if v.special == "rank":
            # "增速居全省山区26县第4位": what follows 居 is the field ranked in
            cut = list(rules.RANK_VERB.finditer(seg_pre))
            ind_pre = seg_pre[: cut[-1].start()] if cut else seg_pre
        standing = rules.STANDING_REQUIREMENT.search(seg_pre)
        if standing:  # "智造新城滚动保持不少于5000亩的工业熟地" -> 智造新城工业熟地
            ind_pre = seg_pre[: standing.start()]
            post_at += self.text.startswith("的", v.end)
        ind = clean_indicator(ind_pre)
        post = noun_after(self.text, post_at, seg_end)
        if post and v.special is None:
            selection = "" if ind else selected_into(self.text, v.end, seg_end)
            ind = clean_indicator(ind + post) if ind else clean_indicator(selection or post)
        if v.special == "class_grade" and ind:
            ind += rules.CLASS_INDICATOR_SUFFIX  # "市域出境水水质" + 类别
        if ind in rules.TOTAL_NOUNS and self.last_indicator:
            stock = rules.FLOW_WORDS.sub("", self.last_indicator)
            if stock != self.last_indicator:  # "新增…206家，总数达1460家": the stock, not the flow
                return stock + ind
        if (
            not ind
            or rules.NO_INDICATOR.fullmatch(ind)
            or (ind in rules.REFERRING_NOUNS and self.last_indicator)
        ):
            return self._inherited(v, measure, bare=not seg_pre.strip())
        return self._qualified(v, ind)

    def _inherited(self, v: ValueMention, measure: str, bare: bool) -> str:
        """The indicator of a value without a subject of its own: the sentence's last one, except a
        bare value after named parts of a breakdown ("其中…常山19.38万千瓦,19.69万千瓦"): an unnamed
        part of the whole, never the previous part."""
        if bare and self.breakdown is not None and len(self.rows) > self.breakdown[1]:
            whole, last = self.breakdown[0], self.rows[-1]
            named = last.indicator not in ("", whole)
            if named and whole and last.unit == v.unit and last.measure == measure:
                return rules.UNNAMED_PART.format(whole)
        return self.last_indicator

    def _qualified(self, v: ValueMention, ind: str) -> str:
        """An indicator completed by the previous statement of the same list: the subject of a
        doubling pair ("工业总量翻番、效益倍增"), the area of a people indicator ("市区…，居民…")."""
        if len(self.rows) <= self.statement_at:
            return ind
        last = self.rows[-1]
        if v.special == "doubling" and last.mention.special == "doubling":
            return pair_member(ind, last.indicator)
        return area_qualified(ind, last.indicator)

    def _benchmark_gap(self, v: ValueMention, seg_pre: str) -> tuple[str, str] | None:
        """ "增长6.4%、高于全省平均水平0.5个百分点": a gap to a benchmark -> (indicator naming the
        benchmark, direction), or None for any other value."""
        gap = rules.BENCHMARK_GAP.search(seg_pre.rstrip())
        if v.unit != "百分点" or gap is None or not self.rows:
            return None
        last = self.rows[-1]
        rate = ""
        if last.measure == "growth":
            written = self.text[max(0, last.mention.start - 6) : last.mention.start]
            rate = "年均增速" if "年均" in written else "增速"
        direction = rules.BENCHMARK_GAP_DIRECTIONS[gap.group("rel")]
        return f"{last.indicator}{rate}{gap.group(0)}", direction

    def _unit(self, v: ValueMention, c_start: int) -> str:
        """The value's unit; "零突破" takes the count unit of the clause's earlier figure, if any."""
        if v.special != "zero_breakthrough":
            return v.unit
        prev_units = [r.unit for r in self.rows if r.mention.start >= c_start]
        return prev_units[-1] if prev_units and prev_units[-1] in rules.COUNT_UNITS else ""


def _statement_id(
    doc_id: str, kind: str, measure: str, indicator: str, value: float, unit: str, context: str
) -> str:
    """``{doc_id}:{12 hex digits}``: offsets are not hashed, so an edit elsewhere keeps the id."""
    key = "|".join((kind, measure, indicator, repr(float(value)), unit, context))
    return f"{doc_id}:{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def _to_records(doc: Document, rows: list[_Row], registry: IndicatorRegistry) -> list[dict]:
    """Rows as records: original offsets, quote and evidence, indicator id, statement id (two
    identical statements with identical surroundings get a ``~2`` suffix in document order)."""
    text = doc.normalized.text
    out: list[dict] = []
    seen: dict[str, int] = {}
    for r in rows:
        v = r.mention
        o_start, o_end = doc.normalized.to_original(v.start, v.end)
        q_start, q_end = doc.normalized.to_original(r.sentence.start, r.sentence.end)
        # the 8 characters either side of the number: what tells identical figures apart
        context = text[max(0, v.num_start - 8) : v.num_start] + "|" + text[v.num_start : v.end + 8]
        sid = _statement_id(doc.doc_id, r.kind, r.measure, r.indicator, v.value, r.unit, context)
        n = seen.get(sid, 0) + 1
        seen[sid] = n
        if n > 1:
            sid = f"{sid}~{n}"
        out.append(
            {
                "statement_id": sid,
                "doc_id": doc.doc_id,
                "kind": r.kind,
                "indicator_id": registry.match(r.indicator, doc.city),
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
                "quote": _BARE_CR.sub("\n", doc.text[q_start:q_end]).strip(),
                "evidence": doc.text[o_start:o_end],
                "section": r.sentence.section,
                "source": "extractor",
            }
        )
    return out
