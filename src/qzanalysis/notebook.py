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
import os
import re
import string
import warnings
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import links
from .pipeline import DEFAULT_TOLERANCE_PP
from .reference import UnknownIndicatorWarning
from .tables import csv_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

    from .pipeline import Analysis

__all__ = [
    "Link",
    "caption",
    "collapsed",
    "download",
    "esc",
    "evidence_link",
    "figure",
    "findings",
    "headline_view",
    "link_cell",
    "linked",
    "md",
    "not_judged",
    "page_link",
    "setup",
    "show",
    "styled",
]

#: The page a notebook is rendered as (relative to outputs/), set by the report runner for the
#: kernel; unset in JupyterLab, where links go from notebooks/ to the rendered site.
PAGE_ENV = "QZANALYSIS_PAGE"
#: DataTables options of every interactive table (itables, offline): search, sort, no paging
#: below 25 rows, scroll inside the table on a narrow screen, and the order the report chose.
ITABLE_OPTIONS = {
    "layout": {"topStart": "search", "topEnd": None, "bottomStart": "info", "bottomEnd": None},
    "order": [],
    "scrollX": True,
    "classes": "display compact cell-border",
    "autoWidth": False,
}
_ITABLES = {"ready": False}

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

    Sets the plot theme and Chinese font, pandas' display options and PNG figures, then loads the
    analysis ``qzanalysis report`` saved (outputs/analysis, :mod:`qzanalysis.saved`) when it is
    what :func:`qzanalysis.pipeline.analyse` would compute now, else computes it, saves it and
    says why ("saved analysis is stale (review file changed): recomputed"). ``corpus_dir`` empty:
    the shipped data/raw; ``kwargs`` go to ``analyse``: as_of, tolerance_level, min_confidence,
    review, .... Unmapped reference phrases are not warned about: the coverage table lists them.
    """
    from .saved import load_or_analyse

    _figures_as_png()
    _interactive_tables()
    for option, value in PANDAS_OPTIONS.items():
        pd.set_option(option, value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownIndicatorWarning)
        analysis, reason = load_or_analyse(corpus_dir or None, tolerance_pp=tolerance_pp, **kwargs)
    if reason.endswith("recomputed"):
        print(reason)  # in JupyterLab: no saved analysis, or a stale one, and why
    return analysis


def _interactive_tables() -> None:
    """Load DataTables once per notebook, embedded (offline: the shared page fetches nothing)."""
    try:
        import itables
    except ImportError:  # tables stay static, sorted as the report chose
        return
    itables.init_notebook_mode(all_interactive=False, connected=False)
    _ITABLES["ready"] = True


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


class Link(NamedTuple):
    """A cell shown as a link: ``text`` (data, escaped) to ``href`` (built by the package from
    :mod:`qzanalysis.links`, or a URL :func:`qzanalysis.links.web_url` accepted). No href: text."""

    text: str
    href: str | None = None


def _link_html(value: object) -> str:
    """A Link, or a tuple of Links (joined by ' · '), as escaped HTML; anything else as text."""
    if isinstance(value, Link):
        text = html.escape(str(value.text))
        if not value.href:
            return text
        return (
            f'<a href="{html.escape(value.href, quote=True)}" rel="noopener noreferrer">{text}</a>'
        )
    if isinstance(value, tuple) and all(isinstance(v, Link) for v in value):
        return " · ".join(_link_html(v) for v in value)
    return (
        ""
        if value is None or (not isinstance(value, str) and pd.isna(value))
        else html.escape(str(value))
    )


def _link_columns(frame: pd.DataFrame) -> list:
    return [
        c
        for c in frame.columns
        if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, tuple)).any()
    ]


def styled(frame: pd.DataFrame) -> Styler:
    """The Styler :func:`show` displays: every cell and column name escaped (module docstring)."""
    table = frame.style.hide(axis="index").set_properties(
        **{"text-align": "left", "vertical-align": "top"}
    )
    for col in WIDE_COLUMNS:
        if col in frame.columns:
            table = table.set_properties(subset=[col], **{"min-width": "20em"})
    linked = _link_columns(frame)
    urls = [c for c in frame.columns if c in URL_COLUMNS and c not in linked]
    others = [c for c in frame.columns if c not in URL_COLUMNS and c not in linked]
    numeric = set(frame.select_dtypes("number").columns)
    if others:
        formats = {c: _number for c in others if c in numeric}
        table = table.format(formats, subset=others, na_rep="", escape="html")
    if urls:
        table = table.format(link_cell, subset=urls, na_rep="")
    if linked:
        table = table.format(_link_html, subset=linked)
    return table.format_index(escape="html", axis="columns").format_index(
        escape="html", axis="index"
    )


def show(frame: pd.DataFrame, *, interactive: bool | None = None) -> None:
    """A readable table: left-aligned text, wide columns for sentences, numbers without noise;
    every string escaped, web addresses and :class:`Link` cells as links (module docstring).

    After :func:`setup` a table of two or more rows is interactive (itables, offline: search
    and sort in the shared HTML); the cells are the escaped ones of :func:`styled`, so itables'
    ``allow_html`` only lets through the markup this module wrote.
    """
    interactive = len(frame) > 1 if interactive is None else interactive
    if interactive and _ITABLES["ready"]:
        import itables

        itables.show(styled(frame), allow_html=True, **ITABLE_OPTIONS)
    else:
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


# --------------------------------------------------------------------------------------------
# Evidence one click away (issue 10)
# --------------------------------------------------------------------------------------------


def page_link(target_page: str, anchor: str | None = None, *, page: str | None = None) -> str:
    """A link to ``target_page`` (relative to outputs/, see :mod:`qzanalysis.links`) from
    ``page``, by default the page this notebook renders as; in JupyterLab, from notebooks/ to
    the rendered site."""
    page = page or os.environ.get(PAGE_ENV)
    if page:
        return links.href(page, target_page, anchor)
    return f"{links.SITE_FROM_NOTEBOOKS}/{links.href(links.INDEX, target_page, anchor)}"


def evidence_link(
    text: object,
    doc_id: object,
    statement_id: object,
    url: object = None,
    *,
    page: str | None = None,
) -> Link:
    """``text`` linked to a corpus statement's highlight, else to a reference figure's source
    URL (http or https only), else plain."""
    if links.evidence_href(links.INDEX, doc_id, statement_id):
        target = links.source_page(str(doc_id))
        return Link(str(text), page_link(target, links.anchor_id(str(statement_id)), page=page))
    return Link(str(text), links.web_url(url))


def _indicator_link(indicator_id: object, label: object, page: str | None, city_key: str) -> Link:
    if isinstance(indicator_id, str) and indicator_id:
        target = links.indicator_page(indicator_id, city_key)
        return Link(str(label), page_link(target, page=page))
    return Link(str(label))


def headline_view(
    headline: pd.DataFrame, *, page: str | None = None, city_key: str | None = None
) -> pd.DataFrame:
    """The headline table as a report shows it: indicator and verdict first (visible on a
    phone), target and outcome linked to the sentences they come from, then the gap, where
    each came from, and the one-line explanation.

    Indicators link to the indicator pages of ``city_key`` (:func:`qzanalysis.links.city_keys`),
    by default the city of the page shown (``page``, else the page this notebook renders as)."""
    if city_key is None:
        city_key = links.page_city(page or os.environ.get(PAGE_ENV))
    rows = []
    for r in headline.to_dict("records"):
        target = evidence_link(
            r["target"], r["target_doc_id"], r["target_statement_id"], r["target_url"], page=page
        )
        outcome = evidence_link(
            r["outcome"], r["outcome_doc_id"], r["outcome_statement_id"], r["outcome_url"],
            page=page,
        )  # fmt: skip
        rows.append(
            {
                "indicator 指标": (
                    _indicator_link(r["indicator_id"], r["indicator_label"], page, city_key),
                ),
                "verdict 结论": f"{r['call_zh'] or ''} {r['call'] or ''}".strip(),
                "target 目标": (target,) if target.href else r["target"],
                "outcome 结果": (outcome,) if outcome.href else r["outcome"],
                "gap 差距": r["gap"],
                "evidence 依据": tuple(
                    Link(name, link.href)
                    for name, link in (("目标 target", target), ("结果 outcome", outcome))
                    if link.href
                ),
                "year": r["year"],
                "kind": r["comparison"],
                "set by 来源": r["set_by"],
                "outcome from": r["outcome_from"],
                "explanation": r["explanation"],
            }
        )
    return pd.DataFrame(rows)


def download(frame: pd.DataFrame, filename: str, text: str = "Download this table (CSV)") -> None:
    """A link that saves ``frame`` as Excel-safe CSV (the format of outputs/tables/), embedded
    in the page so the shared HTML needs no server."""
    data = quote(csv_text(frame))
    display(
        HTML(
            f'<p class="qz-download"><a download="{html.escape(filename, quote=True)}" '
            f'href="data:text/csv;charset=utf-8,{data}">{html.escape(text)}</a></p>'
        )
    )


def collapsed(summary: str, frame: pd.DataFrame) -> None:
    """``frame`` inside a closed <details> whose <summary> is ``summary`` (escaped as a whole)."""
    table = styled(frame).to_html()
    display(
        HTML(
            f'<details class="qz-collapsed"><summary>{html.escape(summary)}</summary>'
            f'<div class="qz-scroll">{table}</div></details>'
        )
    )


def findings(headline: pd.DataFrame, filename: str, what: str) -> None:
    """A report's opening: its headline table, a CSV download of it, and a caption."""
    if headline.empty:
        md(f"**Nothing {what} is judged or tracked:** the corpus has no outcome for its targets "
           "(see below for why each target cannot be judged).")  # fmt: skip
        return
    counts = headline["comparison"].value_counts()
    show(headline_view(headline), interactive=True)
    download(headline, filename, f"Download this table (CSV, {len(headline)} rows)")
    caption(
        "Findings {}: {}. Target and outcome link to the highlighted sentence of the source "
        "document (or a reference figure's web page); growth in % per year; verdicts by "
        "docs/methods.md §3, progress labels by §4, pace and self-reports by §7.",
        what,
        ", ".join(f"{n} {k}" for k, n in counts.items()),
    )


