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
    FilledIn,
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
    Link,
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
    """A word, space or mark; a term is one token whose identity is its key, not its words.

    `hidden` is what a reader cannot see in the words but a renderer prints (a link's address); `key` names the
    term or detail whose words (or address) the token shows, so a difference in it is reported against that key.
    """

    identity: str
    text: str
    hidden: str = ""
    key: str | None = None


@dataclass(frozen=True)
class Line:
    kind: LineKind
    tokens: tuple[Token, ...]
    ordered: bool = False  # an item of a numbered list
    number: int | None = None

    @property
    def identity(self) -> tuple[str, ...]:
        return (self.kind, "1." if self.ordered else "", *(token.identity for token in self.tokens))

    @property
    def rendered(self) -> tuple[str, ...]:
        """What a reader gets: the words and link addresses, whatever they are made of."""
        return (self.kind, "1." if self.ordered else "", *(token.text + token.hidden for token in self.tokens))


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
    found: Counter[str] = Counter()
    clauses = [
        _compare_clause(
            clause_id, old_clauses.get(clause_id), new_clauses.get(clause_id), clause_id in moved, rules, found
        )
        for clause_id in _ordered_ids(old_clauses, new_clauses)
    ]
    clauses = [clause for clause in clauses if clause is not None]
    substitutions = _substitutions(old, new, found)
    return PolicyDiff(
        old=_side(old),
        new=_side(new),
        summary=_summary(clauses, substitutions),
        substitutions=substitutions,
        filled_in=_filled_in(old, new) if old.profile == CORE else [],
        clauses=clauses,
    )


SAME_SOURCE = (
    "Both sides use the same wording for this clause; it reads differently because of the details it shows "
    "(contacts, channels, the code of conduct or document control), which differ."
)
SECTOR_WORDS = {"central_government": "central government", "local_government": "local government", "nhs": "the NHS"}
NATION_WORDS = {"england": "England", "wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"}


def _side(policy: Policy) -> Side:
    if policy.profile == CORE:
        return Side(
            profile=CORE,
            name="the core guidance",
            chain=policy.chain,
            core_version=policy.core_version,
            description=core_description(policy),
        )
    name = policy.organisation.name
    return Side(
        profile=policy.profile, name=name, chain=policy.chain, core_version=policy.core_version, description=name
    )


def core_description(policy: Policy) -> str:
    """The baseline named exactly: which core, for which kind of organisation, where."""
    organisation = policy.organisation
    sector = SECTOR_WORDS.get(organisation.sector, organisation.sector.replace("_", " "))
    nation = NATION_WORDS.get(organisation.nation, "the UK" if organisation.nation == "uk" else organisation.nation)
    return f"the core guidance {policy.core_version} as it applies to {sector} in {nation}"


def rule_words(rule: str) -> str:
    """A core rule as readers say it: "only for local_government" becomes "only for local government"."""
    for code, words in {**SECTOR_WORDS, **NATION_WORDS}.items():
        rule = rule.replace(code, words)
    return rule


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
    clause_id: str,
    old: Placed | None,
    new: Placed | None,
    moved: bool,
    rules: dict[str, str],
    found: Counter[str],
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
    return _both(old, new, moved, rules, found)


def _whole(placed: Placed, change: str, op: str, why: tuple[str | None, str | None]) -> ClauseDiff:
    """A clause on one side only: all of it inserted, or all of it deleted, where that side has it."""
    lines = [
        LineDiff(kind=line.kind, op=op, segments=[Segment(op=op, text=_text(line))], number=line.number)  # type: ignore[arg-type]
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


def _both(old: Placed, new: Placed, moved: bool, rules: dict[str, str], found: Counter[str]) -> ClauseDiff:
    """A clause both sides have: the same words, the same words but for some terms or details, or reworded."""
    identical = old.clause.title == new.clause.title and old.clause.blocks == new.clause.blocks
    old_lines, new_lines = ([], []) if identical else (_lines(old.clause), _lines(new.clause))
    same_words = identical or [line.rendered for line in old_lines] == [line.rendered for line in new_lines]
    reworded = not same_words and [line.identity for line in old_lines] != [line.identity for line in new_lines]
    details = Counter() if same_words else _term_differences(old_lines, new_lines)
    found.update(details)
    change = "reworded" if reworded else ("moved" if moved else "unchanged")
    by, reason = _why(new.clause, change, rules) if change != "unchanged" or moved else (None, None)
    if reworded and old.clause.provenance.source_fingerprint == new.clause.provenance.source_fingerprint:
        by, reason = None, SAME_SOURCE
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
        rule=rule_words(rules[new.clause.id]) if new.clause.id in rules else None,
        details=sorted(details),
        lines=_line_diffs(old_lines, new_lines) if reworded else [],
    )


