"""Word changes a reviewer can read: the differ's raw word diff, tidied without changing what it says.

A word diff of a rewritten sentence keeps stray common words ("of", "a", "on") and reads as confetti. Short
unchanged scraps between two changes are folded into them, and a line that shares little with its old version is
shown as the old line deleted and the new line inserted. The old and new text stay exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.diff.model import LineDiff, Segment

SHARED_SHARE = 0.4  # a reworded line sharing less than this share of its characters is shown replaced whole
SCRAP = 3  # unchanged words this short between two changes are shown as part of them


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
