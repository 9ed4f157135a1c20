"""Target verdicts (methods.md §2-3): every target matched with its outcome and judged.

Matching: the same indicator_id; comparable measures (a growth rate only with a growth rate, a
level/share/ratio only with a level/share/ratio); the outcome's period equals the target's (a
level "by 2026" needs the 2026 level; a 2016-2020 average growth needs the same span). Change
targets ("下降20%") use a stated change or the change between base-year and end-year levels;
relative (%) and absolute (百分点) changes are never mixed. Count targets ("新增500家") over a span
use the sum of the span's counts. A period not over at ``as_of`` is ``not_yet_due``; a part-year
figure never judges an annual target; a growth rate never judges a level. Every candidate is
listed in ``candidates`` with why it was used or not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from .. import schema
from ..indicators import Indicator, IndicatorRegistry
from ..periods import Key, as_of_key, bounds, format_span, span_keys
from ..schema import ATTAINED, CONFIDENCE_RANK, JUDGED, STATE_MEASURES
from ..units import convert_value, format_number, is_rate
from .outcomes import (
    best_per_year,
    candidate_text,
    clean,
    latest_information_date,
    outcome_pool,
    pool_by_indicator,
    signed_value,
    source_text,
    state_year,
    target_rows,
)
from .verdicts import EPS, judge, target_text, tolerance_for
from .verdicts import gap_text as verdict_gap_text

_TARGET_COLUMNS = [
    "statement_id",
    "doc_id",
    "indicator_id",
    "indicator_text",
    "measure",
    "direction",
    "period_start",
    "period_end",
    "value",
    "value_high",
    "unit",
    "comparator",
    "quote",
]
_COPIED = (
    "statement_id",
    "doc_id",
    "indicator_id",
    "indicator_text",
    "measure",
    "period_start",
    "period_end",
    "value",
    "unit",
    "quote",
    "target_origin",
)


@dataclass(frozen=True)
class Tolerances:
    """The verdict parameters (methods.md §3), reported with every comparison table."""

    tolerance_pp: float = 0.2
    tolerance_level: float = 0.01
    just_met_pp: float = 0.1


def compare_targets(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry,
    published: Mapping[str, str],
    tolerance_pp: float = 0.2,
    tolerance_level: float = 0.01,
    min_confidence: str = "medium",
    as_of: str | None = None,
    just_met_pp: float = 0.1,
) -> pd.DataFrame:
    """Judge every target (corpus and reference) against its outcome.

    Args:
        statements: the statements table (contract columns).
        reference: reference figures (``load_reference()``); None for corpus only.
        registry: indicator registry (polarity, category, labels).
        published: doc_id -> publication date of the corpus documents (``Corpus.published()``).
        tolerance_pp: tau for approx rates/growth/shares, in percentage points.
        tolerance_level: tau for approx levels, as a share of T (0.01 = 1%).
        min_confidence: lowest reference confidence an outcome may have to be used.
        as_of: latest information date ('YYYY-MM[-DD]'); default: latest document date.
        just_met_pp: ``just_met`` when 0 <= d <= this many pp (levels: this share of T, in %).

    Returns:
        One row per target with the columns of ``schema.TABLES["comparisons"]``.
    """
    if min_confidence not in CONFIDENCE_RANK:
        raise ValueError(f"min_confidence={min_confidence!r}; use high, medium or low")
    as_of = as_of or latest_information_date(statements, reference, published)
    context = _Context(
        by_indicator=pool_by_indicator(outcome_pool(statements, reference, published)),
        registry=registry,
        as_key=as_of_key(as_of),
        min_rank=CONFIDENCE_RANK[min_confidence],
        tolerances=Tolerances(tolerance_pp, tolerance_level, just_met_pp),
    )
    targets = target_rows(statements, reference, _TARGET_COLUMNS, origin="target_origin")
    out = schema.from_records(
        "comparisons", [_compare_one(t, context) for t in targets.to_dict("records")]
    )
    out.attrs["parameters"] = {
        "tolerance_pp": tolerance_pp,
        "tolerance_level": tolerance_level,
        "min_confidence": min_confidence,
        "as_of": as_of,
        "just_met_pp": just_met_pp,
    }
    return out


@dataclass(frozen=True)
class _Context:
    by_indicator: dict[str, list[dict]]
    registry: IndicatorRegistry
    as_key: Key
    min_rank: int
    tolerances: Tolerances


@dataclass(frozen=True)
class _Target:
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
class _Found:
    """What the candidates of one target allow: usable figures and why the others are not."""

    usable: list[dict] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    low_only: list[dict] = field(default_factory=list)


def _parse_target(
    t: dict, ind: Indicator | None, span: tuple[str, str], tol: Tolerances
) -> _Target:
    unit, measure = clean(t["unit"]) or "", t["measure"]
    value, value_high = float(t["value"]), clean(t["value_high"])
    polarity = "lower_better" if measure == "rank" else (ind.polarity if ind else "")
    start_key, end_key = span_keys(*span)
    return _Target(
        record=t,
        indicator=ind,
        unit=unit,
        measure=measure,
        direction=clean(t["direction"]) or "",
        start=span[0],
        end=span[1],
        start_key=start_key,
        end_key=end_key,
        value=value,
        value_high=value_high,
        comparator=t["comparator"] if value_high is None else "range",
        polarity=polarity,
        tau=tolerance_for(
            unit, measure, value, tolerance_pp=tol.tolerance_pp, tolerance_level=tol.tolerance_level
        ),
    )


def _base_row(tg: _Target) -> dict:
    t, ind = tg.record, tg.indicator
    return {
        **{k: t[k] for k in _COPIED},
        "direction": tg.direction,
        "comparator": tg.comparator,
        "value_high": tg.value_high,
        "indicator_label": ind.label if ind else (t["indicator_text"] or ""),
        "category": ind.category if ind else "",
        "polarity": tg.polarity,
        "year": tg.end_key[0],
        "n_candidates": 0,
        "candidates": "",
        "tolerance": tg.tau,
    }


def _compare_one(t: dict, ctx: _Context) -> dict:
    ind = ctx.registry.get(clean(t["indicator_id"]))
    span = bounds(t["period_start"], t["period_end"])
    if span is None:
        return _no_period_row(t, ind)
    tg = _parse_target(t, ind, span, ctx.tolerances)
    row = _base_row(tg)
    text = target_text(
        tg.comparator, tg.value, tg.value_high, tg.unit, tg.measure, tg.direction, tg.tau
    )

    def finish(status: str, why: str) -> dict:
        row["status"] = status
        row["explanation"] = f"target {text}; {why} → {status}"
        return row

    if math.isnan(tg.value):
        return finish(
            "not_comparable", "the target has no numeric value; fix it in data/curated/review.csv"
        )
    due = tg.end_key < ctx.as_key
    if ind is None:
        # Outcomes are matched by registry id only; an unmapped target is still due or not, and
        # the reader is told how to let it be matched.
        unmapped = (
            f"indicator {t['indicator_text']!r} is not in the registry, so no outcome could "
            "be matched (add it or a synonym to data/indicators.yaml)"
        )
        if not due:
            return finish("not_yet_due", f"the period ends {tg.end}; {unmapped}")
        return finish("no_outcome", unmapped)
    cands = ctx.by_indicator.get(ind.id, [])
    found = _gather(cands, tg, ctx.min_rank, due)
    row["candidates"] = "; ".join(found.texts)
    row["n_candidates"] = len(cands)
    if not due:
        latest = f"latest information {ctx.as_key[0]}-{ctx.as_key[1]:02d}; the period ends {tg.end}"
        if found.usable:
            latest += f" (an early figure exists: {format_number(found.usable[0]['converted'])}{tg.unit}, not judged)"
        return finish("not_yet_due", latest)
    if not found.usable:
        return finish(*_why_unjudged(found, cands, tg))
    return _judge_best(row, tg, found.usable[0], ctx.tolerances.just_met_pp, finish)


def _gather(cands: list[dict], tg: _Target, min_rank: int, due: bool) -> _Found:
    """Check every candidate; for due count and change targets, try a sum or a derived change."""
    found = _Found()
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


def _add_sum_of_counts(found: _Found, cands: list[dict], tg: _Target, min_rank: int) -> None:
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


def _why_unjudged(found: _Found, cands: list[dict], tg: _Target) -> tuple[str, str]:
    """(status, reason) of a due target that no candidate can judge."""
    if found.reasons:
        return "not_comparable", found.reasons[0]
    if found.low_only:
        c = found.low_only[0]
        return "no_outcome", (
            f"only a below-threshold figure: {format_number(float(c['value']))}"
            f"{c['unit']} ({source_text(c)}); raise min_confidence to use it"
        )

    def same_kind(m: str) -> bool:
        return m in STATE_MEASURES if tg.measure in STATE_MEASURES else m == tg.measure

    others = sorted(
        {format_span(c["period_start"], c["period_end"]) for c in cands if same_kind(c["measure"])}
    )
    hint = f" (figures exist for {', '.join(others)})" if others else ""
    return "no_outcome", (
        f"no {tg.measure} figure for {format_span(tg.start, tg.end)} in the "
        f"corpus or reference{hint}"
    )


def _judge_best(
    row: dict, tg: _Target, best: dict, just_met_pp: float, finish: Callable[[str, str], dict]
) -> dict:
    """Judge the target against its preferred usable outcome and fill the outcome columns."""
    y = float(best["converted"])
    row.update(
        {
            "outcome_id": best["statement_id"],
            "outcome_value": y,
            "outcome_unit": tg.unit,
            "outcome_value_written": float(best["value"])
            if best.get("value") is not None
            else None,
            "outcome_unit_written": best["unit"],
            "outcome_period": format_span(best["period_start"], best["period_end"]),
            "outcome_kind": best["kind"],
            "outcome_source": best["doc_id"] if best["origin"] == "corpus" else best["source_url"],
            "outcome_confidence": best["confidence"] if best["origin"] == "reference" else "",
        }
    )
    if tg.measure == "change":
        # Judge the movement in the stated direction against the stated magnitude.
        magnitude = (-1.0 if tg.direction == "decrease" else 1.0) * y
        v = judge(
            tg.comparator if tg.comparator != "eq" else "ge",
            tg.value,
            magnitude,
            polarity="higher_better",
            tau=tg.tau,
            target_high=tg.value_high,
        )
        row["outcome_value"] = magnitude
    else:
        t_val = signed_value(tg.value, tg.direction, tg.measure)
        t_high = (
            None if tg.value_high is None else signed_value(tg.value_high, tg.direction, tg.measure)
        )
        if t_high is not None and t_high < t_val:
            t_val, t_high = t_high, t_val
        v = judge(
            tg.comparator,
            t_val,
            y,
            polarity=tg.polarity or "higher_better",
            tau=tg.tau,
            target_high=t_high,
        )
    row.update(
        {
            "threshold": v.threshold,
            "signed_gap": round(v.signed_gap, 10),
            "signed_gap_published": round(v.signed_gap_published, 10),
        }
    )
    row["relative_gap"] = v.signed_gap / abs(v.threshold) if v.threshold else None
    if v.status in JUDGED:
        d = v.signed_gap
        limit = (
            just_met_pp if is_rate(tg.unit, tg.measure) else just_met_pp / 100 * abs(v.threshold)
        )
        row["just_met"] = bool(-EPS <= d <= limit + EPS) and v.status in ATTAINED
    outcome = (
        f"outcome {format_number(row['outcome_value'])}{tg.unit} ({source_text(best)}, "
        f"{row['outcome_period']})"
    )
    if best["unit"] != tg.unit:
        outcome += f" [= {format_number(float(best['value']))}{best['unit']}]"
    return finish(v.status, f"{outcome}; {verdict_gap_text(row['outcome_value'], v, tg.unit)}")


def _no_period_row(t: dict, ind: Indicator | None) -> dict:
    row = {k: t[k] for k in (*_COPIED, "comparator", "value_high", "direction")}
    row.update(
        {
            "indicator_label": ind.label if ind else (t["indicator_text"] or ""),
            "category": ind.category if ind else "",
            "polarity": ind.polarity if ind else "",
            "year": None,
            "n_candidates": 0,
            "candidates": "",
            "status": "not_comparable",
            "explanation": f"target {format_number(float(t['value']))}{clean(t['unit']) or ''}: no period "
            "(YYYY) known, so no outcome can be matched; fix it in data/curated/review.csv "
            "→ not_comparable",
        }
    )
    return row


def _check_candidate(c: dict, tg: _Target, min_rank: int) -> tuple[str, float | None]:
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


def _measure_refusal(c: dict, tg: _Target) -> str | None:
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


def _period_refusal(c: dict, tg: _Target) -> str | None:
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


def _change_unit_refusal(c: dict, tg: _Target) -> str | None:
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


def _derive_change(cands: list[dict], tg: _Target, min_rank: int) -> dict | str | None:
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
