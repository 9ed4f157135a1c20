"""The pages the runner builds itself, from one analysis: the index (a landing page), a source
page per document and a page per indicator with a target (issue 10), city by city (issue 13:
each city's indicator pages read that city's analysis alone, under its key, see
:mod:`qzanalysis.links`; the index has a section per city).

They need no kernel (a page per indicator from a notebook would start a hundred kernels); what a
researcher explores interactively is the same analysis (``a.headline()``, :mod:`.compare.history`).
Tables are the escaped ones of :func:`qzanalysis.notebook.styled`, made sortable and searchable by
itables (offline: the DataTables bundle is embedded once per page); figures are inline PNG.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from .. import __version__, links, plots
from ..notebook import ITABLE_OPTIONS, headline_view, linked, styled
from ..pipeline import Analysis
from ..tables import atomic_write
from .html import embed_cjk_font, font_style, index_body, page_chars
from .site import TOC_HERE, CitySite, SiteMap, citation_html, e, nav_html, page
from .sources import SOURCE_CSS, source_body

PAGES_CSS = (
    SOURCE_CSS
    + """
figure.qz-fig{margin:1em 0} figure.qz-fig figcaption{font-style:italic;font-size:.9em;color:#444}
.qz-summary{font-size:1.05em;max-width:60em}
.qz-cols{columns:18em auto;column-gap:2em} .qz-cols li{break-inside:avoid}
"""
)


def datatables_init() -> str:
    """DataTables embedded in the page (base64; no request leaves the machine)."""
    import itables
    from itables.javascript import generate_init_offline_itables_html

    return generate_init_offline_itables_html(itables.options.dt_bundle)


#: A built page's table gets DataTables (search, sort) from this many rows: the bundle is
#: ~1 MB a page, worth it for a list to search, not for three rows.
INTERACTIVE_FROM_ROWS = 8


def datatable(frame: pd.DataFrame) -> str:
    """An escaped table (:func:`styled`), sortable and searchable when it is long enough."""
    if len(frame) < INTERACTIVE_FROM_ROWS:
        return f'<div class="qz-scroll">{styled(frame).to_html()}</div>'
    import itables

    return itables.to_html_datatable(
        styled(frame), connected=False, allow_html=True, **ITABLE_OPTIONS
    )


def figure_html(fig, text: str) -> str:
    """A matplotlib figure as an inline PNG with ``text`` as caption and alt text (escaped)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plots.plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure class="qz-fig"><img src="data:image/png;base64,{data}" alt="{e(text)}">'
        f"<figcaption>{e(text)}</figcaption></figure>"
    )


# --------------------------------------------------------------------------------------------
# Source pages
# --------------------------------------------------------------------------------------------


def source_pages(a: Analysis) -> Iterable[tuple[str, str, str]]:
    """(page path, title, body) of every document's source page."""
    for doc in a.corpus:
        page = links.source_page(doc.doc_id)
        body = source_body(doc, a.statements, page=page)
        yield page, f"原文 Source: {doc.title}", body


# --------------------------------------------------------------------------------------------
# Indicator pages
# --------------------------------------------------------------------------------------------


#: What the indicator page's tables show (the CSV exports in outputs/tables/ have every column).
TARGET_COLUMNS = ["year", "target", "status", "outcome_value", "previous_outcome_value", "delta",
                  "delta_unit", "explanation", "ratchet_explanation"]  # fmt: skip
STATEMENT_COLUMNS = ["evidence", "kind", "measure", "period_start", "period_end", "value",
                     "value_high", "unit", "comparator", "quote", "source", "confidence"]  # fmt: skip


def _section(title: str, content: str, anchor: str) -> str:
    return f'<h2 id="{e(anchor)}">{e(title)}</h2>\n{content}'


