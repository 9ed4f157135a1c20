"""元 ↔ 美元 at the official annual average rate of a stated year (methods.md §7, "Currency").

The rates are a small shipped table, ``data/reference/cny_usd_rates.csv``: one row per year with
the annual average 元 per 美元 that the national statistical communiqué of that year states
(国家统计局《国民经济和社会发展统计公报》: "全年人民币平均汇率为1美元兑…元人民币"), the source and
the page(s) it was seen on. :func:`load_rates` validates every row (an error names the file, the
line, the column and what to do) and returns only the years the file holds: a missing year is
never filled from a neighbour or a trend, so converting a figure of that year is refused
(:class:`MissingRate`, whose reason names the year and the file to add it to).

A figure of a span is converted at the rate of its end year; the arithmetic is kept as text
(``Conversion.text``) so that a comparison shows it.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import paths
from .units import currency_of, format_number, unit_factor

RATE_COLUMNS = ("year", "cny_per_usd", "source", "source_url", "note")
REQUIRED_RATE_COLUMNS = RATE_COLUMNS[:4]
#: A plausible annual average in 元 per 美元; outside it the figure is almost surely per 100 美元
#: (as yearbook tables print it) or mistyped.
PLAUSIBLE_RATE = (Decimal(1), Decimal(20))
_YEARS = range(1949, 2101)


class RatesError(ValueError):
    """The rates file is missing or malformed: the message names file, line, column and the fix."""


@dataclass(frozen=True)
class Rate:
    """One year's annual average rate, with where it comes from."""

    year: int
    cny_per_usd: Decimal
    source: str
    source_url: str
    note: str
    line: int  # line of the CSV the rate came from


@dataclass(frozen=True)
class Conversion:
    """A figure converted between 元 and 美元, with the arithmetic as a reader checks it."""

    value: float
    rate: Rate
    text: str  # '10,000美元 × 6.8974元/美元 = 68,974元 (2020 annual average, 国家统计局…)'


@dataclass(frozen=True)
class MissingRate:
    """No rate for ``year`` in ``file``: the conversion is refused, never guessed."""

    year: int
    file: str

    def reason(self) -> str:
        return (
            f"no 元/美元 rate for {self.year} in {self.file}; add the annual average of "
            f"{self.year} from 国家统计局《{self.year}年国民经济和社会发展统计公报》 "
            "(全年人民币平均汇率) to that file"
        )


def load_rates(path: str | Path | None = None) -> dict[int, Rate]:
    """Read and validate the rates table.

    Args:
        path: CSV file (default ``data/reference/cny_usd_rates.csv``).

    Returns:
        year -> :class:`Rate`, only for the years the file holds.

    Raises:
        RatesError: the file is missing, lacks a column, or has bad rows (all of them listed).
    """
    file = Path(path) if path else paths.CNY_USD_RATES_FILE
    rows = _read_rows(file)
    rates: dict[int, Rate] = {}
    problems: list[str] = []
    for line, row in rows:
        rate, found = _parse_row(line, row)
        if rate is not None and rate.year in rates:
            found.append(
                (
                    "year",
                    f"{rate.year} is listed twice (also on line {rates[rate.year].line}); "
                    "keep one row per year",
                )
            )
        problems += [f"{file.name} line {line}, column {col}: {msg}" for col, msg in found]
        if rate is not None and not found:
            rates[rate.year] = rate
    if problems:
        raise RatesError(
            f"{file}: {len(problems)} problem(s) in the 元/美元 rates:\n  " + "\n  ".join(problems)
        )
    return rates


