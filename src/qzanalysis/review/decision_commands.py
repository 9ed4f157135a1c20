"""The commands that look at and record review decisions: ``qzanalysis review list | show |
status`` (read) and ``confirm | reject | correct | add`` (write the review file through
:class:`~qzanalysis.review.store.ReviewStore`). Their options are declared in
:mod:`qzanalysis.review.commands`.

The statements are the extractor's rows (``extract_statements``) as the review file leaves them,
the added ones, and the rejected ones (marked ``reject``). A write command records the
statement's span with the decision and prints what it wrote (action, statement_id, line). A bad
argument is one message and exit status 2 (:class:`_Usage`); a broken input file is left to
:mod:`qzanalysis.cli_errors` (exit status 1).
"""

from __future__ import annotations

import argparse
import functools
import sys
import warnings

import pandas as pd

from .. import schema
from ..corpus import load_corpus
from .decisions import BLANK, FIELDS, ReviewError
from .rekey import reads_as

_STOPS = "。！？!?\n"


class _Usage(Exception):
    """A bad argument: printed as ``qzanalysis review <tool>: <message>``, exit status 2."""


def _usage_errors(func):
    """Run a ``cmd_<tool>``; a :class:`_Usage` becomes one message and exit status 2."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except _Usage as exc:
            print(f"qzanalysis review {args.review_command}: {exc}", file=sys.stderr)
            return 2

    return run


# -------------------------------------------------------------------------------- reading


def cmd_list(args: argparse.Namespace) -> int:
    from ..extract import extract_statements
    from ..tables import excel_safe
    from .store import ReviewStore

    corpus = load_corpus(args.corpus)
    unknown = sorted(set(args.doc or ()) - set(corpus.doc_ids))
    if unknown:
        raise _Usage(
            f"--doc {', '.join(unknown)}: not in {corpus.path}; documents: {', '.join(corpus.doc_ids)}"
        )
    store = ReviewStore(args.review)
    table = _statement_view(extract_statements(corpus), store, corpus)
    shown = table[_list_filter(table, args)]
    if args.csv:  # formula-like text cells get a leading ' as in every CSV the package writes
        cols = ["statement_id", "doc_id", *FIELDS, "char_start", "char_end", "evidence"]
        out = excel_safe(shown[[*cols, "decision", "decision_line"]])
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif not shown.empty:
        compact = pd.DataFrame(
            {
                "statement_id": shown["statement_id"],
                "doc": shown["doc_id"],
                "kind": shown["kind"],
                "indicator": [_indicator(r) for r in shown.to_dict("records")],
                "value": [_value(r) for r in shown.to_dict("records")],
                "period": [_period(r) for r in shown.to_dict("records")],
                "decision": shown["decision"].replace("", "-"),
                "line": shown["decision_line"].astype("string").fillna(""),
            }
        )
        with pd.option_context("display.width", 250, "display.max_colwidth", 40):
            print(compact.to_string(index=False))
    print(f"{len(shown)} of {len(table)} statements ({store.path})", file=sys.stderr)
    return 0


def _list_filter(table: pd.DataFrame, args: argparse.Namespace) -> pd.Series:
    keep = pd.Series(True, index=table.index)
    if args.doc:
        keep &= table["doc_id"].isin(args.doc)
    if args.kind:
        keep &= table["kind"] == args.kind
    ind = table["indicator_id"].fillna("")
    if args.indicator:
        text = table["indicator_text"].fillna("")
        keep &= (ind == args.indicator) | text.str.contains(args.indicator, regex=False)
    if args.unmapped:
        keep &= ind == ""
    if args.unreviewed:
        keep &= table["decision"] == ""
    return keep.fillna(False).astype(bool)


def cmd_show(args: argparse.Namespace) -> int:
    from ..extract import extract_statements
    from .store import ReviewStore

    corpus = load_corpus(args.corpus)
    store = ReviewStore(args.review)
    raw = extract_statements(corpus)
    table = _statement_view(raw, store, corpus)
    row = _one(table, args.statement_id, store, corpus)
    sid = row["statement_id"]
    print(f"statement {sid}  ({row['doc_id']}, characters {row['char_start']}-{row['char_end']})")
    before = raw[raw["statement_id"] == sid]
    extracted = before.iloc[0].to_dict() if len(before) else {}
    for f in FIELDS:
        now, was = _show_value(row[f]), _show_value(extracted.get(f, row[f]))
        print(f"  {f:<15}{now}" + (f"   (extracted: {was})" if was != now else ""))
    decision = _decision_for(store, row)
    if decision is None:
        print("decision         none (qzanalysis review confirm | reject | correct ID)")
    else:
        changes = ", ".join(f"{f}={decision[f]}" for f in FIELDS if decision[f])
        note = f"; note: {decision['note']}" if decision["note"] else ""
        print(
            f"decision         {decision['action']} (line {decision['line']}){': ' if changes else ''}{changes}{note}"
        )
    doc = corpus[row["doc_id"]]
    print(f"sentence         {_marked(doc.text, int(row['char_start']), int(row['char_end']))}")
    return 0


def _one(table: pd.DataFrame, sid: str, store, corpus) -> dict:
    """The statement ``sid`` of ``table``, or a _Usage that says what ``sid`` is."""
    hit = table[table["statement_id"] == sid]
    if len(hit):
        return hit.iloc[0].to_dict()
    decision = store.get(sid)
    if decision is not None:
        raise _Usage(
            f"{sid} is not a statement of {corpus.path} now; {store.path} line "
            f"{decision['line']} has a {decision['action']} about it (an orphan, or a document "
            "outside this corpus): see qzanalysis review status"
        )
    near = [s for s in table["statement_id"] if sid in s][:5]
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise _Usage(
        f"no statement {sid} in {corpus.path}{hint}; list them with qzanalysis review list"
    )


def cmd_status(args: argparse.Namespace) -> int:
    from ..extract import extract_statements
    from .store import ReviewStore

    corpus = load_corpus(args.corpus)
    store = ReviewStore(args.review)
    table = _statement_view(extract_statements(corpus), store, corpus)
    decisions = store.decisions
    counts = decisions["action"].value_counts()
    listed = ", ".join(f"{int(counts.get(a, 0))} {a}" for a in schema.REVIEW_ACTIONS)
    print(f"review file {store.path}: {len(decisions)} decisions ({listed})")
    per_doc = (
        table.assign(reviewed=table["decision"] != "")
        .groupby("doc_id")["reviewed"]
        .agg(statements="size", reviewed="sum")
        .reindex(corpus.doc_ids, fill_value=0)
    )
    per_doc["unreviewed"] = per_doc["statements"] - per_doc["reviewed"]
    per_doc.loc["total"] = per_doc.sum()
    print(per_doc.astype(int).to_string())
    _print_leftovers(table.attrs, decisions, corpus)
    return 0


def _print_leftovers(attrs: dict, decisions: pd.DataFrame, corpus) -> None:
    from .survival import REKEY_HINT

    rekeyed = attrs.get("rekeyed", {})
    if rekeyed:
        print(
            f"\n{len(rekeyed)} decision(s) re-attached by their span to a new statement_id; the "
            "file keeps the old ids (qzanalysis review rekey OLD.csv --apply writes the new ones)"
        )
    orphans = attrs.get("orphans", [])
    print(f"\n{len(orphans)} orphaned decision(s) (their statement_id is no longer extracted)")
    for o in orphans:
        note = f"  {o['note']}" if o.get("note") else ""
        print(
            f"  line {o['line']}: {o['action']} {o['statement_id']} ({o.get('reason', '')}){note}"
        )
    if orphans:
        print(f"  re-check them: {REKEY_HINT}")
    doc = decisions["doc_id"].fillna("")
    docs = doc.where(doc != "", decisions["statement_id"].fillna("").str.split(":").str[0])
    outside = docs[~docs.isin(corpus.doc_ids)].value_counts()
    if len(outside):
        listed = ", ".join(f"{d} ({n})" for d, n in sorted(outside.items()))
        print(f"\n{int(outside.sum())} decision(s) about documents not in {corpus.path}: {listed}")


def _statement_view(raw: pd.DataFrame, store, corpus) -> pd.DataFrame:
    """The reviewed statements plus the rejected ones, in document order, with ``decision``
    (action, '' when none) and ``decision_line``; ``attrs`` keeps apply_review's orphans and
    re-attachments."""
    from .decisions import apply_review

    review = store.path if store.path.is_file() else store.decisions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # status reports the orphans
        reviewed = apply_review(raw, review, corpus=corpus)
    rekeyed = reviewed.attrs.get("rekeyed", {})
    rejects = store.decisions.loc[store.decisions["action"] == "reject", "statement_id"]
    rejected = {rekeyed.get(s, s) for s in rejects.astype(str)}
    dropped = raw[raw["statement_id"].isin(rejected)].assign(review_action="reject")
    table = pd.concat([reviewed, dropped], ignore_index=True)
    order = {d: i for i, d in enumerate(corpus.doc_ids)}
    table = table.assign(_doc=table["doc_id"].map(order)).sort_values(
        ["_doc", "char_start"], kind="stable"
    )
    table = table.drop(columns="_doc").reset_index(drop=True)
    table["decision"] = table["review_action"].fillna("").astype(str)
    old_of = {new: old for old, new in rekeyed.items()}
    lines = [store.get(old_of.get(s, s)) for s in table["statement_id"].astype(str)]
    table["decision_line"] = pd.array([d["line"] if d else None for d in lines], dtype="Int64")
    table.attrs = {k: reviewed.attrs.get(k) for k in ("orphans", "rekeyed")}
    return table


def _decision_for(store, row: dict) -> dict | None:
    line = row.get("decision_line")
    if line is None or pd.isna(line):
        return None
    from .store import _frame_records

    return next((r for r in _frame_records(store.decisions) if r["line"] == int(line)), None)


def _text(v) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _number(v) -> str:
    if v is None or pd.isna(v):
        return ""
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:g}"


def _show_value(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "-"
    if isinstance(v, float):
        return _number(v)
    return str(v) if str(v) != "" else "-"


def _indicator(r: dict) -> str:
    ind = r.get("indicator_id")
    if isinstance(ind, str) and ind:
        return ind
    text = r.get("indicator_text") if isinstance(r.get("indicator_text"), str) else ""
    return f"?{text[:16]}" if text else "?"


def _value(r: dict) -> str:
    symbol = schema.COMPARATOR_SYMBOLS.get(r.get("comparator") or "", "")
    value = _number(r.get("value"))
    high = _number(r.get("value_high"))
    unit = r.get("unit") if isinstance(r.get("unit"), str) else ""
    return f"{symbol}{value}{'–' + high if high else ''} {unit}".strip()


def _period(r: dict) -> str:
    start = r.get("period_start") if isinstance(r.get("period_start"), str) else ""
    end = r.get("period_end") if isinstance(r.get("period_end"), str) else ""
    if not (start or end):
        return "-"
    return start if start == end or not end else f"{start}–{end}"


def _marked(text: str, start: int, end: int, width: int = 120) -> str:
    """The sentence around text[start:end] (code points) with the span marked 【…】."""
    left = max(text.rfind(c, 0, start) for c in _STOPS) + 1
    rights = [i for i in (text.find(c, end) for c in _STOPS) if i != -1]
    right = min(rights) + 1 if rights else len(text)
    cut_left, cut_right = max(left, start - width), min(right, end + width)
    out = (
        ("…" if cut_left > left else "")
        + text[cut_left:start]
        + f"【{text[start:end]}】"
        + text[end:cut_right]
        + ("…" if cut_right < right else "")
    )
    return " ".join(out.split())


# -------------------------------------------------------------------------------- writing


def cmd_confirm(args: argparse.Namespace) -> int:
    return _decide_extracted(args, "confirm", {})


def cmd_reject(args: argparse.Namespace) -> int:
    return _decide_extracted(args, "reject", {})


def cmd_correct(args: argparse.Namespace) -> int:
    fields = {f: getattr(args, f) for f in FIELDS if getattr(args, f) is not None}
    for f in args.clear or ():
        if f in fields:
            raise _Usage(f"--clear {f} and --{f.replace('_', '-')} both given; choose one")
        fields[f] = BLANK
    if not fields:
        raise _Usage(
            "give the field(s) to correct, e.g. --unit 亿元 --value 3.5 (--clear FIELD empties "
            "one); if the statement is right, use qzanalysis review confirm ID"
        )
    return _decide_extracted(args, "correct", fields)


def _decide_extracted(args: argparse.Namespace, action: str, fields: dict) -> int:
    """confirm/reject/correct a statement the extractor produces, recording its span."""
    from ..extract import extract_statements
    from .store import ReviewStore

    corpus = load_corpus(args.corpus)
    store = ReviewStore(args.review)
    raw = extract_statements(corpus)
    sid = args.statement_id
    hit = raw[raw["statement_id"] == sid]
    if hit.empty:
        _not_extracted(sid, store, corpus, raw)
    row = hit.iloc[0].to_dict()
    if action == "correct":
        fields = _drop_unchanged(fields, row)
        _check_corrected_period(fields, row)
    return _write(
        store,
        action,
        sid,
        dict(
            doc_id=row["doc_id"], char_start=int(row["char_start"]), char_end=int(row["char_end"])
        ),
        fields,
        args.note,
    )


def _not_extracted(sid: str, store, corpus, raw: pd.DataFrame) -> None:
    decision = store.get(sid)
    if decision is not None and decision["action"] == "add":
        raise _Usage(
            f"{sid} is a statement added on {store.path} line {decision['line']}; to change it "
            f"run qzanalysis review add again with its span (--doc {decision['doc_id']} --start "
            f"{decision['char_start']} --end {decision['char_end']} --id {sid}) and the new fields"
        )
    _one(raw.assign(decision=""), sid, store, corpus)  # raises with what sid is


def _drop_unchanged(fields: dict, row: dict) -> dict:
    """The corrections that change something; say which were the extractor's reading already."""
    same = [f for f, v in fields.items() if _reads(f, v, row[f])]
    if same:
        listed = ", ".join(f"{f}={fields[f]}" for f in same)
        print(f"note: the extractor already reads {listed}; not written as a correction")
    left = {f: v for f, v in fields.items() if f not in same}
    if not left:
        raise _Usage(
            "nothing to correct: every field given is what the extractor reads; use qzanalysis "
            "review confirm ID if the statement is right"
        )
    return left


