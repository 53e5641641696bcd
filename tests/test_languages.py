"""Welsh and English: labels, dates, language settings in every format, translations and their staleness."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pikepdf
import polib
import pytest
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from toolkit.i18n import Labels, catalogue, format_date, own_catalogue
from toolkit.model import plain_text
from toolkit.render import RenderOptions, render
from toolkit.resolve.policy import resolve_languages, resolve_profile
from toolkit.translations.catalogue import translations_path, unit_problem

from .conftest import PROFILES, ROOT

WELSH = "dyffryn-tawel-council"
WELSH_PROFILE = PROFILES / f"{WELSH}.yaml"
WELSH_LETTERS = "ŵŷŴŶâêîôûÂÊÎÔÛäëïöüÿáéíóúýàèìòùẁẃẅỳ"


@pytest.fixture(scope="module")
def welsh():
    return resolve_profile(WELSH_PROFILE, PROFILES, language="cy")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the sample profiles to edit: returns the copy's profiles folder."""
    shutil.copytree(PROFILES, tmp_path / "profiles")
    return tmp_path / "profiles"


# Labels, dates, fonts ----------------------------------------------------------------------------------------------


def test_welsh_catalogue_has_every_label_with_its_slots():
    english, welsh = catalogue("en"), own_catalogue("cy")  # the Welsh file itself, without English filling gaps
    assert set(english) == set(welsh)
    for key, text in english.items():
        assert sorted(re.findall(r"\{\w+\}", text)) == sorted(re.findall(r"\{\w+\}", welsh[key])), key
    assert Labels("cy-GB")("page_of", page=3, pages=12) == "Tudalen 3 o 12"
    assert Labels("cy-GB")("contents") == "Cynnwys"


def test_dates_use_the_languages_month_names():
    assert format_date(date(2026, 11, 2), "cy-GB") == "2 Tachwedd 2026"
    assert format_date(date(2026, 9, 1), "en-GB") == "1 September 2026"
    assert format_date(date(2027, 1, 5), "cy") == "5 Ionawr 2027"


@pytest.mark.parametrize(
    "font", sorted((ROOT / "toolkit" / "templates" / "fonts").rglob("*.ttf")), ids=lambda p: p.name
)
def test_bundled_fonts_cover_the_welsh_letters(font: Path):
    cmap = TTFont(font).getBestCmap()
    assert [letter for letter in WELSH_LETTERS if ord(letter) not in cmap] == []


# The model in Welsh ------------------------------------------------------------------------------------------------


def test_welsh_model_uses_welsh_words_and_marks_the_rest(welsh):
    assert welsh.language == "cy-GB"
    assert welsh.languages == ["cy-GB", "en-GB"]
    assert welsh.title == "Defnyddio'r cyfryngau cymdeithasol a'r we gymdeithasol"
    assert welsh.organisation.name == "Cyngor Bwrdeistref Sirol Dyffryn Tawel"
    assert {c.role: c.name for c in welsh.contacts}["press"] == "Tîm cyfathrebu"
    clauses = {c.id: c for s in welsh.sections for c in s.clauses}
    publicity = clauses["politics.council-publicity"]
    assert publicity.untranslated is None
    assert plain_text(publicity.title) == "Cyhoeddusrwydd y cyngor"
    assert "Mae adran 2 o Ddeddf Llywodraeth Leol 1986" in plain_text(publicity.blocks[0].inlines)
    assert clauses["purpose.scope"].untranslated == "missing"
    # a clause still in English keeps the profile's English words: no sentence mixes the two languages
    assert "Dyffryn Tawel County Borough Council" in plain_text(clauses["purpose.scope"].blocks[0].inlines)


def test_english_model_uses_english_forms():
    english = resolve_profile(WELSH_PROFILE, PROFILES, language="en")
    assert english.language == "en-GB"
    assert english.organisation.name == "Dyffryn Tawel County Borough Council"
    assert {c.role: c.name for c in english.contacts}["press"] == "Communications team"
    assert all(c.untranslated is None for s in english.sections for c in s.clauses)


def test_languages_come_in_the_profiles_order():
    assert [p.language for p in resolve_languages(WELSH_PROFILE, PROFILES)] == ["cy-GB", "en-GB"]


# Each format -------------------------------------------------------------------------------------------------------


