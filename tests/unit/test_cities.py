"""Cities as a key (issue 13): every table carries its city, and nothing is compared across cities.

The two-city corpus tests/fixtures/two_cities/ holds two shipped 衢州 documents (same bytes, same
sha256 as data/raw) and three invented 丽水 work reports (2023-2025: each reports the year before
and sets the year's targets). Its 丽水 figures are chosen so that mixing the cities would change
verdicts: 丽水's 2025 targets would be judged by 衢州's 2025 outcomes, 丽水's 2024 investment
target by 衢州's 2024 estimate, and 衢州's 2020 GDP target by a 丽水 reference figure of higher
confidence. The reference file of these tests is the shipped one (衢州) plus
tests/fixtures/two_cities/reference_other_cities.csv (丽水, and a 金华 row the corpus has no
documents for).
"""

from __future__ import annotations

import csv
import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from qzanalysis import paths, schema
from qzanalysis.cities import CityError
from qzanalysis.compare.flow import Settings, compare_all
from qzanalysis.compare.outcomes import latest_information_date
from qzanalysis.corpus import CorpusError, load_corpus
from qzanalysis.extract import extract_statements
from qzanalysis.indicators import load_registry
from qzanalysis.pipeline import TREND_ALPHA, analyse, load_reference_quietly
from qzanalysis.reference import OtherCityWarning, ReferenceDataError, reference_conflicts
from qzanalysis.review import apply_review
from qzanalysis.tables import write_tables

TWO_CITIES = Path(__file__).resolve().parents[1] / "fixtures" / "two_cities"
LISHUI, QUZHOU = "丽水市", "衢州市"
CODES = {LISHUI: "331100", QUZHOU: "330800"}
#: A statement id in any cell: a corpus statement (doc_id:hash) or a reference row (ref-NNN).
STATEMENT_ID = re.compile(r"[a-z0-9_-]+:[0-9a-f]{12}|ref-\d{3}")

pytestmark = pytest.mark.filterwarnings("ignore:.*review decision:UserWarning")


def two_city_reference(dest: Path) -> Path:
    """The shipped reference file with the other cities' rows appended (ref-063 … ref-066)."""
    extra = (TWO_CITIES / "reference_other_cities.csv").read_text(encoding="utf-8")
    text = paths.REFERENCE_FILE.read_text(encoding="utf-8") + extra.split("\n", 1)[1]
    dest.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    reference = two_city_reference(tmp_path_factory.mktemp("ref") / "reference.csv")
    with pytest.warns(OtherCityWarning, match="1 row.*金华市.*not used"):
        a = analyse(TWO_CITIES, reference_path=reference)
    return a


@pytest.fixture(scope="module")
def shipped():
    return analyse()


def city_of_ids(a) -> dict[str, str]:
    """statement id -> city, for every corpus statement and reference row of ``a``."""
    frames = (a.statements, a.reference)
    return {s: c for f in frames for s, c in zip(f["statement_id"], f["city"], strict=True)}


# ------------------------------------------------------------------------------ the corpus


def test_the_corpus_knows_its_cities_and_their_codes(shipped_corpus):
    corpus = load_corpus(TWO_CITIES)
    assert corpus.cities() == [LISHUI, QUZHOU]  # sorted by name
    assert corpus.city_codes() == CODES
    lishui = corpus.for_city(LISHUI)
    assert lishui.doc_ids == ["lishui_wr2023", "lishui_wr2024", "lishui_wr2025"]
    assert {d.city_code for d in lishui} == {"331100"}
    with pytest.raises(KeyError, match="no city '金华市'"):
        corpus.for_city("金华市")
    # the shipped manifest has no city_code column: the code is "" (never looked up elsewhere)
    assert shipped_corpus.city_codes() == {QUZHOU: ""}
    # the 衢州 documents of the fixture are the shipped bytes
    for doc in corpus.for_city(QUZHOU):
        assert doc.sha256 == shipped_corpus[doc.doc_id].sha256


