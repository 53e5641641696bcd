"""The command line: every command end to end, its help, and its exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from toolkit.model import Policy

from .conftest import PROFILES, ROOT, SECTORS

COMMANDS = ["build", "list", "validate", "show", "diff", "review", "check"]
RIVERSIDE = PROFILES / "riverside-borough-council.yaml"


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_at_every_level(cli, command):
    code, out, _ = cli(*command, "--help")
    assert code == 0 and "Usage: policy-toolkit" in out
    if not command:
        assert all(name in out for name in COMMANDS)


def test_python_dash_m_and_version():
    result = subprocess.run([sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.startswith("policy-toolkit 0.1.0 (core guidance 2.0.0)")


def test_list_shows_inheritance_as_a_tree(cli):
    code, out, _ = cli("list", "--profiles", PROFILES)
    assert code == 0
    assert "\n  department-for-coastal-affairs " in out and "\n    coastal-survey-agency " in out


def test_list_clauses(cli):
    code, out, _ = cli("list", "--clauses")
    assert code == 0 and "principles.credible" in out and "only for nhs" in out and "optional" in out


def test_validate_passes_every_sample(cli):
    code, out, err = cli("validate", "--profiles", PROFILES)
    assert code == 0, err
    samples = [p for p in [*PROFILES.rglob("*.yaml"), *SECTORS.glob("*.yaml")] if not p.name.endswith(".lock.yaml")]
    assert out.count("ok ") == len(samples)


def test_build_writes_the_three_formats(cli, tmp_path):
    code, out, err = cli("build", RIVERSIDE, "--out", tmp_path)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "riverside-borough-council.docx",
        "riverside-borough-council.html",
        "riverside-borough-council.pdf",
    ]
    assert "built  riverside-borough-council" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build"], "name a profile file to build, or use --all"),
        (["build", "--all", RIVERSIDE], "not both"),
        (["build", RIVERSIDE, "--format", "odt"], "unknown format `odt`; choose from docx, html, pdf"),
        (["build", "profiles/nowhere.yaml"], "no such file"),
        (["diff"], "name a profile to compare, or use --all"),
        (["diff", RIVERSIDE, "--format", "pdf"], "unknown report format `pdf`"),
        (["diff", "--all", "--format", "json"], "available as terminal or html"),
    ],
)
def test_user_mistakes_exit_2_with_a_message(cli, args, message):
    code, _, err = cli(*args)
    assert code == 2 and message in err and "Traceback" not in err


def test_unknown_option_is_a_usage_error(cli):
    code, _, err = cli("build", "--colour")
    assert code == 2 and "No such option" in err


def test_show_prints_the_resolved_model(cli):
    code, out, _ = cli("show", RIVERSIDE)
    assert code == 0
    policy = Policy.model_validate(json.loads(out))
    assert policy.organisation.name == "Riverside Borough Council"


def test_diff_exit_code_reports_differences(cli):
    assert cli("diff", RIVERSIDE)[0] == 0
    assert cli("diff", RIVERSIDE, "--exit-code")[0] == 1
    assert cli("diff", RIVERSIDE, "--against", RIVERSIDE, "--exit-code")[0] == 0


def test_a_name_and_contacts_only_profile_passes_fail_on_text(cli, tmp_path):
    """Names and contacts are details, not clause text: `--fail-on text` passes, `--exit-code` still fails."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = folder / "fernbrook.yaml"
    profile.write_text(
        "extends: local-council\nname: Fernbrook Council\ncontacts:\n  press:\n    name: Fernbrook press desk\n"
        "  hr:\n    name: Fernbrook people team\n",
        encoding="utf-8",
    )
    against = ("diff", profile, "--against", "local-council", "--profiles", folder)
    assert cli(*against, "--fail-on", "text")[0] == 0
    assert cli(*against, "--exit-code")[0] == 1
    replaced = profile.read_text(encoding="utf-8") + "clauses:\n  - replace: code.public\n    text: Be careful.\n"
    profile.write_text(replaced + "    reason: Shorter.\n", encoding="utf-8")
    assert cli(*against, "--fail-on", "text")[0] == 1
    assert cli(*against, "--fail-on", "words")[0] == 2


def test_diff_formats(cli, tmp_path):
    code, out, _ = cli("diff", RIVERSIDE, "--format", "json")
    assert code == 0 and json.loads(out)["new"]["profile"] == "riverside-borough-council"
    for report in ("html", "docx"):
        target = tmp_path / f"report.{report}"
        code, out, _ = cli("diff", RIVERSIDE, "--format", report, "--out", target)
        assert code == 0 and target.stat().st_size > 1000 and f"wrote {target}" in out


