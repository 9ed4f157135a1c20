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
    for command in ("corpus", "extract", "review", "indicators", "compare", "report"):
        assert command in out
    assert "--corpus DIR" in out


@pytest.mark.parametrize(
    "command, options",
    [
        ("corpus", ["--corpus"]),
        ("extract", ["--corpus", "--out", "--no-review", "--parquet"]),
        ("indicators", ["--unmapped"]),
        ("compare", ["--tolerance-pp", "--out", "--parquet", "--stata"]),
        ("report", ["--years", "--only", "--tolerance-pp", "--jobs", "--show-code", "--force"]),
        ("review draft", ["--corpus", "--gold", "--out"]),
        ("review rekey", ["OLD_STATEMENTS.csv", "--corpus", "--review", "--out"]),
    ],
)
def test_each_subcommand_documents_its_options(command, options, capsys):
    with pytest.raises(SystemExit):
        main([*command.split(), "--help"])
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
    assert {"statement_id", "doc_id", "kind", "value", "char_start", "char_end", "quote"} <= set(
        table.columns
    )
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
    done = subprocess.run(
        [sys.executable, "-m", "qzanalysis.cli", "corpus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "5 documents" in done.stdout


def test_parser_defaults_point_at_the_shipped_corpus():
    args = build_parser().parse_args(["compare"])
    assert args.corpus == paths.RAW_DIR and args.tolerance_pp == 0.2


def test_report_and_compare_share_the_tolerance_help(capsys):
    helps = {}
    for command in ("compare", "report"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        helps[command] = out[out.rindex("--tolerance-pp X") :].split("--", 2)[1]
    assert helps["compare"] == helps["report"]
    assert "percentage points (default 0.2)" in helps["report"]
    assert build_parser().parse_args(["report", "--tolerance-pp", "0.5"]).tolerance_pp == 0.5


def test_report_passes_the_tolerance_and_the_analysis_plans(monkeypatch, tmp_path, capsys):
    """cmd_report: one analysis (saved.load_or_analyse) at the tolerance asked for, its plans() and
    that tolerance handed to plan_reports; nothing is rendered here (run_reports is stubbed)."""
    import qzanalysis.report
    import qzanalysis.saved
    import qzanalysis.tables

    calls = {}

    class FakeAnalysis:
        def tables(self):
            return {}

        def plans(self):
            return ["2022-2026"]

    def fake_load_or_analyse(corpus_dir, **kw):
        calls["analyse"] = (corpus_dir, kw)
        return FakeAnalysis(), "computed"

    def fake_plan_reports(corpus_dir, **kw):
        calls["plan_reports"] = (corpus_dir, kw)
        return []

    monkeypatch.setattr(qzanalysis.saved, "load_or_analyse", fake_load_or_analyse)
    monkeypatch.setattr(qzanalysis.report, "plan_reports", fake_plan_reports)
    monkeypatch.setattr(qzanalysis.report, "run_reports", lambda specs, **kw: [])
    monkeypatch.setattr(qzanalysis.tables, "write_tables", lambda frames, *a, **kw: [])
    monkeypatch.setattr(paths, "OUTPUTS_DIR", tmp_path / "outputs")  # its lock goes there
    assert main(["report", "--tolerance-pp", "0.5", "--only", "plan", "--years", "2021"]) == 0
    assert calls["analyse"] == (
        paths.RAW_DIR,
        {
            "out_dir": tmp_path / "outputs" / "analysis",  # saved once, read by every notebook
            "tolerance_pp": 0.5,
            "as_of": None,
            "executor": "local",
            "scheduler": None,
            "jobs": None,
        },
    )
    corpus_dir, planned = calls["plan_reports"]
    assert corpus_dir == paths.RAW_DIR
    # the analysis itself: plan_reports asks it for its cities and each city's years and plans
    assert isinstance(planned.pop("analysis"), FakeAnalysis)
    assert planned == {"years": (2021,), "only": ["plan"], "tolerance_pp": 0.5, "as_of": ""}
    assert "0 of 0 report(s) ready" in capsys.readouterr().out


def test_report_refuses_zero_jobs_before_any_work(monkeypatch, capsys):
    import qzanalysis.pipeline

    monkeypatch.setattr(qzanalysis.pipeline, "analyse", lambda *a, **kw: pytest.fail("analysed"))
    assert main(["report", "--jobs", "0"]) == 2
    assert "--jobs must be 1 or more" in capsys.readouterr().err


def test_compare_prints_every_status_and_writes_the_tables(tmp_path, capsys):
    from qzanalysis.schema import STATUSES

    assert main(["compare", "--out", str(tmp_path), "--tolerance-pp", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "targets compared (tolerance 0.3 pp, as of " in out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert listed == list(STATUSES)
    assert (tmp_path / "comparisons.csv").is_file() and (tmp_path / "codebook.csv").is_file()


@pytest.mark.parametrize("command", ["compare", "report"])
def test_as_of_that_is_not_a_date_is_refused(command, capsys):
    assert main([command, "--as-of", "2022-13"]) == 2
    assert "--as-of '2022-13' is not a date; write YYYY-MM or YYYY-MM-DD" in capsys.readouterr().err


def test_compare_as_of_a_vintage_writes_that_vintage(tmp_path, capsys):
    # known by 2022-12-31: the 2020 report, the 2022 report excerpt (2022-04) and the reply (2022-11)
    assert main(["compare", "--as-of", "2022-12-31", "--out", str(tmp_path)]) == 0
    assert "as of 2022-12-31" in capsys.readouterr().out
    statements = pd.read_csv(tmp_path / "statements.csv", encoding="utf-8-sig")
    assert set(statements["doc_id"]) == {"wr2020", "wr2022_excerpt", "reply2022_no4"}
