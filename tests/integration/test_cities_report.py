"""Reports of a corpus of several cities (issue 13 §1, §2 and §4).

The two-city corpus tests/fixtures/two_cities/ (two shipped 衢州 documents, three invented 丽水
work reports; its README) rendered into a temporary folder: one set of reports per city under
the city's key (its city_code: html/331100/year_2024.html), the cross-city report
html/cities.html, and no page of one city naming a statement of the other. Then one 丽水
document more: only 丽水's reports (and the cross-city one) re-run, every 衢州 report is up to
date, and the runner and the dry run say so. To keep the renders short, the reports are the
2024 year reviews (each city has one) and the cross-city report; the dry-run test lists the rest.
"""

from __future__ import annotations

import html
import re
import shutil
import warnings
from pathlib import Path

import pytest

from corpus_files import add_document
from qzanalysis import cli, cli_errors, links, paths, saved
from qzanalysis.cities import CityError
from qzanalysis.pipeline import analyse
from qzanalysis.report import plan_reports, run_reports
from qzanalysis.report import runner as report_runner
from qzanalysis.report.dryrun import explain
from site_links import broken_links, read_pages

TWO_CITIES = Path(__file__).resolve().parents[1] / "fixtures" / "two_cities"
LISHUI, QUZHOU = "丽水市", "衢州市"
KEYS = {LISHUI: "331100", QUZHOU: "330800"}
YEARS = (2024,)
ONLY = ("year", "cities")
#: An invented 丽水 work report of January 2026: 2025 results, 2026 targets (figures made up).
LISHUI_2026 = """2026年丽水市人民政府工作报告

一、2025年工作回顾

过去一年，全市地区生产总值2190.5亿元，增长5.8%；一般公共预算收入170.2亿元，增长3.2%；城镇居民人均可支配收入62650元，增长4.9%。

二、2026年目标任务

今年经济社会发展的主要预期目标是：地区生产总值增长5.5%左右；一般公共预算收入增长3%。
"""

_HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


@pytest.fixture(autouse=True)
def frozen_package_digest(monkeypatch):
    """The package's digest as of the start of the test (others may edit src/ meanwhile; the
    second render must see the same code as the first)."""
    digest = report_runner._package_digest()
    monkeypatch.setattr(report_runner, "_package_digest", lambda: digest)


