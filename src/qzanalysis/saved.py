"""The analysis saved once, so every report notebook loads it instead of recomputing it.

:func:`save_analysis` writes every DataFrame field of :class:`~qzanalysis.pipeline.Analysis`
(found with :func:`dataclasses.fields`, so new tables are saved without a change here) as
Parquet, plus ``analysis.json`` (the key, what it hashed, the parameters, the package version,
when), into ``out_dir`` (default ``outputs/analysis/``). It writes a temporary folder beside it
and renames it into place, so a reader sees the old analysis or the new one, never half of one.

:func:`saved_state` answers "is the saved analysis what ``analyse(corpus_dir, **params)`` would
compute now?": it reloads the corpus, hashes the inputs (:func:`analysis_inputs`: the corpus,
the review, reference, indicator and exchange-rate files, the extraction rules, the package's
code and version, the parameters) and compares them with the saved key. It returns
``(analysis, reason)``: the saved Analysis (the corpus and registry reloaded, the tables from
Parquet with the dtypes of a fresh ``analyse()``) and why it was used, or ``(None, reason)``:
"saved analysis is stale (review file changed)". :func:`load_analysis` is its first half.

Nested analyses (``Analysis.parts``, one per city of a several-city corpus) are saved in
sub-folders and rebuilt with their own documents (``parameters["documents_used"]``).

Wiring:

- ``notebook.setup``: ``analysis, reason = load_or_analyse(corpus_dir or None,
  tolerance_pp=tolerance_pp, **kwargs)`` instead of ``analyse(...)``; when it recomputed,
  ``reason`` says why ("saved analysis is stale (review file changed): recomputed").
- ``report.runner``: before the notebooks run, ``_site_analysis`` calls the same
  ``load_or_analyse(corpus_dir, out_dir=out_dir / "analysis", tolerance_pp=…, as_of=…)`` (with
  ``--force``: ``analyse()`` then ``save_analysis(a, out_dir / "analysis", key=…,
  inputs=…)``), and ``_execute`` sets ``os.environ[ANALYSIS_DIR_ENV] = str(out_dir /
  "analysis")`` beside QZANALYSIS_ROOT so every kernel's setup() finds that folder.

Needs pyarrow (``pip install 'qzanalysis[parquet]'``); without it nothing is saved and every
notebook computes its own analysis, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import importlib.util
import inspect
import json
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, paths
from .corpus import Corpus, load_corpus
from .extract.cache import rules_version
from .indicators import IndicatorRegistry, load_registry
from .pipeline import Analysis, analyse

__all__ = [
    "analyse_parameters",
    "analysis_inputs",
    "analysis_key",
    "load_analysis",
    "load_or_analyse",
    "save_analysis",
    "saved_state",
]

#: Bump when the folder's layout changes (an older folder is then stale, never misread).
SAVED_FORMAT = 1
META_FILE = "analysis.json"
#: Environment variable naming the folder (set by the runner for the kernels it starts).
ANALYSIS_DIR_ENV = "QZANALYSIS_ANALYSIS_DIR"
#: Analysis fields rebuilt on load rather than saved: the documents' text is the corpus
#: folder's (its fingerprint is in the key), the registry is data/indicators.yaml's.
RELOADED_FIELDS = ("corpus", "registry")
#: What each input of the key is, for the reason a saved analysis is stale.
INPUT_NAMES = {
    "format": "saved by another layout",
    "corpus_dir": "another corpus folder",
    "corpus": "corpus changed",
    "review": "review file changed",
    "reference": "reference file changed",
    "indicators": "indicator registry changed",
    "rates": "exchange-rate file changed",
    "rules": "extraction rules changed",
    "code": "package code changed",
    "version": "package version changed",
    "pandas": "pandas version changed",
    "parameters": "other parameters",
}
#: analyse() parameters that change how the analysis is computed, not what it is (should
#: analyse() take them): never part of the key; load_or_analyse passes them on when it computes.
HOW_NOT_WHAT = ("executor", "scheduler", "cache_dir", "progress", "jobs")
_PACKAGE_DIR = Path(__file__).resolve().parent
_UMASK = os.umask(0)  # read once at import (setting it is process-wide), as tables.py does
os.umask(_UMASK)


def default_dir() -> Path:
    """``$QZANALYSIS_ANALYSIS_DIR`` when set (the report runner points its notebooks at its own
    out_dir), else outputs/analysis; read at call time, as every path."""
    env = os.environ.get(ANALYSIS_DIR_ENV)
    return Path(env) if env else paths.OUTPUTS_DIR / "analysis"


# --------------------------------------------------------------------------------------------
# The key
# --------------------------------------------------------------------------------------------


def analyse_parameters(**analyse_params: Any) -> dict[str, Any]:
    """:func:`~qzanalysis.pipeline.analyse`'s keyword parameters with its defaults filled in,
    so ``tolerance_pp=0.2`` and no tolerance at all give the same key.

    Raises:
        TypeError: a parameter ``analyse`` does not take (as ``analyse`` itself would).
    """
    signature = inspect.signature(analyse)
    bound = signature.bind(None, **analyse_params)
    bound.apply_defaults()
    params = dict(bound.arguments)
    params.pop(next(iter(signature.parameters)))  # corpus_dir: the corpus is keyed by itself
    for name in HOW_NOT_WHAT:
        params.pop(name, None)
    for name, value in params.items():
        default = signature.parameters[name].default
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            params[name] = float(value)  # 1 and 1.0 are the same tolerance
        elif isinstance(value, Path):
            params[name] = str(value)
    return params


def _file_digest(path: str | Path) -> str:
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"


@functools.cache
def _code_digest() -> str:
    """Every module of the package: a change to a comparison changes what analyse() returns.
    Once per process, like the code it describes (a file edited later is not what runs here)."""
    h = hashlib.sha256()
    for py in sorted(_PACKAGE_DIR.rglob("*.py")):
        h.update(py.relative_to(_PACKAGE_DIR).as_posix().encode() + b"\0" + py.read_bytes())
    return h.hexdigest()


def analysis_inputs(corpus: Corpus, parameters: Mapping[str, Any]) -> dict[str, str]:
    """What the key of an analysis hashes, by name (see :data:`INPUT_NAMES`).

    Args:
        corpus: the corpus as ``load_corpus(corpus_dir)`` returns it (before any ``as_of``).
        parameters: ``analyse()``'s keyword parameters (defaults are filled in).
    """
    params = analyse_parameters(**parameters)
    reference = params.get("reference_path") or paths.REFERENCE_FILE
    return {
        "format": str(SAVED_FORMAT),
        "corpus_dir": str(Path(corpus.path).resolve()),
        "corpus": corpus.fingerprint(),
        "review": _file_digest(paths.REVIEW_FILE) if params.get("review") else "not used",
        "reference": _file_digest(reference),
        "indicators": _file_digest(paths.INDICATORS_FILE),
        "rates": _file_digest(paths.CNY_USD_RATES_FILE),
        "rules": rules_version(),
        "code": _code_digest(),
        "version": __version__,
        "pandas": pd.__version__,
        "parameters": json.dumps(params, sort_keys=True, default=str),
    }


def _key_of(inputs: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(inputs), sort_keys=True).encode()).hexdigest()


def analysis_key(corpus: Corpus, parameters: Mapping[str, Any]) -> str:
    """Hash of :func:`analysis_inputs`: equal keys, equal analyses."""
    return _key_of(analysis_inputs(corpus, parameters))


def parquet_available() -> bool:
    """pyarrow, the engine whose round trip keeps pandas' dtypes (Int64, string, boolean)."""
    return importlib.util.find_spec("pyarrow") is not None


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def _is_analyses(value: object) -> bool:
    """A field such as ``Analysis.parts``: one-city analyses by city."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(v, Analysis) for v in value.values())
    )


def _json_value(value: object, where: str) -> Any:
    try:
        if json.loads(json.dumps(value)) == value:
            return value
    except (TypeError, ValueError):
        pass
    raise TypeError(
        f"{where} is a {type(value).__name__}: save_analysis stores DataFrames as Parquet, "
        "analyses by name as folders and plain JSON values; teach qzanalysis/saved.py to store it"
    )


def _write_content(folder: Path, analysis: Analysis) -> dict[str, Any]:
    """Write ``analysis``'s tables (and nested analyses, in sub-folders) into ``folder``;
    return what analysis.json says about them: parameters, JSON fields, tables, nested."""
    content: dict[str, Any] = {"parameters": {}, "fields": {}, "tables": {}, "nested": {}}
    folder.mkdir(parents=True, exist_ok=True)
    for f in dataclasses.fields(analysis):
        value = getattr(analysis, f.name)
        if f.name in RELOADED_FIELDS:
            continue
        if isinstance(value, pd.DataFrame):
            plain = value.copy(deep=False)
            plain.attrs = {}  # kept in analysis.json: pyarrow would store them as it pleases
            plain.to_parquet(folder / f"{f.name}.parquet")  # index too: a table keeps its own
            attrs = _json_value(value.attrs, f"Analysis.{f.name}.attrs")
            content["tables"][f.name] = {"rows": len(value), "attrs": attrs}
        elif _is_analyses(value):
            content["nested"][f.name] = [
                {"name": name, "content": _write_content(folder / f.name / str(i), part)}
                for i, (name, part) in enumerate(value.items())
            ]
        elif f.name == "parameters":
            content["parameters"] = _json_value(value, "Analysis.parameters")
        else:
            content["fields"][f.name] = _json_value(value, f"Analysis.{f.name}")
    return content


def _write_folder(folder: Path, analysis: Analysis, key: str, inputs: Mapping | None) -> None:
    meta: dict[str, Any] = {
        "format": SAVED_FORMAT,
        "key": key,
        "write_id": uuid.uuid4().hex,  # tells a reader the folder was swapped under it
        "package_version": __version__,
        "written_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "inputs": dict(inputs or {}),
        **_write_content(folder, analysis),
    }
    text = json.dumps(meta, ensure_ascii=False, indent=1)
    (folder / META_FILE).write_text(text, encoding="utf-8")


def _is_saved_folder(folder: Path) -> bool:
    """An empty folder, or one this module wrote (replacing anything else would lose it):
    analysis.json, tables, and folders of nested analyses named after Analysis fields."""
    entries = list(folder.iterdir())
    fields = {f.name for f in dataclasses.fields(Analysis)}
    return not entries or (
        (folder / META_FILE).is_file()
        and all(
            (e.is_file() and e.suffix in (".parquet", ".json")) or (e.is_dir() and e.name in fields)
            for e in entries
        )
    )


def _swap_in(new: Path, out_dir: Path) -> None:
    """Put the folder ``new`` at ``out_dir``: a rename, so readers never see it half written
    (between the two renames ``out_dir`` is briefly absent: a reader then recomputes)."""
    for _attempt in range(3):
        old = out_dir.with_name(f".{out_dir.name}.old.{uuid.uuid4().hex[:8]}")
        try:
            os.rename(out_dir, old)
        except FileNotFoundError:
            old = None
        try:
            os.rename(new, out_dir)
            return
        except OSError:  # another writer put its folder there meanwhile: try again
            continue
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    raise OSError(f"cannot put the saved analysis at {out_dir}: other writers keep replacing it")


def save_analysis(
    analysis: Analysis,
    out_dir: str | Path | None = None,
    *,
    key: str,
    inputs: Mapping[str, str] | None = None,
) -> Path:
    """Save ``analysis`` into ``out_dir`` (default outputs/analysis), replacing what was there.

    Args:
        key: :func:`analysis_key` of the corpus and parameters it was computed from.
        inputs: :func:`analysis_inputs` behind ``key`` (lets a later :func:`saved_state` say
            which input changed; without it the reason is only "key changed").

    Returns:
        The folder (resolved).

    Raises:
        qzanalysis.paths.OutputPathError: ``out_dir`` under data/, inside the corpus, a file,
            or a folder holding anything but a saved analysis.
        TypeError: an Analysis field that is neither a DataFrame nor a JSON value.
        ImportError: no Parquet engine (pyarrow).
    """
    out_dir = paths.check_output(out_dir or default_dir(), (analysis.corpus.path,), expect="dir")
    if out_dir.is_dir() and not _is_saved_folder(out_dir):
        raise paths.OutputPathError(
            f"{out_dir} holds files that are not a saved analysis; name an empty or new folder"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        _write_folder(tmp, analysis, key, inputs)
        os.chmod(tmp, 0o777 & ~_UMASK)  # mkdtemp makes it private; outputs are shared
        _swap_in(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already when swapped in
    return out_dir


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _read_meta(out_dir: Path) -> dict | None:
    try:
        meta = json.loads((out_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _stale_reason(meta: dict, inputs: Mapping[str, str]) -> str:
    saved = meta.get("inputs") or {}
    changed = [INPUT_NAMES.get(n, n) for n in inputs if n in saved and saved[n] != inputs[n]]
    return f"saved analysis is stale ({', '.join(changed) or 'key changed'})"


def _read_tables(folder: Path, content: dict) -> dict[str, pd.DataFrame]:
    """The saved tables with their attrs; raises OSError/ValueError when one cannot be read."""
    tables = {}
    for name, info in content["tables"].items():
        frame = pd.read_parquet(folder / f"{name}.parquet")
        if len(frame) != info["rows"]:
            raise ValueError(f"{name}.parquet has {len(frame)} rows, not {info['rows']}")
        frame.attrs = info.get("attrs", {})
        tables[name] = frame
    return tables


def _documents_used(corpus: Corpus, params: dict) -> Corpus | None:
    """The documents an analysis (or one city's part of it) read, in manifest order; None
    when the corpus does not hold them (a key collision, or a part saved by other code)."""
    wanted = params.get("documents_used")
    if wanted is None:  # an analysis that does not list them: the corpus, as of its date
        return corpus.published_by(params["as_of"]) if params.get("as_of") else corpus
    docs = [d for d in corpus if d.doc_id in set(wanted)]
    return Corpus(path=corpus.path, documents=docs) if [d.doc_id for d in docs] == wanted else None


def _build(
    folder: Path, content: dict, corpus: Corpus, registry: IndicatorRegistry
) -> Analysis | None:
    """The Analysis saved in ``folder`` (nested analyses too); None when its fields or its
    documents are not what this code and this corpus have."""
    used = _documents_used(corpus, content["parameters"])
    if used is None:
        return None
    parts: dict[str, Any] = {
        "corpus": used,
        "registry": registry,
        # the folder as this caller named it, as analyse() would report it
        "parameters": {**content["parameters"], "corpus_dir": str(corpus.path)},
        **content.get("fields", {}),
        **_read_tables(folder, content),
    }
    for name, entries in content.get("nested", {}).items():
        nested = {}
        for i, entry in enumerate(entries):
            nested[entry["name"]] = _build(
                folder / name / str(i), entry["content"], corpus, registry
            )
        if any(v is None for v in nested.values()):
            return None
        parts[name] = nested
    wanted = {f.name for f in dataclasses.fields(Analysis) if f.init}
    return Analysis(**parts) if set(parts) == wanted else None


def _check(
    out_dir: Path, corpus_dir: str | Path | None, params: dict
) -> tuple[Analysis | None, str, dict[str, str]]:
    """(saved analysis or None, why, the inputs as they are now)."""
    corpus = load_corpus(corpus_dir)  # a broken corpus raises here as analyse() would
    inputs = analysis_inputs(corpus, params)
    meta = _read_meta(out_dir)
    if meta is None:
        return None, f"no saved analysis in {out_dir}", inputs
    if meta.get("format") != SAVED_FORMAT or meta.get("key") != _key_of(inputs):
        return None, _stale_reason(meta, inputs), inputs
    if not parquet_available():
        return None, "reading the saved analysis needs pyarrow (pip install pyarrow)", inputs
    try:
        analysis = _build(out_dir, meta, corpus, load_registry())
    except Exception as exc:  # noqa: BLE001 - an unreadable save is recomputed, never an error
        return None, f"saved analysis unreadable ({type(exc).__name__}: {exc})", inputs
    again = _read_meta(out_dir)  # a writer may have swapped the folder while we read it
    if again is None or again.get("write_id") != meta.get("write_id"):
        return None, "saved analysis was replaced while being read", inputs
    if analysis is None:
        return (
            None,
            "saved analysis does not fit this code (its fields or documents differ)",
            inputs,
        )
    return analysis, f"saved analysis of {meta.get('written_at', '?')} is up to date", inputs


def saved_state(
    out_dir: str | Path | None = None,
    *,
    corpus_dir: str | Path | None = None,
    **analyse_params: Any,
) -> tuple[Analysis | None, str]:
    """``(analysis, reason)``: the saved analysis when it is what ``analyse(corpus_dir,
    **analyse_params)`` would compute now, else ``(None, why not)`` — "no saved analysis in …",
    "saved analysis is stale (review file changed)", "saved analysis unreadable (…)".

    Raises:
        qzanalysis.corpus.CorpusError: the corpus cannot be loaded (as analyse() would).
        TypeError: a parameter analyse() does not take.
    """
    params = analyse_parameters(**analyse_params)
    analysis, reason, _ = _check(Path(out_dir or default_dir()), corpus_dir, params)
    return analysis, reason


def load_analysis(
    out_dir: str | Path | None = None,
    *,
    corpus_dir: str | Path | None = None,
    **analyse_params: Any,
) -> Analysis | None:
    """The saved analysis when it is up to date, else None (:func:`saved_state` says why)."""
    return saved_state(out_dir, corpus_dir=corpus_dir, **analyse_params)[0]


def load_or_analyse(
    corpus_dir: str | Path | None = None,
    *,
    out_dir: str | Path | None = None,
    save: bool = True,
    **analyse_params: Any,
) -> tuple[Analysis, str]:
    """The saved analysis if it is up to date, else ``analyse()`` (saved for the next caller
    when ``save`` and pyarrow is there); and the reason, to print when it recomputed.

    A save that fails on disk (full, read-only) is a warning: the analysis is returned anyway.
    """
    params = analyse_parameters(**analyse_params)
    folder = Path(out_dir or default_dir())
    analysis, reason, inputs = _check(folder, corpus_dir, params)
    if analysis is not None:
        return analysis, reason
    # inputs were hashed before computing: a file changed meanwhile makes the save stale
    how = {k: v for k, v in analyse_params.items() if k in HOW_NOT_WHAT}
    analysis = analyse(corpus_dir, **params, **how)
    if save and parquet_available():
        try:
            save_analysis(analysis, folder, key=_key_of(inputs), inputs=inputs)
        except OSError as exc:
            warnings.warn(f"the analysis could not be saved in {folder}: {exc}", stacklevel=2)
    return analysis, f"{reason}: recomputed"
