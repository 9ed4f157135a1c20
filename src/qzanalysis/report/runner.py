"""Papermill execution and the batch (see :mod:`qzanalysis.report`).

What to run is :mod:`qzanalysis.report.specs`; rendering HTML is :mod:`qzanalysis.report.html`;
keys, the cache and which reports are up to date are :mod:`qzanalysis.report.cache` (its names
are importable from here too). This module hashes a batch's inputs, runs the reports that are
not up to date (in parallel when asked), and never lets one failure stop the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import __version__, links, paths, saved
from ..corpus import Corpus, load_corpus
from ..executors import die_with_parent as _die_with_parent  # noqa: F401 - tests use it here
from ..executors import make_executor
from ..notebook import PAGE_ENV
from ..tables import atomic_write
from . import pages
from .cache import (  # noqa: F401 - re-exported: dryrun and the package import them from here
    ReportResult,
    _earlier_names,
    _file_digest,
    _load_cached,
    _Progress,
    _split_up_to_date,
    _with_earlier_reports,
    key_of,
    key_parts,
    report_key,
)
from .html import provenance_footer, render_html
from .lock import ReportLocked, _pid_alive, report_lock  # noqa: F401 - re-exported
from .site import SiteMap, citation_html, decorate_report
from .specs import ReportSpec

KERNEL_START_RETRIES = 3
#: Messages of kernel-start failures worth a retry (a busy machine, not a broken notebook).
_KERNEL_START_ERRORS = (
    "Kernel died before replying",
    "kernel_info",
    "Kernel didn't respond",
    "timed out waiting for kernel",
    "ZMQError",
    "Address already in use",
)
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------------
# Input digests (what the keys of :mod:`qzanalysis.report.cache` hash)
# --------------------------------------------------------------------------------------------


def _package_digest() -> str:
    """The package's own code: a change to a rule changes every report."""
    h = hashlib.sha256(__version__.encode())
    for py in sorted(_PACKAGE_DIR.rglob("*.py")):
        h.update(py.read_bytes())
    return h.hexdigest()


def input_digests(corpus: Corpus) -> dict[str, str]:
    """Hashes of every input a report depends on (shown in the provenance footer)."""
    return {
        "corpus": corpus.fingerprint(),
        "review": _file_digest(paths.REVIEW_FILE),
        "reference": _file_digest(paths.REFERENCE_FILE),
        "indicators": _file_digest(paths.INDICATORS_FILE),
        "package": _package_digest(),
    }


# --------------------------------------------------------------------------------------------
# Executing and rendering one report (runs in a worker process)
# --------------------------------------------------------------------------------------------


def _is_kernel_start_error(exc: BaseException) -> bool:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return False
    text = f"{type(exc).__name__}: {exc}"
    return isinstance(exc, TimeoutError) or any(s in text for s in _KERNEL_START_ERRORS)


@contextmanager
def _stderr_to(log_file: Path) -> Iterator[None]:
    """Send this process's stderr, and so the kernel's, to ``log_file`` while a notebook runs.

    The kernel prints start-up and shutdown chatter (ipykernel's TCP-transport warning) that
    would bury the progress lines; errors raised inside the notebook are kept in the executed
    notebook anyway, and the log stays beside the cache for the rest.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "wb") as log:
        saved = os.dup(2)
        try:
            os.dup2(log.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class ReportTimeout(RuntimeError):
    """A report ran longer than ``--timeout`` seconds."""


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`ReportTimeout` in this (main) thread after ``seconds`` (Unix; elsewhere,
    or off the main thread, no limit). papermill stops the kernel as the error unwinds."""
    usable = seconds and hasattr(signal, "setitimer")
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise ReportTimeout(f"stopped after --timeout {seconds:g} s")

    try:
        previous = signal.signal(signal.SIGALRM, expired)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _execute(spec: ReportSpec, out_notebook: Path) -> int:
    """Run the notebook into ``out_notebook``; retry a kernel that fails to start."""
    import papermill as pm

    os.environ["QZANALYSIS_ROOT"] = str(paths.ROOT)  # the kernel inherits it: notebooks find data/
    os.environ[PAGE_ENV] = links.report_page(spec.name)  # so its links resolve from its page
    # every kernel's setup() loads the analysis the runner saved (outputs/analysis)
    os.environ[saved.ANALYSIS_DIR_ENV] = str(out_notebook.parent.parent / "analysis")
    for attempt in range(1, KERNEL_START_RETRIES + 1):
        try:
            pm.execute_notebook(
                str(spec.notebook),
                str(out_notebook),
                parameters=spec.parameters,
                kernel_name="python3",
                cwd=str(spec.notebook.parent),
                progress_bar=False,
                log_output=False,
                start_timeout=120,
            )
            return attempt
        except Exception as exc:  # noqa: BLE001 - classify, then retry or re-raise
            if attempt < KERNEL_START_RETRIES and _is_kernel_start_error(exc):
                time.sleep(1.5 * attempt)
                continue
            raise
    raise AssertionError("unreachable")


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _render(
    spec: ReportSpec,
    notebook: Path,
    html_file: Path,
    *,
    corpus_dir: Path,
    show_code: bool,
    digests: dict[str, str],
    site: SiteMap,
) -> None:
    corpus, run_date, page_path = load_corpus(corpus_dir), _now(), links.report_page(spec.name)
    corpus = corpus.for_city(spec.city) if spec.city else corpus  # the documents it read
    footer = provenance_footer(spec, corpus, digests, run_date=run_date)
    citation = citation_html(spec.title, page_path, corpus, run_date=run_date)
    page = render_html(
        notebook,
        show_code=show_code,
        title=spec.title,
        footer_html=footer,
        decorate=lambda body: decorate_report(body, page=page_path, site=site, citation=citation),
    )
    atomic_write(html_file, lambda p: p.write_text(page, encoding="utf-8"))


