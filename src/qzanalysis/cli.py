"""Command line: ``qzanalysis corpus | extract | review | indicators | compare | report``.

Each subcommand is a thin shell over one module's functions, so everything it does can also be
done in one line from a notebook. A subcommand is an ``_add_<name>`` function (its options) and a
``cmd_<name>`` function (the work); ``review`` is a group of tools, declared in
:mod:`qzanalysis.review.commands`.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from . import __version__, paths
from .cli_errors import bad_as_of as _bad_as_of
from .cli_errors import output_inputs, run_command, tolerance, years_outside_corpus
from .corpus import load_corpus

EPILOG = """\
The flow: corpus (data/raw) -> extract (statements) -> review (data/curated/review.csv)
-> compare (with data/reference) -> report (notebooks -> outputs/html).
qzanalysis review list | show | status read the decisions; confirm | reject | correct | add
(and rekey --apply) write the review file, the one file under data/ the package writes, and
only when asked; draft | rekey | agreement print, or write --out outside data/.
Every command takes --corpus DIR: any folder with a manifest.csv is a corpus.
"""


def _add_corpus_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--corpus",
        type=Path,
        default=paths.RAW_DIR,
        metavar="DIR",
        help="corpus folder holding manifest.csv and the documents (default: data/raw)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``qzanalysis`` parser: one ``_add_<command>`` function per subcommand."""
    parser = argparse.ArgumentParser(
        prog="qzanalysis",
        description=(
            "Find every quantitative plan and reported outcome in Quzhou government documents "
            "and compare them, 2019-2025."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"qzanalysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (_add_corpus, _add_extract, _add_review, _add_indicators, _add_compare, _add_report):
        add(sub)
    return parser


def _add_corpus(sub) -> None:
    p = sub.add_parser(
        "corpus",
        help="list the corpus documents and check the manifest",
        description=(
            "Print one row per document (id, type, date, size, encoding, years it mentions). "
            "Exits with status 1 and every validation message when the corpus is broken."
        ),
    )
    _add_corpus_arg(p)
    p.set_defaults(func=cmd_corpus)


def _add_extract(sub) -> None:
    p = sub.add_parser(
        "extract",
        help="extract quantitative statements into outputs/tables/statements.csv",
        description=(
            "Extract every quantitative target, outcome and estimate with its exact place in the "
            "document, apply the review decisions in data/curated/review.csv, and write the table."
        ),
    )
    _add_corpus_arg(p)
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="output CSV (default: outputs/tables/statements.csv)",
    )
    p.add_argument(
        "--no-review",
        action="store_true",
        help="write the raw extractor output, without review decisions",
    )
    p.add_argument(
        "--review",
        type=Path,
        metavar="FILE",
        help="review file to apply (default: data/curated/review.csv)",
    )
    p.add_argument(
        "--parquet", action="store_true", help="also write a Parquet file beside the CSV"
    )
    p.set_defaults(func=cmd_extract)


def _add_review(sub) -> None:
    from .review.commands import add_review_parser

    add_review_parser(sub, _add_corpus_arg)


def _add_indicators(sub) -> None:
    from .indicators import SUGGEST_MIN_RATIO

    p = sub.add_parser(
        "indicators",
        help="list the indicator registry, the phrases it does not map, or near phrases",
        description="Show data/indicators.yaml as a table; --unmapped lists extracted indicator "
        "phrases with no id, so you can add synonyms to the YAML; --suggest lists, for every "
        "target phrase with no id, the nearest outcome phrases with no id and registry names "
        "(suggestions to judge, never matches). Both read the reviewed statements, as compare "
        "does (--no-review: the extractor's own).",
    )
    _add_corpus_arg(p)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--unmapped", action="store_true", help="list indicator phrases with no id")
    mode.add_argument(
        "--suggest",
        action="store_true",
        help="for each target phrase with no id: near outcome phrases and registry names "
        f"(one contains the other, or difflib ratio >= {SUGGEST_MIN_RATIO})",
    )
    p.add_argument(
        "--min-ratio",
        type=float,
        default=SUGGEST_MIN_RATIO,
        metavar="R",
        help=f"--suggest: lowest difflib similarity ratio (default {SUGGEST_MIN_RATIO})",
    )
    p.add_argument(
        "--no-review",
        action="store_true",
        help="use the raw extractor output, without data/curated/review.csv",
    )
    p.set_defaults(func=cmd_indicators)


def _add_tolerance_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--tolerance-pp",
        type=tolerance,
        default=0.2,
        metavar="X",
        help="tolerance for '左右' targets in percentage points (default 0.2)",
    )


