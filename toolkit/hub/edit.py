"""Changing one clause from the browser: the profile's YAML rewritten in place, or nothing written at all.

The file is edited with ruamel.yaml's round-trip mode, so its comments, order and formatting stay; the new text is
written beside the profile, resolved as `validate` would, and only then swapped in atomically. A file changed on disk
since the form was opened is never overwritten. Where the folder is a git repository, the change can be committed
with its reason as the message (the `git` command, run without a shell).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from toolkit.errors import Problem, ToolkitError
from toolkit.hub.state import Hub
from toolkit.load.yamlio import plain, read_text
from toolkit.model import (
    Block,
    Clause,
    Code,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Policy,
    Strong,
    Table,
    Term,
    Text,
    plain_text,
)
from toolkit.resolve.policy import resolve_profile

CHANGING = ("replace", "add")
REMOVING = ("remove", "exclude")
GIT_TIMEOUT_SECONDS = 20
_save_lock = threading.Lock()


@dataclass
class Form:
    """What the form holds: the change, as typed, and where the problems are."""

    change: str = "change"  # or "remove"
    title: str = ""
    text: str = ""
    reason: str = ""
    commit: bool = False
    file_hash: str = ""
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (field or None, message)

    @property
    def field_errors(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for name, message in self.errors:
            if name:
                found.setdefault(name, message)
        return found


@dataclass(frozen=True)
class Saved:
    before: Policy | None
    after: Policy
    message: str


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Opening the form ------------------------------------------------------------------------------------------------


def form_for(path: Path, policy: Policy, clause: Clause) -> Form:
    """The clause as the profile has it: its own operation's text when it has one, otherwise the wording it shows,
    written back as Markdown with the organisation's words as placeholders (`{term.staff}`)."""
    operation = _operation(_round_trip().load(read_text(path)), clause.id)
    if operation is not None and any(k in operation for k in CHANGING):
        return Form(
            title=str(operation.get("title") or ""),
            text=str(operation.get("text") or ""),
            reason=str(operation.get("reason") or ""),
            file_hash=file_hash(path),
        )
    return Form(title=plain_text(clause.title), text=markdown(clause.blocks), file_hash=file_hash(path))


def markdown(blocks: list[Block]) -> str:
    return "\n\n".join(_block(block) for block in blocks).strip() + "\n"


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return _inlines(block.inlines)
    if isinstance(block, Heading):
        return "#### " + _inlines(block.inlines)
    if isinstance(block, ListBlock):
        marks = (f"{n}." for n in range(1, len(block.items) + 1)) if block.ordered else iter(lambda: "-", None)
        lines = []
        for item, mark in zip(block.items, marks, strict=False):
            body = "\n\n".join(_block(b) for b in item.blocks).replace("\n", "\n   ")
            lines.append(f"{mark} {body}")
        return "\n".join(lines)
    if isinstance(block, Table):
        rows = [block.header, *block.rows]
        text = ["| " + " | ".join(_inlines(cell) for cell in row) + " |" for row in rows]
        text.insert(1, "|" + " --- |" * len(block.header))
        return "\n".join(text)
    return ""


def _inlines(nodes: list[Inline] | None) -> str:
    return "".join(_inline(node) for node in nodes or [])


def _inline(node: Inline) -> str:
    if isinstance(node, Term) and node.key.startswith(("term.", "org.")):
        forms = [node.key] + (["plural"] if node.form == "plural" else []) + (["cap"] if node.capital else [])
        return "{" + ".".join(forms) + "}"
    if isinstance(node, Text | Term):
        return re.sub(r"([\\*_`\[\]])", r"\\\1", node.text)
    if isinstance(node, Code):
        return f"`{node.text}`"
    if isinstance(node, LineBreak):
        return "\\\n"
    if isinstance(node, Emphasis):
        return f"*{_inlines(node.children)}*"
    if isinstance(node, Strong):
        return f"**{_inlines(node.children)}**"
    if isinstance(node, Link):
        return f"[{_inlines(node.children)}]({node.url})"
    return ""


