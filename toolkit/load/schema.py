"""What a profile file may say, as pydantic models: every field described, unknown fields refused.

A file is one layer: every field is optional here, because a profile inherits what it does not say. Whether the
merged result is complete (a name, a sector, document control...) is checked when resolving.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, field_validator

Sector = Literal["central_government", "local_government", "nhs"]
Nation = Literal["england", "wales", "scotland", "northern_ireland", "uk"]
SECTOR_NAMES = {
    "central_government": "central government department",
    "local_government": "local council",
    "nhs": "NHS trust",
}

ID_PATTERN = r"^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$"
CLAUSE_ID_PATTERN = r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$"
SECTION_ID_PATTERN = r"^[a-z][a-z0-9-]*$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
# A font's name goes into Word's XML, CSS and the PDF's font dictionary: letters, digits, spaces and hyphens only.
FONT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,62}$"
# What a name may be called by `extends:`: a profile's file name without .yaml, never a path.
PROFILE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
MAX_PROPERTY = 255  # Word's document properties (title, author, version) hold at most 255 characters
LINK_SCHEMES = ("https://", "mailto:", "tel:")


def _text_not_float(value: Any) -> Any:
    """YAML reads 2.10 as the number 2.1; refuse rather than lose the zero."""
    if isinstance(value, float):
        raise ValueError("write this value in quotes (YAML reads it as a number and may change it, e.g. 2.10 → 2.1)")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, BeforeValidator(_text_not_float)]
ClauseId = Annotated[str, Field(pattern=CLAUSE_ID_PATTERN, description="A clause ID such as `principles.credible`.")]
SectionId = Annotated[str, Field(pattern=SECTION_ID_PATTERN, description="A section ID such as `principles`.")]
AnyId = Annotated[str, Field(pattern=ID_PATTERN, description="A clause or section ID.")]
Reason = Annotated[str, Field(min_length=1, description="Why: recorded in the documents' notes and shown by diff.")]
Colour = Annotated[str, Field(pattern=COLOUR_PATTERN, description="A colour as #rrggbb.")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _terms_shorthand(value: Any) -> Any:
    return {"singular": value} if isinstance(value, str) else value


class TermOverride(Strict):
    """A term's words. Give `plural` whenever the core uses the plural (`validate` says which do)."""

    singular: Text = Field(min_length=1)
    plural: Text | None = Field(None, min_length=1)


class ContactDetails(Strict):
    """A contact's details. A profile inherits each detail it does not give; `email: null` drops an inherited one."""

    name: Text | None = Field(None, min_length=1, description="A team or a person, as readers should see it.")
    email: str | None = Field(None, description="An email address.")
    phone: Text | None = Field(None, description="A phone number.")
    url: str | None = Field(None, description="An https:// web page.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", value):
            raise ValueError(f"`{value}` is not an email address")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _https(value)


def _https(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"https://[^\s<>\"]+", value):
        raise ValueError(f"`{value}` is not an https:// address")
    return value


class ChannelSpec(Strict):
    name: Text = Field(min_length=1)
    platform: Text = Field(min_length=1, description="e.g. Bluesky, Facebook, LinkedIn, YouTube, a blog.")
    url: str = Field(description="The channel's https:// address.")
    handle: Text | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _https(value) or value


class CodeValue(Strict):
    name: Text = Field(min_length=1)
    meaning: Text = Field(min_length=1)


class CodeOfConduct(Strict):
    name: Text = Field(min_length=1, description="e.g. the Civil Service Code.")
    url: str | None = None
    values: list[CodeValue] = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _https(value)


class LogoSpec(Strict):
    png: str = Field(description="PNG file (Word needs one), relative to this profile's folder.")
    svg: str | None = Field(None, description="Optional SVG for HTML and PDF.")
    alt: Text | None = Field(None, min_length=1, description="Alternative text; required unless decorative.")
    decorative: bool = False


class FontSpec(Strict):
    name: Text = Field(
        min_length=1,
        pattern=FONT_NAME_PATTERN,
        description="A bundled family (see templates/fonts/fonts.yaml) or your own.",
    )
    regular: str | None = None
    italic: str | None = None
    bold: str | None = None
    bold_italic: str | None = None


