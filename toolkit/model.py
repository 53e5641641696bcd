"""The resolved document: what every renderer and the differ read, and nothing else.

Text is already parsed (Markdown is read once, while resolving). Substituted words stay visible as `Term`
nodes, so a renderer prints the profile's word and the differ can tell a substitution from a rewrite. Removed and
excluded clauses stay in the model with their reason; renderers skip them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Inlines -----------------------------------------------------------------------------------------------------------


class Text(_Node):
    kind: Literal["text"] = "text"
    text: str


class Term(_Node):
    """A word from the profile: a term (`term.staff`), a name (`org.name`) or a detail (`contact.x.email`)."""

    kind: Literal["term"] = "term"
    key: str
    form: Literal["singular", "plural", "value"] = "value"
    capital: bool = False
    text: str


class Emphasis(_Node):
    kind: Literal["emphasis"] = "emphasis"
    children: list[Inline]


class Strong(_Node):
    kind: Literal["strong"] = "strong"
    children: list[Inline]


class Code(_Node):
    kind: Literal["code"] = "code"
    text: str


class Link(_Node):
    """Only `https:`, `mailto:` and `tel:` links reach the model."""

    kind: Literal["link"] = "link"
    url: str
    children: list[Inline]


class LineBreak(_Node):
    kind: Literal["break"] = "break"


Inline = Annotated[Text | Term | Emphasis | Strong | Code | Link | LineBreak, Field(discriminator="kind")]


# Blocks ------------------------------------------------------------------------------------------------------------


class Paragraph(_Node):
    kind: Literal["paragraph"] = "paragraph"
    inlines: list[Inline]


class Heading(_Node):
    """A sub-heading inside a clause (level 4); section and clause titles are not blocks."""

    kind: Literal["heading"] = "heading"
    level: int
    inlines: list[Inline]


class ListItem(_Node):
    blocks: list[Block]


class ListBlock(_Node):
    kind: Literal["list"] = "list"
    ordered: bool
    items: list[ListItem]


class Table(_Node):
    """The first row is the header row."""

    kind: Literal["table"] = "table"
    header: list[list[Inline]]
    rows: list[list[list[Inline]]]


Block = Annotated[Paragraph | Heading | ListBlock | Table, Field(discriminator="kind")]


# Provenance --------------------------------------------------------------------------------------------------------

ClauseStatus = Literal["unchanged", "replaced", "added", "removed", "excluded", "included", "moved"]
CORE = "core"


class Change(_Node):
    """One operation a profile applied to a clause, as recorded in the profile."""

    layer: str  # the profile's name
    action: str  # the operation, as written in the profile: a key of `resolve.operations.OPERATION_TABLE`
    reason: str | None = None
    file: str | None = None
    line: int | None = None
    fingerprint: str | None = None  # of the operation as written, so a later edit to it can be noticed


class Provenance(_Node):
    """Where a clause came from and what happened to it on the way."""

    origin: str  # "core", or the profile that added it
    status: ClauseStatus
    changed_by: str | None = None  # the profile whose operation decided the status
    reason: str | None = None
    moved: bool = False
    history: list[Change] = []
    core_fingerprint: str | None = None  # of the core clause's template, when it comes from the core
    source_fingerprint: str  # of the text the clause was rendered from (core template or profile text)


class Clause(_Node):
    id: str
    title: list[Inline] | None = None
    blocks: list[Block]
    source: str  # the template or profile text the clause was rendered from
    provenance: Provenance
    untranslated: Literal["missing", "stale"] | None = None  # shown in English in another language's document

    @property
    def visible(self) -> bool:
        return self.provenance.status not in ("removed", "excluded")


class Section(_Node):
    id: str
    title: list[Inline]
    clauses: list[Clause]
    origin: str = CORE

    @property
    def visible_clauses(self) -> list[Clause]:
        return [clause for clause in self.clauses if clause.visible]


# The policy --------------------------------------------------------------------------------------------------------


class Organisation(_Node):
    name: str
    short_name: str
    sector: str
    nation: str
    kind: str = ""  # the kind of body within the sector (schema.KINDS); empty only in models built by hand
    part_of: str | None = None  # a unit's organisation, when the text's word for the organisation names that one


class TermForms(_Node):
    singular: str
    plural: str | None = None
    set_by: str = CORE


class Contact(_Node):
    role: str  # key, e.g. "press"
    label: str  # from the core, e.g. "Press and media enquiries"
    name: str
    email: str | None = None
    phone: str | None = None
    url: str | None = None


class Channel(_Node):
    name: str
    platform: str
    url: str
    handle: str | None = None


class Logo(_Node):
    png: Path
    svg: Path | None = None
    alt: str | None = None  # None only when decorative


class Font(_Node):
    name: str
    generic: str = "sans-serif"  # the CSS fallback family
    files: dict[str, Path]  # TrueType by style: regular, italic, bold, bold_italic
    web: dict[str, Path] = {}  # lighter WOFF2 files for HTML, when the family has them


class Branding(_Node):
    primary_colour: str
    text_colour: str
    background_colour: str
    logo: Logo | None = None
    font: Font
    word_template: Path

    @property
    def assets(self) -> frozenset[Path]:
        """The font and logo files the page renderers read: all a PDF may open, and part of a build's cache key."""
        files = set(self.font.files.values())
        if self.logo is not None:
            files.add(self.logo.png)
            if self.logo.svg is not None:
                files.add(self.logo.svg)
        return frozenset(files)


