"""`qzanalysis report --executor dask` (issue 13 §4): the reports run on a dask LocalCluster.

The runner hands each report to :func:`qzanalysis.executors.make_executor`; with ``dask`` that
is a ``distributed.Client`` on a new LocalCluster (dask is an optional extra: the test is
skipped without it).
"""

from __future__ import annotations

import pytest

from qzanalysis import cli, paths
from qzanalysis.report import runner as report_runner

pytestmark = pytest.mark.slow


def test_report_renders_the_overview_on_a_dask_local_cluster(monkeypatch, tmp_path, capsys):
    pytest.importorskip("distributed")
    out = tmp_path / "outputs"
    monkeypatch.setattr(paths, "OUTPUTS_DIR", out)
    monkeypatch.setattr(paths, "TABLES_DIR", out / "tables")
    made = []
    real = report_runner.make_executor

    def recording(kind, **kw):
        executor = real(kind, **kw)
        made.append((kind, executor.kind, type(executor).__name__))
        return executor

    monkeypatch.setattr(report_runner, "make_executor", recording)
    assert cli.main(["report", "--executor", "dask", "--only", "overview"]) == 0, (
        capsys.readouterr().err
    )
    assert made == [("dask", "dask", "_Dask")], made  # the report ran on the cluster
    printed = capsys.readouterr().out
    assert "1 of 1 report(s) ready" in printed, printed
    assert "rendering 1 report(s) on a dask LocalCluster of 1 worker(s)" in printed, printed
    page = (out / "html" / "overview.html").read_text(encoding="utf-8")
    assert "总览" in page and 'id="provenance"' in page
    assert (out / "index.html").is_file()
