"""Shared fixtures: the shipped corpus, loaded once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qzanalysis import paths
from qzanalysis.corpus import load_corpus

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shipped_corpus():
    """The five shipped documents (data/raw), validated."""
    return load_corpus(paths.RAW_DIR)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus folder, for tests that break it on purpose."""
    dest = tmp_path / "corpus"
    shutil.copytree(paths.RAW_DIR, dest)
    return dest


@pytest.fixture(scope="session")
def rendered_reports(tmp_path_factory):
    """Every default report of the shipped corpus rendered ONCE per session into a temp out_dir.

    Runs the twelve reports (overview, plans, years 2019-2026, cities) with run_reports(jobs=2),
    about half a minute on two cores; test_notebooks.py and test_browser.py share it. Returns a namespace
    with out_dir, results (list of ReportResult), log (progress lines) and result(name).
    """
    from types import SimpleNamespace

    from qzanalysis.report import plan_reports, run_reports

    out_dir = tmp_path_factory.mktemp("rendered")
    log: list[str] = []
    results = run_reports(plan_reports(), out_dir=out_dir, jobs=2, progress=log.append)
    by_name = {r.name: r for r in results}
    return SimpleNamespace(out_dir=out_dir, results=results, log=log, result=by_name.__getitem__)


@pytest.fixture(scope="session")
def one_document_corpus():
    """Make a corpus folder ``dest`` holding one shipped document (``doc_id``) and its manifest
    row: ``one_document_corpus(dest, "wr2020")`` (quick to extract)."""
    import csv

    def make(dest: Path, doc_id: str) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        with open(paths.RAW_DIR / "manifest.csv", encoding="utf-8-sig", newline="") as f:
            row = next(r for r in csv.DictReader(f) if r["doc_id"] == doc_id)
        shutil.copy(paths.RAW_DIR / row["file"], dest / row["file"])
        with open(dest / "manifest.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        return dest

    return make
