"""Golden files: every sample's resolved guidance as a text outline, and its diff against the core.

A change to the core text, a profile or the engine shows up here as a readable difference in git. When the change
is intended, regenerate them with `uv run pytest tests/test_golden.py --update-golden` and review that difference.
"""

from __future__ import annotations

import pytest

from toolkit.diff import compare_with_core, reporter
from toolkit.model import ListBlock, Table, Term

from .conftest import PROFILES, ROOT, SECTORS, _resolved

GOLDEN = ROOT / "tests" / "golden"
SAMPLES = sorted(
    p.stem for p in [*PROFILES.rglob("*.yaml"), *SECTORS.glob("*.yaml")] if not p.name.endswith(".lock.yaml")
)


def outline(name: str) -> str:
    """The resolved guidance as a reviewer reads it: every clause with its status, who changed it and why, its words,
    and each substituted word marked «like this» so a change of term shows up as one."""
    policy = _resolved(name)
    lines = [f"{policy.full_title} ({' > '.join(policy.chain)}, core {policy.core_version})"]
    for section in policy.sections:
        lines.append(f"\n## {section.id}: {marked(section.title)}")
        for clause in section.clauses:
            p = clause.provenance
            who = f" by {p.changed_by}" + (f": {p.reason}" if p.reason else "") if p.changed_by else ""
            lines.append(f"\n### {clause.id} [{p.status}{who}] {marked(clause.title)}".rstrip())
            lines += [_block(block) for block in clause.blocks]
    return "\n".join(lines) + "\n"


def marked(inlines) -> str:
    parts = []
    for node in inlines or []:
        if isinstance(node, Term):
            parts.append(f"«{node.text}»")
        elif hasattr(node, "children"):
            parts.append(marked(node.children))
        else:
            parts.append(getattr(node, "text", "\n"))
    return "".join(parts)


def _block(block) -> str:
    if isinstance(block, ListBlock):
        return "\n".join(
            ("1. " if block.ordered else "- ") + " / ".join(_block(b) for b in item.blocks) for item in block.items
        )
    if isinstance(block, Table):
        return "\n".join(" | ".join(marked(cell) for cell in row) for row in [block.header, *block.rows])
    return marked(block.inlines)


def diff_text(name: str) -> str:
    return reporter("terminal").report(compare_with_core(_resolved(name)), colour=False)


def check(path, actual: str, update: bool) -> None:
    if update:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run pytest {__file__} --update-golden"
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs; if intended, run with --update-golden"


@pytest.mark.parametrize("name", SAMPLES)
def test_resolved_guidance_matches_golden(name, update_golden):
    check(GOLDEN / f"{name}.outline.txt", outline(name), update_golden)


@pytest.mark.parametrize("name", SAMPLES)
def test_diff_against_core_matches_golden(name, update_golden):
    check(GOLDEN / f"{name}.diff.txt", diff_text(name), update_golden)
