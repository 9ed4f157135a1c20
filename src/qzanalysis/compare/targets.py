"""Target verdicts (methods.md §2-3): every target matched with its outcome and judged.

Matching: the same indicator_id, or, when neither side has one, the same indicator phrase after
normalisation (:meth:`~qzanalysis.indicators.IndicatorRegistry.text_key`; ``matched_by`` says
which, methods.md §7); comparable measures (a growth rate only with a growth rate, a
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
from dataclasses import dataclass, replace

import pandas as pd

from .. import schema
from ..indicators import Indicator, IndicatorRegistry
from ..periods import Key, as_of_key, bounds, format_span, span_keys
from ..schema import ATTAINED, CONFIDENCE_RANK, JUDGED, STATE_MEASURES
from ..units import format_number, is_rate
from .candidates import Found, Target, gather
from .outcomes import (
    FIGURE_COLUMNS,
    clean,
    latest_information_date,
    outcome_pool,
    pool_by_indicator,
    pool_by_text,
    signed_value,
    source_text,
    target_rows,
)
from .verdicts import EPS, judge, target_text, tolerance_for
from .verdicts import gap_text as verdict_gap_text

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
    pool = outcome_pool(statements, reference, published, keep_unmapped=True, registry=registry)
    context = _Context(
        by_indicator=pool_by_indicator(pool),
        by_text=pool_by_text(pool),
        registry=registry,
        as_key=as_of_key(as_of),
        min_rank=CONFIDENCE_RANK[min_confidence],
        tolerances=Tolerances(tolerance_pp, tolerance_level, just_met_pp),
    )
    targets = target_rows(statements, reference, FIGURE_COLUMNS, origin="target_origin")
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
    by_text: dict[str, list[dict]]
    registry: IndicatorRegistry
    as_key: Key
    min_rank: int
    tolerances: Tolerances


def _parse_target(t: dict, ind: Indicator | None, span: tuple[str, str], tol: Tolerances) -> Target:
    unit, measure = clean(t["unit"]) or "", t["measure"]
    value, value_high = float(t["value"]), clean(t["value_high"])
    polarity = "lower_better" if measure == "rank" else (ind.polarity if ind else "")
    start_key, end_key = span_keys(*span)
    return Target(
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


def _base_row(tg: Target) -> dict:
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
    match = _match(t, tg, ctx)

    def finish(status: str, why: str) -> dict:
        row["status"] = status
        row["explanation"] = f"target {text}; {match.note}{why} → {status}"
        return row

    if math.isnan(tg.value):
        return finish(
            "not_comparable", "the target has no numeric value; fix it in data/curated/review.csv"
        )
    due = tg.end_key < ctx.as_key
    if not match.by:
        # No registry id and no id-less outcome with the same phrase: still due or not, and the
        # reader is told how to let it be matched.
        unmapped = _unmapped_text(t["indicator_text"], match.key)
        if not due:
            return finish("not_yet_due", f"the period ends {tg.end}; {unmapped}")
        return finish("no_outcome", unmapped)
    cands = match.candidates
    found = gather(cands, tg, ctx.min_rank, due)
    row["candidates"] = "; ".join(found.texts)
    row["n_candidates"] = len(cands)
    if not due:
        latest = f"latest information {ctx.as_key[0]}-{ctx.as_key[1]:02d}; the period ends {tg.end}"
        if found.usable:
            latest += f" (an early figure exists: {format_number(found.usable[0]['converted'])}{tg.unit}, not judged)"
        return finish("not_yet_due", latest)
    if not found.usable:
        return finish(*_why_unjudged(found, cands, tg))
    row["matched_by"] = match.by
    if not tg.polarity and tg.comparator in ("eq", "approx", "range") and tg.measure != "change":
        # The verdict rule reads the good side of these comparators from the polarity.
        match = replace(match, note=match.note + "no polarity known, higher taken as better; ")
    return _judge_best(row, tg, found.usable[0], ctx.tolerances.just_met_pp, finish)


@dataclass(frozen=True)
class _Match:
    """The figures that may judge a target and how they were found: ``by`` is "id" (the same
    registry id), "text" (no id on either side, the same phrase after normalisation) or ""
    (no id and no figure with the phrase); ``note`` opens the explanation of a text match."""

    candidates: list[dict]
    by: str
    key: str = ""
    note: str = ""


def _match(t: dict, tg: Target, ctx: _Context) -> _Match:
    if tg.indicator is not None:
        return _Match(ctx.by_indicator.get(tg.indicator.id, []), "id")
    key = ctx.registry.text_key(clean(t["indicator_text"]))
    cands = ctx.by_text.get(key, []) if key else []
    if not cands:
        return _Match([], "", key)
    return _Match(cands, "text", key, f"matched by the indicator phrase '{key}' (no registry id); ")


def _unmapped_text(phrase: str | None, key: str) -> str:
    """Why an id-less target has no candidate, and how to let it be matched."""
    same = f" and no outcome without an id has the phrase '{key}'" if key else ""
    return (
        f"indicator {phrase!r} is not in the registry{same}, so no outcome could be matched "
        "(add it or a synonym to data/indicators.yaml; qzanalysis indicators --suggest lists "
        "near phrases)"
    )


def _why_unjudged(found: Found, cands: list[dict], tg: Target) -> tuple[str, str]:
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
    row: dict, tg: Target, best: dict, just_met_pp: float, finish: Callable[[str, str], dict]
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
            "outcome_comparator": best.get("outcome_comparator") or "eq",
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
            outcome_comparator=row["outcome_comparator"],
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
            outcome_comparator=row["outcome_comparator"],
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
