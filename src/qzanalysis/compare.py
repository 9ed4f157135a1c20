"""Plans against outcomes: verdicts, multi-year tracking, consistency checks and coverage.

Implements ``methods.md`` sections 2-4. Every function takes the *statements* DataFrame (the
extractor's contract) and the reference figures (:func:`qzanalysis.reference.load_reference`,
same columns) and returns a DataFrame, so a notebook calls each in one line.

Rules in brief (the parameters are named and reported):

* matching (§2): same indicator_id; comparable measures (a growth rate only with a growth rate,
  a level/share/ratio only with a level/share/ratio); the outcome's period equals the target's
  (a level "by 2026" needs the 2026 level; a 2016-2020 average growth needs the same span).
  Preference: a final figure from a corpus document (latest published first), then a
  reference figure by confidence (>= ``min_confidence``), then an ``expected`` figure (flagged).
  Every candidate is listed in ``candidates``.
* verdicts (§3): signed gap ``d`` positive = better than planned. ``approx``: met within
  ``tolerance_pp`` (rates, growth, shares) or ``tolerance_level`` x T (levels), judged on the raw
  outcome; the exact comparators (ge gt le lt eq range) are judged at the target's published
  precision (a target of 7 at 0 decimals) and the raw gap is kept. A result on the bad side
  within 2 tau is ``narrow_miss``. ``gt``/``lt`` hit exactly is ``boundary``. Change targets
  ("下降20%") use a stated change or the change between the base-year and end-year levels;
  relative (%) and absolute (百分点) changes are never mixed. Count targets ("新增500家") over a
  span use the sum of the span's counts. A period not over at ``as_of`` is ``not_yet_due``; a
  part-year figure never judges an annual target; a growth rate never judges a level.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import paths
from .indicators import IndicatorRegistry, load_registry
from .periods import period_key
from .schema import CONFIDENCE_RANK

STATUSES = (
    "exceeded", "met", "boundary", "narrow_miss", "missed", "not_yet_due", "no_outcome",
    "not_comparable",
)
JUDGED = STATUSES[:5]
ATTAINED = ("exceeded", "met", "boundary")
RATE_UNITS = frozenset({"%", "百分点", "‰"})
STATE_MEASURES = frozenset({"level", "share", "ratio"})
# Exact conversion factors within a dimension (powers of ten, applied with Decimal).
UNIT_FACTORS: dict[str, tuple[str, int]] = {
    "元": ("cny", 1), "万元": ("cny", 10**4), "亿元": ("cny", 10**8), "万亿元": ("cny", 10**12),
    "美元": ("usd", 1), "万美元": ("usd", 10**4), "亿美元": ("usd", 10**8),
    "人": ("person", 1), "万人": ("person", 10**4),
    "人次": ("visit", 1), "万人次": ("visit", 10**4),
    "吨": ("tonne", 1), "万吨": ("tonne", 10**4), "亿吨": ("tonne", 10**8),
    "千瓦": ("kw", 1), "万千瓦": ("kw", 10**4),
    "亩": ("mu", 1), "万亩": ("mu", 10**4),
    "户": ("household", 1), "万户": ("household", 10**4),
    "": ("ratio", 1), "倍": ("ratio", 1),
}
LABELS = {
    "提前实现": "already reached",
    "快于预期": "ahead of schedule",
    "基本符合预期": "broadly on schedule",
    "滞后于预期": "behind schedule",
}
_SYMBOL = {"approx": "≈", "ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "="}
_EPS = 1e-9


# --------------------------------------------------------------------------- small helpers
def convert_value(value: float, from_unit: str, to_unit: str) -> float | None:
    """Convert ``value`` exactly between units of one dimension (万元↔亿元, 万人↔人, 元↔万元).

    Returns None when the units cannot be converted (different dimensions, or unknown units
    that are not spelled identically).
    """
    from_unit, to_unit = (from_unit or "").strip(), (to_unit or "").strip()
    if from_unit == to_unit:
        return float(value)
    a, b = UNIT_FACTORS.get(from_unit), UNIT_FACTORS.get(to_unit)
    if a is None or b is None or a[0] != b[0]:
        return None
    return float(Decimal(repr(float(value))) * Decimal(a[1]) / Decimal(b[1]))


def published_decimals(value: float) -> int:
    """Decimals the number was written with (7 -> 0, 6.5 -> 1, 1.826 -> 3)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        return 0
    frac = text.split(".")[1] if "." in text else ""
    frac = frac.rstrip("0")
    return min(len(frac), 6)


