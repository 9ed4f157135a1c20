"""The indicator registry: canonical ids for the phrases documents use.

``data/indicators.yaml`` sits beside the data so a researcher can add a synonym or an indicator
without touching Python. Each entry::

    - id: gdp
      name_zh: 地区生产总值
      synonyms: [全市生产总值, 生产总值, GDP]
      name_en: Gross domestic product
      unit: 亿元            # the unit levels are usually stated in ('%' for shares)
      polarity: higher_better   # higher_better | lower_better | two_sided
      category: economy          # economy fiscal income industry innovation environment
                                 # employment society governance
      exclude: [人均]            # optional: a phrase containing any of these is not this id

Matching (:meth:`IndicatorRegistry.match`) picks the entry whose longest name or synonym occurs
in the phrase, so "城镇居民人均可支配收入" maps to urban_disposable_income, not to a shorter
"人均可支配收入".

Phrases without an id are compared as text (methods.md §7): :func:`normalise_phrase` folds
full-width characters, drops spaces and quotation marks and strips the qualifiers of
:data:`TEXT_QUALIFIERS`; :meth:`IndicatorRegistry.text_key` also applies the registry's synonyms.
Near phrases are only suggestions for this file (:func:`suggest_synonyms`), never matches.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from . import paths
from .schema import CATEGORIES, POLARITIES

#: Qualifiers removed from an indicator phrase before it is compared as text. Each one leaves
#: what is measured unchanged, for the reason given beside it. Qualifiers that change the
#: population or the area are kept, and so are never listed here: 市区 and 中心城区 (the urban
#: districts, not the whole city: 市区常住人口 is not 常住人口), 城镇 / 农村 / 城乡 (who is
#: counted), 规上 / 规模以上 (which firms), 全省 / 全国 (another territory), 市本级 (the city
#: government's own accounts), 各县(市、区) / 每个县 (a figure per county), 新增 / 新建 (a flow,
#: not a stock). Longer qualifiers are removed first, so 全市域 goes before 全市 and 市域.
TEXT_QUALIFIERS: tuple[str, ...] = (
    "全市域",  # the whole municipal territory: what a city document's figures cover anyway
    "全市",  # the whole city: the default scope of a city's figures (全市生产总值 = 生产总值)
    "市域",  # the city's territory, as 全市 (市域出境水水质 = 出境水水质)
    "我市",  # "our city": the issuing city itself
    "全年",  # a full year: the period is in period_start/period_end and must be equal anyway
    "年度",  # "annual" (年度任务完成率): likewise carried by the period, which must match
    "累计",  # cumulative: the span is in the period (and the measure), which must match anyway,
    # so 上市公司(累计) for 2025 and 上市公司 for 2025 are the same stock
)
#: Characters dropped before comparing phrases: spaces (PDF line breaks) and quotation marks,
#: which mark a programme's name (新增“浙江制造”标准) without changing it.
_DROPPED_CHARS = re.compile(r"[\s“”‘’\"'「」『』]")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)")


def normalise_phrase(phrase: str | None) -> str:
    """An indicator phrase as text matching compares it: NFKC-folded (full-width letters, digits
    and brackets become ASCII), without spaces, quotation marks or :data:`TEXT_QUALIFIERS`."""
    if not isinstance(phrase, str):
        return ""
    text = _DROPPED_CHARS.sub("", unicodedata.normalize("NFKC", phrase))
    for qualifier in sorted(TEXT_QUALIFIERS, key=len, reverse=True):
        text = text.replace(qualifier, "")
    return _EMPTY_BRACKETS.sub("", text)


#: A phrase opening with the name of a county-level place ("江山市生产总值", "龙游县…", "柯城区…"):
#: two characters and 县/区/市. Its figure is that place's, not the city's, so it gets no id of the
#: registry (a county's GDP must never be compared with the city's GDP target).
_PLACE_OPENING = re.compile(
    # not a zone or a kind of area inside the city (集聚区, 开发区, 山区, 城区 …)
    r"^(?!集聚|开发|示范|功能|高新|保税|试验|先行|核心|景区|园区|山区|城区|市区|社区|小区|新区|片区|街区|"
    r"湾区|都市|城市)[\u4e00-\u9fff]{2}[县区市]"
)


def place_opening(phrase: str | None) -> str:
    """The county-level place name a phrase opens with ("龙游县生产总值" -> "龙游县"), or ""."""
    m = _PLACE_OPENING.match(phrase or "")
    return m.group(0) if m else ""


def other_territory(phrase: str | None, home: str = "") -> bool:
    """True when ``phrase`` opens with a county-level place other than ``home`` (the city the
    document is about, e.g. 衢州市: "衢州市生产总值" is the city's own)."""
    m = _PLACE_OPENING.match(phrase or "")
    if m is None:
        return False
    return not (home and (m.group(0) == home or home.startswith(m.group(0)[:2])))


class RegistryError(ValueError):
    """A malformed indicators.yaml: the message names the entry and what to fix."""


#: Words of an indicator's name that make its growth a real (constant-price) rate.
REAL_GROWTH_WORDS = ("生产总值", "增加值")


def real_growth_ids(registry: IndicatorRegistry) -> frozenset[str]:
    """Ids of the indicators whose growth is real (see :attr:`Indicator.growth_is_real`)."""
    return frozenset(ind.id for ind in registry if ind.growth_is_real)


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    unit: str
    polarity: str
    category: str
    synonyms: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()  # optional: the measures this id is used with

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name_zh, *self.synonyms)

    @property
    def growth_is_real(self) -> bool:
        """Statistics state this indicator's growth in real terms (at constant prices) while its
        level is nominal: GDP, GDP per capita and every value added (生产总值, 增加值)."""
        return any(w in self.name_zh for w in REAL_GROWTH_WORDS)

    @property
    def label(self) -> str:
        """Chinese name with English gloss, as reports show it."""
        return f"{self.name_zh} ({self.name_en})"


