"""Coverage: what the corpus and the reference hold for each year, and what they lack."""

from __future__ import annotations

import pandas as pd

from .. import schema
from ..periods import end_year
from ..schema import JUDGED, NOT_JUDGED

#: Years a review covers when the caller names none (the shipped corpus's span).
DEFAULT_YEARS = range(2019, 2026)
_COLUMNS = ["statement_id", "doc_id", "kind", "period_start", "period_end"]


def coverage_by_year(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    years: range | list[int] = DEFAULT_YEARS,
    *,
    comparisons: pd.DataFrame,
) -> pd.DataFrame:
    """Per year (``years`` plus any year a statement ends in): what the corpus and reference hold.

    Counts targets and outcomes by the year their period ends, names the documents and
    reference rows, lists targets still without an outcome (from ``comparisons``, the output of
    :func:`compare_targets`) and writes a plain-language ``note`` on what is missing.
    """
    ref = reference if reference is not None else statements.iloc[0:0]
    # Only the few columns needed: per-year filtering of wide frames is what costs time here.
    st, rf = _with_year(statements[_COLUMNS]), _with_year(ref[_COLUMNS])
    comparisons = comparisons[["year", "status", "indicator_label", "indicator_id"]]
    all_years = sorted(
        set(years) | set(st["_year"].dropna().tolist()) | set(rf["_year"].dropna().tolist())
    )
    rows = [
        _year_row(
            y, st[st["_year"] == y], rf[rf["_year"] == y], comparisons[comparisons["year"] == y]
        )
        for y in all_years
    ]
    return schema.from_records("coverage", rows)


def _with_year(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return frame.assign(_year=[])
    years = [
        end_year(s, e) for s, e in zip(frame["period_start"], frame["period_end"], strict=True)
    ]
    return frame.assign(_year=pd.array([pd.NA if y is None else y for y in years], dtype="Int64"))


def _year_row(y: int, s_y: pd.DataFrame, r_y: pd.DataFrame, cmp_y: pd.DataFrame) -> dict:
    tg = s_y[s_y["kind"] == "target"]
    oc = s_y[s_y["kind"] == "outcome"]
    ex = pd.concat([s_y[s_y["kind"] == "expected"], r_y[r_y["kind"] == "expected"]])
    r_oc = r_y[r_y["kind"] == "outcome"]
    r_tg = r_y[r_y["kind"] == "target"]
    partial = pd.concat([oc, r_oc])
    partial = partial[partial["period_end"].fillna("").str.len() > 4]
    partial = partial[~partial["period_end"].fillna("").str.endswith("-12")]
    judged = cmp_y[cmp_y["status"].isin(JUDGED)]
    open_ = cmp_y[cmp_y["status"].isin(NOT_JUDGED)]
    return {
        "year": y,
        "n_targets": len(tg),
        "n_targets_reference": len(r_tg),
        "n_outcomes": len(oc),
        "n_outcomes_reference": len(r_oc),
        "n_expected": len(ex),
        "n_partial_year": len(partial),
        "target_documents": _doc_counts(tg),
        "outcome_documents": _doc_counts(oc),
        "reference_rows": ", ".join(
            pd.concat([r_oc, r_y[r_y["kind"] == "expected"]])["statement_id"].astype(str)
        ),
        "reference_target_rows": ", ".join(r_tg["statement_id"].astype(str)),
        "n_judged": len(judged),
        "n_targets_without_outcome": len(open_),
        "targets_without_outcome": "; ".join(
            f"{r.indicator_label or r.indicator_id} ({r.status})" for r in open_.itertuples()
        ),
        "note": _coverage_note(
            y, len(tg), len(r_tg), len(oc), len(r_oc), len(ex), len(partial), len(judged), cmp_y
        ),
    }


def _doc_counts(frame: pd.DataFrame) -> str:
    if not len(frame):
        return ""
    counts = frame["doc_id"].value_counts()
    return ", ".join(f"{d} ({n})" for d, n in counts.items())


def _coverage_note(
    y: int,
    n_t: int,
    n_rt: int,
    n_o: int,
    n_ro: int,
    n_e: int,
    n_p: int,
    n_j: int,
    cmp_y: pd.DataFrame,
) -> str:
    if n_t + n_rt == 0 and n_o + n_ro + n_e == 0:
        return f"{y}: the corpus and the reference say nothing about this year."
    parts = []
    if n_t == 0 and n_rt == 0:
        what = "outcomes" if n_o + n_ro else "only estimates"
        parts.append(f"{what} but no targets: nothing to judge")
    elif n_t == 0:
        parts.append("targets come only from the reference figures (no corpus document sets them)")
    if n_o == 0 and n_ro > 0:
        parts.append(
            "outcomes only from reference figures (secondary sources), none from the corpus"
        )
    elif n_o == 0 and n_ro == 0 and n_e == 0:
        parts.append("no outcome figure at all")
    elif n_o == 0 and n_ro == 0:
        parts.append("no final outcome figure")
    if n_e:
        parts.append(f"{n_e} figure(s) are estimates (expected), not final")
    if n_p and n_p == n_o + n_ro:
        parts.append("only part-year figures (e.g. Jan-Sep), which cannot judge annual targets")
    elif n_p:
        parts.append(f"{n_p} outcome(s) cover only part of the year")
    if len(cmp_y):
        counts = cmp_y["status"].value_counts()
        open_ = [f"{int(counts[s])} {s.replace('_', ' ')}" for s in NOT_JUDGED if counts.get(s, 0)]
        parts.append(
            f"{n_j} of {len(cmp_y)} target(s) judged" + (f" ({', '.join(open_)})" if open_ else "")
        )
    return f"{y}: " + "; ".join(parts) + "."


#: What a cell of the year × indicator coverage chart says, from least to most.
COVERAGE_CELLS = ("target", "outcome", "target and outcome", "judged")


def coverage_cells(
    statements: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    comparisons: pd.DataFrame,
    labels: dict[str, str],
) -> pd.DataFrame:
    """One row per (registry indicator, year) the corpus or the reference speaks of: whether
    that year has a target, an outcome (or estimate), both, or a judged target.

    Columns: indicator_id, indicator_label, year, cell (one of :data:`COVERAGE_CELLS`). Only
    indicators with a registry id (``labels``: id -> label) are drawn; unmapped phrases are one-offs
    that the coverage table counts instead.
    """
    both = pd.concat(
        [statements[_COLUMNS + ["indicator_id"]], reference[_COLUMNS + ["indicator_id"]]]
    )
    both = _with_year(both)
    both = both[both["indicator_id"].isin(list(labels)) & both["_year"].notna()]
    has = both.assign(target=both["kind"] == "target", outcome=both["kind"] != "target")
    flags = has.groupby(["indicator_id", "_year"])[["target", "outcome"]].any().reset_index()
    judged = comparisons[comparisons["status"].isin(JUDGED)]
    judged_keys = set(zip(judged["indicator_id"], judged["year"].astype("Int64"), strict=True))
    cells = []
    for r in flags.to_dict("records"):
        key = (r["indicator_id"], int(r["_year"]))
        if key in judged_keys:
            cell = "judged"
        elif r["target"] and r["outcome"]:
            cell = "target and outcome"
        else:
            cell = "target" if r["target"] else "outcome"
        cells.append(
            {
                "indicator_id": key[0],
                "indicator_label": labels[key[0]],
                "year": key[1],
                "cell": cell,
            }
        )
    return pd.DataFrame(cells, columns=["indicator_id", "indicator_label", "year", "cell"])