def test_diff_all_matrix(cli, tmp_path):
    code, out, _ = cli("diff", "--all", "--profiles", PROFILES)
    assert code == 0 and "official.riverside-approval" in out and "riverside-borough-council" in out
    code, _, _ = cli("diff", "--all", "--format", "html", "--out", tmp_path / "matrix.html", "--profiles", PROFILES)
    assert code == 0 and "<table" in (tmp_path / "matrix.html").read_text(encoding="utf-8")


def test_review_then_check(cli, tmp_path):
    profile = tmp_path / "test-org.yaml"
    profile.write_text("extends: local-council\nname: Testshire Council\n", encoding="utf-8")
    code, out, _ = cli("check", profile, "--profiles", PROFILES)
    assert code == 1 and "REVIEW test-org" in out and "never reviewed" in out
    code, out, _ = cli("review", profile, "--profiles", PROFILES)
    assert code == 0 and (tmp_path / "test-org.lock.yaml").exists()
    code, out, _ = cli("check", profile, "--profiles", PROFILES)
    assert code == 0 and out.startswith("ok")


def test_sample_profiles_are_reviewed_against_the_current_core(cli):
    """The lock files committed with the samples: CI fails when the core changes and nobody reviewed."""
    code, out, _ = cli("check", "--profiles", PROFILES)
    assert code == 0, out


def test_validate_warns_about_likely_mistakes_without_failing(cli, tmp_path):
    profile = tmp_path / "test-directorate.yaml"
    profile.write_text(
        "extends: riverside-borough-council\nname: Harbourside Planning\n"
        "contacts:\n  hr: {name: The People team, email: null}\n"
        "clauses:\n  - replace: official.riverside-approval\n    text: Ask the {contact.hr}.\n",
        encoding="utf-8",
    )
    code, out, _ = cli("validate", profile, "--profiles", PROFILES)
    assert code == 0 and "4 warnings" in out
    assert "inherited from riverside-borough-council" in out
    assert "clauses #1 (replace: official.riverside-approval), reason: has no `reason:`" in out
    assert "“the the People" in out
    assert "contacts.hr: gives no email, phone or web page" in out


def test_show_one_clause_as_the_profile_has_it(cli):
    code, out, _ = cli("show", PROFILES / "greenvale-hospitals.yaml", "--clause", "confidentiality.investigations")
    assert code == 0
    assert out.startswith("confidentiality.investigations: Looking into people online")
    assert "removed by greenvale-hospitals: The trust does not carry out online investigations" in out
    code, _, err = cli("show", PROFILES / "greenvale-hospitals.yaml", "--clause", "principles.credibel")
    assert code == 2 and "did you mean `principles.credible`?" in err


def test_show_a_clause_the_profile_does_not_include_says_how_to_include_it(cli):
    code, _, err = cli("show", RIVERSIDE, "--clause", "official.emergencies")
    assert code == 2
    assert "clause `official.emergencies` is optional, and this profile does not include it" in err
    assert "`- include: official.emergencies` with a `reason:`" in err
    code, _, err = cli("show", RIVERSIDE, "--clause", "purpose.governors")
    assert code == 2 and "is not part of this policy (in the core: only for nhs" in err and "- include:" in err
    code, _, err = cli("show", RIVERSIDE, "--clause", "purpose.govrnors")
    assert code == 2 and "did you mean `purpose.governors`?" in err


def test_list_clauses_shows_sections_and_titles_in_the_cores_words(cli):
    code, out, _ = cli("list", "--clauses")
    assert code == 0
    assert "[section] principles" in out and "The five principles" in out
    assert "principles.public-servant" in out and "Be a civil servant" in out


def test_validate_warns_when_a_document_takes_effect_before_approval(cli, tmp_path):
    profile = tmp_path / "test-unit.yaml"
    profile.write_text(
        "extends: department-for-coastal-affairs\nname: Test Unit\n"
        "document:\n  approved_on: 2026-11-20\n  review_by: 2027-11-20\n  effective_from: 2026-10-01\n",
        encoding="utf-8",
    )
    code, out, _ = cli("validate", profile, "--profiles", PROFILES, "--today", "2026-12-01")
    assert code == 0 and "takes effect (2026-10-01) before it was approved (2026-11-20)" in out