def _term_differences(old: list[Line], new: list[Line]) -> Counter[str]:
    """The terms and details whose words (or link address) differ where both sides use them in the same place."""
    old_tokens = [token for line in old for token in line.tokens]
    new_tokens = [token for line in new for token in line.tokens]
    old_ids, new_ids = [t.identity for t in old_tokens], [t.identity for t in new_tokens]
    if old_ids == new_ids:  # the same words but for terms (the usual case): one block, no matching to do
        blocks = [(0, 0, len(old_ids))]
    else:
        blocks = SequenceMatcher(a=old_ids, b=new_ids, autojunk=False).get_matching_blocks()
    differences: Counter[str] = Counter()
    for a, b, size in blocks:
        for before, after in zip(old_tokens[a : a + size], new_tokens[b : b + size], strict=True):
            if (before.text, before.hidden) != (after.text, after.hidden):
                differences[_group_key(after.key or after.identity)] += 1
    return differences


def _why(clause: Clause, change: str, rules: dict[str, str]) -> tuple[str | None, str | None]:
    """Who made the difference and why: the operation that made *this* kind of difference (the profile that added a
    clause, not the one that later reworded it), or the core's own rule for a sector or optional clause."""
    history = clause.provenance.history
    matching = [entry for entry in history if OPERATION_TABLE[entry.action].explains == change]
    chosen = (matching[0] if change == "added" else matching[-1]) if matching else (history[-1] if history else None)
    if chosen is not None:
        return chosen.layer, chosen.reason
    rule = rules.get(clause.id)
    return CORE, (f"core clause {rule_words(rule)}" if rule else None)


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
    return _text_lines(clause.title, clause.blocks)


def _text_lines(title: list[Inline] | None, blocks: list[Block]) -> list[Line]:
    lines = [Line("title", tuple(_tokens(title)))] if title else []
    for block in blocks:
        lines.extend(_block_lines(block))
    return lines


def redline(
    old: tuple[list[Inline] | None, list[Block]] | None, new: tuple[list[Inline] | None, list[Block]] | None
) -> list[LineDiff]:
    """Two versions of one clause's text (title and blocks; None for no text), compared line by line and word by
    word: for showing what changed in the core since a review."""
    old_lines = _text_lines(*old) if old else []
    new_lines = _text_lines(*new) if new else []
    if not old_lines:
        return [_one_side(line, "insert") for line in new_lines]
    if not new_lines:
        return [_one_side(line, "delete") for line in old_lines]
    return _line_diffs(old_lines, new_lines)


def _block_lines(block: Block) -> Iterator[Line]:
    if isinstance(block, Paragraph):
        yield Line("paragraph", tuple(_tokens(block.inlines)))
    elif isinstance(block, Heading):
        yield Line("heading", tuple(_tokens(block.inlines)))
    elif isinstance(block, ListBlock):
        for number, item in enumerate(block.items, start=1):
            first = True
            for inner in item.blocks:
                for line in _block_lines(inner):
                    if line.kind == "paragraph":  # the item's own text carries its bullet or number, once
                        shown = number if block.ordered and first else None
                        line = Line("item", line.tokens, block.ordered and first, shown)
                        first = False
                    yield line
    elif isinstance(block, Table):
        for row in [block.header, *block.rows]:
            cells = [tuple(_tokens(cell)) for cell in row]
            separator = (Token(" | ", " | "),)
            yield Line("row", tuple(t for i, cell in enumerate(cells) for t in (separator if i else ()) + cell))


def _tokens(inlines: list[Inline] | None, link: str | None = None) -> Iterator[Token]:
    for node in inlines or []:
        if isinstance(node, Term):
            yield Token(f"\x00{node.key}\x00{node.form}\x00{node.capital}", node.text, key=node.key)
        elif isinstance(node, LineBreak):
            yield Token(" ", " ")
        elif isinstance(node, Link):
            yield _link_token(node)
            yield from _tokens(node.children)
        elif hasattr(node, "children"):
            yield from _tokens(node.children)  # type: ignore[union-attr]
        else:
            for word in WORD.findall(node.text):  # type: ignore[union-attr]
                yield Token(" " if word.isspace() else word, " " if word.isspace() else word)


def _link_token(link: Link) -> Token:
    """An invisible token for a link's address: around a term or detail, it belongs to the detail it comes from
    (a contact's name links to its email), so a new address is reported as that detail, not as reworded text."""
    term = next((node for node in link.children if isinstance(node, Term)), None)
    if term is None:
        return Token(f"\x00link\x00{link.url}", "", link.url)
    return Token(f"\x00link\x00{term.key}", "", link.url, _link_owner(term.key, link.url))


