"""What every report notebook shares: one :func:`setup` call and the display helpers.

A report notebook is its parameters cell, then::

    from qzanalysis.notebook import caption, figure, md, setup, show

    a = setup(corpus_dir, tolerance_pp)

and then its sections: the numbers come from the :class:`~qzanalysis.pipeline.Analysis` that
``setup`` returns, the helpers only display them. Every table and figure gets a caption saying
what it shows and where its numbers come from; a figure's caption is also its alt text.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import Markdown, display

from .pipeline import DEFAULT_TOLERANCE_PP, analyse
from .reference import UnknownIndicatorWarning

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .pipeline import Analysis

__all__ = ["caption", "figure", "md", "setup", "show"]

#: Columns of running text: shown wide enough to read a sentence.
WIDE_COLUMNS = ("explanation", "quote", "note", "evidence")
PANDAS_OPTIONS = {"display.max_colwidth": 80, "display.max_rows": 200}


def _figures_as_png() -> None:
    """Displayed figures become PNG (IPython's inline formatter, tight bounding box), and no
    figure is shown on its own: each appears where :func:`figure` puts it, with its caption."""
    from IPython import get_ipython

    from . import plots

    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")
    plots.plt.switch_backend("Agg")
    plots.set_theme()  # seaborn's theme with Noto Sans SC, so Chinese renders in every plot


def setup(corpus_dir: str = "", tolerance_pp: float = DEFAULT_TOLERANCE_PP, **kwargs) -> Analysis:
    """Prepare a report notebook and return its analysis of the corpus.

    Sets the plot theme and Chinese font, pandas' display options and PNG figures, then runs
    :func:`qzanalysis.pipeline.analyse` once (``corpus_dir`` empty: the shipped data/raw;
    ``kwargs`` go to ``analyse``: as_of, tolerance_level, min_confidence, review, ...).
    Unmapped reference phrases are not warned about: the coverage table lists them.
    """
    _figures_as_png()
    for option, value in PANDAS_OPTIONS.items():
        pd.set_option(option, value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownIndicatorWarning)
        return analyse(corpus_dir or None, tolerance_pp=tolerance_pp, **kwargs)


# --------------------------------------------------------------------------------------------
# Display helpers
# --------------------------------------------------------------------------------------------


def _number(value) -> str:
    return "" if pd.isna(value) else f"{value:.6g}"


def show(frame: pd.DataFrame) -> None:
    """A readable table: left-aligned text, wide columns for sentences, numbers without noise."""
    styled = frame.style.hide(axis="index").set_properties(
        **{"text-align": "left", "vertical-align": "top"}
    )
    for col in WIDE_COLUMNS:
        if col in frame.columns:
            styled = styled.set_properties(subset=[col], **{"min-width": "20em"})
    numeric = frame.select_dtypes("number").columns
    styled = styled.format(dict.fromkeys(numeric, _number), na_rep="")
    display(styled)


def md(text: str) -> None:
    """Display ``text`` as Markdown (a report's computed sentences)."""
    display(Markdown(text))


def caption(text: str) -> None:
    """Every table and figure says what it shows and where its numbers come from."""
    md(f"*{text}*")


def figure(fig: Figure, text: str) -> None:
    """Show a figure and its caption; the caption is also the image's alt text in the HTML."""
    from . import plots

    display(fig, metadata={"image/png": {"alt": text}})
    plots.plt.close(fig)
    caption(text)
