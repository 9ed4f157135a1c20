"""Shareable HTML: nbconvert rendering, the embedded Chinese font, the provenance footer, the index.

Every page is self-contained: images inline, nothing fetched from a CDN, and a subset of Noto
Sans SC embedded so Chinese renders on a machine without a Chinese font.

Nothing read from the data becomes markup (issue 12): every string written here that comes from
the corpus, the manifest, a report's parameters or title, a run's error or a file path is
escaped with :func:`html.escape` (:func:`_e`), and the names in links are percent-encoded
(:func:`_href`). nbconvert escapes the page title and, in the ``offline_lab`` template, a
figure's alt text (``escape_html``: quotes too); the notebooks' own outputs are escaped by
:mod:`qzanalysis.notebook`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .. import __version__, links, paths
from ..corpus import Corpus
from .site import TOC_HERE, CitySite, SiteMap

if TYPE_CHECKING:
    from .runner import ReportResult
    from .specs import ReportSpec

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
EMBEDDED_FONT = "QZ Noto Sans SC"
#: Marks Noto Sans SC has: emoji (✅) draw as empty boxes where no emoji font is installed.
_STATUS_MARKS = {
    "rendered": "✓ rendered",
    "up_to_date": "✓ up to date",
    "failed": "× failed",
    "earlier": "○ from an earlier run (not part of this run)",
}


def _e(value: object) -> str:
    """Text for HTML content and quoted attributes."""
    return html.escape(str(value), quote=True)


def _href(path: str) -> str:
    """A relative link to ``path``: percent-encoded, then attribute-escaped."""
    return _e(quote(path))


def render_html(
    notebook: Path,
    *,
    show_code: bool,
    footer_html: str,
    title: str,
    decorate: Callable[[str], str] | None = None,
) -> str:
    """Render an executed notebook to a self-contained HTML page (no CDN, images inline).

    Code cells are kept, folded in a <details> (open with ``show_code``); ``decorate`` adds the
    site's header, contents and citation (:func:`qzanalysis.report.site.decorate_report`).
    """
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="offline_lab", extra_template_basedirs=[str(TEMPLATE_DIR)]
    )
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    resources = {"metadata": {"name": title}, "qz_code_open": show_code}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = body.replace("</body>", footer_html + "\n</body>", 1)
    return embed_cjk_font(decorate(body) if decorate else body)


def _font_subset_base64(chars: set[str]) -> str:
    import base64
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from ..plots import cjk_font_path

    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = TTFont(str(cjk_font_path()))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def page_chars(page: str) -> set[str]:
    """The characters a page draws with the embedded font (all non-ASCII, plus printable ASCII)."""
    return {c for c in page if ord(c) > 127} | {chr(i) for i in range(32, 127)}


def font_style(chars: set[str]) -> str:
    """A <style> embedding the subset of Noto Sans SC with ``chars`` as the pages' font."""
    data = _font_subset_base64(chars)
    family = f'"{EMBEDDED_FONT}", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
    return (
        f'<style>@font-face{{font-family:"{EMBEDDED_FONT}";src:url(data:font/otf;base64,{data}) '
        f'format("opentype");}}\n:root{{--jp-content-font-family:{family};--jp-ui-font-family:{family};}}\n'
        f"body,table,td,th{{font-family:{family};}}</style>"
    )


def embed_cjk_font(page: str, style: str | None = None) -> str:
    """Embed the subset of Noto Sans SC that ``page`` uses, so Chinese renders on any machine.

    Shared HTML is opened on machines without a Chinese font (the headless test machine is one),
    where it would show empty boxes. A per-page subset keeps the file small (the full font is
    8 MB; a report uses a few hundred characters). Many pages built together pass one ``style``
    (:func:`font_style` of all their characters): subsetting costs about a second per thousand
    glyphs, so a hundred per-page subsets would cost minutes.
    """
    return page.replace("</head>", (style or font_style(page_chars(page))) + "\n</head>", 1)


# --------------------------------------------------------------------------------------------
# Provenance footer
# --------------------------------------------------------------------------------------------