def _link_owner(key: str, url: str) -> str:
    parts = key.split(".")
    if parts[0] == "contact" and len(parts) > 2:
        detail = "email" if url.startswith("mailto:") else "phone" if url.startswith("tel:") else "url"
        return f"contact.{parts[1]}.{detail}"
    if parts[0] == "code":
        return "code.url"
    return key


def _text(line: Line | None) -> str:
    return "".join(token.text for token in line.tokens) if line else ""


def _line_diffs(old: list[Line], new: list[Line]) -> list[LineDiff]:
    matcher = SequenceMatcher(a=[line.identity for line in old], b=[line.identity for line in new], autojunk=False)
    result: list[LineDiff] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            result += [_same(before, after) for before, after in zip(old[a1:a2], new[b1:b2], strict=True)]
            continue
        for before, after in _align(old[a1:a2], new[b1:b2]):
            if before is not None and after is not None:
                result.append(_word_diff(before, after))
            elif before is not None:
                result.append(_one_side(before, "delete"))
            elif after is not None:
                result.append(_one_side(after, "insert"))
    return result


def _same(before: Line, after: Line) -> LineDiff:
    """A line whose words are the same but for terms or details: shown in the new side's words."""
    return LineDiff(kind=after.kind, op="equal", segments=[Segment(op="equal", text=_text(after))], number=after.number)


def _one_side(line: Line, op: str) -> LineDiff:
    return LineDiff(kind=line.kind, op=op, segments=[Segment(op=op, text=_text(line))], number=line.number)  # type: ignore[arg-type]


ALIGN_SHARE = 0.3  # lines sharing less than this (by characters) are not the same line reworded


