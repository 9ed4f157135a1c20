"""Every path the package uses, in one place (cookiecutter-data-science habit).

The project root is found by walking up from the current directory to the folder that holds
``pyproject.toml`` and ``data/``; the environment variable ``QZANALYSIS_ROOT`` overrides it
(useful when a notebook runs from a temporary directory under papermill).

Read these constants at call time (``paths.REVIEW_FILE``, not a copy bound at import), so a
test or a notebook may point one elsewhere. :func:`check_output` is the one check
every writer makes: nothing is written inside data/raw, data/curated or data/reference, or over
an input file.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """Return the project root (the folder holding ``data/`` and ``notebooks/``)."""
    env = os.environ.get("QZANALYSIS_ROOT")
    if env:
        return Path(env).resolve()
    # An editable install: src/qzanalysis/ -> project root two levels up.
    candidate = _PACKAGE_DIR.parent.parent
    if (candidate / "data").is_dir() and (candidate / "pyproject.toml").is_file():
        return candidate
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return here


ROOT = project_root()
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"  # immutable evidence: never written by the package
CURATED_DIR = DATA_DIR / "curated"
REFERENCE_DIR = DATA_DIR / "reference"
INDICATORS_FILE = DATA_DIR / "indicators.yaml"
REVIEW_FILE = CURATED_DIR / "review.csv"
REFERENCE_FILE = REFERENCE_DIR / "quzhou_reference_facts.csv"
CNY_USD_RATES_FILE = REFERENCE_DIR / "cny_usd_rates.csv"  # annual average 元 per 美元, by year
NOTEBOOKS_DIR = ROOT / "notebooks"
OUTPUTS_DIR = ROOT / "outputs"
TABLES_DIR = OUTPUTS_DIR / "tables"
OUTPUT_NOTEBOOKS_DIR = OUTPUTS_DIR / "notebooks"
HTML_DIR = OUTPUTS_DIR / "html"


class OutputPathError(ValueError):
    """An output path that would overwrite input data: the message says which and what to do."""


def protected_dirs() -> tuple[Path, ...]:
    """Folders no output of the package goes into: all of data/ (the evidence, the review
    decisions, the reference figures, the registry). The one write under data/ is the review
    file, by the review store (:mod:`qzanalysis.review.store`), when a researcher decides."""
    return (RAW_DIR, CURATED_DIR, REFERENCE_DIR, DATA_DIR)  # the most specific is named first


def input_files() -> tuple[Path, ...]:
    """The input files every run reads (read at call time, so a test may point them elsewhere)."""
    return (INDICATORS_FILE, REVIEW_FILE, REFERENCE_FILE, CNY_USD_RATES_FILE)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def check_output(path: str | Path, inputs=(), *, expect: str = "") -> Path:
    """Refuse an output ``path`` that would overwrite input data; return it resolved.

    Refused: anything inside :func:`protected_dirs`, a path equal to one of :func:`input_files`
    or to a file of ``inputs``, anything inside a folder of ``inputs`` (a ``--corpus DIR``), and,
    with ``expect="file"`` / ``"dir"``, an existing folder where a file is expected or the reverse.

    Raises:
        OutputPathError: what, where, and what to do instead.
    """
    target = Path(path).expanduser().resolve()
    for folder in protected_dirs():
        if _inside(target, folder.resolve()):
            where = "is" if target == folder.resolve() else "is inside"
            raise OutputPathError(
                f"{path} {where} {folder}, input data the package never writes; "
                "write to outputs/ or a folder outside data/ instead"
            )
    for item in (*input_files(), *inputs):
        item = Path(item).expanduser().resolve()
        if item.is_dir() and _inside(target, item):
            raise OutputPathError(
                f"{path} is inside {item}, an input folder of this run (the corpus); "
                "choose another output path"
            )
        if target == item:
            raise OutputPathError(
                f"{path} would overwrite {item}, an input file of this run; "
                "choose another output path"
            )
    if expect == "file" and target.is_dir():
        raise OutputPathError(f"{path} is a folder; name the output file, e.g. {path}/out.csv")
    if expect == "dir" and target.exists() and not target.is_dir():
        raise OutputPathError(f"{path} is a file; name a folder for the outputs")
    return target
