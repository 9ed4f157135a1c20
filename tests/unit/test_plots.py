"""Chinese renders in every plot: the shipped Noto Sans SC is registered and no glyph is missing.

Each ``plot_*`` function of :mod:`qzanalysis.plots` draws real data (``pipeline.analyse()`` on the
shipped corpus, the same inputs the notebooks use) through the Agg canvas, and any matplotlib
"Glyph ... missing from font(s)" warning fails the test. A control test proves the detector
catches such a warning, so a silent pass means the glyphs really are there.
"""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font

from qzanalysis import plots, stats
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
    }
    return figs


def _texts(fig) -> list[str]:
    """Every string drawn on a figure (titles, tick labels, legends, suptitle)."""
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def test_every_plot_function_draws_chinese_without_missing_glyphs(analysis):
    figs = _figures(analysis)
    public = {
        n
        for n, f in inspect.getmembers(plots, inspect.isfunction)
        if n.startswith("plot_") and f.__module__ == plots.__name__
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
