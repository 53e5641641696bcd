"""The diff for a person at a terminal: colour and underline/strike-through when it is one, plain markers otherwise.

Plain output marks insertions `{+like this+}` and deletions `[-like this-]` (as `git diff --word-diff` does), so
it survives logs, email and screen readers.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from toolkit.diff.formats._wording import (
    attribution,
    baseline_sentence,
    brought_in_sentence,
    change_words,
    plural,
    reason_text,
    set_by_words,
    summary_sentence,
)
from toolkit.diff.model import ClauseDiff, LineDiff, PolicyDiff, Substitution

SUFFIX = ".txt"
MARKS = {"added": "+", "removed": "-", "reworded": "~", "settings": "*", "moved": ">"}
STYLES = {"insert": "green underline", "delete": "red strike", "equal": ""}
PLAIN_MARKERS = {"insert": ("{+", "+}"), "delete": ("[-", "-]"), "equal": ("", "")}


def report(diff: PolicyDiff, *, colour: bool = False, width: int = 100) -> str:
    return _printed(_parts(diff, colour), colour, width)


def _printed(parts: list[Text | str], colour: bool, width: int) -> str:
    """The parts as a terminal shows them; plain output (logs and pipes) is never hard-wrapped."""
    console = Console(
        file=io.StringIO(),
        force_terminal=colour,
        color_system="standard" if colour else None,
        width=width,
        highlight=False,
        emoji=False,
    )
    for part in parts:
        console.print(part, soft_wrap=not colour)
    return console.file.getvalue()  # type: ignore[attr-defined]


def _parts(diff: PolicyDiff, colour: bool) -> list[Text | str]:
    parts: list[Text | str] = [Text(_heading(diff), style="bold"), baseline_sentence(diff), summary_sentence(diff)]
    brought = brought_in_sentence(diff)
    parts += [brought, ""] if brought else [""]
    if diff.substitutions:
        parts += [Text("Terms and details that differ (not counted as text changes)", style="bold")]
        parts += [_substitution(s) for s in diff.substitutions] + [""]
    if diff.filled_in:
        parts += [Text("Details the profiles fill in (the same on both sides)", style="bold")]
        parts += [f"  {item.key}: {item.value}  (set by {set_by_words(diff, item.set_by)})" for item in diff.filled_in]
        parts += [""]
    changed = diff.changed_clauses
    if changed:
        parts.append(Text("Clauses that differ", style="bold"))
        for clause in changed:
            parts += _clause(diff, clause, colour)
    else:
        parts.append("No clause differs.")
    return parts


def _heading(diff: PolicyDiff) -> str:
    return f"{diff.new.name} ({diff.new.profile}) compared with {diff.old.name} ({diff.old.profile})"


def _substitution(s: Substitution) -> Text:
    old = s.old if s.old is not None else "(none)"
    new = s.new if s.new is not None else "(none)"
    who = f"set by {s.old_set_by or 'nobody'} → {s.set_by or 'nobody'}"
    return Text(f"  {s.key}: {old} → {new}  ({plural(s.places, 'place')}; {who})")


def _clause(diff: PolicyDiff, clause: ClauseDiff, colour: bool) -> list[Text | str]:
    change = "moved" if clause.change == "unchanged" else clause.change
    word = change_words(clause).upper()
    where = f" from section {clause.old_section}" if clause.old_section else ""
    lines: list[Text | str] = ["", Text(f"{MARKS[change]} {word}: {clause.id}, “{clause.title}”{where}", style="bold")]
    if clause.by or clause.reason:
        lines.append(f"    {attribution(diff, clause)}: {reason_text(clause)}")
    lines += [render_line(line, colour) for line in clause.lines]
    return lines


def render_line(line: LineDiff, colour: bool) -> Text:
    """One line of a redline, with its bullet or number; marked in colour, or with plain markers."""
    prefix = f"{line.number}. " if line.number is not None else ("• " if line.kind == "item" else "")
    text = Text("    " + prefix)
    for segment in line.segments:
        if colour:
            text.append(segment.text, style=STYLES[segment.op])
        else:
            start, end = PLAIN_MARKERS[segment.op]
            text.append(f"{start}{segment.text}{end}")
    return text


def redline_text(lines: list[LineDiff], *, colour: bool = False, width: int = 100) -> str:
    """Lines of a redline on their own (for `check --diff`)."""
    return _printed([render_line(line, colour) for line in lines], colour, width)
