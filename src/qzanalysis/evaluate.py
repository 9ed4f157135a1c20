"""Measure the extractor against a hand annotation ("gold"), as the benchmark and tests do.

A gold file is a CSV in the format of ../shared/gold (doc, kind, indicator, measure, period,
value, value_high, unit, comparator, anchor, notes; see its ANNOTATION_GUIDE.md). A researcher who
annotates documents of their own can score the extractor on them the same way::

    gold = load_gold(files=[Path("my_gold.csv")], manifest_file=Path("my_corpus/manifest.csv"))
    figures = score_corpus(gold, extract_statements(corpus), corpus, load_registry())

Detection: a gold statement is *found* when an extracted row of the same document has the same
value and a span overlapping the gold anchor (one extracted row per gold row; among candidates
the one whose indicator phrase shares most characters wins). Gold rows marked 'uncertain' are
left out of recall's denominator, and a row matched to one is not counted as a false positive.
Attribute accuracy (kind, measure, comparator, unit, period, and indicator_id for the listed
ids) is over the found, certain rows.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from .corpus import Corpus

#: The ids whose mapping is scored (the registry's required core).
LISTED_IDS = {
    "gdp",
    "gdp_per_capita",
    "fixed_asset_investment",
    "manufacturing_investment",
    "general_budget_revenue",
    "fiscal_total_revenue",
    "retail_sales",
    "exports",
    "industrial_va_above_scale",
    "industrial_output_above_scale",
    "urban_disposable_income",
    "rural_disposable_income",
    "resident_disposable_income",
    "urban_rural_income_ratio",
    "rd_intensity",
    "new_urban_employment",
    "registered_unemployment_rate",
    "surveyed_unemployment_rate",
    "cpi",
    "pm25",
    "air_quality_good_days_rate",
    "life_expectancy",
    "urbanization_rate",
    "new_high_tech_enterprises",
}
ATTRIBUTES = ("kind", "measure", "comparator", "unit", "period", "indicator_id")


def load_gold(
    gold_dir: Path | None = None, files: list[Path] | None = None, *, manifest_file: Path
) -> pd.DataFrame:
    """Gold rows (default: every gold_*.csv of ``gold_dir``), with doc_id and period start/end.

    Args:
        gold_dir: folder of gold_*.csv files (used when ``files`` is None).
        files: explicit gold CSV files.
        manifest_file: the manifest of the annotated corpus, which maps the gold's file names
            to doc_ids (always given: a gold of another corpus must not be read with ours).
    """
    if files is None:
        if gold_dir is None:
            raise ValueError("load_gold needs gold_dir or files")
        files = sorted(Path(gold_dir).glob("gold_*.csv"))
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    gold = pd.concat(frames, ignore_index=True)
    manifest = pd.read_csv(manifest_file, dtype=str, keep_default_na=False)
    gold = gold.merge(
        manifest[["file", "doc_id", "city"]],
        left_on="doc",
        right_on="file",
        how="left",
        validate="many_to_one",
    )
    gold["value"] = gold["value"].astype(float)
    gold["uncertain"] = gold["notes"].str.contains("uncertain", case=False)
    gold[["period_start", "period_end"]] = gold["period"].apply(
        lambda p: pd.Series(split_period(p))
    )
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
            warnings.warn(f"gold anchor not found in {g['doc_id']}: {g['anchor']!r}", stacklevel=2)
            continue
        cands = extracted[
            (extracted["doc_id"] == g["doc_id"]) & ((extracted["value"] - g["value"]).abs() < 1e-9)
        ]
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


def score_matches(gold: pd.DataFrame, extracted: pd.DataFrame, registry) -> dict:
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
    res = {
        "gold": len(certain),
        "found": tp,
        "extracted": len(ext),
        "false_pos": fp,
        "recall": recall,
        "precision": precision,
        "f1": f1,
    }
    for attr in ATTRIBUTES:
        ok = n = 0
        for _, g in found.iterrows():
            r = ext.loc[g["row"]]
            if attr == "period":
                good = (
                    str(r["period_start"]) if pd.notna(r["period_start"]) else "",
                    str(r["period_end"]) if pd.notna(r["period_end"]) else "",
                ) == (g["period_start"], g["period_end"])
            elif attr == "indicator_id":
                want = registry.match(g["indicator"], g.get("city", ""))
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
    return score_matches(match(gold, extracted, corpus), extracted, registry)
