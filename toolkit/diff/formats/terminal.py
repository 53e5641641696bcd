"""The diff for a person at a terminal: colour and underline/strike-through when it is one, plain markers otherwise.

Plain output marks insertions `{+like this+}` and deletions `[-like this-]` (as `git diff --word-diff` does), so
it survives logs, email and screen readers.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from toolkit.diff.model import ClauseDiff, LineDiff, PolicyDiff

SUFFIX = ".txt"
CHANGE_WORDS = {"added": "ADDED", "removed": "REMOVED", "replaced": "REWORDED", "moved": "MOVED"}
MARKS = {"added": "+", "removed": "-", "replaced": "~", "moved": ">"}
STYLES = {"insert": "green underline", "delete": "red strike", "equal": ""}
PLAIN_MARKERS = {"insert": ("{+", "+}"), "delete": ("[-", "-]"), "equal": ("", "")}
LINE_PREFIX = {"item": "• ", "title": "", "heading": "", "paragraph": "", "row": ""}


def report(diff: PolicyDiff, *, colour: bool = False, width: int = 100) -> str:
    console = Console(
        file=io.StringIO(),
        force_terminal=colour,
        color_system="standard" if colour else None,
        width=width,
        highlight=False,
        emoji=False,
    )
    for part in _parts(diff, colour):
        console.print(part, soft_wrap=not colour)  # plain output is for logs and pipes: no hard wrapping
    return console.file.getvalue()  # type: ignore[attr-defined]


def _parts(diff: PolicyDiff, colour: bool) -> list[Text | str]:
    parts: list[Text | str] = [Text(_heading(diff), style="bold"), _summary_line(diff), ""]
    if diff.substitutions:
        parts += [Text("Terms and details that differ (not counted as text changes)", style="bold")]
        parts += [_substitution(s) for s in diff.substitutions] + [""]
    changed = diff.changed_clauses
    if changed:
        parts.append(Text("Clauses that differ", style="bold"))
        for clause in changed:
            parts += _clause(clause, colour)
    else:
        parts.append("No clause differs.")
    return parts


def _heading(diff: PolicyDiff) -> str:
    return f"{diff.new.name} ({diff.new.profile}) compared with {diff.old.name} ({diff.old.profile})"


def _summary_line(diff: PolicyDiff) -> str:
    s = diff.summary
    differ = "clause differs" if s.changed == 1 else "clauses differ"
    details = "term or detail differs" if s.substitutions == 1 else "terms or details differ"
    return (
        f"{s.changed} {differ}: {s.added} added, {s.removed} removed, {s.replaced} reworded, "
        f"{s.moved} moved; {s.unchanged} unchanged; {s.substitutions} {details}."
    )


def _substitution(substitution: object) -> Text:
    s = substitution
    old = s.old if s.old is not None else "(none)"  # type: ignore[attr-defined]
    new = s.new if s.new is not None else "(none)"  # type: ignore[attr-defined]
    places = f"{s.places} place" + ("" if s.places == 1 else "s")  # type: ignore[attr-defined]
    return Text(f"  {s.key}: {old} → {new}  ({places})")  # type: ignore[attr-defined]


def _clause(clause: ClauseDiff, colour: bool) -> list[Text | str]:
    change = "moved" if clause.change == "unchanged" else clause.change
    word = CHANGE_WORDS[change] + (" AND MOVED" if clause.moved and change != "moved" else "")
    where = f" from section {clause.old_section}" if clause.old_section else ""
    lines: list[Text | str] = ["", Text(f"{MARKS[change]} {word}: {clause.id}, “{clause.title}”{where}", style="bold")]
    if clause.by:
        reason = f": {clause.reason}" if clause.reason else " (no reason recorded)"
        lines.append(f"    by {clause.by}{reason}")
    lines += [_line(line, colour) for line in clause.lines]
    return lines


def _line(line: LineDiff, colour: bool) -> Text:
    text = Text("    " + LINE_PREFIX[line.kind])
    for segment in line.segments:
        if colour:
            text.append(segment.text, style=STYLES[segment.op])
        else:
            start, end = PLAIN_MARKERS[segment.op]
            text.append(f"{start}{segment.text}{end}")
    return text
