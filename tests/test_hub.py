"""The guidance hub in real Chromium: reading, comparing, editing a clause (round-trip YAML), live reload, field
errors, safety checks, the static site and its offline search, and axe-core on every kind of page."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from toolkit.hub.app import HubApp, start_in_thread
from toolkit.hub.security import Guard, host_allowed, same_origin
from toolkit.hub.state import Hub

from .conftest import PROFILES, require_program
from .test_accessibility import CHROMIUM_FLAGS, WCAG_TAGS, WIDTHS

ORG = "riverside-borough-council"
COMMENT = "# Riverside Borough Council: a fictional English borough council, built on the local council profile."
BROKEN = "broken-borough"
BROKEN_TEXT = "extends: local-council\nname: Broken Borough\nbranding:\n  primary_colour: purple\n"


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the sample profiles in its own git repository."""
    root = tmp_path_factory.mktemp("hub")
    shutil.copytree(PROFILES, root / "profiles")
    _git(root, "init", "-q")
    _git(root, "config", "user.name", "Casey Editor")
    _git(root, "config", "user.email", "casey@example.org")
    (root / "profiles" / f"{BROKEN}-axe.yaml").write_text(BROKEN_TEXT, encoding="utf-8")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "Sample profiles")
    return root / "profiles"


@pytest.fixture(scope="module")
def hub_url(project):
    web = HubApp(Hub(project))
    stop, url = start_in_thread(web)
    yield url
    stop()


