"""The front door: :func:`analyse` runs the whole flow once and returns an :class:`Analysis`.

corpus -> extract -> review -> reference -> compare (verdicts, tracking, consistency, coverage).
Notebooks, the CLI and the report runner all start here, so a question such as "which plans
does the corpus hold" or "which goals stood in 2022" has one answer, computed in one place.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import periods, stats
from .compare import (
    check_consistency,
    compare_targets,
    coverage_by_year,
    fit_trajectory,
    latest_information_date,
    track_targets,
)
from .corpus import Corpus, load_corpus
from .extract import extract_statements
from .indicators import IndicatorRegistry, load_registry
from .reference import UnknownIndicatorWarning, load_reference
from .review import apply_review

DEFAULT_TOLERANCE_PP = 0.2
DEFAULT_TOLERANCE_LEVEL = 0.01
DEFAULT_MIN_CONFIDENCE = "medium"
#: Tolerance of the sensitivity re-run shown beside every year's verdicts (methods.md §3).
SENSITIVITY_TOLERANCE_PP = 0.5
TREND_ALPHA = 0.2


@dataclass
class Analysis:
    """Everything a report needs, computed once by :func:`analyse`."""

    corpus: Corpus
    registry: IndicatorRegistry
    statements: pd.DataFrame
    reference: pd.DataFrame
    comparisons: pd.DataFrame
    tracking: pd.DataFrame
    consistency: pd.DataFrame
    coverage: pd.DataFrame
    parameters: dict = field(default_factory=dict)

    @property
    def published(self) -> dict[str, str]:
        """doc_id -> publication date of every corpus document."""
        return self.corpus.published()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The exportable tables by name (for :func:`qzanalysis.tables.write_tables`)."""
        return {
            "statements": self.statements,
            "reference": self.reference,
            "comparisons": self.comparisons,
            "tracking": self.tracking,
            "consistency": self.consistency,
            "coverage": self.coverage,
            "attainment": stats.attainment_table(self.comparisons),
        }

    def document_titles(self) -> dict[str, str]:
        """doc_id -> 'title（published）', as reports cite a document."""
        return {d.doc_id: f"{d.title}（{d.published}）" for d in self.corpus}

    # ---------------------------------------------------------------- plans and years
    def plans(self) -> list[str]:
        """The multi-year plans the corpus sets out, as 'START-END' (see :func:`find_plans`)."""
        return find_plans(self.statements, self.published)

    def _set_before(self, frame: pd.DataFrame, year: int) -> pd.Series:
        published_year = {d.doc_id: d.published_year for d in self.corpus}
        return frame["doc_id"].map(published_year).fillna(0).astype(int) < year

    def plan_goals(self, plan: str) -> pd.DataFrame:
        """Tracked multi-year goals of ``plan`` ('2022-2026'): due in its last year and set
        before it (annual targets of the last year itself have their own year review)."""
        end = _plan_end(plan)
        goals = self.tracking[
            (self.tracking["target_year"] == end) & self._set_before(self.tracking, end)
        ]
        return goals.reset_index(drop=True)

    def plan_targets(self, plan: str) -> pd.DataFrame:
        """Every target of ``plan``: ending in its last year, set before that year."""
        end = _plan_end(plan)
        cmp = self.comparisons
        return cmp[(cmp["year"] == end) & self._set_before(cmp, end)]

    def year_targets(self, year: int) -> pd.DataFrame:
        """The comparisons of every target whose period ends in ``year``."""
        return self.comparisons[self.comparisons["year"] == year].copy()

    def goals_standing(self, year: int) -> pd.DataFrame:
        """Multi-year goals due after ``year`` that had been published by ``year``."""
        published_year = {d.doc_id: d.published_year for d in self.corpus}
        tr = self.tracking
        return tr[
            (tr["target_year"] > year) & (tr["doc_id"].map(published_year).fillna(9999) <= year)
        ]

    def outcomes_ending(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(corpus, reference) outcome and expected figures whose period ends in ``year``, each
        with an ``indicator`` column: the registry label, or the phrase as written if unmapped."""

        def ending(frame: pd.DataFrame) -> pd.DataFrame:
            sel = frame[frame["kind"].isin(["outcome", "expected"])]
            sel = sel[sel["period_end"].astype("string").str[:4] == str(year)]
            labels = [
                self.registry.label(i, t) if isinstance(i, str) and i else t
                for i, t in zip(sel["indicator_id"], sel["indicator_text"], strict=True)
            ]
            return sel.assign(indicator=labels)

        return ending(self.statements), ending(self.reference)

    def target_trend(self, indicator_id: str, measure: str = "growth") -> pd.DataFrame:
        """The annual targets of one indicator year by year, with their outcome and status."""
        return stats.target_trend(
            self.statements, self.reference, indicator_id, measure, comparisons=self.comparisons
        )

    # ---------------------------------------------------------------- re-runs
    def sensitivity_tolerance(self) -> float:
        """The tolerance of the sensitivity re-run: the wider 0.5 pp of methods.md §3, or the
        default 0.2 pp when this analysis itself ran with 0.5 pp."""
        if self.parameters["tolerance_pp"] == SENSITIVITY_TOLERANCE_PP:
            return DEFAULT_TOLERANCE_PP
        return SENSITIVITY_TOLERANCE_PP

    def sensitivity(
        self, tolerance_pp: float = SENSITIVITY_TOLERANCE_PP, year: int | None = None
    ) -> pd.DataFrame:
        """Verdicts that change when '左右' targets get ``tolerance_pp`` instead of this
        analysis's tolerance: indicator_label, status, and the status at the other tolerance."""
        other = compare_targets(
            self.statements,
            self.reference,
            registry=self.registry,
            published=self.published,
            tolerance_pp=tolerance_pp,
            tolerance_level=self.parameters["tolerance_level"],
            min_confidence=self.parameters["min_confidence"],
            as_of=self.parameters["as_of"],
        )
        mine = self.comparisons if year is None else self.year_targets(year)
        other = other if year is None else other[other["year"] == year]
        column = f"status_at_{tolerance_pp:g}pp"
        joined = mine.set_index("statement_id")[["indicator_label", "status"]].join(
            other.set_index("statement_id")["status"].rename(column), how="inner"
        )
        return joined[joined["status"] != joined[column]].reset_index(drop=True)

    def trajectory(
        self,
        indicator_id: str,
        *,
        unit: str | None = None,
        until: int | None = None,
        log: bool = True,
    ) -> pd.DataFrame:
        """Annual outcomes of one indicator with an OLS trend (:func:`compare.fit_trajectory`)."""
        return fit_trajectory(
            self.statements,
            self.reference,
            indicator_id,
            registry=self.registry,
            published=self.published,
            unit=unit,
            until=until,
            log=log,
            min_confidence=self.parameters["min_confidence"],
            alpha=TREND_ALPHA,
        )


def _plan_end(plan: str) -> int:
    try:
        start, end = (int(x) for x in str(plan).split("-"))
    except ValueError:
        raise ValueError(f"plan {plan!r}: write it as START-END, e.g. 2022-2026") from None
    return end


def find_plans(statements: pd.DataFrame, published: dict[str, str]) -> list[str]:
    """Multi-year plans in the statements, as 'START-END' labels (e.g. '2022-2026', '2026-2030').

    A plan is a set of targets whose horizon ends at least two years after the document that set
    them was published; it starts the year the document speaks for (a document published late in
    a year, like a plan proposal of December 2025, speaks for the next).
    """
    targets = statements[statements["kind"] == "target"]
    plans: dict[int, int] = {}
    for doc_id, start_text, end_text in zip(
        targets["doc_id"], targets["period_start"], targets["period_end"], strict=True
    ):
        end = str(end_text or "")[:4]
        date = published.get(doc_id, "") if isinstance(doc_id, str) else ""
        start = periods.year_spoken_for(date)
        if not end.isdigit() or start is None:
            continue
        doc_year = int(date[:4])
        start_stated = str(start_text or "")[:4]
        if start_stated.isdigit() and int(start_stated) < int(end):
            start = max(min(start, int(start_stated)), doc_year)
        if int(end) - doc_year >= 2:
            plans[int(end)] = min(plans.get(int(end), start), start)
    return [f"{start}-{end}" for end, start in sorted(plans.items())]


def load_reference_quietly(
    path: str | Path | None = None, registry: IndicatorRegistry | None = None
) -> pd.DataFrame:
    """load_reference without re-raising the unknown-indicator warning in reports (the
    coverage table lists unmapped reference phrases)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownIndicatorWarning)
        return load_reference(path, registry)


def analyse(
    corpus_dir: str | Path | None = None,
    *,
    tolerance_pp: float = DEFAULT_TOLERANCE_PP,
    review: bool = True,
    as_of: str | None = None,
    tolerance_level: float = DEFAULT_TOLERANCE_LEVEL,
    min_confidence: str = DEFAULT_MIN_CONFIDENCE,
    reference_path: str | Path | None = None,
) -> Analysis:
    """Load the corpus, extract and review statements, load the reference, and compare.

    Args:
        corpus_dir: corpus folder with manifest.csv (default data/raw).
        tolerance_pp: approx tolerance for rates in percentage points.
        review: apply ``data/curated/review.csv`` decisions to the extracted statements.
        as_of: latest information date (default: the latest document date).
        tolerance_level: approx tolerance for levels, as a share of the target.
        min_confidence: lowest confidence of a reference figure used as an outcome.
        reference_path: reference CSV (default data/reference/quzhou_reference_facts.csv).
    """
    corpus = load_corpus(corpus_dir)
    registry = load_registry()
    statements = extract_statements(corpus, registry=registry)
    if review:
        statements = apply_review(statements, corpus=corpus, registry=registry)
    reference = load_reference_quietly(reference_path, registry)
    published = corpus.published()
    as_of = as_of or latest_information_date(statements, reference, published)
    common = dict(registry=registry, as_of=as_of, published=published)
    comparisons = compare_targets(
        statements,
        reference,
        tolerance_pp=tolerance_pp,
        tolerance_level=tolerance_level,
        min_confidence=min_confidence,
        **common,
    )
    tracking = track_targets(
        statements, reference, min_confidence=min_confidence, alpha=TREND_ALPHA, **common
    )
    consistency = check_consistency(statements, reference, registry=registry, published=published)
    coverage = coverage_by_year(statements, reference, comparisons=comparisons)
    params = {
        "corpus_dir": str(corpus.path),
        "corpus_fingerprint": corpus.fingerprint(),
        "tolerance_pp": tolerance_pp,
        "tolerance_level": tolerance_level,
        "min_confidence": min_confidence,
        "review": review,
        "as_of": as_of,
        "alpha": TREND_ALPHA,
    }
    return Analysis(
        corpus,
        registry,
        statements,
        reference,
        comparisons,
        tracking,
        consistency,
        coverage,
        params,
    )
