"""Agreement between two researchers' review decisions about the same statements.

:func:`agreement` compares two review files (as :func:`~qzanalysis.review.load_review` reads
them) statement by statement, over the statements both decided:

- ``action``: the decisions themselves (confirm, reject, correct, add);
- every field a decision may set (:data:`~qzanalysis.review.FIELDS`): the *effective* value each
  researcher gives the statement, i.e. the correction where one corrects the field, else the
  extractor's value (a confirm, or a correction of other fields), or the fields of an ``add``.
  A statement either researcher rejects has no values and is left out of the field rows, as is
  one whose statement is no longer extracted (an orphan) unless both added it.

Each row gives the number of statements compared (``n``), how many agree and the share, and for
the categorical fields (:data:`CATEGORICAL`) Cohen's kappa with its 95% interval
(:func:`statsmodels.stats.inter_rater.cohens_kappa` on the researchers' contingency table). Kappa
is empty when it is undefined: no statement, or both researchers used one and the same category
throughout (chance agreement is then 1). Numbers are compared to 9 decimals. Nothing here
writes a file; ``qzanalysis review agreement A.csv B.csv [--out FILE]`` prints the table.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from .decisions import BLANK, FIELDS
from .store import _effective_id

#: Fields with a small fixed vocabulary: Cohen's kappa is given for these.
CATEGORICAL = ("action", "kind", "measure", "direction", "comparator")
#: What is compared, in the order of the rows.
COMPARED = ("action", *FIELDS)
AGREEMENT_COLUMNS = ["field", "n", "agree", "share", "kappa", "kappa_low", "kappa_upp"]
_NUMERIC = ("value", "value_high")


def agreement(
    a: pd.DataFrame, b: pd.DataFrame, statements: pd.DataFrame, *, registry=None
) -> pd.DataFrame:
    """Agreement of two researchers' decisions (see the module docstring).

    Args:
        a, b: the two review files, as :func:`~qzanalysis.review.load_review` returns them.
        statements: the extractor's rows the decisions are about (``extract_statements``), for
            the values a confirm keeps.
        registry: indicator registry, for an ``indicator_text`` corrected without an
            ``indicator_id`` (re-mapped as :func:`~qzanalysis.review.apply_review` does);
            default: data/indicators.yaml, loaded only when needed.

    Returns:
        One row per compared field (:data:`AGREEMENT_COLUMNS`). ``attrs`` holds ``both``
        (statements both decided), ``only_a``, ``only_b`` (decided by one only), and
        ``compared`` (statements whose fields were compared: both decided, neither rejected,
        still extracted or added by both).
    """
    da, db = _by_statement(a), _by_statement(b)
    both = [k for k in da if k in db]
    extracted = _extracted(statements)
    remap = _Remap(registry)
    rows = [_compare("action", [da[k]["action"] for k in both], [db[k]["action"] for k in both])]
    pairs = []
    for k in both:
        ea = _effective(da[k], extracted.get(k), remap)
        eb = _effective(db[k], extracted.get(k), remap)
        if ea is not None and eb is not None:
            pairs.append((ea, eb))
    for f in FIELDS:
        rows.append(_compare(f, [p[0][f] for p in pairs], [p[1][f] for p in pairs]))
    out = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    out = out.astype({"n": "int64", "agree": "int64"})
    out.attrs.update(
        both=len(both),
        only_a=sum(k not in db for k in da),
        only_b=sum(k not in da for k in db),
        compared=len(pairs),
    )
    return out


def _by_statement(frame: pd.DataFrame) -> dict[str, dict]:
    """Decisions keyed by the statement they are about (an add without an id: its span id)."""
    out: dict[str, dict] = {}
    for rec in frame.to_dict("records"):
        rec = {k: _text(v) for k, v in rec.items()}
        rec["action"] = rec.get("action", "").lower()
        out[_effective_id(rec)] = rec
    return out


def _extracted(statements: pd.DataFrame) -> dict[str, dict]:
    cols = ["statement_id", *FIELDS]
    return {str(r["statement_id"]): r for r in statements[cols].to_dict("records")}


class _Remap:
    """The registry's id for a corrected phrase (loaded on first use)."""

    def __init__(self, registry):
        self.registry = registry

    def __call__(self, phrase: str) -> str:
        if self.registry is None:
            from ..indicators import load_registry

            self.registry = load_registry()
        return _text(self.registry.match(phrase))


def _effective(rec: dict, extracted: dict | None, remap: _Remap) -> dict | None:
    """The field values a decision gives its statement (None: rejected, or not extracted)."""
    action = rec["action"]
    if action == "reject":
        return None
    if action == "add":
        values = dict.fromkeys(FIELDS, "")
        values["comparator"] = "eq"  # what apply_review gives an add without one
    elif extracted is None:
        return None
    else:
        values = {f: _norm(f, extracted[f]) for f in FIELDS}
    for f in FIELDS:
        v = rec.get(f, "")
        if v:
            values[f] = "" if v == BLANK else _norm(f, v)
    if rec.get("indicator_text") and not rec.get("indicator_id"):
        values["indicator_id"] = remap(values["indicator_text"])
    return values


def _text(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def _norm(field: str, v) -> str:
    text = _text(v)
    if field in _NUMERIC and text:
        return repr(round(float(text), 9))
    return text


def _compare(field: str, xs: list[str], ys: list[str]) -> dict:
    n = len(xs)
    agree = sum(x == y for x, y in zip(xs, ys, strict=True))
    row = {"field": field, "n": n, "agree": agree, "share": agree / n if n else math.nan}
    kappa = _kappa(xs, ys) if field in CATEGORICAL else (math.nan,) * 3
    row.update(zip(("kappa", "kappa_low", "kappa_upp"), kappa, strict=True))
    return row


def _kappa(xs: list[str], ys: list[str]) -> tuple[float, float, float]:
    """Cohen's kappa and its 95% interval (NaN when undefined: fewer than two categories)."""
    from statsmodels.stats.inter_rater import cohens_kappa

    categories = sorted(set(xs) | set(ys))
    if len(categories) < 2:
        return (math.nan,) * 3
    pos = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for x, y in zip(xs, ys, strict=True):
        table[pos[x], pos[y]] += 1
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        res = cohens_kappa(table)
    return float(res.kappa), float(res.kappa_low), float(res.kappa_upp)
