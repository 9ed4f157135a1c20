"""Statistics for a handful of targets (methods.md §5), as DataFrames for notebooks to plot.

* attainment rates by year, category or indicator with Wilson intervals and n, strict
  (exceeded + met + boundary) and lenient (adds narrow_miss);
* tests of systematic shortfall: an exact binomial test and a sign test on the signed gaps
  (exact hits are dropped and counted);
* the targets' own trend across the years (e.g. the GDP growth target year by year);
* trend fits with prediction intervals for outcome trajectories.

No function returns a bare rate from fewer than ``min_n`` (default 5) judged targets: the rate
column is NaN and ``note`` says 'n<5: interval only'; the Wilson interval and n are always there.
No test statistic or p-value comes from fewer than ``min_n`` observations either: the row keeps
its counts and ``note`` says 'not tested: n = 1 < 5'.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from statsmodels.stats.descriptivestats import sign_test
from statsmodels.stats.proportion import binom_test, proportion_confint

from . import schema
from .schema import ATTAINED, JUDGED

MIN_N = 5


def wilson_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for k successes in n (NaN, NaN when n == 0)."""
    if n == 0:
        return float("nan"), float("nan")
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def attainment_rates(
    comparisons: pd.DataFrame, by: str | None = None, *, min_n: int = MIN_N, alpha: float = 0.05
) -> pd.DataFrame:
    """Attainment rate per group with Wilson intervals.

    Args:
        comparisons: output of :func:`qzanalysis.compare.compare_targets`.
        by: None (all targets), 'year', 'category', 'indicator_id' or any column.
        min_n: fewer judged targets than this gives no bare rate (NaN + note).
        alpha: 1 - confidence level of the interval.

    Returns:
        One row per group: n_targets, n_judged, k_attained (exceeded+met+boundary), k_lenient
        (+ narrow_miss), rate_strict/lenient with ci_low/ci_high, counts of the unjudged
        statuses, note.
    """
    frame = comparisons[["status"] + ([by] if by else [])]
    if by is None:
        groups = [("all", frame)]
    else:
        keyed = frame.assign(_g=frame[by].astype("string").fillna("(none)"))
        groups = [(str(k), g) for k, g in keyed.groupby("_g", sort=True)]
    rows = []
    for key, g in groups:
        status = g["status"].astype(str)
        n = int(status.isin(JUDGED).sum())
        k = int(status.isin(ATTAINED).sum())
        kl = k + int((status == "narrow_miss").sum())
        lo, hi = wilson_interval(k, n, alpha)
        llo, lhi = wilson_interval(kl, n, alpha)
        note = ""
        rate, rate_l = (k / n if n else float("nan")), (kl / n if n else float("nan"))
        if n == 0:
            note = "no judged target"
        elif n < min_n:
            note = f"n<{min_n}: interval only"
            rate = rate_l = float("nan")
        rows.append(
            {
                "grouping": by or "all",
                "group": key,
                "n_targets": len(g),
                "n_judged": n,
                "k_attained": k,
                "k_lenient": kl,
                "rate_strict": rate,
                "ci_low_strict": lo,
                "ci_high_strict": hi,
                "rate_lenient": rate_l,
                "ci_low_lenient": llo,
                "ci_high_lenient": lhi,
                "n_not_yet_due": int((status == "not_yet_due").sum()),
                "n_no_outcome": int((status == "no_outcome").sum()),
                "n_not_comparable": int((status == "not_comparable").sum()),
                "note": note,
            }
        )
    return schema.from_records("attainment", rows)


def attainment_table(comparisons: pd.DataFrame, *, min_n: int = MIN_N) -> pd.DataFrame:
    """Overall, by year, by category and by indicator, stacked (``grouping`` says which)."""
    parts = [
        attainment_rates(comparisons, by, min_n=min_n)
        for by in (None, "year", "category", "indicator_id")
    ]
    return pd.concat(parts, ignore_index=True)


def not_tested_note(n: int, min_n: int = MIN_N) -> str:
    """'not tested: n = 3 < 5' when a test would rest on fewer than ``min_n`` observations."""
    return f"not tested: n = {n} < {min_n}" if n < min_n else ""


def shortfall_tests(
    comparisons: pd.DataFrame, *, gap: str = "signed_gap_published", min_n: int = MIN_N
) -> pd.DataFrame:
    """Is falling short of targets systematic? Binomial and sign tests on the signed gaps.

    Exact hits (gap 0) carry no sign and are dropped by both tests; their number is reported.
    The binomial test asks whether shortfalls (gap < 0) are more common than 1/2
    (``binom_test(k_below, n, 0.5, alternative='larger')``); the sign test
    (``statsmodels.stats.descriptivestats.sign_test``) is two-sided on the median gap.

    With fewer than ``min_n`` non-zero gaps neither test is run: both rows keep their counts
    (``n_used``, ``k_below``, ...) with no statistic or p-value, and ``note`` says
    "not tested: n = 1 < 5".
    """
    judged = comparisons[comparisons["status"].astype(str).isin(JUDGED)]
    gaps = pd.to_numeric(judged[gap], errors="coerce").dropna().to_numpy(dtype=float)
    hits = int(np.sum(np.isclose(gaps, 0.0, atol=1e-9)))
    signed = gaps[~np.isclose(gaps, 0.0, atol=1e-9)]
    below, above = int((signed < 0).sum()), int((signed > 0).sum())
    n = len(signed)
    rows = [
        {"test": "binomial: shortfalls more common than 1/2", "alternative": "larger"},
        {"test": "sign test: median signed gap = 0", "alternative": "two-sided"},
    ]
    note = not_tested_note(n, min_n)
    if n == 0:
        note += " (no judged target with a non-zero gap)"
    if not note:
        # Only from min_n signed gaps on: below that a p-value says nothing a reader can use.
        rows[0].update(
            statistic=below / n, p_value=float(binom_test(below, n, prop=0.5, alternative="larger"))
        )
        stat, p_sign = sign_test(gaps, mu0=0)
        rows[1].update(statistic=float(stat), p_value=float(p_sign))
    for r in rows:
        r.update(
            {
                "n_judged": len(judged),
                "n_used": n,
                "n_exact_hits_dropped": hits,
                "k_below": below,
                "k_above": above,
                "note": note,
            }
        )
    return schema.from_records("shortfall", rows)


