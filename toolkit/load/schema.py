"""What a profile file may say, as pydantic models: every field described, unknown fields refused.

A file is one layer: every field is optional here, because a profile inherits what it does not say. Whether the
merged result is complete (a name, a sector, document control...) is checked when resolving.
"""

from __future__ import annotations

import re
from datetime import date
from functools import reduce
from operator import or_
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, field_validator

Sector = Literal["central_government", "local_government", "nhs", "fire_and_rescue", "police"]
Nation = Literal["england", "wales", "scotland", "northern_ireland", "uk"]
SECTOR_NAMES = {
    "central_government": "central government department",
    "local_government": "local council",
    "nhs": "NHS body",
    "fire_and_rescue": "fire and rescue service",
    "police": "police force",
}
# Kinds of body within a sector, where the guidance differs between them; the first is the sector's default.
KINDS: dict[str, tuple[str, str]] = {
    "department": ("central_government", "a government department or executive agency"),
    "council": ("local_government", "a county, district, borough, unitary or metropolitan council"),
    "parish_council": ("local_government", "a parish or town council (England), a community or town council (Wales)"),
    "nhs_trust": ("nhs", "an NHS trust: a board, no council of governors"),
    "foundation_trust": ("nhs", "an NHS foundation trust: members and a council of governors"),
    "fire_and_rescue_authority": ("fire_and_rescue", "a fire and rescue authority and its service"),
    "police_force": ("police", "a police force: officers, police staff and volunteers"),
}
Kind = Literal[
    "department",
    "council",
    "parish_council",
    "nhs_trust",
    "foundation_trust",
    "fire_and_rescue_authority",
    "police_force",
]


def default_kind(sector: str) -> str:
    """The kind a profile in `sector` is unless it says otherwise."""
    return next(kind for kind, (owner, _) in KINDS.items() if owner == sector)


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


Text = Annotated[str, BeforeValidator(_text_not_float)]


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


LANGUAGES = ("cy", "en")  # the languages the toolkit has labels for (templates/i18n)


def _localised(value: str | dict[str, str]) -> str | dict[str, str]:
    """Words in one form for every language, or one per language: `{cy: Tîm cyfathrebu, en: Communications team}`."""
    if isinstance(value, str):
        return _non_blank(value)
    if not value:
        raise ValueError("give the words, or one form per language such as `{cy: ..., en: ...}`")
    for language, words in value.items():
        if language not in LANGUAGES:
            raise ValueError(f"`{language}` is not a language the toolkit knows; use " + ", ".join(LANGUAGES))
        _non_blank(words)
    return value


Words = Annotated[Text | dict[str, Text], AfterValidator(_localised)]


def _fits_property(value: Any) -> Any:
    """Word's document properties (title, author) hold at most MAX_PROPERTY characters: refused here, not in build."""
    for form in value.values() if isinstance(value, dict) else [value]:
        if isinstance(form, str) and len(form) > MAX_PROPERTY:
            raise ValueError(
                f"is {len(form):,} characters long; the limit is {MAX_PROPERTY} (what Word's document properties hold)"
            )
    return value