def round_half_up(value: float, decimals: int) -> float:
    """Round like a statistics bureau (0.5 up), not like Python's banker's rounding."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def _valid_period(text: Any) -> bool:
    return isinstance(text, str) and bool(re.match(r"^\d{4}(-\d{1,2})?$", text))


def _span(start: str, end: str) -> tuple[tuple[int, int], tuple[int, int]]:
    return period_key(start or end, end=False), period_key(end or start, end=True)


def _fmt_period(start: str, end: str) -> str:
    return start if start == end else f"{start}..{end}"


def _is_rate(unit: str, measure: str) -> bool:
    return unit in RATE_UNITS or measure in ("growth",)


def _fmt(x: float | None, decimals: int | None = None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NA"
    if decimals is None:
        return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.0f}"
    return f"{x:.{decimals}f}"


def _as_of_key(as_of: str) -> tuple[int, int]:
    m = re.match(r"^(\d{4})(?:-(\d{1,2}))?", str(as_of))
    if not m:
        raise ValueError(f"as_of={as_of!r}: write a date as YYYY-MM or YYYY-MM-DD")
    return int(m.group(1)), int(m.group(2) or 12)


def load_published_dates(manifest: str | Path | None = None) -> dict[str, str]:
    """doc_id -> published ('YYYY-MM[-DD]') from a corpus manifest (default data/raw)."""
    file = Path(manifest) if manifest else paths.RAW_DIR / "manifest.csv"
    if file.is_dir():
        file = file / "manifest.csv"
    if not file.is_file():
        return {}
    frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return dict(zip(frame["doc_id"], frame["published"]))


def latest_information_date(
    statements: pd.DataFrame, reference: pd.DataFrame | None = None,
    published: Mapping[str, str] | None = None,
) -> str:
    """The date the comparison knows up to: the later of the latest document date and the
    month after the latest outcome/estimate period (corpus or reference)."""
    dates = [published[d] for d in statements["doc_id"].dropna().unique() if published and d in published]
    ends = []
    for frame in (statements, reference):
        if frame is not None and len(frame):
            got = frame.loc[frame["kind"].isin(["outcome", "expected"]), "period_end"].dropna()
            ends += [period_key(p, end=True) for p in got if _valid_period(p)]
    if ends:
        y, m = max(ends)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        dates.append(f"{y:04d}-{m:02d}")
    return max(dates, key=_as_of_key_fine) if dates else "1900-01"


def _as_of_key_fine(text: str) -> tuple[int, int, int]:
    parts = [int(x) for x in re.findall(r"\d+", text)[:3]]
    return parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 0


# --------------------------------------------------------------------------- the verdict rule
@dataclass(frozen=True)
class Verdict:
    status: str
    signed_gap: float  # raw, in the target's unit; positive = better than planned
    signed_gap_published: float  # at the target's published precision (exact comparators)
    threshold: float


def judge(
    comparator: str, target: float, outcome: float, *, polarity: str = "higher_better",
    tau: float, target_high: float | None = None, decimals: int | None = None,
) -> Verdict:
    """Apply the methods.md §3 table to one target value and one outcome in the same unit.

    Args:
        comparator: eq | approx | ge | gt | le | lt | range.
        target: T (range: lower end); ``target_high`` closes a range.
        outcome: y, already converted to the target's unit.
        polarity: higher_better | lower_better | two_sided (decides the good side of eq,
            approx and range; ge/gt mean "at least", le/lt "at most" whatever the polarity).
        tau: tolerance (approx band; bad-side zone 2*tau is narrow_miss).
        decimals: the target's published precision (default: as written in ``target``).
    """
    if decimals is None:
        decimals = max(published_decimals(target), published_decimals(target_high or 0.0))
    y_pub = round_half_up(outcome, decimals)
    eps = _EPS * max(1.0, abs(target))
    s = {"higher_better": 1.0, "lower_better": -1.0}.get(polarity, 0.0)

    def bad_side(d: float) -> str:
        return "narrow_miss" if d >= -2 * tau - eps else "missed"

    if comparator == "eq":
        comparator = "approx" if s == 0 else ("ge_pol")
    if comparator == "range" and target_high is not None and not math.isnan(target_high):
        lo, hi = target, target_high
        if s == 0:
            def gap(y):
                return min(y - lo, hi - y)
            d_raw, d_pub = gap(outcome), gap(y_pub)
            status = "met" if d_pub >= -eps else bad_side(d_pub)
            return Verdict(status, d_raw, d_pub, lo if abs(outcome - lo) <= abs(outcome - hi) else hi)
        threshold, good = (lo, hi) if s > 0 else (hi, lo)
        d_raw, d_pub = s * (outcome - threshold), s * (y_pub - threshold)
        if s * (y_pub - good) > eps:
            status = "exceeded"
        elif d_pub >= -eps:
            status = "met"
        else:
            status = bad_side(d_pub)
        return Verdict(status, d_raw, d_pub, threshold)
    if comparator == "approx" or comparator == "range":
        dev = outcome - target
        # narrow_miss: on the bad side but within 2 tau of T (just outside the band).
        if s == 0:
            d = -abs(dev)
            status = "met" if abs(dev) <= tau + eps else bad_side(d)
            return Verdict(status, d, d, target)
        d = s * dev
        if abs(d) <= tau + eps:
            status = "met"
        elif d > 0:
            status = "exceeded"
        else:
            status = bad_side(d)
        return Verdict(status, d, d, target)
    if comparator in ("ge", "gt", "ge_pol"):
        sign = s if comparator == "ge_pol" else 1.0
        d_raw, d_pub = sign * (outcome - target), sign * (y_pub - target)
        if comparator == "gt":
            status = "met" if d_pub > eps else ("boundary" if d_pub >= -eps else bad_side(d_pub))
        else:
            status = "exceeded" if d_pub > eps else ("met" if d_pub >= -eps else bad_side(d_pub))
        return Verdict(status, d_raw, d_pub, target)
    if comparator in ("le", "lt"):
        d_raw, d_pub = target - outcome, target - y_pub
        if comparator == "lt":
            status = "met" if d_pub > eps else ("boundary" if d_pub >= -eps else bad_side(d_pub))
        else:
            status = "met" if d_pub >= -eps else bad_side(d_pub)
        return Verdict(status, d_raw, d_pub, target)
    raise ValueError(f"unknown comparator {comparator!r}; use eq approx ge gt le lt range")


def tolerance_for(unit: str, measure: str, target: float, *, tolerance_pp: float,
                  tolerance_level: float) -> float:
    """tau: ``tolerance_pp`` for rates, growth and shares in %; ``tolerance_level`` x |T| else."""
    if _is_rate(unit, measure):
        return tolerance_pp
    return tolerance_level * abs(target)


# --------------------------------------------------------------------------- candidate pool
def _signed(value: float, direction: str | None, measure: str) -> float:
    if measure in ("growth", "change") and direction == "decrease":
        return -float(value)
    return float(value)


def _pool(statements: pd.DataFrame, reference: pd.DataFrame | None,
          published: Mapping[str, str]) -> pd.DataFrame:
    """All outcome/expected figures from corpus and reference, with their preference rank."""
    cols = ["statement_id", "doc_id", "kind", "indicator_id", "measure", "direction",
            "period_start", "period_end", "value", "value_high", "unit", "comparator", "quote"]
    parts = []
    st = statements.loc[statements["kind"].isin(["outcome", "expected"]), cols].copy()
    st["origin"] = "corpus"
    st["confidence"] = ""
    st["source_url"] = ""
    parts.append(st)
    if reference is not None and len(reference):
        rf = reference.loc[reference["kind"].isin(["outcome", "expected"]),
                           cols + ["confidence", "source_url"]].copy()
        rf["origin"] = "reference"
        parts.append(rf)
    pool = pd.concat(parts, ignore_index=True)
    pool = pool[pool["indicator_id"].notna() & (pool["indicator_id"].astype(str) != "")]
    # A figure without a usable period cannot be matched to any target.
    has_period = [_valid_period(s) or _valid_period(e) for s, e in zip(pool["period_start"], pool["period_end"])]
    pool = pool[np.array(has_period, dtype=bool)]
    pool = pool.assign(
        period_start=[s if _valid_period(s) else e for s, e in zip(pool["period_start"], pool["period_end"])],
        period_end=[e if _valid_period(e) else s for s, e in zip(pool["period_start"], pool["period_end"])],
    )
    pool = pool.astype({"doc_id": "string", "confidence": "string", "source_url": "string",
                        "direction": "string", "unit": "string"})
    pool["unit"] = pool["unit"].fillna("")
    pool["direction"] = pool["direction"].fillna("")
    pool["published"] = pool["doc_id"].map(lambda d: published.get(d, "") if isinstance(d, str) else "")
    conf = pool["confidence"].fillna("").map(lambda c: CONFIDENCE_RANK.get(c, 0))
    # Corpus finals > reference finals (by confidence) > estimates; later documents first.
    tier = np.where(pool["kind"] == "outcome", np.where(pool["origin"] == "corpus", 3, 2), 1)
    pool["tier"] = tier
    pool["conf_rank"] = conf.astype(int)
    pool["start_key"] = [period_key(s or e, end=False) for s, e in zip(pool["period_start"], pool["period_end"])]
    pool["end_key"] = [period_key(e or s, end=True) for s, e in zip(pool["period_start"], pool["period_end"])]
    pool["signed_value"] = [
        _signed(v, d, m) for v, d, m in zip(pool["value"], pool["direction"], pool["measure"])
    ]
    pool = pool.sort_values(
        ["tier", "published", "conf_rank", "statement_id"], ascending=[False, False, False, True]
    )
    return pool.reset_index(drop=True)


def _source_text(c: Mapping[str, Any]) -> str:
    if c["origin"] == "corpus":
        base = str(c["doc_id"])
    else:
        base = f"reference {c['statement_id']}, {c['confidence']} confidence"
    return base + (", expected figure" if c["kind"] == "expected" else "")


def _cand_text(c: Mapping[str, Any], why: str) -> str:
    unit = c["unit"] or ""
    return (f"{c['statement_id']} {c['kind']} {c['measure']} {_fmt_period(c['period_start'], c['period_end'])} "
            f"{_fmt(float(c['value']))}{unit} [{_source_text(c)}]: {why}")


# --------------------------------------------------------------------------- compare_targets
COMPARISON_DTYPES: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "target_origin": "string",
    "indicator_id": "string", "indicator_label": "string", "indicator_text": "string",
    "category": "string", "polarity": "string", "measure": "string", "direction": "string",
    "period_start": "string", "period_end": "string", "year": "Int64", "comparator": "string",
    "value": "float64", "value_high": "Float64", "unit": "string", "quote": "string",
    "tolerance": "Float64", "threshold": "Float64", "outcome_id": "string",
    "outcome_value": "Float64", "outcome_unit": "string", "outcome_value_written": "Float64",
    "outcome_unit_written": "string", "outcome_period": "string", "outcome_kind": "string",
    "outcome_source": "string", "outcome_confidence": "string", "candidates": "string",
    "n_candidates": "Int64", "signed_gap": "Float64", "signed_gap_published": "Float64",
    "relative_gap": "Float64", "status": "string", "just_met": "boolean",
    "explanation": "string",
}


def compare_targets(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry | None = None,
    tolerance_pp: float = 0.2,
    tolerance_level: float = 0.01,
    min_confidence: str = "medium",
    as_of: str | None = None,
    published: Mapping[str, str] | None = None,
    just_met_pp: float = 0.1,
) -> pd.DataFrame:
    """Judge every target (corpus and reference) against its outcome.

    Args:
        statements: the statements table (contract columns).
        reference: reference figures (``load_reference()``); None for corpus only.
        registry: indicator registry (polarity, category, labels).
        tolerance_pp: tau for approx rates/growth/shares, in percentage points.
        tolerance_level: tau for approx levels, as a share of T (0.01 = 1%).
        min_confidence: lowest reference confidence an outcome may have to be used.
        as_of: latest information date ('YYYY-MM[-DD]'); default: latest document date.
        published: doc_id -> publication date (default: read from the shipped manifest).
        just_met_pp: ``just_met`` when 0 <= d <= this many pp (levels: this share of T, in %).

    Returns:
        One row per target with the columns of ``COMPARISON_DTYPES`` (see tables codebook).
    """
    registry = registry or load_registry()
    if min_confidence not in CONFIDENCE_RANK:
        raise ValueError(f"min_confidence={min_confidence!r}; use high, medium or low")
    if published is None:
        published = load_published_dates()
    as_of = as_of or latest_information_date(statements, reference, published)
    as_key = _as_of_key(as_of)
    min_rank = CONFIDENCE_RANK[min_confidence]
    pool = _pool(statements, reference, published)
    by_ind = {k: g for k, g in pool.groupby("indicator_id", sort=False)}

    tcols = ["statement_id", "doc_id", "indicator_id", "indicator_text", "measure", "direction",
             "period_start", "period_end", "value", "value_high", "unit", "comparator", "quote"]
    targets = [statements.loc[statements["kind"] == "target", tcols].assign(target_origin="corpus")]
    if reference is not None and len(reference):
        targets.append(reference.loc[reference["kind"] == "target", tcols].assign(target_origin="reference"))
    targets = pd.concat(targets, ignore_index=True)

    rows = []
    for t in targets.to_dict("records"):
        rows.append(_compare_one(
            t, by_ind, registry, as_key, min_rank,
            tolerance_pp=tolerance_pp, tolerance_level=tolerance_level, just_met_pp=just_met_pp,
        ))
    out = pd.DataFrame(rows, columns=list(COMPARISON_DTYPES))
    out = out.astype(COMPARISON_DTYPES)
    out.attrs["parameters"] = {
        "tolerance_pp": tolerance_pp, "tolerance_level": tolerance_level,
        "min_confidence": min_confidence, "as_of": as_of, "just_met_pp": just_met_pp,
    }
    return out


def _clean(x: Any) -> Any:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    return x


def _compare_one(t: dict, by_ind: dict, registry: IndicatorRegistry, as_key: tuple[int, int],
                 min_rank: int, *, tolerance_pp: float, tolerance_level: float,
                 just_met_pp: float) -> dict:
    ind = registry.get(_clean(t["indicator_id"]))
    unit = _clean(t["unit"]) or ""
    measure = t["measure"]
    direction = _clean(t["direction"]) or ""
    start = t["period_start"] if _valid_period(t["period_start"]) else t["period_end"]
    end = t["period_end"] if _valid_period(t["period_end"]) else t["period_start"]
    if not _valid_period(end):
        return _no_period_row(t, ind)
    t_start, t_end = _span(start, end)
    value = float(t["value"])
    value_high = _clean(t["value_high"])
    comparator = t["comparator"] if value_high is None else "range"
    polarity = ind.polarity if ind else ""
    if measure == "rank":
        polarity = "lower_better"
    row = {
        **{k: t[k] for k in ("statement_id", "doc_id", "indicator_id", "indicator_text", "measure",
                             "period_start", "period_end", "value", "unit", "quote", "target_origin")},
        "direction": direction, "comparator": comparator, "value_high": value_high,
        "indicator_label": ind.label if ind else (t["indicator_text"] or ""),
        "category": ind.category if ind else "", "polarity": polarity, "year": t_end[0],
        "n_candidates": 0, "candidates": "",
    }
    tau = tolerance_for(unit, measure, value, tolerance_pp=tolerance_pp, tolerance_level=tolerance_level)
    row["tolerance"] = tau
    target_text = _target_text(comparator, value, value_high, unit, measure, direction, tau)

    def finish(status: str, why: str) -> dict:
        row["status"] = status
        row["explanation"] = f"target {target_text}; {why} → {status}"
        return row

    if math.isnan(value):
        return finish("not_comparable", "the target has no numeric value; fix it in data/curated/review.csv")
    if ind is None:
        # Outcomes are matched by registry id only; an unmapped target is still due or not, and
        # the reader is told how to let it be matched.
        unmapped = (f"indicator {t['indicator_text']!r} is not in the registry, so no outcome could "
                    "be matched (add it or a synonym to data/indicators.yaml)")
        if t_end >= as_key:
            return finish("not_yet_due", f"the period ends {end}; {unmapped}")
        return finish("no_outcome", unmapped)
    cands = by_ind.get(ind.id)
    cands = [] if cands is None else cands.to_dict("records")
    due = t_end < as_key
    verdicts: list[str] = []
    usable: list[dict] = []
    reasons: list[str] = []
    low_only: list[dict] = []
    for c in cands:
        why, conv = _check_candidate(c, measure, unit, direction, t_start, t_end, min_rank)
        if why == "usable":
            c = {**c, "converted": conv}
            usable.append(c)
        elif why.startswith("below min_confidence"):
            low_only.append(c)
        elif why.startswith("not comparable"):
            reasons.append(why.removeprefix("not comparable: "))
        verdicts.append(_cand_text(c, why))

    # Count targets over a span: sum the span's counts when no single figure covers it.
    if measure == "count" and not usable and due:
        summed = _sum_counts(cands, unit, t_start, t_end, min_rank)
        if summed is not None:
            usable.append(summed)
            verdicts.append(_cand_text(summed, "usable (sum of the span's counts)"))
        else:
            partial = [c for c in cands if c["measure"] == "count" and t_start <= c["start_key"] and c["end_key"] <= t_end]
            if partial:
                reasons_nc = "counts cover only part of the span " + _fmt_period(start, end)
                verdicts.append(f"(sum not possible: {reasons_nc})")
    # Change targets: derive the change from base-year and end-year levels.
    if measure == "change" and not usable and due:
        derived = _derive_change(cands, unit, direction, t_start, t_end, min_rank)
        if isinstance(derived, dict):
            usable.append(derived)
            verdicts.append(_cand_text(derived, "usable (derived from levels)"))
        elif derived:
            reasons.append(derived)

    row["candidates"] = "; ".join(verdicts)
    row["n_candidates"] = len(cands)
    if not due:
        latest = f"latest information {as_key[0]}-{as_key[1]:02d}; the period ends {end}"
        if usable:
            latest += f" (an early figure exists: {_fmt(usable[0]['converted'])}{unit}, not judged)"
        return finish("not_yet_due", latest)
    if not usable:
        if reasons:
            return finish("not_comparable", reasons[0])
        if low_only:
            c = low_only[0]
            return finish("no_outcome", f"only a below-threshold figure: {_fmt(float(c['value']))}{c['unit']} "
                                        f"({_source_text(c)}); raise min_confidence to use it")
        same_kind = (lambda m: m in STATE_MEASURES) if measure in STATE_MEASURES else (lambda m: m == measure)
        others = sorted({_fmt_period(c["period_start"], c["period_end"]) for c in cands
                         if same_kind(c["measure"])})
        hint = f" (figures exist for {', '.join(others)})" if others else ""
        return finish("no_outcome", f"no {measure} figure for {_fmt_period(start, end)} in the corpus "
                                    f"or reference{hint}")

    best = usable[0]
    y = float(best["converted"])
    row.update({
        "outcome_id": best["statement_id"], "outcome_value": y, "outcome_unit": unit,
        "outcome_value_written": float(best["value"]) if best.get("value") is not None else None,
        "outcome_unit_written": best["unit"],
        "outcome_period": _fmt_period(best["period_start"], best["period_end"]),
        "outcome_kind": best["kind"],
        "outcome_source": best["doc_id"] if best["origin"] == "corpus" else best["source_url"],
        "outcome_confidence": best["confidence"] if best["origin"] == "reference" else "",
    })
    if measure == "change":
        # Judge the movement in the stated direction against the stated magnitude.
        dir_sign = -1.0 if direction == "decrease" else 1.0
        magnitude = dir_sign * y
        v = judge(comparator if comparator != "eq" else "ge", value, magnitude, polarity="higher_better",
                  tau=tau, target_high=value_high)
        row["outcome_value"] = magnitude
    else:
        t_val = _signed(value, direction, measure)
        t_high = None if value_high is None else _signed(value_high, direction, measure)
        if t_high is not None and t_high < t_val:
            t_val, t_high = t_high, t_val
        v = judge(comparator, t_val, y, polarity=polarity or "higher_better", tau=tau, target_high=t_high)
    row.update({"threshold": v.threshold, "signed_gap": round(v.signed_gap, 10),
                "signed_gap_published": round(v.signed_gap_published, 10)})
    row["relative_gap"] = v.signed_gap / abs(v.threshold) if v.threshold else None
    if v.status in JUDGED:
        d = v.signed_gap
        limit = just_met_pp if _is_rate(unit, measure) else just_met_pp / 100 * abs(v.threshold)
        row["just_met"] = bool(-_EPS <= d <= limit + _EPS) and v.status in ATTAINED
    outcome_text = f"outcome {_fmt(row['outcome_value'])}{unit} ({_source_text(best)}, {row['outcome_period']})"
    if best["unit"] != unit:
        outcome_text += f" [= {_fmt(float(best['value']))}{best['unit']}]"
    return finish(v.status, f"{outcome_text}; {_gap_text(row['outcome_value'], v, unit, measure)}")


def _no_period_row(t: dict, ind) -> dict:
    row = {k: t[k] for k in ("statement_id", "doc_id", "indicator_id", "indicator_text", "measure",
                             "period_start", "period_end", "value", "unit", "quote", "target_origin",
                             "comparator", "value_high", "direction")}
    row.update({"indicator_label": ind.label if ind else (t["indicator_text"] or ""),
                "category": ind.category if ind else "", "polarity": ind.polarity if ind else "",
                "year": None, "n_candidates": 0, "candidates": "", "status": "not_comparable",
                "explanation": f"target {_fmt(float(t['value']))}{_clean(t['unit']) or ''}: no period "
                               "(YYYY) known, so no outcome can be matched; fix it in data/curated/review.csv "
                               "→ not_comparable"})
    return row


def _target_text(comparator, value, value_high, unit, measure, direction, tau) -> str:
    if comparator == "range":
        text = f"{_fmt(value)}–{_fmt(value_high)}{unit}"
    else:
        text = f"{_SYMBOL.get(comparator, '')}{_fmt(value)}{unit}"
    if measure == "change":
        text = f"{'fall' if direction == 'decrease' else 'rise'} {text}"
    elif measure == "growth":
        text = f"growth {text}" if direction != "decrease" else f"growth −{text}"
    if comparator == "approx":
        text += f" (±{_fmt(tau)}{'pp' if unit in RATE_UNITS else unit})"
    return text


def _gap_text(y: float, v: Verdict, unit: str, measure: str) -> str:
    raw = y - v.threshold
    gap_unit = " pp" if unit in RATE_UNITS else unit
    if abs(raw) < _EPS:
        return "exactly on the target"
    side = "above" if raw > 0 else "below"
    text = f"{_fmt(abs(raw))}{gap_unit} {side} {_fmt(v.threshold)}"
    if unit not in RATE_UNITS and v.threshold:
        text += f" ({raw / abs(v.threshold):+.1%})"
    return text


def _check_candidate(c: dict, measure: str, unit: str, direction: str,
                     t_start: tuple, t_end: tuple, min_rank: int) -> tuple[str, float | None]:
    """Say whether candidate ``c`` can judge the target; return (why, converted value)."""
    cm = c["measure"]
    if measure in STATE_MEASURES:
        ok_measure = cm in STATE_MEASURES
        same_period = _state_year(c) == t_end[0] if t_end[1] == 12 else c["end_key"] == t_end
    else:
        ok_measure = cm == measure
        same_period = (c["start_key"], c["end_key"]) == (t_start, t_end)
    # The same single year on both sides: the only case where a growth/level mix is a refusal
    # (not_comparable) rather than simply "no figure of this measure".
    period_year_match = (t_start[0] == t_end[0] == c["start_key"][0] == c["end_key"][0]
                         and c["start_key"][1] == 1 and c["end_key"][1] == 12)
    if not ok_measure:
        if period_year_match and (
            (measure == "growth" and cm in STATE_MEASURES) or (measure in STATE_MEASURES and cm == "growth")
        ):
            return ("not comparable: a percentage growth is never compared with a level "
                    f"(target {measure}, outcome {cm} {c['statement_id']})", None)
        return f"different measure ({cm})", None
    if not same_period:
        partial = (c["end_key"][0] == t_end[0] and t_end[1] == 12
                   and (c["start_key"][1] != 1 or c["end_key"][1] != 12)
                   and c["start_key"][0] == c["end_key"][0])
        if partial:
            return ("not comparable: the outcome covers "
                    f"{_fmt_period(c['period_start'], c['period_end'])} only and the target is annual "
                    "(a part-year figure is never judged against an annual target)", None)
        return "other period", None
    if measure == "change":
        c_unit = c["unit"] or ""
        if (unit == "%") != (c_unit == "%") or (unit == "百分点") != (c_unit == "百分点"):
            return ("not comparable: relative (%) and absolute (百分点) changes are never mixed "
                    f"(target {unit}, outcome {c_unit})", None)
    conv = convert_value(c["signed_value"], c["unit"] or "", unit)
    if conv is None:
        return (f"not comparable: unit {c['unit'] or '(none)'} cannot be converted to {unit or '(none)'} "
                f"({c['statement_id']})", None)
    if c["origin"] == "reference" and c["conf_rank"] < min_rank:
        return f"below min_confidence ({c['confidence']})", conv
    return "usable", conv


def _state_year(c: Mapping[str, Any]) -> int | None:
    """The year a level/share/ratio figure describes: a full year, or the end of a span of
    whole years ("达到216.1亿元" reported for 2021-2025 is the 2025 level); None for part-years."""
    (_, ms), (ye, me) = c["start_key"], c["end_key"]
    if me != 12 or ms != 1:
        return None
    return ye


def _best_per_year(cands: list[dict], measures: set[str], unit: str, min_rank: int) -> dict[int, dict]:
    """The preferred full-year figure per year (pool is already in preference order)."""
    out: dict[int, dict] = {}
    for c in cands:
        if c["measure"] not in measures:
            continue
        if measures & STATE_MEASURES:
            if _state_year(c) is None:
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


def _sum_counts(cands: list[dict], unit: str, t_start: tuple, t_end: tuple, min_rank: int) -> dict | None:
    years = range(t_start[0], t_end[0] + 1)
    per_year = _best_per_year(cands, {"count"}, unit, min_rank)
    if len(years) < 2 or not all(y in per_year for y in years):
        return None
    used = [per_year[y] for y in years]
    total = sum(c["converted"] for c in used)
    first = used[0]
    return {
        **first, "statement_id": "+".join(c["statement_id"] for c in used), "value": total,
        "unit": unit, "converted": total, "period_start": str(t_start[0]), "period_end": str(t_end[0]),
        "kind": "outcome" if all(c["kind"] == "outcome" for c in used) else "expected",
        "doc_id": "+".join(sorted({c["doc_id"] or "reference" for c in used})),
    }


def _derive_change(cands: list[dict], unit: str, direction: str, t_start: tuple, t_end: tuple,
                   min_rank: int) -> dict | str | None:
    levels = [c for c in cands if c["measure"] in STATE_MEASURES]
    if not levels:
        return None
    lunit = levels[0]["unit"] or ""
    per_year = _best_per_year(levels, STATE_MEASURES, lunit, min_rank)
    base_year, end_year = t_start[0] - 1, t_end[0]
    if base_year not in per_year or end_year not in per_year:
        return None
    y0, y1 = per_year[base_year]["converted"], per_year[end_year]["converted"]
    if unit == "%":
        if y0 == 0:
            return None
        change = (y1 / y0 - 1) * 100
    elif unit == "百分点":
        if lunit != "%":
            return "not comparable: a change in 百分点 needs shares in %, the levels are in " + lunit
        change = y1 - y0
    else:
        conv = convert_value(y1 - y0, lunit, unit)
        if conv is None:
            return f"not comparable: level unit {lunit} cannot be converted to {unit}"
        change = conv
    a, b = per_year[base_year], per_year[end_year]
    return {
        **b, "statement_id": f"{a['statement_id']}→{b['statement_id']}", "value": change, "unit": unit,
        "converted": change, "measure": "change", "period_start": str(base_year),
        "period_end": str(end_year),
        "kind": "outcome" if a["kind"] == b["kind"] == "outcome" else "expected",
    }


# --------------------------------------------------------------------------- track_targets
TRACKING_DTYPES: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "indicator_id": "string",
    "indicator_label": "string", "measure": "string", "comparator": "string", "unit": "string",
    "target_year": "Int64", "target_value": "float64", "base_year": "Int64",
    "base_value": "Float64", "base_source": "string", "latest_year": "Int64",
    "latest_value": "Float64", "latest_kind": "string", "latest_source": "string",
    "T_years": "Int64", "t_years": "Int64", "g_required": "Float64", "g_achieved": "Float64",
    "g_remaining": "Float64", "progress_P": "Float64", "progress_ratio_R": "Float64",
    "label_zh": "string", "label_en": "string", "label": "string", "n_annual": "Int64",
    "trend_prediction": "Float64", "trend_pi_lower": "Float64", "trend_pi_upper": "Float64",
    "trend_call": "string", "note": "string",
}


def track_targets(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry | None = None,
    min_confidence: str = "medium",
    as_of: str | None = None,
    published: Mapping[str, str] | None = None,
    alpha: float = 0.2,
) -> pd.DataFrame:
    """Track multi-year level and cumulative-count targets (methods.md §4).

    For each level/share/ratio/count target whose year lies after the latest annual outcome:
    base Y0 (last outcome before the plan starts), latest outcome Yt, required CAGR g*,
    achieved g_t, still-needed g_rem, progress ratio R with its label, and with >= 3 annual
    outcomes an OLS-on-log trend prediction interval at the target year (``alpha``) with an
    on_track / behind / off_track call.
    """
    registry = registry or load_registry()
    if published is None:
        published = load_published_dates()
    min_rank = CONFIDENCE_RANK[min_confidence]
    pool = _pool(statements, reference, published)
    by_ind = {k: g.to_dict("records") for k, g in pool.groupby("indicator_id", sort=False)}
    tcols = ["statement_id", "doc_id", "indicator_id", "measure", "direction", "period_start",
             "period_end", "value", "value_high", "unit", "comparator"]
    targets = [statements.loc[statements["kind"] == "target", tcols]]
    if reference is not None and len(reference):
        targets.append(reference.loc[reference["kind"] == "target", tcols])
    targets = pd.concat(targets, ignore_index=True)
    targets = targets[targets["measure"].isin(["level", "share", "ratio", "count"])]
    rows = []
    for t in targets.to_dict("records"):
        ind = registry.get(_clean(t["indicator_id"]))
        if ind is None:
            continue
        row = _track_one(t, ind, by_ind.get(ind.id, []), published, min_rank, alpha)
        if row is not None:
            rows.append(row)
    out = pd.DataFrame(rows, columns=list(TRACKING_DTYPES)).astype(TRACKING_DTYPES)
    out.attrs["parameters"] = {"alpha": alpha, "min_confidence": min_confidence}
    return out


def _track_one(t: dict, ind, cands: list[dict], published: Mapping[str, str], min_rank: int,
               alpha: float) -> dict | None:
    unit = _clean(t["unit"]) or ""
    end = t["period_end"] if _valid_period(t["period_end"]) else t["period_start"]
    if not _valid_period(end):
        return None
    start = t["period_start"] if _valid_period(t["period_start"]) else end
    target_year = period_key(end, end=True)[0]
    plan_start = period_key(start, end=False)[0]
    if plan_start == target_year:
        doc_date = published.get(t["doc_id"] or "", "")
        plan_start = int(doc_date[:4]) if doc_date else target_year
    if plan_start >= target_year:
        return None  # a one-year target: compare_targets judges it
    value_high = _clean(t["value_high"])
    YT = float(value_high if (value_high is not None and ind.polarity == "lower_better") else t["value"])
    lower = ind.polarity == "lower_better" or t["comparator"] in ("le", "lt")
    row: dict[str, Any] = {
        "statement_id": t["statement_id"], "doc_id": t["doc_id"], "indicator_id": ind.id,
        "indicator_label": ind.label, "measure": t["measure"], "comparator": t["comparator"],
        "unit": unit, "target_year": target_year, "target_value": YT,
    }
    notes: list[str] = []
    if t["measure"] == "count":
        per_year = _best_per_year(cands, {"count"}, unit, min_rank)
        years = [y for y in sorted(per_year) if plan_start <= y <= target_year]
        if not years:
            row["note"] = f"no annual count for {plan_start}-{target_year} yet"
            return row
        latest = years[-1]
        cum = sum(per_year[y]["converted"] for y in years)
        missing = [y for y in range(plan_start, latest + 1) if y not in per_year]
        T = target_year - plan_start + 1
        tt = latest - plan_start + 1
        P = cum / YT if YT else float("nan")
        row.update({"base_year": plan_start - 1, "base_value": 0.0, "base_source": "count starts at 0",
                    "latest_year": latest, "latest_value": cum, "latest_kind": "outcome",
                    "latest_source": "+".join(per_year[y]["statement_id"] for y in years),
                    "T_years": T, "t_years": tt, "progress_P": P, "progress_ratio_R": P / (tt / T)})
        if missing:
            notes.append(f"years without a count: {missing} (cumulative sum understated)")
        _label(row, reached=cum >= YT)
        row["note"] = "; ".join(notes)
        return row

    per_year = _best_per_year(cands, STATE_MEASURES, unit, min_rank)
    if not per_year:
        row["note"] = "no annual outcome for this indicator in the corpus or reference"
        return row
    latest_year = max(per_year)
    if latest_year >= target_year:
        return None  # due: compare_targets judges it
    before = [y for y in per_year if y < plan_start]
    row.update({"latest_year": latest_year, "latest_value": per_year[latest_year]["converted"],
                "latest_kind": per_year[latest_year]["kind"],
                "latest_source": _source_text(per_year[latest_year])})
    Yt = per_year[latest_year]["converted"]
    if per_year[latest_year]["kind"] == "expected":
        notes.append("the latest figure is an estimate (expected)")
    if lower:
        reached = Yt < YT if t["comparator"] == "lt" else Yt <= YT
    else:
        reached = Yt > YT if t["comparator"] == "gt" else Yt >= YT
    if before:
        y0 = max(before)
        Y0 = per_year[y0]["converted"]
        T, tt = target_year - y0, latest_year - y0
        row.update({"base_year": y0, "base_value": Y0, "base_source": _source_text(per_year[y0]),
                    "T_years": T, "t_years": tt})
        if Y0 > 0 and YT > 0:
            row["g_required"] = (YT / Y0) ** (1 / T) - 1
            if tt > 0 and Yt > 0:
                row["g_achieved"] = (Yt / Y0) ** (1 / tt) - 1
        linear = t["measure"] in ("share", "ratio") or unit in RATE_UNITS | {"岁", ""}
        if tt > 0 and YT != Y0:
            if linear:
                P = (Yt - Y0) / (YT - Y0)
            elif Yt > 0 and Y0 > 0 and YT > 0:
                P = math.log(Yt / Y0) / math.log(YT / Y0)
            else:
                P = float("nan")
            row["progress_P"] = P
            row["progress_ratio_R"] = P / (tt / T)
        elif tt == 0:
            notes.append("the latest outcome is the base year: no progress to measure yet")
    else:
        notes.append(f"no outcome before the plan starts ({plan_start}): base unknown, R not computed")
    if Yt > 0 and YT > 0:
        row["g_remaining"] = (YT / Yt) ** (1 / (target_year - latest_year)) - 1
    _label(row, reached=reached)

    years = sorted(per_year)
    row["n_annual"] = len(years)
    if len(years) >= 3 and all(per_year[y]["converted"] > 0 for y in years):
        pred = trend_prediction([float(y) for y in years],
                                [per_year[y]["converted"] for y in years], target_year, alpha=alpha)
        row.update({"trend_prediction": pred["mean"], "trend_pi_lower": pred["lower"],
                    "trend_pi_upper": pred["upper"]})
        good = (lambda x: x <= YT) if lower else (lambda x: x >= YT)
        if good(pred["mean"]):
            row["trend_call"] = "on_track"
        elif good(pred["upper"] if not lower else pred["lower"]):
            row["trend_call"] = "behind"
        else:
            row["trend_call"] = "off_track"
        if len(years) <= 7:
            notes.append(f"trend from only {len(years)} annual points ({years[0]}-{years[-1]}): "
                         f"a rough extrapolation, {int((1 - alpha) * 100)}% prediction interval")
        n_exp = sum(per_year[y]["kind"] == "expected" for y in years)
        if n_exp:
            notes.append(f"the trend includes {n_exp} expected figure(s)")
    else:
        notes.append(f"{len(years)} annual outcome(s): fewer than 3, no trend interval")
    row["note"] = "; ".join(notes)
    return row


def _label(row: dict, *, reached: bool) -> None:
    R = row.get("progress_ratio_R")
    if reached:
        zh = "提前实现"
    elif R is None or (isinstance(R, float) and math.isnan(R)):
        return
    else:
        R = round(R, 9)  # 0.75 / (5/6) is 0.9 on paper, 0.8999999999 in floating point
        zh = "快于预期" if R >= 1.1 else ("基本符合预期" if R >= 0.9 else "滞后于预期")
    row.update({"label_zh": zh, "label_en": LABELS[zh], "label": f"{zh} ({LABELS[zh]})"})


def trend_prediction(years: list[float], values: list[float], at_year: float, *,
                     alpha: float = 0.2, log: bool = True) -> dict[str, float]:
    """OLS of ln(value) on year; the prediction interval at ``at_year`` (back-transformed).

    Uses ``res.get_prediction(X).summary_frame(alpha=alpha)`` columns mean, obs_ci_lower,
    obs_ci_upper as methods.md §4 prescribes.
    """
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    x = np.asarray(years, dtype=float)
    y = np.log(values) if log else np.asarray(values, dtype=float)
    res = OLS(y, add_constant(x)).fit()
    frame = res.get_prediction(np.array([[1.0, float(at_year)]])).summary_frame(alpha=alpha)
    back = np.exp if log else (lambda v: v)
    return {"mean": float(back(frame["mean"].iloc[0])),
            "lower": float(back(frame["obs_ci_lower"].iloc[0])),
            "upper": float(back(frame["obs_ci_upper"].iloc[0])),
            "slope": float(res.params[1]), "n": len(x)}


# --------------------------------------------------------------------------- consistency
CONSISTENCY_DTYPES: dict[str, str] = {
    "check": "string", "indicator_id": "string", "indicator_label": "string", "measure": "string",
    "period": "string", "statement_id_a": "string", "kind_a": "string", "source_a": "string",
    "value_a": "float64", "unit_a": "string", "statement_id_b": "string", "kind_b": "string",
    "source_b": "string", "value_b": "float64", "unit_b": "string", "difference": "Float64",
    "relative_difference": "Float64", "note": "string",
}
# Growth of these is reported at constant prices while levels are nominal.
REAL_GROWTH_HINTS = ("gdp", "_va", "industry_va")


def check_consistency(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry | None = None,
    growth_tolerance_pp: float = 0.5,
    published: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """List figures that disagree: same indicator, measure and period stated with different
    values by two statements or sources (estimate vs final, two pages, a restated target),
    and levels that disagree with the stated growth times the previous level.

    Two values that agree at the coarser one's published precision (2125.2 vs 2125) are not
    listed. Rows carry both sources.
    """
    registry = registry or load_registry()
    if published is None:
        published = load_published_dates()
    pool = _pool(statements, reference, published)
    tgt_cols = ["statement_id", "doc_id", "kind", "indicator_id", "measure", "direction",
                "period_start", "period_end", "value", "value_high", "unit", "comparator"]
    tg = statements.loc[statements["kind"] == "target", tgt_cols].assign(origin="corpus", confidence="", source_url="")
    if reference is not None and len(reference):
        tg = pd.concat([tg, reference.loc[reference["kind"] == "target", tgt_cols + ["confidence", "source_url"]]
                        .assign(origin="reference")], ignore_index=True)
    tg = tg[tg["indicator_id"].notna()].copy()
    tg["direction"] = tg["direction"].fillna("")
    tg["unit"] = tg["unit"].fillna("")
    tg["signed_value"] = [_signed(v, d, m) for v, d, m in zip(tg["value"], tg["direction"], tg["measure"])]
    rows: list[dict] = []
    for frame, is_target in ((pool, False), (tg, True)):
        recs = frame.to_dict("records")
        groups: dict[tuple, list[dict]] = {}
        for r in recs:
            key = (r["indicator_id"], r["measure"], r["period_start"], r["period_end"])
            groups.setdefault(key, []).append(r)
        for (ind_id, measure, ps, pe), items in groups.items():
            for i in range(len(items)):
                for j in range(i + 1, len(items)):
                    a, b = items[i], items[j]
                    if a["statement_id"] == b["statement_id"]:
                        continue
                    vb = convert_value(b["signed_value"], b["unit"] or "", a["unit"] or "")
                    if vb is None:
                        continue
                    va = float(a["signed_value"])
                    dec = min(published_decimals(abs(va)), published_decimals(abs(vb)))
                    if round_half_up(va, dec) == round_half_up(vb, dec):
                        continue
                    if is_target:
                        check = "target_restated"
                    elif "expected" in (a["kind"], b["kind"]) and a["kind"] != b["kind"]:
                        check = "estimate_vs_final"
                    else:
                        check = "different_values"
                    rows.append(_pair_row(check, registry, ind_id, measure, _fmt_period(ps, pe), a, b, va, vb))
    rows += _level_growth_checks(pool, registry, growth_tolerance_pp)
    out = pd.DataFrame(rows, columns=list(CONSISTENCY_DTYPES)).astype(CONSISTENCY_DTYPES)
    return out


def _src(r: Mapping[str, Any]) -> str:
    if r.get("origin") == "reference":
        return f"reference {r['statement_id']} ({r['confidence']}): {r['source_url']}"
    return str(r["doc_id"])


def _pair_row(check, registry, ind_id, measure, period, a, b, va, vb, note="") -> dict:
    return {
        "check": check, "indicator_id": ind_id, "indicator_label": registry.label(ind_id, ind_id),
        "measure": measure, "period": period,
        "statement_id_a": a["statement_id"], "kind_a": a["kind"], "source_a": _src(a),
        "value_a": float(a["value"]), "unit_a": a["unit"] or "",
        "statement_id_b": b["statement_id"], "kind_b": b["kind"], "source_b": _src(b),
        "value_b": float(b["value"]), "unit_b": b["unit"] or "",
        "difference": vb - va, "relative_difference": (vb - va) / abs(va) if va else None,
        "note": note,
    }


def _level_growth_checks(pool: pd.DataFrame, registry, tol_pp: float) -> list[dict]:
    rows = []
    for ind_id, g in pool.groupby("indicator_id", sort=False):
        recs = g.to_dict("records")
        unit = next((r["unit"] for r in recs if r["measure"] in STATE_MEASURES), None)
        if unit is None:
            continue
        levels = _best_per_year(recs, {"level"}, unit, 1)
        growths = _best_per_year(recs, {"growth"}, "%", 1)
        for year, gr in growths.items():
            if year in levels and year - 1 in levels:
                prev, cur = levels[year - 1], levels[year]
                implied = (cur["converted"] / prev["converted"] - 1) * 100
                diff = implied - gr["converted"]
                if abs(diff) <= tol_pp:
                    continue
                real = any(h in ind_id for h in REAL_GROWTH_HINTS)
                note = (f"levels {_fmt(prev['converted'])}→{_fmt(cur['converted'])}{unit} imply "
                        f"{implied:.2f}% growth; stated {gr['converted']:.2f}% ({year - 1} level from "
                        f"{_src(prev)})")
                if real:
                    note += "; growth is at constant prices and levels are nominal, so part of the gap is inflation"
                row = _pair_row("level_vs_growth", registry, ind_id, "level/growth", str(year), cur, gr,
                                implied, gr["converted"], note)
                row["value_a"] = implied
                row["unit_a"] = "%"
                rows.append(row)
    return rows


# --------------------------------------------------------------------------- coverage
COVERAGE_DTYPES: dict[str, str] = {
    "year": "Int64", "n_targets": "Int64", "n_targets_reference": "Int64",
    "n_outcomes": "Int64", "n_outcomes_reference": "Int64", "n_expected": "Int64",
    "n_partial_year": "Int64", "target_documents": "string", "outcome_documents": "string",
    "reference_rows": "string", "n_judged": "Int64", "n_targets_without_outcome": "Int64",
    "targets_without_outcome": "string", "note": "string",
}


def coverage_by_year(
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    years: range | list[int] = range(2019, 2026),
    *,
    comparisons: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per year (``years`` plus any year a statement ends in): what the corpus and reference hold.

    Counts targets and outcomes by the year their period ends, names the documents and
    reference rows, lists targets still without an outcome (from ``comparisons``, computed if
    not given) and writes a plain-language ``note`` on what is missing.
    """
    ref = reference if reference is not None else statements.iloc[0:0]
    if comparisons is None:
        comparisons = compare_targets(statements, reference)
    def year_of(frame):
        ends = [e if _valid_period(e) else (s if _valid_period(s) else None)
                for s, e in zip(frame["period_start"], frame["period_end"])]
        return pd.array([int(e[:4]) if e else pd.NA for e in ends], dtype="Int64")

    # Only the few columns needed: per-year filtering of wide frames is what costs time here.
    cols = ["statement_id", "doc_id", "kind", "period_start", "period_end"]
    st, rf = statements[cols], ref[cols]
    comparisons = comparisons[["year", "status", "indicator_label", "indicator_id"]]
    st = st.assign(_year=year_of(st)) if len(st) else st.assign(_year=[])
    rf = rf.assign(_year=year_of(rf)) if len(rf) else rf.assign(_year=[])
    all_years = sorted(set(years) | set(st["_year"].dropna().tolist()) | set(rf["_year"].dropna().tolist()))
    rows = []
    for y in all_years:
        s_y, r_y = st[st["_year"] == y], rf[rf["_year"] == y]
        tg = s_y[s_y["kind"] == "target"]
        oc = s_y[s_y["kind"] == "outcome"]
        ex = pd.concat([s_y[s_y["kind"] == "expected"], r_y[r_y["kind"] == "expected"]])
        r_oc = r_y[r_y["kind"] == "outcome"]
        r_tg = r_y[r_y["kind"] == "target"]
        partial = pd.concat([oc, r_oc])
        partial = partial[partial["period_end"].fillna("").str.len() > 4]
        partial = partial[~partial["period_end"].fillna("").str.endswith("-12")]
        cmp_y = comparisons[comparisons["year"] == y]
        judged = cmp_y[cmp_y["status"].isin(JUDGED)]
        open_ = cmp_y[cmp_y["status"].isin(["no_outcome", "not_yet_due", "not_comparable"])]
        rows.append({
            "year": y, "n_targets": len(tg), "n_targets_reference": len(r_tg),
            "n_outcomes": len(oc), "n_outcomes_reference": len(r_oc), "n_expected": len(ex),
            "n_partial_year": len(partial),
            "target_documents": _doc_counts(tg), "outcome_documents": _doc_counts(oc),
            "reference_rows": ", ".join(r_y["statement_id"].astype(str)),
            "n_judged": len(judged), "n_targets_without_outcome": len(open_),
            "targets_without_outcome": "; ".join(
                f"{r.indicator_label or r.indicator_id} ({r.status})" for r in open_.itertuples()),
            "note": _coverage_note(y, len(tg), len(r_tg), len(oc), len(r_oc), len(ex), len(partial),
                                   len(judged), cmp_y),
        })
    return pd.DataFrame(rows, columns=list(COVERAGE_DTYPES)).astype(COVERAGE_DTYPES)


