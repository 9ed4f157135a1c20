"""Adding a document to a copy of a corpus, as a researcher would (file + manifest row).

The row is written under the manifest's own header (a column it does not have is left out, one
not given is empty), with the sha256 of the text, so the copy passes the corpus checks.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path


def add_document(corpus: Path, doc_id: str, text: str, **row: str) -> None:
    """Write ``text`` as ``<doc_id>.txt`` (UTF-8) and append its row to the manifest."""
    name = f"{doc_id}.txt"
    (corpus / name).write_text(text, encoding="utf-8")
    manifest = corpus / "manifest.csv"
    with open(manifest, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    fields = {"doc_id": doc_id, "file": name, "encoding": "utf-8",
              "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), **row}  # fmt: skip
    unknown = set(fields) - set(header)
    assert not unknown, f"the manifest has no column(s) {sorted(unknown)}"
    if not manifest.read_bytes().endswith(b"\n"):
        with open(manifest, "a", encoding="utf-8") as f:
            f.write("\n")
    with open(manifest, "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, header, lineterminator="\n").writerow(fields)