def test_html_declares_welsh_and_marks_english_parts(welsh):
    page = BeautifulSoup(render(welsh, "html", RenderOptions()), "html.parser")
    assert page.html["lang"] == "cy-GB"
    assert page.find(id="contents_title").get_text() == "Cynnwys"
    assert page.find("a", class_="skip-link").get_text() == "Neidio i'r prif gynnwys"
    assert "2 Tachwedd 2026" in page.find(class_="title-block").get_text()
    untranslated = page.find(id="purpose.scope")
    assert "untranslated" in untranslated["class"]
    assert "Heb ei gyfieithu eto" in untranslated.find(class_="untranslated__note").get_text()
    assert untranslated.find("div")["lang"] == "en-GB"
    assert page.find(id="politics.council-publicity").find(lang=True) is None  # translated: the page's language


def test_word_sets_welsh_and_english_runs(welsh):
    data = render(welsh, "docx", RenderOptions())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        styles = package.read("word/styles.xml").decode()
        body = package.read("word/document.xml").decode()
        footer = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("word/footer"))
        core = package.read("docProps/core.xml").decode()
    assert re.search(r'<w:rPrDefault>.*?<w:lang w:val="cy-GB"', styles, re.DOTALL)
    assert "<dc:language>cy-GB</dc:language>" in core
    assert "Cynnwys" in body and "Tudalen" in footer
    heading = body.rindex("Who this guidance applies to")  # the clause's own heading, after the contents
    scope = body[heading - 400 : heading]
    assert 'w:lang w:val="en-GB"' in scope
    welsh_text = body.index("Mae adran 2 o Ddeddf")
    assert 'w:val="en-GB"' not in body[welsh_text - 300 : welsh_text]


def test_pdf_declares_welsh_and_tags_english_parts(welsh):
    data = render(welsh, "pdf", RenderOptions())
    with pikepdf.open(io.BytesIO(data)) as document:
        assert str(document.Root.Lang) == "cy-GB"
        langs = _struct_langs(document.Root.StructTreeRoot)
    assert "en-GB" in langs
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages[:4])
    assert "Tudalen 2 o" in text and "Cynnwys" in text and "2 Tachwedd 2026" in text


def _struct_langs(root: pikepdf.Object) -> set[str]:
    found, stack, seen = set(), [root], set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary):
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            if "/Lang" in node:
                found.add(str(node.Lang))
            if "/K" in node:
                stack.append(node.K)
    return found


def test_build_writes_each_language(cli, tmp_path):
    code, _, err = cli("build", WELSH_PROFILE, "--profiles", PROFILES, "-o", tmp_path, "-f", "html")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.glob("*.html")) == [f"{WELSH}.cy.html", f"{WELSH}.en.html"]
    english = BeautifulSoup((tmp_path / f"{WELSH}.en.html").read_text(), "html.parser")
    assert english.html["lang"] == "en-GB" and not english.select(".untranslated")


# Staleness and refusing to build -----------------------------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_english_edit_makes_the_translation_stale(cli, project, tmp_path):
    profile = project / f"{WELSH}.yaml"
    _edit(profile, "ask our {contact.press}", "ask our {contact.press} first")
    code, out, _ = cli("check", profile, "--profiles", project)
    assert code == 1
    assert "clause:politics.council-publicity" in out and "{+ first+}" in out
    policy = resolve_profile(profile, project, language="cy")
    clause = next(c for s in policy.sections for c in s.clauses if c.id == "politics.council-publicity")
    assert clause.untranslated == "stale"
    page = BeautifulSoup(render(policy, "html", RenderOptions()), "html.parser")
    assert "Cyfieithiad hen" in page.find(id="politics.council-publicity").get_text()


OUR_OWN_CLAUSES = """\
  - add: principles.test-kindness
    after: principles.credible
    title: Be kind
    text: "Be kind to {term.public}."
  - replace: principles.credible
    text: Tell the truth.
  - remove: principles.integrated
    reason: {cy: Dim angen., en: Not needed.}
  - add_section: test-local
    after: principles
    title: Local rules
    clauses:
      - id: test-local.parking
        text: No photos of the staff car park.
"""


@pytest.mark.parametrize(
    "edit",
    [
        None,
        ("ask our {contact.press}", "ask our {contact.press} first"),
        ("clauses:\n", "clauses:\n" + OUR_OWN_CLAUSES),
    ],
    ids=["as-is", "stale", "own-clauses-and-section"],
)
def test_translation_states_need_no_core_wording(project, edit):
    """`check` and the overview count translations without rendering the core's text: the units, their English
    and their states are exactly those of the full document in the language."""
    from toolkit.translations.workflow import translation_report

    profile = project / f"{WELSH}.yaml"
    if edit:
        _edit(profile, *edit)
    full, bare = (translation_report(profile, "cy", project, core_text=wording) for wording in (True, False))
    assert [(u.unit, u.english, u.status) for u in bare.units] == [(u.unit, u.english, u.status) for u in full.units]
    assert any(u.unit.startswith("section:") for u in full.units) and any(
        u.unit.startswith("title:") for u in full.units
    )
    if edit and "first" in edit[1]:
        assert bare.count("stale") == 1