def _add_as_of_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as-of",
        metavar="DATE",
        default="",
        help="vintage YYYY-MM[-DD]: use only documents published by then and reference figures "
        "known by then (default: everything)",
    )


def _add_compare(sub) -> None:
    p = sub.add_parser(
        "compare",
        help="judge every target against outcomes; write comparison tables",
        description=(
            "Match targets with outcomes (corpus and data/reference), give each a verdict, track "
            "multi-year goals, check consistency and coverage, and write CSV tables (plus Parquet "
            "and Stata .dta on request) with a data dictionary."
        ),
    )
    _add_corpus_arg(p)
    _add_tolerance_arg(p)
    _add_as_of_arg(p)
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default: outputs/tables)",
    )
    p.add_argument("--parquet", action="store_true", help="also write Parquet files")
    p.add_argument("--stata", action="store_true", help="also write Stata .dta files")
    p.set_defaults(func=cmd_compare)


def _add_report(sub) -> None:
    p = sub.add_parser(
        "report",
        help="run the notebooks and render every report to outputs/",
        description=(
            "Execute the parameterised notebooks with papermill into outputs/notebooks/, render "
            "them to self-contained HTML in outputs/html/, and write outputs/index.html. "
            "Up-to-date reports are skipped unless --force."
        ),
    )
    _add_corpus_arg(p)
    p.add_argument(
        "--years",
        metavar="SPEC",
        help="years for the year reviews, e.g. 2019-2025 or 2020,2022",
    )
    p.add_argument(
        "--only",
        choices=("overview", "year", "plan", "cities"),
        action="append",
        help="render only this kind of report (repeatable); cities: the cross-city report",
    )
    _add_tolerance_arg(p)
    _add_as_of_arg(p)
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="reports to run in parallel (default: 2 on 2+ cores)",
    )
    p.add_argument(
        "--show-code", action="store_true", help="open the folded code cells in the HTML"
    )
    p.add_argument("--force", action="store_true", help="re-run reports that are up to date")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="list the reports that would run and why (what changed), and run none",
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop a report that runs longer than this (it is listed as failed)",
    )
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="where extraction and the reports run: local processes (default) or dask "
        "(pip install 'qzanalysis[dask]'; a LocalCluster unless --scheduler)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)",
    )
    p.set_defaults(func=cmd_report)


def cmd_corpus(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.corpus)
    table = corpus.summary()
    with _wide_pandas():
        print(table.drop(columns=["title"]).to_string(index=False))
    print(f"\n{len(corpus)} documents in {corpus.path}; all files decoded and checked.")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import extract_statements

    out = args.out or (paths.TABLES_DIR / "statements.csv")
    for path in (out, out.with_suffix(".parquet")) if args.parquet else (out,):
        paths.check_output(path, output_inputs(args), expect="file")
    corpus = load_corpus(args.corpus)
    table = extract_statements(corpus)
    if not args.no_review:
        table = _reviewed(table, args.review, corpus)
    written = _write_statements(table, out, parquet=args.parquet)
    counts = (
        table.groupby(["doc_id", "kind"])
        .size()
        .unstack(fill_value=0)
        .reindex(corpus.doc_ids, fill_value=0)
    )
    with _wide_pandas():
        print(counts.to_string())
    for doc_id in corpus.doc_ids:
        if counts.loc[doc_id].sum() == 0:
            print(
                f"warning: {doc_id} yields no statements; check its text or the rules",
                file=sys.stderr,
            )
    unmapped = int(table["indicator_id"].isna().sum() + (table["indicator_id"] == "").sum())
    print(
        f"{len(table)} statements, {unmapped} without an indicator id "
        f"(see: qzanalysis indicators --unmapped); written to {', '.join(written)}"
    )
    return 0


def _reviewed(table, review: Path | None, corpus):
    """``table`` with the review file applied (a ReviewError says why it cannot be)."""
    import warnings

    from .review import apply_review

    review_file = review or paths.REVIEW_FILE
    if review is None and not review_file.is_file():
        return table
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # every orphan, not once per line of the review code
        reviewed = apply_review(table, review_file, corpus=corpus)
    print(_review_summary(reviewed, review_file, len(table)))
    return reviewed


