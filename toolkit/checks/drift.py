"""Noticing when the core guidance (or a profile that a profile extends) changes after a profile was reviewed.

`review` writes a lock file beside the profile (`NAME.lock.yaml`, never the user's own YAML) holding the core version,
a fingerprint of every clause text and inherited operation the profile relies on (each clause on its own), and the
core text of each clause as reviewed. `check` recomputes them: a difference means something needs a person's eyes,
and an override of a clause whose basis changed may be stale. With redlines, `check` shows what the core's text of
each changed clause was at the review and is now, in the organisation's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from toolkit.diff.compare import redline
from toolkit.diff.model import LineDiff
from toolkit.errors import Problem, ToolkitError
from toolkit.load.fields import field_name
from toolkit.load.profiles import problem_message
from toolkit.load.schema import Text
from toolkit.load.yamlio import load_plain, load_yaml, locate
from toolkit.model import CORE, CORE_TITLE, Policy
from toolkit.output import publish
from toolkit.render import build_timestamp
from toolkit.resolve.core import Applicability, Core, CoreClause, load_core
from toolkit.resolve.operations import OPERATION_TABLE
from toolkit.resolve.policy import resolve_profile, resolve_with_chain, vocabulary_for
from toolkit.resolve.text import render_core_clause
from toolkit.resolve.vocabulary import format_date

LOCK_SUFFIX = ".lock.yaml"
LOCK_HEADER = """\
# Written by `policy-toolkit review`: what this profile was last reviewed against, so that
# `policy-toolkit check` can say what has changed since. Commit it with the profile; do not edit it by hand.
"""

Basis = dict[str, dict[str, str]]  # clause ID -> {source ("core" or a parent profile): fingerprint}
FindingKind = Literal["overdue", "unreviewed", "stale", "changed", "new", "gone", "version"]


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    message: str
    clause_id: str | None = None
    redline: list[LineDiff] | None = None  # the core's text then and now, when asked for and known


@dataclass(frozen=True)
class DriftReport:
    profile: str
    path: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return any(finding.kind != "version" for finding in self.findings)


def lock_path(profile_path: Path) -> Path:
    return profile_path.with_name(profile_path.stem + LOCK_SUFFIX)


def basis(policy: Policy) -> Basis:
    """For every clause, the fingerprints of what the profile relies on for it: the core's text, unless a parent's
    rewording hides it, and its parents' operations (`Provenance.relies_on`)."""
    result: Basis = {}
    for section in policy.sections:
        for clause in section.clauses:
            provenance = clause.provenance
            relied = set(provenance.relies_on) if provenance.relies_on is not None else None
            sources: dict[str, str] = {}
            if provenance.core_fingerprint and (relied is None or CORE in relied or CORE_TITLE in relied):
                sources[CORE] = provenance.core_fingerprint
            for change in provenance.history:
                if change.layer != policy.profile and change.fingerprint and (relied is None or change.layer in relied):
                    sources[change.layer] = change.fingerprint
            if sources:
                result[clause.id] = sources
    return result


def core_texts(policy: Policy, core: Core | None = None) -> dict[str, str]:
    """The core's own text (its template) of every core clause the profile has, as reviewed: what `check` shows
    the core's later changes against."""
    core = core or load_core(policy.core.folder)
    relied = basis(policy)
    return {
        clause.id: core.clauses[clause.id].source
        for section in policy.sections
        for clause in section.clauses
        if CORE in relied.get(clause.id, {}) and clause.id in core.clauses
    }


def review(profile_path: Path, profiles_dir: Path | None = None, core: Core | None = None) -> Path:
    """Record what the profile relies on now, as reviewed; returns the lock file written."""
    policy = resolve_profile(profile_path, profiles_dir, core)
    content = {
        "profile": policy.profile,
        "core_version": policy.core_version,
        "reviewed_on": build_timestamp().date(),
        "clauses": {clause_id: dict(sorted(sources.items())) for clause_id, sources in sorted(basis(policy).items())},
        "core_texts": {
            clause_id: LiteralScalarString(text) for clause_id, text in sorted(core_texts(policy, core).items())
        },
    }
    stream = StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump(content, stream)
    target = lock_path(Path(profile_path))
    publish({target: (LOCK_HEADER + stream.getvalue()).encode()}, target.parent)
    return target


