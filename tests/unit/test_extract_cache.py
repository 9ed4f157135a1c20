"""qzanalysis.extract.cache: every document extracted once (tracker issue 13, "Extract once").

The known answer of every equality here is ``extract_statements(corpus, registry)`` itself, run
uncached in the same test: the cache must change nothing, to the row, id and dtype. Counts of
cached and extracted documents follow from what the test changed (one document's text: n-1
cached, 1 extracted).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from qzanalysis import paths, schema
from qzanalysis.corpus import Corpus, load_corpus
from qzanalysis.executors import make_executor
from qzanalysis.extract import cache, extract_statements
from qzanalysis.extract.cache import ExtractCacheWarning, extract_corpus
from qzanalysis.indicators import IndicatorRegistry, load_registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXTRACT_DIR = Path(cache.__file__).resolve().parent


@pytest.fixture(scope="module")
def registry() -> IndicatorRegistry:
    return load_registry()


@pytest.fixture(scope="module")
def corpora(registry) -> dict[str, tuple[Corpus, pd.DataFrame]]:
    """name -> (corpus, its uncached extraction: the known answer)."""
    out = {}
    for name, folder in (("shipped", paths.RAW_DIR), ("unseen", FIXTURES / "unseen")):
        corpus = load_corpus(folder)
        out[name] = (corpus, extract_statements(corpus, registry))
    return out


@pytest.fixture(scope="module")
def two_jobs():
    with make_executor("local", jobs=2) as ex:
        yield ex


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.rglob("*.parquet"))


# --------------------------------------------------------------------------------------------
# The cache changes nothing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["shipped", "unseen"])
@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "local-2-jobs"])
def test_cold_and_warm_equal_extract_statements(
    name, parallel, corpora, registry, two_jobs, tmp_path
):
    corpus, expected = corpora[name]
    executor = two_jobs if parallel else None
    cold = extract_corpus(corpus, registry, cache_dir=tmp_path, executor=executor)
    pd.testing.assert_frame_equal(cold.statements, expected)
    assert (cold.cached, cold.extracted) == (0, len(corpus))
    assert len(_entries(tmp_path)) == len(corpus)  # one entry per document
    warm = extract_corpus(corpus, registry, cache_dir=tmp_path, executor=executor)
    pd.testing.assert_frame_equal(warm.statements, expected)
    assert (warm.cached, warm.extracted) == (len(corpus), 0)
    assert dict(warm.statements.dtypes.astype(str)) == schema.STATEMENT_DTYPES


def test_changing_one_document_re_extracts_only_it(corpora, registry, two_jobs, tmp_path):
    corpus, _ = corpora["shipped"]
    extract_corpus(corpus, registry, cache_dir=tmp_path)
    edited = dataclasses.replace(
        corpus.documents[1], text=corpus.documents[1].text + "\n全年粮食产量增长1.0%。\n"
    )
    changed = Corpus(corpus.path, [edited if d is corpus.documents[1] else d for d in corpus])
    result = extract_corpus(changed, registry, cache_dir=tmp_path, executor=two_jobs)
    assert (result.cached, result.extracted) == (len(corpus) - 1, 1)
    pd.testing.assert_frame_equal(result.statements, extract_statements(changed, registry))


@pytest.mark.parametrize(
    "field, value",
    [
        ("published", "2021-01-20"),
        ("doc_type", "news"),
        ("title", "另一个标题"),
        ("doc_id", "x1"),
        ("city", "江山市"),
    ],
)
def test_metadata_extraction_reads_is_part_of_the_key(field, value, corpora, registry, tmp_path):
    corpus, _ = corpora["shipped"]
    extract_corpus(corpus, registry, cache_dir=tmp_path)
    doc = corpus.documents[0]
    changed = Corpus(
        corpus.path, [dataclasses.replace(doc, **{field: value}), *corpus.documents[1:]]
    )
    result = extract_corpus(changed, registry, cache_dir=tmp_path)
    assert (result.cached, result.extracted) == (len(corpus) - 1, 1)
    pd.testing.assert_frame_equal(result.statements, extract_statements(changed, registry))


def test_another_registry_re_extracts_everything(corpora, registry, tmp_path):
    corpus, _ = corpora["shipped"]
    extract_corpus(corpus, registry, cache_dir=tmp_path)
    fewer = IndicatorRegistry({k: v for k, v in registry.indicators.items() if k != "gdp"})
    result = extract_corpus(corpus, fewer, cache_dir=tmp_path)
    assert (result.cached, result.extracted) == (0, len(corpus))
    expected = extract_statements(corpus, fewer)
    pd.testing.assert_frame_equal(result.statements, expected)
    assert "gdp" not in set(expected["indicator_id"].dropna())  # the control: it did change


def test_an_empty_corpus_gives_the_empty_table(registry, tmp_path):
    result = extract_corpus([], registry, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(result.statements, schema.empty("statements"))
    pd.testing.assert_frame_equal(result.statements, extract_statements([], registry))
    assert (result.cached, result.extracted) == (0, 0)


def test_progress_counts_the_documents_extracted(corpora, registry, two_jobs, tmp_path):
    corpus, _ = corpora["unseen"]  # 13 documents: batches of 2 on two workers
    seen: list[tuple[int, int]] = []
    extract_corpus(
        corpus, registry, cache_dir=tmp_path, executor=two_jobs, progress=lambda *a: seen.append(a)
    )
    assert seen[-1] == (len(corpus), len(corpus)) and all(t == len(corpus) for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    seen.clear()
    extract_corpus(corpus, registry, cache_dir=tmp_path, progress=lambda *a: seen.append(a))
    assert seen == []  # nothing to extract


# --------------------------------------------------------------------------------------------
# A cache that cannot be used is never an error
# --------------------------------------------------------------------------------------------


def test_a_corrupt_entry_is_re_extracted_with_one_warning(corpora, registry, tmp_path):
    corpus, expected = corpora["shipped"]
    extract_corpus(corpus, registry, cache_dir=tmp_path)
    first, second = _entries(tmp_path)[:2]
    first.write_bytes(b"not parquet at all")
    pd.DataFrame({"a": [1]}).to_parquet(second)  # readable, but not a statements table
    with pytest.warns(ExtractCacheWarning, match="2 unreadable extraction cache entries") as rec:
        result = extract_corpus(corpus, registry, cache_dir=tmp_path)
    assert len([w for w in rec if issubclass(w.category, ExtractCacheWarning)]) == 1
    assert (result.cached, result.extracted) == (len(corpus) - 2, 2)
    pd.testing.assert_frame_equal(result.statements, expected)
    again = extract_corpus(corpus, registry, cache_dir=tmp_path)  # rewritten: healthy again
    assert again.cached == len(corpus)


def test_an_unwritable_cache_warns_once_and_extracts(corpora, registry, tmp_path, monkeypatch):
    corpus, expected = corpora["shipped"]

    def refuse(path, writer, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cache, "atomic_write", refuse)
    monkeypatch.setattr(cache, "_warned", set())
    with pytest.warns(ExtractCacheWarning, match="cannot write the extraction cache") as rec:
        result = extract_corpus(corpus, registry, cache_dir=tmp_path)
    assert len(rec) == 1  # once, not once per document
    pd.testing.assert_frame_equal(result.statements, expected)
    assert _entries(tmp_path) == []


def test_without_a_parquet_engine_it_extracts_without_cache(
    corpora, registry, tmp_path, monkeypatch
):
    corpus, expected = corpora["shipped"]
    monkeypatch.setattr(cache, "_parquet_available", lambda: False)
    monkeypatch.setattr(cache, "_warned", set())
    with pytest.warns(ExtractCacheWarning, match="needs pyarrow"):
        result = extract_corpus(corpus, registry, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(result.statements, expected)
    assert (result.cached, result.extracted, _entries(tmp_path)) == (0, len(corpus), [])


def test_the_cache_is_never_written_under_data(corpora, registry):
    shipped, _ = corpora["shipped"]
    target = paths.DATA_DIR / "extract-cache-test"
    with pytest.raises(paths.OutputPathError, match="never writes"):
        extract_corpus(shipped, registry, cache_dir=target)
    unseen, _ = corpora["unseen"]  # any corpus folder is input too, wherever it is
    with pytest.raises(paths.OutputPathError, match="an input folder of this run"):
        extract_corpus(unseen, registry, cache_dir=unseen.path / "cache")
    assert not target.exists() and not (unseen.path / "cache").exists()


def test_the_default_cache_is_under_outputs(corpora, registry, tmp_path, monkeypatch):
    corpus, _ = corpora["shipped"]
    monkeypatch.setattr(paths, "OUTPUTS_DIR", tmp_path / "outputs")
    extract_corpus(corpus, registry)
    folder = tmp_path / "outputs" / ".cache" / "extract" / cache.RULES_VERSION
    assert len(list(folder.glob("*.parquet"))) == len(corpus)


def test_other_rules_versions_are_removed_when_writing(corpora, registry, tmp_path):
    corpus, _ = corpora["shipped"]
    old = tmp_path / "0123456789abcdef"
    old.mkdir()
    (old / "wr2020-aaaa.parquet").write_bytes(b"old entry")
    keep = tmp_path / "fedcba9876543210"
    keep.mkdir()
    (keep / "notes.txt").write_text("not an entry: this folder is not ours to delete")
    extract_corpus(corpus, registry, cache_dir=tmp_path)
    assert not old.exists() and (keep / "notes.txt").exists()


# --------------------------------------------------------------------------------------------
# What the key covers
# --------------------------------------------------------------------------------------------


def test_rules_version_is_sixteen_hex_digits_computed_once():
    assert re.fullmatch(r"[0-9a-f]{16}", cache.RULES_VERSION)
    assert cache.rules_version() == cache.RULES_VERSION
    assert cache.rules_version.cache_info().currsize == 1


def test_rules_sources_cover_every_module_extraction_loads():
    # the known answer: the package modules a fresh interpreter has loaded after extracting
    code = (
        "import sys, json\n"
        "from qzanalysis.corpus import load_corpus\n"
        "from qzanalysis.extract import extract_statements\n"
        "extract_statements(load_corpus())\n"
        "print(json.dumps(sorted(m.__file__ for n, m in list(sys.modules.items())\n"
        "    if n.startswith('qzanalysis') and getattr(m, '__file__', None))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {Path(f).resolve() for f in json.loads(out.stdout)}
    package_init = EXTRACT_DIR.parent / "__init__.py"  # only the version string
    assert loaded - {package_init} <= set(cache.rules_sources())
    assert set(EXTRACT_DIR.glob("*.py")) <= set(cache.rules_sources())
    names = {p.name for p in cache.rules_sources()}
    assert {"corpus.py", "decoding.py", "indicators.py", "units.py", "schema.py"} <= names


def test_the_extractor_reads_no_document_field_outside_the_key():
    derived = {"text", "normalized", "published_year", "published_month"}  # text, published
    read: set[str] = set()
    for file in EXTRACT_DIR.glob("*.py"):
        if file.name == "cache.py":
            continue
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            # doc.published, and self.doc.published / c.doc.published_month in timing.py
            owner = node.value
            if (isinstance(owner, ast.Name) and owner.id == "doc") or (
                isinstance(owner, ast.Attribute) and owner.attr == "doc"
            ):
                read.add(node.attr)
    assert read, "the check found no doc.<field> at all"  # control: the walk sees them
    assert read <= derived | set(cache.DOCUMENT_FIELDS_READ)


def test_no_warning_on_a_healthy_cache(corpora, registry, tmp_path):
    corpus, _ = corpora["unseen"]
    extract_corpus(corpus, registry, cache_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extract_corpus(corpus, registry, cache_dir=tmp_path)
