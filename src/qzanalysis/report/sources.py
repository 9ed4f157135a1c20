"""Source pages: a document's text with every extracted statement highlighted and anchored.

A verdict in a report links to ``links.source_page(doc_id)#links.anchor_id(statement_id)``; this
module writes what that address lands on, so a reader goes from a number to the sentence it
rests on in one click. The page shell (``<html>``, navigation, footer, fonts) is built elsewhere
and wraps :func:`source_body`'s fragment; :data:`SOURCE_CSS` styles it.

What a page guarantees:

- **The text is the document's text.** Every code point of ``Document.text`` appears once, in
  order, inside ``<div class="qz-text">``; with the marks unwrapped and the notes left out the
  text is exactly the document (``\\r`` is written ``&#13;`` so a browser cannot fold it).
- **One element per statement.** Each statement of the document has exactly one element whose
  id is its anchor, and a highlight's text is exactly ``text[char_start:char_end]``.
- **Nested spans nest; crossing spans do not break the tree.** Statements are placed in text
  order (start, longer first, statement_id). One that lies inside an open highlight nests in it.
  One that *crosses* an open highlight (starts inside it, ends after it) cannot be an element of
  the same tree: its highlight goes into a short "overlapping statement" note after the line it
  ends on (the first line break after it that no highlight straddles), holding exactly its
  evidence, with the same id, ``data-start`` and ``data-end``.
- **A bad row does not break the page.** A statement whose offsets fall outside the text, whose
  evidence differs from the text slice, or whose id repeats is not highlighted; its row in the
  statement list says why (and carries the anchor, so a link to it still lands on the problem).
- **Nothing from the data becomes markup.** Text, title, issuer, indicators and ids are escaped
  with :func:`html.escape` (quotes too); a kind outside the schema becomes the class
  ``qz-other``; a source is linked only when :func:`links.web_url` accepts it.

Rendering walks the sorted boundaries once (linear in the text plus the statements), so a long
document with many statements costs no more than reading it.
"""

from __future__ import annotations

import bisect
import html
import math
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pandas as pd

from .. import links, schema

__all__ = [
    "CROSSING",
    "MARKED",
    "SKIPPED",
    "SOURCE_CSS",
    "Span",
    "anchors",
    "highlighted_text",
    "source_body",
    "statement_spans",
]

#: Where a statement's anchor element goes: a highlight in the text, a note after the line
#: (it crosses another highlight), or only the statement list (its offsets are unusable).
MARKED = "marked"
CROSSING = "crossing"
SKIPPED = "skipped"

KIND_LABELS = {"target": "目标 target", "outcome": "实际 outcome", "expected": "预计 expected"}
_INF = math.inf

