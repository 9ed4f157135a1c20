"""Load a corpus: a folder of documents described by ``manifest.csv``.

Every manifest row is checked (id, file, type, date, encoding, hash) and every problem is
reported at once, with the manifest line and what to do. A document must be a file inside the
corpus folder (no absolute path, no '..' or symbolic link out of it), listed once, readable,
published by today, and plain text (no NUL or other control character but tab and line
breaks); a manifest column the format does not know is ignored with a warning. Each document keeps its exact decoded
text (the provenance of every extracted number) and offers the normalised view of
:mod:`qzanalysis.decoding` for parsing. Nothing here writes to the corpus folder.

A corpus may hold several cities (the ``city`` column); the optional ``city_code`` column gives a
city's 6-digit administrative division code (330800 for 衢州市). The code comes from the manifest
only, never from a table of known codes: a city whose rows leave it empty has the code "". A city
has one code on all its rows, and two cities never share one.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import paths, periods
from .decoding import DecodeError, NormalizedText, decode_bytes, find_control_char, normalize_text
from .schema import DOC_TYPES

__all__ = [
    "Corpus",
    "CorpusError",
    "DecodeError",
    "Document",
    "NormalizedText",
    "UnknownColumnWarning",
    "decode_bytes",
    "load_corpus",
    "normalize_text",
]

MANIFEST_NAME = "manifest.csv"
REQUIRED_COLUMNS = ("doc_id", "file", "title", "doc_type", "issuer", "published", "city")
OPTIONAL_COLUMNS = ("encoding", "source", "sha256", "notes", "city_code")
_DOC_ID_RE = re.compile(r"^[a-z0-9_-]+$")
#: GB/T 2260 administrative division code: 2 digits of province (11-82), 2 of prefecture, 2 of
#: county (a prefecture-level city ends in 00: 330800 衢州市; a county's own: 330802 柯城区).
#: Checked for its shape only (6 digits, the first 1-8), never against a list of real codes.
_CITY_CODE_RE = re.compile(r"^[1-8]\d{5}$")


class CorpusError(ValueError):
    """A corpus that cannot be loaded. ``problems`` lists every message (file, row, what to do)."""

    def __init__(self, problems: list[str], corpus_dir: Path | None = None):
        self.problems = list(problems)
        self.corpus_dir = corpus_dir
        where = f" in {corpus_dir}" if corpus_dir else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s){where}:\n{lines}")


# --------------------------------------------------------------------------------------------
# Documents and corpora
# --------------------------------------------------------------------------------------------

_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=年|—|-|～|~|至)")


@dataclass
class Document:
    """One source document: its manifest metadata and its exactly-decoded text."""

    doc_id: str
    file: Path
    title: str
    doc_type: str
    issuer: str
    published: str
    city: str
    text: str
    encoding: str
    sha256: str
    source: str = ""
    notes: str = ""
    #: 6-digit administrative division code of ``city``, "" when the manifest gives none
    city_code: str = ""

    @property
    def published_year(self) -> int:
        return int(self.published[:4])

    @property
    def published_month(self) -> int:
        return int(self.published[5:7])

    @cached_property
    def normalized(self) -> NormalizedText:
        return normalize_text(self.text)

    @cached_property
    def years_mentioned(self) -> list[int]:
        """Years (1990-2099) the document names, e.g. '2019年', '2021—2026'."""
        return sorted({int(y) for y in _YEAR_RE.findall(self.normalized.text)})

    @property
    def metadata(self) -> dict[str, str]:
        return {
            "doc_id": self.doc_id,
            "file": self.file.name,
            "title": self.title,
            "doc_type": self.doc_type,
            "issuer": self.issuer,
            "published": self.published,
            "city": self.city,
            "city_code": self.city_code,
            "encoding": self.encoding,
            "sha256": self.sha256,
            "source": self.source,
            "notes": self.notes,
        }


@dataclass
class Corpus:
    """The documents of one corpus folder, in manifest order."""

    path: Path
    documents: list[Document]

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    def __getitem__(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.doc_id == doc_id:
                return doc
        raise KeyError(f"no document {doc_id!r} in {self.path}; known: {self.doc_ids}")

    @property
    def doc_ids(self) -> list[str]:
        return [d.doc_id for d in self.documents]

    def published(self) -> dict[str, str]:
        """doc_id -> publication date ('YYYY-MM[-DD]'), what comparisons need to rank sources."""
        return {d.doc_id: d.published for d in self.documents}

    def cities(self) -> list[str]:
        """The cities the documents are about (the manifest's ``city``), sorted by name."""
        return sorted({d.city for d in self.documents})

    def city_codes(self) -> dict[str, str]:
        """city -> its administrative division code ("" when the manifest gives none), sorted by
        city (load_corpus has checked that a city has one code)."""
        return {d.city: d.city_code for d in sorted(self.documents, key=lambda d: d.city)}

    def for_city(self, city: str) -> Corpus:
        """The documents of one city, in manifest order (the corpus a one-city analysis reads)."""
        if city not in self.cities():
            raise KeyError(f"no city {city!r} in {self.path}; the corpus holds: {self.cities()}")
        return Corpus(path=self.path, documents=[d for d in self.documents if d.city == city])

    def published_by(self, as_of: str) -> Corpus:
        """The documents published on or before ``as_of`` ('YYYY-MM[-DD]'): the corpus as a
        researcher could have read it then (a document dated only to the month counts as
        published in that month)."""
        if not periods.is_date(as_of):
            raise ValueError(f"as_of={as_of!r}: write a date as YYYY-MM or YYYY-MM-DD")
        cy, cm, cd = periods.date_key(as_of)

        def known(published: str) -> bool:
            y, m, d = periods.date_key(published)
            # a month without a day covers the whole month, on either side
            return (y, m) < (cy, cm) or ((y, m) == (cy, cm) and (not cd or not d or d <= cd))

        return Corpus(path=self.path, documents=[d for d in self.documents if known(d.published)])

    def fingerprint(self) -> str:
        """One hash over this corpus's documents: each one's manifest row (every column) and the
        sha256 of its bytes, in manifest order. It changes when any of its evidence changes, and
        only then: one city's corpus (:meth:`for_city`) keeps its fingerprint when another
        city's row is added to the same manifest."""
        h = hashlib.sha256()
        for doc in self.documents:
            h.update(json.dumps(doc.metadata, sort_keys=True, ensure_ascii=False).encode())
        return h.hexdigest()

    def summary(self) -> pd.DataFrame:
        """A table of documents: id, type, date, size, encoding, years mentioned."""
        rows = [
            {
                "doc_id": d.doc_id,
                "doc_type": d.doc_type,
                "published": d.published,
                "chars": len(d.text),
                "bytes": d.file.stat().st_size,
                "encoding": d.encoding,
                "years_mentioned": _compact_years(d.years_mentioned),
                "title": d.title,
            }
            for d in self.documents
        ]
        return pd.DataFrame(rows).astype({"chars": "Int64", "bytes": "Int64"})

    def metadata_frame(self) -> pd.DataFrame:
        return pd.DataFrame([d.metadata for d in self.documents])


def _compact_years(years: list[int]) -> str:
    """[2019, 2020, 2021, 2025] -> '2019-2021, 2025'."""
    parts: list[str] = []
    run: list[int] = []
    for y in years:
        if run and y == run[-1] + 1:
            run.append(y)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [y]
    if run:
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ", ".join(parts)


#: Publication dates outside these years are typing errors, not documents.
PUBLISHED_YEARS = (1949, 2100)


def _valid_date(value: str) -> bool:
    """A real calendar date (YYYY-MM or YYYY-MM-DD) in PUBLISHED_YEARS."""
    return periods.is_date(value) and PUBLISHED_YEARS[0] <= int(value[:4]) <= PUBLISHED_YEARS[1]


class _RowProblem(Exception):
    """A manifest row whose document cannot be loaded; the message says what to do."""


def load_corpus(path: str | Path | None = None) -> Corpus:
    """Load and validate the corpus in ``path`` (default ``data/raw``).

    Raises:
        CorpusError: with every problem found, each naming the manifest line or file and what
            to do about it. Nothing is loaded partially.
    """
    corpus_dir = Path(path) if path is not None else paths.RAW_DIR
    manifest = corpus_dir / MANIFEST_NAME
    reader, header = _read_manifest_header(corpus_dir, manifest)
    _warn_unknown_columns(manifest, header)
    problems: list[str] = []
    documents: list[Document] = []
    seen: dict[str, int] = {}  # doc_id -> manifest line it first appears on
    files: dict[Path, int] = {}  # resolved document file -> manifest line it first appears on
    city_rows: list[tuple[int, str, str]] = []  # (manifest line, city, city_code) of every row
    for row_values in reader:
        line = reader.line_num
        if not any(v.strip() for v in row_values):
            continue
        if len(row_values) != len(header):
            problems.append(
                f"{manifest} line {line}: {len(row_values)} fields, expected {len(header)} "
                "(quote a field that contains a comma)"
            )
            continue
        row = {k: v.strip() for k, v in zip(header, row_values, strict=True)}
        where = f"{manifest.name} line {line}"
        problems.extend(_check_row(row, where, line, seen))
        city_rows.append((line, row["city"], row.get("city_code", "")))
        try:
            documents.append(_read_document(row, where, corpus_dir, _FileSeen(files, line)))
        except _RowProblem as exc:
            problems.append(str(exc))
    problems.extend(_check_city_codes(city_rows, manifest.name))
    if not documents and not problems:
        problems.append(f"{manifest}: no document rows; add one row per document")
    if problems:
        raise CorpusError(problems, corpus_dir)
    return Corpus(path=corpus_dir, documents=documents)


def _read_manifest_header(
    corpus_dir: Path, manifest: Path
) -> tuple[Iterator[list[str]], list[str]]:
    """The manifest's CSV reader (after the header) and its header; raises CorpusError when the
    folder, the manifest or a required column is missing, or the manifest is not UTF-8."""
    if not corpus_dir.is_dir():
        raise CorpusError([f"{corpus_dir} is not a folder; pass --corpus DIR with a manifest.csv"])
    if not manifest.is_file():
        raise CorpusError(
            [
                f"{manifest} is missing: a corpus folder needs a manifest.csv with columns "
                f"{', '.join(REQUIRED_COLUMNS)} (see README, 'Adding a document')"
            ],
            corpus_dir,
        )
    try:
        raw = manifest.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            [f"{manifest}: not UTF-8 (byte {exc.start}); save it as UTF-8 CSV"], corpus_dir
        ) from None
    reader = csv.reader(raw.splitlines())
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CorpusError([f"{manifest}: empty file; it needs a header row"], corpus_dir) from None
    missing_cols = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing_cols:
        raise CorpusError(
            [
                f"{manifest} line 1: missing column(s) {', '.join(missing_cols)}; "
                f"required: {', '.join(REQUIRED_COLUMNS)}"
            ],
            corpus_dir,
        )
    return reader, header


