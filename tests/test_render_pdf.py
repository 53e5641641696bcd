"""The PDF handbook: tagged, titled, bookmarked, fonts embedded, page furniture present, every visible clause's
words in it, the same bytes for the same inputs, and a fetcher that reads nothing but the policy's own files.

Each sample is rendered once for the module (a render takes about a second)."""

from __future__ import annotations

import io
import itertools
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from toolkit.model import Link, Policy, block_text, plain_text
from toolkit.render import RenderOptions
from toolkit.render.formats import html, pdf
from toolkit.render.formats.html import version_mark

from .conftest import _resolved

BUILD_TIME = datetime.fromtimestamp(1764000000, UTC)  # conftest's SOURCE_DATE_EPOCH
SAMPLES = ["riverside-borough-council", "greenvale-hospitals"]
BODY = (60, 775)  # points from the page foot: between the running footer and header on A4


@pytest.fixture(scope="module", params=SAMPLES)
def built(request) -> tuple[Policy, bytes]:
    policy = _resolved(request.param)
    return policy, pdf.render(policy, RenderOptions(timestamp=BUILD_TIME))


@pytest.fixture(scope="module")
def reader(built) -> PdfReader:
    return PdfReader(io.BytesIO(built[1]))


@pytest.fixture(scope="module")
def page_texts(reader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def body(reader) -> str:
    return body_text(reader)


def squash(text: str) -> str:
    """Words without whitespace or list bullets: PDF text comes back with its own line breaks."""
    return re.sub(r"[\s•]+", "", text)


def body_text(reader: PdfReader) -> str:
    """The text between the running header and footer of every page, in order."""
    parts: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if BODY[0] < y < BODY[1]:
            parts.append(text)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return "".join(parts)


def outline_titles(entries: list, depth: int = 0) -> list[tuple[int, str]]:
    titles: list[tuple[int, str]] = []
    for entry in entries:
        if isinstance(entry, list):
            titles += outline_titles(entry, depth + 1)
        else:
            titles.append((depth, entry.title))
    return titles


def test_is_a_handbook_of_several_pages(reader) -> None:
    assert len(reader.pages) > 5


def test_cover_names_organisation_title_and_version(built, page_texts) -> None:
    policy, _ = built
    cover = page_texts[0]
    for expected in (policy.organisation.name, policy.title, policy.subtitle, policy.document.version):
        assert squash(expected) in squash(cover)


def printed_addresses(policy: Policy) -> set[str]:
    """What print adds after links, "(address)", to take out before comparing words."""
    addresses = set()
    for section in policy.visible_sections:
        for clause in section.visible_clauses:
            for node in html.walk_blocks(clause.blocks):
                if isinstance(node, Link) and (shown := html.printed_address(node.url, plain_text(node.children))):
                    addresses.add(squash(f"({shown})"))
    return addresses


def test_every_visible_clause_is_in_the_text(built, body) -> None:
    policy, _ = built
    addresses = sorted(printed_addresses(policy), key=len, reverse=True)

    def clean(words: str) -> str:
        words = squash(words)
        for address in addresses:
            words = words.replace(address, "")
        return words

    text = clean(body)
    assert squash(policy.organisation.name) in text
    for section in policy.visible_sections:
        assert squash(plain_text(section.title)) in text
        for clause in section.visible_clauses:
            if clause.title:
                assert squash(plain_text(clause.title)) in text, clause.id
            for line in block_text(clause.blocks).splitlines():
                for cell in line.split(" | "):
                    assert clean(cell) in text, f"{clause.id}: {cell!r}"


def test_removed_clauses_are_left_out(built, body) -> None:
    policy, _ = built
    text = squash(body)
    for clause in (c for s in policy.sections for c in s.clauses if not c.visible):
        assert squash(block_text(clause.blocks)) not in text, clause.id


def test_bookmarks_hold_sections_and_their_clauses(built, reader) -> None:
    policy, _ = built
    titles = outline_titles(reader.outline)
    top = [title for depth, title in titles if depth == 0]
    for section in policy.visible_sections:
        assert plain_text(section.title) in top
    nested = [title for depth, title in titles if depth == 1]
    first = next(clause for clause in policy.visible_sections[0].visible_clauses if clause.title)
    assert plain_text(first.title) in nested
    assert policy.title not in top  # the cover's title is the document's, not a bookmark


def test_language_title_and_tagging(built) -> None:
    policy, data = built
    with pikepdf.open(io.BytesIO(data)) as document:
        root = document.Root
        assert str(root.Lang) == policy.language
        assert str(document.docinfo.Title) == policy.full_title
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert bool(root.MarkInfo.Marked) is True
        assert "/StructTreeRoot" in root
        assert str(document.docinfo.CreationDate).startswith("D:20251124160000")


def test_headings_are_tagged_without_skipping_levels(built) -> None:
    _, data = built
    with pikepdf.open(io.BytesIO(data)) as document:
        levels = [int(tag[2]) for tag in structure_tags(document.Root.StructTreeRoot) if re.fullmatch(r"/H\d", tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1


def structure_elements(element: pikepdf.Object) -> list[pikepdf.Dictionary]:
    """Structure elements in document order."""
    found = [element] if "/S" in element else []
    kids = element.get("/K")
    if kids is None:
        return found
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR" and "/S" in kid:
            found += structure_elements(kid)
    return found


def structure_tags(element: pikepdf.Object) -> list[str]:
    return [str(kid.S) for kid in structure_elements(element)]


def test_logo_is_a_figure_with_the_profiles_alt_text(built) -> None:
    policy, data = built
    with pikepdf.open(io.BytesIO(data)) as document:
        figures = [e for e in structure_elements(document.Root.StructTreeRoot) if e.S == "/Figure"]
        assert [str(figure.Alt) for figure in figures] == [policy.branding.logo.alt]


def test_a_decorative_logo_is_drawn_but_not_tagged(caplog) -> None:
    policy = _resolved("riverside-borough-council")
    logo = policy.branding.logo.model_copy(update={"alt": None})
    policy = policy.model_copy(update={"branding": policy.branding.model_copy(update={"logo": logo})})
    with caplog.at_level(logging.WARNING):
        data = pdf.render(policy, RenderOptions(timestamp=BUILD_TIME))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    with pikepdf.open(io.BytesIO(data)) as document:
        assert "/Figure" not in structure_tags(document.Root.StructTreeRoot)
        cover = document.pages[0]
        assert cover.Resources.get("/XObject") or cover.Resources.get("/Pattern"), "the logo should be drawn"


def test_every_font_is_embedded_and_the_brand_font_is_used(built) -> None:
    policy, data = built
    names = []
    with pikepdf.open(io.BytesIO(data)) as document:
        for page in document.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = (
                    font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
                )
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont
                names.append(str(font.BaseFont))
    family = policy.branding.font.name.replace(" ", "-")
    assert any(family in name for name in names), names


def test_running_footer_numbers_every_page_but_the_cover(built, page_texts) -> None:
    policy, _ = built
    total = len(page_texts)
    assert "Page 1 of" not in page_texts[0]
    for number, text in enumerate(page_texts[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert policy.organisation.name in text
        assert version_mark(policy) in text


def test_contents_page_numbers_match_the_bookmarks(built, reader, page_texts) -> None:
    policy, _ = built
    contents = page_texts[1]
    assert "Contents" in contents
    for section in policy.visible_sections:
        assert plain_text(section.title) in contents
    numbers = [int(n) for n in re.findall(r"^(\d+)$", contents, re.M)]
    targets = [
        reader.get_destination_page_number(entry) + 1
        for entry in reader.outline
        if not isinstance(entry, list) and entry.title != "Contents"
    ]
    assert numbers == targets


def test_same_inputs_give_the_same_bytes(built, caplog) -> None:
    policy, data = built
    with caplog.at_level(logging.WARNING):
        again = pdf.render(policy, RenderOptions())  # timestamp from SOURCE_DATE_EPOCH, set by conftest
    assert again == data
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# The fetcher ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def allowed(tmp_path: Path) -> Path:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    return logo


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.com/font.ttf",
        "http://127.0.0.1/logo.png",
        "file:///dev/urandom",
        "ftp://example.com/x",
        "file://otherhost/etc/passwd",
    ],
)
def test_fetcher_refuses_anything_but_the_policys_files(allowed: Path, url: str) -> None:
    with pytest.raises(pdf.RefusedFetch):
        pdf.url_fetcher([allowed]).fetch(url)


def test_fetcher_refuses_a_neighbour_of_an_allowed_file(allowed: Path) -> None:
    neighbour = allowed.with_name("secret.txt")
    neighbour.write_text("secret")
    with pytest.raises(pdf.RefusedFetch):
        pdf.url_fetcher([allowed]).fetch(neighbour.as_uri())
    with pytest.raises(pdf.RefusedFetch):
        pdf.url_fetcher([allowed]).fetch(allowed.as_uri() + "/../secret.txt")


def test_fetcher_serves_allowed_files_and_data_uris(allowed: Path) -> None:
    fetcher = pdf.url_fetcher([allowed])
    response = fetcher.fetch(allowed.as_uri())
    assert response.read() == allowed.read_bytes()
    assert response.content_type == "image/png"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_a_refused_fetch_stops_the_build(allowed: Path) -> None:
    page = '<html lang="en"><body><p>x</p><img src="file:///etc/passwd" alt="x"></body></html>'
    with pytest.raises(pdf.RefusedFetch, match="passwd"):
        pdf.html_to_pdf(page, [allowed])
    stylesheet = '<html lang="en"><head><link rel="stylesheet" href="https://example.com/a.css"></head></html>'
    with pytest.raises(pdf.RefusedFetch, match=r"example\.com"):
        pdf.html_to_pdf(stylesheet, [allowed])


def test_only_real_problems_reach_the_user() -> None:
    def record(level: int, message: str) -> logging.LogRecord:
        return logging.LogRecord("weasyprint", level, __file__, 1, message, None, None)

    noise = record(logging.WARNING, "GPOS NOT subset; don't know how to subset; dropped")
    problem = record(logging.WARNING, "Ignored `colour: red` at 1:1, unknown property.")
    error = record(logging.ERROR, 'Failed to load image at "x"')
    assert pdf.real_problems([noise, problem, error]) == [problem.getMessage(), error.getMessage()]


def test_the_pdf_stylesheet_draws_no_warning(built, caplog) -> None:
    """Every rule in the PDF's CSS is one WeasyPrint knows: an unknown one would be a real (if small) problem."""
    from weasyprint import CSS

    policy, _ = built
    css = BeautifulSoup(html.render_html(policy, RenderOptions(timestamp=BUILD_TIME), for_pdf=True), "html5lib")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        CSS(string=css.find("style").string, url_fetcher=pdf.url_fetcher(pdf.policy_files(policy)))
    assert [r.getMessage() for r in caplog.records] == []
