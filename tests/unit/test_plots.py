"""The plots: Chinese renders, and the drawing rules every chart keeps.

Glyphs: each ``plot_*`` function of :mod:`qzanalysis.plots` draws real data (``pipeline.analyse()``
on the shipped corpus, the same inputs the notebooks use) through the Agg canvas, and any
matplotlib "Glyph ... missing from font(s)" warning fails the test. A control test proves the
detector catches such a warning, so a silent pass means the glyphs really are there.

Rules (hand-built frames, Agg): estimates hollow and outcomes filled, legends outside the axes
and off every data point, the trend labelled with what was fitted, a goal drawn once, no line
across a missing year, one panel per (measure, unit), a coverage grid that stays legible.
"""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Rectangle

from qzanalysis import plots, plots_history, stats
from qzanalysis.pipeline import analyse

CHINESE_TITLE = "衢州市地区生产总值增长值 目标与实际"


def _glyph_warnings(caught) -> list[str]:
    """Warnings that say a glyph is missing (matplotlib: 'Glyph 20540 (...) missing from font(s) ...')."""
    messages = [str(w.message) for w in caught]
    return [m for m in messages if "glyph" in m.lower() or "missing" in m.lower()]


def _draw(fig) -> list[str]:
    """Render ``fig`` with Agg (where text is laid out glyph by glyph) and return glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plots.plt.close(fig)
    return _glyph_warnings(caught)


@pytest.fixture(scope="module")
def analysis():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unmapped reference phrases: not this module's concern
        return analyse()


def _figures(a) -> dict[str, object]:
    """One figure per plot_* function, each from the real analysis, each with a Chinese title."""
    cmp_all = a.comparisons
    judged = cmp_all[cmp_all["outcome_value"].notna()]
    assert not judged.empty, "the shipped corpus has judged targets: the dumbbell chart needs them"
    rates = stats.attainment_table(cmp_all)
    trend = stats.target_trend(a.statements, a.reference, "gdp", "growth", comparisons=cmp_all)
    assert len(trend) >= 2, "GDP growth targets of several years are in the corpus and reference"
    goal = a.tracking[a.tracking["indicator_id"] == "gdp"].iloc[0]
    traj = a.trajectory("gdp", unit=goal["unit"], until=int(goal["target_year"]), log=True)
    assert traj["observed"].notna().sum() >= 2
    figs = {
        "plot_target_vs_outcome": plots.plot_target_vs_outcome(judged, title=CHINESE_TITLE),
        "plot_attainment_heatmap": plots.plot_attainment_heatmap(cmp_all),
        "plot_status_counts": plots.plot_status_counts(cmp_all),
        "plot_attainment_rates": plots.plot_attainment_rates(
            rates[rates["grouping"].isin(["all", "year", "category"])], title=CHINESE_TITLE
        ),
        "plot_target_trend": plots.plot_target_trend(
            trend, title=f"{a.registry.label('gdp')} 增长目标"
        ),
        "plot_trajectory": plots.plot_trajectory(
            traj,
            target_year=int(goal["target_year"]),
            target_value=float(goal["target_value"]),
            title=a.registry.label("gdp"),
            unit=str(goal["unit"]),
        ),
        "plot_coverage": plots.plot_coverage(a.coverage),
        # no pipeline table feeds these two yet: hand-built frames in their contract shape
        "plot_indicator_history": plots.plot_indicator_history(
            _history_rows(), title=a.registry.label("gdp")
        ),
        "plot_coverage_matrix": plots.plot_coverage_matrix(
            pd.DataFrame(
                {
                    "indicator_label": [a.registry.label("gdp")] * 2 + ["人均预期寿命 (Life)"],
                    "year": [2020, 2021, 2025],
                    "cell": ["judged", "outcome", "target"],
                }
            )
        ),
    }
    return figs


def _texts(fig) -> list[str]:
    """Every string drawn on a figure (titles, tick labels, legends, suptitle)."""
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def test_every_plot_function_draws_chinese_without_missing_glyphs(analysis):
    figs = _figures(analysis)
    public = {  # plots re-exports the charts of qzanalysis.plots_history
        n
        for n, f in inspect.getmembers(plots, inspect.isfunction)
        if n.startswith("plot_") and f.__module__.startswith(plots.__name__)
    }
    assert public == set(figs), f"plot functions without a glyph test: {sorted(public - set(figs))}"
    for name, fig in figs.items():
        drawn = "".join(_texts(fig))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in drawn), f"{name} draws no Chinese text"
        problems = _draw(fig)
        assert not problems, f"{name}: {problems}"


def test_empty_selection_message_draws_without_missing_glyphs(analysis):
    none = analysis.comparisons.iloc[0:0]
    for fig in (
        plots.plot_target_vs_outcome(none),
        plots.plot_attainment_rates(stats.attainment_table(none)),
    ):
        assert any("目标" in t or "完成率" in t for t in _texts(fig))
        assert not _draw(fig)


def test_the_detector_catches_a_missing_glyph():
    """Control: a code point no font has, and a Chinese character in a Latin-only font, do warn."""
    fig, ax = plots.plt.subplots()
    ax.set_title("\u0378")  # unassigned in Unicode: no font has it
    assert _draw(fig), (
        "matplotlib no longer warns about missing glyphs: the tests above prove nothing"
    )
    fig, ax = plots.plt.subplots()
    ax.set_title("值", fontfamily="DejaVu Sans")  # matplotlib's bundled font has no CJK
    problems = _draw(fig)
    assert problems and "DejaVu Sans" in problems[0]


def test_setup_cjk_font_is_idempotent_and_first_in_sans_serif():
    before = [f for f in font_manager.fontManager.ttflist if f.name == plots.CJK_FAMILY]
    assert plots.setup_cjk_font() == plots.CJK_FAMILY
    assert plots.setup_cjk_font() == plots.CJK_FAMILY
    after = [f for f in font_manager.fontManager.ttflist if f.name == plots.CJK_FAMILY]
    assert len(after) == len(before) == 1, "the font is registered once, however often setup runs"
    sans = matplotlib.rcParams["font.sans-serif"]
    assert sans[0] == "Noto Sans SC"
    assert sans.count("Noto Sans SC") == 1
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False  # Noto Sans SC has no U+2212


def test_shipped_font_file_exists_and_is_simplified_chinese():
    path = plots.cjk_font_path()
    assert path.is_file(), f"{path} is missing: reinstall pylopdf-fonts-zh-cn"
    assert path.stat().st_size > 1_000_000
    font = FT2Font(str(path))
    assert font.family_name == "Noto Sans SC"
    for ch in "值衢州增长亿元":
        assert font.get_char_index(ord(ch)) != 0, f"{ch} is not in {path}"


def test_zhi_is_drawn_with_the_sc_face():
    """值 comes from Noto Sans SC (not a Japanese face, which draws it as 値)."""
    shipped = Path(plots.cjk_font_path()).resolve()
    assert (
        Path(font_manager.findfont("Noto Sans SC", fallback_to_default=False)).resolve() == shipped
    )
    # The default sans-serif text: the first font of matplotlib's fallback chain that has 值.
    chain = font_manager.fontManager._find_fonts_by_props(FontProperties(family=["sans-serif"]))
    first = next(p for p in chain if FT2Font(str(p)).get_char_index(ord("值")) != 0)
    assert Path(first).resolve() == shipped
    assert Path(chain[0]).resolve() == shipped


def test_seaborn_theme_keeps_the_cjk_font():
    plots.set_theme()
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans SC"
    fig, ax = plots.plt.subplots()
    pd.Series([1, 2], index=["目标", "结果"]).plot(kind="bar", ax=ax)
    ax.set_title("值")
    assert not _draw(fig)


# --------------------------------------------------------------------------------------------
# Drawing rules, on hand-built frames
# --------------------------------------------------------------------------------------------


def _history_rows(extra: list[dict] | None = None) -> pd.DataFrame:
    """An indicator_series frame: GDP growth (%) and level (亿元), with a gap year (2022 growth),
    an estimate (2025), a duplicated 2020 target, open-ended targets (ge, le)."""
    rows = [
        dict(year=2020, series="target", measure="growth", unit="%", value=7.0, low=6.8, high=7.2,
             comparator="approx", status="missed"),
        dict(year=2020, series="target", measure="growth", unit="%", value=7.0, low=6.8, high=7.2,
             comparator="approx", status="missed"),  # the same goal again: drawn once
        dict(year=2020, series="outcome", measure="growth", unit="%", value=3.5),
        dict(year=2021, series="outcome", measure="growth", unit="%", value=8.7),
        dict(year=2023, series="outcome", measure="growth", unit="%", value=6.2),
        dict(year=2024, series="outcome", measure="growth", unit="%", value=5.9),
        dict(year=2025, series="estimate", measure="growth", unit="%", value=5.5),
        dict(year=2026, series="target", measure="growth", unit="%", value=5.5, low=5.5, high=6.0,
             comparator="range"),
        dict(year=2026, series="target", measure="level", unit="亿元", value=2800.0, low=2800.0,
             comparator="gt", status="not_yet_due"),
        dict(year=2024, series="target", measure="level", unit="亿元", value=2300.0, high=2300.0,
             comparator="le", status="met"),
        dict(year=2021, series="outcome", measure="level", unit="亿元", value=1876.0),
        dict(year=2022, series="outcome", measure="level", unit="亿元", value=2003.4),
    ]  # fmt: skip
    frame = pd.DataFrame(rows + (extra or []))
    frame["indicator_id"] = "gdp"
    return frame


def _trajectory(note: str = "OLS on ln level, 4 points; 80% prediction interval"):
    """A trajectory frame: observed 2019, 2020, 2022 (2021 missing), 2023 an estimate."""
    years = [2019, 2020, 2021, 2022, 2023, 2024]
    observed = [100.0, 110.0, None, 133.1, 146.4, None]
    kinds = ["outcome", "outcome", None, "outcome", "expected", None]
    fitted = [100.0 * 1.1 ** (y - 2019) for y in years]
    return pd.DataFrame(
        {
            "indicator_id": "gdp",
            "year": pd.array(years, dtype="Int64"),
            "observed": pd.array(observed, dtype="Float64"),
            "observed_kind": pd.array(kinds, dtype="string"),
            "fitted": fitted,
            "pi_lower": [f * 0.9 for f in fitted],
            "pi_upper": [f * 1.1 for f in fitted],
            "n_points": 4,
            "note": note,
        }
    )


def _comparisons() -> pd.DataFrame:
    """Judged targets: GDP growth 2020 twice (corpus and reference: one goal), a 2021 target
    whose outcome is an estimate, and a level target in another unit."""
    base = dict(
        indicator_id="gdp", indicator_label="地区生产总值 (GDP)", category="economy",
        measure="growth", unit="%", comparator="approx", value=7.0, value_high=None,
        tolerance=0.2, threshold=7.0, year=2020, outcome_value=3.5, outcome_kind="outcome",
        status="missed", target_origin="corpus",
    )  # fmt: skip
    rows = [
        base,
        {**base, "target_origin": "reference"},
        {**base, "year": 2021, "value": 8.0, "threshold": 8.0, "outcome_value": 8.5,
         "outcome_kind": "expected", "status": "exceeded"},
        {**base, "indicator_id": "gdp_level", "indicator_label": "地区生产总值 (GDP level)",
         "measure": "level", "unit": "亿元", "comparator": "ge", "value": 1800.0,
         "threshold": 1800.0, "tolerance": None, "outcome_value": 1876.0, "status": "exceeded"},
    ]  # fmt: skip
    return pd.DataFrame(rows).astype({"year": "Int64", "value_high": "Float64"})


def _is_hollow(coll) -> bool:
    """A scatter with no face: matplotlib stores facecolors 'none' as an empty array (or alpha 0)."""
    faces = coll.get_facecolors()
    return len(faces) == 0 or bool((faces[:, 3] == 0).all())


def _scatters(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets())]


def _legend_texts(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for leg in legends for t in leg.get_texts()]


def _data_points(ax) -> np.ndarray:
    """Display coordinates of every scatter point, line vertex and bar corner of ``ax``."""
    pts = [np.empty((0, 2))]
    for coll in _scatters(ax):
        pts.append(coll.get_offset_transform().transform(np.asarray(coll.get_offsets())))
    for line in ax.lines:
        xy = np.asarray(line.get_xydata(), dtype=float)
        pts.append(line.get_transform().transform(xy[np.isfinite(xy).all(axis=1)]))
    for patch in ax.patches:
        if isinstance(patch, Rectangle):
            corners = patch.get_bbox().get_points()
            pts.append(patch.get_transform().transform(corners))
    return np.vstack(pts)


def _segment_year_steps(line) -> list[float]:
    """Year steps of the drawn segments of ``line`` (pairs of consecutive finite vertices)."""
    xy = np.asarray(line.get_xydata(), dtype=float)
    ok = np.isfinite(xy).all(axis=1)
    return [xy[i + 1, 0] - xy[i, 0] for i in range(len(xy) - 1) if ok[i] and ok[i + 1]]


def test_trajectory_estimate_is_hollow_and_outcomes_filled():
    fig = plots.plot_trajectory(_trajectory(), target_year=2026, target_value=200.0)
    ax = fig.axes[0]
    points = [c for c in _scatters(ax) if c.get_label() != "目标 goal"]
    hollow = [c for c in points if _is_hollow(c)]
    filled = [c for c in points if not _is_hollow(c)]
    # the frame has 3 outcomes (2019, 2020, 2022) and one estimate (2023, 146.4)
    assert [len(c.get_offsets()) for c in filled] == [3]
    assert len(hollow) == 1 and hollow[0].get_offsets().tolist() == [[2023.0, 146.4]]
    assert plots.ESTIMATE_LABEL == "estimate 预计 (hollow)"
    assert plots.ESTIMATE_LABEL in _legend_texts(fig)
    plots.plt.close(fig)


def test_no_estimate_means_no_estimate_legend_entry():
    traj = _trajectory().assign(observed_kind=pd.array(["outcome"] * 6, dtype="string"))
    fig = plots.plot_trajectory(traj)
    assert plots.ESTIMATE_LABEL not in _legend_texts(fig)
    assert not any(_is_hollow(c) for c in _scatters(fig.axes[0]))
    plots.plt.close(fig)


@pytest.mark.parametrize(
    "note, log, expected",
    [
        ("OLS on ln level, 4 points; 80% prediction interval", None, "log-linear"),
        ("OLS on level, 4 points; 80% prediction interval", None, "linear trend"),
        ("OLS on level, 4 points; 80% prediction interval", True, "linear trend"),  # frame wins
        ("", True, "log-linear"),
        ("", False, "linear trend"),
        ("", None, "趋势 trend (OLS)"),
    ],
)
def test_trend_label_says_what_was_fitted(note, log, expected):
    fig = plots.plot_trajectory(_trajectory(note), log=log)
    labels = [t for t in _legend_texts(fig) if "trend" in t and "interval" not in t]
    assert len(labels) == 1 and expected in labels[0]
    if expected == "linear trend":
        assert "log" not in labels[0]
    plots.plt.close(fig)


def test_trajectory_line_never_crosses_a_missing_year():
    fig = plots.plot_trajectory(_trajectory())
    observed = [ln for ln in fig.axes[0].lines if ln.get_color() == "black"]
    assert observed, "the observed line is drawn"
    # 2021 is missing: segments 2019-2020 and 2022-2023 only, each one year long
    steps = [s for ln in observed for s in _segment_year_steps(ln)]
    assert steps == [1.0, 1.0]
    plots.plt.close(fig)


def test_trajectory_goal_given_twice_is_drawn_once():
    fig = plots.plot_trajectory(
        _trajectory(), target_year=2026, target_value=200.0, goals=[(2026, 200.0), (2026, 200)]
    )
    stars = [c for c in _scatters(fig.axes[0]) if c.get_label() == "目标 goal"]
    assert [c.get_offsets().tolist() for c in stars] == [[[2026.0, 200.0]]]
    plots.plt.close(fig)


def test_target_vs_outcome_estimates_hollow_and_duplicate_goal_once():
    fig = plots.plot_target_vs_outcome(_comparisons())
    growth, level = fig.axes[:2]
    # 2020 GDP growth is listed twice (corpus, reference): one row; 2021 is the second row
    labels = [t.get_text() for t in growth.get_yticklabels()]
    assert labels == ["地区生产总值 (GDP) · 2020", "地区生产总值 (GDP) · 2021"]
    hollow = [c for c in _scatters(growth) if _is_hollow(c)]
    filled = [c for c in _scatters(growth) if not _is_hollow(c)]
    assert [c.get_offsets().tolist() for c in hollow] == [[[8.5, 1.0]]]  # 2021: an estimate
    assert [c.get_offsets().tolist() for c in filled] == [[[3.5, 0.0]]]
    assert all(not _is_hollow(c) for c in _scatters(level))
    assert plots.ESTIMATE_LABEL in _legend_texts(fig)
    plots.plt.close(fig)


def test_target_trend_hollow_estimate_and_one_goal_per_year_and_value():
    trend = pd.DataFrame(
        {
            "year": pd.array([2020, 2020, 2021, 2023], dtype="Int64"),
            "comparator": ["approx", "approx", "approx", "range"],
            "value": [7.0, 7.0, 7.5, 5.5],
            "value_high": pd.array([None, None, None, 6.0], dtype="Float64"),
            "midpoint": [7.0, 7.0, 7.5, 5.75],
            "unit": "%",
            "outcome_value": pd.array([3.5, None, 7.9, None], dtype="Float64"),
            "status": ["missed", "no_outcome", "met", "not_yet_due"],
            "outcome_kind": pd.array(["outcome", None, "expected", None], dtype="string"),
        }
    )
    fig = plots.plot_target_trend(trend, title="增长目标")
    ax = fig.axes[0]
    ticks = [c for c in _scatters(ax) if c.get_label() == "目标 target"]
    assert len(ticks[0].get_offsets()) == 3  # 2020 (once), 2021, 2023
    hollow = [c.get_offsets().tolist() for c in _scatters(ax) if _is_hollow(c)]
    assert hollow == [[[2021.0, 7.9]]]
    filled = [c for c in _scatters(ax) if c.get_label() == "结果 outcome"]
    assert filled[0].get_offsets().tolist() == [[2020.0, 3.5]]  # the row with the outcome kept
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2020", "2021", "2022", "2023"]
    plots.plt.close(fig)


def test_heatmap_marks_a_verdict_on_an_estimate_hollow():
    fig = plots.plot_attainment_heatmap(_comparisons())
    ax = fig.axes[0]
    hollow = [c for c in _scatters(ax) if _is_hollow(c)]
    # the estimate is GDP growth 2021: column 2021 (second, centre x = 1.5), row of its label
    row = [t.get_text() for t in ax.get_yticklabels()].index("地区生产总值 (GDP)")
    assert [c.get_offsets().tolist() for c in hollow] == [[[1.5, row + 0.5]]]
    assert plots.ESTIMATE_LABEL in _legend_texts(fig)
    plots.plt.close(fig)


def _rule_figures() -> dict[str, object]:
    """One representative figure per chart, with points near every corner of the axes."""
    cmp = _comparisons()
    rates = stats.attainment_table(cmp)
    coverage = pd.DataFrame(
        {
            "year": [2019, 2020, 2021],
            "n_targets": [0, 60, 5],
            "n_targets_reference": [0, 6, 1],
            "n_outcomes": [100, 11, 2],
            "n_outcomes_reference": [1, 9, 16],
        }
    )
    cells = pd.DataFrame(
        {
            "indicator_label": ["地区生产总值 (GDP)", "人均预期寿命 (Life expectancy)"] * 2,
            "year": [2019, 2019, 2026, 2026],
            "cell": ["judged", "target", "outcome", "target and outcome"],
        }
    )
    return {
        "trajectory": plots.plot_trajectory(_trajectory(), target_year=2019, target_value=160.0),
        "target_vs_outcome": plots.plot_target_vs_outcome(cmp, title="目标与结果"),
        "heatmap": plots.plot_attainment_heatmap(cmp),
        "status_counts": plots.plot_status_counts(cmp),
        "attainment_rates": plots.plot_attainment_rates(rates),
        "coverage": plots.plot_coverage(coverage),
        "indicator_history": plots.plot_indicator_history(_history_rows(), title="地区生产总值"),
        "coverage_matrix": plots.plot_coverage_matrix(cells),
    }


def _legend_problems(fig) -> list[str]:
    """Why a figure's legends are misplaced: none, over an axes, over a data point, cut off."""
    fig.canvas.draw()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    problems = [] if legends else ["no legend"]
    for leg in legends:
        box = leg.get_window_extent()
        for ax in fig.axes:
            if box.overlaps(ax.get_window_extent()):
                problems.append("legend overlaps an axes")
            points = _data_points(ax)
            inside = (
                (points[:, 0] >= box.x0)
                & (points[:, 0] <= box.x1)
                & (points[:, 1] >= box.y0)
                & (points[:, 1] <= box.y1)
            )
            if inside.any():
                problems.append(f"legend covers data points {points[inside][:3].tolist()}")
        # tight_layout made room for it: the legend is inside the figure, not cut off
        if box.x1 > fig.bbox.x1 + 1 or box.y0 < fig.bbox.y0 - 1:
            problems.append("legend outside the figure")
    return problems