def check(
    profile_path: Path,
    profiles_dir: Path | None = None,
    core: Core | None = None,
    redlines: bool = False,
    today: date | None = None,
) -> DriftReport:
    """What changed since the review (with `redlines`, each core change word by word), and a passed review date."""
    from toolkit.checks.lint import review_overdue

    profile_path = Path(profile_path)
    policy, _ = resolve_with_chain(profile_path, profiles_dir, core, core_text=False)  # provenance is what counts
    overdue = review_overdue(policy, today or date.today())
    findings = [Finding("overdue", overdue)] if overdue else []
    lock = lock_path(profile_path)
    if not lock.exists():
        hint = f"run `policy-toolkit review {profile_path}` once a person has read it against the current core"
        return DriftReport(policy.profile, profile_path, [*findings, Finding("unreviewed", f"never reviewed: {hint}")])
    recorded = _read_lock(lock)
    findings += _version_findings(recorded, policy.core.version)
    locked = {
        str(clause): {str(k): str(v) for k, v in (sources or {}).items()}
        for clause, sources in (recorded.get("clauses") or {}).items()
    }
    current = basis(policy)
    texts = {str(k): str(v) for k, v in (recorded.get("core_texts") or {}).items()}
    core = core or load_core(policy.core.folder)
    findings += _clause_findings(policy, locked, current, _same_core_titles(policy, texts, core))
    if redlines:
        findings = _with_redlines(findings, policy, texts, locked, current, core)
    return DriftReport(policy.profile, profile_path, findings)


class LockFile(BaseModel):
    """What `review` writes; a lock file is read as untrusted as a profile (same loader, size cap, schema)."""

    model_config = ConfigDict(extra="forbid")

    profile: Text | None = None
    core_version: Text = Field(min_length=1)
    reviewed_on: date | None = None
    clauses: dict[str, dict[str, Text]] = {}
    core_texts: dict[str, Text] = {}


LOCK_HINT = "delete it and run `policy-toolkit review` again"


def _with_redlines(
    findings: list[Finding], policy: Policy, texts: dict[str, str], locked: Basis, current: Basis, core: Core
) -> list[Finding]:
    """Each finding about a core clause's text, with the core's text at the review and now, rendered with this
    organisation's words so only the core's own change shows."""
    vocabulary = vocabulary_for(policy, core)
    result = []
    for finding in findings:
        clause_id = finding.clause_id
        core_changed = clause_id is not None and (
            finding.kind in ("new", "gone")
            or (
                CORE in current.get(clause_id, {})
                and CORE in _changed_sources(locked.get(clause_id), current.get(clause_id))
            )
        )
        if not core_changed or clause_id is None:
            result.append(finding)
            continue
        before = _render_source(core, clause_id, texts.get(clause_id), vocabulary)
        now = core.clauses.get(clause_id)
        after = render_core_clause(now, vocabulary) if now is not None else None
        if before is None and finding.kind != "new":
            message = finding.message + " (the lock file has no text to compare: run review again after reading)"
            result.append(Finding(finding.kind, message, clause_id))
            continue
        result.append(Finding(finding.kind, finding.message, clause_id, redline(before, after)))
    return result


def _render_source(core: Core, clause_id: str, source: str | None, vocabulary: object) -> tuple | None:
    """The core text recorded at the review, rendered as the clause is now (its file and place, for messages)."""
    if source is None:
        return None
    now = core.clauses.get(clause_id) or CoreClause(clause_id, "", source, core.directory, 1, Applicability())
    try:
        return render_core_clause(replace(now, source=source), vocabulary)  # type: ignore[arg-type]
    except ToolkitError:
        return None


