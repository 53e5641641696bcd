"""Facts each sector's guidance must state, pinned: names of codes, Acts and years (from the content brief and the
domain facts). A rewrite that drops or changes one fails here, and someone checks the source before changing it."""

from __future__ import annotations

import pytest

from toolkit.model import Policy, block_text, plain_text

from .conftest import _resolved

EVERY_SECTOR = [
    "Principles for participation online",
    "June 2008",
    "UK GDPR and the Data Protection Act 2018",
    "Freedom of Information Act 2000",
    "section 77",
    "Equality Act 2010",
    "Public Sector Bodies Accessibility Regulations 2018",
    "Protection from Harassment Act 1997",
    "Online Safety Act 2023",
    "within 72 hours",
]
BY_SECTOR = {
    "central_government": [
        "Civil Service Code",
        "Constitutional Reform and Governance Act 2010",
        "integrity, honesty, objectivity and impartiality",
        "ministerial authorisation",
        "Civil Service Commission",
        "Civil Service Management Code",
        "guidance on generative AI for civil servants in June 2023",
        "Generative AI Framework for HMG followed in January 2024",
    ],
    "local_government": [
        "Seven Principles of Public Life",
        "Local Government and Housing Act 1989",
        "Section 2 of the Local Government Act 1986",
        "Social Work England",
        "Councillors are elected members, not employees",
    ],
    "nhs": [
        "NHS Constitution for England",
        "eight Caldicott principles",
        "Caldicott Guardian",
        "Guidance on using social media responsibly",
        "Using social media as a medical professional",
        "HCPC's Guidance on social media",
        "Freedom to Speak Up guardian",
        "Records Management Code of Practice",
        "NHS England publishes pre-election guidance",
    ],
}
BY_PROFILE = {
    "riverside-borough-council": ["Code of Recommended Practice on Local Authority Publicity"],
    "local-council": ["Code of Recommended Practice on Local Authority Publicity"],
    "dyffryn-tawel-council": [
        "Section 2 of the Local Government Act 1986 applies in Wales",
        "Code of Conduct (Qualifying Local Government Employees) (Wales) Order 2001",
        "Welsh language standards",
    ],
}
NEVER = {
    # An NHS trust has a board and no governors; only foundation trusts have them (an optional clause).
    "nhs": ["governor"],
    # Cabinet Office guidance (June 2023) came before the framework.
    "central_government": ["began with the Generative AI Framework"],
}
SAMPLES = [
    "central-government",
    "department-for-coastal-affairs",
    "coastal-survey-agency",
    "local-council",
    "riverside-borough-council",
    "dyffryn-tawel-council",
    "nhs-trust",
    "greenvale-hospitals",
]


def guidance_text(policy: Policy) -> str:
    """Every word a reader sees in the sections, in one string with single spaces."""
    parts = []
    for section in policy.visible_sections:
        parts.append(plain_text(section.title))
        for clause in section.visible_clauses:
            parts += [plain_text(clause.title), block_text(clause.blocks)]
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("name", SAMPLES)
def test_the_guidance_states_its_sectors_facts(name):
    policy = _resolved(name)
    text = guidance_text(policy)
    wanted = EVERY_SECTOR + BY_SECTOR[policy.organisation.sector] + BY_PROFILE.get(name, [])
    assert [fact for fact in wanted if fact not in text] == []
    assert [wrong for wrong in NEVER.get(policy.organisation.sector, []) if wrong.lower() in text.lower()] == []


def test_the_welsh_councils_values_are_its_own_not_the_orders():
    text = guidance_text(_resolved("dyffryn-tawel-council"))
    assert "The values you work to come from the council's employee code of conduct, which builds on" in text


def test_every_sample_is_pinned():
    from .test_golden import SAMPLES as ALL

    assert sorted(SAMPLES) == sorted(ALL)
