"""Record review decisions in a review file: :class:`ReviewStore`, the one writer of that file.

The review file (``data/curated/review.csv`` by default) is the one file under ``data/`` the
package writes, and only when the researcher asks: a ``qzanalysis review confirm | reject |
correct | add`` or ``rekey --apply`` command, or the Save button of the JupyterLab review widget.
Both go through this class; nothing else writes a review file.

A store reads the file once and keeps its text as records (a ``#`` comment, a blank line, the
header, one decision row). :meth:`ReviewStore.decide` validates a decision and replaces the row
of a statement that already has one in place (same line), or appends a new row; every line it
does not touch stays byte-for-byte as it was (line endings and a UTF-8 BOM included), so
:meth:`ReviewStore.text` of an untouched store is the file. :meth:`ReviewStore.save` parses the
new text with the decisions parser (:func:`~qzanalysis.review.decisions.load_review` rules),
checks that no decision is lost and that nobody changed the file meanwhile, and only then
replaces the file atomically (a temporary file in the same folder, renamed over it).

Example::

    store = ReviewStore()                                  # data/curated/review.csv
    store.decide("confirm", "wr2020:279d56062c4e", doc_id="wr2020", char_start=338, char_end=342)
    store.decide("correct", sid, fields={"unit": "亿元", "value": 3.5}, note="unit in the table")
    store.save()
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import paths
from ..schema import REVIEW_ACTIONS
from ..tables import atomic_write
from .decisions import BLANK, FIELDS, REVIEW_COLUMNS, ReviewError, _added_id, _parse_review

__all__ = ["ReviewStore"]

_BOM = b"\xef\xbb\xbf"
#: Characters :meth:`str.splitlines` breaks a line at (the parser reads the file line by line).
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SPAN = ("doc_id", "char_start", "char_end")
_PROBE = "<decision>"  # the name a single decision is validated under (stripped from messages)


@dataclass
class _Record:
    """One piece of the file: a comment or blank line (``cells`` None), the header, or a row."""

    text: str  # exactly as in the file, line ending(s) included
    cells: list[str] | None = None


class ReviewStore:
    """A review file, read once, changed by :meth:`decide` and written by :meth:`save`.

    Args:
        path: the review file (default :data:`qzanalysis.paths.REVIEW_FILE`, read at call
            time). A missing file reads as the header alone; :meth:`save` creates it.

    Raises:
        ReviewError: the file is not UTF-8 or not a valid review file (``file:line``).
    """

    def __init__(self, path: Path | None = None):
        self.path: Path = Path(path) if path is not None else paths.REVIEW_FILE
        self._load()

    # ------------------------------------------------------------------------ reading

    def _load(self) -> None:
        try:
            data: bytes | None = self.path.read_bytes()
        except FileNotFoundError:
            data = None
        self._disk = data  # the bytes read (None: no file), to notice changes made meanwhile
        self._bom = bool(data and data.startswith(_BOM))
        if data is None:
            self._records = [_Record(",".join(REVIEW_COLUMNS) + "\n", list(REVIEW_COLUMNS))]
        else:
            try:
                text = data[len(_BOM) if self._bom else 0 :].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReviewError(
                    f"{self.path}: not UTF-8 (byte {exc.start}); save it as UTF-8 CSV"
                ) from None
            self._records = _split_records(text)
        self._modified = False
        self._parsed: pd.DataFrame | None = None
        self._by_id: dict[str, dict] | None = None
        loaded = self.decisions  # validates the file now, naming file:line
        self._loaded_ids = [_effective_id(r) for r in _frame_records(loaded)]
        self._appended = 0
        self._moved: dict[str, str] = {}  # old statement_id -> new (rekey)

    @property
    def decisions(self) -> pd.DataFrame:
        """The decisions of the current text, as :func:`load_review` reads them (one row each,
        with its ``line``); decisions recorded since reading are included."""
        if self._parsed is None:
            self._parsed = _parse_review(self.text(), str(self.path))
        return self._parsed.copy()  # the caller's to change; the store keeps its own

    def get(self, statement_id: str) -> dict | None:
        """The decision about ``statement_id`` (the review columns and ``line``), or None.

        An ``add`` written without a statement_id is found under the id made from its span."""
        if self._by_id is None:
            self._by_id = {_effective_id(r): r for r in _frame_records(self.decisions)}
        found = self._by_id.get(statement_id)
        return dict(found) if found is not None else None

    def text(self) -> str:
        """The file's text with the decisions recorded so far (without a BOM; :meth:`save`
        keeps one if the file had it)."""
        return "".join(r.text for r in self._records)

    @property
    def changed(self) -> bool:
        """True when :meth:`save` would write (a decision changed the text since reading)."""
        return self._modified

    # ------------------------------------------------------------------------ deciding

    def decide(
        self,
        action: str,
        statement_id: str | None = None,
        *,
        doc_id: str | None = None,
        char_start: int | None = None,
        char_end: int | None = None,
        fields: Mapping[str, object] | None = None,
        note: str = "",
    ) -> dict:
        """Record one decision (in memory: :meth:`save` writes it); return the row written.

        Args:
            action: confirm, reject, correct or add.
            statement_id: the statement decided about. For ``add`` it may be omitted: the
                statement gets the id :func:`~qzanalysis.review.apply_review` makes from its
                span.
            doc_id, char_start, char_end: the statement's span (code-point offsets into the
                document's text). Required for ``add``; for the other actions recorded when
                given (they let a decision be re-attached after a rule change), and kept from
                the statement's previous decision when not.
            fields: for ``correct`` and ``add``, the field values (the columns of
                :data:`~qzanalysis.review.FIELDS`); ``<blank>`` (:data:`BLANK`) clears a field
                in a correction; None or NaN means not set.
            note: free text, kept in the ``note`` column.

        A statement that already has a decision gets its row replaced in place (the new
        decision replaces the old one whole, note included); another one is appended.

        Returns:
            The row written: every review column as text, and ``line`` (its line in the file).

        Raises:
            ReviewError: an unknown action or field, a bad value, a correction that changes
                nothing, a line break in a cell, or a decision the file's rules refuse.
        """
        row = self._new_row(action, statement_id, doc_id, char_start, char_end, fields, note)
        record = self._record_of(row["statement_id"])
        if record is not None:
            before = self._as_row(record)
            if before["action"].lower() == "add" and row["action"] != "add":
                raise ReviewError(
                    f"{self.path}: {row['statement_id']} is a statement added on line "
                    f"{self._line_of(record)}; to change it write add again (same span and "
                    "statement_id) with the new fields, or delete that line by hand"
                )
            if row["action"] != "add" and not row["doc_id"]:
                row.update({c: before[c] for c in _SPAN})  # the span belongs to the statement
        self._check(row)
        return self._put(row, record)

    def rekey(
        self,
        old_statement_id: str,
        new_statement_id: str,
        *,
        action: str | None = None,
        fields: Mapping[str, object] | None = None,
        doc_id: str | None = None,
        char_start: int | None = None,
        char_end: int | None = None,
    ) -> dict:
        """Move the decision about ``old_statement_id`` to ``new_statement_id``, in place.

        For an orphaned decision whose statement is now extracted under another id
        (``qzanalysis review rekey --apply``). ``action`` and ``fields`` replace the decision's
        (the corrections the extractor now makes itself dropped); the note is kept; the span,
        when given, is recorded. Returns the row written, like :meth:`decide`.
        """
        record = self._record_of(old_statement_id)
        if record is None:
            raise ReviewError(f"{self.path}: no decision about {old_statement_id} to re-key")
        row = self._as_row(record)
        if row["action"].lower() == "add":
            raise ReviewError(
                f"{self.path}: {old_statement_id} is an added statement; not re-keyed"
            )
        taken = self._record_of(new_statement_id)
        if taken is not None:
            raise ReviewError(
                f"{self.path}: cannot re-key {old_statement_id} to {new_statement_id}: that "
                f"statement already has a decision on line {self._line_of(taken)}; keep one of "
                "the two lines by hand"
            )
        new = self._new_row(
            action or row["action"],
            new_statement_id,
            doc_id,
            char_start,
            char_end,
            fields if fields is not None else {f: row[f] for f in FIELDS},
            row["note"],
        )
        if not new["doc_id"]:
            new.update({c: row[c] for c in _SPAN})
        self._check(new)
        self._moved[old_statement_id] = new_statement_id
        return self._put(new, record)

    def _new_row(self, action, statement_id, doc_id, char_start, char_end, fields, note) -> dict:
        """The decision as review-file cells (checked for shape, not yet against the rules)."""
        action = str(action or "").strip().lower()
        if action not in REVIEW_ACTIONS:
            raise ReviewError(
                f"{self.path}: action {action!r}; use one of {', '.join(REVIEW_ACTIONS)}"
            )
        row = dict.fromkeys(REVIEW_COLUMNS, "")
        row["action"] = action
        row.update(self._field_cells(action, statement_id, fields))
        row["note"] = _cell("note", note)
        row.update(self._span_cells(action, statement_id, doc_id, char_start, char_end))
        sid = _cell("statement_id", statement_id)
        if not sid and action != "add":
            raise ReviewError(f"{self.path}: {action} needs a statement_id")
        if not sid:
            sid = _added_id(row["doc_id"], int(row["char_start"]), int(row["char_end"]), row)
        row["statement_id"] = sid
        return row

    def _field_cells(self, action: str, sid, fields: Mapping[str, object] | None) -> dict:
        fields = dict(fields or {})
        unknown = [str(k) for k in fields if k not in FIELDS]
        if unknown:
            hint = " (pass it as the keyword argument)" if set(unknown) & {*_SPAN, "note"} else ""
            raise ReviewError(
                f"{self.path}: unknown field(s) {', '.join(unknown)}{hint}; a decision may set "
                f"{', '.join(FIELDS)}"
            )
        cells = {f: _cell(f, v) for f, v in fields.items()}
        given = sorted(f for f, v in cells.items() if v)
        if action in ("confirm", "reject") and given:
            raise ReviewError(
                f"{self.path}: {action} {sid} takes no fields (got {', '.join(given)}); use "
                "correct to change fields"
            )
        if action == "correct" and not given:
            raise ReviewError(
                f"{self.path}: correct {sid} changes no field; give the field(s) to correct "
                f"({', '.join(FIELDS)}; {BLANK} clears one), or use confirm"
            )
        return cells

    def _span_cells(self, action: str, sid, doc_id, char_start, char_end) -> dict:
        cells = {
            "doc_id": _cell("doc_id", doc_id),
            "char_start": _offset("char_start", char_start, self.path),
            "char_end": _offset("char_end", char_end, self.path),
        }
        given = [c for c in _SPAN if cells[c]]
        missing = ", ".join(c for c in _SPAN if not cells[c])
        if missing and (given or action == "add"):
            what = "add needs" if action == "add" else f"{action} {sid}: a span needs"
            raise ReviewError(f"{self.path}: {what} {missing} (the span of the statement)")
        if given and int(cells["char_end"]) <= int(cells["char_start"]):
            raise ReviewError(
                f"{self.path}: {action} {sid or ''}: char_end {cells['char_end']} must be "
                f"greater than char_start {cells['char_start']}"
            )
        sid = _cell("statement_id", sid)
        if given and ":" in sid and sid.split(":", 1)[0] != cells["doc_id"]:
            raise ReviewError(
                f"{self.path}: doc_id {cells['doc_id']} does not match statement_id {sid}"
            )
        return cells

    def _check(self, row: dict) -> None:
        """The decisions parser's own checks, on this one row; then the indicator id."""
        header = ",".join(REVIEW_COLUMNS)
        line = _csv_line([row[c] for c in REVIEW_COLUMNS])
        try:
            _parse_review(f"{header}\n{line}\n", _PROBE)
        except ReviewError as exc:
            reason = str(exc).removeprefix(f"{_PROBE}:2: ")
            raise ReviewError(
                f"{self.path}: cannot record {row['action']} {row['statement_id']}: {reason}"
            ) from None
        ind = row["indicator_id"]
        if ind and ind != BLANK:
            from ..indicators import load_registry

            registry = load_registry()
            if ind not in registry:
                close = [i for i in registry.indicators if ind in i or i in ind][:5]
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ReviewError(
                    f"{self.path}: indicator_id {ind!r} is not in {registry.source}{hint}; add "
                    "it to the registry first, or correct indicator_text instead"
                )

    # ------------------------------------------------------------------------ records

    def _header(self) -> _Record | None:
        return next((r for r in self._records if r.cells is not None), None)

    def _columns(self) -> list[str]:
        header = self._header()
        return [c.strip() for c in header.cells] if header is not None else []

    def _rows(self) -> list[_Record]:
        header = self._header()
        return [r for r in self._records if r.cells is not None and r is not header]

    def _as_row(self, record: _Record, columns: list[str] | None = None) -> dict:
        row = dict.fromkeys(REVIEW_COLUMNS, "")
        columns = columns if columns is not None else self._columns()
        row.update(zip(columns, (c.strip() for c in record.cells), strict=False))
        return row

    def _record_of(self, statement_id: str) -> _Record | None:
        columns = self._columns()
        for record in self._rows():
            if _effective_id(self._as_row(record, columns)) == statement_id:
                return record
        return None

    def _line_of(self, record: _Record) -> int:
        """The record's last physical line (the line load_review reports)."""
        line = 0
        for r in self._records:
            line += len(r.text.splitlines())
            if r is record:
                return line
        raise LookupError("record not in this store")

    def _newline(self) -> str:
        for r in self._records:
            ending = _ending(r.text)
            if ending:
                return ending
        return "\n"

    def _append(self, record: _Record) -> None:
        if self._records and not _ending(self._records[-1].text):
            self._records[-1].text += self._newline()
        self._records.append(record)

    def _ensure_columns(self, row: dict) -> None:
        """Give the file a header holding every column ``row`` fills (extended at its end, the
        rows padded with empty cells)."""
        if self._header() is None:
            self._append(_Record(",".join(REVIEW_COLUMNS) + self._newline(), list(REVIEW_COLUMNS)))
            return
        have = self._columns()
        missing = [c for c in REVIEW_COLUMNS if (row[c] or c == "action") and c not in have]
        if not missing:
            return
        header = self._header()
        header.cells = [*header.cells, *missing]
        header.text = _csv_line(header.cells) + _ending(header.text)
        for record in self._rows():
            ending = _ending(record.text)
            body = record.text[: len(record.text) - len(ending)]
            record.text = body + "," * len(missing) + ending
            record.cells = [*record.cells, *([""] * len(missing))]

    def _put(self, row: dict, record: _Record | None) -> dict:
        self._ensure_columns(row)
        cells = [row[c] for c in self._columns()]
        if record is None:
            record = _Record(_csv_line(cells) + self._newline(), cells)
            self._append(record)
            self._appended += 1
            self._modified = True
        elif [c.strip() for c in record.cells] != cells:
            record.text = _csv_line(cells) + _ending(record.text)
            record.cells = cells
            self._modified = True
        self._parsed = self._by_id = None
        return {**{c: row[c] for c in REVIEW_COLUMNS}, "line": self._line_of(record)}

    # ------------------------------------------------------------------------ saving

    def save(self) -> Path:
        """Write the decisions to :attr:`path`; return it.

        Nothing happens when nothing changed (the file, and its modification time, stay as
        they are). Otherwise the new text is parsed with the decisions parser, checked to keep
        every decision read (re-keyed ones under their new id) plus the new ones, and the file
        is checked to be unchanged on disk since it was read; only then is it replaced
        atomically (a temporary file beside it, renamed over it: a failed write leaves the old
        file whole).

        Raises:
            ReviewError: the new text does not parse, a decision would be lost, or the file
                changed on disk meanwhile; nothing is written.
            qzanalysis.paths.OutputPathError: :attr:`path` is in data/raw or data/reference,
                or is another input file (the registry, the reference figures).
        """
        if not self._modified:
            return self.path
        text = self.text()
        parsed = _parse_review(text, str(self.path))
        self._check_kept(parsed)
        target = _check_target(self.path)
        current = target.read_bytes() if target.is_file() else None
        if current != self._disk:
            raise ReviewError(
                f"{self.path}: changed on disk since it was read (an editor or another review "
                "session?); nothing written. Read it again (a new ReviewStore, or run the "
                "command again) and repeat the decisions"
            )
        data = (_BOM if self._bom else b"") + text.encode("utf-8")
        _replace_atomically(target, data)
        self._disk = data
        self._modified = False
        self._loaded_ids = [_effective_id(r) for r in _frame_records(parsed)]
        self._appended = 0
        self._moved = {}
        return self.path

    def _check_kept(self, parsed: pd.DataFrame) -> None:
        """Refuse a text that lost a decision (a bug guard: decide only replaces or appends)."""
        now = {_effective_id(r) for r in _frame_records(parsed)}
        lost = [i for i in self._loaded_ids if i not in now and self._moved.get(i) not in now]
        expected = len(self._loaded_ids) + self._appended
        if lost or len(parsed) != expected:
            raise ReviewError(
                f"{self.path}: refused to save: {len(self._loaded_ids)} decision(s) read, "
                f"{self._appended} appended, but the new text holds {len(parsed)}"
                f"{' and lacks ' + ', '.join(lost[:5]) if lost else ''}; nothing written "
                "(please report this)"
            )


