"""Batch runner: execute the parameterised notebooks and render shareable HTML.

``qzanalysis report`` (and ``make report``) plans one report per year review (2019-2025 by
default), one per multi-year plan found in the corpus, and the overview; executes each notebook
with papermill into ``outputs/notebooks/``; renders it with nbconvert into ``outputs/html/``
(self-contained: images embedded, nothing fetched from a CDN, code hidden unless asked, a
provenance footer); and writes ``outputs/index.html``.

What a researcher can rely on:

- **Up to date means skipped.** A report's key hashes its notebook, its parameters, the corpus
  (manifest and every document), the review, reference and indicator files, and the package
  (version and source). An unchanged key and an existing HTML file skip the run (``--force``
  runs it anyway).
- **Nothing half-written.** Notebooks and HTML are written to a temporary file and renamed; a
  failing or interrupted run leaves the previous good HTML in place. A failing notebook is kept,
  with its error, as ``outputs/notebooks/<name>.error.ipynb``.
- **One failure does not stop the others.** Failures are listed at the end; the exit status is
  non-zero.
- **Parallel runs** (``--jobs N``) retry a kernel that fails to start: papermill's kernel start is
  racy under parallel load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, paths
from .corpus import Corpus, load_corpus
from .tables import atomic_write

KINDS = ("year", "plan", "overview")
DEFAULT_YEARS = tuple(range(2019, 2026))
NOTEBOOKS = {
    "year": "year_review.ipynb",
    "plan": "plan_tracking.ipynb",
    "overview": "overview.ipynb",
}
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
KERNEL_START_RETRIES = 3
#: Messages of kernel-start failures worth a retry (a busy machine, not a broken notebook).
_KERNEL_START_ERRORS = ("Kernel died before replying", "kernel_info", "Kernel didn't respond",
                        "timed out waiting for kernel", "ZMQError", "Address already in use")


class ReportError(RuntimeError):
    """A report request that cannot be planned (bad --years, unknown --only, missing notebook)."""


@dataclass(frozen=True)
class ReportSpec:
    """One report to render: which notebook, with which parameters, under which name."""

    kind: str
    name: str
    title: str
    notebook: Path
    parameters: dict



@dataclass
class ReportResult:
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


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


def parse_years(spec: str | None) -> tuple[int, ...]:
    """'2019-2025' or '2020,2022' or '2021' -> years."""
    if not spec:
        return DEFAULT_YEARS
    years: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo > hi:
                raise ReportError(f"--years {spec!r}: {lo} is after {hi}")
            years.update(range(lo, hi + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.add(int(part))
        else:
            raise ReportError(f"--years {spec!r}: write years like 2019-2025 or 2020,2022")
    return tuple(sorted(years))


def find_plans(statements) -> list[str]:
    """Multi-year plans in the statements, as 'START-END' labels (e.g. '2022-2026', '2026-2030').

    A plan is a set of targets whose horizon ends at least two years after the document that set
    them was published; it starts the year the document speaks for (a document published late in
    a year, like a plan proposal of December 2025, speaks for the next).
    """
    targets = statements[statements["kind"] == "target"]
    plans: dict[int, int] = {}
    for _, t in targets.iterrows():
        end = str(t["period_end"] or "")[:4]
        if not end.isdigit():
            continue
        published = str(t.get("published") or "")
        doc_year = int(published[:4]) if published[:4].isdigit() else None
        if doc_year is None:
            continue
        month = int(published[5:7]) if published[5:7].isdigit() else 1
        start = doc_year + (1 if month >= 10 else 0)
        start_stated = str(t["period_start"] or "")[:4]
        if start_stated.isdigit() and int(start_stated) < int(end):
            start = max(min(start, int(start_stated)), doc_year)
        if int(end) - doc_year >= 2:
            plans[int(end)] = min(plans.get(int(end), start), start)
    return [f"{start}-{end}" for end, start in sorted(plans.items())]


def plan_reports(corpus_dir: Path | None = None, *, years: Iterable[int] | None = None,
                 only: Iterable[str] | None = None, plans: Iterable[str] | None = None,
                 notebooks_dir: Path | None = None) -> list[ReportSpec]:
    """The reports to render: overview, one per plan, one per year (in that order)."""
    kinds = tuple(only) if only else KINDS
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ReportError(f"unknown report kind(s) {unknown}; use {', '.join(KINDS)}")
    nb_dir = notebooks_dir or paths.NOTEBOOKS_DIR
    for kind in kinds:
        if not (nb_dir / NOTEBOOKS[kind]).is_file():
            raise ReportError(f"notebook {nb_dir / NOTEBOOKS[kind]} is missing")
    corpus_param = "" if corpus_dir is None or Path(corpus_dir).resolve() == paths.RAW_DIR.resolve() \
        else str(Path(corpus_dir).resolve())
    specs: list[ReportSpec] = []
    if "overview" in kinds:
        specs.append(ReportSpec("overview", "overview", "总览 Overview 2019-2025",
                                nb_dir / NOTEBOOKS["overview"], {"corpus_dir": corpus_param}))
    if "plan" in kinds:
        if plans is None:
            from .compare import analyse

            plans = plans_in(analyse(corpus_dir))
        for plan in plans:
            specs.append(ReportSpec("plan", f"plan_{plan}", f"规划目标跟踪 Plan tracking {plan}",
                                    nb_dir / NOTEBOOKS["plan"], {"plan": plan, "corpus_dir": corpus_param}))
    if "year" in kinds:
        for year in years or DEFAULT_YEARS:
            specs.append(ReportSpec("year", f"year_{year}", f"年度回顾 Year review {year}",
                                    nb_dir / NOTEBOOKS["year"], {"year": int(year), "corpus_dir": corpus_param}))
    return specs


def plans_in(analysis) -> list[str]:
    """The multi-year plans of an :class:`qzanalysis.compare.Analysis` (see :func:`find_plans`)."""
    published = {d.doc_id: d.published for d in analysis.corpus}
    statements = analysis.statements.assign(published=analysis.statements["doc_id"].map(published))
    return find_plans(statements)


# --------------------------------------------------------------------------------------------
# Keys: is a report up to date?
# --------------------------------------------------------------------------------------------


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"


def _package_digest() -> str:
    """The package's own code: a change to a rule changes every report."""
    h = hashlib.sha256(__version__.encode())
    for py in sorted(Path(__file__).resolve().parent.rglob("*.py")):
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


