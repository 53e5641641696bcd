"""WCAG 2.2 A/AA checks (axe-core in Chromium) on every HTML page the toolkit writes, at desktop and phone width."""

from __future__ import annotations

import pytest

from toolkit.diff import compare_with_core, reporter
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
    built["matrix.html"] = html_report(build_matrix([_resolved(name) for name in SAMPLES])).encode()
    return built


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    for name, data in pages().items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_name", [*(f"{name}.html" for name in SAMPLES), "diff.html", "matrix.html"])
def test_no_wcag_violations(browser, written, page_name, width):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((written / page_name).as_uri())
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    page.close()
    assert violations == []


@pytest.mark.browser
@pytest.mark.parametrize("page_name", [f"{name}.html" for name in SAMPLES[:2]])
def test_readable_on_a_phone_without_sideways_scrolling(browser, written, page_name):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto((written / page_name).as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.close()
    assert overflow <= 0
