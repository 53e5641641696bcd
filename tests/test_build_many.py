"""Parallel, incremental and sharded builds: the same files whatever the number of workers, only changed outputs
rebuilt, a broken cache never trusted, and CI shards that cover every profile exactly once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import PROFILES, ROOT
from toolkit.load.finding import all_profiles
from toolkit.render.build import shard

CORE = ROOT / "toolkit" / "templates" / "core"
SAMPLE = PROFILES / "riverside-borough-council.yaml"


def outputs(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("[!.]*"))}


def test_two_workers_write_the_same_files_and_lines_as_one(cli, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    code1, out1, _ = cli("build", "--all", "-f", "html,docx", "-o", one, "--jobs", "1")
    code2, out2, _ = cli("build", "--all", "-f", "html,docx", "-o", two, "--jobs", "2")
    assert code1 == code2 == 0
    assert outputs(one) == outputs(two)
    languages = 1 + 1  # the Welsh sample council publishes in two languages: one more file per format
    assert len(outputs(one)) == 2 * (len(all_profiles(PROFILES)) + languages - 1)

    def names(printed: str) -> list[str]:
        return [line.split(":")[0] for line in printed.splitlines() if line.startswith("built")]

    assert names(out1) == names(out2)


def test_an_unchanged_profile_is_not_rebuilt_and_force_rebuilds_it(cli, tmp_path):
    assert cli("build", SAMPLE, "-f", "html,docx", "-o", tmp_path)[0] == 0
    before = {path.name: path.stat().st_mtime_ns for path in tmp_path.glob("[!.]*")}
    code, out, _ = cli("build", SAMPLE, "-f", "html,docx", "-o", tmp_path)
    assert code == 0 and out.startswith("up to date riverside-borough-council")
    assert {path.name: path.stat().st_mtime_ns for path in tmp_path.glob("[!.]*")} == before
    code, out, _ = cli("build", SAMPLE, "-f", "html,docx", "-o", tmp_path, "--force")
    assert code == 0 and "riverside-borough-council.html, riverside-borough-council.docx" in out


def test_an_output_edited_or_deleted_by_hand_is_rebuilt(cli, tmp_path):
    assert cli("build", SAMPLE, "-f", "html,docx", "-o", tmp_path)[0] == 0
    original = outputs(tmp_path)
    (tmp_path / "riverside-borough-council.html").write_text("edited", encoding="utf-8")
    (tmp_path / "riverside-borough-council.docx").unlink()
    code, out, _ = cli("build", SAMPLE, "-f", "html,docx", "-o", tmp_path)
    assert code == 0 and "riverside-borough-council.html, riverside-borough-council.docx" in out
    assert outputs(tmp_path) == original


def test_a_corrupt_cache_is_ignored_with_a_warning(cli, tmp_path):
    assert cli("build", SAMPLE, "-f", "html", "-o", tmp_path)[0] == 0
    record = tmp_path / ".build-cache" / "riverside-borough-council.json"
    assert json.loads(record.read_text())["outputs"]["riverside-borough-council.html"]["key"]
    record.write_text('{"version": 1, "outputs": {"riverside-borough-council.html": [', encoding="utf-8")
    code, out, _ = cli("build", SAMPLE, "-f", "html", "-o", tmp_path)
    assert code == 0
    assert "built  riverside-borough-council: riverside-borough-council.html" in out
    assert "warning: ignored the unreadable build cache" in out
    assert json.loads(record.read_text())["version"] == 1  # replaced by a good record


def test_a_changed_option_or_engine_rebuilds(cli, tmp_path, monkeypatch):
    assert cli("build", SAMPLE, "-f", "html", "-o", tmp_path)[0] == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    code, out, _ = cli("build", SAMPLE, "-f", "html", "-o", tmp_path)
    assert code == 0 and out.startswith("built")


def test_one_core_clause_changed_rebuilds_only_the_documents_that_contain_it(cli, tmp_path):
    core = tmp_path / "core"
    shutil.copytree(CORE, core)
    out = tmp_path / "out"
    assert cli("--core", core, "build", "--all", "-f", "html", "-o", out)[0] == 0
    section = core / "sections" / "08-confidentiality.md.j2"
    section.write_text(
        section.read_text(encoding="utf-8").replace(
            "You owe every {{ term.person_served }} a duty", "You owe each {{ term.person_served }} a duty"
        ),
        encoding="utf-8",
    )
    code, printed, _ = cli("--core", core, "build", "--all", "-f", "html", "-o", out)
    assert code == 0
    rebuilt = sorted(line.split()[1].rstrip(":") for line in printed.splitlines() if line.startswith("built"))
    # the NHS documents; the rest are up to date
    assert rebuilt == ["greenvale-hospitals", "hollowbrook-mental-health", "nhs-foundation-trust", "nhs-trust"]
    assert "You owe each patient" in (out / "nhs-trust.html").read_text(encoding="utf-8")


def test_shards_cover_every_profile_once_and_do_not_depend_on_order():
    paths = list(all_profiles(PROFILES).values())
    parts = [shard(paths, index, 3) for index in (1, 2, 3)]
    assert sorted(p for part in parts for p in part) == sorted(paths)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert shard(list(reversed(paths)), 2, 3) == parts[1]


def test_a_bad_shard_is_a_usage_error(cli):
    code, _, err = cli("build", "--all", "--shard", "4/3")
    assert code == 2 and "--shard" in err and "1 ≤ i ≤ n" in err
    code, _, err = cli("build", "--all", "--shard", "half")
    assert code == 2 and "not a shard" in err


def test_a_shard_builds_its_part_only(cli, tmp_path):
    code, _, _ = cli("build", "--all", "-f", "html", "-o", tmp_path, "--shard", "2/4", "--jobs", "1")
    assert code == 0
    expected = [path.stem for path in shard(list(all_profiles(PROFILES).values()), 2, 4)]
    assert sorted(path.stem for path in tmp_path.glob("*.html")) == sorted(expected)


def test_a_broken_profile_among_many_fails_alone_with_two_workers(cli, tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "alpha-council.yaml").write_text("extends: local-council\nname: Alpha Council\n", encoding="utf-8")
    (profiles / "beta-council.yaml").write_text("extends: local-council\nname: [Beta\n", encoding="utf-8")
    (profiles / "gamma-council.yaml").write_text("extends: local-council\nname: Gamma Council\n", encoding="utf-8")
    out = tmp_path / "out"
    code, printed, err = cli("build", "--all", "-f", "html", "-o", out, "--profiles", profiles, "--jobs", "2")
    assert code == 2
    assert "beta-council.yaml" in err and "failed" in err
    assert (out / "alpha-council.html").exists() and (out / "gamma-council.html").exists()
    assert not (out / "beta-council.html").exists()
    built = [line.split()[1].rstrip(":") for line in printed.splitlines() if line.startswith("built")]
    assert built.index("alpha-council") < built.index("gamma-council")