# ---------------------------------------------------------------------------- helpers


def _split_records(text: str) -> list[_Record]:
    """The file's text as records, cut where the decisions parser's csv reader ends a row (a
    quoted cell may span lines); comment and blank lines are records of their own."""
    lines = text.splitlines(keepends=True)
    # the parser's view: comment and blank lines read as empty lines, line breaks as \n
    view = [
        "" if (not ln.strip() or ln.lstrip().startswith("#")) else ln.splitlines()[0]
        for ln in lines
    ]
    reader = csv.reader(v + "\n" for v in view)
    records: list[_Record] = []
    done = 0
    for cells in reader:
        end = reader.line_num
        chunk = "".join(lines[done:end])
        done = end
        records.append(_Record(chunk, cells if any(c.strip() for c in cells) else None))
    if done < len(lines):
        records.append(_Record("".join(lines[done:])))
    return records


def _ending(text: str) -> str:
    """The line break ``text`` ends with ('' when none)."""
    if not text:
        return ""
    last = text.splitlines(keepends=True)[-1]
    body = last.splitlines()[0] if last.splitlines() else ""
    return last[len(body) :]


def _csv_line(cells: list[str]) -> str:
    """One CSV row without a line ending; quoted whole when it would read as a comment."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    line = buf.getvalue()
    if line.lstrip().startswith("#"):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="", quoting=csv.QUOTE_ALL).writerow(cells)
        line = buf.getvalue()
    return line


def _cell(column: str, value: object) -> str:
    """A value as a review-file cell ('' for None, NA and NaN); refuses line breaks."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        raise ReviewError(f"{column} {value!r} is not a value a review file holds")
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        number = float(value)
        if math.isnan(number):
            return ""
        text = str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    else:
        text = str(value).strip()
    if any(ch in text for ch in _LINE_BREAKS):
        raise ReviewError(
            f"{column} {text!r} holds a line break; a review cell is one line: write it on one line"
        )
    return text


