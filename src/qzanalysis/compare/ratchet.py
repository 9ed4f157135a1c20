"""Ratchet (methods.md §7): each annual target against the previous year's outcome.

Chang, Wang & Xiong (2025) find that targets rise fast after good years and fall slowly after
bad ones; Li et al. (2019) find them amplified down the hierarchy. Both read a target T_y
against last year's outcome y_{y-1}. :func:`ratchet_table` gives that pair for every annual
target, :func:`ratchet_summary` the distribution of the differences.

Rules (each stated in the row's ``explanation``):

* An **annual target** is a target (corpus or reference) with a registry id, a numeric value, a
  measure growth, level, share or ratio, and a period of one calendar year y, set by a document
  that speaks for y: published in y, or from October of y-1 (``periods.year_spoken_for``). A
  "到2026年" goal of the 2022 report is a multi-year goal (see ``track_targets``), not an annual
  target. A document without a publication date and a reference target (which has none) count
  as annual, as ``track_targets`` counts them one-year targets.
* The **previous outcome** is the preferred full-year figure of y-1 for the same registry id
  and measure family (growth with growth; level, share and ratio with one another), exactly as
  the verdicts choose one (``outcomes.best_per_year``: corpus finals, then reference figures of
  at least ``min_confidence``, then estimates, flagged), converted to the target's unit.
* **T** (``target_used``) is the value; a range uses its midpoint; ``approx``, ``ge`` and the
  other comparators use the value as written; a planned fall ("下降2%") is negative growth.
* **Δ** (``delta``) = T - y_{y-1} in percentage points (``delta_unit`` 'pp') for growth and for
  shares in % or 百分点; (T / y_{y-1} - 1) x 100 in % ('%') for levels, ratios and anything
  else. A relative change from a level of zero or below is undefined (delta empty).
* A target **without a previous outcome** keeps its row: the outcome columns and ``delta`` are
  empty and ``explanation`` says what is missing, so a year's review shows which targets cannot be
  read against last year. :func:`ratchet_summary` uses only the rows with a ``delta``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from .. import schema
from ..indicators import IndicatorRegistry
from ..periods import bounds, format_span, period_key, year_spoken_for
from ..schema import CONFIDENCE_RANK, RATCHET_GROUPINGS, STATE_MEASURES
from ..units import format_number
from .outcomes import (
    FIGURE_COLUMNS,
    best_per_year,
    clean,
    outcome_pool,
    pool_by_indicator,
    signed_value,
    source_text,
    target_rows,
)

#: Measures an annual target of the ratchet may have (Δ units: schema.DELTA_UNITS).
RATCHET_MEASURES = ("growth", "level", "share", "ratio")

_PP_UNITS = frozenset({"%", "百分点"})
_REFERENCE_COLUMNS = [*FIGURE_COLUMNS, "confidence", "source_url"]
_WORDS = {"approx": "{}左右", "ge": "{}以上", "gt": "超过{}", "le": "{}以内", "lt": "低于{}"}


def ratchet_table(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry,
    published: Mapping[str, str],
    min_confidence: str = "medium",
) -> pd.DataFrame:
    """Every annual target against the previous year's outcome (see the module docstring).

    Args:
        statements: the statements table (schema "statements").
        reference: reference figures (``load_reference()``), or None for the corpus only.
        registry: the indicator registry (labels, polarity).
        published: doc_id -> publication date (``Corpus.published()``).
        min_confidence: lowest confidence of a reference figure used as the previous outcome.

    Returns:
        One row per annual target (schema table "ratchet"), ordered by year and statement id.
    """
    check_inputs(statements, reference, min_confidence, "ratchet_table")
    min_rank = CONFIDENCE_RANK[min_confidence]
    by_ind = pool_by_indicator(outcome_pool(statements, reference, published))
    rows = []
    for t in annual_targets(statements, reference, published, RATCHET_MEASURES):
        ind = registry.get(t["indicator_id"])
        label, polarity = (ind.label, ind.polarity) if ind else (t["indicator_text"], "")
        row = _base_row(t, label, polarity)
        family = {"growth"} if t["measure"] == "growth" else STATE_MEASURES
        cands = by_ind.get(t["indicator_id"], [])
        prev = best_per_year(cands, family, row["unit"], min_rank).get(t["year"] - 1)
        if prev is None:
            row["explanation"] = _why_missing(row, cands, family)
        else:
            _fill_previous(row, prev)
        rows.append(row)
    out = schema.from_records("ratchet", rows)
    out.attrs["parameters"] = {"min_confidence": min_confidence}
    return out


def check_inputs(
    statements: pd.DataFrame, reference: pd.DataFrame | None, min_confidence: str, caller: str
) -> None:
    """A clear ValueError for a wrong table or parameter, before anything is computed."""
    if min_confidence not in CONFIDENCE_RANK:
        raise ValueError(f"{caller}: min_confidence={min_confidence!r}; use high, medium or low")
    schema.require_columns(statements, FIGURE_COLUMNS, "statements", caller)
    if reference is not None:
        schema.require_columns(reference, _REFERENCE_COLUMNS, "reference", caller)


def annual_targets(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None,
    published: Mapping[str, str],
    measures: Iterable[str],
) -> list[dict]:
    """Annual targets with a registry id and a value, as records with ``year`` (y),
    ``target_origin``, ``comparator`` ('range' when a value_high closes it) and ``target_used``
    (signed value, or the midpoint of a range); ordered by year and statement id."""
    targets = target_rows(statements, reference, FIGURE_COLUMNS, origin="target_origin")
    mapped = targets["indicator_id"].fillna("").astype(str) != ""
    targets = targets[mapped & targets["measure"].isin(list(measures)) & targets["value"].notna()]
    out = []
    for t in targets.to_dict("records"):
        year = _annual_year(t, published)
        if year is None:
            continue
        low = signed_value(t["value"], clean(t["direction"]), t["measure"])
        high = clean(t["value_high"])
        high = None if high is None else signed_value(high, clean(t["direction"]), t["measure"])
        out.append(
            {
                **t,
                "year": year,
                "unit": clean(t["unit"]) or "",
                "value_high": clean(t["value_high"]),
                "comparator": "range" if high is not None else t["comparator"],
                "target_used": low if high is None else (low + high) / 2,
            }
        )
    return sorted(out, key=lambda r: (r["year"], str(r["statement_id"])))


def _annual_year(t: dict, published: Mapping[str, str]) -> int | None:
    """y when ``t`` covers exactly the calendar year y and is set by a document speaking for y."""
    span = bounds(t["period_start"], t["period_end"])
    if span is None:
        return None
    (ys, ms), (ye, me) = period_key(span[0], end=False), period_key(span[1], end=True)
    if ys != ye or ms != 1 or me != 12:
        return None
    date = published.get(clean(t["doc_id"]) or "", "")
    if not date:
        return ye  # reference target or undated document: taken as annual (as track_targets does)
    speaks = year_spoken_for(date)
    return ye if ye in (int(date[:4]), speaks) else None


def _base_row(t: dict, label: str, polarity: str) -> dict:
    keep = ("statement_id", "doc_id", "target_origin", "indicator_id", "measure", "comparator")
    return {
        **{k: t[k] for k in keep},
        "indicator_label": label,
        "polarity": polarity,
        "value": float(t["value"]),
        "value_high": t["value_high"],
        "unit": t["unit"],
        "year": t["year"],
        "target_used": t["target_used"],
        "direction": clean(t["direction"]) or "",
    }


def target_phrase(
    comparator: str, value: float, value_high: float | None, unit: str, direction: str = ""
) -> str:
    """The target in the documents' own words: '7%左右', '200亿元以上', '5.5–6%', '下降5%'."""
    if comparator == "range" and value_high is not None:
        text = f"{format_number(value)}–{format_number(value_high)}{unit}"
    else:
        text = _WORDS.get(comparator, "{}").format(f"{format_number(value)}{unit}")
    return f"下降{text}" if direction == "decrease" else text


