"""Decisions survive re-extraction (qzanalysis.review.survival, issue 14 part 3), known answers.

A rule change is simulated by giving the extracted statements other ids (what a changed rule does
to the hash): a decision keyed by an id the table no longer has, but recording its span, must be
re-attached to the one statement on that span, and every case where that would be a guess must
stay an orphan, with its reason.

The spans below were read by hand from ``qzanalysis extract --no-review`` on the shipped corpus
(data/raw) and the text of wr2020 (``load_corpus()["wr2020"].text[start:end]``);
:func:`test_known_spans_are_what_the_tests_say` re-checks them, so a changed corpus fails there
first.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings

import pandas as pd
import pytest

from qzanalysis import paths
from qzanalysis.cli import main
from qzanalysis.corpus import load_corpus
from qzanalysis.extract import extract_statements
from qzanalysis.review import REVIEW_COLUMNS, apply_review, get_orphans, load_review

HEADER = ",".join(REVIEW_COLUMNS)
#: wr2020 text[338:342] == "6.7%": 全市地区生产总值增长6.7% (the only statement on that span)
GDP = ("wr2020:279d56062c4e", 338, 342)
#: wr2020 text[351:355] == "7.3%": 固定资产投资增长7.3% (the only statement on that span)
FAI = ("wr2020:d8a9176ef1c7", 351, 355)
#: wr2020 text[713:718] == "23.3%": 规上工业亩均税收 (the only statement on that span)
TAX = ("wr2020:4d247b50b0ed", 713, 718)
#: wr2020 text[14131:14134] == "20%": "事故起数、死亡人数均下降20%", two statements, one span
ACCIDENTS = ("wr2020:c2d22701245d", 14131, 14134)
DEATHS = ("wr2020:a4574ba79512", 14131, 14134)


@pytest.fixture(scope="module")
def statements(shipped_corpus):
    return extract_statements(shipped_corpus)


def row(**kw) -> str:
    return ",".join(str(kw.get(c, "")) for c in REVIEW_COLUMNS)


def spanned(known: tuple[str, int, int], **kw) -> str:
    """A decision row recording the span of ``known`` (its statement_id unless one is given)."""
    sid, start, end = known
    kw.setdefault("statement_id", sid)
    return row(doc_id="wr2020", char_start=start, char_end=end, **kw)


def write(tmp_path, *lines: str):
    f = tmp_path / "review.csv"
    f.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return f


def renamed(table: pd.DataFrame, ids: dict[str, str]) -> pd.DataFrame:
    """The same extraction under other ids: the table after a rule change altered them."""
    new = table.copy()
    new["statement_id"] = new["statement_id"].replace(ids)
    return new


def quiet_apply(*args, **kw) -> pd.DataFrame:
    """apply_review, failing on any warning (a re-keyed decision is not an orphan)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return apply_review(*args, **kw)


def test_known_spans_are_what_the_tests_say(statements, shipped_corpus):
    text = shipped_corpus["wr2020"].text
    expected = {GDP: "6.7%", FAI: "7.3%", TAX: "23.3%", ACCIDENTS: "20%", DEATHS: "20%"}
    for (sid, start, end), evidence in expected.items():
        assert text[start:end] == evidence
        hit = statements[statements["statement_id"] == sid].iloc[0]
        assert (hit["char_start"], hit["char_end"], hit["evidence"]) == (start, end, evidence)
    on_span = statements[(statements["doc_id"] == "wr2020") & (statements["char_start"] == 14131)]
    assert sorted(on_span["indicator_text"]) == sorted(["事故起数", "死亡人数"])
    for _, start, _ in (GDP, FAI, TAX):
        assert ((statements["doc_id"] == "wr2020") & (statements["char_start"] == start)).sum() == 1


# -------------------------------------------------------------------------------- re-attached


