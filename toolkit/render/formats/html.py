"""One self-contained, accessible HTML page of the tailored guidance (WCAG 2.2 AA), also the source of the PDF.

The page makes no requests: CSS is inline, the font arrives as WOFF2 `data:` URIs and the logo as a `data:` URI
`<img>` (never inline SVG, which could carry script). The jinja2 template only lays out the skeleton; model text
becomes HTML here, in small functions that escape every string with markupsafe, so profile text such as
`<script>` or `{{ 7*7 }}` is printed as typed and never interpreted.

IDs: sections and clauses keep their model IDs (`purpose`, `purpose.why`), so links into the guidance survive new
versions. Every ID this module invents contains `_`, which model IDs cannot, so the two never collide.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator
from datetime import UTC
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

from toolkit.i18n import ENGLISH, Labels, catalogue, labels_of, language_tag
from toolkit.model import (
    Block,
    Clause,
    Code,
    Emphasis,
    Font,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Logo,
    Paragraph,
    Policy,
    Section,
    Strong,
    Table,
    Term,
    Text,
    plain_text,
)
from toolkit.render import RenderOptions
from toolkit.render.fonts import page_characters, subset_woff2
from toolkit.render.templates import HTML_TEMPLATES, html_environment
from toolkit.resolve.notes import (
    TailoringNote,
    based_on,
    sections_around_appendix,
    tailoring_intro,
    tailoring_notes,
)

SUFFIX = ".html"

PAGE_TEMPLATE = "page.html.j2"
TAILORING_ID = "how_tailored"
TAILORING_TITLE = catalogue(ENGLISH)["how_tailored"]  # documents print it in their own language (labels)
LINK_SCHEMES = ("https:", "mailto:", "tel:")  # the model admits no others; checked again here
FONT_STYLES = {  # style -> (font-weight, font-style)
    "regular": (400, "normal"),
    "italic": (400, "italic"),
    "bold": (700, "normal"),
    "bold_italic": (700, "italic"),
}
MIME_TYPES = {".woff2": "font/woff2", ".ttf": "font/ttf", ".svg": "image/svg+xml", ".png": "image/png"}
FOCUS_COLOUR, FOCUS_TEXT = "#ffdd00", "#0b0c0c"  # GOV.UK's focus state: visible on any brand colour


# Entry points --------------------------------------------------------------------------------------------------------


def render(policy: Policy, options: RenderOptions) -> bytes:
    """The HTML page as UTF-8 bytes."""
    return render_html(policy, options, for_pdf=False).encode("utf-8")


def render_html(policy: Policy, options: RenderOptions, *, for_pdf: bool = False) -> str:
    """The page as text. With `for_pdf`, the PDF variant: a cover instead of the web header, paged-media CSS, and
    fonts and logo named by `file:` URL (the PDF renderer's fetcher serves exactly those files)."""
    page = html_environment().get_template(PAGE_TEMPLATE).render(**_context(policy, options, for_pdf=for_pdf))
    if for_pdf:
        return page
    return page.replace(FONTS_MARK, subset_font_faces(policy, page_characters(page)), 1)


def _context(policy: Policy, options: RenderOptions, *, for_pdf: bool) -> dict[str, object]:
    created = options.timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sections = sections_around_appendix(policy)
    labels = labels_of(policy)
    return {
        "lang": policy.language,
        "labels": labels,
        "title": policy.full_title,
        "description": f"{policy.subtitle}, {policy.organisation.name}. {based_on(policy)}",
        "generator": options.generator,
        "created": created,
        "css": page_css(policy, for_pdf=for_pdf),
        "for_pdf": for_pdf,
        "logo": logo_html(policy.branding.logo, for_pdf=for_pdf),
        "organisation": policy.organisation.name,
        "heading": policy.title,
        "subtitle": policy.subtitle,
        "facts": document_facts(policy),
        "contents": [(s.id, plain_text(s.title)) for s in sections[0]]
        + [(TAILORING_ID, labels("how_tailored"))]
        + [(s.id, plain_text(s.title)) for s in sections[1]],
        "body": Markup("\n").join(
            [
                *(section_html(s, labels) for s in sections[0]),
                tailoring_html(policy),
                *(section_html(s, labels) for s in sections[1]),
            ]
        ),
        "footer": labels(
            "footer", title=policy.full_title, version=policy.document.version, owner=policy.document.owner
        ),
    }


NOT_APPROVED = "Not yet approved"


def document_facts(policy: Policy) -> list[tuple[str, str]]:
    """Version and dates from document control, for the title block and the PDF cover."""
    document = policy.document
    labels = labels_of(policy)
    facts = [(labels("version"), document.version)]
    if document.effective_from:
        facts.append((labels("effective_from"), labels.date(document.effective_from)))
    if document.approved_on:
        facts += [
            (labels("approved_by"), document.approved_by or ""),
            (labels("approved_on"), labels.date(document.approved_on)),
        ]
    else:
        facts.append((labels("approved_by"), NOT_APPROVED))
    facts.append((labels("review_by"), labels.date(document.review_by)))
    if document.classification:
        facts.append((labels("classification"), document.classification))
    return facts


# Sections and clauses ------------------------------------------------------------------------------------------------


def section_html(section: Section, labels: Labels | None = None) -> Markup:
    """`h2` for the section, then its visible clauses; removed and excluded clauses are not shown."""
    clauses = Markup("\n").join(clause_html(clause, section, labels) for clause in section.visible_clauses)
    return Markup('<section class="section" id="{}">\n<h2>{}</h2>\n{}\n</section>').format(
        section.id, inlines_html(section.title), clauses
    )


def clause_html(clause: Clause, section: Section, labels: Labels | None = None) -> Markup:
    """`h3` for a titled clause; a clause without a title sits directly under its section's `h2`, so its own
    sub-headings move up a level and no heading level is ever skipped."""
    title = Markup("<h3>{}</h3>\n").format(inlines_html(clause.title)) if clause.title else Markup()
    context = _TableContext(clause.id, plain_text(clause.title) or plain_text(section.title))
    sub_level = 4 if clause.title else 3
    blocks = blocks_html(clause.blocks, sub_level, context)
    if clause.untranslated and labels is not None:
        return untranslated_html(clause, title + blocks, labels)
    return Markup('<section class="clause" id="{}">\n{}{}\n</section>').format(clause.id, title, blocks)


def untranslated_html(clause: Clause, content: Markup, labels: Labels) -> Markup:
    """A clause still in English inside another language's document: said in words (not only colour), and marked
    `lang="en-GB"` so that screen readers switch voice and spell checkers leave it alone."""
    note = Markup('<p class="untranslated__note"><strong>{}</strong></p>\n').format(
        labels.untranslated(clause.untranslated or "missing")
    )
    return Markup('<section class="clause untranslated" id="{}">\n{}<div lang="{}">\n{}\n</div>\n</section>').format(
        clause.id, note, language_tag(ENGLISH), content
    )


class _TableContext:
    """Names a clause's tables: a stable ID and a caption from the clause (or section) title."""

    def __init__(self, clause_id: str, title: str) -> None:
        self.clause_id, self.title, self.count = clause_id, title, 0

    def next_id(self) -> str:
        self.count += 1
        return f"table_{self.clause_id}_{self.count}"


# Blocks --------------------------------------------------------------------------------------------------------------


def blocks_html(blocks: Iterable[Block], sub_level: int, tables: _TableContext) -> Markup:
    return Markup("\n").join(block_html(block, sub_level, tables) for block in blocks)


def block_html(block: Block, sub_level: int, tables: _TableContext) -> Markup:
    if isinstance(block, Paragraph):
        return Markup("<p>{}</p>").format(inlines_html(block.inlines))
    if isinstance(block, Heading):
        return Markup("<h{0}>{1}</h{0}>").format(sub_level, inlines_html(block.inlines))
    if isinstance(block, ListBlock):
        return list_html(block, sub_level, tables)
    return table_html(block, tables.next_id(), tables.title, hidden_caption=True)


def list_html(block: ListBlock, sub_level: int, tables: _TableContext) -> Markup:
    tag = "ol" if block.ordered else "ul"
    items = Markup("\n").join(list_item_html(item, sub_level, tables) for item in block.items)
    return Markup("<{0}>\n{1}\n</{0}>").format(tag, items)


def list_item_html(item: ListItem, sub_level: int, tables: _TableContext) -> Markup:
    """A one-paragraph item holds its words directly (no `<p>`), which keeps list spacing tight."""
    if len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph):
        return Markup("<li>{}</li>").format(inlines_html(item.blocks[0].inlines))
    return Markup("<li>{}</li>").format(blocks_html(item.blocks, sub_level, tables))


