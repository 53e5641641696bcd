"""The HTML page: structure a screen reader relies on, every visible clause and nothing else, no requests, and
profile text printed literally. Assertions are on the rendered page, parsed as a browser would (html5lib)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from toolkit.model import Policy, block_text, plain_text
from toolkit.render import RenderOptions
from toolkit.render.formats import html
from toolkit.resolve.notes import tailoring_notes

from .conftest import require_program, resolve_text

SAMPLES = ["riverside-borough-council", "greenvale-hospitals", "dyffryn-tawel-council", "nhs-trust"]


def page(policy: Policy) -> BeautifulSoup:
    return BeautifulSoup(html.render(policy, RenderOptions()).decode("utf-8"), "html5lib")


def visible_text(node: Tag) -> str:
    return node.get_text()


def words(text: str) -> str:
    """Text without its whitespace: inline markup and line breaks in the page do not matter, the words do."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(params=SAMPLES)
def sample(request, sample_policy) -> tuple[Policy, BeautifulSoup]:
    policy = sample_policy(request.param)
    return policy, page(policy)


def test_language_title_and_metadata(sample) -> None:
    policy, soup = sample
    assert soup.html["lang"] == policy.language
    assert soup.title.string == policy.full_title
    assert soup.find("meta", attrs={"name": "description"})["content"]
    assert soup.find("meta", attrs={"name": "generator"})["content"] == "policy-toolkit"
    # conftest fixes SOURCE_DATE_EPOCH at 1764000000
    assert soup.find("meta", attrs={"name": "dcterms.created"})["content"] == "2025-11-24T16:00:00Z"
    assert soup.find("meta", attrs={"name": "dcterms.modified"})["content"] == "2025-11-24T16:00:00Z"


def test_one_h1_and_no_skipped_heading_levels(sample) -> None:
    policy, soup = sample
    headings = soup.find_all(re.compile(r"^h[1-6]$"))
    assert [h.name for h in headings].count("h1") == 1
    assert headings[0].name == "h1" and headings[0].get_text() == policy.title
    last = 0
    for heading in headings:
        level = int(heading.name[1])
        assert level <= last + 1, f"{heading.name} after h{last}: {heading.get_text()!r}"
        last = level


def test_sections_and_clauses_have_stable_ids_and_headings(sample) -> None:
    policy, soup = sample
    for section in policy.visible_sections:
        element = soup.find(id=section.id)
        assert element is not None and element.name == "section"
        assert element.find("h2").get_text() == plain_text(section.title)
        for clause in section.visible_clauses:
            block = soup.find(id=clause.id)
            assert block is not None, clause.id
            if clause.title:
                assert block.find("h3").get_text() == plain_text(clause.title)


def test_skip_link_and_contents_links_resolve(sample) -> None:
    policy, soup = sample
    skip = soup.body.find("a")
    assert "skip" in skip["class"][0] and skip["href"].startswith("#")
    assert soup.find(id=skip["href"][1:]).name == "main"
    nav = soup.find("nav")
    assert soup.find(id=nav["aria-labelledby"]).get_text().strip() == "Contents"
    targets = [a["href"][1:] for a in nav.find_all("a")]
    assert [s.id for s in policy.visible_sections if s.id in targets] == [s.id for s in policy.visible_sections]
    for anchor in soup.find_all("a", href=re.compile("^#")):
        assert soup.find(id=anchor["href"][1:]) is not None, anchor["href"]


def test_ids_are_unique(sample) -> None:
    _, soup = sample
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_every_visible_clause_text_is_present(sample) -> None:
    policy, soup = sample
    text = words(visible_text(soup.find("main")))
    for section in policy.visible_sections:
        for clause in section.visible_clauses:
            for line in block_text(clause.blocks).splitlines():
                for cell in line.split(" | "):
                    assert words(cell) in text, f"{clause.id}: {cell!r}"


def test_removed_clauses_are_not_shown(sample_policy) -> None:
    policy = sample_policy("greenvale-hospitals")
    hidden = [c for s in policy.sections for c in s.clauses if not c.visible]
    assert hidden, "the sample should remove or exclude a clause"
    soup = page(policy)
    text = words(visible_text(soup.find("main")))
    for clause in hidden:
        assert soup.find(id=clause.id) is None
        body = words(block_text(clause.blocks))
        assert body not in text


def test_lists_and_tables_are_marked_up_as_such(sample) -> None:
    _, soup = sample
    assert soup.find("ul") and soup.find("ol")
    for table in soup.find_all("table"):
        assert table.find("caption").get_text().strip()
        assert all(th.get("scope") == "col" for th in table.find("thead").find_all("th"))
        region = table.parent
        assert region["role"] == "region" and region["tabindex"] == "0"
        assert soup.find(id=region["aria-labelledby"]) is table.find("caption")


def test_tailoring_appendix_then_document_control_close_the_page(sample) -> None:
    policy, soup = sample
    sections = soup.find("main").find_all("section", class_="section")
    assert [s["id"] for s in sections[-2:]] == ["how_tailored", "document-control"]
    appendix = visible_text(sections[-2])
    for note in tailoring_notes(policy):
        assert note.title in appendix and note.change_in_words in appendix
        assert note.clause_id not in appendix  # IDs are for reviewers (diff, show), not for staff
        if note.reason:
            assert words(note.reason) in words(appendix)
    assert f"({policy.profile})" not in appendix
    assert "policy-toolkit" not in visible_text(soup.find("footer"))  # no build details for staff


