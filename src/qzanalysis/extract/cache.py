"""Extract each document once: :func:`extract_corpus` caches every document's statements.

``extract_corpus(corpus, registry)`` returns an :class:`Extraction` whose ``statements`` equal
``extract_statements(corpus, registry)`` exactly (rows, order, ids, dtypes): extraction has no
cross-document step (a statement id hashes its own document's text; the ``~2`` suffix counts
within one document), so the table is the documents' tables one after the other, given the
statements dtypes once more.

A document's entry is one Parquet file under ``cache_dir`` (default
``outputs/.cache/extract/``), in a folder named by :data:`RULES_VERSION`, keyed by a hash of:

- the document's text (a hash of ``Document.text`` itself: ``Document.sha256`` is the file's
  bytes, and the same bytes decode to another text when the manifest's encoding changes),
- its ``doc_id`` (statement ids contain it) and the metadata extraction reads
  (:data:`DOCUMENT_FIELDS_READ`: type, publication date, title, city — the registry may map
  a phrase per city),
- :data:`RULES_VERSION` (the extractor's code and data/indicators.yaml) and the registry in use
  (a registry passed in need not be the file's).

Entries are written atomically (:func:`qzanalysis.tables.atomic_write`, which also refuses any
path under data/); when the rules change, the next write removes the other versions' folders.
A corrupt entry is re-extracted with one warning; a cache that cannot be written (or Parquet
without pyarrow) is warned about once and extraction goes on without it. The cache never makes
extraction fail.

Wiring (``pipeline.analyse``)::

    from .extract.cache import extract_corpus
    statements = extract_corpus(corpus, registry, executor=executor).statements
    # was: extract_statements(corpus, registry=registry)

``executor`` (:func:`qzanalysis.executors.make_executor`) runs the documents not cached yet;
None extracts them in this process. Import this module lazily or from pipeline, not from
``qzanalysis.extract`` itself (it imports the extractor).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import re
import shutil
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import paths, schema
from ..corpus import Corpus, Document
from ..indicators import IndicatorRegistry, load_registry
from ..tables import atomic_write
from . import extract_document

if TYPE_CHECKING:
    from ..executors import Executor

__all__ = [
    "DOCUMENT_FIELDS_READ",
    "ExtractCacheWarning",
    "Extraction",
    "document_key",
    "extract_corpus",
    "rules_sources",
    "rules_version",
]

#: Bump when the layout of an entry changes (old entries are then simply not found).
CACHE_FORMAT = 1
#: Document fields extraction reads besides its text (tests/unit/test_extract_cache.py checks
#: the extractor's code reads no other).
DOCUMENT_FIELDS_READ = ("doc_id", "doc_type", "published", "title", "city")
#: Tasks per worker when documents are sent in batches: small enough to balance the load.
BATCHES_PER_WORKER = 4

_EXTRACT_DIR = Path(__file__).resolve().parent
_PACKAGE_DIR = _EXTRACT_DIR.parent
_VERSION_DIR = re.compile(r"^[0-9a-f]{16}$")
_warned: set[str] = set()


class ExtractCacheWarning(UserWarning):
    """The extraction cache could not be used for some documents (they were extracted anew)."""


@dataclass
class Extraction:
    """What :func:`extract_corpus` did: the statements, and how many documents came from where."""

    statements: pd.DataFrame
    cached: int
    extracted: int
    seconds: float

    def __repr__(self) -> str:
        return (
            f"<Extraction: {len(self.statements)} statements; {self.cached} document(s) cached, "
            f"{self.extracted} extracted in {self.seconds:.2f} s>"
        )


# --------------------------------------------------------------------------------------------
# What an entry depends on
# --------------------------------------------------------------------------------------------


def _module_file(name: str) -> Path | None:
    """qzanalysis.a.b -> its file, or None when it is not a module of this package."""
    parts = name.split(".")
    if parts[0] != "qzanalysis":
        return None
    base = _PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(file: Path) -> str:
    parts = list(file.relative_to(_PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


#: ``from .x import a, b`` / ``from . import (a,\n b)`` / ``import qzanalysis.x`` at any
#: indentation (lazy imports inside functions count). A regex, not ast: parsing every file
#: costs a tenth of a second per process; a match inside a docstring only adds a file.
_FROM_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.M
)
_PLAIN_IMPORT = re.compile(r"^[ \t]*import[ \t]+(qzanalysis[\w.]*)", re.M)


def _imported_files(file: Path) -> set[Path]:
    """Package modules ``file`` imports anywhere (lazy imports inside functions too)."""
    name = _module_name(file)
    package = (name if file.name == "__init__.py" else name.rpartition(".")[0]).split(".")
    text = file.read_text(encoding="utf-8")
    modules = [m.group(1) for m in _PLAIN_IMPORT.finditer(text)]
    for dots, module, imported in _FROM_IMPORT.findall(text):
        base = package[: len(package) - len(dots) + 1] if dots else []
        target = ".".join(base + ([module] if module else []))
        names = re.sub(r"#[^\n]*", "", imported).strip("()")  # comments in a (list)
        # an "as" alias adds a name that is no module: harmless
        modules += [f"{target}.{n}" for n in re.split(r"[,\s]+", names) if n.isidentifier()]
        modules.append(target)
    found: set[Path] = set()
    for module in modules:
        # "from . import rules" names a module; "from .numbers import find_values" does not
        hit = _module_file(module) or _module_file(module.rpartition(".")[0])
        if hit is not None:
            found.add(hit)
    return found


def rules_sources() -> list[Path]:
    """The code extraction runs: every .py under extract/ and, followed through their imports,
    the package modules they use (corpus, decoding, indicators, units, schema, …)."""
    own = sorted(_EXTRACT_DIR.glob("*.py"))
    seen = set(own)
    todo = [f for f in own if f != Path(__file__).resolve()]  # the cache is not extraction
    while todo:
        for dep in _imported_files(todo.pop()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return sorted(seen)


def _installed_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


@cache
def rules_version() -> str:
    """16 hex digits: a hash of the extractor's code (:func:`rules_sources`), the indicator
    registry file, cn2an (Chinese numerals) and the Unicode tables (text normalisation).
    Computed once per process: a registry edited meanwhile still counts, through the
    registry's own digest in every entry's key."""
    h = hashlib.sha256(f"format {CACHE_FORMAT}\n".encode())
    for file in rules_sources():
        h.update(file.relative_to(_PACKAGE_DIR).as_posix().encode() + b"\0" + file.read_bytes())
    indicators = Path(paths.INDICATORS_FILE)
    h.update(indicators.read_bytes() if indicators.is_file() else b"absent")
    h.update(f"cn2an {_installed_version('cn2an')} unicode {unicodedata.unidata_version}".encode())
    return h.hexdigest()[:16]


def __getattr__(name: str) -> Any:
    # RULES_VERSION reads every extractor file: only when someone asks for it
    if name == "RULES_VERSION":
        return rules_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def registry_digest(registry: IndicatorRegistry) -> str:
    """A hash of the registry's entries (ids, names, synonyms, exclusions: what matching uses)."""
    return hashlib.sha256(repr(tuple(registry.indicators.values())).encode()).hexdigest()