def run_one(
    spec: ReportSpec,
    *,
    corpus_dir: Path,
    out_dir: Path,
    show_code: bool,
    key: str,
    digests: dict[str, str],
    site: SiteMap,
    timeout: float | None = None,
) -> ReportResult:
    """Execute and render one report; never raises (a failure is a result, a timeout too)."""
    started = time.perf_counter()
    nb_dir, html_file = out_dir / "notebooks", out_dir / links.report_page(spec.name)
    nb_dir.mkdir(parents=True, exist_ok=True)
    html_file.parent.mkdir(parents=True, exist_ok=True)
    tmp_nb = nb_dir / f".{spec.name}.{os.getpid()}.running.ipynb"
    result = ReportResult(
        spec.name, spec.title, spec.kind, "failed", parameters=spec.parameters, key=key
    )
    try:
        with _stderr_to(out_dir / ".cache" / f"{spec.name}.kernel.log"), _time_limit(timeout):
            result.attempts = _execute(spec, tmp_nb)
        os.replace(tmp_nb, nb_dir / f"{spec.name}.ipynb")
        (nb_dir / f"{spec.name}.error.ipynb").unlink(missing_ok=True)
        _render(
            spec,
            nb_dir / f"{spec.name}.ipynb",
            html_file,
            corpus_dir=corpus_dir,
            show_code=show_code,
            digests=digests,
            site=site,
        )
        result.status = "rendered"
    except Exception as exc:  # noqa: BLE001 - one failing report must not stop the others
        result.error = _short_error(exc)
        if tmp_nb.exists():  # keep the failed notebook, with its error, for inspection
            os.replace(tmp_nb, nb_dir / f"{spec.name}.error.ipynb")
    finally:
        tmp_nb.unlink(missing_ok=True)
    result.seconds = round(time.perf_counter() - started, 2)
    result.finished = _now()
    return result


