"""The words a profile supplies, as objects the core templates can print and profile text can name.

Printing one of these never puts the profile's text into Markdown: it records a model node (a `Term`, or a `Link`
around one) in a slot table and prints a private-use marker that the Markdown reader swaps back for the node. So a
contact called `*Jane*` or `{{ 7*7 }}` reaches the documents exactly as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from toolkit.errors import did_you_mean
from toolkit.i18n import ENGLISH
from toolkit.i18n import format_date as i18n_format_date
from toolkit.model import (
    Channel,
    CodeOfConduct,
    Contact,
    DocumentControl,
    Inline,
    Link,
    Organisation,
    Term,
    TermForms,
    Text,
)

SLOT_OPEN, SLOT_CLOSE = "\ue000", "\ue001"
SLOT = re.compile(f"{SLOT_OPEN}(\\d+){SLOT_CLOSE}")
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_]+(?:\.[a-z0-9_]+)+)\}(?!\})")


class VocabularyError(Exception):
    """A template or profile text named something the vocabulary does not have (one message per thing)."""

    @property
    def messages(self) -> list[str]:
        return [str(arg) for arg in self.args] or [type(self).__name__]

    def __str__(self) -> str:
        return "; ".join(self.messages)


@dataclass
class Slots:
    """Nodes waiting to replace their markers after Markdown is parsed; one table per piece of text."""

    nodes: list[Inline] = field(default_factory=list)

    def add(self, node: Inline) -> str:
        self.nodes.append(node)
        return f"{SLOT_OPEN}{len(self.nodes) - 1}{SLOT_CLOSE}"


class _Printable:
    """Base for values that print through the slot table."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary

    def _slot(self, node: Inline) -> str:
        return self._vocabulary.slots.add(node)


class TermRef(_Printable):
    def __init__(
        self, vocabulary: Vocabulary, key: str, forms: TermForms, form: str = "singular", capital: bool = False
    ) -> None:
        super().__init__(vocabulary)
        self._key, self._forms, self._form, self._capital = key, forms, form, capital

    @property
    def plural(self) -> TermRef:
        if self._forms.plural is None:
            raise VocabularyError(f"term `{self._key}` has no plural form; give `plural:` for it")
        return TermRef(self._vocabulary, self._key, self._forms, "plural", self._capital)

    @property
    def cap(self) -> TermRef:
        return TermRef(self._vocabulary, self._key, self._forms, self._form, True)

    @property
    def text(self) -> str:
        words = self._forms.plural if self._form == "plural" else self._forms.singular
        return capitalise(words or "") if self._capital else words or ""

    def __str__(self) -> str:
        return self._slot(Term(key=f"term.{self._key}", form=self._form, capital=self._capital, text=self.text))  # type: ignore[arg-type]


def capitalise(words: str) -> str:
    return words[:1].upper() + words[1:]


class Value(_Printable):
    """A single value from the profile; prints as a Term, or a Link when it is an address."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        key: str,
        value: str | date | None,
        link: str | None = None,
        capital: bool = False,
    ) -> None:
        super().__init__(vocabulary)
        self._key, self._value, self._link, self._capital = key, value, link, capital

    @property
    def cap(self) -> Value:
        """The value with its first letter capitalised, for the start of a sentence or list item."""
        return Value(self._vocabulary, self._key, self._value, self._link, capital=True)

    def __bool__(self) -> bool:
        return self._value is not None and self._value != ""

    def __eq__(self, other: object) -> bool:
        return self._value == (other._value if isinstance(other, Value) else other)

    def __hash__(self) -> int:
        return hash(self._value)

    @property
    def text(self) -> str:
        if self._value is None:
            raise VocabularyError(f"`{self._key}` is not set in the profile")
        if isinstance(self._value, date):
            text = format_date(self._value, self._vocabulary.language)
        else:
            text = str(self._value)
        return capitalise(text) if self._capital else text

    def __str__(self) -> str:
        term = Term(key=self._key, text=self.text, capital=self._capital)
        return self._slot(Link(url=self._link, children=[term]) if self._link else term)


def format_date(value: date, language: str = ENGLISH) -> str:
    """`1 September 2026` (`1 Medi 2026` in Welsh), the same whatever the machine's locale."""
    return i18n_format_date(value, language)


