"""``qzanalysis review list | show | status | confirm | reject | correct | add | rekey --apply |
agreement`` end to end, on tmp_path review files (never data/curated/review.csv, checked)."""

from __future__ import annotations

import io
import shutil

import pandas as pd
import pytest

from qzanalysis import paths
from qzanalysis.cli import main
from qzanalysis.corpus import load_corpus
from qzanalysis.extract import extract_statements
from qzanalysis.review import REVIEW_COLUMNS, apply_review, load_review

HEADER = ",".join(REVIEW_COLUMNS)
DOC = "wr2020"
#: wr2020 text[338:342] == "6.7%": GDP growth 2019 (see tests/unit/test_review_tools.py)
GDP = ("wr2020:279d56062c4e", 338, 342)


@pytest.fixture(autouse=True)
def _real_review_file_untouched():
    before = paths.REVIEW_FILE.read_bytes()
    yield
    assert paths.REVIEW_FILE.read_bytes() == before, "a test wrote data/curated/review.csv"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory, one_document_corpus):
    """The shipped corpus reduced to the 2020 work report."""
    return one_document_corpus(tmp_path_factory.mktemp("corpus"), DOC)


@pytest.fixture(scope="module")
def raw(small_corpus):
    table = extract_statements(load_corpus(small_corpus))
    gdp = table[table["statement_id"] == GDP[0]]
    assert (int(gdp["char_start"].iloc[0]), int(gdp["char_end"].iloc[0])) == GDP[1:]
    return table


@pytest.fixture()
def empty_review(tmp_path):
    f = tmp_path / "review.csv"
    f.write_text(HEADER + "\n", encoding="utf-8")
    return f


@pytest.fixture()
def review_copy(tmp_path):
    f = tmp_path / "review_copy.csv"
    shutil.copy(paths.REVIEW_FILE, f)
    return f


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["review", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def refused(capsys, code: int, *argv) -> str:
    """Run; the exit status is ``code`` and stderr one message naming the tool."""
    got, _, err = run(capsys, *argv)
    assert got == code, err
    assert err.startswith(f"qzanalysis review {argv[0]}:"), err
    return err


def other_id(raw, evidence: str) -> str:
    hit = raw[raw["evidence"] == evidence]
    assert len(hit) >= 1, evidence
    return hit["statement_id"].iloc[0]


# ---------------------------------------------------------------------------- help


def test_help_lists_every_tool_and_the_review_file_is_the_one_write(capsys):
    with pytest.raises(SystemExit):
        main(["review", "--help"])
    out = capsys.readouterr().out
    for tool in (
        "list",
        "show",
        "status",
        "confirm",
        "reject",
        "correct",
        "add",
        "draft",
        "rekey",
        "agreement",
    ):
        assert tool in out
    assert "the one file under" in " ".join(out.split())
    with pytest.raises(SystemExit):
        main(["review", "correct", "--help"])
    out = capsys.readouterr().out
    for option in ("--review", "--corpus", "--unit", "--value", "--clear", "--note"):
        assert option in out
    with pytest.raises(SystemExit):
        main(["review", "rekey", "--help"])
    assert "--apply" in capsys.readouterr().out


# ---------------------------------------------------------------------------- reading


def test_list_show_and_status_on_a_copy_of_the_review_file(capsys, small_corpus, raw, review_copy):
    before = review_copy.read_bytes()
    code, out, err = run(capsys, "list", "--corpus", small_corpus, "--review", review_copy)
    assert code == 0
    assert out.splitlines()[0].split() == [
        "statement_id",
        "doc",
        "kind",
        "indicator",
        "value",
        "period",
        "decision",
        "line",
    ]
    decisions = load_review(review_copy)
    doc = decisions["doc_id"].where(
        decisions["doc_id"] != "", decisions["statement_id"].str.split(":").str[0]
    )
    mine = decisions[doc == DOC]
    n_added = int((mine["action"] == "add").sum())
    assert f"of {len(raw) + n_added} statements" in err

    code, out, _ = run(capsys, "list", "--corpus", small_corpus, "--review", review_copy, "--csv")
    table = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert len(table) == len(raw) + n_added and {"decision", "decision_line", "evidence"} <= set(
        table.columns
    )
    assert (table["decision"] == "reject").sum() == (mine["action"] == "reject").sum()
    assert set(table["decision"]) <= {"", "confirm", "correct", "reject", "add"}
    code, out, _ = run(
        capsys, "list", "--corpus", small_corpus, "--review", review_copy, "--csv", "--unreviewed"
    )
    assert (pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)["decision"] == "").all()

    code, out, _ = run(capsys, "status", "--corpus", small_corpus, "--review", review_copy)
    assert code == 0 and f"{len(decisions)} decisions" in out
    wr2020 = next(line for line in out.splitlines() if line.startswith(DOC)).split()
    total, reviewed, unreviewed = map(int, wr2020[1:])
    assert total == len(raw) + n_added and reviewed + unreviewed == total
    assert "decision(s) about documents not in" in out  # the copy also covers the other documents

    code, out, _ = run(capsys, "show", GDP[0], "--corpus", small_corpus, "--review", review_copy)
    assert code == 0 and f"statement {GDP[0]}" in out and "【6.7%】" in out
    assert "measure" in out and "decision" in out
    assert review_copy.read_bytes() == before  # reading commands never write


