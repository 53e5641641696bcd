"""The core guidance as data: sections and clauses read from `templates/core`, with IDs, options and fingerprints.

Nothing here renders; `toolkit.resolve.text` turns a clause's template into model blocks for one organisation.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from toolkit.errors import CoreTemplateError, Problem
from toolkit.inputs import once
from toolkit.load.schema import CLAUSE_ID_PATTERN, KINDS, SECTION_ID_PATTERN
from toolkit.load.yamlio import load_yaml, plain
from toolkit.paths import CORE_DIR

MARKER = re.compile(r"^\{#\s*(section|clause)\s+(\S+)\s*(?:\[([^\]]*)\])?\s*#\}\s*$")
OPTION = re.compile(r"^(optional|(sectors|nations|kinds)=[a-z_,]+)$")


@dataclass(frozen=True)
class Applicability:
    """When a core clause is part of a policy without a profile asking for it."""

    optional: bool = False
    sectors: frozenset[str] | None = None
    nations: frozenset[str] | None = None
    kinds: frozenset[str] | None = None

    def applies_to(self, sector: str, nation: str, kind: str = "") -> bool:
        if self.optional:
            return False
        if self.sectors is not None and sector not in self.sectors:
            return False
        if self.kinds is not None and kind not in self.kinds:
            return False
        return self.nations is None or nation in self.nations

    def describe(self) -> str:
        parts = ["optional"] if self.optional else []
        if self.sectors:
            parts.append("only for " + ", ".join(sorted(self.sectors)))
        if self.kinds:
            parts.append("only for kinds " + ", ".join(sorted(self.kinds)))
        if self.nations:
            parts.append("only in " + ", ".join(sorted(self.nations)))
        return "; ".join(parts) or "always"

    def merged_with(self, inner: Applicability) -> Applicability:
        return Applicability(
            optional=self.optional or inner.optional,
            sectors=_narrower(self.sectors, inner.sectors),
            nations=_narrower(self.nations, inner.nations),
            kinds=_narrower(self.kinds, inner.kinds),
        )


def _narrower(outer: frozenset[str] | None, inner: frozenset[str] | None) -> frozenset[str] | None:
    if outer is None or inner is None:
        return outer if inner is None else inner
    return outer & inner


@dataclass(frozen=True)
class CoreClause:
    id: str
    section: str
    source: str  # the clause's template text, marker excluded
    file: Path
    line: int  # the marker's line
    applicability: Applicability

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.source)


@dataclass(frozen=True)
class CoreSection:
    id: str
    title_source: str
    file: Path
    line: int
    applicability: Applicability
    clauses: tuple[CoreClause, ...]


@dataclass(frozen=True)
class TermSpec:
    key: str
    description: str
    singular: str
    plural: str | None = None
    label: str = ""  # a few words for lists of differences: "What staff are called"


@dataclass(frozen=True)
class Core:
    title: str
    subtitle: str
    version: str
    language: str
    terms: dict[str, TermSpec]
    contact_roles: dict[str, str]  # role -> its label in "Who to contact"
    contact_words: dict[str, str]  # role -> how text names it when the profile gives no such contact
    required_contacts: tuple[str, ...]
    moved_terms: dict[str, str]  # a term running text no longer uses -> the setting that replaced it
    retired_clauses: dict[str, str]  # a clause ID no longer in the core -> what became of it
    branding: dict[str, str]
    sections: tuple[CoreSection, ...]
    directory: Path
    clauses: dict[str, CoreClause] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "clauses", {c.id: c for s in self.sections for c in s.clauses})


def readable_title(core: Core, template: str) -> str:
    """A title template in the core's own words: `Be {{ term.public_servant }}` → "Be a public servant".

    For lists of clauses across organisations (`list --clauses`, the overview), where no one profile's words fit."""

    def word(match: re.Match[str]) -> str:
        key, *forms = match.group(1).split(".")
        spec = core.terms.get(key)
        if spec is None:
            return match.group(0)
        words = (spec.plural or spec.singular) if "plural" in forms else spec.singular
        return words[:1].upper() + words[1:] if "cap" in forms else words

    return re.sub(r"\{\{\s*term\.([a-z_.]+)\s*\}\}", word, template).strip()


def clause_titles(core: Core) -> dict[str, str]:
    """Every core clause's title (its `### ` line) in the core's own words."""
    titles = {}
    for clause in core.clauses.values():
        first = clause.source.strip().splitlines()[:1]
        template = first[0][4:] if first and first[0].startswith("### ") else ""
        titles[clause.id] = readable_title(core, template)
    return titles


@lru_cache(maxsize=16_384)
def fingerprint(text: str) -> str:
    """Stable across line-ending and trailing-space edits, so only real changes count as drift.

    Remembered per text: every profile fingerprints the same core clauses."""
    normalised = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return hashlib.sha256(normalised.encode()).hexdigest()[:16]


def load_core(directory: Path | None = None) -> Core:
    """The core guidance from `directory`, or the bundled one; re-read when its files change.

    The core is always an argument: only the command line turns `--core` / `$POLICY_TOOLKIT_CORE` into one.
    """
    return once("core", str(directory or CORE_DIR), lambda: _current_core(Path(directory or CORE_DIR).resolve()))


def _current_core(chosen: Path) -> Core:
    """The core as its files are now: looked at once per command (`toolkit.inputs.once`), as its files are."""
    if not (chosen / "core.yaml").is_file():
        raise CoreTemplateError(Problem("not a core guidance folder (no core.yaml)", file=chosen))
    return _load_core(chosen, _signature(chosen))


def _signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    files = [directory / "core.yaml", *sorted((directory / "sections").glob("*.md.j2"))]
    return tuple((file.name, file.stat().st_mtime_ns, file.stat().st_size) for file in files)


