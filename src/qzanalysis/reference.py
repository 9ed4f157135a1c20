"""Secondary reference figures (``data/reference/``) in the statements shape.

The corpus says little about 2020-2024, so ``data/reference/quzhou_reference_facts.csv`` holds
figures seen on public web pages, each with its page (``source_url``) and a ``confidence`` grade
(high | medium | low). :func:`load_reference` reads them into the same columns as extracted
statements (kind, indicator_id, measure, period, value, unit, comparator), so the comparison code
treats a reference figure and a document figure alike while keeping the provenance.

Adding or overriding a figure (no code needed)
-----------------------------------------------
Add a row to the CSV (or to a copy passed as ``path``) with:

* ``kind``: outcome | expected | target;
* ``indicator_zh``: the indicator as the source writes it; it is mapped to an id through
  ``data/indicators.yaml`` (longest synonym wins). A phrase the registry does not know is kept
  (indicator_id empty) and listed in a warning: add a synonym to the YAML;
* ``measure``: level | growth | change | count | share | ratio | rank | completion;
* ``period_start``, ``period_end``: ``YYYY`` or ``YYYY-MM`` (a Jan-Nov figure is 2023-01..2023-11;
  a growth over ``2016``-``2021`` is an average annual growth over that span);
* ``value`` (and ``value_high`` for a range), ``unit`` (empty for a ratio), ``comparator``
  (eq | approx | ge | gt | le | lt | range);
* ``confidence`` (high | medium | low), ``source_kind``, ``source_url`` (required: a figure
  without a source is refused), ``note``;
* ``city`` (optional): the city the figure is about, spelt as the corpus manifest spells it.

Cities (:func:`assign_cities`): a figure is only ever used for its own city. A row without a
city (or a file without the column) belongs to the corpus's city when the corpus holds one city;
when it holds several, such a row is an error naming its line. Rows about a city the corpus does
not hold are left out, with a warning (:class:`OtherCityWarning`) in case the name is misspelt.
The city's code comes from the manifest (``city_code``), never from this file.

A row that repeats another (same kind, indicator_zh, measure, period, value, value_high, unit
and source_url) is refused with both lines: the same figure twice would count one source as
two. A unit that neither the extractor writes nor :mod:`qzanalysis.units` converts is kept and
warned about (:class:`UnknownUnitWarning`, naming the line): it is usually a typing error. The
file must be UTF-8, with as many fields in every row as in the header, and every value finite.

Nothing is overwritten: to *override* a figure, add a row for the same indicator, measure and
period with a better source and a higher confidence. The comparison prefers figures from the
corpus, then reference figures by confidence; :func:`reference_conflicts` lists every
indicator-period that two rows state with different values, so a disagreement stays visible.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from . import paths, schema, units
from .extract.rules import UNITS as EXTRACTOR_UNITS
from .indicators import IndicatorRegistry, load_registry
from .periods import PERIOD_HINT, as_of_key, is_period, period_key
from .schema import COMPARATORS, CONFIDENCES, DIRECTIONS, KINDS, MEASURES

REQUIRED_COLUMNS = (
    "kind",
    "indicator_zh",
    "measure",
    "period_start",
    "period_end",
    "value",
    "unit",
    "comparator",
    "confidence",
    "source_url",
)
OPTIONAL_COLUMNS = ("indicator_en", "value_high", "source_kind", "note", "direction", "city")


class ReferenceDataError(ValueError):
    """The reference CSV has malformed rows: the message lists file, line, column and the fix."""


class UnknownIndicatorWarning(UserWarning):
    """Reference rows whose indicator phrase the registry does not map."""


class UnknownUnitWarning(UserWarning):
    """Reference rows whose unit neither the extractor nor the unit conversions know."""


class OtherCityWarning(UserWarning):
    """Reference rows about a city the corpus does not hold: they are not used."""


#: Units a reference figure may be stated in without a warning: those the extractor writes
#: (extract.rules.UNITS), those units.py converts, and the rates (%, 百分点, ‰).
KNOWN_UNITS = frozenset(
    {*EXTRACTOR_UNITS.values(), *units.UNIT_FACTORS, *units.RATE_UNITS, "个百分点"}
)
#: Two rows equal in all these columns state one figure twice (one page may give the same
#: figure for two cities: two figures).
DUPLICATE_KEY = (
    "city",
    "kind",
    "indicator_zh",
    "measure",
    "period_start",
    "period_end",
    "value",
    "value_high",
    "unit",
    "source_url",
)


def load_reference(
    path: str | Path | None = None, registry: IndicatorRegistry | None = None
) -> pd.DataFrame:
    """Load the reference figures as statement rows.

    Args:
        path: CSV file (default ``data/reference/quzhou_reference_facts.csv``).
        registry: indicator registry used to map ``indicator_zh`` (default: ``load_registry()``).

    Returns:
        One row per CSV row with the statements columns (statement_id ``ref-001`` = first data
        row, doc_id empty, source ``reference``) plus indicator_en, source_url, confidence,
        source_kind, note and file_line.

    Raises:
        ReferenceDataError: listing every malformed row (file, line, column, what to do).
    """
    file = Path(path) if path else paths.REFERENCE_FILE
    registry = registry or load_registry()
    raw = _read_raw(file)
    problems = _validate(raw, file.name) + _duplicates(raw, file.name)
    if problems:
        raise ReferenceDataError(
            f"{file}: {len(problems)} problem(s) in the reference figures:\n  "
            + "\n  ".join(problems)
        )
    _warn_unknown_units(raw, file.name)
    ids = _indicator_ids(raw, registry, file.name)
    return _as_statements(raw, ids)


def _read_raw(file: Path) -> pd.DataFrame:
    """The CSV as stripped text cells, with every required and optional column."""
    text = _read_text(file)
    _check_field_counts(text, file.name)
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise ReferenceDataError(
            f"{file.name}: missing column(s) {', '.join(missing)}; the header must hold "
            f"{', '.join(REQUIRED_COLUMNS)} (see data/reference/README.md)"
        )
    for col in OPTIONAL_COLUMNS:
        if col not in raw.columns:
            raw[col] = ""
    return raw.apply(lambda s: s.str.strip())


def _read_text(file: Path) -> str:
    """The file's text (UTF-8, with or without a byte-order mark)."""
    try:
        return file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ReferenceDataError(
            f"{file}: reference file not found; copy quzhou_reference_facts.csv into data/reference/"
        ) from None
    except OSError as exc:
        raise ReferenceDataError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        line = file.read_bytes()[: exc.start].count(b"\n") + 1
        raise ReferenceDataError(
            f"{file} line {line}: not UTF-8 (byte {exc.start}; saved as GBK/ANSI?); re-save the "
            "file as UTF-8 CSV (Excel: 'CSV UTF-8')"
        ) from None


