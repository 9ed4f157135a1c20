"""The front door: :func:`analyse` runs the whole flow once and returns an :class:`Analysis`.

corpus -> extract -> review -> reference -> compare (verdicts, tracking, consistency, coverage).
Notebooks, the CLI and the report runner all start here, so a question such as "which plans
does the corpus hold" or "which goals stood in 2022" has one answer, computed in one place.

Cities (issue 13): the corpus is extracted and reviewed once, then the comparison flow runs once
per city of the manifest, on that city's statements and reference figures only, so a target is
never matched with another city's outcome. Every table starts with the city key (city,
city_code). With one city, :func:`analyse` returns that city's analysis, exactly as before the
key existed; with several, an analysis whose tables hold every city and whose ``for_city(city)``
is one city's analysis. Questions about one city's years and plans (``headline``,
``review_years``, ``plans``, ``year_targets``, …) raise :class:`~qzanalysis.cities.CityError` on
an analysis of several cities: ask ``a.for_city(city)``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import periods, schema, stats
from .cities import CityError, concat_tables, document_cities, one_city, with_city
from .compare import (
    compare_targets,
    fit_trajectory,
    history,
    latest_information_date,
    ratchet_summary,
)
from .compare.coverage import coverage_cells
from .compare.flow import Settings, compare_all
from .compare.headline import Sources, headline, unjudged
from .compare.panel import panel_table
from .corpus import Corpus, load_corpus
from .indicators import IndicatorRegistry, load_registry
from .periods import date_key
from .reference import UnknownIndicatorWarning, assign_cities, known_by, load_reference
from .review import apply_review

__all__ = ["Analysis", "CityError", "analyse", "find_plans", "load_reference_quietly"]

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
    #: city -> city_code of the cities analysed, sorted by name (one for a one-city analysis)
    city_codes: dict[str, str] = field(default_factory=dict)
    #: the one-city analyses an analysis of several cities is made of (empty for one city)
    parts: dict[str, Analysis] = field(default_factory=dict)

    @property
    def published(self) -> dict[str, str]:
        """doc_id -> publication date of every corpus document."""
        return self.corpus.published()

    # ---------------------------------------------------------------- cities
    def cities(self) -> list[str]:
        """The cities of the analysis, sorted by name: the manifest's (a vintage that leaves a
        city without documents keeps the city, whose reference targets are still judged)."""
        return list(self.city_codes)

    def for_city(self, city: str) -> Analysis:
        """One city's analysis: the analysis itself when it holds one city."""
        if city not in self.city_codes:
            raise KeyError(f"no city {city!r} in this analysis; its cities: {self.cities()}")
        return self.parts.get(city, self)

    def _with_city(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` of this one-city analysis with the city key filled."""
        if len(self.city_codes) != 1:
            return frame
        ((city, code),) = self.city_codes.items()
        return with_city(frame, city, code)

    def panel(self) -> pd.DataFrame:
        """City x year x indicator: every target of a registry indicator with its outcome, gap
        and verdict, city by city (:mod:`qzanalysis.compare.panel`)."""
        if self.parts:
            return concat_tables({"panel": p.panel()} for p in self.parts.values())["panel"]
        table = panel_table(
            self.comparisons, sources=self.sources(), registry=self.registry,
            published=self.published,
        )  # fmt: skip
        return self._with_city(table)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The exportable tables by name (for :func:`qzanalysis.tables.write_tables`), every
        one with the city key; an analysis of several cities stacks its cities' tables."""
        if self.parts:
            return concat_tables(p.tables() for p in self.parts.values())
        return {
            "statements": self.statements,
            "reference": self.reference,
            "comparisons": self.comparisons,
            "tracking": self.tracking,
            "consistency": self.consistency,
            "coverage": self.coverage,
            "attainment": self._with_city(stats.attainment_table(self.comparisons)),
            "ratchet": self.ratchet,
            "ratchet_summary": self._with_city(ratchet_summary(self.ratchet)),
            "pace": self.pace,
            "completion": self.completion,
            "derived": self.derived,
            "headline": self.headline(),
            "panel": self.panel(),
        }

    def __repr__(self) -> str:
        """A short summary: documents, statements by kind, targets by status (issue 10: the
        default dataclass repr printed every document's text, 68,000 characters)."""
        kinds = self.statements["kind"].value_counts()
        statuses = self.comparisons["status"].value_counts()
        by_status = ", ".join(f"{s} {statuses[s]}" for s in schema.STATUSES if s in statuses)
        cities = f" in {len(self.parts)} cities ({', '.join(self.parts)})" if self.parts else ""
        return (
            f"<Analysis of {len(self.corpus)} documents{cities} ({self.corpus.path}): "
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

    @one_city
    def headline(self, year: int | None = None, plan: str | None = None) -> pd.DataFrame:
        """What a report opens with: every judged target, tracked goal, pace call and
        self-reported completion of ``year`` (or ``plan``, or everything), one row each with
        the statements its target and outcome come from (:mod:`qzanalysis.compare.headline`)."""
        return self._with_city(
            headline(**self._headline_inputs(year, plan), sources=self.sources())
        )

    @one_city
    def unjudged(
        self, year: int | None = None, plan: str | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(counts by reason, rows) of the targets of ``year`` / ``plan`` that cannot be judged."""
        return unjudged(self._headline_inputs(year, plan)["comparisons"], self.sources())

    # ---------------------------------------------------------------- indicators
    @one_city
    def indicators_with_targets(self) -> list[str]:
        """Registry ids with at least one target, by category then registry order."""
        return history.indicators_with_targets(self.comparisons, self.registry)

    @one_city
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

    @one_city
    def coverage_cells(self) -> pd.DataFrame:
        """What each registry indicator has in each year: target, outcome, both, or judged."""
        labels = {i.id: i.label for i in self.registry}
        return coverage_cells(
            self.statements, self.reference, comparisons=self.comparisons, labels=labels
        )

    # ---------------------------------------------------------------- plans and years
    @one_city
    def review_years(self) -> tuple[int, ...]:
        """The years the corpus can review (:func:`qzanalysis.periods.review_years`): the
        default span of the year reviews and the overview, so a new year's report adds its
        years without options."""
        return tuple(periods.review_years(self.published.values()))

    @one_city
    def plans(self) -> list[str]:
        """The multi-year plans the corpus sets out, as 'START-END' (see :func:`find_plans`)."""
        return find_plans(self.statements, self.published)

    def _set_before(self, frame: pd.DataFrame, year: int) -> pd.Series:
        published_year = {d.doc_id: d.published_year for d in self.corpus}
        return frame["doc_id"].map(published_year).fillna(0).astype(int) < year

    @one_city
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

    @one_city
    def plan_targets(self, plan: str) -> pd.DataFrame:
        """Every target of ``plan``: ending in its last year, set before that year."""
        end = _plan_end(plan)
        cmp = self.comparisons
        return cmp[(cmp["year"] == end) & self._set_before(cmp, end)]

    @one_city
    def year_targets(self, year: int) -> pd.DataFrame:
        """The comparisons of every target whose period ends in ``year``."""
        return self.comparisons[self.comparisons["year"] == year].copy()

    @one_city
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
            columns=[*schema.CITY_COLUMNS, "doc_id", "indicator_id", "indicator_label", "measure",
                     "comparator", "unit"]
        )  # fmt: skip
        return goals.merge(tracked, on="statement_id", how="left", validate="1:1").reset_index(
            drop=True
        )

    @one_city
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

    @one_city
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

    @one_city
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

    @one_city
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


def _extract(
    corpus: Corpus,
    registry: IndicatorRegistry,
    *,
    executor: str | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    cache_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Every statement of ``corpus``, all cities at once: each document extracted once and
    cached by its text, metadata and the rules' version (outputs/.cache/extract), the missing
    ones in parallel through ``executor`` ("local" processes or "dask"; None: in this process)."""
    from .executors import make_executor
    from .extract.cache import extract_corpus

    if executor is None:
        return extract_corpus(corpus, registry, cache_dir=cache_dir).statements
    with make_executor(executor, jobs=jobs, scheduler=scheduler) as ex:
        return extract_corpus(corpus, registry, cache_dir=cache_dir, executor=ex).statements


def analyse(
    corpus_dir: str | Path | None = None,
    *,
    tolerance_pp: float = DEFAULT_TOLERANCE_PP,
    review: bool = True,
    as_of: str | None = None,
    tolerance_level: float = DEFAULT_TOLERANCE_LEVEL,
    min_confidence: str = DEFAULT_MIN_CONFIDENCE,
    reference_path: str | Path | None = None,
    executor: str | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    cache_dir: str | Path | None = None,
) -> Analysis:
    """Load the corpus, extract and review statements, load the reference, and compare, city
    by city (module docstring): one city's analysis, or an analysis of several cities.

    Args:
        corpus_dir: corpus folder with manifest.csv (default data/raw).
        tolerance_pp: approx tolerance for rates in percentage points.
        review: apply ``data/curated/review.csv`` decisions to the extracted statements.
        as_of: the vintage, 'YYYY-MM[-DD]': only documents published by then and reference
            figures known by then are used, and periods ending later are not yet due
            (default: everything, known as of each city's newest document).
        tolerance_level: approx tolerance for levels, as a share of the target.
        min_confidence: lowest confidence of a reference figure used as an outcome.
        reference_path: reference CSV (default data/reference/quzhou_reference_facts.csv).
        executor, jobs, scheduler: where the documents not in the extraction cache are
            extracted ("local" or "dask", :func:`qzanalysis.executors.make_executor`; None: here).
        cache_dir: the extraction cache (default outputs/.cache/extract).

    Raises:
        qzanalysis.reference.ReferenceDataError: also when a reference row names no city and
            the corpus holds several (:func:`qzanalysis.reference.assign_cities`).
    """
    corpus = load_corpus(corpus_dir)
    registry = load_registry()
    city_codes = corpus.city_codes()  # the manifest's: a vintage narrows documents, not cities
    reference = load_reference_quietly(reference_path, registry)
    reference = assign_cities(reference, city_codes, reference_path)
    if as_of:
        # vintage: only what had been published by as_of (methods.md §7)
        corpus, reference = corpus.published_by(as_of), known_by(reference, as_of)
    statements = _extract(
        corpus, registry, executor=executor, jobs=jobs, scheduler=scheduler, cache_dir=cache_dir
    )
    if review:
        # one review of the whole corpus: decisions are keyed by statement, not by city
        statements = _reviewed(statements, corpus, registry, vintage=bool(as_of))
    statements = document_cities(statements, corpus)
    options = _Options(tolerance_pp, tolerance_level, min_confidence, review, as_of)
    parts = {
        city: _analyse_city(
            (city, code), corpus, statements, reference, registry=registry, options=options
        )
        for city, code in city_codes.items()
    }
    if len(parts) == 1:
        return next(iter(parts.values()))
    return _combine(corpus, registry, parts)


@dataclass(frozen=True)
class _Options:
    """What the caller chose for the analysis: the same for every city."""

    tolerance_pp: float
    tolerance_level: float
    min_confidence: str
    review: bool
    as_of: str | None


def _analyse_city(
    key: tuple[str, str],
    corpus: Corpus,
    statements: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    registry: IndicatorRegistry,
    options: _Options,
) -> Analysis:
    """The analysis of one city (``key``: city, city_code): the comparison flow sees its
    documents, statements and reference figures only, so nothing of another city can be
    matched. Its default as-of is its own newest information, as if it were analysed alone."""
    city, code = key
    mine = Corpus(path=corpus.path, documents=[d for d in corpus if d.city == city])
    statements = statements[statements["city"].eq(city).fillna(False).astype(bool)]
    reference = reference[reference["city"].eq(city).fillna(False).astype(bool)]
    published = mine.published()
    o = options
    as_of = o.as_of or latest_information_date(statements, reference, published)
    settings = Settings(registry, published, as_of, o.tolerance_pp, o.tolerance_level,
                        o.min_confidence, TREND_ALPHA)  # fmt: skip
    tables = compare_all(statements, reference, settings)
    params = {
        "corpus_dir": str(corpus.path),
        "vintage": "as known on " + o.as_of if o.as_of else "all documents (the newest)",
        "documents_used": mine.doc_ids,
        "corpus_fingerprint": mine.fingerprint(),
        "tolerance_pp": o.tolerance_pp,
        "tolerance_level": o.tolerance_level,
        "min_confidence": o.min_confidence,
        "review": o.review,
        "as_of": as_of,
        "alpha": TREND_ALPHA,
    }
    return Analysis(
        mine, registry, statements, reference, parameters=params, city_codes={city: code},
        **{name: with_city(frame, city, code) for name, frame in tables.items()},
    )  # fmt: skip


#: The tables an analysis holds as attributes (the rest of tables() is computed from them).
_HELD = ("statements", "reference", "comparisons", "tracking", "consistency", "coverage",
         "ratchet", "pace", "completion", "derived")  # fmt: skip


def _combine(corpus: Corpus, registry: IndicatorRegistry, parts: dict[str, Analysis]) -> Analysis:
    """An analysis of several cities: each table stacks the cities' tables, each computed for
    its city alone; the newest city's as-of is the analysis's (each city's is kept)."""
    frames = concat_tables({name: getattr(p, name) for name in _HELD} for p in parts.values())
    as_of = {city: p.parameters["as_of"] for city, p in parts.items()}
    params = {
        **next(iter(parts.values())).parameters,
        "documents_used": corpus.doc_ids,
        "corpus_fingerprint": corpus.fingerprint(),
        "as_of": max(as_of.values(), key=date_key),
        "as_of_by_city": as_of,
    }
    codes = {city: code for p in parts.values() for city, code in p.city_codes.items()}
    return Analysis(corpus, registry, parameters=params, city_codes=codes, parts=parts, **frames)
