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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from . import paths
from .schema import CATEGORIES, POLARITIES


class RegistryError(ValueError):
    """A malformed indicators.yaml: the message names the entry and what to fix."""


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

    def match(self, phrase: str | None) -> str | None:
        """Return the id whose longest name/synonym occurs in ``phrase``, or None."""
        if not phrase:
            return None
        for name, ind_id in self._patterns:
            if name in phrase:
                ind = self.indicators[ind_id]
                if any(x in phrase for x in ind.exclude):
                    continue
                return ind_id
        return None

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
    """Load and validate ``data/indicators.yaml`` (or ``path``)."""
    file = Path(path) if path else paths.INDICATORS_FILE
    return _load_registry_cached(str(file.resolve()), file.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_registry_cached(file: str, _mtime: int) -> IndicatorRegistry:
    path = Path(file)
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from None
    if isinstance(entries, dict) and "indicators" in entries:
        entries = entries["indicators"]
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected a list of indicators (or 'indicators:' list)")
    indicators: dict[str, Indicator] = {}
    seen_names: dict[str, str] = {}
    for n, entry in enumerate(entries, 1):
        where = f"{path.name} entry {n}"
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: expected a mapping with id, name_zh, name_en, ...")
        missing = [
            k for k in ("id", "name_zh", "name_en", "polarity", "category") if not entry.get(k)
        ]
        if missing:
            raise RegistryError(f"{where} ({entry.get('id', '?')}): missing {', '.join(missing)}")
        ind_id = str(entry["id"])
        if ind_id in indicators:
            raise RegistryError(f"{where}: id {ind_id!r} appears twice")
        if entry["polarity"] not in POLARITIES:
            raise RegistryError(
                f"{where} ({ind_id}): polarity {entry['polarity']!r}; use one of {', '.join(POLARITIES)}"
            )
        if entry["category"] not in CATEGORIES:
            raise RegistryError(
                f"{where} ({ind_id}): category {entry['category']!r}; use one of {', '.join(CATEGORIES)}"
            )
        ind = Indicator(
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
        for name in ind.names:
            if name in seen_names and seen_names[name] != ind_id:
                raise RegistryError(
                    f"{where} ({ind_id}): name {name!r} is already used by {seen_names[name]}"
                )
            seen_names[name] = ind_id
        indicators[ind_id] = ind
    return IndicatorRegistry(indicators, source=path)
