"""The Word renderer, checked on the files it writes: opened with python-docx and read as OOXML."""

from __future__ import annotations

import importlib.util
import itertools
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import RGBColor

from toolkit.errors import ToolkitError
from toolkit.model import Policy, block_text, plain_text
from toolkit.render import RenderOptions
from toolkit.render._word import spec
from toolkit.render.formats import docx as word

from .conftest import PROFILES, ROOT, libreoffice_convert, resolve_text

NASTY = ["<script>alert(1)</script>", "{{ 7*7 }}", "100<100", "fish & chips"]


@pytest.fixture
def render(sample_policy: Callable[[str], Policy]) -> Callable[[str | Policy], bytes]:
    """Render a sample profile (by name) or a policy, at the build time conftest fixes."""

    def run(which: str | Policy) -> bytes:
        policy = sample_policy(which) if isinstance(which, str) else which
        return word.render(policy, RenderOptions())

    return run


def opened(data: bytes) -> DocumentObject:
    return docx.Document(BytesIO(data))


def part_xml(data: bytes, name: str) -> str:
    with zipfile.ZipFile(BytesIO(data)) as package:
        return package.read(name).decode()


def all_text(document: DocumentObject) -> str:
    """Every paragraph of the body, tables included, one a line."""
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in document.element.body.iter(qn("w:p")))


CONTACTS = """
contacts:
  press: {name: Press team, email: press@test.example}
  social_media: {name: Social team, email: social@test.example}
  data_protection: {name: Data protection officer, email: dpo@test.example}
  it_security: {name: IT desk, email: it@test.example}
  hr: {name: People team, email: hr@test.example}
document:
  owner: Head of Communications
  version: "3.0"
  approved_by: The Board
  approved_on: 2026-01-10
  review_by: 2027-01-10
"""

STRUCTURES = """
clauses:
  - add: official.test-structures
    after: official.new-accounts
    title: Testing structures
    text: |
      A paragraph with *emphasis* and **strong** words.

      #### A sub-heading

      1. first step
      2. second step

      Between the lists, see [the guide](https://www.example.org/guide?a=1&b=2).

      1. again one
      2. again two
         - nested bullet
         - another nested

      | Column A | Column B |
      | --- | --- |
      | a1 | b1 |
      | a2 | b2 |
    reason: To test every structure.
  - remove: purpose.councillors
    reason: Councillors have their own guidance.
"""


@pytest.fixture
def structures(tmp_path: Path) -> Policy:
    """A council with a clause that holds every block the model has, and one clause removed."""
    text = f"extends: local-council\nname: Test Borough Council\nshort_name: Test Council\n{CONTACTS}{STRUCTURES}"
    return resolve_text(tmp_path, text)


# Structure ---------------------------------------------------------------------------------------------------------


def heading_levels(document: DocumentObject) -> list[tuple[int, str]]:
    return [
        (int(m.group(1)), p.text)
        for p in document.paragraphs
        if (m := re.fullmatch(r"Heading (\d)", p.style.name or ""))
    ]


def test_one_heading_1_per_visible_section_with_the_appendix_before_document_control(render, sample_policy):
    policy = sample_policy("riverside-borough-council")
    levels = heading_levels(opened(render(policy)))
    titles = [text for level, text in levels if level == 1]
    sections = [plain_text(s.title) for s in policy.visible_sections]
    assert sections[-1] == "Document control"
    assert titles == [*sections[:-1], "How this guidance was tailored", "Document control"]


def test_document_control_ends_the_document_on_one_page(render):
    """Every paragraph of the last section, its table's too, keeps with the next but the last, as the PDFs keep it
    whole: its closing line never ends the document alone on a page."""
    body = opened(render("coastal-survey-agency")).element.body
    paragraphs = list(body.iter(qn("w:p")))
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in paragraphs]
    start = max(index for index, text in enumerate(texts) if text == "Document control")
    last = max(index for index, text in enumerate(texts) if text.startswith("This policy is based on version"))
    kept = [paragraphs[index].pPr is not None and paragraphs[index].pPr.keepNext_val for index in range(start, last)]
    assert kept and all(kept), texts[start:last]
    assert not (paragraphs[last].pPr is not None and paragraphs[last].pPr.keepNext_val)


