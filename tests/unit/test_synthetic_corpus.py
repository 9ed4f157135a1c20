"""The scale benchmark's synthetic corpus (benchmarks/synthetic_corpus.py): a corpus load_corpus
accepts, Quzhou's names replaced, figures perturbed, years and dates only shifted, deterministic,
never written under data/.

The hand checks below were read off the shipped documents first: wr2020 (001_…txt) opens with
"——2020年4月24日在衢州市…" and reports "全市地区生产总值增长6.7%" and "盘活工业用地5280亩"; the
reply (004_…txt) cites the document number "〔2021〕25号", the index number "…/2022-137066",
and the plan title "(2020—2025)"; wr2020 names the slogan "“1433”" and "PM2.5". In slot 0 (no
shift) each must read the same, in slot 1 with its years one earlier (a document number's and an
index number's year untouched); the two figures must differ by 2-10 % with the same decimals.
Beyond those, every 19xx/20xx number of every document is compared with the shipped one (minus
the slot), and every "M月D日" date must be the shipped one.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
import warnings
from pathlib import Path

import pytest

from qzanalysis import paths
from qzanalysis.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[2]


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "synthetic_corpus", ROOT / "benchmarks" / "synthetic_corpus.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic_corpus", module)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return gen.build_synthetic_corpus(2, tmp_path_factory.mktemp("syn") / "c2", years=2, seed=0)


def _text(folder: Path, city: int, slot: int, stem: str) -> str:
    return (folder / f"c{city:03d}" / f"y{slot}_{stem}.txt").read_text(encoding="utf-8")


WR2020, REPLY = "001_5e9ac6a1cf9e1153", "004_9df9e4a75860d1fb"


def _figure(text: str, before: str, after: str) -> str:
    m = re.search(rf"{before}(\d[\d,]*(?:\.\d+)?){after}", text)
    assert m, f"{before}…{after} not found"
    return m.group(1)


def test_load_corpus_accepts_it(built):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no unknown-column warning either
        corpus = load_corpus(built)
    shipped = load_corpus()
    assert len(corpus) == 2 * 2 * len(shipped)
    assert {d.city for d in corpus} == {gen.city_name(1), gen.city_name(2)}
    assert "synthetic benchmark corpus, not data" in (built / "README.txt").read_text("utf-8")
    header = (built / "manifest.csv").read_text("utf-8").splitlines()[0].split(",")
    assert ("city_code" in header) == gen.writes_city_code()


def test_city_names_replaced(built):
    corpus = load_corpus(built)
    for doc in corpus:
        for field in (doc.text, doc.title, doc.issuer, doc.city):
            assert "衢州" not in field and "衢" not in field
            assert not any(c in field for c in ("柯城", "龙游", "开化"))
    assert "合成甲子市" in _text(built, 1, 0, WR2020)
    assert "合成乙子市" in _text(built, 2, 0, WR2020)
    assert not re.search(r"合成(?:甲子)?市?\d", _text(built, 1, 0, WR2020))  # no digit in a name


def test_years_and_dates_shifted_never_perturbed(built):
    same, back = _text(built, 1, 0, WR2020), _text(built, 1, 1, WR2020)
    assert "——2020年4月24日在合成甲子市" in same
    assert "——2019年4月24日在合成甲子市" in back
    for kept in ("“1433”", "PM2.5", "一、2019年工作回顾"):
        assert kept in same
    assert "一、2018年工作回顾" in back
    reply_same, reply_back = _text(built, 1, 0, REPLY), _text(built, 1, 1, REPLY)
    for text in (reply_same, reply_back):  # document and index numbers: untouched in every slot
        assert "〔2021〕25号" in text
        assert "/2022-137066" in text
    assert "(2020—2025)" in reply_same and "(2019—2024)" in reply_back
    published = {d.doc_id: d.published for d in load_corpus(built)}
    assert published["c001_y0_wr2020"] == "2020-04-24"
    assert published["c001_y1_wr2019"] == "2019-04-24"


#: A 4-digit 19xx/20xx number, with the "/" or "〔" of an index or document number before it;
#: "2000亩" in the reply is a figure (perturbed), hence the 亩.
_YEARISH = re.compile(r"(?<![\d.,])([/〔]?)((?:19|20)\d\d)(?![\d.%亩])")


def test_every_year_shifted_by_its_slot_and_nothing_else(built):
    """Over every document: the years of slot k are the shipped ones minus k, except those of
    an index or document number (kept); and the dates' months and days are the shipped ones."""
    dates = re.compile(r"\d+月\d+日|\d+—\d+月")
    for doc in load_corpus():
        for slot in (0, 1):
            text = _text(built, 1, slot, doc.file.stem)
            want = sorted(int(y) - (0 if code else slot) for code, y in _YEARISH.findall(doc.text))
            assert sorted(int(y) for _, y in _YEARISH.findall(text)) == want, (doc.doc_id, slot)
            assert dates.findall(text) == dates.findall(doc.text)
    assert "不少于2000亩" in load_corpus()["reply2022_no4"].text
    assert "不少于2000亩" not in _text(built, 1, 0, REPLY)  # a figure that looks like a year


