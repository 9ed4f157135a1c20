"""Read, validate and apply review decisions (the format is described in :mod:`qzanalysis.review`).

:func:`load_review` reads a review file into one row per decision and stops at the first malformed
row with :class:`ReviewError` naming ``file:line``. :func:`apply_review` applies the decisions to
the extractor's table; :func:`get_orphans` lists the decisions it could not place.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import paths, schema
from ..periods import PERIOD_HINT, is_period, period_key
from ..schema import REVIEW_ACTIONS as ACTIONS
from ..schema import STATEMENT_COLUMNS

#: The statement fields a decision may set (one column each in the review file).
FIELDS = schema.STATEMENT_FIELDS  # the fields a decision may set
#: Columns of a review file, in the order the tools write them.
REVIEW_COLUMNS = ("action", "statement_id", "doc_id", "char_start", "char_end", *FIELDS, "note")
#: Written in a field column of a ``correct`` decision to clear the field.
BLANK = "<blank>"
# the coded fields a decision may set, with their vocabularies from the schema ('' = blank)
_ALLOWED = {f: {*schema.ALLOWED[f], ""} for f in ("kind", "measure", "direction", "comparator")}
_ADD_NEEDS = ("doc_id", "char_start", "char_end", "kind", "measure", "value")
_NUMERAL = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千万亿Ⅰ-Ⅻ]")


class ReviewError(ValueError):
    """A malformed review file or decision; the message names the file and line."""


def _fail(where: str, message: str) -> None:
    raise ReviewError(f"{where}: {message}")


# -------------------------------------------------------------------------------- reading


def load_review(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a review file; return one row per decision (plus a ``line`` column).

    Raises:
        ReviewError: on an unknown column or action, a missing key, a bad value, or two
            decisions for the same statement_id, naming ``file:line``.
    """
    file = Path(path) if path is not None else paths.REVIEW_FILE
    try:
        raw = file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ReviewError(
            f"{file}: no such review file; create it with the header {','.join(REVIEW_COLUMNS)}"
        ) from None
    except UnicodeDecodeError as exc:
        raise ReviewError(f"{file}: not UTF-8 (byte {exc.start}); save it as UTF-8 CSV") from None
    return _parse_review(raw, str(file))


def _parse_review(raw: str, name: str) -> pd.DataFrame:
    # keep physical line numbers: comment and blank lines become empty for the csv reader
    content = "\n".join(
        "" if (not ln.strip() or ln.lstrip().startswith("#")) else ln for ln in raw.splitlines()
    )
    reader = csv.reader(io.StringIO(content))
    header: list[str] | None = None
    records: list[dict] = []
    seen: dict[str, int] = {}
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        line = reader.line_num
        where = f"{name}:{line}"
        if header is None:
            header = _check_header([c.strip() for c in row], where)
            continue
        if len(row) != len(header):
            _fail(
                where,
                f"{len(row)} cells but the header has {len(header)}; quote cells that "
                "contain commas",
            )
        rec = {c: v.strip() for c, v in zip(header, row, strict=True)}
        records.append(_validate_row(rec, where, line, seen))
    if header is None:
        df = pd.DataFrame(columns=["line", *REVIEW_COLUMNS]).astype("string")
        df.attrs["source"] = name
        return df
    df = pd.DataFrame.from_records(records, columns=["line", *REVIEW_COLUMNS])
    df["line"] = df["line"].astype("Int64")
    for c in REVIEW_COLUMNS:
        df[c] = df[c].astype("string")
    df.attrs["source"] = name  # for the messages of apply_review, as file:line
    return df


def _check_header(header: list[str], where: str) -> list[str]:
    unknown = [c for c in header if c not in REVIEW_COLUMNS]
    if unknown:
        _fail(
            where,
            f"unknown column(s) {', '.join(unknown)}; allowed: {', '.join(REVIEW_COLUMNS)}",
        )
    if "action" not in header:
        _fail(where, "the header needs an 'action' column")
    return header


