"""One indicator across the years: the data behind an indicator's page of the report.

For an indicator with at least one target the page shows a cross-year chart (target bands,
outcomes, estimates hollow, years without a figure left as gaps), every statement any document
makes about it, the history of its targets (the ratchet) and the outcome figures that were
considered for its targets but not used, with why. Each part is a pure function over the tables
of :func:`qzanalysis.pipeline.analyse` (nothing here reads a file):

* :func:`indicator_series`: the chart's points (schema table ``indicator_series``);
* :func:`statements_about`: every corpus statement and reference row about the indicator;
* :func:`target_history`: every target by year with its verdict and the ratchet Δ;
* :func:`unused_candidates`: the candidate outcomes of its targets that no verdict used;
* :func:`indicators_with_targets`: the indicators that get a page, in a stable order;
* :func:`indicator_page`: all of the above for one indicator.

Chart rules (:func:`indicator_series`):

* a **target** (corpus or reference) is drawn at the year its period ends (a multi-year goal
  too) with its band: a range is value..value_high; ``approx`` is value ± the tolerance its
  comparison used (``comparisons.tolerance``; no band when the target has no comparison); a
  lower bound (ge/gt) has only ``low`` = value, an upper bound (le/lt) only ``high`` = value;
  ``eq`` is value..value. ``status`` is the target's verdict from ``comparisons``;
* an **outcome** is a whole-year figure (period_start == period_end == 'YYYY') of the corpus or
  the reference; ``kind == "expected"`` (预计) is series ``estimate``. Outcomes carry no band
  except a range outcome (value..value_high); a bound stays visible in ``comparator``;
* part-year figures ('YYYY-MM' bounds) and multi-year outcome averages are not drawn: the chart
  is annual, and both stay listed by :func:`statements_about`;
* values are as written (a decrease is a positive magnitude, as in the statements table) and in
  the unit as written: no conversion, the plot draws one panel per (measure, unit);
* the same figure stated twice (two documents, or a document and the reference) is drawn once:
  one row per (year, series, measure, unit, value), keeping the first by origin (corpus before
  reference) then statement_id. Targets also keep their comparator, band and period apart, so a
  2016-2020 average goal of 7% is not merged into the 2020 annual target of 7%: they are
  different plans with different verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import schema
from ..periods import PERIOD_RE, bounds, period_key
from ..schema import CATEGORIES, MEASURES, OUTCOME_KINDS, SERIES
from .outcomes import clean
from .verdicts import target_text

_ORIGINS = ("corpus", "reference")
_SERIES_RANK = {s: i for i, s in enumerate(SERIES)}
_YEAR_RE = re.compile(r"^\d{4}$")

#: Columns of :func:`statements_about`, in order.
STATEMENT_COLUMNS = [
    "statement_id",
    "doc_id",
    "kind",
    "indicator_text",
    "measure",
    "direction",
    "period_start",
    "period_end",
    "value",
    "value_high",
    "unit",
    "comparator",
    "evidence",
    "quote",
    "source",
    "source_url",
    "confidence",
]

#: Columns of :func:`unused_candidates` and their dtypes.
UNUSED_DTYPES = {
    "target_statement_id": "string",
    "year": "Int64",
    "candidate": "string",
    "why": "string",
    "candidate_id": "string",
    "kind": "string",
    "measure": "string",
    "period": "string",
    "value": "Float64",
    "unit": "string",
    "source": "string",
}

#: Columns of :func:`target_history` and their dtypes.
HISTORY_DTYPES = {
    "year": "Int64",
    "statement_id": "string",
    "doc_id": "string",
    "target_origin": "string",
    "measure": "string",
    "direction": "string",
    "period_start": "string",
    "period_end": "string",
    "comparator": "string",
    "value": "float64",
    "value_high": "Float64",
    "unit": "string",
    "tolerance": "Float64",
    "target": "string",
    "status": "string",
    "outcome_id": "string",
    "outcome_value": "Float64",
    "previous_outcome_id": "string",
    "previous_outcome_value": "Float64",
    "previous_outcome_kind": "string",
    "delta": "Float64",
    "delta_unit": "string",
    "explanation": "string",
    "ratchet_explanation": "string",
}


# ------------------------------------------------------------------------------ chart series


def indicator_series(
    indicator_id: str,
    *,
    statements: pd.DataFrame,
    reference: pd.DataFrame | None,
    comparisons: pd.DataFrame,
) -> pd.DataFrame:
    """The points of ``indicator_id``'s cross-year chart (rules in the module docstring).

    Args:
        indicator_id: a registry id.
        statements: the statements table (schema "statements").
        reference: the reference figures (schema "reference"), or None.
        comparisons: the comparisons table (status and tolerance of each target).

    Returns:
        Schema table ``indicator_series``, ordered by year, series (target, outcome,
        estimate), measure, unit and value.
    """
    rows = _rows_about(indicator_id, statements, reference)
    verdicts = _verdicts_by_id(_comparisons_of(comparisons, indicator_id))
    points = []
    for r in rows.to_dict("records"):
        point = _target_point(r, verdicts) if r["kind"] == "target" else _outcome_point(r)
        if point is not None:
            points.append({"indicator_id": indicator_id, **point})
    if not points:
        return schema.empty("indicator_series")
    frame = pd.DataFrame(points)
    frame["_series"] = frame["series"].map(_SERIES_RANK)
    frame["_origin"] = frame["_origin"].map(_ORIGINS.index)
    # The first statement in a content-based order survives, whatever order the rows came in.
    frame = frame.sort_values(["_origin", "statement_id"], kind="stable")
    frame["_plan"] = [
        f"{c}|{lo}|{hi}|{span}" if s == "target" else ""
        for s, c, lo, hi, span in zip(
            frame["series"],
            frame["comparator"],
            frame["low"],
            frame["high"],
            frame["_span"],
            strict=True,
        )
    ]
    key = ["year", "series", "measure", "unit", "value", "_plan"]
    frame = frame.drop_duplicates(subset=key, keep="first")
    frame = frame.sort_values(
        ["year", "_series", "measure", "unit", "value", "_origin", "statement_id"], kind="stable"
    )
    return schema.coerce("indicator_series", frame.reset_index(drop=True))[
        schema.columns("indicator_series")
    ]


def _rows_about(
    indicator_id: str, statements: pd.DataFrame, reference: pd.DataFrame | None
) -> pd.DataFrame:
    """The corpus and reference rows with ``indicator_id``, with their origin; reference-only
    columns (source_url, confidence) are NA on corpus rows."""
    parts = []
    for origin, frame in zip(_ORIGINS, (statements, reference), strict=True):
        if frame is None or not len(frame):
            continue
        sel = frame[frame["indicator_id"].astype("string").fillna("") == indicator_id].copy()
        for col in ("source_url", "confidence"):
            if col not in sel.columns:
                sel[col] = pd.Series(pd.NA, index=sel.index, dtype="string")
        parts.append(sel.assign(_origin=origin))
    if not parts:
        return pd.DataFrame(columns=[*schema.STATEMENT_COLUMNS, "source_url", "confidence"])
    return pd.concat(parts, ignore_index=True)


def _verdicts_by_id(comparisons: pd.DataFrame) -> dict[str, dict]:
    """statement_id -> {status, tolerance} of every compared target."""
    if comparisons is None or not len(comparisons):
        return {}
    cols = comparisons[["statement_id", "status", "tolerance"]].drop_duplicates("statement_id")
    return {r["statement_id"]: r for r in cols.to_dict("records")}


def _whole_year(r: dict) -> tuple[str, str] | None:
    """(start, end) of a row whose bounds are both whole years ('YYYY'), else None."""
    span = bounds(clean(r.get("period_start")), clean(r.get("period_end")))
    if span is None or not all(_YEAR_RE.match(p) for p in span):
        return None
    return span


def _common(r: dict, span: tuple[str, str], series: str) -> dict | None:
    """The columns every point shares; None when the row has no number."""
    value = clean(r.get("value"))
    if value is None:
        return None
    return {
        "year": int(span[1]),
        "series": series,
        "measure": clean(r.get("measure")) or pd.NA,
        "unit": clean(r.get("unit")) or "",
        "value": float(value),
        "comparator": clean(r.get("comparator")) or "eq",
        "statement_id": r["statement_id"],
        "doc_id": clean(r.get("doc_id")) or pd.NA,
        "source_url": clean(r.get("source_url")) or pd.NA,
        "_origin": r["_origin"],
        "_span": f"{span[0]}..{span[1]}",
        "status": pd.NA,
    }


def _target_point(r: dict, verdicts: dict[str, dict]) -> dict | None:
    """A target at the year it falls due, with its band and its verdict."""
    span = _whole_year(r)
    point = _common(r, span, "target") if span else None
    if point is None:
        return None
    verdict = verdicts.get(r["statement_id"], {})
    high_written = clean(r.get("value_high"))
    if high_written is not None:
        point["comparator"] = "range"
    low, high = target_band(
        point["comparator"], point["value"], high_written, clean(verdict.get("tolerance"))
    )
    point.update(low=low, high=high, status=clean(verdict.get("status")) or pd.NA)
    return point


def _outcome_point(r: dict) -> dict | None:
    """A whole single-year outcome or estimate; None for part-years and multi-year spans."""
    span = _whole_year(r)
    if span is None or span[0] != span[1] or r["kind"] not in OUTCOME_KINDS:
        return None
    point = _common(r, span, "estimate" if r["kind"] == "expected" else "outcome")
    if point is None:
        return None
    high_written = clean(r.get("value_high"))
    if high_written is not None:
        # A range outcome ("1-2家") is drawn as its interval; any other outcome as a point.
        point.update(comparator="range", low=min(point["value"], float(high_written)))
        point["high"] = max(point["value"], float(high_written))
    else:
        point.update(low=pd.NA, high=pd.NA)
    return point


def target_band(
    comparator: str, value: float, value_high: float | None, tolerance: float | None
) -> tuple[Any, Any]:
    """(low, high) of a target's band; an open side is NA (rules in the module docstring).

    >>> target_band("approx", 7.0, None, 0.2)
    (6.8, 7.2)
    >>> target_band("ge", 57.0, None, None)
    (57.0, <NA>)
    """
    if comparator == "range" or value_high is not None:
        other = value if value_high is None else float(value_high)
        return min(value, other), max(value, other)
    if comparator == "approx":
        if tolerance is None:
            return pd.NA, pd.NA
        # Rounded so that 7 ± 0.2 is 6.8, not 6.800000000000001.
        return round(value - tolerance, 10), round(value + tolerance, 10)
    if comparator in ("ge", "gt"):
        return value, pd.NA
    if comparator in ("le", "lt"):
        return pd.NA, value
    return value, value


# ------------------------------------------------------------------------------ statements


def statements_about(
    indicator_id: str, *, statements: pd.DataFrame, reference: pd.DataFrame | None
) -> pd.DataFrame:
    """Every corpus statement and reference row about ``indicator_id``, for a table.

    Part-year figures and multi-year spans are kept (the chart leaves them out). Ordered by
    period end (a row without a period last), then corpus before reference, document, position
    in the document and statement_id. Columns: :data:`STATEMENT_COLUMNS`.
    """
    rows = _rows_about(indicator_id, statements, reference)
    if not len(rows):
        return pd.DataFrame({c: pd.Series(dtype="string") for c in STATEMENT_COLUMNS}).astype(
            _statement_dtypes()
        )
    rows["_end"] = [
        _end_key(s, e) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)
    ]
    rows["_origin"] = rows["_origin"].map(_ORIGINS.index)
    rows["_pos"] = pd.to_numeric(rows["char_start"], errors="coerce")
    rows["_doc"] = rows["doc_id"].astype("string").fillna("")
    rows = rows.sort_values(
        ["_end", "_origin", "_doc", "_pos", "statement_id"], kind="stable", na_position="last"
    )
    out = rows.reindex(columns=STATEMENT_COLUMNS).reset_index(drop=True)
    out["doc_id"] = out["doc_id"].astype("string").replace("", pd.NA)
    return out.astype(_statement_dtypes())


def _statement_dtypes() -> dict[str, str]:
    """The dtypes of :data:`STATEMENT_COLUMNS`, as the reference table declares them."""
    ref = schema.dtypes("reference")
    return {c: ref.get(c, "string") for c in STATEMENT_COLUMNS}


def _end_key(start: Any, end: Any) -> tuple[int, int]:
    """Sort key of a period's end; a row without a period sorts after every period."""
    span = bounds(clean(start), clean(end))
    if span is None or not PERIOD_RE.match(span[1]):
        return (9999, 99)
    return period_key(span[1], end=True)


