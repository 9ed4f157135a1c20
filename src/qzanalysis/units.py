"""Units: conversions within a dimension, rates, published precision and rounding.

Conversions are exact powers of ten applied with ``Decimal`` (万元 -> 亿元 is a shift of four
places, never a float multiplication that leaves 216.10000000000002). Units of different
dimensions (人 and 户) never convert. 元 and 美元 are different dimensions here too: they convert
only through a dated exchange rate, which :mod:`qzanalysis.currency` applies (this module knows
no data file); :func:`currency_of` tells the two currencies apart for it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

#: Units whose values are rates: gaps in them are percentage points.
RATE_UNITS = frozenset({"%", "百分点", "‰"})
#: unit -> (dimension, factor to the dimension's base unit).
UNIT_FACTORS: dict[str, tuple[str, int]] = {
    "元": ("cny", 1),
    "万元": ("cny", 10**4),
    "亿元": ("cny", 10**8),
    "万亿元": ("cny", 10**12),
    "美元": ("usd", 1),
    "万美元": ("usd", 10**4),
    "亿美元": ("usd", 10**8),
    "人": ("person", 1),
    "万人": ("person", 10**4),
    "人次": ("visit", 1),
    "万人次": ("visit", 10**4),
    "吨": ("tonne", 1),
    "万吨": ("tonne", 10**4),
    "亿吨": ("tonne", 10**8),
    "千瓦": ("kw", 1),
    "万千瓦": ("kw", 10**4),
    "亩": ("mu", 1),
    "万亩": ("mu", 10**4),
    "户": ("household", 1),
    "万户": ("household", 10**4),
    "": ("ratio", 1),
    "倍": ("ratio", 1),
}
#: The dimensions that are currencies: converted only with the rate of a stated year.
CURRENCIES = frozenset({"cny", "usd"})
#: Units in which progress is linear (shares, ratios, ages), not logarithmic like amounts.
LINEAR_UNITS = RATE_UNITS | {"岁", ""}


def convert_value(value: float, from_unit: str, to_unit: str) -> float | None:
    """Convert ``value`` exactly between units of one dimension (万元↔亿元, 万人↔人, 元↔万元).

    Returns None when the units cannot be converted (different dimensions, or unknown units
    that are not spelled identically).
    """
    from_unit, to_unit = (from_unit or "").strip(), (to_unit or "").strip()
    if from_unit == to_unit:
        return float(value)
    a, b = UNIT_FACTORS.get(from_unit), UNIT_FACTORS.get(to_unit)
    if a is None or b is None or a[0] != b[0]:
        return None
    return float(Decimal(repr(float(value))) * Decimal(a[1]) / Decimal(b[1]))


def currency_of(unit: str | None) -> str | None:
    """'cny' for 元/万元/亿元/万亿元, 'usd' for 美元/万美元/亿美元, None for any other unit."""
    dim = UNIT_FACTORS.get((unit or "").strip())
    return dim[0] if dim and dim[0] in CURRENCIES else None


def is_currency_pair(from_unit: str | None, to_unit: str | None) -> bool:
    """True when one unit is in 元 and the other in 美元 (either way round)."""
    pair = {currency_of(from_unit), currency_of(to_unit)}
    return pair == set(CURRENCIES)


def unit_factor(unit: str) -> int:
    """The factor of ``unit`` to its dimension's base unit (亿元 -> 10**8); KeyError if unknown."""
    return UNIT_FACTORS[unit.strip()][1]


def is_rate(unit: str, measure: str) -> bool:
    """Rates, growth and shares in %: their tolerance and gaps are in percentage points."""
    return unit in RATE_UNITS or measure == "growth"


def published_decimals(value: float) -> int:
    """Decimals the number was written with (7 -> 0, 6.5 -> 1, 1.826 -> 3)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        return 0
    frac = text.split(".")[1] if "." in text else ""
    frac = frac.rstrip("0")
    return min(len(frac), 6)


def round_half_up(value: float, decimals: int) -> float:
    """Round like a statistics bureau (0.5 up), not like Python's banker's rounding."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def same_at_precision(a: float, b: float) -> bool:
    """True when ``a`` and ``b`` agree at the coarser one's published precision (2125.2 ~ 2125)."""
    dec = min(published_decimals(abs(a)), published_decimals(abs(b)))
    return round_half_up(a, dec) == round_half_up(b, dec)


def format_number(x: float | None, decimals: int | None = None) -> str:
    """A number for an explanation: 6 significant digits, thousands separators, NA for missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NA"
    if decimals is None:
        return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.0f}"
    return f"{x:.{decimals}f}"
