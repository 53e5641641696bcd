"""Golden files: every sample's resolved guidance as a text outline, and its diff against the core.

A change to the core text, a profile or the engine shows up here as a readable difference in git. When the change
is intended, regenerate them with `uv run pytest tests/test_golden.py --update-golden` and review that difference.
"""

from __future__ import annotations

import re

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


# The diff reports for people: one web page and one Word document, as a reviewer would read them --------------------

REPORT_PAIR = ("local-council", "riverside-borough-council")


def _report_diff():
    from toolkit.diff import compare

    return compare(_resolved(REPORT_PAIR[0]), _resolved(REPORT_PAIR[1]))


def html_report_text() -> str:
    """The page as written, with embedded files (font, logo) shortened to their kind: the markup is what matters."""
    import re

    branding = _resolved(REPORT_PAIR[1]).branding
    page = reporter("html").report(_report_diff(), branding=branding)
    return re.sub(r"data:([a-z0-9+/-]+);base64,[A-Za-z0-9+/=]+", r"data:\1;base64,…", page)


def word_report_text() -> str:
    """The Word report's body, headers and footers as text: each paragraph with its style, tracked insertions as
    {+…+} and deletions as [-…-], tables row by row."""
    import zipfile
    from io import BytesIO

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    data = reporter("docx").report(_report_diff())
    lines = []
    with zipfile.ZipFile(BytesIO(data)) as package:
        parts = ["word/document.xml", *sorted(n for n in package.namelist() if re.match(r"word/(header|footer)", n))]
        for part in parts:
            lines.append(f"== {part}")
            root = etree.fromstring(package.read(part))
            for paragraph in root.iter(f"{w}p"):
                style = paragraph.find(f"{w}pPr/{w}pStyle")
                in_table = any(a.tag == f"{w}tc" for a in paragraph.iterancestors())
                text = _word_runs(paragraph, w)
                label = (style.get(f"{w}val") if style is not None else "Normal") + (" (cell)" if in_table else "")
                lines.append(f"[{label}] {text}".rstrip())
    return "\n".join(lines) + "\n"


def _word_runs(paragraph, w: str) -> str:
    parts = []
    for node in paragraph.iter(f"{w}t", f"{w}delText", f"{w}tab", f"{w}br", f"{w}instrText"):
        inserted = any(a.tag == f"{w}ins" for a in node.iterancestors())
        text = {f"{w}tab": "\\t", f"{w}br": "\\n", f"{w}instrText": f"{{{(node.text or '').strip()}}}"}.get(
            node.tag, node.text or ""
        )
        if node.tag == f"{w}delText":
            parts.append(f"[-{text}-]")
        elif inserted:
            parts.append(f"{{+{text}+}}")
        else:
            parts.append(text)
    return "".join(parts)


def test_html_diff_report_matches_golden(update_golden):
    check(GOLDEN / "riverside-borough-council-vs-local-council.diff.html", html_report_text(), update_golden)


def test_word_diff_report_matches_golden(update_golden):
    check(GOLDEN / "riverside-borough-council-vs-local-council.docx.txt", word_report_text(), update_golden)