def test_build_refuses_missing_or_stale_translations_unless_allowed(cli, project, tmp_path):
    profile = project / f"{WELSH}.yaml"
    _edit(profile, "allow_untranslated: true", "allow_untranslated: false")
    code, _, err = cli("build", profile, "--profiles", project, "-o", tmp_path, "-f", "html")
    assert code == 2
    assert "cy translation is not complete" in err and "missing" in err and "--allow-untranslated" in err
    assert not list(tmp_path.glob("*.html"))
    code, _, err = cli("build", profile, "--profiles", project, "-o", tmp_path, "-f", "html", "--allow-untranslated")
    assert code == 0, err


# Export and import -------------------------------------------------------------------------------------------------


def test_export_import_round_trip(cli, project, tmp_path):
    profile = project / f"{WELSH}.yaml"
    stored = translations_path(profile, "cy")
    before = {e.msgctxt: e.msgstr for e in polib.pofile(str(stored)) if e.msgstr}
    exported = tmp_path / "cy.po"
    code, _, err = cli("translations", "export", profile, "--lang", "cy", "-o", exported, "--profiles", project)
    assert code == 0, err
    po = polib.pofile(str(exported))
    units = {e.msgctxt: e for e in po}
    assert units["clause:purpose.scope"].msgstr == ""  # still to translate
    assert "fingerprint: " in units["clause:purpose.scope"].comment
    assert units["label:contents"].msgstr == "Cynnwys"
    units["clause:purpose.scope"].msgstr = units["clause:purpose.scope"].msgid.replace(
        "### Who this guidance applies to", "### I bwy mae'r canllawiau hyn yn berthnasol"
    )
    po.save(str(exported))
    stored.unlink()
    code, _, err = cli("translations", "import", profile, exported, "--profiles", project)
    assert code == 0, err
    after = {e.msgctxt: e.msgstr for e in polib.pofile(str(stored)) if e.msgstr}
    assert {k: v for k, v in after.items() if k != "clause:purpose.scope"} == before
    policy = resolve_profile(profile, project, language="cy")
    scope = next(c for s in policy.sections for c in s.clauses if c.id == "purpose.scope")
    assert scope.untranslated is None and plain_text(scope.title) == "I bwy mae'r canllawiau hyn yn berthnasol"


def _export(cli, project: Path, tmp_path: Path) -> tuple[Path, polib.POFile]:
    target = tmp_path / "cy.po"
    cli("translations", "export", project / f"{WELSH}.yaml", "--lang", "cy", "-o", target, "--profiles", project)
    return target, polib.pofile(str(target))


def _refused(cli, project: Path, source: Path) -> str:
    stored = translations_path(project / f"{WELSH}.yaml", "cy")
    before = stored.read_bytes()
    code, _, err = cli("translations", "import", project / f"{WELSH}.yaml", source, "--profiles", project)
    assert code == 2, err
    assert stored.read_bytes() == before  # nothing half-imported
    assert "Traceback" not in err
    return err


def test_import_refuses_a_broken_placeholder(cli, project, tmp_path):
    source, po = _export(cli, project, tmp_path)
    entry = next(e for e in po if e.msgctxt == "clause:politics.council-publicity")
    entry.msgstr = entry.msgstr.replace("{org.short_name}", "{org.short_nam")
    po.save(str(source))
    err = _refused(cli, project, source)
    saved = next(e for e in polib.pofile(str(source)) if e.msgctxt == "clause:politics.council-publicity")
    assert f"{source}:{saved.linenum}:" in err  # file and line of the entry
    assert "clause:politics.council-publicity" in err and "lost org.short_name" in err


def test_import_refuses_template_code_the_english_does_not_have(cli, project, tmp_path):
    source, po = _export(cli, project, tmp_path)
    entry = next(e for e in po if e.msgctxt == "clause:contacts.when")
    entry.msgstr = entry.msgstr + " {{ 7*7 }}"
    po.save(str(source))
    assert "7*7" in _refused(cli, project, source)
    entry.msgstr = entry.msgid.replace("{% endif %}", "")
    entry = next(e for e in po if e.msgctxt == "clause:contacts.list")
    entry.msgstr = entry.msgid.replace("{% else %}\n", "")
    po.save(str(source))
    assert "template logic" in _refused(cli, project, source)