def _doc_counts(frame: pd.DataFrame) -> str:
    if not len(frame):
        return ""
    counts = frame["doc_id"].value_counts()
    return ", ".join(f"{d} ({n})" for d, n in counts.items())


def _coverage_note(y, n_t, n_rt, n_o, n_ro, n_e, n_p, n_j, cmp_y) -> str:
    parts = []
    if n_t + n_rt == 0 and n_o + n_ro + n_e == 0:
        return f"{y}: the corpus and the reference say nothing about this year."
    if n_t == 0 and n_rt == 0:
        what = "outcomes" if n_o + n_ro else "only estimates"
        parts.append(f"{what} but no targets: nothing to judge")
    elif n_t == 0:
        parts.append("targets come only from the reference figures (no corpus document sets them)")
    if n_o == 0 and n_ro > 0:
        parts.append("outcomes only from reference figures (secondary sources), none from the corpus")
    elif n_o == 0 and n_ro == 0 and n_e == 0:
        parts.append("no outcome figure at all")
    elif n_o == 0 and n_ro == 0:
        parts.append("no final outcome figure")
    if n_e:
        parts.append(f"{n_e} figure(s) are estimates (expected), not final")
    if n_p and n_p == n_o + n_ro:
        parts.append("only part-year figures (e.g. Jan-Sep), which cannot judge annual targets")
    elif n_p:
        parts.append(f"{n_p} outcome(s) cover only part of the year")
    if len(cmp_y):
        counts = cmp_y["status"].value_counts()
        open_ = [f"{int(counts[s])} {s.replace('_', ' ')}" for s in ("not_yet_due", "no_outcome", "not_comparable")
                 if counts.get(s, 0)]
        parts.append(f"{n_j} of {len(cmp_y)} target(s) judged" + (f" ({', '.join(open_)})" if open_ else ""))
    return f"{y}: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------- analyse()