def _font_shorthand(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class BrandingSpec(Strict):
    primary_colour: Colour | None = Field(None, description="Headings, links and the cover band.")
    text_colour: Colour | None = None
    background_colour: Colour | None = None
    logo: LogoSpec | None = None
    font: Annotated[FontSpec | None, BeforeValidator(_font_shorthand)] = None
    word_template: str | None = Field(None, description="Your house Word template (.docx), made from the default.")


class DocumentSpec(Strict):
    title: Text | None = Field(None, min_length=1, max_length=MAX_PROPERTY, description="Replaces the core title.")
    owner: Text | None = Field(None, min_length=1)
    version: Text | None = Field(None, min_length=1, max_length=MAX_PROPERTY)
    approved_by: Text | None = Field(None, min_length=1)
    approved_on: date | None = None
    effective_from: date | None = None
    review_by: date | None = None
    classification: Text | None = Field(None, min_length=1)


# Clause operations: each is a mapping whose first word says what it does. ------------------------------------------


class _Placed(Strict):
    before: AnyId | None = Field(None, description="Put it before this clause (or section).")
    after: AnyId | None = Field(None, description="Put it after this clause (or section).")


class ReplaceClause(Strict):
    replace: ClauseId
    title: Text | None = None
    text: Text = Field(min_length=1, description="Markdown; {org.name} and {term.staff} are replaced.")
    reason: Text | None = None


class RemoveClause(Strict):
    remove: ClauseId
    reason: Reason


class NewClause(Strict):
    id: ClauseId
    title: Text | None = None
    text: Text = Field(min_length=1)


class AddClause(_Placed):
    add: ClauseId
    section: SectionId | None = Field(None, description="Add at the end of this section.")
    title: Text | None = None
    text: Text = Field(min_length=1)
    reason: Text | None = None


class AddSection(_Placed):
    add_section: SectionId
    title: Text = Field(min_length=1)
    clauses: list[NewClause] = Field(min_length=1)
    reason: Text | None = None


class MoveClause(_Placed):
    move: ClauseId
    section: SectionId | None = Field(None, description="Move to the end of this section.")
    reason: Text | None = None


class IncludeClause(Strict):
    include: AnyId
    reason: Text | None = None


class ExcludeClause(Strict):
    exclude: AnyId
    reason: Reason


OPERATIONS: dict[str, type[Strict]] = {
    "replace": ReplaceClause,
    "remove": RemoveClause,
    "add": AddClause,
    "add_section": AddSection,
    "move": MoveClause,
    "include": IncludeClause,
    "exclude": ExcludeClause,
}


def operation_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return next(key for key, cls in OPERATIONS.items() if isinstance(value, cls))
    if isinstance(value, dict):
        kinds = [key for key in OPERATIONS if key in value]
        return kinds[0] if len(kinds) == 1 else None
    return None


Operation = Annotated[
    Annotated[ReplaceClause, Tag("replace")]
    | Annotated[RemoveClause, Tag("remove")]
    | Annotated[AddClause, Tag("add")]
    | Annotated[AddSection, Tag("add_section")]
    | Annotated[MoveClause, Tag("move")]
    | Annotated[IncludeClause, Tag("include")]
    | Annotated[ExcludeClause, Tag("exclude")],
    Discriminator(
        operation_kind,
        custom_error_type="operation",
        custom_error_message="each item must start with exactly one of: " + ", ".join(OPERATIONS),
    ),
]


class ProfileFile(Strict):
    """One profile file. Everything is optional: what a profile does not say, it inherits."""

    extends: Text | None = Field(
        None,
        pattern=PROFILE_NAME_PATTERN,
        description="The profile this one builds on, by name (its file name without .yaml), never a path.",
    )
    description: Text | None = Field(None, description="One line on what this profile is, shown by `list`.")
    name: Text | None = Field(None, min_length=1, max_length=MAX_PROPERTY, description="The organisation's full name.")
    short_name: Text | None = Field(None, min_length=1, max_length=MAX_PROPERTY)
    sector: Sector | None = None
    nation: Nation | None = None
    language: str | None = Field(None, pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$", description="e.g. en-GB, cy-GB.")
    terminology: dict[str, Annotated[TermOverride, BeforeValidator(_terms_shorthand)]] = {}
    contacts: dict[str, ContactDetails | None] = Field(
        {}, description="By role (press, social_media, data_protection, ...); null removes an inherited one."
    )
    channels: list[ChannelSpec] | None = Field(None, description="Replaces the inherited list as a whole.")
    code_of_conduct: CodeOfConduct | None = None
    branding: BrandingSpec = BrandingSpec()
    document: DocumentSpec = DocumentSpec()
    clauses: list[Operation] = Field([], description="Changes to the guidance, applied in order.")