def signed_text(x: float, unit: str, decimals: int | None = None) -> str:
    """'+0.3 pp', '−1.6 pp', '+41.24%', '0 pp'."""
    x = round(x, 10)
    body = format_number(abs(x), decimals) if decimals is not None else format_number(abs(x))
    sign = "+" if x > 0 else ("−" if x < 0 else "")
    return f"{sign}{body}{' ' if unit == 'pp' else ''}{unit}"


def _target_text(row: dict) -> str:
    text = target_phrase(
        row["comparator"], row["value"], row["value_high"], row["unit"], row["direction"]
    )
    if row["comparator"] == "range":
        text += f" (midpoint {format_number(row['target_used'])}{row['unit']})"
    origin = ""
    if row["target_origin"] == "reference":
        origin = f" ({row['statement_id']}: a reference target has no date, taken as annual)"
    return f"{row['year']} target {text}{origin}"


def _why_missing(row: dict, cands: list[dict], family: set[str] | frozenset[str]) -> str:
    kind = "growth" if family == {"growth"} else "level/share/ratio"
    years = sorted(
        {format_span(c["period_start"], c["period_end"]) for c in cands if c["measure"] in family}
    )
    hint = f" (figures exist for {', '.join(years)})" if years else ""
    return (
        f"{_target_text(row)}: no full-year {row['year'] - 1} {kind} outcome of this indicator "
        f"in {row['unit'] or 'its unit'} in the corpus or reference{hint}, so no Δ"
    )


