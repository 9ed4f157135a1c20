"""The verdict rule (methods.md §3): one target value, one outcome in the same unit, one status.

A pure function with no data access, so every row of the §3 table is tested on its own.
The signed gap ``d`` is positive when the outcome is better than planned. ``approx`` is met within
``tau`` (judged on the raw outcome); the exact comparators (ge gt le lt eq range) are judged at
the target's published precision (a target of 7 has 0 decimals) and the raw gap is kept. A
result on the bad side within 2 tau is ``narrow_miss``; ``gt``/``lt`` hit exactly is ``boundary``.

An outcome is stated with a comparator too (methods.md §7, "Bounds and approximations"): ``eq``
(exact), ``approx`` (约/左右), ``gt``/``ge`` (超过/突破/以上: the true value is at least v, a lower
bound) or ``lt``/``le`` (an upper bound). An ``approx`` outcome within tau of a threshold target
(ge gt le lt, and eq of a one-sided indicator) is ``boundary``: about at the target, neither shown
reached nor missed. A bound is judged only when every value it allows gets the same answer: the
values on its open side run to infinity, so a bound on the good side of a target is judged by its
worst case (v itself: ``> v`` with v >= T shows ``ge`` met) and a bound on the bad side can only
show a miss (``> v`` with v above an upper limit T). Otherwise the bound is undecided and the
verdict is ``not_comparable`` with the reason; the gap is always measured from v.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..schema import ATTAINED, COMPARATOR_SYMBOLS, COMPARATORS
from ..units import RATE_UNITS, format_number, is_rate, published_decimals, round_half_up

#: Relative slack for floating-point ties (6.7 - 6.5 is 0.20000000000000018).
EPS = 1e-9
_POLARITY_SIGN = {"higher_better": 1.0, "lower_better": -1.0}
#: Outcome comparators that are bounds, and the side of v the true value lies on (+1: above).
BOUND_SIDE = {"gt": 1, "ge": 1, "lt": -1, "le": -1}
#: A bound seen from the other side (a decrease "下降超过3%" is growth below -3).
FLIPPED = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
OUTCOME_COMPARATORS = ("eq", "approx", *BOUND_SIDE)
_THRESHOLD_TARGETS = ("ge", "gt", "le", "lt")


@dataclass(frozen=True)
class Verdict:
    status: str
    signed_gap: float  # raw, in the target's unit; positive = better than planned
    signed_gap_published: float  # at the target's published precision (exact comparators)
    threshold: float
    outcome_comparator: str = "eq"  # how the outcome was stated (eq approx gt ge lt le)
    note: str = ""  # why a bound or an approximate outcome got its status (or is not judged)


def judge(
    comparator: str,
    target: float,
    outcome: float,
    *,
    polarity: str = "higher_better",
    tau: float,
    target_high: float | None = None,
    decimals: int | None = None,
    outcome_comparator: str = "eq",
) -> Verdict:
    """Apply the methods.md §3 table to one target value and one outcome in the same unit.

    Args:
        comparator: eq | approx | ge | gt | le | lt | range.
        target: T (range: lower end); ``target_high`` closes a range.
        outcome: y, already converted to the target's unit (a bound: its value v).
        polarity: higher_better | lower_better | two_sided (decides the good side of eq,
            approx and range; ge/gt mean "at least", le/lt "at most" whatever the polarity).
        tau: tolerance (approx band; bad-side zone 2*tau is narrow_miss).
        decimals: the target's published precision (default: as written in ``target``).
        outcome_comparator: how the outcome was stated: eq (exact, the default), approx
            (约/左右), gt/ge (a lower bound: the true value is above v), lt/le (an upper bound).

    Returns:
        The verdict; an undecided bound is ``not_comparable`` with the reason in ``note``.
    """
    exact = _judge_exact(comparator, target, outcome, polarity, tau, target_high, decimals)
    if outcome_comparator == "eq":
        return exact
    if outcome_comparator == "approx":
        return _about(exact, comparator, target, outcome, polarity=polarity, tau=tau)
    if outcome_comparator in BOUND_SIDE:
        return _bounded(
            exact,
            comparator,
            (target, target_high),
            outcome,
            polarity=polarity,
            bound=outcome_comparator,
        )
    raise ValueError(
        f"unknown outcome comparator {outcome_comparator!r}; use {' '.join(OUTCOME_COMPARATORS)}"
    )


def _judge_exact(
    comparator: str,
    target: float,
    outcome: float,
    polarity: str,
    tau: float,
    target_high: float | None,
    decimals: int | None,
) -> Verdict:
    """The §3 table for an exact outcome."""
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


def _goodness(comparator: str, polarity: str) -> int:
    """+1 when a higher outcome is never worse for this target, -1 when a lower one is never
    worse, 0 for two-sided targets (about T, a range or = T of a two-sided indicator)."""
    if comparator in ("ge", "gt"):
        return 1
    if comparator in ("le", "lt"):
        return -1
    return int(_POLARITY_SIGN.get(polarity, 0.0))


def _about(
    exact: Verdict, comparator: str, target: float, v: float, *, polarity: str, tau: float
) -> Verdict:
    """An outcome stated as "约/左右 v": within tau of a threshold it is about at the target."""
    threshold_target = comparator in _THRESHOLD_TARGETS or (
        comparator == "eq" and _goodness(comparator, polarity) != 0
    )
    if threshold_target and abs(v - target) <= tau + EPS * max(1.0, abs(target)):
        note = (
            f"stated as about {format_number(v)}, within ±{format_number(tau)} of the target: "
            "about at the target, neither shown reached nor missed"
        )
        return replace(exact, status="boundary", outcome_comparator="approx", note=note)
    return replace(exact, outcome_comparator="approx", note="stated as about v (约/左右)")


def _bounded(
    exact: Verdict,
    comparator: str,
    target: tuple[float, float | None],
    v: float,
    *,
    polarity: str,
    bound: str,
) -> Verdict:
    """An outcome stated as a bound: judged only when every value the bound allows agrees."""
    side, good = BOUND_SIDE[bound], _goodness(comparator, polarity)
    kind = "a lower bound" if side > 0 else "an upper bound"
    attained = exact.status in ATTAINED
    if good == side:
        # The open end is the good side: v itself is the worst case.
        if attained:
            return replace(exact, outcome_comparator=bound)
        return _undecided(exact, bound, f"{kind} short of the target cannot show it was met")
    lo, hi = target
    centre = lo if hi is None or math.isnan(hi) else (lo + hi) / 2
    if not attained and (good == -side or (good == 0 and side * (v - centre) > 0)):
        # v is the best case the bound allows, and even that is not attained.
        return _missed(exact, bound)
    if good == -side:
        limit = "an upper limit was kept" if side > 0 else "a lower limit was reached"
        return _undecided(exact, bound, f"{kind} cannot show that {limit}")
    return _undecided(exact, bound, f"{kind} cannot show that a two-sided target was kept")


def _missed(exact: Verdict, bound: str) -> Verdict:
    note = "" if exact.status == "missed" else "a bound cannot tell a narrow miss from a miss"
    return replace(exact, status="missed", outcome_comparator=bound, note=note)


def _undecided(exact: Verdict, bound: str, why: str) -> Verdict:
    return Verdict(
        "not_comparable", math.nan, math.nan, exact.threshold, outcome_comparator=bound, note=why
    )


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
    """'3.5 pp below 7', '12.3亿元 above 240 (+5.1%)'; a bound says 'at least'/'at most':
    'lower bound (>68,974元): at least 8,974元 above 60,000 (+15.0%)'."""
    if v.status == "not_comparable":
        return v.note or "not judged"
    raw = y - v.threshold
    gap_unit = " pp" if unit in RATE_UNITS else unit
    side = BOUND_SIDE.get(v.outcome_comparator, 0)
    if abs(raw) < EPS:
        text = "exactly on the target" if not side else _on_target_bound(v.outcome_comparator)
    else:
        text = f"{format_number(abs(raw))}{gap_unit} {'above' if raw > 0 else 'below'}"
        text = f"{_bound_word(side, raw)}{text} {format_number(v.threshold)}"
        if unit not in RATE_UNITS and v.threshold:
            text += f" ({raw / abs(v.threshold):+.1%})"
    if side:
        kind = "lower" if side > 0 else "upper"
        symbol = COMPARATOR_SYMBOLS[v.outcome_comparator]
        text = f"{kind} bound ({symbol}{format_number(y)}{unit}): {text}"
    elif v.outcome_comparator == "approx":
        text = f"about {text}"
    return f"{text} ({v.note})" if v.note else text


def _bound_word(side: int, raw: float) -> str:
    """'at least' when the bound's open end points away from the target, else 'at most'."""
    if not side:
        return ""
    return "at least " if side * raw > 0 else "at most "


def _on_target_bound(bound: str) -> str:
    return {
        "ge": "at or above the target",
        "gt": "above the target",
        "le": "at or below the target",
        "lt": "below the target",
    }[bound]