def _review_summary(reviewed, review_file: Path, extracted: int) -> str:
    """One line: decisions applied, re-keyed by span, orphaned (and what to do)."""
    from .review.survival import REKEY_HINT

    attrs = reviewed.attrs
    applied = int(attrs.get("rejected", 0) + (reviewed["review_action"] != "").sum())
    rekeyed, orphans = len(attrs.get("rekeyed", {})), len(attrs.get("orphans", []))
    kept = (
        f"; {review_file} is not rewritten: persist the new ids with `qzanalysis review rekey "
        "--apply` or the review store"
        if rekeyed
        else ""
    )
    todo = f" (see the warnings; {REKEY_HINT})" if orphans else ""
    skipped = attrs.get("out_of_scope", 0)
    other = f", {skipped} about documents not in this corpus" if skipped else ""
    return (
        f"review: {applied} decisions applied, {rekeyed} re-keyed by span (same span and "
        f"text{kept}), {orphans} orphaned{todo}{other} "
        f"[{review_file}: {extracted} extracted -> {len(reviewed)} statements]"
    )


def _write_statements(table, out: Path, *, parquet: bool) -> list[str]:
    from .tables import atomic_write, write_csv

    # BOM (Excel opens the Chinese), formula-safe text cells, atomic: never half a file.
    write_csv(table, out)
    written = [str(out)]
    if parquet:
        pq = out.with_suffix(".parquet")
        plain = table.copy(deep=False)
        plain.attrs = {}  # attrs (review orphans) are not Parquet metadata
        atomic_write(pq, lambda p: plain.to_parquet(p, index=False))
        written.append(str(pq))
    return written


def cmd_indicators(args: argparse.Namespace) -> int:
    from .extract import extract_statements
    from .indicators import load_registry

    registry = load_registry()
    if not (args.unmapped or args.suggest):
        with _wide_pandas():
            print(registry.to_frame().to_string(index=False))
        print(f"\n{len(registry.indicators)} indicators in {registry.source}")
        return 0
    corpus = load_corpus(args.corpus)
    table = extract_statements(corpus, registry)
    if not args.no_review:
        table = _reviewed(table, None, corpus)
    if args.suggest:
        return _print_suggestions(table, registry, args.min_ratio)
    return _print_unmapped(table, registry)


def _print_unmapped(table, registry) -> int:
    missing = table[table["indicator_id"].isna() | (table["indicator_id"] == "")]
    if missing.empty:
        print("every extracted indicator phrase maps to an id")
        return 0
    summary = (
        missing.groupby("indicator_text", dropna=False)
        .agg(
            count=("statement_id", "size"),
            kinds=("kind", lambda s: ", ".join(sorted(set(s)))),
            doc_ids=("doc_id", lambda s: ", ".join(sorted(set(s)))),
            measures=("measure", lambda s: ", ".join(sorted(set(s)))),
        )
        .sort_values(["count", "indicator_text"], ascending=[False, True])
        .reset_index()
    )
    with _wide_pandas():
        print(summary.to_string(index=False))
    n_targets = int((missing["kind"] == "target").sum())
    print(
        f"\n{len(summary)} unmapped phrases ({len(missing)} statements, {n_targets} of them "
        f"targets); add synonyms or ids to {registry.source} "
        "(qzanalysis indicators --suggest lists near phrases)"
    )
    return 0