# ------------------------------------------------------------------------------ target history


def target_history(
    indicator_id: str, *, ratchet: pd.DataFrame, comparisons: pd.DataFrame
) -> pd.DataFrame:
    """Every target of ``indicator_id`` by year, with its verdict and the ratchet Δ.

    One row per target in ``comparisons`` (annual and multi-year, corpus and reference), with
    the target as the explanations write it (``target``: 'growth ≈7% (±0.2pp)'), its status and
    judged outcome, and from ``ratchet`` (annual targets only) the previous year's outcome and
    Δ = target − that outcome (``delta`` in ``delta_unit``; a multi-year goal or a target
    without a previous outcome has none). Ordered by year, measure, origin and statement_id.
    Columns: :data:`HISTORY_DTYPES`.
    """
    mine = _comparisons_of(comparisons, indicator_id)
    if not len(mine):
        return _empty(HISTORY_DTYPES)
    prev = _ratchet_by_id(ratchet, set(mine["statement_id"]))
    rows = []
    for c in mine.to_dict("records"):
        r = prev.get(c["statement_id"], {})
        rows.append(
            {
                **{k: c.get(k) for k in HISTORY_DTYPES if k in c},
                "target": _target_words(c),
                "previous_outcome_id": r.get("outcome_id"),
                "previous_outcome_value": r.get("outcome_value"),
                "previous_outcome_kind": r.get("outcome_kind"),
                "delta": r.get("delta"),
                "delta_unit": r.get("delta_unit"),
                "ratchet_explanation": r.get("explanation"),
            }
        )
    out = _typed(rows, HISTORY_DTYPES)
    out["doc_id"] = out["doc_id"].replace("", pd.NA)
    out["_origin"] = out["target_origin"].map(lambda o: _ORIGINS.index(o) if o in _ORIGINS else 2)
    out = out.sort_values(
        ["year", "measure", "_origin", "statement_id"], kind="stable", na_position="last"
    )
    return out.drop(columns="_origin").reset_index(drop=True)


