"""Hostile files and folders beyond one bad profile: outputs in the way, killed builds, lock files, Ctrl-C.

Beside the catalogue in test_bad_input.py; each test here drives the real command line (or the function the command
line calls) and checks what is on disk afterwards.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import zipfile

import pytest
from docx import Document
from lxml import etree

from toolkit.output import LOCK_NAME

from .conftest import PROFILES, ROOT, SECTORS
from .test_bad_input import GOOD, PREVIOUS, house_docx, outputs

NHS = SECTORS / "nhs-trust.yaml"


def profile(folder, text: str, name: str = "test-org.yaml"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# extends: names, never paths -------------------------------------------------------------------------------------


def test_extends_cannot_reach_a_profile_outside_the_project(tmp_path, cli):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("extends: local-council\nname: Secret Outside Body\n")
    path = profile(tmp_path / "a" / "b", "extends: ../../outside/secret\nname: X\n")
    code, _, err = cli("build", path, "--format", "html", "--out", tmp_path / "out", "--profiles", tmp_path / "a")
    assert code == 2 and "never a path" in err and "test-org.yaml:1:" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.html"))


def test_extends_still_finds_a_parent_by_name_beside_the_profile_and_among_the_sectors(tmp_path, cli):
    profile(tmp_path / "profiles", "extends: local-council\nname: Parent Council\n", "parent-council.yaml")
    path = profile(tmp_path / "profiles" / "units", "extends: parent-council\nshort_name: Unit\n")
    code, _, err = cli("validate", path, "--profiles", tmp_path / "profiles")
    assert code == 0, err


# Font names reach XML only escaped -------------------------------------------------------------------------------


def test_a_font_table_entry_escapes_whatever_name_it_is_given():
    from toolkit.render._word.package import font_table_entry

    name = 'Brand & Co" w:altName="pwned <x>'
    entry = font_table_entry(name, "sans-serif", b"")
    xml = etree.tostring(entry)
    parsed = etree.fromstring(xml)
    assert parsed.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name") == name
    assert b"altName" not in xml.replace(b"w:altName=&quot;", b"")


def test_the_theme_gets_an_escaped_font_name_even_past_validation(sample_policy):
    """Validation refuses such names; the Word writer escapes anyway, so the XML stays well-formed."""
    from toolkit import render

    policy = sample_policy("riverside-borough-council")
    font = policy.branding.font.model_copy(update={"name": 'Brand & Co" x="1'})
    odd = policy.model_copy(update={"branding": policy.branding.model_copy(update={"font": font})})
    data = render.render(odd, "docx", render.RenderOptions())
    theme = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/theme/theme1.xml"))
    faces = {element.get("typeface") for element in theme.iter() if element.get("typeface")}
    assert 'Brand & Co" x="1' in faces


def test_a_custom_font_with_a_hostile_name_is_refused_at_load_with_its_line(tmp_path, cli):
    folder = tmp_path / "profiles"
    regular = next((ROOT / "toolkit" / "templates" / "fonts").rglob("*Regular*.ttf"))
    folder.mkdir()
    (folder / "brand.ttf").write_bytes(regular.read_bytes())
    path = profile(folder, GOOD + "branding:\n  font:\n    name: 'Inj\" w:altName=\"pwned'\n    regular: brand.ttf\n")
    code, _, err = cli("build", path, "--format", "docx", "--out", tmp_path / "out", "--profiles", folder)
    assert code == 2 and "test-org.yaml:5:" in err and "branding.font.name" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.docx"))


# Word templates: unpacked size (the part-count cap is in the catalogue) --------------------------------------------


def test_a_zip_bomb_template_is_refused_before_it_is_unpacked(tmp_path, cli):
    folder = tmp_path / "profiles"
    folder.mkdir()
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(house_docx())) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            out.writestr(name, source.read(name))
        out.writestr("word/media/filler.bin", b"\0" * (101 * 1024 * 1024), compresslevel=1)
    (folder / "house.docx").write_bytes(bomb.getvalue())
    assert len(bomb.getvalue()) < 1024 * 1024
    path = profile(folder, GOOD + "branding:\n  word_template: house.docx\n")
    code, _, err = cli("validate", path, "--profiles", folder)
    assert code == 2 and "unpacks to 105,9" in err and "the limit is 104,857,600" in err


def test_the_default_and_sample_house_templates_pass_the_package_check():
    from toolkit.load.assets import check_word_package
    from toolkit.render.ooxml import DEFAULT_TEMPLATE

    for template in (DEFAULT_TEMPLATE, PROFILES / "assets" / "greenvale-house-style.docx"):
        assert check_word_package(template) == template


# Publishing: all of a profile's files or none, and the truth about it ----------------------------------------------


def test_a_folder_where_an_output_file_should_be_publishes_nothing(tmp_path, cli):
    out = tmp_path / "output"
    (out / "nhs-trust.docx").mkdir(parents=True)
    (out / "nhs-trust.html").write_bytes(PREVIOUS)
    code, _, err = cli("build", NHS, "--format", "html,docx", "--out", out)
    assert code == 1, err
    assert "nhs-trust.docx: a folder is in the way of this output file; nothing was written" in err
    assert (out / "nhs-trust.html").read_bytes() == PREVIOUS
    assert outputs(out) == ["nhs-trust.docx", "nhs-trust.html"]
    assert "Traceback" not in err


def test_stale_partial_files_of_a_killed_build_are_removed_and_nothing_else(tmp_path, cli):
    out = tmp_path / "output"
    out.mkdir()
    stale = [out / ".nhs-trust.html.k3x_9abc.partial", out / ".other-profile.pdf.0123abcd.partial"]
    keep = [out / "notes.partial", out / ".nhs-trust.html.partial", out / "nhs-trust.html.abcdefgh.partial"]
    for path in stale + keep:
        path.write_bytes(b"half a file")
    (out / "linked").mkdir()
    (out / ".linked.html.abcdefgh.partial").symlink_to(out / "linked")
    code, _, err = cli("build", NHS, "--format", "html", "--out", out)
    assert code == 0, err
    assert not any(path.exists() for path in stale)
    assert all(path.read_bytes() == b"half a file" for path in keep)
    assert (out / ".linked.html.abcdefgh.partial").is_symlink() and (out / "linked").is_dir()


def test_a_killed_build_leaves_nothing_behind_after_the_next_build(tmp_path):
    out = tmp_path / "output"
    script = (
        "import os, signal, toolkit.output as o\n"
        "real = o._swap_in\n"
        "def die(staged):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "o._swap_in = die\n"
        "from toolkit.cli.app import main\n"
        "main()\n"
    )
    command = [sys.executable, "-c", script, "build", str(NHS), "--format", "html", "--out", str(out)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
    killed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert killed.returncode == -9
    left = outputs(out)
    assert left and all(name.endswith(".partial") for name in left), left
    again = subprocess.run(
        [sys.executable, "-m", "toolkit", "build", str(NHS), "--format", "html", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert outputs(out) == ["nhs-trust.html"]


def test_two_profiles_with_one_name_in_one_build_are_refused(tmp_path, cli):
    first = profile(tmp_path / "a", GOOD, "riverside.yaml")
    second = profile(tmp_path / "b", GOOD.replace("Testshire", "Otherplace"), "riverside.yaml")
    code, _, err = cli("build", first, second, "--format", "html", "--out", tmp_path / "out", "--profiles", PROFILES)
    assert code == 2
    assert "two profiles called `riverside`" in err and str(first) in err and str(second) in err
    assert not (tmp_path / "out").exists()


def test_the_same_profile_named_twice_is_built_once(tmp_path, cli):
    code, out, err = cli("build", NHS, NHS, "--format", "html", "--out", tmp_path / "out")
    assert code == 0, err
    assert out.count("built  nhs-trust") == 1


def test_the_output_lock_is_in_the_output_folder_and_a_held_lock_names_it(tmp_path, cli, monkeypatch):
    from filelock import FileLock

    from toolkit import output

    out = tmp_path / "output"
    out.mkdir()
    monkeypatch.setattr(output, "LOCK_TIMEOUT_SECONDS", 0.2)
    with FileLock(out / LOCK_NAME):
        code, _, err = cli("build", NHS, "--format", "html", "--out", out)
    assert code == 1 and f"{LOCK_NAME}:" in err and "lock" in err
    assert outputs(out) == []
    code, _, err = cli("build", NHS, "--format", "html", "--out", out)
    assert code == 0, err
    assert output.lock_file(out) == out / LOCK_NAME


def test_a_link_planted_as_the_lock_is_refused_clearly(tmp_path, cli):
    out = tmp_path / "output"
    out.mkdir()
    (out / LOCK_NAME).symlink_to(tmp_path / "elsewhere")
    code, _, err = cli("build", NHS, "--format", "html", "--out", out)
    assert code == 1 and LOCK_NAME in err and "Traceback" not in err
    assert not (tmp_path / "elsewhere").exists()


# -o: never replace a link or a special file ----------------------------------------------------------------------


def test_diff_output_onto_a_symlink_is_refused_and_the_link_kept(tmp_path, cli):
    target = tmp_path / "real.html"
    target.write_text("keep me")
    link = tmp_path / "report.html"
    link.symlink_to(target)
    code, _, err = cli("diff", NHS, "--format", "html", "-o", link)
    assert code == 1 and "a symbolic link is in the way" in err and "-o -" in err
    assert link.is_symlink() and target.read_text() == "keep me"


def test_diff_output_onto_a_pipe_is_refused_and_the_pipe_kept(tmp_path, cli):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    code, _, err = cli("diff", NHS, "--format", "html", "-o", pipe)
    assert code == 1 and "a device, pipe or socket is in the way" in err
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


def test_a_single_report_or_lock_file_leaves_no_lock_file_in_the_users_folder(tmp_path, cli):
    code, _, err = cli("diff", NHS, "--format", "html", "-o", tmp_path / "report.html")
    assert code == 0, err
    path = profile(tmp_path / "profiles", GOOD)
    code, _, err = cli("review", path, "--profiles", PROFILES)
    assert code == 0, err
    assert not (tmp_path / LOCK_NAME).exists() and not (tmp_path / "profiles" / LOCK_NAME).exists()


def test_dash_writes_a_report_to_standard_output(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("diff", NHS, "--format", "html", "-o", "-")
    assert code == 0, err
    assert out.startswith("<!DOCTYPE html>") and not (tmp_path / "-").exists()


def test_dash_writes_a_word_report_to_standard_output_as_bytes(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", "diff", str(NHS), "--format", "docx", "-o", "-"],
        cwd=tmp_path,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1764000000", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert Document(io.BytesIO(result.stdout)).paragraphs


# Lock files are untrusted too -------------------------------------------------------------------------------------


def reviewed(tmp_path, cli):
    path = profile(tmp_path / "profiles", GOOD)
    code, _, err = cli("review", path, "--profiles", PROFILES)
    assert code == 0, err
    return path, path.with_name("test-org.lock.yaml")


def run_check(path, limit_memory: bool = False) -> subprocess.CompletedProcess:
    """`check` in its own process, so a hang or a runaway read fails the test instead of the machine."""

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run(
        [sys.executable, "-m", "toolkit", "check", str(path), "--profiles", str(PROFILES)],
        cwd=ROOT,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1764000000"},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap if limit_memory else None,
    )


def test_a_lock_file_that_is_a_pipe_does_not_hang_check(tmp_path, cli):
    path, lock = reviewed(tmp_path, cli)
    lock.unlink()
    os.mkfifo(lock)
    result = run_check(path)
    assert result.returncode == 2, result.stderr
    assert "test-org.lock.yaml: is not a regular file" in result.stderr


def test_a_lock_file_linked_to_dev_zero_is_refused_without_reading_it(tmp_path, cli):
    path, lock = reviewed(tmp_path, cli)
    lock.unlink()
    lock.symlink_to("/dev/zero")
    result = run_check(path, limit_memory=True)
    assert result.returncode == 2, result.stderr
    assert "is not a regular file" in result.stderr


def test_a_huge_lock_file_is_refused(tmp_path, cli):
    path, lock = reviewed(tmp_path, cli)
    lock.write_text(lock.read_text() + "# " + "x" * (1024 * 1024) + "\n")
    code, _, err = cli("check", path, "--profiles", PROFILES)
    assert code == 2 and "the limit is 1,048,576" in err


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (("reviewed_on: ", "reviewed_on: 2026-13-45 #"), ["reviewed_on", "year-month-day"]),
        (("clauses:\n", "clauses:\n  made.up: [a, b]\n"), ["clauses.made.up", "key: value"]),
        (("core_version: ", "core_versoin: "), ["core_versoin", "unknown field"]),
    ],
    ids=["impossible-date", "list-for-sources", "misspelt-field"],
)
def test_a_broken_lock_file_names_the_file_line_and_field(tmp_path, cli, change, expect):
    path, lock = reviewed(tmp_path, cli)
    text = lock.read_text()
    assert change[0] in text
    lock.write_text(text.replace(change[0], change[1], 1))
    code, _, err = cli("check", path, "--profiles", PROFILES)
    assert code == 2, err
    assert "test-org.lock.yaml:" in err and "Traceback" not in err
    for fragment in expect:
        assert fragment in err, err


def test_a_lock_file_with_an_alias_is_refused(tmp_path, cli):
    path, lock = reviewed(tmp_path, cli)
    lock.write_text("core_version: &v 1.0.0\nprofile: *v\nclauses: {}\n")
    code, _, err = cli("check", path, "--profiles", PROFILES)
    assert code == 2 and "anchors" in err


# Names Word can hold; clear messages instead of internal errors -------------------------------------------------


def test_the_longest_names_validate_accepts_also_build(tmp_path, cli):
    long = "N" * 255
    path = profile(
        tmp_path / "profiles",
        f"extends: local-council\nname: {long}\nshort_name: {'S' * 255}\ndocument:\n  version: '{'1' * 255}'\n",
    )
    assert cli("validate", path, "--profiles", PROFILES)[0] == 0
    code, _, err = cli("build", path, "--format", "docx", "--out", tmp_path / "out", "--profiles", PROFILES)
    assert code == 0, err
    properties = Document(str(tmp_path / "out" / "test-org.docx")).core_properties
    assert properties.author == long and len(properties.title) == 255 and properties.title.endswith("…")


@pytest.mark.parametrize("epoch", ["5000000000", "9" * 30, "yesterday", "-1"])
def test_an_unusable_source_date_epoch_names_the_variable_and_the_range(tmp_path, cli, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    code, _, err = cli("build", NHS, "--format", "html", "--out", tmp_path / "out")
    assert code == 2 and "SOURCE_DATE_EPOCH" in err and "from 0 to 4354819199" in err and "Traceback" not in err


def test_the_last_date_a_docx_can_hold_builds(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4354819199")
    code, _, err = cli("build", NHS, "--format", "docx", "--out", tmp_path / "out")
    assert code == 0, err
    info = zipfile.ZipFile(tmp_path / "out" / "nhs-trust.docx").infolist()[0]
    assert info.date_time == (2107, 12, 31, 23, 59, 58)


def test_ctrl_c_says_the_outputs_are_unchanged(tmp_path, cli, monkeypatch):
    from toolkit import render

    out = tmp_path / "output"
    out.mkdir()
    (out / "nhs-trust.html").write_bytes(PREVIOUS)

    def interrupted(policy, name, options=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "render", interrupted)
    code, _, err = cli("build", NHS, "--format", "html", "--out", out)
    assert code == 130 and "Interrupted; outputs unchanged" in err and "Traceback" not in err
    assert (out / "nhs-trust.html").read_bytes() == PREVIOUS and outputs(out) == ["nhs-trust.html"]