def _short_error(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    lines = traceback.format_exception_only(type(exc), exc)
    return " ".join(line.strip() for line in lines)[:500]


# --------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------


def default_jobs() -> int:
    """Two reports at a time on two or more cores: each kernel is mostly one busy core."""
    return max(1, min(2, os.cpu_count() or 1))


def _run_task(spec: ReportSpec, key: str, options: dict) -> ReportResult:
    """:func:`run_one` as an executor's task: every argument positional, since a pool's
    ``submit`` may take keywords of its own (dask's ``key``, ``workers``, ``retries``)."""
    return run_one(spec, key=key, **options)


def _footer_digests(digests: dict[str, str], parts: dict[str, str]) -> dict[str, str]:
    """The digests a report's footer shows: its own documents' in place of the corpus's."""
    return {**digests, "corpus": parts.get("documents", digests["corpus"])}


def _run_todo(
    todo: list[tuple[ReportSpec, str]],
    tracker: _Progress,
    jobs: int,
    executor: str = "local",
    scheduler: str | None = None,
    *,
    digests: dict[str, str],
    **kwargs,
) -> None:
    """Run the reports ``todo`` through the chosen executor (local processes or dask; one local
    job runs them in this process, one after the other)."""

    def mine(spec: ReportSpec) -> dict[str, str]:
        return _footer_digests(digests, tracker.inputs.get(spec.name, {}))

    if executor == "local" and (jobs <= 1 or len(todo) <= 1):
        tracker.progress(f"rendering {len(todo)} report(s) in this process…")
        for spec, key in todo:
            tracker.starting(spec)
            tracker.record(run_one(spec, key=key, digests=mine(spec), **kwargs))
        return
    # several kernels at once: one thread of BLAS/OpenMP each, or they fight over the cores
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with make_executor(executor, jobs=min(jobs, len(todo)), scheduler=scheduler) as pool:
        tracker.progress(f"rendering {len(todo)} report(s) on {pool.where}…")
        futures = [
            pool.submit(_run_task, spec, key, {**kwargs, "digests": mine(spec)})
            for spec, key in todo
        ]
        for future in pool.as_completed(futures):
            tracker.record(future.result())


def run_reports(
    specs: list[ReportSpec],
    *,
    corpus_dir: Path | None = None,
    out_dir: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    show_code: bool = False,
    progress: Callable[[str], None] = print,
    analysis=None,
    timeout: float | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> list[ReportResult]:
    """Render ``specs`` into ``out_dir`` (default outputs/); one result per report.

    ``analysis``: the analysis of the same corpus and parameters, when the caller has it (the
    index, source and indicator pages are built from it); else it is loaded from, or computed
    and saved in, ``out_dir/analysis`` (which every kernel then reads). ``executor``: "local"
    (processes on this machine) or "dask" (a LocalCluster, or the cluster at ``scheduler``)."""
    corpus_dir = Path(corpus_dir) if corpus_dir else paths.RAW_DIR
    out_dir = Path(out_dir) if out_dir else paths.OUTPUTS_DIR
    corpus = load_corpus(corpus_dir)  # a broken corpus stops everything before any kernel starts
    with report_lock(out_dir):
        return _run_batch(
            specs,
            corpus,
            out_dir,
            jobs=jobs,
            force=force,
            show_code=show_code,
            progress=progress,
            corpus_dir=corpus_dir,
            analysis=analysis,
            timeout=timeout,
            executor=executor,
            scheduler=scheduler,
        )


def _run_batch(
    specs: list[ReportSpec],
    corpus: Corpus,
    out_dir: Path,
    *,
    jobs: int | None,
    force: bool,
    show_code: bool,
    progress: Callable[[str], None],
    corpus_dir: Path,
    analysis=None,
    timeout: float | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> list[ReportResult]:
    digests = input_digests(corpus)
    jobs = jobs or default_jobs()
    for stale in (out_dir / "notebooks").glob(".*.running.ipynb"):  # left by an interrupted run
        stale.unlink(missing_ok=True)
    analysis = analysis or _site_analysis(specs, corpus_dir, out_dir)
    site = pages.site_map([s.name for s in specs] + _earlier_names(specs, out_dir), analysis)
    parts = {
        s.name: key_parts(s, digests, show_code=show_code, site=site, analysis=analysis)
        for s in specs
    }
    skipped, todo = _split_up_to_date(specs, parts, out_dir, force=force)
    if skipped:
        progress(
            f"{len(skipped)} of {len(specs)} report(s) up to date (use --force to re-run them)"
        )
    tracker = _Progress(len(specs), len(skipped), out_dir, progress)
    tracker.inputs = {spec.name: parts[spec.name] for spec, _ in todo}
    _run_todo(
        todo,
        tracker,
        jobs,
        corpus_dir=corpus_dir,
        out_dir=out_dir,
        show_code=show_code,
        digests=digests,
        site=site,
        timeout=timeout,
        executor=executor,
        scheduler=scheduler,
    )
    results = {**skipped, **tracker.results}
    ordered = [results[s.name] for s in specs]
    run_date = _now()
    pages.write_pages(
        analysis, site, digests, out_dir, run_date=run_date, force=force, jobs=jobs,
        progress=progress,
    )  # fmt: skip
    listed = _with_earlier_reports(ordered, out_dir, site)
    pages.write_index(analysis, listed, site, digests, out_dir, run_date=run_date)
    return ordered


def _site_analysis(specs: list[ReportSpec], corpus_dir: Path, out_dir: Path):
    """The analysis behind the index, source and indicator pages: the reports' own parameters
    (tolerance, vintage), loaded from ``out_dir/analysis`` when up to date, else computed once
    here and saved there (the kernels read the same folder)."""
    from ..pipeline import DEFAULT_TOLERANCE_PP

    params = specs[0].parameters if specs else {}
    analysis, _ = saved.load_or_analyse(
        corpus_dir,
        out_dir=out_dir / "analysis",
        tolerance_pp=float(params.get("tolerance_pp", DEFAULT_TOLERANCE_PP)),
        as_of=params.get("as_of") or None,
    )
    return analysis
