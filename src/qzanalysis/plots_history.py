"""Cross-year charts: one indicator's targets and outcomes year by year, and what the corpus
covers (a year × indicator grid).

Call them as :func:`qzanalysis.plots.plot_indicator_history` and
:func:`qzanalysis.plots.plot_coverage_matrix` (re-exported there); they keep the rules of
:mod:`qzanalysis.plots_common`: estimates hollow, legends outside, each goal once, no line across
a missing year.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import schema
from .plots_common import (
    STATUS_COLORS,
    STATUS_ORDER,
    _empty,
    _short,
    connect_consecutive,
    drop_duplicate_goals,
    estimate_handle,
    legend_outside,
    status_legend_handles,
)

#: Chinese name of each measure, for panel titles ("增速 growth (%)").
MEASURE_ZH = {
    "level": "水平",
    "growth": "增速",
    "change": "变化",
    "count": "数量",
    "share": "比重",
    "ratio": "比值",
    "rank": "排名",
    "completion": "完成度",
    "gap": "差距",
}
#: The one colour of outcomes and estimates: the status colours belong to the target bands.
OUTCOME_COLOR = "#333333"
#: Band colour of a target without a status (e.g. a series built before the comparison).
NO_STATUS_COLOR = "#bdbdbd"
#: The last year every history chart reaches, so charts of different indicators line up.
HISTORY_MIN_END = 2026
#: Comparators whose open side points up (at least) or down (at most).
OPEN_UP, OPEN_DOWN = ("ge", "gt"), ("le", "lt")
_TARGET_KEYS = ("measure", "unit", "year", "comparator", "value", "low", "high")
_POINT_KEYS = ("measure", "unit", "year", "series", "value")


def panel_title(measure: str, unit: str) -> str:
    """'增速 growth (%)': the measure in Chinese and English, and the unit when there is one."""
    name = f"{MEASURE_ZH.get(measure, '')} {measure}".strip()
    return f"{name} ({unit})" if unit else name


def _history_frame(series: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """The series with its contract dtypes, from ``first_year`` on, each goal and point once."""
    frame = schema.coerce("indicator_series", series)
    frame = frame[frame["year"].notna() & (frame["year"] >= first_year)].copy()
    frame = frame[frame[["value", "low", "high"]].notna().any(axis=1)]
    frame["unit"] = frame["unit"].fillna("")
    frame["measure"] = frame["measure"].fillna("")
    frame["year"] = frame["year"].astype(int)
    targets = drop_duplicate_goals(frame[frame["series"] == "target"], _TARGET_KEYS)
    points = drop_duplicate_goals(frame[frame["series"] != "target"], _POINT_KEYS)
    return pd.concat([targets, points]).sort_values(["year", "series"], kind="stable")


def _span(sub: pd.DataFrame) -> float:
    """The panel's data range, for arrow lengths and minimal box heights (never 0)."""
    vals = pd.concat([sub["value"], sub["low"], sub["high"]]).dropna().astype(float)
    span = float(vals.max() - vals.min()) if len(vals) else 0.0
    return span or max(abs(float(vals.max())) * 0.2 if len(vals) else 1.0, 1.0)


def _open_side(r: pd.Series) -> int:
    """+1 when the target's open side is up (low only, or 以上/超过), -1 when down, 0 if closed."""
    low, high = pd.notna(r["low"]), pd.notna(r["high"])
    if low and not high:
        return 1
    if high and not low:
        return -1
    if not low and not high:
        comp = r["comparator"] if pd.notna(r["comparator"]) else ""
        return 1 if comp in OPEN_UP else -1 if comp in OPEN_DOWN else 0
    return 0


def _draw_target(ax, r: pd.Series, span: float) -> None:
    """One target: a box from low to high in its status colour (a thin box at a point target),
    the target value as a black tick, an arrow on an open side (≥: up, ≤: down)."""
    status = r["status"] if pd.notna(r["status"]) else None
    color = STATUS_COLORS.get(status, NO_STATUS_COLOR)
    anchor = next(float(v) for v in (r["value"], r["low"], r["high"]) if pd.notna(v))
    lo = float(r["low"]) if pd.notna(r["low"]) else anchor
    hi = float(r["high"]) if pd.notna(r["high"]) else anchor
    thin = 0.04 * span  # a point target still shows its status colour
    if hi - lo < thin:
        lo, hi = (lo + hi) / 2 - thin / 2, (lo + hi) / 2 + thin / 2
    ax.bar(r["year"], hi - lo, bottom=lo, width=0.5, color=color, edgecolor="#555555", lw=0.6)
    side = _open_side(r)
    if side:
        tip = anchor + side * 0.25 * span
        ax.annotate(
            "",
            xy=(r["year"], tip),
            xytext=(r["year"], anchor),
            arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.6},
        )
        ax.update_datalim([(r["year"], tip)])  # annotations do not widen the axes themselves
    if pd.notna(r["value"]):
        ax.plot([r["year"]], [float(r["value"])], ls="", marker="_", ms=22, mew=2.5, color="black")


