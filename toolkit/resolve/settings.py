"""Everything but the clauses: a profile's chain merged field by field, checked for completeness and safety.

A child profile overrides what it says and inherits the rest. Each value remembers the layer that set it, so a
problem found only after merging (a missing file, unreadable colours) still names the file and line to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.load.assets import (
    FONT_STYLES,
    MAX_FONT_BYTES,
    bundled_font,
    check_contrast,
    check_png_image,
    check_size,
    check_svg,
    check_word_package,
    safe_path,
)
from toolkit.load.finding import _bundled_profiles
from toolkit.load.profiles import Layer
from toolkit.load.schema import KINDS, SECTOR_NAMES, FontSpec, LogoSpec, default_kind
from toolkit.model import (
    Branding,
    Channel,
    CodeOfConduct,
    CodeValue,
    Contact,
    DocumentControl,
    Font,
    Logo,
    Organisation,
    Settings,
    TermForms,
)
from toolkit.paths import TEMPLATES_DIR
from toolkit.resolve.core import Core


@dataclass(frozen=True)
class Setting:
    """A value and the profile layer (and field) that set it."""

    value: Any
    layer: Layer
    loc: tuple[str, ...]

    def where(self) -> dict[str, Any]:
        return {**self.layer.where(*self.loc), "field": ".".join(self.loc)}


NESTED = ("branding", "document", "code_of_conduct")
TOP = ("name", "short_name", "sector", "kind", "nation", "language", "channels")
# Approval is one unit: a profile that sets any of these does not inherit `effective_from` from a parent.
APPROVAL = ("version", "approved_by", "approved_on", "effective_from", "review_by")


def collect(chain: list[Layer]) -> dict[tuple[str, ...], Setting]:
    """The latest setting of every field across the chain, keyed by its path."""
    latest: dict[tuple[str, ...], Setting] = {}
    for layer in chain:
        spec = layer.spec
        for name in TOP:
            if name in spec.model_fields_set:
                latest[(name,)] = Setting(getattr(spec, name), layer, (name,))
        for key, value in spec.terminology.items():
            latest[("terminology", key)] = Setting(value, layer, ("terminology", key))
        for role, value in spec.contacts.items():
            _collect_contact(latest, layer, role, value)
        if set(APPROVAL) & spec.document.model_fields_set:
            latest.pop(("document", "effective_from"), None)
        for group in NESTED:
            part = getattr(spec, group)
            for name in part.model_fields_set if part is not None else ():
                latest[(group, name)] = Setting(getattr(part, name), layer, (group, name))
    return latest


def _collect_contact(latest: dict[tuple[str, ...], Setting], layer: Layer, role: str, value: Any) -> None:
    """Contacts merge detail by detail (a new email keeps the inherited name); `null` drops the whole contact."""
    if value is None:
        for path in [path for path in latest if path[:2] == ("contacts", role)]:
            del latest[path]
    latest[("contacts", role)] = Setting(value, layer, ("contacts", role))
    for detail in value.model_fields_set if value is not None else ():
        latest[("contacts", role, detail)] = Setting(getattr(value, detail), layer, ("contacts", role, detail))


class _Merger:
    def __init__(self, chain: list[Layer], core: Core, project_root: Path) -> None:
        self.chain, self.core, self.leaf = chain, core, chain[-1]
        self.latest = collect(chain)
        self.roots = [project_root, TEMPLATES_DIR]
        self.problems: list[Problem] = []

    def get(self, *path: str, default: Any = None) -> Any:
        setting = self.latest.get(path)
        return default if setting is None or setting.value is None else setting.value

    def require(self, *path: str) -> Any:
        value = self.get(*path)
        if value is None:
            inherited = " or a profile it extends" if len(self.chain) > 1 else ""
            self.problems.append(
                Problem(f"is required; set it in this profile{inherited}", file=self.leaf.path, field=".".join(path))
            )
        return value

    def fail(self, message: str, setting: Setting | None, **extra: Any) -> None:
        where = setting.where() if setting else {"file": self.leaf.path}
        self.problems.append(Problem(message, **{**where, **extra}))

    def guard(self, check: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return check(*args, **kwargs)
        except ToolkitError as error:
            self.problems.extend(error.problems)
            return None


def merge_settings(chain: list[Layer], core: Core, project_root: Path) -> Settings:
    merger = _Merger(chain, core, project_root)
    organisation = _organisation(merger)
    terms = _terms(merger)
    contacts = _contacts(merger)
    code = _code_of_conduct(merger)
    branding = _branding(merger)
    document = _document(merger)
    if merger.problems:
        raise ToolkitError(merger.problems)
    title = merger.get("document", "title", default=core.title)
    channels = [Channel(**channel.model_dump()) for channel in merger.get("channels", default=[])]
    return Settings(
        organisation=organisation,  # type: ignore[arg-type]
        language=merger.get("language", default=core.language),
        title=title,
        terms=terms,
        contacts=contacts,
        channels=channels,
        code_of_conduct=code,  # type: ignore[arg-type]
        branding=branding,  # type: ignore[arg-type]
        document=document,  # type: ignore[arg-type]
        set_by=_set_by(merger),
    )


def _set_by(merger: _Merger) -> dict[str, str]:
    """Which profile set each detail the text can show, so a diff can say which layer a difference comes from."""
    keys = {
        ("name",): "org.name",
        ("short_name",): "org.short_name",
        ("code_of_conduct",): "code",
        ("channels",): "channels",
    }
    found: dict[str, str] = {}
    for path, setting in merger.latest.items():
        if path in keys:
            found[keys[path]] = setting.layer.name
        elif path[0] == "contacts" and len(path) == 3:
            found[f"contact.{path[1]}.{path[2]}"] = setting.layer.name
        elif path[0] == "document" and len(path) == 2:
            found[f"document.{path[1]}"] = setting.layer.name
        elif path[0] == "code_of_conduct" and len(path) == 2:  # inherited field by field, so set field by field
            found[f"code.{path[1]}"] = setting.layer.name
    if "org.short_name" not in found and "org.name" in found:
        found["org.short_name"] = found["org.name"]
    return dict(sorted(found.items()))


def _organisation(merger: _Merger) -> Organisation | None:
    name, sector, nation = merger.require("name"), merger.require("sector"), merger.require("nation")
    if None in (name, sector, nation):
        return None
    kind = merger.get("kind", default=default_kind(sector))
    if KINDS[kind][0] != sector:
        others = [other for other, (owner, _) in KINDS.items() if owner == sector]
        merger.fail(
            f"`{kind}` is a kind of {SECTOR_NAMES[KINDS[kind][0]]}, but this profile's sector is `{sector}`",
            merger.latest.get(("kind",)) or merger.latest.get(("sector",)),
            hint="kinds for this sector: " + ", ".join(others),
        )
        return None
    short_name = merger.get("short_name", default=name)
    return Organisation(
        name=name, short_name=short_name, sector=sector, nation=nation, kind=kind, part_of=_part_of(merger, name)
    )


def _part_of(merger: _Merger, name: str) -> str | None:
    """The organisation a unit is part of, when the text's word for the organisation ("the Authority") names that
    one and not the unit: a ranger service that keeps its authority's word must not read as the Authority itself.

    The word names the first organisation (not a bundled sector profile) from the profile that gave it onwards.
    """
    chain = merger.chain
    setters = [i for i, layer in enumerate(chain) if "organisation" in layer.spec.terminology]
    start = setters[-1] if setters else 0
    for earlier in reversed(setters[:-1]):  # a profile repeating its parent's word does not make the word its own
        if _organisation_word(chain[earlier]) != _organisation_word(chain[start]):
            break
        start = earlier
    sectors = _bundled_profiles()
    named = next((i for i in range(start, len(chain)) if chain[i].name not in sectors), None)
    if named is None or named == len(chain) - 1:
        return None
    owner = next((layer.spec.name for layer in reversed(chain[: named + 1]) if layer.spec.name), None)
    return owner if owner and owner != name else None


def _organisation_word(layer: Layer) -> str:
    return layer.spec.terminology["organisation"].singular.lower()


def _code_of_conduct(merger: _Merger) -> CodeOfConduct | None:
    """Merged field by field, as contacts are: a profile may give only `values:` and keep the inherited name."""
    name, values = merger.require("code_of_conduct", "name"), merger.require("code_of_conduct", "values")
    if name is None or values is None:
        return None
    url = merger.get("code_of_conduct", "url")
    return CodeOfConduct(name=name, url=url, values=[CodeValue(**value.model_dump()) for value in values])


def _terms(merger: _Merger) -> dict[str, TermForms]:
    terms = {key: TermForms(singular=spec.singular, plural=spec.plural) for key, spec in merger.core.terms.items()}
    for (_, key), setting in _group(merger, "terminology"):
        spec = merger.core.terms.get(key)
        if key in merger.core.moved_terms:
            where = merger.core.moved_terms[key]
            merger.fail(
                f"is no longer a term: the guidance names the contact for this role, so set `{where}.name` instead "
                "(one name and one address for each team)",
                setting,
            )
            continue
        if spec is None:
            merger.fail(
                "is not a term the guidance uses",
                setting,
                hint=did_you_mean(key, merger.core.terms) or "terms: " + ", ".join(merger.core.terms),
            )
            continue
        override = setting.value
        if spec.plural is not None and override.plural is None:
            merger.fail(f"the guidance also uses the plural (core: “{spec.plural}”); give `plural:` as well", setting)
            continue
        terms[key] = TermForms(singular=override.singular, plural=override.plural, set_by=setting.layer.name)
    return terms


def _group(merger: _Merger, group: str) -> list[tuple[tuple[str, str], Setting]]:
    """The group's entries by key (`contacts.press`), not their details (`contacts.press.email`)."""
    return [(p, setting) for p, setting in merger.latest.items() if p[0] == group and len(p) == 2]  # type: ignore[misc]


