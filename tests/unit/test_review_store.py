"""ReviewStore (qzanalysis.review.store): the one writer of a review file.

Every file here is a tmp_path copy or a file made in tmp_path; data/curated/review.csv is only
read (and checked to stay as it is).
"""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from qzanalysis import paths
from qzanalysis.extract import extract_statements
from qzanalysis.review import (
    BLANK,
    REVIEW_COLUMNS,
    ReviewError,
    ReviewStore,
    apply_review,
    load_review,
)
from qzanalysis.review import store as store_module
from qzanalysis.review.decisions import _added_id

HEADER = ",".join(REVIEW_COLUMNS)
#: wr2020 text[338:342] == "6.7%": GDP growth 2019 (see test_review_tools.py)
GDP = ("wr2020:279d56062c4e", 338, 342)


def row(**kw) -> str:
    return ",".join(str(kw.get(c, "")) for c in REVIEW_COLUMNS)


def write(tmp_path, text: str, name: str = "review.csv", *, bom: bool = False):
    f = tmp_path / name
    f.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return f


def small(nl: str = "\n") -> str:
    """A review file with comments, a blank line and three decisions, lines ending in ``nl``."""
    lines = [
        "# decisions for the test",
        "  # an indented comment",
        HEADER,
        row(action="confirm", statement_id="wr2020:aaaa", note="first"),
        "",
        row(action="reject", statement_id="wr2020:bbbb", note='"quoted, with comma"'),
        "# between rows",
        row(action="correct", statement_id="wr2020:cccc", unit="亿元"),
    ]
    return nl.join(lines) + nl


@pytest.fixture(autouse=True)
def _real_review_file_untouched():
    before = paths.REVIEW_FILE.read_bytes() if paths.REVIEW_FILE.is_file() else None
    yield
    after = paths.REVIEW_FILE.read_bytes() if paths.REVIEW_FILE.is_file() else None
    assert after == before, "a test wrote data/curated/review.csv"


# ---------------------------------------------------------------------------- round trips


def test_the_shipped_review_file_round_trips_byte_for_byte(tmp_path):
    copy = tmp_path / "review.csv"
    shutil.copy(paths.REVIEW_FILE, copy)
    os.utime(copy, ns=(1_000_000_000, 1_000_000_000))
    store = ReviewStore(copy)
    assert store.text().encode("utf-8") == copy.read_bytes()
    assert not store.changed
    assert store.save() == copy
    assert copy.stat().st_mtime_ns == 1_000_000_000  # a no-op: not even rewritten
    assert len(store.decisions) == len(load_review(copy))
    assert list(store.decisions.columns) == list(load_review(copy).columns)


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_comments_blank_lines_crlf_and_bom_round_trip(tmp_path, nl, bom):
    f = write(tmp_path, small(nl), bom=bom)
    store = ReviewStore(f)
    assert ((b"\xef\xbb\xbf" if bom else b"") + store.text().encode()) == f.read_bytes()
    assert list(store.decisions["statement_id"]) == ["wr2020:aaaa", "wr2020:bbbb", "wr2020:cccc"]
    assert store.get("wr2020:bbbb")["note"] == "quoted, with comma"  # the CSV quotes are syntax


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_replace_in_place_touches_only_that_line(tmp_path, nl, bom):
    f = write(tmp_path, small(nl), bom=bom)
    before = f.read_bytes()
    store = ReviewStore(f)
    written = store.decide("correct", "wr2020:bbbb", fields={"value": 3.5, "unit": "亿元"})
    assert written["line"] == 6 and written["action"] == "correct" and written["value"] == "3.5"
    store.save()
    old_lines, new_lines = before.split(b"\n"), f.read_bytes().split(b"\n")
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert changed == [5]  # the sixth line, and only it
    assert (
        new_lines[5]
        == row(action="correct", statement_id="wr2020:bbbb", value="3.5", unit="亿元").encode()
        + nl[:-1].encode()
    )
    assert f.read_bytes().startswith(b"\xef\xbb\xbf") == bom
    got = load_review(f)
    assert list(got["statement_id"]) == ["wr2020:aaaa", "wr2020:bbbb", "wr2020:cccc"]
    assert list(got["line"]) == [4, 6, 8]


