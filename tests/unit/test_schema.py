"""The contracts: one schema for every table, one period grammar, one unit module."""

from __future__ import annotations

import pandas as pd
import pytest

from qzanalysis import periods, schema, units


def test_every_column_of_every_table_has_a_meaning():
    missing = {t: [c for c in cols if c not in schema.FIELDS] for t, cols in schema.TABLES.items()}
    assert {t: c for t, c in missing.items() if c} == {}


def test_coded_columns_carry_their_vocabulary():
    assert schema.FIELDS["status"].allowed == schema.STATUSES
    assert schema.FIELDS["kind"].allowed == ("target", "outcome", "expected")
    # the first five statuses are the judgements, the rest say why there is none
    assert set(schema.JUDGED) | set(schema.NOT_JUDGED) == set(schema.STATUSES)
    assert set(schema.STATUS_ZH) == set(schema.STATUSES)


def test_empty_and_coerce_give_the_contract_dtypes():
    empty = schema.empty("comparisons")
    assert list(empty.columns) == schema.columns("comparisons")
    assert str(empty["year"].dtype) == "Int64" and str(empty["just_met"].dtype) == "boolean"
    raw = pd.DataFrame({"statement_id": ["a"], "value": ["7"], "char_start": ["3"], "extra": [1]})
    out = schema.coerce("statements", raw)
    assert out.columns[-1] == "extra" and out["value"].iloc[0] == 7.0
    assert str(out["char_start"].dtype) == "Int64" and pd.isna(out["value_high"].iloc[0])


def test_unknown_table_names_the_known_ones():
    with pytest.raises(KeyError, match="comparisons"):
        schema.columns("comparison")


@pytest.mark.parametrize("text", ["2020", "2020-01", "2020-12"])
def test_periods_accepted(text):
    assert periods.is_period(text)


@pytest.mark.parametrize("text", ["2020-13", "2020-00", "2020-1", "20", "", None, "2020-01-05"])
def test_periods_refused_everywhere(text):
    # One grammar: a month outside 01-12 was accepted by review and compare before, refused by
    # reference; now every module refuses it.
    assert not periods.is_period(text)


def test_period_keys_and_spans():
    assert periods.period_key("2023", end=True) == (2023, 12)
    assert periods.period_key("2023", end=False) == (2023, 1)
    assert periods.period_key("2023-09", end=True) == (2023, 9)
    assert periods.bounds("", "2026") == ("2026", "2026")
    assert periods.bounds("2021", None) == ("2021", "2021")
    assert periods.bounds("", "x") is None
    assert periods.format_span("2021", "2025") == "2021..2025"
    assert periods.next_month((2025, 12)) == "2026-01"
    with pytest.raises(periods.PeriodError, match="YYYY-MM"):
        periods.period_key("2020-13", end=True)


def test_dates():
    assert periods.is_date("2022-04") and periods.is_date("2026-01-21")
    assert not periods.is_date("2022-02-30") and not periods.is_date("2022")
    # a plan proposal published in December speaks for the next year
    assert (
        periods.year_spoken_for("2025-12") == 2026 and periods.year_spoken_for("2026-01-21") == 2026
    )


def test_unit_conversion_is_exact_within_a_dimension():
    assert units.convert_value(2161000, "万元", "亿元") == 216.1
    assert units.convert_value(1, "元", "美元") is None  # currencies never convert silently
    assert units.published_decimals(6.50) == 1 and units.round_half_up(2.25, 1) == 2.3
    assert units.same_at_precision(2125.2, 2125) and not units.same_at_precision(2125.6, 2125)
