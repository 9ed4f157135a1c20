"""Batch runner: execute the parameterised notebooks and render shareable HTML.

``qzanalysis report`` (and ``make report``) plans one report per year review (by default every
year the corpus can review, ``Analysis.review_years()``: 2019-2026 for the shipped one), one per
multi-year plan of the corpus (``Analysis.plans()``), and the overview over the same years;
executes each notebook with papermill into ``outputs/notebooks/``; renders it with nbconvert
into ``outputs/html/`` (self-contained: images embedded, nothing fetched from a CDN, code folded,
a header to every other page, a table of contents, a citation line and a provenance footer);
then builds a source page per document (every statement highlighted and anchored), a page per
indicator with a target, and the landing page ``outputs/index.html`` (issue 10).

A corpus of several cities (issue 13) gets one such set per city, each notebook run with its
``city`` and its pages under the city's key (``html/331100/year_2024.html``, see
:mod:`qzanalysis.links`), and every corpus gets the cross-city report ``html/cities.html``.

- :mod:`qzanalysis.report.specs`: which reports, with which parameters (``plan_reports``).
- :mod:`qzanalysis.report.runner`: input digests, papermill execution and the batch.
- :mod:`qzanalysis.report.cache`: keys, the cache entries, which reports are up to date and
  the batch's progress lines (shared with the dry run).
- :mod:`qzanalysis.report.scope`: what a report reads (its city's documents, its rows), which
  its key hashes.
- :mod:`qzanalysis.report.html`: nbconvert rendering, the embedded Chinese font, the provenance
  footer and the index page's sections.
- :mod:`qzanalysis.report.site`: what every page has (header, contents, citation); addresses in
  :mod:`qzanalysis.links`.
- :mod:`qzanalysis.report.sources`: a document's text with its statements highlighted.
- :mod:`qzanalysis.report.pages`: the pages built without a kernel (index, sources, indicators).

What a researcher can rely on:

- **Up to date means skipped.** A report's key hashes its notebook, its parameters (among them
  the tolerance of "左右" targets), its city's documents (manifest rows and bytes) and the rows
  of the analysis it shows, the review, reference and indicator files, the package (version and
  source) and its header. An unchanged key and an existing HTML file skip the run (``--force``
  runs it anyway): a document added to one city re-runs that city's reports and the cross-city
  one, not another city's.
- **Nothing half-written.** Notebooks and HTML are written to a temporary file and renamed; a
  failing or interrupted run leaves the previous good HTML in place. A failing notebook is kept,
  with its error, as ``outputs/notebooks/<name>.error.ipynb``.
- **One failure does not stop the others.** Failures are listed at the end; the exit status is
  non-zero.
- **Parallel runs** (``--jobs N``) retry a kernel that fails to start: papermill's kernel start is
  racy under parallel load.
"""

from __future__ import annotations

from .html import (
    EMBEDDED_FONT,
    TEMPLATE_DIR,
    embed_cjk_font,
    provenance_footer,
    render_html,
)
from .pages import write_index, write_pages
from .runner import ReportResult, default_jobs, input_digests, report_key, run_one, run_reports
from .specs import (
    DEFAULT_YEARS,
    KINDS,
    NOTEBOOKS,
    ReportError,
    ReportSpec,
    parse_years,
    plan_reports,
)

__all__ = [
    "DEFAULT_YEARS",
    "EMBEDDED_FONT",
    "KINDS",
    "NOTEBOOKS",
    "TEMPLATE_DIR",
    "ReportError",
    "ReportResult",
    "ReportSpec",
    "default_jobs",
    "embed_cjk_font",
    "input_digests",
    "parse_years",
    "plan_reports",
    "provenance_footer",
    "render_html",
    "report_key",
    "run_one",
    "run_reports",
    "write_index",
    "write_pages",
]
