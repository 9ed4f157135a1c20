"""qzanalysis.saved: the analysis saved once for the notebooks (tracker issue 13).

The known answer of every loaded table is a fresh ``analyse()`` in this process (its tables,
attrs and parameters), and the dtype contract of ``qzanalysis.schema``; the reason a saved
analysis is stale is the one input the test changed.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from qzanalysis import paths, saved, schema
from qzanalysis.corpus import load_corpus
from qzanalysis.pipeline import Analysis, analyse
from qzanalysis.saved import (
    analysis_inputs,
    analysis_key,
    load_analysis,
    load_or_analyse,
    save_analysis,
    saved_state,
)


def _frames(analysis) -> dict[str, pd.DataFrame]:
    return {
        f.name: getattr(analysis, f.name)
        for f in dataclasses.fields(analysis)
        if isinstance(getattr(analysis, f.name), pd.DataFrame)
    }


@pytest.fixture(scope="module")
def fresh() -> Analysis:
    """analyse() of the shipped corpus, with its defaults: the known answer."""
    return analyse()


@pytest.fixture(scope="module")
def saved_dir(fresh, tmp_path_factory) -> Path:
    """``fresh`` saved once, with the key of the shipped corpus and the default parameters."""
    out = tmp_path_factory.mktemp("saved") / "analysis"
    corpus = load_corpus()
    save_analysis(fresh, out, key=analysis_key(corpus, {}), inputs=analysis_inputs(corpus, {}))
    return out


def _copy(saved_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "analysis"
    shutil.copytree(saved_dir, out)
    return out


# --------------------------------------------------------------------------------------------
# Loading gives what analyse() gives
# --------------------------------------------------------------------------------------------


def test_the_loaded_analysis_equals_a_fresh_one(fresh, saved_dir):
    loaded, reason = saved_state(saved_dir)
    assert loaded is not None, reason
    assert "up to date" in reason
    mine, theirs = _frames(loaded), _frames(fresh)
    assert set(mine) == set(theirs) and "statements" in mine
    for name, frame in theirs.items():
        pd.testing.assert_frame_equal(mine[name], frame, obj=name)
        assert mine[name].attrs == frame.attrs, name  # review orphans, table parameters
        contract = schema.TABLES.get(name, {})
        dtypes = dict(mine[name].dtypes.astype(str))
        assert {c: dtypes[c] for c in contract} == contract, name
    assert loaded.parameters == fresh.parameters
    assert loaded.corpus.doc_ids == fresh.corpus.doc_ids
    assert list(loaded.registry.indicators) == list(fresh.registry.indicators)


def test_a_loaded_analysis_answers_as_a_fresh_one(fresh, saved_dir):
    loaded = load_analysis(saved_dir)
    pd.testing.assert_frame_equal(loaded.headline(), fresh.headline())
    assert loaded.plans() == fresh.plans() and str(loaded) == str(fresh)


def test_the_folder_holds_every_table_and_what_it_hashed(fresh, saved_dir):
    meta = json.loads((saved_dir / "analysis.json").read_text(encoding="utf-8"))
    assert sorted(p.stem for p in saved_dir.glob("*.parquet")) == sorted(_frames(fresh))
    assert meta["key"] == analysis_key(load_corpus(), {})
    assert meta["package_version"] == saved.__version__ and meta["written_at"]
    assert meta["parameters"] == fresh.parameters
    assert set(meta["inputs"]) == set(saved.INPUT_NAMES)


def test_new_dataframe_fields_are_saved_without_a_change(fresh, tmp_path):
    # the dataclass is gaining fields (city tables): save iterates dataclasses.fields
    wider = dataclasses.make_dataclass(
        "WiderAnalysis",
        [("cities", pd.DataFrame, dataclasses.field(default_factory=pd.DataFrame))],
        bases=(Analysis,),
        repr=False,
    )
    parts = {f.name: getattr(fresh, f.name) for f in dataclasses.fields(fresh)}
    analysis = wider(**parts, cities=pd.DataFrame({"city": ["衢州"], "n": [1]}))
    out = save_analysis(analysis, tmp_path / "analysis", key="k")
    assert pd.read_parquet(out / "cities.parquet")["city"].tolist() == ["衢州"]


def test_a_field_that_cannot_be_saved_is_refused_by_name(fresh, tmp_path):
    odd = dataclasses.make_dataclass(
        "OddAnalysis", [("lookup", object, dataclasses.field(default=None))], bases=(Analysis,)
    )
    parts = {f.name: getattr(fresh, f.name) for f in dataclasses.fields(fresh)}
    with pytest.raises(TypeError, match=r"Analysis\.lookup is a set"):
        save_analysis(odd(**parts, lookup={1, 2}), tmp_path / "analysis", key="k")
    assert not (tmp_path / "analysis").exists()


# --------------------------------------------------------------------------------------------
# The key and why a saved analysis is stale
# --------------------------------------------------------------------------------------------


def test_the_key_fills_in_analyse_defaults(shipped_corpus):
    default = analysis_key(shipped_corpus, {})
    assert analysis_key(shipped_corpus, {"tolerance_pp": 0.2}) == default
    assert analysis_key(shipped_corpus, {"tolerance_level": 0.01, "review": True}) == default
    assert analysis_key(shipped_corpus, {"tolerance_pp": 0.5}) != default
    assert analysis_key(shipped_corpus, {"as_of": "2022-12-31"}) != default
    with pytest.raises(TypeError):
        analysis_key(shipped_corpus, {"tolerance": 0.2})


def test_other_parameters_make_it_stale(saved_dir):
    analysis, reason = saved_state(saved_dir, tolerance_pp=0.5)
    assert analysis is None and reason == "saved analysis is stale (other parameters)"


def test_a_changed_review_file_makes_it_stale(saved_dir, tmp_path, monkeypatch):
    review = tmp_path / "review.csv"
    review.write_bytes(paths.REVIEW_FILE.read_bytes() + b"# a researcher's note\n")
    monkeypatch.setattr(paths, "REVIEW_FILE", review)
    analysis, reason = saved_state(saved_dir)
    assert analysis is None and reason == "saved analysis is stale (review file changed)"
    # without review the review file is not an input
    assert analysis_inputs(load_corpus(), {"review": False})["review"] == "not used"


def test_another_reference_file_makes_it_stale(saved_dir, tmp_path):
    other = tmp_path / "facts.csv"
    other.write_bytes(paths.REFERENCE_FILE.read_bytes() + b"\n")
    analysis, reason = saved_state(saved_dir, reference_path=other)
    assert analysis is None
    assert reason == "saved analysis is stale (reference file changed, other parameters)"


def test_a_changed_corpus_makes_it_stale(fresh, corpus_copy, tmp_path):
    out = tmp_path / "analysis"
    corpus = load_corpus(corpus_copy)
    save_analysis(fresh, out, key=analysis_key(corpus, {}), inputs=analysis_inputs(corpus, {}))
    assert saved_state(out, corpus_dir=corpus_copy)[0] is not None  # control: up to date
    manifest = corpus_copy / "manifest.csv"
    with open(manifest, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["title"] += "(修订)"
    with open(manifest, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    analysis, reason = saved_state(out, corpus_dir=corpus_copy)
    assert analysis is None and reason == "saved analysis is stale (corpus changed)"


def test_nothing_saved_says_so(tmp_path):
    analysis, reason = saved_state(tmp_path / "none")
    assert analysis is None and reason == f"no saved analysis in {tmp_path / 'none'}"


def test_a_corrupt_table_is_recomputed_not_an_error(saved_dir, tmp_path):
    out = _copy(saved_dir, tmp_path)
    (out / "comparisons.parquet").write_bytes(b"half a file")
    analysis, reason = saved_state(out)
    assert analysis is None and reason.startswith("saved analysis unreadable")


def test_a_folder_swapped_while_reading_is_not_used(saved_dir, tmp_path, monkeypatch):
    out = _copy(saved_dir, tmp_path)
    read_tables = saved._read_tables

    def read_then_swap(folder, meta):
        tables = read_tables(folder, meta)
        data = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
        data["write_id"] = "another writer"
        (folder / "analysis.json").write_text(json.dumps(data), encoding="utf-8")
        return tables

    monkeypatch.setattr(saved, "_read_tables", read_then_swap)
    analysis, reason = saved_state(out)
    assert analysis is None and reason == "saved analysis was replaced while being read"


# --------------------------------------------------------------------------------------------
# Writing: atomic, never over inputs or unrelated files
# --------------------------------------------------------------------------------------------


def test_saving_again_replaces_the_folder_and_leaves_nothing_behind(fresh, saved_dir, tmp_path):
    out = _copy(saved_dir, tmp_path)
    before = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["write_id"]
    save_analysis(fresh, out, key=before)
    after = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["write_id"]
    assert after != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis"]  # no temporary folders


def test_a_folder_of_other_files_is_not_replaced(fresh, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("a researcher's notes")
    with pytest.raises(paths.OutputPathError, match="not a saved analysis"):
        save_analysis(fresh, out, key="k")
    assert (out / "notes.txt").read_text() == "a researcher's notes"


def test_nothing_is_saved_under_data(fresh):
    target = paths.DATA_DIR / "analysis-test"
    with pytest.raises(paths.OutputPathError, match="never writes"):
        save_analysis(fresh, target, key="k")
    assert not target.exists()


# --------------------------------------------------------------------------------------------
# load_or_analyse: what notebook.setup calls
# --------------------------------------------------------------------------------------------


def test_load_or_analyse_computes_once_then_loads(fresh, tmp_path):
    out = tmp_path / "analysis"
    first, reason = load_or_analyse(out_dir=out)
    assert reason == f"no saved analysis in {out}: recomputed"
    second, reason = load_or_analyse(out_dir=out)
    assert "up to date" in reason
    for name, frame in _frames(fresh).items():
        pd.testing.assert_frame_equal(second.__dict__[name], frame, obj=name)


def test_a_vintage_is_saved_and_loaded_with_its_corpus(tmp_path):
    out = tmp_path / "analysis"
    expected = analyse(as_of="2022-12-31")
    load_or_analyse(out_dir=out, as_of="2022-12-31")
    loaded, reason = load_or_analyse(out_dir=out, as_of="2022-12-31")
    assert "up to date" in reason
    assert loaded.corpus.doc_ids == expected.corpus.doc_ids != load_corpus().doc_ids
    pd.testing.assert_frame_equal(loaded.comparisons, expected.comparisons)
    assert loaded.parameters == expected.parameters


def test_without_pyarrow_nothing_is_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(saved, "parquet_available", lambda: False)
    analysis, reason = load_or_analyse(out_dir=tmp_path / "analysis")
    assert isinstance(analysis, Analysis) and reason.endswith("recomputed")
    assert not (tmp_path / "analysis").exists()


def test_a_failed_save_is_a_warning(tmp_path, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(saved, "save_analysis", full_disk)
    with pytest.warns(UserWarning, match="could not be saved"):
        analysis, _ = load_or_analyse(out_dir=tmp_path / "analysis")
    assert isinstance(analysis, Analysis)


TWO_CITIES = Path(__file__).resolve().parents[1] / "fixtures" / "two_cities"


@pytest.mark.skipif(not (TWO_CITIES / "manifest.csv").is_file(), reason="no two-city fixture")
@pytest.mark.filterwarnings("ignore:.*review decision")  # the shipped review, another corpus
def test_an_analysis_of_several_cities_keeps_its_cities(tmp_path):
    out = tmp_path / "analysis"
    expected = analyse(TWO_CITIES)
    assert expected.parts, "the fixture holds two cities"  # control: nested analyses are saved
    load_or_analyse(TWO_CITIES, out_dir=out)
    loaded, reason = load_or_analyse(TWO_CITIES, out_dir=out)
    assert "up to date" in reason
    assert list(loaded.parts) == list(expected.parts)
    assert loaded.city_codes == expected.city_codes
    for city, part in expected.parts.items():
        mine = loaded.parts[city]
        assert mine.corpus.doc_ids == part.corpus.doc_ids and mine.parameters == part.parameters
        for name, frame in _frames(part).items():
            pd.testing.assert_frame_equal(getattr(mine, name), frame, obj=f"{city} {name}")
    for name, frame in _frames(expected).items():
        pd.testing.assert_frame_equal(getattr(loaded, name), frame, obj=name)
    save_analysis(expected, out, key="again")  # its part folders are recognised as its own
    assert (out / "parts").is_dir()


def test_the_runner_can_point_notebooks_at_its_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(saved.ANALYSIS_DIR_ENV, str(tmp_path / "run" / "analysis"))
    assert saved.default_dir() == tmp_path / "run" / "analysis"
    monkeypatch.delenv(saved.ANALYSIS_DIR_ENV)
    assert saved.default_dir() == paths.OUTPUTS_DIR / "analysis"


def test_how_an_analysis_is_computed_is_not_part_of_its_key(monkeypatch):
    # should analyse() take an executor (tracker issue 13), the key must not change with it
    def analyse_with_executor(corpus_dir=None, *, tolerance_pp=0.2, executor=None):
        raise AssertionError("not called")

    monkeypatch.setattr(saved, "analyse", analyse_with_executor)
    assert saved.analyse_parameters(executor=object()) == {"tolerance_pp": 0.2}
