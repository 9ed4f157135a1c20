"""Scale benchmark: extraction and report throughput for N synthetic cities × 7 years.

Each N gets a synthetic corpus (:mod:`synthetic_corpus`: the five shipped documents rewritten
per city and year slot, 35 documents a city, in outputs/bench/synthetic_<N>, reused when its
stamp matches). Printed, never asserted:

1. **extraction throughput** in-process, with the local process pool and with dask
   (:func:`qzanalysis.executors.make_executor`, ``--jobs`` workers): documents/s, M chars/s,
   M chars/s per core (per worker, wall clock), M chars per CPU-second of the workers' tasks
   (what a core does when it has the core: unlike wall-clock figures it does not fall when
   other work shares the machine), cores used (task CPU / wall), the main process's CPU
   (sending documents, receiving tables), and peak memory (max RSS) of the main process and of
   the largest worker (RUSAGE_CHILDREN for the local pool, ``client.run`` on each dask worker).
   Each row runs in a fresh process so its peaks are its own; the work is the task
   extract_corpus sends to workers (qzanalysis.extract.cache: batches of documents), without
   cache reads or writes, after a warm-up (imports, compiled rules) in every process. ``load``
   is the 1-minute load average as the row started: above the core count, other work competes;
2. **re-run after adding one document**: extract_corpus with the local executor, cold (empty
   cache) over all documents but the last, then with the last one added (only it is
   extracted, the rest read from the per-document cache), then once more with nothing changed;
3. **report throughput**: a fixed sample per N, rendered through the report runner
   (qzanalysis.report.specs.plan_reports + qzanalysis.report.runner.run_reports, default jobs,
   forced): the year review of the first city, and of each of the first three cities (their
   documents as a corpus of their own: 1 and 3 reports), with the site's source and indicator
   pages and index; reports/s = reports / wall time. The sample is fixed, so a sample whose
   documents a smaller N already rendered (city 1 is the same in every corpus) is measured once.

    python benchmarks/bench_scale.py                 # N = 1, 10, 50
    python benchmarks/bench_scale.py --quick         # N = 1, 10
    python benchmarks/bench_scale.py --cities 1,5 --no-reports
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
for _p in (ROOT / "src", BENCH_DIR):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

DEFAULT_CITIES = (1, 10, 50)
QUICK_CITIES = (1, 10)
MODES = ("in-process", "local", "dask")
DASK_MISSING = "dask: not installed (pip install 'qzanalysis[dask]')"
#: The year review rendered for the report sample (slot 0 holds the 2020 report's targets).
REPORT_YEAR = 2020
#: Cities in each report of the sample (a sample needing more cities than N is skipped).
REPORT_SAMPLE = (1, 3)
RESULT = "RESULT "


# --------------------------------------------------------------------------------------------
# Measurements, each in a fresh process (``--measure``)
# --------------------------------------------------------------------------------------------


def _warm(_=None) -> int:
    """Import the extractor and run it once on a short text (compiles its rules)."""
    from qzanalysis.corpus import Corpus, load_corpus
    from qzanalysis.extract import extract_statements

    shipped = load_corpus()
    extract_statements(Corpus(shipped.path, shipped.documents[-1:]))
    return os.getpid()


def _max_rss_kb(_=None) -> int:
    """This process's peak resident memory in KiB (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def _batches(docs: list, registry, workers: int) -> list:
    """The documents in batches, as extract_corpus sends them to an executor's workers."""
    from qzanalysis.extract.cache import BATCHES_PER_WORKER

    size = max(1, math.ceil(len(docs) / (workers * BATCHES_PER_WORKER)))
    return [(docs[i : i + size], registry) for i in range(0, len(docs), size)]


def _dask_client():
    import distributed

    return distributed.get_client()


def _timed_task(task):
    """The task extract_corpus sends to a worker ((documents, registry) -> their statements),
    with the CPU seconds it took there."""
    from qzanalysis.extract.cache import _extract_batch

    cpu = time.process_time()
    frames = _extract_batch(task)
    return frames, time.process_time() - cpu