def _ratchet_by_id(ratchet: pd.DataFrame | None, ids: set[str]) -> dict[str, dict]:
    """statement_id -> ratchet row, for the targets ``ids`` only."""
    if ratchet is None or not len(ratchet):
        return {}
    mine = ratchet[ratchet["statement_id"].isin(ids)]
    return {r["statement_id"]: r for r in mine.to_dict("records")}


def _target_words(c: dict) -> str:
    """The target as explanations state it ('growth ≈7% (±0.2pp)'); '' without a number."""
    value = clean(c.get("value"))
    if value is None:
        return ""
    return target_text(
        clean(c.get("comparator")) or "eq",
        float(value),
        clean(c.get("value_high")),
        clean(c.get("unit")) or "",
        clean(c.get("measure")) or "",
        clean(c.get("direction")) or "",
        clean(c.get("tolerance")) or 0.0,
    )


# ------------------------------------------------------------------------------ candidates

_MEASURE_ALT = "|".join(MEASURES)
_KIND_ALT = "|".join(OUTCOME_KINDS)
_PERIOD_TEXT = r"\d{4}(?:-\d{2})?(?:\.\.\d{4}(?:-\d{2})?)?"
# One candidate as ``outcomes.candidate_text`` writes it:
# "{id} {kind} {measure} {period} {number}{unit} [{source}]: {why}".
_ITEM_RE = re.compile(
    rf"(?P<candidate_id>\S+) (?P<kind>{_KIND_ALT}) (?P<measure>{_MEASURE_ALT}) "
    rf"(?P<period>{_PERIOD_TEXT}) "
    r"(?P<number>NA|-?inf|nan|-?\d[\d,]*(?:\.\d+)?(?:e[+-]\d+)?)(?P<unit>[^\[\]]*?) "
    r"\[(?P<source>[^\[\]]*)\]: (?P<why>.*)",
    re.S,
)
# Items are joined with "; ", which also occurs inside a note ("(two currencies for 2020: a;
# b)"), so a split happens only where the next item starts: a candidate or a "(" note.
_SPLIT_RE = re.compile(rf"; (?=\S+ (?:{_KIND_ALT}) (?:{_MEASURE_ALT}) {_PERIOD_TEXT} |\()")
_PREFERENCE = "corpus finals, then reference figures by confidence, then estimates"


