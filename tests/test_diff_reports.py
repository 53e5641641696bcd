"""The HTML and Word diff reports, checked on their real output: structure, wording, escaping, tracked changes.

One organisation exercises every kind of change (added without a reason, removed, reworded with markup and Jinja
syntax in its text, moved); its reports are built once per module. The Word report is also read the way Word and
LibreOffice apply tracked changes: accepting everything must give the new wording, rejecting everything the old.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import zipfile
from datetime import UTC, datetime
from io import BytesIO
from itertools import pairwise
from pathlib import Path

import docx as python_docx
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from toolkit.diff import compare, compare_with_core
from toolkit.diff.formats import docx as docx_report
from toolkit.diff.formats import html as html_report
from toolkit.diff.model import LineDiff, PolicyDiff, Segment
from toolkit.diff.readable import readable_segments

from .conftest import libreoffice, libreoffice_convert, resolve_text, run_bounded

MOMENT = datetime(2026, 11, 24, 16, 0, 0, tzinfo=UTC)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ORG = "Testshire <b>Council</b> & Co"
PROFILE = f"""\
    extends: local-council
    name: "{ORG}"
    short_name: Testshire
    clauses:
      - replace: politics.council-publicity
        title: Publicity <script>alert(1)</script>
        text: |
          Posts must be objective. Never write <script>alert(1)</script> or {{{{ 7*7 }}}} in a post.

          - first item & more
          - second <i>item</i>
        reason: Testing <b>escaping</b> & {{{{ 7*7 }}}}
      - remove: confidentiality.investigations
        reason: We do not investigate.
      - add: official.extra
        after: official.posting
        title: Extra rules
        text: |
          A new paragraph.

          - one
          - two
      - move: commenting.formal
        section: politics
        reason: Consultations are political.
    """


# Fixtures: every report built once per module ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def diff(tmp_path_factory) -> PolicyDiff:
    with pytest.MonkeyPatch.context() as patch:
        # Module fixtures run before conftest's per-test clean-up: a `--core` left by a CLI test must not leak in.
        patch.delenv("POLICY_TOOLKIT_CORE", raising=False)
        return compare_with_core(resolve_text(tmp_path_factory.mktemp("profiles"), PROFILE, name="testshire"))


@pytest.fixture(scope="module")
def page(diff) -> str:
    return html_report.report(diff, timestamp=MOMENT)


@pytest.fixture(scope="module")
def soup(page) -> BeautifulSoup:
    return BeautifulSoup(page, "html5lib")


@pytest.fixture(scope="module")
def word(diff) -> bytes:
    return docx_report.report(diff, timestamp=MOMENT)


@pytest.fixture(scope="module")
def body(word) -> etree._Element:
    with zipfile.ZipFile(BytesIO(word)) as package:
        return etree.fromstring(package.read("word/document.xml")).find(f"{W}body")


def test_the_profile_exercises_every_kind_of_change(diff):
    assert {clause.id: clause.change for clause in diff.changed_clauses} == {
        "official.extra": "added",
        "politics.council-publicity": "reworded",
        "commenting.formal": "moved",
        "confidentiality.investigations": "removed",
    }


# Readable redlines (both reports) ----------------------------------------------------------------------------------


def _line(*parts: tuple[str, str]) -> LineDiff:
    return LineDiff(kind="paragraph", op="replace", segments=[Segment(op=op, text=text) for op, text in parts])


def _shown(line: LineDiff) -> list[tuple[str, str]]:
    segments = readable_segments(line)
    assert "".join(s.text for s in segments if s.op != "insert") == line.old_text
    assert "".join(s.text for s in segments if s.op != "delete") == line.new_text
    return [(s.op, s.text) for s in segments]


def test_a_small_edit_stays_a_word_level_change():
    line = _line(("equal", "Ask your "), ("delete", "line manager"), ("insert", "team leader"), ("equal", " first."))
    assert _shown(line) == [(segment.op, segment.text) for segment in line.segments]


def test_short_scraps_between_changes_join_them():
    line = _line(
        ("equal", "Everyone who works here should "),
        ("delete", "read"),
        ("insert", "follow"),
        ("equal", " a "),
        ("delete", "guide"),
        ("insert", "policy"),
        ("equal", " before they post anything on an official account."),
    )
    assert _shown(line)[1:3] == [("delete", "read a guide"), ("insert", "follow a policy")]


def test_a_rewritten_line_is_shown_replaced_whole():
    line = _line(("delete", "Section 2"), ("insert", "The English code"), ("equal", " of "), ("delete", "the Act"))
    assert _shown(line) == [("delete", "Section 2 of the Act"), ("insert", "The English code of ")]


# HTML --------------------------------------------------------------------------------------------------------------


def test_html_title_language_and_heading_outline(soup, diff):
    title = f"{ORG} compared with the core guidance"
    assert soup.title.get_text() == title
    assert soup.html["lang"] == "en-GB"
    assert [h1.get_text() for h1 in soup.find_all("h1")] == [title]
    levels = [int(heading.name[1]) for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in pairwise(levels)), levels


def test_html_summary_counts_match_the_diff(soup, diff):
    rows = {row.th.get_text(): int(row.td.get_text()) for row in soup.select("table.counts tr")}
    s = diff.summary
    assert rows == {
        "Clauses added": s.added,
        "Clauses removed": s.removed,
        "Clauses reworded": s.reworded,
        "Clauses moved": s.moved,
        "Clauses unchanged": s.unchanged,
        "Terms and details that differ": s.substitutions,
    }
    links = [link["href"] for link in soup.select("ul.changed-list a")]
    assert links == [f"#clause-{clause.id}" for clause in diff.changed_clauses]


def test_html_every_changed_clause_has_its_change_who_and_why(soup, diff):
    words = {
        "added": "Added",
        "removed": "Removed",
        "reworded": "Reworded",
        "settings": "Changed by settings",
        "moved": "Moved",
    }
    for clause in diff.changed_clauses:
        heading = soup.find(id=f"clause-{clause.id}")
        assert heading is not None and heading.name == "h3", clause.id
        assert heading.get_text() == f"{words[clause.change]}: {clause.title}"
        article = heading.find_parent("article")
        assert clause.id in article.select_one("dl.meta").get_text()
        why = article.select("dl.meta dd")[-1].get_text()
        assert why == (clause.reason or "no reason recorded")
    added = soup.find(id="clause-official.extra").find_parent("article")
    assert "Added by Testshire <b>Council</b> & Co (testshire)" in added.get_text()


def test_html_insertions_and_deletions_carry_hidden_labels(soup, diff):
    inserted, deleted = soup.find_all("ins"), soup.find_all("del")
    segments = [segment for clause in diff.changed_clauses for line in clause.lines for segment in line.segments]
    assert len(inserted) == sum(1 for segment in segments if segment.op == "insert" and segment.text)
    assert len(deleted) == sum(1 for segment in segments if segment.op == "delete" and segment.text)
    for element, word in [(tag, "inserted") for tag in inserted] + [(tag, "deleted") for tag in deleted]:
        labels = element.find_all("span", class_="vh")
        assert [label.get_text() for label in labels] == [f"{word} text: ", f" (end of {word} text)"]
    assert "text-decoration: underline" in soup.style.string
    assert "text-decoration: line-through" in soup.style.string


def test_html_list_items_stay_a_list(soup):
    reworded = soup.find(id="clause-politics.council-publicity").find_parent("article")
    items = [item.get_text() for item in reworded.select(".redline ul > li")]
    assert any("first item & more" in item for item in items)
    assert any("second <i>item</i>" in item for item in items)


def _visible_text(element) -> str:
    """What a sighted reader sees: the text without the visually hidden labels."""
    copy = BeautifulSoup(str(element), "html5lib")
    for label in copy.select(".vh"):
        label.decompose()
    return copy.get_text()


def test_html_profile_markup_appears_literally(page, soup):
    assert soup.find_all("script") == []
    assert soup.find_all("b") == [] and soup.find_all("i") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    reworded = soup.find(id="clause-politics.council-publicity").find_parent("article")
    assert "Never write <script>alert(1)</script> or {{ 7*7 }} in a post." in _visible_text(reworded)
    assert "Testing <b>escaping</b> & {{ 7*7 }}" in reworded.get_text()
    assert "49" not in soup.get_text()


def test_html_lists_terms_apart_from_text_changes(soup, diff):
    terms = soup.find(id="terms").find_parent("section")
    for substitution in diff.substitutions:
        assert substitution.key in terms.get_text()
        assert substitution.new in terms.get_text()
    assert terms.find("ins") is None and terms.find("del") is None


def test_html_collapses_unchanged_clauses(soup, diff):
    details = soup.find(id="unchanged").find_parent("section").find("details")
    assert details is not None and "open" not in details.attrs
    assert details.summary.get_text().startswith(f"{diff.summary.unchanged} clauses")
    assert len(details.find_all("li")) == diff.summary.unchanged


def test_html_is_self_contained(soup):
    assert not soup.find_all(src=True)
    assert not soup.find_all("link")
    assert all(link["href"].startswith("#") for link in soup.find_all("a"))


def test_html_is_reproducible(diff, page):
    assert html_report.report(diff, timestamp=MOMENT) == page
    assert html_report.report(diff) == html_report.report(diff)  # default time: SOURCE_DATE_EPOCH (conftest)


def test_html_of_a_policy_compared_with_itself(sample_policy):
    policy = sample_policy("riverside-borough-council")
    soup = BeautifulSoup(html_report.report(compare(policy, policy), timestamp=MOMENT), "html5lib")
    assert "No clause differs." in soup.get_text()
    assert soup.find("ins") is None and soup.find("del") is None


def test_html_names_the_side_a_difference_comes_from(sample_policy):
    diff = compare(sample_policy("riverside-borough-council"), sample_policy("greenvale-hospitals"))
    soup = BeautifulSoup(html_report.report(diff, timestamp=MOMENT), "html5lib")
    approval = soup.find(id="clause-official.riverside-approval").find_parent("article").get_text()
    assert "the difference comes from Riverside Borough Council's own profile" in approval


# Word --------------------------------------------------------------------------------------------------------------


def _revisions(body: etree._Element) -> list[etree._Element]:
    return [element for element in body.iter(f"{W}ins", f"{W}del")]


def _paragraph_texts(body: etree._Element, accept: bool) -> list[str]:
    """The body's paragraphs (outside tables) after accepting (or rejecting) every tracked change, as Word would
    show them."""
    gone = f"{W}del" if accept else f"{W}ins"
    result = []
    for paragraph in body.findall(f"{W}p"):
        mark = paragraph.find(f"{W}pPr/{W}rPr/{gone}")
        text = "".join(
            "\n" if node.tag == f"{W}br" else node.text or ""
            for node in paragraph.iter(f"{W}t", f"{W}delText", f"{W}br")
            if not any(ancestor.tag == gone for ancestor in node.iterancestors())
        )
        if mark is None or text:
            result.append(text)
    return result


def test_word_has_tracked_insertions_and_deletions_by_the_organisation(body):
    revisions = _revisions(body)
    assert {element.tag for element in revisions} == {f"{W}ins", f"{W}del"}
    assert {element.get(f"{W}author") for element in revisions} == {ORG}
    assert {element.get(f"{W}date") for element in revisions} == {"2026-11-24T16:00:00Z"}
    ids = [element.get(f"{W}id") for element in revisions]
    assert len(ids) == len(set(ids)) and all(value.isdigit() for value in ids)


def test_word_deleted_text_is_in_deltext(body):
    for deletion in body.iter(f"{W}del"):
        if deletion.getparent().tag == f"{W}rPr":
            continue  # a deleted paragraph mark
        assert deletion.findall(f".//{W}t") == []
        assert deletion.findall(f".//{W}delText")
    for text in body.iter(f"{W}delText"):
        assert any(ancestor.tag == f"{W}del" for ancestor in text.iterancestors())


def test_word_accepting_gives_the_new_wording_and_rejecting_the_old(body, diff):
    accepted, rejected = _paragraph_texts(body, accept=True), _paragraph_texts(body, accept=False)
    for clause in diff.changed_clauses:
        new = [line.new_text for line in clause.lines if line.op != "delete"]
        old = [line.old_text for line in clause.lines if line.op != "insert"]
        heading = next(i for i, text in enumerate(accepted) if text.endswith(f"({clause.id})"))
        assert accepted[heading + 3 : heading + 3 + len(new)] == new, clause.id
        heading = next(i for i, text in enumerate(rejected) if text.endswith(f"({clause.id})"))
        assert rejected[heading + 3 : heading + 3 + len(old)] == old, clause.id
    assert "Never write <script>alert(1)</script> or {{ 7*7 }} in a post." in " ".join(accepted)


def test_word_inserted_paragraphs_have_tracked_paragraph_marks(body):
    marks = body.findall(f".//{W}pPr/{W}rPr/{W}ins") + body.findall(f".//{W}pPr/{W}rPr/{W}del")
    assert marks  # rejecting an added clause removes its paragraphs, not only their text
    for mark in marks:
        properties = mark.getparent().getparent()
        assert properties[-1].tag == f"{W}rPr"  # w:rPr is the last child of w:pPr we write


def test_word_opens_with_python_docx_and_has_properties_and_headings(word, diff):
    document = python_docx.Document(BytesIO(word))
    properties = document.core_properties
    assert properties.title == f"{ORG} compared with the core guidance"
    assert properties.author == ORG
    assert properties.language == "en-GB"
    assert properties.created == properties.modified == MOMENT
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert len(headings) == len(diff.changed_clauses)
    assert all(f"({clause.id})" in heading for clause, heading in zip(diff.changed_clauses, headings, strict=True))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Added by Testshire <b>Council</b> & Co (testshire): no reason recorded." in text
    assert "Testing <b>escaping</b> & {{ 7*7 }}" in text
    assert document.settings.element.find(f"{W}trackRevisions") is not None


def test_word_is_reproducible(diff, word):
    assert docx_report.report(diff, timestamp=MOMENT) == word
    first = docx_report.report(diff)  # default time: SOURCE_DATE_EPOCH (conftest)
    assert first == docx_report.report(diff)
    with zipfile.ZipFile(BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(2025, 11, 24, 16, 0, 0)}


def test_word_of_a_policy_compared_with_itself(sample_policy):
    policy = sample_policy("riverside-borough-council")
    document = python_docx.Document(BytesIO(docx_report.report(compare(policy, policy), timestamp=MOMENT)))
    assert "No clause differs." in [p.text for p in document.paragraphs]
    assert not document.element.body.findall(f".//{W}ins") and not document.element.body.findall(f".//{W}del")


def test_word_without_the_project_template(diff, monkeypatch, tmp_path):
    monkeypatch.setattr(docx_report, "DEFAULT_TEMPLATE", tmp_path / "missing.docx")
    document = python_docx.Document(BytesIO(docx_report.report(diff, timestamp=MOMENT)))
    assert document.paragraphs[0].style.name == "Title"
    assert document.element.body.findall(f".//{W}ins")


# LibreOffice -------------------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_converts_the_word_report(word, tmp_path):
    from pypdf import PdfReader

    source = tmp_path / "diff.docx"
    source.write_bytes(word)
    reader = PdfReader(libreoffice_convert(source, "pdf"))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert reader.metadata.title == f"{ORG} compared with the core guidance"
    assert "Reworded: Publicity <script>alert(1)</script>" in text
    assert "Looking into people online" in text  # deleted text is shown, struck through
    assert "first item & more" in text


# Run by the system Python that has LibreOffice's `uno` module (python3-uno), not by the project's interpreter.
# LibreOffice's own output goes to LOG.out and LOG.err; the script says on stderr how long start-up took.
UNO_SCRIPT = """
import json, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

