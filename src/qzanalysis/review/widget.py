"""Review the extracted statements one at a time in a notebook (notebooks/review.ipynb).

- :class:`ReviewSession`, the logic (no browser needed): the statements in text order under a
  filter, navigation, the paragraph around a span, and the decisions (confirm, reject, correct,
  add), each handed to a :class:`~qzanalysis.review.store.ReviewStore` with the statement's
  doc_id and span, so it survives a change of statement_id.
- :func:`review_widget`, the view: ipywidgets around a session. Every string from the data is
  HTML-escaped before it becomes markup; a :class:`ReviewError` is shown in the widget.

The session lists the extractor's rows with the store's decisions applied by
:func:`~qzanalysis.review.apply_review`: corrected fields show their corrected values, a
rejected statement stays listed (marked ``reject``: the decision can be changed), statements
added by the review are listed, and a decision re-attached by its span moves to the statement's
new id when it is decided again (``ReviewStore.rekey``). A decision is first applied to a copy
of the decisions: one the review file would refuse (an unknown indicator_id, a span without a
number, a period ending before it starts) is refused with that message, the store untouched.
Nothing is written until :meth:`ReviewSession.save` (the Save button).

Adding a missed statement: a browser's text selection is not visible to ipywidgets without
JavaScript, so the widget takes the span in two ways that need none. (1) Paste the selected
text into "selected text": it is looked up in the current paragraph, else in the whole document
(:meth:`ReviewSession.occurrences`); found once, its offsets fill the start/end boxes; found
several times, the "occurrence" list shows each in its context to pick from
(:meth:`ReviewSession.locate`). (2) Or type the document offsets (code points, as
``char_start``/``char_end``) into the boxes; the text they cover is shown under them. "Add
missed statement" adds the span of the boxes with the fields of the form (which start as the
current statement's: a missed statement often shares its neighbour's kind and period).
:meth:`ReviewSession.add_from_selection` takes offsets relative to a paragraph instead.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .. import schema
from .decisions import BLANK, FIELDS, REVIEW_COLUMNS, ReviewError, apply_review

__all__ = ["FILTERS", "ReviewSession", "ReviewView", "paragraph_html", "review_widget"]

#: What a session may list: every statement, those without a decision, those without a registry
#: indicator, targets, outcomes (final or estimated: ``outcome`` and ``expected``).
_MATCHES = {
    "all": lambda item: True,
    "unreviewed": lambda item: not item["action"],
    "unmapped": lambda item: not _text(item["indicator_id"]),
    "target": lambda item: item["kind"] == "target",
    "outcome": lambda item: item["kind"] in schema.OUTCOME_KINDS,
}
FILTERS = tuple(_MATCHES)
_LINE_BREAKS = "\n\r\u2028\u2029"
_NUMBERS = ("value", "value_high")
_LOCATION = re.compile(r"^<review DataFrame>(?:, review line \d+|:\d+)?: ")


def _text(value: object) -> str:
    """A field value as the review file writes it ('' for a missing one, 7.0 as '7')."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return f"{value:.15g}" if isinstance(value, float) else str(value).strip()


def _same(field: str, a: str, b: str) -> bool:
    if field in _NUMBERS and a and b:
        try:
            return float(a) == float(b)
        except ValueError:
            return False
    return a == b


def _find_all(text: str, needle: str, left: int, right: int) -> list[tuple[int, int]]:
    found, i = [], text.find(needle, left, right)
    while i != -1:
        found.append((i, i + len(needle)))
        i = text.find(needle, i + 1, right)
    return found