def test_decisions_re_attach_by_span_after_a_rule_change(tmp_path, statements, shipped_corpus):
    """Three decisions written before the 'rule change' (their ids are the current ones); the
    new table calls the same statements otherwise. Each span holds one statement whose evidence
    is the document text there, so all three are applied to the new ids, none is an orphan."""
    new_ids = {GDP[0]: "wr2020:new00000gdp", FAI[0]: "wr2020:new00000fai", TAX[0]: "wr2020:new0tax"}
    f = write(
        tmp_path,
        spanned(GDP, action="confirm", note="kept note"),
        spanned(FAI, action="reject"),
        spanned(TAX, action="correct", indicator_text="规上工业亩均税收", value="23.3"),
    )
    before = f.read_bytes()
    out = quiet_apply(renamed(statements, new_ids), f, corpus=shipped_corpus)
    assert f.read_bytes() == before  # the review file is never rewritten
    assert out.attrs["rekeyed"] == new_ids and get_orphans(out).empty
    assert out.attrs["rejected"] == 1 and len(out) == len(statements) - 1
    got = out.set_index("statement_id")
    assert "wr2020:new00000fai" not in got.index
    assert got.loc["wr2020:new00000gdp", "review_action"] == "confirm"
    assert got.loc["wr2020:new0tax", "review_action"] == "correct"
    assert got.loc["wr2020:new0tax", "indicator_id"] == "industrial_tax_per_mu"  # re-mapped
    # the same as applying the decisions under the ids they were written for
    same = apply_review(statements, f, corpus=shipped_corpus)
    back = {v: k for k, v in new_ids.items()}
    assert out.assign(statement_id=out["statement_id"].replace(back)).equals(same)


def test_the_shipped_review_survives_a_rule_change_except_on_shared_spans(
    statements, shipped_corpus
):
    """Every statement renamed: each shipped confirm/reject/correct records its span, so it
    re-attaches unless its span holds several statements (then it is an orphan, with that
    reason); what is applied equals the review under the original ids."""
    new_ids = {s: s.replace(":", ":r", 1) for s in statements["statement_id"]}
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        out = apply_review(renamed(statements, new_ids), corpus=shipped_corpus)
    same = apply_review(statements, corpus=shipped_corpus)
    edits = load_review(paths.REVIEW_FILE).query("action != 'add'")
    per_span = statements.groupby(["doc_id", "char_start", "char_end"])["statement_id"].transform(
        "size"
    )
    shared = set(statements.loc[per_span > 1, "statement_id"]) & set(edits["statement_id"])
    orphans = get_orphans(out)
    assert set(orphans["statement_id"]) == shared and len(shared) > 0
    assert orphans["reason"].str.fullmatch(r"\d+ statements at \S+\[\d+:\d+\] now").all()
    assert out.attrs["rekeyed"] == {s: new_ids[s] for s in edits["statement_id"] if s not in shared}
    # under the old ids again: every row the shipped review's, but the orphans' rows as extracted
    back = {v: k for k, v in new_ids.items()}
    got = out.assign(statement_id=out["statement_id"].replace(back)).set_index("statement_id")
    ref = same.set_index("statement_id")
    applied = [s for s in ref.index if s not in shared]
    assert set(got.index) == set(applied) | shared
    pd.testing.assert_frame_equal(got.loc[applied], ref.loc[applied])
    as_extracted = statements.set_index("statement_id").loc[sorted(shared)]
    pd.testing.assert_frame_equal(
        got.loc[sorted(shared), list(as_extracted.columns)], as_extracted, check_dtype=False
    )
    assert (got.loc[sorted(shared), "review_action"] == "").all()


# -------------------------------------------------------------------------------- orphans


def test_a_span_with_two_statements_stays_orphan(tmp_path, statements, shipped_corpus):
    """事故起数 and 死亡人数 share wr2020[14131:14134] ("均下降20%"): which one was meant?"""
    new = renamed(statements, {ACCIDENTS[0]: "wr2020:newaccidents", DEATHS[0]: "wr2020:newdeaths"})
    f = write(tmp_path, spanned(ACCIDENTS, action="confirm"))
    with pytest.warns(UserWarning, match=r"2 statements at wr2020\[14131:14134\] now"):
        out = apply_review(new, f, corpus=shipped_corpus)
    orphans = get_orphans(out)
    assert orphans.to_dict("records") == [
        {
            "line": 2,
            "statement_id": ACCIDENTS[0],
            "action": "confirm",
            "note": "",
            "reason": "2 statements at wr2020[14131:14134] now",
        }
    ]
    assert out.attrs["rekeyed"] == {} and (out["review_action"] == "").all()


