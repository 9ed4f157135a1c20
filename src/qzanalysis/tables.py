"""Export tables: Excel-safe CSV, optional Parquet and Stata .dta, and a data dictionary.

Every column of every exported table is described once in :data:`qzanalysis.schema.FIELDS`
(meaning, unit, allowed values), so the codebook (``codebook.csv``), the Stata variable labels
and the ``README.md`` written beside the tables cannot drift from the code. A column without a
description is listed by :func:`undescribed_columns` (the test suite fails on it) and appears in
the codebook as 'UNDESCRIBED'.

Every file goes through :func:`atomic_write`, which refuses paths inside data/raw, data/curated
and data/reference (:func:`qzanalysis.paths.check_output`). CSV text cells that a spreadsheet
would run as a formula get a leading ``'`` (:func:`excel_safe`, :data:`CSV_SAFETY_NOTE`);
Parquet and Stata keep the raw text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from . import paths, schema
from .datapackage import datapackage_json

_UNDESCRIBED = schema.Field("UNDESCRIBED: add it to qzanalysis.schema (FIELDS and the table)")
CODEBOOK_COLUMNS = ["table", "column", "type", "meaning", "unit", "allowed"]


def undescribed_columns(frames: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Columns of ``frames`` missing from the schema's FIELDS, by table (empty dict = all good)."""
    out = {name: [c for c in f.columns if schema.describe(c) is None] for name, f in frames.items()}
    return {k: v for k, v in out.items() if v}


