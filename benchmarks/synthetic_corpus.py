"""A synthetic corpus of N cities × 7 years for the scale benchmark (never data).

:func:`build_synthetic_corpus` rewrites the shipped documents (``data/raw``) once per city and
year slot, and writes a corpus folder ``load_corpus`` accepts (``manifest.csv`` + text files):

- **city names**: 衢州市 / 衢州 / 衢 become the invented city (合成甲子市 / 合成甲子 / 合; city 2 is
  合成乙子市, …: no digits, which the extractor would read as values, "合成001人民" = 1 人) and
  the six counties (柯城区, 衢江区, 江山市, 常山县, 开化县, 龙游县, and their bare names)
  invented counties of it (甲子东区, 甲子西区, …); a 6-digit ``city_code`` column (800001, …:
  no province has the code 80) is written only when :mod:`qzanalysis.corpus` knows that column;
- **years**: year slot k (0 … years-1) moves every document k years *back* (publication date,
  title, doc_id and the years its text names: "2019年", "2021—2025", "2020-04-24"), so each
  city has documents across ``years`` years and none is published after today; a year inside a
  value span or a document number (〔2021〕25号, …/2022-137066) is left alone;
- **figures**: every Arabic value the package's own number finder reports
  (:func:`qzanalysis.extract.numbers.find_values`: dates, ordinals, document numbers, slogans,
  PM2.5, ranks and thresholds are not values) is multiplied by a deterministic factor of
  1 ± 2-10 % (from the seed, city, slot, document and position), written with the same
  number of decimals and the same thousands separators (a percentage ≤ 100 stays ≤ 100);
- **hashes**: every document is written as UTF-8 and its sha256 recomputed in the manifest.

The folder (default ``outputs/bench/synthetic_<N>``) holds a ``README.txt`` ("synthetic benchmark
corpus, not data") and a ``stamp.json`` (N, years, seed, generator version, the source corpus's
fingerprint, whether city_code is written); a folder whose stamp matches is reused as it is.
Writing under ``data/`` (or inside the source corpus) is refused, and so is a non-empty folder
without a stamp (it is not ours to replace).

    .venv/bin/python benchmarks/synthetic_corpus.py 10      # writes outputs/bench/synthetic_10
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from qzanalysis import corpus as corpus_module  # noqa: E402
from qzanalysis import paths  # noqa: E402
from qzanalysis.corpus import MANIFEST_NAME, Corpus, Document, load_corpus  # noqa: E402
from qzanalysis.extract.numbers import find_values  # noqa: E402

__all__ = [
    "GENERATOR_VERSION",
    "README_TEXT",
    "SyntheticCorpusError",
    "build_synthetic_corpus",
    "city_code",
    "city_name",
    "city_tag",
    "default_out_dir",
    "writes_city_code",
]

#: Bump when the output of the generator changes: a folder with another version is rebuilt.
GENERATOR_VERSION = "2"
STAMP_NAME = "stamp.json"
README_NAME = "README.txt"
README_TEXT = (
    "synthetic benchmark corpus, not data\n\n"
    "Written by benchmarks/synthetic_corpus.py for the scale benchmark "
    "(benchmarks/bench_scale.py): the shipped documents of data/raw with the city names "
    "replaced by invented ones, years shifted back per year slot and every figure perturbed. "
    "Nothing here is a real document or a real figure; never cite it, never analyse it.\n"
)
#: Counties (and districts) of Quzhou, full name first, and the invented one's suffix.
COUNTIES = (
    ("柯城区", "柯城", "东区"),
    ("衢江区", "衢江", "西区"),
    ("江山市", "江山", "南市"),
    ("常山县", "常山", "北县"),
    ("开化县", "开化", "中县"),
    ("龙游县", "龙游", "新县"),
)
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
#: 120 two-character stems, then 22 third characters.
MAX_CITIES = 120 * 23
#: The relative change of a figure: 2-10 % up or down (never 0, so most figures do change).
PERTURB_MIN, PERTURB_MAX = 0.02, 0.10

# A year the text names: 1990-2099, not inside a longer number, a decimal or a code
# (…/2022-137066; 〔2021〕25号 is no match either), followed by 年 (a PDF's "2022 年" too), 届
# or a range/date separator, or after one ("2021—2025").
_YEAR = r"(?:199\d|20\d\d)"
_NOT_AFTER = r"(?<![\d./A-Za-z])(?<!\d,)"  # not inside 1,2022 or …/2022-137066
_NOT_BEFORE = r"(?![\d%])(?!\.\d)(?!,\d{3})"  # not 2022.5, 2022%, 2,022,000
_YEAR_RE = re.compile(
    rf"{_NOT_AFTER}{_YEAR}{_NOT_BEFORE}(?=[ \t]?年|届|[—\-–～~至]|、{_YEAR}年)"
    rf"|(?<={_YEAR}[—\-–～~至]){_YEAR}{_NOT_BEFORE}"
)
_ASCII_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_FULLWIDTH_DIGITS = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"．": "."})
_TO_FULLWIDTH = str.maketrans({str(i): chr(0xFF10 + i) for i in range(10)})


class SyntheticCorpusError(ValueError):
    """A synthetic corpus that cannot be written where asked (the message says why)."""


# --------------------------------------------------------------------------------------------
# Names and codes
# --------------------------------------------------------------------------------------------


def city_tag(index: int) -> str:
    """The invented name's stem for city ``index`` (1-based): 甲子, 乙子, … 癸亥, then a third
    character (甲子甲, …). No digit and no numeral: "合成001人民" would read as a value (1 人)."""
    if not 1 <= index <= MAX_CITIES:
        raise ValueError(f"city index {index} outside 1-{MAX_CITIES}")
    base = index - 1
    tag = _STEMS[base % 10] + _BRANCHES[(base // 10) % 12]
    extra = base // 120
    return tag + (_STEMS + _BRANCHES)[extra - 1] if extra else tag


def city_name(index: int) -> str:
    """The invented name of city ``index`` (1-based): 合成甲子市, 合成乙子市, …"""
    return f"合成{city_tag(index)}市"


def city_code(index: int) -> str:
    """A 6-digit code for city ``index``: 800001, … (the manifest's check wants a province digit
    1-8 first; no province has the code 80, so no real city is named)."""
    if not 1 <= index <= MAX_CITIES:
        raise ValueError(f"city index {index} outside 1-{MAX_CITIES}")
    return f"8{index:05d}"


def writes_city_code() -> bool:
    """True when the manifest format knows a ``city_code`` column (else it is left out)."""
    known = (
        *getattr(corpus_module, "REQUIRED_COLUMNS", ()),
        *getattr(corpus_module, "OPTIONAL_COLUMNS", ()),
    )
    return "city_code" in known


def _name_table(index: int) -> list[tuple[str, str]]:
    """(Quzhou name, invented name) pairs, longest first, for city ``index``."""
    tag = city_tag(index)
    pairs = [("衢州市", city_name(index)), ("衢州", f"合成{tag}")]
    for full, bare, suffix in COUNTIES:
        pairs += [(full, tag + suffix), (bare, tag + suffix[:-1])]
    pairs.append(("衢", "合"))  # the one-character name: 杭衢高铁, 驻衢部队, 三衢味
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


def replace_names(text: str, index: int) -> str:
    """``text`` with every Quzhou city and county name replaced by city ``index``'s."""
    table = _name_table(index)
    pattern = re.compile("|".join(re.escape(old) for old, _ in table))
    names = dict(table)
    return pattern.sub(lambda m: names[m.group(0)], text)