def report_key(spec: ReportSpec, digests: dict[str, str], *, show_code: bool) -> str:
    h = hashlib.sha256()
    h.update(_file_digest(spec.notebook).encode())
    h.update(json.dumps(spec.parameters, sort_keys=True).encode())
    h.update(json.dumps(digests, sort_keys=True).encode())
    h.update(b"show_code" if show_code else b"hide_code")
    return h.hexdigest()


def _cache_file(out_dir: Path, name: str) -> Path:
    return out_dir / ".cache" / f"{name}.json"


def _load_cached(out_dir: Path, name: str) -> dict | None:
    try:
        return json.loads(_cache_file(out_dir, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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


def _execute(spec: ReportSpec, out_notebook: Path) -> int:
    """Run the notebook into ``out_notebook``; retry a kernel that fails to start."""
    import papermill as pm

    env_root = str(paths.ROOT)
    os.environ["QZANALYSIS_ROOT"] = env_root  # the kernel inherits it: notebooks find data/
    for attempt in range(1, KERNEL_START_RETRIES + 1):
        try:
            pm.execute_notebook(
                str(spec.notebook), str(out_notebook), parameters=spec.parameters,
                kernel_name="python3", cwd=str(spec.notebook.parent), progress_bar=False,
                log_output=False, start_timeout=120,
            )
            return attempt
        except Exception as exc:  # noqa: BLE001 - classify, then retry or re-raise
            if attempt < KERNEL_START_RETRIES and _is_kernel_start_error(exc):
                time.sleep(1.5 * attempt)
                continue
            raise
    raise AssertionError("unreachable")


def render_html(notebook: Path, *, show_code: bool, footer_html: str, title: str) -> str:
    """Render an executed notebook to a self-contained HTML page (no CDN, images inline)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline_lab", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return embed_cjk_font(body.replace("</body>", footer_html + "\n</body>", 1))


EMBEDDED_FONT = "QZ Noto Sans SC"


def embed_cjk_font(page: str) -> str:
    """Embed the subset of Noto Sans SC that ``page`` uses, so Chinese renders on any machine.

    Shared HTML is opened on machines without a Chinese font (the headless test machine is one),
    where it would show empty boxes. A per-page subset keeps the file small (the full font is
    8 MB; a report uses a few hundred characters).
    """
    import base64
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from .plots import cjk_font_path

    chars = {c for c in page if ord(c) > 127} | {chr(i) for i in range(32, 127)}
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = TTFont(str(cjk_font_path()))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    family = f'"{EMBEDDED_FONT}", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
    style = (
        f'<style>@font-face{{font-family:"{EMBEDDED_FONT}";src:url(data:font/otf;base64,{data}) '
        f'format("opentype");}}\n:root{{--jp-content-font-family:{family};--jp-ui-font-family:{family};}}\n'
        f"body,table,td,th{{font-family:{family};}}</style>"
    )
    return page.replace("</head>", style + "\n</head>", 1)


def provenance_footer(spec: ReportSpec, corpus: Corpus, digests: dict[str, str], *, run_date: str) -> str:
    docs = "".join(
        f"<tr><td>{html.escape(d.doc_id)}</td><td>{html.escape(d.title)}</td>"
        f"<td>{html.escape(d.published)}</td><td><code>{d.sha256}</code></td></tr>"
        for d in corpus
    )

    def rel(p: Path) -> str:
        try:
            return str(p.relative_to(paths.ROOT))
        except ValueError:
            return str(p)

    files = "".join(
        f"<li>{html.escape(rel(p))}: <code>{digests[k][:16]}</code></li>"
        for k, p in (("review", paths.REVIEW_FILE), ("reference", paths.REFERENCE_FILE),
                     ("indicators", paths.INDICATORS_FILE))
    )
    params = html.escape(json.dumps(spec.parameters, ensure_ascii=False))
    return f"""
<footer id="provenance" style="margin:3em 2em 2em;padding-top:1em;border-top:1px solid #ccc;font-size:0.85em;color:#333">
<h2>来源与可复现性 Provenance</h2>
<p>Rendered by qzanalysis {html.escape(__version__)} on {html.escape(run_date)} from notebook
<code>{html.escape(spec.notebook.name)}</code> with parameters <code>{params}</code>.
Corpus <code>{html.escape(rel(corpus.path))}</code> (fingerprint <code>{digests['corpus'][:16]}</code>);
package code <code>{digests['package'][:16]}</code>.</p>
<table><thead><tr><th>doc_id</th><th>title</th><th>published</th><th>sha256</th></tr></thead>
<tbody>{docs}</tbody></table>
<ul>{files}</ul>
<p>Every number above comes from these files: statements point to exact character offsets in the
documents (outputs/tables/statements.csv), reference figures carry their source URL and confidence.</p>
</footer>"""


def run_one(spec: ReportSpec, *, corpus_dir: Path, out_dir: Path, show_code: bool, key: str,
            digests: dict[str, str]) -> ReportResult:
    """Execute and render one report; never raises (a failure is a result)."""
    started = time.perf_counter()
    nb_dir, html_dir = out_dir / "notebooks", out_dir / "html"
    nb_dir.mkdir(parents=True, exist_ok=True)
    html_dir.mkdir(parents=True, exist_ok=True)
    tmp_nb = nb_dir / f".{spec.name}.{os.getpid()}.running.ipynb"
    result = ReportResult(spec.name, spec.title, spec.kind, "failed", parameters=spec.parameters, key=key)
    try:
        with _stderr_to(out_dir / ".cache" / f"{spec.name}.kernel.log"):
            result.attempts = _execute(spec, tmp_nb)
        os.replace(tmp_nb, nb_dir / f"{spec.name}.ipynb")
        (nb_dir / f"{spec.name}.error.ipynb").unlink(missing_ok=True)
        corpus = load_corpus(corpus_dir)
        run_date = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        page = render_html(nb_dir / f"{spec.name}.ipynb", show_code=show_code, title=spec.title,
                           footer_html=provenance_footer(spec, corpus, digests, run_date=run_date))
        atomic_write(html_dir / f"{spec.name}.html", lambda p: p.write_text(page, encoding="utf-8"))
        result.status = "rendered"
    except Exception as exc:  # noqa: BLE001 - one failing report must not stop the others
        result.error = _short_error(exc)
        if tmp_nb.exists():  # keep the failed notebook, with its error, for inspection
            os.replace(tmp_nb, nb_dir / f"{spec.name}.error.ipynb")
    finally:
        tmp_nb.unlink(missing_ok=True)
    result.seconds = round(time.perf_counter() - started, 2)
    result.finished = dt.datetime.now().astimezone().isoformat(timespec="seconds")
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


def run_reports(specs: list[ReportSpec], *, corpus_dir: Path | None = None,
                out_dir: Path | None = None, jobs: int | None = None, force: bool = False,
                show_code: bool = False,
                progress: Callable[[str], None] = print) -> list[ReportResult]:
    """Render ``specs`` into ``out_dir`` (default outputs/); one result per report."""
    corpus_dir = Path(corpus_dir) if corpus_dir else paths.RAW_DIR
    out_dir = Path(out_dir) if out_dir else paths.OUTPUTS_DIR
    corpus = load_corpus(corpus_dir)  # a broken corpus stops everything before any kernel starts
    digests = input_digests(corpus)
    jobs = jobs or default_jobs()
    for stale in (out_dir / "notebooks").glob(".*.running.ipynb"):  # left by an interrupted run
        stale.unlink(missing_ok=True)
    total = len(specs)
    results: dict[str, ReportResult] = {}
    todo: list[tuple[ReportSpec, str]] = []
    for spec in specs:
        key = report_key(spec, digests, show_code=show_code)
        cached = _load_cached(out_dir, spec.name)
        if not force and cached and cached.get("key") == key and cached.get("status") == "rendered" \
                and (out_dir / "html" / f"{spec.name}.html").is_file():
            results[spec.name] = ReportResult(**{**cached, "status": "up_to_date"})
        else:
            todo.append((spec, key))
    skipped = total - len(todo)
    if skipped:
        progress(f"{skipped} of {total} report(s) up to date (use --force to re-run them)")
    done = skipped

    def record(res: ReportResult) -> None:
        nonlocal done
        done += 1
        results[res.name] = res
        if res.status == "rendered":
            cache = _cache_file(out_dir, res.name)
            atomic_write(cache, lambda p: p.write_text(json.dumps(asdict(res), ensure_ascii=False, indent=1),
                                                       encoding="utf-8"))
            progress(f"[{done}/{total}] {res.title}: rendered in {res.seconds:.1f} s")
        else:
            progress(f"[{done}/{total}] {res.title}: FAILED after {res.seconds:.1f} s: {res.error}")

    if todo:
        progress(f"rendering {len(todo)} report(s) with {min(jobs, len(todo))} job(s)…")
    kwargs = dict(corpus_dir=corpus_dir, out_dir=out_dir, show_code=show_code, digests=digests)
    if jobs <= 1 or len(todo) <= 1:
        for spec, key in todo:
            progress(f"[{done + 1}/{total}] {spec.title} …")
            record(run_one(spec, key=key, **kwargs))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(run_one, spec, key=key, **kwargs): spec for spec, key in todo}
            for future in as_completed(futures):
                record(future.result())
    ordered = [results[s.name] for s in specs]
    write_index(_with_earlier_reports(ordered, out_dir), corpus, digests, out_dir)
    return ordered


def _with_earlier_reports(results: list[ReportResult], out_dir: Path) -> list[ReportResult]:
    """This run's results plus reports rendered earlier (a one-year re-run keeps the others listed)."""
    names = {r.name for r in results}
    earlier = []
    for cache in sorted((out_dir / ".cache").glob("*.json")):
        data = _load_cached(out_dir, cache.stem)
        if data and data.get("name") not in names and (out_dir / "html" / f"{cache.stem}.html").is_file():
            earlier.append(ReportResult(**{**data, "status": "earlier"}))
    rank = {kind: i for i, kind in enumerate(("overview", "plan", "year"))}
    return sorted([*results, *earlier], key=lambda r: (rank.get(r.kind, 9), r.name))


def write_index(results: list[ReportResult], corpus: Corpus, digests: dict[str, str],
                out_dir: Path) -> Path:
    """outputs/index.html: every report with its status, run time and the data it used."""
    rows = []
    for r in results:
        link = f'<a href="html/{r.name}.html">{html.escape(r.title)}</a>' \
            if (out_dir / "html" / f"{r.name}.html").is_file() else html.escape(r.title)
        # Marks Noto Sans SC has: emoji (✅) draw as empty boxes where no emoji font is installed.
        status = {"rendered": "✓ rendered", "up_to_date": "✓ up to date", "failed": "× failed",
                  "earlier": "○ from an earlier run (not part of this run)"}[r.status]
        detail = html.escape(r.error) if r.error else ""
        if r.status == "failed" and (out_dir / "notebooks" / f"{r.name}.error.ipynb").is_file():
            detail += f' (<a href="notebooks/{r.name}.error.ipynb">notebook with the error</a>)'
        rows.append(
            f"<tr class='{r.status}'><td>{link}</td><td>{status}</td><td>{r.seconds:.1f} s</td>"
            f"<td>{html.escape(r.finished)}</td><td><code>{html.escape(json.dumps(r.parameters, ensure_ascii=False))}</code></td>"
            f"<td>{detail}</td></tr>"
        )
    docs = "".join(f"<li><code>{html.escape(d.doc_id)}</code> {html.escape(d.title)} ({html.escape(d.published)}, "
                   f"sha256 <code>{d.sha256[:12]}</code>)</li>" for d in corpus)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>衢州规划目标与实际结果 qzanalysis reports</title>
<style>
body{{font-family:"Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.5}}
table{{border-collapse:collapse;width:100%}} th,td{{border-bottom:1px solid #ddd;padding:.4em .6em;text-align:left;vertical-align:top}}
tr.failed td{{background:#fdecea}} code{{font-size:.85em}}
</style></head><body>
<h1>衢州市规划目标与实际结果 · Quzhou: stated plans and reported outcomes</h1>
<p>Reports rendered by qzanalysis {html.escape(__version__)} from the corpus in
<code>{html.escape(str(corpus.path))}</code>. Each report states which documents and reference figures
its numbers come from and ends with a provenance footer.</p>
<table><thead><tr><th>report</th><th>status</th><th>run time</th><th>finished</th><th>parameters</th><th>notes</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>数据 Data used</h2>
<ul>{docs}</ul>
<p>Review file, reference figures, indicator registry: <code>{digests['review'][:12]}</code>,
<code>{digests['reference'][:12]}</code>, <code>{digests['indicators'][:12]}</code> (sha256 prefixes).
Tables for Excel, R or Stata: <a href="tables/">tables/</a> (see tables/README.md).</p>
</body></html>
"""
    page = embed_cjk_font(page)
    return atomic_write(out_dir / "index.html", lambda p: p.write_text(page, encoding="utf-8"))