def test_figures_perturbed_in_format(built):
    for slot in (0, 1):
        text = _text(built, 1, slot, WR2020)
        growth = _figure(text, "全市地区生产总值增长", "%")
        land = _figure(text, "盘活工业用地", "亩")
        assert re.fullmatch(r"\d+\.\d", growth) and re.fullmatch(r"\d{4}", land)
        assert growth != "6.7" and land != "5280"
        assert 0.02 - 0.01 <= abs(float(growth) / 6.7 - 1) <= 0.10 + 0.01  # rounding to 0.1
        assert 0.02 - 0.001 <= abs(int(land) / 5280 - 1) <= 0.10 + 0.001
    assert _text(built, 1, 0, WR2020) != _text(built, 2, 0, WR2020)  # another city, other figures


def test_perturb_number_keeps_the_format():
    assert gen.perturb_number("2,125.2", 1.05) == "2,231.5"
    assert gen.perturb_number("６.７", 1.1) == "７.４"
    assert gen.perturb_number("６．７", 1.1) == "７．４"
    assert gen.perturb_number("431", 0.95) == "409"
    assert gen.perturb_number("98.5", 1.05, percent_cap=True) == "98.5"  # would pass 100 %


def test_sha256_recomputed(built):
    import hashlib

    with open(built / "manifest.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            data = (built / row["file"]).read_bytes()
            assert row["sha256"] == hashlib.sha256(data).hexdigest()


def test_deterministic_for_a_seed(built, tmp_path):
    again = gen.build_synthetic_corpus(2, tmp_path / "again", years=2, seed=0)
    other = gen.build_synthetic_corpus(2, tmp_path / "other", years=2, seed=1)
    manifest = (built / "manifest.csv").read_bytes()
    assert (again / "manifest.csv").read_bytes() == manifest
    assert (other / "manifest.csv").read_bytes() != manifest


def test_reused_when_the_stamp_matches(tmp_path):
    folder = gen.build_synthetic_corpus(1, tmp_path / "c1", years=1)
    marker = folder / "c001" / "marker"
    marker.write_text("kept")
    assert gen.build_synthetic_corpus(1, folder, years=1) == folder
    assert marker.is_file()  # reused, not rewritten
    gen.build_synthetic_corpus(1, folder, years=1, seed=5)  # another stamp: rebuilt
    assert not marker.exists()
    assert gen._read_stamp(folder)["seed"] == 5


def test_refuses_data_and_foreign_folders(tmp_path):
    for target in (paths.DATA_DIR / "synthetic", paths.RAW_DIR, paths.RAW_DIR / "x"):
        with pytest.raises(gen.SyntheticCorpusError, match="refused"):
            gen.build_synthetic_corpus(1, target, years=1)
        assert not (paths.DATA_DIR / "synthetic").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not a corpus")
    with pytest.raises(gen.SyntheticCorpusError, match="without stamp.json"):
        gen.build_synthetic_corpus(1, foreign, years=1)
    assert (foreign / "notes.txt").read_text() == "not a corpus"


def test_default_folder_is_under_outputs():
    assert gen.default_out_dir(10) == paths.OUTPUTS_DIR / "bench" / "synthetic_10"


def test_slot_zero_extracts_like_the_shipped_documents(built):
    """The benchmark's work is the real work: a city's unshifted documents give the statements
    of the shipped ones (same kinds, measures, units, periods, indicators; other values)."""
    from collections import Counter

    from qzanalysis.extract import extract_statements

    def profile(frame):
        cols = ["kind", "measure", "unit", "period_start", "period_end", "indicator_id"]
        return Counter(map(tuple, frame[cols].astype("string").fillna("").to_numpy().tolist()))

    shipped = extract_statements(load_corpus())
    synthetic = extract_statements(load_corpus(built))
    for doc_id in shipped["doc_id"].unique():
        ours = synthetic[synthetic["doc_id"] == f"c002_y0_{doc_id}"]
        theirs = shipped[shipped["doc_id"] == doc_id]
        assert profile(ours) == profile(theirs), doc_id
        assert list(ours["value"]) != list(theirs["value"]), doc_id
