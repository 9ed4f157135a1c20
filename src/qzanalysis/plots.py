"""Plots for the reports (seaborn/matplotlib), each returning its Figure.

Chinese must render: :func:`setup_cjk_font` registers the OFL-licensed Noto Sans SC that the
PyPI package ``pylopdf-fonts-zh-cn`` ships (a static Regular face: matplotlib cannot pick
weights of a variable font, and the first face of the Noto CJK collections is the Japanese one,
which draws 值 as 値). It runs on import, so ``from qzanalysis import plots`` is enough.

Every function takes the DataFrames that :mod:`qzanalysis.compare` and :mod:`qzanalysis.stats`
return, and labels indicators as "中文 (English)".
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)  # headless by default; notebooks switch to inline themselves

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .schema import STATUS_ZH, STATUSES  # noqa: E402

CJK_FAMILY = "Noto Sans SC"

#: Status vocabulary (methods.md §3) in reading order, from the schema; the colour each is drawn in.
STATUS_ORDER = STATUSES
STATUS_COLORS = {
    "exceeded": "#1b7837",
    "met": "#5aae61",
    "boundary": "#a6dba0",
    "narrow_miss": "#fdb863",
    "missed": "#d73027",
    "not_yet_due": "#92c5de",
    "no_outcome": "#e0e0e0",
    "not_comparable": "#9e9e9e",
}
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


def cjk_font_path() -> Path:
    """Path of the shipped Noto Sans SC font file."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


def setup_cjk_font() -> str:
    """Register Noto Sans SC with matplotlib and make it the default sans-serif (idempotent)."""
    if not any(f.name == CJK_FAMILY for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(cjk_font_path()))
    sans = [CJK_FAMILY] + [f for f in matplotlib.rcParams["font.sans-serif"] if f != CJK_FAMILY]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = sans
    # Noto Sans SC has no U+2212 MINUS SIGN: use the ASCII hyphen for negative tick labels.
    matplotlib.rcParams["axes.unicode_minus"] = False
    return CJK_FAMILY


def set_theme() -> None:
    """seaborn's theme with the CJK font kept (sns.set_theme resets the font family)."""
    sns.set_theme(
        style="whitegrid",
        context="notebook",
        font=CJK_FAMILY,
        rc={"axes.unicode_minus": False, "figure.dpi": 100},
    )
    setup_cjk_font()


set_theme()


def _label(row: pd.Series) -> str:
    label = row.get("indicator_label")
    if isinstance(label, str) and label:
        return label
    return str(row.get("indicator_text") or row.get("indicator_id") or "?")


def _short(text: str, width: int = 28) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _empty(message: str, figsize=(7, 1.6)) -> plt.Figure:
    fig, ax = plt.subplots(figsize=figsize)
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, wrap=True)
    return fig


def status_legend_handles(statuses=STATUS_ORDER) -> list[Patch]:
    return [Patch(facecolor=STATUS_COLORS[s], label=f"{STATUS_ZH[s]} {s}") for s in statuses]


# --------------------------------------------------------------------------------------------
# Target against outcome
# --------------------------------------------------------------------------------------------