def test_approval_is_one_unit(cli, tmp_path, sample_policy):
    """A unit's own approval does not print its parent's effective date; the fields it still inherits are named."""
    profile = tmp_path / "test-unit.yaml"
    profile.write_text(
        "extends: department-for-coastal-affairs\nname: Test Unit\n"
        "document:\n  approved_on: 2026-11-20\n  review_by: 2027-11-20\n",
        encoding="utf-8",
    )
    code, out, _ = cli("validate", profile, "--profiles", PROFILES, "--today", "2026-12-01")
    assert code == 0
    assert "test-unit.yaml:3:1: document: sets part of its approval and inherits the rest" in out
    assert "`version`, `approved_by`" in out and "takes effect" not in out
    assert sample_policy("department-for-coastal-affairs").document.effective_from is not None
    assert sample_policy("central-government").document.approved_on is None


def test_review_dates_warn_in_validate_and_fail_check(cli, tmp_path):
    profile = tmp_path / "test-unit.yaml"
    profile.write_text(
        "extends: riverside-borough-council\nname: Test Unit\n"
        "document:\n  version: '1'\n  approved_by: Board\n  approved_on: 2026-01-01\n"
        "  effective_from: 2027-06-01\n  review_by: 2027-01-01\n",
        encoding="utf-8",
    )
    code, out, _ = cli("validate", profile, "--profiles", PROFILES, "--today", "2027-02-01")
    assert code == 0
    assert "test-unit.yaml:8:14: document.review_by: the review date (1 January 2027) has passed" in out
    assert "document.effective_from: takes effect (1 June 2027) after its review date (1 January 2027)" in out
    code, out, _ = cli("check", PROFILES / "riverside-borough-council.yaml", "--today", "2027-12-01")
    assert code == 1 and "overdue    the review date (14 October 2027) has passed" in out
    code, out, _ = cli("check", PROFILES / "riverside-borough-council.yaml", "--today", "2026-12-01")
    assert code == 0 and "overdue" not in out
    code, _, err = cli("check", "--today", "1 Dec")
    assert code == 2 and "--today" in err


def test_validate_warns_about_teams_and_roles(cli, tmp_path):
    """A role the text sends readers to with no contact; a name that repeats its role; one team, two addresses."""
    profile = tmp_path / "test-council.yaml"
    profile.write_text(
        "extends: dyffryn-tawel-council\nname: Test Council\n"
        "contacts:\n  welsh_language: null\n  data_protection: {name: Data protection officer}\n"
        "  press: {name: the press team, email: press@dyffryntawel.example}\n"
        "  social_media: {name: the press team, email: other@dyffryntawel.example}\n",
        encoding="utf-8",
    )
    code, out, _ = cli("validate", profile, "--profiles", PROFILES, "--today", "2026-12-01")
    assert code == 0
    assert "contacts.welsh_language: the guidance sends readers to “the Welsh language officer” (clause" in out
    assert "`official.welsh`" in out
    assert "test-council.yaml:5:27: contacts.data_protection.name: the name “Data protection officer” repeats" in out
    assert "one team, two addresses" in out


def test_the_library_api_other_programs_call():
    import toolkit

    policy = toolkit.resolve_profile(RIVERSIDE, PROFILES)
    assert toolkit.render_policy(policy, "html").startswith(b"<!DOCTYPE html>")
    assert toolkit.compare_with_core(policy).summary.added == 1
    assert set(toolkit.__all__) >= {"resolve_profile", "render_policy", "compare", "check", "review", "ToolkitError"}
    assert all(getattr(toolkit, name) for name in toolkit.__all__)


def test_show_numbers_the_items_of_a_numbered_list(cli):
    code, out, _ = cli("show", RIVERSIDE, "--clause", "security.compromised")
    assert code == 0
    numbers = [line.split(" ", 1)[0] for line in out.splitlines() if line[:1].isdigit()]
    assert numbers == ["1.", "2.", "3.", "4.", "5."]