PropertyWords = Annotated[Words, AfterValidator(_fits_property)]
Language = Annotated[str, Field(description="A language code: " + ", ".join(LANGUAGES))]
ClauseId = Annotated[str, Field(pattern=CLAUSE_ID_PATTERN, description="A clause ID such as `principles.credible`.")]
ClauseId = Annotated[str, Field(pattern=CLAUSE_ID_PATTERN, description="A clause ID such as `principles.credible`.")]
SectionId = Annotated[str, Field(pattern=SECTION_ID_PATTERN, description="A section ID such as `principles`.")]
AnyId = Annotated[str, Field(pattern=ID_PATTERN, description="A clause or section ID.")]
Reason = Annotated[
    Words, Field(description="Why: recorded in the documents' notes and shown by diff; may be `{cy: ..., en: ...}`.")
]
Colour = Annotated[str, Field(pattern=COLOUR_PATTERN, description="A colour as #rrggbb.")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _terms_shorthand(value: Any) -> Any:
    return {"singular": value} if isinstance(value, str) else value


class TermOverride(Strict):
    """A term's words. Give `plural` whenever the core uses the plural (`validate` says which do)."""

    singular: Words
    plural: Words | None = None


class ContactDetails(Strict):
    """A contact's details. A profile inherits each detail it does not give; `email: null` drops an inherited one."""

    name: Words | None = Field(None, description="A team or a person, as readers should see it.")
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
    name: Words
    platform: Words = Field(description="e.g. Bluesky, Facebook, LinkedIn, YouTube, a blog.")
    url: str = Field(description="The channel's https:// address.")
    handle: Text | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _https(value) or value


class CodeValue(Strict):
    name: Words
    meaning: Words


class CodeOfConduct(Strict):
    """Each field is inherited unless given, as contacts' details are; `values` replaces the inherited list."""

    name: Words | None = Field(None, description="e.g. the Civil Service Code.")
    url: str | None = None
    values: list[CodeValue] | None = Field(None, min_length=1, description="Replaces the inherited list.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _https(value)


class LogoSpec(Strict):
    png: str = Field(description="PNG file (Word needs one), relative to this profile's folder.")
    svg: str | None = Field(None, description="Optional SVG for HTML and PDF.")
    alt: Words | None = Field(None, description="Alternative text; required unless decorative.")
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
    primary_colour: Colour | None = Field(
        None,
        description="Headings, links and the cover band, as `#rrggbb`; it must have at least 4.5:1 contrast with "
        "the background (WCAG AA), or the build stops and says by how much it falls short.",
        examples=["#1d70b8"],
    )
    text_colour: Colour | None = Field(
        None, description="The body text colour, `#rrggbb`; the same contrast rule applies.", examples=["#0b0c0c"]
    )
    background_colour: Colour | None = Field(None, description="The page colour, `#rrggbb`.", examples=["#ffffff"])
    logo: LogoSpec | None = Field(
        None,
        description="`png` (needed for Word), optional `svg` (used in HTML and PDF), `alt` text, "
        "or `decorative: true`.",
        examples=[{"png": "assets/logo.png", "alt": "Millbrook District Council"}],
    )
    font: Annotated[FontSpec | None, BeforeValidator(_font_shorthand)] = Field(
        None,
        description="`Noto Sans` (default) or `Noto Serif`, or your own: "
        "`{name: ..., regular: file.ttf, bold: ..., italic: ..., bold_italic: ...}`; a name is letters, digits, "
        "spaces, hyphens and underscores.",
        examples=["Noto Serif"],
    )
    word_template: str | None = Field(
        None,
        description='Your house Word template (.docx), made from the default (see "Your own Word template").',
        examples=["assets/house-template.docx"],
    )


class DocumentSpec(Strict):
    title: PropertyWords | None = Field(None, description="Replaces the core title.")
    owner: Words | None = None
    version: Text | None = Field(None, min_length=1, max_length=MAX_PROPERTY)
    approved_by: Words | None = None
    approved_on: date | None = None
    effective_from: date | None = None
    review_by: date | None = None
    classification: Words | None = None


# Clause operations: each is a mapping whose first word says what it does. ------------------------------------------
# One class per operation, with `action` naming it; `resolve/operations.py` has its method and its words.


OPERATIONS: dict[str, type[ClauseOperation]] = {}  # by action, in the order the classes below are defined


class ClauseOperation(Strict):
    """A change a profile makes to the guidance. `action` is the key it is written with and the word provenance
    records; every subclass that sets it is an operation profiles may use."""

    action: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "action" in cls.__dict__:
            OPERATIONS[cls.action] = cls

    def targets(self) -> list[str]:
        """The IDs this operation acts on: one operation per ID per profile."""
        return [getattr(self, self.action)]


class _Placed(ClauseOperation):
    before: AnyId | None = Field(None, description="Put it before this clause (or section).")
    after: AnyId | None = Field(None, description="Put it after this clause (or section).")


class ReplaceClause(ClauseOperation):
    action: ClassVar[str] = "replace"
    replace: ClauseId
    title: Text | None = None
    text: Text = Field(min_length=1, description="Markdown; {org.name} and {term.staff} are replaced.")
    reason: Reason | None = None


class RemoveClause(ClauseOperation):
    action: ClassVar[str] = "remove"
    remove: ClauseId
    reason: Reason


class NewClause(Strict):
    id: ClauseId
    title: Text | None = None
    text: Text = Field(min_length=1)


class AddClause(_Placed):
    action: ClassVar[str] = "add"
    add: ClauseId
    section: SectionId | None = Field(None, description="Add at the end of this section.")
    title: Text | None = None
    text: Text = Field(min_length=1)
    reason: Reason | None = None


class AddSection(_Placed):
    action: ClassVar[str] = "add_section"
    add_section: SectionId
    title: Text = Field(min_length=1)
    clauses: list[NewClause] = Field(min_length=1)
    reason: Reason | None = None

    def targets(self) -> list[str]:
        return [self.add_section, *(clause.id for clause in self.clauses)]


class MoveClause(_Placed):
    action: ClassVar[str] = "move"
    move: ClauseId
    section: SectionId | None = Field(None, description="Move to the end of this section.")
    reason: Reason | None = None


class IncludeClause(ClauseOperation):
    action: ClassVar[str] = "include"
    include: AnyId
    reason: Reason | None = None


class ExcludeClause(ClauseOperation):
    action: ClassVar[str] = "exclude"
    exclude: AnyId
    reason: Reason


def operation_kind(value: Any) -> str | None:
    if isinstance(value, ClauseOperation):
        return value.action
    if isinstance(value, dict):
        kinds = [key for key in OPERATIONS if key in value]
        return kinds[0] if len(kinds) == 1 else None
    return None


Operation = Annotated[
    reduce(or_, (Annotated[cls, Tag(action)] for action, cls in OPERATIONS.items())),
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
        description="The profile this one builds on, by name: its file name without `.yaml`, never a path (looked "
        "up beside this file, "
        "then anywhere under `profiles/`, then among the bundled sector profiles).",
        examples=["local-council"],
    )
    description: Text | None = Field(
        None, description="One line on what this profile is, shown by `list`.", examples=["A district council."]
    )
    name: PropertyWords | None = Field(
        None,
        description="The organisation's full name; one form per language if it has several: `{cy: ..., en: ...}`.",
        examples=["Millbrook District Council"],
    )
    short_name: PropertyWords | None = Field(
        None,
        description="The organisation's short name, for your own clause text (`{org.short_name}`) and the Word "
        "file's keywords; the core's text uses `name` and `terminology.organisation`, not this.",
        examples=["Millbrook Council"],
    )
    sector: Sector | None = Field(
        None,
        description="`central_government`, `local_government`, `nhs`, `fire_and_rescue` or `police`: brings in the "
        "sector's own clauses.",
        examples=["local_government"],
    )
    kind: Kind | None = Field(
        None,
        description="The kind of body within its sector, where the guidance differs: "
        + ", ".join(f"`{kind}`" for kind in KINDS)
        + " (the first of its sector unless set).",
        examples=["foundation_trust"],
    )
    nation: Nation | None = Field(
        None,
        description="`england`, `wales`, `scotland`, `northern_ireland` or `uk`: "
        "brings in clauses for that nation (`wales`: the Welsh language clause) and leaves out others'.",
        examples=["england"],
    )
    language: str | None = Field(
        None,
        pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$",
        description="The documents' language tag, default `en-GB`.",
        examples=["en-GB", "cy-GB"],
    )
    languages: list[Literal["cy", "en"]] | None = Field(
        None,
        min_length=1,
        description="The languages to publish in, in display order: one document per language, "
        "`NAME.cy.html`, `NAME.en.html`, ...; translations in `translations/NAME.LANG.po`.",
        examples=[["cy", "en"]],
    )
    allow_untranslated: bool | None = Field(
        None,
        description="Build while translation is in progress: clauses without a current translation appear in "
        "English, each marked. Leave it out before publishing.",
        examples=[True],
    )
    terminology: dict[str, Annotated[TermOverride, BeforeValidator(_terms_shorthand)]] = Field(
        {},
        description="The words the guidance uses; a term used in the plural needs both forms: "
        "`staff: {singular: officer, plural: officers}`. Terms: `staff`, `organisation`, `leadership`, `code`, "
        "`manager`, `public`, `person_served`, `commissioner`, `concerns_policy`, `photo_policy`, `records_policy`, "
        "`disciplinary`, `election_period`, `public_servant` (described in `toolkit/templates/core/core.yaml`). "
        'Some are whole phrases, used as they stand: `public` is "the public" (so `public: residents and '
        "patients`, not `resident`), and `code` is how running text names your code of conduct: give it the same "
        "words as `code_of_conduct.name` (*At a glance* uses it). "
        "Teams are not terms (running text names them by their contacts).",
        examples=[{"staff": {"singular": "council officer", "plural": "council officers"}}],
    )
    contacts: dict[str, ContactDetails | None] = Field(
        {},
        description="By role: `press`, `social_media`, `data_protection`, `foi`, `it_security`, `hr`, "
        "`nominated_officer`, `monitoring_officer`, `caldicott_guardian`, `speak_up_guardian`, `welsh_language`; "
        "each with `name` and any of `email`, `phone`, `url` (`https://`). Details are inherited one by one: "
        "giving only `email:` keeps the inherited name; `phone: null` drops an inherited phone number; "
        "`press: null` drops the whole contact. Running text names each team by its contact, so write names as a "
        'sentence reads them ("the press office", "human resources").',
        examples=[{"press": {"name": "the press office", "email": "press@millbrook.example"}}],
    )
    channels: list[ChannelSpec] | None = Field(
        None,
        description="The official accounts: a list of `name`, `platform`, `url`, optional `handle`. "
        "Replaces the inherited list.",
        examples=[[{"name": "Millbrook news", "platform": "Blog", "url": "https://news.millbrook.example"}]],
    )
    code_of_conduct: CodeOfConduct | None = Field(
        None,
        description='`name` (as running text names it, e.g. "the Civil Service Code"), optional `url`, '
        "and `values`: a list of `name` and `meaning`. Inherited field by field; `values` replaces the inherited list. "
        "Give `terminology.code` the same words: the two are separate settings.",
        examples=[
            {
                "name": "the Millbrook employee code",
                "values": [{"name": "Integrity", "meaning": "put the public interest first."}],
            }
        ],
    )
    branding: BrandingSpec = Field(BrandingSpec(), description="Colours, logo, font and Word template.")
    document: DocumentSpec = Field(
        DocumentSpec(),
        description="`title` (replaces the core's), `owner`, `version`, `approved_by`, `approved_on`, "
        "`effective_from`, `review_by`, `classification`. Dates as `2026-12-01`. Approval is one unit: "
        "`approved_by` and `approved_on` go together (neither: not yet approved), a profile that sets any approval "
        "field does not inherit `effective_from`, and `validate` names approval fields still inherited.",
        examples=[
            {
                "owner": "Head of Communications",
                "version": "1.0",
                "approved_by": "Corporate Management Team",
                "approved_on": "2026-12-01",
                "review_by": "2027-12-01",
            }
        ],
    )
    clauses: list[Operation] = Field(
        [],
        description='Changes to the guidance, applied in order (see "Changing clauses").',
        examples=[[{"include": "official.emergencies", "reason": "We run the out-of-hours incident rota."}]],
    )


# The same models, described for editors and for the README -------------------------------------------------------

SCHEMA_ID = "https://policy-toolkit.example/profile.schema.json"
EXPANDED_FIELDS = ("branding",)  # shown field by field in the README's table


def json_schema() -> dict[str, Any]:
    """A JSON Schema for profile files, for editors (`# yaml-language-server: $schema=...`): the same models that
    validate profiles, so completion and checks in an editor match `validate`."""
    schema = ProfileFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "policy-toolkit profile",
    }


def field_rows() -> list[tuple[str, str]]:
    """(field, description) for every profile field, nested ones written `branding.logo`, in the models' order."""
    rows = []
    for name, info in ProfileFile.model_fields.items():
        if name in EXPANDED_FIELDS:
            nested = info.annotation
            assert isinstance(nested, type) and issubclass(nested, BaseModel)
            rows += [(f"{name}.{sub}", sub_info.description or "") for sub, sub_info in nested.model_fields.items()]
        else:
            rows.append((name, info.description or ""))
    return rows


def field_table() -> str:
    """The README's profile reference table (Markdown), generated so that it cannot drift from the models."""
    lines = ["| field | what it is |", "| --- | --- |"]
    lines += [f"| `{name}` | {_cell(description)} |" for name, description in field_rows()]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").rstrip(".")
