"""The command line: help a newcomer can use, and extract/indicators end to end."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from qzanalysis import paths
from qzanalysis.cli import build_parser, main


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("corpus", "extract", "indicators", "compare", "report"):
        assert command in out
    assert "--corpus DIR" in out


@pytest.mark.parametrize(
    "command, options",
    [
        ("corpus", ["--corpus"]),
        ("extract", ["--corpus", "--out", "--no-review", "--parquet"]),
        ("indicators", ["--unmapped"]),
        ("compare", ["--tolerance-pp", "--out", "--parquet", "--stata"]),
        ("report", ["--years", "--only", "--jobs", "--show-code", "--force"]),
    ],
)
def test_each_subcommand_documents_its_options(command, options, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    for option in options:
        assert option in out, f"{command} --help does not mention {option}"
    assert len(out.splitlines()) > 5


def test_console_script_is_installed():
    exe = shutil.which("qzanalysis") or str(paths.ROOT / ".venv" / "bin" / "qzanalysis")
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("qzanalysis ")


def test_extract_writes_an_excel_safe_csv_and_parquet(tmp_path, capsys):
    out = tmp_path / "st.csv"
    assert main(["extract", "--out", str(out), "--parquet"]) == 0
    printed = capsys.readouterr().out
    assert "wr2020" in printed and "target" in printed and "without an indicator id" in printed
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"  # BOM: Excel opens UTF-8 Chinese correctly
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert {"statement_id", "doc_id", "kind", "value", "char_start", "char_end", "quote"} <= set(table.columns)
    assert table["statement_id"].is_unique
    assert len(pd.read_parquet(out.with_suffix(".parquet"))) == len(table)
    assert not list(tmp_path.glob("*.tmp"))  # written atomically


def test_extract_no_review_differs_from_reviewed(tmp_path):
    raw, reviewed = tmp_path / "raw.csv", tmp_path / "rev.csv"
    assert main(["extract", "--no-review", "--out", str(raw)]) == 0
    assert main(["extract", "--out", str(reviewed)]) == 0
    raw_t = pd.read_csv(raw, encoding="utf-8-sig")
    rev_t = pd.read_csv(reviewed, encoding="utf-8-sig")
    assert "review_action" in rev_t.columns
    assert {"confirm", "correct", "add"} <= set(rev_t["review_action"].dropna())
    assert "review_action" not in raw_t.columns or raw_t["review_action"].isna().all()
    assert len(raw_t) != len(rev_t)  # rejected rows dropped, added rows added


def test_extract_stops_on_a_broken_corpus(corpus_copy, tmp_path, capsys):
    (corpus_copy / "manifest.csv").write_text("doc_id,file\nx,y.txt\n", encoding="utf-8")
    assert main(["extract", "--corpus", str(corpus_copy), "--out", str(tmp_path / "s.csv")]) == 1
    assert "missing column(s)" in capsys.readouterr().err
    assert not (tmp_path / "s.csv").exists()


def test_indicators_unmapped_lists_phrases(capsys):
    assert main(["indicators", "--unmapped"]) == 0
    out = capsys.readouterr().out
    assert "wr2020" in out


def test_python_dash_m_entry_point():
    done = subprocess.run([sys.executable, "-m", "qzanalysis.cli", "corpus"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "5 documents" in done.stdout


def test_parser_defaults_point_at_the_shipped_corpus():
    args = build_parser().parse_args(["compare"])
    assert args.corpus == paths.RAW_DIR and args.tolerance_pp == 0.2
