"""Decisions that survive re-extraction: re-attach an orphaned decision by the span it records.

A rule change can alter the statement_id of a statement a researcher already reviewed (the id
hashes the extractor's reading). A confirm/reject/correct decision that records its statement's
span (``doc_id``, ``char_start``, ``char_end``) still names the same characters of the same
document, so :func:`qzanalysis.review.apply_review` re-attaches it to the statement now extracted
there, and applies it, when all of these hold:

- exactly one statement of the new table has that doc_id, char_start and char_end (a span that
  holds several statements, e.g. "10%以上" shared by six investment targets, is ambiguous);
- the corpus text at the span is the statement's evidence (the same characters; without a
  corpus this cannot be checked, and nothing is re-attached);
- the decision's ``value`` column, where it sets one, is the statement's value;
- no other decision claims that statement (one decision per statement).

Every other orphan stays an orphan, with the reason. Nothing here writes the review file: the
researcher persists the new ids with ``qzanalysis review rekey`` (or the review store).

What this cannot see: the review file records no text, so a document edited in place at
the very offsets of a decision (same doc_id) is trusted to be unchanged; the corpus manifest's
sha256 is what keeps a document immutable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .decisions import BLANK

#: The columns of a decision that record its statement's span.
SPAN = ("doc_id", "char_start", "char_end")
#: What to do about an orphan, for the messages.
REKEY_HINT = (
    "`qzanalysis review rekey OLD.csv` (OLD.csv: the statements extracted before the rule "
    "change, `qzanalysis extract --no-review --out OLD.csv`) proposes new ids"
)
NO_SPAN = "no span recorded"


@dataclass
class Reattached:
    """What :func:`reattach` made of the orphaned decisions."""

    #: (decision, index of its new statement in the table), in review-file order
    placed: list[tuple[dict, object]] = field(default_factory=list)
    #: the decisions left orphaned, each with a ``reason``
    orphans: list[dict] = field(default_factory=list)
    #: old statement_id -> new statement_id of every placed decision
    rekeyed: dict[str, str] = field(default_factory=dict)


def reattach(out: pd.DataFrame, missing: list[dict], taken: dict, corpus=None) -> Reattached:
    """Re-attach the decisions whose statement_id is not in ``out`` by the span they record.

    Args:
        out: the statements (coerced to the schema), indexed as the caller applies them.
        missing: the confirm/reject/correct decisions whose statement_id ``out`` lacks.
        taken: index of a row in ``out`` -> review line of the decision keyed by its id.
        corpus: the corpus of ``out``, to check the text at the span (None: nothing is placed).
    """
    by_span = _rows_by_span(out)
    docs = {d.doc_id: d for d in corpus} if corpus is not None else None
    claims: dict[object, list[dict]] = {}
    result = Reattached()
    for rec in missing:
        i, reason = _candidate(rec, out, by_span, docs)
        if reason:
            result.orphans.append({**rec, "reason": reason})
        else:
            claims.setdefault(i, []).append(rec)
    for i, recs in claims.items():
        clash = _clash(recs, taken.get(i), out.at[i, "statement_id"])
        if clash:
            result.orphans.extend({**rec, "reason": clash} for rec in recs)
        else:
            result.placed.append((recs[0], i))
    result.orphans.sort(key=lambda rec: rec["line"])
    result.placed.sort(key=lambda placed: placed[0]["line"])
    result.rekeyed = {
        rec["statement_id"]: str(out.at[i, "statement_id"]) for rec, i in result.placed
    }
    return result


def has_span(rec: dict) -> bool:
    """Whether a decision records its statement's span (validation makes it all or nothing)."""
    return all(rec.get(c) for c in SPAN)


def _rows_by_span(out: pd.DataFrame) -> dict[tuple[str, int, int], list]:
    by_span: dict[tuple[str, int, int], list] = {}
    cols = (out[c] for c in SPAN)
    for i, doc, start, end in zip(out.index, *cols, strict=True):
        if pd.isna(start) or pd.isna(end):
            continue
        by_span.setdefault((str(doc), int(start), int(end)), []).append(i)
    return by_span


def _candidate(rec: dict, out: pd.DataFrame, by_span: dict, docs: dict | None):
    """(index of the one statement the decision can go to, None) or (None, why not)."""
    if not has_span(rec):
        return None, NO_SPAN
    doc, start, end = rec["doc_id"], int(rec["char_start"]), int(rec["char_end"])
    where = f"{doc}[{start}:{end}]"
    rows = by_span.get((doc, start, end), [])
    if not rows:
        return None, f"no statement at {where} now"
    if len(rows) > 1:
        return None, f"{len(rows)} statements at {where} now"
    i = rows[0]
    reason = _text_differs(docs, doc, start, end, str(out.at[i, "evidence"]))
    if not reason:
        reason = _value_differs(rec.get("value") or "", out.at[i, "value"], where)
    return (None, reason) if reason else (i, "")


def _text_differs(docs: dict | None, doc_id: str, start: int, end: int, evidence: str) -> str:
    where = f"{doc_id}[{start}:{end}]"
    if docs is None:
        return f"no corpus to check the text at {where} (pass corpus=...)"
    doc = docs.get(doc_id)
    if doc is None:
        return f"{doc_id} is not in the corpus"
    if end > len(doc.text):
        return f"{where} is beyond the end of {doc_id} ({len(doc.text)} characters)"
    text = doc.text[start:end]
    if text != evidence:
        return f"the text at {where} is {text!r}, the statement there reads {evidence!r}"
    return ""


def _value_differs(wanted: str, have, where: str) -> str:
    """'' when the decision sets no value or the statement has it; else why they differ."""
    if not wanted:
        return ""
    missing = have is None or pd.isna(have)
    if wanted == BLANK:
        return "" if missing else f"value {BLANK} but the statement at {where} reads {have:g}"
    if not missing and math.isclose(float(wanted), float(have), rel_tol=1e-9, abs_tol=1e-9):
        return ""
    reads = "no value" if missing else f"{float(have):g}"
    return f"value {wanted} but the statement at {where} reads {reads}"


def _clash(recs: list[dict], line_by_id, new_id) -> str:
    """Why decisions that point at one statement cannot have it ('' when one may)."""
    if line_by_id is not None:
        return f"its statement there ({new_id}) already has a decision (line {line_by_id})"
    if len(recs) > 1:
        lines = ", ".join(str(rec["line"]) for rec in recs)
        return f"lines {lines} record the span of one statement ({new_id})"
    return ""
