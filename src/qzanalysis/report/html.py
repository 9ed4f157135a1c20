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
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .. import __version__, paths
from ..corpus import Corpus
from ..tables import atomic_write

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


def render_html(notebook: Path, *, show_code: bool, footer_html: str, title: str) -> str:
    """Render an executed notebook to a self-contained HTML page (no CDN, images inline)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="offline_lab", extra_template_basedirs=[str(TEMPLATE_DIR)]
    )
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return embed_cjk_font(body.replace("</body>", footer_html + "\n</body>", 1))


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


def embed_cjk_font(page: str) -> str:
    """Embed the subset of Noto Sans SC that ``page`` uses, so Chinese renders on any machine.

    Shared HTML is opened on machines without a Chinese font (the headless test machine is one),
    where it would show empty boxes. A per-page subset keeps the file small (the full font is
    8 MB; a report uses a few hundred characters).
    """
    chars = {c for c in page if ord(c) > 127} | {chr(i) for i in range(32, 127)}
    data = _font_subset_base64(chars)
    family = f'"{EMBEDDED_FONT}", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
    style = (
        f'<style>@font-face{{font-family:"{EMBEDDED_FONT}";src:url(data:font/otf;base64,{data}) '
        f'format("opentype");}}\n:root{{--jp-content-font-family:{family};--jp-ui-font-family:{family};}}\n'
        f"body,table,td,th{{font-family:{family};}}</style>"
    )
    return page.replace("</head>", style + "\n</head>", 1)


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
Corpus <code>{_e(_relative(corpus.path))}</code> (fingerprint <code>{_e(digests["corpus"][:16])}</code>);
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
    title = _e(r.title)
    link = (
        f'<a href="{_href(f"html/{r.name}.html")}">{title}</a>'
        if (out_dir / "html" / f"{r.name}.html").is_file()
        else title
    )
    detail = _e(r.error) if r.error else ""
    if r.status == "failed" and (out_dir / "notebooks" / f"{r.name}.error.ipynb").is_file():
        error_nb = _href(f"notebooks/{r.name}.error.ipynb")
        detail += f' (<a href="{error_nb}">notebook with the error</a>)'
    return (
        f"<tr class='{_e(r.status)}'><td>{link}</td><td>{_e(_STATUS_MARKS[r.status])}</td>"
        f"<td>{r.seconds:.1f} s</td><td>{_e(r.finished)}</td>"
        f"<td><code>{_parameters_text(r.parameters)}</code></td><td>{detail}</td></tr>"
    )


def _document_items(corpus: Corpus) -> str:
    return "".join(
        f"<li><code>{_e(d.doc_id)}</code> {_e(d.title)} ({_e(d.published)}, "
        f"sha256 <code>{_e(d.sha256[:12])}</code>)</li>"
        for d in corpus
    )


_INDEX_STYLE = """<style>
body{font-family:"Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.5}
table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #ddd;padding:.4em .6em;text-align:left;vertical-align:top}
tr.failed td{background:#fdecea} code{font-size:.85em}
</style>"""


def index_page(rows: str, corpus: Corpus, digests: dict[str, str]) -> str:
    """The index page around its table rows (without the embedded font)."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>衢州规划目标与实际结果 qzanalysis reports</title>
{_INDEX_STYLE}</head><body>
<h1>衢州市规划目标与实际结果 · Quzhou: stated plans and reported outcomes</h1>
<p>Reports rendered by qzanalysis {_e(__version__)} from the corpus in
<code>{_e(corpus.path)}</code>. Each report states which documents and reference figures
its numbers come from and ends with a provenance footer.</p>
<table><thead><tr><th>report</th><th>status</th><th>run time</th><th>finished</th><th>parameters</th><th>notes</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>数据 Data used</h2>
<ul>{_document_items(corpus)}</ul>
<p>Review file, reference figures, indicator registry: <code>{_e(digests["review"][:12])}</code>,
<code>{_e(digests["reference"][:12])}</code>, <code>{_e(digests["indicators"][:12])}</code> (sha256 prefixes).
Tables for Excel, R or Stata: <a href="tables/">tables/</a> (see tables/README.md).</p>
</body></html>
"""


def write_index(
    results: list[ReportResult], corpus: Corpus, digests: dict[str, str], out_dir: Path
) -> Path:
    """outputs/index.html: every report with its status, run time and the data it used."""
    rows = "".join(_index_row(r, out_dir) for r in results)
    page = embed_cjk_font(index_page(rows, corpus, digests))
    return atomic_write(out_dir / "index.html", lambda p: p.write_text(page, encoding="utf-8"))
