"""Multi-year goals (methods.md §4): how far along is each level or cumulative-count goal?

For each level/share/ratio/count target whose year lies after the latest annual outcome: base
Y0 (last outcome before the plan starts), latest outcome Yt, required CAGR g*, achieved g_t,
still-needed g_rem, progress ratio R with the label official mid-term evaluations use, and with
>= 3 annual outcomes an OLS-on-log trend prediction interval at the target year with an
on_track / behind / off_track call.

With ``derived`` (the table of :func:`.derived.derived_levels`), a level goal's indicator gets a
point from a derived level for a year before the target year that has no stated level: the
point is flagged (``latest_kind`` = ``derived`` when it is the latest) and the note says so.
Derived levels serve tracking only: they never make a goal due, and never judge one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import schema
from ..indicators import Indicator, IndicatorRegistry
from ..periods import bounds, period_key
from ..schema import CONFIDENCE_RANK, PROGRESS_LABELS, STATE_MEASURES
from ..stats import trend_prediction
from ..units import LINEAR_UNITS, format_number
from .derived import DERIVED_KIND, derived_note, derived_points, fill_derived
from .outcomes import (
    FIGURE_COLUMNS,
    best_per_year,
    clean,
    outcome_pool,
    pool_by_indicator,
    source_text,
    state_year,
    target_rows,
)

_TRACKED_MEASURES = ("level", "share", "ratio", "count")
#: With this many annual points or fewer, the trend is called a rough extrapolation.
_FEW_POINTS = 7


def track_targets(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry,
    published: Mapping[str, str],
    min_confidence: str = "medium",
    as_of: str | None = None,
    alpha: float = 0.2,
    derived: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Track multi-year level and cumulative-count targets (see the module docstring).

    Args:
        published: doc_id -> publication date (a target whose period is one year starts the
            year its document was published).
        alpha: 1 - coverage of the trend's prediction interval.
        derived: the ``derived`` table (:func:`.derived.derived_levels`); its levels fill
            years without a stated level of a level goal's indicator. None: stated levels only.
    """
    min_rank = CONFIDENCE_RANK[min_confidence]
    by_ind = pool_by_indicator(outcome_pool(statements, reference, published))
    points = derived_points(derived)
    targets = target_rows(statements, reference, FIGURE_COLUMNS)
    targets = targets[targets["measure"].isin(_TRACKED_MEASURES)]
    rows = []
    for t in targets.to_dict("records"):
        ind = registry.get(clean(t["indicator_id"]))
        if ind is None:
            continue
        extra = points.get(ind.id, {})
        row = _track_one(t, ind, by_ind.get(ind.id, []), published, min_rank, alpha, extra)
        if row is not None:
            rows.append(row)
    out = schema.from_records("tracking", rows)
    out.attrs["parameters"] = {"alpha": alpha, "min_confidence": min_confidence}
    return out


def _plan_years(t: dict, published: Mapping[str, str]) -> tuple[int, int] | None:
    """(first year of the plan, target year), or None for a target without a period."""
    span = bounds(t["period_start"], t["period_end"])
    if span is None:
        return None
    target_year = period_key(span[1], end=True)[0]
    plan_start = period_key(span[0], end=False)[0]
    if plan_start == target_year:
        doc_date = published.get(t["doc_id"] or "", "")
        plan_start = int(doc_date[:4]) if doc_date else target_year
    return plan_start, target_year


