"""The Typst PDF engine: the same document as the WeasyPrint PDF (text, bookmarks, metadata, tagging), and profile
text that looks like Typst markup or code printed exactly as typed."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pikepdf
import pytest
from pypdf import PdfReader

from toolkit.i18n import labels_of
from toolkit.model import Policy
from toolkit.render import RenderOptions
from toolkit.render.formats import pdf
from toolkit.render.formats.html import version_mark
from toolkit.resolve.notes import tailoring_intro, tailoring_notes
from toolkit.resolve.policy import resolve_profile

from .conftest import PROFILES, _resolved, layout_case
from .test_render_pdf import structure_elements, structure_tags

BUILD_TIME = datetime(2025, 11, 24, 16, 0, 0, tzinfo=UTC)
PROFILE = "riverside-borough-council"


@pytest.fixture(scope="module")
def both():
    policy = _resolved(PROFILE)
    weasy = pdf.render(policy, RenderOptions(timestamp=BUILD_TIME))
    typst = pdf.render(policy, RenderOptions(timestamp=BUILD_TIME, pdf_engine="typst"))
    return policy, weasy, typst


def words(data: bytes) -> list[str]:
    """The document's words in order, without running heads, page numbers or the contents' leader dots."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return [word for word in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text)]


def outline(data: bytes) -> list[tuple[int, str]]:
    reader = PdfReader(io.BytesIO(data))
    entries: list[tuple[int, str]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title))

    walk(reader.outline, 0)
    return entries


def test_the_bookmarks_are_the_same(both):
    _, weasy, typst = both
    assert outline(typst) == outline(weasy)
    assert len(outline(typst)) > 50


def test_the_words_are_the_same(both):
    """Same vocabulary, each word as often (line and page breaks differ, so running heads are counted apart)."""
    policy, weasy, typst = both
    from collections import Counter

    heads = {*re.findall(r"\w+", f"{policy.organisation.name} Page of Contents {version_mark(policy)}")}
    for section in policy.visible_sections:
        heads.update(re.findall(r"\w+", " ".join(getattr(node, "text", "") for node in section.title)))
    heads.update(re.findall(r"\w+", labels_of(policy)("how_tailored")))  # the appendix heads its pages too
    weasy_words = Counter(word for word in words(weasy) if word not in heads)
    typst_words = Counter(word for word in words(typst) if word not in heads)
    assert set(typst_words) == set(weasy_words)
    assert typst_words == weasy_words


def test_metadata_language_and_tagging_match(both):
    policy, weasy, typst = both
    for data in (weasy, typst):
        with pikepdf.open(io.BytesIO(data)) as document:
            root = document.Root
            assert str(root.Lang) == policy.language
            assert str(document.docinfo.Title) == policy.full_title
            assert str(document.docinfo.Subject).startswith(policy.subtitle)
            assert bool(root.ViewerPreferences.DisplayDocTitle) is True
            assert bool(root.MarkInfo.Marked) is True
            assert "/StructTreeRoot" in root
            assert str(document.docinfo.CreationDate).startswith("D:20251124160000")


def test_the_structure_has_the_same_headings_and_the_logo_alt_text(both):
    policy, weasy, typst = both

    def headings(data):
        with pikepdf.open(io.BytesIO(data)) as document:
            tags = structure_tags(document.Root.StructTreeRoot)
            figures = [
                str(e.Alt) for e in structure_elements(document.Root.StructTreeRoot) if e.S == "/Figure" and "/Alt" in e
            ]
        return [tag for tag in tags if re.fullmatch(r"/H\d", tag)], figures

    weasy_headings, weasy_figures = headings(weasy)
    typst_headings, typst_figures = headings(typst)
    assert typst_headings == weasy_headings
    assert typst_figures == weasy_figures == [policy.branding.logo.alt]


def test_every_font_is_embedded_from_the_bundled_fonts(both):
    _, _, typst = both
    with pikepdf.open(io.BytesIO(typst)) as document:
        fonts = {
            str(font.get("/BaseFont"))
            for page in document.pages
            for font in (page.Resources.get("/Font") or {}).values()
        }
        for page in document.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                assert "/FontFile2" in descendant.FontDescriptor or "/FontFile3" in descendant.FontDescriptor
    assert all("Noto" in name for name in fonts), fonts


def test_the_same_inputs_give_the_same_bytes(both):
    policy, _, typst = both
    assert pdf.render(policy, RenderOptions(timestamp=BUILD_TIME, pdf_engine="typst")) == typst


HOSTILE = [
    '#import "x.typ": *',
    '#read("/etc/passwd")',
    "#let x = 1",
    "] closing bracket",
    "$x^2$ maths",
    "*not strong* _not emphasised_",
    "<x> @x label and reference",
    "back\\slash \\n",
    "= not a heading",
    "// not a comment",
    "`raw` and {braces}",
]


HOSTILE_NAME = 'Org #read("/etc/passwd") ] $ * <x> \\'