soffice, profile, pipe, log, source = sys.argv[1:6]
LIMIT = 90  # seconds for LibreOffice to accept a connection
command = [soffice, "--headless", "--invisible", "--norestore", "-env:UserInstallation=" + profile,
           "--accept=pipe,name=" + pipe + ";urp;"]
with open(log + ".out", "w") as out, open(log + ".err", "w") as err:
    office = subprocess.Popen(command, stdout=out, stderr=err)
desktop = context = None
started = time.monotonic()
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while context is None:
        waited = time.monotonic() - started
        if office.poll() is not None:
            raise SystemExit(f"LibreOffice exited {office.returncode} after {waited:.1f} s without accepting")
        if waited > LIMIT:
            raise SystemExit(f"LibreOffice did not accept a connection on pipe {pipe} within {LIMIT} s")
        try:
            context = resolver.resolve("uno:pipe,name=" + pipe + ";urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.2)
    print(f"LibreOffice accepted a connection after {time.monotonic() - started:.1f} s", file=sys.stderr)
    manager = context.ServiceManager
    desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    dispatcher = manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
    hidden = PropertyValue()
    hidden.Name, hidden.Value = "Hidden", True
    result = {}
    for mode, command in (("accept", ".uno:AcceptAllTrackedChanges"), ("reject", ".uno:RejectAllTrackedChanges")):
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (hidden,))
        redlines = document.getRedlines()
        authors = sorted({redlines.getByIndex(i).RedlineAuthor for i in range(redlines.getCount())})
        before = redlines.getCount()
        dispatcher.executeDispatch(document.getCurrentController().getFrame(), command, "", 0, ())
        paragraphs, items = [], document.getText().createEnumeration()
        while items.hasMoreElements():
            item = items.nextElement()
            if item.supportsService("com.sun.star.text.Paragraph"):
                paragraphs.append([item.ParaStyleName, item.getString()])
        result[mode] = {"before": before, "after": document.getRedlines().getCount(), "authors": authors,
                        "paragraphs": paragraphs}
        document.close(True)
    print(json.dumps(result))
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()
        office.wait()
