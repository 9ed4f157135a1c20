"""Export tables: Excel-safe CSV, optional Parquet and Stata .dta, and a data dictionary.

Every column of every exported table is described once in :data:`COLUMN_DOCS` (meaning and
unit), so the codebook (``codebook.csv``) and ``README.md`` written beside the tables cannot drift
from the code. A column without a description is listed by :func:`undescribed_columns` (the test
suite fails on it) and appears in the codebook as 'UNDESCRIBED'.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from . import paths

# name -> (meaning, unit). One meaning per column name across all tables.
COLUMN_DOCS: dict[str, tuple[str, str]] = {
    # statements (extractor contract) and reference extras
    "statement_id": ("stable id of the statement (reference rows: ref-NNN = data row N)", ""),
    "doc_id": ("document id from data/raw/manifest.csv (empty for reference rows)", ""),
    "kind": ("target (plan), outcome (reported as achieved) or expected (estimate)", ""),
    "indicator_id": ("canonical indicator id from data/indicators.yaml (empty when unmapped)", ""),
    "indicator_text": ("indicator phrase as written in the source", ""),
    "measure": ("level, growth, change, count, share, ratio, rank or completion", ""),
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
    "latest_kind": ("outcome or expected", ""),
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
    "reference_rows": ("reference rows about the year", ""),
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
}


def describe_column(name: str) -> tuple[str, str] | None:
    """(meaning, unit) of a column, or None when it is not described."""
    return COLUMN_DOCS.get(name)


def undescribed_columns(frames: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Columns of ``frames`` missing from :data:`COLUMN_DOCS`, by table (empty dict = all good)."""
    out = {name: [c for c in f.columns if c not in COLUMN_DOCS] for name, f in frames.items()}
    return {k: v for k, v in out.items() if v}


def codebook(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (table, column): name, type, meaning, unit."""
    rows = []
    for table, frame in frames.items():
        for col in frame.columns:
            meaning, unit = COLUMN_DOCS.get(col, ("UNDESCRIBED: add it to qzanalysis.tables.COLUMN_DOCS", ""))
            rows.append({"table": table, "column": col, "type": str(frame[col].dtype),
                         "meaning": meaning, "unit": unit})
    return pd.DataFrame(rows, columns=["table", "column", "type", "meaning", "unit"]).astype("string")


_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: Path, writer: Callable[[Path], None]) -> Path:
    """Write through a temporary file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600 files; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy without ``attrs`` (pyarrow stores attrs as JSON; they may hold frames)."""
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


def _for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out


def stata_name(name: str, taken: set[str]) -> str:
    """An ASCII Stata variable name (letters, digits, _; <= 32 chars; not starting with a digit)."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", name)[:32] or "v"
    if base[0].isdigit():
        base = ("v" + base)[:32]
    cand, i = base, 1
    while cand.lower() in taken:
        suffix = f"_{i}"
        cand, i = base[: 32 - len(suffix)] + suffix, i + 1
    taken.add(cand.lower())
    return cand


def _truncate_bytes(text: str, limit: int = 2045) -> str:
    raw = text.encode("utf-8")
    return text if len(raw) <= limit else raw[:limit].decode("utf-8", errors="ignore")


def for_stata(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Convert nullable dtypes, cut strings to 2045 bytes and rename columns for Stata.

    Returns the converted frame and {stata_name: original name} for variable labels.
    """
    taken: set[str] = set()
    out = pd.DataFrame(index=range(len(frame)))
    labels: dict[str, str] = {}
    for col in frame.columns:
        s = frame[col].reset_index(drop=True)
        name = stata_name(str(col), taken)
        if pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
            s = s.astype("Float64").astype("float64")
        elif pd.api.types.is_integer_dtype(s.dtype):
            s = s.astype("Float64").astype("float64") if s.isna().any() else s.astype("int64")
        elif pd.api.types.is_float_dtype(s.dtype):
            s = s.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = s.dt.strftime("%Y-%m-%d").fillna("")
        else:
            s = s.astype("object").where(s.notna(), "").map(lambda v: _truncate_bytes(str(v)))
        out[name] = s.to_numpy() if s.dtype != object else s.astype(object)
        meaning = COLUMN_DOCS.get(str(col), ("", ""))[0]
        labels[name] = _truncate_bytes(f"{col}: {meaning}" if meaning else str(col), 80)
    return out, labels


def write_tables(
    frames: Mapping[str, pd.DataFrame],
    out_dir: str | Path | None = None,
    *,
    parquet: bool = False,
    stata: bool = False,
) -> list[Path]:
    """Write each table as CSV (UTF-8 with BOM for Excel, ISO dates, no index), plus Parquet and
    Stata .dta on request, and the data dictionary ``codebook.csv`` + ``README.md``.

    Every file is written atomically. Returns the paths written.
    """
    out = Path(out_dir) if out_dir else paths.TABLES_DIR
    written: list[Path] = []
    for name, frame in frames.items():
        csv = out / f"{name}.csv"
        written.append(atomic_write(csv, lambda p, f=frame: _for_csv(f).to_csv(
            p, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")))
        if parquet:
            written.append(atomic_write(out / f"{name}.parquet",
                                         lambda p, f=frame: _without_attrs(f).to_parquet(p, index=False)))
        if stata:
            data, labels = for_stata(frame)
            written.append(atomic_write(out / f"{name}.dta", lambda p, d=data, lab=labels: d.to_stata(
                p, write_index=False, version=118, variable_labels=lab)))
    book = codebook(frames)
    written.append(atomic_write(out / "codebook.csv",
                                 lambda p: book.to_csv(p, index=False, encoding="utf-8-sig")))
    written.append(atomic_write(out / "README.md", lambda p: p.write_text(
        _readme(frames, book, parquet=parquet, stata=stata), encoding="utf-8")))
    return written


def _readme(frames, book: pd.DataFrame, *, parquet: bool, stata: bool) -> str:
    formats = ["CSV (UTF-8 with BOM so Excel shows Chinese; dates as ISO YYYY-MM-DD; no index)"]
    if parquet:
        formats.append("Parquet (same columns and dtypes)")
    if stata:
        formats.append("Stata .dta version 118 (Unicode; nullable columns as missing; strings cut "
                       "at 2045 bytes; variable labels hold the meanings)")
    lines = [
        "# Tables written by `qzanalysis compare`", "",
        "Generated files: regenerate with `qzanalysis compare` (never edit by hand).", "",
        "Formats: " + "; ".join(formats) + ".", "",
        "Statuses: exceeded, met, boundary (gt/lt hit exactly), narrow_miss (bad side within 2 tau),",
        "missed, not_yet_due, no_outcome, not_comparable. See docs/methods.md for every rule.", "",
    ]
    for table, frame in frames.items():
        lines += [f"## {table}", "", f"{len(frame)} rows.", "", "| column | type | meaning | unit |",
                  "|---|---|---|---|"]
        for r in book[book["table"] == table].itertuples():
            lines.append(f"| {r.column} | {r.type} | {r.meaning.replace('|', '/')} | {r.unit} |")
        lines.append("")
    return "\n".join(lines)

