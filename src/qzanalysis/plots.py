"""Plots for the reports (seaborn/matplotlib), each returning its Figure.

Chinese renders in every chart: :mod:`qzanalysis.plots_common` registers the shipped Noto Sans SC
on import (see :func:`setup_cjk_font`), so ``from qzanalysis import plots`` is enough.

Every function takes the DataFrames that :mod:`qzanalysis.compare` and :mod:`qzanalysis.stats`
return, and labels indicators as "中文 (English)". Rules every chart keeps:

* an estimate (预计/有望: ``kind``/``outcome_kind``/``observed_kind`` ``expected``, or series
  ``estimate``) is a hollow marker with its own legend entry, a final outcome a filled one;
* a legend sits outside the axes (to the right), never over a data point;
* the same goal (same year and value) is drawn once;
* a line joins values of consecutive years only: a missing year leaves a gap.

The cross-year indicator chart and the coverage grid are in :mod:`qzanalysis.plots_history`,
re-exported here: ``plots.plot_indicator_history``, ``plots.plot_coverage_matrix``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)  # headless by default; notebooks switch to inline themselves

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .plots_common import (  # noqa: E402, F401 (re-exported: notebooks and tests use plots.X)
    CJK_FAMILY,
    ESTIMATE_KINDS,
    ESTIMATE_LABEL,
    STATUS_COLORS,
    STATUS_ORDER,
    _empty,
    _label,
    _short,
    cjk_font_path,
    connect_consecutive,
    drop_duplicate_goals,
    estimate_flags,
    estimate_handle,
    is_estimate,
    legend_outside,
    scatter_outcomes,
    set_theme,
    setup_cjk_font,
    status_legend_handles,
)
from .plots_history import (  # noqa: E402
    panel_title,
    plot_coverage_matrix,  # noqa: F401 (re-exported)
    plot_indicator_history,  # noqa: F401 (re-exported)
)

#: Which status a heatmap cell shows when an indicator has several targets in one year.
CELL_PRIORITY = (
    "missed",
    "narrow_miss",
    "boundary",
    "met",
    "exceeded",
    "not_comparable",
    "no_outcome",
    "not_yet_due",
)


def trend_label(trajectory: pd.DataFrame, log: bool | None = None) -> str:
    """What the trend line is: log-linear only for an OLS on ln(level), else linear.

    :func:`qzanalysis.compare.fit_trajectory` writes the fit into ``note`` ("OLS on ln level, ..."
    or "OLS on level, ..."); that is what was fitted, so it wins. ``log`` is the fallback for a
    frame whose note does not say.
    """
    notes = trajectory["note"].dropna().astype(str) if "note" in trajectory else pd.Series([])
    said = notes.str.extract(r"OLS on (ln )?level", expand=True)
    found = notes.str.contains(r"OLS on (?:ln )?level", regex=True)
    if found.any():
        log = pd.notna(said[0][found].iloc[0])
    if log is True:
        return "对数线性趋势 log-linear trend (OLS on ln level)"
    if log is False:
        return "线性趋势 linear trend (OLS on level)"
    return "趋势 trend (OLS)"


# --------------------------------------------------------------------------------------------
# Target against outcome
# --------------------------------------------------------------------------------------------


#: What makes two target rows the same goal (drawn once): indicator, measure, unit, year, value.
GOAL_KEYS = ("label", "measure", "unit", "year", "comparator", "value", "value_high")


def _target_band(r: pd.Series) -> tuple[float, float, float]:
    """(target, low, high) of a comparison row: the threshold and its tolerance or range band."""
    target = float(r["threshold"]) if pd.notna(r.get("threshold")) else float(r["value"])
    lo = hi = target
    if r["comparator"] == "approx" and pd.notna(r.get("tolerance")):
        lo, hi = target - float(r["tolerance"]), target + float(r["tolerance"])
    elif r["comparator"] == "range" and pd.notna(r.get("value_high")):
        lo, hi = float(r["value"]), float(r["value_high"])
    return target, lo, hi


def _dumbbell_panel(ax, sub: pd.DataFrame) -> bool:
    """One unit's rows: target bar and band, a connector, the outcome dot (hollow if estimated).

    Returns whether an estimate was drawn.
    """
    estimate = estimate_flags(sub, "outcome_kind")
    for i, r in sub.iterrows():
        target, lo, hi = _target_band(r)
        if hi > lo:
            ax.fill_betweenx([i - 0.25, i + 0.25], lo, hi, color="#bbbbbb", alpha=0.6, lw=0)
        ax.plot([target, target], [i - 0.3, i + 0.3], color="black", lw=2.5)
        ax.plot([target, float(r["outcome_value"])], [i, i], color="#777777", lw=1, zorder=1)
    colors = [STATUS_COLORS.get(st, "#444444") for st in sub["status"]]
    drew = scatter_outcomes(
        ax, sub["outcome_value"].astype(float), np.arange(len(sub)), colors, estimate, s=80
    )
    ax.set_yticks(np.arange(len(sub)), sub["label"])
    ax.invert_yaxis()
    ax.margins(x=0.15)
    return drew


def plot_target_vs_outcome(comparisons: pd.DataFrame, *, title: str | None = None) -> plt.Figure:
    """Dumbbell chart: each judged target (bar: target, band for 左右/ranges) and its outcome (dot,
    coloured by status; hollow when the outcome is an estimate), one panel per unit so levels and
    rates are never on one axis. A goal listed twice (corpus and reference, or two documents
    stating it alike) is drawn once: the corpus row and a final outcome are kept first."""
    rows = comparisons[comparisons["outcome_value"].notna()].copy()
    if rows.empty:
        return _empty(
            "No target of this selection has an outcome to compare with.\n"
            "本选择中没有可与结果比较的目标。"
        )
    rows["label"] = [_label(r) for _, r in rows.iterrows()]
    rows["_rank"] = estimate_flags(rows, "outcome_kind").astype(int)
    if "target_origin" in rows:
        rows["_rank"] += (rows["target_origin"].astype("object") == "reference").astype(int) * 2
    rows = drop_duplicate_goals(rows.sort_values("_rank", kind="stable"), GOAL_KEYS)
    rows["label"] = [
        _short(t) + f" · {y}" for t, y in zip(rows["label"], rows["year"], strict=True)
    ]
    rows["panel"] = [
        panel_title(m, u) for m, u in zip(rows["measure"], rows["unit"].fillna(""), strict=True)
    ]
    panels = list(dict.fromkeys(rows["panel"]))
    heights = [max(1.2, 0.55 * (rows["panel"] == p).sum() + 0.8) for p in panels]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(11, sum(heights)),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    estimated = False
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        estimated |= _dumbbell_panel(ax, rows[rows["panel"] == panel].reset_index(drop=True))
        ax.set_title(panel, loc="left", fontsize=10)
    handles = [
        Line2D([], [], color="black", lw=2.5, label="目标 target"),
        Patch(facecolor="#bbbbbb", alpha=0.6, label="容差/区间 tolerance or range"),
    ]
    handles += status_legend_handles(sorted(set(rows["status"]), key=STATUS_ORDER.index))
    if estimated:
        handles.append(estimate_handle())
    legend_outside(axes[0, 0], handles)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Overview charts
# --------------------------------------------------------------------------------------------


def plot_attainment_heatmap(
    comparisons: pd.DataFrame, *, max_rows: int = 40, mapped_only: bool = True
) -> plt.Figure:
    """Indicator × year grid, each cell coloured by the status of that year's target.

    By default only registry indicators are shown (unmapped phrases are one-off wordings that
    would crowd out the indicators a reader follows across years).
    """
    rows = comparisons[comparisons["year"].notna()].copy()
    if mapped_only:
        rows = rows[rows["indicator_id"].notna() & (rows["indicator_id"].astype(str) != "")]
    if rows.empty:
        return _empty("No targets to show.")
    rows["label"] = [_short(_label(r), 34) for _, r in rows.iterrows()]
    rows["code"] = rows["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    # One cell per indicator-year: a judged verdict beats "no outcome", and among verdicts the
    # worst wins, so a miss is never hidden behind a second, unjudged target of the same year.
    rows["priority"] = rows["status"].map({s: i for i, s in enumerate(CELL_PRIORITY)})
    rows["year"] = rows["year"].astype(int)
    cells = rows.sort_values("priority").drop_duplicates(["label", "year"])
    grid = cells.pivot(index="label", columns="year", values="code").astype(float)
    order = rows.sort_values(["category", "label"])["label"].drop_duplicates()
    grid = grid.reindex([o for o in order if o in grid.index][:max_rows])
    cmap = ListedColormap([STATUS_COLORS[s] for s in STATUS_ORDER])
    norm = BoundaryNorm(np.arange(-0.5, len(STATUS_ORDER)), cmap.N)
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * grid.shape[1] + 3.5, 0.8 + 0.32 * len(grid)))
    sns.heatmap(grid, cmap=cmap, norm=norm, cbar=False, linewidths=0.5, linecolor="white", ax=ax)
    ax.set_xlabel("目标年份 target year")
    ax.set_ylabel("")
    handles = status_legend_handles([s for s in STATUS_ORDER if s in set(rows["status"])])
    if _mark_estimated_cells(ax, cells, grid):
        handles.append(estimate_handle())
    legend_outside(ax, handles)
    fig.tight_layout()
    return fig


def _mark_estimated_cells(ax, cells: pd.DataFrame, grid: pd.DataFrame) -> bool:
    """A hollow circle on each cell whose verdict rests on an estimate (预计), so a verdict on an
    estimated outcome is told apart from one on a final figure. Returns whether any was drawn."""
    est = cells[estimate_flags(cells, "outcome_kind")]
    est = est[est["label"].isin(grid.index) & est["year"].isin(grid.columns)]
    if est.empty:
        return False
    x = [list(grid.columns).index(y) + 0.5 for y in est["year"]]
    y = [list(grid.index).index(lab) + 0.5 for lab in est["label"]]
    ax.scatter(x, y, s=45, facecolors="none", edgecolors="black", linewidths=1.4, zorder=3)
    return True


def plot_status_counts(comparisons: pd.DataFrame) -> plt.Figure:
    """Stacked bars: how many targets of each year reach each status."""
    if comparisons.empty:
        return _empty("No targets to show.")
    counts = (
        comparisons.groupby(["year", "status"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=[s for s in STATUS_ORDER if s in set(comparisons["status"])])
    )
    fig, ax = plt.subplots(figsize=(8, 3.5))
    counts.plot(
        kind="bar",
        stacked=True,
        ax=ax,
        color=[STATUS_COLORS[s] for s in counts.columns],
        edgecolor="white",
    )
    ax.set_xlabel("目标年份 target year")
    ax.set_ylabel("目标数 targets")
    legend_outside(ax, status_legend_handles(list(counts.columns)))
    ax.tick_params(axis="x", rotation=0)
    fig.tight_layout()
    return fig


def plot_attainment_rates(rates: pd.DataFrame, *, title: str = "") -> plt.Figure:
    """Attainment rate per group with its Wilson interval and n (interval only when n < 5)."""
    rows = rates[rates["n_judged"] > 0].copy()
    if rows.empty:
        return _empty(
            "No judged target yet: no attainment rate can be estimated.\n"
            "尚无可判定的目标，无法估计完成率。"
        )
    rows["label"] = [
        f"{g} (n={n})" for g, n in zip(rows["group"].astype(str), rows["n_judged"], strict=True)
    ]
    fig, ax = plt.subplots(figsize=(9, 1.0 + 0.5 * len(rows)))
    y = np.arange(len(rows))
    lo = rows["ci_low_strict"].astype(float).to_numpy()
    hi = rows["ci_high_strict"].astype(float).to_numpy()
    ax.hlines(y, lo, hi, color="#555555", lw=3, label="95% Wilson 区间 interval")
    rate = rows["rate_strict"].astype(float).to_numpy()
    shown = ~np.isnan(rate)
    ax.scatter(rate[shown], y[shown], color="black", zorder=3, label="完成率 rate (n≥5)")
    ax.set_yticks(y, rows["label"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("完成率 attainment rate (exceeded + met + boundary) / judged")
    legend_outside(ax)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_target_trend(trend: pd.DataFrame, *, title: str = "") -> plt.Figure:
    """Targets set for each year (with their band) against the outcome of that year.

    An outcome that is an estimate (``outcome_kind == "expected"``, a column
    :func:`qzanalysis.stats.target_trend` adds) is hollow. A target listed twice for one year
    with the same value (corpus and reference) is drawn once, the row with an outcome kept.
    """
    if trend.empty:
        return _empty("No targets of this indicator in the corpus or reference.")
    trend = trend.assign(_rank=trend["outcome_value"].isna().astype(int))
    trend = drop_duplicate_goals(
        trend.sort_values("_rank", kind="stable"), ("year", "comparator", "value", "value_high")
    ).sort_values("year", kind="stable")
    fig, ax = plt.subplots(figsize=(8.5, 3.5))
    years = trend["year"].astype(int)
    lo = trend["value"].astype(float)
    hi = trend["value_high"].astype(float).fillna(lo)
    ax.vlines(years, lo, hi, color="black", lw=6, alpha=0.35)
    ax.scatter(
        years,
        trend["midpoint"].astype(float),
        marker="_",
        s=400,
        color="black",
        label="目标 target",
    )
    have = trend["outcome_value"].notna().to_numpy()
    estimated = scatter_outcomes(
        ax,
        years[have],
        trend.loc[have, "outcome_value"].astype(float),
        [STATUS_COLORS.get(s, "#444444") for s in trend.loc[have, "status"]],
        estimate_flags(trend, "outcome_kind")[have],
        label="结果 outcome",
    )
    ax.set_xticks(range(int(years.min()), int(years.max()) + 1))  # every year, gaps visible
    ax.set_xlabel("年份 year")
    unit = trend["unit"].dropna().iloc[0] if trend["unit"].notna().any() else ""
    ax.set_ylabel(unit)
    handles = [Line2D([], [], ls="", marker="_", ms=16, mew=2, color="black", label="目标 target")]
    handles.append(
        Line2D([], [], ls="", marker="o", ms=8, mfc="#888888", mec="black", label="结果 outcome")
    )
    if estimated:
        handles.append(estimate_handle())
    statuses = set(trend.loc[have, "status"].dropna())
    handles += status_legend_handles([s for s in STATUS_ORDER if s in statuses])
    legend_outside(ax, handles)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_trajectory(
    trajectory: pd.DataFrame,
    *,
    target_year: int | None = None,
    target_value: float | None = None,
    title: str = "",
    unit: str = "",
    log: bool | None = None,
    goals=None,
) -> plt.Figure:
    """Observed annual levels, the fitted trend with its prediction band, and the goal(s).

    The trend is labelled with what was fitted (:func:`trend_label`: the frame's ``note``, else
    ``log``). Estimates (``observed_kind == "expected"``) are hollow; the line joins observations
    of consecutive years only. ``goals`` adds (year, value) pairs to ``target_year`` and
    ``target_value``; a goal given twice (same year and value) is drawn once.
    """
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    handles = []
    if "fitted" in trajectory and trajectory["fitted"].notna().any():
        band = ax.fill_between(
            trajectory["year"].astype(int),
            trajectory["pi_lower"].astype(float),
            trajectory["pi_upper"].astype(float),
            color="#92c5de",
            alpha=0.5,
            label="趋势预测区间 trend prediction interval",
        )
        (fit,) = ax.plot(
            trajectory["year"].astype(int),
            trajectory["fitted"].astype(float),
            color="#2166ac",
            lw=1.5,
            ls="--",
            label=trend_label(trajectory, log),
        )
        handles += [band, fit]
    obs = trajectory[trajectory["observed"].notna()]
    connect_consecutive(ax, obs["year"], obs["observed"], color="black", lw=1.5, zorder=2)
    estimated = estimate_flags(obs, "observed_kind")
    scatter_outcomes(ax, obs["year"], obs["observed"], ["black"] * len(obs), estimated, s=40)
    handles.append(Line2D([], [], color="black", marker="o", label="实际 observed"))
    if estimated.any():
        handles.append(estimate_handle())
    pairs = ([(target_year, target_value)] if target_year is not None else []) + list(goals or [])
    marks = pd.DataFrame(
        [(int(y), float(v)) for y, v in pairs if y is not None and v is not None and pd.notna(v)],
        columns=["year", "value"],
    )
    marks = drop_duplicate_goals(marks, ("year", "value"))
    if len(marks):
        star = ax.scatter(
            marks["year"], marks["value"], marker="*", s=250, color="#d73027", zorder=4,
            label="目标 goal",
        )  # fmt: skip
        handles.append(star)
    ax.set_xlabel("年份 year")
    ax.set_ylabel(unit)
    legend_outside(ax, handles)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_coverage(coverage: pd.DataFrame) -> plt.Figure:
    """Targets and outcomes per year, from the corpus and from reference figures."""
    cols = {
        "n_targets": "目标(文件) targets, corpus",
        "n_targets_reference": "目标(参考) targets, reference",
        "n_outcomes": "结果(文件) outcomes, corpus",
        "n_outcomes_reference": "结果(参考) outcomes, reference",
    }
    data = coverage.set_index("year")[list(cols)].rename(columns=cols)
    fig, ax = plt.subplots(figsize=(11, 3.6))
    data.plot(kind="bar", ax=ax, color=["#2166ac", "#92c5de", "#b2182b", "#f4a582"], width=0.8)
    ax.set_xlabel("年份 year")
    ax.set_ylabel("条数 statements")
    ax.tick_params(axis="x", rotation=0)
    legend_outside(ax)
    fig.tight_layout()
    return fig
