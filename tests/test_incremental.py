"""The first level of the build cache: a profile whose recorded input files and build key are unchanged is skipped
without being resolved; any change to one of those inputs sends it back to be resolved (and rebuilt if its outputs
change). Outputs are compared byte for byte, and read back (HTML text, python-docx) where a change must show."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import PROFILES, ROOT, record_calls, write_profile

SAMPLE = "riverside-borough-council"
FONTS = ROOT / "toolkit" / "templates" / "fonts" / "noto-sans"


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the sample profiles (with their logos, Word template and translation), which tests may edit."""
    profiles = tmp_path / "profiles"
    shutil.copytree(PROFILES, profiles)
    return profiles


@pytest.fixture
def resolved(monkeypatch) -> list[Path]:
    """Every profile resolved in this process, in order (builds here run in process: one profile, or --jobs 1)."""
    from toolkit.resolve import policy

    return record_calls(monkeypatch, policy, "resolve_languages")


def build(cli, project: Path, out: Path, *arguments: object) -> tuple[list[str], list[str], str]:
    """The profiles built and those up to date, as printed, and what went to stderr."""
    code, printed, err = cli("build", *arguments, "-o", out, "--profiles", project, "--jobs", "1")
    assert code == 0, err
    lines = printed.splitlines()
    built = [line.split()[1].rstrip(":") for line in lines if line.startswith("built")]
    up_to_date = [line.split()[3] for line in lines if line.startswith("up to date")]
    return built, up_to_date, printed


def outputs(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("[!.]*"))}


def test_nothing_changed_nothing_is_resolved_rendered_or_written(cli, project, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert build(cli, project, out, "--all", "-f", "html,docx")[0]
    before = outputs(out)
    stamps = {path.name: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}

    def refuse(*args, **kwargs):
        raise AssertionError("resolved, rendered or started workers with nothing changed")

    from toolkit import parallel, render
    from toolkit.resolve import policy

    monkeypatch.setattr(policy, "resolve_languages", refuse)
    monkeypatch.setattr(render, "render", refuse)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", refuse)
    code, printed, err = cli("build", "--all", "-f", "html,docx", "-o", out, "--profiles", project, "--jobs", "2")
    assert code == 0, err
    assert printed.count("up to date") == len(printed.splitlines()) > 10
    assert outputs(out) == before
    assert {path.name: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()} == stamps


def test_an_edited_profile_is_resolved_and_rebuilt_alone(cli, project, tmp_path, resolved):
    out = tmp_path / "out"
    build(cli, project, out, "--all", "-f", "html")
    profile = project / f"{SAMPLE}.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace("name: Riverside Borough Council", "name: Riverbank Council"),
        encoding="utf-8",
    )
    resolved.clear()
    built, _, _ = build(cli, project, out, "--all", "-f", "html")
    assert built == [SAMPLE] and resolved == [profile]
    assert "Riverbank Council" in (out / f"{SAMPLE}.html").read_text(encoding="utf-8")


def test_an_edit_no_output_shows_is_resolved_once_then_skipped(cli, project, tmp_path, resolved):
    out = tmp_path / "out"
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    before = outputs(out)
    profile = project / f"{SAMPLE}.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    resolved.clear()
    assert build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")[1] == [SAMPLE]
    assert len(resolved) == 1 and outputs(out) == before  # resolved, found the same, the record now lists the edit
    resolved.clear()
    assert build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")[1] == [SAMPLE]
    assert resolved == []


def test_a_new_local_copy_of_a_sector_profile_wins_and_rebuilds(cli, project, tmp_path, resolved):
    out = tmp_path / "out"
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    local = project / "local-council.yaml"
    shutil.copy(ROOT / "toolkit" / "sectors" / "local-council.yaml", local)  # the same text, another file
    resolved.clear()
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    assert resolved  # the chain now runs through another file: not trusted without resolving
    local.write_text(
        local.read_text(encoding="utf-8").replace("public: residents and the public", "public: residents and visitors"),
        encoding="utf-8",
    )
    built, _, _ = build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    assert built == [SAMPLE]
    assert "residents and visitors" in (out / f"{SAMPLE}.html").read_text(encoding="utf-8")


