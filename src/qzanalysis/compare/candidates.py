"""Which figures can judge a target, and what a span of figures adds up to.

Each candidate outcome of the target's indicator is checked in turn (measure, period, unit,
confidence) and either used or given a reason; for a due count target with no single figure the
span's annual counts are summed, and for a change target the change is derived from the
base-year and end-year levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..indicators import Indicator
from ..periods import Key, format_span
from ..schema import STATE_MEASURES
from ..units import convert_value
from .outcomes import best_per_year, candidate_text, state_year


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
        why, conv = _check_candidate(c, tg, min_rank)
        if why == "usable":
            c = {**c, "converted": conv}
            found.usable.append(c)
        elif why.startswith("below min_confidence"):
            found.low_only.append(c)
        elif why.startswith("not comparable"):
            found.reasons.append(why.removeprefix("not comparable: "))
        found.texts.append(candidate_text(c, why))
    if found.usable or not due:
        return found
    if tg.measure == "count":
        _add_sum_of_counts(found, cands, tg, min_rank)
    elif tg.measure == "change":
        derived = _derive_change(cands, tg, min_rank)
        if isinstance(derived, dict):
            found.usable.append(derived)
            found.texts.append(candidate_text(derived, "usable (derived from levels)"))
        elif derived:
            found.reasons.append(derived)
    return found


def _add_sum_of_counts(found: Found, cands: list[dict], tg: Target, min_rank: int) -> None:
    """Count targets over a span: sum the span's counts when no single figure covers it."""
    summed = _sum_counts(cands, tg.unit, tg.start_key, tg.end_key, min_rank)
    if summed is not None:
        found.usable.append(summed)
        found.texts.append(candidate_text(summed, "usable (sum of the span's counts)"))
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


def _check_candidate(c: dict, tg: Target, min_rank: int) -> tuple[str, float | None]:
    """Say whether candidate ``c`` can judge the target; return (why, converted value)."""
    refusal = _measure_refusal(c, tg) or _period_refusal(c, tg) or _change_unit_refusal(c, tg)
    if refusal:
        return refusal, None
    conv = convert_value(c["signed_value"], c["unit"] or "", tg.unit)
    if conv is None:
        return (
            f"not comparable: unit {c['unit'] or '(none)'} cannot be converted to "
            f"{tg.unit or '(none)'} ({c['statement_id']})",
            None,
        )
    if c["origin"] == "reference" and c["conf_rank"] < min_rank:
        return f"below min_confidence ({c['confidence']})", conv
    return "usable", conv


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


def _sum_counts(
    cands: list[dict], unit: str, t_start: Key, t_end: Key, min_rank: int
) -> dict | None:
    years = range(t_start[0], t_end[0] + 1)
    per_year = best_per_year(cands, {"count"}, unit, min_rank)
    if len(years) < 2 or not all(y in per_year for y in years):
        return None
    used = [per_year[y] for y in years]
    total = sum(c["converted"] for c in used)
    return {
        **used[0],
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
    return {
        **b,
        "statement_id": f"{a['statement_id']}→{b['statement_id']}",
        "value": change,
        "unit": unit,
        "converted": change,
        "measure": "change",
        "period_start": str(base_year),
        "period_end": str(end_year),
        "kind": "outcome" if a["kind"] == b["kind"] == "outcome" else "expected",
    }