def indicator_body(
    a: Analysis, indicator_id: str, *, headline: pd.DataFrame, city_key: str = ""
) -> str:
    """An indicator across years (``a``: one city's analysis): chart, findings, target history,
    every statement, unused candidates."""
    page = links.indicator_page(indicator_id, city_key)
    ind = a.registry[indicator_id]
    label = a.registry.label(indicator_id)
    data = a.indicator_history(indicator_id)
    series = data.series
    last = int(series["year"].max()) if series["year"].notna().any() else None
    chart = figure_html(
        plots.plot_indicator_history(series, title=label, last_year=last),
        f"{label}: targets (band: range or tolerance; colour: verdict), outcomes (filled) and "
        "estimates (hollow) by year, one panel per measure and unit; a year without a figure is "
        "left empty. From the corpus documents and data/reference.",
    )
    mine = headline[headline["indicator_id"] == indicator_id]
    findings = (
        datatable(headline_view(mine, page=page))
        if len(mine)
        else "<p>No target of this indicator is judged or tracked yet.</p>"
    )
    targets = (
        linked(data.history, "target", page=page)[TARGET_COLUMNS]
        if len(data.history)
        else data.history
    )
    statements = data.statements
    if len(statements):
        statements = linked(statements, "evidence", page=page)
        statements = statements.assign(
            source=statements["doc_id"].fillna(statements["statement_id"])
        )
        statements = statements[STATEMENT_COLUMNS]
    unused = data.unused
    parts = [
        f"<h1>{e(label)}</h1>",
        f'<p class="qz-summary">Indicator <code>{e(indicator_id)}</code>, category '
        f"{e(ind.category)}, {e(ind.polarity.replace('_', ' '))}; registry unit {e(ind.unit or '—')}. "
        f"{len(targets)} target(s), {len(statements)} statement(s) and reference figure(s).</p>",
        TOC_HERE,
        _section("1. 跨年图 · Across the years", chart, "chart"),
        _section("2. 结论 · Verdicts and tracking", findings, "findings"),
        _section(
            "3. 目标历史 · Target history (ratchet)",
            datatable(targets) if len(targets) else "<p>No target.</p>",
            "targets",
        ),
        _section(
            "4. 全部陈述 · Every statement about it",
            datatable(statements),
            "statements",
        ),
        _section(
            "5. 未采用的候选 · Candidate outcomes not used, and why",
            datatable(unused)
            if len(unused)
            else "<p>None: every candidate considered was used.</p>",
            "unused",
        ),
    ]
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------


def coverage_chart(a: Analysis) -> str:
    """What one city's corpus covers: the year x indicator grid."""
    cells = a.coverage_cells()
    return figure_html(
        plots.plot_coverage_matrix(cells),
        f"What the corpus covers: each registry indicator ({cells['indicator_id'].nunique()}) by "
        "year, with a target, an outcome, both, or a judged target (data/raw and data/reference).",
    )


def index_findings(a: Analysis, headline: pd.DataFrame, *, city: CitySite | None = None) -> str:
    """One city's headline verdicts across years and plan-tracking calls, linked to evidence
    (and to that city's indicator pages)."""
    page, key = links.INDEX, city.key if city else ""
    level, suffix = ("h4", f"-{key}") if key else ("h3", "")
    verdicts = headline[headline["comparison"] == "verdict"]
    calls = headline[headline["comparison"].isin(["tracking", "pace"])]
    statuses = a.comparisons["status"].value_counts()
    counts = ", ".join(f"{s} {statuses[s]}" for s in statuses.index)

    def table(rows: pd.DataFrame) -> str:
        return (
            datatable(headline_view(rows, page=page, city_key=key)) if len(rows) else "<p>None.</p>"
        )

    return (
        f"<p>{len(a.comparisons)} targets in the corpus and reference figures: {e(counts)}. "
        "Every target and outcome below links to its highlighted sentence.</p>"
        f"<{level} id='{e('verdicts' + suffix)}'>目标完成情况 · Verdicts across years</{level}>"
        + table(verdicts)
        + f"<{level} id='{e('tracking' + suffix)}'>规划跟踪 · Plan-tracking calls</{level}>"
        + table(calls)
    )


def by_city(
    a: Analysis, site: SiteMap, section: str, make: Callable[[CitySite, Analysis], str]
) -> str:
    """``make(city, its analysis)`` for the one city as it is; with several, one part per city
    under a heading of its name (id ``<section>-<key>``)."""
    if len(site.cities) == 1:
        return make(site.cities[0], a)
    return "".join(
        f'<h3 id="{e(f"{section}-{c.key}")}">{e(c.city)}</h3>\n' + make(c, a.for_city(c.city))
        for c in site.cities
    )