"""


def _read(path: Path) -> str:
    if not path.is_file():
        return "(no file)"
    return path.read_text(encoding="utf-8", errors="replace").strip() or "(nothing)"


def _need_uno_python() -> str:
    python = "/usr/bin/python3"
    found = Path(python).is_file() and subprocess.run([python, "-c", "import uno"], capture_output=True).returncode == 0
    if not found:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice's Python bridge (python3-uno) is required in CI to accept tracked changes")
        pytest.skip("LibreOffice's Python bridge (python3-uno for /usr/bin/python3) is not installed")
    return python


@pytest.mark.libreoffice
def test_libreoffice_accepts_and_rejects_every_change(word, body, tmp_path):
    office = libreoffice()
    python = _need_uno_python()
    source = tmp_path / "diff.docx"
    source.write_bytes(word)
    script = tmp_path / "accept.py"
    script.write_text(UNO_SCRIPT, encoding="utf-8")
    log = tmp_path / "libreoffice"
    pipe = f"policy_toolkit_{os.getpid()}_{time.monotonic_ns()}"
    run = run_bounded([python, str(script), office.program, office.profile, pipe, str(log), str(source)], timeout=180)
    if run.code != 0 or not run.stdout.strip():
        said = {name: _read(log.with_suffix(f".{name}")) for name in ("out", "err")}
        details = {"LibreOffice's stdout": said["out"], "LibreOffice's stderr": said["err"], **office.details()}
        pytest.fail(run.report("LibreOffice could not accept and reject the changes", **details), pytrace=False)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    for mode, accept in (("accept", True), ("reject", False)):
        outcome = result[mode]
        assert outcome["before"] > 0 and outcome["after"] == 0, mode
        assert outcome["authors"] == [ORG]
        assert all(text for _, text in outcome["paragraphs"]), f"{mode} left an empty paragraph"
        assert [text for _, text in outcome["paragraphs"]] == _paragraph_texts(body, accept=accept), mode
        styles = [style for style, text in outcome["paragraphs"] if text.startswith(("Added:", "Removed:"))]
        assert set(styles) == {"Heading 2"}, mode  # a heading after a removed paragraph keeps its style


def test_word_report_names_a_template_that_is_not_a_word_document(diff, tmp_path):
    """The report fills the template as the renderer does, so a broken one is reported the same way."""
    from toolkit.errors import ToolkitError

    broken = tmp_path / "house.docx"
    broken.write_text("not a Word document")
    with pytest.raises(ToolkitError) as raised:
        docx_report.report(diff, timestamp=MOMENT, template=broken)
    problem = raised.value.problems[0]
    assert problem.file == broken and "cannot be opened as a Word document" in problem.message


def test_word_lists_unchanged_clauses_as_a_table_by_section_with_titles(word, diff):
    from docx import Document

    document = Document(BytesIO(word))
    table = document.tables[-1]
    assert [cell.text for cell in table.rows[0].cells] == ["Section", "Unchanged clauses"]
    assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None
    listed = " ".join(row.cells[1].text for row in table.rows[1:])
    unchanged = [c for c in diff.clauses if c.change == "unchanged" and not c.moved]
    assert all(f"{c.title} ({c.id})" in listed for c in unchanged)
    assert len(table.rows) - 1 == len({c.section for c in unchanged})


def test_word_footer_has_one_tab_before_the_page_number(word):
    with zipfile.ZipFile(BytesIO(word)) as package:
        footers = [etree.fromstring(package.read(n)) for n in package.namelist() if n.startswith("word/footer")]
    for footer in footers:
        for paragraph in footer.iter(f"{W}p"):
            if "PAGE" in "".join(paragraph.itertext()) or paragraph.find(f".//{W}instrText") is not None:
                runs = paragraph.findall(f"{W}r")
                tabs = [i for i, run in enumerate(runs) if run.find(f"{W}tab") is not None]
                assert len(tabs) == 1


def test_html_wears_the_guidances_font_colour_and_logo(sample_policy):
    riverside = sample_policy("riverside-borough-council")
    page = html_report.report(
        compare(sample_policy("local-council"), riverside), timestamp=MOMENT, branding=riverside.branding
    )
    soup = BeautifulSoup(page, "html5lib")
    css = soup.style.string
    assert '@font-face { font-family: "Noto Sans Embedded"; src: url("data:font/woff2;base64,' in css
    assert f"--primary: {riverside.branding.primary_colour}" in css
    assert soup.select_one("header.brand img")["alt"] == riverside.branding.logo.alt
    steps = soup.select("ol > li[value]")
    assert [li["value"] for li in steps][:2] == ["1", "2"]