def table_html(table: Table, table_id: str, caption: str, *, hidden_caption: bool) -> Markup:
    """A table in its own labelled, focusable region that scrolls sideways on a phone rather than the page."""
    header = Markup("").join(Markup('<th scope="col">{}</th>').format(inlines_html(cell)) for cell in table.header)
    rows = Markup("\n").join(
        Markup("<tr>{}</tr>").format(Markup("").join(Markup("<td>{}</td>").format(inlines_html(c)) for c in row))
        for row in table.rows
    )
    return table_markup(table_id, caption, hidden_caption, header, rows)


def table_markup(table_id: str, caption: str, hidden_caption: bool, header: Markup, rows: Markup) -> Markup:
    caption_class = ' class="visually-hidden"' if hidden_caption else ""
    return Markup(
        '<div class="table-wrap" role="region" aria-labelledby="{id}" tabindex="0">\n'
        '<table>\n<caption id="{id}"{cls}>{caption}</caption>\n'
        "<thead><tr>{header}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n</div>"
    ).format(id=table_id, cls=Markup(caption_class), caption=caption, header=header, rows=rows)


# Inlines -------------------------------------------------------------------------------------------------------------


def inlines_html(inlines: Iterable[Inline] | None) -> Markup:
    return Markup("").join(inline_html(node) for node in inlines or [])


