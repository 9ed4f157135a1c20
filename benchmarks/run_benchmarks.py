"""Print the project's speed and accuracy figures (``make bench``).

Figures are printed, never asserted: tests check behaviour, this script measures it.
Sections: extract (accuracy against the hand annotation in ../shared/gold and speed),
compare (verdict counts and time), report (cold and warm rendering time, --jobs speed-up),
scale (synthetic N-city corpora: throughput per executor, re-run cost, reports/s; N = 1,10).

    python benchmarks/run_benchmarks.py                  # everything
    python benchmarks/run_benchmarks.py --only extract   # one section (repeatable)
    python benchmarks/run_benchmarks.py --scale          # the scale section with N = 1,10,50
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

SECTIONS = ("extract", "compare", "report", "scale")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section")
    parser.add_argument(
        "--scale", action="store_true", help="scale section: N = 1,10,50 (not 1,10)"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    failed = []
    for name in args.only or SECTIONS:
        print(f"\n{'=' * 30} {name} {'=' * 30}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench_{name}")
        try:
            if name == "scale":  # it parses its own options: --quick unless --scale
                module.main([] if args.scale else ["--quick"])
            else:
                module.main()
        except Exception as exc:  # keep measuring the other sections
            failed.append(name)
            print(f"!! {name} benchmark failed: {type(exc).__name__}: {exc}")
        print(f"({name} section took {time.perf_counter() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