@dataclass
class Analysis:
    """Everything a report needs, computed once by :func:`analyse`."""

    corpus: Any
    registry: IndicatorRegistry
    statements: pd.DataFrame
    reference: pd.DataFrame
    comparisons: pd.DataFrame
    tracking: pd.DataFrame
    consistency: pd.DataFrame
    coverage: pd.DataFrame
    parameters: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The exportable tables by name (for :func:`qzanalysis.tables.write_tables`)."""
        from . import stats

        return {
            "statements": self.statements, "reference": self.reference,
            "comparisons": self.comparisons, "tracking": self.tracking,
            "consistency": self.consistency, "coverage": self.coverage,
            "attainment": stats.attainment_table(self.comparisons),
        }


def analyse(
    corpus_dir: str | Path | None = None,
    *,
    tolerance_pp: float = 0.2,
    review: bool = True,
    as_of: str | None = None,
    tolerance_level: float = 0.01,
    min_confidence: str = "medium",
    reference_path: str | Path | None = None,
) -> Analysis:
    """Load the corpus, extract and review statements, load the reference, and compare.

    Args:
        corpus_dir: corpus folder with manifest.csv (default data/raw).
        tolerance_pp: approx tolerance for rates in percentage points.
        review: apply ``data/curated/review.csv`` decisions to the extracted statements.
        as_of: latest information date (default: the latest document date).
    """
    from .corpus import load_corpus
    from .extract import extract_statements

    corpus = load_corpus(corpus_dir)
    registry = load_registry()
    statements = _call_extract(extract_statements, corpus, registry)
    if review:
        from .review import apply_review

        statements = apply_review(statements, corpus=corpus, registry=registry)
    reference = load_reference_quietly(reference_path, registry)
    published = {d.doc_id: d.published for d in corpus}
    as_of = as_of or latest_information_date(statements, reference, published)
    kw = dict(registry=registry, as_of=as_of, published=published)
    comparisons = compare_targets(statements, reference, tolerance_pp=tolerance_pp,
                                  tolerance_level=tolerance_level, min_confidence=min_confidence, **kw)
    tracking = track_targets(statements, reference, min_confidence=min_confidence, **kw)
    consistency = check_consistency(statements, reference, registry=registry, published=published)
    coverage = coverage_by_year(statements, reference, comparisons=comparisons)
    params = {
        "corpus_dir": str(corpus.path) if hasattr(corpus, "path") else str(corpus_dir),
        "corpus_fingerprint": corpus.fingerprint() if hasattr(corpus, "fingerprint") else "",
        "tolerance_pp": tolerance_pp, "tolerance_level": tolerance_level,
        "min_confidence": min_confidence, "review": review, "as_of": as_of,
        "alpha": 0.2,
    }
    return Analysis(corpus, registry, statements, reference, comparisons, tracking, consistency,
                    coverage, params)


def _call_extract(extract_statements, corpus, registry):
    return extract_statements(corpus, registry=registry)


def load_reference_quietly(path=None, registry=None) -> pd.DataFrame:
    """load_reference without re-raising the unknown-indicator warning in reports."""
    import warnings

    from .reference import UnknownIndicatorWarning, load_reference

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownIndicatorWarning)
        return load_reference(path, registry)
