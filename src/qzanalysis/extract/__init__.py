"""Extract quantitative statements (plans, outcomes, estimates) from a corpus.

:func:`extract_statements` turns every document into rows of the *statements* table (columns and
dtypes: ``qzanalysis.schema``, table "statements"; meanings: docs/methods.md section 1), each
pointing to the exact characters of ``Document.text`` it came from.

How it works, in the order a reader of a report would do it, one module per step:

1. **Where am I?** (:mod:`.structure`) Headings ("一、2019年工作回顾", "二、2020年目标任务",
   "“十五五”时期的主要目标任务") and time cues ("过去一年", "今年以来", "今后五年", "到2026年", "1—9月",
   "截至目前", "五年来") set the *kind* (target/outcome) and *period* of what follows. A heading's
   context lasts until the next top-level heading; a cue in a paragraph's first sentence lasts for
   the paragraph (a horizon cue such as "今后五年" lasts until the next top-level heading); a cue
   elsewhere lasts for its sentence. "到2027年" inside a sentence (after a comma) dates only its own
   clauses up to the next semicolon (DEADLINE_CUE), or the whole sentence when it comes before every
   value; the section resumes after. Words such as 力争/确保/目标 make a sentence a target,
   预计/有望 an estimate (kind 'expected'). (:mod:`.timing`) Inside a sentence, clause cues
   (CLAUSE_* tables) override the section: "目标为7%左右" (a target over the evaluated plan),
   "2021—2022年实际年均增长", "前两年"/"后三年" of the plan, "2022年达到", "…以内的目标"; a cue holds
   for the following clauses up to a semicolon (预计 does, 有望 does not).
2. **What numbers?** (:mod:`.numbers`) :func:`find_values` finds value mentions and drops dates,
   ordinals, slogans, version and document numbers, and size thresholds inside names. Two grades
   are values: a water class ("水质保持Ⅱ类以上" = class ≤ II, CLASS_GRADE) and the output grade of
   a named cluster ("两大千亿级产业集群" after "新材料、新能源": each ≥ 1000亿元, LEVEL_GRADE); a grade
   naming no cluster ("首条千亿级产业链", "2个五百亿级先进制造业集群") is none.
3. **Which indicator, what measure?** (:mod:`.phrases`, :mod:`.sentences`) The words before a
   number (inside its clause segment) name the indicator; lists sharing one verb ("A和B分别增长8.0%、
   7.0%", "A、B均下降20%", "A、B各8000亩") give each item its value; a clause with no subject of its
   own ("、增长6.8%") inherits the last indicator of the sentence, except a bare value after the named
   parts of a breakdown ("其中柯城31.27万千瓦,…,19.69万千瓦": UNNAMED_PART). A gap to a benchmark
   ("、高于全省平均水平0.5个百分点") names the benchmark (BENCHMARK_GAP); a standing requirement
   ("滚动保持不少于5000亩") is a target (STANDING_REQUIREMENT). The verb nearest before the number
   decides the measure (VERB_MEASURES) and the words around it the comparator (PREFIX_COMPARATORS
   and SUFFIX_COMPARATORS).

Every rule is a table in :mod:`.rules`; extend a table rather than adding a special case.

statement_id: ``{doc_id}:{12 hex digits}``, a hash of (kind, measure, indicator_text, value, unit,
and the 8 characters either side of the number in the normalised text). It is unchanged across
runs, and an edit elsewhere in the document does not change it (offsets are not hashed); two
identical statements with identical surroundings get a ``~2`` suffix in document order.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .. import schema
from ..corpus import Corpus, Document
from ..indicators import IndicatorRegistry, load_registry
from .numbers import ValueMention, find_values, parse_chinese_numeral, parse_number
from .phrases import clean_indicator
from .sentences import document_records

__all__ = [
    "ValueMention",
    "clean_indicator",
    "extract_document",
    "extract_statements",
    "find_values",
    "parse_chinese_numeral",
    "parse_number",
]


def extract_document(doc: Document, registry: IndicatorRegistry | None = None) -> pd.DataFrame:
    """Statements of one document."""
    registry = registry or load_registry()
    records = document_records(doc, registry)
    if not records:
        return schema.empty("statements")
    return schema.coerce("statements", pd.DataFrame.from_records(records))


def extract_statements(
    corpus: Corpus | Iterable[Document], registry: IndicatorRegistry | None = None
) -> pd.DataFrame:
    """Extract every quantitative statement of ``corpus`` into one table (see module docstring).

    Args:
        corpus: a :class:`~qzanalysis.corpus.Corpus` (or any iterable of Documents).
        registry: indicator registry for ``indicator_id`` (default: data/indicators.yaml).

    Returns:
        DataFrame with ``schema.STATEMENT_COLUMNS`` (dtypes ``schema.STATEMENT_DTYPES``), in
        document order.
    """
    registry = registry or load_registry()
    records: list[dict] = []
    for doc in corpus:
        records.extend(document_records(doc, registry))
    if not records:
        return schema.empty("statements")
    return schema.coerce("statements", pd.DataFrame.from_records(records))
