"""Document structure: headings, sections, sentences, and the context each sentence is read in.

A *context* is the kind (target/outcome/expected) and period that a heading or a time cue sets for
the text that follows (see the package docstring, step 1): a heading's context lasts until the next
top-level heading; a cue in a paragraph's first sentence lasts for the paragraph (a horizon cue such
as "今后五年" until the next top-level heading); a cue elsewhere lasts for its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..corpus import Document
from . import rules

_TIME_CUES = [(re.compile(p), k, f) for p, k, f in rules.TIME_CUES]


@dataclass
class Context:
    """The kind and period a heading or cue sets for the text it governs."""

    kind: str  # target | outcome | expected
    start: str
    end: str
    label: str = ""
    explicit: bool = False  # set by a time cue in the text ("今年以来"), not by a heading
    deadline: bool = False  # set by "到2027年": a horizon only when it opens a paragraph

    @property
    def span(self) -> bool:
        """True for a context of several years (a plan, "今后五年")."""
        return self.start[:4] != self.end[:4]


def mask_brackets(text: str) -> str:
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
    """A line that is a heading: "一、…", a Markdown "#…", or a short line without sentence ends."""
    s = line.strip()
    if not s or s.startswith(("——", "—", "-")):
        return False
    if rules.TOP_HEADING.match(s) or (s.startswith("#") and len(s) <= 50):
        return True
    return (
        len(s) <= 40
        and not re.search(r"[。;；!！?？]", s)
        and not s.endswith((":", "：", ",", "，"))
        and not rules.VALUE_IN_LINE.search(s)  # "规上工业增加值增长8.2%　增速居全省第2位"
    )


def plan_named_in(text: str) -> tuple[int, int] | None:
    """The years of the five-year plan named in ``text`` ("十四五" -> (2021, 2025)), or None."""
    for name, span in rules.FIVE_YEAR_PLANS.items():
        if name in text:
            return span
    return None


def plan_by_ordinal(title: str) -> tuple[int, int] | None:
    """The years of a plan named by ordinal ("第十五个五年规划" -> (2026, 2030)), or None."""
    m = rules.PLAN_ORDINAL.search(title)
    return rules.FIVE_YEAR_PLANS.get(m.group(1) + "五") if m else None


_TITLE_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def _title_year(doc: Document) -> int | None:
    """The one year a document's title names ("数说2024：…", "2027年…政府工作报告"), or None."""
    years = set(_TITLE_YEAR.findall(doc.title))
    return int(years.pop()) if len(years) == 1 else None


def speaking_time(doc: Document) -> tuple[int, int]:
    """(year, month) a document speaks from: its publication date, or January of the year its title
    names when that is later ("2027年…政府工作报告" circulated in November 2026 speaks for 2027:
    今年 is 2027, 过去一年 2026; methods.md §1)."""
    Y, M = doc.published_year, doc.published_month
    titled = _title_year(doc)
    return (titled, 1) if titled is not None and titled > Y else (Y, M)


def subject_year(doc: Document) -> int | None:
    """The past year a document reports on, when its title names one ("数说2024：…" published in
    May 2025 speaks of 2024), else None."""
    titled = _title_year(doc)
    return titled if titled is not None and titled < doc.published_year else None


def heading_context(heading: str, doc: Document, previous: Context) -> Context:
    """The context a heading sets: a review (HEADING_OUTCOME_WORDS) or a plan
    (HEADING_TARGET_WORDS) of the year or plan it names; else the previous context goes on."""
    Y, M = speaking_time(doc)
    years = [int(y) for y in re.findall(r"(20\d\d)年", heading)]
    fyp = plan_named_in(heading)
    is_outcome = any(w in heading for w in rules.HEADING_OUTCOME_WORDS)
    is_target = any(w in heading for w in rules.HEADING_TARGET_WORDS)
    if is_outcome:
        if years:
            return Context("outcome", str(years[0]), str(years[0]), heading)
        if fyp and fyp[1] <= Y:
            return Context("outcome", str(fyp[0]), str(fyp[1]), heading)
        if M >= 7 and not doc.doc_type.startswith("work_report"):
            # a progress report written late in the year: this year to date
            return Context("outcome", f"{Y}-01", f"{Y}-{M:02d}", heading)
        return Context("outcome", str(Y - 1), str(Y - 1), heading)
    if is_target:
        if years:
            return Context("target", str(years[0]), str(years[0]), heading)
        if fyp:
            return Context("target", str(fyp[0]), str(fyp[1]), heading)
        return Context("target", str(Y), str(Y), heading)
    return Context(previous.kind, previous.start, previous.end, heading)


def default_context(doc: Document) -> Context:
    """The context before the first heading: a plan's years for a plan, else the year reported on
    (the previous year for work reports, bulletins and anything published by March; the year a
    title names for a document published after it: "数说2024：…")."""
    Y, M = speaking_time(doc)
    if doc.doc_type.startswith("plan_") and doc.doc_type != "plan_evaluation":
        fyp = plan_named_in(doc.title) or plan_by_ordinal(doc.title)
        if fyp:
            return Context("target", str(fyp[0]), str(fyp[1]), "")
        return Context("target", str(Y + 1), str(Y + 5), "")
    reported = subject_year(doc)
    if reported is not None:
        return Context("outcome", str(reported), str(reported), "")
    if (
        doc.doc_type
        in ("work_report", "work_report_excerpt", "statistical_bulletin", "plan_evaluation")
        or M <= 3
    ):
        return Context("outcome", str(Y - 1), str(Y - 1), "")
    return Context("outcome", str(Y), str(Y), "")


