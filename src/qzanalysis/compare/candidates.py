"""Which figures can judge a target, and what a span of figures adds up to.

Each candidate outcome of the target's indicator is checked in turn (measure, period, unit,
confidence, and whether a bound can decide) and either used or given a reason; for a due count
target with no single figure the span's annual counts are summed, and for a change target the
change is derived from the base-year and end-year levels.

Units convert exactly within a dimension; 元 and 美元 convert at the annual average rate of the
outcome's year (a span: its end year) from ``data/reference/cny_usd_rates.csv``, with the
arithmetic in the candidate's text; a year without a rate makes the candidate not comparable.
Two currencies for the same year are listed, never chosen between silently.

Every usable figure carries ``outcome_comparator``: how it was stated (eq, approx, or a bound
gt/ge/lt/le), seen from the value that is judged (a decrease "下降超过3%" judged as growth is
below -3, an upper bound). A bound that cannot decide the target (methods.md §7) is refused here
with the reason, so that an exact figure further down the list can still judge it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..currency import MissingRate, convert_currency
from ..indicators import Indicator
from ..periods import Key, format_span
from ..schema import STATE_MEASURES
from ..units import convert_value, currency_of, format_number, is_currency_pair
from .outcomes import best_per_year, candidate_text, clean, signed_value, state_year
from .verdicts import BOUND_SIDE, FLIPPED, Verdict, judge

_REFUSED = "not comparable: "


@dataclass(frozen=True)
class Target:
    """One target, parsed once: what every step of its comparison needs."""

    record: dict
    indicator: Indicator | None
    unit: str
    measure: str
    direction: str
    start: str
    end: str
    start_key: Key
    end_key: Key
    value: float
    value_high: float | None
    comparator: str
    polarity: str
    tau: float


@dataclass
class Found:
    """What the candidates of one target allow: usable figures and why the others are not."""

    usable: list[dict] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    low_only: list[dict] = field(default_factory=list)


def gather(cands: list[dict], tg: Target, min_rank: int, due: bool) -> Found:
    """Check every candidate; for due count and change targets, try a sum or a derived change."""
    found = Found()
    for c in cands:
        why, figure = _check_candidate(c, tg, min_rank)
        if why.startswith("usable"):
            found.usable.append(figure)
        elif why.startswith("below min_confidence"):
            found.low_only.append(c)
        elif why.startswith(_REFUSED):
            found.reasons.append(why.removeprefix(_REFUSED))
        found.texts.append(candidate_text(c, why))
    _note_two_currencies(found, tg)
    if found.usable or not due:
        return found
    if tg.measure == "count":
        _add_sum_of_counts(found, cands, tg, min_rank)
    elif tg.measure == "change":
        _add_derived_change(found, cands, tg, min_rank)
    return found


def _add_derived_change(found: Found, cands: list[dict], tg: Target, min_rank: int) -> None:
    derived = _derive_change(cands, tg, min_rank)
    if isinstance(derived, dict):
        derived = _bound_refusal(derived, tg) or derived
    if isinstance(derived, dict):
        found.usable.append(derived)
        found.texts.append(candidate_text(derived, "usable (derived from levels)"))
    elif derived:
        found.reasons.append(derived)


def _add_sum_of_counts(found: Found, cands: list[dict], tg: Target, min_rank: int) -> None:
    """Count targets over a span: sum the span's counts when no single figure covers it."""
    summed = _sum_counts(cands, tg.unit, tg.start_key, tg.end_key, min_rank)
    if isinstance(summed, dict):
        summed = _bound_refusal(summed, tg) or summed
    if isinstance(summed, dict):
        found.usable.append(summed)
        found.texts.append(candidate_text(summed, "usable (sum of the span's counts)"))
        return
    if summed:
        found.reasons.append(summed.removeprefix(_REFUSED))
        found.texts.append(f"(sum not used: {summed.removeprefix(_REFUSED)})")
        return
    partial = [
        c
        for c in cands
        if c["measure"] == "count" and tg.start_key <= c["start_key"] and c["end_key"] <= tg.end_key
    ]
    if partial:
        found.texts.append(
            f"(sum not possible: counts cover only part of the span "
            f"{format_span(tg.start, tg.end)})"
        )