def test_append_at_the_end_with_the_files_line_ending(tmp_path):
    f = write(tmp_path, small("\r\n"))
    before = f.read_bytes()
    store = ReviewStore(f)
    written = store.decide("confirm", "wr2020:dddd", note="new")
    assert written["line"] == 9
    store.save()
    after = f.read_bytes()
    assert after.startswith(before)
    assert (
        after[len(before) :]
        == (row(action="confirm", statement_id="wr2020:dddd", note="new") + "\r\n").encode()
    )


def test_append_to_a_file_without_a_final_line_break(tmp_path):
    f = write(tmp_path, small().rstrip("\n"))
    store = ReviewStore(f)
    store.decide("reject", "wr2020:dddd")
    store.save()
    text = f.read_text(encoding="utf-8")
    assert text == small() + row(action="reject", statement_id="wr2020:dddd") + "\n"
    assert len(load_review(f)) == 4


def test_an_identical_decision_changes_nothing(tmp_path):
    f = write(tmp_path, small())
    store = ReviewStore(f)
    written = store.decide("confirm", "wr2020:aaaa", note="first")
    assert written["line"] == 4 and not store.changed
    os.utime(f, ns=(1_000_000_000, 1_000_000_000))
    store.save()
    assert f.stat().st_mtime_ns == 1_000_000_000


def test_decisions_get_and_changed_follow_the_decisions(tmp_path):
    store = ReviewStore(write(tmp_path, small()))
    store.decide("confirm", "wr2020:eeee", doc_id="wr2020", char_start=5, char_end=9)
    assert store.changed and len(store.decisions) == 4
    got = store.get("wr2020:eeee")
    assert (got["doc_id"], got["char_start"], got["char_end"], got["line"]) == (
        "wr2020",
        "5",
        "9",
        9,
    )
    assert store.get("wr2020:zzzz") is None
    frame = store.decisions
    frame.loc[0, "action"] = "reject"  # a copy: the store is not changed through it
    assert store.get("wr2020:aaaa")["action"] == "confirm"


def test_a_quoted_cell_over_two_lines_stays_whole(tmp_path):
    text = (
        HEADER
        + "\n"
        + row(action="confirm", statement_id="wr2020:aaaa", note='"two\nlines"')
        + "\n"
    )
    f = write(tmp_path, text + row(action="confirm", statement_id="wr2020:bbbb") + "\n")
    store = ReviewStore(f)
    assert store.get("wr2020:aaaa")["note"] == "two\nlines"
    store.decide("reject", "wr2020:bbbb")
    store.save()
    assert (
        f.read_text(encoding="utf-8")
        == text + row(action="reject", statement_id="wr2020:bbbb") + "\n"
    )


def test_a_cell_that_would_read_as_a_comment_is_quoted(tmp_path):
    f = write(tmp_path, "note,action,statement_id\n")
    store = ReviewStore(f)
    store.decide("confirm", "wr2020:aaaa", note="#1 of the list")
    store.save()
    assert load_review(f)["note"].tolist() == ["#1 of the list"]


# ---------------------------------------------------------------------------- the header


def test_a_header_without_a_needed_column_is_extended_and_rows_padded(tmp_path):
    f = write(
        tmp_path,
        "# short header\naction,statement_id,note\nconfirm,wr2020:aaaa,kept\n\nreject,wr2020:bbbb,\n",
    )
    store = ReviewStore(f)
    store.decide(
        "correct", "wr2020:cccc", doc_id="wr2020", char_start=1, char_end=3, fields={"unit": "亿元"}
    )
    store.save()
    lines = f.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# short header"
    assert lines[1] == "action,statement_id,note,doc_id,char_start,char_end,unit"
    assert lines[2] == "confirm,wr2020:aaaa,kept,,,,"  # padded, otherwise as it was
    assert lines[3] == ""
    assert lines[4] == "reject,wr2020:bbbb,,,,,"
    assert lines[5] == "correct,wr2020:cccc,,wr2020,1,3,亿元"
    got = load_review(f).set_index("statement_id")
    assert got.loc["wr2020:aaaa", "note"] == "kept" and got.loc["wr2020:cccc", "unit"] == "亿元"