def cue_context(text: str, doc: Document, base: Context) -> tuple[Context | None, bool]:
    """The context a sentence's time cues set (None if none); bool = a persistent horizon cue.

    Every TIME_CUES entry is tried; the earliest cue in the sentence wins (it frames what follows).
    """
    best: tuple[int, Context, bool] | None = None
    for rx, kind, fn in _TIME_CUES:
        m = rx.search(text)
        if not m:
            continue
        found = _time_cue(kind, fn, m, text, doc, base)
        if found is not None and (best is None or m.start() < best[0]):
            best = (m.start(), *found)
    if best is None:
        return None, False
    return best[1], best[2]


def _time_cue(
    kind: str, fn, m: re.Match, text: str, doc: Document, base: Context
) -> tuple[Context, bool] | None:
    """What one matched TIME_CUES entry means here: (context, persistent), or None to ignore it."""
    if kind == "plan":
        return _plan_cue(m, doc)
    if kind == "target" and fn is None:
        return _deadline_cue(m, text, doc, base)
    if kind == "target_this_year":
        return _this_year_cue(m, text, doc, base)
    if kind == "year_is":
        return _year_is_cue(m, doc)
    if kind == "that_year":
        if base.kind == "outcome" and not base.span and "-" not in base.start:
            return Context("outcome", base.start, base.end, explicit=True), False
        kind = "outcome"  # no year in focus: the year before the document's
    s, e = fn(*speaking_time(doc), m)
    return Context(
        "outcome" if kind == "outcome" else "target", s, e, explicit=True
    ), kind == "target"


def _year_is_cue(m: re.Match, doc: Document) -> tuple[Context, bool] | None:
    """ "2024年是…的一年。": a past year opening a sentence is the year what follows reports on,
    until the next top-level heading (a digest published the year after; methods.md §1)."""
    year = int(m.group(1))
    if year >= speaking_time(doc)[0]:
        return None  # "2025年是“十四五”收官之年" in a plan for 2025: the heading decides
    return Context("outcome", str(year), str(year), explicit=True), True


def _plan_cue(m: re.Match, doc: Document) -> tuple[Context, bool]:
    """ "“十四五”期间": the plan's years, a result once the plan has (mostly) ended, else a horizon."""
    Y, M = speaking_time(doc)
    span = rules.FIVE_YEAR_PLANS[m.group(1)]
    if span[1] < Y or (span[1] == Y and M >= 7):
        return Context("outcome", str(span[0]), str(span[1]), explicit=True), False
    return Context("target", str(span[0]), str(span[1])), True


def _deadline_cue(
    m: re.Match, text: str, doc: Document, base: Context
) -> tuple[Context, bool] | None:
    """ "到2026年" opening a sentence: a horizon (a past year sets nothing)."""
    if re.search(r"[,;:，；：]", text[: m.start()]):
        return None  # inside the sentence: it dates its own clause (see deadline_context)
    ctx = deadline_context(doc, base, int(m.group(1)))
    return None if ctx is None else (ctx, True)


def _this_year_cue(
    m: re.Match, text: str, doc: Document, base: Context
) -> tuple[Context, bool] | None:
    """ "今年": this year's target, except inside this year's results or inside a multi-year plan."""
    Y, M = speaking_time(doc)
    if base.kind == "outcome" and base.end[:4] == str(Y):
        if "-" in base.start:  # a progress report: "今年新开工…" = this year to date
            return Context("outcome", f"{Y}-01", f"{Y}-{M:02d}", explicit=True), False
        return None  # "今年" inside this year's results
    if base.kind == "target" and base.span and text[: m.start()].strip(' #“"') != "":
        return None  # "今年" inside a multi-year plan's text; one that opens it ("今年是…") wins
    return Context("target", str(Y), str(Y)), False


def deadline_context(doc: Document, base: Context, year: int) -> Context | None:
    """The target context "到{year}年" sets inside ``base`` (None for a past year)."""
    Y = speaking_time(doc)[0]
    if year < Y:
        return None
    start = (
        base.start
        if base.kind == "target" and base.span and str(Y) <= base.start[:4] <= str(year)
        else str(Y)
    )
    return Context("target", start, str(year), deadline=True)


@dataclass
class Sentence:
    """A sentence of the normalised text ([start, end)), the context it is read in, its section."""

    start: int
    end: int
    ctx: Context
    section: str


@dataclass
class _Section:
    """Where the reader is: the top-level context, a horizon cue still in force, the sub-heading."""

    top: Context
    horizon: Context | None = None
    sub_label: str = ""

    def enter(self, top: Context) -> None:
        """A new top-level heading: its context, no horizon, no sub-heading yet."""
        self.top, self.horizon, self.sub_label = top, None, ""

    @property
    def label(self) -> str:
        return " / ".join(x for x in (self.top.label, self.sub_label) if x)


