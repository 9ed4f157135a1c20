"""The government's own completion rates (methods.md §7, "self-reported completion").

"分别完成年度任务的130%、116%、97.28%" and "项目投资完成率143.9%" are the government's own account of
how far it got: statements with measure ``completion``. :func:`completion_table` lists them one
row each, beside the package's verdicts and never mixed into them: the indicator, the period
(a part-year such as 前三季度 = 2022-01..2022-09 is flagged ``part_year``: the year is not over),
the reported percentage, ``self_status`` (``met`` at 100% or more, else ``below``), the quote,
and the package's own verdict (``status``, ``target_id``) for the same indicator and year from
the comparisons when one exists (else empty, and the explanation says so).

Only reported figures (kinds ``outcome`` and ``expected``) are listed; a completion *target*
("完成率达到100%") is a plan, not a self-report. The same indicator means the same registry id;
a statement without one is matched to comparison rows without one whose phrase is identical.
"""

from __future__ import annotations

import pandas as pd

from .. import schema
from ..indicators import IndicatorRegistry
from ..periods import bounds, format_span, is_full_years, period_key
from ..schema import (
    OUTCOME_KINDS,
    SELF_STATUSES,  # noqa: F401 - re-exported
    STATUSES,
)
from ..units import format_number
from .outcomes import clean

#: A reported completion rate at or above this many percent is ``met``.
SELF_MET_AT = 100.0

_STATEMENT_COLUMNS = (
    "statement_id",
    "doc_id",
    "kind",
    "indicator_id",
    "indicator_text",
    "measure",
    "period_start",
    "period_end",
    "value",
    "unit",
    "char_start",
    "char_end",
    "quote",
)
_COMPARISON_COLUMNS = ("statement_id", "indicator_id", "indicator_text", "year", "status")


def completion_table(
    statements: pd.DataFrame,
    comparisons: pd.DataFrame | None,
    *,
    registry: IndicatorRegistry,
) -> pd.DataFrame:
    """One row per self-reported completion rate, with the package's verdict beside it.

    Args:
        statements: the statements table (extracted, reviewed).
        comparisons: the package's verdicts (:func:`compare_targets`); None or empty when
            there are none.
        registry: the indicator registry (labels).

    Returns:
        The schema table ``completion``.
    """
    schema.require_columns(statements, _STATEMENT_COLUMNS, "statements", "completion_table")
    if comparisons is not None:
        schema.require_columns(comparisons, _COMPARISON_COLUMNS, "comparisons", "completion_table")
    chosen = statements[
        (statements["measure"] == "completion") & statements["kind"].isin(OUTCOME_KINDS)
    ]
    verdicts = _verdicts(comparisons)
    rows = [_row(s, registry, verdicts) for s in chosen.to_dict("records")]
    return schema.from_records("completion", rows)


def _verdicts(comparisons: pd.DataFrame | None) -> dict[tuple, list[dict]]:
    """(id or phrase key, year) -> comparison rows, judged verdicts first."""
    out: dict[tuple, list[dict]] = {}
    if comparisons is None or not len(comparisons):
        return out
    order = {s: i for i, s in enumerate(STATUSES)}
    for c in comparisons.to_dict("records"):
        year = clean(c["year"])
        if year is None:
            continue
        out.setdefault((_indicator_key(c), int(year)), []).append(c)
    for rows in out.values():
        rows.sort(key=lambda c: (order.get(clean(c["status"]), len(order)), c["statement_id"]))
    return out


def _indicator_key(r: dict) -> tuple[str, str]:
    """('id', indicator_id), or ('text', phrase) for a statement without a registry id."""
    ind = clean(r["indicator_id"])
    if ind:
        return "id", str(ind)
    return "text", str(clean(r["indicator_text"]) or "").strip()


def _row(s: dict, registry: IndicatorRegistry, verdicts: dict[tuple, list[dict]]) -> dict:
    ind = clean(s["indicator_id"])
    row = {k: s[k] for k in _STATEMENT_COLUMNS if k != "measure"}
    row["indicator_label"] = registry.label(ind, clean(s["indicator_text"]) or "")
    value, unit = clean(s["value"]), clean(s["unit"]) or ""
    shown = "no value" if value is None else f"{format_number(float(value))}{unit}"
    said = f"self-reported completion {shown}"
    span = bounds(s["period_start"], s["period_end"])
    if span is not None:
        start, end = period_key(span[0], end=False), period_key(span[1], end=True)
        row.update(year=end[0], part_year=not is_full_years(start, end))
        said += f" for {format_span(*span)}"
        said += " (part-year: the year is not over)" if row["part_year"] else ""
    if value is not None and unit == "%":
        row["self_status"] = "met" if float(value) >= SELF_MET_AT else "below"
        said += f" → {row['self_status']} by its own count (met at {format_number(SELF_MET_AT)}%)"
    else:
        said += ": not a percentage, no self_status"
    if span is None:
        return {**row, "explanation": f"{said}; no period, so no package verdict to set beside it"}
    said += _verdict_text(row, _indicator_key(s), verdicts)  # fills status, target_id
    return {**row, "explanation": said}


def _verdict_text(row: dict, key: tuple[str, str], verdicts: dict[tuple, list[dict]]) -> str:
    """Put the package's verdict for the same indicator and year into ``row``; say what it is."""
    year = row["year"]
    found = verdicts.get((key, year), [])
    if not found:
        why = " (no registry id: matched by identical phrase only)" if key[0] == "text" else ""
        return f"; no package verdict for this indicator in {year}{why}"
    first = found[0]
    row.update(target_id=first["statement_id"], status=first["status"])
    more = f", the first of {len(found)} verdicts" if len(found) > 1 else ""
    return f"; package verdict for {year}: {first['status']} (target {first['statement_id']}{more})"