SOURCE_CSS = """\
.qz-source{--qz-target:#dbeafe;--qz-target-edge:#1d4ed8;--qz-outcome:#dcfce7;\
--qz-outcome-edge:#15803d;--qz-expected:#fef3c7;--qz-expected-edge:#b45309;\
--qz-other:#ececec;--qz-other-edge:#555;overflow-wrap:anywhere;}
.qz-source-head h1{font-size:1.4rem;line-height:1.35;margin:0 0 .5rem;}
.qz-meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem .75rem;\
margin:0 0 1rem;font-size:.9rem;}
.qz-meta dt{font-weight:600;}
.qz-meta dd{margin:0;min-width:0;overflow-wrap:anywhere;}
.qz-hash{font-family:ui-monospace,monospace;font-size:.8rem;word-break:break-all;}
.qz-legend{font-size:.9rem;line-height:1.8;margin:.5rem 0 1rem;}
.qz-key{padding:0 .3em;margin-right:.4em;border-radius:2px;white-space:nowrap;\
background:var(--qz-bg);border-bottom:2px solid var(--qz-edge);}
.qz-target{--qz-bg:var(--qz-target);--qz-edge:var(--qz-target-edge);}
.qz-outcome{--qz-bg:var(--qz-outcome);--qz-edge:var(--qz-outcome-edge);}
.qz-expected{--qz-bg:var(--qz-expected);--qz-edge:var(--qz-expected-edge);}
.qz-other{--qz-bg:var(--qz-other);--qz-edge:var(--qz-other-edge);}
.qz-text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.9;font-size:1.05rem;\
margin:1rem 0;max-width:100%;}
mark.qz-st{color:inherit;background:var(--qz-bg);border-bottom:2px solid var(--qz-edge);\
border-radius:2px;padding:0 .05em;scroll-margin-top:max(4rem,30vh);scroll-margin-bottom:4rem;}
mark.qz-st mark.qz-st{border-bottom:4px double var(--qz-edge);}
mark.qz-st:target{outline:3px solid #c2410c;outline-offset:2px;\
box-shadow:0 0 0 7px rgba(194,65,12,.22);}
.qz-note{display:block;white-space:normal;margin:.2rem 0 .6rem 1.2rem;padding:.2rem .5rem;\
border-left:3px solid #888;background:#f5f5f5;font-size:.9rem;line-height:1.7;}
.qz-note mark.qz-st{white-space:pre-wrap;}
.qz-table-wrap{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch;}
.qz-statements{border-collapse:collapse;font-size:.9rem;}
.qz-statements caption{text-align:left;font-weight:600;padding:.3rem 0;}
.qz-statements th,.qz-statements td{border-bottom:1px solid #ddd;padding:.25rem .5rem;\
text-align:left;vertical-align:top;white-space:nowrap;}
.qz-statements td.qz-wrap{white-space:normal;min-width:8rem;}
.qz-statements tr:target{outline:3px solid #c2410c;scroll-margin-top:max(4rem,30vh);}
.qz-problem{color:#b91c1c;}
"""


@dataclass(frozen=True)
class Span:
    """One statement of a document and where its anchor element goes (:data:`MARKED`, ...)."""

    statement_id: str
    anchor: str | None
    start: int | None
    end: int | None
    placement: str
    reason: str = ""
    row: dict = field(default_factory=dict, compare=False, repr=False)


# --------------------------------------------------------------------------------------------
# Placing statements
# --------------------------------------------------------------------------------------------


def _present(value: object) -> bool:
    """False for None, NaN, pd.NA and blank strings (the missing values of a statements row)."""
    if value is None:
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):  # a list-like is present
        return True
    return str(value).strip() != ""


def _text(value: object) -> str:
    return str(value) if _present(value) else ""


