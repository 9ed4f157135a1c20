"""Reference figures: loading, validation messages, unknown indicators, conflicts."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from qzanalysis import paths
from qzanalysis.reference import (
    ReferenceDataError,
    UnknownIndicatorWarning,
    load_reference,
    reference_conflicts,
)

HEADER = (
    "kind,indicator_zh,indicator_en,measure,period_start,period_end,value,value_high,unit,"
    "comparator,confidence,source_kind,source_url,note\n"
)


def write(tmp_path: Path, *rows: str) -> Path:
    file = tmp_path / "ref.csv"
    file.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return file


@pytest.mark.filterwarnings("ignore::qzanalysis.reference.UnknownIndicatorWarning")
def test_shipped_reference_loads_in_statements_shape():
    ref = load_reference()
    raw = pd.read_csv(paths.REFERENCE_FILE, dtype=str, keep_default_na=False)
    assert len(ref) == len(raw)
    assert ref["statement_id"].iloc[0] == "ref-001" and ref["statement_id"].is_unique
    assert (ref["doc_id"] == "").all() and (ref["source"] == "reference").all()
    mapped = dict(zip(ref["indicator_text"], ref["indicator_id"], strict=True))
    assert (mapped["全市生产总值"], mapped["城市化率"], mapped["市区PM2.5平均浓度"]) == (
        "gdp",
        "urbanization_rate",
        "pm25",
    )
    assert ref["indicator_id"].notna().mean() > 0.9  # unknown phrases are kept, unmapped
    assert str(ref["value_high"].dtype) == "Float64" and str(ref["char_start"].dtype) == "Int64"
    gdp_2020 = ref[
        (ref["indicator_id"] == "gdp")
        & (ref["measure"] == "growth")
        & (ref["period_end"] == "2020")
        & (ref["kind"] == "outcome")
    ].iloc[0]
    assert gdp_2020["value"] == 3.5 and gdp_2020["confidence"] == "medium"
    assert gdp_2020["source_url"].startswith("https://regional.chinadaily.com.cn")
    assert gdp_2020["file_line"] == 9  # header is line 1
    assert ref.loc[ref["indicator_text"] == "城乡居民收入倍差", "unit"].eq("").all()


@pytest.mark.filterwarnings("ignore::qzanalysis.reference.UnknownIndicatorWarning")
def test_shipped_reference_has_no_conflicts():
    assert reference_conflicts(load_reference()).empty


def test_malformed_rows_listed_with_line_column_and_fix(tmp_path):
    file = write(
        tmp_path,
        "outcome,地区生产总值,GDP,level,2020,2020,1639,,亿元,eq,medium,news,http://a,",
        "outcome,地区生产总值,GDP,levels,2020,2020,16x9,,亿元,eq,certain,news,,",
        "target,地区生产总值,GDP,growth,2021,20,5,,%,range,medium,news,http://b,",
    )
    with pytest.raises(ReferenceDataError) as err:
        load_reference(file)
    msg = str(err.value)
    assert "ref.csv line 3, column measure: 'levels' is not allowed" in msg
    assert "line 3, column value: '16x9' is not a number" in msg
    assert "line 3, column confidence" in msg and "line 3, column source_url: empty" in msg
    assert "line 4, column period_end: '20' is not a period; write YYYY or YYYY-MM" in msg
    assert "line 4, column value_high: comparator is range but value_high is empty" in msg
    assert "line 2" not in msg


def test_missing_column_is_named(tmp_path):
    file = tmp_path / "ref.csv"
    file.write_text("kind,indicator_zh,value\noutcome,GDP,1\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="missing column.*measure"):
        load_reference(file)


def test_unknown_indicator_is_kept_and_warned(tmp_path):
    file = write(
        tmp_path,
        "outcome,全员劳动生产率,Labour productivity,level,2020,2020,18,,万元/人,eq,medium,news,http://a,",
        "outcome,地区生产总值,GDP,level,2020,2020,1639,,亿元,eq,medium,news,http://a,",
    )
    with pytest.warns(UnknownIndicatorWarning, match="全员劳动生产率"):
        ref = load_reference(file)
    assert len(ref) == 2 and pd.isna(ref["indicator_id"].iloc[0])
    assert ref["indicator_id"].iloc[1] == "gdp"


def test_override_row_is_kept_and_reported_as_conflict(tmp_path):
    """A researcher adds a better-sourced figure for the same indicator-period: both stay."""
    file = tmp_path / "ref.csv"
    shutil.copy(paths.REFERENCE_FILE, file)
    with file.open("a", encoding="utf-8") as fh:
        fh.write(
            "outcome,地区生产总值,GDP real growth (bulletin),growth,2020,2020,3.6,,%,eq,high,"
            "bulletin,http://tjj.qz.gov.cn/bulletin2020,hypothetical override for the test,衢州市\n"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownIndicatorWarning)
        ref = load_reference(file)
    conflicts = reference_conflicts(ref)
    assert len(conflicts) == 1
    row = conflicts.iloc[0]
    assert (row["statement_id_a"], row["value_a"], row["value_b"]) == ("ref-008", 3.5, 3.6)
    assert (row["confidence_a"], row["confidence_b"]) == ("medium", "high")
    assert row["file_line_b"] == len(ref) + 1
    # ... and the comparison uses the higher-confidence figure, listing both as candidates
    from qzanalysis.compare import compare_targets
    from qzanalysis.indicators import load_registry
    from statement_rows import make_statements

    st = make_statements(
        [
            dict(
                kind="target",
                doc_id="wr2020",
                indicator_id="gdp",
                measure="growth",
                period_end="2020",
                value=7.0,
                unit="%",
                comparator="approx",
            )
        ]
    )
    row = compare_targets(st, ref, as_of="2026-01", published={}, registry=load_registry()).iloc[0]
    assert row["outcome_value"] == 3.6 and row["outcome_confidence"] == "high"
    assert "ref-008" in row["candidates"]


def test_value_order_period_order_and_direction_are_checked(tmp_path):
    file = tmp_path / "ref.csv"
    file.write_text(
        HEADER.rstrip("\n") + ",direction\n"
        "target,地区生产总值,GDP,growth,2021,2021,6,5,%,range,medium,news,http://a,,increase\n"
        "target,地区生产总值,GDP,growth,2025,2021,6,,%,ge,medium,news,http://a,,up\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceDataError) as err:
        load_reference(file)
    msg = str(err.value)
    assert "2 problem(s)" not in msg and "3 problem(s)" in msg
    assert "ref.csv line 2, column value_high: 5.0 is below value 6; swap them" in msg
    assert "ref.csv line 3, column period_end: 2021 is before period_start 2025" in msg
    assert "ref.csv line 3, column direction: 'up'; use increase, decrease or leave empty" in msg
