"""Where every page of the shared site lives, and how a number links to its evidence.

One home for the site's addresses (issue 10): the report runner writes pages at these paths,
the notebooks and page builders link with :func:`href`, and the tests check that every link
resolves. Paths are POSIX paths relative to the outputs folder::

    index.html                          the landing page
    html/<report>.html                  a rendered notebook (year_2020, plan_2022-2026, overview)
    html/sources/<doc_id>.html          a document's text, every statement highlighted
    html/indicators/<indicator_id>.html an indicator across years

A statement's anchor on its source page is :func:`anchor_id` of its statement_id. Reference
figures have no source page: their evidence is their source URL (http or https only).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, urlsplit

INDEX = "index.html"
REPORTS_DIR = "html"
SOURCES_DIR = "html/sources"
INDICATORS_DIR = "html/indicators"
#: Where a notebook opened in JupyterLab (notebooks/) finds the rendered site.
SITE_FROM_NOTEBOOKS = "../outputs"


def anchor_id(statement_id: str) -> str:
    """The HTML id of a statement's highlight on its source page ('st-' + the statement id)."""
    return f"st-{statement_id}"


def report_page(name: str) -> str:
    """A rendered notebook's page: 'html/year_2020.html'."""
    return f"{REPORTS_DIR}/{name}.html"


def source_page(doc_id: str) -> str:
    """A document's source page: 'html/sources/wr2020.html'."""
    return f"{SOURCES_DIR}/{doc_id}.html"


def indicator_page(indicator_id: str) -> str:
    """An indicator's page: 'html/indicators/gdp.html'."""
    return f"{INDICATORS_DIR}/{indicator_id}.html"


def href(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A relative link from ``from_page`` to ``to_page`` (both relative to outputs/).

    Path segments and the fragment are percent-encoded, so a doc_id or statement id can never
    close the attribute or start a scheme; the caller still attribute-escapes the result.
    """
    rel = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    link = quote(rel, safe="/.-_~")
    return f"{link}#{quote(anchor, safe='-_.~:')}" if anchor else link


def evidence_href(from_page: str, doc_id: object, statement_id: object) -> str | None:
    """The link to a corpus statement's highlight, or None for a row without one."""
    if not _present(doc_id) or not _present(statement_id):
        return None
    return href(from_page, source_page(str(doc_id)), anchor_id(str(statement_id)))


def web_url(value: object) -> str | None:
    """``value`` when it is one absolute http(s) URL with a host, else None (never javascript:)."""
    if not _present(value):
        return None
    text = str(value).strip()
    if not text.isprintable() or " " in text or not re.match(r"https?://", text, re.IGNORECASE):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _present(value: object) -> bool:
    if value is None:
        return False
    try:
        if value != value:  # NaN / NA
            return False
    except TypeError:  # pd.NA compares to NA
        return False
    return str(value).strip() != ""