def _track_one(
    t: dict,
    ind: Indicator,
    cands: list[dict],
    published: Mapping[str, str],
    min_rank: int,
    alpha: float,
    derived: Mapping[int, dict],
) -> dict | None:
    years = _plan_years(t, published)
    if years is None or years[0] >= years[1]:
        return None  # no period, or a one-year target: compare_targets judges it
    plan_start, target_year = years
    unit = clean(t["unit"]) or ""
    value_high = clean(t["value_high"])
    goal = float(
        value_high if (value_high is not None and ind.polarity == "lower_better") else t["value"]
    )
    row: dict[str, Any] = {
        "statement_id": t["statement_id"],
        "doc_id": t["doc_id"],
        "indicator_id": ind.id,
        "indicator_label": ind.label,
        "measure": t["measure"],
        "comparator": t["comparator"],
        "unit": unit,
        "target_year": target_year,
        "target_value": goal,
    }
    if t["measure"] == "count":
        return _track_count(row, cands, plan_start, min_rank)
    lower = ind.polarity == "lower_better" or t["comparator"] in ("le", "lt")
    return _track_level(row, cands, plan_start, min_rank, alpha, lower=lower, derived=derived)


def _track_count(row: dict, cands: list[dict], plan_start: int, min_rank: int) -> dict:
    """A cumulative count goal ("新增500家" over the plan): the sum of the annual counts so far."""
    target_year, goal = row["target_year"], row["target_value"]
    per_year = best_per_year(cands, {"count"}, row["unit"], min_rank)
    years = [y for y in sorted(per_year) if plan_start <= y <= target_year]
    if not years:
        row["note"] = f"no annual count for {plan_start}-{target_year} yet"
        return row
    latest = years[-1]
    cum = sum(per_year[y]["converted"] for y in years)
    missing = [y for y in range(plan_start, latest + 1) if y not in per_year]
    T, tt = target_year - plan_start + 1, latest - plan_start + 1
    P = cum / goal if goal else float("nan")
    row.update(
        {
            "base_year": plan_start - 1,
            "base_value": 0.0,
            "base_source": "count starts at 0",
            "latest_year": latest,
            "latest_value": cum,
            "latest_kind": "outcome",
            "latest_source": "+".join(per_year[y]["statement_id"] for y in years),
            "latest_id": "+".join(per_year[y]["statement_id"] for y in years),
            "T_years": T,
            "t_years": tt,
            "progress_P": P,
            "progress_ratio_R": P / (tt / T),
        }
    )
    _label(row, reached=cum >= goal)
    row["note"] = (
        f"years without a count: {missing} (cumulative sum understated)" if missing else ""
    )
    return row


def _unused_low_confidence(
    cands: list[dict], per_year: dict[int, dict], min_rank: int
) -> list[str]:
    """Say which reference figures of a year without a usable one were left out for their
    confidence (a low-confidence PM2.5 figure for 2021 is shown, not silently dropped)."""
    out = []
    for c in cands:
        year = state_year(c) if c["measure"] in STATE_MEASURES else None
        if (
            c["origin"] == "reference"
            and c["conf_rank"] < min_rank
            and year
            and year not in per_year
        ):
            out.append(
                f"{c['statement_id']} ({year}: {format_number(float(c['value']))}{c['unit'] or ''}, "
                f"{c['confidence']} confidence) not used: below min_confidence"
            )
    return out


def _track_level(
    row: dict,
    cands: list[dict],
    plan_start: int,
    min_rank: int,
    alpha: float,
    *,
    lower: bool,
    derived: Mapping[int, dict],
) -> dict | None:
    """A level/share/ratio goal: base, latest, growth rates, progress ratio and trend."""
    target_year, goal, unit = row["target_year"], row["target_value"], row["unit"]
    per_year = best_per_year(cands, STATE_MEASURES, unit, min_rank)
    filled = fill_derived(per_year, derived, unit, target_year)
    if not per_year:
        row["note"] = "no annual outcome for this indicator in the corpus or reference"
        return row
    latest_year = max(per_year)
    if latest_year >= target_year:
        return None  # due: compare_targets judges it
    latest = per_year[latest_year]
    row.update(
        {
            "latest_year": latest_year,
            "latest_value": latest["converted"],
            "latest_kind": latest["kind"],
            "latest_source": _source(latest),
            # a derived point has no statement of its own: the page links nothing for it
            "latest_id": None if latest.get("derived_source") else latest.get("statement_id"),
        }
    )
    notes = ["the latest figure is an estimate (expected)"] if latest["kind"] == "expected" else []
    notes += _unused_low_confidence(cands, per_year, min_rank)
    if filled:
        notes.append(derived_note(per_year, filled, latest_year))
    Yt = latest["converted"]
    reached = _reached(Yt, goal, row["comparator"], lower=lower, latest=latest)
    before = [y for y in per_year if y < plan_start]
    if before:
        notes += _progress_from_base(row, per_year, max(before), latest_year)
    else:
        notes.append(
            f"no outcome before the plan starts ({plan_start}): base unknown, R not computed"
        )
    if Yt > 0 and goal > 0:
        row["g_remaining"] = (goal / Yt) ** (1 / (target_year - latest_year)) - 1
    _label(row, reached=reached)
    notes += _trend(row, per_year, alpha, lower=lower)
    row["note"] = "; ".join(notes)
    return row