class UnknownColumnWarning(UserWarning):
    """A manifest column the format does not know: it is ignored."""


def _warn_unknown_columns(manifest: Path, header: list[str]) -> None:
    """Warn about header columns the manifest format does not know; they are ignored (a
    researcher's own column, e.g. 'reviewer', must not block the corpus)."""
    unknown_cols = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown_cols:
        warnings.warn(
            f"{manifest} line 1: unknown column(s) {', '.join(unknown_cols)} ignored; "
            f"known columns: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)} (check the "
            "spelling if one of them was meant)",
            UnknownColumnWarning,
            stacklevel=3,
        )


def _check_row(row: dict[str, str], where: str, line: int, seen: dict[str, int]) -> list[str]:
    """The problems of one manifest row's metadata (its file is checked when it is read)."""
    problems: list[str] = []
    doc_id = row["doc_id"]
    if not doc_id:
        problems.append(f"{where}: doc_id is empty; give each document a unique slug")
    elif not _DOC_ID_RE.match(doc_id):
        problems.append(f"{where}: doc_id {doc_id!r} must use only a-z, 0-9, '_' and '-'")
    elif doc_id in seen:
        problems.append(f"{where}: doc_id {doc_id!r} is duplicated (first on line {seen[doc_id]})")
    else:
        seen[doc_id] = line
    for col in ("title", "issuer", "city"):
        if not row[col]:
            problems.append(f"{where}: {col} is empty")
    if row["doc_type"] not in DOC_TYPES:
        problems.append(
            f"{where}: doc_type {row['doc_type']!r} is unknown; use one of {', '.join(DOC_TYPES)}"
        )
    code = row.get("city_code", "")
    if code and not _CITY_CODE_RE.match(code):
        problems.append(
            f"{where}: city_code {code!r} is not a 6-digit administrative division code (e.g. "
            "330800 for 衢州市); write the code of the city the document is about, or leave it "
            "empty"
        )
    if not _valid_date(row["published"]):
        problems.append(
            f"{where}: published {row['published']!r} is not a date; write YYYY-MM-DD or YYYY-MM"
        )
    elif _in_future(row["published"]):
        problems.append(
            f"{where}: published {row['published']!r} is after today "
            f"({datetime.date.today().isoformat()}); a document cannot be published in the "
            "future (it would move every as-of date to it): correct the date"
        )
    return problems


