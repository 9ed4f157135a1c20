"""What every page of the shared site has: navigation, a table of contents, a citation line.

The rendered notebooks (nbconvert) get it by :func:`decorate_report`; the pages the runner builds
itself (the index, a source page per document, a page per indicator) by :func:`page`. Addresses
come from :mod:`qzanalysis.links`; every data-derived string is escaped here (:func:`e`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .. import __version__, links

#: Marker of the place in a page where the table of contents goes (after the first heading).
_TOC_MARK = "<!--qz-toc-->"

SITE_CSS = """
.qz-nav{position:sticky;top:0;z-index:20;background:#f7f7f7;border-bottom:1px solid #ddd;
  padding:.4em 1em;font-size:.9em;line-height:1.8}
.qz-nav a{margin-right:.9em;white-space:nowrap}
.qz-nav .qz-here{font-weight:bold;margin-right:.9em}
.qz-toc{border:1px solid #ddd;background:#fbfbfb;padding:.4em 1em;margin:1em 0;max-width:48em}
.qz-toc ul{margin:.2em 0;padding-left:1.4em}
.qz-cite{border-top:1px solid #ccc;margin:2em 1em 1em;padding-top:.6em;font-size:.85em}
.qz-cite code{word-break:break-all}
details.qz-collapsed,details.qz-code{margin:.4em 0}
details.qz-code{max-width:100%;overflow-x:auto} details.qz-code pre{overflow-x:auto}
details.qz-collapsed>summary,details.qz-code>summary{cursor:pointer;color:#1a5276}
.qz-scroll{overflow-x:auto;max-width:100%}
.qz-page{max-width:72em;margin:0 auto;padding:0 1em}
.qz-page table{border-collapse:collapse} .qz-page th,.qz-page td{border-bottom:1px solid #ddd;
  padding:.3em .5em;text-align:left;vertical-align:top}
img{max-width:100%;height:auto}
/* a static table wider than the screen scrolls by itself; the page never scrolls sideways */
table:not(.dataTable){display:block;overflow-x:auto;max-width:100%}
#provenance code,.qz-cite code{word-break:break-all}
@media (max-width:600px){
  body{font-size:14px} .jp-Cell{padding:2px !important}
  .jp-OutputArea-output table,.qz-page table{font-size:12px}
  td,th{padding:.2em .3em !important}
}
"""


def e(value: object) -> str:
    """Text for HTML content and quoted attributes."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class CitySite:
    """One city's pages (names and paths as in :mod:`links`; ``key`` "" for a one-city corpus)."""

    city: str = ""
    key: str = ""
    years: tuple[int, ...] = ()
    plans: tuple[str, ...] = ()
    overview: bool = False
    indicators: tuple[tuple[str, str], ...] = ()  # (indicator_id, label)
    documents: tuple[tuple[str, str], ...] = ()  # (doc_id, title)

    def report(self, base: str) -> str:
        """The page of this city's report ``base`` ('year_2020', 'overview')."""
        return links.report_page(links.report_name(base, self.key))

    def indicator(self, indicator_id: str) -> str:
        return links.indicator_page(indicator_id, self.key)

    def report_pages(self) -> list[str]:
        names = (["overview"] if self.overview else []) + [f"plan_{p}" for p in self.plans]
        return [self.report(n) for n in names + [f"year_{y}" for y in self.years]]

    def pages(self) -> list[str]:
        """Every page of this city: its reports, its documents' sources, its indicators."""
        return (
            self.report_pages()
            + [links.source_page(d) for d, _ in self.documents]
            + [self.indicator(i) for i, _ in self.indicators]
        )


@dataclass(frozen=True)
class SiteMap:
    """Every page of a run, so a header can link to them: each city's, and the cross-city
    report's (``cross_city``)."""

    cities: tuple[CitySite, ...] = ()
    cross_city: bool = False

    def pages(self) -> list[str]:
        """Every page of the site (relative to outputs/)."""
        cross = [links.report_page(links.CITIES_REPORT)] if self.cross_city else []
        return [links.INDEX, *cross, *(p for c in self.cities for p in c.pages())]

    def city_of(self, page: str) -> CitySite | None:
        """The city a page belongs to; the only city of a one-city site for any page; None for
        the index and the cross-city report of several cities."""
        if len(self.cities) == 1:
            return self.cities[0]
        return next((c for c in self.cities if page in c.pages()), None)


def _nav_city(a, page: str, city: CitySite) -> list[str]:
    """A city's part of the header: overview, previous/next year, every year, plans."""
    parts = [a(city.report("overview"), "总览 Overview")] if city.overview else []
    year = next((y for y in city.years if city.report(f"year_{y}") == page), None)
    if year is not None:
        if year - 1 in city.years:
            parts.append(a(city.report(f"year_{year - 1}"), f"← {year - 1}"))
        if year + 1 in city.years:
            parts.append(a(city.report(f"year_{year + 1}"), f"{year + 1} →"))
    neighbours = {year, year - 1, year + 1} if year is not None else set()
    parts += [a(city.report(f"year_{y}"), str(y)) for y in city.years if y not in neighbours]
    parts += [a(city.report(f"plan_{p}"), f"规划 Plan {p}") for p in city.plans]
    return parts


def nav_html(page: str, site: SiteMap) -> str:
    """The header of every page: index, overview, previous/next year, plans, the cross-city
    report, indicators, sources; with several cities, the page's city's reports and the other
    cities' overviews (the index and the cross-city report: every city's overview)."""

    def a(target: str, text: str, anchor: str | None = None) -> str:
        if target == page and not anchor:
            return f'<span class="qz-here">{e(text)}</span>'
        return f'<a href="{e(links.href(page, target, anchor))}">{e(text)}</a>'

    parts = [a(links.INDEX, "首页 Index")]
    city = site.city_of(page)
    if city is not None:
        if len(site.cities) > 1:
            parts.append(f'<b class="qz-city">{e(city.city)}</b>')
        parts += _nav_city(a, page, city)
    if site.cross_city:
        parts.append(a(links.report_page(links.CITIES_REPORT), "跨城市 Cities"))
    parts += [
        a(c.report("overview"), f"{c.city} 总览 Overview")
        for c in site.cities
        if len(site.cities) > 1 and c is not city and c.overview
    ]
    parts.append(a(links.INDEX, "指标 Indicators", "indicators"))
    parts.append(a(links.INDEX, "原文 Sources", "sources"))
    return f'<nav class="qz-nav" aria-label="site">{" ".join(parts)}</nav>'


_HEADING = re.compile(r'<h([23])([^>]*?)\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)


def toc_html(body: str) -> str:
    """A table of contents of the h2/h3 headings with ids in ``body`` (empty with fewer than 2)."""
    items = []
    for level, _attrs, hid, inner in _HEADING.findall(body):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "").strip()
        if text:
            indent = ' style="margin-left:1.2em"' if level == "3" else ""
            items.append(f'<li{indent}><a href="#{e(hid)}">{e(text)}</a></li>')
    if len(items) < 2:
        return ""
    return f'<nav class="qz-toc" aria-label="contents"><b>目录 Contents</b><ul>{"".join(items)}</ul></nav>'


def citation_html(title: str, page: str, corpus, *, run_date: str) -> str:
    """'Cite this page': title, corpus, package version, date and the documents' hashes."""
    docs = "; ".join(f"{d.doc_id} sha256:{d.sha256[:12]}" for d in corpus)
    city = ", ".join(sorted({d.city for d in corpus if d.city})) or "corpus"
    text = (
        f"{title}. In: qzanalysis reports on {city} ({len(corpus)} documents: {docs}). "
        f"qzanalysis {__version__}, rendered {run_date[:10]}. Page {page}."
    )
    return (
        '<section class="qz-cite" id="cite"><b>引用本页 Cite this page</b>'
        f"<p><code>{e(text)}</code></p></section>"
    )


#: itables' messages for a notebook whose scripts do not run (a padlock, "you should not see
#: this message"), in <noscript>: meaningless in a shared page, and the emoji is in no font.
_ITABLES_NOSCRIPT = re.compile(
    r"<noscript>(?:(?!</noscript>).)*?(?:ITables|JavaScript not allowed)(?:(?!</noscript>).)*?</noscript>",
    re.S,
)


def without_notebook_hints(page_html: str) -> str:
    """The page without itables' notebook-trust hint."""
    return _ITABLES_NOSCRIPT.sub("", page_html)


def decorate_report(
    page_html: str, *, page: str, site: SiteMap, citation: str, extra_css: str = ""
) -> str:
    """A rendered notebook with the site's header, a table of contents after its first heading,
    the viewport tag, and the citation line before the provenance footer."""
    head = f"<style>{SITE_CSS}{extra_css}</style>"
    if 'name="viewport"' not in page_html:
        head = '<meta name="viewport" content="width=device-width, initial-scale=1">' + head
    out = without_notebook_hints(page_html).replace("</head>", head + "\n</head>", 1)
    out = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav_html(page, site), out, count=1)
    toc = toc_html(out)
    out = (
        re.sub(r"(</h1>\s*(?:</div>\s*)*)", lambda m: m.group(1) + toc, out, count=1)
        if toc
        else out
    )
    marker = '<footer id="provenance"'
    if marker in out:
        return out.replace(marker, citation + "\n" + marker, 1)
    return out.replace("</body>", citation + "\n</body>", 1)


def page(
    title: str,
    body: str,
    *,
    page_path: str,
    site: SiteMap,
    citation: str,
    footer: str = "",
    extra_css: str = "",
    head_extra: str = "",
) -> str:
    """A whole page the runner builds itself (index, sources, indicators), without the font
    (the caller embeds it: :func:`qzanalysis.report.html.embed_cjk_font`)."""
    body = without_notebook_hints(body).replace(_TOC_MARK, toc_html(body), 1)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>body{{margin:0;color:#222;line-height:1.55;font-family:sans-serif}}{SITE_CSS}{extra_css}</style>
{head_extra}</head><body>
{nav_html(page_path, site)}
<main class="qz-page">
{body}
</main>
{citation}
{footer}
</body></html>
"""


TOC_HERE = _TOC_MARK