def test_heading_levels_never_skip(render, structures):
    levels = [level for level, _ in heading_levels(opened(render(structures)))]
    assert levels[0] == 1
    assert all(after <= before + 1 for before, after in itertools.pairwise(levels))
    assert 3 in levels  # the level-4 sub-heading of a titled clause


def test_every_visible_clause_appears_and_removed_ones_do_not(render, structures):
    text = all_text(opened(render(structures)))
    for section in structures.visible_sections:
        for clause in section.visible_clauses:
            for line in block_text(clause.blocks).splitlines():
                for cell in line.split(" | "):
                    assert cell.strip() in text, (clause.id, cell)
    removed = next(c for s in structures.sections for c in s.clauses if c.id == "purpose.councillors")
    assert not removed.visible
    assert block_text(removed.blocks).splitlines()[0] not in text


def test_lists_use_the_template_list_styles(render, structures):
    styles = [p.style.name for p in opened(render(structures)).paragraphs]
    assert {"List Bullet", "List Bullet 2", "List Number"} <= set(styles)


def test_each_numbered_list_restarts_at_one(render, structures):
    data = render(structures)
    document = opened(data)
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    first = next(i for i, p in enumerate(numbered) if p.text == "first step")
    steps = numbered[first : first + 4]
    assert [p.text for p in steps] == ["first step", "second step", "again one", "again two"]
    num_ids = [p._p.pPr.numPr.numId.val for p in steps]
    assert num_ids[0] == num_ids[1] != num_ids[2] == num_ids[3]
    numbering = document.part.numbering_part.element
    for num_id in {num_ids[0], num_ids[2]}:
        override = numbering.num_having_numId(num_id).find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        assert override.get(qn("w:val")) == "1"


def test_links_are_real_hyperlinks_with_external_relationships(render, structures):
    document = opened(render(structures))
    links = document.element.body.findall(f".//{qn('w:hyperlink')}[@{qn('r:id')}]")
    assert links
    targets = {}
    for link in links:
        relationship = document.part.rels[link.get(qn("r:id"))]
        assert relationship.is_external
        targets[relationship.target_ref] = link
    guide = targets["https://www.example.org/guide?a=1&b=2"]
    assert "".join(t.text for t in guide.iter(qn("w:t"))) == "the guide"
    assert guide.find(f".//{qn('w:rStyle')}").get(qn("w:val")) == "Hyperlink"
    assert "mailto:press@test.example" in targets


def test_tables_repeat_their_header_row_and_use_the_table_style(render, structures):
    document = opened(render(structures))
    assert len(document.tables) >= 2  # the clause's table, document control, the tailoring notes
    for table in document.tables:
        assert table.style.name == spec.TABLE_STYLE
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    headers = [[cell.text for cell in table.rows[0].cells] for table in document.tables]
    assert ["Column A", "Column B"] in headers
    assert ["Part of the guidance", "Change", "Why"] in headers


def test_tailoring_appendix_lists_changed_clauses_with_reasons(render, structures):
    table = next(t for t in opened(render(structures)).tables if t.rows[0].cells[0].text == "Part of the guidance")
    rows = {row.cells[1].text: row.cells[2].text for row in table.rows[1:]}
    assert rows == {"Added": "To test every structure.", "Removed": "Councillors have their own guidance."}


def test_contents_lists_the_headings_as_links_without_a_prompt_on_opening(render, sample_policy):
    policy = sample_policy("riverside-borough-council")
    data = render(policy)
    body = part_xml(data, "word/document.xml")
    assert "instrText" not in body and "fldChar" not in body  # no field: nothing for Word to update or ask about
    assert re.search(r'<w:hyperlink w:anchor="[^"]+"', body)
    entries = [p.text for p in opened(data).paragraphs if p.style.name.lower() in ("toc 1", "toc 2")]
    assert entries[0] == plain_text(policy.visible_sections[0].title)
    assert "Getting a new account approved" in entries
    assert "updateFields" not in part_xml(data, "word/settings.xml")  # Word would ask to update fields on opening


