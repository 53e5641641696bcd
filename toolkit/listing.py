"""Plain-text tables for `list`: the profiles and how they stack, and the core clauses with their options."""

from __future__ import annotations

from pathlib import Path

from toolkit.core import load_core
from toolkit.profiles import find_profiles, load_layer


def profile_table(profiles_dir: Path) -> str:
    """Profiles as a tree: each under the one it extends, so the inheritance reads at a glance."""
    layers = {name: load_layer(path) for name, path in find_profiles(profiles_dir).items()}
    children: dict[str, list[str]] = {}
    for name, layer in layers.items():
        parent = layer.spec.extends if layer.spec.extends in layers else ""
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
                layer.spec.extends or "(core)",
                _sector(name, layers),
                str(layer.path),
                layer.spec.description or "",
            )
        )
    return _table(rows)


def _walk(children: dict[str, list[str]], parent: str, depth: int, seen: set[str]) -> list[tuple[int, str]]:
    rows = []
    for name in sorted(children.get(parent, [])):
        if name not in seen:
            seen.add(name)
            rows.append((depth, name))
            rows.extend(_walk(children, name, depth + 1, seen))
    return rows


def _sector(name: str, layers: dict) -> str:
    seen: set[str] = set()
    while name in layers and name not in seen:
        seen.add(name)
        layer = layers[name]
        if layer.spec.sector:
            return layer.spec.sector
        name = layer.spec.extends or ""
    return "?"


def clause_table() -> str:
    core = load_core()
    rows = [("CLAUSE", "WHEN", "FILE")]
    for section in core.sections:
        for clause in section.clauses:
            rows.append((clause.id, clause.applicability.describe(), f"{clause.file.name}:{clause.line}"))
    return f"Core guidance {core.version}\n" + _table(rows)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1] for row in rows
    ).rstrip()
