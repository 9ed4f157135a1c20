"""Pace (methods.md §7): does next year's annual growth target keep a multi-year goal in reach?

For a multi-year goal the tracking table gives g_rem (``g_remaining``), the growth a year still
needed from the latest outcome Yt (year t) to the goal YT: (YT / Yt)^(1/(T-t)) - 1 (methods.md
§4). :func:`pace_table` sets it beside the annual growth target g_y of the same indicator (same
registry id) for year t+1:

* ``consistent`` when g_y >= g_rem (for a lower_better indicator, or a goal stated as an upper
  bound, when the planned fall reaches the needed fall: g_y <= g_rem), else ``below_pace`` with
  the shortfall in percentage points (``shortfall_pp``, 0 when consistent);
* g_y is an annual growth target, or a relative change in % ("PM2.5浓度下降5%": -5%), never an
  absolute one ("下降1个百分点"); its value as written (``approx``, ``ge``...), the midpoint of a
  range, negative for a planned fall. Annual targets are chosen as in :mod:`.ratchet` (one
  calendar year, set by a document speaking for that year);
* GDP and value added grow at constant prices in the official statistics, while a level goal
  (亿元) is nominal: such a pair is flagged ``real_vs_nominal`` and the explanation says the call
  is indicative (nominal growth is roughly real growth plus the rise in prices).

Only pairs are rows: a goal without an annual growth target for t+1 has none (the tracking table
lists every goal), and so has a goal without g_remaining (no latest outcome, or a count goal).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from .. import schema
from ..indicators import IndicatorRegistry, real_growth_ids
from ..schema import PACE_STATUSES
from ..units import UNIT_FACTORS, format_number
from .outcomes import clean
from .ratchet import annual_targets, check_inputs, target_phrase

#: Goal columns the pace reads from the tracking table.
TRACKING_COLUMNS = (
    "statement_id", "doc_id", "indicator_id", "measure", "comparator", "unit", "target_year",
    "target_value", "latest_year", "latest_value", "latest_kind", "latest_source", "g_remaining",
)  # fmt: skip
#: Words in an indicator's Chinese name that mark growth stated at constant prices.
_MONEY = frozenset({"cny", "usd"})
_EPS = 1e-9


def pace_table(
    tracking: pd.DataFrame,
    statements: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    registry: IndicatorRegistry,
    published: Mapping[str, str],
    real_growth: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each multi-year goal's still-needed growth against next year's annual growth target.

    Args:
        tracking: the tracking table (``track_targets``; schema "tracking").
        statements: the statements table the annual targets come from.
        reference: reference figures (their annual targets count too), or None.
        registry: the indicator registry (labels, polarity, real-growth indicators).
        published: doc_id -> publication date (which targets are annual).
        real_growth: ids whose growth targets are real (default :func:`real_growth_ids`).

    Returns:
        One row per (goal, annual target) pair (schema table "pace").
    """
    schema.require_columns(tracking, TRACKING_COLUMNS, "tracking", "pace_table")
    check_inputs(statements, reference, "medium", "pace_table")
    real = frozenset(real_growth) if real_growth is not None else real_growth_ids(registry)
    annual: dict[tuple[str, int], list[dict]] = {}
    for a in annual_targets(statements, reference, published, ("growth", "change")):
        if a["measure"] == "change" and a["unit"] != "%":
            continue  # "下降1个百分点" is an absolute change, never a growth rate
        annual.setdefault((a["indicator_id"], a["year"]), []).append(a)
    rows = []
    for goal in tracking.to_dict("records"):
        g_rem, latest = clean(goal["g_remaining"]), clean(goal["latest_year"])
        ind = registry.get(clean(goal["indicator_id"]))
        if g_rem is None or latest is None or ind is None:
            continue
        lower = ind.polarity == "lower_better" or goal["comparator"] in ("le", "lt")
        for a in annual.get((ind.id, int(latest) + 1), []):
            row = _pace_one(goal, a, lower=lower, real=ind.id in real)
            row["indicator_label"] = ind.label
            row["explanation"] = _explain(row, goal, a, published, lower=lower)
            rows.append(row)
    return schema.from_records("pace", rows)