# Metadata and branding ---------------------------------------------------------------------------------------------


def test_core_properties_are_set_after_rendering(render, sample_policy):
    policy = sample_policy("riverside-borough-council")
    properties = opened(render(policy)).core_properties
    assert properties.title == policy.full_title
    assert properties.author == "Riverside Borough Council"
    assert properties.subject == policy.subtitle
    assert properties.language == "en-GB"
    moment = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), UTC)
    assert properties.created == properties.modified == moment
    assert properties.revision == 1


def test_text_language_comes_from_the_policy(render, sample_policy):
    policy = sample_policy("riverside-borough-council").model_copy(update={"language": "cy-GB"})
    data = render(policy)
    styles = part_xml(data, "word/styles.xml")
    assert re.search(r'<w:rPrDefault><w:rPr>.*<w:lang w:val="cy-GB"', styles)
    assert "en-GB" not in re.findall(r'<w:lang w:val="([^"]+)"', styles + part_xml(data, "word/document.xml"))
    assert opened(data).core_properties.language == "cy-GB"


def test_logo_has_its_alt_text(render):
    inline = opened(render("riverside-borough-council")).element.body.find(f".//{qn('wp:inline')}")
    assert inline.find(qn("wp:docPr")).get("descr") == "Riverside Borough Council"


def test_decorative_logo_is_marked_decorative(tmp_path, render):
    shutil.copy(PROFILES / "assets" / "riverside-borough-council-logo.png", tmp_path / "logo.png")
    text = f"extends: local-council\nname: Plain Council\nshort_name: Plain\n{CONTACTS}"
    text += "branding:\n  logo: {png: logo.png, decorative: true}\n"
    document = opened(render(resolve_text(tmp_path, text)))
    properties = document.element.body.find(f".//{qn('wp:docPr')}")
    assert properties.get("descr") == ""
    assert properties.find(".//{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative") is not None


def test_no_logo_leaves_no_placeholder_and_no_picture(render):
    document = opened(render("local-council"))
    assert document.element.body.find(f".//{qn('w:drawing')}") is None
    assert "policy-toolkit" not in all_text(document)


def test_running_header_names_the_organisation_and_footer_counts_pages(render):
    section = opened(render("riverside-borough-council")).sections[0]
    assert "Riverside Borough Council" in section.header.paragraphs[0].text
    footer = section.footer._element.xml
    assert "> PAGE <" in footer and "> NUMPAGES <" in footer


def test_default_template_takes_the_profiles_colour_and_font(render, sample_policy):
    policy = sample_policy("dyffryn-tawel-council")
    styles = part_xml(render(policy), "word/styles.xml")
    assert policy.branding.primary_colour.lstrip("#").upper() in styles
    assert spec.PRIMARY not in styles
    assert f'w:ascii="{policy.branding.font.name}"' in styles


# Safety ------------------------------------------------------------------------------------------------------------


def test_profile_text_appears_literally(tmp_path, render):
    name = "Evil & Sons <script>alert(1)</script> {{ 7*7 }} 100<100"
    text = f'extends: local-council\nname: "{name}"\nshort_name: "Evil & Sons"\n{CONTACTS}'
    text += (
        "clauses:\n  - add: official.nasty\n    after: official.new-accounts\n"
        f'    title: "Title with {" ".join(NASTY)}"\n'
        f'    text: "Text with {", ".join(NASTY)}."\n    reason: Testing.\n'
    )
    document = opened(render(resolve_text(tmp_path, text)))
    body = all_text(document)
    assert f"Title with {' '.join(NASTY)}" in body
    assert f"Text with {', '.join(NASTY)}." in body
    assert name in body  # on the cover, filled in by docxtpl
    assert name in document.sections[0].header.paragraphs[0].text
    assert document.core_properties.author == name


# House templates ---------------------------------------------------------------------------------------------------


