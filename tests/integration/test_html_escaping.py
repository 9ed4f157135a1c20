"""Issue 12, script injection: no string from the data becomes markup on any page.

Unit tests check the display helpers of :mod:`qzanalysis.notebook` (the Styler of ``show``, the
http(s) link rule, ``md``/``caption``/``figure`` templates). The end-to-end tests render a year,
a plan and the overview report, and the index, from a copy of the data whose manifest titles,
reference notes and reference source URLs hold script payloads, and check every page.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from nbconvert.filters.markdown import markdown2html

from qzanalysis import notebook, paths
from qzanalysis.notebook import esc, link_cell, styled

SCRIPT = '<script>alert("t")</script>'
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = f"{SCRIPT} {IMG}"
#: Markup a payload would become if it were not escaped (case-insensitive).
LIVE = re.compile(
    r"<script>alert|<img src=x onerror|href=[\"']?\s*(javascript:|data:(?!text/csv;charset=utf-8,))",
    re.I,
)
ESCAPED_SCRIPT = "&lt;script&gt;alert("
ESCAPED_IMG = "&lt;img src=x onerror=alert("


def _live(page: str) -> list[str]:
    """Payloads that became markup: found in the text, and in the parsed elements."""
    found = [m.group(0) for m in LIVE.finditer(page)]
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return found + parser.hostile


def _csv_download(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """The package's own "download this table" link: <a download=... href="data:text/csv,...">
    with a percent-encoded CSV (no quote or angle bracket can survive percent-encoding)."""
    named = dict(attrs)
    href = named.get("href") or ""
    return (
        tag == "a"
        and "download" in named
        and href.startswith("data:text/csv;charset=utf-8,")
        and not re.search(r"[<>\"' ]", href)
    )


class _Elements(HTMLParser):
    """Parses a page the way a browser tokenises it and lists hostile elements: an event-handler
    attribute, a javascript:/data: link, an image from ``x``, a script that calls alert."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hostile: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.hostile.append(f"<{tag} {name}=...>")
            elif name == "href" and value.startswith(("javascript:", "data:", "vbscript:")):
                if not _csv_download(tag, attrs):
                    self.hostile.append(f"<{tag} href={value[:30]}>")
            elif tag == "img" and name == "src" and not value.startswith("data:image/"):
                self.hostile.append(f"<img src={value[:30]}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script or "alert(" not in data:
            return
        # itables carries an escaped table as a JSON string that DataTables inserts as HTML:
        # decoded, it must hold the payloads only in their escaped form (&lt;script&gt;...).
        decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), data)
        decoded = decoded.replace('\\"', '"').replace("\\/", "/")
        if LIVE.search(decoded) or "table_html" not in data:
            self.hostile.append(f"<script>{data[:30]}")


def _links(page: str) -> list[str]:
    """The href of every link made by show() (rel="noopener noreferrer"), as a browser reads it."""
    hrefs: list[str] = []

    class Anchors(HTMLParser):
        def handle_starttag(self, tag, attrs):
            got = dict(attrs)
            if tag == "a" and got.get("rel") == "noopener noreferrer":
                hrefs.append(got.get("href") or "")

    Anchors(convert_charrefs=True).feed(page)
    return hrefs


def _img_alts(page: str) -> list[str]:
    alts: list[str] = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                assert {n for n, _ in attrs} <= {"alt", "src", "class", "width", "height"}, attrs
                alts.append(dict(attrs).get("alt") or "")

    Images(convert_charrefs=True).feed(page)
    return alts


# --------------------------------------------------------------------------------------------
# show(): the Styler
# --------------------------------------------------------------------------------------------