def default_rates() -> dict[int, Rate]:
    """The shipped table (``paths.CNY_USD_RATES_FILE``), read once per version of the file."""
    file = Path(paths.CNY_USD_RATES_FILE)
    try:
        stat = file.stat()
    except FileNotFoundError:
        return load_rates(file)  # raises the RatesError that says what to do
    return _cached_rates(str(file), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _cached_rates(file: str, _mtime_ns: int, _size: int) -> dict[int, Rate]:
    return load_rates(file)


def rates_file_label(file: str | Path | None = None) -> str:
    """The rates file as a message names it: relative to the project root when inside it."""
    file = Path(file or paths.CNY_USD_RATES_FILE)
    try:
        return file.resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(file)


def convert_currency(
    value: float,
    from_unit: str,
    to_unit: str,
    year: int,
    rates: dict[int, Rate] | None = None,
    *,
    file: str | Path | None = None,
) -> Conversion | MissingRate | None:
    """Convert ``value`` between a 元 unit and a 美元 unit at the annual average rate of ``year``.

    Args:
        value: the figure in ``from_unit`` (元, 万元, 亿元, 万亿元, 美元, 万美元, 亿美元).
        from_unit, to_unit: one in 元, the other in 美元 (either way round).
        year: the year of the figure (a span: its end year).
        rates: year -> rate (default: :func:`default_rates`).
        file: the rates file a refusal names (default: the shipped table).

    Returns:
        A :class:`Conversion`; :class:`MissingRate` when ``year`` has no rate; None when the two
        units are not 元 and 美元.
    """
    src, dst = currency_of(from_unit), currency_of(to_unit)
    if src is None or dst is None or src == dst:
        return None
    rates = default_rates() if rates is None else rates
    rate = rates.get(int(year))
    if rate is None:
        return MissingRate(int(year), rates_file_label(file))
    amount = Decimal(repr(float(value))) * unit_factor(from_unit)
    base = amount * rate.cny_per_usd if src == "usd" else amount / rate.cny_per_usd
    out = float(base / unit_factor(to_unit))
    op = "×" if src == "usd" else "÷"
    text = (
        f"{format_number(value)}{from_unit} {op} {rate.cny_per_usd}元/美元 = "
        f"{format_number(out)}{to_unit} ({rate.year} annual average, {rate.source})"
    )
    return Conversion(out, rate, text)


def _read_rows(file: Path) -> list[tuple[int, dict[str, str]]]:
    """(line, stripped cells) of every data row; checks that the header has the columns."""
    try:
        with file.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED_RATE_COLUMNS if c not in header]
            if missing:
                raise RatesError(
                    f"{file} line 1: missing column(s) {', '.join(missing)}; the header must be "
                    f"{','.join(RATE_COLUMNS)} (see data/reference/README.md)"
                )
            return [
                (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
                for row in reader
            ]
    except FileNotFoundError:
        raise RatesError(
            f"{file}: the 元/美元 rates file is not found; it ships with the package as "
            "data/reference/cny_usd_rates.csv (restore it, or pass the path of a copy)"
        ) from None


def _parse_row(line: int, row: dict[str, str]) -> tuple[Rate | None, list[tuple[str, str]]]:
    """The row as a Rate (None when year or rate is unusable) and its problems (column, text)."""
    problems: list[tuple[str, str]] = []
    year = _parse_year(row.get("year", ""), problems)
    rate = _parse_rate(row.get("cny_per_usd", ""), problems)
    source, url = row.get("source", ""), row.get("source_url", "")
    if not source:
        problems.append(("source", "empty; name the communiqué the rate is taken from"))
    if not url:
        problems.append(("source_url", "empty; give the page(s) the rate was seen on"))
    elif not all(u.startswith(("http://", "https://")) for u in url.split()):
        problems.append(("source_url", f"{url!r}: give web addresses (http...), space-separated"))
    if year is None or rate is None:
        return None, problems
    return Rate(year, rate, source, url, row.get("note", ""), line), problems


def _parse_year(text: str, problems: list[tuple[str, str]]) -> int | None:
    if not (text.isdigit() and int(text) in _YEARS):
        problems.append(("year", f"{text!r} is not a year; write four digits (2020)"))
        return None
    return int(text)


def _parse_rate(text: str, problems: list[tuple[str, str]]) -> Decimal | None:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        problems.append(("cny_per_usd", f"{text!r} is not a number; write 元 per 美元 (6.8974)"))
        return None
    low, high = PLAUSIBLE_RATE
    if not rate.is_finite() or not low < rate < high:
        hint = (
            "it looks like 元 per 100 美元 (as yearbooks print it): divide by 100"
            if rate.is_finite() and rate > 100
            else "write 元 per 1 美元 as the communiqué states it"
        )
        problems.append(("cny_per_usd", f"{text} is outside {low}-{high}; {hint}"))
        return None
    return rate