class CodeValue(_Node):
    name: str
    meaning: str


class CodeOfConduct(_Node):
    name: str
    url: str | None = None
    values: list[CodeValue]


class DocumentControl(_Node):
    owner: str
    version: str
    approved_by: str | None = None  # both or neither: a model or a draft is not yet approved
    approved_on: date | None = None
    review_by: date
    effective_from: date | None = None
    classification: str | None = None


class Settings(_Node):
    """What a profile chain settles besides clauses: the organisation's words, people, branding and approval."""

    title: str
    language: str
    organisation: Organisation
    terms: dict[str, TermForms]
    contacts: list[Contact]
    channels: list[Channel]
    code_of_conduct: CodeOfConduct
    branding: Branding
    document: DocumentControl
    set_by: dict[str, str] = {}  # detail key (`org.name`, `contact.press.email`, `code`, `channels`) -> its profile


class CoreInfo(_Node):
    """What the differ and checks need to know of the core a policy was resolved against, so they read no other."""

    version: str
    folder: Path  # the core guidance folder the policy was resolved against
    order: list[str] = []  # every core clause ID in the core's order
    term_labels: dict[str, str] = {}  # term key -> a short description, for difference lists
    rules: dict[str, str] = {}  # clause ID -> when it applies ("only for nhs"), for clauses that do not always


class Policy(Settings):
    """One organisation's tailored guidance, resolved: the single input of every renderer."""

    profile: str  # the profile's name
    chain: list[str]  # from the sector profile down to this one
    chain_names: dict[str, str] = {}  # each profile in the chain by the organisation name it gives (or inherits)
    subtitle: str
    core: CoreInfo
    sections: list[Section]
    languages: list[str] = []  # every language the profile publishes in, in display order (BCP 47 tags)
    labels: dict[str, str] = {}  # the profile's own translations of renderer labels, over the bundled catalogue
    missing_translations: dict[str, str] = {}  # unit ID -> "missing" or "stale", in a language other than English

    @property
    def core_version(self) -> str:
        return self.core.version

    @property
    def settings(self) -> Settings:
        return Settings(**{name: getattr(self, name) for name in Settings.model_fields})

    @property
    def visible_sections(self) -> list[Section]:
        return [section for section in self.sections if section.visible_clauses]

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.organisation.name}"


def plain_text(inlines: list[Inline] | None) -> str:
    """The words a reader sees, without formatting: for titles, metadata and tests."""
    return "".join(_inline_text(node) for node in inlines or [])


def _inline_text(node: Inline) -> str:
    if isinstance(node, Text | Term | Code):
        return node.text
    if isinstance(node, LineBreak):
        return "\n"
    return plain_text(node.children)


def block_text(blocks: list[Block]) -> str:
    """All the words of some blocks, one paragraph or item a line."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph | Heading):
            lines.append(plain_text(block.inlines))
        elif isinstance(block, ListBlock):
            lines.extend(block_text(item.blocks) for item in block.items)
        else:
            lines.extend(" | ".join(plain_text(cell) for cell in row) for row in [block.header, *block.rows])
    return "\n".join(lines)


for _model in (Emphasis, Strong, Link, ListItem, ListBlock, Paragraph, Heading, Table, Clause, Section, Policy):
    _model.model_rebuild()