def _relative(p: Path) -> str:
    try:
        return str(p.relative_to(paths.ROOT))
    except ValueError:
        return str(p)


def _parameters_text(parameters: dict) -> str:
    return _e(json.dumps(parameters, ensure_ascii=False))


def _city_text(spec: ReportSpec) -> str:
    return f", the documents of {_e(spec.city)}" if spec.city else ""


def provenance_footer(
    spec: ReportSpec, corpus: Corpus, digests: dict[str, str], *, run_date: str
) -> str:
    """The footer of every report: version, date, notebook, parameters, every input's hash."""
    docs = "".join(
        f"<tr><td>{_e(d.doc_id)}</td><td>{_e(d.title)}</td>"
        f"<td>{_e(d.published)}</td><td><code>{_e(d.sha256)}</code></td></tr>"
        for d in corpus
    )
    files = "".join(
        f"<li>{_e(_relative(p))}: <code>{_e(digests[k][:16])}</code></li>"
        for k, p in (
            ("review", paths.REVIEW_FILE),
            ("reference", paths.REFERENCE_FILE),
            ("indicators", paths.INDICATORS_FILE),
        )
    )
    return f"""
<footer id="provenance" style="margin:3em 2em 2em;padding-top:1em;border-top:1px solid #ccc;font-size:0.85em;color:#333">
<h2>来源与可复现性 Provenance</h2>
<p>Rendered by qzanalysis {_e(__version__)} on {_e(run_date)} from notebook
<code>{_e(spec.notebook.name)}</code> with parameters <code>{_parameters_text(spec.parameters)}</code>.
Corpus <code>{_e(_relative(corpus.path))}</code>{_city_text(spec)} (fingerprint <code>{_e(digests["corpus"][:16])}</code>);
package code <code>{_e(digests["package"][:16])}</code>.</p>
<table><thead><tr><th>doc_id</th><th>title</th><th>published</th><th>sha256</th></tr></thead>
<tbody>{docs}</tbody></table>
<ul>{files}</ul>
<p>Every number above comes from these files: statements point to exact character offsets in the
documents (outputs/tables/statements.csv), reference figures carry their source URL and confidence.</p>
</footer>"""


# --------------------------------------------------------------------------------------------
# The index page
# --------------------------------------------------------------------------------------------


def _index_row(r: ReportResult, out_dir: Path) -> str:
    """One report's row: link (if its page exists), status, run time, parameters, notes."""
    title, page = _e(r.title), links.report_page(r.name)
    link = f'<a href="{_href(page)}">{title}</a>' if (out_dir / page).is_file() else title
    detail = _e(r.error) if r.error else ""
    if r.status == "failed" and (out_dir / "notebooks" / f"{r.name}.error.ipynb").is_file():
        error_nb = _href(f"notebooks/{r.name}.error.ipynb")
        detail += f' (<a href="{error_nb}">notebook with the error</a>)'
    return (
        f"<tr class='{_e(r.status)}'><td>{link}</td><td>{_e(_STATUS_MARKS[r.status])}</td>"
        f"<td>{r.seconds:.1f} s</td><td>{_e(r.finished)}</td>"
        f"<td><code>{_parameters_text(r.parameters)}</code></td><td>{detail}</td></tr>"
    )


def _by_city(
    site: SiteMap, section: str, items: Callable[[CitySite], str], *, columns: bool = False
) -> str:
    """A list of the one city's ``items``; with several cities, one list per city under a
    heading of its name (id ``<section>-<key>``)."""
    ul = '<ul class="qz-cols">' if columns else "<ul>"
    if len(site.cities) == 1:
        return f"{ul}{items(site.cities[0])}</ul>"
    return "".join(
        f'<h3 id="{_e(f"{section}-{c.key}")}">{_e(c.city)}</h3>{ul}{items(c)}</ul>'
        for c in site.cities
    )


