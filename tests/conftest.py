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