# Saving ----------------------------------------------------------------------------------------------------------


def save(hub: Hub, name: str, clause_id: str, form: Form) -> Saved | Form:
    """Write the change, or return the form with the problems (as `validate` words them) and nothing written."""
    path = hub.paths().get(name)
    if path is None or not hub.is_editable(path):
        form.errors.append((None, "only profiles in the profiles folder can be changed here"))
        return form
    with _save_lock:
        if file_hash(path) != form.file_hash:
            form.errors.append(
                (None, f"{path.name} changed on disk since this form was opened; open the clause again to see it")
            )
            return form
        original = read_text(path)
        updated = updated_yaml(original, clause_id, form)
        problems = _check(hub, path, updated)
        if problems:
            form.errors += [(_form_field(p), p.render(hub.profiles_dir.parent)) for p in problems]
            return form
        before = hub.policy(name)
        _replace_atomically(path, updated)
    hub.changed([path])
    hub.wrote(path, updated.encode("utf-8"))
    after = hub.policy(name)
    if after is None:  # cannot happen: the same text resolved a moment ago
        raise ToolkitError(Problem("the saved profile no longer resolves", file=path))
    message = f"Saved {path.name}."
    if form.commit:
        message += " " + commit(path, form.reason or f"Change {clause_id} in {name}")
    return Saved(before, after, message)


def updated_yaml(original: str, clause_id: str, form: Form) -> str:
    """The profile's text with the clause's operation changed, added or turned into a removal.

    Only the lines of that one operation change: the new operation is written by ruamel.yaml and spliced into the
    original text, so every other line (comments, folded long lines, `null`s) stays byte for byte. The splice is
    checked against ruamel.yaml's own round-trip of the whole file; if they ever disagree, the round-trip wins.
    """
    yaml = _round_trip()
    data = yaml.load(original)
    lines = original.splitlines(keepends=True)
    clauses = data.get("clauses")
    index = _operation_index(clauses, clause_id)
    span = _item_span(lines, clauses, index) if index is not None else None
    last = _item_span(lines, clauses, len(clauses) - 1) if clauses else None
    operation = clauses[index] if index is not None else None
    item = _new_operation(operation, clause_id, form)
    if clauses is None:
        clauses = CommentedSeq()
        data["clauses"] = clauses
    if index is None:
        clauses.append(item)
    elif item is None:
        del clauses[index]
    else:
        clauses[index] = item
    whole = _dump(yaml, data)
    spliced = _splice(original, lines, item, span, last, has_clauses="clauses" in yaml.load(original))
    if spliced is not None and plain(yaml.load(spliced)) == plain(data):  # the lines outside are the file's own
        return spliced
    return whole


def _new_operation(operation: CommentedMap | None, clause_id: str, form: Form) -> CommentedMap | None:
    """The operation after the change; None drops it."""
    if form.change == "remove":
        if operation is not None and "add" in operation:  # a clause this profile added: drop the addition
            return None
        return CommentedMap([("remove", clause_id), ("reason", form.reason.strip())])
    if operation is not None and any(k in operation for k in CHANGING):
        target = CommentedMap(operation.items())  # a fresh mapping: no comments that belong to other lines
    else:
        target = CommentedMap([("replace", clause_id)])
    _set(target, "title", form.title.strip())
    target["text"] = LiteralScalarString(_normal_lines(form.text))
    _set(target, "reason", form.reason.strip())
    return target


def _operation_index(clauses: Any, clause_id: str) -> int | None:
    for index, item in enumerate(clauses or []):
        if isinstance(item, dict) and any(item.get(k) == clause_id for k in (*CHANGING, *REMOVING)):
            return index
    return None


