"""A report's headline table: what was judged or tracked, one row each, findings first (issue 10).

Four kinds of row (``schema.HEADLINE_KINDS``), each from a table the comparisons already made:

- ``verdict``: a target whose outcome is known, judged by methods.md §3 (comparisons, JUDGED);
- ``tracking``: a multi-year goal's progress call from its latest outcome (§4: tracking, labelled);
- ``pace``: an annual growth target against the growth a multi-year goal still needs (§7: pace);
- ``self_report``: the government's own completion rate (§7: completion).

Every row names where its target and its outcome come from by statement id and document, so a
page can link both to the highlighted sentence (:mod:`qzanalysis.links`); a reference figure
carries its source URL instead. Growth is written in % per year everywhere (one format).

What cannot be judged is not a row each: :func:`unjudged` counts it by reason.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .. import schema
from ..schema import COMPARATOR_SYMBOLS, JUDGED, NOT_JUDGED, STATUS_ZH
from ..units import format_number, is_rate
from .verdicts import target_text

PACE_ZH = {"consistent": "与规划进度一致", "below_pace": "低于规划所需进度"}
SELF_ZH = {"met": "自报完成", "below": "自报未完成"}


class Sources:
    """Where a statement comes from: its document (for the link) or its reference URL.

    Built from the statements and reference tables, so a row that only knows an outcome's id
    (``outcome_id``, ``latest_id``) can still link to the sentence or the web page.
    """

    def __init__(self, statements: pd.DataFrame, reference: pd.DataFrame, titles: Mapping):
        self.titles = dict(titles)
        self.doc = dict(zip(statements["statement_id"], statements["doc_id"], strict=True))
        self.url = dict(zip(reference["statement_id"], reference["source_url"], strict=True))
        self.confidence = dict(zip(reference["statement_id"], reference["confidence"], strict=True))

    def describe(self, statement_id: object) -> dict:
        """{outcome_from, outcome_statement_id, outcome_doc_id, outcome_url} of one figure."""
        sid = str(statement_id) if isinstance(statement_id, str) and statement_id else ""
        if not sid or "+" in sid:  # a cumulative count sums several statements: no one sentence
            return {
                "outcome_from": "several statements" if sid else "",
                "outcome_statement_id": sid,
            }
        if sid in self.url:
            conf = self.confidence.get(sid)
            where = f"reference {sid}" + (f" ({conf} confidence)" if isinstance(conf, str) else "")
            return {
                "outcome_from": where,
                "outcome_statement_id": sid,
                "outcome_url": self.url[sid],
            }
        doc = self.doc.get(sid)
        return {
            "outcome_from": self.titles.get(doc, doc or ""),
            "outcome_statement_id": sid,
            "outcome_doc_id": doc,
        }

    def target_url(self, statement_id: object) -> str | None:
        """The source URL of a reference target (a corpus target links to its sentence)."""
        return self.url.get(str(statement_id))

    def set_by(self, doc_id: object, statement_id: object) -> str:
        if isinstance(doc_id, str) and doc_id:
            return self.titles.get(doc_id, doc_id)
        return f"reference {statement_id}"


def _num(value: object) -> str:
    return "" if value is None or pd.isna(value) else format_number(float(value))


def _pct_per_year(fraction: object) -> str:
    """A growth rate stored as a fraction (0.0834), written as '8.34%/yr'."""
    return "" if fraction is None or pd.isna(fraction) else f"{float(fraction) * 100:.2f}%/yr"


def _goal_text(comparator: str, value: object, unit: object, year: object) -> str:
    symbol = COMPARATOR_SYMBOLS.get(str(comparator), "")
    return f"{symbol}{_num(value)}{unit or ''} by {year}"


def finding_gap_text(signed_gap: object, unit: str, measure: str) -> str:
    """A finding's gap as its tables show it ("+0.3 pp (better than planned)"; "" for none): the
    one wording of the findings, the panel and the cross-city report."""
    if signed_gap is None or pd.isna(signed_gap):
        return ""
    gap_unit = " pp" if is_rate(unit, measure) else unit
    word = "better" if signed_gap > 0 else ("worse" if signed_gap < 0 else "on target")
    return f"{float(signed_gap):+,.6g}{gap_unit} ({word} than planned)"


def target_fields(r: Mapping, sources: Sources) -> dict:
    """What a verdict or a not-judged row says of its target: the target as the explanations
    write it, who set it, and where it can be read (statement, document, reference URL)."""
    tau = r["tolerance"] if pd.notna(r["tolerance"]) else 0.0
    return {
        "target": target_text(
            r["comparator"],
            r["value"],
            r["value_high"],
            r["unit"] or "",
            r["measure"],
            r["direction"],
            tau,
        ),  # fmt: skip
        "set_by": sources.set_by(r["doc_id"], r["statement_id"]),
        "target_statement_id": r["statement_id"],
        "target_doc_id": r["doc_id"] or None,
        "target_url": sources.target_url(r["statement_id"]),
    }


def verdict_rows(comparisons: pd.DataFrame, sources: Sources) -> list[dict]:
    """One row per judged target (exceeded, met, boundary, narrow miss, missed)."""
    rows = []
    for r in comparisons[comparisons["status"].isin(JUDGED)].to_dict("records"):
        unit = r["unit"] or ""
        outcome = f"{_num(r['outcome_value'])}{unit} ({r['outcome_period']})"
        if r["outcome_kind"] == "expected":
            outcome += " estimate 预计"
        rows.append(
            {
                **sources.describe(r["outcome_id"]),
                "comparison": "verdict",
                "indicator_id": r["indicator_id"],
                "indicator_label": r["indicator_label"] or r["indicator_text"],
                "year": r["year"],
                **target_fields(r, sources),
                "outcome": outcome,
                "gap": finding_gap_text(r["signed_gap"], unit, r["measure"]),
                "call": r["status"],
                "call_zh": STATUS_ZH[r["status"]],
                "explanation": r["explanation"],
            }
        )
    return rows


def _goal_fields(r: Mapping, sources: Sources) -> dict:
    """What a tracking or pace row says of its multi-year goal: indicator, goal, who set it."""
    return {
        "indicator_id": r["indicator_id"],
        "indicator_label": r["indicator_label"],
        "year": r["target_year"],
        "target": _goal_text(r["comparator"], r["target_value"], r["unit"], r["target_year"]),
        "set_by": sources.set_by(r["doc_id"], r["statement_id"]),
        "target_statement_id": r["statement_id"],
        "target_doc_id": r["doc_id"] or None,
        "target_url": sources.target_url(r["statement_id"]),
    }


def tracking_rows(tracking: pd.DataFrame, sources: Sources) -> list[dict]:
    """One row per multi-year goal with a progress label (提前实现 … 滞后于预期)."""
    rows = []
    for r in tracking[tracking["label"].notna()].to_dict("records"):
        outcome = f"{_num(r['latest_value'])}{r['unit'] or ''} ({r['latest_year']})"
        if r["latest_kind"] == "expected":
            outcome += " estimate 预计"
        needs = _pct_per_year(r["g_remaining"])
        ratio = r["progress_ratio_R"]
        gap = "; ".join(
            part
            for part in (
                ("goal already reached" if r["g_remaining"] <= 0 else f"still needs {needs}")
                if needs
                else "",
                f"achieved {_pct_per_year(r['g_achieved'])}" if pd.notna(r["g_achieved"]) else "",
                f"R = {float(ratio):.2f}" if pd.notna(ratio) else "",
            )
            if part
        )
        rows.append(
            {
                **sources.describe(r["latest_id"]),
                "comparison": "tracking",
                **_goal_fields(r, sources),
                "outcome": outcome,
                "gap": gap,
                "call": r["label_en"],
                "call_zh": r["label_zh"],
                "explanation": r["note"] or "",
            }
        )
    return rows


def pace_rows(pace: pd.DataFrame, sources: Sources) -> list[dict]:
    """One row per annual growth target set against the pace a multi-year goal needs."""
    rows = []
    for r in pace.to_dict("records"):
        annual = (
            f"{_num(r['annual_value'])}–{_num(r['annual_value_high'])}%"
            if r["annual_comparator"] == "range"
            else f"{COMPARATOR_SYMBOLS.get(r['annual_comparator'], '')}{_num(r['annual_value'])}%"
        )
        rows.append(
            {
                **sources.describe(r["annual_statement_id"]),
                "comparison": "pace",
                **_goal_fields(r, sources),
                "year": r["annual_year"],
                "outcome": f"{r['annual_year']} annual target growth {annual} "
                f"(needs {float(r['needed_growth']):.2f}%/yr)",
                "gap": f"{float(r['shortfall_pp']):.2f} pp below the pace"
                if r["pace_status"] == "below_pace"
                else "",
                "call": r["pace_status"],
                "call_zh": PACE_ZH.get(r["pace_status"], ""),
                "explanation": r["explanation"],
            }
        )
    return rows


def self_report_rows(completion: pd.DataFrame, sources: Sources) -> list[dict]:
    """One row per self-reported completion rate (完成年度任务的X%)."""
    rows = []
    for r in completion.to_dict("records"):
        period = (
            r["period_end"]
            if r["period_start"] == r["period_end"]
            else f"{r['period_start']}..{r['period_end']}"
        )
        rows.append(
            {
                **sources.describe(r["statement_id"]),
                "comparison": "self_report",
                "indicator_id": r["indicator_id"],
                "indicator_label": r["indicator_label"] or r["indicator_text"],
                "year": r["year"],
                "target": "100% of the year's task (the government's own measure)",
                "set_by": "",
                "outcome": f"{_num(r['value'])}{r['unit'] or ''} ({period}, self-reported)",
                "gap": f"{float(r['value']) - 100:+.4g} pp" if pd.notna(r["value"]) else "",
                "call": r["self_status"],
                "call_zh": SELF_ZH.get(r["self_status"], ""),
                "explanation": r["explanation"],
            }
        )
    return rows


def headline(
    *,
    comparisons: pd.DataFrame,
    tracking: pd.DataFrame,
    pace: pd.DataFrame,
    completion: pd.DataFrame,
    sources: Sources,
) -> pd.DataFrame:
    """The headline table (schema "headline"): verdicts, then tracking, pace and self-reports;
    within each kind by year and indicator. Pass the rows a page is about (a year's, a plan's)."""
    rows = (
        verdict_rows(comparisons, sources)
        + tracking_rows(tracking, sources)
        + pace_rows(pace, sources)
        + self_report_rows(completion, sources)
    )
    table = schema.from_records("headline", rows)
    order = {k: i for i, k in enumerate(schema.HEADLINE_KINDS)}
    return table.sort_values(
        ["comparison", "year", "indicator_label"],
        key=lambda c: c.map(order) if c.name == "comparison" else c,
        kind="stable",
    ).reset_index(drop=True)


#: Why a target is not judged, by status and what the comparison found (the counts' labels).
REASONS = {
    "not_yet_due": "falls due after the newest figure in the corpus",
    "no_outcome_unmapped": "indicator not in the registry and no outcome with the same phrase",
    "no_outcome_candidates": "outcomes of this indicator exist, none for this measure and year",
    "no_outcome": "no outcome of this indicator for the year in the corpus or reference",
    "not_comparable": "an outcome exists but cannot be compared (part-year, unit or measure)",
}


def _reason(row: Mapping) -> str:
    status = row["status"]
    if status != "no_outcome":
        return status
    if not isinstance(row["indicator_id"], str) or not row["indicator_id"]:
        return "no_outcome_unmapped"
    n = row["n_candidates"]
    return "no_outcome_candidates" if pd.notna(n) and n > 0 else "no_outcome"


def unjudged(comparisons: pd.DataFrame, sources: Sources) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts by reason, the rows) of the targets that cannot be judged.

    counts: reason, status, status_zh, n, what (the reason in words); rows: indicator_label,
    year, target, set_by, target_statement_id, target_doc_id, status, reason.
    """
    rest = comparisons[comparisons["status"].isin(NOT_JUDGED)]
    rows = []
    for r in rest.to_dict("records"):
        rows.append(
            {
                "indicator_label": r["indicator_label"] or r["indicator_text"],
                "year": r["year"],
                **target_fields(r, sources),
                "status": r["status"],
                "reason": REASONS[_reason(r)],
            }
        )
    listed = pd.DataFrame(
        rows,
        columns=["indicator_label", "year", "target", "set_by", "target_statement_id",
                 "target_doc_id", "target_url", "status", "reason"],
    )  # fmt: skip
    counts = (
        listed.groupby(["status", "reason"], sort=False).size().rename("n").reset_index()
        if len(listed)
        else pd.DataFrame(columns=["status", "reason", "n"])
    )
    counts.insert(1, "status_zh", counts["status"].map(STATUS_ZH))
    return counts.sort_values("n", ascending=False, kind="stable").reset_index(drop=True), listed