def test_a_missing_file_is_a_header_created_on_save(tmp_path):
    f = tmp_path / "sub" / "review.csv"
    store = ReviewStore(f)
    assert store.text() == HEADER + "\n" and store.decisions.empty and not store.changed
    store.save()
    assert not f.exists()  # nothing decided: nothing written
    store.decide("confirm", "wr2020:aaaa")
    store.save()
    assert (
        f.read_text(encoding="utf-8")
        == HEADER + "\n" + row(action="confirm", statement_id="wr2020:aaaa") + "\n"
    )


def test_a_file_of_comments_only_gets_a_header_after_them(tmp_path):
    f = write(tmp_path, "# nothing yet")
    store = ReviewStore(f)
    store.decide("reject", "wr2020:aaaa")
    store.save()
    assert (
        f.read_text(encoding="utf-8")
        == f"# nothing yet\n{HEADER}\n{row(action='reject', statement_id='wr2020:aaaa')}\n"
    )


# ---------------------------------------------------------------------------- add and span


def test_an_add_without_id_gets_the_id_apply_review_makes(tmp_path):
    store = ReviewStore(write(tmp_path, HEADER + "\n"))
    fields = {"kind": "target", "measure": "growth", "value": "6.5", "indicator_text": "生产总值"}
    written = store.decide("add", doc_id="wr2020", char_start=10, char_end=14, fields=fields)
    rec = {"value": "6.5", "indicator_text": "生产总值"}
    assert written["statement_id"] == _added_id("wr2020", 10, 14, rec)
    assert written["statement_id"].startswith("wr2020:review-")


def test_an_add_written_without_id_is_found_and_replaced_in_place(tmp_path):
    add = row(
        action="add",
        doc_id="wr2020",
        char_start=10,
        char_end=14,
        kind="target",
        measure="growth",
        value="6.5",
    )
    f = write(tmp_path, f"{HEADER}\n{add}\n{row(action='confirm', statement_id='wr2020:aaaa')}\n")
    store = ReviewStore(f)
    sid = _added_id("wr2020", 10, 14, {"value": "6.5"})
    assert store.get(sid)["line"] == 2
    fields = {"kind": "target", "measure": "growth", "value": "6.5", "unit": "%"}
    written = store.decide("add", sid, doc_id="wr2020", char_start=10, char_end=14, fields=fields)
    assert written["line"] == 2 and len(store.decisions) == 2
    with pytest.raises(
        ReviewError, match=r"is a statement added on line 2; to change it write add"
    ):
        store.decide("confirm", sid)


def test_confirm_records_the_span_and_keeps_it_when_decided_again(tmp_path):
    store = ReviewStore(write(tmp_path, HEADER + "\n"))
    sid, start, end = GDP
    store.decide("confirm", sid, doc_id="wr2020", char_start=start, char_end=end)
    written = store.decide("reject", sid, note="no")
    assert (written["doc_id"], written["char_start"], written["char_end"]) == (
        "wr2020",
        "338",
        "342",
    )


