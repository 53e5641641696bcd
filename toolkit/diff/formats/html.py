"""The diff as one self-contained, accessible web page for reviewers (legal, HR, a policy owner), not programmers.

Insertions are `<ins>` and deletions `<del>`, underlined or struck through as well as coloured, and each carries
visually hidden words ("inserted text", "deleted text") inside the element itself, so screen readers, text browsers
and pages printed without styles all say what changed. The page fetches nothing: styles are inlined.

The page wears the reviewed guidance's branding when it is given (`branding=`, the new side's): its font, embedded
as the HTML guidance embeds it, its primary colour and its logo.

Profile text is only ever data here: the Jinja environment autoescapes, and no profile string is ever a template.
The wording (`_wording.py`) is shared with the other reports.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from markupsafe import Markup

from toolkit.diff.formats._wording import (
    NO_REASON,
    attribution,
    baseline_sentence,
    brought_in_sentence,
    capitalised,
    change_words,
    filled_in_intro,
    location,
    plural,
    reason_text,
    report_title,
    set_by_words,
    summary_counts,
    term_label,
    term_sides,
)
from toolkit.diff.model import ClauseDiff, LineDiff, PolicyDiff
from toolkit.model import Branding, Font
from toolkit.render import build_timestamp
from toolkit.render.fonts import page_characters, subset_woff2
from toolkit.render.formats.html import FONT_STYLES, css_string, logo_html
from toolkit.render.templates import HTML_TEMPLATES, html_environment

SUFFIX = ".html"
TEMPLATE = "diff.html.j2"
STYLESHEET = "diff.css"


# The page's view of the diff ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A paragraph-like line, or a run of list items shown as one list."""

    kind: str  # "list", "numbered" or a LineDiff kind
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
    """Consecutive list items become one list (numbered when its items carry numbers), so they are announced and
    shown as a list, each item with its bullet or number."""
    result: list[Block] = []
    for line in lines:
        if line.kind != "item":
            result.append(Block(line.kind, [line]))
            continue
        kind = "numbered" if line.number is not None else "list"
        if result and result[-1].kind in ("list", "numbered") and (line.number is None or result[-1].kind == kind):
            result[-1].lines.append(line)
        else:
            result.append(Block(kind, [line]))
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
    rows = []
    for s in diff.substitutions:
        old_label, new_label = term_sides(diff, s.old_set_by, s.set_by)
        rows.append(
            {
                "label": term_label(s.label),
                "key": s.key,
                "old": s.old if s.old is not None else "(none)",
                "new": s.new if s.new is not None else "(none)",
                "old_label": old_label,
                "new_label": new_label,
                "places": plural(s.places, "place"),
            }
        )
    return rows


def _filled_in_rows(diff: PolicyDiff) -> list[dict[str, str]]:
    return [
        {"label": term_label(item.label), "key": item.key, "value": item.value, "by": set_by_words(diff, item.set_by)}
        for item in diff.filled_in
    ]


def context(diff: PolicyDiff, timestamp: datetime, branding: Branding | None = None) -> dict[str, object]:
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
        "baseline": baseline_sentence(diff),
        "brought": brought_in_sentence(diff),
        "filled_in": _filled_in_rows(diff),
        "filled_in_intro": filled_in_intro(diff),
        "logo": logo_html(branding.logo, for_pdf=False) if branding else None,
        "changed": changed,
        "substitutions": _substitution_rows(diff),
        "unchanged": [clause for clause in diff.clauses if clause.id not in changed_ids],
        "date": f"{timestamp.day} {timestamp:%B %Y}",
        "iso_date": timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "css": Markup(_brand_css(branding)) + _stylesheet(),
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


COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


FONTS_MARK = "/* the guidance's fonts */"


def _brand_css(branding: Branding | None) -> str:
    """The guidance's primary colour and font family as custom properties the stylesheet reads, and a mark where
    the font faces go once the page's characters are known; nothing without branding. The colour passed the
    profile's contrast check when it was loaded."""
    if branding is None:
        return ""
    family = css_string(f"{branding.font.name} Embedded")
    stack = f"{family}, {css_string(branding.font.name)}, sans-serif"
    colour = branding.primary_colour if COLOUR.match(branding.primary_colour) else "#1d4f91"
    return f"{FONTS_MARK}\n:root {{ --font: {stack}; --primary: {colour}; }}\n"


def _font_faces(font: Font, characters: str) -> str:
    """The font embedded as the HTML guidance embeds it: WOFF2 cut down to the page's characters."""
    family = css_string(f"{font.name} Embedded")
    rules = []
    for style in ("regular", "bold"):
        weight, slant = FONT_STYLES[style]
        data = base64.b64encode(subset_woff2(font.files[style], characters)).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: {family}; src: url({css_string('data:font/woff2;base64,' + data)}) "
            f'format("woff2"); font-weight: {weight}; font-style: {slant}; font-display: swap; }}'
        )
    css = "\n".join(rules)
    if "</" in css:  # cannot happen (css_string escapes "<"), but it would end the style element
        raise ValueError("the stylesheet contains '</'")
    return css


def report(
    diff: PolicyDiff, *, timestamp: datetime | None = None, branding: Branding | None = None, **_: object
) -> str:
    """The page as text; the same diff, timestamp and branding always give the same characters."""
    moment = timestamp or build_timestamp()
    page = html_environment().get_template(TEMPLATE).render(context(diff, moment, branding))
    if branding is None:
        return page
    return page.replace(FONTS_MARK, _font_faces(branding.font, page_characters(page)), 1)
