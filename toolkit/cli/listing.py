"""Plain-text tables for `list`: the profiles and how they stack, and the core clauses with their options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.inputs import Inputs, file_hash, folder_hash, merged_inputs
from toolkit.load.finding import all_profiles
from toolkit.paths import BUNDLED_PROFILES_DIR
from toolkit.remembered import Remembered

if TYPE_CHECKING:
    from toolkit.model import Block, Policy
    from toolkit.resolve.core import Core


@dataclass(frozen=True)
class Header:
    """The fields `list` shows, read from a profile without validating the rest (that is `validate`'s job, and
    building the profile schema costs more than listing a folder)."""

    path: Path
    extends: str | None
    sector: str | None
    description: str | None

    @classmethod
    def read(cls, path: Path) -> Header:
        from toolkit.load.yamlio import load_yaml

        data = load_yaml(path)
        fields: dict[str, Any] = data if isinstance(data, dict) else {}
        return cls(path, *(_text(fields.get(name)) for name in ("extends", "sector", "description")))


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def remembered_profile_table(profiles_dir: Path) -> str:
    """`profile_table`, remembered with the hashes of the profile files it read (`toolkit.remembered`)."""
    found = all_profiles(profiles_dir)
    remembered = Remembered("lists", None, ())
    table = remembered.recall(profiles_dir)
    if isinstance(table, str):
        return table
    table = profile_table(profiles_dir, found)
    inputs = Inputs({str(path): file_hash(path) for path in found.values()}, {})
    inputs = merged_inputs([inputs, Inputs({}, {str(profiles_dir): folder_hash(profiles_dir, recursive=True)})])
    remembered.remember((profiles_dir,), inputs, table)
    return table


def profile_table(profiles_dir: Path, found: dict[str, Path] | None = None) -> str:
    """Profiles as a tree: each under the one it extends, so the inheritance reads at a glance."""
    found = all_profiles(profiles_dir) if found is None else found
    layers = {name: Header.read(path) for name, path in found.items()}
    children: dict[str, list[str]] = {}
    for name, layer in layers.items():
        parent = layer.extends if layer.extends in layers else ""
        children.setdefault(parent, []).append(name)
    rows = [("PROFILE", "EXTENDS", "SECTOR", "FILE", "DESCRIPTION")]
    seen: set[str] = set()
    order = _walk(children, "", 0, seen)
    order += [(0, name) for name in layers if name not in seen]  # profiles caught in a cycle
    for depth, name in order:
        layer = layers[name]
        rows.append(
            (
                "  " * depth + name,
                layer.extends or "(core)",
                _sector(name, layers),
                _where(layer.path),
                layer.description or "",
            )
        )
    return _table(rows)


def _where(path: Path) -> str:
    """A bundled sector profile by name (its install path means nothing to a reader); the user's by path."""
    return "(bundled)" if path.is_relative_to(BUNDLED_PROFILES_DIR) else str(path)


def _walk(children: dict[str, list[str]], parent: str, depth: int, seen: set[str]) -> list[tuple[int, str]]:
    rows = []
    for name in sorted(children.get(parent, [])):
        if name not in seen:
            seen.add(name)
            rows.append((depth, name))
            rows.extend(_walk(children, name, depth + 1, seen))
    return rows


def _sector(name: str, layers: dict[str, Header]) -> str:
    seen: set[str] = set()
    while name in layers and name not in seen:
        seen.add(name)
        layer = layers[name]
        if layer.sector:
            return layer.sector
        name = layer.extends or ""
    return "?"


def clause_table(core: Core | None = None) -> str:
    """Every core clause under its section, with its title and when it applies: what a profile can address."""
    from toolkit.resolve.core import clause_titles, load_core, readable_title

    core = core or load_core()
    titles = clause_titles(core)
    rows = [("CLAUSE", "TITLE", "WHEN", "FILE")]
    for section in core.sections:
        rows.append((f"[section] {section.id}", readable_title(core, section.title_source), "", section.file.name))
        for clause in section.clauses:
            rows.append(
                (
                    f"  {clause.id}",
                    titles[clause.id] or "(no title)",
                    clause.applicability.describe(),
                    f"{clause.file.name}:{clause.line}",
                )
            )
    return f"Core guidance {core.version}\n" + _table(rows)


def clause_text(policy: Policy, clause_id: str) -> str:
    """One clause as this profile has it, in plain text, with where it came from: read it before replacing it."""
    from toolkit.model import plain_text

    found = [(section, clause) for section in policy.sections for clause in section.clauses if clause.id == clause_id]
    if not found and clause_id in policy.core.rules:
        raise ToolkitError(_not_included(clause_id, policy.core.rules[clause_id]))
    if not found:
        known = [clause.id for section in policy.sections for clause in section.clauses] + list(policy.core.rules)
        raise ToolkitError(
            Problem(
                f"no clause `{clause_id}` in this policy",
                field="--clause",
                hint=did_you_mean(clause_id, known) or "`list --clauses` lists them",
            )
        )
    section, clause = found[0]
    provenance = clause.provenance
    lines = [
        f"{clause.id}: {plain_text(clause.title) or '(no title)'}",
        f"section {section.id} ({plain_text(section.title)}); {provenance.status}"
        + (f" by {provenance.changed_by}" if provenance.changed_by else " (from the core)")
        + (f": {provenance.reason}" if provenance.reason else ""),
        "",
    ]
    lines += [_block_lines(block) for block in clause.blocks]
    return "\n".join(lines).rstrip() + "\n"


def _not_included(clause_id: str, rule: str) -> Problem:
    """A core clause this profile does not have: optional, or kept for other bodies. Either can be brought in."""
    why = "is optional" if rule.startswith("optional") else f"is not part of this policy (in the core: {rule})"
    return Problem(
        f"clause `{clause_id}` {why}, and this profile does not include it",
        field="--clause",
        hint=f"to have it, add `- include: {clause_id}` with a `reason:` under the profile's `clauses:`",
    )


def _block_lines(block: Block) -> str:
    from toolkit.model import ListBlock, block_text

    if isinstance(block, ListBlock):
        marks = [f"{number}." if block.ordered else "-" for number in range(1, len(block.items) + 1)]
        return (
            "\n".join(f"{mark} {block_text(item.blocks)}" for mark, item in zip(marks, block.items, strict=True)) + "\n"
        )
    return block_text([block]) + "\n"


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1] for row in rows
    ).rstrip()
