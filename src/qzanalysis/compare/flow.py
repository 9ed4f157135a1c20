"""The comparison flow of one city: every comparison table of an analysis, in dependency order.

:func:`qzanalysis.pipeline.analyse` calls :func:`compare_all` once per city with that city's
statements, reference figures and documents' dates only (issue 13), so what it returns pairs no
two cities. The order matters: tracking reads the derived levels, pace reads the tracking,
coverage and completion read the verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import periods
from ..indicators import IndicatorRegistry
from .completion import completion_table
from .consistency import check_consistency
from .coverage import coverage_by_year
from .derived import derived_levels
from .pace import pace_table
from .ratchet import ratchet_table
from .targets import compare_targets
from .tracking import track_targets


@dataclass(frozen=True)
class Settings:
    """The parameters of one city's comparisons (``published``: its documents' dates)."""

    registry: IndicatorRegistry
    published: dict[str, str]
    as_of: str
    tolerance_pp: float
    tolerance_level: float
    min_confidence: str
    alpha: float


def compare_all(statements: pd.DataFrame, reference: pd.DataFrame, s: Settings) -> dict:
    """Every comparison table of one analysis (methods.md §2-4 and §7), by table name."""
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
        alpha=s.alpha,
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
