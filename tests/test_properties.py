"""Whatever text a profile holds, the toolkit either refuses it clearly or writes valid documents with it in.

Profile text here includes markup, template syntax, XML-breaking characters and control characters. The only
acceptable outcomes are a ToolkitError naming the field, or valid HTML and a .docx that opens, with the text present.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import html5lib
import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.model import block_text
from toolkit.render import render

from .conftest import libreoffice_convert, resolve_text

HOSTILE = [
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% if true %}x{% endif %}",
    "{{ cycler.__init__.__globals__ }}",
    "100<100",
    "a & b",
    "&amp;",
    "]]>",
    "<![CDATA[x]]>",
    "<w:p/>",
    "\"quotes\" and 'apostrophes'",
    "{org.name}",
    "\\",
    "*not bold*",
    "`code`",
    "[link](javascript:alert(1))",
    "<!-- comment -->",
    "Gwŷn Llŵyd",
    "ẁ ẃ ẅ ỳ",
    "\u202e right-to-left override",
    "emoji 🙂",
    "\u00a0non-breaking",
    "tab\there",
    "\x07bell",
    "\x00nul",
    "\ufffe",
    "\x1b[31mred",
]
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
VALUE = st.one_of(
    st.sampled_from(HOSTILE),
    TEXT,
    st.lists(st.one_of(st.sampled_from(HOSTILE), TEXT), min_size=2, max_size=4).map(" ".join),
)


def profile_yaml(name: str, contact: str, title: str, text: str) -> str:
    """JSON strings are YAML double-quoted scalars, so every character survives as an escape."""
    return (
        "extends: local-council\n"
        f"name: {json.dumps(name)}\n"
        f"contacts:\n  press:\n    name: {json.dumps(contact)}\n"
        "clauses:\n  - replace: principles.credible\n"
        f"    title: {json.dumps(title)}\n    text: {json.dumps(text)}\n"
    )


def visible_words(text: str) -> str:
    """Text without any whitespace: renderers may split or join runs and lines differently."""
    return re.sub(r"\s+", "", text)


def html_text(data: bytes) -> str:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(io.BytesIO(data))
    return visible_words("".join(tree.find("body").itertext()))


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
    return visible_words(" ".join(parts))


def outcome(folder: Path, name: str, contact: str, title: str, text: str):
    try:
        return resolve_text(folder, profile_yaml(name, contact, title, text), name="test-property")
    except ToolkitError as error:
        return error


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=VALUE, contact=VALUE, title=VALUE, text=VALUE)
def test_any_text_is_refused_clearly_or_rendered_faithfully(tmp_path, name, contact, title, text):
    result = outcome(tmp_path, name, contact, title, text)
    if isinstance(result, ToolkitError):
        assert result.problems and all(p.file and p.field for p in result.problems), result
        return
    policy = result
    clause = next(c for s in policy.sections for c in s.clauses if c.id == "principles.credible")
    page = html_text(render(policy, "html"))
    words = docx_text(render(policy, "docx"))
    for expected in (name, contact):
        assert visible_words(expected) in page
        assert visible_words(expected) in words
    assert visible_words(block_text(clause.blocks).replace("\n", " ")) in page


@pytest.mark.libreoffice
def test_libreoffice_opens_a_docx_full_of_hostile_text(tmp_path):
    refused = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe]|javascript:")  # these get a clear refusal instead
    printable = [value for value in HOSTILE if not refused.search(value)]
    text = "\n\n".join(f"- {value}" for value in printable)
    profile = profile_yaml(" & ".join(printable[:5]), "<b>Press</b> & {{ x }}", "Title <i>", text)
    docx = tmp_path / "test-hostile.docx"
    docx.write_bytes(render(resolve_text(tmp_path, profile, name="test-hostile"), "docx"))
    zipfile.ZipFile(docx).testzip()
    converted = visible_words(libreoffice_convert(docx, "txt:Text").read_text(encoding="utf-8-sig"))
    for value in printable:
        if value in ("*not bold*", "`code`", "<!-- comment -->", "\\", "&amp;", "{org.name}"):
            continue  # Markdown formatting and placeholders in clause text are not literal text
        assert visible_words(value) in converted, value