def parse_candidates(text: str | None) -> list[dict]:
    """The items of a ``comparisons.candidates`` text, in the order written.

    A candidate gives candidate_id, kind, measure, period, value (the number parsed), unit,
    source, ``candidate`` (the figure as written, before ": why") and ``why``; a note of the
    comparison ("(sum not possible: …)", "(two currencies for …)") gives only ``why`` (the note
    without its parentheses) and ``note=True``. Text that fits neither is kept whole as a note,
    so nothing is lost if the wording of ``candidates`` changes.
    """
    text = clean(text)
    if not text:
        return []
    items = []
    for part in _SPLIT_RE.split(text):
        m = _ITEM_RE.fullmatch(part)
        if m is None:
            note = part[1:-1] if part.startswith("(") and part.endswith(")") else part
            items.append({"candidate": "", "why": note, "note": True})
            continue
        got = m.groupdict()
        number = got.pop("number")
        got["value"] = None if number in ("NA", "nan") else float(number.replace(",", ""))
        got["candidate"] = part[: m.start("why") - 2]
        got["note"] = False
        items.append(got)
    return items


def unused_candidates(
    indicator_id: str, *, comparisons: pd.DataFrame, include_unrelated: bool = True
) -> pd.DataFrame:
    """The outcome figures considered for ``indicator_id``'s targets but not used, with why.

    Rebuilt from ``comparisons.candidates`` (:func:`parse_candidates`): every candidate of every
    target except the one its verdict used (``outcome_id``), and the comparison's notes (a sum
    or a derivation that was not possible). A figure that was usable but not used says why: the
    target is not yet due, or another figure comes first in the order of preference.

    Args:
        indicator_id: a registry id.
        comparisons: the comparisons table.
        include_unrelated: False drops the figures of another measure or another period ("different
            measure", "other period"), which were never contenders.

    Returns:
        Columns :data:`UNUSED_DTYPES`, by target (year, statement_id) then in the order the
        comparison lists its candidates (its order of preference).
    """
    mine = _comparisons_of(comparisons, indicator_id)
    rows = []
    for c in mine.sort_values(["year", "statement_id"], kind="stable").to_dict("records"):
        used = clean(c.get("outcome_id"))
        for item in parse_candidates(c.get("candidates")):
            if not item["note"] and item["candidate_id"] == used:
                continue
            why = _why_unused(item, c, used)
            if not include_unrelated and why.startswith(("different measure", "other period")):
                continue
            item = {k: v for k, v in item.items() if k != "note"}
            rows.append({**item, "why": why, "target_statement_id": c["statement_id"]})
            rows[-1]["year"] = c.get("year")
    return _typed(rows, UNUSED_DTYPES)