@pytest.fixture(scope="module")
def browser():
    chromium = require_program("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def _open_form(page, hub_url: str, clause_id: str, org: str = ORG) -> None:
    page.goto(f"{hub_url}profiles/{org}/")
    page.locator(f"[id='{clause_id}']").get_by_role("link", name="Change this clause").click()
    page.wait_for_selector("form textarea#text")


# Reading and comparing -------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_an_organisation_and_a_clause_permalink(page, hub_url):
    page.goto(hub_url)
    page.get_by_role("link", name="Riverside Borough Council").click()
    assert page.locator("h1").inner_text().endswith("Riverside Borough Council")
    page.goto(f"{hub_url}clauses/principles.credible")  # the permalink, without the trailing slash
    assert page.locator("h1").inner_text() == "Be credible"
    cards = page.locator(".hub-card__title").all_inner_texts()
    assert cards[0] == "Core guidance" and "Riverside Borough Council" in cards


@pytest.mark.browser
def test_the_clause_page_says_who_changed_it_and_why(page, hub_url):
    page.goto(f"{hub_url}clauses/official.riverside-approval/")
    card = page.locator(".hub-card", has_text="Riverside Borough Council")
    assert f"Added by {ORG}" in card.inner_text()
    assert "business case for every new official account" in card.inner_text()


# Editing -----------------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_change_a_clause_keeps_the_yaml_comments_shows_the_diff_and_reloads(browser, page, hub_url, project):
    watcher = browser.new_page()
    watcher.goto(f"{hub_url}profiles/{ORG}/")
    watcher.wait_for_timeout(300)  # the event stream is connected
    _open_form(page, hub_url, "principles.consistent")
    page.fill("#text", "Welcome fair criticism. Stay polite and patient with {term.public}.")
    page.fill("#reason", "Shorter wording agreed with the Riverside staff forum.")
    page.check("#commit")
    page.get_by_role("button", name="Save the change").click()
    page.wait_for_selector("text=Change saved")
    assert "Committed to git." in page.inner_text(".hub-panel")
    assert "inserted text: " in page.text_content("main") and "patient" in page.inner_text("ins")

    saved = (project / f"{ORG}.yaml").read_text(encoding="utf-8")
    assert saved.startswith(COMMENT + "\n")  # comments and order kept
    assert "  - replace: principles.consistent\n" in saved
    assert "Stay polite and patient with {term.public}." in saved
    assert _git(project, "log", "-1", "--format=%s") == "Shorter wording agreed with the Riverside staff forum.\n"

    start = time.monotonic()
    watcher.locator("[id='principles.consistent']").get_by_text("patient with residents").wait_for(timeout=5000)
    assert time.monotonic() - start < 5
    watcher.close()


@pytest.mark.browser
def test_bad_text_gets_validates_message_next_to_the_field(page, hub_url, project):
    before = (project / f"{ORG}.yaml").read_bytes()
    _open_form(page, hub_url, "principles.responsive")
    page.fill("#text", "Answer {term.staf} quickly.")
    page.get_by_role("button", name="Save the change").click()
    error = page.locator("#text_error")
    error.wait_for()
    assert "`{term.staf}` is not a known placeholder" in error.inner_text()
    assert "did you mean `{term.staff}`" in error.inner_text()
    assert page.title().startswith("Error: ")
    summary_link = page.locator("#error_summary a")
    assert summary_link.get_attribute("href") == "#text"
    page.wait_for_function("() => document.activeElement.id === 'error_summary'", timeout=5000)  # focus moves to it
    assert page.locator("#text").get_attribute("aria-invalid") == "true"
    assert (project / f"{ORG}.yaml").read_bytes() == before


@pytest.mark.browser
def test_profile_text_is_shown_as_typed_never_run(page, hub_url, project):
    _open_form(page, hub_url, "code.public")
    page.fill("#text", "<script>window.ran = 1</script> {{ 7*7 }} <b>bold?</b>")
    page.fill("#reason", "Testing that text stays text.")
    page.get_by_role("button", name="Save the change").click()
    page.wait_for_selector("text=Change saved")
    page.goto(f"{hub_url}profiles/{ORG}/#code.public")
    clause = page.locator("[id='code.public']")
    assert "<script>window.ran = 1</script> {{ 7*7 }} <b>bold?</b>" in clause.inner_text()
    assert clause.locator("script, b").count() == 0 and page.evaluate("window.ran") is None


@pytest.mark.browser
def test_removing_needs_a_reason(page, hub_url, project):
    before = (project / f"{ORG}.yaml").read_bytes()
    _open_form(page, hub_url, "principles.integrated")
    page.check("#change_remove")
    page.get_by_role("button", name="Save the change").click()
    page.locator("#reason_error").wait_for()
    assert "reason" in page.inner_text("#reason_error")
    assert (project / f"{ORG}.yaml").read_bytes() == before


@pytest.mark.browser
def test_a_file_changed_on_disk_since_the_form_opened_is_not_overwritten(page, hub_url, project):
    path = project / "greenvale-hospitals.yaml"
    _open_form(page, hub_url, "principles.responsive", org="greenvale-hospitals")
    changed = path.read_text(encoding="utf-8") + "\n# edited elsewhere\n"
    path.write_text(changed, encoding="utf-8")
    page.fill("#reason", "A reason")
    page.get_by_role("button", name="Save the change").click()
    page.locator("#error_summary").wait_for()
    assert "changed on disk since this form was opened" in page.inner_text("#error_summary")
    assert path.read_text(encoding="utf-8") == changed


# Safety ------------------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_forms_refuse_cross_site_posts(browser, hub_url, project):
    before = (project / f"{ORG}.yaml").read_bytes()
    context = browser.new_context()
    url = f"{hub_url}profiles/{ORG}/clauses/principles.credible/edit"
    data = {"change": "change", "text": "Hijacked.", "reason": "x", "file_hash": "", "csrf_token": "guess"}
    no_token = context.request.post(url, form=data, headers={"Origin": hub_url.rstrip("/")})
    elsewhere = context.request.post(url, form=data, headers={"Origin": "https://attacker.example"})
    context.close()
    assert no_token.status == 403 and elsewhere.status == 403
    assert (project / f"{ORG}.yaml").read_bytes() == before


def test_a_changed_logo_or_template_drops_every_cached_policy(project):
    hub = Hub(project)
    hub.outcome(ORG)
    assert hub.cached(ORG) is not None
    hub.changed([project / "assets" / "riverside-borough-council-logo.png"])
    assert hub.cached(ORG) is None


def test_safety_rules():
    guard = Guard(needs_token=True)
    assert guard.access_token and not guard.token_ok(None) and guard.token_ok(guard.access_token)
    assert Guard(needs_token=False).token_ok(None)
    session = Guard.new_session()
    assert guard.csrf_ok(session, guard.csrf_token(session)) and not guard.csrf_ok(session, "x")
    assert host_allowed("127.0.0.1:8014", local_only=True) and host_allowed("localhost:1", local_only=True)
    assert not host_allowed("rebound.example:8014", local_only=True)
    assert same_origin("http://127.0.0.1:8014", None, "127.0.0.1:8014", "http")
    assert not same_origin(None, None, "127.0.0.1:8014", "http")


@pytest.mark.browser
def test_other_host_names_are_refused(browser, hub_url):
    context = browser.new_context()
    answer = context.request.get(hub_url, headers={"Host": "rebound.example"})
    context.close()
    assert answer.status == 421


@pytest.mark.browser
def test_a_broken_profile_shows_its_errors_in_the_page(page, hub_url, project):
    path = project / f"{BROKEN}.yaml"
    path.write_text(BROKEN_TEXT, encoding="utf-8")
    try:
        page.goto(f"{hub_url}profiles/{BROKEN}/")
        text = page.inner_text(".hub-error-summary")
        assert f"{BROKEN}.yaml:4" in text and "branding.primary_colour" in text
        page.goto(hub_url)
        assert page.locator("h1").inner_text()  # the hub still serves the rest
    finally:
        path.unlink()


# The static site ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(project, tmp_path_factory):
    from toolkit.hub.site import export

    out = tmp_path_factory.mktemp("export") / "site"
    export(project, None, out, edit_url="https://git.example/guidance/edit/main/{path}")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.mark.browser
def test_the_static_site_searches_offline(page, site):
    _, url = site
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(url) else route.continue_())
    page.goto(f"{url}search/?q=credible")
    page.locator(".hub-results li").first.wait_for(timeout=10000)
    assert page.locator(".hub-results a").count() > 0
    assert "credible" in page.inner_text(".hub-results").lower()


