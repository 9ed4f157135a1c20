"""Draft review decisions that bring the two annotated documents to the gold annotation.

Run: ``.venv/bin/python benchmarks/make_review.py > /tmp/review_draft.csv`` then read the draft,
keep what a careful human agrees with, and merge it into data/curated/review.csv. It never writes
the review file itself. For every gold row: the matched extracted row is confirmed, or corrected
field by field where it differs (including the indicator phrase); a gold row with no match is
added with the span of its anchor; an extracted row of those documents with no gold row is rejected.
"""

from __future__ import annotations

import csv
import sys

import pandas as pd

from qzanalysis.evaluate import load_gold, match
from qzanalysis import paths
from qzanalysis.corpus import load_corpus
from qzanalysis.extract import extract_statements
from qzanalysis.indicators import load_registry
from qzanalysis.review import BLANK, REVIEW_COLUMNS


def _s(x) -> str:
    return "" if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA else str(x)


def _num(x) -> str:
    if _s(x) == "":
        return ""
    f = float(x)
    return str(int(f)) if f.is_integer() else repr(f)


def main() -> int:
    corpus = load_corpus()
    registry = load_registry()
    raw = extract_statements(corpus, registry)
    gold = match(load_gold(paths.ROOT.parent / "shared" / "gold"), raw, corpus)
    w = csv.DictWriter(sys.stdout, fieldnames=list(REVIEW_COLUMNS), lineterminator="\n")
    w.writeheader()
    for _, g in gold.iterrows():
        want = {
            "kind": g["kind"], "indicator_text": g["indicator"], "measure": g["measure"],
            "period_start": g["period_start"] or BLANK, "period_end": g["period_end"] or BLANK,
            "value": _num(g["value"]), "value_high": _num(g["value_high"]) or BLANK,
            "unit": g["unit"] or BLANK, "comparator": g["comparator"],
        }
        note = ("gold: " + (g["notes"] or "as annotated")).replace("\n", " ")
        if g["row"] >= 0:
            r = raw.loc[g["row"]]
            have = {"kind": _s(r["kind"]), "indicator_text": _s(r["indicator_text"]),
                    "measure": _s(r["measure"]), "period_start": _s(r["period_start"]) or BLANK,
                    "period_end": _s(r["period_end"]) or BLANK, "value": _num(r["value"]),
                    "value_high": _num(r["value_high"]) or BLANK, "unit": _s(r["unit"]) or BLANK,
                    "comparator": _s(r["comparator"])}
            diff = {k: v for k, v in want.items() if have[k] != v}
            row = {"statement_id": r["statement_id"], "note": note}
            if diff:
                row.update(action="correct", **diff)
            else:
                row["action"] = "confirm"
            w.writerow(row)
        else:
            text = corpus[g["doc_id"]].text
            i = text.find(g["anchor"])
            if i < 0:
                continue
            row = {"action": "add", "doc_id": g["doc_id"], "char_start": i, "char_end": i + len(g["anchor"]),
                   "note": note, **{k: ("" if v == BLANK else v) for k, v in want.items()}}
            w.writerow(row)
    docs = set(gold["doc_id"])
    used = set(gold["row"])
    for i, r in raw[raw["doc_id"].isin(docs)].iterrows():
        if i not in used:
            w.writerow({"action": "reject", "statement_id": r["statement_id"],
                        "note": f"not in the gold annotation: {r['evidence']} ({r['indicator_text']})"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
