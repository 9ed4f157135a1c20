"""The cross-city panel: city x year x indicator, one row per distinct target (issue 13).

A researcher who studies several cities wants their plans and outcomes side by side: for each
city, year and registry indicator, what was targeted (value, comparator, who set it), what
happened (value, where it was reported), the gap and the verdict. :func:`panel_table` builds the
rows of one city from that city's comparisons (methods.md §2-3), so a panel row never pairs two
cities; :meth:`qzanalysis.pipeline.Analysis.panel` concatenates the cities.

Only targets with a registry ``indicator_id`` are rows: an id is what makes one city's indicator
the same as another's (a phrase matched as text is not comparable across cities). Every status is
kept, the unjudged ones too (not yet due, no outcome), so the panel also shows what a city's
corpus cannot judge. A target several documents state alike (the same indicator, measure,
period, comparator, value and unit) is one row: ``stated_in`` lists every statement, and the row
takes the earliest-published document's statement (a reference row after every document), whose
outcome and verdict it shows; the same target meets the same outcomes, so they agree.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .. import schema
from ..indicators import IndicatorRegistry
from ..periods import date_key
from ..schema import STATUS_ZH
from .headline import Sources, finding_gap_text, target_fields

#: Two targets equal in all these state one target (the panel's row key within a city and year).
SAME_TARGET = [
    "indicator_id",
    "measure",
    "period_start",
    "period_end",
    "comparator",
    "value",
    "value_high",
    "unit",
]


def _first_stated(comparisons: pd.DataFrame, published: Mapping[str, str]) -> pd.DataFrame:
    """The comparisons ordered so that the first of each target is its earliest statement:
    corpus documents by publication date, then reference rows, then the input order."""
    order = comparisons.assign(
        _from_reference=comparisons["doc_id"].fillna("").eq(""),
        _published=[
            date_key(published[d]) if isinstance(d, str) and d in published else (9999, 99, 99)
            for d in comparisons["doc_id"]
        ],
        _order=range(len(comparisons)),
    )
    return order.sort_values(["_from_reference", "_published", "_order"], kind="stable")


def _outcome_fields(r: Mapping, sources: Sources) -> dict:
    """The outcome a target was judged with, and where it was read (empty when none)."""
    if not isinstance(r["outcome_id"], str) or not r["outcome_id"]:
        return {}
    return {
        **sources.describe(r["outcome_id"]),
        "outcome_value": r["outcome_value"],
        "outcome_period": r["outcome_period"],
        "outcome_kind": r["outcome_kind"],
    }


def panel_table(
    comparisons: pd.DataFrame,
    *,
    sources: Sources,
    registry: IndicatorRegistry,
    published: Mapping[str, str],
) -> pd.DataFrame:
    """One city's panel rows (schema "panel", the city key left for the caller to fill).

    Args:
        comparisons: the city's comparisons (:func:`qzanalysis.compare.compare_targets`).
        sources: where the city's statements and reference figures come from.
        registry: the indicator registry (the Chinese name and English gloss of each id).
        published: doc_id -> publication date of the city's documents.
    """
    mapped = comparisons[comparisons["indicator_id"].fillna("").ne("")]
    ordered = _first_stated(mapped, published)
    stated_in = ordered.groupby(SAME_TARGET, sort=False, dropna=False)["statement_id"].transform(
        lambda ids: ", ".join(ids)
    )
    firsts = ordered.assign(stated_in=stated_in).drop_duplicates(SAME_TARGET, keep="first")
    rows = []
    for r in firsts.to_dict("records"):
        indicator = registry.get(r["indicator_id"])
        rows.append(
            {
                **{k: r[k] for k in ("year", "indicator_id", "category", "measure", "direction")},
                **{k: r[k] for k in ("period_start", "period_end", "comparator", "value")},
                **{k: r[k] for k in ("value_high", "unit", "target_origin", "stated_in")},
                "indicator_name_zh": indicator.name_zh if indicator else None,
                "indicator_name_en": indicator.name_en if indicator else None,
                **target_fields(r, sources),
                **_outcome_fields(r, sources),
                "signed_gap": r["signed_gap"],
                "gap": finding_gap_text(r["signed_gap"], r["unit"] or "", r["measure"]),
                "status": r["status"],
                "status_zh": STATUS_ZH.get(r["status"]),
                "explanation": r["explanation"],
            }
        )
    table = schema.from_records("panel", rows)
    return table.sort_values(
        ["year", "indicator_id", "measure", "period_start"], kind="stable"
    ).reset_index(drop=True)