def default_out_dir(n_cities: int) -> Path:
    return paths.OUTPUTS_DIR / "bench" / f"synthetic_{n_cities}"


# --------------------------------------------------------------------------------------------
# Rewriting one document
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Edit:
    """A span of the original text to rewrite: a figure (``kind='figure'``, with ``key``, the
    figure's place in the document, and ``percent_cap``) or a year (``kind='year'``)."""

    start: int
    end: int
    kind: str
    key: int = 0
    percent_cap: bool = False


def _figure_edits(doc: Document) -> tuple[list[_Edit], list[tuple[int, int]]]:
    """The Arabic figures of the values the number finder reports, as original-text spans, and
    the original spans of every value mention (no year inside one is shifted)."""
    view = doc.normalized
    edits: list[_Edit] = []
    spans: list[tuple[int, int]] = []
    for key, mention in enumerate(find_values(view.text)):
        spans.append(view.to_original(mention.start, mention.end))
        if mention.special or mention.threshold:
            continue  # ranks, ratios, grades…: their number is part of a form; thresholds: a name
        segment = view.text[mention.num_start : mention.end]
        for m in _ASCII_NUMBER.finditer(segment):
            start, end = view.to_original(
                mention.num_start + m.start(), mention.num_start + m.end()
            )
            written = doc.text[start:end].translate(_FULLWIDTH_DIGITS)
            if not _ASCII_NUMBER.fullmatch(written):
                continue  # a number split by a stray space: left alone
            cap = mention.unit == "%" and float(written.replace(",", "")) <= 100
            edits.append(_Edit(start, end, "figure", key, cap))
    return edits, spans