def _index_summary(a: Analysis, site: SiteMap) -> str:
    def spans(c: CitySite) -> str:
        years = sorted(c.years)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return f"year reviews {e(span)}, plans {e(', '.join(c.plans) or 'none')}"

    dates = [d.published for d in a.corpus]
    head = (
        f"{len(a.corpus)} documents published {e(min(dates))} to {e(max(dates))}; "
        f"{len(a.statements)} statements, {len(a.reference)} reference figures; "
    )
    if len(site.cities) == 1:
        return head + spans(site.cities[0]) + "."
    cities = "; ".join(
        f"{e(c.city)}: {len(c.documents)} documents, {spans(c)}" for c in site.cities
    )
    return head + f"{len(site.cities)} cities, each compared with itself alone ({cities})."


# --------------------------------------------------------------------------------------------
# Writing the site
# --------------------------------------------------------------------------------------------


def _static_footer(a: Analysis, digests: dict[str, str], run_date: str) -> str:
    docs = "".join(
        f"<li><code>{e(d.doc_id)}</code> {e(d.title)} ({e(d.published)}) sha256 "
        f"<code>{e(d.sha256)}</code></li>"
        for d in a.corpus
    )
    return (
        '<footer id="provenance" class="qz-cite"><b>来源与可复现性 Provenance</b>'
        f"<p>Built by qzanalysis {e(__version__)} on {e(run_date)} from the corpus "
        f"<code>{e(a.corpus.path)}</code> (fingerprint <code>{e(digests['corpus'][:16])}</code>), "
        f"package code <code>{e(digests['package'][:16])}</code>, with parameters "
        f"<code>{e(json.dumps(a.parameters, ensure_ascii=False, default=str))}</code>.</p>"
        f"<ul>{docs}</ul></footer>"
    )


def _write(out_dir: Path, page_path: str, text: str) -> None:
    atomic_write(out_dir / page_path, lambda p: p.write_text(text, encoding="utf-8"))


def build_page(
    a: Analysis, page_path: str, title: str, body: str, *, site: SiteMap, footer: str, run_date: str
) -> str:
    """A whole page without its font: the site shell, DataTables when the body has a table
    (``a``: the analysis whose documents the page cites)."""
    head = datatables_init() if "new ITable(" in body else ""
    return page(
        title,
        body,
        page_path=page_path,
        site=site,
        citation=citation_html(title, page_path, a.corpus, run_date=run_date),
        footer=footer,
        extra_css=PAGES_CSS,
        head_extra=head,
    )


def site_key(
    digests: dict[str, str], site: SiteMap, parameters: dict, page_paths: Iterable[str]
) -> str:
    """Hash of what a city's source and indicator pages depend on: its inputs (``digests``,
    its documents' as "corpus"), its parameters, and each page's header."""
    h = hashlib.sha256(json.dumps(digests, sort_keys=True).encode())
    h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    for p in page_paths:
        h.update(p.encode() + b"\0" + nav_html(p, site).encode())
    return h.hexdigest()


#: The analysis and headline an indicator-page worker reads (set before the pool forks).
_WORKER: dict = {}


def _indicator_page(indicator_id: str) -> tuple[str, str]:
    a, headline, key = _WORKER["analysis"], _WORKER["headline"], _WORKER["city_key"]
    return indicator_id, indicator_body(a, indicator_id, headline=headline, city_key=key)