def test_status_lists_an_orphaned_decision_with_its_line(capsys, small_corpus, empty_review):
    empty_review.write_text(
        f"{HEADER}\nconfirm,{DOC}:000000000000{',' * 15}gone\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "status", "--corpus", small_corpus, "--review", empty_review)
    assert code == 0 and "1 orphaned decision(s)" in out
    assert f"line 2: confirm {DOC}:000000000000 (no span recorded)  gone" in out
    err = refused(
        capsys, 2, "show", f"{DOC}:000000000000", "--corpus", small_corpus, "--review", empty_review
    )
    assert "line 2 has a confirm about it" in err


# ---------------------------------------------------------------------------- writing


def test_confirm_correct_reject_write_one_line_each(capsys, small_corpus, raw, empty_review):
    sid = GDP[0]
    code, out, _ = run(
        capsys, "confirm", sid, "--corpus", small_corpus, "--review", empty_review, "--note", "ok"
    )
    assert code == 0 and out.strip() == f"confirm {sid} written to {empty_review}, line 2"
    assert (
        empty_review.read_text(encoding="utf-8").splitlines()[1]
        == f"confirm,{sid},{DOC},338,342{',' * 12}ok"
    )

    code, out, _ = run(
        capsys, "confirm", sid, "--corpus", small_corpus, "--review", empty_review, "--note", "ok"
    )
    assert code == 0 and out.startswith("unchanged:")

    other = other_id(raw, "7.3%")
    code, out, _ = run(capsys, "reject", other, "--corpus", small_corpus, "--review", empty_review)
    assert code == 0 and f"reject {other} written to {empty_review}, line 3" in out

    code, out, _ = run(
        capsys,
        "correct",
        sid,
        "--value",
        "6.8",
        "--clear",
        "unit",
        "--corpus",
        small_corpus,
        "--review",
        empty_review,
    )
    assert code == 0 and f"correct {sid} written to {empty_review}, line 2" in out
    assert "replaced the earlier decision on that line: confirm note=ok" in out
    got = load_review(empty_review).set_index("statement_id")
    assert list(got.index) == [sid, other]
    assert (got.loc[sid, "value"], got.loc[sid, "unit"], got.loc[sid, "note"]) == (
        "6.8",
        "<blank>",
        "",
    )

    corpus = load_corpus(small_corpus)
    out_table = apply_review(raw, empty_review, corpus=corpus).set_index("statement_id")
    assert out_table.loc[sid, "value"] == 6.8 and other not in out_table.index

    code, out, _ = run(capsys, "list", "--corpus", small_corpus, "--review", empty_review, "--csv")
    listed = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).set_index(
        "statement_id"
    )
    assert (listed.loc[sid, "decision"], listed.loc[sid, "decision_line"]) == ("correct", "2")
    assert listed.loc[other, "decision"] == "reject"