def document_sentences(doc: Document) -> list[Sentence]:
    """Split the normalised text into sentences, each with its section context."""
    text = doc.normalized.text
    out: list[Sentence] = []
    section = _Section(default_context(doc))
    pos = 0
    for line in text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        if not line.strip():
            continue
        line, line_start = _cut_glued_heading(line, line_start, doc, section)
        stripped = line.strip()
        if _is_heading(stripped):
            _read_heading(stripped, doc, section)
            continue
        out.extend(_paragraph_sentences(text, line, line_start, doc, section))
    return out


def _has_heading_word(text: str) -> bool:
    return any(w in text for w in rules.HEADING_OUTCOME_WORDS + rules.HEADING_TARGET_WORDS)


def _cut_glued_heading(
    line: str, line_start: int, doc: Document, section: _Section
) -> tuple[str, int]:
    """A heading the PDF/web conversion glued to its first paragraph ("一、…1. …"): enter the
    heading's section and return the rest of the line (the line unchanged when nothing is glued)."""
    stripped = line.strip()
    if not (rules.TOP_HEADING.match(stripped) and len(stripped) > 60):
        return line, line_start
    glued = rules.GLUED_SUB_HEADING.search(stripped[4:])
    if not glued:
        return line, line_start
    cut = line.index(stripped) + 4 + glued.start()
    section.enter(heading_context(line[:cut].strip().lstrip("# "), doc, section.top))
    return line[cut:], line_start + cut


def _read_heading(heading: str, doc: Document, section: _Section) -> None:
    """A sub-heading labels the section; a top-level heading (or a cue in it) sets its context."""
    if rules.SUB_HEADING.match(heading) and not rules.TOP_HEADING.match(heading):
        section.sub_label = heading.lstrip("# ")
        return
    top = heading_context(heading.lstrip("# "), doc, section.top)
    cue, _ = cue_context(heading, doc, top)
    if cue is not None and not _has_heading_word(heading):
        top = Context(cue.kind, cue.start, cue.end, heading)
    section.enter(top)


def _paragraph_sentences(
    text: str, line: str, line_start: int, doc: Document, section: _Section
) -> list[Sentence]:
    """The sentences of one paragraph, each with the context it is read in."""
    base = section.horizon or section.top
    para_ctx: Context | None = None  # what the paragraph's first sentence (or a part-year cue) set
    out: list[Sentence] = []
    for i, (s_start, s_end) in enumerate(_split_sentences(line, line_start)):
        sent = text[s_start:s_end]
        # later sentences read their cues in what the paragraph set ("2024年是…。这一年，…")
        cue, persistent = cue_context(sent, doc, base if para_ctx is None else para_ctx)
        if i == 0:
            para_ctx = _opening_context(sent, cue, persistent, doc, base, section)
            ctx = base if para_ctx is None else para_ctx
        elif cue is None:
            ctx = base if para_ctx is None else para_ctx
        elif _names_the_same_span(cue, para_ctx):
            ctx = para_ctx  # "“十四五”时期成就…。五年来，…": the five years the paragraph named
        else:
            ctx = cue
            if persistent and (cue.kind == "target" and not cue.deadline or cue.kind == "outcome"):
                section.horizon = (
                    cue  # "今后五年" frames what follows; a later "到2027年" only its sentence
                )
            if cue.kind == "outcome" and cue.explicit and cue.start != cue.end:
                para_ctx = cue  # "1—9月，…。…": a part-year holds for the rest of the paragraph
        out.append(Sentence(s_start, s_end, ctx, section.label))
    return out


def _names_the_same_span(cue: Context, para_ctx: Context | None) -> bool:
    """A vague span cue ("五年来") inside a paragraph that opened by naming a span of results."""
    return (
        para_ctx is not None
        and para_ctx.span
        and cue.span
        and cue.kind == para_ctx.kind == "outcome"
        and not cue.label
    )


def _opening_context(
    sent: str,
    cue: Context | None,
    persistent: bool,
    doc: Document,
    base: Context,
    section: _Section,
) -> Context | None:
    """The context a paragraph's first sentence sets for the paragraph (None: the section's).

    A run-in heading ("（一）2020年主要目标…") is read like a heading; a time cue holds for the
    paragraph, and a persistent one ("今后五年", "到2026年") for what follows it too.
    """
    head = rules.SUB_HEADING.sub("", sent)
    if rules.SUB_HEADING.match(sent) and len(head) <= 40 and _has_heading_word(head):
        hc = heading_context(head, doc, base)
        if cue is not None and cue.kind == hc.kind:
            hc = Context(cue.kind, cue.start, cue.end, head)
        return hc
    if cue is not None and persistent:
        section.horizon = cue
    return cue


def _split_sentences(line: str, offset: int) -> Iterable[tuple[int, int]]:
    start = 0
    for m in rules.SENTENCE_BREAK.finditer(line):
        yield offset + start, offset + m.end()
        start = m.end()
    if start < len(line):
        yield offset + start, offset + len(line)
