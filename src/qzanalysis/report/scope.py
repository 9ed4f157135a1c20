"""What a report reads, so that its key covers that and nothing else (issue 13 §4).

A report of one city reads that city's documents and, of the analysis, the rows it shows: a
year review that year's targets (its findings and unjudged list are made of them, with the goals
tracked to the year, its pace calls and self-reported completion), outcomes, coverage, ratchet
and standing goals; a plan report that plan's targets, goals and pace; an overview every table
of its city; the cross-city report every table of every city. The runner
hashes them as the key parts ``documents`` and ``rows``
(:func:`qzanalysis.report.cache.key_parts`; the documents by
:meth:`qzanalysis.corpus.Corpus.fingerprint`), so a document added to one city re-runs that
city's reports and the cross-city one, never another city's.

Everything here asks the analysis (:class:`qzanalysis.pipeline.Analysis`); no domain rule lives
in the report package.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping

import pandas as pd

from .specs import ReportSpec


def scope(spec: ReportSpec, analysis):
    """The analysis a report reads: its city's, or the whole one (the cross-city report, and
    every report of a one-city corpus)."""
    return analysis.for_city(spec.city) if spec.city else analysis


def report_rows(spec: ReportSpec, a) -> dict[str, object]:
    """The rows of ``a`` (:func:`scope`'s analysis) that ``spec``'s report shows, by name; every
    table ``a`` holds for an overview, the cross-city report or a report of an unknown kind."""
    params = spec.parameters
    if spec.kind == "year" and "year" in params:
        return _year_rows(a, int(params["year"]))
    if spec.kind == "plan" and "plan" in params:
        return _plan_rows(a, str(params["plan"]))
    return {**held_tables(a), "parameters": a.parameters}


def held_tables(a) -> dict[str, pd.DataFrame]:
    """Every table the analysis holds (statements, comparisons, tracking, …; an analysis of
    several cities: every city's, stacked). The tables computed from them (attainment, headline,
    the panel) follow from these, the registry and the code, all in the key already."""
    tables = ((f.name, getattr(a, f.name)) for f in dataclasses.fields(a))
    return {name: value for name, value in tables if isinstance(value, pd.DataFrame)}


def _year_rows(a, year: int) -> dict[str, object]:
    """A year review's rows: the rows its findings and unjudged list are made of (the year's
    targets, the goals tracked to it, its pace calls and self-reported completion), its
    outcomes, coverage, ratchet and the goals standing in it. (The findings table itself is
    these rows described; hashing them is as precise and ten times cheaper.)"""
    corpus_outcomes, reference_outcomes = a.outcomes_ending(year)
    return {
        "targets": a.year_targets(year),
        "tracking": a.tracking[a.tracking["latest_year"] == year],
        "pace": a.pace[a.pace["annual_year"] == year],
        "completion": a.completion[a.completion["year"] == year],
        "outcomes": corpus_outcomes,
        "reference_outcomes": reference_outcomes,
        "coverage": a.coverage[a.coverage["year"] == year],
        "ratchet": a.ratchet[a.ratchet["year"] == year],
        "goals": a.goals_standing(year),
        "parameters": a.parameters,
    }


def _plan_rows(a, plan: str) -> dict[str, object]:
    """A plan report's rows: its targets, its goals with their tracking, the pace calls and the
    derived levels of its goals."""
    goals = a.plan_goals(plan)
    end = int(plan.split("-")[-1])
    return {
        "targets": a.plan_targets(plan),
        "goals": goals,
        "pace": a.pace[a.pace["target_year"] == end],
        "derived": a.derived[a.derived["indicator_id"].isin(goals["indicator_id"])],
        "parameters": a.parameters,
    }


def rows_digest(rows: Mapping[str, object]) -> str:
    """Hash of :func:`report_rows`: each table's columns and cells as CSV, each other value as
    JSON, by name."""
    h = hashlib.sha256()
    for name in sorted(rows):
        value = rows[name]
        h.update(name.encode() + b"\0")
        if isinstance(value, pd.DataFrame):
            text = value.to_csv(index=False, lineterminator="\n")
        else:
            text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        h.update(text.encode() + b"\0")
    return h.hexdigest()


def read_parts(spec: ReportSpec, analysis) -> dict[str, str]:
    """The key parts of what ``spec``'s report reads: ``documents`` and ``rows``."""
    a = scope(spec, analysis)
    return {"documents": a.corpus.fingerprint(), "rows": rows_digest(report_rows(spec, a))}
