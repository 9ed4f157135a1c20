"""Corpus loading: the shipped documents, every validation error, decoding, the offset map."""

from __future__ import annotations

import csv
import hashlib
import os
import stat
from pathlib import Path

import pytest

from qzanalysis import paths
from qzanalysis.cli import main as cli_main
from qzanalysis.corpus import (
    CorpusError,
    DecodeError,
    decode_bytes,
    load_corpus,
    normalize_text,
)

# The evidence the package ships: any change to these bytes must be deliberate.
SHIPPED = {
    "wr2022_excerpt": (
        "000_efe28e4ce7a86f87.txt",
        "2022-04",
        "c4e0849556a980d2505d06eb061960468c377d4acc563749bf4356edd08871a1",
    ),
    "wr2020": (
        "001_5e9ac6a1cf9e1153.txt",
        "2020-04-24",
        "9c1ca61727329e02c440f37253d6001d6168ca6128717d4f7f5fa60ca940c655",
    ),
    "wr2026_highlights": (
        "002_740b33c2c4e99a0d.txt",
        "2026-01-21",
        "1d97cd2bcb9e3e7fc46f246665aa96b9946496ea09b3d72018e3f8dac5d29888",
    ),
    "plan15_proposal": (
        "003_4f394fc16795f259.txt",
        "2025-12-08",
        "963c3b62566b16a00572514975d93c1def5420ccf5104db62e226364e578e7c4",
    ),
    "reply2022_no4": (
        "004_9df9e4a75860d1fb.txt",
        "2022-11-06",
        "801d40e30389e60167a68946fe34366da0022f79b262084e096b25c0a02c3959",
    ),
}


# ---------------------------------------------------------------- the shipped corpus


def test_shipped_corpus_has_five_documents_with_their_hashes_and_dates(shipped_corpus):
    assert shipped_corpus.doc_ids == list(SHIPPED)
    for doc in shipped_corpus:
        file, published, digest = SHIPPED[doc.doc_id]
        assert doc.file.name == file
        assert doc.published == published
        assert doc.sha256 == digest
        assert hashlib.sha256(doc.file.read_bytes()).hexdigest() == digest
        assert doc.encoding == "utf-8"
        assert doc.city == "衢州市"


def test_shipped_text_is_kept_exactly(shipped_corpus):
    doc = shipped_corpus["wr2020"]
    assert doc.text == doc.file.read_bytes().decode("utf-8")
    assert "PM_{2.5}浓度均值33微克/立方米" in doc.text  # PDF artefacts are evidence too
    assert doc.published_year == 2020


def test_years_mentioned(shipped_corpus):
    assert shipped_corpus["wr2020"].years_mentioned[:2] == [2019, 2020]
    assert 2030 in shipped_corpus["wr2026_highlights"].years_mentioned


def test_summary_table(shipped_corpus):
    table = shipped_corpus.summary()
    assert list(table["doc_id"]) == list(SHIPPED)
    assert {"doc_type", "published", "chars", "bytes", "encoding", "years_mentioned"} <= set(
        table.columns
    )
    assert (table["chars"] > 1000).all()


def test_loading_never_writes_to_the_corpus(corpus_copy):
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in corpus_copy.iterdir()}
    for p in corpus_copy.iterdir():
        p.chmod(stat.S_IRUSR)
    try:
        corpus = load_corpus(corpus_copy)
        _ = [d.normalized for d in corpus]
    finally:
        for p in corpus_copy.iterdir():
            p.chmod(stat.S_IRUSR | stat.S_IWUSR)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in corpus_copy.iterdir()}
    assert before == after


def test_fingerprint_changes_with_the_evidence(corpus_copy):
    first = load_corpus(corpus_copy).fingerprint()
    assert load_corpus(corpus_copy).fingerprint() == first
    _edit_manifest(corpus_copy, 0, "title", "another title")
    assert load_corpus(corpus_copy).fingerprint() != first