def _offset(column: str, value: object, path: Path) -> str:
    text = _cell(column, value)
    if text and not re.fullmatch(r"\d+", text):
        raise ReviewError(f"{path}: {column} {text!r} is not a non-negative integer")
    return str(int(text)) if text else ""


def _frame_records(frame: pd.DataFrame) -> list[dict]:
    """The decisions of a parsed frame as plain dicts (text cells, int line)."""
    return [
        {k: (int(v) if k == "line" else ("" if pd.isna(v) else str(v))) for k, v in rec.items()}
        for rec in frame.to_dict("records")
    ]


def _effective_id(rec: Mapping[str, str]) -> str:
    """The statement a decision is about: its statement_id, or the id apply_review gives an
    ``add`` without one."""
    sid = rec.get("statement_id") or ""
    if sid or str(rec.get("action", "")).lower() != "add":
        return sid
    try:
        start, end = int(rec["char_start"]), int(rec["char_end"])
    except (KeyError, ValueError):
        return ""
    return _added_id(rec.get("doc_id", ""), start, end, dict(rec))


def _check_target(path: Path) -> Path:
    """The file to write, resolved; refused under data/ outside data/curated (the corpus, the
    reference figures, the registry), or over another input file. The review file is the one
    file under data/ the package writes."""
    target = Path(path).expanduser().resolve()
    refused = [paths.RAW_DIR.resolve(), paths.REFERENCE_DIR.resolve()]
    if not target.is_relative_to(paths.CURATED_DIR.resolve()):
        refused.append(paths.DATA_DIR.resolve())
    for folder in refused:
        if target == folder or target.is_relative_to(folder):
            raise paths.OutputPathError(
                f"{path} is inside {folder}, input data the package never writes; keep the "
                "review file in data/curated or outside data/"
            )
    for item in (paths.INDICATORS_FILE, paths.REFERENCE_FILE, paths.CNY_USD_RATES_FILE):
        if target == Path(item).resolve():
            raise paths.OutputPathError(f"{path} is {item}, not a review file; name a review file")
    if target.is_dir():
        raise paths.OutputPathError(
            f"{path} is a folder; name the review file, e.g. {path}/review.csv"
        )
    return target


def _replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` through :func:`qzanalysis.tables.atomic_write` (a temporary file beside
    ``path``, renamed over it), keeping the file's permissions; the review file passes the
    store's own check instead of the outputs' one (which refuses everything under data/)."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None

    def writer(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            _write_bytes(fh, data)
            fh.flush()
            os.fsync(fh.fileno())

    atomic_write(path, writer, check=_check_target, mode=mode)


def _write_bytes(fh, data: bytes) -> None:
    fh.write(data)