def _check_candidate(c: dict, tg: Target, min_rank: int) -> tuple[str, dict | None]:
    """Say whether candidate ``c`` can judge the target; return (why, the figure as used:
    ``c`` with ``converted`` and ``outcome_comparator``, or None when it is refused)."""
    refusal = (
        _measure_refusal(c, tg)
        or _period_refusal(c, tg)
        or _change_unit_refusal(c, tg)
        or _range_outcome_refusal(c)
    )
    if refusal:
        return refusal, None
    converted = _convert(c, tg)
    if isinstance(converted, str):
        return converted, None
    value, arithmetic = converted
    figure = {
        **c,
        "converted": value,
        "outcome_comparator": judged_comparator(stated_comparator(c), _written_sign(c), tg),
    }
    if c["origin"] == "reference" and c["conf_rank"] < min_rank:
        return f"below min_confidence ({c['confidence']})", figure
    bound = _bound_refusal(figure, tg)
    if bound:
        return bound, None
    return ("usable" + (f" ({arithmetic})" if arithmetic else "")), figure


def _convert(c: dict, tg: Target) -> tuple[float, str] | str:
    """(value in the target's unit, the arithmetic of a currency conversion or ''), or the
    refusal when the units do not convert."""
    unit = c["unit"] or ""
    conv = convert_value(c["signed_value"], unit, tg.unit)
    if conv is not None:
        return conv, ""
    if is_currency_pair(unit, tg.unit):
        got = convert_currency(c["signed_value"], unit, tg.unit, c["end_key"][0])
        if isinstance(got, MissingRate):
            return f"{_REFUSED}{got.reason()} ({c['statement_id']})"
        return got.value, got.text
    return (
        f"{_REFUSED}unit {unit or '(none)'} cannot be converted to "
        f"{tg.unit or '(none)'} ({c['statement_id']})"
    )


def _note_two_currencies(found: Found, tg: Target) -> None:
    """List the years whose usable figures come in both 元 and 美元, and which one is used."""
    by_year: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for f in found.usable:
        currency = currency_of(f["unit"])
        if currency:
            by_year[f["end_key"][0]][currency].append(f)
    for year, groups in sorted(by_year.items()):
        if len(groups) < 2:
            continue
        listed = "; ".join(
            f"{f['statement_id']} {format_number(float(f['value']))}{f['unit']} = "
            f"{format_number(f['converted'])}{tg.unit}"
            for figures in groups.values()
            for f in figures
        )
        found.texts.append(
            f"(two currencies for {year}: {listed}; the first usable figure in the order of "
            f"preference, {found.usable[0]['statement_id']}, is used, not chosen for its currency)"
        )


def _measure_refusal(c: dict, tg: Target) -> str | None:
    cm, measure = c["measure"], tg.measure
    ok = cm in STATE_MEASURES if measure in STATE_MEASURES else cm == measure
    if ok:
        return None
    # The same single year on both sides: the only case where a growth/level mix is a refusal
    # (not_comparable) rather than simply "no figure of this measure".
    same_year = (
        tg.start_key[0] == tg.end_key[0] == c["start_key"][0] == c["end_key"][0]
        and c["start_key"][1] == 1
        and c["end_key"][1] == 12
    )
    mixed = (measure == "growth" and cm in STATE_MEASURES) or (
        measure in STATE_MEASURES and cm == "growth"
    )
    if same_year and mixed:
        return (
            "not comparable: a percentage growth is never compared with a level "
            f"(target {measure}, outcome {cm} {c['statement_id']})"
        )
    return f"different measure ({cm})"


