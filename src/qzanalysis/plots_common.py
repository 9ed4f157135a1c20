"""What every chart of :mod:`qzanalysis.plots` shares: the CJK font, the status palette and the
drawing rules every chart keeps.

Chinese must render: :func:`setup_cjk_font` registers the OFL-licensed Noto Sans SC that the
PyPI package ``pylopdf-fonts-zh-cn`` ships (a static Regular face: matplotlib cannot pick
weights of a variable font, and the first face of the Noto CJK collections is the Japanese one,
which draws 值 as 値). It runs on import.

The rules (helpers below): an estimate (预计/有望) is a hollow marker with its own legend entry;
a legend sits outside the axes; the same goal is drawn once; a line joins consecutive years only.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)  # headless by default; notebooks switch to inline themselves

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
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


set_theme()  # on import, so every chart module gets the font


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
    """One coloured patch per status, labelled "中文 english"."""
    return [Patch(facecolor=STATUS_COLORS[s], label=f"{STATUS_ZH[s]} {s}") for s in statuses]


# --------------------------------------------------------------------------------------------
# Rules shared by every chart: estimates hollow, legends outside, goals once, gaps kept
# --------------------------------------------------------------------------------------------

ESTIMATE_LABEL = "estimate 预计 (hollow)"
#: Values that mark an estimate: ``expected`` in kind columns, ``estimate`` in ``series``.
ESTIMATE_KINDS = ("expected", "estimate")


def is_estimate(kinds) -> np.ndarray:
    """Boolean array: True where a kind (or series) value says the figure is an estimate."""
    flags = pd.Series(list(kinds), dtype="object").isin(ESTIMATE_KINDS)
    return flags.to_numpy(dtype=bool)


def estimate_flags(frame: pd.DataFrame, column: str) -> np.ndarray:
    """:func:`is_estimate` of ``frame[column]``; all False when the frame has no such column."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return is_estimate(frame[column])


def estimate_handle(color: str = "black") -> Line2D:
    """Legend entry of a hollow estimate marker."""
    return Line2D(
        [],
        [],
        ls="",
        marker="o",
        markersize=8,
        markerfacecolor="none",
        markeredgecolor=color,
        markeredgewidth=1.6,
        label=ESTIMATE_LABEL,
    )


def scatter_outcomes(ax, x, y, colors, estimate, *, s: float = 70, label: str = "") -> bool:
    """Outcomes as filled markers (black edge), estimates hollow with an edge in their colour.

    Returns whether any estimate was drawn, so the caller adds the estimate legend entry.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    colors, estimate = np.asarray(list(colors), dtype=object), np.asarray(estimate, dtype=bool)
    final = ~estimate
    if final.any():
        ax.scatter(
            x[final],
            y[final],
            s=s,
            c=list(colors[final]),
            edgecolors="black",
            zorder=3,
            label=label,
        )
    if estimate.any():
        ax.scatter(
            x[estimate],
            y[estimate],
            s=s,
            facecolors="none",
            edgecolors=list(colors[estimate]),
            linewidths=2,
            zorder=3,
            label=ESTIMATE_LABEL,
        )
    return bool(estimate.any())


def legend_outside(ax, handles=None, **kwargs):
    """A legend to the right of ``ax``, outside it, so it never covers a data point.

    ``tight_layout`` counts an axes legend, so the axes shrink to make room for it.
    """
    opts = {
        "loc": "upper left",
        "bbox_to_anchor": (1.02, 1.0),
        "borderaxespad": 0.0,
        "fontsize": 8,
        "frameon": False,
    }
    opts.update(kwargs)
    if handles is None:
        return ax.legend(**opts)
    return ax.legend(handles=handles, **opts)


def drop_duplicate_goals(frame: pd.DataFrame, keys) -> pd.DataFrame:
    """One row per goal: rows equal on ``keys`` (those present) are drawn once, the first kept.

    Numbers are compared rounded to 9 decimals, so 7.0 and 7.0000000001 are one goal; NA equals NA.
    """
    present = [k for k in keys if k in frame.columns]
    if not present or frame.empty:
        return frame
    key = pd.DataFrame(index=frame.index)
    for k in present:
        col = frame[k]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        key[k] = pd.to_numeric(col).astype(float).round(9) if numeric else col.astype("object")
    return frame[~key.duplicated()]


def connect_consecutive(ax, years, values, **kwargs):
    """A line through values of consecutive years only: a missing year breaks the line.

    The series is reindexed to every year between its first and last, so a missing year is NaN
    and matplotlib leaves a gap there. A year given twice uses its first value.
    """
    series = pd.Series(np.asarray(values, dtype=float), index=np.asarray(years, dtype=int)).dropna()
    series = series[~series.index.duplicated()].sort_index()
    if series.empty:
        return None
    full = series.reindex(range(int(series.index.min()), int(series.index.max()) + 1))
    (line,) = ax.plot(full.index.to_numpy(), full.to_numpy(dtype=float), **kwargs)
    return line