class Namespace:
    """Attribute access for templates (`org.name`), refusing unknown names with a suggestion."""

    def __init__(self, name: str, members: dict[str, object]) -> None:
        self._name, self._members = name, members

    def __getattr__(self, attribute: str) -> object:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return self[attribute]

    def __getitem__(self, key: str) -> object:
        if key not in self._members:
            names = [f"{self._name}.{member}" for member in self._members]
            hint = did_you_mean(f"{self._name}.{key}", names) or "known: " + ", ".join(sorted(names))
            raise VocabularyError(f"`{self._name}.{key}` is unknown; {hint}")
        return self._members[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def names(self) -> list[str]:
        return list(self._members)

    def get(self, key: str) -> object:
        return self._members.get(key)


def running_name(name: str) -> str:
    """A contact's name as a sentence reads it: a leading "The" becomes "the" ("tell the press office")."""
    return "the" + name[3:] if name.startswith("The ") else name


class ContactRef(Namespace, _Printable):
    """A contact the profile gives. Prints its name as a sentence reads it, linked to its email or web page."""

    def __init__(self, vocabulary: Vocabulary, contact: Contact) -> None:
        _Printable.__init__(self, vocabulary)
        key = f"contact.{contact.role}"
        link = f"mailto:{contact.email}" if contact.email else contact.url
        Namespace.__init__(
            self,
            key,
            {
                "role": contact.label,
                "name": Value(vocabulary, f"{key}.name", running_name(contact.name)),
                "cap": Value(vocabulary, f"{key}.name", running_name(contact.name), capital=True),
                "listed": Value(vocabulary, f"{key}.name", contact.name, link, capital=True),
                "email": Value(vocabulary, f"{key}.email", contact.email, f"mailto:{contact.email}"),
                "phone": Value(vocabulary, f"{key}.phone", contact.phone, tel_url(contact.phone)),
                "url": Value(vocabulary, f"{key}.url", contact.url, contact.url),
            },
        )
        self._contact = contact

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        contact = self._contact
        link = f"mailto:{contact.email}" if contact.email else contact.url
        return str(Value(self._vocabulary, f"contact.{contact.role}.name", running_name(contact.name), link))


class MissingContact(Namespace):
    """A role the core knows but the profile does not give: false in `{% if %}`, no details.

    Core text that names the role anyway prints the core's words for it ("the Welsh language officer") as a term
    keyed to the contact, so the text still reads right and `validate` can warn that readers have no way to reach
    them. Profile text may not name a missing contact (`Vocabulary.lookup` refuses it).
    """

    def __init__(self, vocabulary: Vocabulary, role: str, words: str) -> None:
        key = f"contact.{role}"
        name = Value(vocabulary, f"{key}.name", words)
        details = {detail: Value(vocabulary, f"{key}.{detail}", None) for detail in ("email", "phone", "url")}
        super().__init__(key, {"name": name, "cap": name.cap, **details})
        self._role, self._name = role, name

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return str(self._name)


def tel_url(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"[^\d+]", "", phone)
    return f"tel:{digits}" if digits else None


class Vocabulary:
    """Everything the core templates can name, for one organisation."""

    def __init__(
        self,
        organisation: Organisation,
        terms: dict[str, TermForms],
        contacts: list[Contact],
        contact_roles: dict[str, str],
        contact_words: dict[str, str],
        channels: list[Channel],
        code: CodeOfConduct,
        document: DocumentControl,
        core_version: str,
        language: str = ENGLISH,
    ) -> None:
        self.slots = Slots()
        self.language = language
        given = {contact.role: ContactRef(self, contact) for contact in contacts}
        self.namespaces: dict[str, Namespace] = {
            "org": Namespace(
                "org",
                {
                    "name": Value(self, "org.name", organisation.name),
                    "short_name": Value(self, "org.short_name", organisation.short_name),
                    "part_of": Value(self, "org.part_of", organisation.part_of),
                    "sector": organisation.sector,
                    "nation": organisation.nation,
                    "kind": organisation.kind,
                },
            ),
            "term": Namespace("term", {key: TermRef(self, key, forms) for key, forms in terms.items()}),
            "contact": Namespace(
                "contact",
                {
                    role: given.get(role) or MissingContact(self, role, contact_words.get(role, label.lower()))
                    for role, label in contact_roles.items()
                },
            ),
            "code": Namespace(
                "code",
                {
                    "name": Value(self, "code.name", code.name),
                    "url": Value(self, "code.url", code.url, code.url),
                    "link": Value(self, "code.name", code.name, code.url),
                    "values": [
                        Namespace(
                            f"code.values[{i}]",
                            {
                                "name": Value(self, f"code.values.{i}.name", value.name),
                                "meaning": Value(self, f"code.values.{i}.meaning", value.meaning),
                            },
                        )
                        for i, value in enumerate(code.values)
                    ],
                },
            ),
            "document": Namespace(
                "document",
                {
                    name: Value(self, f"document.{name}", getattr(document, name))
                    for name in DocumentControl.model_fields
                },
            ),
            "core": Namespace("core", {"version": core_version}),
        }
        self.contacts = list(given.values())
        self.channels = [self._channel(index, channel) for index, channel in enumerate(channels)]

    def _channel(self, index: int, channel: Channel) -> Namespace:
        key = f"channels.{index}"
        link = Value(self, f"{key}.name", channel.name, channel.url)
        return Namespace(
            key,
            {
                "name": Value(self, f"{key}.name", channel.name),
                "platform": Value(self, f"{key}.platform", channel.platform),
                "url": Value(self, f"{key}.url", channel.url, channel.url),
                "handle": Value(self, f"{key}.handle", channel.handle),
                "link": link,
            },
        )

    def template_context(self) -> dict[str, object]:
        return {**self.namespaces, "contacts": self.contacts, "channels": self.channels}

    def fresh_slots(self) -> Slots:
        self.slots = Slots()
        return self.slots

    # Profile text: `{org.name}`-style placeholders, resolved here, never by a template engine. ---------------

    def substitute(self, text: str) -> str:
        """Profile text with placeholders and stray marker characters turned into slots, ready for Markdown.

        Every unknown placeholder is reported (in one `VocabularyError` whose `messages` lists them), not just the
        first, so one run shows all there are to fix."""
        text = re.sub(f"[{SLOT_OPEN}{SLOT_CLOSE}]", lambda m: self.slots.add(Text(text=m.group())), text)
        messages: list[str] = []

        def replace(match: re.Match[str]) -> str:
            try:
                return str(self.lookup(match.group(1)))
            except VocabularyError as error:
                messages.append(str(error))
                return match.group()

        result = PLACEHOLDER.sub(replace, text)
        if messages:
            raise VocabularyError(*messages)
        return result

    def lookup(self, path: str) -> object:
        """The value of a documented placeholder; any other name (`{org.name.__class__}`) is unknown.

        Checked against the closed list first, so that attribute access can never reach a Python object.
        """
        parts = path.split(".")
        if parts[0] not in ("org", "term", "contact", "code", "document") or parts[0:2] == ["code", "values"]:
            raise VocabularyError(f"`{{{path}}}` is not a placeholder; " + self._suggest(path))
        if path not in self.placeholder_names():
            raise VocabularyError(f"`{{{path}}}` is not a known placeholder; " + self._suggest(path))
        value: object = self.namespaces[parts[0]]
        if parts[0] == "contact" and isinstance(self.namespaces["contact"].get(parts[1]), MissingContact):
            raise VocabularyError(f"the profile gives no `contacts.{parts[1]}`")
        try:
            for part in parts[1:]:
                value = getattr(value, part)
        except (AttributeError, VocabularyError):
            raise VocabularyError(f"`{{{path}}}` is not a known placeholder; " + self._suggest(path)) from None
        if isinstance(value, Namespace) and not isinstance(value, ContactRef):
            raise VocabularyError(f"`{{{path}}}` names a group, not a value; " + self._suggest(path))
        return value

    def _suggest(self, path: str) -> str:
        names = [f"{{{name}}}" for name in self.placeholder_names()]
        return did_you_mean(f"{{{path}}}", names) or "see the README's list of placeholders"

    def placeholder_names(self) -> list[str]:
        names = ["org.name", "org.short_name", "code.name", "code.url", "code.link"]
        for key in self.namespaces["term"].names():
            names += [f"term.{key}", f"term.{key}.cap", f"term.{key}.plural", f"term.{key}.plural.cap"]
        for role in self.namespaces["contact"].names():
            names += [f"contact.{role}"] + [
                f"contact.{role}.{part}" for part in ("name", "cap", "email", "phone", "url")
            ]
        names += [f"document.{name}" for name in DocumentControl.model_fields]
        return names