def plot_target_vs_outcome(comparisons: pd.DataFrame, *, title: str | None = None) -> plt.Figure:
    """Dumbbell chart: each judged target (bar: target, band for 左右/ranges) and its outcome (dot,
    coloured by status), one panel per unit so levels and rates are never on one axis."""
    rows = comparisons[comparisons["outcome_value"].notna()].copy()
    if rows.empty:
        return _empty(
            "No target of this selection has an outcome to compare with.\n"
            "本选择中没有可与结果比较的目标。"
        )
    rows["label"] = [_short(_label(r)) + f" · {r['year']}" for _, r in rows.iterrows()]
    rows["panel"] = [
        f"{m} ({u})" if u else m
        for m, u in zip(rows["measure"], rows["unit"].fillna(""), strict=True)
    ]
    panels = list(dict.fromkeys(rows["panel"]))
    heights = [max(1.2, 0.55 * (rows["panel"] == p).sum() + 0.8) for p in panels]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(9, sum(heights)),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        sub = rows[rows["panel"] == panel].reset_index(drop=True)
        y = np.arange(len(sub))
        for i, r in sub.iterrows():
            target = float(r["threshold"]) if pd.notna(r.get("threshold")) else float(r["value"])
            lo = hi = target
            if r["comparator"] == "approx" and pd.notna(r.get("tolerance")):
                lo, hi = target - float(r["tolerance"]), target + float(r["tolerance"])
            elif r["comparator"] == "range" and pd.notna(r.get("value_high")):
                lo, hi = float(r["value"]), float(r["value_high"])
            if hi > lo:
                ax.fill_betweenx([i - 0.25, i + 0.25], lo, hi, color="#bbbbbb", alpha=0.6, lw=0)
            ax.plot([target, target], [i - 0.3, i + 0.3], color="black", lw=2.5)
            outcome = float(r["outcome_value"])
            ax.plot([target, outcome], [i, i], color="#777777", lw=1, zorder=1)
            ax.scatter(
                [outcome],
                [i],
                s=80,
                color=STATUS_COLORS.get(r["status"], "#444444"),
                edgecolor="black",
                zorder=3,
            )
        ax.set_yticks(y, sub["label"])
        ax.invert_yaxis()
        ax.set_title(panel, loc="left", fontsize=10)
        ax.margins(x=0.15)
    handles = [
        plt.Line2D([], [], color="black", lw=2.5, label="目标 target"),
        Patch(facecolor="#bbbbbb", alpha=0.6, label="容差/区间 tolerance or range"),
    ]
    handles += status_legend_handles(sorted(set(rows["status"]), key=STATUS_ORDER.index))
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=3,
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, -0.02 - 0.03 * math.ceil(len(handles) / 3)),
    )
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
    present = [s for s in STATUS_ORDER if s in set(rows["status"])]
    ax.legend(
        handles=status_legend_handles(present),
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout()
    return fig


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
    ax.legend(
        handles=status_legend_handles(list(counts.columns)),
        fontsize=8,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
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
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.5 * len(rows)))
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
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_target_trend(trend: pd.DataFrame, *, title: str = "") -> plt.Figure:
    """Targets set for each year (with their band) against the outcome of that year."""
    if trend.empty:
        return _empty("No targets of this indicator in the corpus or reference.")
    fig, ax = plt.subplots(figsize=(7, 3.5))
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
    have = trend["outcome_value"].notna()
    ax.scatter(
        years[have],
        trend.loc[have, "outcome_value"].astype(float),
        s=70,
        zorder=3,
        color=[STATUS_COLORS.get(s, "#444444") for s in trend.loc[have, "status"]],
        edgecolor="black",
        label="结果 outcome",
    )
    ax.set_xticks(sorted(set(years)))
    ax.set_xlabel("年份 year")
    unit = trend["unit"].dropna().iloc[0] if trend["unit"].notna().any() else ""
    ax.set_ylabel(unit)
    ax.legend(fontsize=8, frameon=False)
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
) -> plt.Figure:
    """Observed annual levels, the fitted log-linear trend with its prediction band, and the goal."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    if "fitted" in trajectory and trajectory["fitted"].notna().any():
        ax.fill_between(
            trajectory["year"].astype(int),
            trajectory["pi_lower"].astype(float),
            trajectory["pi_upper"].astype(float),
            color="#92c5de",
            alpha=0.5,
            label="趋势预测区间 trend prediction interval",
        )
        ax.plot(
            trajectory["year"].astype(int),
            trajectory["fitted"].astype(float),
            color="#2166ac",
            lw=1.5,
            ls="--",
            label="对数线性趋势 log-linear trend",
        )
    obs = trajectory[trajectory["observed"].notna()]
    ax.plot(
        obs["year"].astype(int),
        obs["observed"].astype(float),
        marker="o",
        color="black",
        label="实际 observed",
    )
    if target_year is not None and target_value is not None:
        ax.scatter(
            [target_year],
            [target_value],
            marker="*",
            s=250,
            color="#d73027",
            zorder=4,
            label="目标 goal",
        )
    ax.set_xlabel("年份 year")
    ax.set_ylabel(unit)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
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
    fig, ax = plt.subplots(figsize=(9, 3.6))
    data.plot(kind="bar", ax=ax, color=["#2166ac", "#92c5de", "#b2182b", "#f4a582"], width=0.8)
    ax.set_xlabel("年份 year")
    ax.set_ylabel("条数 statements")
    ax.tick_params(axis="x", rotation=0)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