def indicator_bodies(
    a: Analysis, ids: list[str], *, jobs: int, city_key: str = ""
) -> dict[str, str]:
    """Every indicator page's body of one city, on ``jobs`` processes where the platform forks
    (a chart each: about half a second a page, a minute for a hundred on one core)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from .runner import _die_with_parent

    _WORKER.update(analysis=a, headline=a.headline(), city_key=city_key)
    try:
        if jobs <= 1 or len(ids) < 8 or "fork" not in mp.get_all_start_methods():
            return dict(map(_indicator_page, ids))
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=mp.get_context("fork"), initializer=_die_with_parent
        ) as pool:
            return dict(pool.map(_indicator_page, ids, chunksize=4))
    finally:
        _WORKER.clear()


def write_pages(
    a: Analysis,
    site: SiteMap,
    digests: dict[str, str],
    out_dir: Path,
    *,
    run_date: str,
    force: bool = False,
    jobs: int = 1,
    progress: Callable[[str], None] = print,
) -> int:
    """Write every city's source and indicator pages (a city's skipped when nothing they read
    changed); returns how many pages were written."""
    return sum(
        _write_city_pages(
            a.for_city(city.city),
            city,
            site,
            digests,
            out_dir,
            run_date=run_date,
            force=force,
            jobs=jobs,
            progress=progress,
        )  # fmt: skip
        for city in site.cities
    )


def _write_city_pages(
    a: Analysis,
    city: CitySite,
    site: SiteMap,
    digests: dict[str, str],
    out_dir: Path,
    *,
    run_date: str,
    force: bool,
    jobs: int,
    progress: Callable[[str], None],
) -> int:
    """One city's source and indicator pages (``a``: its analysis); they share one embedded
    font subset."""
    mine = {**digests, "corpus": a.corpus.fingerprint()}
    wanted = [links.source_page(d) for d, _ in city.documents]
    wanted += [city.indicator(i) for i, _ in city.indicators]
    key = site_key(mine, site, a.parameters, wanted)
    stamp = out_dir / ".cache" / (f"pages.{city.key}.key" if city.key else "pages.key")
    who = f"{city.city}: " if city.key else ""
    fresh = not force and stamp.is_file() and stamp.read_text(encoding="utf-8") == key
    if fresh and all((out_dir / p).is_file() for p in wanted):
        progress(f"{who}{len(wanted)} source and indicator page(s) up to date")
        return 0
    progress(f"{who}building {len(wanted)} source and indicator page(s)…")
    footer = _static_footer(a, mine, run_date)
    built = {p: build_page(a, p, t, b, site=site, footer=footer, run_date=run_date)
             for p, t, b in source_pages(a)}  # fmt: skip
    bodies = indicator_bodies(a, [i for i, _ in city.indicators], jobs=jobs, city_key=city.key)
    for indicator_id, label in city.indicators:
        p = city.indicator(indicator_id)
        title = f"指标 Indicator: {label}" + (f" · {city.city}" if city.key else "")
        built[p] = build_page(a, p, title, bodies[indicator_id], site=site, footer=footer,
                              run_date=run_date)  # fmt: skip
    style = font_style(set().union(*(page_chars(text) for text in built.values())))
    for p, text in built.items():
        _write(out_dir, p, embed_cjk_font(text, style))
    stamp.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(stamp, lambda path: path.write_text(key, encoding="utf-8"))
    progress(f"{who}{len(built)} source and indicator page(s) written")
    return len(built)


def write_index(
    a: Analysis,
    results: list,
    site: SiteMap,
    digests: dict[str, str],
    out_dir: Path,
    *,
    run_date: str,
) -> Path:
    """outputs/index.html: the landing page (findings first, build details last), a part per
    city in each section when the corpus holds several."""
    body = index_body(
        results,
        a.corpus,
        digests,
        out_dir,
        site=site,
        summary=_index_summary(a, site),
        findings=by_city(a, site, "findings", lambda c, p: index_findings(p, p.headline(), city=c)),
        coverage=by_city(a, site, "coverage", lambda c, p: coverage_chart(p)),
    )
    title = "规划目标与实际结果 qzanalysis reports"
    footer = _static_footer(a, digests, run_date)
    text = embed_cjk_font(
        build_page(a, links.INDEX, title, body, site=site, footer=footer, run_date=run_date)
    )
    return atomic_write(out_dir / links.INDEX, lambda p: p.write_text(text, encoding="utf-8"))


def site_map(report_names: Iterable[str], a: Analysis) -> SiteMap:
    """Every page of the site: the reports named (this run's and earlier ones still on disk;
    a name of no city of ``a`` is left out), and per city a source page per document and an
    indicator page per registry indicator with a target."""
    bases: dict[str, set[str]] = {}
    for name in report_names:
        key, base = links.split_report_name(name)
        bases.setdefault(key, set()).add(base)
    keys = links.city_keys(a.city_codes)
    cities = []
    for city in a.cities():
        part, mine = a.for_city(city), bases.get(keys[city], set())
        years = sorted(int(b[5:]) for b in mine if re.fullmatch(r"year_\d{4}", b))
        cities.append(
            CitySite(
                city=city,
                key=keys[city],
                years=tuple(years),
                plans=tuple(sorted(b[5:] for b in mine if b.startswith("plan_"))),
                overview="overview" in mine,
                indicators=tuple(
                    (i, part.registry.label(i)) for i in part.indicators_with_targets()
                ),
                documents=tuple((d.doc_id, d.title) for d in part.corpus),
            )
        )
    return SiteMap(cities=tuple(cities), cross_city=links.CITIES_REPORT in bases.get("", set()))