def test_show_escapes_every_cell_and_column_name():
    frame = pd.DataFrame(
        {
            "quote": [PAYLOAD, "衢州 & <b>bold</b>"],
            f"note {IMG}": ["x", None],
            "value": [6.7, float("nan")],
            "n": [3, 12345],
        }
    )
    page = styled(frame).to_html()
    assert not _live(page), _live(page)
    assert ESCAPED_SCRIPT in page and ESCAPED_IMG in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "衢州 &amp; " in page
    assert f"note {ESCAPED_IMG}1)&gt;" in page  # the column name
    # Numbers keep their format: 6.7 (not 6.700000), an empty cell for NaN.
    cells = re.findall(r"<td [^>]*>(.*?)</td>", page)
    assert cells[2] == "6.7" and cells[3] == "3" and cells[7] == "12345" and cells[6] == ""


def test_show_displays_the_escaped_styler(monkeypatch):
    shown: list = []
    monkeypatch.setattr(notebook, "display", lambda obj, **kw: shown.append(obj))
    notebook.show(pd.DataFrame({"title": [SCRIPT]}))
    (table,) = shown
    assert ESCAPED_SCRIPT in table.to_html() and not _live(table.to_html())


@pytest.mark.parametrize(
    "cell, hrefs",
    [
        ("https://example.org/a?b=1", ["https://example.org/a?b=1"]),
        ("HTTP://Example.org/", ["HTTP://Example.org/"]),
        ("http://a.cn/x https://b.cn/y", ["http://a.cn/x", "https://b.cn/y"]),
        ('http://a.cn/"><script>alert(1)</script>', ["http://a.cn/&quot;&gt;&lt;script&gt;"]),
        ("javascript:alert(1)", []),
        ("JavaScript:alert(1)//http://a.cn", []),
        ("data:text/html,<script>alert(1)</script>", []),
        ("http://a.cn/x javascript:alert(1)", []),  # one word is not a URL: all of it is text
        ("see http://a.cn/x", []),
        ("http://", []),
        ("//a.cn/x", []),
        ("ftp://a.cn/x", []),
        ("", []),
    ],
)
def test_the_url_rule(cell, hrefs):
    out = link_cell(cell)
    found = re.findall(r'<a href="([^"]*)" rel="noopener noreferrer">', out)
    assert len(found) == len(hrefs)
    assert all(f.startswith(h) for f, h in zip(found, hrefs, strict=True))
    assert not _live(out)
    if not hrefs:
        assert "<" not in out  # plain escaped text


def test_show_links_urls_only_in_url_columns():
    frame = pd.DataFrame(
        {
            "source_url": ["https://a.cn/x", "javascript:alert(1)"],
            "evidence": ["新增 3 万人", "http://b.cn/y https://c.cn/z"],
            "outcome_source": ["wr2020", "data:text/html,<script>alert(1)</script>"],
            "note": ["https://a.cn/x", ""],
        }
    )
    page = styled(frame).to_html()
    assert re.findall(r'<a href="([^"]+)"', page) == [
        "https://a.cn/x",
        "http://b.cn/y",
        "https://c.cn/z",
    ]
    assert page.count('rel="noopener noreferrer"') == 3
    assert ">javascript:alert(1)<" in page and "data:text/html,&lt;script&gt;" in page
    assert not _live(page)


# --------------------------------------------------------------------------------------------
# md(), caption(), figure(): trusted templates, escaped values
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        PAYLOAD,
        "**bold** _it_ `code` [x](javascript:alert(1)) ![i](x) $x$ ~~s~~ a|b",
        "# heading",
        "- item",
        "---",
        "-0.5 and 2.5",
        "2020. a list",
        "line one\n\n<script>alert(2)</script>\n# two",
        "back\\slash & ampersand &lt; entity",
    ],
)
def test_esc_shows_the_value_literally(value):
    rendered = markdown2html(f"Documents used: {esc(value)}.")
    assert not _live(rendered)
    assert not re.search(r"<(strong|em|code|a|img|h\d|li|ol|ul|del|table|script)\b", rendered)
    text = re.sub(r"\s+", " ", value)
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip() == f"Documents used: {text}."


