"""The rendered reports open in a real headless browser (Debian's chromium + chromium-driver).

Opens the session-rendered outputs (tests/conftest.py ``rendered_reports``) over file:// — the
way a researcher opens a shared report — and checks that index.html and one report render: a
non-blank screenshot, no SEVERE console message, Chinese text on the page, and Chinese drawn with
the embedded font (two different characters draw different glyphs, not the same empty box).
Screenshots are kept in outputs/test-artifacts/.

Skipped, with what to install, where chromium or chromedriver is missing (``.ci/run`` installs
them with ``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qzanalysis import paths

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = "install them with: apt-get install chromium chromium-driver"
ARTIFACTS = paths.OUTPUTS_DIR / "test-artifacts"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(
            f"headless browser test skipped: {', '.join(missing)} not found; {INSTALL_HINT}"
        )
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed: pip install -e '.[dev]'"
    )
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
    except WebDriverException as exc:
        pytest.skip(
            f"headless browser test skipped: chromium did not start ({exc.msg or exc}); "
            f"check {CHROMIUM} and {CHROMEDRIVER}, or {INSTALL_HINT}"
        )
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(driver, page: Path) -> list[dict]:
    """Load ``page`` over file:// and return the console messages it produced."""
    driver.get_log("browser")  # drop messages of an earlier page
    driver.get(page.resolve().as_uri())
    driver.execute_async_script(
        "const done = arguments[0]; document.fonts.ready.then(() => done(true));"
    )
    return driver.get_log("browser")


def _screenshot(driver, name: str):
    from PIL import Image

    png = driver.get_screenshot_as_png()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.png").write_bytes(png)
    return Image.open(io.BytesIO(png)).convert("RGB")


def _assert_not_blank(image, name: str) -> None:
    colours = image.getcolors(maxcolors=1 << 20)
    n = len(colours) if colours is not None else 1 << 20
    assert n > 20, f"{name}: the screenshot has only {n} distinct colour(s): the page looks blank"
    # Some ink on the page: not all pixels are the background colour.
    background = max(colours)[0] if colours else 0
    assert background < 0.99 * image.width * image.height, f"{name}: the page is one colour"


#: Draws two characters with the embedded font and compares their pixels: an empty box (tofu) is
#: the same picture for both, a real glyph differs; also reports whether the font face loaded.
_GLYPH_CHECK = """
const [family, a, b] = [arguments[0], arguments[1], arguments[2]];
const done = arguments[arguments.length - 1];
document.fonts.load(`64px "${family}"`, a + b).then((faces) => {
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 80; c.height = 80;
    const ctx = c.getContext('2d'); ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 80, 80);
    ctx.fillStyle = '#000'; ctx.font = `64px "${family}"`; ctx.textBaseline = 'top';
    ctx.fillText(ch, 8, 8);
    const px = ctx.getImageData(0, 0, 80, 80).data;
    let ink = 0; const grey = [];
    for (let i = 0; i < px.length; i += 4) { grey.push(px[i]); if (px[i] < 128) ink++; }
    return {ink, grey};
  };
  const [ga, gb] = [draw(a), draw(b)];
  let diff = 0;
  for (let i = 0; i < ga.grey.length; i++) if (Math.abs(ga.grey[i] - gb.grey[i]) > 64) diff++;
  done({faces: faces.length, status: faces.map((f) => f.status), inkA: ga.ink, inkB: gb.ink, diff,
        width: (() => { const c = document.createElement('canvas').getContext('2d');
                        c.font = `64px "${family}"`; return c.measureText(a).width; })()});
}, (err) => done({error: String(err)}));
"""


#: Every distinct non-ASCII character of the page text, drawn in the body's font stack, compared
#: with an unassigned code point (U+0378), which every font draws as its empty "missing" box.
_TOFU_CHECK = r"""
const done = arguments[arguments.length - 1];
document.fonts.ready.then(() => {
  const font = '32px ' + getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 48; c.height = 48;
    const ctx = c.getContext('2d'); ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 48, 48);
    ctx.fillStyle = '#000'; ctx.font = font; ctx.textBaseline = 'top'; ctx.fillText(ch, 4, 4);
    return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(',');
  };
  const tofu = draw('\u0378');
  const chars = [...new Set(Array.from(document.body.innerText))]
    .filter((ch) => ch.codePointAt(0) > 127 && ch.trim() !== '' && !/\p{M}|[\uFE00-\uFE0F]/u.test(ch));
  done({checked: chars.length, missing: chars.filter((ch) => draw(ch) === tofu)});
});
"""


