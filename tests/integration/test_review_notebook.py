"""The review notebook (notebooks/review.ipynb): committed clean and thin, its parameters
documented, and a run under papermill shows the widget and writes nothing.

A run is headless: the widget is displayed (a widget-view output) but nobody clicks, so no
decision is made and the review file, a copy in ``tmp_path``, stays byte for byte as it was.
"""

from __future__ import annotations

import ast
import shutil

import nbformat
import papermill as pm
import pytest

from qzanalysis import paths

NOTEBOOK = paths.NOTEBOOKS_DIR / "review.ipynb"
PARAMETERS = {"corpus_dir": "str", "document": "str", "filter": "str", "review_file": "str"}
DEFAULTS = {"corpus_dir": "", "document": "", "filter": "unreviewed", "review_file": ""}
WIDGET = "application/vnd.jupyter.widget-view+json"


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_committed_without_outputs_and_with_stem_ids():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(not c.outputs and c.execution_count is None for c in _code(nb))
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids) and all(i.startswith("review-") for i in ids)


def test_parameters_cell_is_annotated_literals_with_help():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = _code(nb)[0]
    assert "parameters" in cell.metadata.get("tags", [])
    names = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.AnnAssign) and node.value is not None
        names[node.target.id] = (ast.unparse(node.annotation), ast.literal_eval(node.value))
    assert names == {n: (PARAMETERS[n], DEFAULTS[n]) for n in PARAMETERS}
    inspected = pm.inspect_notebook(str(NOTEBOOK))
    assert {n: p["inferred_type_name"] for n, p in inspected.items()} == PARAMETERS
    assert all(p["help"].strip() for p in inspected.values())


def test_notebook_is_thin_and_never_saves():
    """It builds the session and shows the widget; saving is the researcher's click."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in _code(nb):
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        called = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not called & {"save", "decide", "confirm", "reject", "correct", "add"}, called
    source = "\n".join(c.source for c in _code(nb)[1:])
    assert "ReviewSession.load(corpus_dir, review_file=review_file, document=document" in source
    assert "review_widget(session)" in source
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for step in ("Save", "qzanalysis extract", "make report"):
        assert step in text


@pytest.mark.slow
@pytest.mark.parametrize(
    "parameters",
    [{}, {"document": "wr2020", "filter": "all"}],
    ids=["defaults", "one-document"],
)
def test_runs_under_papermill_and_leaves_the_review_file_alone(tmp_path, monkeypatch, parameters):
    review = tmp_path / "review.csv"
    shutil.copyfile(paths.REVIEW_FILE, review)
    before, mtime = review.read_bytes(), review.stat().st_mtime_ns
    shipped, shipped_mtime = paths.REVIEW_FILE.read_bytes(), paths.REVIEW_FILE.stat().st_mtime_ns
    monkeypatch.setenv("QZANALYSIS_ROOT", str(paths.ROOT))
    out = tmp_path / "review_out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={**parameters, "review_file": str(review)},
        kernel_name="python3",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        start_timeout=120,
    )
    assert review.read_bytes() == before and review.stat().st_mtime_ns == mtime
    assert paths.REVIEW_FILE.read_bytes() == shipped
    assert paths.REVIEW_FILE.stat().st_mtime_ns == shipped_mtime
    outputs = [o for c in _code(nbformat.read(out, as_version=4)) for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "warnings in the notebook"
    assert any(WIDGET in o.get("data", {}) for o in outputs), "the widget is not displayed"
    printed = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert f"{review}: " in printed and "statements have a decision" in printed
    listed = "(all)" if parameters else "(unreviewed)"
    assert listed in printed
