"""WCAG 2.2 A/AA checks (axe-core in Chromium) on every HTML page the toolkit writes, at desktop and phone width."""

from __future__ import annotations

import pytest

from toolkit.diff import compare, compare_with_core, reporter
from toolkit.diff.matrix import build_matrix, html_report
from toolkit.render import render

from .conftest import _resolved, require_program

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 360)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAMPLES = [
    "riverside-borough-council",
    "greenvale-hospitals",
    "coastal-survey-agency",
    "dyffryn-tawel-council",
    "central-government",
]
MATRIX = [*SAMPLES, "local-council", "nhs-trust", "department-for-coastal-affairs"]  # every sample: 8 columns
REPORTS = ["diff.html", "diff-branded.html", "matrix.html"]


@pytest.fixture(scope="module")
def browser():
    chromium = require_program("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def pages() -> dict[str, bytes]:
    built = {f"{name}.html": render(_resolved(name), "html") for name in SAMPLES}
    built["diff.html"] = reporter("html").report(compare_with_core(_resolved("greenvale-hospitals"))).encode()
    riverside = _resolved("riverside-borough-council")
    branded = reporter("html").report(compare(_resolved("local-council"), riverside), branding=riverside.branding)
    built["diff-branded.html"] = branded.encode()
    built["matrix.html"] = html_report(build_matrix([_resolved(name) for name in MATRIX])).encode()
    return built


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    for name, data in pages().items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_name", [*(f"{name}.html" for name in SAMPLES), *REPORTS])
def test_no_wcag_violations(browser, written, page_name, width):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((written / page_name).as_uri())
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    page.close()
    assert violations == []


@pytest.mark.browser
@pytest.mark.parametrize("page_name", [*(f"{name}.html" for name in SAMPLES[:2]), *REPORTS])
def test_readable_on_a_phone_without_sideways_scrolling(browser, written, page_name):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto((written / page_name).as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.close()
    assert overflow <= 0


@pytest.mark.browser
def test_the_matrix_is_not_clipped_at_desktop_width_and_keeps_its_clause_column(browser, written):
    """At 1280 px every organisation's column fits; on a phone the table scrolls inside its own box, with the
    clause column and the header row staying in view."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((written / "matrix.html").as_uri())
    clipped = page.evaluate("[...document.querySelectorAll('.scroll')].map(e => e.scrollWidth - e.clientWidth)")
    page.close()
    assert clipped and max(clipped) <= 0
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto((written / "matrix.html").as_uri())
    box = page.locator("#changed + .scroll")
    box.evaluate("e => { e.scrollLeft = 400; e.scrollTop = 300; }")
    header = page.locator("#changed + .scroll thead th").first.bounding_box()
    clause = page.locator("#changed + .scroll tbody th").nth(5).bounding_box()
    frame = box.bounding_box()
    page.close()
    assert abs(header["x"] - frame["x"]) <= 2 and abs(header["y"] - frame["y"]) <= 2
    assert abs(clause["x"] - frame["x"]) <= 2
