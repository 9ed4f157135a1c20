"""Where every page of the shared site lives, and how a number links to its evidence.

One home for the site's addresses (issue 10) and for how a city is named in them (issue 13):
the report runner writes pages at these paths, the notebooks and page builders link with
:func:`href`, and the tests check that every link resolves. Paths are POSIX paths relative to
the outputs folder::

    index.html                          the landing page
    html/<report>.html                  a rendered notebook (year_2020, plan_2022-2026, overview,
                                        cities)
    html/sources/<doc_id>.html          a document's text, every statement highlighted
    html/indicators/<indicator_id>.html an indicator across years

A corpus of several cities gives each city a key (:func:`city_keys`: its ``city_code`` when the
manifest has one, else :func:`slug` of its name) and puts that city's pages under it: the report
``331100_year_2024`` is ``html/331100/year_2024.html``, its indicator pages
``html/331100/indicators/<id>.html``. A one-city corpus has the key "" and the paths above, and
the cross-city report ``cities`` is always ``html/cities.html``. Source pages stay in
``html/sources/``: a document belongs to one city already.

A statement's anchor on its source page is :func:`anchor_id` of its statement_id. Reference
figures have no source page: their evidence is their source URL (http or https only).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

INDEX = "index.html"
REPORTS_DIR = "html"
SOURCES_DIR = "html/sources"
INDICATORS_DIR = "html/indicators"
#: Where a notebook opened in JupyterLab (notebooks/) finds the rendered site.
SITE_FROM_NOTEBOOKS = "../outputs"
#: The cross-city report (one per corpus, whatever its number of cities).
CITIES_REPORT = "cities"
#: A report's name without its city: what a one-city corpus calls it.
_BASE_NAME = re.compile(r"overview|cities|year_\d{4}|plan_\d{4}-\d{4}")
#: A city key: word characters (CJK too) in runs joined by '-', never '_' (the name separator).
_KEY = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
#: Folder names under html/ a city key must not take.
_RESERVED_KEYS = frozenset({posixpath.basename(SOURCES_DIR), posixpath.basename(INDICATORS_DIR)})


# --------------------------------------------------------------------------------------------
# Cities in addresses
# --------------------------------------------------------------------------------------------


def slug(city: str) -> str:
    """A city's name as a path segment: NFKC-folded, lower case, every run of characters that is
    not a letter or digit (CJK included) replaced by '-'; 'city-<hash>' when nothing is left."""
    text = unicodedata.normalize("NFKC", str(city)).lower()
    folded = "-".join(_KEY.findall(text.replace("_", "-")))
    if not folded or folded in _RESERVED_KEYS:
        folded = f"city-{hashlib.sha256(str(city).encode()).hexdigest()[:8]}"
    return folded


def city_keys(city_codes: Mapping[str, str]) -> dict[str, str]:
    """city -> the key of its pages: "" for a one-city corpus (today's paths), else its
    ``city_code`` (6 digits) when the manifest gives one, else :func:`slug` of its name; a key
    two cities would share gets the city's hash appended."""
    if len(city_codes) <= 1:
        return {city: "" for city in city_codes}
    keys: dict[str, str] = {}
    for city, code in city_codes.items():
        code = str(code or "").strip()
        key = code if re.fullmatch(r"\d{6}", code) else slug(city)
        if key in keys.values():
            key = f"{key}-{hashlib.sha256(city.encode()).hexdigest()[:6]}"
        keys[city] = key
    return keys


def report_name(base: str, city_key: str = "") -> str:
    """A report's name: ``base`` ('year_2024') for a one-city corpus, '331100_year_2024' else."""
    return f"{city_key}_{base}" if city_key else base


def split_report_name(name: str) -> tuple[str, str]:
    """(city key, base name) of a report name: ('331100', 'year_2024'), ('', 'year_2020'); any
    other name (a test's 'r1') is a one-city name."""
    key, sep, base = name.partition("_")
    if sep and _KEY.fullmatch(key) and _BASE_NAME.fullmatch(base):
        return key, base
    return "", name


def page_city(page: str | None) -> str:
    """The city key of a page ('html/331100/year_2024.html' -> '331100'); "" for the index,
    the cross-city report, a source page and every page of a one-city corpus."""
    parts = (page or "").split("/")
    if len(parts) >= 3 and parts[0] == REPORTS_DIR and parts[1] not in _RESERVED_KEYS:
        return parts[1]
    return ""


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def anchor_id(statement_id: str) -> str:
    """The HTML id of a statement's highlight on its source page ('st-' + the statement id)."""
    return f"st-{statement_id}"


def report_page(name: str) -> str:
    """A rendered notebook's page: 'html/year_2020.html', 'html/331100/year_2024.html'."""
    key, base = split_report_name(name)
    return f"{REPORTS_DIR}/{key}/{base}.html" if key else f"{REPORTS_DIR}/{base}.html"


def source_page(doc_id: str) -> str:
    """A document's source page: 'html/sources/wr2020.html'."""
    return f"{SOURCES_DIR}/{doc_id}.html"


def indicator_page(indicator_id: str, city_key: str = "") -> str:
    """An indicator's page: 'html/indicators/gdp.html', 'html/331100/indicators/gdp.html'."""
    if city_key:
        return f"{REPORTS_DIR}/{city_key}/{posixpath.basename(INDICATORS_DIR)}/{indicator_id}.html"
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