def _progress_from_base(
    row: dict, per_year: dict[int, dict], y0: int, latest_year: int
) -> list[str]:
    """Growth required and achieved since the base year, and the progress ratio R = P / (t/T)."""
    target_year, goal, unit = row["target_year"], row["target_value"], row["unit"]
    Y0, Yt = per_year[y0]["converted"], per_year[latest_year]["converted"]
    T, tt = target_year - y0, latest_year - y0
    row.update(
        {
            "base_year": y0,
            "base_value": Y0,
            "base_source": _source(per_year[y0]),
            "T_years": T,
            "t_years": tt,
        }
    )
    if Y0 > 0 and goal > 0:
        row["g_required"] = (goal / Y0) ** (1 / T) - 1
        if tt > 0 and Yt > 0:
            row["g_achieved"] = (Yt / Y0) ** (1 / tt) - 1
    # Shares, ratios and ages progress linearly; amounts grow geometrically (log progress).
    linear = row["measure"] in ("share", "ratio") or unit in LINEAR_UNITS
    if tt > 0 and goal != Y0:
        if linear:
            P = (Yt - Y0) / (goal - Y0)
        elif Yt > 0 and Y0 > 0 and goal > 0:
            P = math.log(Yt / Y0) / math.log(goal / Y0)
        else:
            P = float("nan")
        row["progress_P"] = P
        row["progress_ratio_R"] = P / (tt / T)
    elif tt == 0:
        return ["the latest outcome is the base year: no progress to measure yet"]
    return []


def _trend(row: dict, per_year: dict[int, dict], alpha: float, *, lower: bool) -> list[str]:
    """With >= 3 positive annual points: the OLS log-trend at the target year and its call."""
    years = sorted(per_year)
    row["n_annual"] = len(years)
    if len(years) < 3 or not all(per_year[y]["converted"] > 0 for y in years):
        return [f"{len(years)} annual outcome(s): fewer than 3, no trend interval"]
    goal = row["target_value"]
    pred = trend_prediction(
        [float(y) for y in years],
        [per_year[y]["converted"] for y in years],
        row["target_year"],
        alpha=alpha,
    )
    row.update(
        {
            "trend_prediction": pred["mean"],
            "trend_pi_lower": pred["lower"],
            "trend_pi_upper": pred["upper"],
        }
    )

    def good(x: float) -> bool:
        return x <= goal if lower else x >= goal

    if good(pred["mean"]):
        row["trend_call"] = "on_track"
    elif good(pred["upper"] if not lower else pred["lower"]):
        row["trend_call"] = "behind"
    else:
        row["trend_call"] = "off_track"
    notes = []
    if len(years) <= _FEW_POINTS:
        notes.append(
            f"trend from only {len(years)} annual points ({years[0]}-{years[-1]}): "
            f"a rough extrapolation, {int((1 - alpha) * 100)}% prediction interval"
        )
    n_exp = sum(per_year[y]["kind"] == "expected" for y in years)
    if n_exp:
        notes.append(f"the trend includes {n_exp} expected figure(s)")
    n_derived = sum(per_year[y]["kind"] == DERIVED_KIND for y in years)
    if n_derived:
        notes.append(f"the trend includes {n_derived} derived level(s)")
    return notes


