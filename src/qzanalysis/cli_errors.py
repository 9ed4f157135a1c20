"""How the command line fails: one message on stderr and an exit status, never a traceback.

:func:`run_command` runs a subcommand's ``cmd_<name>`` function and maps every error a user can
cause (a broken input file, an output path that would overwrite input data, a file that cannot be
read or written) to one message naming the command, what went wrong and where. Python warnings
raised meanwhile are printed as one plain line each (``warning: ...``), without source paths.
The argument checks shared by several subcommands live here too.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from . import paths

#: Exit status of a refused request (bad argument, output path refused, report locked).
USAGE = 2
#: Exit status of inputs that cannot be used (broken corpus, registry, review, reference, rates).
BROKEN_INPUT = 1


def _input_errors() -> list[tuple[type[BaseException], str]]:
    """(exception class, what cannot be used) for every input-file error of the package."""
    from .corpus import CorpusError
    from .currency import RatesError
    from .decoding import DecodeError
    from .indicators import RegistryError
    from .periods import PeriodError
    from .reference import ReferenceDataError
    from .review import ReviewError

    return [
        (CorpusError, "the corpus cannot be used"),
        (DecodeError, "a document cannot be decoded"),
        (RegistryError, f"the indicator registry ({paths.INDICATORS_FILE}) cannot be used"),
        (ReviewError, "the review file cannot be applied"),
        (ReferenceDataError, "the reference figures cannot be used"),
        (RatesError, "the 元/美元 rates cannot be used"),
        (PeriodError, "a period cannot be read"),
    ]


def _plain_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning as one line, without the source file and line Python adds."""
    text = " ".join(str(message).split())
    print(f"warning: {text}", file=sys.stderr, flush=True)


def _os_message(exc: OSError) -> str:
    where = exc.filename or "a file"
    reason = exc.strerror or str(exc)
    if isinstance(exc, PermissionError):
        hint = "check its permissions (is the folder read-only?) or choose another --out"
    elif isinstance(exc, FileNotFoundError):
        hint = "check the path, or create the file"
    else:
        hint = "check the path and the disk"
    return f"cannot read or write {where}: {reason}; {hint}"


def failure(command: str, exc: BaseException) -> tuple[int, str] | None:
    """(exit status, message) for an error a user can cause, None for a bug (re-raised)."""
    from .cities import CityError
    from .report.specs import ReportError

    prefix = f"qzanalysis {command}:"
    if isinstance(exc, paths.OutputPathError):
        return USAGE, f"{prefix} refused: {exc}"
    if isinstance(exc, ReportError):
        return USAGE, f"{prefix} {exc}"
    if isinstance(exc, CityError):
        return USAGE, (
            f"{prefix} this corpus holds several cities (the manifest's city column) and this "
            f"step answers for one city at a time.\n{exc}"
        )
    for cls, what in _input_errors():
        if isinstance(exc, cls):
            return BROKEN_INPUT, f"{prefix} {what}.\n{exc}"
    if isinstance(exc, OSError):
        return BROKEN_INPUT, f"{prefix} {_os_message(exc)}"
    return None


def run_command(command: str, func: Callable[[argparse.Namespace], int], args) -> int:
    """``func(args)`` with plain warnings and every user-caused error as one message."""
    with warnings.catch_warnings():
        warnings.showwarning = _plain_warning
        try:
            return func(args)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        except Exception as exc:
            known = failure(command, exc)
            if known is None:
                raise
            print(known[1], file=sys.stderr)
            return known[0]


# --------------------------------------------------------------------------------------------
# Argument checks (argparse types, and checks that need the corpus)
# --------------------------------------------------------------------------------------------


def tolerance(text: str) -> float:
    """argparse type of ``--tolerance-pp``: a finite number of percentage points, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; write e.g. 0.2") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the tolerance must be a finite number of percentage points, 0 or more "
            "(e.g. 0.2)"
        )
    return value


def years_outside_corpus(years, corpus) -> str:
    """A message when ``years`` fall outside the span the corpus speaks of ('' when none do)."""
    known = [y for d in corpus.documents for y in d.years_mentioned]
    known += [int(d.published[:4]) for d in corpus.documents if d.published[:4].isdigit()]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    outside = [y for y in years if not lo <= y <= hi]
    if not outside:
        return ""
    listed = ", ".join(str(y) for y in outside)
    return (
        f"--years: {listed} outside {lo}-{hi}, the years the documents in {corpus.path} name; "
        f"a year review there would have nothing to show. Choose years in {lo}-{hi}, or add a "
        "document that speaks of that year to the corpus"
    )


def output_inputs(args) -> list[Path]:
    """The inputs of this run an output must not overwrite, beyond :func:`paths.input_files`."""
    found = [Path(args.corpus)] if getattr(args, "corpus", None) else []
    review = getattr(args, "review", None)
    if isinstance(review, Path):
        found.append(review)
    return found


def bad_as_of(command: str, as_of: str) -> bool:
    """Say so when --as-of is not a date (an analysis 'as of 2022-13' would silently mean nothing)."""
    from .periods import is_date

    if as_of and not is_date(as_of):
        print(
            f"qzanalysis {command}: --as-of {as_of!r} is not a date; write YYYY-MM or YYYY-MM-DD",
            file=sys.stderr,
        )
        return True
    return False
