"""A Frictionless Data Package descriptor (``datapackage.json``) for the exported tables.

Generated from the same schema as the codebook (:data:`qzanalysis.schema.FIELDS`): every column
of every CSV gets a Table Schema type, its meaning and unit as description, and its allowed
values as an ``enum`` constraint, so `frictionless validate datapackage.json` (or R's
``frictionless``, Stata users reading the codebook) see one contract. The CSV dialect is the
one :func:`qzanalysis.tables.write_csv` writes: UTF-8 with a BOM, CRLF rows, and text cells a
spreadsheet would run as a formula prefixed with ``'`` (said in each resource's description).

See https://specs.frictionlessdata.io/data-package/ and /table-schema/.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from . import __version__, schema

PROFILE = "tabular-data-package"
#: The licence of the code and of the derived tables (see LICENSE); the documents keep theirs.
LICENSES = [{"name": "MIT", "path": "https://opensource.org/license/mit", "title": "MIT License"}]


def field_type(dtype: object) -> str:
    """The Table Schema type of a pandas dtype."""
    text = str(dtype).lower()
    if "bool" in text:
        return "boolean"
    if "int" in text:
        return "integer"
    if "float" in text:
        return "number"
    if "datetime" in text:
        return "date"
    return "string"


def _field(column: str, dtype: object) -> dict:
    described = schema.describe(column)
    out: dict = {"name": column, "type": field_type(dtype)}
    if described is not None:
        unit = f" (unit: {described.unit})" if described.unit else ""
        out["description"] = described.meaning + unit
        if described.allowed and out["type"] == "string":
            # a coded column may also be blank (missing): the CSV writes missing as ""
            out["constraints"] = {"enum": [*described.allowed, ""]}
    return out


def descriptor(frames: Mapping[str, pd.DataFrame], *, title: str, created: str) -> dict:
    """The datapackage.json of ``frames`` (table name -> DataFrame written as ``<name>.csv``)."""
    resources = [
        {
            "name": name.replace("_", "-"),
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "description": (
                f"{len(frame)} rows. Text cells starting with = + - @, a tab or CR are written "
                "with a leading ' (spreadsheet formula safety); Parquet and Stata files keep "
                "the raw text."
            ),
            "schema": {
                "fields": [_field(str(c), frame[c].dtype) for c in frame.columns],
                "missingValues": [""],
            },
        }
        for name, frame in frames.items()
    ]
    return {
        "profile": PROFILE,
        "name": "qzanalysis-tables",
        "title": title,
        "version": __version__,
        "created": created,
        "licenses": LICENSES,
        "sources": [
            {
                "title": "the corpus documents named in the statements' doc_id (their titles, "
                "dates and sha256 are in the corpus manifest) and the reference figures' "
                "source_url"
            }
        ],
        "resources": resources,
    }


def datapackage_json(frames: Mapping[str, pd.DataFrame], *, title: str, created: str) -> str:
    return json.dumps(
        descriptor(frames, title=title, created=created), ensure_ascii=False, indent=1
    )