def test_decisions_the_store_writes_apply(tmp_path, shipped_corpus):
    raw = extract_statements(shipped_corpus)
    sid, start, end = GDP
    hit = raw[raw["statement_id"] == sid]
    assert (int(hit["char_start"].iloc[0]), int(hit["char_end"].iloc[0])) == (start, end)
    f = tmp_path / "review.csv"
    store = ReviewStore(f)
    store.decide(
        "correct",
        sid,
        doc_id="wr2020",
        char_start=start,
        char_end=end,
        fields={"value": 6.8, "unit": BLANK},
    )
    text = shipped_corpus["wr2020"].text
    s = text.find("十方面民生实事")
    store.decide(
        "add",
        doc_id="wr2020",
        char_start=s,
        char_end=s + 1,
        fields={"kind": "target", "measure": "count", "value": 10, "indicator_text": "民生实事"},
    )
    store.save()
    out = apply_review(raw, f, corpus=shipped_corpus).set_index("statement_id")
    assert out.loc[sid, "review_action"] == "correct" and out.loc[sid, "value"] == 6.8
    assert out.loc[sid, "unit"] == ""
    added = out[out["review_action"] == "add"]
    assert len(added) == 1 and added["evidence"].iloc[0] == "十"


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (
            ("approve", "wr2020:x"),
            {},
            r"action 'approve'; use one of confirm, reject, correct, add",
        ),
        (("confirm",), {}, r"confirm needs a statement_id"),
        (("correct", "wr2020:x"), {}, r"correct wr2020:x changes no field"),
        (("correct", "wr2020:x"), {"fields": {"unit": ""}}, r"changes no field"),
        (
            ("confirm", "wr2020:x"),
            {"fields": {"unit": "亿元"}},
            r"confirm wr2020:x takes no fields",
        ),
        (("correct", "wr2020:x"), {"fields": {"units": "亿元"}}, r"unknown field\(s\) units"),
        (("correct", "wr2020:x"), {"fields": {"note": "x"}}, r"pass it as the keyword argument"),
        (
            ("correct", "wr2020:x"),
            {"fields": {"kind": "plan"}},
            r"kind 'plan' \(statement_id wr2020:x\); use one of",
        ),
        (("correct", "wr2020:x"), {"fields": {"value": "abc"}}, r"value 'abc' is not a number"),
        (("correct", "wr2020:x"), {"fields": {"value": float("inf")}}, r"is not a finite number"),
        (
            ("correct", "wr2020:x"),
            {"fields": {"period_start": "2025", "period_end": "2020"}},
            r"period_start 2025 is after period_end 2020",
        ),
        (
            ("correct", "wr2020:x"),
            {"fields": {"indicator_id": "gdpx"}},
            r"indicator_id 'gdpx' is not in .*did you mean gdp",
        ),
        (("confirm", "wr2020:x"), {"note": "two\nlines"}, r"holds a line break"),
        (("confirm", "wr2020:x"), {"note": "para\u2029graph"}, r"holds a line break"),
        (
            ("confirm", "wr2020:x"),
            {"doc_id": "wr2020", "char_start": 3},
            r"a span needs char_end \(the span",
        ),
        (
            ("confirm", "wr2020:x"),
            {"doc_id": "wr2022", "char_start": 3, "char_end": 5},
            r"doc_id wr2022 does not match statement_id wr2020:x",
        ),
        (
            ("confirm", "wr2020:x"),
            {"doc_id": "wr2020", "char_start": 5, "char_end": 5},
            r"char_end 5 must be greater than char_start 5",
        ),
        (
            ("confirm", "wr2020:x"),
            {"doc_id": "wr2020", "char_start": -1, "char_end": 5},
            r"char_start '-1' is not a non-negative integer",
        ),
        (
            ("add",),
            {"fields": {"kind": "target", "measure": "level", "value": 1}},
            r"add needs doc_id, char_start, char_end",
        ),
        (
            ("add",),
            {"doc_id": "wr2020", "char_start": 1, "char_end": 3, "fields": {"kind": "target"}},
            r"add needs measure",
        ),
    ],
)
def test_an_invalid_decision_is_refused_and_nothing_changes(tmp_path, args, kwargs, message):
    f = write(tmp_path, small())
    before = f.read_bytes()
    store = ReviewStore(f)
    with pytest.raises(ReviewError, match=message):
        store.decide(*args, **kwargs)
    assert not store.changed and store.text().encode() == before
    store.save()
    assert f.read_bytes() == before


def test_a_broken_file_is_refused_when_read(tmp_path):
    f = write(tmp_path, HEADER + "\nbless,wr2020:a\n")
    with pytest.raises(ReviewError, match=r"review.csv:2: .*cells but the header has"):
        ReviewStore(f)
    f.write_bytes(b"action\n\xff\n")
    with pytest.raises(ReviewError, match=r"not UTF-8 \(byte 7\)"):
        ReviewStore(f)