def codebook(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (table, column): name, type, meaning, unit, allowed values."""
    rows = []
    for table, frame in frames.items():
        for col in frame.columns:
            field = schema.describe(col) or _UNDESCRIBED
            rows.append(
                {
                    "table": table,
                    "column": col,
                    "type": str(frame[col].dtype),
                    "meaning": field.meaning,
                    "unit": field.unit,
                    "allowed": " | ".join(field.allowed),
                }
            )
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS).astype("string")


_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(
    path: Path,
    writer: Callable[[Path], None],
    *,
    check: Callable[[Path], object] | None = None,
    mode: int | None = None,
) -> Path:
    """Write through a temporary file in the same folder and rename: readers never see half a file.

    Refuses (:class:`qzanalysis.paths.OutputPathError`) a path inside data/raw, data/curated or
    data/reference or equal to an input file, so no code path can overwrite the evidence. The
    one exception passes its own ``check``: the review store writes the researcher's review
    file, on request (:mod:`qzanalysis.review.store`). ``mode``: the file's permissions (default:
    readable by all, as shared outputs are).
    """
    path = Path(path)
    (check or paths.check_output)(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK if mode is None else mode)  # mkstemp makes 0600 files
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


#: First characters that make Excel or LibreOffice read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")
CSV_SAFETY_NOTE = (
    "Text cells that start with =, +, -, @, a tab or a carriage return are written to CSV with a "
    "leading ' so that Excel and LibreOffice show them as text instead of running them as "
    "formulas (OWASP advice on CSV injection); numbers, and text that is a plain number such as "
    "-3.5, are written as they are. Parquet and Stata files keep the raw text."
)


def excel_safe_cell(value):
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas (numeric columns untouched)."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(excel_safe_cell)
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).map(excel_safe_cell)
    return out


def _for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return excel_safe(out)


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as the text :func:`write_csv` writes (BOM, CRLF, formula cells neutralised):
    what a page's "download CSV" link carries."""
    text = _for_csv(frame).to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\r\n")
    return "\ufeff" + text


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` atomically as Excel-safe CSV: UTF-8 with BOM, ISO dates, no index.

    Rows end in CRLF (RFC 4180): the csv module quotes a cell holding any character of the line
    terminator, so a document's old-Mac line break (a bare CR) inside ``evidence`` stays inside
    its quoted cell instead of breaking the row.
    """
    safe = _for_csv(frame)
    return atomic_write(
        path,
        lambda p: safe.to_csv(
            p, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d", lineterminator="\r\n"
        ),
    )


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


#: Coded columns written to Stata as numbers with value labels (a researcher tabulates
#: ``status`` and sees "missed", not a string to encode first).
VALUE_LABELLED = ("status", "kind", "measure", "comparator", "outcome_kind", "target_origin")


def _coded(s: pd.Series, allowed: tuple[str, ...]) -> tuple[pd.Series, dict[int, str]] | None:
    """``s`` as codes 1..n of ``allowed`` (missing stays missing), or None when a value is not
    in the vocabulary (then the column stays text)."""
    values = s.astype("object").where(s.notna(), None)
    present = {v for v in values if v not in (None, "")}
    if not present <= set(allowed):
        return None
    codes = {v: i for i, v in enumerate(allowed, start=1)}
    coded = values.map(lambda v: float(codes[v]) if v in codes else float("nan"))
    return coded.astype("float64"), {i: v for v, i in codes.items()}


def for_stata(
    frame: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[int, str]]]:
    """Convert nullable dtypes, cut strings to 2045 bytes and rename columns for Stata.

    Returns the converted frame, {stata_name: label} for variable labels and {stata_name:
    {code: value}} for the value labels of the coded columns in :data:`VALUE_LABELLED`.
    """
    taken: set[str] = set()
    out = pd.DataFrame(index=range(len(frame)))
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[int, str]] = {}
    for col in frame.columns:
        s = frame[col].reset_index(drop=True)
        name = stata_name(str(col), taken)
        field = schema.describe(str(col))
        coded = _coded(s, field.allowed) if field and str(col) in VALUE_LABELLED else None
        if coded is not None:
            s, value_labels[name] = coded
        elif pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
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
        meaning = field.meaning if field else ""
        labels[name] = _truncate_bytes(f"{col}: {meaning}" if meaning else str(col), 80)
    return out, labels, value_labels


def write_tables(
    frames: Mapping[str, pd.DataFrame],
    out_dir: str | Path | None = None,
    *,
    parquet: bool = False,
    stata: bool = False,
    inputs: Iterable[str | Path] = (),
) -> list[Path]:
    """Write each table as CSV (UTF-8 with BOM for Excel, ISO dates, no index), plus Parquet and
    Stata .dta on request, and the data dictionary ``codebook.csv`` + ``README.md``.

    Every file is written atomically; text cells are Excel-safe in the CSV files only
    (:data:`CSV_SAFETY_NOTE`). Returns the paths written.

    Raises:
        qzanalysis.paths.OutputPathError: ``out_dir`` is inside data/, holds an input (``inputs``:
            e.g. the corpus folder) or is a file.
    """
    out = Path(out_dir) if out_dir else paths.TABLES_DIR
    paths.check_output(out, inputs, expect="dir")
    written: list[Path] = []
    for name, frame in frames.items():
        written.append(write_csv(frame, out / f"{name}.csv"))
        if parquet:
            written.append(
                atomic_write(
                    out / f"{name}.parquet",
                    lambda p, f=frame: _without_attrs(f).to_parquet(p, index=False),
                )
            )
        if stata:
            data, labels, values = for_stata(frame)
            written.append(
                atomic_write(
                    out / f"{name}.dta",
                    lambda p, d=data, lab=labels, val=values: d.to_stata(
                        p, write_index=False, version=118, variable_labels=lab, value_labels=val
                    ),
                )
            )
    book = codebook(frames)
    written.append(write_csv(book, out / "codebook.csv"))
    package = datapackage_json(
        {**frames, "codebook": book},
        title="qzanalysis tables: stated plans and reported outcomes",
        created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    )
    written.append(
        atomic_write(out / "datapackage.json", lambda p: p.write_text(package, encoding="utf-8"))
    )
    written.append(
        atomic_write(
            out / "README.md",
            lambda p: p.write_text(
                _readme(frames, book, parquet=parquet, stata=stata), encoding="utf-8"
            ),
        )
    )
    return written


def _readme(frames, book: pd.DataFrame, *, parquet: bool, stata: bool) -> str:
    formats = ["CSV (UTF-8 with BOM so Excel shows Chinese; dates as ISO YYYY-MM-DD; no index)"]
    if parquet:
        formats.append("Parquet (same columns and dtypes)")
    if stata:
        formats.append(
            "Stata .dta version 118 (Unicode; nullable columns as missing; strings cut "
            "at 2045 bytes; variable labels hold the meanings; the coded columns "
            + ", ".join(VALUE_LABELLED)
            + " are numbers with value labels)"
        )
    lines = [
        "# Tables written by `qzanalysis compare`",
        "",
        "Generated files: regenerate with `qzanalysis compare` (never edit by hand).",
        "",
        "Formats: " + "; ".join(formats) + ".",
        "",
        CSV_SAFETY_NOTE,
        "",
        "`datapackage.json` describes every CSV as a Frictionless Data Package (types, "
        "meanings, units, allowed values): `frictionless validate datapackage.json`.",
        "",
        "Statuses: "
        + ", ".join(schema.STATUSES)
        + " (boundary: gt/lt hit exactly; narrow_miss: bad",
        "side within 2 tau). See docs/methods.md for every rule.",
        "",
    ]
    for table, frame in frames.items():
        lines += [
            f"## {table}",
            "",
            f"{len(frame)} rows.",
            "",
            "| column | type | meaning | unit | allowed values |",
            "|---|---|---|---|---|",
        ]
        for r in book[book["table"] == table].itertuples():
            allowed = r.allowed.replace(" | ", ", ")
            lines.append(
                f"| {r.column} | {r.type} | {r.meaning.replace('|', '/')} | {r.unit} | {allowed} |"
            )
        lines.append("")
    return "\n".join(lines)