def write_manifest(folder: Path, rows: list[dict]) -> Path:
    """A corpus folder holding the shipped wr2020 document under each row's doc_id."""
    folder.mkdir(exist_ok=True)
    cols = ["doc_id", "file", "title", "doc_type", "issuer", "published", "city", "city_code"]
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=cols)
        writer.writeheader()
        for row in rows:
            shutil.copy(paths.RAW_DIR / "001_5e9ac6a1cf9e1153.txt", folder / f"{row['doc_id']}.txt")
            writer.writerow(
                {"file": f"{row['doc_id']}.txt", "title": "t", "doc_type": "work_report",
                 "issuer": "i", "published": "2020-04-24", **row}
            )  # fmt: skip
    return folder


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [{"doc_id": "a", "city": QUZHOU, "city_code": "3308"}],
            "manifest.csv line 2: city_code '3308' is not a 6-digit administrative division "
            "code (e.g. 330800 for 衢州市)",
        ),
        (
            [{"doc_id": "a", "city": QUZHOU, "city_code": "衢州"}],
            "manifest.csv line 2: city_code '衢州' is not a 6-digit",
        ),
        (
            [
                {"doc_id": "a", "city": QUZHOU, "city_code": "330800"},
                {"doc_id": "b", "city": QUZHOU, "city_code": ""},
            ],
            "manifest.csv line 3: city_code '' for 衢州市, but line 2 gives '330800'; a city "
            "has one code",
        ),
        (
            [
                {"doc_id": "a", "city": QUZHOU, "city_code": "330800"},
                {"doc_id": "b", "city": LISHUI, "city_code": "330800"},
            ],
            "manifest.csv line 3: city_code '330800' for 丽水市 is already the code of 衢州市 "
            "(line 2)",
        ),
    ],
)
def test_a_bad_city_code_is_a_clear_error(tmp_path, rows, message):
    with pytest.raises(CorpusError) as err:
        load_corpus(write_manifest(tmp_path / "corpus", rows))
    assert any(p.startswith(message) for p in err.value.problems), err.value.problems


# ------------------------------------------------------------------------------ every table


def test_every_table_has_the_city_key(both, tmp_path):
    tables = both.tables()
    assert set(tables) == set(schema.CITY_TABLES)
    for name, table in tables.items():
        assert list(table.columns[:2]) == ["city", "city_code"], name
        contract = schema.columns(name)  # (statements: + review_action after the contract)
        assert list(table.columns)[: len(contract)] == contract, name
        assert table["city"].notna().all(), name
        assert (table["city"].map(CODES) == table["city_code"]).all(), name
    assert set(tables["comparisons"]["city"]) == {LISHUI, QUZHOU}
    # every export carries the key, described in the codebook and the datapackage
    write_tables(tables, tmp_path, parquet=True, stata=True)
    book = pd.read_csv(tmp_path / "codebook.csv", encoding="utf-8-sig", dtype=str)
    keyed = book[book["column"].isin(["city", "city_code"])]
    assert set(keyed["table"]) == set(tables) and not keyed["meaning"].str.startswith("UNDES").any()
    panel_csv = pd.read_csv(tmp_path / "panel.csv", encoding="utf-8-sig", dtype=str)
    assert set(zip(panel_csv["city"], panel_csv["city_code"], strict=True)) == set(CODES.items())
    assert set(pd.read_parquet(tmp_path / "comparisons.parquet")["city"]) == {LISHUI, QUZHOU}
    assert set(pd.read_stata(tmp_path / "statements.dta")["city_code"]) == set(CODES.values())
    assert '"name": "city_code"' in (tmp_path / "datapackage.json").read_text(encoding="utf-8")


def test_no_table_pairs_statements_of_two_cities(both):
    """Every statement id named anywhere in a row (target, outcome, candidates, explanation,
    stated_in, …) is a statement or reference row of the row's own city."""
    city_of = city_of_ids(both)
    for name, table in both.tables().items():
        text = table.select_dtypes(include=["string", "object"]).drop(columns=["city"])
        for city, row in zip(table["city"], text.itertuples(index=False), strict=True):
            named = {i for cell in row if isinstance(cell, str) for i in STATEMENT_ID.findall(cell)}
            assert {i: city_of.get(i) for i in named if city_of.get(i) != city} == {}, name


# ------------------------------------------------------------------------------ verdicts by hand