def test_md_caption_and_figure_escape_their_values(monkeypatch):
    from matplotlib.figure import Figure

    shown: list = []
    monkeypatch.setattr(notebook, "display", lambda obj, **kw: shown.append((obj, kw)))
    notebook.md("**Vintage:** {}; tolerance ±{:g} pp ({:.0%})", PAYLOAD, 0.2, 0.01)
    notebook.caption("From {title}.", title=IMG)
    notebook.md("Trusted *markdown* {kept} without values")
    notebook.figure(Figure(), "Outcomes of {} in {}.", SCRIPT, 2020)
    texts = [obj.data for obj, _ in shown if hasattr(obj, "data")]
    assert texts[0].startswith("**Vintage:** &lt;script&gt;alert(&quot;t&quot;)")
    assert texts[0].endswith("; tolerance ±0.2 pp (1%)")
    assert texts[1] == "*From &lt;img src=x onerror=alert(1)&gt;.*"
    assert texts[2] == "Trusted *markdown* {kept} without values"
    assert texts[3] == "*Outcomes of &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; in 2020.*"
    # The alt text is plain (nbconvert's template attribute-escapes it, see below).
    (alt,) = [kw["metadata"]["image/png"]["alt"] for _, kw in shown if kw.get("metadata")]
    assert alt == f"Outcomes of {SCRIPT} in 2020."
    for text in texts:
        assert not _live(markdown2html(text))


def test_nbconvert_escapes_the_alt_text_and_the_title(tmp_path):
    """What the page does with a figure's plain alt text and a data-derived report title."""
    import nbformat

    from qzanalysis.report import render_html

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
            metadata={"image/png": {"alt": f'{PAYLOAD} " onload="alert(3)'}},
        )
    ]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    page = render_html(tmp_path / "nb.ipynb", show_code=False, footer_html="", title=PAYLOAD)
    assert not _live(page)
    # One attribute holding the whole text (BeautifulSoup, which embeds the images, may
    # re-quote it with ' when it holds "): no onload attribute, no element from the text.
    assert _img_alts(page) == [f'{PAYLOAD} " onload="alert(3)']
    assert re.search(r"<title>&lt;script&gt;alert\(", page)


# --------------------------------------------------------------------------------------------
# Every page type, rendered from data holding payloads
# --------------------------------------------------------------------------------------------

TITLED = ("wr2022_excerpt", "wr2020")


def _poison_manifest(manifest: Path) -> None:
    """Append the payloads to two titles (the sha256 column hashes the files, not the titles)."""
    with manifest.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["doc_id"] in TITLED:
            row["title"] = f"{row['title']} {PAYLOAD}"
    with manifest.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _poison_reference(reference: Path) -> None:
    """Payloads in every note; of the rows ending in 2020, a third get a javascript: URL, a
    third a hostile http URL, a third keep their real URLs (which must become links)."""
    with reference.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        row["note"] = f"{row['note']} {IMG} {SCRIPT}"
        if row["period_end"] == "2020" and i % 3 == 0:
            row["source_url"] = f"javascript:alert({i})"
        elif row["period_end"] == "2020" and i % 3 == 1:
            row["source_url"] = f'http://example.org/{i}"><script>alert({i})</script>'

    with reference.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def poisoned_reports(tmp_path_factory):
    """year_2020, plan_2022-2026, the overview and the cross-city report rendered from a copy of
    data/ with payloads.

    The notebooks' kernel finds data/ through QZANALYSIS_ROOT, which the runner sets from
    ``paths.ROOT``: pointing ROOT (and the files the runner hashes) at the copy makes the
    notebooks read the poisoned reference file as well as the poisoned corpus.
    """
    from qzanalysis.report import plan_reports, run_reports

    root = tmp_path_factory.mktemp("poisoned")
    data = root / "data"
    shutil.copytree(paths.DATA_DIR, data)
    _poison_manifest(data / "raw" / "manifest.csv")
    reference = data / "reference" / paths.REFERENCE_FILE.name
    _poison_reference(reference)
    out_dir = root / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QZANALYSIS_ROOT", str(root))
        mp.setattr(paths, "ROOT", root)
        mp.setattr(paths, "REFERENCE_FILE", reference)
        mp.setattr(paths, "REVIEW_FILE", data / "curated" / paths.REVIEW_FILE.name)
        mp.setattr(paths, "INDICATORS_FILE", data / paths.INDICATORS_FILE.name)
        specs = plan_reports(data / "raw", years=[2020], plans=["2022-2026"])
        results = run_reports(
            specs, corpus_dir=data / "raw", out_dir=out_dir, jobs=2, progress=lambda line: None
        )
    return SimpleNamespace(out_dir=out_dir, results={r.name: r for r in results})