def _reached(Yt: float, goal: float, comparator: str, *, lower: bool, latest: dict) -> bool:
    """Whether the latest level reaches the goal; a derived bound on the wrong side (an upper
    bound for a goal to rise to, a lower bound for one to fall to) cannot show it."""
    bound = latest.get("derived_comparator") or ""
    if (lower and bound in ("ge", "gt")) or (not lower and bound in ("le", "lt")):
        return False
    if lower:
        return Yt < goal if comparator == "lt" else Yt <= goal
    return Yt > goal if comparator == "gt" else Yt >= goal


def _source(c: Mapping[str, Any]) -> str:
    """Where a level comes from: a derived point says so, a stated figure as source_text."""
    return c.get("derived_source") or source_text(c)


def _label(row: dict, *, reached: bool) -> None:
    R = row.get("progress_ratio_R")
    if reached:
        zh = "提前实现"
    elif R is None or (isinstance(R, float) and math.isnan(R)):
        return
    else:
        R = round(R, 9)  # 0.75 / (5/6) is 0.9 on paper, 0.8999999999 in floating point
        zh = "快于预期" if R >= 1.1 else ("基本符合预期" if R >= 0.9 else "滞后于预期")
    en = PROGRESS_LABELS[zh]
    row.update({"label_zh": zh, "label_en": en, "label": f"{zh} ({en})"})


def fit_trajectory(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    indicator_id: str = "gdp",
    *,
    registry: IndicatorRegistry,
    published: Mapping[str, str],
    unit: str | None = None,
    until: int | None = None,
    alpha: float = 0.2,
    log: bool = True,
    min_confidence: str = "medium",
    min_points: int = 3,
) -> pd.DataFrame:
    """Annual outcome levels of one indicator with an OLS trend and prediction intervals.

    One row per year from the first observation to ``until`` (default: the last observation
    + 1): the observed value (best source per year), the fitted value and the
    ``1 - alpha`` prediction interval (OLS of ln(level) on year when ``log``). With fewer than
    ``min_points`` observations no trend is fitted and ``note`` says so; with 3-7 the note warns
    that the extrapolation is rough.
    """
    pool = outcome_pool(statements, reference, published)
    cands = pool[pool["indicator_id"] == indicator_id].to_dict("records")
    if unit is None:
        ind = registry.get(indicator_id)
        unit = ind.unit if ind else ""
    per_year = best_per_year(cands, STATE_MEASURES, unit or "", CONFIDENCE_RANK[min_confidence])
    years = sorted(per_year)
    if not years:
        return schema.empty("trajectory")
    grid = range(years[0], max(until or years[-1] + 1, years[-1]) + 1)
    n = len(years)
    if n >= min_points:
        note = (
            f"OLS on {'ln ' if log else ''}level, {n} points; {int((1 - alpha) * 100)}% "
            "prediction interval"
            + ("; only 3-7 points: a rough extrapolation" if n <= _FEW_POINTS else "")
        )
    else:
        note = f"{n} annual point(s): fewer than {min_points}, no trend fitted"
    rows = []
    for y in grid:
        obs = per_year.get(y)
        row = {
            "indicator_id": indicator_id,
            "year": y,
            "n_points": n,
            "note": note,
            "observed": obs["converted"] if obs else None,
            "observed_kind": obs["kind"] if obs else None,
            "observed_source": (obs["doc_id"] or obs["statement_id"]) if obs else None,
        }
        if n >= min_points:
            pred = trend_prediction(
                [float(v) for v in years],
                [per_year[v]["converted"] for v in years],
                y,
                alpha=alpha,
                log=log,
            )
            row.update(
                {"fitted": pred["mean"], "pi_lower": pred["lower"], "pi_upper": pred["upper"]}
            )
        rows.append(row)
    return schema.from_records("trajectory", rows)
