"""Which reports to render, with which parameters: ``parse_years`` and ``plan_reports``.

Which plans and years exist comes from the front door (``qzanalysis.pipeline.analyse(...)``,
city by city: ``for_city(city).plans()``, ``.review_years()``); this module only names the
reports (:func:`qzanalysis.links.report_name`) and gives each its notebook and parameters.

A corpus of several cities gets one set of reports per city (each notebook run with its
``city``), under the city's key, and one cross-city report (``cities``); a one-city corpus keeps
its names (``year_2020``) and its notebooks get no ``city`` parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import links, paths
from ..pipeline import DEFAULT_TOLERANCE_PP

KINDS = ("year", "plan", "overview", "cities")
#: No longer a default: the years come from the corpus (``Analysis.review_years()``); kept for
#: callers that name the shipped corpus's span explicitly.
DEFAULT_YEARS = tuple(range(2019, 2026))
NOTEBOOKS = {
    "year": "year_review.ipynb",
    "plan": "plan_tracking.ipynb",
    "overview": "overview.ipynb",
    "cities": "cities.ipynb",
}


class ReportError(RuntimeError):
    """A report request that cannot be planned (bad --years, unknown --only, missing notebook)."""


@dataclass(frozen=True)
class ReportSpec:
    """One report to render: which notebook, with which parameters, under which name."""

    kind: str
    name: str
    title: str
    notebook: Path
    parameters: dict
    #: the city it is about ("" for the cross-city report and every report of a one-city corpus)
    city: str = ""


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


def parse_years(spec: str | None) -> tuple[int, ...]:
    """'2019-2025' or '2020,2022' or '2021' -> years; nothing -> () (the corpus's years)."""
    if not spec:
        return ()
    years: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo > hi:
                raise ReportError(f"--years {spec!r}: {lo} is after {hi}")
            years.update(range(lo, hi + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.add(int(part))
        else:
            raise ReportError(f"--years {spec!r}: write years like 2019-2025 or 2020,2022")
    return tuple(sorted(years))


def _check_kinds(kinds: tuple[str, ...], nb_dir: Path) -> None:
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ReportError(f"unknown report kind(s) {unknown}; use {', '.join(KINDS)}")
    for kind in kinds:
        if not (nb_dir / NOTEBOOKS[kind]).is_file():
            raise ReportError(f"notebook {nb_dir / NOTEBOOKS[kind]} is missing")


def _corpus_parameter(corpus_dir: Path | None) -> str:
    """The notebooks' ``corpus_dir``: empty for the shipped corpus, else an absolute path."""
    if corpus_dir is None or Path(corpus_dir).resolve() == paths.RAW_DIR.resolve():
        return ""
    return str(Path(corpus_dir).resolve())


def plan_reports(
    corpus_dir: Path | None = None,
    *,
    years: Iterable[int] | None = None,
    only: Iterable[str] | None = None,
    plans: Iterable[str] | None = None,
    notebooks_dir: Path | None = None,
    tolerance_pp: float = DEFAULT_TOLERANCE_PP,
    as_of: str = "",
    analysis=None,
) -> list[ReportSpec]:
    """The reports to render: per city its overview, one per plan, one per year; then the
    cross-city report ``cities``.

    Without ``years``, one review per year the city can review (``review_years()``: from the
    year before its earliest document to the latest year a document speaks for), and the
    overview spans the same years; with ``years``, a city of several gets those of its years.
    Without ``plans``, each city's ``plans()``.

    Every report gets ``tolerance_pp`` and ``corpus_dir`` as parameters (so both are part of its
    key and shown in its footer), ``as_of``, a vintage date, when given, and ``city`` when the
    corpus holds several. ``analysis``: ``qzanalysis.pipeline.analyse(corpus_dir, as_of=as_of)``
    when the caller has it (computed here when the years, plans or cities need it).
    """
    kinds = tuple(only) if only else KINDS
    nb_dir = notebooks_dir or paths.NOTEBOOKS_DIR
    _check_kinds(kinds, nb_dir)
    common = {"tolerance_pp": float(tolerance_pp), "corpus_dir": _corpus_parameter(corpus_dir)}
    if as_of:
        common["as_of"] = as_of
    years = tuple(years or ())
    needs_analysis = not years or ("plan" in kinds and plans is None)
    if analysis is None and (needs_analysis or _several_cities(corpus_dir)):
        from ..pipeline import analyse

        analysis = analyse(corpus_dir, as_of=as_of or None)
    cities = analysis.cities() if analysis is not None else [""]
    specs: list[ReportSpec] = []
    if len(cities) <= 1:
        if needs_analysis:
            years = years or analysis.review_years()
            plans = analysis.plans() if plans is None else plans
        specs += _city_specs(kinds, nb_dir, common, years=years, plans=plans or ())
    else:
        keys = links.city_keys(analysis.city_codes)
        for city in cities:
            part = analysis.for_city(city)
            mine = tuple(y for y in part.review_years() if not years or y in years)
            wanted = part.plans() if "plan" in kinds else ()
            wanted = [p for p in wanted if plans is None or p in plans]
            specs += _city_specs(kinds, nb_dir, common, years=mine, plans=wanted,
                                 city=city, key=keys[city])  # fmt: skip
    if "cities" in kinds:
        title = "跨城市比较 Cities compared"
        specs.append(ReportSpec("cities", links.CITIES_REPORT, title,
                                nb_dir / NOTEBOOKS["cities"], dict(common)))  # fmt: skip
    return specs


def _several_cities(corpus_dir: Path | None) -> bool:
    """Whether the corpus's manifest names several cities (a folder without one: no; the
    runner refuses it before any report runs)."""
    from ..corpus import MANIFEST_NAME, load_corpus

    if not (Path(corpus_dir or paths.RAW_DIR) / MANIFEST_NAME).is_file():
        return False
    return len(load_corpus(corpus_dir).cities()) > 1


def _city_specs(
    kinds: tuple[str, ...],
    nb_dir: Path,
    common: dict,
    *,
    years: Iterable[int],
    plans: Iterable[str],
    city: str = "",
    key: str = "",
) -> list[ReportSpec]:
    """One city's overview, plans and years (a one-city corpus: ``city`` and ``key`` empty)."""
    who = {"city": city} if city else {}
    prefix = f"{city} " if city else ""

    def spec(kind: str, base: str, title: str, **parameters) -> ReportSpec:
        return ReportSpec(kind, links.report_name(base, key), prefix + title,
                          nb_dir / NOTEBOOKS[kind], {**parameters, **who, **common}, city)  # fmt: skip

    years = tuple(years)
    specs: list[ReportSpec] = []
    if "overview" in kinds:
        first, last = min(years, default=0), max(years, default=0)
        specs.append(spec("overview", "overview", f"总览 Overview {first}-{last}",
                          first_year=int(first), last_year=int(last)))  # fmt: skip
    if "plan" in kinds:
        specs += [
            spec("plan", f"plan_{p}", f"规划目标跟踪 Plan tracking {p}", plan=p) for p in plans
        ]
    if "year" in kinds:
        specs += [
            spec("year", f"year_{y}", f"年度回顾 Year review {y}", year=int(y)) for y in years
        ]
    return specs