def _contacts(merger: _Merger) -> list[Contact]:
    roles = merger.core.contact_roles
    given: dict[str, Contact] = {}
    for (_, role), setting in _group(merger, "contacts"):
        if role not in roles:
            hint = did_you_mean(role, roles) or "roles: " + ", ".join(roles)
            merger.fail("is not a contact role", setting, hint=hint)
        elif setting.value is not None:
            details = {d: merger.get("contacts", role, d) for d in ("name", "email", "phone", "url")}
            if details["name"] is None:
                merger.fail("needs a `name:` (a team or a person), here or in a profile this one extends", setting)
            else:
                given[role] = Contact(role=role, label=roles[role], **details)
    for role in merger.core.required_contacts:
        if role not in given and ("contacts", role, "name") not in merger.latest:
            where = merger.latest[("contacts", role)].where() if ("contacts", role) in merger.latest else {}
            merger.problems.append(
                Problem(
                    f"is required (the guidance tells readers when to contact {roles[role].lower()})",
                    **{"file": merger.leaf.path, **where, "field": f"contacts.{role}"},
                )
            )
    return [given[role] for role in roles if role in given]


def _branding(merger: _Merger) -> Branding | None:
    defaults = merger.core.branding
    colours = {
        name: merger.get("branding", name, default=defaults[name])
        for name in ("primary_colour", "text_colour", "background_colour")
    }
    background = colours["background_colour"]
    for name, what in (("text_colour", "text"), ("primary_colour", "headings, links and the cover band")):
        merger.guard(
            check_contrast,
            colours[name],
            background,
            what,
            **_where(merger, ("branding", name), ("branding", "background_colour")),
        )
    logo = _logo(merger)
    font = _font(merger)
    template = _word_template(merger)
    if None in (font, template):
        return None
    return Branding(**colours, logo=logo, font=font, word_template=template)


