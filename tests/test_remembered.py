"""Results remembered between runs (`validate` verdicts, `diff` reports) are recalled while nothing they were made
from has changed, and worked out again as soon as anything has."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import PROFILES, record_calls
from toolkit.resolve import policy as resolver


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copytree(PROFILES, tmp_path / "profiles")
    return tmp_path / "profiles"


@pytest.fixture
def resolutions(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The profiles actually resolved (not recalled) during a test."""
    from toolkit.checks import validate

    return record_calls(monkeypatch, validate, "resolve_with_chain")


def validate(cli, profiles: Path, *names: str, today: str = "2026-12-01") -> tuple[int, str]:
    paths = [profiles / f"{name}.yaml" for name in names]
    code, out, err = cli("validate", *paths, "--profiles", profiles, "--today", today)
    return code, out + err


def test_a_second_run_recalls_the_same_output_without_resolving(cli, project, resolutions):
    first = validate(cli, project, "riverside-borough-council", "dyffryn-tawel-council")
    assert first[0] == 0 and len(resolutions) == 2
    second = validate(cli, project, "riverside-borough-council", "dyffryn-tawel-council")
    assert second == first and len(resolutions) == 2


@pytest.mark.parametrize(
    "change",
    [
        "profile",
        "parent in the folder",
        "new local copy of the sector",
        "logo",
        "translation",
    ],
)
def test_any_change_to_what_was_read_is_validated_again(cli, project, resolutions, change):
    name = "dyffryn-tawel-council" if change == "translation" else "riverside-borough-council"
    if change == "parent in the folder":
        name = "coastal-survey-agency"  # extends department-for-coastal-affairs, beside it
    assert validate(cli, project, name)[0] == 0 and len(resolutions) == 1
    if change == "profile":
        path = project / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    elif change == "parent in the folder":
        parent = project / "department-for-coastal-affairs.yaml"
        parent.write_text(parent.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    elif change == "new local copy of the sector":
        sector = Path(resolver.__file__).parent.parent / "sectors" / "local-council.yaml"
        text = sector.read_text(encoding="utf-8").replace("description:", "description: A local copy.", 1)
        (project / "local-council.yaml").write_text(text, encoding="utf-8")
    elif change == "logo":
        logo = next((project / "assets").glob("riverside-borough-council-logo.svg"))
        logo.write_text(logo.read_text(encoding="utf-8").replace("</svg>", "<!-- x --></svg>"), encoding="utf-8")
    elif change == "translation":
        po = project / "translations" / f"{name}.cy.po"
        po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert validate(cli, project, name)[0] == 0
    assert len(resolutions) == 2, f"a changed {change} was not noticed"


def test_another_day_is_judged_again(cli, project, resolutions):
    validate(cli, project, "riverside-borough-council", today="2026-12-01")
    validate(cli, project, "riverside-borough-council", today="2040-01-01")
    assert len(resolutions) == 2


def test_a_failure_is_never_remembered(cli, project, resolutions):
    broken = project / "broken-org.yaml"
    broken.write_text("extends: local-council\nname: Broken Council\nnation: atlantis\n", encoding="utf-8")
    first = validate(cli, project, "broken-org")
    assert first[0] == 2 and "nation" in first[1]
    assert validate(cli, project, "broken-org") == first
    assert len(resolutions) == 2


def test_a_corrupt_record_is_ignored(cli, project, resolutions, tmp_path):
    first = validate(cli, project, "riverside-borough-council")
    for record in (tmp_path / "cache" / "policy-toolkit" / "verdicts").glob("*.json"):
        record.write_text('{"version": 1, "inputs": {"files": [1]}, "warnings": "no"}', encoding="utf-8")
    assert validate(cli, project, "riverside-borough-council") == first
    assert len(resolutions) == 2


def test_a_recalled_warning_reads_as_it_did(cli, project, resolutions):
    path = project / "test-org.yaml"
    path.write_text(
        "extends: local-council\nname: Testshire Council\nterminology:\n  organisation: the the council\n",
        encoding="utf-8",
    )
    first = validate(cli, project, "test-org")
    assert first[0] == 0 and "warning:" in first[1]
    assert validate(cli, project, "test-org") == first and len(resolutions) == 1


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The profiles resolved (not recalled) by `diff` during a test."""
    return record_calls(monkeypatch, resolver, "resolve_with_chain")


@pytest.mark.parametrize("report", ["terminal", "json"])
def test_a_repeated_diff_prints_the_same_report_and_exit_code_without_resolving(cli, project, comparisons, report):
    profile = project / "greenvale-hospitals.yaml"
    first = cli("diff", profile, "--against", "nhs-trust", "-f", report, "--exit-code", "--profiles", project)
    assert first[0] == 1 and len(comparisons) == 2
    second = cli("diff", profile, "--against", "nhs-trust", "-f", report, "--exit-code", "--profiles", project)
    assert second == first and len(comparisons) == 2
    only_text = cli("diff", profile, "--against", "nhs-trust", "-f", report, "--profiles", project)
    assert only_text[0] == 0 and only_text[1] == first[1] and len(comparisons) == 2


def test_a_diff_is_worked_out_again_when_either_side_changes(cli, project, comparisons):
    profile = project / "greenvale-hospitals.yaml"
    first = cli("diff", profile, "--profiles", project)
    assert len(comparisons) == 1
    text = profile.read_text(encoding="utf-8").replace("name: Greenvale", "name: Greenvalley", 1)
    profile.write_text(text, encoding="utf-8")
    second = cli("diff", profile, "--profiles", project)
    assert len(comparisons) == 2 and second[1] != first[1] and "Greenvalley" in second[1]
    cli("diff", profile, "--against", "hollowbrook-mental-health", "--profiles", project)
    other = project / "hollowbrook-mental-health.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    cli("diff", profile, "--against", "hollowbrook-mental-health", "--profiles", project)
    assert len(comparisons) == 6


def test_a_report_written_to_a_file_is_made_afresh(cli, project, comparisons, tmp_path):
    profile = project / "greenvale-hospitals.yaml"
    for _ in range(2):
        assert cli("diff", profile, "-f", "html", "-o", tmp_path / "d.html", "--profiles", project)[0] == 0
    assert len(comparisons) == 2


def test_the_overview_resolves_only_the_profiles_that_changed(cli, project, comparisons):
    from toolkit.load.finding import all_profiles

    first = cli("diff", "--all", "--profiles", project, "--jobs", "1")
    resolved_first = len(comparisons)
    assert first[0] == 0 and set(comparisons) == set(all_profiles(project).values())
    assert cli("diff", "--all", "--profiles", project, "--jobs", "1") == first
    assert len(comparisons) == resolved_first
    profile = project / "riverside-borough-council.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("name: Riverside", "name: Riverbank", 1), "utf-8")
    third = cli("diff", "--all", "--profiles", project, "--jobs", "1")
    assert comparisons[resolved_first:] == [profile] and "Riverbank" in third[1]


def test_check_works_again_only_for_a_profile_whose_lock_or_files_changed(cli, project, comparisons, monkeypatch):
    from toolkit.checks import drift

    checked = record_calls(monkeypatch, drift, "check")
    first = cli("check", "--profiles", project, "--jobs", "1", "--today", "2026-12-01")
    profiles = len(checked)
    assert first[0] == 0 and profiles == len(first[1].splitlines()) - 1  # one line is a translation's state
    assert cli("check", "--profiles", project, "--jobs", "1", "--today", "2026-12-01") == first
    assert len(checked) == profiles
    lock = project / "greenvale-hospitals.lock.yaml"
    lock.unlink()
    third = cli("check", "--profiles", project, "--jobs", "1", "--today", "2026-12-01")
    assert third[0] == 1 and "never reviewed" in third[1]
    assert checked[-1] == project / "greenvale-hospitals.yaml"


def test_the_cache_folder_stays_bounded(tmp_path, monkeypatch):
    from toolkit import remembered
    from toolkit.inputs import Inputs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(remembered, "MAX_RECORDS", 10)
    remembered._prune_once.cache_clear()
    folder = tmp_path / "policy-toolkit" / "verdicts"
    folder.mkdir(parents=True)
    for number in range(30):
        (folder / f"old-{number:02d}.json").write_text("{}", encoding="utf-8")
    remembered.Remembered("verdicts", None, ()).remember((tmp_path / "a.yaml",), Inputs({}, {}), ["x"])
    assert len(list(folder.glob("*.json"))) == 10 // 2 + 1
    remembered._prune_once.cache_clear()


def test_list_shows_a_changed_or_new_profile(cli, project):
    first = cli("list", "--profiles", project)
    assert first[0] == 0 and cli("list", "--profiles", project) == first
    profile = project / "riverside-borough-council.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("description:", "description: Renamed.", 1), encoding="utf-8")
    assert "Renamed." in cli("list", "--profiles", project)[1]
    (project / "sub").mkdir()
    (project / "sub" / "newtown-council.yaml").write_text("extends: local-council\nname: Newtown\n", "utf-8")
    assert "newtown-council" in cli("list", "--profiles", project)[1]


def test_the_overview_and_build_carry_on_past_a_broken_profile(cli, project, tmp_path):
    (project / "broken-org.yaml").write_text("extends: local-council\nname: Broken\nnation: atlantis\n", "utf-8")
    code, out, err = cli("diff", "--all", "--profiles", project, "--jobs", "1")
    assert code == 2 and "riverside-borough-council" in out and "broken-org.yaml" in err
    assert "1 profile left out of the overview" in err
    out_dir = tmp_path / "out"
    cli("build", project / "riverside-borough-council.yaml", "-f", "html", "-o", out_dir, "--profiles", project)
    code, _, err = cli(
        "build",
        project / "riverside-borough-council.yaml",
        project / "broken-org.yaml",
        "-f",
        "html",
        "-o",
        out_dir,
        "--profiles",
        project,
    )
    assert code == 2 and "0 built, 1 up to date, 1 failed" in err