class ReviewSession:
    """The statements of a corpus under review, one at a time (module docstring).

    Args:
        corpus: the corpus the statements come from.
        statements: the extractor's rows (``extract_statements(corpus)``). A reviewed table
            (``analyse().statements``) works too, but the statements it rejected are gone.
        store: a :class:`~qzanalysis.review.store.ReviewStore`.
        document: list only this doc_id (None or '': every document).
        filter: one of :data:`FILTERS`.
        registry: the indicator registry (default: data/indicators.yaml).

    ``items`` are the listed statements (dicts: the statement's columns, ``action``: its
    decision or '', ``decision``: the store's row or None); ``notices`` the warnings of
    applying the decisions (orphans, documents not in the corpus).
    """

    def __init__(self, corpus, statements, store, *, document=None, filter="all", registry=None):
        if registry is None:
            from ..indicators import load_registry

            registry = load_registry()
        self.corpus, self.store, self.registry = corpus, store, registry
        self._docs = {d.doc_id: d for d in corpus}
        if "source" in statements.columns:  # added rows come from the store
            statements = statements[statements["source"].astype("string").fillna("") != "review"]
        statements = statements.drop(columns="review_action", errors="ignore")
        self.extracted = schema.coerce("statements", statements)
        self.notices: list[str] = []
        self.document, self.filter, self._pos = None, "all", 0
        self._all: list[dict] = []
        self.items: list[dict] = []
        self._refresh()
        self.set_filter(filter, document)

    @classmethod
    def load(cls, corpus_dir=None, *, review_file=None, document=None, filter="all"):
        """A session over ``corpus_dir`` (None or '': data/raw) and ``review_file`` (None or
        '': data/curated/review.csv)."""
        from ..corpus import load_corpus
        from ..extract import extract_statements
        from ..indicators import load_registry
        from .store import ReviewStore

        corpus, registry = load_corpus(corpus_dir or None), load_registry()
        store = ReviewStore(Path(review_file) if review_file else None)
        statements = extract_statements(corpus, registry=registry)
        return cls(corpus, statements, store, document=document, filter=filter, registry=registry)

    # ------------------------------------------------------------------ the reviewed list
    def _decisions(self) -> pd.DataFrame:
        frame = self.store.decisions
        return frame[[c for c in REVIEW_COLUMNS if c in frame.columns]].fillna("").astype(str)

    def _apply(self, decisions: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """The statements with ``decisions`` applied, and the warnings; ReviewError (without
        the in-memory table as its location) when the review file would refuse them."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                view = apply_review(
                    self.extracted, decisions, corpus=self.corpus, registry=self.registry
                )
            except ReviewError as exc:
                raise ReviewError(_LOCATION.sub("", str(exc))) from None
        return view, [str(w.message) for w in caught]

    def _refresh(self) -> None:
        """Rebuild the list of every statement in text order (corpus order, then span)."""
        view, self.notices = self._apply(self._decisions())
        moved = {new: old for old, new in view.attrs.get("rekeyed", {}).items()}
        listed = set(view["statement_id"].astype(str))
        rows = view.to_dict("records")
        rows += [r for r in self.extracted.to_dict("records") if r["statement_id"] not in listed]
        items = []
        for row in rows:
            sid = str(row["statement_id"])
            old = moved.get(sid)
            decision = self.store.get(old or sid)
            action = (decision or {}).get("action", "") or _text(row.get("review_action"))
            items.append({**row, "statement_id": sid, "action": action, "decision": decision})
            items[-1]["rekeyed_from"] = old
        order = {doc_id: i for i, doc_id in enumerate(self._docs)}
        items.sort(
            key=lambda r: (order.get(r["doc_id"], len(order)), r["char_start"], r["char_end"])
        )
        self._all = items

    def _scope(self) -> list[dict]:
        return [r for r in self._all if self.document in (None, r["doc_id"])]

    def _select(self, keep: str | None) -> None:
        """Apply the filter; stay on ``keep`` if listed, else on the statement that followed."""
        self.items = [r for r in self._scope() if _MATCHES[self.filter](r)]
        ids = [r["statement_id"] for r in self.items]
        if keep in ids:
            self._pos = ids.index(keep)
        self._pos = max(0, min(self._pos, len(self.items) - 1))

    def set_filter(self, filter: str | None = None, document: str | None = None) -> None:
        """List ``filter`` (one of :data:`FILTERS`; None: all) of ``document`` (None: all)."""
        filter = filter or "all"
        if filter not in FILTERS:
            raise ReviewError(f"filter {filter!r}; use one of {', '.join(FILTERS)}")
        if document and document not in self._docs:
            raise ReviewError(
                f"document {document!r} is not in the corpus ({', '.join(self._docs)})"
            )
        keep = self.current["statement_id"] if self.current else None
        self.filter, self.document = filter, document or None
        self._select(keep)

    # ------------------------------------------------------------------ navigation
    @property
    def current(self) -> dict | None:
        """The statement under review (None when the filter lists none)."""
        return self.items[self._pos] if self.items else None

    def next(self) -> dict | None:
        """Move to the next statement (stays on the last) and return it."""
        self._pos = min(self._pos + 1, max(len(self.items) - 1, 0))
        return self.current

    def previous(self) -> dict | None:
        """Move to the previous statement (stays on the first) and return it."""
        self._pos = max(self._pos - 1, 0)
        return self.current

    def goto(self, statement_id: str) -> dict:
        """Move to ``statement_id`` (it must be listed under the current filter)."""
        for i, item in enumerate(self.items):
            if item["statement_id"] == statement_id:
                self._pos = i
                return item
        raise ReviewError(f"statement {statement_id} is not listed under filter {self.filter!r}")

    @property
    def progress(self) -> tuple[int, int]:
        """(statements with a decision, statements) of the document(s) in view, any filter."""
        scope = self._scope()
        return sum(1 for r in scope if r["action"]), len(scope)

    # ------------------------------------------------------------------ text
    def _item(self, item: dict | None) -> dict:
        item = self.current if item is None else item
        if item is None:
            raise ReviewError(f"no statement is listed under filter {self.filter!r}")
        return item

    def document_text(self, item: dict | None = None) -> str:
        """The text of the document of ``item`` (default: the current statement)."""
        return self._docs[self._item(item)["doc_id"]].text

    def paragraph_bounds(self, item: dict | None = None) -> tuple[int, int]:
        """Document (start, end) of the paragraph (between line breaks) around the span."""
        item = self._item(item)
        text, start, end = self.document_text(item), int(item["char_start"]), int(item["char_end"])
        left = max(text.rfind(c, 0, start) for c in _LINE_BREAKS) + 1
        rights = [i for i in (text.find(c, end) for c in _LINE_BREAKS) if i != -1]
        return left, min(rights, default=len(text))

    def paragraph_start(self, item: dict | None = None) -> int:
        """Document offset where the paragraph of ``item`` starts."""
        return self.paragraph_bounds(item)[0]

    def paragraph(self, item: dict | None = None) -> tuple[str, str, str]:
        """(before, span, after): the paragraph cut at the span; ``span`` is exactly
        ``text[char_start:char_end]`` (code points)."""
        item = self._item(item)
        text, (left, right) = self.document_text(item), self.paragraph_bounds(item)
        start, end = int(item["char_start"]), int(item["char_end"])
        return text[left:start], text[start:end], text[end:right]

    def field_values(self, item: dict | None = None) -> dict[str, str]:
        """The fields of ``item`` as the form shows them ('' for missing)."""
        item = self._item(item)
        return {f: _text(item.get(f)) for f in FIELDS}

    def occurrences(self, selection: str, item: dict | None = None) -> list[tuple[int, int]]:
        """Document (start, end) of each occurrence of ``selection`` (stripped) in the paragraph
        of ``item``, or in its whole document when the paragraph has none."""
        needle = selection.strip()
        if not needle:
            return []
        text, (left, right) = self.document_text(item), self.paragraph_bounds(item)
        return _find_all(text, needle, left, right) or _find_all(text, needle, 0, len(text))

    def locate(self, selection: str, occurrence: int | None = None, item=None) -> tuple[int, int]:
        """Document (start, end) of the pasted ``selection``; ``occurrence`` (from 1) picks one
        when it occurs several times."""
        found, shown = self.occurrences(selection, item), selection.strip()
        if not found:
            raise ReviewError(f"{shown!r} is not in the paragraph or the document")
        if occurrence is None and len(found) > 1:
            raise ReviewError(
                f"{shown!r} occurs {len(found)} times; choose the occurrence (1-{len(found)})"
            )
        index = int(occurrence or 1)
        if not 1 <= index <= len(found):
            raise ReviewError(f"occurrence {index} of {shown!r}: choose 1-{len(found)}")
        return found[index - 1]

    # ------------------------------------------------------------------ decisions
    def _decide(self, action, sid, span, fields: Mapping, note: str, old=None) -> dict:
        """Try the decision on a copy of the decisions, then record it in the store."""
        doc_id, start, end = span
        row = dict.fromkeys(REVIEW_COLUMNS, "") | dict(fields)
        row.update(action=action, statement_id=sid or "", doc_id=doc_id, note=note)
        row.update(char_start=str(start), char_end=str(end))
        others = self._decisions()
        others = others[~others["statement_id"].isin({sid, old} - {None, ""})]
        self._apply(pd.concat([others, pd.DataFrame([row])], ignore_index=True))  # raises first
        if old:  # a decision re-attached by its span: move it to the statement's id first
            self.store.rekey(old, sid, doc_id=doc_id, char_start=start, char_end=end)
        decision = self.store.decide(
            action, sid, doc_id=doc_id, char_start=start, char_end=end, fields=fields, note=note
        )
        self._refresh()
        self._select(decision.get("statement_id") or sid)
        return decision

    def _on_current(self, action: str, fields: Mapping, note: str) -> dict:
        item = self._item(None)
        sid, span = item["statement_id"], (item["doc_id"], item["char_start"], item["char_end"])
        if item["action"] == "add":
            if action != "correct":
                raise ReviewError(
                    f"{sid} is a statement added by the review: it needs no {action}; to drop "
                    "it, delete its line from the review file"
                )
            kept = {f: (item["decision"] or {}).get(f) or "" for f in FIELDS}
            kept.update({f: ("" if v == BLANK else v) for f, v in fields.items()})
            return self._decide("add", sid, span, {f: v for f, v in kept.items() if v}, note)
        return self._decide(action, sid, span, fields, note, item["rekeyed_from"])

    def confirm(self, note: str = "") -> dict:
        """Confirm the current statement as it stands; return the store's row."""
        return self._on_current("confirm", {}, note)

    def reject(self, note: str = "") -> dict:
        """Reject the current statement (the analysis drops it); return the store's row."""
        return self._on_current("reject", {}, note)

    def correct(self, note: str = "", **fields: object) -> dict:
        """Correct the current statement: each of ``fields`` that differs from the value as it
        stands is recorded ('' clears it), on top of the statement's earlier corrections."""
        item = self._item(None)
        changed = self._changes(item, fields)
        if not changed:
            raise ReviewError(
                f"{item['statement_id']}: no field differs from the statement as it stands; "
                "edit a field, or use Confirm"
            )
        decision = item["decision"] or {}
        merged = {
            f: decision[f]
            for f in FIELDS
            if decision.get("action") == "correct" and decision.get(f)
        }
        merged.update({f: v or BLANK for f, v in changed.items()})
        return self._on_current("correct", merged, note)

    def _changes(self, item: dict, fields: Mapping) -> dict[str, str]:
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            raise ReviewError(f"unknown field(s) {', '.join(unknown)}; use {', '.join(FIELDS)}")
        now = self.field_values(item)
        return {f: _text(v) for f, v in fields.items() if not _same(f, _text(v), now[f])}

    def add(self, start: int, end: int, note: str = "", **fields: object) -> dict:
        """Add a statement the extractor missed at document offsets ``start``-``end`` (code
        points) of the current statement's document, with its ``fields`` (kind, measure, value
        at least); it becomes the current statement. Returns the store's row."""
        doc_id = self._item(None)["doc_id"]
        try:
            start, end = int(start), int(end)
        except (TypeError, ValueError):
            raise ReviewError(f"start {start!r} and end {end!r} must be whole numbers") from None
        length = len(self._docs[doc_id].text)
        if not 0 <= start < end <= length:
            raise ReviewError(f"span {start}-{end}: need 0 <= start < end <= {length} ({doc_id})")
        values = self._changes(dict.fromkeys(FIELDS, ""), fields)
        return self._decide("add", None, (doc_id, start, end), values, note)

    def add_from_selection(
        self, paragraph_start: int, selection_start: int, selection_end: int, note="", **fields
    ) -> dict:
        """:meth:`add` with offsets relative to a paragraph starting at document offset
        ``paragraph_start`` (:meth:`paragraph_start`), as a selection in it gives them."""
        if min(paragraph_start, selection_start, selection_end) < 0:
            raise ReviewError("offsets must not be negative")
        start, end = paragraph_start + selection_start, paragraph_start + selection_end
        return self.add(start, end, note, **fields)

    # ------------------------------------------------------------------ saving
    @property
    def changed(self) -> bool:
        """True when a decision was recorded since the file was read or saved."""
        return bool(self.store.changed)

    def save(self) -> Path | None:
        """Write the review file (atomically, by the store); None when nothing changed."""
        return self.store.save() if self.store.changed else None


# ------------------------------------------------------------------------------------ the view

_CODED = ("kind", "measure", "direction", "comparator")
_BUTTONS = ("previous", "next", "confirm", "reject", "correct", "add", "save")
_LABELS = {"previous": "◀ Previous", "next": "Next ▶", "add": "Add missed statement"}


def paragraph_html(before: str, span: str, after: str) -> str:
    """The paragraph as HTML: every piece escaped, the span in ``<mark>``."""
    return (
        '<div style="line-height:1.8;white-space:pre-wrap">'
        f"{html.escape(before)}<mark>{html.escape(span)}</mark>{html.escape(after)}</div>"
    )


def _label(item: dict) -> str:
    """One line of the statement list (plain text: a Select shows its options as text)."""
    return f"[{item['action'] or '·'}] {item['doc_id']} {item['char_start']}: {item['evidence']}"


def _header_html(doc, item: dict) -> str:
    note = (item["decision"] or {}).get("note") or ""
    return (
        f"<b>{html.escape(doc.title)}</b> ({html.escape(doc.doc_id)})<br>statement "
        f"<code>{html.escape(item['statement_id'])}</code>, characters "
        f"{int(item['char_start'])}-{int(item['char_end'])}<br>decision: "
        f"<b>{html.escape(item['action'] or 'none yet')}</b> {html.escape(note)}"
    )


def _status_html(message: str, error: bool = False) -> str:
    colour = "#b00020" if error else "#1b5e20"
    return f'<span style="color:{colour}">{html.escape(message)}</span>'


class ReviewView:
    """The widgets of :func:`review_widget` and their handlers; ``widget`` is what is shown.

    ``buttons`` (previous, next, confirm, reject, correct, add, save), ``fields`` (by statement
    field), ``note``, ``filter``, ``document``, ``list``, ``header``, ``paragraph``,
    ``progress``, ``status`` and the add box (``selection``, ``occurrence``, ``start``, ``end``,
    ``preview``) are the ipywidgets.
    """

    def __init__(self, session: ReviewSession):
        import ipywidgets as w

        self.session, self._busy = session, False
        docs = [
            ("all documents", ""),
            *((f"{d.doc_id} · {d.title}", d.doc_id) for d in session.corpus),
        ]
        self.filter = w.Dropdown(options=FILTERS, description="show")
        self.document = w.Dropdown(options=docs, description="document")
        self.progress, self.list = w.Label(), w.Select(rows=8, layout=w.Layout(width="100%"))
        self.header, self.paragraph, self.status, self.preview = (w.HTML() for _ in range(4))
        self.fields = {f: self._field(w, f) for f in FIELDS}
        self.note = w.Text(description="note", layout=w.Layout(width="100%"))
        self.buttons = {n: w.Button(description=_LABELS.get(n, n.title())) for n in _BUTTONS}
        self.selection = w.Text(description="selected text", placeholder="paste the missed span")
        self.occurrence = w.Dropdown(options=[], description="occurrence")
        self.start = w.IntText(description="start", layout=w.Layout(width="12em"))
        self.end = w.IntText(description="end", layout=w.Layout(width="12em"))
        self._connect()
        self.widget = self._layout(w)
        self.refresh()

    def _field(self, w, name: str):
        if name in _CODED:
            return w.Dropdown(options=("", *schema.ALLOWED[name]), description=name)
        if name == "indicator_id":
            ids = list(self.session.registry.indicators)
            return w.Combobox(options=ids, ensure_option=False, description=name)
        return w.Text(description=name)

    def _layout(self, w):
        b = self.buttons
        grid = w.GridBox(
            list(self.fields.values()),
            layout=w.Layout(grid_template_columns="repeat(3, minmax(14em, 1fr))"),
        )
        names = ("previous", "next", "confirm", "reject", "correct", "save")
        adding = [
            w.HTML("<b>Add a missed statement</b>: paste its text, or give its offsets"),
            w.HBox([self.selection, self.occurrence]),
            w.HBox([self.start, self.end, b["add"]]),
            self.preview,
        ]
        top = w.HBox([self.filter, self.document, self.progress])
        body = [top, self.list, self.header, self.paragraph, grid, self.note]
        return w.VBox([*body, w.HBox([b[n] for n in names]), *adding, self.status])

    def _connect(self) -> None:
        b, s = self.buttons, self.session
        b["previous"].on_click(lambda _: self._run(s.previous))
        b["next"].on_click(lambda _: self._run(s.next))
        for name in ("confirm", "reject", "correct", "add"):
            b[name].on_click(lambda _, name=name: self._decide(name))
        b["save"].on_click(lambda _: self._run(self._save))
        self.filter.observe(self._on_filter, names="value")
        self.document.observe(self._on_filter, names="value")
        self.list.observe(self._on_list, names="value")
        self.selection.observe(self._on_selection, names="value")
        self.occurrence.observe(self._on_occurrence, names="value")
        self.start.observe(self._on_offsets, names="value")
        self.end.observe(self._on_offsets, names="value")

    # ---------------------------------------------------------------- handlers
    def _run(self, action) -> bool:
        """Run ``action``; its message, or its ReviewError, becomes the status line; redraw."""
        try:
            result = action()
        except ReviewError as exc:  # nothing changed: the form keeps what was typed
            self.status.value = _status_html(str(exc), error=True)
            return False
        self.refresh()
        self.status.value = _status_html(result) if isinstance(result, str) else ""
        return True

    def _decide(self, action: str) -> bool:
        s = self.session
        sid = s.current["statement_id"] if s.current else None
        fields = {f: str(widget.value or "") for f, widget in self.fields.items()}
        note = self.note.value.strip()

        def run() -> str:
            if action == "add":
                decision = s.add(self.start.value, self.end.value, note, **fields)
            elif action == "correct":
                decision = s.correct(note, **fields)
            else:
                decision = getattr(s, action)(note)
            if action in ("confirm", "reject") and s.current and s.current["statement_id"] == sid:
                s.next()  # on to the next (under 'unreviewed' it has left the list already)
            if action == "add":
                self.selection.value = ""
            return f"{action}: {decision['statement_id']} (not written until Save)"

        return self._run(run)

    def _save(self) -> str:
        path = self.session.save()
        return f"saved to {path}" if path else "nothing to save: no decision was recorded"

    def _on_filter(self, _change) -> None:
        if not self._busy:
            self._run(lambda: self.session.set_filter(self.filter.value, self.document.value))

    def _on_list(self, change) -> None:
        if not self._busy and change["new"]:
            self._run(lambda: self.session.goto(change["new"]))

    def _on_selection(self, change) -> None:
        s = self.session
        found = s.occurrences(change["new"]) if s.current else []
        text = s.document_text() if s.current else ""
        self.occurrence.options = [
            (f"{i}: …{text[max(a - 8, 0) : a]}【{text[a:b]}】{text[b : b + 8]}…", i)
            for i, (a, b) in enumerate(found, 1)
        ]
        if found:
            self.start.value, self.end.value = found[0]
        if change["new"].strip() and not found:
            self.status.value = _status_html("the pasted text is not in this document", True)
        elif len(found) > 1:
            self.status.value = _status_html(f"found {len(found)} times: choose the occurrence")

    def _on_occurrence(self, change) -> None:
        if change["new"]:
            found = self.session.locate(self.selection.value, change["new"])
            self.start.value, self.end.value = found

    def _on_offsets(self, _change=None) -> None:
        s = self.session
        text, a, b = (s.document_text() if s.current else ""), self.start.value, self.end.value
        shown = html.escape(text[a:b]) if 0 <= a < b <= len(text) else "(no span of this document)"
        self.preview.value = f"text[{a}:{b}] = <mark>{shown}</mark>"

    # ---------------------------------------------------------------- drawing
    def refresh(self) -> None:
        """Redraw from the session: the list, the statement, its paragraph and fields."""
        s, self._busy = self.session, True
        try:
            self.filter.value, self.document.value = s.filter, s.document or ""
            self.progress.value = "reviewed {} / {}".format(*s.progress)
            self.list.options = [(_label(r), r["statement_id"]) for r in s.items]
            item = s.current
            self.list.value = item["statement_id"] if item else None
            self.header.value = _header_html(s._docs[item["doc_id"]], item) if item else ""
            self.note.value = ((item or {}).get("decision") or {}).get("note") or ""
            if item is None:
                self.paragraph.value = "<i>No statement is listed under this filter.</i>"
                return
            self.paragraph.value = paragraph_html(*s.paragraph(item))
            for f, value in s.field_values(item).items():
                options = getattr(self.fields[f], "options", ())
                self.fields[f].value = "" if f in _CODED and value not in options else value
            self._on_offsets()
        finally:
            self._busy = False


def review_widget(session: ReviewSession):
    """The review widget of ``session``: an ipywidgets VBox; its :class:`ReviewView` (buttons,
    fields, status) is its ``view`` attribute."""
    view = ReviewView(session)
    view.widget.view = view
    return view.widget
