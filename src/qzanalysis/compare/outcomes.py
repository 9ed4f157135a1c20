"""The outcome pool: every figure that could judge a target, in order of preference.

Outcomes and estimates come from the corpus and from the reference figures. The pool ranks them
(methods.md §2): a final figure from a corpus document (latest published first), then a
reference figure by confidence, then an estimate (``expected``, flagged). Helpers here also pick
the preferred full-year figure per year, which verdicts, tracking and consistency share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..indicators import IndicatorRegistry, normalise_phrase
from ..periods import bounds, date_key, format_span, is_period, next_month, period_key
from ..schema import CONFIDENCE_RANK, OUTCOME_KINDS, STATE_MEASURES, STATEMENT_FIELDS
from ..units import convert_value, format_number

#: Columns every figure carries into a comparison.
FIGURE_COLUMNS = ["statement_id", "doc_id", *STATEMENT_FIELDS, "quote"]


def clean(x: Any) -> Any:
    """None for every flavour of missing (None, pd.NA, NaN); the value otherwise."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    return x


def signed_value(value: float, direction: str | None, measure: str) -> float:
    """A decrease stated as a positive magnitude ("下降20%") becomes negative growth/change."""
    if measure in ("growth", "change") and direction == "decrease":
        return -float(value)
    return float(value)


def target_rows(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None,
    cols: list[str],
    *,
    origin: str | None = None,
    reference_cols: list[str] = (),
) -> pd.DataFrame:
    """Targets from the corpus and the reference, with ``cols`` (and ``origin`` = corpus/reference
    in the column named ``origin`` when given)."""
    corpus = statements.loc[statements["kind"] == "target", cols]
    parts = [corpus.assign(**{origin: "corpus"}) if origin else corpus]
    if reference is not None and len(reference):
        ref = reference.loc[reference["kind"] == "target", cols + list(reference_cols)]
        parts.append(ref.assign(**{origin: "reference"}) if origin else ref)
    return pd.concat(parts, ignore_index=True)


def outcome_pool(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None,
    published: Mapping[str, str],
    *,
    keep_unmapped: bool = False,
    registry: IndicatorRegistry | None = None,
) -> pd.DataFrame:
    """All outcome/expected figures from corpus and reference, with their preference rank.

    Every figure carries ``text_key``, its indicator phrase as text matching compares it
    (:meth:`IndicatorRegistry.text_key`: normalised, registry synonyms applied; without a
    ``registry`` the phrase is only normalised). Figures without an indicator_id are kept only
    with ``keep_unmapped`` (text matching needs them: :func:`pool_by_text`); by default the pool
    holds figures with an id, which is what id-keyed uses (tracking, consistency) group by.
    """
    pool = _figures(statements, reference)
    ids = pool["indicator_id"].astype("string")
    pool["indicator_id"] = ids.mask(ids.fillna("") == "", pd.NA)
    if not keep_unmapped:
        pool = pool[pool["indicator_id"].notna()]
    key = registry.text_key if registry is not None else normalise_phrase
    pool["text_key"] = pd.array([key(p) for p in pool["indicator_text"]], dtype="string")
    pool = _with_usable_periods(pool)
    pool = pool.astype(
        {
            "doc_id": "string",
            "confidence": "string",
            "source_url": "string",
            "direction": "string",
            "unit": "string",
        }
    )
    pool["unit"] = pool["unit"].fillna("")
    pool["direction"] = pool["direction"].fillna("")
    pool["published"] = pool["doc_id"].map(
        lambda d: published.get(d, "") if isinstance(d, str) else ""
    )
    conf = pool["confidence"].fillna("").map(lambda c: CONFIDENCE_RANK.get(c, 0))
    # Corpus finals > reference finals (by confidence) > estimates; later documents first.
    pool["tier"] = np.where(
        pool["kind"] == "outcome", np.where(pool["origin"] == "corpus", 3, 2), 1
    )
    pool["conf_rank"] = conf.astype(int)
    pool["start_key"] = [period_key(s, end=False) for s in pool["period_start"]]
    pool["end_key"] = [period_key(e, end=True) for e in pool["period_end"]]
    pool["signed_value"] = [
        signed_value(v, d, m)
        for v, d, m in zip(pool["value"], pool["direction"], pool["measure"], strict=True)
    ]
    pool = pool.sort_values(
        ["tier", "published", "conf_rank", "statement_id"], ascending=[False, False, False, True]
    )
    return pool.reset_index(drop=True)


