"""Progress from stated changes (methods.md §7, "stated changes"): the levels they imply.

"城镇化率年均提升1个百分点以上" over 2021-2025, with the 2020 level known, implies the 2025 level:
percentage points (and absolute units) add up, base + 1 pp × 5 years (``additive``); a % rate
compounds, "年均增长8.9%" implies base × 1.089^5 (``compounding``). :func:`derived_levels` gives
one row per stated average change over two or more whole years, with both source ids and the
arithmetic in ``explanation``.

*Which statements*: reported figures (``outcome``, ``expected``) of the corpus and the reference
with measure ``growth`` over a span of whole years (an average annual rate, methods.md §1) or
measure ``change`` whose clause says 年均, 每年 or 年平均 ("高于全省平均水平0.5个百分点" is a gap,
not a change). Targets are plans and are left out.

*The base* is the level of the year before the span: the preferred full-year figure of the
outcome pool (corpus finals, then reference figures of at least ``min_confidence``, then
estimates). A later level never stands in: an average over 2021-2025 says nothing about
2022-2025 alone.

*Every candidate gets a row.* ``derived`` is True, with ``derived_value``, when a level follows;
otherwise False and the explanation says why: the indicator is not in the registry, the rate
is a range, no base level, a unit without a rule, bounds pointing opposite ways, or real growth
(GDP and value added grow at comparable prices while their levels are nominal: the arithmetic
is shown, no level is derived).

*Comparators*: 以上/超过 keep a lower bound on the level (``ge``/``gt``), 以内/低于 an upper bound;
a decrease turns one into the other; a rate without a bound is rounded, so the level is
``approx``, and so is a level from a base stated 约/左右. A base bounded on the other side from
the change bounds nothing: no level.

Derived levels serve tracking only (``track_targets(..., derived=...)``), never a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal

import pandas as pd

from .. import paths, schema
from ..indicators import Indicator, IndicatorRegistry
from ..periods import bounds, is_full_years, period_key
from ..schema import (  # noqa: F401 - re-exported
    COMPARATOR_SYMBOLS,
    CONFIDENCE_RANK,
    DERIVATIONS,
    DERIVED_KIND,
    OUTCOME_KINDS,
    STATE_MEASURES,
)
from ..units import UNIT_FACTORS, convert_value, format_number
from .outcomes import best_per_year, clean, outcome_pool, pool_by_indicator, source_text

#: Words that make a stated change an annual average.
ANNUAL_WORDS = ("年均", "每年", "年平均")
_CLAUSE_BREAK = re.compile(r"[，,。；;、：:]")
#: comparator -> (side of the bound on the value, strict)
_BOUNDS = {
    "ge": ("lower", False),
    "gt": ("lower", True),
    "le": ("upper", False),
    "lt": ("upper", True),
}
_BOUND_COMPARATOR = {v: k for k, v in _BOUNDS.items()}
_OTHER_SIDE = {"lower": "upper", "upper": "lower"}
_COLUMNS = (
    "statement_id",
    "doc_id",
    "kind",
    "indicator_id",
    "indicator_text",
    "measure",
    "direction",
    "period_start",
    "period_end",
    "value",
    "unit",
    "comparator",
    "quote",
    "evidence",
)
_KEPT = _COLUMNS[:-1]
#: Where a researcher adds a missing base figure (named in the explanation).
REFERENCE_FILE = (
    paths.REFERENCE_FILE.relative_to(paths.ROOT)
    if paths.REFERENCE_FILE.is_relative_to(paths.ROOT)
    else paths.REFERENCE_FILE
)


def derived_levels(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry,
    published: Mapping[str, str],
    min_confidence: str = "medium",
) -> pd.DataFrame:
    """The levels implied by stated average changes and known bases (see the module docstring).

    Args:
        statements: the statements table (extracted, reviewed).
        reference: the reference figures (same columns plus confidence and source_url).
        published: doc_id -> publication date (ranks the base candidates).
        min_confidence: lowest confidence of a reference figure used as the base.

    Returns:
        The schema table ``derived``: one row per stated change, ``derived`` True where a level
        follows.
    """
    if min_confidence not in CONFIDENCE_RANK:
        raise ValueError(
            f"min_confidence {min_confidence!r}: use one of {', '.join(CONFIDENCE_RANK)}"
        )
    schema.require_columns(statements, _COLUMNS, "statements")
    if reference is not None:
        schema.require_columns(reference, (*_COLUMNS, "confidence", "source_url"), "reference")
    by_ind = pool_by_indicator(outcome_pool(statements, reference, published))
    rows = []
    for r, span in _stated_changes(statements, reference):
        ind = registry.get(clean(r["indicator_id"]))
        rows.append(_derive(r, span, ind, by_ind.get(ind.id, []) if ind else [], min_confidence))
    out = schema.from_records("derived", rows)
    out.attrs["parameters"] = {"min_confidence": min_confidence}
    return out


def _stated_changes(
    statements: pd.DataFrame, reference: pd.DataFrame | None
) -> Iterator[tuple[dict, tuple[int, int]]]:
    """(record, (first year, last year)) of every stated average change over whole years."""
    frames = [statements] if reference is None else [statements, reference]
    for frame in frames:
        sel = frame[frame["kind"].isin(OUTCOME_KINDS) & frame["measure"].isin(("growth", "change"))]
        for r in sel.to_dict("records"):
            span = _whole_years(r)
            if span is not None and (r["measure"] == "growth" or says_annual(r)):
                yield r, span


def _whole_years(r: dict) -> tuple[int, int] | None:
    """(first, last) year of a span of two or more whole years, else None."""
    got = bounds(r["period_start"], r["period_end"])
    if got is None:
        return None
    start, end = period_key(got[0], end=False), period_key(got[1], end=True)
    if not is_full_years(start, end) or end[0] <= start[0]:
        return None
    return start[0], end[0]


def says_annual(r: Mapping) -> bool:
    """True when the clause holding the evidence calls the change an annual average (年均)."""
    quote, evidence = str(clean(r["quote"]) or ""), str(clean(r["evidence"]) or "")
    if evidence and evidence in quote:
        for m in re.finditer(re.escape(evidence), quote):
            clause = _CLAUSE_BREAK.split(quote[: m.start()])[-1]
            if any(w in clause for w in ANNUAL_WORDS):
                return True
        return False
    text = quote + str(clean(r["indicator_text"]) or "")
    return any(w in text for w in ANNUAL_WORDS)


def _derive(
    r: dict, span: tuple[int, int], ind: Indicator | None, cands: list[dict], min_confidence: str
) -> dict:
    first, last = span
    row = {k: r[k] for k in _KEPT}
    label = ind.label if ind else (clean(r["indicator_text"]) or "")
    row.update(indicator_label=label, year=last, derived=False)
    if ind is None:
        return _refuse(
            row,
            "the indicator is not in the registry (map the phrase in "
            "data/indicators.yaml): no base level to start from",
        )
    if r["comparator"] == "range":
        return _refuse(row, "a range of rates implies no single level")
    plan = _plan(r, ind)
    if isinstance(plan, str):
        return _refuse(row, plan)
    row.update(derivation=plan[0], derived_unit=plan[1])
    per_year = best_per_year(cands, STATE_MEASURES, plan[1], CONFIDENCE_RANK[min_confidence])
    base = per_year.get(first - 1)
    if base is None:
        return _refuse(row, _no_base(ind, first - 1, per_year, min_confidence))
    row.update(
        base_id=base["statement_id"],
        base_year=first - 1,
        base_level=base["converted"],
        base_source=source_text(base),
    )
    return _finish(row, r, base, real=ind.growth_is_real)


def _plan(r: dict, ind: Indicator) -> tuple[str, str] | str:
    """(derivation, unit of the level), or why the change's unit has no rule."""
    unit = clean(r["unit"]) or ""
    if unit == "百分点":
        return "additive", "%"
    if unit == "%":
        return "compounding", ind.unit
    if unit and unit in UNIT_FACTORS:
        return "additive", unit
    return f"unit {unit or '(none)'}: no rule turns this change into a level"