def _fill_previous(row: dict, prev: dict) -> None:
    """The previous outcome's columns, Δ and the explanation."""
    y, unit = float(prev["converted"]), row["unit"]
    row.update(
        {
            "outcome_id": prev["statement_id"],
            "outcome_value": y,
            "outcome_unit": unit,
            "outcome_value_written": float(prev["value"]),
            "outcome_unit_written": prev["unit"],
            "outcome_comparator": prev["comparator"],
            "outcome_period": format_span(prev["period_start"], prev["period_end"]),
            "outcome_kind": prev["kind"],
            "outcome_source": prev["doc_id"] if prev["origin"] == "corpus" else prev["source_url"],
            "outcome_confidence": prev["confidence"] if prev["origin"] == "reference" else "",
        }
    )
    sums = _delta(row, row["target_used"], y)
    written = f"{format_number(y)}{unit}"
    if prev["unit"] != unit:
        written += f" [= {format_number(float(prev['value']))}{prev['unit']}]"
    if prev["comparator"] in ("gt", "ge", "lt", "le"):
        written += f" (stated as a bound: {target_phrase(prev['comparator'], y, None, unit)})"
    row["explanation"] = (
        f"{_target_text(row)} vs {row['year'] - 1} outcome {written} ({source_text(prev)}): {sums}"
        + ("; lower is better" if row["polarity"] == "lower_better" else "")
    )


def _delta(row: dict, T: float, y: float) -> str:
    """Set ``delta`` and ``delta_unit`` of ``row``; return the arithmetic for the explanation."""
    t_text, y_text = format_number(T), format_number(y)
    if row["measure"] == "growth" or row["unit"] in _PP_UNITS:
        row["delta"], row["delta_unit"] = round(T - y, 10), "pp"
        return f"{signed_text(T - y, 'pp')} ({t_text} − {y_text})"
    row["delta_unit"] = "%"
    if y <= 0:
        return "no Δ: a relative change from a level of zero or below is undefined"
    row["delta"] = round((T / y - 1) * 100, 10)
    return f"{signed_text(row['delta'], '%', 2)} (({t_text} / {y_text} − 1) × 100)"


def ratchet_summary(ratchet: pd.DataFrame) -> pd.DataFrame:
    """The distribution of Δ: n, mean, min and max per measure and Δ unit, over all rows
    ('all'), per year and per indicator (schema table "ratchet_summary"). Rows without a Δ are
    left out; percentage points and percent are never pooled."""
    needed = ("year", "indicator_id", "measure", "delta", "delta_unit")
    schema.require_columns(ratchet, needed, "ratchet", "ratchet_summary")
    have = ratchet[ratchet["delta"].notna()]
    rows = []
    for grouping in RATCHET_GROUPINGS:
        keys = [grouping] if grouping != "all" else []
        for key, g in have.groupby([*keys, "measure", "delta_unit"], sort=True):
            d = g["delta"].astype(float)
            rows.append(
                {
                    "grouping": grouping,
                    "group": "all" if grouping == "all" else str(key[0]),
                    "measure": key[-2],
                    "delta_unit": key[-1],
                    "n_delta": len(d),
                    "delta_mean": round(d.mean(), 10),
                    "delta_min": d.min(),
                    "delta_max": d.max(),
                }
            )
    return schema.from_records("ratchet_summary", rows)
