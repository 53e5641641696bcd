"""Naming a field the way a person counts: `channels #1, url`, `clauses #3 (remove: principles.credible), reason`."""

from __future__ import annotations

from typing import Any

from toolkit.load.schema import operation_kind


def field_name(loc: tuple[str | int, ...], data: Any = None) -> str:
    """A field as a person counts: `channels #1, url`, `clauses #3 (remove: principles.credible), reason`."""
    text, node, after_item = "", data, False
    for part in loc:
        if isinstance(part, int):
            text += f" #{part + 1}"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            kind = operation_kind(node) if text.startswith("clauses") and isinstance(node, dict) else None
            text += f" ({kind}: {node[kind]})" if kind else ""
            after_item = True
            continue
        text += (", " if after_item else ".") + str(part) if text else str(part)
        node = node.get(part) if isinstance(node, dict) else None
        after_item = False
    return text