def _no_base(ind: Indicator, y0: int, per_year: dict[int, dict], min_confidence: str) -> str:
    known = ", ".join(f"{y} ({per_year[y]['statement_id']})" for y in sorted(per_year))
    return (
        f"no {y0} level of {ind.name_zh} in the corpus or the reference (reference figures of "
        f"{min_confidence} confidence or better) to start from"
        + (
            f"; levels are known for {known}, but only the level of the year before the span "
            "serves (an average over the span says nothing about a later part of it)"
            if known
            else ""
        )
        + f"; add the {y0} figure to {REFERENCE_FILE} to derive the level"
    )


def _finish(row: dict, r: dict, base: dict, *, real: bool) -> dict:
    """The level, its comparator and the arithmetic (or why no level follows)."""
    decrease = clean(r["direction"]) == "decrease"
    n = row["year"] - row["base_year"]
    rate = float(r["value"])
    level = _level(row["derivation"], row["base_level"], -rate if decrease else rate, n)
    if level is None:
        return _refuse(row, f"a fall of {format_number(rate)}% a year leaves no level")
    comparator = level_comparator(str(r["comparator"]), decrease, clean(base["comparator"]) or "eq")
    text = _arithmetic(row, r, level, comparator, decrease)
    if comparator is None:
        return _refuse(row, f"{text}: the base and the change bound the level from opposite sides")
    if r["measure"] == "growth" and real:
        return _refuse(
            row,
            f"{text} would be in {row['base_year']} prices: this growth is at comparable prices "
            "(real) while the base is nominal, so no current-price level follows",
        )
    notes = [text]
    if r["kind"] == "expected":
        notes.append("the stated change is an estimate (expected)")
    if base["kind"] == "expected":
        notes.append("the base is an estimate (expected)")
    notes.append("a derived level: for tracking only, never a verdict")
    row.update(derived=True, derived_value=level, derived_comparator=comparator)
    return {**row, "explanation": "; ".join(notes)}


