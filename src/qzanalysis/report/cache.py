"""Report keys and the report cache: is a report up to date, and what a batch records.

:class:`ReportResult` (one report's outcome, which is also its cache entry and its row of the
index); what a report's key hashes (:func:`key_parts`, :func:`key_of`, :func:`report_key`); the
cache entries in ``outputs/.cache``; which reports of a batch are up to date and which still
run (:func:`_split_up_to_date`); the progress lines that count finished reports and cache the
rendered ones (:class:`_Progress`); and the reports rendered by earlier runs that the site
still lists.

It is separate from :mod:`qzanalysis.report.runner` so that deciding what is up to date needs
neither papermill, nor signals, nor an executor: the runner and the dry run
(:mod:`qzanalysis.report.dryrun`) share it, and the runner keeps only execution and the batch.
The hashes of the inputs themselves (:func:`qzanalysis.report.runner.input_digests`, the package
digest among them) stay in the runner; every name here is also importable from there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import links
from ..tables import atomic_write
from .scope import read_parts
from .site import SiteMap, nav_html
from .specs import ReportSpec

#: Where each kind of report is listed in the index.
_KIND_RANK = {"overview": 0, "plan": 1, "year": 2, "cities": 3}


@dataclass
class ReportResult:
    """What happened to one report (also its cache entry and its row of the index)."""

    name: str
    title: str
    kind: str
    status: str  # rendered | up_to_date | failed | earlier (listed in the index, not run now)
    seconds: float = 0.0
    error: str = ""
    parameters: dict = field(default_factory=dict)
    key: str = ""
    finished: str = ""
    attempts: int = 1
    inputs: dict = field(default_factory=dict)  # key_parts: what the key hashed, by name


# --------------------------------------------------------------------------------------------
# Keys: is a report up to date?
# --------------------------------------------------------------------------------------------


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"


def key_parts(
    spec: ReportSpec,
    digests: dict[str, str],
    *,
    show_code: bool,
    site: SiteMap | None = None,
    analysis=None,
) -> dict[str, str]:
    """What a report's key hashes, by name (so a dry run can say which one changed): the
    notebook, the parameters, the documents and rows it reads (with ``analysis``:
    :func:`qzanalysis.report.scope.read_parts`; without, the whole corpus), the review,
    reference and indicator files, the package, the code-shown switch and its header (the
    site's pages it links to: :func:`qzanalysis.report.site.nav_html`)."""
    parts = {
        "notebook": _file_digest(spec.notebook),
        "parameters": hashlib.sha256(
            json.dumps(spec.parameters, sort_keys=True).encode()
        ).hexdigest(),
    }
    if analysis is not None:
        parts |= read_parts(spec, analysis)
        parts |= {name: value for name, value in digests.items() if name != "corpus"}
    else:
        parts |= digests
    parts["code"] = "shown" if show_code else "folded"
    if site is not None:
        header = nav_html(links.report_page(spec.name), site)
        parts["site"] = hashlib.sha256(header.encode()).hexdigest()
    return parts


def key_of(parts: dict[str, str]) -> str:
    """A report's key: the hash of its :func:`key_parts`."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def report_key(
    spec: ReportSpec,
    digests: dict[str, str],
    *,
    show_code: bool,
    site: SiteMap | None = None,
    analysis=None,
) -> str:
    """Hash of :func:`key_parts`."""
    return key_of(key_parts(spec, digests, show_code=show_code, site=site, analysis=analysis))


def _cache_file(out_dir: Path, name: str) -> Path:
    return out_dir / ".cache" / f"{name}.json"


def _load_cached(out_dir: Path, name: str) -> dict | None:
    try:
        return json.loads(_cache_file(out_dir, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _save_cached(out_dir: Path, result: ReportResult) -> None:
    text = json.dumps(asdict(result), ensure_ascii=False, indent=1)
    atomic_write(_cache_file(out_dir, result.name), lambda p: p.write_text(text, encoding="utf-8"))


def _up_to_date(spec: ReportSpec, key: str, out_dir: Path) -> ReportResult | None:
    """The cached result of ``spec`` if it was rendered with ``key`` and its HTML is there."""
    cached = _load_cached(out_dir, spec.name)
    if not cached or cached.get("key") != key or cached.get("status") != "rendered":
        return None
    if not (out_dir / links.report_page(spec.name)).is_file():
        return None
    return ReportResult(**{**cached, "status": "up_to_date"})


# --------------------------------------------------------------------------------------------
# The batch's bookkeeping: which reports run, what each one left
# --------------------------------------------------------------------------------------------


class _Progress:
    """Counts finished reports, caches the rendered ones and prints one line per report."""

    def __init__(self, total: int, done: int, out_dir: Path, progress: Callable[[str], None]):
        self.total, self.done, self.out_dir, self.progress = total, done, out_dir, progress
        self.results: dict[str, ReportResult] = {}
        #: key_parts of each report by name, saved with its render (what --dry-run compares)
        self.inputs: dict[str, dict[str, str]] = {}

    def starting(self, spec: ReportSpec) -> None:
        self.progress(f"[{self.done + 1}/{self.total}] {spec.title} …")

    def record(self, res: ReportResult) -> None:
        self.done += 1
        self.results[res.name] = res
        where = f"[{self.done}/{self.total}] {res.title}"
        if res.status == "rendered":
            res.inputs = self.inputs.get(res.name, {})
            _save_cached(self.out_dir, res)
            self.progress(f"{where}: rendered in {res.seconds:.1f} s")
        else:
            self.progress(f"{where}: FAILED after {res.seconds:.1f} s: {res.error}")


def _split_up_to_date(
    specs: list[ReportSpec],
    parts: dict[str, dict[str, str]],
    out_dir: Path,
    *,
    force: bool,
):
    """(results of up-to-date reports by name, [(spec, key) still to run]); ``parts``: the
    :func:`key_parts` of every spec by name."""
    skipped: dict[str, ReportResult] = {}
    todo: list[tuple[ReportSpec, str]] = []
    for spec in specs:
        key = key_of(parts[spec.name])
        cached = None if force else _up_to_date(spec, key, out_dir)
        if cached is not None:
            skipped[spec.name] = cached
        else:
            todo.append((spec, key))
    return skipped, todo


def _earlier_names(specs: list[ReportSpec], out_dir: Path) -> list[str]:
    """Reports rendered by an earlier run and still on disk (the header links to them too)."""
    names = {s.name for s in specs}
    return [
        c.stem
        for c in sorted((out_dir / ".cache").glob("*.json"))
        if c.stem not in names and (out_dir / links.report_page(c.stem)).is_file()
    ]


def _with_earlier_reports(
    results: list[ReportResult], out_dir: Path, site: SiteMap
) -> list[ReportResult]:
    """This run's results plus reports rendered earlier that belong to this site (a one-year
    re-run keeps the others listed; a report of another corpus's city does not)."""
    names, pages_now = {r.name for r in results}, set(site.pages())
    earlier = []
    for cache in sorted((out_dir / ".cache").glob("*.json")):
        data = _load_cached(out_dir, cache.stem)
        if not data or data.get("name") in names:
            continue
        page = links.report_page(cache.stem)
        if page in pages_now and (out_dir / page).is_file():
            earlier.append(ReportResult(**{**data, "status": "earlier"}))
    return sorted([*results, *earlier], key=lambda r: (_KIND_RANK.get(r.kind, 9), r.name))