def inline_html(node: Inline) -> Markup:
    if isinstance(node, Text | Term):
        return escape(node.text)
    if isinstance(node, Code):
        return Markup("<code>{}</code>").format(node.text)
    if isinstance(node, LineBreak):
        return Markup("<br>")
    if isinstance(node, Emphasis):
        return Markup("<em>{}</em>").format(inlines_html(node.children))
    if isinstance(node, Strong):
        return Markup("<strong>{}</strong>").format(inlines_html(node.children))
    return link_html(node)


def link_html(link: Link) -> Markup:
    """A link; in print its address follows it when the words do not already show it."""
    words = inlines_html(link.children)
    if not link.url.lower().startswith(LINK_SCHEMES):
        return words
    shown = printed_address(link.url, plain_text(link.children))
    if shown is None:
        return Markup('<a href="{}">{}</a>').format(link.url, words)
    return Markup('<a href="{}" data-url="{}">{}</a>').format(link.url, shown, words)


def printed_address(url: str, words: str) -> str | None:
    """What print shows after the words: the address without `mailto:`/`tel:`; None when the words say it."""
    shown = url.split(":", 1)[1] if url.lower().startswith(("mailto:", "tel:")) else url
    if _bare(shown) in _bare(words):
        return None
    return shown


def _bare(text: str) -> str:
    return re.sub(r"[\s/]|https?:", "", text.lower())


# The tailoring appendix ----------------------------------------------------------------------------------------------


