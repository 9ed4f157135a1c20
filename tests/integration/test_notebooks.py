"""The report notebooks: committed clean, documented parameters, and every one renders.

Static checks read notebooks/*.ipynb as committed. The rendering checks use the session fixture
``rendered_reports`` (tests/conftest.py): every default report of the shipped corpus executed
once with papermill and rendered with nbconvert into a temporary outputs folder. Among them are
the three notebooks run with exactly their default parameters (overview, plan_2022-2026,
year_2020), which the tests check against ``papermill.inspect_notebook``.
"""

from __future__ import annotations

import ast
import html
import json
import re

import nbformat
import papermill as pm
import pytest

from qzanalysis import paths
from qzanalysis.report import NOTEBOOKS

NOTEBOOK_FILES = [paths.NOTEBOOKS_DIR / name for name in NOTEBOOKS.values()]

#: The parameters each notebook documents (issue 5: year; plan; the overview's year span).
DOCUMENTED_PARAMETERS = {
    "year_review.ipynb": {
        "year": "int",
        "tolerance_pp": "float",
        "city": "str",  # issue 13: one city of a corpus of several (empty: the only one)
        "corpus_dir": "str",
        "as_of": "str",
    },
    "plan_tracking.ipynb": {
        "plan": "str",
        "tolerance_pp": "float",
        "city": "str",
        "corpus_dir": "str",
        "as_of": "str",
    },
    "overview.ipynb": {
        "first_year": "int",
        "last_year": "int",
        "tolerance_pp": "float",
        "city": "str",
        "corpus_dir": "str",
        "as_of": "str",
    },
    "cities.ipynb": {
        "tolerance_pp": "float",
        "corpus_dir": "str",
        "as_of": "str",
    },
}

#: Sections the issue asks of each kind of report (English half of each bilingual heading).
EXPECTED_SECTIONS = {
    "year": [
        "Findings",
        "What the corpus covers for this year",
        "Targets set for this year and what happened",
        "Outcomes reported for this year",
        "Five-year goals as they stood this year",
        "Method",
    ],
    "plan": [
        "Findings",
        "Progress of each goal",
        "Trajectories with their prediction band",
    ],
    "overview": [
        "Findings",
        "Coverage by year",
        "Attainment by indicator and year",
        "How targets moved",
        "Consistency findings",
        "Method and sources",
    ],
    "cities": [
        "Findings",
        "Targets against the previous year's outcome",
        "Gaps by city",
        "The panel: city × year × indicator",
        "Method and sources",
    ],
}

#: Reports that must contain at least one embedded figure on the shipped corpus.
REPORTS_WITH_FIGURES = ("year_2020", "overview", "plan_2022-2026", "cities")
#: Which rendered report ran each notebook with its defaults.
DEFAULT_RUN = {
    "year_review.ipynb": "year_2020",
    "plan_tracking.ipynb": "plan_2022-2026",
    "overview.ipynb": "overview",
    "cities.ipynb": "cities",
}

#: An embedded PNG figure (nbconvert writes alt/class before src).
IMG_TAG = re.compile(r'<img\b[^>]*\bsrc="data:image/png;base64,[A-Za-z0-9+/]{100}')


def _parameters_cell(nb) -> nbformat.NotebookNode:
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "notebook has no code cell"
    return code[0]


