"""Compare-step benchmark: verdict counts on the shipped corpus and how long comparing takes.

Prints (never asserts): how many targets reach each status, and the median wall time of the
compare step over several runs, without extraction (statements already extracted and reviewed)
and with it (``analyse()`` end to end). The first call pays the one-off statsmodels import.

    python benchmarks/bench_compare.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def _median_time(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (median)")
    # run_benchmarks.py calls main() with its own command line in sys.argv: parse only what we are given.
    args = parser.parse_args([] if argv is None else argv)

    from qzanalysis.compare import (
        check_consistency,
        compare_targets,
        coverage_by_year,
        track_targets,
    )
    from qzanalysis.corpus import load_corpus
    from qzanalysis.extract import extract_statements
    from qzanalysis.indicators import load_registry
    from qzanalysis.pipeline import analyse, load_reference_quietly
    from qzanalysis.review import apply_review
    from qzanalysis.schema import JUDGED, STATUSES
    from qzanalysis.stats import attainment_table

    corpus = load_corpus()
    registry = load_registry()
    statements = apply_review(
        extract_statements(corpus, registry), corpus=corpus, registry=registry
    )
    published = corpus.published()

    def compare_step():
        reference = load_reference_quietly(None, registry)
        kw = dict(registry=registry, published=published)
        cmp = compare_targets(statements, reference, **kw)
        track_targets(statements, reference, **kw)
        check_consistency(statements, reference, **kw)
        coverage_by_year(statements, reference, comparisons=cmp)
        attainment_table(cmp)
        return cmp

    started = time.perf_counter()
    comparisons = compare_step()
    cold = time.perf_counter() - started

    counts = comparisons["status"].value_counts()
    print(
        f"targets compared: {len(comparisons)} "
        f"(corpus {int((comparisons['target_origin'] == 'corpus').sum())}, "
        f"reference {int((comparisons['target_origin'] == 'reference').sum())})"
    )
    for status in STATUSES:
        print(f"  {status:<15}{int(counts.get(status, 0)):>5}")
    unmapped = comparisons[comparisons["indicator_id"].isna()]
    by_status = unmapped["status"].value_counts().to_dict()
    print(
        f"  targets whose indicator is not in the registry: {len(unmapped)} "
        f"(matched by text only, so they are {by_status})"
    )
    matched = comparisons["matched_by"].value_counts().to_dict()
    print(f"  judged outcomes matched by: {matched}")

    med, best = _median_time(compare_step, args.runs)
    print(
        f"compare step, extraction excluded: median {med * 1000:.0f} ms, best {best * 1000:.0f} ms "
        f"over {args.runs} runs (first call incl. statsmodels import: {cold * 1000:.0f} ms)"
    )
    a = analyse()
    print(
        "comparisons by kind (methods.md §2-4, §7): "
        f"verdicts {int(comparisons['status'].isin(JUDGED).sum())}, "
        f"tracked goals {len(a.tracking)} ({int(a.tracking['label_zh'].notna().sum())} with a progress label), "
        f"ratchet deltas {int(a.ratchet['delta'].notna().sum())}, pace calls {len(a.pace)}, "
        f"self-reported completion rates {len(a.completion)}, "
        f"derived levels {int(a.derived['derived'].fillna(False).astype(bool).sum())} of {len(a.derived)}"
    )
    med, best = _median_time(lambda: analyse(), args.runs)
    print(
        f"analyse() end to end, extraction and review included: median {med * 1000:.0f} ms, "
        f"best {best * 1000:.0f} ms over {args.runs} runs"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
