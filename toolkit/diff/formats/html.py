"""The diff as one self-contained, accessible web page for reviewers (legal, HR, a policy owner), not programmers.

Insertions are `<ins>` and deletions `<del>`, underlined or struck through as well as coloured, and each carries
visually hidden words ("inserted text", "deleted text") inside the element itself, so screen readers, text browsers
and pages printed without styles all say what changed. The page fetches nothing: styles are inlined.

Profile text is only ever data here: the Jinja environment autoescapes, and no profile string is ever a template.
The wording (`_wording.py`) is shared with the Word report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from markupsafe import Markup

from toolkit.diff.formats._wording import (
    NO_REASON,
    attribution,
    capitalised,
    change_words,
    location,
    plural,
    reason_text,
    report_title,
    summary_counts,
    term_label,
)
from toolkit.diff.model import ClauseDiff, LineDiff, PolicyDiff
from toolkit.render import build_timestamp
from toolkit.render.templates import HTML_TEMPLATES, html_environment

SUFFIX = ".html"
TEMPLATE = "diff.html.j2"
STYLESHEET = "diff.css"


# The page's view of the diff ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A paragraph-like line, or a run of list items shown as one list."""

    kind: str  # "list" or a LineDiff kind
    lines: list[LineDiff]


@dataclass(frozen=True)
class ClauseView:
    anchor: str
    id: str
    title: str
    words: str
    location: str
    attribution: str
    reason: str
    has_reason: bool
    blocks: list[Block] = field(default_factory=list)


def blocks(lines: list[LineDiff]) -> list[Block]:
    """Consecutive list items become one list, so they are announced and shown as a list."""
    result: list[Block] = []
    for line in lines:
        if line.kind == "item" and result and result[-1].kind == "list":
            result[-1].lines.append(line)
        else:
            result.append(Block("list" if line.kind == "item" else line.kind, [line]))
    return result


def _clause_view(diff: PolicyDiff, clause: ClauseDiff) -> ClauseView:
    return ClauseView(
        anchor=f"clause-{clause.id}",
        id=clause.id,
        title=clause.title,
        words=change_words(clause),
        location=location(clause),
        attribution=attribution(diff, clause),
        reason=reason_text(clause),
        has_reason=reason_text(clause) != NO_REASON,
        blocks=blocks(clause.lines),
    )


def _substitution_rows(diff: PolicyDiff) -> list[dict[str, str]]:
    return [
        {
            "label": term_label(s.label),
            "key": s.key,
            "old": s.old if s.old is not None else "(none)",
            "new": s.new if s.new is not None else "(none)",
            "places": plural(s.places, "place"),
        }
        for s in diff.substitutions
    ]


def context(diff: PolicyDiff, timestamp: datetime) -> dict[str, object]:
    """Everything the template shows, as plain values: the template decides layout, never wording."""
    changed = [_clause_view(diff, clause) for clause in diff.changed_clauses]
    changed_ids = {clause.id for clause in changed}
    return {
        "title": report_title(diff),
        "old": diff.old,
        "new": diff.new,
        "old_label": capitalised(diff.old.name),
        "new_label": capitalised(diff.new.name),
        "counts": summary_counts(diff),
        "changed": changed,
        "substitutions": _substitution_rows(diff),
        "unchanged": [clause for clause in diff.clauses if clause.id not in changed_ids],
        "date": f"{timestamp.day} {timestamp:%B %Y}",
        "iso_date": timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "css": _stylesheet(),
        "plural": plural,
    }


# Rendering ---------------------------------------------------------------------------------------------------------


@cache
def _stylesheet() -> Markup:
    """Our own CSS, inlined so the page needs no other file; refused if it could close the style element."""
    css = (HTML_TEMPLATES / STYLESHEET).read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError(f"{STYLESHEET} must not contain '</'")
    return Markup(css)


def report(diff: PolicyDiff, *, timestamp: datetime | None = None, **_: object) -> str:
    """The page as text; the same diff and timestamp always give the same characters."""
    moment = timestamp or build_timestamp()
    return html_environment().get_template(TEMPLATE).render(context(diff, moment))