def test_every_legend_sits_outside_the_axes_and_off_every_point():
    for name, fig in _rule_figures().items():
        assert _legend_problems(fig) == [], name
        plots.plt.close(fig)


def test_the_legend_check_catches_a_legend_over_the_data():
    """Control: the old placement (inside, upper left, over a point there) is caught."""
    fig, ax = plots.plt.subplots()
    ax.plot([0, 1], [1, 0], marker="o", label="实际 observed")
    ax.legend(loc="upper left")
    problems = _legend_problems(fig)
    assert "legend overlaps an axes" in problems
    assert any(p.startswith("legend covers data points") for p in problems)
    plots.plt.close(fig)


def test_history_one_panel_per_measure_and_unit():
    extra = [dict(year=2022, series="outcome", measure="level", unit="万元", value=9.1)]
    fig = plots.plot_indicator_history(_history_rows(extra), title="地区生产总值 (GDP)")
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    # panels in schema.MEASURES order (level before growth), then by unit
    assert titles == ["水平 level (万元)", "水平 level (亿元)", "增速 growth (%)"]
    assert fig.get_suptitle() == "地区生产总值 (GDP)"
    plots.plt.close(fig)


def test_history_outcomes_filled_estimates_hollow_and_no_line_across_a_gap():
    fig = plots.plot_indicator_history(_history_rows(), title="GDP")
    growth = fig.axes[1]
    filled = [c for c in _scatters(growth) if not _is_hollow(c)]
    hollow = [c for c in _scatters(growth) if _is_hollow(c)]
    assert [c.get_offsets().tolist() for c in hollow] == [[[2025.0, 5.5]]]
    assert sorted(x for c in filled for x, _ in c.get_offsets().tolist()) == [
        2020,
        2021,
        2023,
        2024,
    ]
    joined = [ln for ln in growth.lines if ln.get_color() == plots_history.OUTCOME_COLOR]
    # outcomes 2020, 2021, (2022 missing), 2023, 2024: three one-year segments, none over 2022
    assert [s for ln in joined for s in _segment_year_steps(ln)] == [1.0, 1.0]
    assert sum(len(_segment_year_steps(ln)) for ln in joined) == 2
    plots.plt.close(fig)