def _period_refusal(c: dict, tg: Target) -> str | None:
    t_start, t_end = tg.start_key, tg.end_key
    if tg.measure in STATE_MEASURES:
        same = state_year(c) == t_end[0] if t_end[1] == 12 else c["end_key"] == t_end
    else:
        same = (c["start_key"], c["end_key"]) == (t_start, t_end)
    if same:
        return None
    partial = (
        c["end_key"][0] == t_end[0]
        and t_end[1] == 12
        and (c["start_key"][1] != 1 or c["end_key"][1] != 12)
        and c["start_key"][0] == c["end_key"][0]
    )
    if partial:
        return (
            "not comparable: the outcome covers "
            f"{format_span(c['period_start'], c['period_end'])} only and the target is annual "
            "(a part-year figure is never judged against an annual target)"
        )
    return "other period"


def _change_unit_refusal(c: dict, tg: Target) -> str | None:
    if tg.measure != "change":
        return None
    unit, c_unit = tg.unit, c["unit"] or ""
    if (unit == "%") != (c_unit == "%") or (unit == "百分点") != (c_unit == "百分点"):
        return (
            "not comparable: relative (%) and absolute (百分点) changes are never mixed "
            f"(target {unit}, outcome {c_unit})"
        )
    return None


def _range_outcome_refusal(c: dict) -> str | None:
    if stated_comparator(c) != "range":
        return None
    return (
        f"{_REFUSED}the outcome is stated as a range ({c['statement_id']}); a range outcome is "
        "not judged (record its two ends as an upper and a lower bound)"
    )


def stated_comparator(c: dict) -> str:
    """How a figure was stated: its comparator, ``eq`` when none is recorded."""
    return clean(c.get("comparator")) or "eq"


def _written_sign(c: dict) -> int:
    """-1 when the judged value is the written number negated (a decrease stated as growth)."""
    return -1 if signed_value(1.0, c["direction"], c["measure"]) < 0 else 1


def judged_comparator(stated: str, written_sign: int, tg: Target) -> str:
    """The outcome's comparator seen from the value that is judged: a bound flips when that
    value is the written one negated (a decrease as growth, a change against a fall target)."""
    target_sign = -1 if tg.measure == "change" and tg.direction == "decrease" else 1
    return FLIPPED.get(stated, stated) if written_sign * target_sign < 0 else stated


def combined_comparator(comparators: list[str]) -> str | None:
    """The comparator of a sum of figures (or of a difference, with the subtracted one flipped):
    exact when all are exact, approximate when some are 约, a lower (upper) bound when every
    part is exact or a lower (upper) bound; None when lower and upper bounds or a bound and an
    approximation mix (the result is then unknown)."""
    kinds = set(comparators)
    if kinds <= {"eq"}:
        return "eq"
    if kinds <= {"eq", "approx"}:
        return "approx"
    sides = {BOUND_SIDE.get(k, 0) for k in kinds - {"eq"}}
    if not kinds - {"eq"} <= set(BOUND_SIDE) or len(sides) != 1:
        return None
    strict = bool(kinds & {"gt", "lt"})
    return {(1, True): "gt", (1, False): "ge", (-1, True): "lt", (-1, False): "le"}[
        (sides.pop(), strict)
    ]


def judge_outcome(tg: Target, y: float, outcome_comparator: str = "eq") -> Verdict:
    """The verdict of outcome ``y`` (in the target's unit) on target ``tg``: the same call as
    the comparison makes (a change target judges the movement in its stated direction)."""
    if tg.measure == "change":
        magnitude = (-1.0 if tg.direction == "decrease" else 1.0) * y
        return judge(
            tg.comparator if tg.comparator != "eq" else "ge",
            tg.value,
            magnitude,
            polarity="higher_better",
            tau=tg.tau,
            target_high=tg.value_high,
            outcome_comparator=outcome_comparator,
        )
    t_val = signed_value(tg.value, tg.direction, tg.measure)
    t_high = (
        None if tg.value_high is None else signed_value(tg.value_high, tg.direction, tg.measure)
    )
    if t_high is not None and t_high < t_val:
        t_val, t_high = t_high, t_val
    return judge(
        tg.comparator,
        t_val,
        y,
        polarity=tg.polarity or "higher_better",
        tau=tg.tau,
        target_high=t_high,
        outcome_comparator=outcome_comparator,
    )