def test_profile_text_that_looks_like_typst_is_printed_as_typed(tmp_path):
    path = tmp_path / "typst-hostile.yaml"
    text = "\n\n".join(HOSTILE)
    path.write_text(
        "extends: local-council\n"
        f"name: {json.dumps(HOSTILE_NAME)}\n"
        "clauses:\n  - replace: principles.credible\n"
        "    title: '#import \"@preview/x:0.1.0\"'\n"
        f"    text: {json.dumps(text)}\n",
        encoding="utf-8",
    )
    policy = resolve_profile(path, PROFILES)
    data = pdf.render(policy, RenderOptions(timestamp=BUILD_TIME, pdf_engine="typst"))
    reader = PdfReader(io.BytesIO(data))
    flat = re.sub(r"\s+", "", " ".join(page.extract_text() for page in reader.pages))
    assert "root:" not in flat  # /etc/passwd was never read
    assert re.sub(r"\s+", "", policy.organisation.name) in flat
    assert '#import"@preview/x:0.1.0"' in flat
    from toolkit.model import block_text

    clause = next(c for s in policy.sections for c in s.clauses if c.id == "principles.credible")
    for line in block_text(clause.blocks).splitlines():  # a page break may fall between two paragraphs
        assert re.sub(r"\s+", "", line) in flat


def test_an_unknown_engine_is_a_usage_error(cli):
    code, _, err = cli("build", str(PROFILES / f"{PROFILE}.yaml"), "--pdf-engine", "latex")
    assert code == 2 and "unknown PDF engine `latex`" in err


def test_build_workers_lay_out_in_a_child_process_and_get_the_same_bytes(cli, tmp_path):
    """Build workers compile each Typst PDF in a forked child (Typst keeps ten compiles' layouts in memory); the
    bytes are those of a compile in this process (which has threads, so compiles in place)."""
    chosen = [PROFILES / "riverside-borough-council.yaml", PROFILES / "greenvale-hospitals.yaml"]
    here, workers = tmp_path / "here", tmp_path / "workers"
    arguments = ["-f", "pdf", "--pdf-engine", "typst", "--force"]
    assert cli("build", *chosen, *arguments, "-o", here, "--jobs", "1")[0] == 0
    assert cli("build", *chosen, *arguments, "-o", workers, "--jobs", "2")[0] == 0
    for path in chosen:
        made = (workers / f"{path.stem}.pdf").read_bytes()
        assert made == (here / f"{path.stem}.pdf").read_bytes()
        assert "Social media" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(made)).pages)


# Layout both engines share ----------------------------------------------------------------------------------------

# Each with a tailoring table longer than the space left on its page: the authority's table once went below its
# running head's next section in Typst, the ranger service's left its introduction alone on a page in WeasyPrint.
LAYOUT_PROFILES = ["hartmoor-national-park-authority", "hartmoor-ranger-service"]
HEAD_ZONE = 775  # points from the page foot: text above this is the running head
OPENS_PAGE = 745  # a heading whose bookmark is above this opens its page (both engines' body starts near 771)


@pytest.fixture(scope="module", params=[(n, e) for n in LAYOUT_PROFILES for e in ("weasyprint", "typst")], ids="-".join)
def laid_out(request) -> tuple[Policy, PdfReader]:
    name, engine = request.param
    policy = layout_case(name)
    data = pdf.render(policy, RenderOptions(timestamp=BUILD_TIME, pdf_engine=engine))
    return policy, PdfReader(io.BytesIO(data))


def placed_text(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of each piece of text on the page, in points from its bottom left corner."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def where(pieces: list[tuple[float, float, str]], text: str) -> tuple[float, float]:
    found = [(x, y) for x, y, piece in pieces if piece.startswith(text)]
    assert found, f"{text!r} is not on the page"
    return found[0]


def test_a_table_starts_under_its_introduction_with_its_caption_above_and_cells_at_the_start(laid_out):
    """The tailoring table begins on the page where the sentence introducing it ends (not alone on the next), its
    caption above the header row, and each column's cells start where its header does (not centred)."""
    policy, reader = laid_out
    labels = labels_of(policy)
    intro = tailoring_intro(policy, tailoring_notes(policy))
    pages = [placed_text(page) for page in reader.pages]
    page = next(p for p in pages if any(text.startswith(intro[:40]) for _, _, text in p))
    caption, header = where(page, labels("tailoring_caption")), where(page, labels("column_part"))
    change = where(page, labels("column_change"))
    assert where(page, intro[:40])[1] > caption[1] > header[1]
    assert caption[0] == pytest.approx(header[0], abs=0.5)
    rows = [(x, y) for x, y, text in page if y < header[1] - 5 and re.match(r"(Reworded|Removed|Added|Included)", text)]
    assert rows, "the table's first row is on the page of its introduction"
    assert all(x == pytest.approx(change[0], abs=0.5) for x, _ in rows)


def test_the_running_head_names_the_section_the_page_is_in(laid_out):
    """A page's running head names the section whose heading opens it, else the last one begun before it: never
    a section that only starts further down the page."""
    policy, reader = laid_out
    starts = [
        (reader.get_destination_page_number(entry), float(entry.top), entry.title)
        for entry in reader.outline
        if not isinstance(entry, list)
    ]
    checked = 0
    for number, page in enumerate(reader.pages):
        begun = [title for at, top, title in starts if at < number or (at == number and top > OPENS_PAGE)]
        head = [text for _, y, text in placed_text(page) if y > HEAD_ZONE and text != policy.organisation.name]
        if number == 0:
            assert head == []  # the cover has none
            continue
        assert " ".join(head) == begun[-1], f"page {number + 1}"
        checked += 1
    assert checked == len(reader.pages) - 1
