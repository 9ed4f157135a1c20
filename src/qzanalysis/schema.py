"""The contract of every table, in one place: vocabularies, columns, dtypes, meanings, units.

Every module that makes, validates, exports or draws a table reads it from here: the extractor
and ``coerce`` give a table its columns and dtypes, review and reference validate against the
vocabularies, the codebook and Stata variable labels take the meanings and units, the plots take
the status order and Chinese labels. A column means the same thing in every table it appears in
(``FIELDS`` is keyed by column name); ``TABLES`` says which columns a table has, in order, with
their pandas dtypes.

Add a column: give it a line in ``FIELDS`` (meaning, unit) and in the table's dtype list below.
The codebook test fails on a column without a meaning.

Every table of an analysis (``CITY_TABLES``) starts with the city key ``CITY_COLUMNS`` (city,
city_code): a producer that knows nothing of cities (the extractor, a comparison run on one
city's statements) leaves it empty, and :mod:`qzanalysis.pipeline` fills it per city.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from .columns import MEANINGS

# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------

# fmt: off
KINDS = ("target", "outcome", "expected")
#: kinds that report what happened (final or estimated); ``target`` is a plan
OUTCOME_KINDS = ("outcome", "expected")
MEASURES = ("level", "growth", "change", "count", "share", "ratio", "rank", "completion", "gap")
#  gap: a difference from a named benchmark ("高于全省平均水平0.5个百分点"), never a change of the
#  indicator itself; matched only with another gap
#: measures that describe a state at a date (compared with one another, never with growth)
STATE_MEASURES = frozenset({"level", "share", "ratio"})
DIRECTIONS = ("increase", "decrease")
COMPARATORS = ("eq", "approx", "ge", "gt", "le", "lt", "range")
COMPARATOR_SYMBOLS = {"approx": "≈", "ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "="}
CONFIDENCES = ("high", "medium", "low")
CONFIDENCE_RANK = {"high": 3, "medium": 2, "low": 1}
POLARITIES = ("higher_better", "lower_better", "two_sided")
CATEGORIES = (
    "economy", "fiscal", "income", "industry", "innovation", "environment", "employment",
    "society", "governance",
)
#: Kinds of document a manifest may list (manifest column ``doc_type``).
DOC_TYPES = (
    "work_report", "work_report_excerpt", "work_report_highlights", "plan_proposal",
    "plan_outline", "plan_evaluation", "reply_to_deputies", "statistical_bulletin", "news",
    "other",
)
SOURCES = ("extractor", "review", "reference")
TARGET_ORIGINS = ("corpus", "reference")
REVIEW_ACTIONS = ("confirm", "reject", "correct", "add")

#: Verdicts (methods.md §3) in reading order: the first five are judgements.
STATUSES = (
    "exceeded", "met", "boundary", "narrow_miss", "missed", "not_yet_due", "no_outcome",
    "not_comparable",
)
JUDGED = STATUSES[:5]
ATTAINED = ("exceeded", "met", "boundary")
NOT_JUDGED = STATUSES[5:]
STATUS_ZH = {
    "exceeded": "超额完成", "met": "完成", "boundary": "恰好持平", "narrow_miss": "基本完成",
    "missed": "未完成", "not_yet_due": "未到期", "no_outcome": "无结果数据", "not_comparable": "不可比",
}

#: Progress labels of official mid-term evaluations (methods.md §4), Chinese -> English gloss.
PROGRESS_LABELS = {
    "提前实现": "already reached",
    "快于预期": "ahead of schedule",
    "基本符合预期": "broadly on schedule",
    "滞后于预期": "behind schedule",
}
TREND_CALLS = ("on_track", "behind", "off_track")
MATCHED_BY = ("id", "text")
#: Ratchet (methods.md §7): a target minus the previous year's outcome, in pp or in %.
DELTA_UNITS = ("pp", "%")
#: Pace: an annual growth target against the growth a multi-year goal still needs.
PACE_STATUSES = ("consistent", "below_pace")
RATCHET_GROUPINGS = ("all", "year", "indicator_id")
#: The government's own completion rates ("完成年度任务的130%"): met when >= 100%.
SELF_STATUSES = ("met", "below")
#: How a level is implied by a stated average change over a span from a known base.
DERIVATIONS = ("additive", "compounding")
#: The kind of a level implied by a stated change (used for tracking only, never a verdict).
DERIVED_KIND = "derived"
#: What a row of a report's headline table is (issue 10): a verdict on a target that fell due, a
#: multi-year goal's progress call, an annual target against the pace a goal needs, or the
#: government's own completion rate.
HEADLINE_KINDS = ("verdict", "tracking", "pace", "self_report")
#: The series of an indicator's cross-year chart: targets (with their band) and outcomes, an
#: estimate (预计) drawn hollow.
SERIES = ("target", "outcome", "estimate")
CONSISTENCY_CHECKS = ("different_values", "estimate_vs_final", "target_restated", "level_vs_growth")
# fmt: on

# --------------------------------------------------------------------------------------------
# Columns: one meaning and unit per column name, across all tables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """What a column holds: its meaning, its unit, and (for coded columns) the allowed values."""

    meaning: str
    unit: str = ""
    allowed: tuple[str, ...] = ()


#: Coded columns and their vocabularies (empty is allowed where a column may be blank).
ALLOWED: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "measure": MEASURES,
    "direction": DIRECTIONS,
    "comparator": COMPARATORS,
    "confidence": CONFIDENCES,
    "polarity": POLARITIES,
    "category": CATEGORIES,
    "source": SOURCES,
    "target_origin": TARGET_ORIGINS,
    "matched_by": MATCHED_BY,
    "delta_unit": DELTA_UNITS,
    "pace_status": PACE_STATUSES,
    "annual_comparator": COMPARATORS,
    "self_status": SELF_STATUSES,
    "derivation": DERIVATIONS,
    "derived_comparator": COMPARATORS,
    "outcome_comparator": COMPARATORS,
    "status": STATUSES,
    "outcome_kind": OUTCOME_KINDS,
    "latest_kind": (*OUTCOME_KINDS, DERIVED_KIND),
    "observed_kind": OUTCOME_KINDS,
    "kind_a": KINDS,
    "kind_b": KINDS,
    "label_zh": tuple(PROGRESS_LABELS),
    "label_en": tuple(PROGRESS_LABELS.values()),
    "trend_call": TREND_CALLS,
    "check": CONSISTENCY_CHECKS,
    "review_action": ("confirm", "correct", "add"),
    "outcome_confidence": CONFIDENCES,
    "comparison": HEADLINE_KINDS,
    "series": SERIES,
    "status_zh": tuple(STATUS_ZH.values()),
}

FIELDS: dict[str, Field] = {
    name: Field(meaning, unit, ALLOWED.get(name, ())) for name, (meaning, unit) in MEANINGS.items()
}

# --------------------------------------------------------------------------------------------
# Tables: columns in order, with pandas dtypes
# --------------------------------------------------------------------------------------------
# fmt: off

_STATEMENTS: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "kind": "string", "indicator_id": "string",
    "indicator_text": "string", "measure": "string", "direction": "string",
    "period_start": "string", "period_end": "string", "value": "float64", "value_high": "Float64",
    "unit": "string", "comparator": "string", "char_start": "Int64", "char_end": "Int64",
    "quote": "string", "evidence": "string", "section": "string", "source": "string",
}

_REFERENCE_EXTRA: dict[str, str] = {
    "indicator_en": "string",
    "source_url": "string",
    "confidence": "string",
    "source_kind": "string",
    "note": "string",
    "file_line": "Int64",
}

_COMPARISONS: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "target_origin": "string",
    "indicator_id": "string", "indicator_label": "string", "indicator_text": "string",
    "category": "string", "polarity": "string", "measure": "string", "direction": "string",
    "period_start": "string", "period_end": "string", "year": "Int64", "comparator": "string",
    "value": "float64", "value_high": "Float64", "unit": "string", "quote": "string",
    "tolerance": "Float64", "threshold": "Float64", "matched_by": "string", "outcome_id": "string",
    "outcome_comparator": "string",
    "outcome_value": "Float64", "outcome_unit": "string", "outcome_value_written": "Float64",
    "outcome_unit_written": "string", "outcome_period": "string", "outcome_kind": "string",
    "outcome_source": "string", "outcome_confidence": "string", "candidates": "string",
    "n_candidates": "Int64", "signed_gap": "Float64", "signed_gap_published": "Float64",
    "relative_gap": "Float64", "status": "string", "just_met": "boolean",
    "explanation": "string",
}

_TRACKING: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "indicator_id": "string",
    "indicator_label": "string", "measure": "string", "comparator": "string", "unit": "string",
    "target_year": "Int64", "target_value": "float64", "base_year": "Int64",
    "base_value": "Float64", "base_source": "string", "latest_year": "Int64",
    "latest_value": "Float64", "latest_kind": "string", "latest_source": "string",
    "latest_id": "string", "T_years": "Int64", "t_years": "Int64", "g_required": "Float64", "g_achieved": "Float64",
    "g_remaining": "Float64", "progress_P": "Float64", "progress_ratio_R": "Float64",
    "label_zh": "string", "label_en": "string", "label": "string", "n_annual": "Int64",
    "trend_prediction": "Float64", "trend_pi_lower": "Float64", "trend_pi_upper": "Float64",
    "trend_call": "string", "note": "string",
}

_CONSISTENCY: dict[str, str] = {
    "check": "string", "indicator_id": "string", "indicator_label": "string", "measure": "string",
    "period": "string", "statement_id_a": "string", "kind_a": "string", "source_a": "string",
    "value_a": "float64", "unit_a": "string", "statement_id_b": "string", "kind_b": "string",
    "source_b": "string", "value_b": "float64", "unit_b": "string", "difference": "Float64",
    "relative_difference": "Float64", "note": "string",
}

_COVERAGE: dict[str, str] = {
    "year": "Int64", "n_targets": "Int64", "n_targets_reference": "Int64",
    "n_outcomes": "Int64", "n_outcomes_reference": "Int64", "n_expected": "Int64",
    "n_partial_year": "Int64", "target_documents": "string", "outcome_documents": "string",
    "reference_rows": "string", "reference_target_rows": "string", "n_judged": "Int64",
    "n_targets_without_outcome": "Int64", "targets_without_outcome": "string", "note": "string",
}

_ATTAINMENT: dict[str, str] = {
    "grouping": "string", "group": "string", "n_targets": "Int64", "n_judged": "Int64",
    "k_attained": "Int64", "k_lenient": "Int64", "rate_strict": "Float64",
    "ci_low_strict": "Float64", "ci_high_strict": "Float64", "rate_lenient": "Float64",
    "ci_low_lenient": "Float64", "ci_high_lenient": "Float64", "n_not_yet_due": "Int64",
    "n_no_outcome": "Int64", "n_not_comparable": "Int64", "note": "string",
}

_SHORTFALL: dict[str, str] = {
    "test": "string", "n_judged": "Int64", "n_used": "Int64", "n_exact_hits_dropped": "Int64",
    "k_below": "Int64", "k_above": "Int64", "statistic": "Float64", "p_value": "Float64",
    "alternative": "string", "note": "string",
}

_TARGET_TREND: dict[str, str] = {
    "year": "Int64", "indicator_id": "string", "measure": "string", "comparator": "string",
    "value": "float64", "value_high": "Float64", "midpoint": "float64", "unit": "string",
    "statement_id": "string", "source": "string", "outcome_value": "Float64",
    "outcome_kind": "string", "status": "string", "change_from_previous": "Float64",
}

_TRAJECTORY: dict[str, str] = {
    "indicator_id": "string", "year": "Int64", "observed": "Float64", "observed_kind": "string",
    "observed_source": "string", "fitted": "Float64", "pi_lower": "Float64",
    "pi_upper": "Float64", "n_points": "Int64", "note": "string",
}
# fmt: on

# fmt: off
# --- issue 9: ratchet and pace dtypes ---
_RATCHET: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "target_origin": "string",
    "indicator_id": "string", "indicator_label": "string", "polarity": "string",
    "measure": "string", "direction": "string", "comparator": "string", "value": "float64",
    "value_high": "Float64", "unit": "string", "year": "Int64", "target_used": "float64",
    "outcome_id": "string", "outcome_value": "Float64", "outcome_unit": "string",
    "outcome_value_written": "Float64", "outcome_unit_written": "string",
    "outcome_comparator": "string", "outcome_period": "string", "outcome_kind": "string",
    "outcome_source": "string", "outcome_confidence": "string", "delta": "Float64",
    "delta_unit": "string", "explanation": "string",
}

_RATCHET_SUMMARY: dict[str, str] = {
    "grouping": "string", "group": "string", "measure": "string", "delta_unit": "string",
    "n_delta": "Int64", "delta_mean": "Float64", "delta_min": "Float64", "delta_max": "Float64",
}

_PACE: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "indicator_id": "string",
    "indicator_label": "string", "measure": "string", "comparator": "string", "unit": "string",
    "target_year": "Int64", "target_value": "float64", "latest_year": "Int64",
    "latest_value": "Float64", "latest_kind": "string", "latest_source": "string",
    "g_remaining": "Float64", "annual_statement_id": "string", "annual_doc_id": "string",
    "annual_year": "Int64", "annual_value": "float64", "annual_value_high": "Float64",
    "annual_comparator": "string", "annual_growth": "float64", "needed_growth": "float64",
    "real_vs_nominal": "boolean", "pace_status": "string", "shortfall_pp": "float64",
    "explanation": "string",
}
# --- end ratchet and pace dtypes ---
# fmt: on

# fmt: off
# --- issue 9: completion and derived dtypes ---
_COMPLETION: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "kind": "string", "indicator_id": "string",
    "indicator_label": "string", "indicator_text": "string", "period_start": "string",
    "period_end": "string", "year": "Int64", "part_year": "boolean", "value": "float64",
    "unit": "string", "self_status": "string", "target_id": "string", "status": "string",
    "char_start": "Int64", "char_end": "Int64", "quote": "string", "explanation": "string",
}

_DERIVED: dict[str, str] = {
    "statement_id": "string", "doc_id": "string", "kind": "string", "indicator_id": "string",
    "indicator_label": "string", "indicator_text": "string", "measure": "string",
    "direction": "string", "period_start": "string", "period_end": "string", "value": "float64",
    "unit": "string", "comparator": "string", "derivation": "string", "base_id": "string",
    "base_year": "Int64", "base_level": "Float64", "base_source": "string", "year": "Int64",
    "derived": "boolean", "derived_value": "Float64", "derived_unit": "string",
    "derived_comparator": "string", "quote": "string", "explanation": "string",
}
# --- end completion and derived dtypes ---
# fmt: on

# fmt: off
_HEADLINE: dict[str, str] = {
    "comparison": "string", "indicator_id": "string", "indicator_label": "string", "year": "Int64",
    "target": "string", "set_by": "string", "target_statement_id": "string",
    "target_doc_id": "string", "target_url": "string", "outcome": "string", "outcome_from": "string",
    "outcome_statement_id": "string", "outcome_doc_id": "string", "outcome_url": "string",
    "gap": "string", "call": "string", "call_zh": "string", "explanation": "string",
}
_INDICATOR_SERIES: dict[str, str] = {
    "indicator_id": "string", "year": "Int64", "series": "string", "measure": "string",
    "unit": "string", "value": "Float64", "low": "Float64", "high": "Float64",
    "comparator": "string", "status": "string", "statement_id": "string", "doc_id": "string",
    "source_url": "string",
}
# fmt: on

# fmt: off
# --- issue 13: cities ---
#: The city key: the first columns of every table of an analysis (CITY_TABLES). The city is the
#: manifest's ``city`` of the row's document; the code its optional ``city_code`` ("" if none).
CITY_COLUMNS: dict[str, str] = {"city": "string", "city_code": "string"}
#: City x year x indicator (compare/panel.py): one row per distinct target of a registry
#: indicator, with its outcome and verdict, so cities can be set side by side.
_PANEL: dict[str, str] = {
    "year": "Int64", "indicator_id": "string", "indicator_name_zh": "string",
    "indicator_name_en": "string", "category": "string", "measure": "string",
    "direction": "string", "period_start": "string", "period_end": "string",
    "comparator": "string", "value": "float64", "value_high": "Float64", "unit": "string",
    "target": "string", "target_origin": "string", "target_statement_id": "string",
    "target_doc_id": "string", "set_by": "string", "target_url": "string", "stated_in": "string",
    "outcome_value": "Float64", "outcome_period": "string", "outcome_kind": "string",
    "outcome_statement_id": "string", "outcome_doc_id": "string", "outcome_from": "string",
    "outcome_url": "string", "signed_gap": "Float64", "gap": "string", "status": "string",
    "status_zh": "string", "explanation": "string",
}
# --- end cities ---
# fmt: on

#: The tables of an analysis (Analysis.tables() exports them): each is about one city and
#: starts with CITY_COLUMNS.
_BY_CITY: dict[str, dict[str, str]] = {
    "statements": _STATEMENTS,
    "reference": {**_STATEMENTS, **_REFERENCE_EXTRA},
    "comparisons": _COMPARISONS,
    "tracking": _TRACKING,
    "consistency": _CONSISTENCY,
    "coverage": _COVERAGE,
    "attainment": _ATTAINMENT,
    # --- issue 9: ratchet and pace tables ---
    "ratchet": _RATCHET,
    "ratchet_summary": _RATCHET_SUMMARY,
    "pace": _PACE,
    # --- end ratchet and pace tables ---
    # --- issue 9: completion and derived tables ---
    "completion": _COMPLETION,
    "derived": _DERIVED,
    # --- end completion and derived tables ---
    "headline": _HEADLINE,
    "panel": _PANEL,
}
CITY_TABLES: tuple[str, ...] = tuple(_BY_CITY)

TABLES: dict[str, dict[str, str]] = {
    **{name: {**CITY_COLUMNS, **cols} for name, cols in _BY_CITY.items()},
    # views computed on demand from a one-city analysis (Analysis.target_trend, .trajectory, …)
    "shortfall": _SHORTFALL,
    "target_trend": _TARGET_TREND,
    "trajectory": _TRAJECTORY,
    "indicator_series": _INDICATOR_SERIES,
}
#: Columns of the statements contract, in order (extractor, review, reference all share it;
#: the city key is empty until the pipeline fills it from the statement's document).
STATEMENT_COLUMNS: list[str] = list(TABLES["statements"])
STATEMENT_DTYPES: dict[str, str] = dict(TABLES["statements"])
#: What a statement states (between its id and its span): the fields a review may correct.
STATEMENT_FIELDS: tuple[str, ...] = tuple(
    STATEMENT_COLUMNS[STATEMENT_COLUMNS.index("kind") : STATEMENT_COLUMNS.index("comparator") + 1]
)


def require_columns(frame: object, needed: Iterable[str], what: str, caller: str = "") -> None:
    """Check a table handed to a public function: TypeError when ``frame`` is not a DataFrame,
    ValueError naming every column of ``needed`` it lacks (``what`` names the table, ``caller``
    the function, for the message)."""
    where = f"{caller}: " if caller else ""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where}{what} must be a DataFrame, got {type(frame).__name__}")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{where}{what} lacks column(s) {', '.join(missing)}; pass the {what} table "
            "(its columns are in qzanalysis.schema)"
        )


def columns(table: str) -> list[str]:
    """Column names of ``table`` in order."""
    return list(_table(table))


def dtypes(table: str) -> dict[str, str]:
    """{column: pandas dtype} of ``table``."""
    return dict(_table(table))


def describe(name: str) -> Field | None:
    """What column ``name`` holds, or None when it is not described."""
    return FIELDS.get(name)


def empty(table: str) -> pd.DataFrame:
    """An empty ``table`` with its columns and dtypes."""
    spec = _table(table)
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in spec.items()})[list(spec)]


def from_records(table: str, rows: Iterable[Mapping]) -> pd.DataFrame:
    """Build ``table`` from row dicts: missing keys become NA, then every column gets its dtype."""
    spec = _table(table)
    return pd.DataFrame(list(rows), columns=list(spec)).astype(spec)


def coerce(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give ``df`` the columns (added as NA when missing), order and dtypes of ``table``.

    Numbers are parsed leniently (a bad cell becomes NA); columns that are not part of the
    table are kept after the contract's columns.
    """
    spec = _table(table)
    df = df.copy()
    for col, dtype in spec.items():
        if col not in df.columns:
            df[col] = pd.Series([pd.NA] * len(df), dtype=dtype, index=df.index)
        if dtype in ("float64", "Float64", "Int64"):
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(dtype)
        else:
            df[col] = df[col].astype(dtype)
    extras = [c for c in df.columns if c not in spec]
    return df[list(spec) + extras]


def _table(table: str) -> dict[str, str]:
    try:
        return TABLES[table]
    except KeyError:
        raise KeyError(f"no table {table!r} in the schema; known: {', '.join(TABLES)}") from None