def test_history_duplicate_target_drawn_once_band_coloured_by_status():
    fig = plots.plot_indicator_history(_history_rows(), title="GDP")
    growth = fig.axes[1]
    boxes = [p for p in growth.patches if isinstance(p, Rectangle)]
    at_2020 = [b for b in boxes if abs(b.get_x() + b.get_width() / 2 - 2020) < 1e-9]
    assert len(at_2020) == 1  # the 2020 target was listed twice
    box = at_2020[0]
    assert (box.get_y(), box.get_y() + box.get_height()) == pytest.approx((6.8, 7.2))
    assert matplotlib.colors.to_hex(box.get_facecolor()) == plots.STATUS_COLORS["missed"]
    ticks = [ln for ln in growth.lines if ln.get_marker() == "_"]
    assert sorted(ln.get_xydata()[0].tolist()[0] for ln in ticks) == [2020, 2026]
    plots.plt.close(fig)


def test_history_open_targets_are_arrows_up_for_ge_and_down_for_le():
    fig = plots.plot_indicator_history(_history_rows(), title="GDP")
    level = fig.axes[0]
    arrows = {round(a.xy[0]): a.xy[1] - a.xyann[1] for a in level.texts if a.arrow_patch}
    assert arrows[2026] > 0 and arrows[2024] < 0  # 2026: > 2800 (gt); 2024: ≤ 2300 (le)
    # the arrow tips are inside the axes: the y limits were widened for them
    low, high = level.get_ylim()
    assert all(low <= a.xy[1] <= high for a in level.texts if a.arrow_patch)
    plots.plt.close(fig)