def _draw_points(ax, sub: pd.DataFrame) -> None:
    """Outcomes filled and joined year to consecutive year; estimates hollow, never joined."""
    out = sub[sub["series"] == "outcome"]
    connect_consecutive(ax, out["year"], out["value"], color=OUTCOME_COLOR, lw=1.4, zorder=4)
    ax.scatter(out["year"], out["value"].astype(float), s=45, color=OUTCOME_COLOR, zorder=5)
    est = sub[sub["series"] == "estimate"]
    ax.scatter(
        est["year"],
        est["value"].astype(float),
        s=45,
        facecolors="none",
        edgecolors=OUTCOME_COLOR,
        linewidths=1.6,
        zorder=5,
    )


def _history_handles(frame: pd.DataFrame) -> list:
    """Legend entries for what the chart shows: target tick, band colours, arrows, points."""
    targets = frame[frame["series"] == "target"]
    handles: list = []
    if len(targets):
        handles.append(
            Line2D([], [], ls="", marker="_", ms=16, mew=2.5, color="black", label="目标值 target")
        )
        statuses = set(targets["status"].dropna())
        handles += status_legend_handles([s for s in STATUS_ORDER if s in statuses])
        if targets["status"].isna().any():
            handles.append(Patch(facecolor=NO_STATUS_COLOR, label="未判定 target, no status"))
        if any(_open_side(r) for _, r in targets.iterrows()):
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="",
                    marker="^",
                    color="#555555",
                    label="开放目标 open side (≥ ↑, ≤ ↓)",
                )
            )
    if (frame["series"] == "outcome").any():
        handles.append(
            Line2D([], [], color=OUTCOME_COLOR, marker="o", label="结果 outcome (filled)")
        )
    if (frame["series"] == "estimate").any():
        handles.append(estimate_handle(OUTCOME_COLOR))
    return handles


def plot_indicator_history(
    series: pd.DataFrame, *, title: str, first_year: int = 2019, last_year: int | None = None
) -> plt.Figure:
    """One indicator year by year: targets as bands, outcomes filled, estimates hollow.

    Args:
        series: rows of the ``indicator_series`` table (:func:`qzanalysis.schema.columns`).
        title: the figure title (the indicator label, Chinese with English gloss).
        first_year: the first year on the x axis; earlier rows are left out.
        last_year: the axis reaches max(last_year, 2026, the last year in the data).

    One panel per (measure, unit), so a growth rate in % never shares an axis with a level in
    亿元. A target is a box from ``low`` to ``high`` coloured by its status, its value a black
    tick; an open side (only low, or 以上) is an arrow. A line joins outcomes of consecutive
    years only; a missing year leaves a gap.
    """
    frame = _history_frame(series, first_year)
    if frame.empty:
        return _empty(f"no data 无数据: {title}")
    end = max(last_year or 0, HISTORY_MIN_END, int(frame["year"].max()))
    years = list(range(first_year, end + 1))
    order = {m: i for i, m in enumerate(schema.MEASURES)}
    panels = sorted(
        dict.fromkeys(zip(frame["measure"], frame["unit"], strict=True)),
        key=lambda p: (order.get(p[0], len(order)), p[1]),
    )
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(max(7.0, 0.6 * len(years) + 4.5), 0.8 + 2.7 * len(panels)),
        squeeze=False,
        sharex=True,
    )
    for ax, (measure, unit) in zip(axes[:, 0], panels, strict=True):
        sub = frame[(frame["measure"] == measure) & (frame["unit"] == unit)]
        span = _span(sub)
        for _, r in sub[sub["series"] == "target"].iterrows():
            _draw_target(ax, r, span)
        _draw_points(ax, sub)
        ax.autoscale_view()
        ax.set_title(panel_title(measure, unit), loc="left", fontsize=10)
        ax.set_ylabel(unit)
    bottom = axes[-1, 0]
    bottom.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 12 else 0)
    bottom.set_xlim(first_year - 0.6, end + 0.6)
    bottom.set_xlabel("年份 year")
    legend_outside(axes[0, 0], _history_handles(frame))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Coverage matrix
# --------------------------------------------------------------------------------------------