def _validate_row(rec: dict, where: str, line: int, seen: dict[str, int]) -> dict:
    action = rec.get("action", "").lower()
    if action not in ACTIONS:
        _fail(where, f"action {rec.get('action')!r}; use one of {', '.join(ACTIONS)}")
    _check_key(rec, action, where, line, seen)
    _check_values(rec, where)
    if action != "add":
        _check_span(rec, where)
    if action == "correct" and not any(rec.get(f, "") for f in FIELDS):
        _fail(
            where,
            f"correct {rec['statement_id']} changes no field; fill the column(s) to correct, "
            "or use confirm",
        )
    if action == "add":
        _check_add(rec, where)
    out = {c: rec.get(c, "") for c in REVIEW_COLUMNS}
    out["action"] = action
    out["line"] = line
    return out


def _check_key(rec: dict, action: str, where: str, line: int, seen: dict[str, int]) -> None:
    sid = rec.get("statement_id", "")
    if action != "add" and not sid:
        _fail(where, f"{action} needs a statement_id")
    if sid:
        if sid in seen:
            _fail(where, f"statement_id {sid} already has a decision on line {seen[sid]}; keep one")
        seen[sid] = line


def _check_values(rec: dict, where: str) -> None:
    sid = rec.get("statement_id", "") or "-"
    for f, allowed in _ALLOWED.items():
        v = rec.get(f, "")
        if v and v != BLANK and v not in allowed:
            choices = ", ".join(sorted(allowed - {""}))
            _fail(where, f"{f} {v!r} (statement_id {sid}); use one of {choices}")
    for f in ("value", "value_high"):
        v = rec.get(f, "")
        if v and v != BLANK:
            try:
                number = float(v)
            except ValueError:
                _fail(where, f"{f} {v!r} is not a number (statement_id {sid})")
            if not math.isfinite(number):
                _fail(
                    where, f"{f} {v!r} is not a finite number (statement_id {sid}); write the value"
                )
    for f in ("period_start", "period_end"):
        v = rec.get(f, "")
        if v and v != BLANK and not is_period(v):
            _fail(where, f"{f} {v!r}; {PERIOD_HINT} (statement_id {sid})")
    _check_period_order(rec.get("period_start", ""), rec.get("period_end", ""), where, sid)


def _check_period_order(start: str, end: str, where: str, sid: str) -> None:
    """Refuse a period that ends before it starts (both given and valid)."""
    if not (start and end and is_period(start) and is_period(end)):
        return
    if period_key(start, end=False) > period_key(end, end=True):
        _fail(
            where,
            f"period_start {start} is after period_end {end} (statement_id {sid}); swap them "
            "or correct one",
        )


def _check_add(rec: dict, where: str) -> None:
    for f in _ADD_NEEDS:
        if not rec.get(f, ""):
            _fail(where, f"add needs {f}")
    _check_offsets(rec, where)


def _check_span(rec: dict, where: str) -> None:
    """The span a confirm/reject/correct may record (all of doc_id, char_start, char_end or none).

    It lets :func:`apply_review` re-attach the decision when a rule change alters the
    statement_id (:mod:`qzanalysis.review.survival`).
    """
    span = ("doc_id", "char_start", "char_end")
    missing = [f for f in span if not rec.get(f, "")]
    if len(missing) == len(span):
        return
    sid = rec.get("statement_id", "")
    if missing:
        _fail(
            where,
            f"the span of {sid} lacks {', '.join(missing)}; fill doc_id, char_start and char_end "
            "of its statement, or leave all three empty",
        )
    _check_offsets(rec, where)
    prefix = sid.split(":", 1)[0] if ":" in sid else ""
    if prefix and prefix != rec["doc_id"]:
        _fail(
            where,
            f"doc_id {rec['doc_id']!r} but statement_id {sid} is about {prefix}; "
            "record the span of that statement",
        )


def _check_offsets(rec: dict, where: str) -> None:
    for f in ("char_start", "char_end"):
        if not re.fullmatch(r"\d+", rec[f]):
            _fail(where, f"{f} {rec[f]!r} is not a non-negative integer")
    if int(rec["char_end"]) <= int(rec["char_start"]):
        _fail(where, "char_end must be greater than char_start")


def _as_review(review: None | str | Path | pd.DataFrame) -> pd.DataFrame | None:
    if review is None:
        return load_review(paths.REVIEW_FILE) if paths.REVIEW_FILE.is_file() else None
    if isinstance(review, pd.DataFrame):
        df = review.copy().fillna("")
        if "line" not in df.columns:
            df.insert(0, "line", range(2, len(df) + 2))
        buf = io.StringIO()
        cols = [c for c in df.columns if c != "line"]
        df[cols].astype(str).to_csv(buf, index=False)
        return _parse_review(buf.getvalue(), "<review DataFrame>")
    return load_review(review)