def test_the_static_site_links_to_proposals_and_shows_history(site):
    out, _ = site
    page = (out / "profiles" / ORG / "index.html").read_text(encoding="utf-8")
    assert 'href="https://git.example/guidance/edit/main/profiles/riverside-borough-council.yaml"' in page
    assert "Change this clause" not in page and "/events" not in page
    assert "Casey Editor, " in page  # the git history of the file that added a clause
    assert (out / "clauses" / "principles.credible" / "index.html").exists()


# Accessibility -----------------------------------------------------------------------------------------------------

PAGES = {
    "index": "",
    "core": "core/",
    "organisation": f"profiles/{ORG}/",
    "clause": "clauses/principles.credible/",
    "clauses": "clauses/",
    "matrix": "matrix/",
    "diff": f"profiles/{ORG}/diff/",
    "form": f"profiles/{ORG}/clauses/principles.credible/edit",
}


def _violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_no_wcag_violations_on_any_kind_of_hub_page(browser, hub_url, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for name, address in PAGES.items():
        page.goto(hub_url + address)
        found[name] = _violations(page)
    page.goto(hub_url + PAGES["form"])
    page.fill("#text", "{term.nope}")
    page.get_by_role("button", name="Save the change").click()
    page.locator("#error_summary").wait_for()
    found["form with errors"] = _violations(page)
    page.fill("#text", "Be accurate and fair.")
    page.fill("#reason", "Checking the saved page.")
    page.get_by_role("button", name="Save the change").click()
    page.wait_for_selector("text=Change saved")
    found["saved"] = _violations(page)
    page.goto(f"{hub_url}profiles/{BROKEN}-axe/")
    found["problems"] = _violations(page)
    page.goto(f"{hub_url}profiles/coastal-survey-agency/diff-parent/")
    found["diff against the parent"] = _violations(page)
    page.goto(f"{site[1]}search/?q=credible")
    page.locator(".hub-results li").first.wait_for(timeout=10000)
    found["search"] = _violations(page)
    page.goto(f"{site[1]}profiles/{ORG}/")
    found["static organisation"] = _violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert {name: v for name, v in found.items() if v} == {}
    assert overflow <= 0