def test_a_city_keeps_its_fingerprint_when_another_city_gains_a_document(tmp_path):
    # the two-city fixture without 丽水's 2025 report, then with it: 衢州's documents are the
    # same, so its corpus (what its reports read) has the same fingerprint; 丽水's changes
    import shutil

    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "two_cities", tmp_path / "c")
    manifest = tmp_path / "c" / "manifest.csv"
    full = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        "".join(line for line in full.splitlines(True) if not line.startswith("lishui_wr2025,")),
        encoding="utf-8",
    )
    before = load_corpus(tmp_path / "c")
    manifest.write_text(full, encoding="utf-8")
    after = load_corpus(tmp_path / "c")
    assert after.for_city("衢州市").fingerprint() == before.for_city("衢州市").fingerprint()
    assert after.for_city("丽水市").fingerprint() != before.for_city("丽水市").fingerprint()
    assert after.fingerprint() != before.fingerprint()


# ---------------------------------------------------------------- validation errors


def _rows(corpus_dir: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(corpus_dir / "manifest.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(corpus_dir: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(corpus_dir / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _edit_manifest(corpus_dir: Path, index: int, column: str, value: str) -> None:
    header, rows = _rows(corpus_dir)
    rows[index][column] = value
    _write(corpus_dir, header, rows)


def _problems(corpus_dir: Path) -> str:
    with pytest.raises(CorpusError) as info:
        load_corpus(corpus_dir)
    return "\n".join(info.value.problems)


def test_missing_doc_id(corpus_copy):
    _edit_manifest(corpus_copy, 1, "doc_id", "")
    assert "manifest.csv line 3: doc_id is empty" in _problems(corpus_copy)


def test_invalid_doc_id(corpus_copy):
    _edit_manifest(corpus_copy, 0, "doc_id", "Work Report!")
    assert "line 2: doc_id 'Work Report!' must use only a-z, 0-9" in _problems(corpus_copy)


def test_duplicate_doc_id(corpus_copy):
    _edit_manifest(corpus_copy, 2, "doc_id", "wr2020")
    assert "line 4: doc_id 'wr2020' is duplicated (first on line 3)" in _problems(corpus_copy)


def test_missing_file(corpus_copy):
    _edit_manifest(corpus_copy, 0, "file", "no_such_file.txt")
    assert "line 2: file 'no_such_file.txt' not found" in _problems(corpus_copy)


def test_unknown_doc_type(corpus_copy):
    _edit_manifest(corpus_copy, 0, "doc_type", "speech")
    msg = _problems(corpus_copy)
    assert "line 2: doc_type 'speech' is unknown" in msg
    assert "statistical_bulletin" in msg  # tells the allowed values


# 1900 and 2101 are real dates but outside corpus.PUBLISHED_YEARS: typing errors, not documents
@pytest.mark.parametrize(
    "bad", ["2020/04/24", "2020-13", "2020-02-30", "April 2020", "", "1900-01", "2101-01-01"]
)
def test_bad_date(corpus_copy, bad):
    _edit_manifest(corpus_copy, 1, "published", bad)
    assert f"line 3: published {bad!r} is not a date; write YYYY-MM-DD or YYYY-MM" in _problems(
        corpus_copy
    )


def test_problems_of_several_rows_are_all_listed_in_manifest_order(corpus_copy):
    # a metadata problem (doc_type) and a file problem (missing file) on different rows: one error
    # lists both, the row on line 2 first
    _edit_manifest(corpus_copy, 2, "doc_type", "speech")
    _edit_manifest(corpus_copy, 0, "file", "no_such_file.txt")
    msg = _problems(corpus_copy)
    assert msg.index("line 2: file 'no_such_file.txt' not found") < msg.index(
        "line 4: doc_type 'speech' is unknown"
    )


def test_sha256_mismatch(corpus_copy):
    _edit_manifest(corpus_copy, 3, "sha256", "0" * 64)
    msg = _problems(corpus_copy)
    assert "line 5: 003_4f394fc16795f259.txt has sha256 963c3b62566b" in msg
    assert "manifest says 000000000000" in msg


def test_undecodable_file(corpus_copy):
    (corpus_copy / "bad.txt").write_bytes(b"\x81\x00\xff\xfe\xfa" * 20)
    _edit_manifest(corpus_copy, 0, "file", "bad.txt")
    _edit_manifest(corpus_copy, 0, "sha256", "")
    _edit_manifest(corpus_copy, 0, "encoding", "")  # let the loader detect
    msg = _problems(corpus_copy)
    assert "line 2: bad.txt is neither UTF-8" in msg
    assert "set its encoding column" in msg


def test_wrong_declared_encoding(corpus_copy):
    (corpus_copy / "gbk.txt").write_bytes("地区生产总值增长7%左右".encode("gb18030"))
    _edit_manifest(corpus_copy, 0, "file", "gbk.txt")
    _edit_manifest(corpus_copy, 0, "sha256", "")
    _edit_manifest(corpus_copy, 0, "encoding", "utf-8")
    assert "line 2: gbk.txt cannot be decoded as utf-8" in _problems(corpus_copy)


def test_empty_file(corpus_copy):
    (corpus_copy / "empty.txt").write_bytes(b" \n\n")
    _edit_manifest(corpus_copy, 4, "file", "empty.txt")
    _edit_manifest(corpus_copy, 4, "sha256", "")
    assert "line 6: empty.txt is empty" in _problems(corpus_copy)


def test_missing_manifest(tmp_path):
    with pytest.raises(CorpusError, match="manifest.csv is missing"):
        load_corpus(tmp_path)


def test_missing_column(corpus_copy):
    header, rows = _rows(corpus_copy)
    header.remove("city")
    for r in rows:
        r.pop("city")
    _write(corpus_copy, header, rows)
    assert "line 1: missing column(s) city" in _problems(corpus_copy)


def test_every_problem_is_reported_at_once(corpus_copy):
    _edit_manifest(corpus_copy, 0, "doc_type", "speech")
    _edit_manifest(corpus_copy, 2, "published", "soon")
    msg = _problems(corpus_copy)
    assert "line 2" in msg and "line 4" in msg


def test_cli_corpus_ok_and_broken(corpus_copy, capsys):
    assert cli_main(["corpus", "--corpus", str(paths.RAW_DIR)]) == 0
    out = capsys.readouterr().out
    assert "wr2020" in out and "work_report" in out and "2019-2020" in out
    _edit_manifest(corpus_copy, 0, "doc_type", "speech")
    assert cli_main(["corpus", "--corpus", str(corpus_copy)]) == 1
    assert "doc_type 'speech' is unknown" in capsys.readouterr().err


# ---------------------------------------------------------------- decoding


SAMPLE = "二、2020年目标任务\n地区生产总值增长7%左右；城镇新增就业2.2万人以上。"


def test_decode_gb18030_and_gbk():
    text, enc = decode_bytes(SAMPLE.encode("gb18030"))
    assert (text, enc) == (SAMPLE, "gb18030")
    text, enc = decode_bytes(SAMPLE.encode("gbk"))
    assert text == SAMPLE


def test_decode_utf8_bom_is_not_part_of_the_text():
    text, enc = decode_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    assert (text, enc) == (SAMPLE, "utf-8-sig")
    assert text[0] == "二"


def test_decode_declared_encoding_and_unknown_codec():
    assert decode_bytes(SAMPLE.encode("big5", errors="ignore"), "big5")[1] == "big5"
    with pytest.raises(DecodeError, match="unknown encoding 'klingon'"):
        decode_bytes(b"abc", "klingon")


def test_gb18030_file_loads_through_the_manifest(corpus_copy):
    (corpus_copy / "gb.txt").write_bytes(SAMPLE.encode("gb18030"))
    (corpus_copy / "bom.txt").write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    header, rows = _rows(corpus_copy)
    for slug, name in (("gbdoc", "gb.txt"), ("bomdoc", "bom.txt")):
        rows.append({**rows[0], "doc_id": slug, "file": name, "sha256": "", "encoding": ""})
    _write(corpus_copy, header, rows)
    corpus = load_corpus(corpus_copy)
    assert corpus["gbdoc"].encoding == "gb18030"
    assert corpus["gbdoc"].text == SAMPLE
    assert corpus["bomdoc"].text == SAMPLE


# ---------------------------------------------------------------- normalised view + offset map


def _maps_back(original: str, needle: str, expected_original: str) -> None:
    view = normalize_text(original)
    i = view.text.find(needle)
    assert i >= 0, f"{needle!r} not in normalised view {view.text!r}"
    s, e = view.to_original(i, i + len(needle))
    assert original[s:e] == expected_original


def test_fullwidth_digits_and_punctuation():
    original = "一般公共预算收入增长７．０％，达到２１６．１亿元（预计）"
    view = normalize_text(original)
    assert view.text == "一般公共预算收入增长7.0%,达到216.1亿元(预计)"
    _maps_back(original, "7.0%", "７．０％")
    _maps_back(original, "216.1亿元", "２１６．１亿元")


def test_spaces_inside_and_around_numbers():
    original = "实际到位市外资金 141.6 亿元，工业投资同比增长37.5 %，2 0 2 0年"
    view = normalize_text(original)
    assert "实际到位市外资金141.6亿元" in view.text
    assert "增长37.5%" in view.text
    assert "2020年" in view.text
    _maps_back(original, "141.6亿元", "141.6 亿元")
    _maps_back(original, "37.5%", "37.5 %")


def test_latin_words_keep_their_space():
    assert normalize_text("Noto Sans 字体").text == "Noto Sans字体"


def test_word_split_across_pdf_line_break():
    line = "组建京津冀、长三角、珠三角驻外联络机构，统筹资源打造开放前沿阵地。全市新引进亿元以上项"
    original = f"{line}\n\n目 80 个，实际到位市外资金 141.6 亿元。"
    view = normalize_text(original)
    assert "亿元以上项目80个" in view.text
    _maps_back(original, "项目80个", "项\n\n目 80 个")


def test_paragraph_breaks_are_kept():
    original = "一、2019年工作回顾\n\n2019年是新中国成立70周年。\n\n二、2020年目标任务\n\n今年"
    assert normalize_text(original).text == original


def test_pm25_subscript():
    original = "市区空气质量优良率93.4%，PM_{2.5}浓度均值33微克/立方米"
    view = normalize_text(original)
    assert "PM2.5浓度均值33微克/立方米" in view.text
    _maps_back(original, "PM2.5浓度均值33", "PM_{2.5}浓度均值33")
    _maps_back(original, "33微克/立方米", "33微克/立方米")


def test_offset_map_is_monotonic_on_the_shipped_corpus(shipped_corpus):
    for doc in shipped_corpus:
        view = doc.normalized
        origin = view.origin
        assert len(origin) == len(view.text) + 1
        assert origin[-1] == len(doc.text)
        assert all(origin[i] <= origin[i + 1] for i in range(len(origin) - 1))
        # every unchanged character maps to itself
        for i in range(0, len(view.text), 97):
            ch = view.text[i]
            if "\u4e00" <= ch <= "\u9fff":
                assert doc.text[origin[i]] in (ch, "實")


def test_environment_variable_overrides_root(monkeypatch, tmp_path):
    monkeypatch.setenv("QZANALYSIS_ROOT", str(tmp_path))
    assert paths.project_root() == tmp_path.resolve()
    monkeypatch.delenv("QZANALYSIS_ROOT")
    assert (paths.project_root() / "data" / "raw" / "manifest.csv").is_file()
    assert os.fspath(paths.RAW_DIR).endswith(os.path.join("data", "raw"))


def test_review_years_run_from_the_year_before_the_first_document_to_the_last_spoken_for():
    from qzanalysis.periods import review_years

    # a work report of April 2020 reviews 2019; a plan proposal of December 2025 speaks for 2026
    assert review_years(["2020-04-24", "2025-12-08"]) == range(2019, 2027)
    # a report of January 2027 sets out 2027 (and reports 2026)
    assert review_years(["2020-04", "2027-01-20"]) == range(2019, 2028)
    assert review_years([]) == range(0) and review_years(["", None]) == range(0)