def house_template(folder: Path, edit: Callable[[DocumentObject], None]) -> Path:
    document = docx.Document(str(word.DEFAULT_TEMPLATE))
    edit(document)
    path = folder / "house.docx"
    document.save(str(path))
    return path


def restyle(document: DocumentObject) -> None:
    heading = document.styles["Heading 1"]
    heading.font.color.rgb = RGBColor(0xC0, 0x00, 0x30)
    heading.font.name = "Georgia"


def test_house_template_is_used_and_keeps_its_own_styles(tmp_path, render):
    house_template(tmp_path, restyle)
    text = f"extends: local-council\nname: House Council\nshort_name: House\n{CONTACTS}"
    text += "branding:\n  primary_colour: '#0b5d1e'\n  word_template: house.docx\n"
    policy = resolve_text(tmp_path, text)
    assert policy.branding.word_template == (tmp_path / "house.docx").resolve()
    document = opened(render(policy))
    heading = document.styles["Heading 1"]
    assert heading.font.color.rgb == RGBColor(0xC0, 0x00, 0x30)
    assert heading.font.name == "Georgia"
    assert next(p.text for p in document.paragraphs if p.style.name == "Heading 1") == "At a glance"
    title_rule = document.styles["Title"].element.find(f".//{qn('w:pBdr')}/{qn('w:bottom')}")
    assert title_rule.get(qn("w:color")) == "0B5D1E"  # left as in the default, so it takes the profile's colour
    fonts = part_xml(render(policy), "word/fontTable.xml")
    assert 'w:name="Noto Sans"' in fonts and "w:embedRegular" in fonts  # the font the template still names travels


def test_validate_names_a_house_font_that_will_not_travel(tmp_path, cli):
    house_template(tmp_path, restyle)
    text = f"extends: local-council\nname: House Council\nshort_name: House\n{CONTACTS}"
    (tmp_path / "house-council.yaml").write_text(text + "branding:\n  word_template: house.docx\n", encoding="utf-8")
    code, out, _ = cli("validate", tmp_path / "house-council.yaml", "--profiles", PROFILES)
    assert code == 0 and "“Georgia”, which is not embedded" in out


def test_check_template_accepts_the_default_template():
    assert word.check_template(word.DEFAULT_TEMPLATE) == []


def test_check_template_reports_a_removed_placeholder(tmp_path):
    def drop_body(document: DocumentObject) -> None:
        paragraph = next(p for p in document.paragraphs if "{{ body }}" in p.text)
        paragraph._p.getparent().remove(paragraph._p)

    problems = word.check_template(house_template(tmp_path, drop_body))
    assert len(problems) == 1
    assert "{{ body }}" in problems[0] and "missing" in problems[0]


def test_check_template_reports_missing_styles_and_mangled_placeholders(tmp_path):
    def damage(document: DocumentObject) -> None:
        styles = document.styles.element
        styles.remove(document.styles["List Number"].element)
        title = next(p for p in document.paragraphs if "{{ title }}" in p.text)
        title.runs[0].text = "{ { title } }"
        subtitle = next(p for p in document.paragraphs if "{{ subtitle }}" in p.text)
        subtitle.runs[0].text = "{{ subtitel }}"

    problems = "\n".join(word.check_template(house_template(tmp_path, damage)))
    assert "“List Number” is missing" in problems
    assert "{{ title }} is missing" in problems
    assert "did you mean `subtitle`" in problems


def test_check_template_finds_what_the_trial_fill_leaves_behind(tmp_path):
    def mangle(document: DocumentObject) -> None:
        title = next(p for p in document.paragraphs if "{{ title }}" in p.text)
        title.runs[0].text = "{{ title }} } }"

    problems = word.check_template(house_template(tmp_path, mangle))
    assert any("looks like a placeholder" in problem for problem in problems)


