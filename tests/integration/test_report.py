"""The batch runner (qzanalysis.report): planning, skipping, re-running, failures, atomic writes.

Runner behaviour is tested with small throwaway notebooks written into tmp_path (a parameters cell
and a line or two of code), so each run costs one kernel start, not a full analysis.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import nbformat
import pytest

from corpus_files import add_document
from qzanalysis import cli, paths, report
from qzanalysis.report import (
    NOTEBOOKS,
    ReportError,
    ReportSpec,
    parse_years,
    plan_reports,
    run_reports,
)
from qzanalysis.report import runner as report_runner

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, years",
    [
        (None, ()),  # no years named: the corpus's years (plan_reports)
        ("", ()),
        ("2021", (2021,)),
        ("2019-2021", (2019, 2020, 2021)),
        ("2019 - 2020", (2019, 2020)),
        ("2020–2021", (2020, 2021)),  # an en dash, as typed in Chinese/Word text
        ("2022,2020", (2020, 2022)),
        ("2019-2020, 2020,2024", (2019, 2020, 2024)),
    ],
)
def test_parse_years(spec, years):
    assert parse_years(spec) == years


@pytest.mark.parametrize(
    "spec, message",
    [
        ("2025-2019", "after"),
        ("20", "2019-2025"),
        ("2020;2021", "2019-2025"),
        ("last year", "2019-2025"),
        ("2020,", "2019-2025"),
    ],
)
def test_parse_years_rejects_bad_specs_with_an_example(spec, message):
    with pytest.raises(ReportError, match=message) as info:
        parse_years(spec)
    assert repr(spec) in str(info.value), "the error quotes what was given"


@pytest.fixture(scope="module")
def shipped_analysis():
    from qzanalysis.pipeline import analyse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse()


def test_plans_come_from_the_analysis(shipped_analysis):
    # wr2022_excerpt sets goals to 2026 (今后五年); plan15_proposal (Dec 2025) sets goals to 2030.
    assert shipped_analysis.plans() == ["2022-2026", "2026-2030"]
    specs = plan_reports(only=["plan"])
    assert [s.parameters["plan"] for s in specs] == shipped_analysis.plans()
    assert [s.name for s in specs] == ["plan_2022-2026", "plan_2026-2030"]


def test_the_runner_holds_no_domain_rules():
    """Which plans exist, which goals stood, what a verdict is: the pipeline's business."""
    package = Path(report.__file__).parent
    for module in sorted(package.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        imported |= {
            a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
        }
        assert not any("compare" in name.split(".") for name in imported), (
            f"{module.name}: {imported}"
        )
    assert not hasattr(report, "find_plans") and not hasattr(report, "plans_in")


def test_plan_reports_order_names_and_parameters(tmp_path):
    specs = plan_reports(years=[2020, 2023], plans=["2022-2026"])
    assert [s.name for s in specs] == [
        "overview",
        "plan_2022-2026",
        "year_2020",
        "year_2023",
        "cities",  # the cross-city report, for every corpus
    ]
    assert specs[-1].parameters == {"tolerance_pp": 0.2, "corpus_dir": ""}
    assert specs[0].parameters == {
        "first_year": 2020,  # the overview spans the years reviewed
        "last_year": 2023,
        "tolerance_pp": 0.2,
        "corpus_dir": "",
    }
    assert specs[2].parameters == {"year": 2020, "tolerance_pp": 0.2, "corpus_dir": ""}
    assert specs[1].parameters == {"plan": "2022-2026", "tolerance_pp": 0.2, "corpus_dir": ""}
    assert all(s.notebook.parent == paths.NOTEBOOKS_DIR for s in specs)
    only = plan_reports(years=[2021], only=["year"])
    assert [s.name for s in only] == ["year_2021"]
    # Another corpus folder is passed to the notebooks as an absolute path.
    other = plan_reports(tmp_path, only=["overview"], years=[2020])
    assert other[0].parameters["corpus_dir"] == str(tmp_path.resolve())


def test_the_tolerance_reaches_every_report_and_its_key(shipped_corpus):
    default = plan_reports(years=[2020], plans=["2022-2026"])
    wider = plan_reports(years=[2020], plans=["2022-2026"], tolerance_pp=0.5)
    assert [s.name for s in wider] == [s.name for s in default]
    assert all(s.parameters["tolerance_pp"] == 0.5 for s in wider)
    assert all(s.parameters["tolerance_pp"] == 0.2 for s in default)
    digests = report.input_digests(shipped_corpus)
    for d, w in zip(default, wider, strict=True):
        assert {**w.parameters, "tolerance_pp": 0.2} == d.parameters
        assert report.report_key(w, digests, show_code=False) != report.report_key(
            d, digests, show_code=False
        )


def test_plan_reports_errors(tmp_path):
    with pytest.raises(ReportError, match="unknown report kind"):
        plan_reports(only=["years"])
    with pytest.raises(ReportError, match="year_review.ipynb is missing"):
        plan_reports(only=["year"], notebooks_dir=tmp_path)


# --------------------------------------------------------------------------------------------
# Throwaway notebooks
# --------------------------------------------------------------------------------------------


def _write_notebook(path: Path, body: str, parameters: str = 'label: str = "默认"') -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("## 测试报告 · Test report"),
        params,
        nbformat.v4.new_code_cell(body),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


GOOD = 'print(f"结果 result: {label}")'
BAD = 'raise ValueError(f"坏数据 deliberately broken for the test: {label}")'


def _spec(notebook: Path, name: str, **parameters) -> ReportSpec:
    return ReportSpec("year", name, f"测试 {name}", notebook, parameters)


@pytest.fixture(autouse=True)
def frozen_package_digest(monkeypatch):
    """The package's digest as of the start of the test.

    The key hashes the package's source; on a shared working tree someone editing
    src/qzanalysis/ between two runs of one test would make "up to date" flaky. The digest's
    effect on the key is tested on its own (test_report_key_covers_every_input).
    """
    digest = report_runner._package_digest()
    monkeypatch.setattr(report_runner, "_package_digest", lambda: digest)


def _run(specs, out_dir, **kw):
    log: list[str] = []
    results = run_reports(specs, out_dir=out_dir, progress=log.append, **{"jobs": 1, **kw})
    return {r.name: r for r in results}, log


@pytest.fixture()
def reference_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of the reference file, which the runner's keys hash (paths read at call time)."""
    copy = tmp_path / "reference.csv"
    copy.write_bytes(paths.REFERENCE_FILE.read_bytes())
    monkeypatch.setattr(paths, "REFERENCE_FILE", copy)
    return copy


def test_report_key_covers_every_input(tmp_path, shipped_corpus):
    nb = _write_notebook(tmp_path / "nb.ipynb", GOOD)
    spec = _spec(nb, "k", label="甲")
    digests = report.input_digests(shipped_corpus)
    assert set(digests) == {"corpus", "review", "reference", "indicators", "package"}
    base = report.report_key(spec, digests, show_code=False)
    assert report.report_key(spec, dict(digests), show_code=False) == base
    variants = [
        report.report_key(spec, {**digests, k: "changed"}, show_code=False) for k in digests
    ]
    variants.append(report.report_key(spec, digests, show_code=True))
    variants.append(report.report_key(_spec(nb, "k", label="乙"), digests, show_code=False))
    _write_notebook(nb, GOOD + "\n")
    variants.append(report.report_key(spec, digests, show_code=False))
    assert base not in variants and len(set(variants)) == len(variants)


def test_up_to_date_skipped_force_and_changes_rerun(tmp_path, reference_copy, corpus_copy):
    out = tmp_path / "out"
    nb = _write_notebook(tmp_path / "nb.ipynb", GOOD)
    spec = _spec(nb, "r1", label="甲")
    res, log = _run([spec], out, corpus_dir=corpus_copy)
    assert res["r1"].status == "rendered", res["r1"].error
    html_file = out / "html" / "r1.html"
    assert "结果 result: 甲" in html_file.read_text(encoding="utf-8")
    assert any("[1/1]" in line and "rendered" in line for line in log), log
    first = html_file.stat().st_mtime_ns

    # Nothing changed: skipped, HTML untouched, the console says so.
    res, log = _run([spec], out, corpus_dir=corpus_copy)
    assert res["r1"].status == "up_to_date"
    assert html_file.stat().st_mtime_ns == first
    assert any("up to date" in line for line in log)

    # --force runs it anyway.
    res, _ = _run([spec], out, corpus_dir=corpus_copy, force=True)
    assert res["r1"].status == "rendered"

    # A changed parameter re-runs it (and the new value is in the page).
    res, _ = _run([_spec(nb, "r1", label="乙")], out, corpus_dir=corpus_copy)
    assert res["r1"].status == "rendered"
    assert "结果 result: 乙" in html_file.read_text(encoding="utf-8")
    spec = _spec(nb, "r1", label="乙")
    assert _run([spec], out, corpus_dir=corpus_copy)[0]["r1"].status == "up_to_date"

    # A changed reference file re-runs it.
    reference_copy.write_bytes(reference_copy.read_bytes() + b"\n")
    assert _run([spec], out, corpus_dir=corpus_copy)[0]["r1"].status == "rendered"
    assert _run([spec], out, corpus_dir=corpus_copy)[0]["r1"].status == "up_to_date"

    # A changed corpus (manifest) re-runs it.
    manifest = corpus_copy / "manifest.csv"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "published 2025-12-08", "published 2025-12-08 (checked)"
        ),
        encoding="utf-8",
    )
    assert _run([spec], out, corpus_dir=corpus_copy)[0]["r1"].status == "rendered"

    # A changed notebook re-runs it; deleting the HTML re-runs it too.
    _write_notebook(nb, GOOD + "\nprint('更多 more')")
    assert _run([spec], out, corpus_dir=corpus_copy)[0]["r1"].status == "rendered"
    html_file.unlink()
    assert _run([spec], out, corpus_dir=corpus_copy)[0]["r1"].status == "rendered"
    assert html_file.is_file()


