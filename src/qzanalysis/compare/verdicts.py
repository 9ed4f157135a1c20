"""The verdict rule (methods.md §3): one target value, one outcome in the same unit, one status.

A pure function with no data access, so every row of the §3 table is tested on its own.
The signed gap ``d`` is positive when the outcome is better than planned. ``approx`` is met within
``tau`` (judged on the raw outcome); the exact comparators (ge gt le lt eq range) are judged at
the target's published precision (a target of 7 has 0 decimals) and the raw gap is kept. A
result on the bad side within 2 tau is ``narrow_miss``; ``gt``/``lt`` hit exactly is ``boundary``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..schema import COMPARATOR_SYMBOLS, COMPARATORS
from ..units import RATE_UNITS, format_number, is_rate, published_decimals, round_half_up

#: Relative slack for floating-point ties (6.7 - 6.5 is 0.20000000000000018).
EPS = 1e-9
_POLARITY_SIGN = {"higher_better": 1.0, "lower_better": -1.0}


@dataclass(frozen=True)
class Verdict:
    status: str
    signed_gap: float  # raw, in the target's unit; positive = better than planned
    signed_gap_published: float  # at the target's published precision (exact comparators)
    threshold: float


def judge(
    comparator: str,
    target: float,
    outcome: float,
    *,
    polarity: str = "higher_better",
    tau: float,
    target_high: float | None = None,
    decimals: int | None = None,
) -> Verdict:
    """Apply the methods.md §3 table to one target value and one outcome in the same unit.

    Args:
        comparator: eq | approx | ge | gt | le | lt | range.
        target: T (range: lower end); ``target_high`` closes a range.
        outcome: y, already converted to the target's unit.
        polarity: higher_better | lower_better | two_sided (decides the good side of eq,
            approx and range; ge/gt mean "at least", le/lt "at most" whatever the polarity).
        tau: tolerance (approx band; bad-side zone 2*tau is narrow_miss).
        decimals: the target's published precision (default: as written in ``target``).
    """
    if decimals is None:
        decimals = max(published_decimals(target), published_decimals(target_high or 0.0))
    rule = _Rule(
        outcome,
        round_half_up(outcome, decimals),
        tau,
        EPS * max(1.0, abs(target)),
        _POLARITY_SIGN.get(polarity, 0.0),
    )
    if comparator == "eq":
        # "= T" of a two-sided indicator is "about T"; otherwise "at least T" on the good side
        comparator = "approx" if rule.sign == 0 else "ge_pol"
    if comparator == "range" and target_high is not None and not math.isnan(target_high):
        return rule.range(target, target_high)
    if comparator in ("approx", "range"):
        return rule.approx(target)
    if comparator in ("ge", "gt", "ge_pol"):
        return rule.at_least(
            target, strict=comparator == "gt", sign=rule.sign if comparator == "ge_pol" else 1.0
        )
    if comparator in ("le", "lt"):
        return rule.at_most(target, strict=comparator == "lt")
    raise ValueError(f"unknown comparator {comparator!r}; use {' '.join(COMPARATORS)}")


@dataclass(frozen=True)
class _Rule:
    y: float  # raw outcome
    y_pub: float  # outcome at the target's published precision
    tau: float
    eps: float
    sign: float  # +1 higher is better, -1 lower is better, 0 two-sided

    def bad_side(self, d: float) -> str:
        return "narrow_miss" if d >= -2 * self.tau - self.eps else "missed"

    def range(self, lo: float, hi: float) -> Verdict:
        if self.sign == 0:

            def gap(y: float) -> float:
                return min(y - lo, hi - y)

            d_raw, d_pub = gap(self.y), gap(self.y_pub)
            status = "met" if d_pub >= -self.eps else self.bad_side(d_pub)
            nearest = lo if abs(self.y - lo) <= abs(self.y - hi) else hi
            return Verdict(status, d_raw, d_pub, nearest)
        threshold, good = (lo, hi) if self.sign > 0 else (hi, lo)
        d_raw, d_pub = self.sign * (self.y - threshold), self.sign * (self.y_pub - threshold)
        if self.sign * (self.y_pub - good) > self.eps:
            status = "exceeded"
        elif d_pub >= -self.eps:
            status = "met"
        else:
            status = self.bad_side(d_pub)
        return Verdict(status, d_raw, d_pub, threshold)

    def approx(self, target: float) -> Verdict:
        dev = self.y - target
        # narrow_miss: on the bad side but within 2 tau of T (just outside the band).
        if self.sign == 0:
            d = -abs(dev)
            status = "met" if abs(dev) <= self.tau + self.eps else self.bad_side(d)
            return Verdict(status, d, d, target)
        d = self.sign * dev
        if abs(d) <= self.tau + self.eps:
            status = "met"
        elif d > 0:
            status = "exceeded"
        else:
            status = self.bad_side(d)
        return Verdict(status, d, d, target)

    def at_least(self, target: float, *, strict: bool, sign: float) -> Verdict:
        d_raw, d_pub = sign * (self.y - target), sign * (self.y_pub - target)
        if d_pub > self.eps:
            status = "met" if strict else "exceeded"
        elif d_pub >= -self.eps:
            status = "boundary" if strict else "met"
        else:
            status = self.bad_side(d_pub)
        return Verdict(status, d_raw, d_pub, target)

    def at_most(self, target: float, *, strict: bool) -> Verdict:
        d_raw, d_pub = target - self.y, target - self.y_pub
        if d_pub > self.eps:
            status = "met"
        elif d_pub >= -self.eps:
            status = "boundary" if strict else "met"
        else:
            status = self.bad_side(d_pub)
        return Verdict(status, d_raw, d_pub, target)


def tolerance_for(
    unit: str, measure: str, target: float, *, tolerance_pp: float, tolerance_level: float
) -> float:
    """tau: ``tolerance_pp`` for rates, growth and shares in %; ``tolerance_level`` x |T| else."""
    if is_rate(unit, measure):
        return tolerance_pp
    return tolerance_level * abs(target)


def target_text(
    comparator: str,
    value: float,
    value_high: float | None,
    unit: str,
    measure: str,
    direction: str,
    tau: float,
) -> str:
    """The target as an explanation states it: 'growth ≈7% (±0.2pp)', 'fall ≥20%'."""
    fmt = format_number
    if comparator == "range":
        text = f"{fmt(value)}–{fmt(value_high)}{unit}"
    else:
        text = f"{COMPARATOR_SYMBOLS.get(comparator, '')}{fmt(value)}{unit}"
    if measure == "change":
        text = f"{'fall' if direction == 'decrease' else 'rise'} {text}"
    elif measure == "growth":
        text = f"growth {text}" if direction != "decrease" else f"growth −{text}"
    if comparator == "approx":
        text += f" (±{fmt(tau)}{'pp' if unit in RATE_UNITS else unit})"
    return text


def gap_text(y: float, v: Verdict, unit: str) -> str:
    """'3.5 pp below 7', '12.3亿元 above 240 (+5.1%)'."""
    raw = y - v.threshold
    gap_unit = " pp" if unit in RATE_UNITS else unit
    if abs(raw) < EPS:
        return "exactly on the target"
    side = "above" if raw > 0 else "below"
    text = f"{format_number(abs(raw))}{gap_unit} {side} {format_number(v.threshold)}"
    if unit not in RATE_UNITS and v.threshold:
        text += f" ({raw / abs(v.threshold):+.1%})"
    return text