def not_judged(unjudged: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """What cannot be judged, by reason: the counts in a closed section, the list inside it."""
    counts, rows = unjudged
    if rows.empty:
        return
    reasons = "; ".join(
        f"{n} {reason}" for reason, n in zip(counts["reason"], counts["n"], strict=True)
    )
    view = rows.assign(
        target=[
            (evidence_link(t, d, s, u),)
            for t, d, s, u in zip(
                rows["target"], rows["target_doc_id"], rows["target_statement_id"],
                rows["target_url"], strict=True,
            )
        ]
    ).drop(columns=["target_statement_id", "target_doc_id", "target_url"])  # fmt: skip
    collapsed(f"{len(rows)} target(s) cannot be judged: {reasons} (click to list them)", view)


def linked(
    frame: pd.DataFrame,
    column: str,
    a: Analysis | None = None,
    *,
    by: str = "statement_id",
    page: str | None = None,
) -> pd.DataFrame:
    """``frame`` with each cell of ``column`` linked to the evidence of the statement named in
    column ``by``: its highlighted sentence (a corpus statement) or its source URL (a reference
    figure). The statement is looked up in ``a`` (the analysis) when given, else in the frame's
    own ``doc_id`` and ``source_url`` columns. A row without a statement keeps its text."""
    if frame.empty or column not in frame or by not in frame:
        return frame
    sources = a.sources() if a is not None else None
    cells = []
    for i, (value, sid) in enumerate(zip(frame[column], frame[by], strict=True)):
        if sources is not None:
            where = sources.describe(sid)
            doc, url = where.get("outcome_doc_id"), where.get("outcome_url")
        else:
            doc = frame["doc_id"].iloc[i] if "doc_id" in frame else None
            url = frame["source_url"].iloc[i] if "source_url" in frame else None
        text = (
            _number(value)
            if isinstance(value, (int, float))
            else ("" if pd.isna(value) else str(value))
        )
        link = evidence_link(text, doc, sid, url, page=page)
        cells.append((link,) if link.href else text)
    return frame.assign(**{column: pd.Series(cells, index=frame.index, dtype=object)})