def test_a_correction_the_extractor_already_makes_is_not_written(
    capsys, small_corpus, raw, empty_review
):
    gdp = raw[raw["statement_id"] == GDP[0]].iloc[0]
    argv = ["correct", GDP[0], "--unit", gdp["unit"], "--value", "6.70"]
    assert gdp["value"] == 6.7
    err = refused(capsys, 2, *argv, "--corpus", small_corpus, "--review", empty_review)
    assert "nothing to correct" in err and "confirm" in err
    assert empty_review.read_text(encoding="utf-8") == HEADER + "\n"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["confirm", "wr2020:nope"], "no statement wr2020:nope in"),
        (["correct", GDP[0]], "give the field(s) to correct"),
        (["correct", GDP[0], "--value", "abc"], "value 'abc' is not a number"),
        (["correct", GDP[0], "--value", "nan"], "is not a finite number"),
        (
            ["correct", GDP[0], "--clear", "unit", "--unit", "亿元"],
            "--clear unit and --unit both given",
        ),
        (
            ["correct", GDP[0], "--period-start", "2030"],
            "period_start 2030 is after period_end 2019",
        ),
        (["correct", GDP[0], "--indicator-id", "gdpx"], "indicator_id 'gdpx' is not in"),
        (["correct", GDP[0], "--note", "a\nb", "--value", "1"], "holds a line break"),
        (
            [
                "add",
                "--doc",
                "nodoc",
                "--start",
                "1",
                "--end",
                "3",
                "--kind",
                "target",
                "--measure",
                "level",
                "--value",
                "1",
            ],
            "--doc nodoc: not in",
        ),
        (
            [
                "add",
                "--doc",
                DOC,
                "--start",
                "5",
                "--end",
                "5",
                "--kind",
                "target",
                "--measure",
                "level",
                "--value",
                "1",
            ],
            "need 0 <= start < end",
        ),
        (
            [
                "add",
                "--doc",
                DOC,
                "--start",
                "100",
                "--end",
                "99999999",
                "--kind",
                "target",
                "--measure",
                "level",
                "--value",
                "1",
            ],
            "is beyond the end of wr2020",
        ),
        (
            [
                "add",
                "--doc",
                DOC,
                "--start",
                "0",
                "--end",
                "2",
                "--kind",
                "target",
                "--measure",
                "level",
                "--value",
                "1",
            ],
            "which holds no number",
        ),
    ],
)
def test_a_bad_argument_is_one_message_and_the_file_untouched(
    capsys, small_corpus, empty_review, argv, message
):
    before = empty_review.read_bytes()
    err = refused(capsys, 2, *argv, "--corpus", small_corpus, "--review", empty_review)
    assert message in err
    assert empty_review.read_bytes() == before


def test_a_broken_review_file_is_one_message_exit_1(capsys, small_corpus, empty_review):
    empty_review.write_text(HEADER + "\nbless,x\n", encoding="utf-8")
    for argv in (["list"], ["status"], ["confirm", GDP[0]]):
        err = refused(capsys, 1, *argv, "--corpus", small_corpus, "--review", empty_review)
        assert "review.csv:2:" in err
    assert empty_review.read_text(encoding="utf-8") == HEADER + "\nbless,x\n"


def test_a_review_file_inside_the_corpus_folder_is_refused(
    capsys, tmp_path, small_corpus, monkeypatch
):
    corpus = tmp_path / "raw"
    shutil.copytree(small_corpus, corpus)
    monkeypatch.setattr(paths, "RAW_DIR", corpus)
    err = refused(
        capsys, 2, "confirm", GDP[0], "--corpus", corpus, "--review", corpus / "review.csv"
    )
    assert "refused" in err and "never writes" in err
    assert not (corpus / "review.csv").exists()


def test_add_counts_code_points_past_a_character_outside_the_bmp(capsys, tmp_path):
    text = "𠀀𠀁（衢州）2020年目标：全市生产总值增长6.5%左右。\n"
    start = text.index("6.5%")
    assert len(text[:start].encode("utf-16-le")) // 2 == start + 2  # UTF-16 would count 2 more
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    (corpus / "manifest.csv").write_text(
        "doc_id,file,title,doc_type,issuer,published,city\na,a.txt,标题,work_report,衢州市人民政府,2020-04-24,衢州市\n",
        encoding="utf-8",
    )
    review = tmp_path / "review.csv"
    argv = [
        "add",
        "--doc",
        "a",
        "--start",
        start,
        "--end",
        start + 4,
        "--kind",
        "target",
        "--measure",
        "growth",
    ]
    argv += [
        "--value",
        "6.5",
        "--unit",
        "%",
        "--comparator",
        "approx",
        "--indicator-text",
        "全市生产总值",
    ]
    code, out, err = run(capsys, *argv, "--corpus", corpus, "--review", review, "--note", "test")
    assert code == 0, err
    assert f"text[{start}:{start + 4}] of a: '6.5%'" in out and "【6.5%】" in out
    written = load_review(review).iloc[0]
    assert (written["action"], written["char_start"], written["char_end"]) == (
        "add",
        str(start),
        str(start + 4),
    )
    sid = written["statement_id"]
    assert f"add {sid} written to {review}, line 2" in out
    loaded = load_corpus(corpus)
    out_table = apply_review(extract_statements(loaded), review, corpus=loaded)
    added = out_table[out_table["review_action"] == "add"]
    assert list(added["evidence"]) == ["6.5%"] and list(added["char_start"]) == [start]
    code, out, _ = run(capsys, "show", sid, "--corpus", corpus, "--review", review)
    assert code == 0 and "add (line 2)" in out and "【6.5%】左右" in out


