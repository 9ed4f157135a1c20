"""Re-key review decisions after an extractor change altered statement_ids.

A statement_id hashes the extractor's reading (kind, measure, indicator phrase, value, unit and the
text around the number), so improving a rule can change the id of a statement a researcher already
reviewed; the decision then becomes an orphan. This script maps each orphan to the statement now
extracted from the same characters (same doc_id, char_start, char_end, value and rank among rows of
that span), rewrites its statement_id, and drops the field corrections that the extractor now gets
right by itself (a ``correct`` with nothing left becomes ``confirm``).

Usage (before changing the rules, save the raw extraction; after, re-key)::

    .venv/bin/python -m qzanalysis.cli extract --no-review --out /tmp/old_statements.csv
    # ... change the rules ...
    .venv/bin/python benchmarks/rekey_review.py /tmp/old_statements.csv > /tmp/review_rekeyed.csv

Read the printed summary (stderr), then replace data/curated/review.csv with the output. It never
writes the review file itself. Orphans it cannot place are kept unchanged and listed.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qzanalysis import paths  # noqa: E402
from qzanalysis.corpus import load_corpus  # noqa: E402
from qzanalysis.extract import extract_statements  # noqa: E402
from qzanalysis.review import BLANK, FIELDS  # noqa: E402

SPAN_KEY = ["doc_id", "char_start", "char_end", "value"]


def _keyed(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["value"] = df["value"].astype("float64").round(9)
    df["rank_in_span"] = df.groupby(SPAN_KEY).cumcount()
    return df


def _as_text(x) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and pd.isna(x)):
        return ""
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else repr(x)
    return str(x)


def _same(field: str, wanted: str, have) -> bool:
    have_s = _as_text(have)
    if wanted == BLANK:
        return have_s == ""
    if field in ("value", "value_high"):
        try:
            return have_s != "" and abs(float(wanted) - float(have_s)) < 1e-9
        except ValueError:
            return False
    return wanted == have_s


def rekey(review_text: str, old: pd.DataFrame, new: pd.DataFrame) -> tuple[str, list[str]]:
    """Return the re-keyed review file text and a list of messages (one per change)."""
    old_k = _keyed(old).set_index("statement_id")
    new_k = _keyed(new)
    by_span = new_k.set_index(SPAN_KEY + ["rank_in_span"])
    new_ids = set(new["statement_id"])
    out_lines, messages = [], []
    lines = review_text.splitlines(keepends=True)
    header = None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            out_lines.append(line)
            continue
        row = next(csv.reader([line]))
        if header is None:
            header = row
            out_lines.append(line)
            continue
        rec = dict(zip(header, row))
        sid = rec.get("statement_id", "")
        if rec.get("action") == "add" or not sid or sid in new_ids:
            out_lines.append(line)
            continue
        if sid not in old_k.index:
            messages.append(f"line {lineno}: {sid} is unknown to the old extraction too; kept as is")
            out_lines.append(line)
            continue
        o = old_k.loc[sid]
        key = (o["doc_id"], o["char_start"], o["char_end"], o["value"], o["rank_in_span"])
        if key not in by_span.index:
            messages.append(f"line {lineno}: {sid} ({o['evidence']}) has no statement on the same span now; kept")
            out_lines.append(line)
            continue
        n = by_span.loc[key]
        rec["statement_id"] = n["statement_id"]
        if rec.get("action") == "correct":
            for f in FIELDS:
                if rec.get(f) and _same(f, rec[f], n[f]):
                    rec[f] = ""
            if not any(rec.get(f) for f in FIELDS):
                rec["action"] = "confirm"
        messages.append(f"line {lineno}: {sid} -> {n['statement_id']} ({rec['action']})")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([rec.get(c, "") for c in header])
        out_lines.append(buf.getvalue())
    return "".join(out_lines), messages


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    old_file = Path(argv[0])
    old = pd.read_pickle(old_file) if old_file.suffix == ".pkl" else pd.read_csv(old_file, dtype={"statement_id": str})
    new = extract_statements(load_corpus())
    text, messages = rekey(paths.REVIEW_FILE.read_text(encoding="utf-8"), old, new)
    for m in messages:
        print(m, file=sys.stderr)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
