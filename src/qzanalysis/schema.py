"""The contract of every table, in one place: vocabularies, columns, dtypes, meanings, units.

Every module that makes, validates, exports or draws a table reads it from here: the extractor
and ``coerce`` give a table its columns and dtypes, review and reference validate against the
vocabularies, the codebook and Stata variable labels take the meanings and units, the plots take
the status order and Chinese labels. A column means the same thing in every table it appears in
(``FIELDS`` is keyed by column name); ``TABLES`` says which columns a table has, in order, with
their pandas dtypes.

Add a column: give it a line in ``FIELDS`` (meaning, unit) and in the table's dtype list below.
The codebook test fails on a column without a meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

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
}

# name -> (meaning, unit)
# fmt: off
_DOCS: dict[str, tuple[str, str]] = {
    # statements (extractor contract) and reference extras
    "statement_id": ("stable id of the statement (reference rows: ref-NNN = data row N)", ""),
    "doc_id": ("document id from data/raw/manifest.csv (empty for reference rows)", ""),
    "kind": ("target (plan), outcome (reported as achieved) or expected (estimate)", ""),
    "indicator_id": ("canonical indicator id from data/indicators.yaml (empty when unmapped)", ""),
    "indicator_text": ("indicator phrase as written in the source", ""),
    "measure": ("level, growth, change, count, share, ratio, rank, completion or gap (difference from a named benchmark)", ""),
    "direction": ("increase or decrease for change/growth wording, else empty", ""),
    "period_start": ("first period covered, YYYY or YYYY-MM", "date"),
    "period_end": ("last period covered, YYYY or YYYY-MM", "date"),
    "value": ("the number as written (decreases as positive magnitudes)", "see unit"),
    "value_high": ("upper end of a range (empty otherwise)", "see unit"),
    "unit": ("normalised unit as written (%, 亿元, 万人, ...)", ""),
    "comparator": ("eq, approx (左右), ge (以上), gt (超过), le (以内), lt (低于), range", ""),
    "char_start": ("start offset of the evidence in the document text", "characters"),
    "char_end": ("end offset (exclusive) of the evidence in the document text", "characters"),
    "quote": ("the sentence holding the statement (reference rows: the note)", ""),
    "evidence": ("document text between char_start and char_end", ""),
    "section": ("document section the statement sits in", ""),
    "source": ("who produced the row: extractor, review or reference", ""),
    "indicator_en": ("English description given in the reference file", ""),
    "source_url": ("web page(s) the reference figure was seen on, space-separated", ""),
    "confidence": ("reference grade: high (faithful copy), medium (news quoting), low", ""),
    "source_kind": ("reference source type: news, other, ...", ""),
    "note": ("plain-language note", ""),
    "file_line": ("line of the reference CSV the row came from", "line"),
    # comparisons
    "target_origin": ("where the target comes from: corpus or reference", ""),
    "indicator_label": ("indicator name, Chinese with English gloss", ""),
    "category": ("indicator category from the registry (economy, fiscal, ...)", ""),
    "polarity": ("higher_better, lower_better or two_sided (rank: lower_better)", ""),
    "year": ("year the target (or row) refers to: end year of its period", "year"),
    "tolerance": ("tau: approx band and half the narrow_miss zone", "target unit (pp for rates)"),
    "threshold": ("value the signed gap is measured from (T, or the bad-side bound of a range)",
                  "target unit"),
    "outcome_id": ("statement_id of the outcome used (a+b for summed counts, a→b for a derived change)", ""),
    "outcome_value": ("outcome in the target's unit (change targets: movement in the stated direction)",
                      "target unit"),
    "outcome_unit": ("unit of outcome_value (= the target's unit)", ""),
    "outcome_value_written": ("outcome as written in its source", "outcome_unit_written"),
    "outcome_unit_written": ("unit the outcome was written in", ""),
    "outcome_period": ("period of the outcome used, YYYY or start..end", "date"),
    "outcome_kind": ("outcome (final) or expected (estimate, flagged)", ""),
    "outcome_source": ("doc_id of the outcome, or the reference page URL", ""),
    "outcome_confidence": ("confidence of a reference outcome (empty for corpus outcomes)", ""),
    "matched_by": ("how the outcome was matched to the target: id (same registry indicator_id) or text (same indicator phrase after normalisation, no registry id)", ""),
    "outcome_comparator": ("how the outcome was stated: eq (exact), approx (约/左右), gt/ge (超过/突破: a lower bound), lt/le (an upper bound)", ""),
    "candidates": ("every outcome figure of the indicator considered, with why it was used or not", ""),
    "n_candidates": ("number of outcome figures of the indicator considered", "count"),
    "signed_gap": ("raw gap, positive = better than planned (by polarity / comparator)", "target unit"),
    "signed_gap_published": ("gap with the outcome rounded to the target's published precision",
                             "target unit"),
    "relative_gap": ("signed_gap divided by |threshold|", "fraction"),
    "status": ("exceeded, met, boundary, narrow_miss, missed, not_yet_due, no_outcome, not_comparable", ""),
    "just_met": ("attained with 0 <= gap <= 0.1 pp (levels: 0.1% of the threshold)", "boolean"),
    "explanation": ("one-line verdict a reader can check by hand", ""),
    # tracking
    "target_year": ("year the multi-year target is due", "year"),
    "target_value": ("target level YT", "unit"),
    "base_year": ("year 0: last outcome before the plan starts", "year"),
    "base_value": ("base level Y0", "unit"),
    "base_source": ("source of the base level", ""),
    "latest_year": ("year of the latest annual outcome", "year"),
    "latest_value": ("latest level Yt (count targets: cumulative sum so far)", "unit"),
    "latest_kind": ("outcome, expected or derived (a level implied by a stated change; tracking only)", ""),
    "latest_source": ("source of the latest level", ""),
    "T_years": ("years from base to target year", "years"),
    "t_years": ("years from base to latest outcome", "years"),
    "g_required": ("required CAGR g* = (YT/Y0)^(1/T) - 1", "fraction per year"),
    "g_achieved": ("achieved CAGR g_t = (Yt/Y0)^(1/t) - 1", "fraction per year"),
    "g_remaining": ("growth still needed per year (YT/Yt)^(1/(T-t)) - 1", "fraction per year"),
    "progress_P": ("share of the way covered (log for amounts, linear for shares/counts)", "fraction"),
    "progress_ratio_R": ("R = P / (t/T); 1 = exactly on schedule", "ratio"),
    "label_zh": ("提前实现 / 快于预期 (R>=1.1) / 基本符合预期 (0.9<=R<1.1) / 滞后于预期 (R<0.9)", ""),
    "label_en": ("English gloss of label_zh", ""),
    "label": ("label_zh with the English gloss", ""),
    "n_annual": ("number of annual outcomes available for the trend", "count"),
    "trend_prediction": ("OLS log-trend prediction at the target year", "unit"),
    "trend_pi_lower": ("lower end of the prediction interval (alpha 0.2) at the target year", "unit"),
    "trend_pi_upper": ("upper end of the prediction interval (alpha 0.2) at the target year", "unit"),
    "trend_call": ("on_track, behind (interval reaches the target) or off_track (whole interval short)", ""),
    # consistency
    "check": ("different_values, estimate_vs_final, target_restated or level_vs_growth", ""),
    "period": ("period compared, YYYY or start..end", "date"),
    "statement_id_a": ("first figure: statement id", ""),
    "kind_a": ("first figure: kind", ""),
    "source_a": ("first figure: doc_id or reference id, confidence and URL", ""),
    "value_a": ("first figure: value (level_vs_growth: growth implied by the levels)", "unit_a"),
    "unit_a": ("first figure: unit", ""),
    "statement_id_b": ("second figure: statement id", ""),
    "kind_b": ("second figure: kind", ""),
    "source_b": ("second figure: doc_id or reference id, confidence and URL", ""),
    "value_b": ("second figure: value", "unit_b"),
    "unit_b": ("second figure: unit", ""),
    "difference": ("value_b - value_a (in unit_a)", "unit_a"),
    "relative_difference": ("difference / |value_a|", "fraction"),
    # coverage
    "n_targets": ("targets (attainment: all targets in the group; coverage: corpus targets ending that year)", "count"),
    "n_targets_reference": ("reference targets ending that year", "count"),
    "n_outcomes": ("corpus outcomes ending that year", "count"),
    "n_outcomes_reference": ("reference outcomes ending that year", "count"),
    "n_expected": ("estimates (corpus and reference) ending that year", "count"),
    "n_partial_year": ("outcomes covering only part of the year (e.g. Jan-Sep)", "count"),
    "target_documents": ("documents setting targets for the year, with counts", ""),
    "outcome_documents": ("documents reporting outcomes for the year, with counts", ""),
    "reference_rows": ("reference outcomes and estimates about the year (ids)", ""),
    "reference_target_rows": ("reference targets for the year (ids)", ""),
    "n_judged": ("targets with a verdict (exceeded, met, boundary, narrow_miss, missed)", "count"),
    "n_targets_without_outcome": ("targets of the year not judged (not yet due, no outcome, not comparable)", "count"),
    "targets_without_outcome": ("those targets with their status", ""),
    # attainment
    "grouping": ("what the rows are grouped by: all, year, category or indicator_id", ""),
    "group": ("the group's value", ""),
    "k_attained": ("judged targets exceeded, met or boundary", "count"),
    "k_lenient": ("k_attained plus narrow_miss", "count"),
    "rate_strict": ("k_attained / n_judged; NaN when n_judged < 5", "fraction"),
    "ci_low_strict": ("Wilson 95% interval, lower end, strict rate", "fraction"),
    "ci_high_strict": ("Wilson 95% interval, upper end, strict rate", "fraction"),
    "rate_lenient": ("k_lenient / n_judged; NaN when n_judged < 5", "fraction"),
    "ci_low_lenient": ("Wilson 95% interval, lower end, lenient rate", "fraction"),
    "ci_high_lenient": ("Wilson 95% interval, upper end, lenient rate", "fraction"),
    "n_not_yet_due": ("targets not yet due", "count"),
    "n_no_outcome": ("targets due without an outcome", "count"),
    "n_not_comparable": ("targets whose outcome cannot be compared", "count"),
    "review_action": ("review decision applied from data/curated/review.csv: confirm, correct, add "
                      "or empty", ""),
    # shortfall tests
    "test": ("which test: binomial (shortfalls more common than 1/2) or sign test (median gap 0)", ""),
    "n_used": ("judged targets with a non-zero gap (used by the tests)", "count"),
    "n_exact_hits_dropped": ("judged targets with gap exactly 0, dropped by both tests", "count"),
    "k_below": ("judged targets short of the target (gap < 0)", "count"),
    "k_above": ("judged targets better than the target (gap > 0)", "count"),
    "statistic": ("binomial: share below; sign test: statsmodels M = (N+ - N-)/2", ""),
    "p_value": ("p-value of the test", "probability"),
    "alternative": ("alternative hypothesis: larger (binomial) or two-sided (sign test)", ""),
    # target trend and trajectories
    "midpoint": ("target value, or the middle of a range target", "unit"),
    "change_from_previous": ("midpoint minus the previous listed target's midpoint", "unit"),
    "observed": ("outcome level of the year (best source), empty when none", "indicator unit"),
    "observed_kind": ("outcome or expected", ""),
    "observed_source": ("doc_id or reference id of the observed level", ""),
    "fitted": ("OLS trend value (back-transformed from logs)", "indicator unit"),
    "pi_lower": ("prediction interval lower end (alpha 0.2 unless stated)", "indicator unit"),
    "pi_upper": ("prediction interval upper end (alpha 0.2 unless stated)", "indicator unit"),
    "n_points": ("annual observations used in the trend", "count"),
    "n_pairs": ("target-outcome pairs in the regression", "count"),
    "intercept": ("OLS intercept of outcome on target", "pp"),
    "slope": ("OLS slope of outcome on target", "pp per pp"),
    "se_intercept": ("HC3 standard error of the intercept", "pp"),
    "se_slope": ("HC3 standard error of the slope", "pp per pp"),
    # --- issue 9: ratchet and pace (columns of the tables below; one meaning per name) ---
    "target_used": ("T as compared: the target value, the midpoint of a range; a planned fall is negative",
                    "target unit"),
    "delta": ("ratchet Δ: target_used minus the previous year's outcome (pp), or (T / outcome - 1) x 100 for levels (%)",
              "delta_unit"),
    "delta_unit": ("unit of delta: pp (growth; shares in % or 百分点) or % (levels, ratios: % of the previous outcome)", ""),
    "n_delta": ("annual targets with a ratchet Δ in the group", "count"),
    "delta_mean": ("mean of delta over the group", "delta_unit"),
    "delta_min": ("smallest delta of the group", "delta_unit"),
    "delta_max": ("largest delta of the group", "delta_unit"),
    "annual_statement_id": ("annual growth target of the year after latest_year: statement id", ""),
    "annual_doc_id": ("annual growth target: doc_id of the document setting it (empty for reference rows)", ""),
    "annual_year": ("annual growth target: the year it is for (latest_year + 1)", "year"),
    "annual_value": ("annual growth target: value as written (a planned fall as a positive magnitude)", "%"),
    "annual_value_high": ("annual growth target: upper end of a range (empty otherwise)", "%"),
    "annual_comparator": ("annual growth target: eq, approx, ge, gt, le, lt or range", ""),
    "annual_growth": ("planned growth g_y compared: annual_value, a range's midpoint; negative for a fall", "%"),
    "needed_growth": ("growth a year still needed to reach the goal: g_remaining x 100", "% per year"),
    "real_vs_nominal": ("the annual target is real growth (GDP, value added) and the goal a nominal level: indicative",
                        "boolean"),
    "pace_status": ("consistent (annual_growth reaches needed_growth; lower_better: the planned fall reaches the "
                    "needed fall) or below_pace", ""),
    "shortfall_pp": ("how far annual_growth falls short of needed_growth (0 when consistent)", "pp"),
    # --- end ratchet and pace ---
    # --- issue 9: self-reported completion and derived levels ---
    "part_year": ("the period covers only part of a year (前三季度 = Jan-Sep): the year is not over", "boolean"),
    "self_status": ("the government's own verdict on its completion rate: met (reported >= 100%) or below", ""),
    "target_id": ("statement_id of the target whose package verdict (status) is shown beside the self-report: same indicator and year", ""),
    "derivation": ("how a stated average change became a level: additive (pp, units: base + rate x years) or compounding (%: base x (1 + g)^years)", ""),
    "base_id": ("statement_id of the base level (the year before the span) the derived level starts from", ""),
    "base_level": ("base level of the year before the span, in derived_unit", "derived_unit"),
    "derived": ("True when a level follows from the stated change and its base; False: explanation says why not", "boolean"),
    "derived_value": ("level implied at the end of the span by base_level and the stated change (tracking only, never a verdict)", "derived_unit"),
    "derived_unit": ("unit of derived_value and base_level", ""),
    "derived_comparator": ("bound of the derived level: approx (rounded rate or base), ge/gt (a lower bound: 以上), le/lt (an upper bound)", ""),
    # --- end completion and derived ---
}

# fmt: on

FIELDS: dict[str, Field] = {
    name: Field(meaning, unit, ALLOWED.get(name, ())) for name, (meaning, unit) in _DOCS.items()
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
    "T_years": "Int64", "t_years": "Int64", "g_required": "Float64", "g_achieved": "Float64",
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
    "status": "string", "change_from_previous": "Float64",
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

TABLES: dict[str, dict[str, str]] = {
    "statements": _STATEMENTS,
    "reference": {**_STATEMENTS, **_REFERENCE_EXTRA},
    "comparisons": _COMPARISONS,
    "tracking": _TRACKING,
    "consistency": _CONSISTENCY,
    "coverage": _COVERAGE,
    "attainment": _ATTAINMENT,
    "shortfall": _SHORTFALL,
    "target_trend": _TARGET_TREND,
    "trajectory": _TRAJECTORY,
    # --- issue 9: ratchet and pace tables ---
    "ratchet": _RATCHET,
    "ratchet_summary": _RATCHET_SUMMARY,
    "pace": _PACE,
    # --- end ratchet and pace tables ---
    # --- issue 9: completion and derived tables ---
    "completion": _COMPLETION,
    "derived": _DERIVED,
    # --- end completion and derived tables ---
}
#: Columns of the statements contract, in order (extractor, review, reference all share it).
STATEMENT_COLUMNS: list[str] = list(_STATEMENTS)
STATEMENT_DTYPES: dict[str, str] = dict(_STATEMENTS)
#: What a statement states (between its id and its span): the fields a review may correct.
STATEMENT_FIELDS: tuple[str, ...] = tuple(
    STATEMENT_COLUMNS[STATEMENT_COLUMNS.index("kind") : STATEMENT_COLUMNS.index("comparator") + 1]
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
