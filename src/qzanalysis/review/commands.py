"""The ``qzanalysis review`` command group: look at, record and check the review decisions.

A tool is two functions: ``_add_<tool>(tools, add_corpus_arg)`` declares its options and
``cmd_<tool>(args) -> exit status`` does the work by calling the package's functions; add the
first to ``TOOLS``.

- ``list``, ``show``, ``status`` read the statements (the extractor's rows plus the added ones)
  and the review file, and print.
- ``confirm``, ``reject``, ``correct``, ``add`` and ``rekey --apply`` write the review file
  (``--review``, default ``data/curated/review.csv``) through
  :class:`~qzanalysis.review.store.ReviewStore`: the one write under ``data/`` the package makes,
  and only when the researcher runs one of them. Each prints what it wrote (action, id, line).
- ``draft``, ``rekey`` (without ``--apply``) and ``agreement`` print their result or write the
  file named with ``--out``; an ``--out`` inside ``data/`` or over an input is refused (exit 2).

A bad argument (an unknown statement, a value the review file would refuse, a span outside the
document) is one message and exit status 2; a broken input file is one message and exit status 1
(:mod:`qzanalysis.cli_errors`); never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .. import paths, schema
from ..corpus import load_corpus
from .decision_commands import (
    _usage_errors,
    cmd_add,
    cmd_confirm,
    cmd_correct,
    cmd_list,
    cmd_reject,
    cmd_show,
    cmd_status,
)
from .decisions import BLANK, FIELDS, ReviewError

AddCorpusArg = Callable[[argparse.ArgumentParser], None]


def add_review_parser(sub, add_corpus_arg: AddCorpusArg) -> None:
    """Add ``review`` and its tools to the top-level subparsers ``sub``."""
    p = sub.add_parser(
        "review",
        help="look at and record review decisions (list, show, status, confirm, reject, "
        "correct, add), and the tools that help (draft, rekey, agreement)",
        description=(
            "Look at the statements and their decisions (list, show, status) and record "
            "decisions (confirm, reject, correct, add; rekey --apply). Those commands write the "
            "review file (--review FILE, default data/curated/review.csv): the one file under "
            "data/ the package writes, and only when you run them; every other line of it is "
            "kept as it is. draft, rekey and agreement print their result, or write it to --out "
            "FILE outside data/."
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


def _add_review_arg(p: argparse.ArgumentParser, what: str = "review file") -> None:
    p.add_argument(
        "--review",
        type=Path,
        metavar="FILE",
        help=f"{what} (default: data/curated/review.csv)",
    )


def _tool(tools, add_corpus_arg: AddCorpusArg, name: str, func, help: str, description: str):
    """A tool's parser with --corpus and --review."""
    p = tools.add_parser(name, help=help, description=description)
    add_corpus_arg(p)
    _add_review_arg(p)
    p.set_defaults(func=_usage_errors(func))
    return p


def _add_list(tools, add_corpus_arg: AddCorpusArg) -> None:
    p = _tool(
        tools,
        add_corpus_arg,
        "list",
        cmd_list,
        "list the statements with their decisions",
        "One line per statement: the extractor's rows as the review file leaves them, the "
        "added ones, and the rejected ones (marked reject). The count goes to stderr.",
    )
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only this document")
    p.add_argument("--kind", choices=schema.KINDS, help="only this kind")
    p.add_argument("--indicator", metavar="ID", help="only this indicator_id (or phrase part)")
    p.add_argument("--unmapped", action="store_true", help="only statements without indicator_id")
    p.add_argument("--unreviewed", action="store_true", help="only statements with no decision")
    p.add_argument("--csv", action="store_true", help="machine-readable CSV (every field)")


def _add_show(tools, add_corpus_arg: AddCorpusArg) -> None:
    p = _tool(
        tools,
        add_corpus_arg,
        "show",
        cmd_show,
        "show one statement, its decision and its sentence",
        "Print a statement's fields (as reviewed, with the extractor's value where a decision "
        "changed it), its decision, and the sentence with the number marked 【like this】.",
    )
    p.add_argument("statement_id", metavar="ID", help="statement_id (see review list)")