@dataclass
class IndicatorRegistry:
    indicators: dict[str, Indicator]
    source: Path | None = None
    _patterns: list[tuple[str, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        # Longest name first so the most specific phrase wins.
        pats = [(name, ind.id) for ind in self.indicators.values() for name in ind.names if name]
        self._patterns = sorted(pats, key=lambda p: -len(p[0]))

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.indicators

    def __getitem__(self, indicator_id: str) -> Indicator:
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise KeyError(
                f"unknown indicator id {indicator_id!r}; add it to {self.source or 'indicators.yaml'}"
            ) from None

    def __iter__(self):
        return iter(self.indicators.values())

    def get(self, indicator_id: str | None) -> Indicator | None:
        return self.indicators.get(indicator_id) if indicator_id else None

    def match(self, phrase: str | None, home: str = "") -> str | None:
        """Return the id whose longest name/synonym occurs in ``phrase``, or None (also for a
        phrase about another territory than ``home``, see :func:`other_territory`)."""
        if not phrase or other_territory(phrase, home):
            return None
        for name, ind_id in self._patterns:
            if name in phrase:
                ind = self.indicators[ind_id]
                if any(x in phrase for x in ind.exclude):
                    continue
                return ind_id
        return None

    def text_key(self, phrase: str | None) -> str:
        """The key two phrases without an id are matched by: the normalised phrase, or the
        normalised Chinese name of the entry the registry maps it to (so two spellings the
        registry treats as synonyms share one key); "" for an empty phrase."""
        norm = normalise_phrase(phrase)
        ind_id = self.match(norm) if norm else None
        return normalise_phrase(self.indicators[ind_id].name_zh) if ind_id else norm

    def polarity(self, indicator_id: str) -> str:
        return self[indicator_id].polarity

    def label(self, indicator_id: str | None, fallback: str = "") -> str:
        ind = self.get(indicator_id)
        return ind.label if ind else fallback

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "indicator_id": i.id,
                    "name_zh": i.name_zh,
                    "name_en": i.name_en,
                    "unit": i.unit,
                    "polarity": i.polarity,
                    "category": i.category,
                    "synonyms": "; ".join(i.synonyms),
                }
                for i in self.indicators.values()
            ]
        )