#: 丽水's targets (year, indicator) -> (status, outcome used), from the three invented reports.
#: τ = 0.2 pp for approx growth targets; a bad-side result within 2τ is a narrow miss.
LISHUI_VERDICTS = {
    # 2023 targets (lishui_wr2023 §二), 2023 outcomes (lishui_wr2024 §一)
    (2023, "gdp"): ("met", 6.6),  # 增长6.5%左右 vs 6.6%: |0.1| ≤ τ
    (2023, "general_budget_revenue"): ("missed", 5.3),  # 增长6% (as ≥) vs 5.3%: −0.7 < −2τ
    (2023, "fixed_asset_investment"): ("exceeded", 10.2),  # 8%以上 vs 10.2% (the corpus
    # figure is preferred to 丽水's reference ref-065, 10%)
    (2023, "urban_disposable_income"): ("missed", 5.6),  # 6.5%左右 vs 5.6%: −0.9
    (2023, "rural_disposable_income"): ("narrow_miss", 7.7),  # 8%左右 vs 7.7%: −0.3, within 2τ
    (2023, "surveyed_unemployment_rate"): ("met", 4.1),  # 控制在5%以内 vs 4.1%
    # 2024 targets (lishui_wr2024 §二), 2024 outcomes (lishui_wr2025 §一)
    (2024, "gdp"): ("met", 6.1),  # 6%左右 vs 6.1%
    (2024, "general_budget_revenue"): ("exceeded", 5.6),  # 5%以上 vs 5.6%
    (2024, "fixed_asset_investment"): ("no_outcome", None),  # 丽水 reports none; 衢州's 2024
    # estimate (ref-058, 9.4%) and 金华's 9.5% (ref-066) would have judged it
    (2024, "retail_sales"): ("met", 5.9),  # 6%左右 vs 丽水's reference ref-064, 5.9%
    (2024, "urban_disposable_income"): ("missed", 5.2),  # 6%左右 vs 5.2%
    (2024, "rural_disposable_income"): ("narrow_miss", 7.2),  # 7.5%左右 vs 7.2%: −0.3
    (2024, "surveyed_unemployment_rate"): ("met", 4.3),
    # 2025 targets (lishui_wr2025): 丽水's newest document is of 2025-01-20, so not yet due; 衢州's
    # 2025 outcomes (GDP 5.5%, budget revenue 3.6%, investment 0.7%) would have judged them
    **{
        (2025, i): ("not_yet_due", None)
        for i in (
            "gdp",
            "general_budget_revenue",
            "fixed_asset_investment",
            "urban_disposable_income",
            "rural_disposable_income",
            "surveyed_unemployment_rate",
        )
    },  # fmt: skip
}


def test_second_city_verdicts_computed_by_hand(both):
    lishui = both.for_city(LISHUI)
    cmp = lishui.comparisons
    assert set(cmp["city"]) == {LISHUI} and set(cmp["doc_id"].str[:7]) == {"lishui_"}
    got = {
        (y, i): (s, None if pd.isna(v) else v)
        for y, i, s, v in zip(
            cmp["year"], cmp["indicator_id"], cmp["status"], cmp["outcome_value"], strict=True
        )
    }
    assert got == LISHUI_VERDICTS
    assert lishui.parameters["as_of"] == "2025-01-20"  # its own newest information
    assert both.parameters["as_of_by_city"] == {LISHUI: "2025-01-20", QUZHOU: "2026-01-21"}