def _reads(field: str, wanted: str, have) -> bool:
    """True when the extractor's ``have`` is already ``wanted`` (a cell of the review file);
    the rule rekey uses to drop a correction the extractor now makes itself."""
    return reads_as(field, wanted, have)


def _check_corrected_period(fields: dict, row: dict) -> None:
    """The period the statement will have after the correction must not end before it starts."""
    from .decisions import _check_period_order

    start, end = (
        "" if fields.get(f) == BLANK else str(fields.get(f) or _text(row[f]))
        for f in ("period_start", "period_end")
    )
    try:
        _check_period_order(start, end, "--period-start/--period-end", row["statement_id"])
    except ReviewError as exc:
        raise _Usage(str(exc)) from None


def _write(store, action: str, sid: str | None, span: dict, fields: dict, note: str) -> int:
    """Record one decision, save, and say what was written (and what it replaced)."""
    from .store import _effective_id, _frame_records

    prior = {_effective_id(r): r for r in _frame_records(store.decisions)}
    try:
        written = store.decide(action, sid, **span, fields=fields, note=note)
    except ReviewError as exc:
        raise _Usage(str(exc)) from None
    sid = written["statement_id"]
    if not store.changed:
        print(f"unchanged: {store.path} line {written['line']} already has this {action} of {sid}")
        return 0
    store.save()
    print(f"{action} {sid} written to {store.path}, line {written['line']}")
    if sid in prior:
        print(f"  (replaced the earlier decision on that line: {_summary(prior[sid])})")
    return 0