def _quiet_analyse(corpus: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse(corpus)


def _render(corpus: Path, out: Path):
    """Plan and render as ``qzanalysis report`` does: one analysis, saved where the kernels
    read it, handed to the planner and the runner."""
    log: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, _ = saved.load_or_analyse(corpus, out_dir=out / "analysis")
        specs = plan_reports(corpus, years=YEARS, only=ONLY, analysis=a)
        results = run_reports(
            specs, corpus_dir=corpus, out_dir=out, jobs=2, progress=log.append, analysis=a
        )
    return a, specs, {r.name: r for r in results}, log


def _city_pages(pages: dict[str, str], a, city: str) -> list[str]:
    """The pages of one city: everything under its key, and its documents' source pages."""
    documents = {links.source_page(d.doc_id) for d in a.for_city(city).corpus}
    return [n for n in pages if n.startswith(f"html/{KEYS[city]}/") or n in documents]


def _statement_ids(a, city: str) -> set[str]:
    part = a.for_city(city)
    return set(part.statements["statement_id"]) | set(part.reference["statement_id"])


def _add_lishui_2026(corpus: Path) -> None:
    add_document(corpus, "lishui_wr2026", LISHUI_2026, title="2026年丽水市人民政府工作报告",
                 doc_type="work_report", issuer="丽水市人民政府", published="2026-01-22",
                 city="丽水市", city_code="331100", source="invented for the test",
                 notes="invented test document")  # fmt: skip


@pytest.mark.slow
def test_each_city_gets_its_reports_and_a_new_document_reruns_only_its_city(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(TWO_CITIES, corpus)
    a, specs, results, log = _render(corpus, out)
    names = [s.name for s in specs]
    assert names == ["331100_year_2024", "330800_year_2024", "cities"]
    assert {n: r.status for n, r in results.items()} == dict.fromkeys(names, "rendered"), [
        r.error for r in results.values()
    ]
    assert [s.parameters.get("city") for s in specs] == [LISHUI, QUZHOU, None]

    # One set of pages per city, under its key; none at the one-city paths.
    pages = read_pages(out)
    for page in ("html/331100/year_2024.html", "html/330800/year_2024.html", "html/cities.html",
                 "html/331100/indicators/gdp.html", "html/330800/indicators/gdp.html"):  # fmt: skip
        assert page in pages, page
    assert not {"html/year_2024.html", "html/indicators/gdp.html"} & set(pages)
    assert not broken_links(pages, out)

    # No page of one city names a statement of the other; its own indicator page shows its own.
    for city, other in ((LISHUI, QUZHOU), (QUZHOU, LISHUI)):
        foreign = _statement_ids(a, other)
        for name in _city_pages(pages, a, city):
            named = [sid for sid in foreign if sid in pages[name]]
            assert not named, f"{name} ({city}) names {other}'s statements {named[:3]}"
    gdp = a.for_city(LISHUI).statements.query("indicator_id == 'gdp'")["statement_id"]
    assert any(sid in pages["html/331100/indicators/gdp.html"] for sid in gdp)
    # The index lists each city's reports; the cross-city report shows both cities.
    index = pages["index.html"]
    for name in names:
        assert f'href="{links.href(links.INDEX, links.report_page(name))}"' in index, name
    cross = html.unescape(re.sub(r"<[^>]+>", " ", pages["html/cities.html"]))
    assert LISHUI in cross and QUZHOU in cross and "Wilson" in cross
    assert "<strong>One city only:</strong>" not in pages["html/cities.html"]

    # One 丽水 document more: the dry run and the runner leave every 衢州 report alone.
    _add_lishui_2026(corpus)
    plan = {name: (what, why) for name, what, why in explain(
        plan_reports(corpus, years=YEARS, only=ONLY), analysis=_quiet_analyse(corpus),
        corpus_dir=corpus, out_dir=out)}  # fmt: skip
    assert plan["330800_year_2024"] == ("up to date", "")
    what, why = plan["331100_year_2024"]
    assert what == "run" and "documents" in why and "rows" in why and "review" not in why, why
    a, specs, results, log = _render(corpus, out)
    statuses = {n: r.status for n, r in results.items()}
    assert statuses == {
        "331100_year_2024": "rendered", "330800_year_2024": "up_to_date", "cities": "rendered"
    }, [r.error for r in results.values()]  # fmt: skip
    assert "1 of 3 report(s) up to date (use --force to re-run them)" in log, log
    assert f"{QUZHOU}: 75 source and indicator page(s) up to date" in log, log
    pages = read_pages(out)
    assert "lishui_wr2026" in pages["html/331100/year_2024.html"]  # its footer lists it
    assert "lishui_wr2026" not in pages["html/330800/year_2024.html"]


def test_a_city_question_reaching_the_cli_is_a_message_and_status_2(capsys):
    def one_city_question(args):
        _quiet_analyse(TWO_CITIES).review_years()

    assert cli_errors.run_command("report", one_city_question, None) == cli_errors.USAGE
    err = capsys.readouterr().err
    assert err.startswith("qzanalysis report: this corpus holds several cities")
    assert "a.for_city(" in err and "Traceback" not in err
    assert cli_errors.failure("compare", CityError("x"))[0] == 2


def test_dry_run_of_two_cities_names_every_city_report(monkeypatch, tmp_path, capsys):
    """`qzanalysis report --corpus tests/fixtures/two_cities` used to stop with a CityError
    traceback; its dry run now lists each city's reports under their keys."""
    monkeypatch.setattr(paths, "OUTPUTS_DIR", tmp_path / "outputs")
    monkeypatch.setattr(paths, "TABLES_DIR", tmp_path / "outputs" / "tables")
    assert cli.main(["report", "--corpus", str(TWO_CITIES), "--dry-run"]) == 0
    out = capsys.readouterr().out
    for name in ("331100_overview", "331100_year_2022", "331100_year_2025", "330800_year_2019",
                 "330800_year_2026", "cities"):  # fmt: skip
        assert f"would run: {name} (not rendered yet" in out, name
    assert "15 of 15 report(s) would run, 0 up to date (nothing was run)" in out