def test_a_value_that_differs_stays_orphan(tmp_path, statements, shipped_corpus):
    """The statement on wr2020[338:342] reads 6.7; a decision saying 7.0 is about another
    reading and is not applied; one saying 6.7 (the same value written otherwise) is."""
    new = renamed(statements, {GDP[0]: "wr2020:new00000gdp", TAX[0]: "wr2020:new0tax"})
    f = write(
        tmp_path,
        spanned(GDP, action="correct", value="7.0", note="read as 7"),
        spanned(TAX, action="correct", value="23.30", unit="%"),
    )
    with pytest.warns(UserWarning, match=r"value 7\.0 but the statement at wr2020\[338:342\]"):
        out = apply_review(new, f, corpus=shipped_corpus)
    assert get_orphans(out)[["line", "statement_id", "reason"]].to_dict("records") == [
        {
            "line": 2,
            "statement_id": GDP[0],
            "reason": "value 7.0 but the statement at wr2020[338:342] reads 6.7",
        }
    ]
    assert out.attrs["rekeyed"] == {TAX[0]: "wr2020:new0tax"}
    got = out.set_index("statement_id")
    assert got.loc["wr2020:new00000gdp", "value"] == 6.7  # untouched
    assert got.loc["wr2020:new0tax", "review_action"] == "correct"


def test_a_span_whose_text_differs_stays_orphan(tmp_path, statements, corpus_copy):
    """A corpus whose wr2020 reads "增长6.8%" where the statements were read from "增长6.7%"
    (same offsets): the characters at the span are not the statement's, so nothing is placed."""
    changed = _corpus_with(
        corpus_copy, "wr2020", "全市地区生产总值增长6.7%", "全市地区生产总值增长6.8%"
    )
    assert changed["wr2020"].text[338:342] == "6.8%"
    new = renamed(statements, {GDP[0]: "wr2020:new00000gdp"})
    f = write(tmp_path, spanned(GDP, action="confirm"))
    with pytest.warns(UserWarning, match=r"the text at wr2020\[338:342\] is '6\.8%'"):
        out = apply_review(new, f, corpus=changed)
    assert list(get_orphans(out)["reason"]) == [
        "the text at wr2020[338:342] is '6.8%', the statement there reads '6.7%'"
    ]
    # re-extracted from the changed text, the statement there reads 6.8: a decision that says
    # 6.7 is not moved onto it (a confirm, which records no value, would be: the review file
    # keeps no text, and documents are trusted immutable, see qzanalysis.review.survival)
    again = extract_statements(changed)
    assert GDP[0] not in set(again["statement_id"])
    f = write(
        tmp_path, spanned(GDP, action="correct", value="6.7", indicator_text="全市地区生产总值")
    )
    with pytest.warns(UserWarning, match=r"value 6\.7 but .* reads 6\.8"):
        out = apply_review(again, f, corpus=changed)
    assert out.attrs["rekeyed"] == {} and len(get_orphans(out)) == 1


def _corpus_with(corpus_dir, doc_id: str, old: str, new: str):
    """Replace ``old`` (found once) by ``new`` in one document and re-hash it in the manifest."""
    manifest = corpus_dir / "manifest.csv"
    rows = list(csv.DictReader(io.StringIO(manifest.read_text(encoding="utf-8"))))
    entry = next(r for r in rows if r["doc_id"] == doc_id)
    doc = corpus_dir / entry["file"]
    data = doc.read_bytes()
    assert data.count(old.encode("utf-8")) == 1
    data = data.replace(old.encode("utf-8"), new.encode("utf-8"))
    doc.write_bytes(data)
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace(entry["sha256"], hashlib.sha256(data).hexdigest()), encoding="utf-8"
    )
    return load_corpus(corpus_dir)


def test_two_decisions_for_one_statement_stay_orphans(tmp_path, statements, shipped_corpus):
    """Two orphans recording the GDP span, or an orphan on the span of a statement that has a
    decision by its id: one decision per statement, so none is guessed."""
    f = write(
        tmp_path,
        spanned(GDP, action="confirm", statement_id="wr2020:old0000gdp1"),
        spanned(GDP, action="reject", statement_id="wr2020:old0000gdp2"),
        spanned(FAI, action="confirm"),
        spanned(FAI, action="reject", statement_id="wr2020:old00000fai"),
    )
    with pytest.warns(UserWarning, match="3 review decision"):
        out = apply_review(statements, f, corpus=shipped_corpus)
    both = f"lines 2, 3 record the span of one statement ({GDP[0]})"
    taken = f"its statement there ({FAI[0]}) already has a decision (line 4)"
    assert get_orphans(out)[["line", "reason"]].to_dict("records") == [
        {"line": 2, "reason": both},
        {"line": 3, "reason": both},
        {"line": 5, "reason": taken},
    ]
    assert out.set_index("statement_id").loc[FAI[0], "review_action"] == "confirm"
    assert len(out) == len(statements) and out.attrs["rekeyed"] == {}