def _check_page(driver, page: Path, name: str, must_contain: str) -> str:
    logs = _open(driver, page)
    severe = [entry["message"] for entry in logs if entry.get("level") == "SEVERE"]
    assert not severe, f"{name}: console errors {severe}"
    image = _screenshot(driver, name)
    _assert_not_blank(image, name)
    text = driver.find_element("tag name", "body").text
    assert must_contain in text, f"{name}: {must_contain!r} is not in the page text"
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 50, f"{name}: little or no Chinese text"
    tofu = driver.execute_async_script(_TOFU_CHECK)
    assert tofu["checked"] > 20, f"{name}: {tofu}"
    assert not tofu["missing"], f"{name}: characters drawn as empty boxes: {tofu['missing']}"
    return text


def _assert_chinese_font_renders(driver, name: str) -> None:
    from qzanalysis.report import EMBEDDED_FONT

    result = driver.execute_async_script(_GLYPH_CHECK, EMBEDDED_FONT, "衢", "州")
    assert "error" not in result, f"{name}: {result}"
    assert result["faces"] >= 1 and set(result["status"]) == {"loaded"}, (
        f"{name}: the embedded font {EMBEDDED_FONT!r} did not load: {result}"
    )
    assert result["inkA"] > 100 and result["inkB"] > 100, (
        f"{name}: the characters draw no ink: {result}"
    )
    assert result["diff"] > 100, (
        f"{name}: 衢 and 州 draw the same picture (an empty box?): {result}"
    )
    assert 50 <= result["width"] <= 80, (
        f"{name}: a CJK character should be about 1 em wide: {result}"
    )


def test_index_page_renders(browser, request):
    # Requested here, after the browser started: no rendering when the test is skipped.
    rendered_reports = request.getfixturevalue("rendered_reports")
    index = rendered_reports.out_dir / "index.html"
    text = _check_page(browser, index, "index", "衢州")
    _assert_chinese_font_renders(browser, "index")
    links = browser.find_elements("css selector", "a[href^='html/']")
    hrefs = {link.get_attribute("href").rsplit("/", 1)[-1] for link in links}
    expected = {f"{r.name}.html" for r in rendered_reports.results}
    assert expected <= hrefs, f"index.html does not link {sorted(expected - hrefs)}"
    assert "failed" not in text.lower()


def test_year_report_renders_and_follows_from_the_index(browser, request):
    rendered_reports = request.getfixturevalue("rendered_reports")
    browser.get((rendered_reports.out_dir / "index.html").resolve().as_uri())
    browser.find_element("css selector", "a[href='html/year_2020.html']").click()
    assert browser.current_url.endswith("/html/year_2020.html")
    page = rendered_reports.out_dir / "html" / "year_2020.html"
    text = _check_page(browser, page, "year_2020", "年度回顾")
    assert "2020" in text and "Provenance" in text
    _assert_chinese_font_renders(browser, "year_2020")
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth]);"
    )
    assert images and all(done and width > 100 for done, width in images), (
        f"year_2020: an embedded figure did not decode: {images}"
    )


def test_the_empty_box_detector_works(browser, tmp_path):
    """Control: a private-use character (no font has it) is reported; Chinese and ✓ are not.

    The control page embeds the font the way the reports do; the same page without it shows
    whether this machine has a Chinese system font (Debian's chromium alone has none)."""
    from qzanalysis.report import embed_cjk_font

    plain = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        "<body><p>衢州 ✓ \ue000</p></body></html>"
    )
    page = tmp_path / "control.html"
    page.write_text(embed_cjk_font(plain), encoding="utf-8")
    browser.get(page.as_uri())
    result = browser.execute_async_script(_TOFU_CHECK)
    assert result["missing"] == ["\ue000"], result
    page.write_text(plain, encoding="utf-8")
    browser.get(page.as_uri())
    result = browser.execute_async_script(_TOFU_CHECK)
    assert "\ue000" in result["missing"], result


# --------------------------------------------------------------------------------------------
# Issue 10: navigation, evidence one click away, a phone-sized screen, nothing fetched
# --------------------------------------------------------------------------------------------


def _hrefs(driver, selector: str = "a[href]") -> list[str]:
    return [a.get_attribute("href") for a in driver.find_elements("css selector", selector)]