def _offset(value: object) -> int | None:
    """A code-point offset, or None when ``value`` is missing or not a whole number."""
    if not _present(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _problem(row: dict, text: str, start: int | None, end: int | None) -> str:
    """Why a row cannot be highlighted ('' when it can); slices only the row's own span."""
    if start is None or end is None:
        return "no character offsets"
    if not 0 <= start <= end <= len(text):
        return f"offsets {start}–{end} fall outside the text ({len(text)} characters)"
    evidence = row.get("evidence")
    if not isinstance(evidence, str) or text[start:end] != evidence:
        return "its evidence is not the text at its offsets"
    return ""


def _doc_rows(doc, statements: pd.DataFrame) -> list[dict]:
    """The document's rows in text order: start, longer first (so an outer span opens first),
    then statement_id, which makes identical spans nest in a stable order."""
    if statements is None or statements.empty or "doc_id" not in statements:
        return []
    mine = statements["doc_id"].astype("string").eq(doc.doc_id).fillna(False).astype(bool)
    rows = statements[mine].to_dict("records")

    def key(row: dict) -> tuple:
        start, end = _offset(row.get("char_start")), _offset(row.get("char_end"))
        return (
            _INF if start is None else start,
            -_INF if end is None else -end,
            _text(row.get("statement_id")),
        )

    return sorted(rows, key=key)


def statement_spans(doc, statements: pd.DataFrame) -> list[Span]:
    """Every statement of ``doc`` (rows with its doc_id) in text order, with its placement.

    Placement walks the spans once with a stack of open highlights: the innermost open one has
    the smallest end, so a span nests in all of them when it ends by the innermost's end, and
    otherwise crosses it and becomes a note (the earlier statement keeps its highlight).
    """
    spans: list[Span] = []
    open_ends: list[int] = []
    seen: set[str] = set()
    for row in _doc_rows(doc, statements):
        sid = _text(row.get("statement_id"))
        start, end = _offset(row.get("char_start")), _offset(row.get("char_end"))
        reason = _problem(row, doc.text, start, end)
        if not sid:
            reason = "no statement_id"
        elif sid in seen:
            reason = "its statement_id repeats an earlier row"
        anchor = links.anchor_id(sid) if sid and sid not in seen else None
        seen.add(sid)
        if reason:
            spans.append(Span(sid, anchor, start, end, SKIPPED, reason, row))
            continue
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        if open_ends and end > open_ends[-1]:
            note = "crosses another highlight: shown after its line"
            spans.append(Span(sid, anchor, start, end, CROSSING, note, row))
            continue
        open_ends.append(end)
        spans.append(Span(sid, anchor, start, end, MARKED, "", row))
    return spans


def _free_breaks(text: str, marked: list[Span]) -> list[int]:
    """Line starts (just after a '\\n') that no highlight straddles, and the end of the text:
    the only places a note may go without landing inside a highlight's text."""
    merged: list[list[int]] = []
    for span in marked:  # already sorted by start
        if merged and span.start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span.end)
        else:
            merged.append([span.start, span.end])
    breaks, k = [], 0
    at = text.find("\n")
    while at != -1:
        q = at + 1
        while k < len(merged) and merged[k][1] <= q:
            k += 1
        if not (k < len(merged) and merged[k][0] < q < merged[k][1]):
            breaks.append(q)
        at = text.find("\n", q)
    if not breaks or breaks[-1] != len(text):
        breaks.append(len(text))
    return breaks


def _notes_at(text: str, spans: list[Span]) -> dict[int, list[Span]]:
    """Position -> the crossing statements whose notes go there, in text order."""
    marked = [s for s in spans if s.placement == MARKED]
    crossing = [s for s in spans if s.placement == CROSSING]
    if not crossing:
        return {}
    breaks = _free_breaks(text, marked)
    out: dict[int, list[Span]] = {}
    for span in crossing:
        out.setdefault(breaks[bisect.bisect_left(breaks, span.end)], []).append(span)
    return out


# --------------------------------------------------------------------------------------------
# Writing the text
# --------------------------------------------------------------------------------------------


def _e(value: object) -> str:
    """Data as HTML text or a quoted attribute value; missing values become ''."""
    return html.escape(_text(value), quote=True)


def _etext(text: str) -> str:
    """Document text as HTML; a carriage return as a reference, which a browser keeps."""
    return html.escape(text, quote=True).replace("\r", "&#13;")