def target_trend(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    indicator_id: str = "gdp",
    measure: str = "growth",
    *,
    comparisons: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The annual targets of one indicator year by year (corpus and reference targets).

    A range target is represented by its midpoint; ``change_from_previous`` is the change of
    the midpoint against the previous target year listed. When ``comparisons`` is given the
    outcome and status of each target are joined.
    """
    parts = [statements.assign(source=statements["doc_id"])]
    if reference is not None and len(reference):
        parts.append(reference.assign(source="reference " + reference["statement_id"].astype(str)))
    frame = pd.concat(parts, ignore_index=True)
    ps, pe = frame["period_start"].fillna(""), frame["period_end"].fillna("")
    sel = frame[
        (frame["kind"] == "target")
        & (frame["indicator_id"] == indicator_id)
        & (frame["measure"] == measure)
        & pe.str.match(r"^\d{4}")
        & (ps.str.slice(0, 4) == pe.str.slice(0, 4))
    ]
    out = pd.DataFrame(
        {
            "year": sel["period_end"].str.slice(0, 4).astype(int),
            "indicator_id": sel["indicator_id"],
            "measure": sel["measure"],
            "comparator": sel["comparator"],
            "value": sel["value"],
            "value_high": sel["value_high"],
            "unit": sel["unit"],
            "statement_id": sel["statement_id"],
            "source": sel["source"],
        }
    )
    out["midpoint"] = np.where(
        out["value_high"].isna(), out["value"], (out["value"] + out["value_high"].astype(float)) / 2
    )
    if comparisons is not None and len(out):
        kind = ["outcome_kind"] if "outcome_kind" in comparisons.columns else []
        cmp = comparisons[["statement_id", "outcome_value", "status", *kind]].drop_duplicates(
            "statement_id"
        )
        out = out.merge(cmp, on="statement_id", how="left", validate="m:1")
    else:
        out["outcome_value"] = np.nan
        out["status"] = pd.NA
    if "outcome_kind" not in out:
        out["outcome_kind"] = pd.NA
    out["outcome_kind"] = out["outcome_kind"].astype("string")
    out = out.sort_values(["year", "statement_id"]).reset_index(drop=True)
    out["change_from_previous"] = out["midpoint"].diff()
    # outcome_kind (outcome or expected) lets a plot draw an estimated outcome hollow; it follows
    # the contract's columns until the target_trend contract lists it.
    cols = schema.columns("target_trend")
    cols += [] if "outcome_kind" in cols else ["outcome_kind"]
    return schema.coerce("target_trend", out[cols])


def trend_prediction(
    years: list[float], values: list[float], at_year: float, *, alpha: float = 0.2, log: bool = True
) -> dict[str, float]:
    """OLS of ln(value) on year; the prediction interval at ``at_year`` (back-transformed).

    Uses ``res.get_prediction(X).summary_frame(alpha=alpha)`` columns mean, obs_ci_lower,
    obs_ci_upper as methods.md §4 prescribes.
    """
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    x = np.asarray(years, dtype=float)
    y = np.log(values) if log else np.asarray(values, dtype=float)
    res = OLS(y, add_constant(x)).fit()
    frame = res.get_prediction(np.array([[1.0, float(at_year)]])).summary_frame(alpha=alpha)
    back = np.exp if log else (lambda v: v)
    return {
        "mean": float(back(frame["mean"].iloc[0])),
        "lower": float(back(frame["obs_ci_lower"].iloc[0])),
        "upper": float(back(frame["obs_ci_upper"].iloc[0])),
        "slope": float(res.params[1]),
        "n": len(x),
    }


def target_outcome_fit(comparisons: pd.DataFrame, *, min_pairs: int = 8) -> pd.DataFrame:
    """OLS of outcome on target value (HC3 errors) for judged growth targets in %, if enough pairs.

    Returns one row: n_pairs, slope, intercept, their HC3 standard errors and a note; NaN
    estimates and a note when fewer than ``min_pairs`` pairs exist.
    """
    import statsmodels.api as sm

    sel = comparisons[
        comparisons["status"].astype(str).isin(JUDGED)
        & (comparisons["measure"] == "growth")
        & (comparisons["unit"] == "%")
    ]
    x = sel["value"].astype(float).to_numpy()
    y = pd.to_numeric(sel["outcome_value"]).astype(float).to_numpy()
    row = {
        "n_pairs": len(sel),
        "intercept": math.nan,
        "slope": math.nan,
        "se_intercept": math.nan,
        "se_slope": math.nan,
        "note": "",
    }
    if len(sel) < min_pairs or len(np.unique(x)) < 2:
        row["note"] = f"n={len(sel)} < {min_pairs} target-outcome pairs: no regression"
    else:
        res = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC3")
        row.update(
            {
                "intercept": res.params[0],
                "slope": res.params[1],
                "se_intercept": res.bse[0],
                "se_slope": res.bse[1],
                "note": "HC3 standard errors",
            }
        )
    return pd.DataFrame([row]).astype({"n_pairs": "Int64", "note": "string"})
