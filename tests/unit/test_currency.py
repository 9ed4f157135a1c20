"""元 ↔ 美元 at the official annual average rate (methods.md §7, "Currency").

The shipped table data/reference/cny_usd_rates.csv holds only rates that were seen quoted from a
national statistical communiqué; a year without one is refused, never filled. Numbers below are
computed by hand: 10,000美元 × 6.8974元/美元 (2020 communiqué) = 68,974元.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from qzanalysis import paths
from qzanalysis.compare import compare_targets
from qzanalysis.currency import (
    MissingRate,
    RatesError,
    convert_currency,
    default_rates,
    load_rates,
)
from qzanalysis.indicators import load_registry
from qzanalysis.units import convert_value, currency_of, is_currency_pair
from statement_rows import make_statements

AS_OF = "2026-01-21"
REGISTRY = load_registry()
HEADER = "year,cny_per_usd,source,source_url,note\n"
SOURCE = "国家统计局《中华人民共和国2020年国民经济和社会发展统计公报》,http://example.org/2020"


def write(tmp_path: Path, text: str, name: str = "rates.csv") -> Path:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    return file


# --------------------------------------------------------------------------- the shipped table
def test_shipped_table_holds_the_2020_communique_rate_with_its_source():
    rates = load_rates()
    assert rates[2020].cny_per_usd == Decimal("6.8974")
    assert "2020年国民经济和社会发展统计公报" in rates[2020].source
    assert all(u.startswith("http") for u in rates[2020].source_url.split())
    assert "6.8974" in rates[2020].note  # the quoted sentence the figure was read from


def test_shipped_table_years_are_exactly_its_rows():
    with paths.CNY_USD_RATES_FILE.open(encoding="utf-8") as fh:
        years = {int(r["year"]) for r in csv.DictReader(fh)}
    assert set(load_rates()) == years
    assert set(default_rates()) == years
    assert 2021 not in years  # not verified against the communiqué: left out, never guessed


# --------------------------------------------------------------------------- units and arithmetic
def test_units_tell_the_currencies_apart_and_never_convert_them():
    assert (currency_of("亿元"), currency_of("万美元"), currency_of("人")) == ("cny", "usd", None)
    assert is_currency_pair("美元", "万元") and is_currency_pair("亿元", "亿美元")
    assert not is_currency_pair("元", "亿元") and not is_currency_pair("美元", "人")
    assert convert_value(1, "美元", "元") is None  # only with a dated rate


def test_conversion_arithmetic_both_ways():
    rates = load_rates()
    got = convert_currency(10000, "美元", "元", 2020, rates)
    assert got.value == 68974.0 and got.rate.year == 2020
    assert got.text.startswith("10,000美元 × 6.8974元/美元 = 68,974元 (2020 annual average, ")
    assert convert_currency(68974, "元", "美元", 2020, rates).value == 10000.0
    assert convert_currency(12.5, "亿美元", "亿元", 2020, rates).value == pytest.approx(86.2175)
    assert convert_currency(1, "万美元", "万元", 2020, rates).value == pytest.approx(6.8974)
    back = convert_currency(68974, "元", "美元", 2020, rates)
    assert "68,974元 ÷ 6.8974元/美元 = 10,000美元" in back.text
    assert convert_currency(1, "元", "万元", 2020, rates) is None  # not a currency pair


def test_missing_year_is_refused_naming_the_year_and_the_file():
    got = convert_currency(10000, "美元", "元", 2021, load_rates())
    assert isinstance(got, MissingRate) and got.year == 2021
    assert "2021" in got.reason() and "data/reference/cny_usd_rates.csv" in got.reason()


# --------------------------------------------------------------------------- validation
def test_errors_name_file_line_column_and_fix(tmp_path):
    bad = (
        HEADER
        + f"2020,6.8974,{SOURCE},\n"
        + f"20x1,6.45,{SOURCE},\n"
        + f"2022,672.61,{SOURCE},\n"
        + "2023,7.0467,,,\n"
        + f"2020,6.9,{SOURCE},\n"
        + "2024,7.1,国家统计局,www.stats.gov.cn,\n"
    )
    with pytest.raises(RatesError) as err:
        load_rates(write(tmp_path, bad))
    msg = str(err.value)
    assert "rates.csv line 3, column year: '20x1' is not a year" in msg
    assert "rates.csv line 4, column cny_per_usd: 672.61" in msg and "divide by 100" in msg
    assert "line 5, column source: empty" in msg and "line 5, column source_url: empty" in msg
    assert "line 6, column year: 2020 is listed twice (also on line 2)" in msg
    assert "line 7, column source_url" in msg


def test_missing_column_and_missing_file(tmp_path):
    with pytest.raises(RatesError, match="missing column.*source_url"):
        load_rates(write(tmp_path, "year,cny_per_usd,source\n2020,6.8974,x\n"))
    with pytest.raises(RatesError, match="not found"):
        load_rates(tmp_path / "absent.csv")


def test_a_valid_copy_loads_only_its_years(tmp_path):
    rates = load_rates(write(tmp_path, HEADER + f"2019,6.8985,{SOURCE},seen\n"))
    assert set(rates) == {2019} and rates[2019].line == 2


# --------------------------------------------------------------------------- in the comparison
def row(kind, **kw):
    base = dict(
        kind=kind,
        doc_id="docA" if kind == "target" else "docB",
        indicator_id="gdp_per_capita",
        measure="level",
        period_end="2020",
        comparator="eq",
    )
    return {**base, **kw}


def one(rows):
    st = make_statements(rows)
    out = compare_targets(st, None, registry=REGISTRY, published={}, as_of=AS_OF)
    first = st.loc[st["kind"] == "target", "statement_id"].iloc[0]
    return out.set_index("statement_id").loc[first]


def test_yuan_target_against_dollar_outcome_is_judged_with_the_rate():
    # 人均GDP "达到7万元" (eq) against "10,500美元" (2020): 10,500 × 6.8974 = 72,422.7元
    got = one([row("target", unit="元", value=70000.0), row("outcome", unit="美元", value=10500.0)])
    assert got["status"] == "exceeded"
    assert got["outcome_value"] == pytest.approx(72422.7)
    assert got["signed_gap"] == pytest.approx(2422.7)
    assert "10,500美元 × 6.8974元/美元 = 72,422.7元 (2020 annual average" in got["candidates"]
    assert got["outcome_unit_written"] == "美元"


def test_dollar_target_against_yuan_outcome_divides_by_the_rate():
    # "1万美元以上" against 68,974元 (2020): 68,974 ÷ 6.8974 = 10,000美元 -> met exactly
    got = one(
        [
            row("target", unit="美元", comparator="ge", value=10000.0),
            row("outcome", unit="元", value=68974.0),
        ]
    )
    assert got["status"] == "met" and got["outcome_value"] == pytest.approx(10000.0)
    assert "68,974元 ÷ 6.8974元/美元 = 10,000美元" in got["candidates"]


def test_year_without_a_rate_is_not_comparable():
    got = one(
        [
            row("target", unit="元", value=80000.0, period_end="2021"),
            row("outcome", unit="美元", value=12000.0, period_end="2021"),
        ]
    )
    assert got["status"] == "not_comparable"
    assert "no 元/美元 rate for 2021 in data/reference/cny_usd_rates.csv" in got["explanation"]


def test_multi_year_outcome_uses_the_rate_of_its_end_year(tmp_path, monkeypatch):
    file = write(
        tmp_path,
        HEADER + f"2019,7.0,{SOURCE},\n" + f"2020,6.8974,{SOURCE},\n",
    )
    monkeypatch.setattr(paths, "CNY_USD_RATES_FILE", file)
    exports = dict(indicator_id="exports", measure="count", period_start="2019")
    got = one(
        [
            row("target", unit="亿元", comparator="ge", value=100.0, **exports),
            row("outcome", unit="亿美元", value=20.0, **exports),
        ]
    )
    # 2019-2020 total 20亿美元 at the 2020 rate: 137.948亿元 (the 2019 rate would give 140)
    assert got["outcome_value"] == pytest.approx(137.948)
    assert "(2020 annual average" in got["candidates"]


def test_a_year_without_a_rate_is_never_filled_from_a_neighbour(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "CNY_USD_RATES_FILE", write(tmp_path, HEADER))
    got = one([row("target", unit="元", value=60000.0), row("outcome", unit="美元", value=1e4)])
    assert got["status"] == "not_comparable" and "for 2020 in" in got["explanation"]


def test_two_currencies_for_the_same_year_are_listed():
    got = one(
        [
            row("target", unit="元", comparator="ge", value=60000.0),
            row("outcome", unit="美元", value=10000.0, doc_id="docB"),
            row("outcome", unit="元", value=70000.0, doc_id="docC"),
        ]
    )
    assert "(two currencies for 2020: " in got["candidates"]
    assert "t001 10,000美元 = 68,974元" in got["candidates"]
    assert "t002 70,000元 = 70,000元" in got["candidates"]
    assert got["status"] == "exceeded"
