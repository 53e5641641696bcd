"""Comparing two resolved policies clause by clause, with terms compared by what they stand for.

A `Term` node counts as the same token on both sides when it has the same key and form, whatever its words: the
words are reported once, as a substitution, and never as a change to the text around them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from toolkit.diff.model import (
    ChangeRecord,
    ClauseDiff,
    LineDiff,
    LineKind,
    PolicyDiff,
    Segment,
    Side,
    Substitution,
    Summary,
)
from toolkit.diff.readable import readable_segments
from toolkit.model import (
    CORE,
    Block,
    Clause,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Paragraph,
    Policy,
    Table,
    Term,
    plain_text,
)
from toolkit.resolve.operations import OPERATION_TABLE
from toolkit.resolve.vocabulary import format_date

WORD = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Token:
    """A word, space or mark; a term is one token whose identity is its key, not its words."""

    identity: str
    text: str


@dataclass(frozen=True)
class Line:
    kind: LineKind
    tokens: tuple[Token, ...]

    @property
    def identity(self) -> tuple[str, ...]:
        return (self.kind, *(token.identity for token in self.tokens))


@dataclass(frozen=True)
class Placed:
    clause: Clause
    section: str
    section_title: str
    index: int  # position in document order


def compare(old: Policy, new: Policy) -> PolicyDiff:
    """Every clause of either policy, in the new policy's order, with what changed and why."""
    old_clauses, new_clauses = _placed(old), _placed(new)
    moved = _moved_ids(old_clauses, new_clauses)
    rules = {**old.core.rules, **new.core.rules}
    clauses = [
        _compare_clause(clause_id, old_clauses.get(clause_id), new_clauses.get(clause_id), clause_id in moved, rules)
        for clause_id in _ordered_ids(old_clauses, new_clauses)
    ]
    clauses = [clause for clause in clauses if clause is not None]
    substitutions = _substitutions(old, new)
    return PolicyDiff(
        old=_side(old),
        new=_side(new),
        summary=_summary(clauses, substitutions),
        substitutions=substitutions,
        clauses=clauses,
    )


def _side(policy: Policy) -> Side:
    name = "the core guidance" if policy.profile == CORE else policy.organisation.name
    return Side(profile=policy.profile, name=name, chain=policy.chain, core_version=policy.core_version)


def _placed(policy: Policy) -> dict[str, Placed]:
    clauses = [(section, clause) for section in policy.sections for clause in section.clauses]
    return {
        clause.id: Placed(clause, section.id, plain_text(section.title), index)
        for index, (section, clause) in enumerate(clauses)
    }


def _ordered_ids(old: dict[str, Placed], new: dict[str, Placed]) -> list[str]:
    """The new order, with clauses only the old side has slotted in after their old predecessor."""
    order = sorted(new, key=lambda clause_id: new[clause_id].index)
    for clause_id in sorted(old, key=lambda clause_id: old[clause_id].index):
        if clause_id in new:
            continue
        earlier = [other for other in order if other in old and old[other].index < old[clause_id].index]
        position = order.index(earlier[-1]) + 1 if earlier else 0
        order.insert(position, clause_id)
    return order


def _moved_ids(old: dict[str, Placed], new: dict[str, Placed]) -> set[str]:
    """Clauses present on both sides that left the longest common order, or changed section."""
    shown_old = [c for c in sorted(old, key=lambda c: old[c].index) if c in new and _visible(old[c], new[c])]
    shown_new = [c for c in sorted(new, key=lambda c: new[c].index) if c in set(shown_old)]
    matcher = SequenceMatcher(a=shown_old, b=shown_new, autojunk=False)
    in_order = {shown_new[b + k] for a, b, size in matcher.get_matching_blocks() for k in range(size)}
    return {c for c in shown_new if c not in in_order or old[c].section != new[c].section}


def _visible(*placed: Placed) -> bool:
    return all(p.clause.visible for p in placed)


def _compare_clause(
    clause_id: str, old: Placed | None, new: Placed | None, moved: bool, rules: dict[str, str]
) -> ClauseDiff | None:
    old_visible = old is not None and old.clause.visible
    new_visible = new is not None and new.clause.visible
    if not old_visible and not new_visible:
        return None
    if new_visible and not old_visible:
        assert new is not None
        return _whole(new, "added", "insert", _why(new.clause, "added", rules))
    if old_visible and not new_visible:
        assert old is not None
        return _whole(
            old, "removed", "delete", _why(new.clause, "removed", rules) if new else _why(old.clause, "added", rules)
        )
    assert old is not None and new is not None
    return _both(old, new, moved, rules)


def _whole(placed: Placed, change: str, op: str, why: tuple[str | None, str | None]) -> ClauseDiff:
    """A clause on one side only: all of it inserted, or all of it deleted, where that side has it."""
    lines = [
        LineDiff(kind=line.kind, op=op, segments=[Segment(op=op, text=_text(line))])  # type: ignore[arg-type]
        for line in _lines(placed.clause)
    ]
    by, reason = why
    return ClauseDiff(
        id=placed.clause.id,
        title=_title(placed.clause),
        section=placed.section,
        section_title=placed.section_title,
        history=_history(placed),
        change=change,
        by=by,
        reason=reason,
        lines=lines,
    )  # type: ignore[arg-type]