def tailoring_html(policy: Policy) -> Markup:
    """What this organisation changed in the core guidance and why, in words a member of staff reads: no clause
    IDs or profile names (reviewers have `diff` and `show` for those)."""
    notes, labels = tailoring_notes(policy), labels_of(policy)
    visible = {c.id for s in policy.sections for c in s.visible_clauses}
    intro = Markup("<p>{}</p>\n<p>{}</p>").format(based_on(policy), tailoring_intro(policy, notes))
    body = Markup()
    if notes:
        columns = (labels("column_part"), labels("column_change"), labels("column_why"))
        header = Markup("").join(Markup('<th scope="col">{}</th>').format(h) for h in columns)
        rows = Markup("\n").join(_note_row(note, note.clause_id in visible, labels) for note in notes)
        body = table_markup(f"table_{TAILORING_ID}", labels("tailoring_caption"), False, header, rows)
    return Markup('<section class="section tailoring" id="{}">\n<h2>{}</h2>\n{}\n{}\n</section>').format(
        TAILORING_ID, labels("how_tailored"), intro, body
    )


def _note_row(note: TailoringNote, visible: bool, labels: Labels) -> Markup:
    title = Markup('<a href="#{}">{}</a>').format(note.clause_id, note.title) if visible else escape(note.title)
    cells = (title, escape(note.change_in_words), escape(note.reason or labels("no_reason")))
    return Markup("<tr>{}</tr>").format(Markup("").join(Markup("<td>{}</td>").format(c) for c in cells))


# Assets --------------------------------------------------------------------------------------------------------------


def logo_html(logo: Logo | None, *, for_pdf: bool) -> Markup | None:
    """The logo as `<img>`, the SVG when there is one; `alt=""` when the profile marks it decorative. In the PDF a
    decorative logo is a CSS background instead: WeasyPrint tags every `<img>` as a Figure that needs alternate
    text, but draws backgrounds as untagged artifacts, which is what a decorative image should be."""
    if logo is None:
        return None
    url = asset_url(logo.svg or logo.png, for_pdf=for_pdf)
    if for_pdf and logo.alt is None:
        return Markup('<span class="decorative-logo" style="background-image: url({})"></span>').format(css_string(url))
    return Markup('<img src="{}" alt="{}">').format(url, logo.alt or "")


def asset_url(path: Path, *, for_pdf: bool) -> str:
    """A `file:` URL for the PDF renderer's fetcher, otherwise the file itself as a `data:` URI."""
    if for_pdf:
        return path.resolve().as_uri()
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{MIME_TYPES[path.suffix.lower()]};base64,{data}"


FONTS_MARK = "/* the page's fonts */"


def subset_font_faces(policy: Policy, characters: str) -> str:
    """`@font-face` rules for the web page with fonts cut down to `characters` (see `toolkit.render.fonts`)."""
    font = policy.branding.font
    family = css_string(f"{font.name} Embedded")
    rules = []
    for style in styles_used(policy):
        weight, slant = FONT_STYLES[style]
        data = base64.b64encode(subset_woff2(font.files[style], characters)).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: {family}; src: url({css_string('data:font/woff2;base64,' + data)}) "
            f'format("woff2"); font-weight: {weight}; font-style: {slant}; font-display: swap; }}'
        )
    return "\n".join(rules)


def font_faces(font: Font, family: str, *, for_pdf: bool, styles: Iterable[str]) -> str:
    """`@font-face` rules: WOFF2 for the web when the family has it, TrueType otherwise and for the PDF."""
    rules = []
    for style in styles:
        path = font.files[style] if for_pdf else font.web.get(style, font.files[style])
        weight, slant = FONT_STYLES[style]
        kind = "woff2" if path.suffix.lower() == ".woff2" else "truetype"
        rules.append(
            f"@font-face {{ font-family: {family}; src: url({css_string(asset_url(path, for_pdf=for_pdf))}) "
            f'format("{kind}"); font-weight: {weight}; font-style: {slant}; font-display: swap; }}'
        )
    return "\n".join(rules)


def styles_used(policy: Policy) -> list[str]:
    """The font styles the page needs: italic only when some text is emphasised (saves ~130 kB of HTML)."""
    italic = any(isinstance(node, Emphasis) for node in _all_inlines(policy))
    return [s for s in FONT_STYLES if italic or "italic" not in s]


def _all_inlines(policy: Policy) -> Iterator[Inline]:
    for section in policy.visible_sections:
        yield from walk_inlines(section.title)
        for clause in section.visible_clauses:
            yield from walk_inlines(clause.title or [])
            yield from walk_blocks(clause.blocks)


