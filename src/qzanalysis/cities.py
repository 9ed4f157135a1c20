"""Cities as the key of every table (issue 13): one city's figures are only compared with its own.

:func:`qzanalysis.pipeline.analyse` runs the comparison flow once per city of the corpus, so no
comparison function ever sees two cities' statements: a target cannot be matched with another
city's outcome by construction, not by a filter someone could forget. This module holds what the
pipeline needs for that: the city key (``schema.CITY_COLUMNS``) put on a table, statements given
their document's city, the per-city tables concatenated, and the error raised when a question
about one city (a year's targets, a plan) is asked of an analysis of several.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

import pandas as pd

from . import schema
from .corpus import Corpus


class CityError(ValueError):
    """A question about one city asked of an analysis of several: use ``for_city``."""


def with_city(frame: pd.DataFrame, city: str, city_code: str) -> pd.DataFrame:
    """``frame`` with the city key as its first two columns (replacing any already there)."""
    out = frame.drop(columns=[c for c in schema.CITY_COLUMNS if c in frame.columns])
    out.insert(0, "city", pd.Series([city] * len(out), index=out.index, dtype="string"))
    out.insert(1, "city_code", pd.Series([city_code] * len(out), index=out.index, dtype="string"))
    return out


def document_cities(statements: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    """``statements`` with the city key of each statement's document (reviewed additions too:
    they name their doc_id). Done here, not in the extractor, which reads one document at a time
    and need not know that a corpus has cities."""
    city = {d.doc_id: d.city for d in corpus}
    code = {d.doc_id: d.city_code for d in corpus}
    out = statements.drop(columns=[c for c in schema.CITY_COLUMNS if c in statements.columns])
    out.insert(0, "city", statements["doc_id"].map(city).astype("string"))
    out.insert(1, "city_code", statements["doc_id"].map(code).astype("string"))
    return out


def concat_tables(parts: Iterable[Mapping[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The tables of several cities, each one table: rows of the first city first.

    Every part has the same table names and columns (the schema's); an empty part adds no rows
    (pandas would otherwise let an empty frame's dtypes decide the result's). A table keeps the
    first part's ``attrs``: the statements' (the review's orphans and re-keyed ids) come from one
    review of the whole corpus, so every city carries the same.
    """
    parts = list(parts)
    out: dict[str, pd.DataFrame] = {}
    for name in parts[0]:
        frames = [p[name] for p in parts]
        rows = [_without_attrs(f) for f in frames if len(f)] or [_without_attrs(frames[0])]
        joined = pd.concat(rows, ignore_index=True) if len(rows) > 1 else rows[0]
        joined = joined.reset_index(drop=True)
        joined = schema.coerce(name, joined) if name in schema.TABLES else joined
        joined.attrs = dict(frames[0].attrs)
        out[name] = joined
    return out


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy without ``attrs``: pandas compares the parts' attrs when it concatenates,
    and attrs holding DataFrames cannot be compared."""
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


_Method = TypeVar("_Method", bound=Callable)


def one_city(method: _Method) -> _Method:
    """Mark an ``Analysis`` method as a question about one city: on an analysis of several
    cities it raises :class:`CityError` naming them and ``for_city``, rather than silently
    answering for all cities at once (a year's targets of two cities are not one list)."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        cities = list(self.city_codes)
        if len(cities) > 1:
            raise CityError(
                f"Analysis.{method.__name__}() is about one city and this analysis holds "
                f"{len(cities)} ({', '.join(cities)}): ask a.for_city(city).{method.__name__}(…)"
                ", e.g. a.for_city(" + repr(cities[0]) + ")"
            )
        return method(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]