# -------------------------------------------------------------------------------- applying


@dataclass
class _Sorted:
    """Decisions split by what happens to them."""

    edits: list[dict] = field(default_factory=list)  # confirm, reject, correct
    added: list[dict] = field(default_factory=list)
    out_of_scope: dict[str, int] = field(default_factory=dict)  # doc_id -> decisions


def apply_review(
    statements: pd.DataFrame,
    review: None | str | Path | pd.DataFrame = None,
    *,
    corpus=None,
    registry=None,
) -> pd.DataFrame:
    """Apply review decisions to ``statements``; return the reviewed table.

    Args:
        statements: the extractor's table (``extract_statements``).
        review: a review file path, a DataFrame with the review columns, or None for
            ``data/curated/review.csv`` (no review when that file does not exist).
        corpus: the corpus the statements come from. Needed when a decision adds a statement
            (its span is checked against the document text); without it, ``add`` decisions
            raise :class:`ReviewError`.
        registry: indicator registry for re-mapping corrected phrases (default: the YAML).

    Returns:
        The statements with rejected rows dropped, corrections applied, added rows appended,
        and a ``review_action`` column (confirm/correct/add, '' when no decision).
        A confirm/reject/correct whose statement_id was not found but that records its span is
        re-attached to the one statement now on that span, when the text there and the value
        agree (:mod:`~qzanalysis.review.survival`), and applied to it:
        ``result.attrs["rekeyed"]`` maps its old statement_id to the new one (the review file is
        not rewritten). ``result.attrs["orphans"]`` lists the decisions that could not be placed,
        each with its reason (as records; :func:`get_orphans` gives them as a table), and a
        warning names them. ``result.attrs["rejected"]`` counts the rows rejected. Decisions
        about documents that are not in the corpus are skipped and counted in
        ``result.attrs["out_of_scope"]``.
    """
    out = schema.coerce("statements", statements)
    out["review_action"] = pd.Series([""] * len(out), dtype="string", index=out.index)
    decisions = _as_review(review)
    if decisions is None or decisions.empty:
        out.attrs["orphans"] = []
        out.attrs["rekeyed"] = {}
        return out
    if registry is None:
        from ..indicators import load_registry

        registry = load_registry()
    _check_indicator_ids(decisions, registry)
    # A review file may cover documents this corpus does not have (the shipped file run over a
    # researcher's own corpus): those decisions are out of scope, not errors or orphans.
    in_corpus = set(corpus.doc_ids) if corpus is not None else set(out["doc_id"].astype(str))
    todo = _sort_decisions(decisions, in_corpus)
    if todo.added and corpus is None:
        _fail_without_corpus(todo.added)
    out, orphans, rejected, rekeyed = _apply_edits(out, todo.edits, registry, corpus)
    if todo.added:
        out = pd.concat([out, _added_rows(todo.added, corpus, registry)], ignore_index=True)
    out = schema.coerce("statements", out)
    out["review_action"] = out["review_action"].fillna("").astype("string")
    _warn_orphans(orphans)
    _record(out, orphans, rejected, todo.out_of_scope)
    out.attrs["rekeyed"] = rekeyed
    _warn_out_of_scope(todo.out_of_scope)
    return out


def get_orphans(reviewed: pd.DataFrame) -> pd.DataFrame:
    """The decisions :func:`apply_review` could not apply (line, statement_id, action, note,
    reason: why it was not re-attached by its span, e.g. "no span recorded")."""
    return pd.DataFrame(
        reviewed.attrs.get("orphans", []),
        columns=["line", "statement_id", "action", "note", "reason"],
    )


def _check_indicator_ids(decisions: pd.DataFrame, registry) -> None:
    """An indicator_id the registry does not know would silently match nothing: stop instead."""
    for rec in decisions.to_dict("records"):
        ind = rec.get("indicator_id") or ""
        where = _where(decisions, rec)
        if ind and ind != BLANK and ind not in registry:
            close = [i for i in registry.indicators if ind in i or i in ind][:5]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ReviewError(
                f"{where}: indicator_id {ind!r} (statement_id "
                f"{rec.get('statement_id') or '-'}) is not in {registry.source}{hint}; add it to "
                "the registry or correct the review row"
            )