def _add_status(tools, add_corpus_arg: AddCorpusArg) -> None:
    _tool(
        tools,
        add_corpus_arg,
        "status",
        cmd_status,
        "statements reviewed and unreviewed per document; orphaned decisions",
        "Per document: statements, reviewed, unreviewed. Then the decisions re-attached by "
        "their span, the orphaned decisions (their statement is no longer extracted) and those "
        "about documents not in the corpus.",
    )


def _add_write_tool(tools, add_corpus_arg: AddCorpusArg, action: str, func, help: str):
    p = _tool(
        tools,
        add_corpus_arg,
        action,
        func,
        help,
        f"{help[0].upper()}{help[1:]}: writes the decision into the review file (replacing "
        "the statement's earlier decision on its line, else as a new last line) and prints it.",
    )
    if action != "add":
        p.add_argument("statement_id", metavar="ID", help="statement_id (see review list)")
    p.add_argument("--note", default="", help="a note kept with the decision")
    return p


def _add_field_args(p: argparse.ArgumentParser, required: tuple[str, ...] = ()) -> None:
    for f in FIELDS:
        choices = (
            schema.ALLOWED.get(f) if f in ("kind", "measure", "direction", "comparator") else None
        )
        p.add_argument(
            f"--{f.replace('_', '-')}",
            dest=f,
            choices=choices,
            required=f in required,
            metavar=None if choices else f.upper(),
            help=f"{f}" + (" (required)" if f in required else ""),
        )


def _add_confirm(tools, add_corpus_arg: AddCorpusArg) -> None:
    _add_write_tool(
        tools, add_corpus_arg, "confirm", cmd_confirm, "confirm a statement as extracted"
    )


def _add_reject(tools, add_corpus_arg: AddCorpusArg) -> None:
    _add_write_tool(tools, add_corpus_arg, "reject", cmd_reject, "reject a statement")


def _add_correct(tools, add_corpus_arg: AddCorpusArg) -> None:
    p = _add_write_tool(
        tools, add_corpus_arg, "correct", cmd_correct, "correct fields of a statement"
    )
    _add_field_args(p)
    p.add_argument(
        "--clear",
        action="append",
        choices=FIELDS,
        metavar="FIELD",
        help=f"clear FIELD (writes {BLANK}); repeatable",
    )


def _add_add(tools, add_corpus_arg: AddCorpusArg) -> None:
    p = _add_write_tool(
        tools, add_corpus_arg, "add", cmd_add, "add a statement the extractor missed"
    )
    p.add_argument("--doc", required=True, metavar="DOC_ID", help="the document")
    p.add_argument("--start", required=True, type=int, metavar="N", help="char_start (code points)")
    p.add_argument("--end", required=True, type=int, metavar="M", help="char_end (exclusive)")
    p.add_argument("--id", metavar="ID", help="statement_id (default: made from the span)")
    _add_field_args(p, required=("kind", "measure", "value"))


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
            "line per orphan and a summary go to stderr. With --apply the re-keyed decisions "
            "are written into the review file (in place; every other line kept)."
        ),
    )
    p.add_argument(
        "old_statements",
        type=Path,
        metavar="OLD_STATEMENTS.csv",
        help="raw extraction from before the change (.csv, or a pandas .pkl)",
    )
    add_corpus_arg(p)
    _add_review_arg(p, "review file to re-key")
    _add_out_arg(p, "the re-keyed review file")
    p.add_argument(
        "--apply",
        action="store_true",
        help="write the re-keyed decisions into the review file (instead of printing it)",
    )
    p.set_defaults(func=cmd_rekey)


def _add_agreement(tools, add_corpus_arg: AddCorpusArg) -> None:
    p = tools.add_parser(
        "agreement",
        help="agreement between two researchers' review files (share, Cohen's kappa)",
        description=(
            "Compare two review files on the statements both decided: per field the number "
            "compared, the share agreeing, and Cohen's kappa for action, kind, measure, "
            "direction and comparator. A field's value is the correction, else the extractor's."
        ),
    )
    p.add_argument("review_a", type=Path, metavar="A.csv", help="first researcher's review file")
    p.add_argument("review_b", type=Path, metavar="B.csv", help="second researcher's review file")
    add_corpus_arg(p)
    _add_out_arg(p, "the agreement table (CSV)")
    p.set_defaults(func=cmd_agreement)


#: The tools of ``qzanalysis review``, in the order ``--help`` lists them.
TOOLS = (
    _add_list,
    _add_show,
    _add_status,
    _add_confirm,
    _add_reject,
    _add_correct,
    _add_add,
    _add_draft,
    _add_rekey,
    _add_agreement,
)