def test_save_refuses_a_text_that_lost_a_decision(tmp_path):
    f = write(tmp_path, small())
    before = f.read_bytes()
    store = ReviewStore(f)
    store.decide("confirm", "wr2020:dddd")
    del store._records[3]  # a bug that drops a row: the count check stops it
    with pytest.raises(ReviewError, match=r"refused to save: 3 decision\(s\) read, 1 appended"):
        store.save()
    assert f.read_bytes() == before


def test_save_refuses_when_the_file_changed_on_disk(tmp_path):
    f = write(tmp_path, small())
    store = ReviewStore(f)
    store.decide("confirm", "wr2020:dddd")
    f.write_text(
        small() + row(action="reject", statement_id="wr2020:eeee") + "\n", encoding="utf-8"
    )
    edited = f.read_bytes()
    with pytest.raises(ReviewError, match=r"changed on disk since it was read"):
        store.save()
    assert f.read_bytes() == edited


def test_a_failing_write_leaves_the_old_file(tmp_path, monkeypatch):
    f = write(tmp_path, small())
    before = f.read_bytes()
    store = ReviewStore(f)
    store.decide("confirm", "wr2020:dddd")

    def half_then_fail(fh, data):
        fh.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "_write_bytes", half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        store.save()
    assert f.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.csv"]  # no temporary file left
    assert store.changed
    monkeypatch.undo()
    store.save()  # the decision is still there to save
    assert load_review(f)["statement_id"].iloc[-1] == "wr2020:dddd"


def test_save_keeps_the_files_permissions_and_saves_twice(tmp_path):
    f = write(tmp_path, small())
    f.chmod(0o640)
    store = ReviewStore(f)
    store.decide("confirm", "wr2020:dddd")
    store.save()
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    store.decide("reject", "wr2020:eeee")
    store.save()
    assert list(load_review(f)["statement_id"])[-2:] == ["wr2020:dddd", "wr2020:eeee"]


@pytest.mark.parametrize("where", ["raw/review.csv", "reference/review.csv", "review.csv"])
def test_save_refuses_data_outside_curated(tmp_path, monkeypatch, where):
    data = tmp_path / "data"
    for name in ("raw", "curated", "reference"):
        (data / name).mkdir(parents=True)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    monkeypatch.setattr(paths, "RAW_DIR", data / "raw")
    monkeypatch.setattr(paths, "CURATED_DIR", data / "curated")
    monkeypatch.setattr(paths, "REFERENCE_DIR", data / "reference")
    store = ReviewStore(data / where)
    store.decide("confirm", "wr2020:aaaa")
    with pytest.raises(paths.OutputPathError, match="input data the package never writes"):
        store.save()
    assert not (data / where).exists()
    curated = ReviewStore(data / "curated" / "review.csv")  # the one place under data/
    curated.decide("confirm", "wr2020:aaaa")
    assert curated.save().is_file()


# ---------------------------------------------------------------------------- rekey


def test_rekey_moves_a_decision_in_place(tmp_path):
    f = write(tmp_path, small())
    store = ReviewStore(f)
    written = store.rekey(
        "wr2020:cccc",
        "wr2020:ffff",
        action="confirm",
        fields={},
        doc_id="wr2020",
        char_start=4,
        char_end=8,
    )
    assert written["line"] == 8 and written["action"] == "confirm"
    store.save()
    got = load_review(f)
    assert list(got["statement_id"]) == ["wr2020:aaaa", "wr2020:bbbb", "wr2020:ffff"]
    assert got["char_start"].iloc[-1] == "4"
    with pytest.raises(ReviewError, match=r"already has a decision on line 4"):
        store.rekey("wr2020:ffff", "wr2020:aaaa")
    with pytest.raises(ReviewError, match=r"no decision about wr2020:gggg"):
        store.rekey("wr2020:gggg", "wr2020:hhhh")
