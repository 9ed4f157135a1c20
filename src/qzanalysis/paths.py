"""Every path the package uses, in one place (cookiecutter-data-science habit).

The project root is found by walking up from the current directory to the folder that holds
``pyproject.toml`` and ``data/``; the environment variable ``QZANALYSIS_ROOT`` overrides it
(useful when a notebook runs from a temporary directory under papermill).
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