def test_navigation_from_the_index_to_a_year_an_indicator_and_back(browser, request):
    rendered_reports = request.getfixturevalue("rendered_reports")
    browser.get((rendered_reports.out_dir / "index.html").resolve().as_uri())
    browser.find_element("css selector", "a[href='html/year_2020.html']").click()
    assert browser.current_url.endswith("/html/year_2020.html")
    # the header links to the neighbouring years and to the plans
    header = browser.find_element("css selector", "nav.qz-nav")
    nav = [a.get_attribute("href") for a in header.find_elements("tag name", "a")]
    assert any(h.endswith("/html/year_2021.html") for h in nav), nav
    assert any("/html/plan_" in h for h in nav), nav
    # the headline table's indicator cell leads to the indicator page
    gdp = browser.find_element("css selector", "a[href='indicators/gdp.html']")
    gdp.click()
    assert browser.current_url.endswith("/html/indicators/gdp.html")
    text = _check_page(
        browser,
        rendered_reports.out_dir / "html/indicators/gdp.html",
        "indicator_gdp",
        "地区生产总值",
    )
    assert "Across the years" in text and "Cite this page" in text
    browser.find_element("link text", "首页 Index").click()
    assert browser.current_url.endswith("/index.html")


def test_a_verdicts_evidence_link_scrolls_to_its_highlighted_sentence(browser, request):
    from qzanalysis.pipeline import analyse

    rendered_reports = request.getfixturevalue("rendered_reports")
    statements = analyse().statements.set_index("statement_id")
    _open(browser, rendered_reports.out_dir / "html" / "year_2020.html")
    evidence = [
        a
        for a in browser.find_elements("css selector", "a[href*='sources/']")
        if a.text == "目标 target"
    ]
    assert evidence, "year_2020: no verdict links to its target's sentence"
    evidence[0].click()
    assert "/html/sources/" in browser.current_url
    anchor = browser.execute_script("return decodeURIComponent(location.hash.slice(1));")
    found = browser.execute_script(
        "const el = document.getElementById(arguments[0]); if (!el) return null;"
        "const r = el.getBoundingClientRect();"
        "return [el.tagName, el.textContent, r.top, r.bottom, window.innerHeight,"
        " getComputedStyle(el).outlineStyle];",
        anchor,
    )
    assert found is not None, f"the source page has no element {anchor!r}"
    tag, text, top, bottom, height, outline = found
    statement_id = anchor.removeprefix("st-")
    assert tag == "MARK" and text == statements.loc[statement_id, "evidence"]
    assert top >= 0 and bottom <= height, f"{anchor} is not scrolled into view: {found}"
    assert outline != "none", "the targeted statement is not outlined"
    _screenshot(browser, "source_at_evidence")


def test_a_phone_sized_screen_shows_indicator_and_verdict(browser, request):
    rendered_reports = request.getfixturevalue("rendered_reports")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        for name in ("html/year_2020.html", "index.html", "html/indicators/gdp.html"):
            _open(browser, rendered_reports.out_dir / name)
            width = browser.execute_script("return document.documentElement.scrollWidth;")
            assert width <= 391, f"{name}: the page scrolls sideways at 390 px ({width} px wide)"
        _open(browser, rendered_reports.out_dir / "html" / "year_2020.html")
        boxes = browser.execute_script(
            "return Array.from(document.querySelectorAll('th')).filter(th =>"
            " /^(indicator 指标|verdict 结论)/.test(th.textContent.trim())).map(th => {"
            " const r = th.getBoundingClientRect(); return [th.textContent.trim(), r.left, r.right]; });"
        )
        names = {b[0].split()[0] for b in boxes}
        assert {"indicator", "verdict"} <= names, boxes
        assert all(left >= 0 and right <= 390 for _, left, right in boxes), boxes
        _screenshot(browser, "year_2020_390px")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_tables_are_searchable_and_no_request_leaves_the_machine(browser, request):
    import json

    rendered_reports = request.getfixturevalue("rendered_reports")
    browser.get_log("performance")  # drop earlier entries
    for name in ("index.html", "html/year_2020.html", "html/plan_2022-2026.html",
                 "html/overview.html", "html/sources/wr2020.html", "html/indicators/gdp.html"):  # fmt: skip
        logs = _open(browser, rendered_reports.out_dir / name)
        severe = [entry["message"] for entry in logs if entry.get("level") == "SEVERE"]
        assert not severe, f"{name}: console errors {severe}"
    searchable = browser.execute_script(
        "return document.querySelectorAll('.dt-search input').length;"
    )
    requests = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    urls = [
        m["params"]["request"]["url"]
        for m in requests
        if m["method"] == "Network.requestWillBeSent"
    ]
    remote = [u for u in urls if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert urls and not remote, f"requests left the machine: {remote[:5]}"
    _open(browser, rendered_reports.out_dir / "html" / "year_2020.html")
    assert (
        browser.execute_script("return document.querySelectorAll('.dt-search input').length;") >= 1
    )
    assert searchable >= 1
