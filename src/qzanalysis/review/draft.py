"""Draft review decisions that bring annotated documents to a hand annotation ("gold").

``qzanalysis review draft`` (or :func:`draft_review` in a notebook) pairs every gold row with an
extracted row (:func:`qzanalysis.evaluate.match`) and writes one decision per pair:

- the matched extracted row is *confirmed*, or *corrected* field by field where it differs from
  the gold (including the indicator phrase);
- a gold row with no match is *added* with the span of its anchor (skipped when the anchor is
  not in the text);
- an extracted row of the annotated documents that no gold row matches is *rejected*.

The draft is for reading: keep what a careful human agrees with and merge it into
``data/curated/review.csv`` by hand. Nothing here writes the review file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pandas as pd

from .. import paths
from ..corpus import Corpus
from .decisions import BLANK, REVIEW_COLUMNS

#: Where the hand annotation of the shipped corpus lives (gold_*.csv, see its README.md).
DEFAULT_GOLD_DIR = paths.ROOT.parent / "shared" / "gold"
#: The fields a drafted decision compares with the gold.
COMPARED = (
    "kind",
    "indicator_text",
    "measure",
    "period_start",
    "period_end",
    "value",
    "value_high",
    "unit",
    "comparator",
)


def load_gold_for(corpus: Corpus, gold_dir: str | Path | None = None) -> pd.DataFrame:
    """The gold rows of ``gold_dir`` (every gold_*.csv), mapped to the corpus's doc_ids.

    Rows of files the corpus manifest does not list are left out.

    Raises:
        FileNotFoundError: when the folder holds no gold_*.csv file.
        ValueError: when the gold annotates no document of the corpus.
    """
    from ..evaluate import load_gold

    folder = Path(gold_dir) if gold_dir is not None else DEFAULT_GOLD_DIR
    files = sorted(folder.glob("gold_*.csv"))
    if not files:
        raise FileNotFoundError(f"{folder}: no gold_*.csv file (the hand annotation)")
    gold = load_gold(files=files, manifest_file=Path(corpus.path) / "manifest.csv")
    gold = gold[gold["doc_id"].isin(corpus.doc_ids)].reset_index(drop=True)
    if gold.empty:
        raise ValueError(f"{folder}: the gold annotates no document of {corpus.path}")
    return gold


def draft_review(
    corpus: Corpus,
    gold: pd.DataFrame,
    statements: pd.DataFrame | None = None,
    registry=None,
) -> pd.DataFrame:
    """Decisions that bring the extractor's rows of the annotated documents to ``gold``.

    Args:
        corpus: the corpus the gold annotates.
        gold: gold rows (:func:`load_gold_for` or :func:`qzanalysis.evaluate.load_gold`).
        statements: the raw extraction (default: ``extract_statements(corpus, registry)``).
        registry: indicator registry for the extraction (default: the YAML).

    Returns:
        One row per decision with the columns ``REVIEW_COLUMNS`` (all text, '' when empty), in
        gold order, then the rejections. ``attrs["skipped"]`` lists the anchors of gold rows
        that have no match and whose anchor is not in the text.
    """
    from ..evaluate import match

    if statements is None:
        from ..extract import extract_statements

        statements = extract_statements(corpus, registry)
    matched = match(gold, statements, corpus)
    rows: list[dict] = []
    skipped: list[str] = []
    for _, g in matched.iterrows():
        if g["row"] >= 0:
            rows.append(_confirm_or_correct(g, statements.loc[g["row"]]))
            continue
        added = _add(g, corpus[g["doc_id"]].text)
        if added is None:
            skipped.append(f"{g['doc_id']}: {g['anchor']}")
        else:
            rows.append(added)
    rows += _rejections(matched, statements)
    out = pd.DataFrame(
        [{c: str(r.get(c, "")) for c in REVIEW_COLUMNS} for r in rows], columns=list(REVIEW_COLUMNS)
    )
    out.attrs["skipped"] = skipped
    return out


def review_csv(decisions: pd.DataFrame) -> str:
    """The decisions as review-file text (header line, then one line per decision)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(REVIEW_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for rec in decisions.to_dict("records"):
        writer.writerow({c: rec.get(c, "") for c in REVIEW_COLUMNS})
    return buf.getvalue()


def draft_summary(decisions: pd.DataFrame) -> str:
    """'N decisions for D document(s): a confirm, b correct, ...' plus skipped anchors."""
    counts = Counter(decisions["action"])
    docs = sorted(
        {sid.split(":", 1)[0] for sid in decisions["statement_id"] if ":" in sid}
        | {d for d in decisions["doc_id"] if d}
    )
    parts = ", ".join(f"{counts.get(a, 0)} {a}" for a in ("confirm", "correct", "add", "reject"))
    lines = [
        f"{len(decisions)} decisions drafted for {len(docs)} document(s) "
        f"({', '.join(docs)}): {parts}"
    ]
    skipped = decisions.attrs.get("skipped", [])
    if skipped:
        lines.append(
            f"{len(skipped)} gold row(s) without a match whose anchor is not in the text "
            f"(not drafted): {'; '.join(skipped)}"
        )
    lines.append(
        "Read the draft, keep what you agree with, and merge it into "
        "data/curated/review.csv by hand."
    )
    return "\n".join(lines)


# -------------------------------------------------------------------------------- one decision


def _text(x) -> str:
    return "" if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA else str(x)


def _number(x) -> str:
    if _text(x) == "":
        return ""
    f = float(x)
    return str(int(f)) if f.is_integer() else repr(f)


def _fields(rec, indicator: str) -> dict[str, str]:
    """The compared fields of a gold or extracted row, written as a decision writes them."""
    return {
        "kind": _text(rec["kind"]),
        "indicator_text": _text(rec[indicator]),
        "measure": _text(rec["measure"]),
        "period_start": _text(rec["period_start"]) or BLANK,
        "period_end": _text(rec["period_end"]) or BLANK,
        "value": _number(rec["value"]),
        "value_high": _number(rec["value_high"]) or BLANK,
        "unit": _text(rec["unit"]) or BLANK,
        "comparator": _text(rec["comparator"]),
    }


def _note(g) -> str:
    return ("gold: " + (g["notes"] or "as annotated")).replace("\n", " ")


def _confirm_or_correct(g, r) -> dict:
    want, have = _fields(g, "indicator"), _fields(r, "indicator_text")
    diff = {k: v for k, v in want.items() if have[k] != v}
    row = {"statement_id": r["statement_id"], "note": _note(g)}
    if diff:
        row.update(action="correct", **diff)
    else:
        row["action"] = "confirm"
    return row


def _add(g, text: str) -> dict | None:
    i = text.find(g["anchor"])
    if i < 0:
        return None
    want = {k: ("" if v == BLANK else v) for k, v in _fields(g, "indicator").items()}
    return {
        "action": "add",
        "doc_id": g["doc_id"],
        "char_start": i,
        "char_end": i + len(g["anchor"]),
        "note": _note(g),
        **want,
    }


def _rejections(matched: pd.DataFrame, statements: pd.DataFrame) -> list[dict]:
    used = set(matched["row"])
    annotated = statements[statements["doc_id"].isin(set(matched["doc_id"]))]
    return [
        {
            "action": "reject",
            "statement_id": r["statement_id"],
            "note": f"not in the gold annotation: {r['evidence']} ({r['indicator_text']})",
        }
        for i, r in annotated.iterrows()
        if i not in used
    ]