# --------------------------------------------------------------------------------------------
# As committed
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        (i, len(c.get("outputs", [])), c.get("execution_count"))
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells (index, outputs, execution_count) {dirty} were saved with "
        "outputs; clear them (jupyter nbconvert --clear-output --inplace) before committing"
    )
    nbformat.validate(nb)


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_first_code_cell_is_parameters_of_annotated_literals(path):
    cell = _parameters_cell(nbformat.read(path, as_version=4))
    assert "parameters" in cell.metadata.get("tags", []), (
        f"{path.name}: the first code cell must be tagged 'parameters' for papermill"
    )
    tree = ast.parse(cell.source)
    names = {}
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name), (
            f"{path.name} line {node.lineno}: only 'name: type = literal' belongs in the parameters cell"
        )
        assert node.value is not None, (
            f"{path.name} line {node.lineno}: {node.target.id} has no default"
        )
        ast.literal_eval(node.value)  # raises on anything that is not a literal
        names[node.target.id] = ast.unparse(node.annotation)
    assert names == DOCUMENTED_PARAMETERS[path.name]


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_papermill_documents_the_parameters(path):
    inspected = pm.inspect_notebook(str(path))
    expected = DOCUMENTED_PARAMETERS[path.name]
    assert set(inspected) == set(expected)
    for name, type_name in expected.items():
        assert inspected[name]["inferred_type_name"] == type_name
        assert inspected[name]["help"].strip(), f"{path.name}: parameter {name} has no help comment"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebooks_are_thin(path):
    """Setup and display helpers live in qzanalysis.notebook, domain rules in the pipeline: a
    notebook defines no function, filters no warning and never calls the comparison itself."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    setup_cell = code[1]
    assert "setup(corpus_dir, tolerance_pp, as_of=as_of or None)" in setup_cell, (
        f"{path.name}: setup() is not called with the notebook's parameters"
    )
    for source in code:
        tree = ast.parse(source)
        defined = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        assert not defined, f"{path.name} defines {defined}: put shared code in qzanalysis.notebook"
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not imported & {"warnings", "qzanalysis.compare"}, f"{path.name} imports {imported}"
        called = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        called |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert not called & {"compare_targets", "fit_trajectory", "analyse"}, (
            f"{path.name}: {called}"
        )
        assert "%matplotlib" not in source and "pd.set_option" not in source
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids) and all(i.startswith(path.stem.replace("_", "-")) for i in ids)


def test_the_sensitivity_tolerance_is_the_other_one():
    from types import SimpleNamespace

    from qzanalysis.pipeline import Analysis

    def other(tol: float) -> float:
        return Analysis.sensitivity_tolerance(SimpleNamespace(parameters={"tolerance_pp": tol}))

    assert other(0.2) == 0.5 and other(0.3) == 0.5 and other(0.5) == 0.2


# --------------------------------------------------------------------------------------------
# Rendered (once per session)
# --------------------------------------------------------------------------------------------


def _html(rendered, name: str) -> str:
    return (rendered.out_dir / "html" / f"{name}.html").read_text(encoding="utf-8")


def test_every_report_rendered(rendered_reports):
    failed = [(r.name, r.error) for r in rendered_reports.results if r.status != "rendered"]
    assert not failed, failed
    names = {r.name for r in rendered_reports.results}
    expected = {"overview", "plan_2022-2026", "plan_2026-2030", "cities"} | {
        f"year_{y}" for y in range(2019, 2027)
    }
    assert names == expected
    for name in names:
        assert (rendered_reports.out_dir / "html" / f"{name}.html").is_file()
        assert (rendered_reports.out_dir / "notebooks" / f"{name}.ipynb").is_file()
    progress = "\n".join(rendered_reports.log)
    assert f"[{len(names)}/{len(names)}]" in progress, "progress shows how many reports are done"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebook_ran_with_its_default_parameters(rendered_reports, path):
    defaults = {
        name: ast.literal_eval(p["default"]) for name, p in pm.inspect_notebook(str(path)).items()
    }
    result = rendered_reports.result(DEFAULT_RUN[path.name])
    assert result.status == "rendered"
    assert {**defaults, **result.parameters} == defaults, (
        f"{result.name} did not run {path.name} with its defaults {defaults}: {result.parameters}"
    )
    executed = nbformat.read(
        rendered_reports.out_dir / "notebooks" / f"{result.name}.ipynb", as_version=4
    )
    assert executed.metadata["papermill"]["parameters"] == result.parameters


@pytest.mark.parametrize(
    "name",
    [
        "overview",
        "plan_2022-2026",
        "plan_2026-2030",
        *[f"year_{y}" for y in range(2019, 2027)],
        "cities",
    ],
)
def test_executed_notebook_has_no_error_output(rendered_reports, name):
    nb = nbformat.read(rendered_reports.out_dir / "notebooks" / f"{name}.ipynb", as_version=4)
    errors = [
        (i, o.get("ename"), o.get("evalue"))
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, f"{name}: {errors}"
    stderr = [
        o.get("text", "")[:300]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]
    assert not stderr, f"{name} printed warnings or errors into the report: {stderr}"


@pytest.mark.parametrize(
    "name",
    [
        "overview",
        "plan_2022-2026",
        "plan_2026-2030",
        *[f"year_{y}" for y in range(2019, 2027)],
        "cities",
    ],
)
def test_rendered_html_is_complete_offline_and_error_free(rendered_reports, shipped_corpus, name):
    page = _html(rendered_reports, name)
    kind = rendered_reports.result(name).kind
    for section in EXPECTED_SECTIONS[kind]:
        assert section in page, f"{name}.html lacks the section {section!r}"
    # No error output anywhere.
    for marker in ("Traceback", "output_error", '"ename"', "ename:"):
        assert marker not in page, f"{name}.html contains error output ({marker!r})"
    # Self-contained: no script fetched from the network, code hidden by default.
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", page), (
        f"{name}.html loads a remote script"
    )
    assert "%matplotlib inline" not in page and "def caption(" not in page, (
        f"{name}.html shows code"
    )
    # Provenance footer: every document with its hash, the package version, the parameters.
    footer = page[page.index('id="provenance"') :]
    for doc in shipped_corpus:
        assert doc.doc_id in footer and doc.sha256 in footer, (
            f"{name}.html footer lacks {doc.doc_id}"
        )
    assert (
        "qzanalysis" in footer and "review.csv" in footer and "quzhou_reference_facts.csv" in footer
    )
    params = json.dumps(rendered_reports.result(name).parameters, ensure_ascii=False)
    assert params.replace('"', "&quot;") in footer or params in footer
    # Chinese text (the title of the kind of report, and CJK characters in general).
    heading = {
        "year": "年度回顾",
        "plan": "规划目标跟踪",
        "overview": "总览",
        "cities": "跨城市比较",
    }[kind]
    assert heading in page
    assert len(re.findall(r"[\u4e00-\u9fff]", page)) > 200


def test_every_character_of_every_page_is_in_the_embedded_font(rendered_reports):
    """The pages embed a subset of Noto Sans SC: a character it lacks (an emoji, say) would draw
    as an empty box on a machine without another font that has it."""
    from fontTools.ttLib import TTFont

    from qzanalysis.plots import cjk_font_path

    cmap = TTFont(str(cjk_font_path())).getBestCmap()
    out = rendered_reports.out_dir
    for page in [out / "index.html", *sorted((out / "html").glob("*.html"))]:
        text = re.sub(
            r"<(style|script)\b.*?</\1>", "", page.read_text(encoding="utf-8"), flags=re.S
        )
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
        missing = sorted(
            {
                c
                for c in text
                if ord(c) > 127 and ord(c) not in cmap and not 0xFE00 <= ord(c) <= 0xFE0F
            }
        )
        assert not missing, f"{page.name}: {missing} are not in {cjk_font_path().name}"


@pytest.mark.parametrize("name", REPORTS_WITH_FIGURES)
def test_figures_are_embedded_images(rendered_reports, name):
    page = _html(rendered_reports, name)
    assert IMG_TAG.search(page), f"{name}.html has no embedded figure"
    assert not re.search(r"<img[^>]+src=[\"'](?!data:)", page), f"{name}.html links an image file"
    # every figure's alt text is its caption, not nbconvert's placeholder
    assert "No description has been provided" not in page
    assert all(len(alt) > 30 for alt in re.findall(r'<img[^>]+alt="([^"]*)"', page))


@pytest.mark.parametrize("year", range(2019, 2027))
def test_year_review_states_what_the_corpus_covers(rendered_reports, year):
    """Each year review prints the corpus's coverage note for its year (2019: outcomes, no targets)."""
    import warnings

    from qzanalysis.pipeline import analyse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coverage = analyse().coverage.set_index("year")
    note = str(coverage.loc[year, "note"])
    page = html.unescape(re.sub(r"<[^>]+>", "", _html(rendered_reports, f"year_{year}")))
    assert note in page, f"year_{year}.html does not state its coverage: {note!r}"


