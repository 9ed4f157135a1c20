"""A link checker for a rendered site (the tests of issue 10 and 13 share it).

Every relative href of every page must name a file that exists under the outputs folder and,
with a #fragment, an element id on that page (a browser matches the fragment as written, then
percent-decoded); a link to a folder (the tables folder) must name a folder.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

_HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


def read_pages(out: Path) -> dict[str, str]:
    """Every .html page under ``out`` by its path relative to it."""
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")
    }


def _normal(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def relative_links(pages: dict[str, str]) -> Iterator[tuple[str, str, str, str]]:
    """(page, href, target page, fragment) of every relative link; web, data: and mail links are
    skipped, and "#fragment" alone targets its own page."""
    for page, text in pages.items():
        for href in _HREF.findall(text):
            parts = urlsplit(html.unescape(href))
            if parts.scheme or href.startswith("//"):
                continue
            target = page
            if parts.path:
                target = (Path(page).parent / unquote(parts.path)).as_posix()
            yield page, href, _normal(target), parts.fragment


def broken_links(pages: dict[str, str], out: Path) -> list[tuple[str, str, str]]:
    """(page, href, why) of every relative link whose page, folder or anchor does not exist."""
    ids = {name: {html.unescape(i) for i in _ID.findall(text)} for name, text in pages.items()}
    broken = []
    for page, href, target, fragment in relative_links(pages):
        if href.split("#")[0].endswith("/") or target == "tables" or (out / target).is_dir():
            if not (out / target).is_dir():
                broken.append((page, href, "no such folder"))
        elif target not in pages and not (out / target).is_file():
            broken.append((page, href, "no such page"))
        elif fragment and not {fragment, unquote(fragment)} & ids.get(target, set()):
            broken.append((page, href, "no such anchor"))
    return broken