def _both(old: Placed, new: Placed, moved: bool, rules: dict[str, str]) -> ClauseDiff:
    same_source = old.clause.provenance.source_fingerprint == new.clause.provenance.source_fingerprint
    old_lines, new_lines = _lines(old.clause), _lines(new.clause)
    reworded = not same_source and [line.identity for line in old_lines] != [line.identity for line in new_lines]
    change = "replaced" if reworded else ("moved" if moved else "unchanged")
    by, reason = _why(new.clause, change, rules) if change != "unchanged" or moved else (None, None)
    return ClauseDiff(
        id=new.clause.id,
        title=_title(new.clause),
        section=new.section,
        section_title=new.section_title,
        history=_history(new),
        change=change,  # type: ignore[arg-type]
        moved=moved,
        old_section=old.section if old.section != new.section else None,
        old_section_title=old.section_title if old.section != new.section else None,
        by=by,
        reason=reason,
        lines=_line_diffs(old_lines, new_lines) if reworded else [],
    )


def _why(clause: Clause, change: str, rules: dict[str, str]) -> tuple[str | None, str | None]:
    """Who made the difference and why: the operation that made *this* kind of difference (the profile that added a
    clause, not the one that later reworded it), or the core's own rule for a sector or optional clause."""
    history = clause.provenance.history
    matching = [entry for entry in history if OPERATION_TABLE[entry.action].explains == change]
    chosen = (matching[0] if change == "added" else matching[-1]) if matching else (history[-1] if history else None)
    if chosen is not None:
        return chosen.layer, chosen.reason
    rule = rules.get(clause.id)
    return CORE, (f"core clause {rule}" if rule else None)


def _history(placed: Placed | None) -> list[ChangeRecord]:
    if placed is None:
        return []
    return [ChangeRecord(by=c.layer, action=c.action, reason=c.reason) for c in placed.clause.provenance.history]


def _title(clause: Clause) -> str:
    if clause.title:
        return plain_text(clause.title)
    first = next((line for line in _lines(clause)), None)
    words = _text(first).split() if first else []
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


# Lines and tokens ------------------------------------------------------------------------------------------------


def _lines(clause: Clause) -> list[Line]:
    lines = [Line("title", tuple(_tokens(clause.title)))] if clause.title else []
    for block in clause.blocks:
        lines.extend(_block_lines(block))
    return lines


def _block_lines(block: Block) -> Iterator[Line]:
    if isinstance(block, Paragraph):
        yield Line("paragraph", tuple(_tokens(block.inlines)))
    elif isinstance(block, Heading):
        yield Line("heading", tuple(_tokens(block.inlines)))
    elif isinstance(block, ListBlock):
        for item in block.items:
            for inner in item.blocks:
                for line in _block_lines(inner):
                    yield Line("item", line.tokens) if line.kind == "paragraph" else line
    elif isinstance(block, Table):
        for row in [block.header, *block.rows]:
            cells = [tuple(_tokens(cell)) for cell in row]
            separator = (Token(" | ", " | "),)
            yield Line("row", tuple(t for i, cell in enumerate(cells) for t in (separator if i else ()) + cell))


def _tokens(inlines: list[Inline] | None) -> Iterator[Token]:
    for node in inlines or []:
        if isinstance(node, Term):
            yield Token(f"\x00{node.key}\x00{node.form}\x00{node.capital}", node.text)
        elif isinstance(node, LineBreak):
            yield Token(" ", " ")
        elif hasattr(node, "children"):
            yield from _tokens(node.children)  # type: ignore[union-attr]
        else:
            for word in WORD.findall(node.text):  # type: ignore[union-attr]
                yield Token(" " if word.isspace() else word, " " if word.isspace() else word)


def _text(line: Line | None) -> str:
    return "".join(token.text for token in line.tokens) if line else ""


def _line_diffs(old: list[Line], new: list[Line]) -> list[LineDiff]:
    matcher = SequenceMatcher(a=[line.identity for line in old], b=[line.identity for line in new], autojunk=False)
    result: list[LineDiff] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            result += [
                LineDiff(kind=line.kind, op="equal", segments=[Segment(op="equal", text=_text(line))])
                for line in new[b1:b2]
            ]
            continue
        pairs = min(a2 - a1, b2 - b1) if op == "replace" else 0
        for offset in range(pairs):
            result.append(_word_diff(old[a1 + offset], new[b1 + offset]))
        result += [
            LineDiff(kind=line.kind, op="delete", segments=[Segment(op="delete", text=_text(line))])
            for line in old[a1 + pairs : a2]
        ]
        result += [
            LineDiff(kind=line.kind, op="insert", segments=[Segment(op="insert", text=_text(line))])
            for line in new[b1 + pairs : b2]
        ]
    return result


