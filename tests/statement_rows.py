"""Hand-built statement rows in the extractor's contract shape (for tests of compare/stats).

Rows are built from the corpus's own wording and offsets are found in the real document text,
so the values are what the documents say, not invented numbers.
"""

from __future__ import annotations

import pandas as pd

from qzanalysis.schema import STATEMENT_DTYPES


def make_statements(rows: list[dict]) -> pd.DataFrame:
    """Fill defaults for the contract columns and apply the contract dtypes."""
    filled = []
    for i, r in enumerate(rows):
        base = {
            "statement_id": f"t{i:03d}",
            "doc_id": "doc",
            "kind": "target",
            "indicator_id": None,
            "indicator_text": "",
            "measure": "level",
            "direction": "",
            "period_start": None,
            "period_end": None,
            "value": float("nan"),
            "value_high": None,
            "unit": "",
            "comparator": "eq",
            "char_start": None,
            "char_end": None,
            "quote": "",
            "evidence": "",
            "section": "",
            "source": "extractor",
        }
        base.update(r)
        if base["period_start"] is None:
            base["period_start"] = base["period_end"]
        if base["period_end"] is None:
            base["period_end"] = base["period_start"]
        if not base["indicator_text"]:
            base["indicator_text"] = base["indicator_id"] or ""
        filled.append(base)
    frame = pd.DataFrame(filled, columns=list(STATEMENT_DTYPES))
    return frame.astype(STATEMENT_DTYPES)