def _figures(statements: pd.DataFrame, reference: pd.DataFrame | None) -> pd.DataFrame:
    """The outcome and expected rows of the corpus and the reference, with their origin."""
    st = statements.loc[statements["kind"].isin(OUTCOME_KINDS), FIGURE_COLUMNS].copy()
    st["origin"] = "corpus"
    st["confidence"] = ""
    st["source_url"] = ""
    parts = [st]
    if reference is not None and len(reference):
        rf = reference.loc[
            reference["kind"].isin(OUTCOME_KINDS), FIGURE_COLUMNS + ["confidence", "source_url"]
        ].copy()
        rf["origin"] = "reference"
        parts.append(rf)
    return pd.concat(parts, ignore_index=True)


def _with_usable_periods(pool: pd.DataFrame) -> pd.DataFrame:
    """Drop figures without a period (they match no target); a missing bound takes the other."""
    spans = [bounds(s, e) for s, e in zip(pool["period_start"], pool["period_end"], strict=True)]
    keep = np.array([s is not None for s in spans], dtype=bool)
    pool, spans = pool[keep], [s for s in spans if s is not None]
    return pool.assign(period_start=[s for s, _ in spans], period_end=[e for _, e in spans])


def pool_by_indicator(pool: pd.DataFrame) -> dict[str, list[dict]]:
    """indicator_id -> its figures as records, in preference order."""
    return {k: g.to_dict("records") for k, g in pool.groupby("indicator_id", sort=False)}


def pool_by_text(pool: pd.DataFrame) -> dict[str, list[dict]]:
    """text_key -> the figures *without* an indicator_id that carry it, in preference order
    (methods.md §7: a phrase is matched by text only when neither side has a registry id)."""
    unmapped = pool[pool["indicator_id"].isna() & (pool["text_key"].fillna("") != "")]
    return {k: g.to_dict("records") for k, g in unmapped.groupby("text_key", sort=False)}


def source_text(c: Mapping[str, Any]) -> str:
    """Where a figure comes from, for an explanation."""
    if c["origin"] == "corpus":
        base = str(c["doc_id"])
    else:
        base = f"reference {c['statement_id']}, {c['confidence']} confidence"
    return base + (", expected figure" if c["kind"] == "expected" else "")


def short_source(r: Mapping[str, Any]) -> str:
    """doc_id, or the reference id with its confidence and URL."""
    if r.get("origin") == "reference":
        return f"reference {r['statement_id']} ({r['confidence']}): {r['source_url']}"
    return str(r["doc_id"])


def candidate_text(c: Mapping[str, Any], why: str) -> str:
    """One candidate figure and why it was or was not used."""
    unit = c["unit"] or ""
    period = format_span(c["period_start"], c["period_end"])
    return (
        f"{c['statement_id']} {c['kind']} {c['measure']} {period} "
        f"{format_number(float(c['value']))}{unit} [{source_text(c)}]: {why}"
    )


def state_year(c: Mapping[str, Any]) -> int | None:
    """The year a level/share/ratio figure describes: a full year, or the end of a span of
    whole years ("达到216.1亿元" reported for 2021-2025 is the 2025 level); None for part-years."""
    (_, ms), (ye, me) = c["start_key"], c["end_key"]
    if me != 12 or ms != 1:
        return None
    return ye


def best_per_year(
    cands: list[dict], measures: set[str] | frozenset[str], unit: str, min_rank: int
) -> dict[int, dict]:
    """The preferred full-year figure per year (the pool is already in preference order),
    converted to ``unit`` (key ``converted``); reference figures below ``min_rank`` are skipped."""
    out: dict[int, dict] = {}
    for c in cands:
        if c["measure"] not in measures:
            continue
        if measures & STATE_MEASURES:
            if state_year(c) is None:
                continue
        elif c["start_key"] != (c["end_key"][0], 1) or c["end_key"][1] != 12:
            continue
        if c["origin"] == "reference" and c["conf_rank"] < min_rank:
            continue
        conv = convert_value(c["signed_value"], c["unit"] or "", unit)
        if conv is None:
            continue
        out.setdefault(c["end_key"][0], {**c, "converted": conv})
    return out


def latest_information_date(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None,
    published: Mapping[str, str],
) -> str:
    """The date the comparison knows up to: the later of the latest document date and the
    month after the latest outcome/estimate period (corpus or reference)."""
    dates = [published[d] for d in statements["doc_id"].dropna().unique() if d in published]
    ends = []
    for frame in (statements, reference):
        if frame is not None and len(frame):
            got = frame.loc[frame["kind"].isin(OUTCOME_KINDS), "period_end"].dropna()
            ends += [period_key(p, end=True) for p in got if is_period(p)]
    if ends:
        dates.append(next_month(max(ends)))
    return max(dates, key=date_key) if dates else "1900-01"
