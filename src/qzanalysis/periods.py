"""Periods and dates: one grammar, one parser, used by every module.

A *period* bound is ``YYYY`` (a whole year) or ``YYYY-MM`` (a month, 01-12). A statement covers
``period_start`` .. ``period_end``; a level "by 2026" is ``2026``..``2026``, a Jan-Sep figure
``2023-01``..``2023-09``, an average growth over the 13th plan ``2016``..``2020``.

A *date* (a document's publication date, an ``as_of``) is ``YYYY-MM`` or ``YYYY-MM-DD`` and must
exist on the calendar.

Bounds compare as keys ``(year, month)``: a year starts at month 1 and ends at month 12, so
``period_key("2023", end=True) == (2023, 12)``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

PERIOD_RE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
#: What a researcher is told to write when a period is malformed.
PERIOD_HINT = "write YYYY or YYYY-MM (month 01-12)"

Key = tuple[int, int]


class PeriodError(ValueError):
    """A period or date that does not follow the grammar; the message says what to write."""


def is_period(text: Any) -> bool:
    """True for ``YYYY`` or ``YYYY-MM`` with a real month."""
    return isinstance(text, str) and PERIOD_RE.match(text) is not None


def period_key(period: str, *, end: bool) -> Key:
    """'2023' -> (2023, 1) or (2023, 12); '2023-09' -> (2023, 9).

    Raises:
        PeriodError: when ``period`` is not a period.
    """
    m = PERIOD_RE.match(str(period))
    if m is None:
        raise PeriodError(f"{period!r} is not a period; {PERIOD_HINT}")
    month = m.group(2)
    return int(m.group(1)), int(month) if month else (12 if end else 1)


def bounds(start: Any, end: Any) -> tuple[str, str] | None:
    """The usable (start, end) of a statement: a missing bound takes the other; None if neither."""
    start_ok, end_ok = is_period(start), is_period(end)
    if not (start_ok or end_ok):
        return None
    return (start if start_ok else end), (end if end_ok else start)


def span_keys(start: str, end: str) -> tuple[Key, Key]:
    """Keys of a span's first and last month (a missing bound takes the other)."""
    return period_key(start or end, end=False), period_key(end or start, end=True)


def format_span(start: str, end: str) -> str:
    """'2025' for a single period, '2021..2025' for a span."""
    return start if start == end else f"{start}..{end}"


def end_year(start: Any, end: Any) -> int | None:
    """The year a statement's period ends in (None when it has no period)."""
    got = bounds(start, end)
    return int(got[1][:4]) if got else None


def is_full_years(start_key: Key, end_key: Key) -> bool:
    """True when a span runs from a January to a December (one or more whole years)."""
    return start_key[1] == 1 and end_key[1] == 12


def next_month(key: Key) -> str:
    """'YYYY-MM' of the month after ``key`` (a figure for 2025 is known from 2026-01)."""
    year, month = key
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


# -------------------------------------------------------------------------------- dates


def is_date(text: Any) -> bool:
    """True for ``YYYY-MM`` or ``YYYY-MM-DD`` that exists on the calendar."""
    m = DATE_RE.match(text) if isinstance(text, str) else None
    if m is None:
        return False
    try:
        dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return False
    return True


def date_key(text: str) -> tuple[int, int, int]:
    """Sort key of a date; a missing month sorts as December and a missing day before day 1."""
    parts = [int(x) for x in re.findall(r"\d+", text)[:3]]
    return parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 0


def as_of_key(as_of: str) -> Key:
    """(year, month) of an information date: periods ending before it are due.

    Raises:
        PeriodError: when ``as_of`` is not a date.
    """
    m = re.match(r"^(\d{4})(?:-(\d{1,2}))?", str(as_of))
    if not m:
        raise PeriodError(f"as_of={as_of!r}: write a date as YYYY-MM or YYYY-MM-DD")
    return int(m.group(1)), int(m.group(2) or 12)


def year_spoken_for(published: str) -> int | None:
    """The year a document speaks for: its publication year, or the next one when it appears
    from October on (a plan proposal of December 2025 sets out 2026-2030)."""
    if not (isinstance(published, str) and published[:4].isdigit()):
        return None
    month = int(published[5:7]) if published[5:7].isdigit() else 1
    return int(published[:4]) + (1 if month >= 10 else 0)


def review_years(published: Iterable[str]) -> range:
    """The years a corpus can review, from its documents' publication dates: from the year the
    earliest document looks back on (a work report of 2020 reviews 2019) to the latest year a
    document speaks for (a report of January 2027 sets out 2027, and reports 2026). Empty for
    a corpus without dates. This is the default span of the year reviews and the overview."""
    dates = [d for d in published if isinstance(d, str) and d[:4].isdigit()]
    if not dates:
        return range(0)
    first = min(int(d[:4]) for d in dates) - 1
    last = max(year_spoken_for(d) or int(d[:4]) for d in dates)
    return range(first, last + 1)
