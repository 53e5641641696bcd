"""Every Word file the toolkit writes is valid Office Open XML (schema and semantic checks), so Word opens it."""

from __future__ import annotations

import pytest
from openxml_audit import OpenXmlValidator

from toolkit.diff import compare_with_core, reporter
from toolkit.render import render

from .conftest import _resolved

SAMPLES = ["riverside-borough-council", "greenvale-hospitals", "dyffryn-tawel-council", "coastal-survey-agency"]


def errors(path) -> list[str]:
    result = OpenXmlValidator().validate(str(path))
    return [str(error) for error in result.errors][:5]


@pytest.mark.parametrize("name", SAMPLES)
def test_guidance_is_valid_ooxml(tmp_path, name):
    path = tmp_path / f"{name}.docx"
    path.write_bytes(render(_resolved(name), "docx"))
    assert errors(path) == []


def test_tracked_changes_report_is_valid_ooxml(tmp_path):
    path = tmp_path / "diff.docx"
    path.write_bytes(reporter("docx").report(compare_with_core(_resolved("greenvale-hospitals"))))
    assert errors(path) == []


def test_the_validator_does_catch_invalid_word_xml(tmp_path):
    import zipfile

    good = tmp_path / "good.docx"
    good.write_bytes(render(_resolved("riverside-borough-council"), "docx"))
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><w:notAnElement/>", 1)
            target.writestr(item, data)
    assert errors(broken)


def test_a_sample_uses_its_own_house_template(tmp_path):
    """Greenvale's Word file carries its house style: a rule under section titles, absent from the default."""
    import io
    import zipfile

    def heading_1_has_rule(data: bytes) -> bool:
        styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
        heading = styles[styles.index('w:styleId="Heading1"') :]
        return "<w:pBdr>" in heading[: heading.index("</w:style>")]

    assert heading_1_has_rule(render(_resolved("greenvale-hospitals"), "docx"))
    assert not heading_1_has_rule(render(_resolved("riverside-borough-council"), "docx"))
