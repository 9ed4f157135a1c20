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

from . import periods, schema, stats
from .compare import (
    check_consistency,
    compare_targets,
    completion_table,
    coverage_by_year,
    derived_levels,
    fit_trajectory,
    history,
    latest_information_date,
    pace_table,
    ratchet_summary,
    ratchet_table,
    track_targets,
)
from .compare.coverage import coverage_cells
from .compare.headline import Sources, headline, unjudged
from .corpus import Corpus, load_corpus
from .extract import extract_statements
from .indicators import IndicatorRegistry, load_registry
from .reference import UnknownIndicatorWarning, known_by, load_reference
from .review import apply_review

DEFAULT_TOLERANCE_PP = 0.2
DEFAULT_TOLERANCE_LEVEL = 0.01
DEFAULT_MIN_CONFIDENCE = "medium"
#: Tolerance of the sensitivity re-run shown beside every year's verdicts (methods.md §3).
SENSITIVITY_TOLERANCE_PP = 0.5
TREND_ALPHA = 0.2


@dataclass(repr=False)
class Analysis:
    """Everything a report needs, computed once by :func:`analyse`."""

    corpus: Corpus
    registry: IndicatorRegistry
    statements: pd.DataFrame
    reference: pd.DataFrame
    comparisons: pd.DataFrame = field(default_factory=lambda: schema.empty("comparisons"))
    tracking: pd.DataFrame = field(default_factory=lambda: schema.empty("tracking"))
    consistency: pd.DataFrame = field(default_factory=lambda: schema.empty("consistency"))
    coverage: pd.DataFrame = field(default_factory=lambda: schema.empty("coverage"))
    parameters: dict = field(default_factory=dict)
    #: the comparisons beyond the same-period match (methods.md §7)
    ratchet: pd.DataFrame = field(default_factory=lambda: schema.empty("ratchet"))
    pace: pd.DataFrame = field(default_factory=lambda: schema.empty("pace"))
    completion: pd.DataFrame = field(default_factory=lambda: schema.empty("completion"))
    derived: pd.DataFrame = field(default_factory=lambda: schema.empty("derived"))

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
            "ratchet": self.ratchet,
            "ratchet_summary": ratchet_summary(self.ratchet),
            "pace": self.pace,
            "completion": self.completion,
            "derived": self.derived,
            "headline": self.headline(),
        }

    def __repr__(self) -> str:
        """A short summary: documents, statements by kind, targets by status (issue 10: the
        default dataclass repr printed every document's text, 68,000 characters)."""
        kinds = self.statements["kind"].value_counts()
        statuses = self.comparisons["status"].value_counts()
        by_status = ", ".join(f"{s} {statuses[s]}" for s in schema.STATUSES if s in statuses)
        return (
            f"<Analysis of {len(self.corpus)} documents ({self.corpus.path}): "
            f"{len(self.statements)} statements ("
            + ", ".join(f"{k} {kinds.get(k, 0)}" for k in schema.KINDS)
            + f"), {len(self.reference)} reference figures; {len(self.comparisons)} targets "
            f"({by_status or 'none'}); {self.tracking['label'].notna().sum()} goals tracked; "
            f"tolerance ±{self.parameters.get('tolerance_pp', DEFAULT_TOLERANCE_PP):g} pp, "
            f"as of {self.parameters.get('as_of', '')}>"
        )

    __str__ = __repr__

    def document_titles(self) -> dict[str, str]:
        """doc_id -> 'title（published）', as reports cite a document."""
        return {d.doc_id: f"{d.title}（{d.published}）" for d in self.corpus}

    # ---------------------------------------------------------------- findings first
    def sources(self) -> Sources:
        """Where every statement and reference figure comes from (for links to evidence)."""
        return Sources(self.statements, self.reference, self.document_titles())

    def _headline_inputs(self, year: int | None, plan: str | None) -> dict:
        tracking, pace, completion = self.tracking, self.pace, self.completion
        if plan is not None:
            end = _plan_end(plan)
            comparisons, tracking = self.plan_targets(plan), self.plan_goals(plan)
            pace, completion = pace[pace["target_year"] == end], completion.iloc[0:0]
        elif year is not None:
            comparisons = self.year_targets(year)
            tracking = tracking[tracking["latest_year"] == year]
            pace = pace[pace["annual_year"] == year]
            completion = completion[completion["year"] == year]
        else:
            comparisons = self.comparisons
        same_goal = ["indicator_id", "comparator", "target_value", "unit", "target_year"]
        tracking = tracking.drop_duplicates(same_goal, keep="first")  # one goal, several documents
        return {"comparisons": comparisons, "tracking": tracking, "pace": pace,
                "completion": completion}  # fmt: skip

    def headline(self, year: int | None = None, plan: str | None = None) -> pd.DataFrame:
        """What a report opens with: every judged target, tracked goal, pace call and
        self-reported completion of ``year`` (or ``plan``, or everything), one row each with
        the statements its target and outcome come from (:mod:`qzanalysis.compare.headline`)."""
        return headline(**self._headline_inputs(year, plan), sources=self.sources())

    def unjudged(
        self, year: int | None = None, plan: str | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(counts by reason, rows) of the targets of ``year`` / ``plan`` that cannot be judged."""
        return unjudged(self._headline_inputs(year, plan)["comparisons"], self.sources())

    # ---------------------------------------------------------------- indicators
    def indicators_with_targets(self) -> list[str]:
        """Registry ids with at least one target, by category then registry order."""
        return history.indicators_with_targets(self.comparisons, self.registry)

    def indicator_history(self, indicator_id: str) -> history.IndicatorPage:
        """One indicator across years: chart points, every statement about it, its target
        history (ratchet) and the candidate outcomes of its own measure not used, with why."""
        return history.indicator_page(
            indicator_id,
            statements=self.statements,
            reference=self.reference,
            comparisons=self.comparisons,
            ratchet=self.ratchet,
            include_unrelated=False,
        )

    def coverage_cells(self) -> pd.DataFrame:
        """What each registry indicator has in each year: target, outcome, both, or judged."""
        labels = {i.id: i.label for i in self.registry}
        return coverage_cells(
            self.statements, self.reference, comparisons=self.comparisons, labels=labels
        )

    # ---------------------------------------------------------------- plans and years
    def review_years(self) -> tuple[int, ...]:
        """The years the corpus can review (:func:`qzanalysis.periods.review_years`): the
        default span of the year reviews and the overview, so a new year's report adds its
        years without options."""
        return tuple(periods.review_years(self.published.values()))

    def plans(self) -> list[str]:
        """The multi-year plans the corpus sets out, as 'START-END' (see :func:`find_plans`)."""
        return find_plans(self.statements, self.published)

    def _set_before(self, frame: pd.DataFrame, year: int) -> pd.Series:
        published_year = {d.doc_id: d.published_year for d in self.corpus}
        return frame["doc_id"].map(published_year).fillna(0).astype(int) < year

    def plan_goals(self, plan: str) -> pd.DataFrame:
        """Tracked multi-year goals of ``plan`` ('2022-2026'): due in its last year and set
        before it (annual targets of the last year itself have their own year review).

        A goal that several documents state alike (the same indicator, comparator, value and
        year, e.g. 规上工业总产值突破5000亿元 in the 2022 report and the reply to deputies) is one
        row; ``stated_in`` lists every statement that sets it.
        """
        end = _plan_end(plan)
        goals = self.tracking[
            (self.tracking["target_year"] == end) & self._set_before(self.tracking, end)
        ]
        same_goal = ["indicator_id", "comparator", "target_value", "unit", "target_year"]
        stated_in = goals.groupby(same_goal, sort=False, dropna=False)["statement_id"].transform(
            lambda ids: ", ".join(ids)
        )
        goals = goals.assign(stated_in=stated_in).drop_duplicates(same_goal, keep="first")
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
        """Multi-year goals that stood in ``year`` and were due later, with their tracking.

        A goal is multi-year when its period spans several years or it was set two or more
        years before it is due. It stood in ``year`` when the corpus document that set it was
        published by then, or (a reference target) when its period had begun. Average-growth
        goals are listed too; level and count goals carry the tracking figures (required,
        achieved and still-needed growth, the progress label) where the corpus allows them.
        """
        cmp = self.comparisons
        set_in = cmp["doc_id"].map({d.doc_id: d.published_year for d in self.corpus})
        starts = pd.to_numeric(cmp["period_start"].astype("string").str[:4], errors="coerce")
        from_reference = cmp["target_origin"] == "reference"
        known = set_in.le(year).fillna(False) | (from_reference & starts.le(year).fillna(False))
        multi_year = starts.lt(cmp["year"]).fillna(False) | (cmp["year"] - set_in).ge(2).fillna(
            False
        )
        goals = cmp[known & multi_year & cmp["year"].gt(year).fillna(False)]
        tracked = self.tracking.drop(
            columns=["doc_id", "indicator_id", "indicator_label", "measure", "comparator", "unit"]
        )
        return goals.merge(tracked, on="statement_id", how="left", validate="1:1").reset_index(
            drop=True
        )

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


def _reviewed(
    statements: pd.DataFrame, corpus: Corpus, registry: IndicatorRegistry, *, vintage: bool
) -> pd.DataFrame:
    """Apply the review decisions; under a vintage, decisions about documents published later
    are expected to be out of scope, so their warning is not repeated."""
    with warnings.catch_warnings():
        if vintage:
            warnings.filterwarnings(
                "ignore", message=r".*concern documents that are not in this corpus"
            )
        return apply_review(statements, corpus=corpus, registry=registry)


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
        as_of: the vintage, 'YYYY-MM[-DD]': only documents published by then and reference
            figures known by then are used, and periods ending later are not yet due
            (default: everything, known as of the newest document).
        tolerance_level: approx tolerance for levels, as a share of the target.
        min_confidence: lowest confidence of a reference figure used as an outcome.
        reference_path: reference CSV (default data/reference/quzhou_reference_facts.csv).
    """
    corpus = load_corpus(corpus_dir)
    registry = load_registry()
    reference = load_reference_quietly(reference_path, registry)
    if as_of:
        # vintage: only what had been published by as_of (methods.md §7)
        corpus, reference = corpus.published_by(as_of), known_by(reference, as_of)
    statements = extract_statements(corpus, registry=registry)
    if review:
        statements = _reviewed(statements, corpus, registry, vintage=bool(as_of))
    published = corpus.published()
    vintage = "as known on " + as_of if as_of else "all documents (the newest)"
    as_of = as_of or latest_information_date(statements, reference, published)
    settings = _Settings(registry, published, as_of, tolerance_pp, tolerance_level, min_confidence)
    tables = _compare_all(statements, reference, settings)
    params = {
        "corpus_dir": str(corpus.path),
        "vintage": vintage,
        "documents_used": corpus.doc_ids,
        "corpus_fingerprint": corpus.fingerprint(),
        "tolerance_pp": tolerance_pp,
        "tolerance_level": tolerance_level,
        "min_confidence": min_confidence,
        "review": review,
        "as_of": as_of,
        "alpha": TREND_ALPHA,
    }
    return Analysis(corpus, registry, statements, reference, parameters=params, **tables)


@dataclass(frozen=True)
class _Settings:
    registry: IndicatorRegistry
    published: dict[str, str]
    as_of: str
    tolerance_pp: float
    tolerance_level: float
    min_confidence: str


def _compare_all(statements: pd.DataFrame, reference: pd.DataFrame, s: _Settings) -> dict:
    """Every comparison table of one analysis (methods.md §2-4 and §7)."""
    ids = dict(registry=s.registry, published=s.published)
    comparisons = compare_targets(
        statements,
        reference,
        tolerance_pp=s.tolerance_pp,
        tolerance_level=s.tolerance_level,
        min_confidence=s.min_confidence,
        as_of=s.as_of,
        **ids,
    )
    derived = derived_levels(statements, reference, min_confidence=s.min_confidence, **ids)
    tracking = track_targets(
        statements,
        reference,
        min_confidence=s.min_confidence,
        alpha=TREND_ALPHA,
        as_of=s.as_of,
        derived=derived,
        **ids,
    )
    return {
        "comparisons": comparisons,
        "tracking": tracking,
        "consistency": check_consistency(statements, reference, **ids),
        "coverage": coverage_by_year(
            statements,
            reference,
            periods.review_years(ids["published"].values()),
            comparisons=comparisons,
        ),
        "ratchet": ratchet_table(statements, reference, min_confidence=s.min_confidence, **ids),
        "pace": pace_table(tracking, statements, reference, **ids),
        "completion": completion_table(statements, comparisons, registry=s.registry),
        "derived": derived,
    }