def _number(value: object) -> str:
    """257.0 -> '257', 2125.2 -> '2125.2' (no exponent for large levels)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else format(number, ".15g")


def _value(row: dict) -> str:
    """'400亿元', '5.5–6%': the value (or range) and its unit."""
    value, high = row.get("value"), row.get("value_high")
    if not _present(value):
        return ""
    try:
        shown = _number(value)
        if _present(high) and float(high) != float(value):
            shown = f"{shown}–{_number(high)}"
    except (TypeError, ValueError):
        shown = _text(value)
    return shown + _text(row.get("unit"))


def _period(row: dict) -> str:
    """'2020', or '2021–2025' for a span of years."""
    start, end = _text(row.get("period_start")), _text(row.get("period_end"))
    if not start or not end or start == end:
        return start or end
    return f"{start}–{end}"


def _kind_class(row: dict) -> str:
    kind = _text(row.get("kind"))
    return kind if kind in schema.KINDS else "other"


def _title(row: dict) -> str:
    """'target · gdp · ≥7% · 2020': kind, indicator, value (with its comparator), period."""
    comparator = _text(row.get("comparator"))
    symbol = "" if comparator in ("eq", "range") else schema.COMPARATOR_SYMBOLS.get(comparator, "")
    value = _value(row)
    indicator = _text(row.get("indicator_id")) or _text(row.get("indicator_text"))
    parts = [_text(row.get("kind")), indicator, symbol + value if value else "", _period(row)]
    return " · ".join(p for p in parts if p)


def _mark_open(span: Span, extra: str = "") -> str:
    classes = f"qz-st qz-{_kind_class(span.row)}{extra}"
    return (
        f'<mark id="{_e(span.anchor)}" class="{classes}" data-start="{span.start}" '
        f'data-end="{span.end}" title="{_e(_title(span.row))}">'
    )


def _note(span: Span) -> str:
    """The anchor element of a crossing statement: exactly its evidence, marked as a note."""
    return (
        '<span class="qz-note" role="note">交叉的陈述 overlapping statement '
        f"(crosses a highlight above): {_mark_open(span, ' qz-crossing')}"
        f"{_etext(span.row['evidence'])}</mark></span>"
    )


def highlighted_text(doc, statements: pd.DataFrame) -> str:
    """``<div class="qz-text">``: the whole text, marks nested, crossing notes after their line."""
    return _render_text(doc.text, statement_spans(doc, statements))


def _render_text(text: str, spans: list[Span]) -> str:
    """One walk over the sorted boundaries: at each position the innermost highlights close,
    then notes are written, then highlights open (outer first); each stretch of text is sliced
    and escaped once."""
    marked = [s for s in spans if s.placement == MARKED]
    notes = _notes_at(text, spans)
    note_positions = sorted(notes)
    out, stack = ['<div class="qz-text">'], []
    cursor = i = j = 0
    while True:
        next_open = marked[i].start if i < len(marked) else _INF
        next_close = stack[-1] if stack else _INF
        next_note = note_positions[j] if j < len(note_positions) else _INF
        at = min(next_open, next_close, next_note)
        if at == _INF:
            break
        if at > cursor:
            out.append(_etext(text[cursor:at]))
            cursor = at
        if next_close == at:
            out.append("</mark>")
            stack.pop()
        elif next_note == at:
            out.extend(_note(s) for s in notes[at])
            j += 1
        else:
            out.append(_mark_open(marked[i]))
            stack.append(marked[i].end)
            i += 1
    out.append(_etext(text[cursor:]) + "</div>")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# The fragment: heading, legend, text, statement list
# --------------------------------------------------------------------------------------------


def _heading(doc) -> str:
    url = links.web_url(doc.source)
    if url:
        source = f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(url)}</a>'
    else:
        source = _e(doc.source) or "—"
    fields = [
        ("发布 published", _e(doc.published)),
        ("发布机关 issuer", _e(doc.issuer)),
        ("文件编号 doc_id", f"<code>{_e(doc.doc_id)}</code>"),
        ("类型 type", _e(doc.doc_type)),
        ("来源 source", source),
        ("SHA-256", f'<span class="qz-hash">{_e(doc.sha256)}</span>'),
    ]
    if _present(doc.notes):
        fields.append(("备注 notes", _e(doc.notes)))
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in fields)
    return (
        f'<header class="qz-source-head"><h1>{_e(doc.title)}</h1>'
        f'<dl class="qz-meta">{items}</dl></header>'
    )


def _legend(spans: list[Span]) -> str:
    counts = Counter(_kind_class(s.row) for s in spans)
    keys = "".join(
        f'<span class="qz-key qz-{kind}">{label} ({counts.get(kind, 0)})</span>'
        for kind, label in KIND_LABELS.items()
    )
    if counts.get("other"):
        keys += f'<span class="qz-key qz-other">其他 other ({counts["other"]})</span>'
    crossing = sum(s.placement == CROSSING for s in spans)
    skipped = sum(s.placement == SKIPPED for s in spans)
    extra = ""
    if crossing:
        extra += f" {crossing} overlapping statement(s) appear in notes after their line."
    if skipped:
        extra += (
            f' <span class="qz-problem">{skipped} statement(s) could not be highlighted.</span>'
        )
    return (
        f'<p class="qz-legend">{keys}<br>Each highlight is one extracted statement (hover for '
        f"its reading); nested highlights are statements inside statements.{extra}</p>"
    )


def _fragment(anchor: str | None, page: str) -> str:
    """'#st-…', percent-encoded as :func:`links.href` encodes fragments (one encoding rule)."""
    return "#" + links.href(page, page, anchor).partition("#")[2]


def _row_html(span: Span, page: str) -> str:
    row = span.row
    evidence = _e(row.get("evidence"))
    if span.placement == SKIPPED:
        row_id = f' id="{_e(span.anchor)}"' if span.anchor else ""
        first = f'<td class="qz-wrap">{evidence}</td>'
        note = f'<td class="qz-wrap qz-problem">not highlighted: {_e(span.reason)}</td>'
    else:
        row_id = ""
        first = (
            f'<td class="qz-wrap"><a href="{_e(_fragment(span.anchor, page))}" '
            f'title="{_e(span.statement_id)}">{evidence}</a></td>'
        )
        note = f'<td class="qz-wrap">{_e(span.reason)}</td>'
    kind = _kind_class(row)
    indicator = _e(row.get("indicator_text"))
    if _present(row.get("indicator_id")):
        indicator += f" <code>{_e(row.get('indicator_id'))}</code>"
    comparator = _text(row.get("comparator"))
    symbol = schema.COMPARATOR_SYMBOLS.get(comparator, "")
    cells = [
        first,
        f'<td><span class="qz-key qz-{kind}">{_e(row.get("kind")) or "—"}</span></td>',
        f'<td class="qz-wrap">{indicator}</td>',
        f"<td>{_e(_value(row))}</td>",
        f"<td>{_e(f'{symbol} {comparator}'.strip())}</td>",
        f"<td>{_e(_period(row))}</td>",
        f"<td>{_e(row.get('review_action')) or '—'}</td>",
        note,
    ]
    return f"<tr{row_id}>{''.join(cells)}</tr>"


def _table(spans: list[Span], page: str) -> str:
    if not spans:
        return '<p class="qz-legend">No statement was extracted from this document.</p>'
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in ("陈述 statement", "类型 kind", "指标 indicator", "数值 value", "比较 comparator",
                  "期间 period", "审核 review", "注 note")
    )  # fmt: skip
    body = "".join(_row_html(s, page) for s in spans)
    return (
        '<div class="qz-table-wrap"><table class="qz-statements">'
        f"<caption>本文的陈述 Statements in this document, in text order ({len(spans)})</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def source_body(doc, statements: pd.DataFrame, *, page: str | None = None) -> str:
    """The source page's fragment for ``doc``: heading, legend, highlighted text, statement list.

    ``statements`` may hold the whole corpus; only rows with ``doc_id == doc.doc_id`` are used.
    ``page`` is where the fragment is published (default ``links.source_page(doc.doc_id)``); the
    links inside are fragment-only, so they hold on whatever page embeds the fragment.
    """
    page = page or links.source_page(doc.doc_id)
    spans = statement_spans(doc, statements)
    return (
        f'<section class="qz-source" data-doc-id="{_e(doc.doc_id)}" data-page="{_e(page)}">'
        f"{_heading(doc)}{_legend(spans)}{_render_text(doc.text, spans)}"
        f"{_table(spans, page)}</section>"
    )


# --------------------------------------------------------------------------------------------
# Checking pages
# --------------------------------------------------------------------------------------------


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)


def anchors(page_html: str) -> set[str]:
    """The element ids in ``page_html`` (unescaped): what a link's ``#fragment`` can land on.

    For the tests that check every evidence link of a report resolves to an existing anchor.
    """
    parser = _IdCollector()
    parser.feed(page_html)
    parser.close()
    return parser.ids