def _text(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_method_text_quotes_the_default_tolerance(rendered_reports):
    year = _text(_html(rendered_reports, "year_2020"))
    assert "tolerance for “左右” targets ±0.2 pp (levels ±1%)" in year
    assert (
        "Sensitivity: at ±0.5 pp for “左右” targets (the wider tolerance of docs/methods.md §3) "
        "instead of this report's ±0.2 pp" in year
    )
    overview = _text(_html(rendered_reports, "overview"))
    assert "targets compared (tolerance ±0.2 pp)" in overview
    assert "a tolerance of ±0.2 pp for rates (the State Council drafting group" in overview
    assert "±1% for levels" in overview
    plan = _text(_html(rendered_reports, "plan_2022-2026"))
    assert "“左右” targets are judged within ±0.2 pp" in plan


@pytest.mark.slow
def test_a_wider_tolerance_reaches_the_text(tmp_path):
    """Run at 0.5 pp, a report says 0.5 pp wherever it quotes the tolerance, and its sensitivity
    check compares with the default 0.2 pp instead."""
    from qzanalysis.report import plan_reports, run_reports

    specs = plan_reports(years=[2020], plans=["2022-2026"], tolerance_pp=0.5)
    results = run_reports(specs, out_dir=tmp_path, jobs=2, progress=lambda line: None)
    assert [(r.name, r.status) for r in results] == [
        ("overview", "rendered"),
        ("plan_2022-2026", "rendered"),
        ("year_2020", "rendered"),
        ("cities", "rendered"),
    ], [r.error for r in results]
    year = _text((tmp_path / "html" / "year_2020.html").read_text(encoding="utf-8"))
    assert "tolerance for “左右” targets ±0.5 pp (levels ±1%)" in year
    assert (
        "Sensitivity: at ±0.2 pp for “左右” targets (the default tolerance) instead of this "
        "report's ±0.5 pp" in year
    )
    assert "±0.2 pp (levels" not in year
    assert '"tolerance_pp": 0.5' in year  # the provenance footer's parameters
    overview = _text((tmp_path / "html" / "overview.html").read_text(encoding="utf-8"))
    assert "targets compared (tolerance ±0.5 pp)" in overview
    assert (
        "a tolerance of ±0.5 pp for rates (set for this report; the default ±0.2 pp follows "
        "the State Council drafting group" in overview
    )
    plan = _text((tmp_path / "html" / "plan_2022-2026.html").read_text(encoding="utf-8"))
    assert "“左右” targets are judged within ±0.5 pp" in plan
    index = _text((tmp_path / "index.html").read_text(encoding="utf-8"))
    # the four reports' parameters in the build table, and the built pages' footer
    assert index.count('"tolerance_pp": 0.5') == 5
    cities = _text((tmp_path / "html" / "cities.html").read_text(encoding="utf-8"))
    assert "Tolerance for “左右” targets ±0.5 pp (levels ±1%)" in cities
    assert "this corpus holds one city (衢州市): the cross-city view needs two or more" in cities


def test_reports_show_the_comparisons_beyond_the_same_period_match(rendered_reports):
    """Issue 9: the 2020 review states its vintage and shows the ratchet (2020 GDP target 7%左右
    against 2019's 6.7%: +0.3 pp, both in data/raw/001); the 2022-2026 plan shows the pace of
    budget revenue (240/216.1 - 1 = 11.06% needed in 2026 against a 2% target: below_pace)."""
    year = html.unescape(re.sub(r"<[^>]+>", "", _html(rendered_reports, "year_2020")))
    assert "Vintage: all documents (the newest)" in year
    assert "2020 target 7%左右 vs 2019 outcome 6.7% (wr2020): +0.3 pp" in year
    plan = html.unescape(re.sub(r"<[^>]+>", "", _html(rendered_reports, "plan_2022-2026")))
    assert "below_pace" in plan and "11.06" in plan
    overview = html.unescape(re.sub(r"<[^>]+>", "", _html(rendered_reports, "overview")))
    assert "完成年度任务" in overview or "self_status" in overview