# -------------------------------------------------------------------------------- tools


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
    from .store import ReviewStore

    if _refuse_data_out(args.out, "rekey", inputs=(args.review, args.old_statements)):
        return 2
    review_file = args.review or paths.REVIEW_FILE
    try:
        old = read_statements(args.old_statements)
        review_text = review_file.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, ValueError) as exc:
        print(f"qzanalysis review rekey: {exc}", file=sys.stderr)
        return 1
    # --apply writes through the store, which reads (and validates) the file itself
    store = ReviewStore(review_file) if args.apply else None
    new = extract_statements(load_corpus(args.corpus))
    result = rekey_review(store.text() if store else review_text, old, new)
    for message in result.messages:
        print(message, file=sys.stderr)
    if store is None or args.out is not None:
        _emit(result.text, args.out)
    if store is None:
        print(result.summary(), file=sys.stderr)
        return 0
    return _apply_rekey(store, result, new)


def _apply_rekey(store, result, new: pd.DataFrame) -> int:
    """Write the re-keyed decisions of ``result`` into the store's file; say what was written."""
    proposed = _rows_by_line(result.text)
    spans = new.set_index("statement_id")[["doc_id", "char_start", "char_end"]]
    done, refused = [], []
    for ch in result.changes[result.changes["result"] == "rekeyed"].to_dict("records"):
        rec, sid, new_sid = proposed[int(ch["line"])], ch["statement_id"], ch["new_statement_id"]
        span = spans.loc[new_sid]
        try:
            store.rekey(
                sid,
                new_sid,
                action=rec["action"],
                fields={f: rec.get(f, "") for f in FIELDS},
                doc_id=str(span["doc_id"]),
                char_start=int(span["char_start"]),
                char_end=int(span["char_end"]),
            )
        except ReviewError as exc:
            refused.append(f"line {ch['line']}: {sid} not re-keyed: {exc}")
            continue
        done.append(ch)
    for message in refused:
        print(message, file=sys.stderr)
    if not store.changed:
        print(f"nothing re-keyed: {store.path} unchanged ({result.summary()})")
        return 1 if refused else 0
    store.save()
    for ch in done:
        line = store.get(ch["new_statement_id"])["line"]
        print(
            f"{ch['action']} {ch['new_statement_id']} (was {ch['was']} {ch['statement_id']}) "
            f"written to {store.path}, line {line}"
        )
    kept = len(result.changes) - len(done)
    print(f"{len(done)} decision(s) re-keyed in {store.path}; {kept} orphan(s) left as they were")
    return 1 if refused else 0


def _rows_by_line(text: str) -> dict[int, dict]:
    """The rows of a review file's text by physical line (as rekey_review writes it)."""
    header: list[str] | None = None
    rows: dict[int, dict] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if header is None:
            header = cells
            continue
        rows[lineno] = dict(zip(header, cells, strict=False))
    return rows


def cmd_agreement(args: argparse.Namespace) -> int:
    from ..extract import extract_statements
    from .agreement import agreement
    from .decisions import load_review

    if _refuse_data_out(args.out, "agreement", inputs=(args.review_a, args.review_b)):
        return 2
    a, b = load_review(args.review_a), load_review(args.review_b)
    table = agreement(a, b, extract_statements(load_corpus(args.corpus)))
    at = table.attrs
    if args.out is not None:
        from ..tables import write_csv

        write_csv(table, Path(args.out))
        print(f"written to {args.out}", file=sys.stderr)
    else:
        with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
            print(table.to_string(index=False))
    print(
        f"{at['both']} statements decided in both files ({at['compared']} with fields compared: "
        f"neither rejected, still extracted); only in {args.review_a}: {at['only_a']}, only in "
        f"{args.review_b}: {at['only_b']}",
        file=sys.stderr,
    )
    return 0


def _refuse_data_out(out: Path | None, tool: str, inputs: tuple = ()) -> bool:
    """True (after saying why) when ``out`` lies inside data/, which --out never writes, or
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
        "never write under data/ through --out (only the decision commands, and rekey --apply, "
        "write the review file). Write the output elsewhere, e.g. "
        f"--out /tmp/review_{tool}.csv, and read it.",
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
