"""Finding and loading profile files, and the chain of profiles each one extends."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from toolkit.errors import Problem, ToolkitError, did_you_mean
from toolkit.inputs import once
from toolkit.load.fields import field_name
from toolkit.load.finding import (
    PROFILE_SUFFIXES,
    _bundled_profiles,
    find_in_folder,
    known_profiles,
    profile_name,
)
from toolkit.load.schema import (
    FONT_NAME_PATTERN,
    OPERATIONS,
    PROFILE_NAME_PATTERN,
    SECTION_ID_PATTERN,
    BrandingSpec,
    CodeOfConduct,
    DocumentSpec,
    ProfileFile,
    operation_kind,
)
from toolkit.load.yamlio import load_plain, load_yaml, locate, locate_key, plain, read_text
from toolkit.paths import CORE_DIR

MAX_DEPTH = 16


@dataclass(frozen=True)
class Layer:
    """One profile file, validated, with its raw data kept for line numbers."""

    name: str
    path: Path
    data: Any
    spec: ProfileFile

    def where(self, *loc: str | int) -> dict[str, Any]:
        """`file`, `line` and `column` for a Problem about the field at `loc`."""
        line, column = locate(self.data, loc)
        return {"file": self.path, "line": line, "column": column}

    def field(self, *loc: str | int) -> str:
        return field_name(loc, self.data)


def load_layer(path: Path) -> Layer:
    """One profile file, parsed once per process while its bytes are unchanged (its parents serve many children).

    Keyed by the content's hash, not the modification time: a file rewritten within one clock tick (the hub saves
    and resolves at once) is never served stale. Reading is cheap; parsing and validating are what is saved.
    Inside one command (`toolkit.inputs.looked_at_once`) even the reading is done once.
    """
    return once("profile", str(path), lambda: _layer_of_content(path))


def _layer_of_content(path: Path) -> Layer:
    text = read_text(path)  # size-capped and checked; its errors are the file's
    key = (str(path.resolve()), str(path), hashlib.sha256(text.encode()).hexdigest())
    if key not in _layers:
        _layers[key] = _read_layer(path)
    return _layers[key]


_layers: dict[tuple[str, str, str], Layer] = {}


def _read_layer(path: Path) -> Layer:
    if path.name.endswith(".lock.yaml"):  # `validate profiles/*.yaml` takes them in
        raise ToolkitError(
            Problem(
                "is a lock file that `review` writes beside a profile, not a profile",
                file=path,
                hint=f"give the profile itself ({path.name.removesuffix('.lock.yaml')}.yaml); `check` reads its lock",
            )
        )
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ToolkitError(Problem("a profile must be a mapping of fields (name: ..., sector: ...)", file=path, line=1))
    try:
        spec = ProfileFile.model_validate(plain(data))
    except ValidationError as error:
        raise ToolkitError([_problem(path, data, item) for item in error.errors()]) from None
    return Layer(profile_name(path), path, data, spec)


def load_chain(path: Path, profiles_dir: Path | None) -> list[Layer]:
    """The profile and everything it extends, the most general first.

    A parent is found by name: beside the profile, then in the profiles folder, then among the bundled sectors.
    """
    chain = [load_layer(path)]
    while (parent := chain[-1].spec.extends) is not None:
        child = chain[-1]
        names = [layer.name for layer in chain]
        if parent in names:
            cycle = " → ".join([*names, parent])
            raise ToolkitError(
                Problem(f"profiles extend each other in a circle: {cycle}", field="extends", **child.where("extends"))
            )
        if len(chain) >= MAX_DEPTH:
            raise ToolkitError(
                Problem(f"extends more than {MAX_DEPTH} profiles deep", field="extends", **child.where("extends"))
            )
        chain.append(load_layer(_parent_path(parent, child, profiles_dir)))
    return list(reversed(chain))


def _parent_path(parent: str, child: Layer, profiles_dir: Path | None) -> Path:
    beside = [child.path.parent / f"{parent}{suffix}" for suffix in PROFILE_SUFFIXES]
    for candidate in beside:
        if candidate.is_file():
            return candidate
    in_folder = find_in_folder(parent, profiles_dir) if profiles_dir is not None and profiles_dir.is_dir() else None
    if in_folder is not None:
        return in_folder
    if parent in _bundled_profiles():
        return _bundled_profiles()[parent]
    known = {name: path for name, path in known_profiles(profiles_dir).items() if name != child.name}  # not itself
    hint = did_you_mean(parent, known) or ("profiles: " + ", ".join(sorted(known)) if known else None)
    raise ToolkitError(
        Problem(
            f"extends `{parent}`, but there is no profile of that name",
            field="extends",
            hint=hint,
            **child.where("extends"),
        )
    )


# Validation errors, located --------------------------------------------------------------------------------------


def _problem(path: Path, data: Any, error: Any) -> Problem:
    loc = _data_loc(error["loc"])
    line, column = locate(data, loc)
    field = field_name(loc, data)
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _fields_at(ProfileFile, loc[:-1], data)
        hint = (
            _misplaced(str(loc[-1]), loc)
            or did_you_mean(str(loc[-1]), known)
            or ("allowed here: " + ", ".join(known) if known else None)
        )
        line, column = locate_key(data, loc)
        return Problem("unknown field", file=path, line=line, column=column, field=field, hint=hint)
    if kind == "missing":
        return Problem("is required here", file=path, line=line, column=column, field=field)
    hint = None
    if _is_section_removal(loc, error):
        message = f"`{error['input']}` is a section, and `remove:` takes one clause"
        hint = f"to leave out a whole section, write `exclude: {error['input']}` with its `reason:`"
        return Problem(message, file=path, line=line, column=column, field=field, hint=hint)
    if loc[-1:] == ("text",) and kind in ("too_short", "string_too_short") and not error.get("input"):
        hint = "if its words are on the lines below `text: |`, indent them further than `text:` itself"
    if loc[:1] == ("contacts",) and len(loc) == 2 and loc[1] in ("name", "email", "phone", "url"):
        hint = f"`{loc[1]}` is a detail of a contact: indent it under the contact it belongs to, such as `hr:`"
    return Problem(problem_message(error), file=path, line=line, column=column, field=field, hint=hint)


def _misplaced(name: str, loc: tuple[str | int, ...]) -> str | None:
    """Why an unknown field is probably an indentation mistake: a sentence that was meant to be text under `text: |`,
    or a top-level name that belongs inside another field (`social_media:` out of `contacts:`)."""
    if _looks_like_prose(name):
        return (
            "this looks like a sentence, not a field name: the text under `text: |` must be indented further than "
            "`text:` itself, every line of it"
        )
    if len(loc) == 3 and loc[0] == "contacts" and name in _nested_fields()["contacts"]:
        return f"`{name}` is a contact role of its own: line it up with `{loc[1]}:`, under `contacts:`"
    if len(loc) != 1:
        return None
    homes = [home for home, names in _nested_fields().items() if name in names]
    if not homes:
        return None
    if homes == ["clauses"]:
        return f"`{name}:` starts a change to the guidance: write it as an item under `clauses:` (`  - {name}: ...`)"
    where = " or ".join(f"`{home}:`" for home in homes)
    return f"`{name}` belongs inside {where}: indent it under {where} by two more spaces"


def _looks_like_prose(name: str) -> bool:
    """Several words, or words and punctuation: no field name has either."""
    words = name.split()
    return len(words) >= 3 or (len(words) == 2 and re.search(r"[,.;!?'’]", name) is not None)


@cache
def _nested_fields() -> dict[str, frozenset[str]]:
    """The names that belong one level down, by the top-level field they belong in: contact roles and terms from the
    bundled core's manifest, and the fields of the groups in the schema."""
    manifest = load_plain(CORE_DIR / "core.yaml")
    return {
        "contacts": frozenset(manifest.get("contact_roles", {})),
        "terminology": frozenset(manifest.get("terms", {})),
        "branding": frozenset(BrandingSpec.model_fields),
        "document": frozenset(DocumentSpec.model_fields),
        "code_of_conduct": frozenset(CodeOfConduct.model_fields) - set(ProfileFile.model_fields),
        "clauses": frozenset(OPERATIONS),
    }


