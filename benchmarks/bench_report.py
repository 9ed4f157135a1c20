"""Report rendering speed: `qzanalysis report` from cold, again with nothing changed, and --jobs.

Each measurement is a fresh process running the real command (`qzanalysis report`, via
``qzanalysis.cli.main``) with the outputs folder pointed at a temporary directory, so the
figures include interpreter start, imports, extraction/comparison, the tables, the kernels and
the HTML rendering, and the repository's outputs/ is never touched. Printed, never asserted.

    python benchmarks/bench_report.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AIM_WARM_SECONDS = 5.0

#: Runs the CLI with every output path under OUT (argv[1]); the rest of argv goes to `report`.
_RUNNER = """
import sys
from pathlib import Path
from qzanalysis import cli, paths
out = Path(sys.argv[1])
paths.OUTPUTS_DIR, paths.TABLES_DIR = out, out / "tables"
paths.OUTPUT_NOTEBOOKS_DIR, paths.HTML_DIR = out / "notebooks", out / "html"
sys.exit(cli.main(["report", *sys.argv[2:]]))
"""


def time_report(out_dir: Path, *args: str) -> tuple[float, int, str]:
    """Wall time of one `qzanalysis report` run into ``out_dir``; (seconds, exit code, last line)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(out_dir), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
    return seconds, proc.returncode, lines[-1] if lines else ""


def count_reports(out_dir: Path) -> int:
    return len(list((out_dir / "html").glob("*.html")))


def count_site(out_dir: Path) -> str:
    """Pages of the shared site, links from a number to its highlighted sentence, and size."""
    import re

    pages = [out_dir / "index.html", *sorted((out_dir / "html").rglob("*.html"))]
    pages = [p for p in pages if p.is_file()]
    evidence = sum(
        len(re.findall(r'href="[^"]*sources/[^"#]*\.html#st-', p.read_text(encoding="utf-8")))
        for p in pages
    )
    size = sum(p.stat().st_size for p in pages) / 1e6
    return f"{len(pages)} pages, {evidence} evidence links, {size:.0f} MB"


def main() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{os.cpu_count()} CPU(s), load average {load:.2f} at start (other work on the machine "
        "slows every figure below)"
    )
    with tempfile.TemporaryDirectory(prefix="qz-bench-report-") as tmp:
        two, one = Path(tmp) / "jobs2", Path(tmp) / "jobs1"

        cold2, rc, last = time_report(two, "--jobs", "2")
        n = count_reports(two)
        print(f"cold, --jobs 2:            {cold2:6.1f} s  ({n} reports, exit {rc}) {last}")
        print(f"site:                      {count_site(two)}")

        warm, rc_warm, last = time_report(two, "--jobs", "2")
        verdict = "meets" if warm < AIM_WARM_SECONDS else "MISSES"
        print(
            f"nothing changed, --jobs 2: {warm:6.1f} s  (exit {rc_warm}; {verdict} the "
            f"{AIM_WARM_SECONDS:.0f} s aim) {last}"
        )

        year, rc_year, _ = time_report(
            two, "--jobs", "2", "--only", "year", "--years", "2023", "--force"
        )
        print(f"one year forced (2023):    {year:6.1f} s  (exit {rc_year})")

        cold1, rc1, last = time_report(one, "--jobs", "1")
        print(
            f"cold, --jobs 1:            {cold1:6.1f} s  ({count_reports(one)} reports, exit {rc1}) {last}"
        )
        print(f"speed-up of --jobs 2 over --jobs 1 (cold): {cold1 / cold2:.2f}x")
        if n:
            print(
                f"per report: {cold2 / n:.1f} s with 2 jobs, {cold1 / max(count_reports(one), 1):.1f} s with 1"
            )
        if rc or rc_warm or rc1 or rc_year:
            raise RuntimeError("a report run failed (output above)")


if __name__ == "__main__":
    main()