def _why_unused(item: dict, target: dict, used: str | None) -> str:
    """Why a candidate did not judge the target: as the comparison wrote it, and for a usable
    figure the reason it was still not the one used."""
    why = item["why"]
    if item["note"] or not why.startswith("usable"):
        return why
    if target.get("status") == "not_yet_due":
        return f"{why}, but the target is not yet due, so no figure is judged"
    if used:
        return f"{why}, but {used} comes first in the order of preference ({_PREFERENCE})"
    return why


# ------------------------------------------------------------------------------ pages


def indicators_with_targets(comparisons: pd.DataFrame, registry: Any = None) -> list[str]:
    """Registry ids with at least one target, by category (``schema.CATEGORIES`` order, unknown
    last), then registry order when ``registry`` (an ``IndicatorRegistry``) is given, else id."""
    if comparisons is None or not len(comparisons):
        return []
    ids = comparisons["indicator_id"].astype("string").fillna("")
    cats = comparisons["category"].astype("string").fillna("")
    category: dict[str, str] = {}
    for i, cat in zip(ids, cats, strict=True):
        if i and (i not in category or not category[i]):
            category[i] = cat
    position = {ind.id: n for n, ind in enumerate(registry)} if registry is not None else {}

    def order(i: str) -> tuple[int, int, str]:
        """(category, registry position, id): unknown categories and ids go last."""
        cat = category[i]
        return (
            CATEGORIES.index(cat) if cat in CATEGORIES else len(CATEGORIES),
            position.get(i, len(position)),
            i,
        )

    return sorted(category, key=order)