def _where(merger: _Merger, *paths: tuple[str, ...]) -> dict[str, Any]:
    for path in paths:
        if path in merger.latest:
            return merger.latest[path].where()
    return {"file": merger.leaf.path, "field": ".".join(paths[0])}


def _logo(merger: _Merger) -> Logo | None:
    setting = merger.latest.get(("branding", "logo"))
    if setting is None or setting.value is None:
        return None
    spec: LogoSpec = setting.value
    base = setting.layer.path.parent
    roots = [*merger.roots, base]
    png = merger.guard(safe_path, spec.png, base, roots, (".png",), **_field(setting, "png"))
    if png:
        merger.guard(check_png_image, png, **_field(setting, "png"))
    svg = None
    if spec.svg:
        svg = merger.guard(safe_path, spec.svg, base, roots, (".svg",), **_field(setting, "svg"))
        if svg:
            merger.guard(check_svg, svg, **_field(setting, "svg"))
    if not spec.decorative and not spec.alt:
        merger.fail("a logo needs `alt:` text (what it shows, usually the name), or `decorative: true`", setting)
    return Logo(png=png, svg=svg, alt=None if spec.decorative else spec.alt) if png else None


def _field(setting: Setting, name: str) -> dict[str, Any]:
    """Where one detail of a setting is (`branding.logo.png`), for a problem about that detail."""
    return {**setting.layer.where(*setting.loc, name), "field": ".".join([*setting.loc, name])}


