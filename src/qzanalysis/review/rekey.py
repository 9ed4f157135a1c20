"""Re-key review decisions after an extractor change altered statement_ids.

A statement_id hashes the extractor's reading (kind, measure, indicator phrase, value, unit and the
text around the number), so improving a rule can change the id of a statement a researcher already
reviewed; the decision then becomes an *orphan*. :func:`rekey_review` maps each orphan to the
statement now extracted from the same characters (same doc_id, char_start, char_end, value and
rank among the rows of that span), rewrites its statement_id, and drops the field corrections the
extractor now gets right by itself (a ``correct`` with nothing left becomes ``confirm``). Orphans
it cannot place are kept unchanged and listed.

The workflow (``qzanalysis review rekey``)::

    qzanalysis extract --no-review --out /tmp/old_statements.csv   # before changing the rules
    # ... change the rules ...
    qzanalysis review rekey /tmp/old_statements.csv --out /tmp/review_rekeyed.csv

Read the summary, then replace data/curated/review.csv with the output by hand. Nothing here
writes the review file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import schema
from .decisions import BLANK, FIELDS

#: What identifies a statement across extractor versions (plus its rank among rows of the span).
SPAN_KEY = ["doc_id", "char_start", "char_end", "value"]
CHANGE_COLUMNS = ["line", "statement_id", "new_statement_id", "was", "action", "result", "message"]


@dataclass
class Rekeyed:
    """The re-keyed review file and what happened to each orphaned decision."""

    #: the review file with orphans re-keyed (every other line as it was)
    text: str
    #: one row per orphan: line, statement_id, new_statement_id ('' when kept), was (action
    #: before), action (after), result (rekeyed | kept), message
    changes: pd.DataFrame

    @property
    def messages(self) -> list[str]:
        """One line per orphan, in file order."""
        return list(self.changes["message"])

    def summary(self) -> str:
        """How many orphans were re-keyed and kept."""
        ch = self.changes
        if ch.empty:
            return "no orphaned decisions: every statement_id is still extracted; output unchanged"
        rekeyed = ch[ch["result"] == "rekeyed"]
        now_confirm = int(((rekeyed["was"] == "correct") & (rekeyed["action"] == "confirm")).sum())
        return (
            f"{len(ch)} orphaned decision(s): {len(rekeyed)} re-keyed ({now_confirm} correct -> "
            f"confirm), {len(ch) - len(rekeyed)} kept unchanged. Read the output, then replace "
            "data/curated/review.csv with it by hand."
        )


def read_statements(path: str | Path) -> pd.DataFrame:
    """A saved extraction: a CSV written by ``qzanalysis extract`` (or a pandas ``.pkl``).

    Raises:
        ValueError: when the table lacks the columns that identify a statement.
    """
    path = Path(path)
    if path.suffix == ".pkl":
        table = pd.read_pickle(path)
    else:
        table = pd.read_csv(path, dtype={"statement_id": str}, encoding="utf-8-sig")
    missing = [c for c in ("statement_id", *SPAN_KEY, "evidence") if c not in table.columns]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)}; pass a table written by "
            "qzanalysis extract --no-review --out FILE"
        )
    return table


def rekey_review(review_text: str, old: pd.DataFrame, new: pd.DataFrame) -> Rekeyed:
    """Re-key the orphaned decisions of ``review_text`` (a review file's text).

    Args:
        review_text: the review file, as text.
        old: the raw extraction the decisions were written against.
        new: the raw extraction now.
    """
    spans = _Spans(old, new)
    out_lines: list[str] = []
    changes: list[dict] = []
    header: list[str] | None = None
    for lineno, line in enumerate(review_text.splitlines(keepends=True), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            out_lines.append(line)
            continue
        row = next(csv.reader([line]))
        if header is None:
            header = row
            out_lines.append(line)
            continue
        rec = dict(zip(header, row, strict=False))
        change = spans.rekey(rec, lineno)
        if change is not None:
            changes.append(change)
        if change is None or change["result"] == "kept":
            out_lines.append(line)
        else:
            out_lines.append(_csv_line([rec.get(c, "") for c in header]))
    return Rekeyed("".join(out_lines), pd.DataFrame(changes, columns=CHANGE_COLUMNS))


class _Spans:
    """Old statements by id, new statements by span."""

    def __init__(self, old: pd.DataFrame, new: pd.DataFrame):
        self.old = _keyed(old).set_index("statement_id")
        self.by_span = _keyed(new).set_index([*SPAN_KEY, "rank_in_span"], drop=False)
        self.new_ids = set(new["statement_id"])

    def rekey(self, rec: dict, lineno: int) -> dict | None:
        """Re-key one decision in place; None when it is not an orphan."""
        sid = rec.get("statement_id", "")
        if rec.get("action") == "add" or not sid or sid in self.new_ids:
            return None
        change = {
            "line": lineno,
            "statement_id": sid,
            "new_statement_id": "",
            "was": rec.get("action", ""),
            "action": rec.get("action", ""),
            "result": "kept",
        }
        if sid not in self.old.index:
            msg = f"line {lineno}: {sid} is unknown to the old extraction too; kept as is"
            return {**change, "message": msg}
        o = self.old.loc[sid]
        key = (o["doc_id"], o["char_start"], o["char_end"], o["value"], o["rank_in_span"])
        if key not in self.by_span.index:
            msg = f"line {lineno}: {sid} ({o['evidence']}) has no statement on the same span now; kept"
            return {**change, "message": msg}
        n = self.by_span.loc[key]
        rec["statement_id"] = n["statement_id"]
        if rec.get("action") == "correct":
            _drop_corrections_now_made(rec, n)
        msg = f"line {lineno}: {sid} -> {n['statement_id']} ({rec['action']})"
        return {
            **change,
            "new_statement_id": str(n["statement_id"]),
            "action": rec["action"],
            "result": "rekeyed",
            "message": msg,
        }


def _keyed(df: pd.DataFrame) -> pd.DataFrame:
    df = schema.coerce("statements", df)
    df["value"] = df["value"].astype("float64").round(9)
    df["rank_in_span"] = df.groupby(SPAN_KEY).cumcount()
    return df


def _drop_corrections_now_made(rec: dict, new_row: pd.Series) -> None:
    """Clear the corrected fields the new extraction already has; nothing left -> confirm."""
    for f in FIELDS:
        if rec.get(f) and reads_as(f, rec[f], new_row[f]):
            rec[f] = ""
    if not any(rec.get(f) for f in FIELDS):
        rec["action"] = "confirm"


def _as_text(x) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and pd.isna(x)):
        return ""
    if isinstance(
        x, float
    ):  # repr(float(...)): numpy 2 writes repr(np.float64(7.3)) as np.float64(7.3)
        return str(int(x)) if x.is_integer() else repr(float(x))
    return str(x)


def reads_as(field: str, wanted: str, have) -> bool:
    """True when a statement's ``have`` already is the review cell ``wanted`` (numbers to 1e-9)."""
    have_s = _as_text(have)
    if wanted == BLANK:
        return have_s == ""
    if field in ("value", "value_high"):
        try:
            return have_s != "" and abs(float(wanted) - float(have_s)) < 1e-9
        except ValueError:
            return False
    return wanted == have_s


def _csv_line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    return buf.getvalue()
