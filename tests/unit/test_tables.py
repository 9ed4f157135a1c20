"""Exports: Excel-safe CSV, Parquet, Stata .dta, codebook completeness, atomic writes."""

from __future__ import annotations

import pandas as pd
import pytest

from qzanalysis import schema
from qzanalysis.pipeline import analyse
from qzanalysis.stats import shortfall_tests
from qzanalysis.tables import (
    codebook,
    for_stata,
    stata_name,
    undescribed_columns,
    write_tables,
)


@pytest.fixture(scope="module")
def frames():
    result = analyse()
    return result.tables()


def test_every_exported_column_has_a_description(frames):
    assert undescribed_columns(frames) == {}, (
        "add these columns to qzanalysis.schema.FIELDS (meaning, unit)"
    )


def test_undescribed_column_is_detected():
    assert undescribed_columns({"t": pd.DataFrame({"status": [], "mystery": []})}) == {
        "t": ["mystery"]
    }


def test_write_tables_csv_parquet_stata_and_dictionary(frames, tmp_path):
    written = write_tables(frames, tmp_path, parquet=True, stata=True)
    names = {p.name for p in written}
    for table in frames:
        assert {f"{table}.csv", f"{table}.parquet", f"{table}.dta"} <= names
    assert {"codebook.csv", "README.md"} <= names
    assert not list(tmp_path.glob("*.tmp")) and not list(
        tmp_path.glob(".*")
    )  # atomic: no leftovers

    raw = (tmp_path / "comparisons.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 Chinese correctly
    back = pd.read_csv(tmp_path / "comparisons.csv", encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == list(frames["comparisons"].columns)  # no index column
    assert "Unnamed: 0" not in back.columns

    pq = pd.read_parquet(tmp_path / "comparisons.parquet")
    assert len(pq) == len(frames["comparisons"])

    dta = pd.read_stata(tmp_path / "comparisons.dta")
    assert len(dta) == len(frames["comparisons"])
    assert all(len(c) <= 32 and c.isascii() for c in dta.columns)
    labels = dta.columns.tolist()
    assert "indicator_label" in labels
    assert dta["indicator_label"].str.contains("地区生产总值").any()  # Chinese survives (v118)

    book = pd.read_csv(tmp_path / "codebook.csv", encoding="utf-8-sig")
    assert len(book) == sum(f.shape[1] for f in frames.values())
    assert not book["meaning"].str.startswith("UNDESCRIBED").any()
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "## comparisons" in readme and "| signed_gap |" in readme


def test_stata_conversion_handles_nullable_types_and_long_text():
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None], dtype="Int64"),
            "flag": pd.array([True, None], dtype="boolean"),
            "text": pd.array(["衢" * 1000, None], dtype="string"),
            "a long column name that is far beyond thirty-two chars": [1.0, 2.0],
        }
    )
    data, labels, _ = for_stata(frame)
    assert data["n"].dtype == "float64" and pd.isna(data["n"].iloc[1])
    assert data["flag"].tolist()[0] == 1.0
    assert len(data["text"].iloc[0].encode("utf-8")) <= 2045 and data["text"].iloc[1] == ""
    long = [c for c in data.columns if c.startswith("a_long")][0]
    assert len(long) == 32 and labels[long].startswith("a long column name")
    assert stata_name("2020 value", set()) == "v2020_value"


def test_write_replaces_existing_files_atomically(tmp_path):
    frame = {"statuses": pd.DataFrame({"status": ["met"]})}
    write_tables(frame, tmp_path)
    write_tables({"statuses": pd.DataFrame({"status": ["missed", "met"]})}, tmp_path)
    assert pd.read_csv(tmp_path / "statuses.csv", encoding="utf-8-sig")["status"].tolist() == [
        "missed",
        "met",
    ]


def test_codebook_types_come_from_the_frames():
    book = codebook({"t": pd.DataFrame({"year": pd.array([2020], dtype="Int64")})})
    assert (
        book.iloc[0]["type"] == "Int64" and book.iloc[0]["meaning"] == schema.FIELDS["year"].meaning
    )


def test_codebook_lists_the_allowed_values_of_coded_columns():
    book = codebook({"t": pd.DataFrame({"status": pd.array(["met"], dtype="string")})})
    assert book.iloc[0]["allowed"].split(" | ") == list(schema.STATUSES)


def test_shortfall_columns_are_described():
    out = shortfall_tests(
        pd.DataFrame(
            {
                "status": pd.array([], dtype="string"),
                "signed_gap_published": pd.array([], dtype="Float64"),
            }
        )
    )
    assert undescribed_columns({"shortfall": out}) == {}


def test_cli_compare_writes_tables_and_prints_status_counts(tmp_path, capsys):
    from qzanalysis.cli import main

    assert main(["compare", "--out", str(tmp_path), "--tolerance-pp", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "tolerance 0.5 pp" in out and "missed" in out and "not_yet_due" in out
    for name in ("comparisons", "tracking", "consistency", "coverage", "statements", "attainment"):
        assert (tmp_path / f"{name}.csv").is_file()
    assert (tmp_path / "codebook.csv").is_file() and (tmp_path / "README.md").is_file()