def _check_city_codes(rows: list[tuple[int, str, str]], name: str) -> list[str]:
    """One code per city and one city per code: the code is a key of every table, so a city
    given two codes (or a code on some rows only) would split it, and two cities under one code
    would merge them."""
    problems: list[str] = []
    first: dict[str, tuple[int, str]] = {}  # city -> (line, code) of its first row
    owner: dict[str, tuple[int, str]] = {}  # code -> (line, city) of its first row
    for line, city, code in rows:
        if not city or (code and not _CITY_CODE_RE.match(code)):
            continue  # already reported by _check_row
        where = f"{name} line {line}: city_code"
        seen_line, seen_code = first.setdefault(city, (line, code))
        if seen_code != code:
            problems.append(
                f"{where} {code!r} for {city}, but line {seen_line} gives {seen_code!r}; a city "
                "has one code: give the same city_code on every row of the city (or none)"
            )
        if code:
            other_line, other = owner.setdefault(code, (line, city))
            if other != city:
                problems.append(
                    f"{where} {code!r} for {city} is already the code of {other} (line "
                    f"{other_line}); two cities cannot share a code: correct one of them"
                )
    return problems


def _in_future(published: str) -> bool:
    """True when a valid 'YYYY-MM[-DD]' date is after today (a month: after this month)."""
    today = datetime.date.today()
    y, m, d = periods.date_key(published)
    if (y, m) != (today.year, today.month):
        return (y, m) > (today.year, today.month)
    return bool(d) and d > today.day