def load_registry(path: str | Path | None = None) -> IndicatorRegistry:
    """Load and validate ``data/indicators.yaml`` (or ``path``).

    Raises:
        RegistryError: naming the file (and entry) and what to fix, for a missing or unreadable
            file, invalid YAML, a file that is not a list of entries, an entry without a required
            field, a list field that is not a list, a duplicated id, or a name or synonym used by
            two ids.
    """
    file = Path(path) if path else paths.INDICATORS_FILE
    try:
        mtime = file.stat().st_mtime_ns
    except OSError:
        raise RegistryError(
            f"{file}: indicator registry not found; restore data/indicators.yaml or pass the "
            "path of your registry"
        ) from None
    return _load_registry_cached(str(file.resolve()), mtime)


_REQUIRED_FIELDS = ("id", "name_zh", "name_en", "polarity", "category")
_LIST_FIELDS = ("synonyms", "exclude", "measures")


@lru_cache(maxsize=8)
def _load_registry_cached(file: str, _mtime: int) -> IndicatorRegistry:
    path = Path(file)
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise RegistryError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if isinstance(entries, dict) and "indicators" in entries:
        entries = entries["indicators"]
    if not isinstance(entries, list):
        raise RegistryError(
            f"{path}: expected a list of indicators (or an 'indicators:' list), found "
            f"{type(entries).__name__}; start each entry with '- id: ...'"
        )
    indicators: dict[str, Indicator] = {}
    seen_names: dict[str, str] = {}
    for n, entry in enumerate(entries, 1):
        where = f"{path.name} entry {n}"
        ind = _parse_entry(entry, where)
        if ind.id in indicators:
            raise RegistryError(f"{where}: id {ind.id!r} appears twice; keep one entry per id")
        for name in ind.names:
            if name in seen_names and seen_names[name] != ind.id:
                raise RegistryError(
                    f"{where} ({ind.id}): name {name!r} is already used by {seen_names[name]}; "
                    "a phrase can map to one id only: remove it from one of the two entries"
                )
            seen_names[name] = ind.id
        indicators[ind.id] = ind
    return IndicatorRegistry(indicators, source=path)


def _parse_entry(entry: object, where: str) -> Indicator:
    """One registry entry, validated (see :func:`load_registry`)."""
    if not isinstance(entry, dict):
        raise RegistryError(f"{where}: expected a mapping with id, name_zh, name_en, ...")
    missing = [k for k in _REQUIRED_FIELDS if not entry.get(k)]
    if missing:
        raise RegistryError(f"{where} ({entry.get('id', '?')}): missing {', '.join(missing)}")
    ind_id = str(entry["id"])
    if entry["polarity"] not in POLARITIES:
        raise RegistryError(
            f"{where} ({ind_id}): polarity {entry['polarity']!r}; use one of {', '.join(POLARITIES)}"
        )
    if entry["category"] not in CATEGORIES:
        raise RegistryError(
            f"{where} ({ind_id}): category {entry['category']!r}; use one of {', '.join(CATEGORIES)}"
        )
    for key in _LIST_FIELDS:
        value = entry.get(key)
        if value and not (
            isinstance(value, list) and all(isinstance(v, str | int | float) for v in value)
        ):
            raise RegistryError(
                f"{where} ({ind_id}): {key} must be a list of phrases, e.g. {key}: [甲, 乙]"
            )
    return Indicator(
        id=ind_id,
        name_zh=str(entry["name_zh"]),
        name_en=str(entry["name_en"]),
        unit=str(entry.get("unit") or ""),
        polarity=entry["polarity"],
        category=entry["category"],
        synonyms=tuple(str(s) for s in entry.get("synonyms") or ()),
        exclude=tuple(str(s) for s in entry.get("exclude") or ()),
        measures=tuple(str(s) for s in entry.get("measures") or ()),
    )


# --------------------------------------------------------------------------------------------
# Suggestions for the registry: near phrases, never matches
# --------------------------------------------------------------------------------------------