def _main_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_tasks(mode: str, docs: list, registry, jobs: int) -> dict:
    """Extract ``docs`` in ``mode``: wall seconds, CPU seconds in the workers' tasks and in this
    process, workers, statements and the workers' peak RSS."""
    if mode == "in-process":
        cpu, started = _main_cpu(), time.perf_counter()
        frames, _ = _timed_task((docs, registry))
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "task_cpu": _main_cpu() - cpu,
            "main_cpu": 0.0,
            "workers": 1,
            "statements": sum(len(f) for f in frames),
            "worker_rss_kb": None,
            "startup": 0.0,
        }
    from qzanalysis.executors import make_executor

    opened = time.perf_counter()
    with make_executor(mode, jobs=jobs) as ex:
        if mode == "dask":
            _dask_client().run(_warm)  # every worker imports and compiles, outside the timing
        else:
            ex.map(_warm, range(ex.workers))  # forked workers: starts them (warm by fork)
        startup = time.perf_counter() - opened
        cpu, started = _main_cpu(), time.perf_counter()
        results = ex.map(_timed_task, _batches(docs, registry, ex.workers))
        seconds, main_cpu = time.perf_counter() - started, _main_cpu() - cpu
        workers = ex.workers
        rss = list(_dask_client().run(_max_rss_kb).values()) if mode == "dask" else []
    if mode == "local":  # workers are this process's children, reaped by the pool's shutdown
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rss.append(children // 1024 if sys.platform == "darwin" else children)
    return {
        "seconds": seconds,
        "task_cpu": sum(c for _, c in results),
        "main_cpu": main_cpu,
        "workers": workers,
        "statements": sum(len(f) for frames, _ in results for f in frames),
        "worker_rss_kb": max(rss) if rss else None,
        "startup": startup,
    }


def measure_extraction(mode: str, corpus_dir: Path, jobs: int) -> dict:
    from qzanalysis.corpus import load_corpus
    from qzanalysis.indicators import load_registry

    corpus = load_corpus(corpus_dir)
    registry = load_registry()
    docs = list(corpus)
    _warm()
    out = _run_tasks(mode, docs, registry, jobs)
    out.update(docs=len(docs), chars=sum(len(d.text) for d in docs), main_rss_kb=_max_rss_kb())
    return out


def measure_rerun(corpus_dir: Path, jobs: int) -> dict:
    """Cold extract_corpus over all but the last document, then with it, then unchanged."""
    from qzanalysis.corpus import Corpus, load_corpus
    from qzanalysis.executors import make_executor
    from qzanalysis.extract.cache import extract_corpus
    from qzanalysis.indicators import load_registry

    corpus = load_corpus(corpus_dir)
    registry = load_registry()
    before = Corpus(corpus.path, corpus.documents[:-1])
    _warm()
    scratch = _scratch()
    with (
        tempfile.TemporaryDirectory(dir=scratch, prefix=".cache-") as cache_dir,
        make_executor("local", jobs=jobs) as ex,
    ):
        runs = {
            "cold": extract_corpus(before, registry, cache_dir=cache_dir, executor=ex),
            "added": extract_corpus(corpus, registry, cache_dir=cache_dir, executor=ex),
            "same": extract_corpus(corpus, registry, cache_dir=cache_dir, executor=ex),
        }
        workers = ex.workers
    out = {
        k: {"seconds": r.seconds, "cached": r.cached, "extracted": r.extracted}
        for k, r in runs.items()
    }
    return {**out, "docs": len(corpus), "workers": workers}


def _child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure", required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--jobs", type=int, required=True)
    args = parser.parse_args(argv)
    if args.measure == "rerun":
        result = measure_rerun(args.corpus, args.jobs)
    else:
        result = measure_extraction(args.measure, args.corpus, args.jobs)
    print(RESULT + json.dumps(result), flush=True)
    return 0


def run_child(what: str, corpus_dir: Path, jobs: int) -> dict:
    """One measurement in a fresh interpreter; {"error": …} when it failed."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cmd = [sys.executable, __file__, "--measure", what, "--corpus", str(corpus_dir)]
    proc = subprocess.run(
        [*cmd, "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT):
            return {**json.loads(line[len(RESULT) :]), "load": load}
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
    return {"error": tail[0][:300]}


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


def sub_corpus(corpus_dir: Path, n_cities: int, out_dir: Path) -> Path:
    """The documents of the first ``n_cities`` cities of ``corpus_dir`` as a corpus of their own."""
    with open(corpus_dir / "manifest.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows, fields = list(reader), reader.fieldnames
    cities = sorted({r["city"] for r in rows}, key=lambda c: [r["city"] for r in rows].index(c))
    keep = [r for r in rows if r["city"] in cities[:n_cities]]
    for row in keep:
        target = out_dir / row["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus_dir / row["file"], target)
    with open(out_dir / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(keep)
    return out_dir


def _scratch() -> Path:
    """outputs/bench: temporary caches and report folders live (and are removed) here."""
    from qzanalysis import paths

    folder = paths.OUTPUTS_DIR / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _manifest_key(corpus_dir: Path) -> str:
    """What decides a report sample's work: its manifest (documents, their hashes)."""
    return (corpus_dir / "manifest.csv").read_text(encoding="utf-8")