def _check_field_counts(text: str, name: str) -> None:
    """Refuse rows with more or fewer fields than the header, naming their lines."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ReferenceDataError(f"{name}: empty file; it needs the header row")
    problems = [
        f"{name} line {reader.line_num}: {len(row)} fields, the header has {len(header)}; "
        "quote a cell that contains a comma, or remove the extra cells"
        for row in reader
        if any(c.strip() for c in row) and len(row) != len(header)
    ]
    if problems:
        raise ReferenceDataError(
            f"{name}: {len(problems)} row(s) with the wrong number of fields:\n  "
            + "\n  ".join(problems)
        )


def _duplicates(raw: pd.DataFrame, name: str) -> list[str]:
    """One message per row that repeats an earlier row (same figure from the same source)."""
    first: dict[tuple, int] = {}
    problems = []
    for i, row in enumerate(raw[list(DUPLICATE_KEY)].itertuples(index=False, name=None)):
        line = i + 2
        key = tuple(_number_key(v) for v in row)
        if key in first:
            problems.append(
                f"{name} line {line}: repeats line {first[key]} (same kind, indicator, measure, "
                "period, value, unit and source_url); delete one of the two rows"
            )
        else:
            first[key] = line
    return problems


def _number_key(cell: str) -> object:
    """A cell as compared for duplicates: '3.50' and '3.5' are one value."""
    return float(cell) if _is_number(cell) else cell


def _warn_unknown_units(raw: pd.DataFrame, name: str) -> None:
    """Warn, naming the lines, about units no part of the package knows."""
    unknown = [
        f"line {i + 2} ({unit!r})"
        for i, unit in enumerate(raw["unit"])
        if unit and not _known_unit(unit)
    ]
    if unknown:
        warnings.warn(
            f"{name}: {len(unknown)} row(s) with a unit the extractor never writes and no "
            f"conversion knows: {', '.join(unknown[:10])}"
            + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
            + "; such a figure matches only a statement in exactly that unit: check the spelling"
            " (e.g. 亿元, 万人, %)",
            UnknownUnitWarning,
            stacklevel=3,
        )


def _known_unit(unit: str) -> bool:
    """A unit of KNOWN_UNITS, or a rate of two of them (万元/人, 元/平方米)."""
    parts = unit.split("/")
    return unit in KNOWN_UNITS or (len(parts) == 2 and all(p in KNOWN_UNITS for p in parts))


def _indicator_ids(raw: pd.DataFrame, registry: IndicatorRegistry, name: str) -> list[str | None]:
    """The registry id of every row's ``indicator_zh``; warns once about unknown phrases."""
    ids = [registry.match(p) for p in raw["indicator_zh"]]
    unknown = sorted({p for p, i in zip(raw["indicator_zh"], ids, strict=True) if i is None})
    if unknown:
        warnings.warn(
            f"{name}: {len(unknown)} indicator phrase(s) not in the registry "
            f"({registry.source}): {', '.join(unknown)}. Their rows are kept with an empty "
            "indicator_id; add the phrase as a synonym in data/indicators.yaml to use them.",
            UnknownIndicatorWarning,
            stacklevel=3,
        )
    return ids