def test_validate_warns_about_the_extended_bodys_words_after_a_rename(cli, tmp_path):
    """A body outside every bundled kind tailors the nearest one; what still speaks of that kind is pointed out."""
    profile = tmp_path / "northmoor-national-park-authority.yaml"
    profile.write_text(
        "extends: local-council\nname: Northmoor National Park Authority\n"
        "terminology:\n  organisation: the Authority\n  staff: {singular: member of staff, plural: staff}\n",
        encoding="utf-8",
    )
    code, out, _ = cli("validate", profile, "--profiles", PROFILES)
    assert code == 0
    assert "terminology.code: `terminology.code` still reads “the council's employee code of conduct”" in out
    assert "terminology.staff" not in out  # set by the profile itself
    clauses = next(line for line in out.splitlines() if "still speak of a council" in line)
    assert "politics.restricted-posts" in clauses and "exclude:" in clauses


def test_clauses_the_profile_reworded_do_not_count_as_still_speaking_of_the_body(cli, tmp_path):
    """Its own words may name councils on purpose (its members are nominated by them); only the core's count."""
    profile = tmp_path / "northmoor-national-park-authority.yaml"
    profile.write_text(
        "# Northmoor\nextends: local-council\nname: Northmoor National Park Authority\n"
        "terminology:\n  organisation: the Authority\n  code: the Authority's code\n"
        "clauses:\n  - replace: politics.restricted-posts\n"
        "    text: Some members are nominated by the councils in the Park.\n    reason: Our own rules.\n",
        encoding="utf-8",
    )
    code, out, _ = cli("validate", profile, "--profiles", PROFILES)
    assert code == 0
    clauses = next(line for line in out.splitlines() if "still speak of a council" in line)
    assert "northmoor-national-park-authority.yaml:7:" in clauses  # the `clauses:` line
    assert "politics.restricted-posts" not in clauses and "politics.council-publicity" in clauses
    unit = tmp_path / "northmoor-rangers.yaml"
    unit.write_text("extends: northmoor-national-park-authority\nname: Northmoor Rangers\n", encoding="utf-8")
    code, out, _ = cli("validate", unit, "--profiles", PROFILES)
    clauses = next(line for line in out.splitlines() if "still speak of a council" in line)
    assert "northmoor-rangers.yaml:1:" in clauses  # no `clauses:` of its own: the `extends:` line
    assert "politics.restricted-posts" not in clauses  # reworded by its organisation


def test_validate_warns_about_a_change_the_appendix_lists_without_a_reason(cli, tmp_path):
    profile = tmp_path / "test-council.yaml"
    profile.write_text(
        "extends: local-council\nname: Testshire Council\nclauses:\n"
        "  - add: official.test-extra\n    after: official.posting\n    text: Extra.\n"
        "  - include: official.emergencies\n    reason: We post in emergencies.\n"
        "  - move: principles.responsive\n    before: principles.credible\n",
        encoding="utf-8",
    )
    code, out, _ = cli("validate", profile, "--profiles", PROFILES)
    assert code == 0
    unexplained = [line for line in out.splitlines() if "No reason recorded" in line]
    assert len(unexplained) == 2
    assert "test-council.yaml:4:5: clauses #1 (add: official.test-extra), reason: has no `reason:`" in unexplained[0]
    assert "test-council.yaml:9:5: clauses #3 (move: principles.responsive), reason:" in unexplained[1]


def test_a_missing_parent_is_never_suggested_as_the_profile_itself(cli, tmp_path):
    (tmp_path / "northfell-icb-primary-care.yaml").write_text("extends: northfell-icb\nname: Primary Care\n", "utf-8")
    code, _, err = cli("validate", tmp_path / "northfell-icb-primary-care.yaml", "--profiles", tmp_path)
    assert code == 2 and "no profile of that name" in err and "did you mean `northfell-icb-primary-care`" not in err


def test_the_everyday_word_is_not_taken_for_the_kind_of_body(cli, tmp_path):
    """“Being open builds trust” does not speak of an NHS trust: no clause is pointed at for that."""
    profile = tmp_path / "northfell-icb.yaml"
    profile.write_text(
        "extends: nhs-trust\nname: Northfell Integrated Care Board\nterminology:\n  organisation: the ICB\n", "utf-8"
    )
    code, out, _ = cli("validate", profile, "--profiles", tmp_path)
    assert code == 0 and "terminology.leadership" in out  # "the trust board" is still pointed out
    assert "principles.credible" not in out and "code.identity" not in out


def test_a_lock_file_given_as_a_profile_is_named_for_what_it_is(cli):
    code, _, err = cli("validate", PROFILES / "riverside-borough-council.lock.yaml", "--profiles", PROFILES)
    assert code == 2 and "is a lock file that `review` writes beside a profile, not a profile" in err
    assert "unknown field" not in err