@dataclass
class _FileSeen:
    """The document files already named by the manifest, and the line being read."""

    files: dict[Path, int]
    line: int

    def check(self, file: Path, where: str, name: str) -> None:
        first = self.files.setdefault(file, self.line)
        if first != self.line:
            raise _RowProblem(
                f"{where}: file {name!r} is already listed on line {first}; each document "
                f"needs one row: remove line {self.line} or line {first}"
            )


def _read_document(
    row: dict[str, str], where: str, corpus_dir: Path, seen: _FileSeen | None = None
) -> Document:
    """Read, verify (sha256) and decode the document of one manifest row.

    Raises:
        _RowProblem: when the file is missing, outside the corpus folder, listed twice,
            unreadable, changed since it was recorded, undecodable, not text or empty.
    """
    file = _document_path(row["file"], where, corpus_dir)
    if seen is not None:
        seen.check(file, where, row["file"])
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _RowProblem(
            f"{where}: {row['file']} cannot be read ({exc.strerror or exc}); check that the "
            "file is readable by you (permissions) and not locked by another program"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    expected = row.get("sha256", "").lower()
    if expected and expected != digest:
        raise _RowProblem(
            f"{where}: {row['file']} has sha256 {digest[:12]}…, manifest says {expected[:12]}…; "
            "the file changed since it was recorded: restore it, or if the new version is "
            "intended, update the sha256 column"
        )
    try:
        text, used = decode_bytes(data, row.get("encoding") or None)
    except DecodeError as exc:
        raise _RowProblem(f"{where}: {row['file']} {exc}") from None
    _check_text(text, used, where, row["file"])
    return Document(
        doc_id=row["doc_id"],
        file=file,
        title=row["title"],
        doc_type=row["doc_type"],
        issuer=row["issuer"],
        published=row["published"],
        city=row["city"],
        text=text,
        encoding=used,
        sha256=digest,
        source=row.get("source", ""),
        notes=row.get("notes", ""),
        city_code=row.get("city_code", ""),
    )


def _document_path(name: str, where: str, corpus_dir: Path) -> Path:
    """The resolved path of a manifest ``file`` cell, refused unless it is a file inside the
    corpus folder (no absolute path, no '..' or symbolic link leading out of it)."""
    if not name:
        raise _RowProblem(
            f"{where}: file is empty; give the document's path relative to the manifest"
        )
    if Path(name).is_absolute() or Path(name).drive:
        raise _RowProblem(
            f"{where}: file {name!r} is an absolute path; copy the document into {corpus_dir} "
            "and give its path relative to the manifest"
        )
    file = (corpus_dir / name).resolve()
    if not file.is_relative_to(corpus_dir.resolve()):
        raise _RowProblem(
            f"{where}: file {name!r} resolves to {file}, outside the corpus folder {corpus_dir} "
            "('..' or a symbolic link); copy the document into the corpus folder and give its "
            "path relative to the manifest"
        )
    if not file.is_file():
        raise _RowProblem(f"{where}: file {name!r} not found in {corpus_dir}")
    return file


def _check_text(text: str, encoding: str, where: str, name: str) -> None:
    """Refuse decoded text that is empty or holds control characters (NUL...)."""
    if not text.strip():
        raise _RowProblem(f"{where}: {name} is empty; remove the row or add the text")
    at = find_control_char(text)
    if at is not None:
        line = text.count("\n", 0, at) + 1
        raise _RowProblem(
            f"{where}: {name} holds the control character {text[at]!r} at byte "
            f"{_byte_offset(text, at, encoding)} (character {at}, line {line}); a document "
            "must be plain text: clean the file (remove the character, or convert a binary or "
            "UTF-16 file to UTF-8 text), then update its sha256"
        )


def _byte_offset(text: str, index: int, encoding: str) -> int:
    """The offset in the file's bytes of character ``index`` of its decoded ``text``."""
    prefix = text[:index]
    if encoding == "utf-8-sig":
        return 3 + len(prefix.encode("utf-8"))
    return len(prefix.encode(encoding))  # utf-16 re-encodes its 2-byte byte-order mark
