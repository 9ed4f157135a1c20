"""The exported tables are a publishable dataset (issue 13 §7): a Frictionless descriptor
generated from the codebook, and Stata value labels for the coded columns."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from qzanalysis import schema
from qzanalysis.pipeline import analyse
from qzanalysis.tables import VALUE_LABELLED, write_tables


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("tables")
    frames = analyse().tables()
    write_tables(frames, out, stata=True)
    return out, frames


def test_every_csv_column_is_typed_and_described_in_the_datapackage(written):
    out, frames = written
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package" and package["licenses"]
    resources = {r["path"]: r for r in package["resources"]}
    assert set(resources) == {f"{n}.csv" for n in frames} | {"codebook.csv"}
    for path, resource in resources.items():
        with open(out / path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header, path
        assert all(f["type"] in ("string", "number", "integer", "boolean", "date") for f in fields)
        if path != "codebook.csv":
            assert all(f.get("description") for f in fields), path
    statuses = next(
        f for f in resources["comparisons.csv"]["schema"]["fields"] if f["name"] == "status"
    )
    assert statuses["constraints"]["enum"] == [*schema.STATUSES, ""]
    # every coded value written is allowed by its enum
    comparisons = pd.read_csv(out / "comparisons.csv", encoding="utf-8-sig", dtype=str)
    assert set(comparisons["status"].dropna()) <= set(statuses["constraints"]["enum"])
    value = next(
        f for f in resources["comparisons.csv"]["schema"]["fields"] if f["name"] == "value"
    )
    assert value["type"] == "number"


def test_stata_files_carry_value_labels_for_coded_columns(written):
    out, frames = written
    with pd.io.stata.StataReader(out / "comparisons.dta") as reader:
        labels = reader.value_labels()
        data = reader.read(convert_categoricals=True)
    assert "status" in labels and set(labels["status"].values()) == set(schema.STATUSES)
    # read back as labelled categories: the same verdicts as the CSV, e.g. 1 missed, 1 met
    counts = data["status"].value_counts()
    assert counts["missed"] == 1 and counts["met"] == 1
    assert {"status", "kind", "measure", "comparator"} <= set(VALUE_LABELLED)
    with pd.io.stata.StataReader(out / "statements.dta") as reader:
        assert {"kind", "measure", "comparator"} <= set(reader.value_labels())