def _level(derivation: str, base: float, rate: float, n: int) -> float | None:
    """base + rate × n (additive, exact decimals) or base × (1 + rate/100)^n (compounding)."""
    if derivation == "additive":
        return float(Decimal(repr(float(base))) + Decimal(repr(rate)) * n)
    factor = 1 + rate / 100
    return base * factor**n if factor > 0 else None


def level_comparator(change: str, decrease: bool, base: str) -> str | None:
    """The comparator of the derived level: from the change's (turned over by a decrease) and
    the base's; ``approx`` for a rate without a bound or an approximate base; None when the two
    bound the level from opposite sides."""
    c = _BOUNDS.get(change)
    if c is None or base not in ("eq", *_BOUNDS):
        return "approx"
    if decrease:
        c = (_OTHER_SIDE[c[0]], c[1])
    b = _BOUNDS.get(base)
    if b is not None and b[0] != c[0]:
        return None
    return _BOUND_COMPARATOR[(c[0], c[1] or (b is not None and b[1]))]


def _arithmetic(row: dict, r: dict, level: float, comparator: str | None, decrease: bool) -> str:
    """'2020 level 58.2% (ref-001) + 1 pp × 5 years = ≥63.2% in 2025'."""
    unit, n, sign = row["derived_unit"], row["year"] - row["base_year"], "−" if decrease else "+"
    rate = format_number(float(r["value"]))
    base = f"{row['base_year']} level {format_number(row['base_level'])}{unit} ({row['base_id']})"
    if row["derivation"] == "additive":
        step = f"{sign} {rate}{' pp' if r['unit'] == '百分点' else r['unit']} × {n} years"
    else:
        step = f"× (1 {sign} {rate}%)^{n}"
    symbol = COMPARATOR_SYMBOLS.get(comparator or "", "")
    return f"{base} {step} = {symbol}{format_number(level)}{unit} in {row['year']}"


def _refuse(row: dict, why: str) -> dict:
    return {**row, "explanation": f"not derived: {why}"}


# ------------------------------------------------------------------ derived points for tracking
_TABLE_COLUMNS = (
    "statement_id",
    "indicator_id",
    "year",
    "derived",
    "derived_value",
    "derived_unit",
    "derived_comparator",
    "base_id",
    "explanation",
)


def derived_points(derived: pd.DataFrame | None) -> dict[str, dict[int, dict]]:
    """indicator_id -> year -> the first derived level of the ``derived`` table."""
    if derived is None:
        return {}
    schema.require_columns(derived, _TABLE_COLUMNS, "derived", "derived_summary")
    out: dict[str, dict[int, dict]] = {}
    for d in derived.to_dict("records"):
        ind, year, value = clean(d["indicator_id"]), clean(d["year"]), clean(d["derived_value"])
        if bool(clean(d["derived"])) and None not in (ind, year, value):
            out.setdefault(str(ind), {}).setdefault(int(year), d)
    return out


def fill_derived(
    per_year: dict[int, dict], derived: Mapping[int, dict], unit: str, target_year: int
) -> list[int]:
    """Add derived levels for years before ``target_year`` without a stated level (in place);
    return the years filled."""
    filled = []
    for year, d in sorted(derived.items()):
        conv = convert_value(float(d["derived_value"]), clean(d["derived_unit"]) or "", unit)
        if year in per_year or year >= target_year or conv is None:
            continue
        symbol = COMPARATOR_SYMBOLS.get(clean(d["derived_comparator"]) or "", "")
        per_year[year] = {
            "kind": DERIVED_KIND,
            "converted": conv,
            "statement_id": d["statement_id"],
            "derived_comparator": clean(d["derived_comparator"]) or "",
            "derived_source": f"derived {symbol}{conv:g}{unit} from {d['statement_id']} "
            f"and base {d['base_id']}",
            "explanation": d["explanation"],
        }
        filled.append(year)
    return filled


def derived_note(per_year: dict[int, dict], filled: list[int], latest_year: int) -> str:
    """The tracking note for derived points: which years, and each one's arithmetic."""
    what = "the latest level" if latest_year in filled else "level(s)"
    detail = "; ".join(f"{y}: {per_year[y]['explanation']}" for y in filled)
    return (
        f"{what} for {', '.join(map(str, filled))} derived from a stated change, not stated "
        f"(tracking only, never a verdict): {detail}"
    )
