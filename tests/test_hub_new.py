"""`new` and `schema`: a starting profile that builds at once, and field descriptions that cannot drift."""

from __future__ import annotations

import json
import re

from ruamel.yaml import YAML

from toolkit.load.schema import ProfileFile, field_table
from toolkit.resolve.policy import resolve_profile

from .conftest import ROOT


def test_new_writes_a_commented_profile_that_validates_and_builds(cli, tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    code, _, err = cli("new", "Millbrook District Council", "--extends", "local-council", "--profiles", str(profiles))
    assert code == 0, err
    path = profiles / "millbrook-district-council.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=profile.schema.json\n")
    assert json.loads((profiles / "profile.schema.json").read_text())["title"] == "policy-toolkit profile"
    assert sorted(entry.name for entry in profiles.iterdir()) == [
        "millbrook-district-council.yaml",
        "profile.schema.json",
    ]
    for field in ProfileFile.model_fields:  # every field is either set or explained in a comment
        assert re.search(rf"^(# )?{field}:", text, re.MULTILINE), field
    assert cli("validate", str(path), "--profiles", str(profiles))[0] == 0
    code, _, err = cli("build", str(path), "-f", "html", "--out", str(tmp_path / "out"), "--profiles", str(profiles))
    assert code == 0, err
    assert "Millbrook District Council" in (tmp_path / "out" / "millbrook-district-council.html").read_text()


def test_new_refuses_to_overwrite_and_suggests_a_parent(cli, tmp_path):
    args = ("--profiles", str(tmp_path))
    assert cli("new", "Millbrook District Council", "--extends", "local-council", *args)[0] == 0
    before = (tmp_path / "millbrook-district-council.yaml").read_bytes()
    again = cli("new", "Millbrook District Council", "--extends", "nhs-trust", *args)
    assert again[0] == 2 and "already exists" in again[2]
    assert (tmp_path / "millbrook-district-council.yaml").read_bytes() == before
    wrong = cli("new", "Other Council", "--extends", "local-councl", *args)
    assert wrong[0] == 2 and "did you mean `local-council`" in wrong[2]


def test_the_commented_examples_are_valid_profile_fields(cli, tmp_path):
    """Uncommenting an example gives a field the models accept (files it names aside)."""
    cli("new", "Millbrook District Council", "--extends", "local-council", "--profiles", str(tmp_path))
    text = (tmp_path / "millbrook-district-council.yaml").read_text(encoding="utf-8")
    uncommented = "\n".join(line[2:] if re.match(r"# ([a-z_]+:|  |- )", line) else line for line in text.splitlines())
    data = YAML(typ="safe").load(uncommented)
    spec = ProfileFile.model_validate(data)
    assert spec.branding.logo and spec.document.owner and spec.clauses


def test_schema_has_descriptions_and_examples(cli, tmp_path):
    target = tmp_path / "profile.schema.json"
    assert cli("schema", "--out", str(target))[0] == 0
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    for name, field in schema["properties"].items():
        assert field.get("description"), name
    assert schema["properties"]["extends"]["examples"] == ["local-council"]
    assert "primary_colour" in schema["$defs"]["BrandingSpec"]["properties"]


def test_the_readme_field_table_is_generated_from_the_models():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- profile-fields:[^>]*-->\n(.*?)<!-- /profile-fields -->", readme, re.DOTALL)
    assert match, "the README's profile field table is missing its markers"
    assert match.group(1) == field_table()


def test_a_profile_made_by_new_names_its_organisation(cli, tmp_path):
    cli("new", "Millbrook District Council", "--extends", "local-council", "--profiles", str(tmp_path))
    policy = resolve_profile(tmp_path / "millbrook-district-council.yaml", tmp_path)
    assert policy.organisation.name == "Millbrook District Council"
    assert policy.chain == ["local-council", "millbrook-district-council"]


def test_new_shows_the_parents_kind_and_the_command_as_it_was_run(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_TOOLKIT_RUN_AS", "./policy-toolkit")
    code, out, _ = cli("new", "Millbrook District Council", "--extends", "local-council", "--profiles", str(tmp_path))
    assert code == 0 and f"next:  ./policy-toolkit validate {tmp_path}/millbrook-district-council.yaml" in out
    text = (tmp_path / "millbrook-district-council.yaml").read_text(encoding="utf-8")
    assert "# kind: council\n" in text and "foundation_trust\n" not in text
    cli("new", "Ashby Hospitals", "--extends", "nhs-foundation-trust", "--profiles", str(tmp_path))
    assert "# kind: foundation_trust\n" in (tmp_path / "ashby-hospitals.yaml").read_text(encoding="utf-8")
    monkeypatch.delenv("POLICY_TOOLKIT_RUN_AS")
    code, out, _ = cli("new", "Ashby Estates", "--extends", "ashby-hospitals", "--profiles", str(tmp_path))
    assert code == 0 and "next:  policy-toolkit validate" in out
    assert "# kind: foundation_trust\n" in (tmp_path / "ashby-estates.yaml").read_text(encoding="utf-8")


def test_site_never_replaces_a_folder_it_did_not_make(cli, tmp_path):
    """`build --out site/` then `site` must not wipe the built documents: an export replaces only an export."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "riverside-borough-council.pdf").write_bytes(b"%PDF- built earlier")
    code, _, err = cli("site", "--out", out, "--profiles", ROOT / "profiles")
    assert code == 2
    assert "did not make" in err and "--out" in err
    assert (out / "riverside-borough-council.pdf").read_bytes() == b"%PDF- built earlier"