def _read_lock(lock: Path) -> dict:
    """A lock file's data, checked against its schema; read without line marks (lock files are long and written by
    the toolkit), and read again with them only to say where a mistake is."""
    data = load_plain(lock)
    if not isinstance(data, dict):
        raise ToolkitError(Problem("not a lock file written by `policy-toolkit review`", file=lock, hint=LOCK_HINT))
    try:
        LockFile.model_validate(data)
    except ValidationError as error:
        marked = load_yaml(lock)
        raise ToolkitError([_lock_problem(lock, marked, item) for item in error.errors()]) from None
    return data


def _lock_problem(lock: Path, data: object, error: dict) -> Problem:
    loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
    line, column = locate(data, loc)
    message = "unknown field" if error["type"] == "extra_forbidden" else problem_message(error)
    return Problem(message, file=lock, line=line, column=column, field=field_name(loc, data), hint=LOCK_HINT)


def _version_findings(recorded: dict, now: str) -> list[Finding]:
    then = str(recorded.get("core_version"))
    reviewed = str(recorded.get("reviewed_on") or "")
    when = f" on {format_date(date.fromisoformat(reviewed))}" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", reviewed) else ""
    if then == now:
        return []
    return [Finding("version", f"reviewed{when} against core {then}; the core is now {now}")]


def _same_core_titles(policy: Policy, texts: dict[str, str], core: Core) -> set[str]:
    """The clauses of which only the core's title reaches the profile (a parent reworded the text and kept the
    title), whose core title is the same as at the review: a change to the core's text there is none of its
    business."""
    return {
        clause.id
        for section in policy.sections
        for clause in section.clauses
        if clause.provenance.relies_on is not None
        and CORE_TITLE in clause.provenance.relies_on
        and clause.id in texts
        and clause.id in core.clauses
        and _title_line(texts[clause.id]) == _title_line(core.clauses[clause.id].source)
    }


def _title_line(source: str) -> str | None:
    first = source.lstrip().split("\n", 1)[0]
    return first.strip() if first.startswith("#") else None


def _clause_findings(
    policy: Policy, recorded: Basis, current: Basis, same_core_titles: set[str] | None = None
) -> list[Finding]:
    own = _own_changes(policy)
    findings: list[Finding] = []
    for clause_id in _ordered(recorded, current):
        before, after = recorded.get(clause_id), current.get(clause_id)
        if before is None:
            findings.append(Finding("new", f"{clause_id}: new since the review (from {_sources(after)})", clause_id))
        elif after is None:
            findings.append(Finding("gone", f"{clause_id}: no longer in the guidance you inherit", clause_id))
        else:
            changed = _changed_sources(before, after)
            if changed == [CORE] and clause_id in (same_core_titles or set()):
                continue  # only the core's text changed, and only its title reaches this profile
            if changed and clause_id in own:
                findings.append(
                    Finding(
                        "stale",
                        f"{clause_id}: you {own[clause_id]} this clause, and "
                        f"{_sources(changed)} changed it since your review: check your version "
                        "still holds",
                        clause_id,
                    )
                )
            elif changed:
                findings.append(
                    Finding("changed", f"{clause_id}: changed by {_sources(changed)} since your review", clause_id)
                )
    return findings


def _changed_sources(before: dict[str, str] | None, after: dict[str, str] | None) -> list[str]:
    """The sources whose words or operation differ from the review's. A source the profile no longer relies on,
    while nothing else changed, is no change: nothing new reaches the reader (say, the core's text of a clause a
    parent has reworded, recorded by an older review)."""
    before, after = before or {}, after or {}
    changed = sorted(source for source in {*before, *after} if before.get(source) != after.get(source))
    return changed if any(source in after for source in changed) else []


def _own_changes(policy: Policy) -> dict[str, str]:
    return {
        clause.id: OPERATION_TABLE[change.action].yours
        for section in policy.sections
        for clause in section.clauses
        for change in clause.provenance.history
        if change.layer == policy.profile
    }


def _sources(sources: object) -> str:
    names = list(sources) if sources else []  # type: ignore[call-overload]
    return " and ".join("the core" if name == CORE else f"profile {name}" for name in names) or "nowhere"


def _ordered(recorded: Basis, current: Basis) -> list[str]:
    return list(current) + [clause_id for clause_id in recorded if clause_id not in current]