def test_import_refuses_an_unknown_clause(cli, project, tmp_path):
    source, po = _export(cli, project, tmp_path)
    po.append(polib.POEntry(msgctxt="clause:purpose.scopes", msgid="x", msgstr="y"))
    po.save(str(source))
    err = _refused(cli, project, source)
    assert "`clause:purpose.scopes` is not a unit" in err and "clause:purpose.scope" in err.split("scopes`")[1]


def test_import_refuses_an_undeclared_language(cli, project, tmp_path):
    source, po = _export(cli, project, tmp_path)
    po.metadata["Language"] = "ga"
    po.save(str(source))
    err = _refused(cli, project, source)
    assert "`ga`" in err and "Language" in err


def test_import_refuses_an_invalid_file_with_its_line(cli, project, tmp_path):
    source, _ = _export(cli, project, tmp_path)
    lines = source.read_text(encoding="utf-8").splitlines()
    broken = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 10)
    lines[broken] = 'msgstr "unterminated'
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _refused(cli, project, source)
    assert f"line {broken + 1}" in err or f":{broken + 1}" in err


def test_export_refuses_a_language_the_profile_does_not_declare(cli, tmp_path):
    code, _, err = cli("translations", "export", WELSH_PROFILE, "--lang", "ga", "-o", tmp_path / "x.po")
    assert code == 2 and "`ga`" in err


def test_placeholder_rules():
    english = "Ask {{ term.manager }} and {{ term.staff.plural }}. {% if x %}y{% endif %}"
    assert (
        unit_problem(
            "clause:a.b", english, "Gofynnwch i {{ term.manager.cap }}, {{ term.staff }}. {% if x %}y{% endif %}"
        )
        is None
    )
    assert "lost" in unit_problem("clause:a.b", english, "{{ term.manager }} {% if x %}y{% endif %}")
    assert "template logic" in unit_problem("clause:a.b", english, "{{ term.manager }} {{ term.staff }}")
    assert unit_problem("clause:a.b", english, english + " {{ x.__class__ }}") is not None
    assert unit_problem("clause:a.b", "{org.name}", "{org.name} {{") is not None


# Per-language forms in the profile ---------------------------------------------------------------------------------


def test_a_missing_language_form_is_refused_with_field_and_line(cli, project):
    profile = project / f"{WELSH}.yaml"
    _edit(profile, "name: {cy: Tîm digidol, en: the digital team}", "name: {cy: Tîm digidol}")
    code, _, err = cli("validate", profile, "--profiles", project)
    assert code == 2
    assert "contacts.social_media.name" in err and "no `en:` form" in err
    line = next(i for i, text in enumerate(profile.read_text().splitlines(), 1) if "Tîm digidol}" in text)
    assert f":{line}" in err


def test_diff_and_show_per_language(cli):
    code, out, err = cli("show", WELSH_PROFILE, "--clause", "politics.council-publicity", "--lang", "cy")
    assert code == 0, err
    assert "Mae adran 2 o Ddeddf" in out
    code, out, _ = cli("show", WELSH_PROFILE, "--clause", "politics.council-publicity", "--lang", "en")
    assert "The\nEnglish Code of Recommended Practice" in out or "English Code of Recommended Practice" in out
    code, _, err = cli("show", WELSH_PROFILE, "--lang", "fr")
    assert code == 2 and "does not publish in `fr`" in err


def test_the_matrix_shows_each_organisations_translation_state(cli, tmp_path):
    code, out, err = cli("diff", "--all", "--profiles", PROFILES)
    assert code == 0, err
    line = next(line for line in out.splitlines() if f"{WELSH} (" in line)
    assert re.search(r"translations: cy: \d+ of \d+ translated, 0 stale, \d+ missing", line)
    assert "translations:" not in next(line for line in out.splitlines() if "riverside-borough-council (" in line)
    code, _, err = cli("diff", "--all", "--format", "html", "--out", tmp_path / "m.html", "--profiles", PROFILES)
    row = BeautifulSoup((tmp_path / "m.html").read_text(), "html.parser").find("th", string="Translations").parent
    assert any(cell.get_text().startswith("cy: ") for cell in row.find_all("td"))
    assert "English only" in row.get_text()
