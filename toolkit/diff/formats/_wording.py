"""Plain words about a diff, shared by the HTML and Word reports so both say the same thing the same way."""

from __future__ import annotations

from toolkit.diff.model import ClauseDiff, PolicyDiff
from toolkit.model import CORE

CHANGE_WORDS = {"added": "Added", "removed": "Removed", "replaced": "Reworded", "moved": "Moved"}
NO_REASON = "no reason recorded"


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
    """Where the clause is, by section title as readers know it."""
    here = _section(clause.section_title, clause.section)
    if clause.old_section:
        return f"moved from {_section(clause.old_section_title, clause.old_section)} to {here}"
    if clause.change == "removed":
        return f"was in {here}"
    if clause.moved:
        return f"moved within {here}"
    return f"in {here}"


def _section(title: str | None, section_id: str) -> str:
    return f"the section “{title}”" if title else f"section {section_id}"


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