def _where(decisions: pd.DataFrame, rec: dict) -> str:
    """'<file>, review line N': where a decision is, for apply_review's messages."""
    return f"{decisions.attrs.get('source', 'review')}, review line {rec['line']}"


def _sort_decisions(decisions: pd.DataFrame, in_corpus: set[str]) -> _Sorted:
    todo = _Sorted()
    for rec in decisions.to_dict("records"):
        rec["where"] = _where(decisions, rec)
        sid = rec["statement_id"] or ""
        doc = rec.get("doc_id") or (sid.split(":", 1)[0] if ":" in sid else "")
        if doc and doc not in in_corpus:
            todo.out_of_scope[doc] = todo.out_of_scope.get(doc, 0) + 1
        elif rec["action"] == "add":
            todo.added.append(rec)
        else:
            todo.edits.append(rec)
    return todo


def _record(out: pd.DataFrame, orphans: list[dict], rejected: int, out_of_scope: dict) -> None:
    """Note in ``out.attrs`` what could not be applied (see :func:`apply_review`)."""
    # attrs hold plain records (JSON-serialisable, safe through concat/merge/parquet);
    # get_orphans() turns them into a table
    out.attrs["orphans"] = [
        {k: (int(v) if k == "line" else str(v)) for k, v in o.items()} for o in orphans
    ]
    out.attrs["rejected"] = rejected
    out.attrs["out_of_scope"] = sum(out_of_scope.values())


def _fail_without_corpus(added: list[dict]) -> None:
    lines = ", ".join(str(rec["line"]) for rec in added[:10])
    more = f" and {len(added) - 10} more" if len(added) > 10 else ""
    raise ReviewError(
        f"review: {len(added)} add decision(s) (line(s) {lines}{more}) need the corpus to check "
        "the added spans against the document text; pass corpus=... "
        "(e.g. apply_review(statements, review, corpus=load_corpus(corpus_dir)))"
    )


def _apply_edits(
    out: pd.DataFrame, edits: list[dict], registry, corpus
) -> tuple[pd.DataFrame, list[dict], int, dict[str, str]]:
    """Confirm, correct and reject rows in place (a decision whose statement_id is gone is
    re-attached by its span when it can be); return (table, orphans, rows rejected, rekeyed)."""
    from .survival import reattach

    index = {sid: i for i, sid in zip(out.index, out["statement_id"].astype(str), strict=True)}
    found = [(rec, index[rec["statement_id"]]) for rec in edits if rec["statement_id"] in index]
    missing = [rec for rec in edits if rec["statement_id"] not in index]
    again = reattach(out, missing, {i: rec["line"] for rec, i in found}, corpus)
    drop: list = []
    for rec, i in [*found, *again.placed]:
        if rec["action"] == "reject":
            drop.append(i)
        elif rec["action"] == "confirm":
            out.at[i, "review_action"] = "confirm"
        else:
            _correct(out, i, rec, registry)
    orphans = [
        {
            "line": rec["line"],
            "statement_id": rec["statement_id"] or "",
            "action": rec["action"],
            "note": rec.get("note", ""),
            "reason": rec["reason"],
        }
        for rec in again.orphans
    ]
    return out.drop(index=drop), orphans, len(drop), again.rekeyed


def _correct(out: pd.DataFrame, i, rec: dict, registry) -> None:
    for f in FIELDS:
        v = rec.get(f) or ""
        if v:
            out.at[i, f] = _convert(f, v)
    if rec.get("indicator_text") and not rec.get("indicator_id"):
        out.at[i, "indicator_id"] = registry.match(str(out.at[i, "indicator_text"]))
    out.at[i, "review_action"] = "correct"
    if rec.get("period_start") or rec.get("period_end"):  # the corrected period must hold
        start, end = (
            "" if pd.isna(out.at[i, f]) else str(out.at[i, f])
            for f in ("period_start", "period_end")
        )
        where = rec.get("where", f"review line {rec['line']}")
        _check_period_order(start, end, where, rec["statement_id"])