def _document_items(corpus: Corpus, city: CitySite) -> str:
    mine = {doc_id for doc_id, _ in city.documents}
    return "".join(
        f'<li><a href="{_e(links.href(links.INDEX, links.source_page(d.doc_id)))}">{_e(d.title)}</a> '
        f"(<code>{_e(d.doc_id)}</code>, {_e(d.published)}, sha256 <code>{_e(d.sha256[:12])}</code>)</li>"
        for d in corpus
        if d.doc_id in mine
    )


def _report_item(r: ReportResult, out_dir: Path) -> str:
    page = links.report_page(r.name)
    title = _e(r.title)
    if (out_dir / page).is_file():
        title = f'<a href="{_e(links.href(links.INDEX, page))}">{title}</a>'
    return f"<li>{title} <small>{_e(_STATUS_MARKS[r.status])}</small></li>"


def _report_items(results: list[ReportResult], out_dir: Path, site: SiteMap) -> str:
    """Every report, the cross-city one first when there are several cities, then each city's."""
    if len(site.cities) == 1:
        return f'<ul class="qz-cols">{"".join(_report_item(r, out_dir) for r in results)}</ul>'
    keys = {r.name: links.split_report_name(r.name)[0] for r in results}
    cross = "".join(_report_item(r, out_dir) for r in results if not keys[r.name])
    head = f'<h3 id="reports-cities">跨城市 · Across cities</h3><ul>{cross}</ul>' if cross else ""
    return head + _by_city(
        site,
        "reports",
        lambda c: "".join(_report_item(r, out_dir) for r in results if keys[r.name] == c.key),
        columns=True,
    )


def _indicator_items(city: CitySite) -> str:
    return "".join(
        f'<li><a href="{_e(links.href(links.INDEX, city.indicator(i)))}">{_e(label)}</a></li>'
        for i, label in city.indicators
    )


def index_body(
    results: list[ReportResult],
    corpus: Corpus,
    digests: dict[str, str],
    out_dir: Path,
    *,
    site: SiteMap,
    summary: str,
    findings: str,
    coverage: str,
) -> str:
    """The landing page: findings, coverage, every report, indicator and source; build last."""
    rows = "".join(_index_row(r, out_dir) for r in results)
    city = "、".join(sorted({d.city for d in corpus if d.city})) or "corpus"
    return f"""<h1>{_e(city)} 规划目标与实际结果 · Stated plans and reported outcomes</h1>
<p class="qz-summary">{summary}</p>
{TOC_HERE}
<h2 id="findings">1. 主要发现 · Findings</h2>
{findings}
<h2 id="coverage">2. 资料覆盖 · What the corpus covers</h2>
{coverage}
<h2 id="reports">3. 报告 · Reports</h2>
{_report_items(results, out_dir, site)}
<h2 id="indicators">4. 指标 · Indicators with a target ({sum(len(c.indicators) for c in site.cities)})</h2>
{_by_city(site, "indicators", _indicator_items, columns=True)}
<h2 id="sources">5. 原文 · Source documents</h2>
{_by_city(site, "sources", lambda c: _document_items(corpus, c))}
<h2 id="build">6. 构建信息 · Build details</h2>
<div class="qz-scroll"><table><thead><tr><th>report</th><th>status</th><th>run time</th><th>finished</th><th>parameters</th><th>notes</th></tr></thead>
<tbody>{rows}</tbody></table></div>
<p>Rendered by qzanalysis {_e(__version__)} from the corpus in <code>{_e(corpus.path)}</code>.
Review file, reference figures, indicator registry: <code>{_e(digests["review"][:12])}</code>,
<code>{_e(digests["reference"][:12])}</code>, <code>{_e(digests["indicators"][:12])}</code> (sha256 prefixes).
{_tables_line(out_dir)}</p>
"""


def _tables_line(out_dir: Path) -> str:
    if (out_dir / "tables").is_dir():
        return 'Tables for Excel, R or Stata: <a href="tables/">tables/</a> (see tables/README.md).'
    return "Tables for Excel, R or Stata: run <code>qzanalysis compare</code> (written to tables/)."
