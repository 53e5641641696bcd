"""Plain words about a diff, shared by every report (terminal, HTML, Word; JSON uses the same change names) so all
say the same thing in the same words."""

from __future__ import annotations

from toolkit.diff.model import ClauseDiff, PolicyDiff
from toolkit.model import CORE

CHANGE_WORDS = {
    "added": "Added",
    "removed": "Removed",
    "reworded": "Reworded",
    "settings": "Changed by settings",
    "moved": "Moved",
}
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


def baseline_sentence(diff: PolicyDiff) -> str:
    """Each side named exactly, so a reviewer knows what the baseline is."""
    return f"Compared: {described(diff.new)}, with {described(diff.old)}."


def described(side: object) -> str:
    description = getattr(side, "description", "") or getattr(side, "name", "")
    profile = getattr(side, "profile", "")
    return description if profile == CORE else f"{description} (profile {profile})"


def set_by_words(diff: PolicyDiff, profile: str | None) -> str:
    """Which layer set a term or detail: "the core guidance", or the profile by its name."""
    if profile is None:
        return "not set"
    if profile == CORE:
        return "the core guidance"
    return ", ".join(f"profile {name}" for name in profile.split(", "))


def term_sides(diff: PolicyDiff, old_set_by: str | None, new_set_by: str | None) -> tuple[str, str]:
    """Each side's label for a term, with the layer that set its words."""
    return (
        f"{capitalised(diff.old.name)} (set by {set_by_words(diff, old_set_by)})",
        f"{capitalised(diff.new.name)} (set by {set_by_words(diff, new_set_by)})",
    )


def brought_in_sentence(diff: PolicyDiff) -> str | None:
    """The clauses both sides have only because of the core's rules (a sector's own clauses), named, not hidden
    among "unchanged"."""
    brought = diff.brought_by_rule
    if not brought:
        return None
    names = "; ".join(f"{clause.title} ({clause.id})" for clause in brought)
    return (
        f"{capitalised(described(diff.old))} includes {plural(len(brought), 'clause')} that the core keeps for "
        f"some kinds of body or nations only: {names}."
    )


def summary_counts(diff: PolicyDiff) -> list[tuple[str, int]]:
    """The summary's rows, in the order reviewers read them; the same numbers as `diff.summary`."""
    s = diff.summary
    return [
        ("Clauses added", s.added),
        ("Clauses removed", s.removed),
        ("Clauses reworded", s.reworded),
        *([("Clauses changed by settings", s.settings)] if s.settings else []),
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


def summary_sentence(diff: PolicyDiff) -> str:
    """The whole comparison in one sentence, the same in every report."""
    s = diff.summary
    differ = "clause differs" if s.changed == 1 else "clauses differ"
    details = "term or detail differs" if s.substitutions == 1 else "terms or details differ"
    return (
        f"{s.changed} {differ}: {s.added} added, {s.removed} removed, {s.reworded} reworded, "
        + (f"{s.settings} changed by settings, " if s.settings else "")
        + f"{s.moved} moved; "
        f"{s.unchanged} unchanged; {s.substitutions} {details}."
    )


def filled_in_intro(diff: PolicyDiff) -> str:
    return (
        "The core has no words of its own for these: the profiles fill them in, the same on both sides. "
        "Each shows the profile that set it."
    )
