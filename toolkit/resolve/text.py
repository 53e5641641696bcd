"""Clause text to model blocks: core clauses through Jinja, profile text through placeholders only.

Core templates are ours and may use Jinja; profile text is data and never meets a template engine. Either way the
result is parsed as Markdown once, here, and profile values come back as `Term` nodes from the slot table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import TracebackType

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from toolkit.errors import CoreTemplateError, Problem
from toolkit.model import Block, Inline
from toolkit.resolve.codecache import compiled_code
from toolkit.resolve.core import CoreClause, CoreSection
from toolkit.resolve.markdown import MarkdownError, parse, parse_inline
from toolkit.resolve.vocabulary import Vocabulary, VocabularyError


@cache
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,  # the output is Markdown, not HTML; profile values never pass through it as text
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def _compile(source: str, name: str, filename: str, first_line: int) -> Template:
    """Padded so that Jinja's line numbers are the file's line numbers."""
    environment = _environment()
    padded = "\n" * (first_line - 1) + source
    code = compiled_code(padded, name, filename, lambda: environment.compile(padded, name=name, filename=filename))
    return environment.template_class.from_code(environment, code, environment.make_globals(None))


def render_core_clause(clause: CoreClause, vocabulary: Vocabulary) -> tuple[list[Inline] | None, list[Block]]:
    markdown = _run(clause.source, clause.id, clause.file, clause.line + 1, vocabulary)
    try:
        return parse(markdown, vocabulary.slots, title_level=3)
    except MarkdownError as error:
        raise CoreTemplateError(Problem(str(error), file=clause.file, line=clause.line, field=clause.id)) from None


def render_core_title(section: CoreSection, vocabulary: Vocabulary) -> list[Inline]:
    text = _run(section.title_source, section.id, section.file, section.line + 1, vocabulary)
    return parse_inline(text.strip(), vocabulary.slots)


def _run(source: str, name: str, file: Path, first_line: int, vocabulary: Vocabulary) -> str:
    vocabulary.fresh_slots()
    try:
        template = _compile(source, name, str(file), first_line)
        return template.render(vocabulary.template_context())
    except TemplateSyntaxError as error:
        raise CoreTemplateError(
            Problem(f"template syntax: {error.message}", file=file, line=error.lineno, field=name)
        ) from None
    except (TemplateError, VocabularyError, TypeError, AttributeError) as error:
        line = _template_line(error.__traceback__, str(file))
        raise CoreTemplateError(Problem(_describe(error), file=file, line=line, field=name)) from None


def _template_line(trace: TracebackType | None, filename: str) -> int | None:
    line = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _describe(error: Exception) -> str:
    message = str(error) or type(error).__name__
    if "is undefined" in message or "has no attribute" in message:
        return f"{message} (a misspelt variable? see templates/core/README.md)"
    return message


def render_profile_text(text: str, vocabulary: Vocabulary) -> list[Block]:
    """Markdown written in a profile; raises VocabularyError or MarkdownError for the caller to locate."""
    vocabulary.fresh_slots()
    return parse(vocabulary.substitute(text), vocabulary.slots, title_level=None)[1]


def render_profile_title(title: str, vocabulary: Vocabulary) -> list[Inline]:
    vocabulary.fresh_slots()
    return parse_inline(vocabulary.substitute(title.strip()), vocabulary.slots)