def _is_section_removal(loc: tuple[str | int, ...], error: Any) -> bool:
    """`remove: confidentiality`: a section's ID where a clause's belongs."""
    return (
        loc[:1] == ("clauses",)
        and loc[-1] == "remove"
        and error["type"] == "string_pattern_mismatch"
        and isinstance(error["input"], str)
        and re.fullmatch(SECTION_ID_PATTERN, error["input"]) is not None
    )


def _data_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """pydantic's loc without the tags it adds for unions (`clauses.0.replace...`, `function-before[...]`)."""
    cleaned: list[str | int] = []
    for index, part in enumerate(loc):
        after_item = index >= 2 and isinstance(loc[index - 1], int) and loc[index - 2] == "clauses"
        if (after_item and part in OPERATIONS) or (isinstance(part, str) and ("[" in part or "function-" in part)):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _looks_like_a_date(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


FRIENDLY = {
    "model_type": "expected its own indented fields here (such as `name:`), not a single value; check that the lines "
    "below it are indented under it",
    "model_attributes_type": "expected its own indented fields here, not a single value; check the indentation",
    "dict_type": "expected indented `key: value` lines here, not a single value; check the indentation",
    "list_type": "expected a list here: one `- ` line per item, indented under it",
    "date_from_datetime_parsing": "write dates as year-month-day, for example 2026-09-15",
    "date_parsing": "write dates as year-month-day, for example 2026-09-15",
    "date_type": "write dates as year-month-day, for example 2026-09-15",
    "string_type": "expected text here, not a list or a group of fields",
    "bool_type": "expected true or false",
}


def problem_message(error: Any) -> str:
    """A pydantic error in plain words (shared with the lock-file reader)."""
    if error["type"] in ("date_from_datetime_parsing", "date_parsing") and _looks_like_a_date(error.get("input")):
        return f"`{error['input']}` is written year-month-day, but there is no such date (check the month and day)"
    if error["type"] in FRIENDLY:
        return FRIENDLY[error["type"]]
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error["type"] == "string_pattern_mismatch":
        return f"`{error['input']}` is not in the expected form ({_pattern_words(error['ctx']['pattern'])})"
    if error["type"] in ("string_too_long", "too_long") and isinstance(error.get("input"), str):
        limit = error["ctx"]["max_length"]
        length = len(error["input"])
        return f"is {length:,} characters long; the limit is {limit} (what Word's document properties hold)"
    if error["type"] in ("too_short", "string_too_short"):
        return "must not be empty" if not error.get("input") else message[:1].lower() + message[1:]
    if error["type"] == "literal_error":
        return f"`{error['input']}` is not allowed; expected {error['ctx']['expected']}"
    return message[:1].lower() + message[1:]


def _pattern_words(pattern: str) -> str:
    if pattern == FONT_NAME_PATTERN:
        return "a font name is letters, digits, spaces, hyphens and underscores, at most 63 characters"
    if pattern == PROFILE_NAME_PATTERN:
        return "`extends:` takes a profile's name, such as `local-council`, never a path"
    if "#" in pattern:
        return "a colour as #rrggbb"
    if r"\." in pattern and "[a-z]{2,3}" not in pattern:
        return "lower-case words joined by dots, such as `principles.credible`"
    if "[a-z]{2,3}" in pattern:
        return "a language tag such as en-GB"
    return "lower-case letters, digits and hyphens"


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...], data: Any) -> list[str]:
    """The field names allowed at `loc`, for 'did you mean' on unknown fields."""
    current: Any = model
    node = plain(data)
    for part in loc:
        node = node[part] if isinstance(node, dict | list) and _has(node, part) else None
        if isinstance(part, int):
            if current is _OperationFields:
                kind = operation_kind(node)
                current = OPERATIONS.get(kind or "", None)
            continue
        current = current.model if isinstance(current, _Named) else _field_model(current, part)
        if current is None:
            return []
    if current is _OperationFields:
        return list(OPERATIONS)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


class _OperationFields:
    """Stands for the union of clause operations while walking field names."""


@dataclass(frozen=True)
class _Named:
    """Stands for a mapping of names of the user's choosing to one kind of entry (`contacts: {press: ...}`)."""

    model: type[BaseModel]


def _has(node: Any, part: str | int) -> bool:
    return (isinstance(node, dict) and part in node) or (
        isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
    )


def _field_model(model: Any, name: str) -> Any:
    if model is None or not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    if model is ProfileFile and name == "clauses":
        return _OperationFields
    field = model.model_fields.get(name)
    if field is None:
        return None
    entry = _first_model(field.annotation)
    return _Named(entry) if entry is not None and _is_mapping(field.annotation) else entry


def _is_mapping(annotation: Any) -> bool:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return get_origin(annotation) is dict


def _first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()) or ():
        found = _first_model(argument)
        if found is not None:
            return found
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found = _first_model(meta)
        if found is not None:
            return found
    return None