def _as_statements(raw: pd.DataFrame, ids: list[str | None]) -> pd.DataFrame:
    """Validated rows in the reference table's columns and dtypes (the statements shape)."""
    n = len(raw)
    value_high = pd.to_numeric(raw["value_high"].replace("", None), errors="coerce")
    comparator = raw["comparator"].where(value_high.isna(), "range")
    frame = pd.DataFrame(
        {
            "city": raw["city"],
            "city_code": [""] * n,  # the manifest's code, set by assign_cities
            "statement_id": [f"ref-{i:03d}" for i in range(1, n + 1)],
            "doc_id": [""] * n,
            "kind": raw["kind"],
            "indicator_id": pd.array(ids, dtype="string"),
            "indicator_text": raw["indicator_zh"],
            "measure": raw["measure"],
            "direction": raw["direction"],
            "period_start": raw["period_start"],
            "period_end": raw["period_end"],
            "value": pd.to_numeric(raw["value"]).astype("float64"),
            "value_high": value_high,
            "unit": raw["unit"],
            "comparator": comparator,
            "char_start": pd.array([pd.NA] * n, dtype="Int64"),
            "char_end": pd.array([pd.NA] * n, dtype="Int64"),
            "quote": raw["note"],
            "evidence": [""] * n,
            "section": [""] * n,
            "source": ["reference"] * n,
            "indicator_en": raw["indicator_en"],
            "source_url": raw["source_url"],
            "confidence": raw["confidence"],
            "source_kind": raw["source_kind"],
            "note": raw["note"],
            "file_line": pd.array(range(2, n + 2), dtype="Int64"),
        }
    )
    return frame.astype(schema.dtypes("reference"))[schema.columns("reference")]


def assign_cities(
    reference: pd.DataFrame, city_codes: Mapping[str, str], path: str | Path | None = None
) -> pd.DataFrame:
    """The reference rows about the corpus's cities, each with its city and city_code.

    Args:
        reference: rows of :func:`load_reference`.
        city_codes: the corpus's city -> city_code (:meth:`qzanalysis.corpus.Corpus.city_codes`).
        path: the reference file, named in messages (default: the shipped one).

    Raises:
        ReferenceDataError: a row without a city when the corpus holds several cities (it could
            be any of them), naming the file and every such line.
    """
    name = (Path(path) if path else paths.REFERENCE_FILE).name
    cities = list(city_codes)
    city = reference["city"].fillna("")
    blank = city.eq("")
    if blank.any() and len(cities) > 1:
        problems = [
            f"{name} line {line}, column city: empty, but the corpus holds {len(cities)} cities "
            f"({', '.join(cities)}); name the city this figure is about"
            for line in reference.loc[blank, "file_line"]
        ]
        raise ReferenceDataError(
            f"{name}: {len(problems)} row(s) without a city:\n  " + "\n  ".join(problems)
        )
    if len(cities) == 1:
        city = city.mask(blank, cities[0])  # a one-city corpus: the file is about its city
    other = ~city.isin(cities)
    if other.any():
        warnings.warn(
            f"{name}: {int(other.sum())} row(s) about {', '.join(sorted(set(city[other])))}, a "
            f"city the corpus does not hold ({', '.join(cities)}), are not used; check the "
            "spelling if one of them is meant to be a corpus city",
            OtherCityWarning,
            stacklevel=2,
        )
    out = reference.assign(city=city)[~other]
    return out.assign(city_code=out["city"].map(dict(city_codes))).astype(
        schema.dtypes("reference")
    )


def _validate(raw: pd.DataFrame, name: str) -> list[str]:
    """Return one message per bad cell: '<file> line N, column C: what; what to do'."""
    return [
        f"{name} line {i + 2}, column {col}: {msg}"
        for i, row in raw.iterrows()
        for check in _ROW_CHECKS
        for col, msg in check(row)
    ]


Problems = Iterator[tuple[str, str]]  # (column, what is wrong and what to do)