PAGES = ["index", "overview", "plan_2022-2026", "year_2020", "cities"]


def _page(reports, name: str) -> str:
    path = reports.out_dir / ("index.html" if name == "index" else f"html/{name}.html")
    return path.read_text(encoding="utf-8")


def test_every_poisoned_report_renders(poisoned_reports):
    statuses = {n: (r.status, r.error) for n, r in poisoned_reports.results.items()}
    assert {n: s for n, (s, _) in statuses.items()} == {
        "overview": "rendered",
        "plan_2022-2026": "rendered",
        "year_2020": "rendered",
        "cities": "rendered",
    }, statuses


@pytest.mark.parametrize("name", PAGES)
def test_no_page_holds_live_markup_from_the_data(poisoned_reports, name):
    page = _page(poisoned_reports, name)
    assert not _live(page), f"{name}: {_live(page)[:5]}"
    assert ESCAPED_SCRIPT in page and ESCAPED_IMG in page, f"{name}: the payload is not shown"


@pytest.mark.parametrize("name", ["overview", "plan_2022-2026", "year_2020", "cities"])
def test_the_notebook_output_itself_shows_the_escaped_titles(poisoned_reports, name):
    """Not only the (escaped) provenance footer: the report's own text and tables."""
    page = _page(poisoned_reports, name)
    body = page[: page.index('id="provenance"')]
    assert ESCAPED_SCRIPT in body and ESCAPED_IMG in body, name
    assert not _live(body)


def test_the_year_review_escapes_notes_and_links_only_http_urls(poisoned_reports):
    page = _page(poisoned_reports, "year_2020")
    body = page[: page.index('id="provenance"')]
    # Document titles in "documents used" (md) and reference notes in the tables (show).
    assert re.search(r"documents used: [^<]*&lt;script&gt;alert\(", body)
    assert "javascript:alert(" in body and 'href="javascript' not in body
    hrefs = _links(body)
    # web pages (reference figures' sources) or pages of the site itself (no scheme)
    assert hrefs and all(
        h.startswith(("http://", "https://")) or not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", h)
        for h in hrefs
    ), hrefs
    assert any(h.startswith("https://regional.chinadaily.com.cn/") for h in hrefs), hrefs
    # The hostile http URL is a link whose href holds the whole (attribute-escaped) text.
    assert any(
        re.fullmatch(r'http://example\.org/\d+"><script>alert\(\d+\)</script>', h) for h in hrefs
    )


def test_figure_alt_text_is_attribute_escaped(poisoned_reports):
    for name in ("overview", "plan_2022-2026", "year_2020"):
        page = _page(poisoned_reports, name)
        alts = _img_alts(page)  # every <img> has only alt, src (and layout) attributes
        assert alts and all(len(alt) > 30 for alt in alts), name


def test_the_index_escapes_titles_and_links(poisoned_reports):
    index = _page(poisoned_reports, "index")
    items = re.findall(
        r"<li><a href=[^>]*>(.*?)</a> \(<code>(wr2022_excerpt|wr2020)</code>", index, re.S
    )
    items = [(doc, title) for title, doc in items]
    assert len(items) == 2 and all(ESCAPED_SCRIPT in text for _, text in items)
    assert 'href="html/plan_2022-2026.html"' in index
