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
from qzanalysis.extract import extract_statements  # noqa: E402
from qzanalysis.indicators import load_registry  # noqa: E402
from qzanalysis.review import apply_review  # noqa: E402

GOLD_DIR = ROOT.parent / "shared" / "gold"
#: Documents the extractor was not developed on, with their hand annotation (see its README.md).
UNSEEN_DIR = ROOT / "tests" / "fixtures" / "unseen"
UNSEEN_GOLD = UNSEEN_DIR / "gold_unseen.csv"
LISTED_IDS = {
    "gdp", "gdp_per_capita", "fixed_asset_investment", "manufacturing_investment",
    "general_budget_revenue", "fiscal_total_revenue", "retail_sales", "exports",
    "industrial_va_above_scale", "industrial_output_above_scale", "urban_disposable_income",
    "rural_disposable_income", "resident_disposable_income", "urban_rural_income_ratio",
    "rd_intensity", "new_urban_employment", "registered_unemployment_rate",
    "surveyed_unemployment_rate", "cpi", "pm25", "air_quality_good_days_rate", "life_expectancy",
    "urbanization_rate", "new_high_tech_enterprises",
}
ATTRIBUTES = ("kind", "measure", "comparator", "unit", "period", "indicator_id")


def load_unseen() -> tuple[Corpus, pd.DataFrame]:
    """The unseen test corpus (tests/fixtures/unseen) and its gold annotation."""
    corpus = load_corpus(UNSEEN_DIR)
    gold = load_gold(files=[UNSEEN_GOLD], manifest_file=UNSEEN_DIR / "manifest.csv")
    return corpus, gold


def load_gold(gold_dir: Path = GOLD_DIR, files: list[Path] | None = None,
              manifest_file: Path | None = None) -> pd.DataFrame:
    """Gold rows (default: every gold_*.csv of ``gold_dir``), with doc_id and period start/end.

    Args:
        gold_dir: folder of gold_*.csv files (used when ``files`` is None).
        files: explicit gold CSV files.
        manifest_file: the corpus manifest that maps the gold's file names to doc_ids
            (default: the shipped data/raw/manifest.csv).
    """
    files = files if files is not None else sorted(gold_dir.glob("gold_*.csv"))
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    gold = pd.concat(frames, ignore_index=True)
    manifest = pd.read_csv(manifest_file or paths.RAW_DIR / "manifest.csv", dtype=str)
    gold = gold.merge(manifest[["file", "doc_id"]], left_on="doc", right_on="file", how="left",
                      validate="many_to_one")
    gold["value"] = gold["value"].astype(float)
    gold["uncertain"] = gold["notes"].str.contains("uncertain", case=False)
    gold[["period_start", "period_end"]] = gold["period"].apply(lambda p: pd.Series(split_period(p)))
    return gold


def split_period(p: str) -> tuple[str, str]:
    if p == "unknown" or not p:
        return "", ""
    if ".." in p:
        a, b = p.split("..")
        return a, b
    if len(p) == 9 and p[4] == "-":
        return p[:4], p[5:]
    return p, p


def anchor_spans(text: str, anchor: str) -> list[tuple[int, int]]:
    spans, i = [], text.find(anchor)
    while i != -1:
        spans.append((i, i + len(anchor)))
        i = text.find(anchor, i + 1)
    return spans