def _check_coded(row: pd.Series) -> Problems:
    for col, allowed in (
        ("kind", KINDS),
        ("measure", MEASURES),
        ("comparator", COMPARATORS),
        ("confidence", CONFIDENCES),
    ):
        if row[col] not in allowed:
            yield col, f"{row[col]!r} is not allowed; use one of {', '.join(allowed)}"
    if not row["indicator_zh"]:
        yield "indicator_zh", "empty; write the indicator as the source names it"
    if not row["source_url"]:
        yield "source_url", "empty; every figure needs the page it was seen on"


def _check_periods(row: pd.Series) -> Problems:
    for col in ("period_start", "period_end"):
        if not is_period(row[col]):
            yield col, f"{row[col]!r} is not a period; {PERIOD_HINT}"
    start, end = row["period_start"], row["period_end"]
    if (
        is_period(start)
        and is_period(end)
        and period_key(start, end=False) > period_key(end, end=True)
    ):
        yield "period_end", f"{end} is before period_start {start}"


def _check_values(row: pd.Series) -> Problems:
    value, high = row["value"], row["value_high"]
    if not _is_number(value):
        yield "value", _not_a_number(value, "write a plain number (216.1, not 216.1亿)")
    if high and not _is_number(high):
        yield "value_high", _not_a_number(high, "leave empty unless a range")
    elif high and value and _is_number(value) and float(high) < float(value):
        yield "value_high", f"{float(high)} is below value {value}; swap them"
    if row["comparator"] == "range" and not high:
        yield "value_high", "comparator is range but value_high is empty; give the upper end"
    if row["direction"] not in ("", *DIRECTIONS):
        yield "direction", f"{row['direction']!r}; use {', '.join(DIRECTIONS)} or leave empty"


#: The checks of one row, in the order their messages are listed.
_ROW_CHECKS = (_check_coded, _check_periods, _check_values)


def _not_a_number(text: str, fix: str) -> str:
    try:
        float(text)
    except ValueError:
        return f"{text!r} is not a number; {fix}"
    return f"{text!r} is not a finite number (nan and inf are not figures); {fix}"


def _is_number(text: str) -> bool:
    """A finite number (not nan, inf or infinity)."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def known_by(reference: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """The reference figures a researcher could have known at ``as_of``.

    Reference rows carry no publication date, so each is dated by what it describes: an outcome
    or estimate is known from the month after its period ends (a 2021 figure from 2022-01), a
    target from the first month of its period (a 2016-2020 goal from 2016-01).
    """
    cutoff = as_of_key(as_of)

    def known(kind: str, start: str, end: str) -> bool:
        if kind == "target":
            return period_key(start, end=False) <= cutoff
        year, month = period_key(end, end=True)
        return ((year + 1, 1) if month == 12 else (year, month + 1)) <= cutoff

    keep = [
        known(k, s, e)
        for k, s, e in zip(
            reference["kind"], reference["period_start"], reference["period_end"], strict=True
        )
    ]
    return reference[keep]


def reference_conflicts(ref: pd.DataFrame, *, rel_tol: float = 1e-9) -> pd.DataFrame:
    """List reference rows that disagree on the same city, indicator, measure, unit, kind and
    period (two cities' figures differ without contradicting each other).

    Both rows are kept in the reference; this table makes the disagreement visible (an
    override row with a better source, or two pages quoting different figures).

    Returns:
        One row per conflicting pair: city, indicator_id, measure, kind, period_start,
        period_end, unit, statement_id_a/b, value_a/b, confidence_a/b, source_url_a/b,
        file_line_a/b.
    """
    cols = [
        "city",
        "indicator_id",
        "measure",
        "kind",
        "period_start",
        "period_end",
        "unit",
        "statement_id",
        "value",
        "value_high",
        "confidence",
        "source_url",
        "file_line",
    ]
    keys = ["city", "indicator_id", "measure", "kind", "period_start", "period_end", "unit"]
    data = ref.loc[ref["indicator_id"].notna(), cols]
    pairs = data.merge(data, on=keys, suffixes=("_a", "_b"), validate="m:m")
    pairs = pairs[pairs["statement_id_a"] < pairs["statement_id_b"]]
    differs = (
        (pairs["value_a"] - pairs["value_b"]).abs()
        > rel_tol * pairs[["value_a", "value_b"]].abs().max(axis=1)
    ) | (pairs["value_high_a"].fillna(-1) != pairs["value_high_b"].fillna(-1))
    out = pairs.loc[differs].drop(columns=["value_high_a", "value_high_b"]).reset_index(drop=True)
    return out.astype({"file_line_a": "Int64", "file_line_b": "Int64"})