def document_key(doc: Document, registry_hash: str) -> str:
    """The key of ``doc``'s entry (see the module docstring)."""
    text_hash = hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()
    parts = [CACHE_FORMAT, rules_version(), registry_hash, text_hash]
    parts += [str(getattr(doc, f)) for f in DOCUMENT_FIELDS_READ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _entry_path(version_dir: Path, doc: Document, key: str) -> Path:
    readable = re.sub(r"[^A-Za-z0-9_-]", "_", doc.doc_id)[:60]  # the key holds the real id
    return version_dir / f"{readable}-{key[:24]}.parquet"


# --------------------------------------------------------------------------------------------
# Reading and writing entries
# --------------------------------------------------------------------------------------------


def _warn_once(topic: str, message: str) -> None:
    if topic not in _warned:
        _warned.add(topic)
        warnings.warn(message, ExtractCacheWarning, stacklevel=3)


def _parquet_available() -> bool:
    # pyarrow itself: entries are read with it directly (pandas' reader costs 10 ms a file)
    return importlib.util.find_spec("pyarrow") is not None


class _CorruptEntry(Exception):
    """An entry that exists but cannot be read as this document's statements."""


def _read_entry(path: Path, doc_id: str):
    """The statements stored at ``path`` as an Arrow table; None when there is no entry."""
    import pyarrow.parquet as pq

    if not path.is_file():
        return None
    try:
        # one small file: a thread pool would cost more than it saves
        table = pq.ParquetFile(path).read(use_threads=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a miss, never an error
        raise _CorruptEntry(f"{path.name}: {type(exc).__name__}") from exc
    if table.column_names != schema.STATEMENT_COLUMNS:
        raise _CorruptEntry(f"{path.name}: not a statements table")
    if table.num_rows and set(table.column("doc_id").to_pylist()) != {doc_id}:
        raise _CorruptEntry(f"{path.name}: statements of another document")
    return table


def _write_entry(path: Path, frame: pd.DataFrame) -> bool:
    try:
        atomic_write(path, lambda p: frame.to_parquet(p, index=False))
    except (OSError, ImportError, ValueError) as exc:
        _warn_once(
            f"write {path.parent}",
            f"cannot write the extraction cache in {path.parent} ({type(exc).__name__}: {exc}); "
            "extraction works without it, it is only not kept for the next run",
        )
        return False
    return True


def _prune_other_versions(cache_dir: Path, keep: str) -> None:
    """Remove the entries of other rules versions (they can never be read again)."""
    for folder in cache_dir.iterdir() if cache_dir.is_dir() else ():
        ours = folder.is_dir() and _VERSION_DIR.match(folder.name) and folder.name != keep
        # only what this module writes: its entries and their temporary files
        if ours and all(f.suffix in (".parquet", ".tmp") for f in folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Extracting
# --------------------------------------------------------------------------------------------


def _extract_batch(task: tuple[list[Document], IndicatorRegistry]) -> list[pd.DataFrame]:
    """One task of an executor: the statements of each document of a batch."""
    docs, registry = task
    return [extract_document(doc, registry) for doc in docs]


def _extract_missing(
    docs: list[Document],
    registry: IndicatorRegistry,
    executor: Executor | None,
    progress: Callable[[int, int], None] | None,
) -> list[pd.DataFrame]:
    """The statements of ``docs``: in this process, or in batches through ``executor``."""
    total = len(docs)
    if executor is None or total == 0:
        frames = []
        for done, doc in enumerate(docs, start=1):
            frames.append(extract_document(doc, registry))
            if progress is not None:
                progress(done, total)
        return frames
    size = max(1, math.ceil(total / (executor.workers * BATCHES_PER_WORKER)))
    batches = [(docs[i : i + size], registry) for i in range(0, total, size)]

    def batch_progress(done: int, _batches: int) -> None:
        if progress is not None:  # in documents: batches finish in any order, hence the min
            progress(min(total, done * size), total)

    results = executor.map(_extract_batch, batches, progress=batch_progress)
    return [frame for batch in results for frame in batch]


def _assemble(cached: dict[int, Any], fresh: dict[int, pd.DataFrame], n: int) -> pd.DataFrame:
    """The documents' statements one after the other (positions 0..n-1), as
    extract_statements builds them: the dtypes are given once more at the end."""
    frames = None
    if cached and not fresh:  # every document from the cache: one conversion for them all
        import pyarrow as pa

        try:
            frames = [pa.concat_tables([cached[i] for i in range(n)]).to_pandas()]
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # entries of another pyarrow: one by one
            frames = None
    if frames is None:
        frames = [fresh[i] if i in fresh else cached[i].to_pandas() for i in range(n)]
    rows = [f for f in frames if len(f)]  # empty frames would only add dtype warnings
    if not rows:
        return schema.empty("statements")
    return schema.coerce("statements", pd.concat(rows, ignore_index=True))


def _lookup(
    docs: list[Document], keys: list[str], version_dir: Path | None
) -> tuple[dict[int, Any], list[str]]:
    """(cached statements by position in ``docs``, as Arrow tables; corrupt entries)."""
    found: dict[int, Any] = {}
    corrupt: list[str] = []
    if version_dir is None:
        return found, corrupt
    for i, (doc, key) in enumerate(zip(docs, keys, strict=True)):
        try:
            frame = _read_entry(_entry_path(version_dir, doc, key), doc.doc_id)
        except _CorruptEntry as exc:
            corrupt.append(str(exc))
            continue
        if frame is not None:
            found[i] = frame
    return found, corrupt


def _cache_folder(cache_dir: str | Path | None, corpus: object) -> Path | None:
    """This rules version's folder (refused under data/ or inside the corpus), or None when
    Parquet cannot be read here."""
    base = Path(cache_dir) if cache_dir else paths.OUTPUTS_DIR / ".cache" / "extract"
    inputs = (corpus.path,) if isinstance(corpus, Corpus) else ()
    base = paths.check_output(base, inputs, expect="dir")
    if not _parquet_available():
        _warn_once(
            "engine",
            "the extraction cache needs pyarrow (pip install 'qzanalysis[parquet]'); "
            "extracting every document without it",
        )
        return None
    return base / rules_version()


def extract_corpus(
    corpus: Corpus | Iterable[Document],
    registry: IndicatorRegistry | None = None,
    *,
    cache_dir: str | Path | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Extraction:
    """:func:`~qzanalysis.extract.extract_statements` with every document extracted once.

    Args:
        corpus: a Corpus (or any iterable of Documents).
        registry: indicator registry (default: data/indicators.yaml).
        cache_dir: where entries live (default outputs/.cache/extract); never under data/.
        executor: runs the documents that are not cached (None: in this process).
        progress: ``progress(done, total)`` over the documents being extracted.

    Returns:
        An :class:`Extraction`; its ``statements`` equal ``extract_statements(corpus,
        registry)``.

    Raises:
        qzanalysis.paths.OutputPathError: ``cache_dir`` under data/ or inside the corpus.
    """
    started = time.perf_counter()
    registry = registry or load_registry()
    docs = list(corpus)
    version_dir = _cache_folder(cache_dir, corpus)
    registry_hash = registry_digest(registry)
    keys = [document_key(doc, registry_hash) for doc in docs]
    found, corrupt = _lookup(docs, keys, version_dir)
    if corrupt:
        warnings.warn(
            f"{len(corrupt)} unreadable extraction cache entr{'y' if len(corrupt) == 1 else 'ies'}"
            f" in {version_dir} ({'; '.join(corrupt[:3])}{' …' if len(corrupt) > 3 else ''}): "
            "extracted again",
            ExtractCacheWarning,
            stacklevel=2,
        )
    missing = [i for i in range(len(docs)) if i not in found]
    extracted = _extract_missing([docs[i] for i in missing], registry, executor, progress)
    fresh = dict(zip(missing, extracted, strict=True))
    written = False
    for i, frame in fresh.items():
        if version_dir is not None:
            written = _write_entry(_entry_path(version_dir, docs[i], keys[i]), frame) or written
    if written:
        _prune_other_versions(version_dir.parent, keep=version_dir.name)
    statements = _assemble(found, fresh, len(docs))
    return Extraction(
        statements,
        cached=len(docs) - len(missing),
        extracted=len(missing),
        seconds=time.perf_counter() - started,
    )