@cache
def _load_core(directory: Path, signature: tuple[tuple[str, int, int], ...]) -> Core:
    """Read core.yaml and every section file; refuse anything malformed with the file and line."""
    del signature  # part of the cache key only
    manifest_path = directory / "core.yaml"
    manifest = plain(load_yaml(manifest_path))
    section_files = sorted((directory / "sections").glob("*.md.j2"))
    if not section_files:
        raise CoreTemplateError(Problem("no section files (*.md.j2)", file=directory / "sections"))
    sections = tuple(parse_section_file(path) for path in section_files)
    _refuse_duplicate_ids(sections)
    try:
        return Core(
            title=manifest["title"],
            subtitle=manifest.get("subtitle", ""),
            version=str(manifest["version"]),
            language=manifest.get("language", "en-GB"),
            terms={key: TermSpec(key=key, **spec) for key, spec in manifest["terms"].items()},
            contact_roles={role: spec["label"] for role, spec in manifest["contact_roles"].items()},
            contact_words={role: spec["in_text"] for role, spec in manifest["contact_roles"].items()},
            required_contacts=tuple(manifest.get("required_contacts", ())),
            moved_terms=dict(manifest.get("moved_terms", {})),
            retired_clauses={str(k): str(v) for k, v in (manifest.get("retired_clauses") or {}).items()},
            branding=dict(manifest.get("branding", {})),
            sections=sections,
            directory=directory,
        )
    except (KeyError, TypeError) as error:
        raise CoreTemplateError(Problem(f"missing or malformed entry: {error}", file=manifest_path)) from None


def parse_section_file(path: Path) -> CoreSection:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    markers = [(number, match) for number, line in enumerate(lines) if (match := MARKER.match(line))]
    if not markers or markers[0][1].group(1) != "section" or "".join(lines[: markers[0][0]]).strip():
        raise CoreTemplateError(Problem("must start with a `{# section ID #}` marker", file=path, line=1))
    section_line, section_match = markers[0]
    section_id = section_match.group(2)
    _check_id(section_id, SECTION_ID_PATTERN, path, section_line)
    applicability = parse_options(section_match.group(3), path, section_line)
    first_clause = markers[1][0] if len(markers) > 1 else len(lines)
    title = _section_title(lines[section_line + 1 : first_clause], path, section_line)
    clauses = []
    for index, (number, match) in enumerate(markers[1:], start=1):
        if match.group(1) != "clause":
            raise CoreTemplateError(Problem("only one section marker per file", file=path, line=number + 1))
        end = markers[index + 1][0] if index + 1 < len(markers) else len(lines)
        clauses.append(_clause(match, section_id, applicability, lines, number, end, path))
    return CoreSection(section_id, title, path, section_line + 1, applicability, tuple(clauses))


def _section_title(lines: list[str], path: Path, marker_line: int) -> str:
    text = "".join(lines).strip()
    if not text.startswith("## ") or "\n" in text:
        raise CoreTemplateError(
            Problem("a section marker must be followed by one `## Title` line", file=path, line=marker_line + 2)
        )
    return text[3:].strip()


def _clause(
    match: re.Match[str],
    section_id: str,
    section_applicability: Applicability,
    lines: list[str],
    number: int,
    end: int,
    path: Path,
) -> CoreClause:
    clause_id = match.group(2)
    _check_id(clause_id, CLAUSE_ID_PATTERN, path, number)
    if not clause_id.startswith(section_id + "."):
        raise CoreTemplateError(
            Problem(
                f"clause `{clause_id}` must start with its section's ID `{section_id}.`", file=path, line=number + 1
            )
        )
    # Keep the clause's own line numbers: the template is padded so that jinja reports file lines.
    source = "".join(lines[number + 1 : end])
    if not source.strip():
        raise CoreTemplateError(Problem(f"clause `{clause_id}` is empty", file=path, line=number + 1))
    options = section_applicability.merged_with(parse_options(match.group(3), path, number))
    return CoreClause(clause_id, section_id, source, path, number + 1, options)


def parse_options(text: str | None, path: Path, number: int) -> Applicability:
    words = (text or "").split()
    for word in words:
        if not OPTION.match(word):
            raise CoreTemplateError(
                Problem(
                    f"unknown marker option `{word}` (use optional, sectors=..., nations=..., kinds=...)",
                    file=path,
                    line=number + 1,
                )
            )
    values = dict(word.split("=", 1) for word in words if "=" in word)
    for kind in values.get("kinds", "").split(",") if "kinds" in values else ():
        if kind not in KINDS:
            raise CoreTemplateError(
                Problem(f"unknown kind `{kind}` (kinds: {', '.join(KINDS)})", file=path, line=number + 1)
            )
    return Applicability(
        optional="optional" in words,
        sectors=frozenset(values["sectors"].split(",")) if "sectors" in values else None,
        nations=frozenset(values["nations"].split(",")) if "nations" in values else None,
        kinds=frozenset(values["kinds"].split(",")) if "kinds" in values else None,
    )


def _check_id(identifier: str, pattern: str, path: Path, number: int) -> None:
    if not re.match(pattern, identifier):
        raise CoreTemplateError(Problem(f"`{identifier}` is not a valid ID", file=path, line=number + 1))


def _refuse_duplicate_ids(sections: tuple[CoreSection, ...]) -> None:
    seen: dict[str, CoreClause | CoreSection] = {}
    for item in [*sections, *(c for s in sections for c in s.clauses)]:
        if item.id in seen:
            first = seen[item.id]
            raise CoreTemplateError(
                Problem(
                    f"ID `{item.id}` is used twice (also {first.file.name}:{first.line})",
                    file=item.file,
                    line=item.line,
                )
            )
        seen[item.id] = item
