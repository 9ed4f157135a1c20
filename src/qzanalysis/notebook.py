"""What every report notebook shares: one :func:`setup` call and the display helpers.

A report notebook is its parameters cell, then::

    from qzanalysis.notebook import caption, figure, md, setup, show

    a = setup(corpus_dir, tolerance_pp)

and then its sections: the numbers come from the :class:`~qzanalysis.pipeline.Analysis` that
``setup`` returns, the helpers only display them. Every table and figure gets a caption saying
what it shows and where its numbers come from; a figure's caption is also its alt text.

Trusted text and data (issue 12)
--------------------------------
The pages are shared as HTML files, so nothing read from the data may become markup there.
**Text written in the notebook is trusted; anything from the corpus, the manifest, the
reference figures, the review file or the indicator registry is data and is escaped** (so are
the notebook's string parameters, which the runner derives from the corpus):

- :func:`show` escapes every cell and every column name (numbers keep their format). In the
  columns of :data:`URL_COLUMNS` a cell that is exactly one or more whitespace-separated
  http(s) URLs becomes links (``<a href="..." rel="noopener noreferrer">``, attribute-escaped);
  any other cell, ``javascript:`` and ``data:`` URLs among them, is shown as text.
- :func:`md`, :func:`caption` and :func:`figure` take a trusted template and the data as
  separate values: ``md("Documents used: {}.", titles)``. Each ``{}`` field is formatted with
  its format spec (``{:g}``, ``{:.0%}``) and then passed through :func:`esc`, which
  HTML-escapes it and backslash-escapes the characters Markdown would read as markup. Without
  values the template is shown as it is: it is trusted, so an f-string in it may hold the
  notebook's own words and numbers (a year, a count, ``{tol:g}``), never a string from the data.
- A figure's alt text is the same template filled with the plain values: nbconvert's template
  attribute-escapes it (``escape_html``).
"""

from __future__ import annotations

import html
import re
import string
import warnings
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import Markdown, display

from .pipeline import DEFAULT_TOLERANCE_PP, analyse
from .reference import UnknownIndicatorWarning

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

    from .pipeline import Analysis

__all__ = ["caption", "esc", "figure", "link_cell", "md", "setup", "show", "styled"]

#: Columns of running text: shown wide enough to read a sentence.
WIDE_COLUMNS = ("explanation", "quote", "note", "evidence")
#: Columns whose cells may be web addresses (reference rows' source_url, shown as evidence or
#: as an outcome's source): a cell of nothing but http(s) URLs becomes links.
URL_COLUMNS = ("source_url", "evidence", "outcome_source")
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
# Escaping data
# --------------------------------------------------------------------------------------------

#: Characters Markdown reads as markup anywhere in a line (emphasis, code, links, tables,
#: strikethrough, math, headings); ``<>&"'`` are left to html.escape.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]|~$#])")
#: Markup only at the start of a line: a list item (``- ``, ``+ ``, ``2020. ``), a rule (``---``)
#: or a setext underline (``==``); ``-0.5`` and ``2.5`` are left alone.
_LINE_START = re.compile(r"^([-+=])(?=\s|$|\1)|^(\d+)([.)])(?=\s|$)")


def esc(value: object) -> str:
    """``value`` as text that Markdown and HTML show literally (data inside :func:`md`).

    Line breaks become spaces (a value cannot start a heading, list or table row), Markdown's
    active characters are backslash-escaped, and ``< > & " '`` become HTML entities.
    """
    text = re.sub(r"[\r\n]+", " ", str(value))
    text = _MARKDOWN_ACTIVE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
    return html.escape(text, quote=True)


class _EscapingFormatter(string.Formatter):
    """str.format whose every field is formatted with its spec, then escaped with :func:`esc`."""

    def format_field(self, value: object, format_spec: str) -> str:
        return esc(super().format_field(value, format_spec))


def _fill(template: str, values: tuple, named: dict) -> str:
    """The trusted ``template`` with its ``{}`` fields filled with escaped values."""
    if not values and not named:
        return template
    return _EscapingFormatter().format(template, *values, **named)


# --------------------------------------------------------------------------------------------
# Display helpers
# --------------------------------------------------------------------------------------------


def _number(value) -> str:
    return "" if pd.isna(value) else f"{value:.6g}"


def _is_web_url(token: str) -> bool:
    """An absolute http(s) URL with a host, written as such (no control characters)."""
    from urllib.parse import urlsplit

    if not token.isprintable() or not re.match(r"https?://", token, flags=re.IGNORECASE):
        return False
    try:
        parts = urlsplit(token)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def link_cell(value: object) -> str:
    """A cell of one or more whitespace-separated http(s) URLs as links; anything else as text.

    Every URL is attribute-escaped into ``href`` and text-escaped as the link's text; a cell
    with any other word in it (``javascript:...``, ``data:...``, prose) is escaped text.
    """
    text = str(value)
    tokens = text.split()
    if not tokens or not all(_is_web_url(t) for t in tokens):
        return html.escape(text)
    return " ".join(
        f'<a href="{html.escape(t, quote=True)}" rel="noopener noreferrer">{html.escape(t)}</a>'
        for t in tokens
    )


def styled(frame: pd.DataFrame) -> Styler:
    """The Styler :func:`show` displays: every cell and column name escaped (module docstring)."""
    table = frame.style.hide(axis="index").set_properties(
        **{"text-align": "left", "vertical-align": "top"}
    )
    for col in WIDE_COLUMNS:
        if col in frame.columns:
            table = table.set_properties(subset=[col], **{"min-width": "20em"})
    links = [c for c in frame.columns if c in URL_COLUMNS]
    others = [c for c in frame.columns if c not in URL_COLUMNS]
    numeric = set(frame.select_dtypes("number").columns)
    if others:
        formats = {c: _number for c in others if c in numeric}
        table = table.format(formats, subset=others, na_rep="", escape="html")
    if links:
        table = table.format(link_cell, subset=links, na_rep="")
    return table.format_index(escape="html", axis="columns").format_index(
        escape="html", axis="index"
    )


def show(frame: pd.DataFrame) -> None:
    """A readable table: left-aligned text, wide columns for sentences, numbers without noise;
    every string escaped, web addresses as links (see the module docstring)."""
    display(styled(frame))


def md(text: str, *values: object, **named: object) -> None:
    """Display the trusted Markdown ``text``, its ``{}`` fields filled with escaped ``values``."""
    display(Markdown(_fill(text, values, named)))


def caption(text: str, *values: object, **named: object) -> None:
    """Every table and figure says what it shows and where its numbers come from (the trusted
    ``text``, its ``{}`` fields filled with escaped ``values``, as :func:`md`)."""
    display(Markdown(f"*{_fill(text, values, named)}*"))


def figure(fig: Figure, text: str, *values: object, **named: object) -> None:
    """Show a figure and its caption; the caption is also the image's alt text in the HTML.

    ``text`` and ``values`` as in :func:`caption`; the alt text gets the plain values, which
    nbconvert's template attribute-escapes.
    """
    from . import plots

    alt = text.format(*values, **named) if values or named else text
    display(fig, metadata={"image/png": {"alt": alt}})
    plots.plt.close(fig)
    caption(text, *values, **named)