def _item_span(lines: list[str], clauses: CommentedSeq, index: int) -> tuple[int, int, int]:
    """(first line, line after the last, column of its `-`) of one item of the `clauses` list."""
    first = clauses.lc.item(index)[0]
    dash = len(lines[first]) - len(lines[first].lstrip())
    end = first + 1
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and len(lines[end]) - len(lines[end].lstrip()) <= dash:
            break
        end += 1
    while end > first + 1 and not lines[end - 1].strip():
        end -= 1
    return first, end, dash


def _splice(
    original: str,
    lines: list[str],
    item: CommentedMap | None,
    span: tuple[int, int, int] | None,
    last: tuple[int, int, int] | None,
    *,
    has_clauses: bool,
) -> str | None:
    if span is not None:
        first, end, dash = span
        return "".join([*lines[:first], _item_text(item, dash) if item is not None else "", *lines[end:]])
    if item is None:
        return None
    if last is not None:
        _, end, dash = last
        return "".join([*lines[:end], _item_text(item, dash), *lines[end:]])
    if has_clauses:  # `clauses: []` or an empty `clauses:`: let the round-trip write it
        return None
    text = original if original.endswith("\n") else original + "\n"
    return text + "\nclauses:\n" + _item_text(item, 2)


def _item_text(item: CommentedMap, dash: int) -> str:
    body = _dump(_round_trip(), item).splitlines()
    pad = " " * dash
    return "".join([f"{pad}- {body[0]}\n", *(f"{pad}  {line}\n" if line else "\n" for line in body[1:])])


def _dump(yaml: YAML, data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _set(mapping: CommentedMap, key: str, value: str) -> None:
    if value:
        mapping[key] = value
    elif key in mapping:
        del mapping[key]


def _normal_lines(text: str) -> str:
    """Browsers send CRLF; a literal block keeps what it is given, so give it plain lines and one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def _operation(data: Any, clause_id: str) -> CommentedMap | None:
    clauses = (data or {}).get("clauses") or []
    index = _operation_index(clauses, clause_id)
    return clauses[index] if index is not None else None


def _round_trip() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quoting kept
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _check(hub: Hub, path: Path, text: str) -> list[Problem]:
    """Resolve the new text as the profile, beside it (its relative files resolve the same way)."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".partial")
    candidate = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        resolve_profile(candidate, hub.profiles_dir, hub.core)
    except ToolkitError as error:
        return [_as_original(problem, candidate, path) for problem in error.problems]
    finally:
        with contextlib.suppress(OSError):
            candidate.unlink()
    return []


def _as_original(problem: Problem, candidate: Path, path: Path) -> Problem:
    if problem.file is not None and Path(problem.file).resolve() == candidate.resolve():
        return Problem(problem.message, path, problem.line, problem.column, problem.field, problem.hint)
    return problem


def _form_field(problem: Problem) -> str | None:
    where = problem.field or ""
    for name in ("reason", "title", "text"):
        if re.search(rf"\b{name}\b", where):
            return name
    return None


def _replace_atomically(path: Path, text: str) -> None:
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".partial")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


# Git -------------------------------------------------------------------------------------------------------------


def git_root(folder: Path) -> Path | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def commit(path: Path, message: str) -> str:
    """Commit this one file with the reason as the message; say what happened either way."""
    folder = str(path.parent)
    steps = [
        ["git", "-C", folder, "add", "--", path.name],
        ["git", "-C", folder, "commit", "-q", "-m", message, "--", path.name],
    ]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"Not committed: {error}."
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            return f"Not committed: {said[-1] if said else 'git failed'}."
    return "Committed to git."


def file_history(path: Path, limit: int = 20) -> list[str]:
    """`who, when: message` for the commits that touched a file, newest first (empty outside a repository)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(path.parent), "log", f"-n{limit}", "--format=%an, %as: %s", "--", path.name],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return done.stdout.splitlines() if done.returncode == 0 else []
