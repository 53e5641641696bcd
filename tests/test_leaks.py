"""No words from another sector, kind of body or nation in a document, unless its own profile chose them.

Each sample and each bundled kind of body is resolved (and, for the kinds, also placed in England and in Wales);
its visible text must hold none of the words that belong only to others. Words in the profile's own settings
(its code of conduct, terms and contacts) were chosen by the profile and are allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import PROFILES, SECTORS
from toolkit.model import Policy, block_text, plain_text
from toolkit.resolve.policy import resolve_profile

# Words that belong to one sector's documents only.
SECTOR_WORDS = {
    "central_government": ["Civil Service", "civil servant", "minister", "Cabinet Office", "arm's-length"],
    "local_government": [
        "councillor",
        "council officer",
        "monitoring officer",
        "Nolan",
        "Local Government Act",
        "Local Authority Publicity",
    ],
    "nhs": ["patient", "NHS", "Caldicott", "Freedom to Speak Up", "ward", "clinical", "NMC", "GMC", "HCPC"],
    "fire_and_rescue": ["firefighter", "fire authority", "incident ground", "Core Code of Ethics", "next of kin"],
    "police": ["police officer", "police staff", "College of Policing", "crime commissioner", "Professional Behaviour"],
}
# Words that belong to one kind of body within its sector.
KIND_WORDS = {
    "foundation_trust": ["governor"],
    "parish_council": ["proper officer", "clerk"],
    "council": ["Social Work England", "restricted post"],
}
# Words that belong to one nation.
NATION_WORDS = {
    "england": ["Social Work England", "NHS Constitution for England", "Core Code of Ethics"],
    "wales": ["In Wales", "Welsh language standards", "Welsh language officer"],
}
# The one place every document may mention the Civil Service: where the guidance comes from.
HISTORY = "purpose.origins"


def _text(policy: Policy) -> str:
    lines = []
    for section in policy.visible_sections:
        for clause in section.visible_clauses:
            if clause.id != HISTORY:
                lines += [plain_text(clause.title), block_text(clause.blocks)]
    return "\n".join(lines)


def _chosen(policy: Policy) -> str:
    """Everything the profile itself supplies: words found here were its choice."""
    code = policy.code_of_conduct
    words = [code.name, *(f"{v.name} {v.meaning}" for v in code.values)]
    words += [f"{t.singular} {t.plural or ''}" for t in policy.terms.values()]
    words += [contact.name for contact in policy.contacts]
    words += [policy.organisation.name, policy.organisation.short_name]
    return "\n".join(words)


def _forbidden(policy: Policy) -> list[str]:
    organisation = policy.organisation
    words = [w for sector, found in SECTOR_WORDS.items() if sector != organisation.sector for w in found]
    words += [w for kind, found in KIND_WORDS.items() if kind != organisation.kind for w in found]
    words += [w for nation, found in NATION_WORDS.items() if nation != organisation.nation for w in found]
    own = {w for w in [*SECTOR_WORDS.get(organisation.sector, []), *KIND_WORDS.get(organisation.kind, [])]}
    return [w for w in words if w not in own]


def _leaks(policy: Policy) -> list[str]:
    text, chosen = _text(policy), _chosen(policy)
    found = []
    for word in _forbidden(policy):
        pattern = re.compile(rf"\b{re.escape(word)}", re.IGNORECASE)
        for line in text.splitlines():
            if pattern.search(line) and not pattern.search(chosen):
                found.append(f"{word!r} in: {line[:120]}")
    return found


SAMPLES = sorted(p for p in PROFILES.glob("*.yaml") if not p.name.endswith(".lock.yaml"))
KINDS = sorted(p for p in SECTORS.glob("*.yaml") if not p.name.endswith(".lock.yaml"))


@pytest.mark.parametrize("path", SAMPLES + KINDS, ids=lambda p: p.stem)
def test_no_words_from_other_sectors_kinds_or_nations(path: Path) -> None:
    assert _leaks(resolve_profile(path, PROFILES)) == []


@pytest.mark.parametrize("nation", ["england", "wales"])
@pytest.mark.parametrize("path", KINDS, ids=lambda p: p.stem)
def test_each_kind_of_body_in_each_nation(path: Path, nation: str, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    profile = profiles / "placed.yaml"
    profile.write_text(f"extends: {path.stem}\nname: A Fictional Body\nnation: {nation}\n", encoding="utf-8")
    assert _leaks(resolve_profile(profile, profiles)) == []


def test_the_leak_check_finds_a_leak(sample_policy) -> None:
    """The check is not vacuous: a council's words in an NHS document are found."""
    policy = sample_policy("greenvale-hospitals")
    council = sample_policy("riverside-borough-council")
    mixed = policy.model_copy(update={"sections": [*policy.sections, *council.sections]})
    assert any("councillor" in leak for leak in _leaks(mixed))


def test_service_users_sample_says_service_users(sample_policy) -> None:
    policy = sample_policy("hollowbrook-mental-health")
    text = _text(policy)
    assert "service user" in text
    assert "patient" not in text.lower().replace("working together for patients", "")
