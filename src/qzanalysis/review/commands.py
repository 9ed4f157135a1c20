"""The ``qzanalysis review`` command group: tools that help with the review decisions.

A tool is two functions: ``_add_<tool>(tools, add_corpus_arg)`` declares its options and
``cmd_<tool>(args) -> exit status`` does the work by calling the package's functions; add the
first to ``TOOLS``. Tools print to stdout, or write the file named with ``--out``; none writes
``data/curated/review.csv``, and an ``--out`` inside ``data/`` is refused (exit status 2).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from .. import paths
from ..corpus import load_corpus

AddCorpusArg = Callable[[argparse.ArgumentParser], None]


def add_review_parser(sub, add_corpus_arg: AddCorpusArg) -> None:
    """Add ``review`` and its tools to the top-level subparsers ``sub``."""
    p = sub.add_parser(
        "review",
        help="tools for the review decisions: draft them from a gold annotation, rekey orphans",
        description=(
            "Tools that help keep data/curated/review.csv. They print their result, or write it "
            "to --out FILE outside data/; they never write the review file: read the output and "
            "merge it by hand."
        ),
    )
    tools = p.add_subparsers(dest="review_command", metavar="TOOL", required=True)
    for add in TOOLS:
        add(tools, add_corpus_arg)


def _add_out_arg(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help=f"write {what} to FILE (outside data/) instead of printing it",
    )


def _add_draft(tools, add_corpus_arg: AddCorpusArg) -> None:
    p = tools.add_parser(
        "draft",
        help="draft decisions that bring the annotated documents to the gold annotation",
        description=(
            "Pair every gold row with an extracted row: confirm it, or correct it field by "
            "field; add gold rows the extractor missed (with the span of their anchor); reject "
            "extracted rows of the annotated documents that no gold row matches. The summary "
            "goes to stderr."
        ),
    )
    add_corpus_arg(p)
    p.add_argument(
        "--gold",
        type=Path,
        metavar="DIR",
        help="folder of gold_*.csv files (default: ../shared/gold beside the project)",
    )
    _add_out_arg(p, "the drafted decisions")
    p.set_defaults(func=cmd_draft)


def _add_rekey(tools, add_corpus_arg: AddCorpusArg) -> None:
    p = tools.add_parser(
        "rekey",
        help="re-attach orphaned decisions after a rule change altered statement_ids",
        description=(
            "Map each decision whose statement_id is no longer extracted to the statement now "
            "extracted from the same characters, and drop corrections the extractor now makes "
            "itself. OLD_STATEMENTS.csv is the raw extraction the decisions were written "
            "against (qzanalysis extract --no-review --out FILE, before the rule change). One "
            "line per orphan and a summary go to stderr."
        ),
    )
    p.add_argument(
        "old_statements",
        type=Path,
        metavar="OLD_STATEMENTS.csv",
        help="raw extraction from before the change (.csv, or a pandas .pkl)",
    )
    add_corpus_arg(p)
    p.add_argument(
        "--review",
        type=Path,
        metavar="FILE",
        help="review file to re-key (default: data/curated/review.csv)",
    )
    _add_out_arg(p, "the re-keyed review file")
    p.set_defaults(func=cmd_rekey)


#: The tools of ``qzanalysis review``, in the order ``--help`` lists them.
TOOLS = (_add_draft, _add_rekey)


def cmd_draft(args: argparse.Namespace) -> int:
    from .draft import draft_review, draft_summary, load_gold_for, review_csv

    if _refuse_data_out(args.out, "draft"):
        return 2
    corpus = load_corpus(args.corpus)
    try:
        gold = load_gold_for(corpus, args.gold)
    except (FileNotFoundError, ValueError) as exc:
        print(f"qzanalysis review draft: {exc}; pass --gold DIR", file=sys.stderr)
        return 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        decisions = draft_review(corpus, gold)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    _emit(review_csv(decisions), args.out)
    print(draft_summary(decisions), file=sys.stderr)
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    from ..extract import extract_statements
    from .rekey import read_statements, rekey_review

    if _refuse_data_out(args.out, "rekey", inputs=(args.review, args.old_statements)):
        return 2
    review_file = args.review or paths.REVIEW_FILE
    try:
        old = read_statements(args.old_statements)
        review_text = review_file.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, ValueError) as exc:
        print(f"qzanalysis review rekey: {exc}", file=sys.stderr)
        return 1
    new = extract_statements(load_corpus(args.corpus))
    result = rekey_review(review_text, old, new)
    for message in result.messages:
        print(message, file=sys.stderr)
    _emit(result.text, args.out)
    print(result.summary(), file=sys.stderr)
    return 0


def _refuse_data_out(out: Path | None, tool: str, inputs: tuple = ()) -> bool:
    """True (after saying why) when ``out`` lies inside data/, which the tools never write, or
    would replace one of this run's input files (a --review file kept outside data/)."""
    if out is not None and any(
        i is not None and Path(i).resolve() == Path(out).resolve() for i in inputs
    ):
        print(
            f"qzanalysis review {tool}: refused: --out {out} would overwrite an input file of "
            "this run; choose another output path",
            file=sys.stderr,
        )
        return True
    if out is None or not Path(out).resolve().is_relative_to(paths.DATA_DIR.resolve()):
        return False
    print(
        f"qzanalysis review {tool}: --out {out} is inside {paths.DATA_DIR}; the review tools "
        "never write under data/ (the review file is yours to edit). Write the output elsewhere, "
        f"e.g. --out /tmp/review_{tool}.csv, read it, and merge it into "
        "data/curated/review.csv by hand.",
        file=sys.stderr,
    )
    return True


def _emit(text: str, out: Path | None) -> None:
    """Print ``text``, or write it (atomically, UTF-8) to ``out``."""
    if out is None:
        sys.stdout.write(text)
        return
    from ..tables import atomic_write

    atomic_write(Path(out), lambda p: p.write_text(text, encoding="utf-8"))
    print(f"written to {out}", file=sys.stderr)