def test_a_local_parent_in_a_subfolder_of_the_profiles_folder_also_counts(cli, project, tmp_path, resolved):
    out = tmp_path / "out"
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    (project / "sectors").mkdir()
    local = project / "sectors" / "local-council.yaml"
    text = (ROOT / "toolkit" / "sectors" / "local-council.yaml").read_text(encoding="utf-8")
    local.write_text(
        text.replace("public: residents and the public", "public: people of the district"), encoding="utf-8"
    )
    built, _, _ = build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    assert built == [SAMPLE]
    assert "people of the district" in (out / f"{SAMPLE}.html").read_text(encoding="utf-8")


def test_a_changed_translation_rebuilds_the_translated_profile(cli, project, tmp_path):
    out = tmp_path / "out"
    name = "dyffryn-tawel-council"
    build(cli, project, out, project / f"{name}.yaml", "-f", "html")
    translation = project / "translations" / f"{name}.cy.po"
    translation.write_text(
        translation.read_text(encoding="utf-8").replace('msgstr "swyddog y cyngor"', 'msgstr "swyddog y sir"'),
        encoding="utf-8",
    )
    built, _, _ = build(cli, project, out, project / f"{name}.yaml", "-f", "html")
    assert built == [name]
    assert "swyddog y sir" in (out / f"{name}.cy.html").read_text(encoding="utf-8")


def test_a_new_translation_file_is_noticed(cli, project, tmp_path, resolved):
    out = tmp_path / "out"
    name = "dyffryn-tawel-council"
    translation = project / "translations" / f"{name}.cy.po"
    kept = translation.read_text(encoding="utf-8")
    translation.unlink()
    build(cli, project, out, project / f"{name}.yaml", "-f", "html", "--allow-untranslated")
    translation.write_text(kept, encoding="utf-8")
    resolved.clear()
    built, _, _ = build(cli, project, out, project / f"{name}.yaml", "-f", "html", "--allow-untranslated")
    assert built == [name] and resolved
    assert "swyddog y cyngor" in (out / f"{name}.cy.html").read_text(encoding="utf-8")


def test_a_changed_logo_of_the_same_size_rebuilds(cli, project, tmp_path):
    out = tmp_path / "out"
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    logo = project / "assets" / f"{SAMPLE}-logo.svg"
    text = logo.read_text(encoding="utf-8")
    assert 'r="48" fill="#5A2D82"' in text
    logo.write_text(text.replace('r="48" fill="#5A2D82"', 'r="48" fill="#2D5A82"'), encoding="utf-8")
    built, _, _ = build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    assert built == [SAMPLE]
    page = (out / f"{SAMPLE}.html").read_text(encoding="utf-8")
    logos = [base64.b64decode(found) for found in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page)]
    assert logos and all(b"#2D5A82" in logo for logo in logos)


def test_a_changed_word_template_rebuilds_the_word_file(cli, project, tmp_path):
    import docx

    out = tmp_path / "out"
    name = "greenvale-hospitals"
    build(cli, project, out, project / f"{name}.yaml", "-f", "docx")
    template = project / "assets" / "greenvale-house-style.docx"
    document = docx.Document(str(template))
    document.core_properties.comments = "restyled"
    document.styles["Normal"].font.size = docx.shared.Pt(13)
    document.save(str(template))
    built, _, _ = build(cli, project, out, project / f"{name}.yaml", "-f", "docx")
    assert built == [name]
    assert docx.Document(io.BytesIO((out / f"{name}.docx").read_bytes())).styles["Normal"].font.size == docx.shared.Pt(
        13
    )


def test_a_changed_font_file_rebuilds(cli, project, tmp_path):
    fonts = project / "fonts"
    fonts.mkdir()
    for style in ("Regular", "Bold", "Italic", "BoldItalic"):
        shutil.copy(FONTS / f"NotoSans-{style}.ttf", fonts / f"house-{style}.ttf")
    write_profile(
        project,
        """\
        extends: local-council
        name: Fernhill Council
        branding:
          font:
            name: House Sans
            regular: fonts/house-Regular.ttf
            bold: fonts/house-Bold.ttf
            italic: fonts/house-Italic.ttf
            bold_italic: fonts/house-BoldItalic.ttf
        """,
        name="fernhill-council",
    )
    out = tmp_path / "out"
    assert build(cli, project, out, project / "fernhill-council.yaml", "-f", "html")[0] == ["fernhill-council"]
    before = outputs(out)
    shutil.copy(
        ROOT / "toolkit" / "templates" / "fonts" / "noto-serif" / "NotoSerif-Regular.ttf", fonts / "house-Regular.ttf"
    )
    built, _, _ = build(cli, project, out, project / "fernhill-council.yaml", "-f", "html")
    assert built == ["fernhill-council"] and outputs(out) != before