def test_the_first_city_is_judged_as_if_alone(both, tmp_path):
    """衢州 within the two-city corpus = a corpus of its two documents alone."""
    alone = tmp_path / "quzhou"
    alone.mkdir()
    with open(TWO_CITIES / "manifest.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r["city"] == QUZHOU]
        fields = reader.fieldnames
    with open(alone / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    for r in rows:
        shutil.copy(TWO_CITIES / r["file"], alone / r["file"])
    only = analyse(alone)
    quzhou = both.for_city(QUZHOU)
    for name in ("comparisons", "tracking", "ratchet", "coverage", "headline", "panel"):
        mine, theirs = quzhou.tables()[name], only.tables()[name]
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs.reset_index(drop=True))
    # 衢州's 2020 GDP target (增长7%左右) keeps its own outcome, 3.5% (ref-008, medium), though
    # 丽水's high-confidence 7.0% (ref-063) would make it met
    gdp = quzhou.year_targets(2020).query("indicator_id == 'gdp' and doc_id == 'wr2020'").iloc[0]
    assert (gdp["outcome_id"], gdp["status"]) == ("ref-008", "missed")


def test_reference_rows_are_used_for_their_city_only(both):
    by_city = both.reference.groupby("city")["statement_id"].apply(set).to_dict()
    assert by_city[LISHUI] == {"ref-063", "ref-064", "ref-065"}
    assert "ref-066" not in set(both.reference["statement_id"])  # 金华市: not in the corpus
    lishui = both.for_city(LISHUI).comparisons.set_index(["year", "indicator_id"])
    assert lishui.loc[(2024, "retail_sales"), "outcome_id"] == "ref-064"
    assert "ref-065" in lishui.loc[(2023, "fixed_asset_investment"), "candidates"]
    quzhou_candidates = " ".join(both.for_city(QUZHOU).comparisons["candidates"].dropna())
    assert not re.search(r"ref-06[3-6]", quzhou_candidates)


def test_two_cities_figures_are_no_reference_conflict(tmp_path):
    """丽水's 2020 GDP growth (7%, ref-063) and 衢州's (3.5%, ref-008) do not contradict each
    other: a conflict is two figures of one city."""
    registry = load_registry()
    reference = load_reference_quietly(two_city_reference(tmp_path / "reference.csv"), registry)
    assert reference_conflicts(reference).empty
    same_city = reference.assign(city=QUZHOU)
    pair = reference_conflicts(same_city).query("statement_id_b == 'ref-063'")
    assert list(pair["statement_id_a"]) == ["ref-008"]


def test_reference_rows_without_a_city(tmp_path):
    """No city column: the rows are the corpus's city's when it has one city, an error (file,
    line, column) when it has several."""
    registry = load_registry()
    lines = paths.REFERENCE_FILE.read_text(encoding="utf-8").splitlines()
    bare = tmp_path / "no_city.csv"
    bare.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"no_city.csv line 2, column city: empty, but "
                       r"the corpus holds 2 cities \(丽水市, 衢州市\)"):  # fmt: skip
        analyse(TWO_CITIES, reference_path=bare)
    one = analyse(reference_path=bare)
    assert set(one.reference["city"]) == {QUZHOU}
    assert one.comparisons["status"].equals(analyse().comparisons["status"])
    # ... and the loader alone keeps the cell as written (empty)
    assert set(load_reference_quietly(bare, registry)["city"]) == {""}


# ------------------------------------------------------------------------------ one city, as before


def test_the_shipped_corpus_gives_the_same_tables_plus_the_city_key(shipped):
    """The shipped one-city analysis equals one comparison run over the whole corpus (what
    analyse() did before cities), with the key 衢州市 / "" in front of every table."""
    assert shipped.cities() == [QUZHOU] and shipped.for_city(QUZHOU) is shipped
    registry = load_registry()
    corpus = load_corpus()
    statements = apply_review(extract_statements(corpus, registry=registry), corpus=corpus,
                              registry=registry)  # fmt: skip
    reference = load_reference_quietly(None, registry)
    published = corpus.published()
    as_of = latest_information_date(statements, reference, published)
    settings = Settings(registry, published, as_of, 0.2, 0.01, "medium", TREND_ALPHA)
    direct = {"statements": statements, "reference": reference,
              **compare_all(statements, reference, settings)}  # fmt: skip
    key = list(schema.CITY_COLUMNS)
    for name, old in direct.items():
        new = getattr(shipped, name)
        assert (new["city"] == QUZHOU).all() and (new["city_code"] == "").all(), name
        pd.testing.assert_frame_equal(new.drop(columns=key), old.drop(columns=key), obj=name)
    assert shipped.parameters["as_of"] == as_of == "2026-01-21"
    judged = shipped.comparisons.query("status in ['met', 'missed']")
    assert sorted(zip(judged["indicator_id"], judged["status"], strict=True)) == [
        ("gdp", "missed"),
        ("gdp_per_capita", "met"),
    ]