#: What a coverage cell can hold, from least to most; each with its colour and Chinese label.
COVERAGE_CELLS = ("target", "outcome", "target and outcome", "judged")
COVERAGE_COLORS = {
    "target": "#92c5de",
    "outcome": "#fdb863",
    "target and outcome": "#8073ac",
    "judged": "#1b7837",
}
COVERAGE_ZH = {
    "target": "仅目标",
    "outcome": "仅结果",
    "target and outcome": "目标与结果",
    "judged": "已判定",
}
#: The legend's English, saying what a lone "target" or "outcome" cell means.
COVERAGE_EN = {
    "target": "target only",
    "outcome": "outcome only",
    "target and outcome": "target and outcome",
    "judged": "judged (verdict)",
}


def combine_cells(values) -> str:
    """One cell from several rows of the same indicator and year: judged beats everything,
    a target and an outcome (separate rows or one) make "target and outcome"."""
    got = set(values)
    if "judged" in got:
        return "judged"
    if "target and outcome" in got or {"target", "outcome"} <= got:
        return "target and outcome"
    return next(c for c in COVERAGE_CELLS if c in got)


def _row_order(cells: pd.DataFrame) -> list[str]:
    """Indicator labels in category order (schema.CATEGORIES) then by label, or by label."""
    labels = cells.drop_duplicates("indicator_label")
    if "category" not in labels:
        return sorted(labels["indicator_label"])
    rank = {c: i for i, c in enumerate(schema.CATEGORIES)}
    keyed = [
        (rank.get(c, len(rank)) if isinstance(c, str) else len(rank), lab)
        for lab, c in zip(labels["indicator_label"], labels["category"], strict=True)
    ]
    return [lab for _, lab in sorted(keyed)]


def coverage_font_size(n_rows: int) -> float:
    """Label size for ``n_rows`` indicators: smaller as the grid grows, never below 6.5 pt (the
    figure grows instead, so labels never overlap)."""
    return 9.0 if n_rows <= 30 else 7.5 if n_rows <= 80 else 6.5


def plot_coverage_matrix(cells: pd.DataFrame) -> plt.Figure:
    """Year × indicator grid of what the corpus covers: target, outcome, both, or judged.

    ``cells``: indicator_label (Chinese + English gloss), year (int), cell (one of
    :data:`COVERAGE_CELLS`), optionally category (rows in category order). Several rows for one
    indicator and year are combined (:func:`combine_cells`). Every year between the first and
    last is a column, so a year with nothing shows as a blank column. The figure grows with the
    number of indicators (row height follows the label font), so 100+ rows stay legible.
    """
    rows = cells[cells["year"].notna() & cells["cell"].isin(COVERAGE_CELLS)].copy()
    if rows.empty:
        return _empty("no data 无数据: the corpus covers no indicator-year.")
    rows["year"] = rows["year"].astype(int)
    merged = rows.groupby(["indicator_label", "year"])["cell"].agg(combine_cells)
    code = {c: i for i, c in enumerate(COVERAGE_CELLS)}
    years = list(range(int(rows["year"].min()), int(rows["year"].max()) + 1))
    grid = merged.map(code).unstack("year").reindex(index=_row_order(rows), columns=years)
    n = len(grid)
    size = coverage_font_size(n)
    row_in = 1.7 * size / 72  # inches per row: the label's height plus spacing
    fig, ax = plt.subplots(figsize=(4.0 + 0.45 * len(years) + 2.2, 1.2 + row_in * n))
    cmap = ListedColormap([COVERAGE_COLORS[c] for c in COVERAGE_CELLS])
    norm = BoundaryNorm(np.arange(-0.5, len(COVERAGE_CELLS)), cmap.N)
    data = np.ma.masked_invalid(grid.to_numpy(dtype=float))
    ax.pcolormesh(data, cmap=cmap, norm=norm, edgecolors="white", linewidth=0.5)
    ax.set_yticks(np.arange(n) + 0.5, [_short(str(lab), 40) for lab in grid.index], fontsize=size)
    ax.set_xticks(np.arange(len(years)) + 0.5, [str(y) for y in years], fontsize=max(size, 7))
    ax.set_xlim(0, len(years))
    ax.set_ylim(n, 0)  # first indicator on top
    ax.tick_params(axis="x", rotation=45 if len(years) > 12 else 0)
    ax.grid(False)
    ax.set_xlabel("年份 year")
    present = set(merged)
    handles = [
        Patch(facecolor=COVERAGE_COLORS[c], label=f"{COVERAGE_ZH[c]} {COVERAGE_EN[c]}")
        for c in COVERAGE_CELLS
        if c in present
    ]
    legend_outside(ax, handles)
    fig.tight_layout()
    return fig