def _year_edits(text: str, values: list[tuple[int, int]]) -> list[_Edit]:
    """The years ``text`` names, outside the value mentions."""
    busy = bytearray(len(text) + 1)
    for start, end in values:
        busy[start:end] = b"\x01" * (end - start)
    return [
        _Edit(m.start(), m.end(), "year")
        for m in _YEAR_RE.finditer(text)
        if not any(busy[m.start() : m.end()])
    ]


def plan_edits(doc: Document) -> list[_Edit]:
    """Every span of ``doc.text`` the generator rewrites, in order (the same for every city
    and slot: only the factors and the shift differ)."""
    figures, values = _figure_edits(doc)
    return sorted(figures + _year_edits(doc.text, values), key=lambda e: e.start)


def perturb_factor(seed: int, city: int, slot: int, doc_id: str, key: int) -> float:
    """A deterministic factor 1 ± [PERTURB_MIN, PERTURB_MAX] for one figure."""
    digest = hashlib.blake2b(f"{seed}:{city}:{slot}:{doc_id}:{key}".encode(), digest_size=8)
    u = int.from_bytes(digest.digest(), "big") / 2**64
    size = PERTURB_MIN + (PERTURB_MAX - PERTURB_MIN) * (2 * u % 1.0)
    return 1 + size if u >= 0.5 else 1 - size


def perturb_number(written: str, factor: float, *, percent_cap: bool = False) -> str:
    """``written`` ("216.1", "2,125.2", "６.７", "431") times ``factor``, in the same format:
    the same decimals, thousands separators and digit width; a capped percentage stays ≤ 100."""
    ascii_form = written.translate(_FULLWIDTH_DIGITS)
    plain = ascii_form.replace(",", "")
    decimals = len(plain.partition(".")[2])
    value = (Decimal(plain) * Decimal(repr(factor))).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    if percent_cap and value > 100:
        return written
    out = f"{value:,.{decimals}f}" if "," in ascii_form else f"{value:.{decimals}f}"
    if ascii_form != written:  # full-width digits (and point) as written
        out = out.translate(_TO_FULLWIDTH)
        out = out.replace(".", "．") if "．" in written else out
    return out


def shift_years(text: str, shift: int) -> str:
    """Every year ``text`` names moved by ``shift`` (negative: back)."""
    return _YEAR_RE.sub(lambda m: str(int(m.group(0)) + shift), text)


def shift_date(published: str, shift: int) -> str:
    """'YYYY-MM[-DD]' moved by ``shift`` years (29 February becomes the 28th when needed)."""
    year = int(published[:4]) + shift
    rest = published[4:]
    if rest == "-02-29" and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        rest = "-02-28"
    return f"{year}{rest}"


def rewrite_text(
    doc: Document, edits: list[_Edit], *, city: int, slot: int, seed: int, shift: int
) -> str:
    """``doc.text`` for one city and year slot: figures perturbed, years shifted, names replaced."""
    text, out, at = doc.text, [], 0
    for e in edits:
        out.append(text[at : e.start])
        span = text[e.start : e.end]
        if e.kind == "year":
            out.append(str(int(span.translate(_FULLWIDTH_DIGITS)) + shift))
        else:
            factor = perturb_factor(seed, city, slot, doc.doc_id, e.key)
            out.append(perturb_number(span, factor, percent_cap=e.percent_cap))
        at = e.end
    out.append(text[at:])
    return replace_names("".join(out), city)


# --------------------------------------------------------------------------------------------
# The corpus folder
# --------------------------------------------------------------------------------------------


def _stamp(n_cities: int, years: int, seed: int, source: Corpus) -> dict:
    return {
        "generator": "benchmarks/synthetic_corpus.py",
        "version": GENERATOR_VERSION,
        "n_cities": n_cities,
        "years": years,
        "seed": seed,
        "source": source.fingerprint(),
        "city_code": writes_city_code(),
    }