@pytest.mark.parametrize(
    "last_year, extra_year, first, last",
    [(None, None, 2019, 2026), (2030, None, 2019, 2030), (None, 2028, 2019, 2028)],
)
def test_history_x_axis_shows_every_year(last_year, extra_year, first, last):
    extra = []
    if extra_year:
        extra = [dict(year=extra_year, series="target", measure="growth", unit="%", value=5.0)]
    fig = plots.plot_indicator_history(_history_rows(extra), title="GDP", last_year=last_year)
    years = [int(t.get_text()) for t in fig.axes[-1].get_xticklabels()]
    assert years == list(range(first, last + 1))
    plots.plt.close(fig)


def test_history_empty_frame_says_no_data():
    empty = _history_rows().iloc[0:0]
    fig = plots.plot_indicator_history(empty, title="地区生产总值")
    assert any("no data" in t for t in _texts(fig))
    assert not _draw(fig)


def test_coverage_matrix_combines_rows_and_orders_by_category():
    cells = pd.DataFrame(
        {
            "indicator_label": ["b 财政 (fiscal)", "a 财政 (fiscal)", "z 经济 (economy)", "z 经济 (economy)"],
            "year": [2020, 2020, 2020, 2022],
            "cell": ["target", "judged", "target", "outcome"],
            "category": ["fiscal", "fiscal", "economy", "economy"],
        }
    )  # fmt: skip
    fig = plots.plot_coverage_matrix(cells)
    ax = fig.axes[0]
    # economy comes before fiscal in schema.CATEGORIES; within fiscal, by label
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "z 经济 (economy)", "a 财政 (fiscal)", "b 财政 (fiscal)"
    ]  # fmt: skip
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2020", "2021", "2022"]
    assert plots_history.combine_cells(["target", "outcome"]) == "target and outcome"
    assert plots_history.combine_cells(["target", "judged"]) == "judged"
    assert plots_history.combine_cells(["outcome"]) == "outcome"
    plots.plt.close(fig)


def test_coverage_matrix_with_120_indicators_stays_legible():
    labels = [f"指标{i:03d} (indicator {i})" for i in range(120)]
    cells = pd.DataFrame(
        {"indicator_label": labels, "year": [2019 + i % 8 for i in range(120)], "cell": "target"}
    )
    fig = plots.plot_coverage_matrix(cells)
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = ax.get_yticklabels()
    assert len(ticks) == 120 and ticks[0].get_fontsize() >= 6.5
    boxes = sorted((t.get_window_extent() for t in ticks), key=lambda b: b.y0)
    # no two neighbouring labels overlap: the figure grew instead of squeezing them
    assert all(lower.y1 <= upper.y0 + 0.5 for lower, upper in zip(boxes, boxes[1:], strict=False))
    assert fig.get_figheight() > 120 * 6.5 / 72
    assert not _draw(fig)


def test_coverage_matrix_empty_says_no_data():
    empty = pd.DataFrame({"indicator_label": [], "year": [], "cell": []})
    assert any("no data" in t for t in _texts(plots.plot_coverage_matrix(empty)))