def test_a_changed_core_guidance_file_is_noticed(cli, project, tmp_path, resolved):
    core = tmp_path / "core"
    shutil.copytree(ROOT / "toolkit" / "templates" / "core", core)
    out = tmp_path / "out"
    assert (
        cli("--core", core, "build", project / f"{SAMPLE}.yaml", "-f", "html", "-o", out, "--profiles", project)[0] == 0
    )
    (core / "notes.txt").write_text("a file the core's readers might one day use\n", encoding="utf-8")
    resolved.clear()
    code, printed, _ = cli(
        "--core", core, "build", project / f"{SAMPLE}.yaml", "-f", "html", "-o", out, "--profiles", project
    )
    assert code == 0 and printed.startswith("up to date") and resolved  # checked by resolving: same text


@pytest.mark.parametrize(
    "change",
    ["date", "engine", "toolkit files", "installed packages", "allow untranslated"],
)
def test_what_is_not_a_file_of_the_profile_is_in_the_key(
    cli, project, tmp_path, monkeypatch, resolved, change, request
):
    from toolkit.render import cache

    out = tmp_path / "out"
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html,pdf")
    extra: list[str] = []
    if change == "date":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    elif change == "engine":
        extra = ["--pdf-engine", "typst"]
    elif change == "toolkit files":
        monkeypatch.setattr(cache, "toolkit_fingerprint", lambda: "another toolkit")
    elif change == "installed packages":
        from toolkit import inputs

        monkeypatch.setattr(inputs, "_installed_packages", lambda: "weasyprint-99.0.dist-info")
        inputs.toolkit_fingerprint.cache_clear()  # worked out again with the other packages, and after the test
        request.addfinalizer(inputs.toolkit_fingerprint.cache_clear)
    else:
        extra = ["--allow-untranslated"]
    resolved.clear()
    built, _, _ = build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html,pdf", *extra)
    assert resolved == [project / f"{SAMPLE}.yaml"]
    if change in ("date", "engine"):
        assert built == [SAMPLE]


def test_a_corrupt_list_of_inputs_is_not_trusted(cli, project, tmp_path, resolved):
    out = tmp_path / "out"
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    record = out / ".build-cache" / f"{SAMPLE}.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["inputs"]["files"] = ["not", "a", "mapping"]
    record.write_text(json.dumps(data), encoding="utf-8")
    resolved.clear()
    assert build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")[1] == [SAMPLE]
    assert resolved  # resolved, and the record repaired
    assert isinstance(json.loads(record.read_text(encoding="utf-8"))["inputs"]["files"], dict)
    record.write_text("{", encoding="utf-8")
    built, _, printed = build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    assert built == [SAMPLE] and "warning: ignored the unreadable build cache" in printed


def test_force_rebuilds_what_is_up_to_date(cli, project, tmp_path):
    out = tmp_path / "out"
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    built, _, _ = build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html", "--force")
    assert built == [SAMPLE]


def test_another_file_of_the_same_name_is_not_taken_for_the_one_built(cli, project, tmp_path, resolved):
    out = tmp_path / "out"
    build(cli, project, out, project / f"{SAMPLE}.yaml", "-f", "html")
    elsewhere = tmp_path / "elsewhere" / "profiles"
    elsewhere.mkdir(parents=True)
    text = (project / f"{SAMPLE}.yaml").read_text(encoding="utf-8")
    (elsewhere / f"{SAMPLE}.yaml").write_text(text.replace("Riverside Borough Council", "Riverford Council"))
    shutil.copytree(project / "assets", elsewhere / "assets")
    resolved.clear()
    built, _, _ = build(cli, elsewhere, out, elsewhere / f"{SAMPLE}.yaml", "-f", "html")
    assert built == [SAMPLE] and resolved
    assert "Riverford Council" in (out / f"{SAMPLE}.html").read_text(encoding="utf-8")