def test_questions_about_one_city_need_for_city(both):
    for ask in (
        lambda a: a.headline(),
        lambda a: a.headline(year=2024),
        lambda a: a.review_years(),
        lambda a: a.plans(),
        lambda a: a.year_targets(2024),
        lambda a: a.goals_standing(2024),
        lambda a: a.sensitivity(),
    ):
        with pytest.raises(CityError, match=r"holds 2 \(丽水市, 衢州市\): ask a.for_city\(city\)"):
            ask(both)
    lishui = both.for_city(LISHUI)
    assert lishui.review_years() == (2022, 2023, 2024, 2025) and lishui.plans() == []
    assert len(lishui.year_targets(2024)) == 7 and set(lishui.headline()["city"]) == {LISHUI}
    assert "2 cities (丽水市, 衢州市)" in repr(both)
    with pytest.raises(KeyError, match="no city '金华市'"):
        both.for_city("金华市")


def test_a_vintage_keeps_every_city(tmp_path):
    """Before any 丽水 document was published, 丽水 is still a city of the analysis (its
    reference figures known by then are kept), with no targets to judge."""
    reference = two_city_reference(tmp_path / "reference.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OtherCityWarning)
        a = analyse(TWO_CITIES, as_of="2021-06", reference_path=reference)
    assert a.cities() == [LISHUI, QUZHOU]
    lishui = a.for_city(LISHUI)
    assert lishui.statements.empty and lishui.comparisons.empty
    assert list(lishui.reference["statement_id"]) == ["ref-063"]  # the 2020 figure, known


# ------------------------------------------------------------------------------ the panel


def test_a_panel_row_computed_by_hand(shipped):
    """衢州, 2020, GDP growth, from the shipped documents: the 2020 work report (data/raw/001)
    sets "地区生产总值增长7%左右" (§二, 主要预期目标); no corpus document reports 2020 growth, so the
    outcome is the reference file's line 9 (GDP real growth 2020, 3.5%, medium confidence).
    Gap 3.5 − 7 = −3.5 pp, beyond 2τ = 0.4 pp on the bad side: missed (未完成)."""
    text = load_corpus()["wr2020"].text
    assert "地区生产总值增长7%左右" in text
    with open(paths.REFERENCE_FILE, encoding="utf-8", newline="") as f:
        line9 = list(csv.DictReader(f))[7]  # data row 8 = file line 9 = ref-008
    assert (line9["indicator_zh"], line9["period_end"], line9["value"]) == (
        "地区生产总值",
        "2020",
        "3.5",
    )

    panel = shipped.panel()
    rows = panel[(panel["year"] == 2020) & (panel["indicator_id"] == "gdp")
                 & (panel["period_start"] == "2020")]  # fmt: skip
    assert len(rows) == 1
    row = rows.iloc[0]
    target = shipped.statements.set_index("statement_id").loc[row["target_statement_id"]]
    assert text[target["char_start"] : target["char_end"]] in "地区生产总值增长7%左右"
    expected = {
        "city": QUZHOU, "city_code": "", "measure": "growth", "comparator": "approx",
        "value": 7.0, "unit": "%", "indicator_name_zh": "地区生产总值",
        "indicator_name_en": "Gross domestic product", "target_doc_id": "wr2020",
        "set_by": "2020年衢州市人民政府工作报告（2020-04-24）", "outcome_value": 3.5,
        "outcome_statement_id": "ref-008", "outcome_from": "reference ref-008 (medium confidence)",
        "signed_gap": -3.5, "status": "missed", "status_zh": "未完成",
    }  # fmt: skip
    assert {k: row[k] for k in expected} == expected


def test_the_panel_is_one_row_per_city_year_and_target(both, shipped):
    panel = both.panel()
    key = ["city", "year", "indicator_id", "measure", "period_start", "comparator", "value"]
    assert not panel.duplicated(key).any() and panel["indicator_id"].notna().all()
    assert list(panel["city"].drop_duplicates()) == [LISHUI, QUZHOU]  # city, then year
    lishui = panel[panel["city"] == LISHUI]
    assert len(lishui) == len(LISHUI_VERDICTS)
    # a goal two shipped documents state alike is one row naming both statements
    goal = shipped.panel().query("indicator_id == 'industrial_output_above_scale' and year == 2026")
    assert len(goal) == 1
    stated = goal["stated_in"].iloc[0].split(", ")
    assert [s.split(":")[0] for s in stated] == ["wr2022_excerpt", "reply2022_no4"]
    assert goal["target_statement_id"].iloc[0] == stated[0]  # the earliest document
