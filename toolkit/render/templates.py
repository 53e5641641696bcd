"""The one Jinja environment for the project's HTML templates (guidance pages, diff reports, the matrix)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from toolkit.paths import HTML_DIR as HTML_TEMPLATES


@cache
def html_environment() -> Environment:
    """Autoescape on for every template name (select_autoescape misses `.j2`), and a misspelt name fails loudly."""
    return Environment(
        loader=FileSystemLoader(HTML_TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