def test_no_statement_on_the_span_or_no_corpus_stays_orphan(tmp_path, statements, shipped_corpus):
    """wr2020[338:341] ("6.7") is not the span of any statement; without the corpus the text at
    a span cannot be checked, so nothing is re-attached."""
    new = renamed(statements, {GDP[0]: "wr2020:new00000gdp"})
    f = write(
        tmp_path,
        row(action="confirm", statement_id=GDP[0], doc_id="wr2020", char_start=338, char_end=341),
    )
    with pytest.warns(UserWarning, match=r"no statement at wr2020\[338:341\] now"):
        apply_review(new, f, corpus=shipped_corpus)
    f = write(tmp_path, spanned(GDP, action="confirm"))
    with pytest.warns(UserWarning, match=r"no corpus to check the text at wr2020\[338:342\]"):
        out = apply_review(new, f)
    assert out.attrs["rekeyed"] == {}


def test_a_decision_without_a_span_orphans_with_the_old_message(tmp_path, statements):
    new = renamed(statements, {GDP[0]: "wr2020:new00000gdp"})
    f = write(tmp_path, row(action="confirm", statement_id=GDP[0]))
    with pytest.warns(UserWarning) as caught:
        out = apply_review(new, f)
    message = str(caught[0].message)
    assert message.startswith(
        f"1 review decision(s) refer to statements the extractor no longer produces: {GDP[0]} "
        "(line 2). Re-check them and update the review file."
    )
    assert "1 of them record no span" in message and "qzanalysis review rekey OLD.csv" in message
    assert list(get_orphans(out)["reason"]) == ["no span recorded"]


# -------------------------------------------------------------------------------- shipped file


def test_the_shipped_review_records_the_span_of_every_statement(statements, shipped_corpus):
    """Every confirm/reject/correct of data/curated/review.csv records its statement's span (so
    it survives a rule change) and applies with no orphan."""
    review = load_review(paths.REVIEW_FILE)
    edits = review[review["action"] != "add"].set_index("statement_id")
    spans = statements.set_index("statement_id").loc[
        edits.index, ["doc_id", "char_start", "char_end"]
    ]
    assert (edits["doc_id"] == spans["doc_id"]).all()
    assert (edits["char_start"].astype(int) == spans["char_start"]).all()
    assert (edits["char_end"].astype(int) == spans["char_end"]).all()
    out = quiet_apply(statements, paths.REVIEW_FILE, corpus=shipped_corpus)
    assert get_orphans(out).empty and out.attrs["rekeyed"] == {}


# -------------------------------------------------------------------------------- the command


def test_extract_reports_applied_rekeyed_and_orphaned(tmp_path, capsys):
    """One decision under an id no extraction makes but with the GDP span (re-keyed), one
    without a span (orphan), one by its real id (applied): 2 applied, 1 re-keyed, 1 orphaned."""
    review = write(
        tmp_path,
        spanned(GDP, action="confirm", statement_id="wr2020:000000000000"),
        row(action="confirm", statement_id="wr2020:111111111111"),
        spanned(FAI, action="reject"),
    )
    before = review.read_bytes()
    out = tmp_path / "s.csv"
    assert main(["extract", "--review", str(review), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    line = next(x for x in captured.out.splitlines() if x.startswith("review:"))
    assert line.startswith(
        "review: 2 decisions applied, 1 re-keyed by span (same span and text; "
        f"{review} is not rewritten: persist the new ids with `qzanalysis review rekey --apply` "
        "or the review store), 1 orphaned (see the warnings; `qzanalysis review rekey OLD.csv`"
    )
    warned = [x for x in captured.err.splitlines() if "wr2020:111111111111" in x]
    assert len(warned) == 1 and warned[0].startswith("warning: 1 review decision(s)")
    assert "wr2020:000000000000" not in captured.err
    assert review.read_bytes() == before
    written = pd.read_csv(out, dtype=str, encoding="utf-8-sig").set_index("statement_id")
    assert written.loc[GDP[0], "review_action"] == "confirm" and FAI[0] not in written.index


def test_extract_with_the_shipped_review_reports_no_orphan(tmp_path, capsys):
    assert main(["extract", "--out", str(tmp_path / "s.csv")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("review:"))
    applied = len(load_review(paths.REVIEW_FILE))  # every decision of the file
    assert line.startswith(
        f"review: {applied} decisions applied, 0 re-keyed by span (same span and text), "
        "0 orphaned ["
    )