def _print_suggestions(table, registry, min_ratio: float) -> int:
    from .indicators import SUGGEST_MIN_CONTAINED, suggest_synonyms

    found = suggest_synonyms(table, registry, min_ratio=min_ratio)
    unmapped = table[(table["kind"] == "target") & table["indicator_id"].fillna("").eq("")]
    if unmapped.empty:
        print("every target phrase maps to an id: nothing to suggest")
        return 0
    for phrase, rows in found.groupby("target_phrase", sort=False):
        print(f"{phrase}  [{rows['target_ids'].iloc[0]}]")
        for r in rows.itertuples():
            print(
                f"    {r.source:<8} {r.suggestion}  ({r.match} {r.score:.2f}; {r.suggestion_ids})"
            )
    without = sorted(set(unmapped["indicator_text"].dropna()) - set(found["target_phrase"]))
    if without:
        print(f"\nno near phrase for: {', '.join(without)}")
    print(
        f"\n{found['target_phrase'].nunique()} of {unmapped['indicator_text'].nunique()} "
        f"unmapped target phrases have suggestions (near = one phrase contains the other, the "
        f"shorter at least {SUGGEST_MIN_CONTAINED} characters, or difflib ratio >= {min_ratio}). "
        "Suggestions are never matches: if a pair means one indicator, add the phrase as a "
        f"synonym in {registry.source}."
    )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .pipeline import analyse
    from .schema import STATUSES
    from .tables import undescribed_columns, write_tables

    if _bad_as_of("compare", args.as_of):
        return 2
    inputs = output_inputs(args)
    paths.check_output(args.out or paths.TABLES_DIR, inputs, expect="dir")
    result = analyse(args.corpus, tolerance_pp=args.tolerance_pp, as_of=args.as_of or None)
    frames = result.tables()
    written = write_tables(frames, args.out, parquet=args.parquet, stata=args.stata, inputs=inputs)
    counts = result.comparisons["status"].value_counts()
    print(
        f"{len(result.comparisons)} targets compared (tolerance {args.tolerance_pp} pp, "
        f"as of {result.parameters['as_of']}):"
    )
    for status in STATUSES:
        print(f"  {status:<15}{int(counts.get(status, 0)):>5}")
    print(
        f"{len(result.tracking)} multi-year targets tracked; "
        f"{len(result.consistency)} consistency findings."
    )
    missing = undescribed_columns(frames)
    if missing:
        print(f"warning: columns without a codebook description: {missing}", file=sys.stderr)
    out_dir = written[0].parent if written else args.out
    print(
        f"{len(written)} files written to {out_dir} (codebook.csv and README.md describe every column)."
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import ReportError, parse_years
    from .report.runner import report_lock

    if args.jobs is not None and args.jobs < 1:
        print("qzanalysis report: --jobs must be 1 or more", file=sys.stderr)
        return 2
    if _bad_as_of("report", args.as_of):
        return 2
    if args.timeout is not None and not (args.timeout > 0 and math.isfinite(args.timeout)):
        print("qzanalysis report: --timeout must be a number of seconds above 0", file=sys.stderr)
        return 2
    years = parse_years(args.years)  # a ReportError (exit 2) before any work
    inputs = output_inputs(args)
    paths.check_output(paths.OUTPUTS_DIR, inputs, expect="dir")
    paths.check_output(paths.TABLES_DIR, inputs, expect="dir")
    if args.years:
        outside = years_outside_corpus(years, load_corpus(args.corpus))
        if outside:
            raise ReportError(outside)
    with report_lock(paths.OUTPUTS_DIR):
        return _run_report(args, years)


def _run_report(args: argparse.Namespace, years: tuple[int, ...]) -> int:
    from .report import plan_reports, run_reports
    from .saved import load_or_analyse
    from .tables import write_tables

    print("extracting and comparing…", flush=True)
    analysis, reason = load_or_analyse(
        args.corpus,
        out_dir=paths.OUTPUTS_DIR / "analysis",
        tolerance_pp=args.tolerance_pp,
        as_of=args.as_of or None,
        **_executor_options(args),
    )
    print(f"analysis: {reason}", flush=True)
    if not args.dry_run:
        # The tables every report's numbers come from, for Excel, R or Stata (outputs/tables/).
        write_tables(analysis.tables())
    specs = plan_reports(
        args.corpus,
        years=years,  # none: each city's own years (Analysis.for_city(city).review_years())
        only=args.only,
        tolerance_pp=args.tolerance_pp,
        as_of=args.as_of,
        analysis=analysis,  # its cities, and each city's years and plans
    )
    if args.dry_run:
        from .report.dryrun import explain, print_plan

        print_plan(
            explain(specs, analysis=analysis, corpus_dir=args.corpus, show_code=args.show_code,
                    force=args.force)
        )  # fmt: skip
        return 0
    started = time.perf_counter()
    results = run_reports(
        specs,
        corpus_dir=args.corpus,
        jobs=args.jobs,
        force=args.force,
        show_code=args.show_code,
        analysis=analysis,  # the site's pages read the same analysis (warned once)
        timeout=args.timeout,
        executor=args.executor,
        scheduler=args.scheduler,
    )
    took = time.perf_counter() - started
    return _report_outcome(results, took)


def _executor_options(args: argparse.Namespace) -> dict:
    """How extraction runs (not part of the saved analysis's key): the report's executor."""
    return {"executor": args.executor, "scheduler": args.scheduler, "jobs": args.jobs}


def _report_outcome(results, took: float) -> int:
    failed = [r for r in results if r.status == "failed"]
    print(
        f"\n{len(results) - len(failed)} of {len(results)} report(s) ready in {took:.1f} s: "
        f"{paths.OUTPUTS_DIR / 'index.html'}"
    )
    if failed:
        print(
            f"{len(failed)} report(s) failed (the previous HTML, if any, is kept):", file=sys.stderr
        )
        for r in failed:
            print(
                f"  - {r.name}: {r.error}\n    see outputs/notebooks/{r.name}.error.ipynb",
                file=sys.stderr,
            )
        return 1
    return 0


class _wide_pandas:
    """Print whole tables (no '...' columns) on the console."""

    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context(
            "display.width", 200, "display.max_columns", 50, "display.max_colwidth", 60
        )
        self._ctx.__enter__()

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = f"{args.command} {getattr(args, 'review_command', '')}".strip()
    return run_command(command, args.func, args)


if __name__ == "__main__":
    sys.exit(main())