#: Two normalised phrases are near when one contains the other (the shorter one at least
#: SUGGEST_MIN_CONTAINED characters, so 项目 or 个人 suggest nothing) or when their
#: ``difflib.SequenceMatcher`` ratio, 2·(matching characters)/(total characters), is at least
#: SUGGEST_MIN_RATIO (衢州港吞吐量 / 衢州港货物吞吐量: 2·6/14 = 0.86).
SUGGEST_MIN_RATIO = 0.6
SUGGEST_MIN_CONTAINED = 3

SUGGESTION_COLUMNS = [
    "target_phrase",
    "target_ids",
    "source",
    "suggestion",
    "suggestion_ids",
    "match",
    "score",
]


def phrase_nearness(
    a: str, b: str, *, min_ratio: float = SUGGEST_MIN_RATIO
) -> tuple[str, float] | None:
    """How near two normalised phrases are: ("equal", 1.0), ("contains" / "contained in",
    length of the shorter over the longer), ("similar", SequenceMatcher ratio), or None."""
    if not a or not b:
        return None
    if a == b:
        return "equal", 1.0
    short, long_ = sorted((a, b), key=len)
    if len(short) >= SUGGEST_MIN_CONTAINED and short in long_:
        return ("contains" if a == long_ else "contained in"), round(len(short) / len(long_), 3)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < min_ratio or sm.quick_ratio() < min_ratio:
        return None
    ratio = sm.ratio()
    return ("similar", round(ratio, 3)) if ratio >= min_ratio else None


def _unmapped_groups(frame: pd.DataFrame) -> dict[str, tuple[str, list[str]]]:
    """normalised phrase -> (phrase as first written, statement ids) for rows without an id."""
    ids = frame["indicator_id"]
    rows = frame[ids.isna() | (ids.astype("string").fillna("") == "")]
    out: dict[str, tuple[str, list[str]]] = {}
    for phrase, sid in zip(rows["indicator_text"], rows["statement_id"], strict=True):
        key = normalise_phrase(phrase)
        if key:
            out.setdefault(key, (str(phrase), []))[1].append(str(sid))
    return out


def suggest_synonyms(
    statements: pd.DataFrame,
    registry: IndicatorRegistry,
    *,
    min_ratio: float = SUGGEST_MIN_RATIO,
    limit: int = 5,
) -> pd.DataFrame:
    """For every target phrase without an id, the nearest outcome phrases without an id and the
    nearest registry names (:func:`phrase_nearness`), best first, at most ``limit`` of each.

    A suggestion is for a researcher to judge: if the two phrases mean one indicator, add the
    phrase as a synonym (or a new entry) in data/indicators.yaml. Nothing is matched by it.
    ``match`` is equal (already matched by text), contains, contained in, or similar;
    ``suggestion_ids`` are the outcomes' statement ids, or the registry id.
    """
    targets = _unmapped_groups(statements[statements["kind"] == "target"])
    outcomes = _unmapped_groups(statements[statements["kind"] != "target"])
    names = {normalise_phrase(n): (n, ind.id) for ind in registry for n in ind.names}
    rows = []
    for key, (phrase, target_ids) in targets.items():
        near_outcomes = [
            (m, (o_phrase, ", ".join(o_ids)))
            for o_key, (o_phrase, o_ids) in outcomes.items()
            if (m := phrase_nearness(key, o_key, min_ratio=min_ratio))
        ]
        near_names = [
            (m, names[n_key])
            for n_key in names
            if (m := phrase_nearness(key, n_key, min_ratio=min_ratio))
        ]
        for source, near in (("outcome", near_outcomes), ("registry", near_names)):
            for (how, score), (text, ids) in sorted(near, key=lambda x: -x[0][1])[:limit]:
                rows.append(
                    {
                        "target_phrase": phrase,
                        "target_ids": ", ".join(target_ids),
                        "source": source,
                        "suggestion": text,
                        "suggestion_ids": ids,
                        "match": how,
                        "score": score,
                    }
                )
    return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)