def _font(merger: _Merger) -> Font | None:
    setting = merger.latest.get(("branding", "font"))
    if setting is None or setting.value is None:
        return bundled_font(merger.core.branding["font"])
    spec: FontSpec = setting.value
    given = {style: getattr(spec, style) for style in FONT_STYLES if getattr(spec, style)}
    if not given:
        return merger.guard(bundled_font, spec.name, **setting.where())
    if "regular" not in given:
        merger.fail("a font of your own needs at least its `regular` file", setting)
        return None
    base = setting.layer.path.parent
    files = {
        style: merger.guard(safe_path, path, base, [*merger.roots, base], (".ttf", ".otf"), **_field(setting, style))
        for style, path in given.items()
    }
    if None in files.values():
        return None
    for style, path in files.items():
        if not merger.guard(check_size, path, MAX_FONT_BYTES, "20 MiB", "a font file", **_field(setting, style)):
            return None
    return Font(name=spec.name, files={style: files.get(style, files["regular"]) for style in FONT_STYLES})


def _word_template(merger: _Merger) -> Path | None:
    setting = merger.latest.get(("branding", "word_template"))
    if setting is None or setting.value is None:
        return TEMPLATES_DIR / merger.core.branding["word_template"]
    base = setting.layer.path.parent
    path = merger.guard(safe_path, setting.value, base, [*merger.roots, base], (".docx",), **setting.where())
    return merger.guard(check_word_package, path, **setting.where()) if path is not None else None


def _document(merger: _Merger) -> DocumentControl | None:
    required = ("owner", "version", "review_by")
    values = {name: merger.require("document", name) for name in required}
    approval = {name: merger.get("document", name) for name in ("approved_by", "approved_on")}
    if (approval["approved_by"] is None) != (approval["approved_on"] is None):
        given, missing = (
            ("approved_by", "approved_on") if approval["approved_on"] is None else ("approved_on", "approved_by")
        )
        merger.fail(
            f"give `{missing}` with `{given}` (or neither, while it is not yet approved)",
            merger.latest[("document", given)],
        )
        return None
    if None in values.values():
        return None
    values.update(approval)
    if values["approved_on"] is not None and values["review_by"] <= values["approved_on"]:
        merger.fail(
            f"the review date ({values['review_by']}) must come after approval ({values['approved_on']})",
            merger.latest[("document", "review_by")],
        )
        return None
    optional = {name: merger.get("document", name) for name in ("effective_from", "classification")}
    return DocumentControl(**values, **optional)