def match(gold: pd.DataFrame, extracted: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    """Pair gold rows with extracted rows; return gold with a column 'row' (index or -1)."""
    gold = gold.copy()
    gold["row"] = -1
    used: set = set()
    for gi, g in gold.sort_values("uncertain").iterrows():
        text = corpus[g["doc_id"]].text
        spans = anchor_spans(text, g["anchor"])
        if not spans:
            print(f"  ! anchor not found in {g['doc_id']}: {g['anchor']!r}")
            continue
        cands = extracted[(extracted["doc_id"] == g["doc_id"]) & ((extracted["value"] - g["value"]).abs() < 1e-9)]
        best, best_score = None, -1
        for ri, r in cands.iterrows():
            if ri in used:
                continue
            if not any(r["char_start"] < e and s < r["char_end"] for s, e in spans):
                continue
            score = len(set(str(r["indicator_text"])) & set(g["indicator"]))
            if score > best_score:
                best, best_score = ri, score
        if best is not None:
            used.add(best)
            gold.at[gi, "row"] = best
    return gold


def score(gold: pd.DataFrame, extracted: pd.DataFrame, registry) -> dict:
    docs = set(gold["doc_id"])
    ext = extracted[extracted["doc_id"].isin(docs)]
    certain = gold[~gold["uncertain"]]
    found = certain[certain["row"] >= 0]
    matched_uncertain = set(gold.loc[gold["uncertain"] & (gold["row"] >= 0), "row"])
    tp = len(found)
    fp = len([i for i in ext.index if i not in set(gold["row"]) and i not in matched_uncertain])
    recall = tp / len(certain) if len(certain) else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    res = {"gold": len(certain), "found": tp, "extracted": len(ext), "false_pos": fp,
           "recall": recall, "precision": precision, "f1": f1}
    for attr in ATTRIBUTES:
        ok = n = 0
        for _, g in found.iterrows():
            r = ext.loc[g["row"]]
            if attr == "period":
                good = (str(r["period_start"]) if pd.notna(r["period_start"]) else "",
                        str(r["period_end"]) if pd.notna(r["period_end"]) else "") == \
                    (g["period_start"], g["period_end"])
            elif attr == "indicator_id":
                want = registry.match(g["indicator"])
                if want not in LISTED_IDS:
                    continue
                good = pd.notna(r["indicator_id"]) and r["indicator_id"] == want
            else:
                have = r[attr] if pd.notna(r[attr]) else ""
                good = str(have) == g[attr]
            n += 1
            ok += bool(good)
        res[attr] = ok / n if n else float("nan")
        res[attr + "_n"] = n
    return res


def score_corpus(gold: pd.DataFrame, extracted: pd.DataFrame, corpus: Corpus, registry) -> dict:
    """Overall figures (recall, precision, f1, attribute accuracies) of ``extracted`` against ``gold``."""
    return score(match(gold, extracted, corpus), extracted, registry)


def report(title: str, gold: pd.DataFrame, extracted: pd.DataFrame, corpus: Corpus, registry,
           show_misses: bool = False) -> None:
    print(f"\n== {title} ==")
    matched = match(gold, extracted, corpus)
    rows = []
    for doc_id, g in [("ALL", matched), *matched.groupby("doc_id")]:
        s = score(g, extracted, registry)
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
            print(f"  extra:  {r['doc_id']} {r['indicator_text']} {r['value']} {r['unit']} ({r['evidence']})")
        found = matched[(matched["row"] >= 0) & ~matched["uncertain"]]
        for _, g in found.iterrows():
            r = ext.loc[g["row"]]
            diffs = []
            for attr in ("kind", "measure", "comparator", "unit"):
                have = r[attr] if pd.notna(r[attr]) else ""
                if str(have) != g[attr]:
                    diffs.append(f"{attr} {have}!={g[attr]}")
            if (str(r["period_start"] or ""), str(r["period_end"] or "")) != (g["period_start"], g["period_end"]):
                diffs.append(f"period {r['period_start']}..{r['period_end']}!={g['period']}")
            want = registry.match(g["indicator"])
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
        Document(doc_id=f"{d.doc_id}_x100", file=d.file, title=d.title, doc_type=d.doc_type,
                 issuer=d.issuer, published=d.published, city=d.city, text="\n".join([d.text] * 100),
                 encoding=d.encoding, sha256=d.sha256)
        for d in corpus
    ]
    big = Corpus(path=corpus.path, documents=big_docs)
    chars = sum(len(d.text) for d in big)
    t0 = time.perf_counter()
    n = len(extract_statements(big))
    dt = time.perf_counter() - t0
    print(f"speed: 100x synthetic corpus {chars:,} chars in {dt:.2f} s = {chars / dt:,.0f} chars/s "
          f"({n:,} statements)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    corpus = load_corpus()
    registry = load_registry()
    if not GOLD_DIR.is_dir():
        print(f"skipped accuracy: no gold annotations at {GOLD_DIR}")
    else:
        gold = load_gold()
        raw = extract_statements(corpus, registry)
        report("raw extractor", gold, raw, corpus, registry, show_misses="-v" in argv)
        if paths.REVIEW_FILE.is_file():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                reviewed = apply_review(raw, paths.REVIEW_FILE, corpus=corpus, registry=registry)
            for w in caught:
                print(f"warning: {w.message}")
            report("after review (data/curated/review.csv)", gold, reviewed.reset_index(drop=True),
                   corpus, registry, show_misses="-v" in argv)
        else:
            print(f"\nno review file at {paths.REVIEW_FILE}: skipped the reviewed figures")
    if UNSEEN_GOLD.is_file():
        unseen, unseen_gold = load_unseen()
        report("unseen documents (tests/fixtures/unseen, raw extractor)", unseen_gold,
               extract_statements(unseen, registry), unseen, registry, show_misses="-v" in argv)
    bench_speed(corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