class _Phases:
    """Times the runner's progress messages: analysis, notebook, then the site's pages."""

    def __init__(self):
        self.started = time.perf_counter()
        self.marks: dict[str, float] = {}

    def __call__(self, message: str) -> None:
        # "rendering 3 report(s) with 2 job(s)…", "[city: ]building 40 source and indicator…"
        for phase, words in (("notebook", "rendering "), ("pages", "source and indicator page")):
            if words in message:
                self.marks.setdefault(phase, time.perf_counter() - self.started)

    def split(self, total: float) -> dict[str, float]:
        notebook = self.marks.get("notebook", total)
        pages = self.marks.get("pages", total)
        return {"analysis": notebook, "notebook": pages - notebook, "pages": total - pages}


def measure_report(corpus_dir: Path, n_cities: int, done: dict[str, dict]) -> dict:
    """Render the year review of the first ``n_cities`` cities' corpus (once per set of
    documents: ``done`` holds the figures by manifest); seconds overall and by phase."""
    from qzanalysis.report.runner import run_reports
    from qzanalysis.report.specs import plan_reports

    scratch = _scratch()
    with tempfile.TemporaryDirectory(dir=scratch, prefix=".reports-") as tmp:
        corpus = sub_corpus(corpus_dir, n_cities, Path(tmp) / "corpus")
        key = _manifest_key(corpus)
        if key in done:
            return {**done[key], "reused": True}
        docs = key.count("\n") - 1
        phases = _Phases()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the shipped review and reference name Quzhou
                specs = plan_reports(corpus, years=[REPORT_YEAR], only=["year"])
                results = run_reports(
                    specs, corpus_dir=corpus, out_dir=Path(tmp) / "out", force=True,
                    progress=phases,
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - a failing sample is a figure too
            seconds = time.perf_counter() - phases.started
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
            done[key] = {"seconds": seconds, "reports": 0, "docs": docs, "error": error}
            return done[key]
        seconds = time.perf_counter() - phases.started
    failed = [f"{r.name}: {r.error}" for r in results if r.status == "failed"]
    done[key] = {
        "seconds": seconds,
        "reports": len(results) - len(failed),
        "docs": docs,
        "error": "; ".join(failed),
        **phases.split(seconds),
    }
    return done[key]


# --------------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------------


def _mb(kb) -> str:
    return "-" if kb is None else f"{kb / 1024:,.0f} MB"


class Table:
    """A plain-text table: columns of (heading, its second line, width); a negative width is
    a left-aligned column."""

    def __init__(self, *columns: tuple[str, str, int]):
        self.columns = columns

    def line(self, values) -> str:
        out = ""
        for (_, _, width), value in zip(self.columns, values, strict=True):
            out += f"  {str(value).ljust(-width - 2)}" if width < 0 else f"{value:>{width}}"
        return out.rstrip()

    def header(self) -> str:
        return "\n".join(self.line([c[i] for c in self.columns]) for i in (0, 1))


EXTRACTION = Table(
    ("N", "", 4),
    ("executor", "", -12),
    ("jobs", "", 5),
    ("wall", "[s]", 8),
    ("docs/s", "", 8),
    ("M chars/s", "", 11),
    ("M chars/s", "per core", 11),
    ("M chars", "per CPU-s", 11),
    ("cores", "used", 7),
    ("main CPU", "[s]", 10),
    ("statements", "", 12),
    ("RSS main", "peak", 10),
    ("RSS worker", "peak", 12),
    ("start", "[s]", 7),
    ("load", "", 7),
)
RERUN = Table(
    ("N", "", 4),
    ("docs", "", 7),
    ("jobs", "", 5),
    ("cold", "N-1 docs [s]", 13),
    ("+1 doc", "warm [s]", 10),
    ("extracted", "", 10),
    ("cached", "", 8),
    ("unchanged", "warm [s]", 10),
    ("cold/+1", "", 9),
    ("load", "", 6),
)
REPORTS = Table(
    ("N", "", 4),
    ("sample", "", -11),
    ("docs", "", 5),
    ("wall", "[s]", 8),
    ("reports/s", "", 10),
    ("analysis", "[s]", 9),
    ("notebook", "[s]", 9),
    ("site pages", "[s]", 12),
    ("", "", -3),
)


def extraction_row(n: int, mode: str, r: dict) -> str:
    if "error" in r:
        return f"{n:>4}  {mode:<10} failed: {r['error']}"
    rate = r["chars"] / r["seconds"]
    return EXTRACTION.line(
        [
            n,
            mode,
            r["workers"],
            f"{r['seconds']:.2f}",
            f"{r['docs'] / r['seconds']:.0f}",
            f"{rate / 1e6:.2f}",
            f"{rate / r['workers'] / 1e6:.2f}",
            f"{r['chars'] / r['task_cpu'] / 1e6:.2f}",
            f"{r['task_cpu'] / r['seconds']:.2f}",
            f"{r['main_cpu']:.1f}",
            f"{r['statements']:,}",
            _mb(r["main_rss_kb"]),
            _mb(r["worker_rss_kb"]),
            f"{r['startup']:.1f}",
            f"{r['load']:.2f}",
        ]
    )


def rerun_row(n: int, r: dict) -> str:
    if "error" in r:
        return f"{n:>4}  failed: {r['error']}"
    cold, added, same = r["cold"], r["added"], r["same"]
    return RERUN.line(
        [
            n,
            r["docs"],
            r["workers"],
            f"{cold['seconds']:.2f}",
            f"{added['seconds']:.2f}",
            added["extracted"],
            added["cached"],
            f"{same['seconds']:.2f}",
            f"{cold['seconds'] / added['seconds']:.1f}x",
            f"{r['load']:.2f}",
        ]
    )


def report_row(n: int, label: str, r: dict) -> str:
    phases = [f"{r[k]:.1f}" if k in r else "-" for k in ("analysis", "notebook", "pages")]
    note = "(same documents as a smaller N: measured once) " if r.get("reused") else ""
    note += f"FAILED: {r['error']}" if r["error"] else ""
    rate = f"{r['reports'] / r['seconds']:.3f}"
    return REPORTS.line([n, label, r["docs"], f"{r['seconds']:.1f}", rate, *phases, note])


def _dask_available() -> bool:
    return importlib.util.find_spec("distributed") is not None


def print_extraction(corpora: dict[int, Path], jobs: int) -> None:
    print("\n-- extraction throughput (each row a fresh process; cache not involved) --")
    print(EXTRACTION.header())
    dask = _dask_available()
    for n, folder in corpora.items():
        for mode in MODES:
            if mode == "dask" and not dask:
                continue
            print(extraction_row(n, mode, run_child(mode, folder, jobs)), flush=True)
    if not dask:
        print(DASK_MISSING)


def print_rerun(corpora: dict[int, Path], jobs: int) -> None:
    print(
        "\n-- re-run after adding one document (extract_corpus, local executor, per-document "
        "cache) --"
    )
    print(RERUN.header())
    for n, folder in corpora.items():
        print(rerun_row(n, run_child("rerun", folder, jobs)), flush=True)


def print_reports(corpora: dict[int, Path]) -> None:
    print(
        f"\n-- report throughput (year review {REPORT_YEAR} of each city via run_reports, default "
        "jobs, forced; the first city's or first three cities' documents as a corpus) --"
    )
    print(REPORTS.header())
    done: dict[str, dict] = {}
    for n, folder in corpora.items():
        for cities in REPORT_SAMPLE:
            if cities > n:
                continue
            label = f"{cities} cit{'y' if cities == 1 else 'ies'}"
            print(report_row(n, label, measure_report(folder, cities, done)), flush=True)


def build_corpora(cities: tuple[int, ...], seed: int) -> dict[int, Path]:
    from synthetic_corpus import build_synthetic_corpus

    corpora = {}
    for n in cities:
        started = time.perf_counter()
        folder = build_synthetic_corpus(n, seed=seed)
        with open(folder / "manifest.csv", encoding="utf-8") as f:
            docs = sum(1 for _ in f) - 1
        size = sum(p.stat().st_size for p in folder.rglob("*.txt") if p.name != "README.txt")
        print(
            f"corpus N={n}: {docs} documents, {size / 1e6:.1f} MB in "
            f"{folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder} "
            f"({time.perf_counter() - started:.1f} s to build or reuse)"
        )
        corpora[n] = folder
    return corpora


def parse_cities(text: str) -> tuple[int, ...]:
    try:
        cities = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--cities {text!r}: write numbers like 1,10,50") from None
    if not cities or min(cities) < 1:
        raise argparse.ArgumentTypeError(f"--cities {text!r}: give one or more numbers ≥ 1")
    return cities


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--measure" in argv:
        return _child(argv)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cities", type=parse_cities, default=None, help="N values, e.g. 1,10,50")
    parser.add_argument("--quick", action="store_true", help="N = 1,10 (unless --cities)")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: the cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-reports", action="store_true", help="skip the report sample")
    args = parser.parse_args(argv)
    cities = args.cities or (QUICK_CITIES if args.quick else DEFAULT_CITIES)
    from qzanalysis.executors import default_jobs

    jobs = args.jobs or default_jobs()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"scale benchmark: N = {', '.join(map(str, cities))} synthetic cities × 7 years; "
        f"{os.cpu_count()} CPU(s), {jobs} worker(s), load average {load:.2f} at start"
    )
    started = time.perf_counter()
    corpora = build_corpora(cities, args.seed)
    print_extraction(corpora, jobs)
    print_rerun(corpora, jobs)
    if not args.no_reports:
        print_reports(corpora)
    print(f"\n(scale benchmark took {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