def _convert(field: str, value: str):
    if value == BLANK:
        return pd.NA if field in ("value", "value_high", "indicator_id") else ""
    if field in ("value", "value_high"):
        return float(value)
    return value


def _warn_orphans(orphans: list[dict]) -> None:
    from .survival import NO_SPAN, REKEY_HINT

    if not orphans:
        return
    ids = ", ".join(
        f"{o['statement_id']} (line {o['line']}"
        + ("" if o["reason"] == NO_SPAN else f": not re-keyed by span, {o['reason']}")
        + ")"
        for o in orphans[:10]
    )
    more = f" and {len(orphans) - 10} more" if len(orphans) > 10 else ""
    no_span = sum(o["reason"] == NO_SPAN for o in orphans)
    why = (
        f" {no_span} of them record no span (doc_id, char_start, char_end) to re-key by;"
        if no_span
        else ""
    )
    warnings.warn(
        f"{len(orphans)} review decision(s) refer to statements the extractor no longer "
        f"produces: {ids}{more}. Re-check them and update the review file.{why} "
        f"{REKEY_HINT}.",
        stacklevel=3,
    )


def _warn_out_of_scope(out_of_scope: dict[str, int]) -> None:
    if not out_of_scope:
        return
    docs = ", ".join(f"{d} ({n})" for d, n in sorted(out_of_scope.items()))
    warnings.warn(
        f"{sum(out_of_scope.values())} review decision(s) concern documents that are not in "
        f"this corpus and were skipped: {docs}. Expected when running the shipped review file "
        "over another corpus; otherwise check the doc_id.",
        stacklevel=3,
    )


# -------------------------------------------------------------------------------- added rows


def _added_rows(added: list[dict], corpus, registry) -> pd.DataFrame:
    docs = {d.doc_id: d for d in corpus}
    rows = [_added_row(rec, docs, registry) for rec in added]
    return pd.DataFrame(rows, columns=[*STATEMENT_COLUMNS, "review_action"])


def _added_row(rec: dict, docs: dict, registry) -> dict:
    where = rec.get("where", f"review line {rec['line']}")
    doc = docs.get(rec["doc_id"])
    if doc is None:
        raise ReviewError(
            f"{where}: add refers to doc_id {rec['doc_id']!r}, not in the corpus "
            f"({', '.join(docs)})"
        )
    start, end = int(rec["char_start"]), int(rec["char_end"])
    evidence = _evidence(doc, start, end, where)
    row = {f: _convert(f, rec[f]) if rec.get(f) else pd.NA for f in FIELDS}
    if not rec.get("indicator_id") and rec.get("indicator_text"):
        row["indicator_id"] = registry.match(rec["indicator_text"])
    for f in ("direction", "unit", "indicator_text", "period_start", "period_end"):
        if row[f] is pd.NA:
            row[f] = ""
    if row["comparator"] is pd.NA:
        row["comparator"] = "eq"
    row.update(
        {
            "statement_id": rec["statement_id"] or _added_id(doc.doc_id, start, end, rec),
            "doc_id": doc.doc_id,
            "char_start": start,
            "char_end": end,
            "quote": _sentence_around(doc.text, start, end),
            "evidence": evidence,
            "section": "",
            "source": "review",
            "review_action": "add",
        }
    )
    return row


def _evidence(doc, start: int, end: int, where: str) -> str:
    """``doc.text[start:end]``, checked: inside the text and holding a number."""
    if end > len(doc.text):
        raise ReviewError(
            f"{where}: span {start}-{end} is beyond the end of {doc.doc_id} "
            f"({len(doc.text)} characters)"
        )
    evidence = doc.text[start:end]
    if not _NUMERAL.search(evidence):
        raise ReviewError(
            f"{where}: text[{start}:{end}] of {doc.doc_id} is {evidence!r}, which "
            "holds no number; fix char_start/char_end"
        )
    return evidence


def _added_id(doc_id: str, start: int, end: int, rec: dict) -> str:
    key = f"{start}-{end}|{rec['value']}|{rec.get('indicator_text', '')}"
    return f"{doc_id}:review-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in "。！？!?\n") + 1
    rights = [i for i in (text.find(c, end) for c in "。！？!?\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right].strip()
