"""A researcher's review decisions about the extracted statements, and the tools that draft them.

Modules:

- :mod:`~qzanalysis.review.decisions`: read, validate and apply a review file
  (:func:`load_review`, :func:`apply_review`, :func:`get_orphans`);
- :mod:`~qzanalysis.review.draft`: draft decisions that bring annotated documents to a hand
  annotation (``qzanalysis review draft``);
- :mod:`~qzanalysis.review.rekey`: re-attach orphaned decisions after a rule change altered
  statement_ids (``qzanalysis review rekey``);
- :mod:`~qzanalysis.review.store`: :class:`ReviewStore`, the one writer of a review file
  (``qzanalysis review confirm | reject | correct | add``, ``rekey --apply``, and the review
  widget's Save);
- :mod:`~qzanalysis.review.agreement`: agreement between two researchers' review files
  (:func:`agreement`: share agreeing and Cohen's kappa per field; ``qzanalysis review agreement``);
- :mod:`~qzanalysis.review.commands` and :mod:`~qzanalysis.review.decision_commands`: the
  ``qzanalysis review ...`` command group (``list``, ``show``, ``status`` read; ``confirm``,
  ``reject``, ``correct``, ``add`` write).

The review file (default ``data/curated/review.csv``) is a UTF-8 CSV; lines starting with ``#``
are comments and blank lines are ignored. Header (column order free, unknown columns are an
error; only ``action`` is always required)::

    action,statement_id,doc_id,char_start,char_end,kind,indicator_id,indicator_text,measure,
    direction,period_start,period_end,value,value_high,unit,comparator,note

One row per decision, keyed by ``statement_id`` (the extractor's id, stable while the text and
the extractor's reading of it are unchanged):

- ``confirm``: the row is right as extracted.
- ``reject``: the row is not a statement (or is wrong beyond correction); it is dropped.
- ``correct``: every non-empty field column replaces the extracted value (one column per field;
  write ``<blank>`` to clear a field). Correcting ``indicator_text`` without ``indicator_id``
  re-maps the id through the registry.
- ``add``: a statement the extractor missed. Needs ``doc_id``, ``char_start``, ``char_end``
  (offsets into the document's decoded text, checked against the corpus, which must therefore
  be passed) and its fields (at least kind, measure, value). ``statement_id`` may be given;
  else one is made from the span.

A decision whose statement no longer exists (the extractor changed) is an *orphan*: it is
reported with a warning and listed in ``result.attrs["orphans"]`` (table: :func:`get_orphans`),
never dropped silently; ``qzanalysis review rekey`` proposes the new ids. A malformed row raises
:class:`ReviewError` naming the file and line.

A confirm, reject or correct may also record its statement's span (``doc_id``, ``char_start``,
``char_end``; all three or none): the store always does, so the decision can be re-attached when
a rule change alters the statement_id.

Writing the review file is the one write under ``data/`` the package makes, and only when the
researcher asks: the decision commands (``confirm``, ``reject``, ``correct``, ``add``,
``rekey --apply``) and the review widget's Save, all through :class:`ReviewStore`, which keeps
every comment, blank line and untouched row byte-for-byte, validates the new text with the
parser above before writing, and replaces the file atomically. Everything else only reads it:
``draft``, ``rekey`` (without ``--apply``) and ``agreement`` print their result or write it to
a file you name outside ``data/``.
"""

from __future__ import annotations

from .agreement import agreement
from .decisions import (
    BLANK,
    FIELDS,
    REVIEW_COLUMNS,
    ReviewError,
    apply_review,
    get_orphans,
    load_review,
)
from .draft import draft_review, draft_summary, load_gold_for, review_csv
from .rekey import Rekeyed, read_statements, rekey_review
from .store import ReviewStore

__all__ = [
    "BLANK",
    "FIELDS",
    "REVIEW_COLUMNS",
    "Rekeyed",
    "ReviewError",
    "ReviewStore",
    "agreement",
    "apply_review",
    "draft_review",
    "draft_summary",
    "get_orphans",
    "load_gold_for",
    "load_review",
    "read_statements",
    "rekey_review",
    "review_csv",
]
