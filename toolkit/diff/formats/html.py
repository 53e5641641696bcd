"""The diff as one self-contained, accessible web page for reviewers (legal, HR, a policy owner), not programmers.

Insertions are `<ins>` and deletions `<del>`, underlined or struck through as well as coloured, and each carries
visually hidden words ("inserted text", "deleted text") inside the element itself, so screen readers, text browsers
and pages printed without styles all say what changed. The page fetches nothing: styles are inlined.

Profile text is only ever data here: the Jinja environment autoescapes, and no profile string is ever a template.
The wording helpers (`change_words`, `attribution`, `reason_text`) are shared with the Word report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from toolkit.core import TEMPLATES_DIR
from toolkit.diff.model import ClauseDiff, LineDiff, PolicyDiff, Segment
from toolkit.model import CORE
from toolkit.render import build_timestamp

SUFFIX = ".html"
TEMPLATE_DIR = TEMPLATES_DIR / "html"
TEMPLATE = "diff.html.j2"
STYLESHEET = "diff.css"
CHANGE_WORDS = {"added": "Added", "removed": "Removed", "replaced": "Reworded", "moved": "Moved"}
NO_REASON = "no reason recorded"
SHARED_SHARE = 0.4  # a reworded line sharing less than this share of its characters is shown replaced whole
SCRAP = 3  # unchanged words this short between two changes are shown as part of them


# Wording shared with the Word report --------------------------------------------------------------------------------


def change_words(clause: ClauseDiff) -> str:
    """The change in plain words: "Added", "Reworded and moved"; a clause that only moved says "Moved"."""
    change = "moved" if clause.change == "unchanged" else clause.change
    words = CHANGE_WORDS[change]
    return f"{words} and moved" if clause.moved and change != "moved" else words


def side_name(diff: PolicyDiff, profile: str) -> str:
    """A profile as reviewers know it: the organisation's name when it is one of the two sides, else its ID."""
    if profile == CORE:
        return "the core guidance"
    for side in (diff.new, diff.old):
        if side.profile == profile:
            return f"{side.name} ({profile})" if side.name != profile else profile
    return profile


def attribution(diff: PolicyDiff, clause: ClauseDiff) -> str:
    """Who made the difference, in a sentence that stays true when it was the *old* side's profile that made it."""
    words = change_words(clause)
    if clause.by is None:
        return words
    if clause.by == CORE:
        return f"{words} by the core guidance's own rule"
    if clause.by in diff.new.chain or clause.by not in diff.old.chain:
        return f"{words} by {side_name(diff, clause.by)}"
    if clause.by == diff.old.profile:
        return f"{words}: the difference comes from {diff.old.name}'s own profile ({clause.by})"
    return f"{words}: the difference comes from {clause.by}, a profile {diff.old.name} is built on"


def reason_text(clause: ClauseDiff) -> str:
    """The recorded reason, or an explicit "no reason recorded" so a missing reason is visible, not silent."""
    return clause.reason.strip() if clause.reason and clause.reason.strip() else NO_REASON


def location(clause: ClauseDiff) -> str:
    """Where the clause is (section IDs: the diff model carries no section titles)."""
    if clause.old_section:
        return f"moved from section {clause.old_section} to section {clause.section}"
    if clause.change == "removed":
        return f"was in section {clause.section}"
    if clause.moved:
        return f"moved within section {clause.section}"
    return f"section {clause.section}"


def report_title(diff: PolicyDiff) -> str:
    return f"{diff.new.name} compared with {diff.old.name}"


def summary_counts(diff: PolicyDiff) -> list[tuple[str, int]]:
    """The summary's rows, in the order reviewers read them; the same numbers as `diff.summary`."""
    s = diff.summary
    return [
        ("Clauses added", s.added),
        ("Clauses removed", s.removed),
        ("Clauses reworded", s.replaced),
        ("Clauses moved", s.moved),
        ("Clauses unchanged", s.unchanged),
        ("Terms and details that differ", s.substitutions),
    ]


def term_label(label: str) -> str:
    """Term descriptions are written as sentences; as a label they read better without the full stop."""
    return label.strip().removesuffix(".")


def capitalised(text: str) -> str:
    """A side's name at the start of a line: "the core guidance" becomes "The core guidance"."""
    return text[:1].upper() + text[1:]


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


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


@dataclass
class _Run:
    """Unchanged text (`old is None`), or one change: the words taken out and the words put in."""

    text: str = ""
    old: str | None = None
    new: str = ""


def readable_segments(line: LineDiff) -> list[Segment]:
    """The line's segments as a reviewer can read them, with the same old and new text.

    A word diff of a rewritten sentence keeps stray common words ("of", "a", "on") and reads as confetti. Short
    unchanged scraps between two changes are folded into them, and a line that shares little with its old version
    is shown as the old line deleted and the new line inserted.
    """
    segments = [segment for segment in line.segments if segment.text]
    if line.op != "replace":
        return segments
    shared = sum(len(segment.text.strip()) for segment in segments if segment.op == "equal")
    if shared < SHARED_SHARE * max(len(line.old_text.strip()), len(line.new_text.strip()), 1):
        runs = [_Run(old=line.old_text, new=line.new_text)]
    else:
        runs = _fold_scraps(_runs(segments))
    return [segment for run in runs for segment in _segments(run)]


def _runs(segments: list[Segment]) -> list[_Run]:
    runs: list[_Run] = []
    for segment in segments:
        if segment.op == "equal":
            runs.append(_Run(text=segment.text))
            continue
        if not runs or runs[-1].old is None:
            runs.append(_Run(old=""))
        change = runs[-1]
        if segment.op == "delete":
            change.old = (change.old or "") + segment.text
        else:
            change.new += segment.text
    return runs


def _fold_scraps(runs: list[_Run]) -> list[_Run]:
    """Join two changes separated only by a scrap (spaces, a mark, a word of up to `SCRAP` letters)."""
    folded: list[_Run] = []
    for run in runs:
        scrap_between = len(folded) >= 2 and folded[-1].old is None and folded[-2].old is not None
        if run.old is not None and scrap_between and len(folded[-1].text.strip()) <= SCRAP:
            scrap, change = folded.pop().text, folded[-1]
            change.old = (change.old or "") + scrap + run.old
            change.new += scrap + run.new
        else:
            folded.append(run)
    return folded


def _segments(run: _Run) -> list[Segment]:
    if run.old is None:
        return [Segment(op="equal", text=run.text)]
    return [Segment(op=op, text=text) for op, text in (("delete", run.old), ("insert", run.new)) if text]


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
        "readable_segments": readable_segments,
        "plural": plural,
    }


# Rendering ---------------------------------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def _stylesheet() -> Markup:
    """Our own CSS, inlined so the page needs no other file; refused if it could close the style element."""
    css = (TEMPLATE_DIR / STYLESHEET).read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError(f"{STYLESHEET} must not contain '</'")
    return Markup(css)


def report(diff: PolicyDiff, *, timestamp: datetime | None = None, **_: object) -> str:
    """The page as text; the same diff and timestamp always give the same characters."""
    moment = timestamp or build_timestamp()
    return _environment().get_template(TEMPLATE).render(context(diff, moment))