def _align(old: list[Line], new: list[Line]) -> list[tuple[Line | None, Line | None]]:
    """Pair changed lines by content, not position, keeping both orders: deleting one bullet of five shows one
    deletion, not every later bullet deleted and inserted again."""
    score = [[0.0] * (len(new) + 1) for _ in range(len(old) + 1)]
    similar = [[_similarity(a, b) for b in new] for a in old]
    for i in range(len(old) - 1, -1, -1):
        for j in range(len(new) - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if similar[i][j] >= ALIGN_SHARE:
                best = max(best, score[i + 1][j + 1] + similar[i][j])
            score[i][j] = best
    pairs: list[tuple[Line | None, Line | None]] = []
    i = j = 0
    while i < len(old) or j < len(new):
        pair = i < len(old) and j < len(new) and similar[i][j] >= ALIGN_SHARE
        if pair and score[i][j] == score[i + 1][j + 1] + similar[i][j]:
            pairs.append((old[i], new[j]))
            i, j = i + 1, j + 1
            continue
        if i < len(old) and (j == len(new) or score[i][j] == score[i + 1][j]):
            pairs.append((old[i], None))
            i += 1
        else:
            pairs.append((None, new[j]))
            j += 1
    return _pair_leftovers(pairs)


def _pair_leftovers(pairs: list[tuple[Line | None, Line | None]]) -> list[tuple[Line | None, Line | None]]:
    """Between two matched lines, as many lines deleted as inserted, kind by kind, are one rewording each."""
    result: list[tuple[Line | None, Line | None]] = []
    gap: list[tuple[Line | None, Line | None]] = []
    for pair in [*pairs, (None, None)]:
        if (pair[0] is None) != (pair[1] is None):
            gap.append(pair)
            continue
        deleted = [old for old, _ in gap if old is not None]
        inserted = [new for _, new in gap if new is not None]
        if deleted and [line.kind for line in deleted] == [line.kind for line in inserted]:
            result += list(zip(deleted, inserted, strict=True))
        else:
            result += gap
        gap = []
        if pair != (None, None):
            result.append(pair)
    return result


def _similarity(old: Line, new: Line) -> float:
    if old.kind != new.kind:
        return 0.0
    return SequenceMatcher(a=_text(old), b=_text(new), autojunk=False).ratio()


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
        before, after = old.tokens[a1:a2], new.tokens[b1:b2]
        if op == "replace" and [t.text + t.hidden for t in before] == [t.text + t.hidden for t in after]:
            _append(segments, "equal", after)  # other terms with the same words: a reader sees no change
            continue
        _append(segments, "delete", before)
        _append(segments, "insert", after)
    raw = LineDiff(kind=new.kind, op="replace", segments=segments, number=new.number)
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


def _substitutions(old: Policy, new: Policy, found: Counter[str]) -> list[Substitution]:
    """One entry for each term or detail whose words differ in some clause both sides have; `found` counts the
    places, as the clause comparison met them."""
    old_words, new_words = _term_words(old), _term_words(new)
    labels = {f"term.{key}": label for key, label in {**old.core.term_labels, **new.core.term_labels}.items()}
    labels |= {
        f"contact.{contact.role}.{detail}": f"{contact.label}: {words}"
        for contact in [*old.contacts, *new.contacts]
        for detail, words in DETAIL_WORDS.items()
    }
    listed = [
        Substitution(
            key=key,
            label=labels.get(key) or _label(key),
            old=old_words.get(key),
            new=new_words.get(key),
            places=places,
            set_by=_set_by(new, key),
            old_set_by=_set_by(old, key),
        )
        for key, places in found.items()
    ]
    return sorted(listed, key=lambda s: (-s.places, s.key))


def _filled_in(baseline: Policy, policy: Policy) -> list[FilledIn]:
    """What the profiles fill in that the core has no words of its own for (the same on both sides of a comparison
    with the core), and which profile set each: the organisation's name, its code of conduct, channels, contacts."""
    code = policy.code_of_conduct
    items = [
        ("org.name", policy.organisation.name),
        ("org.short_name", policy.organisation.short_name),
        ("code.name", code.name),
        ("code.values", ", ".join(value.name for value in code.values)),
        ("channels", ", ".join(f"{channel.name} ({channel.platform})" for channel in policy.channels)),
    ]
    found = [
        FilledIn(key=key, label=_label(key), value=value, set_by=_set_by(policy, key) or CORE)
        for key, value in items
        if value
    ]
    for contact in policy.contacts:
        details = [getattr(contact, d) for d in ("name", "email", "phone", "url") if getattr(contact, d)]
        layers = [_set_by(policy, f"contact.{contact.role}.{d}") for d in ("name", "email", "phone", "url")]
        set_by = ", ".join(dict.fromkeys(layer for layer in layers if layer)) or CORE
        found.append(
            FilledIn(key=f"contact.{contact.role}", label=contact.label, value=", ".join(details), set_by=set_by)
        )
    return found


def _set_by(policy: Policy, key: str) -> str | None:
    """The profile that set a term or detail on this side; "core" for the core's own words."""
    if key.startswith("term."):
        forms = policy.terms.get(key.removeprefix("term."))
        return forms.set_by if forms else None
    if key.startswith("code."):
        return policy.set_by.get(key) or policy.set_by.get("code")
    if key.startswith("contact.") and key.count(".") == 1:
        return None
    return policy.set_by.get(key)


def _term_words(policy: Policy) -> dict[str, str]:
    """Each term's words (singular / plural) and every detail the text can use, from the policy itself."""
    words = {
        f"term.{key}": " / ".join(filter(None, (forms.singular, forms.plural))) for key, forms in policy.terms.items()
    }
    words |= {"org.name": policy.organisation.name, "org.short_name": policy.organisation.short_name}
    if policy.organisation.part_of:
        words["org.part_of"] = policy.organisation.part_of
    code = policy.code_of_conduct
    words |= {"code.name": code.name, "code.values": "; ".join(f"{v.name}: {v.meaning}" for v in code.values)}
    words["channels"] = ", ".join(
        f"{channel.name} ({channel.platform}, {channel.url}" + (f", {channel.handle})" if channel.handle else ")")
        for channel in policy.channels
    )
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


def _group_key(key: str) -> str:
    """Lists (code values, channels) are one substitution each, not one per item."""
    match = re.match(r"^(code\.values|channels)\.\d+\.", key)
    return match.group(1) if match else key


DETAIL_WORDS = {"name": "who", "email": "email", "phone": "phone", "url": "web address"}


def _label(key: str) -> str:
    labels = {
        "org.name": "The organisation's name",
        "org.short_name": "The organisation's short name",
        "org.part_of": "The organisation a unit is part of",
        "code.name": "The code of conduct",
        "code.values": "The code's values and what each means",
        "code.url": "The code of conduct's web address",
        "channels": "Official channels",
    }
    if key in labels:
        return labels[key]
    if key.startswith("document."):
        return "Document control: " + key.removeprefix("document.").replace("_", " ")
    return key.replace("_", " ").replace(".", ": ")


def _summary(clauses: list[ClauseDiff], substitutions: list[Substitution]) -> Summary:
    counts = Counter(clause.change for clause in clauses)
    return Summary(
        added=counts["added"],
        removed=counts["removed"],
        reworded=counts["reworded"],
        moved=sum(1 for clause in clauses if clause.moved),
        unchanged=counts["unchanged"],
        substitutions=len(substitutions),
    )