def _word_diff(old: Line, new: Line) -> LineDiff:
    matcher = SequenceMatcher(a=[t.identity for t in old.tokens], b=[t.identity for t in new.tokens], autojunk=False)
    segments: list[Segment] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for before, after in zip(old.tokens[a1:a2], new.tokens[b1:b2], strict=True):
                if before.text == after.text:
                    _append(segments, "equal", (after,))
                else:  # the same term with other words: in a reworded line, show each side's own words
                    _append(segments, "delete", (before,))
                    _append(segments, "insert", (after,))
            continue
        _append(segments, "delete", old.tokens[a1:a2])
        _append(segments, "insert", new.tokens[b1:b2])
    raw = LineDiff(kind=new.kind, op="replace", segments=segments)
    return raw.model_copy(update={"segments": readable_segments(raw)})


def _append(segments: list[Segment], op: str, tokens: tuple[Token, ...]) -> None:
    text = "".join(token.text for token in tokens)
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op=op, text=segments[-1].text + text)  # type: ignore[arg-type]
    else:
        segments.append(Segment(op=op, text=text))  # type: ignore[arg-type]


# Substitutions ---------------------------------------------------------------------------------------------------


def _substitutions(old: Policy, new: Policy) -> list[Substitution]:
    old_words, new_words = _term_words(old), _term_words(new)
    old_count, new_count = _term_counts(old), _term_counts(new)
    labels = {f"term.{key}": label for key, label in {**old.core.term_labels, **new.core.term_labels}.items()}
    found = []
    for key in sorted(set(old_words) | set(new_words)):
        before, after = old_words.get(key), new_words.get(key)
        if before != after and (old_count.get(key) or new_count.get(key)):
            places = new_count.get(key) or old_count.get(key, 0)
            label = labels.get(key) or _label(key)
            found.append(Substitution(key=key, label=label, old=before, new=after, places=places))
    return sorted(found, key=lambda s: (-s.places, s.key))


def _term_words(policy: Policy) -> dict[str, str]:
    """Each term's words (singular / plural) and every detail the text can use, from the policy itself (not from
    where its text happens to use them, so two organisations with the same short name never differ by it)."""
    words = {
        f"term.{key}": " / ".join(filter(None, (forms.singular, forms.plural))) for key, forms in policy.terms.items()
    }
    words |= {"org.name": policy.organisation.name, "org.short_name": policy.organisation.short_name}
    code = policy.code_of_conduct
    words |= {"code.name": code.name, "code.values": ", ".join(value.name for value in code.values)}
    words["channels"] = ", ".join(f"{channel.name} ({channel.platform})" for channel in policy.channels)
    for contact in policy.contacts:
        for detail in ("name", "email", "phone", "url"):
            if getattr(contact, detail):
                words[f"contact.{contact.role}.{detail}"] = getattr(contact, detail)
    for name, value in policy.document.model_dump().items():
        if value is not None:
            words[f"document.{name}"] = format_date(value) if isinstance(value, date) else str(value)
    if code.url:
        words["code.url"] = code.url
    return words


def _term_counts(policy: Policy) -> Counter[str]:
    """Uses of each value; a list item (a code value, a channel) counts once, by its name."""
    return Counter(
        _group_key(term.key)
        for term in _all_terms(policy)
        if _group_key(term.key) == term.key or term.key.endswith(".name")
    )


def _group_key(key: str) -> str:
    """Lists (code values, channels) are one substitution each, not one per item."""
    match = re.match(r"^(code\.values|channels)\.\d+\.", key)
    return match.group(1) if match else key


def _all_terms(policy: Policy) -> Iterator[Term]:
    for section in policy.visible_sections:
        for clause in section.visible_clauses:
            yield from _inline_terms(clause.title)
            for block in clause.blocks:
                yield from _block_terms(block)


def _inline_terms(nodes: list[Inline] | None) -> Iterator[Term]:
    for node in nodes or []:
        if isinstance(node, Term):
            yield node
        elif hasattr(node, "children"):
            yield from _inline_terms(node.children)  # type: ignore[union-attr]


def _block_terms(block: Block) -> Iterator[Term]:
    if isinstance(block, Paragraph | Heading):
        yield from _inline_terms(block.inlines)
    elif isinstance(block, ListBlock):
        for item in block.items:
            for inner in item.blocks:
                yield from _block_terms(inner)
    elif isinstance(block, Table):
        for row in [block.header, *block.rows]:
            for cell in row:
                yield from _inline_terms(cell)


def _label(key: str) -> str:
    labels = {
        "org.name": "The organisation's name",
        "org.short_name": "The organisation's short name",
        "code.name": "The code of conduct",
        "code.values": "The code's values",
        "channels": "Official channels",
    }
    if key in labels:
        return labels[key]
    return key.replace("_", " ").replace(".", ": ")


def _summary(clauses: list[ClauseDiff], substitutions: list[Substitution]) -> Summary:
    counts = Counter(clause.change for clause in clauses)
    return Summary(
        added=counts["added"],
        removed=counts["removed"],
        replaced=counts["replaced"],
        moved=sum(1 for clause in clauses if clause.moved),
        unchanged=counts["unchanged"],
        substitutions=len(substitutions),
    )