def test_logo_is_a_data_uri_with_the_profiles_alt_text(sample_policy) -> None:
    policy = sample_policy("riverside-borough-council")
    img = page(policy).find("header").find("img")
    assert img["src"].startswith("data:image/svg+xml;base64,")
    assert img["alt"] == policy.branding.logo.alt


def test_decorative_logo_has_empty_alt(sample_policy) -> None:
    policy = sample_policy("riverside-borough-council")
    decorative = policy.branding.logo.model_copy(update={"alt": None, "svg": None})
    branding = policy.branding.model_copy(update={"logo": decorative})
    img = page(policy.model_copy(update={"branding": branding})).find("img")
    assert img["alt"] == "" and img["src"].startswith("data:image/png;base64,")


def test_no_external_resources(sample) -> None:
    _, soup = sample
    for tag in soup.find_all(["img", "script", "link", "iframe", "source", "video", "audio", "object", "embed"]):
        for attribute in ("src", "href", "data"):
            if tag.get(attribute):
                assert tag[attribute].startswith("data:"), tag
    css = soup.find("style").string
    assert re.findall(r"url\((?!\"data:)", css) == []
    assert "@import" not in css
    assert soup.find("script") is None


def test_fonts_are_embedded_woff2(sample) -> None:
    policy, soup = sample
    css = soup.find("style").string
    assert css.count('url("data:font/woff2;base64,') >= 2
    assert policy.branding.font.name in css and policy.branding.font.generic in css
    assert policy.branding.primary_colour.lower() in css


def test_external_links_show_their_address_in_print(sample_policy) -> None:
    soup = page(sample_policy("riverside-borough-council"))
    links = soup.find_all("a", href=re.compile("^(https|mailto|tel):"))
    assert links
    for link in links:
        shown = link.get("data-url")
        if shown:
            assert shown in link["href"]
    assert "a[data-url]::after" in soup.find("style").string


def test_same_inputs_give_the_same_bytes(sample_policy) -> None:
    policy = sample_policy("riverside-borough-council")
    assert html.render(policy, RenderOptions()) == html.render(policy, RenderOptions())


HOSTILE = "<script>alert(1)</script> {{ 7*7 }} & {% raw %}"


def test_profile_text_is_printed_literally(tmp_path: Path) -> None:
    policy = resolve_text(
        tmp_path,
        f"""\
        extends: local-council
        name: "Hostile <b>Council</b> & {{{{ 7*7 }}}}"
        short_name: Hostile
        document:
          owner: "Owner <img src=x onerror=alert(1)>"
        clauses:
          - add: official.hostile
            after: official.new-accounts
            title: "Title <script>alert(2)</script>"
            text: |
              Text {HOSTILE}
            reason: "Reason {HOSTILE}"
        """,
        name="hostile-council",
    )
    raw = html.render(policy, RenderOptions()).decode("utf-8")
    soup = BeautifulSoup(raw, "html5lib")
    assert soup.find("script") is None
    assert soup.find("b") is None
    assert not [img for img in soup.find_all("img") if img.get("onerror")]
    assert "49" not in visible_text(soup.body)
    clause = soup.find(id="official.hostile")
    assert clause.find("h3").get_text() == "Title <script>alert(2)</script>"
    assert HOSTILE in clause.get_text()
    assert "Hostile <b>Council</b> & {{ 7*7 }}" in soup.title.string
    assert f"Reason {HOSTILE}" in soup.find(id="how_tailored").get_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_css_strings_cannot_close_the_style_element() -> None:
    assert html.css_string('</style><script>"') == '"\\3c /style\\3e \\3c script\\3e \\22 "'


@pytest.mark.browser
def test_in_a_browser_the_page_requests_nothing_and_the_skip_link_works(sample_policy, tmp_path: Path) -> None:
    """Chromium at phone width: no request leaves the file, nothing scrolls sideways, and the first Tab shows the
    skip link, which moves focus to the main content."""
    chromium = require_program("chromium", "chromium")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    path = tmp_path / "page.html"
    path.write_bytes(html.render(sample_policy("riverside-borough-council"), RenderOptions()))
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 360, "height": 780})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.keyboard.press("Tab")
        skip = page.evaluate("[document.activeElement.className, document.activeElement.getBoundingClientRect().left]")
        page.keyboard.press("Enter")
        focused = page.evaluate("document.activeElement.tagName")
        phone_lines = page.evaluate(
            "[...document.querySelectorAll(\"a[href^='tel:']\")].map(a => a.getClientRects().length)"
        )
        browser.close()
    assert [url for url in requests if url != path.as_uri()] == []
    assert overflow <= 0
    assert skip == ["skip-link", 0]
    assert focused == "MAIN"
    assert phone_lines and set(phone_lines) == {1}  # every phone number on one line at 360 px


def test_who_to_contact_shows_email_addresses_as_text(sample_policy) -> None:
    policy = sample_policy("greenvale-hospitals")
    contacts = page(policy).find(id="contacts")
    for link in contacts.find_all("a", href=lambda h: h.startswith("mailto:")):
        assert link.get_text() == link["href"].removeprefix("mailto:")
    assert "speakup@greenvale-hospitals.example" in visible_text(contacts)