def _summary(decision: dict) -> str:
    changes = [f"{f}={decision[f]}" for f in FIELDS if decision.get(f)]
    note = [f"note={decision['note']}"] if decision.get("note") else []
    return " ".join([decision["action"], *changes, *note])


def cmd_add(args: argparse.Namespace) -> int:
    from ..extract import extract_statements
    from .decisions import _evidence
    from .store import ReviewStore

    corpus = load_corpus(args.corpus)
    store = ReviewStore(args.review)
    if args.doc not in corpus.doc_ids:
        raise _Usage(
            f"--doc {args.doc}: not in {corpus.path}; documents: {', '.join(corpus.doc_ids)}"
        )
    doc = corpus[args.doc]
    if args.start < 0 or args.end <= args.start:
        raise _Usage(
            f"--start {args.start} --end {args.end}: need 0 <= start < end <= {len(doc.text)} "
            f"(code points of {args.doc})"
        )
    try:
        evidence = _evidence(doc, args.start, args.end, f"--doc {args.doc}")
    except ReviewError as exc:
        raise _Usage(str(exc)) from None
    print(f"text[{args.start}:{args.end}] of {args.doc}: {evidence!r}")
    print(f"sentence: {_marked(doc.text, args.start, args.end)}")
    raw = extract_statements(corpus)
    same = raw[
        (raw["doc_id"] == args.doc)
        & (raw["char_start"] == args.start)
        & (raw["char_end"] == args.end)
    ]
    for r in same.to_dict("records"):
        print(
            f"note: the extractor has {r['statement_id']} on this span ({r['kind']} "
            f"{_indicator(r)} {_value(r)}); correct it instead if that is the same statement"
        )
    fields = {f: getattr(args, f) for f in FIELDS if getattr(args, f) is not None}
    span = {"doc_id": args.doc, "char_start": args.start, "char_end": args.end}
    return _write(store, "add", args.id, span, fields, args.note)
