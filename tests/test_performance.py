"""What keeps everyday commands quick and big builds cheap: imports, parsing once, caches. No timings here
(speed is measured by `make bench`); these tests check the behaviour that the speed rests on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROFILES, ROOT

HEAVY = ("docx", "docxtpl", "weasyprint", "typst", "fontTools")


def _modules_after(arguments: list[str], tmp_path) -> set[str]:
    """The top-level modules a command imports, run in a fresh interpreter."""
    script = (
        "import sys, json\n"
        "from toolkit.cli.app import app\n"
        "try:\n"
        f"    app({arguments!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('MODULES=' + json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, env=env)
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


@pytest.mark.parametrize(
    "arguments",
    [["list"], ["validate"], ["diff", "profiles/riverside-borough-council.yaml"], ["check"], ["--help"]],
    ids=["list", "validate", "diff", "check", "help"],
)
def test_everyday_commands_import_no_document_engine(arguments, tmp_path):
    if arguments == ["validate"]:  # the first run checks each Word template once and remembers the result
        _modules_after(arguments, tmp_path)
    imported = _modules_after(arguments, tmp_path)
    assert not imported & set(HEAVY), f"{arguments} imported {sorted(imported & set(HEAVY))}"


@pytest.mark.parametrize(
    "arguments",
    [["--help"], ["list"], ["validate"], ["diff", "profiles/riverside-borough-council.yaml"]],
    ids=["help", "list", "validate", "diff"],
)
def test_a_remembered_command_reads_its_options_without_pydantic(arguments, tmp_path):
    """typer 0.29 checks every option through a pydantic adapter on each run, doubling a command's start (about
    0.1 s); the pin below 0.29 in pyproject.toml keeps it out. A second run reads only what it remembered."""
    _modules_after(arguments, tmp_path)
    imported = _modules_after(arguments, tmp_path)
    assert "pydantic" not in imported, f"{arguments} imported pydantic the second time"


def test_a_parent_profile_is_read_once_for_all_its_children(monkeypatch):
    from toolkit.load import profiles, yamlio
    from toolkit.resolve.policy import resolve_profile

    read: list[str] = []
    original = yamlio.load_yaml
    monkeypatch.setattr(profiles, "_layers", {})
    monkeypatch.setattr(profiles, "load_yaml", lambda path: read.append(path.name) or original(path))
    for name in ("coastal-survey-agency", "department-for-coastal-affairs"):
        resolve_profile(PROFILES / f"{name}.yaml", PROFILES)
    assert sorted(read) == sorted(set(read)), read
    assert "central-government.yaml" in read


def test_an_edited_profile_is_read_again(tmp_path):
    from toolkit.load.profiles import load_layer

    path = tmp_path / "unit.yaml"
    path.write_text("name: First Unit\nextends: local-authority\n", encoding="utf-8")
    assert load_layer(path).spec.name == "First Unit"
    path.write_text("name: Second Unit, renamed\nextends: local-authority\n", encoding="utf-8")
    assert load_layer(path).spec.name == "Second Unit, renamed"


def test_an_alias_is_refused_in_the_single_parsing_pass(tmp_path):
    from toolkit.errors import ToolkitError
    from toolkit.load.yamlio import load_yaml

    path = tmp_path / "p.yaml"
    path.write_text("name: &n Riverside\nshort_name: *n\n", encoding="utf-8")
    with pytest.raises(ToolkitError) as caught:
        load_yaml(path)
    problem = caught.value.problems[0]
    assert "anchors" in problem.message and problem.line == 1


def test_a_broken_house_template_is_reported_every_time(tmp_path, monkeypatch):
    from toolkit.checks.validate import check_word_template

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template = tmp_path / "house.docx"
    template.write_bytes(b"not a zip")
    first = check_word_template(template)
    assert first and "cannot be opened" in first[0]
    assert check_word_template(template) == first  # remembered, and still reported
    template.write_bytes((ROOT / "toolkit" / "templates" / "word" / "default.docx").read_bytes())
    assert check_word_template(template) == []


def test_a_corrupt_remembered_check_is_ignored(tmp_path, monkeypatch):
    from toolkit.checks import validate

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(validate, "_checked", {})
    template = tmp_path / "house.docx"
    template.write_bytes(b"not a zip")
    key = validate._template_key(template)
    folder = validate._cache_dir()
    folder.mkdir(parents=True)
    (folder / f"{key}.json").write_text("[1, 2", encoding="utf-8")
    assert "cannot be opened" in validate.check_word_template(template)[0]


def _page(name: str, sample_policy) -> str:
    from toolkit.render import RenderOptions, render

    return render(sample_policy(name), "html", RenderOptions()).decode("utf-8")


@pytest.mark.parametrize("name", ["riverside-borough-council", "dyffryn-tawel-council"])
def test_the_web_page_is_small_and_its_fonts_hold_every_character_it_shows(name, sample_policy):
    import base64
    import io
    import re

    from bs4 import BeautifulSoup
    from fontTools.ttLib import TTFont

    page = _page(name, sample_policy)
    assert len(page.encode("utf-8")) <= 180_000
    text = BeautifulSoup(page, "html.parser").body.get_text()
    fonts = re.findall(r"data:font/woff2;base64,([A-Za-z0-9+/=]+)", page)
    assert fonts
    for font in fonts:
        covered = TTFont(io.BytesIO(base64.b64decode(font))).getBestCmap()
        missing = {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
        assert not missing, f"{name}: the embedded font lacks {sorted(missing)}"


def test_subset_fonts_are_the_same_bytes_with_or_without_the_cache(sample_policy, tmp_path, monkeypatch):
    from toolkit.render import fonts

    first = _page("dyffryn-tawel-council", sample_policy)
    monkeypatch.setattr(fonts, "_memory", {})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh"))
    assert _page("dyffryn-tawel-council", sample_policy) == first
    assert list((tmp_path / "fresh" / "policy-toolkit" / "font-subsets").glob("*.woff2"))


def test_a_corrupt_cached_font_is_not_trusted(tmp_path, monkeypatch):
    from toolkit.render import fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fonts, "_memory", {})
    source = ROOT / "toolkit" / "templates" / "fonts" / "noto-sans" / "NotoSans-Regular.ttf"
    good = fonts.subset_woff2(source, fonts.page_characters("Gwŷn"))
    monkeypatch.setattr(fonts, "_memory", {})
    cached = next((tmp_path / "policy-toolkit" / "font-subsets").glob("*.woff2"))
    cached.unlink()
    cached.mkdir()  # unreadable as a file
    assert fonts.subset_woff2(source, fonts.page_characters("Gwŷn")) == good


def test_compiled_core_templates_are_remembered_and_a_corrupt_entry_is_compiled_again(tmp_path, monkeypatch):
    from toolkit.resolve.codecache import compiled_code

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls: list[int] = []

    def compile_it():
        calls.append(1)
        return compile("x = 1", "clause.md.j2", "exec")

    first = compiled_code("{{ x }}", "a.b", "clause.md.j2", compile_it)
    assert compiled_code("{{ x }}", "a.b", "clause.md.j2", compile_it).co_filename == first.co_filename
    assert len(calls) == 1
    for entry in (tmp_path / "policy-toolkit" / "templates").glob("*.code"):
        entry.write_bytes(b"\x00garbage")
    assert compiled_code("{{ x }}", "a.b", "clause.md.j2", compile_it).co_filename == "clause.md.j2"
    assert len(calls) == 2