def _bound_refusal(figure: dict, tg: Target) -> str | None:
    """The refusal of a bound that cannot decide the target, else None."""
    if figure["outcome_comparator"] not in BOUND_SIDE:
        return None
    v = judge_outcome(tg, float(figure["converted"]), figure["outcome_comparator"])
    if v.status != "not_comparable":
        return None
    return f"{_REFUSED}{v.note} ({figure['statement_id']})"


def _sum_counts(
    cands: list[dict], unit: str, t_start: Key, t_end: Key, min_rank: int
) -> dict | str | None:
    """The span's counts summed (a dict), why a sum of bounds is unknown (a str), or None when
    a year is missing."""
    years = range(t_start[0], t_end[0] + 1)
    per_year = best_per_year(cands, {"count"}, unit, min_rank)
    if len(years) < 2 or not all(y in per_year for y in years):
        return None
    used = [per_year[y] for y in years]
    comparator = combined_comparator([stated_comparator(c) for c in used])
    if comparator is None:
        return (
            f"{_REFUSED}the span's counts mix lower and upper bounds or bounds and approximations "
            f"({', '.join(c['statement_id'] + ' ' + stated_comparator(c) for c in used)}), so "
            "their sum is unknown"
        )
    total = sum(c["converted"] for c in used)
    return {
        **used[0],
        "outcome_comparator": comparator,
        "statement_id": "+".join(c["statement_id"] for c in used),
        "value": total,
        "unit": unit,
        "converted": total,
        "period_start": str(t_start[0]),
        "period_end": str(t_end[0]),
        "kind": "outcome" if all(c["kind"] == "outcome" for c in used) else "expected",
        "doc_id": "+".join(sorted({c["doc_id"] or "reference" for c in used})),
    }


def _derive_change(cands: list[dict], tg: Target, min_rank: int) -> dict | str | None:
    """A change target's outcome from the base-year and end-year levels (a dict), a reason it
    cannot be derived (a str), or None when the levels are missing."""
    levels = [c for c in cands if c["measure"] in STATE_MEASURES]
    if not levels:
        return None
    lunit, unit = levels[0]["unit"] or "", tg.unit
    per_year = best_per_year(levels, STATE_MEASURES, lunit, min_rank)
    base_year, end_year = tg.start_key[0] - 1, tg.end_key[0]
    if base_year not in per_year or end_year not in per_year:
        return None
    y0, y1 = per_year[base_year]["converted"], per_year[end_year]["converted"]
    if unit == "%":
        if y0 == 0:
            return None
        change = (y1 / y0 - 1) * 100
    elif unit == "百分点":
        if lunit != "%":
            return (
                "not comparable: a change in 百分点 needs shares in %, the levels are in " + lunit
            )
        change = y1 - y0
    else:
        conv = convert_value(y1 - y0, lunit, unit)
        if conv is None:
            return f"not comparable: level unit {lunit} cannot be converted to {unit}"
        change = conv
    a, b = per_year[base_year], per_year[end_year]
    # The change rises with the end level and falls with the base level.
    comparator = combined_comparator(
        [stated_comparator(b), FLIPPED.get(stated_comparator(a), stated_comparator(a))]
    )
    if comparator is None:
        return (
            f"{_REFUSED}the change cannot be derived: the base level ({a['statement_id']}, "
            f"{stated_comparator(a)}) and the end level ({b['statement_id']}, "
            f"{stated_comparator(b)}) are bounds that do not combine"
        )
    return {
        **b,
        "outcome_comparator": judged_comparator(comparator, 1, tg),
        "statement_id": f"{a['statement_id']}→{b['statement_id']}",
        "value": change,
        "unit": unit,
        "converted": change,
        "measure": "change",
        "period_start": str(base_year),
        "period_end": str(end_year),
        "kind": "outcome" if a["kind"] == b["kind"] == "outcome" else "expected",
    }
