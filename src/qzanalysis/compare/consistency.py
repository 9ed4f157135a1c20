"""Consistency checks: figures that disagree with one another.

The same indicator, measure and period stated with different values by two statements or
sources (an estimate against the final figure, two pages, a restated target), and levels that
disagree with the stated growth times the previous level. Two values that agree at the coarser
one's published precision (2125.2 vs 2125) are not listed. Every row carries both sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import schema
from ..indicators import IndicatorRegistry
from ..periods import format_span
from ..schema import STATE_MEASURES
from ..units import convert_value, format_number, same_at_precision
from .outcomes import (
    FIGURE_COLUMNS,
    best_per_year,
    outcome_pool,
    short_source,
    signed_value,
    target_rows,
)


def check_consistency(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry,
    published: Mapping[str, str],
    growth_tolerance_pp: float = 0.5,
) -> pd.DataFrame:
    """List figures that disagree (see the module docstring); one row per pair."""
    pool = outcome_pool(statements, reference, published)
    targets = _signed_targets(statements, reference)
    rows: list[dict] = []
    for frame, is_target in ((pool, False), (targets, True)):
        rows += _value_conflicts(frame.to_dict("records"), registry, is_target=is_target)
    rows += _level_growth_checks(pool, registry, growth_tolerance_pp)
    return schema.from_records("consistency", rows)


def _signed_targets(statements: pd.DataFrame, reference: pd.DataFrame | None) -> pd.DataFrame:
    """Targets of the corpus and the reference with a signed value (a restated target shows
    as two targets of one indicator, measure and period with different values)."""
    cols = FIGURE_COLUMNS + ["confidence", "source_url"]
    tg = target_rows(
        statements.assign(confidence="", source_url=""), reference, cols, origin="origin"
    )
    tg = tg[tg["indicator_id"].notna()].copy()
    tg["direction"] = tg["direction"].fillna("")
    tg["unit"] = tg["unit"].fillna("")
    tg["signed_value"] = [
        signed_value(v, d, m)
        for v, d, m in zip(tg["value"], tg["direction"], tg["measure"], strict=True)
    ]
    return tg


def _value_conflicts(
    records: list[dict], registry: IndicatorRegistry, *, is_target: bool
) -> list[dict]:
    """Pairs of figures of one indicator, measure and period whose values differ."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault(
            (r["indicator_id"], r["measure"], r["period_start"], r["period_end"]), []
        ).append(r)
    rows = []
    for (ind_id, measure, ps, pe), items in groups.items():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a["statement_id"] == b["statement_id"]:
                    continue
                vb = convert_value(b["signed_value"], b["unit"] or "", a["unit"] or "")
                if vb is None:
                    continue
                va = float(a["signed_value"])
                if same_at_precision(va, vb):
                    continue
                if is_target:
                    check = "target_restated"
                elif "expected" in (a["kind"], b["kind"]) and a["kind"] != b["kind"]:
                    check = "estimate_vs_final"
                else:
                    check = "different_values"
                rows.append(
                    _pair_row(check, registry, ind_id, measure, format_span(ps, pe), a, b, va, vb)
                )
    return rows


def _pair_row(
    check: str,
    registry: IndicatorRegistry,
    ind_id: str,
    measure: str,
    period: str,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    va: float,
    vb: float,
    note: str = "",
) -> dict:
    return {
        "check": check,
        "indicator_id": ind_id,
        "indicator_label": registry.label(ind_id, ind_id),
        "measure": measure,
        "period": period,
        "statement_id_a": a["statement_id"],
        "kind_a": a["kind"],
        "source_a": short_source(a),
        "value_a": float(a["value"]),
        "unit_a": a["unit"] or "",
        "statement_id_b": b["statement_id"],
        "kind_b": b["kind"],
        "source_b": short_source(b),
        "value_b": float(b["value"]),
        "unit_b": b["unit"] or "",
        "difference": vb - va,
        "relative_difference": (vb - va) / abs(va) if va else None,
        "note": note,
    }


def _level_growth_checks(
    pool: pd.DataFrame, registry: IndicatorRegistry, tol_pp: float
) -> list[dict]:
    """Levels of two consecutive years whose implied growth differs from the stated growth."""
    rows = []
    for ind_id, g in pool.groupby("indicator_id", sort=False):
        recs = g.to_dict("records")
        unit = next((r["unit"] for r in recs if r["measure"] in STATE_MEASURES), None)
        if unit is None:
            continue
        levels = best_per_year(recs, {"level"}, unit, 1)
        growths = best_per_year(recs, {"growth"}, "%", 1)
        for year, gr in growths.items():
            if year not in levels or year - 1 not in levels:
                continue
            prev, cur = levels[year - 1], levels[year]
            implied = (cur["converted"] / prev["converted"] - 1) * 100
            if abs(implied - gr["converted"]) <= tol_pp:
                continue
            note = (
                f"levels {format_number(prev['converted'])}→{format_number(cur['converted'])}{unit} imply "
                f"{implied:.2f}% growth; stated {gr['converted']:.2f}% ({year - 1} level from "
                f"{short_source(prev)})"
            )
            ind = registry.get(ind_id)
            if ind is not None and ind.growth_is_real:
                note += "; growth is at constant prices and levels are nominal, so part of the gap is inflation"
            row = _pair_row(
                "level_vs_growth",
                registry,
                ind_id,
                "level/growth",
                str(year),
                cur,
                gr,
                implied,
                gr["converted"],
                note,
            )
            row["value_a"] = implied
            row["unit_a"] = "%"
            rows.append(row)
    return rows