def _pace_one(goal: dict, a: dict, *, lower: bool, real: bool) -> dict:
    """The pair's numbers: needed and planned growth (%), the call and the shortfall (pp)."""
    needed = round(float(goal["g_remaining"]) * 100, 10)
    planned = float(a["target_used"])
    short = (planned - needed) if lower else (needed - planned)
    consistent = short <= _EPS
    money = UNIT_FACTORS.get(clean(goal["unit"]) or "", ("",))[0] in _MONEY
    return {
        **{k: goal[k] for k in TRACKING_COLUMNS},
        "annual_statement_id": a["statement_id"],
        "annual_doc_id": clean(a["doc_id"]),
        "annual_year": a["year"],
        "annual_value": float(a["value"]),
        "annual_value_high": a["value_high"],
        "annual_comparator": a["comparator"],
        "annual_growth": planned,
        "needed_growth": needed,
        "real_vs_nominal": bool(real and goal["measure"] == "level" and money),
        "pace_status": PACE_STATUSES[0] if consistent else PACE_STATUSES[1],
        "shortfall_pp": 0.0 if consistent else round(short, 10),
    }


def _explain(row: dict, goal: dict, a: dict, published: Mapping[str, str], *, lower: bool) -> str:
    """'2026 goal 240亿元 (wr2022_excerpt) needs growth of 11.06% in 2026 (= (240 / 216.1) − 1)
    from 216.1亿元 in 2025 (...); the 2026 annual target is growth 2%以上 (...) → below_pace by
    9.06 pp'."""
    unit = clean(goal["unit"]) or ""
    T, t = int(goal["target_year"]), int(goal["latest_year"])
    YT, Yt = float(goal["target_value"]), float(goal["latest_value"])
    need = row["needed_growth"]
    if lower and need < 0:
        need_text = f"a fall of {format_number(-need, 2)}%"
    else:
        need_text = f"growth of {format_number(need, 2)}%"
    years = f"in {T}" if T - t == 1 else f"a year in {t + 1}-{T}"
    root = "" if T - t == 1 else f"^(1/{T - t})"
    goal_doc, annual_doc = clean(goal["doc_id"]) or "", clean(a["doc_id"]) or ""
    plan = target_phrase(
        a["comparator"], a["value"], a["value_high"], a["unit"], clean(a["direction"]) or ""
    )
    if a["comparator"] == "range":
        plan += f" (midpoint {format_number(row['annual_growth'])}%)"
    kind = "change" if a["measure"] == "change" else "growth"
    text = (
        f"{T} goal {target_phrase(goal['comparator'], YT, None, unit)} "
        f"({goal_doc or goal['statement_id']}) needs {need_text} {years} "
        f"(= ({format_number(YT)} / {format_number(Yt)}){root} − 1) from "
        f"{format_number(Yt)}{unit} in {t} ({goal['latest_source']}); the {a['year']} annual "
        f"target is {'real ' if row['real_vs_nominal'] else ''}{kind} {plan} "
        f"({annual_doc or a['statement_id']})"
    )
    if row["pace_status"] == "consistent":
        text += " → consistent"
    else:
        text += f" → below_pace by {format_number(row['shortfall_pp'], 2)} pp"
    if row["real_vs_nominal"]:
        text += (
            "; a real-growth target (constant prices) against a nominal level goal: indicative "
            "only (nominal growth is about real growth plus the rise in prices)"
        )
    set_goal, set_annual = published.get(goal_doc, ""), published.get(annual_doc, "")
    if set_goal and set_annual and set_annual < set_goal:
        text += f"; the annual target ({set_annual}) was set before the goal ({set_goal})"
    return text
