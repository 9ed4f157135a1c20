"""Output safety: no writer touches input data, CSV cells cannot run as formulas, one report run
per outputs/ folder, and report workers die with their parent (GitHub issue 12)."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from qzanalysis import cli_errors, paths, tables
from qzanalysis.report import runner


@pytest.fixture()
def data_dirs(tmp_path, monkeypatch):
    """data/raw, data/curated, data/reference and the input files pointed at tmp_path copies."""
    data = tmp_path / "data"
    for name in ("raw", "curated", "reference"):
        (data / name).mkdir(parents=True)
    (data / "raw" / "manifest.csv").write_text("doc_id,file\n", encoding="utf-8")
    (data / "reference" / "README.md").write_text("reference\n", encoding="utf-8")
    (data / "indicators.yaml").write_text("indicators: []\n", encoding="utf-8")
    monkeypatch.setattr(paths, "RAW_DIR", data / "raw")
    monkeypatch.setattr(paths, "CURATED_DIR", data / "curated")
    monkeypatch.setattr(paths, "REFERENCE_DIR", data / "reference")
    monkeypatch.setattr(paths, "INDICATORS_FILE", data / "indicators.yaml")
    monkeypatch.setattr(paths, "REVIEW_FILE", data / "curated" / "review.csv")
    monkeypatch.setattr(paths, "REFERENCE_FILE", data / "reference" / "facts.csv")
    monkeypatch.setattr(paths, "CNY_USD_RATES_FILE", data / "reference" / "rates.csv")
    return data


# --------------------------------------------------------------------------------------------
# paths.check_output and the atomic writer
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    ["raw/manifest.csv", "raw", "raw/new/statements.csv", "curated/review.csv", "reference"],
)
def test_outputs_inside_the_data_folders_are_refused(data_dirs, relative):
    with pytest.raises(paths.OutputPathError, match="input data the package never writes"):
        paths.check_output(data_dirs / relative)


def test_an_output_equal_to_an_input_file_is_refused(data_dirs, tmp_path):
    with pytest.raises(paths.OutputPathError, match="an input file of this run"):
        paths.check_output(data_dirs / "indicators.yaml")
    corpus = tmp_path / "mycorpus"
    corpus.mkdir()
    review = tmp_path / "my_review.csv"
    review.write_text("action\n", encoding="utf-8")
    for path in (corpus / "manifest.csv", corpus, corpus / "sub" / "x.csv", review):
        with pytest.raises(paths.OutputPathError, match="an input (file|folder) of this run"):
            paths.check_output(path, [corpus, review])
    assert paths.check_output(tmp_path / "out.csv", [corpus, review]) == tmp_path / "out.csv"


def test_a_folder_where_a_file_is_expected_and_the_reverse(tmp_path):
    (tmp_path / "f.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(paths.OutputPathError, match="is a folder; name the output file"):
        paths.check_output(tmp_path, expect="file")
    with pytest.raises(paths.OutputPathError, match="is a file; name a folder"):
        paths.check_output(tmp_path / "f.csv", expect="dir")
    assert paths.check_output(tmp_path, expect="dir") == tmp_path.resolve()


def test_the_atomic_writer_refuses_the_data_folders_even_through_a_symlink(data_dirs, tmp_path):
    manifest = data_dirs / "raw" / "manifest.csv"
    before = manifest.read_bytes()
    link = tmp_path / "innocent"
    link.symlink_to(data_dirs / "raw")
    for target in (manifest, link / "manifest.csv", data_dirs / "reference" / "README.md"):
        with pytest.raises(paths.OutputPathError):
            tables.atomic_write(target, lambda p: p.write_text("gone", encoding="utf-8"))
    assert manifest.read_bytes() == before
    assert (data_dirs / "reference" / "README.md").read_text(encoding="utf-8") == "reference\n"
    assert not list(data_dirs.rglob("*.tmp"))


def test_write_tables_refuses_the_reference_folder_before_writing(data_dirs):
    frames = {"comparisons": pd.DataFrame({"status": ["met"]})}
    with pytest.raises(paths.OutputPathError):
        tables.write_tables(frames, data_dirs / "reference")
    assert sorted(p.name for p in (data_dirs / "reference").iterdir()) == ["README.md"]


# --------------------------------------------------------------------------------------------
# CSV formula injection
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, written",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3.5", "-3.5"),  # a plain number as text: Excel reads a number, no formula
        ("+7%", "+7%"),
        ("地区生产总值", "地区生产总值"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_excel_safe_cell(cell, written):
    assert tables.excel_safe_cell(cell) == written


def test_excel_safe_touches_text_columns_only():
    frame = pd.DataFrame(
        {
            "value": [-3.5, 2.0, math.nan],
            "n": pd.array([-1, 2, None], dtype="Int64"),
            "text": pd.array(["=1+1", None, "-x"], dtype="string"),
            "obj": ["@a", "b", None],
            "cat": pd.Categorical(["=c", "d", "=c"]),
        }
    )
    safe = tables.excel_safe(frame)
    pd.testing.assert_series_equal(safe["value"], frame["value"])
    pd.testing.assert_series_equal(safe["n"], frame["n"])
    assert list(safe["text"].astype(object).where(safe["text"].notna(), None)) == [
        "'=1+1",
        None,
        "'-x",
    ]
    assert list(safe["obj"][:2]) == ["'@a", "b"] and pd.isna(safe["obj"][2])
    assert list(safe["cat"]) == ["'=c", "d", "'=c"]
    assert list(frame["text"].astype(object)[[0]]) == ["=1+1"]  # the input is not changed


def test_write_tables_neutralises_csv_only_and_says_so(tmp_path):
    evil = '=HYPERLINK("http://evil.example","点击")'
    frames = {
        "statements": pd.DataFrame({"indicator_text": [evil, "地区生产总值"], "value": [-3.5, 7.0]})
    }
    tables.write_tables(frames, tmp_path, parquet=True, stata=True)
    csv = pd.read_csv(tmp_path / "statements.csv", encoding="utf-8-sig")
    assert csv["indicator_text"].tolist() == ["'" + evil, "地区生产总值"]
    assert csv["value"].tolist() == [-3.5, 7.0]
    assert pd.read_parquet(tmp_path / "statements.parquet")["indicator_text"][0] == evil
    assert pd.read_stata(tmp_path / "statements.dta")["indicator_text"][0] == evil
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert (
        tables.CSV_SAFETY_NOTE in readme and "Parquet and Stata files keep the raw text" in readme
    )


# --------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["-1", "nan", "inf", "-inf", "abc", ""])
def test_tolerance_must_be_a_finite_number_zero_or_more(text):
    with pytest.raises(argparse.ArgumentTypeError):
        cli_errors.tolerance(text)


@pytest.mark.parametrize("text, value", [("0", 0.0), ("0.2", 0.2), ("1.5", 1.5)])
def test_tolerance_accepts(text, value):
    assert cli_errors.tolerance(text) == value


def test_years_outside_the_corpus_are_named(shipped_corpus):
    assert cli_errors.years_outside_corpus((2019, 2020, 2025), shipped_corpus) == ""
    message = cli_errors.years_outside_corpus((1990, 2020, 2099), shipped_corpus)
    assert message.startswith("--years: 1990, 2099 outside 2019-2035")
    assert "add a document" in message


# --------------------------------------------------------------------------------------------
# The report lock
# --------------------------------------------------------------------------------------------


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


def test_the_lock_refuses_a_live_holder_with_its_pid(tmp_path):
    lock = tmp_path / ".cache" / "report.lock"
    lock.parent.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock.write_text(f"{holder.pid}\n", encoding="ascii")
        with pytest.raises(runner.ReportLocked) as info, runner.report_lock(tmp_path):
            pytest.fail("entered a lock another process holds")
    finally:
        holder.kill()
        holder.wait()
    assert str(info.value) == (
        f"another qzanalysis report (pid {holder.pid}) is writing {tmp_path}; wait for it or "
        f"remove the lock {lock} if no such process runs"
    )
    assert lock.read_text(encoding="ascii").strip() == str(holder.pid)  # not ours to remove


@pytest.mark.parametrize("content", ["dead", "garbage\n"])
def test_a_stale_lock_is_taken_over_and_removed_after(tmp_path, content):
    lock = tmp_path / ".cache" / "report.lock"
    lock.parent.mkdir()
    lock.write_text(f"{_dead_pid()}\n" if content == "dead" else content, encoding="ascii")
    with runner.report_lock(tmp_path):
        assert lock.read_text(encoding="ascii").strip() == str(os.getpid())
        with runner.report_lock(tmp_path):  # re-entered by the same process (CLI, then runner)
            assert lock.exists()
        assert lock.exists()
    assert not lock.exists()


def test_the_lock_is_released_when_the_run_fails(tmp_path):
    with pytest.raises(RuntimeError), runner.report_lock(tmp_path):
        raise RuntimeError("boom")
    assert not (tmp_path / ".cache" / "report.lock").exists()


# --------------------------------------------------------------------------------------------
# Workers die with their parent
# --------------------------------------------------------------------------------------------

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")


def _death_signal() -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    sig = ctypes.c_int(0)
    assert libc.prctl(2, ctypes.byref(sig), 0, 0, 0) == 0  # PR_GET_PDEATHSIG
    return sig.value


@linux_only
def test_the_worker_initializer_asks_for_sigkill_when_the_parent_dies():
    with ProcessPoolExecutor(
        max_workers=1, initializer=runner._die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        assert pool.submit(_death_signal).result(timeout=60) == signal.SIGKILL


def test_the_initializer_is_harmless_elsewhere(monkeypatch):
    from qzanalysis import executors

    monkeypatch.setattr(executors.sys, "platform", "darwin")  # the initializer lives there now
    assert runner._die_with_parent(os.getpid()) is False


#: A parent that starts one worker (which writes its pid, then sleeps) and sleeps itself;
#: POOL is a bare pool with the initializer, or the package's own local pool (spawned workers).
_PARENT = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from qzanalysis.executors import make_executor
from qzanalysis.report.runner import _die_with_parent

def work(path):
    with open(path, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(60)

if __name__ == "__main__":
    pool = POOL
    pool.submit(work, sys.argv[1])
    time.sleep(60)
"""
_BARE_POOL = "ProcessPoolExecutor(1, initializer=_die_with_parent, initargs=(os.getpid(),))"
_LOCAL_POOL = 'make_executor("local", jobs=2).__enter__()'


@linux_only
@pytest.mark.parametrize("pool", [_BARE_POOL, _LOCAL_POOL], ids=["bare-pool", "make_executor"])
def test_kill_9_of_the_parent_kills_its_workers(tmp_path, pool):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(_PARENT).replace("POOL", pool, 1), encoding="utf-8")
    pid_file = tmp_path / "worker.pid"
    parent = subprocess.Popen([sys.executable, str(script), str(pid_file)])
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        worker = int(pid_file.read_text())
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while runner._pid_alive(worker) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):  # reap it if we are a subreaper
            os.waitpid(worker, os.WNOHANG)
        time.sleep(0.1)
    assert not runner._pid_alive(worker) or _is_zombie(worker)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except OSError:
        return False


def test_a_bare_cr_inside_a_cell_stays_in_its_row(tmp_path):
    # evidence is exactly text[char_start:char_end]; in an old-Mac document it can hold a bare CR
    from qzanalysis.tables import write_csv

    frame = pd.DataFrame({"evidence": ["增长\r6.7%", "达到216.1亿元"], "value": [6.7, 216.1]})
    write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig")
    assert back["evidence"].tolist() == ["增长\r6.7%", "达到216.1亿元"] and len(back) == 2