def walk_blocks(blocks: Iterable[Block]) -> Iterator[Inline]:
    """Every inline node in some blocks, nested ones included, in document order."""
    for block in blocks:
        if isinstance(block, Paragraph | Heading):
            yield from walk_inlines(block.inlines)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk_blocks(item.blocks)
        else:
            for cell in [*block.header, *(c for row in block.rows for c in row)]:
                yield from walk_inlines(cell)


def walk_inlines(inlines: Iterable[Inline]) -> Iterator[Inline]:
    for node in inlines:
        yield node
        if isinstance(node, Emphasis | Strong | Link):
            yield from walk_inlines(node.children)


# CSS -----------------------------------------------------------------------------------------------------------------


def page_css(policy: Policy, *, for_pdf: bool) -> Markup:
    """The page's stylesheet: branding as custom properties, the font faces, then the static files. Returned as
    Markup because `<style>` is raw text that HTML escaping would corrupt; everything from the profile in it went
    through `css_string` or is a validated `#rrggbb` colour."""
    branding = policy.branding
    family = css_string(f"{branding.font.name} Embedded")
    stack = f"{family}, {css_string(branding.font.name)}, {_generic(branding.font.generic)}"
    styles = list(FONT_STYLES) if for_pdf else styles_used(policy)
    prelude = [
        font_faces(branding.font, family, for_pdf=True, styles=styles) if for_pdf else FONTS_MARK,
        ":root {",
        f"  --primary: {_colour(branding.primary_colour)};",
        f"  --text: {_colour(branding.text_colour)};",
        f"  --bg: {_colour(branding.background_colour)};",
        f"  --rule: {mix(branding.text_colour, branding.background_colour, 0.35)};",
        f"  --focus: {FOCUS_COLOUR};",
        f"  --focus-text: {FOCUS_TEXT};",
        f"  --font: {stack};",
        "}",
    ]
    if for_pdf:
        labels = labels_of(policy)
        marks = f"doc-version {css_string(version_mark(policy))}, page-word {css_string(labels('page'))}"
        prelude.append(f".cover {{ string-set: {marks}, of-word {css_string(labels('of'))}; }}")
    files = ["base.css", "print.css", "paged.css"] if for_pdf else ["base.css", "screen.css", "wide.css"]
    parts = [*prelude, *(_css_file(name) for name in files)]
    if not for_pdf:
        parts.append("@media print {\n" + _css_file("print.css") + _css_file("web-print.css") + "}")
    css = "\n".join(parts)
    if "</" in css:  # cannot happen (css_string escapes "<"), but a `</style>` here would end the stylesheet
        raise ValueError("the stylesheet contains '</'")
    return Markup(css)


def version_mark(policy: Policy) -> str:
    """The PDF footer's left side: the version, and the security classification when there is one."""
    document = policy.document
    mark = labels_of(policy)("version_number", version=document.version)
    return f"{mark} · {document.classification}" if document.classification else mark


@cache
def _css_file(name: str) -> str:
    return (HTML_TEMPLATES / name).read_text(encoding="utf-8")


CSS_ESCAPED = re.compile(r'["\\<>\x00-\x1f]')  # quotes, backslashes, angle brackets, line breaks, controls


def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes, line breaks and angle brackets escaped as hex (one pass of a
    regular expression: the page's fonts go through here as long data: URLs)."""
    return '"' + CSS_ESCAPED.sub(lambda found: f"\\{ord(found.group()):x} ", text) + '"'


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    return value.lower()


def _generic(name: str) -> str:
    return name if name in ("serif", "sans-serif", "monospace", "system-ui") else "sans-serif"


def mix(first: str, second: str, share: float) -> str:
    """`share` of the first colour over the second: a rule colour that suits both light and dark branding."""
    a, b = _rgb(_colour(first)), _rgb(_colour(second))
    return "#" + "".join(f"{round(x * share + y * (1 - share)):02x}" for x, y in zip(a, b, strict=True))


def _rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
