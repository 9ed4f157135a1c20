"""Plans against outcomes (methods.md §2-4): one module per comparison.

* :mod:`.outcomes`: the candidate pool (every outcome and estimate, ranked) and the shared
  helpers that pick the preferred full-year figure;
* :mod:`.verdicts`: the §3 verdict rule as a pure function (:func:`judge`);
* :mod:`.targets`: every target matched with its outcome and judged (:func:`compare_targets`);
* :mod:`.tracking`: multi-year goals, progress ratios and trend calls (:func:`track_targets`,
  :func:`fit_trajectory`);
* :mod:`.consistency`: figures that disagree (:func:`check_consistency`);
* :mod:`.coverage`: what each year has and lacks (:func:`coverage_by_year`);
* :mod:`.ratchet`: each annual target against the previous year's outcome (:func:`ratchet_table`);
* :mod:`.pace`: each annual growth target against what a multi-year goal still needs
  (:func:`pace_table`);
* :mod:`.completion`: the government's own completion rates beside the verdicts
  (:func:`completion_table`);
* :mod:`.derived`: levels implied by stated average changes, for tracking only
  (:func:`derived_levels`).

Every function takes the *statements* table (the extractor's contract) and the reference
figures (same columns) and returns a DataFrame whose columns are declared in
:mod:`qzanalysis.schema`. Each needs ``published`` (doc_id -> publication date, from
``Corpus.published()``) and the indicator registry explicitly: nothing reads the shipped corpus
behind the caller's back. :func:`qzanalysis.pipeline.analyse` calls them all.
"""

from .completion import completion_table
from .consistency import check_consistency
from .coverage import DEFAULT_YEARS, coverage_by_year
from .derived import derived_levels
from .outcomes import latest_information_date, outcome_pool
from .pace import pace_table
from .ratchet import ratchet_summary, ratchet_table
from .targets import compare_targets
from .tracking import fit_trajectory, track_targets
from .verdicts import Verdict, judge, tolerance_for

__all__ = [
    "DEFAULT_YEARS",
    "Verdict",
    "check_consistency",
    "completion_table",
    "derived_levels",
    "compare_targets",
    "coverage_by_year",
    "fit_trajectory",
    "pace_table",
    "ratchet_summary",
    "ratchet_table",
    "judge",
    "latest_information_date",
    "outcome_pool",
    "tolerance_for",
    "track_targets",
]
