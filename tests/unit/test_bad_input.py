"""Bad input (GitHub issue 12): every malformed corpus, reference, review or registry file is
refused with a message naming the file, the line or field, and what to do, or read correctly.

Every fixture is written by the test into ``tmp_path``; the shipped data is never touched.
"""

from __future__ import annotations

import datetime
import os
import warnings
from pathlib import Path

import pytest

from qzanalysis import paths
from qzanalysis.corpus import CorpusError, DecodeError, decode_bytes, load_corpus, normalize_text
from qzanalysis.extract import extract_statements
from qzanalysis.indicators import RegistryError, load_registry
from qzanalysis.reference import ReferenceDataError, UnknownUnitWarning, load_reference
from qzanalysis.review import REVIEW_COLUMNS, ReviewError, apply_review, load_review

TEXT = "2019年全市生产总值增长6.8%。\n2020年目标：全市生产总值增长6.5%左右。\n"
HEADER = "doc_id,file,title,doc_type,issuer,published,city"


def manifest_row(doc_id: str = "a", file: str = "a.txt", published: str = "2020-04-24") -> str:
    return f"{doc_id},{file},标题,work_report,衢州市人民政府,{published},衢州市"


def make_corpus(
    tmp_path: Path,
    *rows: str,
    files: dict[str, bytes] | None = None,
    header: str = HEADER,
) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name, data in (files if files is not None else {"a.txt": TEXT.encode()}).items():
        (corpus / name).write_bytes(data)
    lines = [header, *(rows or (manifest_row(),))]
    (corpus / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def corpus_problems(corpus: Path) -> str:
    with pytest.raises(CorpusError) as err:
        load_corpus(corpus)
    return str(err.value)


# ---------------------------------------------------------------- 1. path traversal


def test_parent_path_in_manifest_is_refused(tmp_path):
    corpus = make_corpus(tmp_path, manifest_row(file="../../etc/passwd"))
    msg = corpus_problems(corpus)
    assert "manifest.csv line 2: file '../../etc/passwd'" in msg
    assert "outside the corpus folder" in msg


def test_parent_path_to_an_existing_file_is_refused(tmp_path):
    (tmp_path / "outside.txt").write_bytes(TEXT.encode())
    corpus = make_corpus(tmp_path, manifest_row(file="../outside.txt"))
    assert "line 2: file '../outside.txt' resolves to" in corpus_problems(corpus)


def test_absolute_path_in_manifest_is_refused(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(TEXT.encode())
    corpus = make_corpus(tmp_path, manifest_row(file=str(outside)))
    msg = corpus_problems(corpus)
    assert "line 2" in msg and "is an absolute path" in msg


def test_symlink_leading_out_of_the_corpus_is_refused(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(TEXT.encode())
    corpus = make_corpus(tmp_path, manifest_row(file="link.txt"), files={})
    try:
        (corpus / "link.txt").symlink_to(outside)
    except OSError:
        pytest.skip("symbolic links are not available here")
    msg = corpus_problems(corpus)
    assert "line 2: file 'link.txt' resolves to" in msg and "outside the corpus folder" in msg


def test_symlink_inside_the_corpus_is_fine(tmp_path):
    corpus = make_corpus(tmp_path, manifest_row(file="link.txt"))
    try:
        (corpus / "link.txt").symlink_to(corpus / "a.txt")
    except OSError:
        pytest.skip("symbolic links are not available here")
    assert load_corpus(corpus)["a"].text == TEXT


def test_document_in_a_subfolder_is_fine(tmp_path):
    corpus = make_corpus(tmp_path, manifest_row(file="sub/a.txt"), files={})
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.txt").write_bytes(TEXT.encode())
    assert load_corpus(corpus)["a"].text == TEXT


# ---------------------------------------------------------------- 2. undeclared Latin-1


# Every accented letter is followed by a byte GB18030 accepts as a second byte, so GB18030
# decodes this without error into rare ideographs ("B黵germeister"): the case of issue 12.
LATIN1 = "Der Bürgermeister überprüft die Gebäude und Straßen; Größe: 12 Häuser.\n" * 3


def test_latin1_bytes_are_not_taken_for_gb18030():
    data = LATIN1.encode("latin-1")
    data.decode("gb18030")  # GB18030 'succeeds' on these bytes: the guard must refuse them
    with pytest.raises(DecodeError, match="set its encoding column"):
        decode_bytes(data)


def test_undeclared_latin1_document_is_refused_with_what_to_do(tmp_path):
    corpus = make_corpus(tmp_path, files={"a.txt": LATIN1.encode("latin-1")})
    msg = corpus_problems(corpus)
    assert "line 2: a.txt is neither UTF-8" in msg and "encoding column" in msg


def test_declared_latin1_document_loads(tmp_path):
    corpus = make_corpus(
        tmp_path,
        manifest_row() + ",latin-1",
        files={"a.txt": LATIN1.encode("latin-1")},
        header=HEADER + ",encoding",
    )
    assert load_corpus(corpus)["a"].text == LATIN1


def test_gbk_chinese_still_decodes():
    text = "衢州市人民政府工作报告：全市生产总值增长6.8%，城乡居民收入稳步提高。镕"
    assert decode_bytes(text.encode("gbk")) == (text, "gb18030")


# ---------------------------------------------------------------- 3. control characters


@pytest.mark.parametrize("char", ["\x00", "\x0c", "\x1b"])
def test_control_character_is_refused_with_its_byte_offset(tmp_path, char):
    data = ("衢州" + char + "增长6.8%\n").encode()
    corpus = make_corpus(tmp_path, files={"a.txt": data})
    msg = corpus_problems(corpus)
    assert f"line 2: a.txt holds the control character {char!r} at byte 6" in msg
    assert "clean the file" in msg


def test_tab_and_line_endings_are_not_control_problems(tmp_path):
    text = "衢州\t增长6.8%\r\n目标\r6.5%\n"
    corpus = make_corpus(tmp_path, files={"a.txt": text.encode()})
    assert load_corpus(corpus)["a"].text == text


# ---------------------------------------------------------------- 4. bare \r line endings


def test_bare_cr_is_a_line_break_in_the_parsing_view():
    text = "新开工项\r\r目12个\r\n增长6.8%\r完成"
    view = normalize_text(text)
    assert "\r" not in view.text
    assert view.text == "新开工项\n\n目12个\n增长6.8%\n完成"
    assert len(view.origin) == len(view.text) + 1 and view.origin[-1] == len(text)
    for value in ("12个", "6.8%", "完成"):
        start = view.text.index(value)
        a, b = view.to_original(start, start + len(value))
        assert text[a:b] == value


def test_cr_only_document_gives_exact_evidence_and_no_bare_cr(tmp_path):
    text = TEXT.replace("\n", "\r")
    corpus = make_corpus(tmp_path, files={"a.txt": text.encode()})
    doc = load_corpus(corpus)["a"]
    assert doc.text == text  # the original is untouched
    table = extract_statements([doc])
    assert len(table) >= 2
    for row in table.itertuples():
        assert text[row.char_start : row.char_end] == row.evidence
        assert "\r" not in row.quote and "\r" not in str(row.indicator_text)


def test_crlf_and_lf_documents_extract_the_same_values(tmp_path):
    lf = make_corpus(tmp_path / "lf", files={"a.txt": TEXT.encode()})
    crlf = make_corpus(tmp_path / "crlf", files={"a.txt": TEXT.replace("\n", "\r\n").encode()})
    cols = ["kind", "indicator_text", "measure", "value", "evidence"]
    a = extract_statements(load_corpus(lf))[cols]
    b = extract_statements(load_corpus(crlf))[cols]
    assert a.equals(b)


# ---------------------------------------------------------------- 5.-8. manifest rows


def test_two_rows_for_one_file_name_both_lines(tmp_path):
    corpus = make_corpus(tmp_path, manifest_row("a"), manifest_row("b"))
    msg = corpus_problems(corpus)
    assert "manifest.csv line 3: file 'a.txt' is already listed on line 2" in msg


def test_two_spellings_of_one_file_are_one_file(tmp_path):
    corpus = make_corpus(tmp_path, manifest_row("a"), manifest_row("b", file="./a.txt"))
    assert "line 3: file './a.txt' is already listed on line 2" in corpus_problems(corpus)


def test_publication_date_in_the_future_is_refused(tmp_path):
    corpus = make_corpus(tmp_path, manifest_row(published="2099-01-01"))
    msg = corpus_problems(corpus)
    assert "line 2: published '2099-01-01' is after today" in msg and "correct the date" in msg


def test_publication_today_and_this_month_are_fine(tmp_path):
    today = datetime.date.today()
    corpus = make_corpus(
        tmp_path,
        manifest_row("a", published=today.isoformat()),
        manifest_row("b", file="b.txt", published=today.strftime("%Y-%m")),
        files={"a.txt": TEXT.encode(), "b.txt": TEXT.encode()},
    )
    assert load_corpus(corpus).doc_ids == ["a", "b"]


def test_unknown_manifest_column_is_warned_and_ignored(tmp_path):
    corpus = make_corpus(tmp_path, manifest_row() + ",me", header=HEADER + ",reviewer")
    with pytest.warns(UserWarning, match="unknown column.*reviewer.*ignored"):
        loaded = load_corpus(corpus)
    assert loaded.doc_ids == ["a"] and "reviewer" not in loaded["a"].metadata


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_unreadable_document_is_named(tmp_path):
    corpus = make_corpus(tmp_path)
    doc = corpus / "a.txt"
    doc.chmod(0)
    try:
        if os.access(doc, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading")
        msg = corpus_problems(corpus)
    finally:
        doc.chmod(0o644)
    assert "line 2: a.txt cannot be read" in msg and "permissions" in msg


# ---------------------------------------------------------------- 9. reference figures

REF_HEADER = (
    "kind,indicator_zh,indicator_en,measure,period_start,period_end,value,value_high,unit,"
    "comparator,confidence,source_kind,source_url,note"
)
GDP = "outcome,地区生产总值,GDP,level,2020,2020,{value},,{unit},eq,medium,news,http://a,"


def ref_file(tmp_path: Path, *rows: str, encoding: str = "utf-8") -> Path:
    file = tmp_path / "ref.csv"
    file.write_bytes(("\n".join([REF_HEADER, *rows]) + "\n").encode(encoding))
    return file


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "Infinity", "NaN"])
def test_reference_value_must_be_finite(tmp_path, value):
    file = ref_file(
        tmp_path, GDP.format(value="1639", unit="亿元"), GDP.format(value=value, unit="亿元")
    )
    with pytest.raises(
        ReferenceDataError, match=f"line 3, column value: '{value}' is not a finite"
    ):
        load_reference(file)


def test_reference_value_high_must_be_finite(tmp_path):
    row = "target,地区生产总值,GDP,growth,2021,2021,5,inf,%,range,medium,news,http://a,"
    with pytest.raises(
        ReferenceDataError, match="line 2, column value_high: 'inf' is not a finite"
    ):
        load_reference(ref_file(tmp_path, row))


def test_reference_saved_as_gbk_says_resave_as_utf8(tmp_path):
    file = ref_file(tmp_path, GDP.format(value="1639", unit="亿元"), encoding="gbk")
    with pytest.raises(ReferenceDataError, match="line 2: not UTF-8.*re-save the file as UTF-8"):
        load_reference(file)


def test_reference_row_with_extra_fields_is_named(tmp_path):
    file = ref_file(
        tmp_path,
        GDP.format(value="1639", unit="亿元"),
        GDP.format(value="1639", unit="亿元") + ",x",
    )
    with pytest.raises(ReferenceDataError, match="ref.csv line 3: 15 fields, the header has 14"):
        load_reference(file)


def test_reference_duplicated_row_names_both_lines(tmp_path):
    gdp = GDP.format(value="1639", unit="亿元")
    file = ref_file(tmp_path, gdp, GDP.format(value="1639.0", unit="亿元"))
    with pytest.raises(ReferenceDataError, match="ref.csv line 3: repeats line 2"):
        load_reference(file)


def test_reference_same_figure_from_two_sources_is_not_a_duplicate(tmp_path):
    gdp = GDP.format(value="1639", unit="亿元")
    file = ref_file(tmp_path, gdp, gdp.replace("http://a", "http://b"))
    assert len(load_reference(file)) == 2


def test_reference_unknown_unit_is_warned_with_its_line(tmp_path):
    file = ref_file(
        tmp_path, GDP.format(value="1639", unit="亿元"), GDP.format(value="16", unit="亿圆")
    )
    with pytest.warns(UnknownUnitWarning, match=r"line 3 \('亿圆'\)"):
        ref = load_reference(file)
    assert list(ref["unit"]) == ["亿元", "亿圆"]  # kept


def test_reference_units_the_extractor_writes_are_known(tmp_path):
    rows = [
        GDP.format(value=str(i + 1), unit=u) for i, u in enumerate(["%", "百分点", "万人", "家"])
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownUnitWarning)
        load_reference(ref_file(tmp_path, *rows))


# ---------------------------------------------------------------- 10. review decisions


def review_file(tmp_path: Path, **kw: str) -> Path:
    file = tmp_path / "review.csv"
    row = ",".join(kw.get(c, "") for c in REVIEW_COLUMNS)
    file.write_text(",".join(REVIEW_COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    return file


@pytest.mark.parametrize("value", ["inf", "nan", "-Infinity"])
def test_review_value_must_be_finite(tmp_path, value):
    file = review_file(tmp_path, action="correct", statement_id="a:1", value=value)
    with pytest.raises(ReviewError, match=f"review.csv:2: value '{value}' is not a finite number"):
        load_review(file)


def test_review_period_start_after_end_is_refused(tmp_path):
    file = review_file(
        tmp_path, action="correct", statement_id="a:1", period_start="2025", period_end="2020"
    )
    with pytest.raises(
        ReviewError, match="review.csv:2: period_start 2025 is after period_end 2020"
    ):
        load_review(file)


def test_review_correction_may_not_invert_the_period(tmp_path, shipped_corpus):
    statements = extract_statements(shipped_corpus)
    sid = statements.loc[statements["period_end"] == "2020", "statement_id"].iloc[0]
    file = review_file(tmp_path, action="correct", statement_id=sid, period_start="2030")
    with pytest.raises(ReviewError, match=r"review line 2: period_start 2030 is after period_end"):
        apply_review(statements, file, corpus=shipped_corpus)


def test_malformed_review_fails_the_same_way_through_analyse(tmp_path, monkeypatch):
    """`extract` and `compare` (pipeline.analyse) read the review the same way: one ReviewError."""
    from qzanalysis.pipeline import analyse

    file = review_file(tmp_path, action="correct", statement_id="wr2020:x", value="inf")
    monkeypatch.setattr(paths, "REVIEW_FILE", file)
    with pytest.raises(ReviewError, match="review.csv:2: value 'inf' is not a finite number"):
        analyse()


# ---------------------------------------------------------------- 11. indicator registry

ENTRY = (
    "- id: {id}\n  name_zh: {zh}\n  name_en: X\n  polarity: higher_better\n  category: economy\n"
)


def registry_problem(tmp_path: Path, text: str) -> str:
    file = tmp_path / "indicators.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_registry(file)
    return str(err.value)


def test_registry_missing_file(tmp_path):
    with pytest.raises(RegistryError, match="indicator registry not found"):
        load_registry(tmp_path / "nope.yaml")


def test_registry_invalid_yaml(tmp_path):
    assert "not valid YAML" in registry_problem(tmp_path, "- id: [unclosed\n")


@pytest.mark.parametrize("text", ["just a string\n", "", "id: gdp\n"])
def test_registry_not_a_list(tmp_path, text):
    assert "expected a list of indicators" in registry_problem(tmp_path, text)


def test_registry_duplicate_id(tmp_path):
    text = ENTRY.format(id="gdp", zh="生产总值") + ENTRY.format(id="gdp", zh="总值")
    assert "entry 2: id 'gdp' appears twice" in registry_problem(tmp_path, text)


def test_registry_synonym_on_two_ids(tmp_path):
    text = ENTRY.format(id="gdp", zh="生产总值") + ENTRY.format(id="gdp2", zh="生产总值")
    msg = registry_problem(tmp_path, text)
    assert "entry 2 (gdp2): name '生产总值' is already used by gdp" in msg


def test_registry_missing_field(tmp_path):
    text = "- id: gdp\n  name_zh: 生产总值\n  polarity: higher_better\n  category: economy\n"
    assert "entry 1 (gdp): missing name_en" in registry_problem(tmp_path, text)


def test_registry_entry_not_a_mapping(tmp_path):
    assert "entry 1: expected a mapping" in registry_problem(tmp_path, "- gdp\n")


def test_registry_synonyms_not_a_list(tmp_path):
    text = ENTRY.format(id="gdp", zh="生产总值") + "  synonyms: GDP\n"
    assert "entry 1 (gdp): synonyms must be a list" in registry_problem(tmp_path, text)


def test_registry_not_utf8(tmp_path):
    file = tmp_path / "indicators.yaml"
    file.write_bytes(ENTRY.format(id="gdp", zh="生产总值").encode("gbk"))
    with pytest.raises(RegistryError, match="not UTF-8"):
        load_registry(file)


def test_read_error_is_named_even_as_root(tmp_path, monkeypatch):
    """The same path as chmod 000, for a test run as root (where chmod does not stop reading)."""
    corpus = make_corpus(tmp_path)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "a.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    msg = corpus_problems(corpus)
    assert "line 2: a.txt cannot be read (Permission denied)" in msg


def test_reference_rate_of_known_units_is_known(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownUnitWarning)
        load_reference(ref_file(tmp_path, GDP.format(value="18", unit="万元/人")))
