"""Which reports to render, with which parameters: ``parse_years`` and ``plan_reports``.

Which plans exist comes from the front door (``qzanalysis.pipeline.analyse(...).plans()``); this
module only names the reports and gives each its notebook and parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..pipeline import DEFAULT_TOLERANCE_PP

KINDS = ("year", "plan", "overview")
#: No longer a default: the years come from the corpus (``Analysis.review_years()``); kept for
#: callers that name the shipped corpus's span explicitly.
DEFAULT_YEARS = tuple(range(2019, 2026))
NOTEBOOKS = {
    "year": "year_review.ipynb",
    "plan": "plan_tracking.ipynb",
    "overview": "overview.ipynb",
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
) -> list[ReportSpec]:
    """The reports to render: overview, one per plan, one per year (in that order).

    Without ``years``, one review per year the corpus can review (``Analysis.review_years()``:
    from the year before its earliest document to the latest year a document speaks for), and
    the overview spans the same years.

    Every report gets ``tolerance_pp`` and ``corpus_dir`` as parameters (so both are part of its
    key and shown in its footer), and ``as_of``, a vintage date, when given. Without ``plans``,
    the plans are those of ``qzanalysis.pipeline.analyse(corpus_dir, as_of=as_of).plans()``.
    """
    kinds = tuple(only) if only else KINDS
    nb_dir = notebooks_dir or paths.NOTEBOOKS_DIR
    _check_kinds(kinds, nb_dir)
    common = {"tolerance_pp": float(tolerance_pp), "corpus_dir": _corpus_parameter(corpus_dir)}
    if as_of:
        common["as_of"] = as_of

    def spec(kind: str, name: str, title: str, **parameters) -> ReportSpec:
        return ReportSpec(kind, name, title, nb_dir / NOTEBOOKS[kind], {**parameters, **common})

    specs: list[ReportSpec] = []
    years = tuple(years or ())
    if not years or ("plan" in kinds and plans is None):
        from ..pipeline import analyse

        analysis = analyse(corpus_dir, as_of=as_of or None)
        years = years or analysis.review_years()
        plans = analysis.plans() if plans is None else plans
    if "overview" in kinds:
        first, last = min(years, default=0), max(years, default=0)
        specs.append(
            spec(
                "overview",
                "overview",
                f"总览 Overview {first}-{last}",
                first_year=int(first),
                last_year=int(last),
            )
        )
    if "plan" in kinds:
        for plan in plans:
            specs.append(
                spec("plan", f"plan_{plan}", f"规划目标跟踪 Plan tracking {plan}", plan=plan)
            )
    if "year" in kinds:
        for year in years:
            specs.append(
                spec("year", f"year_{year}", f"年度回顾 Year review {year}", year=int(year))
            )
    return specs