def test_failure_is_reported_others_render_and_good_html_is_kept(tmp_path):
    out = tmp_path / "out"
    good = _write_notebook(tmp_path / "good.ipynb", GOOD)
    fragile = _write_notebook(tmp_path / "fragile.ipynb", GOOD)
    specs = [_spec(good, "good"), _spec(fragile, "fragile")]
    res, _ = _run(specs, out, jobs=2)
    assert {r.status for r in res.values()} == {"rendered"}
    kept = (out / "html" / "fragile.html").read_bytes()

    # The notebook breaks; both re-run (force), in parallel.
    _write_notebook(fragile, BAD)
    res, log = _run(specs, out, jobs=2, force=True)
    assert res["good"].status == "rendered"
    failed = res["fragile"]
    assert failed.status == "failed"
    assert "ValueError" in failed.error and "deliberately broken" in failed.error, failed.error
    assert any("fragile" in line and "FAILED" in line for line in log), log
    # Atomic: the previous good page is still there, byte for byte; no temporary file is left.
    assert (out / "html" / "fragile.html").read_bytes() == kept
    leftovers = [
        p.name
        for p in out.rglob("*")
        if p.name.startswith(".") and p.is_file() and ".cache" not in p.parts
    ]
    assert not leftovers, leftovers
    # The failed notebook is kept with its error for inspection.
    error_nb = nbformat.read(out / "notebooks" / "fragile.error.ipynb", as_version=4)
    errors = [
        o
        for c in error_nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors and errors[0]["ename"] == "ValueError"
    # A failed run is never "up to date": the next run tries again.
    res, _ = _run(specs, out, jobs=1)
    assert res["good"].status == "up_to_date" and res["fragile"].status == "failed"

    # The index lists every report with its status, and links the pages and the error notebook.
    index = (out / "index.html").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr class='(\w+)'>.*?</tr>", index, re.S)}
    assert set(rows) == {"up_to_date", "failed"}
    assert 'href="html/good.html"' in rows["up_to_date"]
    assert 'href="html/fragile.html"' in rows["failed"]  # the kept good page is still linked
    assert 'href="notebooks/fragile.error.ipynb"' in rows["failed"]
    assert "deliberately broken" in rows["failed"]
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", index)

    # Fixed: the error notebook goes away and the page is replaced.
    _write_notebook(fragile, GOOD)
    res, _ = _run(specs, out)
    assert res["fragile"].status == "rendered"
    assert not (out / "notebooks" / "fragile.error.ipynb").exists()
    assert (out / "html" / "fragile.html").read_bytes() != kept


def test_rendered_page_is_self_contained_with_provenance(tmp_path, shipped_corpus):
    out = tmp_path / "out"
    nb = _write_notebook(
        tmp_path / "plot.ipynb",
        "\n".join(
            [
                "%matplotlib inline",
                "from qzanalysis import plots",
                "fig, ax = plots.plt.subplots(figsize=(3, 2))",
                "ax.bar(['目标', '结果'], [7.0, 6.7]); ax.set_title(label)",
                "display(fig); plots.plt.close(fig)",
            ]
        ),
    )
    res, _ = _run([_spec(nb, "plot", label="增长 growth")], out)
    assert res["plot"].status == "rendered", res["plot"].error
    page = (out / "html" / "plot.html").read_text(encoding="utf-8")
    assert re.search(r'<img\b[^>]*\bsrc="data:image/png;base64,', page)
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", page)
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", page)
    assert "ax.bar(" not in page, "code is hidden by default"
    assert "@font-face" in page and "data:font/otf;base64," in page, "the CJK font is embedded"
    footer = page[page.index('id="provenance"') :]
    for doc in shipped_corpus:
        assert doc.sha256 in footer
    assert "增长 growth" in footer  # the parameters
    # --show-code keeps the code (and is a different key: the page is re-rendered).
    res, _ = _run([_spec(nb, "plot", label="增长 growth")], out, show_code=True)
    assert res["plot"].status == "rendered"
    assert "ax.bar(" in html_unescaped(out / "html" / "plot.html")


def html_unescaped(path: Path) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_cli_exits_non_zero_when_a_report_fails(tmp_path, monkeypatch, capsys):
    good = _write_notebook(tmp_path / "good.ipynb", GOOD)
    bad = _write_notebook(tmp_path / "bad.ipynb", BAD)
    specs = [_spec(good, "good"), _spec(bad, "bad")]
    planned = {}

    def fake_plan_reports(corpus_dir=None, **kw):
        planned.update(kw)
        return specs

    monkeypatch.setattr(report, "plan_reports", fake_plan_reports)
    monkeypatch.setattr(paths, "OUTPUTS_DIR", tmp_path / "outputs")
    monkeypatch.setattr(paths, "TABLES_DIR", tmp_path / "outputs" / "tables")
    code = cli.main(["report", "--jobs", "2", "--years", "2020"])
    assert code != 0
    assert planned["years"] == (2020,)
    err = capsys.readouterr().err
    assert "bad" in err and "ValueError" in err and "bad.error.ipynb" in err
    assert (tmp_path / "outputs" / "html" / "good.html").is_file()
    assert not (tmp_path / "outputs" / "html" / "bad.html").exists()
    assert (tmp_path / "outputs" / "notebooks" / "bad.error.ipynb").is_file()
    assert (tmp_path / "outputs" / "index.html").is_file()


def test_cli_rejects_bad_arguments_before_running_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(paths, "OUTPUTS_DIR", tmp_path / "outputs")
    assert cli.main(["report", "--years", "2025-2019"]) == 2
    assert "2025-2019" in capsys.readouterr().err
    assert not (tmp_path / "outputs" / "index.html").exists()


def test_every_kind_of_report_has_a_shipped_notebook():
    assert set(NOTEBOOKS) == set(report.KINDS)
    for kind, name in NOTEBOOKS.items():
        assert (paths.NOTEBOOKS_DIR / name).is_file(), f"{kind}: notebooks/{name} is missing"


def test_the_years_come_from_the_corpus(corpus_copy):
    """Issue 13 §3: the shipped corpus's documents run from 2020-04 (wr2020, reviewing 2019) to
    2026-01 (wr2026_highlights, setting out 2026): year reviews 2019-2026 and an overview over
    the same span, with no --years. A document of November 2026 speaking for 2027 (a work
    report's outline, published after October: the next year's) adds the 2027 review."""

    specs = plan_reports(corpus_copy, only=["overview", "year"])
    assert [s.name for s in specs][1:] == [f"year_{y}" for y in range(2019, 2027)]
    assert specs[0].parameters["first_year"] == 2019 and specs[0].parameters["last_year"] == 2026
    text = "2027年全市经济社会发展的主要预期目标是：地区生产总值增长6%左右。\n"
    add_document(corpus_copy, "wr2027_outline", text, title="2027年政府工作报告提纲",
                 doc_type="work_report_excerpt", issuer="衢州市人民政府", published="2026-11-20",
                 city="衢州市", source="test document")  # fmt: skip
    years = [s.parameters["year"] for s in plan_reports(corpus_copy, only=["year"])]
    assert years == list(range(2019, 2028))


def test_a_dry_run_says_what_would_run_and_why(rendered_reports, tmp_path, monkeypatch):
    """Issue 13 §4: right after the session's render every report is up to date; a review file
    that differs (one comment line more) makes every report's key change, and the dry run
    names the review file as the reason. Nothing is run either way."""
    import shutil

    from qzanalysis.pipeline import analyse
    from qzanalysis.report.dryrun import explain

    specs = plan_reports()
    rows = explain(specs, analysis=analyse(), out_dir=rendered_reports.out_dir)
    assert [(name, what) for name, what, _ in rows] == [(s.name, "up to date") for s in specs]
    review = tmp_path / "review.csv"
    shutil.copy(paths.REVIEW_FILE, review)
    with open(review, "a", encoding="utf-8") as f:
        f.write("# one more comment\n")
    monkeypatch.setattr(paths, "REVIEW_FILE", review)
    rows = explain(specs, analysis=analyse(), out_dir=rendered_reports.out_dir)
    assert {what for _, what, _ in rows} == {"run"}
    assert all(why == "changed: review" for _, _, why in rows), rows


def test_a_report_over_its_timeout_fails_alone(tmp_path):
    """--timeout: a report that runs longer is stopped and listed as failed with the reason."""
    from qzanalysis.report import run_reports

    specs = plan_reports(years=[2020], only=["year"])
    results = run_reports(specs, out_dir=tmp_path, jobs=1, timeout=0.5, progress=lambda m: None)
    assert [r.status for r in results] == ["failed"]
    assert "--timeout 0.5 s" in results[0].error
    assert not (tmp_path / "html" / "year_2020.html").exists()
