"""Fuzzing the extractor (GitHub issue 12): random short documents of Chinese words, digits,
punctuation and units never raise, and every row's evidence is the exact span it names.

The generator is seeded, so a failure is reproducible: the assertion message holds the seed and
the text.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from qzanalysis.corpus import Document
from qzanalysis.extract import extract_document, rules
from qzanalysis.indicators import load_registry

_WORDS = (
    "全市 生产总值 增长 目标 完成 达到 新增 累计 比上年 下降 提高 左右 以上 以内 年均 "
    "规上工业 增加值 城乡居民 人均可支配收入 一般公共预算收入 项目 目 第一 全省 翻一番 "
    "亿元 万人 个百分点 预期 力争 实现 到2025年 十四五 期间 分别 和 其中 同比 个 家 项"
)
WORDS = _WORDS.split()
CJK = "的一是在了不和有大这主中人上为们地个用工时要动国产以我到他会作来分生对于学下级"
PUNCT = list("，。；：、（）“”《》—…!?%.-/ \n\t\u3000") + ["\r\n", "\r", "  "]
DIGITS = "0123456789０１２３４５６７８９零一二两三四五六七八九十百千万亿"
UNITS = list(rules.UNITS)
YEARS = ["2019年", "2020年", "2021—2025年", "2035年", "1-11月", "上半年"]

N_DOCUMENTS = 400
TIME_BUDGET_S = 20.0  # a hard stop well above the usual run time (about 2-4 s)


def random_number(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return str(round(rng.uniform(0, 5000), rng.choice([0, 1, 2])))
    if kind < 0.8:
        return "".join(rng.choice(DIGITS) for _ in range(rng.randint(1, 4)))
    return f"{rng.randint(1, 99)}.{rng.randint(0, 9)}—{rng.randint(1, 99)}"


def random_text(rng: random.Random) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(1, 40)):
        r = rng.random()
        if r < 0.35:
            parts.append(rng.choice(WORDS))
        elif r < 0.5:
            parts.append("".join(rng.choice(CJK) for _ in range(rng.randint(1, 4))))
        elif r < 0.7:
            parts.append(random_number(rng) + (rng.choice(UNITS) if rng.random() < 0.7 else ""))
        elif r < 0.8:
            parts.append(rng.choice(YEARS))
        else:
            parts.append(rng.choice(PUNCT))
    return "".join(parts)


def make_doc(text: str, i: int) -> Document:
    return Document(
        doc_id=f"fuzz{i}",
        file=Path(f"fuzz{i}.txt"),
        title="随机文本",
        doc_type="work_report",
        issuer="x",
        published="2021-02-01",
        city="衢州市",
        text=text,
        encoding="utf-8",
        sha256="0" * 64,
    )


def test_random_documents_never_raise_and_evidence_is_exact():
    registry = load_registry()
    rng = random.Random(12)
    started = time.perf_counter()
    rows = 0
    for i in range(N_DOCUMENTS):
        if time.perf_counter() - started > TIME_BUDGET_S:
            pytest.fail(f"fuzzing took over {TIME_BUDGET_S} s after {i} documents")
        text = random_text(rng)
        try:
            table = extract_document(make_doc(text, i), registry)
        except Exception as exc:  # report the input that crashed the extractor
            pytest.fail(f"document {i} (seed 12) raised {exc!r} on {text!r}")
        for row in table.itertuples():
            evidence = text[row.char_start : row.char_end]
            assert evidence == row.evidence, (i, text, row.char_start, row.char_end)
        rows += len(table)
    assert rows > 0  # the generator produces text the extractor reads


#: A line of at least MIN_WRAPPED_LINE characters that stops mid-sentence is a PDF wrap: the
#: parsing view joins it to the next line, so the sentence (and its quote) spans the break.
WRAPPED = (
    "2020年全市生产总值增长6.5%，城乡居民人均可支配收入增长7%，一般公共预算收入增长5%，"
    "规上工业增加值增长8%，其中{br}数字经济核心产业增加值增长12%。"
)


@pytest.mark.parametrize("br", ["\n", "\r", "\r\n"])
def test_line_endings_give_the_same_statements(br):
    table = extract_document(make_doc(WRAPPED.format(br=br), 0))
    plain = extract_document(make_doc(WRAPPED.format(br="\n"), 0))
    assert list(table["value"]) == list(plain["value"]) == [6.5, 7.0, 5.0, 8.0, 12.0]
    text = WRAPPED.format(br=br)
    assert all(
        text[a:b] == e
        for a, b, e in zip(table.char_start, table.char_end, table.evidence, strict=True)
    )


def test_quote_of_a_wrapped_sentence_holds_no_bare_cr():
    table = extract_document(make_doc(WRAPPED.format(br="\r"), 0))
    assert not table["quote"].str.contains("\r").any()
