"""Benchmark the statement extractor against the hand annotation in ../shared/gold.

Run: ``.venv/bin/python benchmarks/bench_extract.py`` (prints; asserts nothing).

Detection: a gold statement is *found* when an extracted row of the same document has the same
value and a span overlapping the gold anchor (one extracted row per gold row; among candidates
the one whose indicator phrase shares most characters wins). Gold rows marked 'uncertain' are
left out of recall's denominator, and a row matched to one is not counted as a false positive.
Attribute accuracy (kind, measure, comparator, unit, period, indicator_id for the ids the
brief lists) is over the found, certain rows. Figures are printed for the raw extractor and
after applying data/curated/review.csv.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qzanalysis import paths  # noqa: E402
from qzanalysis.corpus import Corpus, Document, load_corpus  # noqa: E402
from qzanalysis.evaluate import LISTED_IDS, load_gold, match, score_matches  # noqa: E402
from qzanalysis.extract import extract_statements  # noqa: E402
from qzanalysis.indicators import load_registry  # noqa: E402
from qzanalysis.review import apply_review  # noqa: E402

GOLD_DIR = ROOT.parent / "shared" / "gold"
#: Documents the extractor was not developed on, with their hand annotation (see its README.md).
UNSEEN_DIR = ROOT / "tests" / "fixtures" / "unseen"
UNSEEN_GOLD = UNSEEN_DIR / "gold_unseen.csv"


#: The round-4 held-out documents (issue 11) and the score they got before any rule saw them.
ROUND4_DIR = ROOT / "tests" / "fixtures" / "round4"


def bench_round4(registry) -> None:
    """Round 4: the first honest score (recorded in first_score.json when the documents were first
    run, before any rule was changed for them) beside the score of the rules now."""
    import json

    first = json.loads((ROUND4_DIR / "first_score.json").read_text(encoding="utf-8"))
    corpus = load_corpus(ROUND4_DIR)
    gold = load_gold(
        files=[ROUND4_DIR / "gold_round4.csv"], manifest_file=ROUND4_DIR / "manifest.csv"
    )
    extracted = extract_statements(corpus, registry)
    now = score_matches(match(gold, extracted, corpus), extracted, registry)
    cols = (
        "recall",
        "precision",
        "kind",
        "measure",
        "comparator",
        "unit",
        "period",
        "indicator_id",
    )
    print("\n== round 4 held-out documents (tests/fixtures/round4): first score vs now ==")
    print(f"first score: {first['how']} (commit {first['measured_at_commit']})")
    print(f"{'':6s} " + " ".join(f"{c:>12s}" for c in cols))
    print(f"{'first':6s} " + " ".join(f"{first['all'][c]:12.3f}" for c in cols))
    print(f"{'now':6s} " + " ".join(f"{now[c]:12.3f}" for c in cols))


def load_unseen() -> tuple[Corpus, pd.DataFrame]:
    """The unseen test corpus (tests/fixtures/unseen) and its gold annotation."""
    corpus = load_corpus(UNSEEN_DIR)
    gold = load_gold(files=[UNSEEN_GOLD], manifest_file=UNSEEN_DIR / "manifest.csv")
    return corpus, gold


def report(
    title: str,
    gold: pd.DataFrame,
    extracted: pd.DataFrame,
    corpus: Corpus,
    registry,
    show_misses: bool = False,
) -> None:
    print(f"\n== {title} ==")
    matched = match(gold, extracted, corpus)
    rows = []
    for doc_id, g in [("ALL", matched), *matched.groupby("doc_id")]:
        s = score_matches(g, extracted, registry)
        rows.append({"doc": doc_id, **{k: v for k, v in s.items() if not k.endswith("_n")}})
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    if show_misses:
        miss = matched[(matched["row"] < 0) & ~matched["uncertain"]]
        for _, g in miss.iterrows():
            print(f"  missed: {g['doc_id']} {g['indicator']} {g['value']} ({g['anchor']})")
        docs = set(matched["doc_id"])
        ext = extracted[extracted["doc_id"].isin(docs)]
        fp = ext[~ext.index.isin(set(matched["row"]))]
        for _, r in fp.iterrows():
            print(
                f"  extra:  {r['doc_id']} {r['indicator_text']} {r['value']} {r['unit']} ({r['evidence']})"
            )
        found = matched[(matched["row"] >= 0) & ~matched["uncertain"]]
        for _, g in found.iterrows():
            r = ext.loc[g["row"]]
            diffs = []
            for attr in ("kind", "measure", "comparator", "unit"):
                have = r[attr] if pd.notna(r[attr]) else ""
                if str(have) != g[attr]:
                    diffs.append(f"{attr} {have}!={g[attr]}")
            if (str(r["period_start"] or ""), str(r["period_end"] or "")) != (
                g["period_start"],
                g["period_end"],
            ):
                diffs.append(f"period {r['period_start']}..{r['period_end']}!={g['period']}")
            want = registry.match(g["indicator"], g.get("city", ""))
            if want in LISTED_IDS and (pd.isna(r["indicator_id"]) or r["indicator_id"] != want):
                diffs.append(f"id {r['indicator_id']}!={want}")
            if diffs:
                print(f"  wrong:  {g['doc_id']} {g['indicator']} {g['value']}: {'; '.join(diffs)}")


def bench_speed(corpus: Corpus) -> None:
    chars = sum(len(d.text) for d in corpus)
    extract_statements(corpus)  # warm caches (registry, regexes)
    t0 = time.perf_counter()
    extract_statements(corpus)
    dt = time.perf_counter() - t0
    print(f"\nspeed: shipped corpus {chars:,} chars in {dt:.3f} s = {chars / dt:,.0f} chars/s")
    big_docs = [
        Document(
            doc_id=f"{d.doc_id}_x100",
            file=d.file,
            title=d.title,
            doc_type=d.doc_type,
            issuer=d.issuer,
            published=d.published,
            city=d.city,
            text="\n".join([d.text] * 100),
            encoding=d.encoding,
            sha256=d.sha256,
        )
        for d in corpus
    ]
    big = Corpus(path=corpus.path, documents=big_docs)
    chars = sum(len(d.text) for d in big)
    t0 = time.perf_counter()
    n = len(extract_statements(big))
    dt = time.perf_counter() - t0
    print(
        f"speed: 100x synthetic corpus {chars:,} chars in {dt:.2f} s = {chars / dt:,.0f} chars/s "
        f"({n:,} statements)"
    )


def bench_long_document(corpus: Corpus, copies: tuple[int, ...] = (16, 64, 256)) -> None:
    """One document of growing length (wr2020 repeated): the cost per character must stay flat
    (a yearbook-sized text once cost 8x more per character: a slice of the rest of the text per
    figure, fixed in extract/filters.py)."""
    import dataclasses

    doc = next(d for d in corpus if d.doc_id == "wr2020")
    for k in copies:
        long = dataclasses.replace(doc, doc_id=f"wr2020_x{k}", text="\n".join([doc.text] * k))
        t0 = time.perf_counter()
        n = len(extract_statements(Corpus(path=corpus.path, documents=[long])))
        dt = time.perf_counter() - t0
        print(
            f"long document: {len(long.text) / 1e6:5.2f} M chars in {dt:6.2f} s = "
            f"{dt / len(long.text) * 1e6:.2f} µs/char ({n:,} statements)"
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    corpus = load_corpus()
    if "--long" in argv:  # only the long-document check
        bench_long_document(corpus)
        return 0
    registry = load_registry()
    if not GOLD_DIR.is_dir():
        print(f"skipped accuracy: no gold annotations at {GOLD_DIR}")
    else:
        gold = load_gold(GOLD_DIR, manifest_file=corpus.path / "manifest.csv")
        raw = extract_statements(corpus, registry)
        report("raw extractor", gold, raw, corpus, registry, show_misses="-v" in argv)
        if paths.REVIEW_FILE.is_file():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                reviewed = apply_review(raw, paths.REVIEW_FILE, corpus=corpus, registry=registry)
            for w in caught:
                print(f"warning: {w.message}")
            report(
                "after review (data/curated/review.csv)",
                gold,
                reviewed.reset_index(drop=True),
                corpus,
                registry,
                show_misses="-v" in argv,
            )
        else:
            print(f"\nno review file at {paths.REVIEW_FILE}: skipped the reviewed figures")
    if UNSEEN_GOLD.is_file():
        unseen, unseen_gold = load_unseen()
        report(
            "unseen documents (tests/fixtures/unseen, raw extractor)",
            unseen_gold,
            extract_statements(unseen, registry),
            unseen,
            registry,
            show_misses="-v" in argv,
        )
    if (ROUND4_DIR / "gold_round4.csv").is_file():
        bench_round4(registry)
    bench_speed(corpus)
    bench_long_document(corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