def _read_stamp(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _manifest_columns() -> list[str]:
    columns = ["doc_id", "file", "title", "doc_type", "issuer", "published", "city"]
    if writes_city_code():
        columns.append("city_code")
    return columns + ["encoding", "source", "sha256", "notes"]


def _document_rows(folder: Path, source: Corpus, n_cities: int, years: int, seed: int):
    """Write every document of the corpus into ``folder``; yield its manifest rows."""
    plans = {d.doc_id: plan_edits(d) for d in source}
    for city in range(1, n_cities + 1):
        city_dir = folder / f"c{city:03d}"
        city_dir.mkdir()
        for slot in range(years):
            shift = -slot
            for doc in source:
                text = rewrite_text(
                    doc, plans[doc.doc_id], city=city, slot=slot, seed=seed, shift=shift
                )
                data = text.encode("utf-8")
                name = f"y{slot}_{doc.file.stem}.txt"
                (city_dir / name).write_bytes(data)
                row = {
                    "doc_id": f"c{city:03d}_y{slot}_{shift_years_in_id(doc.doc_id, shift)}",
                    "file": f"c{city:03d}/{name}",
                    "title": replace_names(shift_years(doc.title, shift), city),
                    "doc_type": doc.doc_type,
                    "issuer": replace_names(doc.issuer, city),
                    "published": shift_date(doc.published, shift),
                    "city": city_name(city),
                    "city_code": city_code(city),
                    "encoding": "utf-8",
                    "source": f"synthetic: rewritten from {doc.file.name} ({doc.doc_id})",
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "notes": (
                        f"synthetic benchmark document, not data: city names replaced, years "
                        f"shifted by {shift}, figures perturbed (seed {seed})"
                    ),
                }
                yield row


def shift_years_in_id(doc_id: str, shift: int) -> str:
    """'wr2020' → 'wr2017' for a shift of -3 (ids keep their years readable)."""
    return re.sub(r"(?<!\d)(?:199\d|20\d\d)(?!\d)", lambda m: str(int(m.group(0)) + shift), doc_id)


def _write_corpus(folder: Path, source: Corpus, n_cities: int, years: int, seed: int) -> None:
    columns = _manifest_columns()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in _document_rows(folder, source, n_cities, years, seed):
        writer.writerow(row)
    (folder / MANIFEST_NAME).write_text(buffer.getvalue(), encoding="utf-8")
    (folder / README_NAME).write_text(README_TEXT, encoding="utf-8")
    stamp = _stamp(n_cities, years, seed, source)
    (folder / STAMP_NAME).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")


def _check_target(out_dir: Path, source: Corpus) -> Path:
    """``out_dir`` resolved, refused inside data/ (or the source corpus), or when it is a
    non-empty folder that is not a synthetic corpus (no stamp)."""
    try:
        target = paths.check_output(out_dir, inputs=[source.path], expect="dir")
    except paths.OutputPathError as exc:
        raise SyntheticCorpusError(f"refused: {exc} (a synthetic corpus is no data)") from None
    if target.is_dir() and any(target.iterdir()) and _read_stamp(target) is None:
        raise SyntheticCorpusError(
            f"refused: {target} is a non-empty folder without {STAMP_NAME}, so not a synthetic "
            "corpus this generator wrote; choose an empty or new folder"
        )
    return target


def build_synthetic_corpus(
    n_cities: int,
    out_dir: str | Path | None = None,
    *,
    years: int = 7,
    seed: int = 0,
    source: str | Path | None = None,
) -> Path:
    """Write (or reuse) a synthetic corpus of ``n_cities`` × ``years`` year slots; its folder.

    ``source``: the corpus to rewrite (default ``data/raw``). The folder is reused untouched
    when its stamp matches; otherwise it is written afresh into a temporary sibling folder and
    renamed into place, so a reader never sees half a corpus.

    Raises:
        SyntheticCorpusError: ``out_dir`` is inside data/ or the source corpus, or a non-empty
            folder this generator did not write.
        ValueError: ``n_cities`` or ``years`` out of range.
    """
    if not 1 <= n_cities <= MAX_CITIES:
        raise ValueError(f"n_cities={n_cities}: give 1 to {MAX_CITIES} cities")
    if not 1 <= years <= 30:
        raise ValueError(f"years={years}: give 1 to 30 year slots")
    source_corpus = load_corpus(source)
    target = _check_target(Path(out_dir) if out_dir else default_out_dir(n_cities), source_corpus)
    wanted = _stamp(n_cities, years, seed, source_corpus)
    if _read_stamp(target) == wanted and (target / MANIFEST_NAME).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.parent / f".{target.name}.building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    try:
        _write_corpus(building, source_corpus, n_cities, years, seed)
        _replace_folder(target, building, wanted)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def _replace_folder(target: Path, built: Path, wanted: dict) -> None:
    """Move ``built`` to ``target``, replacing an older synthetic corpus there (never a folder
    without a stamp); when another process got there first with the same stamp, keep its."""
    if target.exists():
        if _read_stamp(target) == wanted:
            return
        if any(target.iterdir()) and _read_stamp(target) is None:
            raise SyntheticCorpusError(f"refused: {target} changed meanwhile and has no stamp")
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        os.replace(target, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(built, target)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n_cities", type=int)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--years", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = datetime.datetime.now()
    folder = build_synthetic_corpus(args.n_cities, args.out, years=args.years, seed=args.seed)
    seconds = (datetime.datetime.now() - started).total_seconds()
    print(f"{folder} ({args.n_cities} cities × {args.years} years) in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
