"""``qzanalysis report --dry-run``: which reports would run, and why, without running any."""

from __future__ import annotations

from pathlib import Path

from .. import links, paths
from ..corpus import load_corpus
from . import pages
from .cache import _earlier_names, _load_cached, key_of, key_parts
from .runner import input_digests
from .specs import ReportSpec


def explain(
    specs: list[ReportSpec],
    *,
    analysis,
    corpus_dir: Path | None = None,
    out_dir: Path | None = None,
    show_code: bool = False,
    force: bool = False,
) -> list[tuple[str, str, str]]:
    """(report name, "run" or "up to date", why) for every spec, as a real run would decide.

    Why names what changed since the report was rendered: its notebook, its parameters, its
    documents (its city's), its rows (what it shows of the analysis), the review, reference or
    indicator files, the package code, the folded-code switch or its header (the site's pages
    it links to; see :func:`qzanalysis.report.runner.key_parts`).
    """
    corpus_dir = Path(corpus_dir) if corpus_dir else paths.RAW_DIR
    out_dir = Path(out_dir) if out_dir else paths.OUTPUTS_DIR
    digests = input_digests(load_corpus(corpus_dir))
    site = pages.site_map([s.name for s in specs] + _earlier_names(specs, out_dir), analysis)
    rows = []
    for spec in specs:
        parts = key_parts(spec, digests, show_code=show_code, site=site, analysis=analysis)
        cached = _load_cached(out_dir, spec.name) or {}
        rendered = (
            cached.get("status") == "rendered"
            and (out_dir / links.report_page(spec.name)).is_file()
        )
        if force:
            rows.append((spec.name, "run", "--force"))
        elif not rendered:
            rows.append((spec.name, "run", "not rendered yet (or its last run failed)"))
        elif cached.get("key") == key_of(parts):
            rows.append((spec.name, "up to date", ""))
        else:
            before = cached.get("inputs") or {}
            changed = [k for k, v in parts.items() if before.get(k) != v]
            why = "changed: " + ", ".join(changed) if before else "rendered by an older version"
            rows.append((spec.name, "run", why))
    return rows


def print_plan(rows: list[tuple[str, str, str]]) -> None:
    for name, what, why in rows:
        print(
            f"{'would run' if what == 'run' else 'up to date'}: {name}"
            + (f" ({why})" if why else "")
        )
    n = sum(what == "run" for _, what, _ in rows)
    print(f"{n} of {len(rows)} report(s) would run, {len(rows) - n} up to date (nothing was run)")