@dataclass(frozen=True)
class IndicatorPage:
    """The data of one indicator's page: chart points, statements, target history and the
    candidate outcomes not used."""

    indicator_id: str
    series: pd.DataFrame
    statements: pd.DataFrame
    history: pd.DataFrame
    unused: pd.DataFrame


def indicator_page(
    indicator_id: str,
    *,
    statements: pd.DataFrame,
    reference: pd.DataFrame | None,
    comparisons: pd.DataFrame,
    ratchet: pd.DataFrame,
    include_unrelated: bool = True,
) -> IndicatorPage:
    """Everything an indicator's page shows (each part as its own function returns it)."""
    return IndicatorPage(
        indicator_id=indicator_id,
        series=indicator_series(
            indicator_id, statements=statements, reference=reference, comparisons=comparisons
        ),
        statements=statements_about(indicator_id, statements=statements, reference=reference),
        history=target_history(indicator_id, ratchet=ratchet, comparisons=comparisons),
        unused=unused_candidates(
            indicator_id, comparisons=comparisons, include_unrelated=include_unrelated
        ),
    )


# ------------------------------------------------------------------------------ helpers


def _comparisons_of(comparisons: pd.DataFrame | None, indicator_id: str) -> pd.DataFrame:
    """The comparison rows (targets) of ``indicator_id``; an empty comparisons table if none."""
    if comparisons is None or not len(comparisons):
        return schema.empty("comparisons")
    return comparisons[comparisons["indicator_id"].astype("string").fillna("") == indicator_id]


def _empty(dtypes: dict[str, str]) -> pd.DataFrame:
    """An empty frame with ``dtypes``."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _typed(rows: Iterable[dict], dtypes: dict[str, str]) -> pd.DataFrame:
    """Rows as a frame with ``dtypes`` (missing keys and every flavour of missing become NA)."""
    frame = pd.DataFrame([{k: clean(r.get(k)) for k in dtypes} for r in rows], columns=list(dtypes))
    if not len(frame):
        return _empty(dtypes)
    for col, dtype in dtypes.items():
        if dtype in ("float64", "Float64", "Int64"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame.astype(dtypes)