# ---------------------------------------------------------------------------- rekey --apply


def test_rekey_apply_writes_the_proposal_into_the_review_file(capsys, tmp_path, small_corpus, raw):
    sid, other = GDP[0], other_id(raw, "7.3%")
    renamed = {sid: f"{DOC}:0000000000aa", other: f"{DOC}:0000000000bb"}
    old = raw.copy()
    old["statement_id"] = old["statement_id"].replace(renamed)
    old_file = tmp_path / "old.csv"
    old.to_csv(old_file, index=False)
    review = tmp_path / "review.csv"
    lines = [
        "# decisions written against the old ids",
        HEADER,
        f"confirm,{renamed[sid]}{',' * 15}gdp",
        "",
        f"correct,{renamed[other]}{',' * 13}%{',' * 2}fai",  # the extractor's unit now
    ]
    review.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = review.read_bytes()

    code, proposal, _ = run(capsys, "rekey", old_file, "--corpus", small_corpus, "--review", review)
    assert code == 0 and review.read_bytes() == before  # without --apply: printed only

    code, out, err = run(
        capsys, "rekey", old_file, "--corpus", small_corpus, "--review", review, "--apply"
    )
    assert code == 0, err
    assert f"confirm {sid} (was confirm {renamed[sid]}) written to {review}, line 3" in out
    assert f"confirm {other} (was correct {renamed[other]}) written to {review}, line 5" in out
    assert "2 decision(s) re-keyed" in out
    got = review.read_text(encoding="utf-8").splitlines()
    assert got[:2] == lines[:2] and got[3] == ""
    assert got[2] == f"confirm,{sid},{DOC},338,342{',' * 12}gdp"  # with the span now
    assert got[4].startswith(f"confirm,{other},{DOC},") and got[4].endswith(",fai")
    assert [ln.split(",")[:2] for ln in got[2::2]] == [
        ln.split(",")[:2] for ln in proposal.splitlines()[2::2]
    ]

    code, out, _ = run(
        capsys, "rekey", old_file, "--corpus", small_corpus, "--review", review, "--apply"
    )
    assert code == 0 and "nothing re-keyed" in out


# ---------------------------------------------------------------------------- agreement


def test_agreement_prints_and_writes_the_table(capsys, tmp_path, small_corpus, raw):
    sid, other = GDP[0], other_id(raw, "7.3%")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(f"action,statement_id\nconfirm,{sid}\nconfirm,{other}\n", encoding="utf-8")
    b.write_text(
        f"action,statement_id,value\ncorrect,{sid},6.8\nconfirm,{other},\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "agreement", a, b, "--corpus", small_corpus)
    assert code == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert rows["action"][:3] == ["2", "1", "0.500"] and rows["value"][:3] == ["2", "1", "0.500"]
    assert rows["unit"][:3] == ["2", "2", "1.000"]
    assert "2 statements decided in both files" in err

    out_file = tmp_path / "agreement.csv"
    code, _, _ = run(capsys, "agreement", a, b, "--corpus", small_corpus, "--out", out_file)
    table = pd.read_csv(out_file, encoding="utf-8-sig")
    assert code == 0 and list(table.columns) == [
        "field",
        "n",
        "agree",
        "share",
        "kappa",
        "kappa_low",
        "kappa_upp",
    ]

    err = refused(
        capsys,
        2,
        "agreement",
        a,
        b,
        "--corpus",
        small_corpus,
        "--out",
        paths.DATA_DIR / "agreement.csv",
    )
    assert "never write under data/" in err and not (paths.DATA_DIR / "agreement.csv").exists()
    err = refused(capsys, 2, "agreement", a, b, "--corpus", small_corpus, "--out", a)
    assert "would overwrite an input file" in err