def test_placeholders_split_across_runs_still_work(tmp_path, render, sample_policy):
    """Word splits text into runs when part of it is reformatted; docxtpl 0.20.2 joins them again."""

    def split(document: DocumentObject) -> None:
        title = next(p for p in document.paragraphs if "{{ title }}" in p.text)
        title.runs[0].text = "{{ ti"
        title.add_run("tle }}").bold = True

    path = house_template(tmp_path, split)
    assert word.check_template(path) == []
    policy = sample_policy("riverside-borough-council")
    branded = policy.model_copy(update={"branding": policy.branding.model_copy(update={"word_template": path})})
    assert opened(render(branded)).paragraphs[1].text == policy.title


def test_a_broken_house_template_stops_the_build_with_a_clear_message(tmp_path, render, sample_policy):
    def drop_contents(document: DocumentObject) -> None:
        paragraph = next(p for p in document.paragraphs if "{{ contents }}" in p.text)
        paragraph._p.getparent().remove(paragraph._p)

    path = house_template(tmp_path, drop_contents)
    policy = sample_policy("riverside-borough-council")
    branded = policy.model_copy(update={"branding": policy.branding.model_copy(update={"word_template": path})})
    with pytest.raises(ToolkitError, match=r"no `\{\{ contents \}\}` placeholder"):
        render(branded)


# Reproducibility ---------------------------------------------------------------------------------------------------


def test_two_renders_are_byte_identical(render, sample_policy):
    policy = sample_policy("riverside-borough-council")
    first, second = render(policy), render(policy)
    assert first == second
    with zipfile.ZipFile(BytesIO(first)) as package:
        stamp = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), UTC).timetuple()[:6]
        assert {info.date_time for info in package.infolist()} == {stamp}
        assert package.namelist()[0] == "[Content_Types].xml"


def test_the_default_template_is_what_the_script_builds():
    spec = importlib.util.spec_from_file_location("make_word_template", ROOT / "scripts" / "make_word_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == word.DEFAULT_TEMPLATE.read_bytes(), "run scripts/make_word_template.py"


# LibreOffice -------------------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_converts_it(tmp_path, render):
    source = tmp_path / "riverside.docx"
    source.write_bytes(render("riverside-borough-council"))
    text = libreoffice_convert(source, "txt:Text").read_text(encoding="utf-8-sig")
    assert "Using social media and the social web" in text
    assert "Getting a new account approved" in text
    assert text.count("Purpose and scope") >= 2  # the contents entry LibreOffice shows, and the heading


def test_default_template_carries_the_font_inside_the_file(render, sample_policy):
    policy = sample_policy("dyffryn-tawel-council")
    data = render(policy)
    fonts = part_xml(data, "word/fontTable.xml")
    assert f'w:name="{policy.branding.font.name}"' in fonts
    assert fonts.count("<w:embed") == 4
    with zipfile.ZipFile(BytesIO(data)) as package:
        embedded = [name for name in package.namelist() if name.endswith(".odttf")]
        regular = policy.branding.font.files["regular"].read_bytes()
        stored = package.read(next(name for name in embedded if name.endswith("-regular.odttf")))
    assert len(embedded) == 4
    assert stored[32:] == regular[32:] and stored[:32] != regular[:32]  # obfuscated as ECMA-376 asks
    assert "<w:embedTrueTypeFonts/>" in part_xml(data, "word/settings.xml")


def test_a_house_template_made_from_the_default_carries_its_font(tmp_path, render, sample_policy):
    path = house_template(tmp_path, restyle)
    policy = sample_policy("riverside-borough-council")
    branded = policy.model_copy(update={"branding": policy.branding.model_copy(update={"word_template": path})})
    with zipfile.ZipFile(BytesIO(render(branded))) as package:
        assert "word/fonts/noto-sans-regular.odttf" in package.namelist()


def test_a_file_that_is_not_a_word_document_is_reported_not_crashed_on(tmp_path, render, sample_policy):
    path = tmp_path / "house.docx"
    path.write_text("not a Word document", encoding="utf-8")
    assert "cannot be opened as a Word document" in word.check_template(path)[0]
    policy = sample_policy("riverside-borough-council")
    branded = policy.model_copy(update={"branding": policy.branding.model_copy(update={"word_template": path})})
    with pytest.raises(ToolkitError, match="cannot be opened as a Word document"):
        render(branded)
